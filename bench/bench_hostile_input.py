"""Hostile input of issue 12 (closure times, JSON numbers, NUL, headers): status and time.

Run: ``python -m bench.bench_hostile_input [--postgis]``. A fresh app (SQLite in a
temporary directory; with ``--postgis`` a scratch PostGIS database, dropped afterwards)
answers each hostile request through Flask's test client; printed are the status, the
wall time, and the status of a normal ``POST /api/approach`` right after it (a closure
that breaks planning shows there). The script uses only HTTP, so it measures an older
tree too: ``PYTHONPATH=<old checkout> python <this file>`` gives the "before" figures.
Figures are single runs on a shared machine: noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench._load_server import scratch_postgis

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "yak butter tea 4"
TARGET = {"target": {"lon": 81.31, "lat": 31.07}}
NUL = "a\u0000b"
BIG_INT = "7" * 5000


@contextlib.contextmanager
def _database(postgis: bool, tmp: Path) -> Iterator[str | None]:
    if not postgis:
        yield None
        return
    with scratch_postgis(ADMIN_URL) as url:
        yield url


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    response = call()
    return response, (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgis", action="store_true", help="run on a scratch PostGIS database")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # the tracebacks of the 500s "before" are expected

    from rescue.users import UserStore
    from web import create_app

    old_umask = os.umask(0o022)
    with (
        tempfile.TemporaryDirectory(prefix="sandtable-hostile-") as tmp,
        _database(args.postgis, Path(tmp)) as url,
    ):
        instance = Path(tmp) / "instance"
        config: dict[str, Any] = {"TESTING": True, "INSTANCE_DIR": str(instance)}
        if url:
            config["DATABASE_URL"] = url
        app = create_app(config)
        os.umask(old_umask)
        store = app.extensions["sandtable"].store
        UserStore(store.reader, store.writer).create_user("officer1", PASSWORD, "officer")
        UserStore(store.reader, store.writer).create_user("taker1", PASSWORD, "call_taker")

        def client(username: str | None) -> Any:
            c = app.test_client()
            if username:
                r = c.post("/api/login", json={"username": username, "password": PASSWORD})
                c.environ_base["HTTP_X_CSRF_TOKEN"] = r.get_json()["csrf_token"]
            return c

        officer, taker, anonymous = client("officer1"), client("taker1"), client(None)
        seg = officer.get("/api/segments").get_json()["features"][0]["properties"]["segment_id"]

        def closure(**fields: Any) -> dict[str, Any]:
            return {
                "segment_ids": [seg],
                "reason": "snow",
                "modes": "all",
                "severity": "closed",
                **fields,
            }

        def raw(c: Any, path: str, text: str) -> Callable[[], Any]:
            return lambda: c.post(path, data=text, content_type="application/json")

        cases: list[tuple[str, Callable[[], Any]]] = [
            (
                "closure from 0001-01-01T00:00",
                lambda: officer.post("/api/closures", json=closure(**{"from": "0001-01-01T00:00"})),
            ),
            (
                "closure until 9999-12-31T23:59:59-12:00",
                lambda: officer.post(
                    "/api/closures", json=closure(until="9999-12-31T23:59:59-12:00")
                ),
            ),
            (
                "approach depart_at 9999-12-31T23:59:59-12:00",
                lambda: officer.post(
                    "/api/approach", json={**TARGET, "depart_at": "9999-12-31T23:59:59-12:00"}
                ),
            ),
            (
                "5000-digit integer, anonymous POST /api/login",
                raw(anonymous, "/api/login", '{"username": "a", "password": ' + BIG_INT + "}"),
            ),
            (
                "5000-digit integer, POST /api/approach",
                raw(officer, "/api/approach", '{"target": {"lon": ' + BIG_INT + ', "lat": 31}}'),
            ),
            (
                "NaN, POST /api/approach",
                raw(officer, "/api/approach", '{"target": {"lon": NaN, "lat": 31}}'),
            ),
            (
                "NUL in login username",
                lambda: anonymous.post("/api/login", json={"username": NUL, "password": "x"}),
            ),
            (
                "NUL in incident description",
                lambda: officer.post("/api/incidents", json={"description": NUL}),
            ),
            ("NUL in closure note", lambda: officer.post("/api/closures", json=closure(note=NUL))),
            ("NUL in closure id (path)", lambda: officer.get("/api/closures/a%00b")),
            ("NUL in segment id (path)", lambda: officer.get("/api/segments/a%00b")),
            (
                "NUL in approach segment_id",
                lambda: officer.post("/api/approach", json={"target": {"segment_id": NUL}}),
            ),
            ("NUL in locate text", lambda: officer.post("/api/locate", json={"text": NUL})),
            ("NUL in query ?q=", lambda: officer.get("/api/places?q=a%00b")),
        ]
        print(f"back end: {'PostGIS' if url else 'SQLite'}")
        print(f"{'case':<48} {'status':>6} {'ms':>7}   then approach")
        for label, call in cases:
            response, ms = _timed(call)
            plan = officer.post("/api/approach", json=TARGET).status_code
            print(f"{label:<48} {response.status_code:>6} {ms:>7.1f}   {plan}")
            listed = officer.get("/api/closures").get_json() or {}
            for c in listed.get("closures", []):  # a closure that was accepted is lifted
                officer.delete(f"/api/closures/{c['closure_id']}")

        body = {"description": "two pilgrims lost", "idempotency_key": "form-1"}
        first = officer.post("/api/incidents", json=body).status_code
        other_user = taker.post("/api/incidents", json=body).status_code
        other_body = officer.post("/api/incidents", json={**body, "description": "x"}).status_code
        print(
            f"idempotency key: first {first}, another user {other_user}, "
            f"same user other body {other_body}"
        )
        page = officer.get("/")
        wanted = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")
        print(
            "headers on GET /:",
            ", ".join(f"{h}={'yes' if h in page.headers else 'no'}" for h in wanted),
        )
        put = officer.put("/api/health")
        print(f"PUT /api/health: {put.status_code}, Allow: {put.headers.get('Allow')}")
        if not url:
            for name in ("sandtable.db", "sandtable.db-wal", "sandtable.db-shm", "secret_key"):
                path = instance / name
                if path.exists():
                    print(f"{name}: {stat.filemode(path.stat().st_mode)}")
        store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
