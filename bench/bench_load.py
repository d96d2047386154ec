"""Load on loopback: concurrent users write incidents while others locate and plan.

Run: ``python -m bench.bench_load [--users 20] [--locators 5] [--duration 60]
[--threads 8] [--workers 1 | --workers 1,2] [--no-kill] [--server-env KEY=VALUE]
[--postgis | --database-url URL]``.

``--workers 1,2`` runs the load with one gunicorn worker, then with two, each on a fresh
database, and prints them side by side.

A real server (``sandtable serve``) is started on a free port of 127.0.0.1 with a
fresh temporary instance directory, on SQLite by default, on a scratch PostGIS
database with ``--postgis`` (created and dropped here), or on ``--database-url``.
Its users are made with ``sandtable create-user``; every virtual user signs in
through ``POST /api/login`` and sends the CSRF token back in ``X-CSRF-Token``.

* ``--users`` officers (one thread and one HTTP session each, no think time) record
  incidents with an idempotency key (some resubmitted after the answer, some
  submitted twice at once from a second tab), then take each one through its life:
  location and more description, ``located``, the plan and the team, ``dispatched``,
  ``en_route``, ``on_scene``, notes, ``resolved`` with an outcome. Every 10 s they
  reload the open incidents, as the dispatch page does, and they add notes and
  descriptions to colleagues' incidents, so that edits collide: a 409 is reloaded
  and retried.
* ``--locators`` call takers locate callers from what they said
  (``POST /api/locate``) and plan the approach to the best candidates
  (``POST /api/approach``).

Printed: requests, throughput overall and per operation, p50 / p95 / p99 / max
latency and size on the wire per operation, conflicts, unexpected 4xx, 5xx and transport
errors, the server's peak RSS and CPU per request, the load generator's own CPU (per
request and as a share of one core: it runs on the same machine, so it must stay cheap —
one keep-alive ``http.client`` connection per user, answers parsed only when read), and
the machine's load averages (1, 5, 15 min, as ``uptime``) when each run began and ended.
With several worker counts, the runs side by side: requests/s and its ratio to the first,
locate and approach p50 / p99, 5xx, writes present after the SIGKILL, CPU per request of
server and load generator, load averages.

Then — at the end of the duration, while the clients still send — the server and every
worker are SIGKILLed at once (``--no-kill``: the clients stop first, then the server), a
new server is started on the same database, and every write it acknowledged is checked
through the API: each 201 incident exists under its key (one incident per key), each
acknowledged update and status change is there (version, fields, descriptions, audit of
edits, timeline). The exit status is 1 if anything is missing, a request failed with a
5xx or a transport error, or an answer was unexpected (anything but the 409s of colliding
edits).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import json
import os
import random
import re
import select
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import brotli

from bench._load_ledger import Ledger, Write, verify
from bench._load_server import (
    PASSWORD,
    ROOT,
    SERVER_SETTINGS,
    Server,
    add_database_options,
    create_users,
    scratch_postgis,
)

__all__ = ["LoadOptions", "LoadResult", "Sample", "main", "report", "run_load"]

CASES = ROOT / "tests" / "data" / "locate_cases.jsonl"
#: what callers say about where they are (with the case set's descriptions)
KAILASH_SAYINGS = (
    ("near Drirapuk", "en"),
    ("卓玛拉山口下面", "zh"),
    ("past Tarboche flagpole", "en"),
    ("we just crossed the Drolma La pass, going down to the lake", "en"),
    ("在止热寺附近，朋友高反很严重", "zh"),
    ("at Zutulpuk monastery, my wife cannot walk any more", "en"),
)
OUTCOMES = ("rescued", "not_found", "false_alarm", "handed_over")
CAUSES = ("altitude_sickness", "injury", "exhaustion", "illness", "lost", "weather")
CLIENT_TIMEOUT_S = 120.0
#: the dispatch page reloads the open incidents this often (web/static/incidents.js)
BOARD_REFRESH_S = 10.0


# --------------------------------------------------------------------------- options, results
@dataclass(frozen=True)
class LoadOptions:
    """What to run: how many users of each kind, how long, on which database."""

    users: int = 20
    locators: int = 5
    duration_s: float = 60.0
    threads: int = 8
    database_url: str | None = None
    seed: int = 1
    #: verify on a server started again on the same database (else on the loaded one)
    restart: bool = True
    #: gunicorn worker processes (0: one waitress process)
    workers: int = 1
    #: end the load by SIGKILL of the server and all its workers while requests are in
    #: flight (else stop the clients first, then the server)
    kill: bool = True


@dataclass(frozen=True)
class Sample:
    """One request: its operation, HTTP status (None: no answer) and wall time."""

    op: str
    status: int | None
    latency_s: float
    response_bytes: int = 0
    #: no answer because the benchmark had just SIGKILLed the server (not an error)
    cut: bool = False
    #: where the time went in the server (its Server-Timing header, web.server.ServerTiming):
    #: app wall time, the request thread's CPU time, database time; None if not said
    app_s: float | None = None
    cpu_s: float | None = None
    db_s: float | None = None
    #: the part of ``app_s`` a heavy request waited for its turn (web.server.HeavyGate)
    heavy_s: float | None = None


@dataclass
class LoadResult:
    """What a run measured and what the verification found."""

    options: LoadOptions
    backend: str
    samples: list[Sample]
    elapsed_s: float
    acknowledged: dict[str, int]
    problems: list[str]
    peak_rss_bytes: int | None
    #: CPU seconds the server used while loaded (None where /proc is missing)
    server_cpu_s: float | None
    resubmitted_keys: int
    incidents_found: int
    unexpected: list[str]
    server_log_errors: list[str]
    #: the machine's 1-, 5- and 15-minute load averages when the load started and when it
    #: ended (other work on the machine skews every figure)
    load_average: float | None = None
    load_average_end: tuple[float, float, float] | None = None
    load_average_start: tuple[float, float, float] | None = None
    #: CPU seconds the load generator itself (this process, all its clients) used meanwhile
    client_cpu_s: float | None = None

    @property
    def server_errors(self) -> int:
        """Requests answered with a 5xx."""
        return sum(1 for s in self.samples if s.status is not None and s.status >= 500)

    @property
    def transport_errors(self) -> int:
        """Requests that got no answer (connection refused or reset, time-out)."""
        return sum(1 for s in self.samples if s.status is None and not s.cut)

    @property
    def conflicts(self) -> int:
        """Writes refused with a 409 because someone changed the incident first."""
        return sum(1 for s in self.samples if s.status == 409)

    @property
    def ok(self) -> bool:
        """Nothing missing, no 5xx, no transport error, no unexpected answer."""
        return not (self.problems or self.server_errors or self.transport_errors or self.unexpected)


# --------------------------------------------------------------------------- HTTP client
#: what a browser accepts (the server compresses its answers: brotli where accepted)
ACCEPT_ENCODING = "br, gzip"
_DECODE: dict[str, Callable[[bytes], bytes]] = {
    "br": brotli.decompress,
    "gzip": gzip.decompress,
    "deflate": zlib.decompress,
}


class _Client:
    """One signed-in HTTP session that records every request it makes.

    Cheap by design, so that the load generator (on the same machine) leaves the cores to
    the server: one keep-alive ``http.client`` connection, the session cookie kept by hand,
    compact JSON bodies, and an answer decompressed and parsed only when the caller reads
    it (``call(..., read=False)``: status and size only, as for the approach answer).
    """

    def __init__(self, base: str, username: str, samples: list[Sample], ledger: Ledger) -> None:
        self.base = base
        self.username = username
        self.samples = samples
        self.ledger = ledger
        where = urllib.parse.urlsplit(base)
        self.host, self.port = where.hostname or "127.0.0.1", where.port or 80
        self.conn: http.client.HTTPConnection | None = None
        self.timing: str | None = None
        self.cookies: dict[str, str] = {}
        self.headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
        }

    def _connection(self) -> http.client.HTTPConnection:
        conn = self.conn
        if conn is not None and conn.sock is not None:
            # a keep-alive connection the server closed meanwhile reads as ready (EOF):
            # open a new one rather than fail on it (as urllib3 does)
            if select.select([conn.sock], [], [], 0)[0]:
                conn.close()
                conn = None
        if conn is None:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=CLIENT_TIMEOUT_S)
            self.conn = conn
        return conn

    def request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, bytes, str | None]:
        """``(status, body as sent, its Content-Encoding)``; raises OSError or
        ``http.client.HTTPException`` when no answer came."""
        data = None if body is None else json.dumps(body, separators=(",", ":")).encode()
        conn = self._connection()
        try:
            conn.request(method, path, body=data, headers=self.headers)
            r = conn.getresponse()
            raw = r.read()
        except BaseException:
            conn.close()
            self.conn = None
            raise
        for cookie in r.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
            self.headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if r.will_close:
            conn.close()
            self.conn = None
        self.timing = r.headers.get("Server-Timing")
        return r.status, raw, r.headers.get("Content-Encoding")

    @staticmethod
    def parse(raw: bytes, encoding: str | None) -> Any:
        if encoding in _DECODE:
            raw = _DECODE[encoding](raw)
        return json.loads(raw) if raw else None

    def sign_in(self) -> None:
        status, raw, encoding = self.request(
            "POST", "/api/login", {"username": self.username, "password": PASSWORD}
        )
        if status != 200:
            raise RuntimeError(f"{self.username}: sign-in answered {status}")
        self.headers["X-CSRF-Token"] = self.parse(raw, encoding)["csrf_token"]

    def call(
        self,
        op: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        read: bool = True,
    ) -> tuple[int | None, Any]:
        """``(status, JSON answer)``; ``(None, None)`` when no answer came.

        The latency is the time to the whole answer, before it is decompressed and parsed;
        the size recorded is the size on the wire. With ``read=False`` the answer is not
        parsed (``None``).
        """
        t0 = time.perf_counter()
        try:
            status, raw, encoding = self.request(method, path, body)
        except (OSError, http.client.HTTPException) as exc:
            cut = self.ledger.killed.is_set()
            self.samples.append(Sample(op, None, time.perf_counter() - t0, cut=cut))
            self.ledger.note(f"{op} {method} {path}: no answer ({type(exc).__name__}: {exc})")
            return None, None
        latency = time.perf_counter() - t0
        timing = _server_timing(self.timing)
        self.samples.append(
            Sample(
                op,
                status,
                latency,
                len(raw),
                app_s=timing.get("app_s"),
                cpu_s=timing.get("cpu_s"),
                db_s=timing.get("db_s"),
                heavy_s=timing.get("heavy_s"),
            )
        )
        if not read and status < 400:
            return status, None
        try:
            return status, self.parse(raw, encoding)
        except (ValueError, OSError, brotli.error) as exc:
            self.ledger.note(f"{op} {method} {path}: {status}, not JSON ({exc}): {raw[:100]!r}")
            return status, None

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _server_timing(header: str | None) -> dict[str, float]:
    """``app_s``, ``cpu_s``, ``db_s``, ``heavy_s`` from a ``Server-Timing`` header (what it
    has of them)."""
    out: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, dur = part.strip().partition(";dur=")
        if name in ("app", "cpu", "db", "heavy") and dur:
            out[f"{name}_s"] = float(dur) / 1000
    return out


def _error_text(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("error"), dict):
        return str(data["error"].get("message", ""))[:200]
    return str(data)[:200]


# --------------------------------------------------------------------------- virtual users
@dataclass(frozen=True)
class _Scene:
    """A caller's words, the located candidate a call taker confirmed, and its plan."""

    description: str
    language: str
    location: dict[str, Any]
    plan: dict[str, Any]


class _Officer:
    """Records incidents and follows each one to its resolution."""

    def __init__(
        self,
        index: int,
        base: str,
        scenes: list[_Scene],
        ledger: Ledger,
        seed: int,
    ) -> None:
        self.name = f"officer{index:02d}"
        self.samples: list[Sample] = []
        self.ledger = ledger
        self.client = _Client(base, self.name, self.samples, ledger)
        self.tab = _Client(base, self.name, self.samples, ledger)  # a second browser tab
        self.scenes = scenes
        self.deadline = 0.0  # set when the clock starts
        self.rng = random.Random(seed * 1000 + index)
        self.serial = itertools.count(1)
        self.mine: set[int] = set()
        self.next_refresh = 0.0

    def sign_in(self) -> None:
        self.client.sign_in()
        self.tab.sign_in()

    def token(self) -> str:
        return f"{self.name}-{next(self.serial)}-{uuid.uuid4().hex[:6]}"

    def time_left(self) -> bool:
        return time.monotonic() < self.deadline

    def run(self) -> None:
        try:
            while self.time_left():
                self.one_incident()
        except Exception as exc:  # a bug of this benchmark: say so, do not hang the run
            self.ledger.note(f"{self.name} stopped: {exc!r}")
        finally:
            self.client.close()
            self.tab.close()

    # -- one incident, from the call to the resolution
    def one_incident(self) -> None:
        scene = self.rng.choice(self.scenes)
        incident = self.create(scene)
        if incident is None:
            return
        incident_id = int(incident["incident_id"])
        self.mine.add(incident_id)
        version = int(incident["version"])
        steps: list[Callable[[int], int | None]] = [
            lambda v: self.update(
                incident_id,
                v,
                {"location": scene.location, "add_description": f"more: {self.token()}"},
            ),
            lambda v: self.transition(incident_id, v, "received", "located"),
            lambda v: self.update(
                incident_id, v, {"plan": scene.plan, "team": f"team {self.token()}"}
            ),
            lambda v: self.transition(incident_id, v, "located", "dispatched"),
            lambda v: self.transition(incident_id, v, "dispatched", "en_route"),
            lambda v: self.transition(incident_id, v, "en_route", "on_scene"),
            lambda v: self.update(incident_id, v, {"notes": f"on scene {self.token()}"}),
            lambda v: self.transition(
                incident_id, v, "on_scene", "resolved", outcome=self.rng.choice(OUTCOMES)
            ),
        ]
        for step in steps:
            if not self.time_left():
                return
            if time.monotonic() >= self.next_refresh:  # as the dispatch page does
                self.client.call("list", "GET", "/api/incidents?status=open")
                self.next_refresh = time.monotonic() + BOARD_REFRESH_S
            if self.rng.random() < 0.35:
                self.help_colleague()
            got = step(version)
            if got is None:
                return  # left as it is; what was acknowledged is checked all the same
            version = got
        self.ledger.closed(incident_id)

    def create(self, scene: _Scene) -> dict[str, Any] | None:
        key = f"load-{self.token()}"
        body = {
            "description": scene.description,
            "language": scene.language,
            "caller_name": f"caller {self.name}",
            "caller_phone": f"+86 139 {self.rng.randrange(10**8):08d}",
            "party_size": self.rng.randint(1, 6),
            "cause": self.rng.choice(CAUSES),
            "priority": self.rng.choice(("normal", "high", "critical")),
            "idempotency_key": key,
        }
        dice = self.rng.random()
        if dice < 0.08:  # a double click: the same body from two tabs at once
            self.ledger.resubmitted.add(key)
            other: list[tuple[int | None, Any]] = []
            twin = threading.Thread(
                target=lambda: other.append(self.tab.call("create", "POST", "/api/incidents", body))
            )
            twin.start()
            first = self._create(key, body, scene, op="create")
            twin.join()
            self._answer(key, *other[0], scene=scene)
            return first
        first = self._create(key, body, scene, op="create")
        if first is not None and dice < 0.2:  # a retry after the answer: the same incident
            self.ledger.resubmitted.add(key)
            again = self._create(key, body, scene, op="create again")
            if again is not None and again["incident_id"] != first["incident_id"]:
                self.ledger.note(f"key {key}: resubmitted, got another incident")
        return first

    def _create(
        self, key: str, body: dict[str, Any], scene: _Scene, *, op: str
    ) -> dict[str, Any] | None:
        for _ in range(3):  # no answer: send it again, the key makes that safe
            status, data = self.client.call(op, "POST", "/api/incidents", body)
            if status is not None:
                return self._answer(key, status, data, scene=scene)
            self.ledger.unsure_keys.add(key)
        return None

    def _answer(
        self, key: str, status: int | None, data: Any, *, scene: _Scene
    ) -> dict[str, Any] | None:
        if status in (200, 201):
            incident: dict[str, Any] = data["incident"]
            self.ledger.created(key, status, incident, scene.description)
            return incident
        if status is None:
            self.ledger.unsure_keys.add(key)
        else:
            if status >= 500:
                self.ledger.unsure_keys.add(key)
            self.ledger.note(f"create {key}: {status} {_error_text(data)}")
        return None

    def reload(self, incident_id: int) -> dict[str, Any] | None:
        status, data = self.client.call("reload", "GET", f"/api/incidents/{incident_id}")
        if status != 200:
            self.ledger.note(f"reload {incident_id}: {status} {_error_text(data)}")
            return None
        incident: dict[str, Any] = data["incident"]
        return incident

    def update(
        self,
        incident_id: int,
        version: int,
        changes: dict[str, Any],
        *,
        client: _Client | None = None,
    ) -> int | None:
        """PATCH ``changes`` on ``version``; on a 409, reload and try again. The new version."""
        client = client or self.client
        for _ in range(50):
            status, data = client.call(
                "update",
                "PATCH",
                f"/api/incidents/{incident_id}",
                {"base_version": version, **changes},
            )
            if status == 200:
                new = int(data["incident"]["version"])
                self.ledger.wrote(incident_id, Write("update", new, self.name, changes))
                return new
            if status == 409:
                current = self.reload(incident_id)
                if current is None:
                    return None
                version = int(current["version"])
                continue
            if status is None or status >= 500:
                touched = {"description" if k == "add_description" else k for k in changes}
                self.ledger.unsure(incident_id, touched)
            if status is not None:
                self.ledger.note(f"update {incident_id}: {status} {_error_text(data)}")
            return None
        self.ledger.note(f"update {incident_id}: still conflicting after 50 tries")
        return None

    def transition(
        self, incident_id: int, version: int, current: str, to: str, *, outcome: str | None = None
    ) -> int | None:
        """Move ``current`` → ``to``; on a 409, reload and try again. The new version."""
        body: dict[str, Any] = {"to": to, "note": f"{to} {self.token()}"}
        if outcome:
            body["outcome"] = outcome
        for _ in range(50):
            status, data = self.client.call(
                "transition",
                "POST",
                f"/api/incidents/{incident_id}/transitions",
                {**body, "base_version": version},
            )
            if status == 200:
                new = int(data["incident"]["version"])
                self.ledger.wrote(incident_id, Write("transition", new, self.name, body))
                return new
            if status == 409:
                reloaded = self.reload(incident_id)
                if reloaded is None:
                    return None
                if reloaded["status"] != current:
                    self.ledger.note(
                        f"transition {incident_id}: now {reloaded['status']}, expected {current}"
                    )
                    return None
                version = int(reloaded["version"])
                continue
            if status is None or status >= 500:
                self.ledger.unsure(incident_id, {"status"})
            if status is not None:
                self.ledger.note(f"transition {incident_id} to {to}: {status} {_error_text(data)}")
            return None
        self.ledger.note(f"transition {incident_id}: still conflicting after 50 tries")
        return None

    def help_colleague(self) -> None:
        """Add a note or a description to a colleague's open incident."""
        incident_id = self.ledger.pick_open(self.rng, self.mine)
        if incident_id is None:
            return
        incident = self.reload(incident_id)
        if incident is None or not incident["open"]:
            return
        if self.rng.random() < 0.5:
            changes = {"notes": f"from {self.token()}"}
        else:
            changes = {"add_description": f"caller rang again: {self.token()}"}
        self.update(incident_id, int(incident["version"]), changes, client=self.tab)


class _CallTaker:
    """Locates callers and plans the approach to the best candidates."""

    def __init__(
        self, index: int, base: str, sayings: list[str], ledger: Ledger, seed: int
    ) -> None:
        self.name = f"calltaker{index:02d}"
        self.samples: list[Sample] = []
        self.client = _Client(base, self.name, self.samples, ledger)
        self.ledger = ledger
        self.sayings = sayings
        self.deadline = 0.0  # set when the clock starts
        self.rng = random.Random(seed * 2000 + index)

    def sign_in(self) -> None:
        self.client.sign_in()

    def run(self) -> None:
        try:
            while time.monotonic() < self.deadline:
                text = self.rng.choice(self.sayings)
                status, data = self.client.call("locate", "POST", "/api/locate", {"text": text})
                if status != 200:
                    self.ledger.note(f"locate {text[:40]!r}: {status} {_error_text(data)}")
                    continue
                candidates = data["candidates"][:3]
                if not candidates or time.monotonic() >= self.deadline:
                    continue
                status, data = self.client.call(
                    "approach",
                    "POST",
                    "/api/approach",
                    {"target": {"candidates": candidates}},
                    read=False,  # the status says it all here: not parsed (the client's CPU)
                )
                if status != 200:
                    self.ledger.note(f"approach {text[:40]!r}: {status} {_error_text(data)}")
        except Exception as exc:  # a bug of this benchmark: say so, do not hang the run
            self.ledger.note(f"{self.name} stopped: {exc!r}")
        finally:
            self.client.close()


# --------------------------------------------------------------------------- the run
def _sayings() -> list[tuple[str, str]]:
    out = list(KAILASH_SAYINGS)
    with CASES.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                case = json.loads(line)
                lang = case.get("lang") if case.get("lang") in ("zh", "en", "mixed") else "zh"
                out.append((case["text"], lang))
    return out


def _scenes(client: _Client, sayings: list[tuple[str, str]], count: int) -> list[_Scene]:
    """Locate and plan a few calls before the clock starts (this also warms the server)."""
    scenes: list[_Scene] = []
    for text, language in sayings:
        if len(scenes) >= count:
            break
        status, located = client.call("warm-up", "POST", "/api/locate", {"text": text})
        if status != 200 or not located["candidates"]:
            continue
        best = located["candidates"][0]
        status, planned = client.call(
            "warm-up", "POST", "/api/approach", {"target": {"candidates": [best]}}
        )
        plans = [p for p in (planned or {}).get("plans", []) if p.get("reachable")]
        if status != 200 or not plans:
            continue
        plan = {k: v for k, v in plans[0].items() if k != "alternatives"}
        if len(json.dumps(plan, ensure_ascii=False)) > 40_000:
            plan = {k: v for k, v in plan.items() if k != "legs"}
        location = {
            "lon": best["lon"],
            "lat": best["lat"],
            "segment_id": best["segment_id"],
            "name": best["name"]["en"][:200],
            "km_range": best["km_range"],
        }
        if location["km_range"] is None:
            del location["km_range"]
        scenes.append(_Scene(text, language, location, plan))
    if not scenes:
        raise RuntimeError("no description could be located and planned for")
    return scenes


def run_load(options: LoadOptions, *, progress: Callable[[str], None] | None = None) -> LoadResult:
    """Start a server, load it for ``options.duration_s``, stop it and check every write."""
    say = progress or (lambda message: None)
    backend = "postgis" if options.database_url else "sqlite"
    with tempfile.TemporaryDirectory(prefix="sandtable-load-") as tmp:
        instance_dir = Path(tmp) / "instance"
        instance_dir.mkdir()
        officers = [f"officer{i:02d}" for i in range(options.users)]
        takers = [f"calltaker{i:02d}" for i in range(options.locators)]
        users = [("loadadmin", "admin")] + [(n, "officer") for n in officers]
        users += [(n, "call_taker") for n in takers]
        t0 = time.perf_counter()
        create_users(instance_dir, options.database_url, users)
        say(f"created {len(users)} users in {time.perf_counter() - t0:.1f} s")
        ledger = Ledger()
        server = Server(instance_dir, options.database_url, options.threads, options.workers)
        try:
            with _signed_in(server.base, ledger) as admin:
                sayings = _sayings()
                scenes = _scenes(admin, sayings, count=12)
            say(f"server up on {server.base}; {len(scenes)} located and planned calls ready")
            texts = [t for t, _ in sayings]
            workers: list[_Officer | _CallTaker] = [
                _Officer(i, server.base, scenes, ledger, options.seed) for i in range(options.users)
            ]
            workers += [
                _CallTaker(i, server.base, texts, ledger, options.seed)
                for i in range(options.locators)
            ]
            for w in workers:
                w.sign_in()
            # with ``kill`` the clients go on past the end: the SIGKILL finds requests in flight
            deadline = time.monotonic() + options.duration_s + (60 if options.kill else 0)
            for w in workers:
                w.deadline = deadline
            threads = [threading.Thread(target=w.run, name=w.name) for w in workers]
            load_start = _load_averages()
            cpu_before = server.cpu_s()
            client_before = time.process_time()
            start = time.perf_counter()
            for t in threads:
                t.start()
            if options.kill:
                time.sleep(options.duration_s)
                cpu_after = server.cpu_s()
                client_cpu = time.process_time() - client_before
                load_end = _load_averages()
                peak = server.peak_rss_bytes()
                ledger.killed.set()
                server.kill()  # the master and every worker, mid-request
                elapsed = time.perf_counter() - start
                for w in workers:
                    w.deadline = 0.0
                say(f"SIGKILLed the server and its workers after {elapsed:.1f} s of load")
            for t in threads:
                t.join()
            if not options.kill:
                elapsed = time.perf_counter() - start
                cpu_after = server.cpu_s()
                client_cpu = time.process_time() - client_before
                load_end = _load_averages()
                peak = server.peak_rss_bytes()
            log_lines = server.error_lines()
            if options.restart or options.kill:  # acknowledged means durable: read it back
                server.stop()
                server = Server(instance_dir, options.database_url, options.threads, 1)
            with _signed_in(server.base, ledger) as admin:
                problems, acknowledged, found = verify(partial(_fetch_all, admin), ledger)
        finally:
            server.stop()
    samples = [s for w in workers for s in w.samples]
    return LoadResult(
        options=options,
        backend=backend,
        samples=samples,
        elapsed_s=elapsed,
        acknowledged=acknowledged,
        problems=problems,
        peak_rss_bytes=peak,
        server_cpu_s=None if cpu_before is None or cpu_after is None else cpu_after - cpu_before,
        resubmitted_keys=len(ledger.resubmitted),
        incidents_found=found,
        unexpected=list(ledger.unexpected),
        server_log_errors=log_lines,
        load_average=load_start[0] if load_start else None,
        load_average_start=load_start,
        load_average_end=load_end,
        client_cpu_s=client_cpu,
    )


def _load_averages() -> tuple[float, float, float] | None:
    """The machine's 1-, 5- and 15-minute load averages (as ``uptime`` prints them)."""
    return os.getloadavg() if hasattr(os, "getloadavg") else None


@contextmanager
def _signed_in(base: str, ledger: Ledger) -> Iterator[_Client]:
    """The benchmark's admin, signed in (for the warm-up and the verification)."""
    admin = _Client(base, "loadadmin", [], ledger)
    try:
        admin.sign_in()
        yield admin
    finally:
        admin.close()


# --------------------------------------------------------------------------- verification
def _fetch_all(admin: _Client, ids: list[int]) -> dict[int, dict[str, Any] | None]:
    local = threading.local()  # one connection per fetching thread, signed in as the admin
    clients: list[_Client] = []

    def get(incident_id: int) -> tuple[int, dict[str, Any] | None]:
        if not hasattr(local, "client"):
            local.client = _Client(admin.base, admin.username, [], admin.ledger)
            local.client.cookies = dict(admin.cookies)
            local.client.headers = dict(admin.headers)
            clients.append(local.client)
        client: _Client = local.client
        status = None
        for _ in range(3):
            try:
                status, raw, encoding = client.request("GET", f"/api/incidents/{incident_id}")
            except (OSError, http.client.HTTPException):
                continue
            if status in (200, 404):
                data = client.parse(raw, encoding)
                return incident_id, data["incident"] if status == 200 else None
        raise RuntimeError(f"GET /api/incidents/{incident_id}: {status}")

    try:
        with ThreadPoolExecutor(max_workers=4) as pool:
            return dict(pool.map(get, ids))
    finally:
        for client in clients:
            client.close()


# --------------------------------------------------------------------------- printing
def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


ORDER = ("create", "create again", "update", "transition", "reload", "list", "locate", "approach")


def report(result: LoadResult, out: Callable[[str], None] = print) -> None:
    """Print the figures of ``result`` and what the verification found."""
    o = result.options
    samples = [s for s in result.samples if not s.cut]
    cut = len(result.samples) - len(samples)
    how = (
        f"gunicorn {o.workers} worker{'s' if o.workers != 1 else ''} x {o.threads} threads"
        if o.workers
        else f"waitress {o.threads} threads"
    )
    out(
        f"  {result.backend}, {how}: {o.users} officers writing "
        f"incidents + {o.locators} call takers locating and planning, {result.elapsed_s:.1f} s"
        + (f"; then SIGKILL of all server processes ({cut} requests cut)" if o.kill else "")
    )
    if result.load_average_start is not None and result.load_average_end is not None:
        start = ", ".join(f"{v:.2f}" for v in result.load_average_start)
        end = ", ".join(f"{v:.2f}" for v in result.load_average_end)
        out(
            f"  {os.cpu_count()} CPUs; load average (1, 5, 15 min, as uptime) {start} when "
            f"the load began, {end} when it ended"
        )
    out(
        f"  {len(samples):,} requests, {len(samples) / result.elapsed_s:,.1f} req/s; "
        f"409 conflicts (reloaded, retried): {result.conflicts:,}; unexpected answers: "
        f"{len(result.unexpected)}; 5xx: {result.server_errors}; "
        f"transport errors: {result.transport_errors}"
    )
    by_op: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by_op[s.op].append(s)
    out(
        f"    {'operation':<13}{'count':>8}{'req/s':>8}{'p50 ms':>9}{'p95':>9}{'p99':>9}"
        f"{'max':>9}{'on wire':>11}"
    )
    for op in sorted(by_op, key=lambda k: (ORDER.index(k) if k in ORDER else 99, k)):
        ms = [s.latency_s * 1000 for s in by_op[op]]
        out(
            f"    {op:<13}{len(ms):>8,}{len(ms) / result.elapsed_s:>8.1f}{_pct(ms, 0.5):>9.1f}"
            f"{_pct(ms, 0.95):>9.1f}{_pct(ms, 0.99):>9.1f}{max(ms):>9.1f}"
            f"{sum(s.response_bytes for s in by_op[op]) / len(ms) / 1024:>8.1f} kB"
        )
    where_time_went(samples, out)
    if result.peak_rss_bytes is not None:
        out(f"  peak RSS of the server processes (sum): {result.peak_rss_bytes / 2**20:,.0f} MiB")
    if result.server_cpu_s is not None and samples:
        out(
            f"  server CPU: {result.server_cpu_s:.1f} s in {result.elapsed_s:.1f} s "
            f"({result.server_cpu_s / result.elapsed_s:.0%} of one core), "
            f"{result.server_cpu_s / len(samples) * 1000:.1f} ms per request"
        )
    if result.client_cpu_s is not None and samples:
        out(
            f"  load generator CPU (this process, every client): {result.client_cpu_s:.1f} s "
            f"({result.client_cpu_s / result.elapsed_s:.0%} of one core), "
            f"{result.client_cpu_s / len(samples) * 1000:.1f} ms per request"
        )
    for line in result.unexpected[:20]:
        out(f"  unexpected: {line}")
    if result.server_log_errors:
        kinds = Counter(re.sub(r"\d+", "N", line)[:140] for line in result.server_log_errors)
        out(f"  server log: {len(result.server_log_errors)} lines of warnings and errors")
        for text, n in kinds.most_common(10):
            out(f"    {n:>5}× {text}")
    a = result.acknowledged
    total = sum(a.values())
    where = (
        "after SIGKILL of every server process mid-run and a restart"
        if o.kill
        else "after a server restart"
        if o.restart
        else "on the loaded server"
    )
    if result.problems:
        out(
            f"  MISSING ({where}): {len(result.problems)} problems in {total:,} acknowledged writes"
        )
        for p in result.problems[:50]:
            out(f"    - {p}")
    else:
        out(
            f"  all {total:,} acknowledged writes present {where} ({a['incidents']:,} incidents, "
            f"{a['updates']:,} updates, {a['status changes']:,} status changes; "
            f"{result.resubmitted_keys} keys submitted twice, one incident each; "
            f"{result.incidents_found:,} incidents in the database)"
        )


def where_time_went(samples: list[Sample], out: Callable[[str], None] = print) -> None:
    """Per operation, where the time of its median and of its slowest 2 % went.

    From each answer's Server-Timing header (:class:`web.server.ServerTiming`):
    ``queued`` is the client's wall time outside the app (the kernel's accept queue,
    gunicorn's poller and thread pool, reading and writing, and the load generator's own
    threads), ``ready`` the app's wall time neither on the CPU nor in the database (waiting
    for the GIL behind the worker's other threads, or for a core), ``cpu`` the request
    thread's CPU time, ``db`` the time in the database driver (and winning the GIL back
    after it), ``turn`` the time a heavy request waited for its turn
    (:class:`web.server.HeavyGate`).
    """
    timed = [s for s in samples if s.app_s is not None and s.cpu_s is not None]
    if not timed:
        return
    by_op: dict[str, list[Sample]] = defaultdict(list)
    for s in timed:
        by_op[s.op].append(s)
    out("  where the time went (ms; Server-Timing): medians | means of the slowest 2 %")
    out(
        f"    {'operation':<13}{'wall':>7}{'queued':>8}{'turn':>6}{'ready':>7}{'cpu':>6}"
        f"{'db':>6}  |{'wall':>7}{'queued':>8}{'turn':>6}{'ready':>7}{'cpu':>6}{'db':>6}"
    )

    def parts(group: list[Sample], pick: Callable[[list[float]], float]) -> str:
        def ms(values: list[float]) -> str:
            return f"{pick(values) * 1000:.0f}"

        wall = [s.latency_s for s in group]
        app = [s.app_s or 0.0 for s in group]
        cpu = [s.cpu_s or 0.0 for s in group]
        db = [s.db_s or 0.0 for s in group]
        turn = [s.heavy_s or 0.0 for s in group]
        queued = [w - a for w, a in zip(wall, app, strict=True)]
        ready = [max(0.0, a - c - d - t) for a, c, d, t in zip(app, cpu, db, turn, strict=True)]
        return f"{ms(wall):>7}{ms(queued):>8}{ms(turn):>6}{ms(ready):>7}{ms(cpu):>6}{ms(db):>6}"

    for op in sorted(by_op, key=lambda k: (ORDER.index(k) if k in ORDER else 99, k)):
        group = sorted(by_op[op], key=lambda s: s.latency_s)
        slowest = group[-max(1, len(group) // 50) :]
        out(
            f"    {op:<13}{parts(group, statistics.median)}  |"
            f"{parts(slowest, lambda v: sum(v) / len(v))}"
        )


def _workers(text: str) -> list[int]:
    try:
        values = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: worker counts, e.g. 2 or 1,2") from None
    if not values or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: worker counts are 0 or more")
    return values


def compare(results: list[LoadResult], out: Callable[[str], None] = print) -> None:
    """The runs side by side: throughput, locate and approach p99, 5xx, writes kept."""
    out("  side by side (same machine, one after the other; the machine is shared: noisy)")
    heads = [f"{r.options.workers} worker{'s' if r.options.workers != 1 else ''}" for r in results]
    out(f"    {'':<44}" + "".join(f"{h:>14}" for h in heads))

    def row(label: str, values: list[str]) -> None:
        out(f"    {label:<44}" + "".join(f"{v:>14}" for v in values))

    def pct(r: LoadResult, op: str, q: float) -> str:
        ms = [s.latency_s * 1000 for s in r.samples if s.op == op and not s.cut]
        return f"{_pct(ms, q):.0f} ms" if ms else "-"

    rates = [sum(1 for s in r.samples if not s.cut) / r.elapsed_s for r in results]
    row("requests/s", [f"{v:.1f}" for v in rates])
    if len(results) > 1 and rates[0]:
        row("  relative to the first", [f"{v / rates[0]:.2f}x" for v in rates])
    for op, label in (("locate", "locate"), ("approach", "approach (3 candidates)")):
        row(f"{label} p50", [pct(r, op, 0.5) for r in results])
        row(f"{label} p99", [pct(r, op, 0.99) for r in results])
    row("5xx / transport errors", [f"{r.server_errors} / {r.transport_errors}" for r in results])
    row(
        "acknowledged writes present after SIGKILL",
        [
            f"{sum(r.acknowledged.values()) - len(r.problems)}/{sum(r.acknowledged.values())}"
            for r in results
        ],
    )
    row(
        "server CPU per request",
        [
            f"{r.server_cpu_s / max(1, len(r.samples)) * 1000:.1f} ms" if r.server_cpu_s else "-"
            for r in results
        ],
    )
    row(
        "load generator CPU per request",
        [
            f"{r.client_cpu_s / max(1, len(r.samples)) * 1000:.1f} ms"
            if r.client_cpu_s is not None
            else "-"
            for r in results
        ],
    )
    row(
        "load generator CPU (share of one core)",
        [
            f"{r.client_cpu_s / r.elapsed_s:.0%}" if r.client_cpu_s is not None else "-"
            for r in results
        ],
    )
    row(
        "load average at start / end (1 min)",
        [
            f"{r.load_average_start[0]:.1f} / {r.load_average_end[0]:.1f}"
            if r.load_average_start and r.load_average_end
            else "-"
            for r in results
        ],
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20, help="officers writing incidents")
    parser.add_argument("--locators", type=int, default=5, help="call takers locating, planning")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--threads", type=int, default=8, help="threads per server process")
    parser.add_argument(
        "--workers",
        type=_workers,
        default=[1],
        help="gunicorn worker processes (0: one waitress process); several, e.g. 1,2, "
        "run one after the other and are compared side by side",
    )
    parser.add_argument("--seed", type=int, default=1)
    add_database_options(parser)
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a setting of the loaded server (SANDTABLE_KEY), e.g. HEAVY_LIMIT=0 or "
        "SWITCH_INTERVAL_S=0.005 (CPython's default) to measure without web.server's "
        "defaults; repeatable",
    )
    parser.add_argument(
        "--no-restart", action="store_true", help="verify on the loaded server, not a new one"
    )
    parser.add_argument(
        "--no-kill",
        action="store_true",
        help="stop the clients, then the server, instead of SIGKILLing every server "
        "process while requests are in flight",
    )
    args = parser.parse_args(argv)
    for setting in args.server_env:
        key, eq, value = setting.partition("=")
        if not eq or not key:
            parser.error(f"--server-env {setting!r}: KEY=VALUE")
        SERVER_SETTINGS[key.upper()] = value

    def go(url: str | None, workers: int) -> LoadResult:
        options = LoadOptions(
            users=args.users,
            locators=args.locators,
            duration_s=args.duration,
            threads=args.threads,
            database_url=url,
            seed=args.seed,
            restart=not args.no_restart,
            workers=workers,
            kill=not args.no_kill,
        )
        result = run_load(options, progress=lambda m: print(f"  {m}", flush=True))
        report(result)
        return result

    results = []
    for workers in args.workers:
        print(f"-- {workers} worker process(es)", flush=True)
        if args.postgis:
            with scratch_postgis(args.pg_admin) as url:
                results.append(go(url, workers))
        else:
            results.append(go(args.database_url, workers))
    if len(results) > 1:
        compare(results)
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
