"""Issue 18: what ``sandtable serve`` wraps the app in: the heavy-request gate (one approach
computed at once per process, light requests never wait for it), the Server-Timing header
(where a request's time went) and the GIL switch interval."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from bench.bench_load import _server_timing
from web import server
from web.server import HeavyGate, ServerTiming, install_middleware, is_heavy

WAIT_S = 30.0  # a safety net against a hang, never a measured time


@pytest.mark.parametrize(
    ("path", "heavy"),
    [
        ("/api/approach", True),
        ("/api/approach/plan.gpx", True),
        ("/api/approach/field-sheet", True),
        ("/api/incidents/12/plan.kml", True),
        ("/api/incidents/12/field-sheet", True),
        ("/api/reports/heat", True),
        ("/api/locate", False),
        ("/api/incidents", False),
        ("/api/incidents/12", False),
        ("/api/reports", False),
        ("/", False),
    ],
)
def test_heavy_requests_are_those_that_plan_or_report(path: str, heavy: bool) -> None:
    assert is_heavy(path) is heavy


class _Blocking:
    """A WSGI app whose requests wait for ``release`` (each noted as it starts)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.started: list[str] = []
        self.started_event = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ["PATH_INFO"]
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.started.append(path)
            self.started_event.set()
        try:
            if path.startswith("/api/approach"):
                assert self.release.wait(WAIT_S)
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        finally:
            with self.lock:
                self.running -= 1


def _call(app: Callable[..., Iterable[bytes]], path: str) -> tuple[str, dict[str, Any]]:
    got: dict[str, str] = {}
    environ: dict[str, Any] = {"PATH_INFO": path, "REQUEST_METHOD": "GET"}

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
        got["status"] = status
        got.update(headers)

    body = b"".join(app(environ, start_response))
    assert body == b"ok"
    return got["status"], environ


def test_the_gate_computes_one_heavy_request_at_a_time_and_lets_light_ones_through() -> None:
    inner = _Blocking()
    gate = HeavyGate(inner, limit=1)
    heavy = [threading.Thread(target=_call, args=(gate, "/api/approach")) for _ in range(3)]
    for t in heavy:
        t.start()
    assert inner.started_event.wait(WAIT_S)
    # one approach computes (blocked inside the app); the two others wait at the gate
    status, _ = _call(gate, "/api/locate")  # a light request is not queued behind them
    assert status == "200 OK"
    assert inner.started.count("/api/approach") == 1
    inner.release.set()
    for t in heavy:
        t.join(WAIT_S)
        assert not t.is_alive()
    assert inner.started.count("/api/approach") == 3
    heavy_at_once = inner.most - 1  # the locate ran beside the one approach
    assert heavy_at_once == 1


def test_the_gate_notes_how_long_a_heavy_request_waited_for_its_turn() -> None:
    inner = _Blocking()
    inner.release.set()
    gate = HeavyGate(inner, limit=2)
    _, environ = _call(gate, "/api/approach")
    assert environ[HeavyGate.WAIT_KEY] >= 0.0
    _, environ = _call(gate, "/api/locate")
    assert HeavyGate.WAIT_KEY not in environ


def test_a_gate_needs_a_turn() -> None:
    with pytest.raises(ValueError, match="1 or more"):
        HeavyGate(_Blocking(), limit=0)


@pytest.fixture
def switch_interval() -> Iterator[None]:
    before = sys.getswitchinterval()
    yield
    sys.setswitchinterval(before)


_SLOW_SQL = (
    "with recursive n(i) as (select 1 union all select i + 1 from n where i < 300000) "
    "select count(*) from n"
)


def _tiny_app(engine: Any) -> Flask:
    app = Flask(__name__)

    @app.get("/api/locate")
    def locate() -> str:
        with engine.connect() as conn:
            # a statement that takes a while (the header rounds to 0.1 ms)
            conn.execute(text(_SLOW_SQL)).all()
        return "ok"

    @app.get("/api/approach")
    def approach() -> str:
        return "ok"

    return app


def test_server_timing_says_app_cpu_and_database_time(switch_interval: None) -> None:
    engine = create_engine("sqlite://")
    app = _tiny_app(engine)
    app.wsgi_app = ServerTiming(HeavyGate(app.wsgi_app), [engine])  # type: ignore[method-assign]
    client = app.test_client()

    timing = _server_timing(client.get("/api/locate").headers["Server-Timing"])
    assert set(timing) == {"app_s", "cpu_s", "db_s"}
    assert timing["app_s"] >= timing["db_s"] > 0.0
    assert timing["cpu_s"] >= 0.0
    heavy = _server_timing(client.get("/api/approach").headers["Server-Timing"])
    assert set(heavy) == {"app_s", "cpu_s", "db_s", "heavy_s"}
    assert heavy["db_s"] == 0.0


def test_serving_sets_the_switch_interval_and_the_gate(
    switch_interval: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web.state import SandtableState

    monkeypatch.setattr(SandtableState, "instances", classmethod(lambda cls: []))
    app = _tiny_app(create_engine("sqlite://"))
    install_middleware(app)
    assert sys.getswitchinterval() == pytest.approx(server.SWITCH_INTERVAL_S)
    assert server.HEAVY_LIMIT == 0 and not isinstance(app.wsgi_app, HeavyGate)  # off
    assert "Server-Timing" not in app.test_client().get("/api/locate").headers

    app = _tiny_app(create_engine("sqlite://"))
    app.config.update(SERVER_TIMING=True, HEAVY_LIMIT=2, SWITCH_INTERVAL_S=0.004)
    install_middleware(app)
    assert sys.getswitchinterval() == pytest.approx(0.004)
    assert isinstance(app.wsgi_app, ServerTiming)
    assert isinstance(app.wsgi_app.app, HeavyGate) and app.wsgi_app.app.limit == 2
    assert "Server-Timing" in app.test_client().get("/api/locate").headers


def test_the_benchmark_reads_what_the_header_has() -> None:
    assert _server_timing(None) == {}
    assert _server_timing("app;dur=12.5, cpu;dur=3.0, other;dur=1") == {
        "app_s": 0.0125,
        "cpu_s": 0.003,
    }
