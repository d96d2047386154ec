"""CPU time per request of locate, approach and the incident flow, in process (robust on a
shared machine).

Run: ``python -m bench.bench_cpu [--rounds 3] [--sayings 12] [--warm] [--warm-up]
[--profile OPERATION] [--postgis | --database-url URL]``.

The app serves Kailash from a fresh SQLite instance directory (``<tempdir>``), or with
``--postgis`` from a scratch PostGIS database (made, then dropped; ``--pg-admin`` as
``bench.bench_load``'s); an officer signs in through the test client and, as
``bench.bench_load``'s call takers do, locates a caller from what they said
(``POST /api/locate``) and plans the approach to the best three candidates
(``POST /api/approach``, every plan's lines: ``geometry`` all, as before it was asked
for; brotli as the load generator asks); then, as
its officers do, records the call as an incident (``create``: ``POST /api/incidents``
with an idempotency key), sets its location and adds to the description (``update``:
``PATCH``), marks it located (``transition``), reads it again (``reload``) and lists the
open incidents (``list``: the last ten calls' incidents are open, older ones resolved).
One warm-up round is not counted; unless ``--warm``, the approach searches kept from
earlier requests for the same target are dropped before each approach request. Printed per
operation: requests, the process's CPU time per request (p50, mean, p95:
``time.process_time``, what the request itself costs whatever else runs on the machine),
wall p50, the size of the answer (raw and on the wire) and the SQL statements it ran (each
a round trip to the database), plus the load average.
``--profile`` prints the top of a cProfile of that operation.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench._load_server import add_database_options
from bench.bench_load import KAILASH_SAYINGS, _sayings

ACCEPT = {"Accept-Encoding": "br, gzip"}
#: every operation timed, in the order of a call: the call takers' two, then the officers'
OPERATIONS = ("locate", "approach", "create", "update", "transition", "reload", "list")
#: incidents left open (the list answers them): about those of bench_load's officers
OPEN_ON_DESK = 10


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _decoded(resp: Any) -> bytes:
    """The body of a test-client response as sent before compression."""
    import gzip

    import brotli

    encoding = resp.headers.get("Content-Encoding")
    if encoding == "br":
        return bytes(brotli.decompress(resp.data))
    if encoding == "gzip":
        return gzip.decompress(resp.data)
    return bytes(resp.data)


def _client(instance: Path, database_url: str | None, warm_up: bool = False) -> Any:
    from tests.web.conftest import sign_in
    from web import create_app

    config: dict[str, Any] = {"INSTANCE_DIR": str(instance), "TESTING": True}
    if warm_up:  # as sandtable serve: the network warmed, then frozen (rescue.warm)
        config["WARM_UP"] = True
    if database_url:
        config["DATABASE_URL"] = database_url
    app = create_app(config)
    client = app.test_client()
    sign_in(client, "officer")
    return client


@contextmanager
def _database(args: argparse.Namespace) -> Iterator[str | None]:
    if args.postgis:
        from bench._load_server import scratch_postgis

        with scratch_postgis(args.pg_admin) as url:
            yield url
    else:
        yield args.database_url


def _requests(
    located: Any, text: str, serial: int, geometry: str = "all"
) -> Iterator[tuple[str, str, str, Any]]:
    """(operation, method, path, JSON body) of one call, from its locate answer on; each
    body may be a function of the answer before it (the incident just made)."""
    cands = located.get_json()["candidates"][:3]
    if cands:
        yield (
            "approach",
            "POST",
            "/api/approach",
            {"target": {"candidates": cands}}
            if geometry == "shown"
            else {"target": {"candidates": cands}, "geometry": geometry},
        )
    body = {
        "description": text,
        "language": "en",
        "caller_name": "caller",
        "caller_phone": "+86 139 0000 0000",
        "party_size": 2,
        "cause": "exhaustion",
        "priority": "high",
        "idempotency_key": f"bench-cpu-{serial}",
    }
    yield "create", "POST", "/api/incidents", body
    best = cands[0] if cands else {"lon": 81.3, "lat": 31.07}
    location = {"lon": best["lon"], "lat": best["lat"]}
    if cands:
        location.update(segment_id=best["segment_id"], name=best["name"]["en"][:200])
    yield (
        "update",
        "PATCH",
        "{incident}",
        lambda v: {
            "base_version": v,
            "location": location,
            "add_description": "the caller rang again",
        },
    )
    yield (
        "transition",
        "POST",
        "{incident}/transitions",
        lambda v: {
            "to": "located",
            "note": "placed on the map",
            "base_version": v,
        },
    )
    yield "reload", "GET", "{incident}", None
    yield "list", "GET", "/api/incidents?status=open", None


def _count_statements() -> list[int]:
    """A one-item list counting the SQL statements every engine of this process runs
    (each a round trip to the database, and a wait for the GIL after it under load)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    count = [0]

    def seen(*_args: Any) -> None:
        count[0] += 1

    event.listen(Engine, "before_cursor_execute", seen)
    return count


def _full_collections() -> list[float]:
    """The CPU time (ms) of every full (oldest-generation) collection of the cyclic garbage
    collector from now on: each walks every object it tracks, in the thread that set it off."""
    import gc

    times: list[float] = []
    started = [0.0]

    def seen(phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[0] = time.process_time()
        else:
            times.append((time.process_time() - started[0]) * 1000)

    gc.callbacks.append(seen)
    return times


def _forget_searches() -> None:
    """Drop the approach searches kept per network (``rescue.approach._planned``)."""
    from rescue import route_data

    for network in list(route_data._networks.values()):
        network.derived.pop("approach_planned", None)


def _print_figures(
    cpu: dict[str, list[float]],
    wall: dict[str, list[float]],
    size: dict[str, list[tuple[int, int]]],
    queries: dict[str, list[int]],
    collections: list[float],
) -> None:
    """One line per operation timed (CPU and wall ms, answer kB, SQL statements), then the
    full garbage collections the run saw."""
    for op in OPERATIONS:
        c, w, s = cpu[op], wall[op], size[op]
        if not c:
            continue
        print(
            f"{op:9} {len(c)} requests: CPU p50 {statistics.median(c):.1f} ms, "
            f"mean {statistics.mean(c):.1f}, p95 {_pct(c, 0.95):.1f}, max {max(c):.1f}; "
            f"wall p50 "
            f"{statistics.median(w):.1f} ms; answer p50 "
            f"{statistics.median(x for x, _ in s) / 1000:.1f} kB raw, "
            f"{statistics.median(y for _, y in s) / 1000:.1f} kB brotli; "
            f"{statistics.median(queries[op]):.0f} SQL statements"
        )
    print(
        f"full garbage collections: {len(collections)}, "
        f"{sum(collections):.0f} ms of CPU in all, the longest "
        f"{max(collections, default=0.0):.0f} ms"
    )
    print(f"load average {os.getloadavg()[0]:.2f}")


def _print_profile(prof: cProfile.Profile, sort: str) -> None:
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats(sort).print_stats(40)
    print(out.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sayings", type=int, default=12, help="descriptions per round")
    parser.add_argument("--profile", choices=OPERATIONS, default=None)
    parser.add_argument(
        "--sort", default="tottime", help="order of the profile (pstats: tottime, cumulative)"
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="keep the approach searches of earlier requests (else each request plans anew)",
    )
    parser.add_argument(
        "--geometry",
        default="all",
        help="the approach body's geometry: all (every plan's lines, the default), or "
        "shown (none said: what the page draws, as bench_load's call takers ask)",
    )
    parser.add_argument(
        "--warm-up",
        action="store_true",
        help="build the app as sandtable serve does (WARM_UP: the network warmed, then "
        "frozen out of the garbage collector's sight)",
    )
    add_database_options(parser)
    args = parser.parse_args(argv)

    texts = [t for t, _ in KAILASH_SAYINGS]
    texts += [t for t, _ in _sayings()[len(KAILASH_SAYINGS) :]][: max(0, args.sayings - len(texts))]
    with (
        tempfile.TemporaryDirectory(prefix="sandtable-bench-cpu-") as tmp,
        _database(args) as database_url,
    ):
        client = _client(Path(tmp), database_url, args.warm_up)
        statements = _count_statements()
        collections = _full_collections()
        cpu: dict[str, list[float]] = {op: [] for op in OPERATIONS}
        wall: dict[str, list[float]] = {op: [] for op in OPERATIONS}
        size: dict[str, list[tuple[int, int]]] = {op: [] for op in OPERATIONS}
        queries: dict[str, list[int]] = {op: [] for op in OPERATIONS}
        prof = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not wall
        serial = 0
        desk: deque[tuple[str, int]] = deque()
        for rnd in range(args.rounds + 1):
            for text in texts:
                serial += 1
                located = client.post("/api/locate", json={"text": text})  # not timed: its size
                calls = [("locate", "POST", "/api/locate", {"text": text})]
                incident, version = "", 0
                more = _requests(located, text, serial, args.geometry)
                for op, method, path, body in [*calls, *more]:
                    path = path.format(incident=incident)
                    if callable(body):
                        body = body(version)
                    if op == "approach" and not args.warm:
                        _forget_searches()
                    if prof is not None and rnd and op == args.profile:
                        prof.enable()
                    n0 = statements[0]
                    t0, c0 = time.perf_counter(), time.process_time()
                    resp = client.open(path, method=method, json=body, headers=ACCEPT)
                    c1, t1 = time.process_time(), time.perf_counter()
                    n1 = statements[0]
                    if prof is not None:
                        prof.disable()
                    assert resp.status_code in (200, 201), (op, text, resp.data[:200])
                    data = _decoded(resp)
                    if op == "create":
                        incident = f"/api/incidents/{json.loads(data)['incident']['incident_id']}"
                    if op in ("create", "update", "transition"):
                        version = int(json.loads(data)["incident"]["version"])
                    if rnd:  # round 0 warms the caches
                        cpu[op].append((c1 - c0) * 1000)
                        wall[op].append((t1 - t0) * 1000)
                        size[op].append((len(data), len(resp.data)))
                        queries[op].append(n1 - n0)
                # a busy desk: the last OPEN_ON_DESK calls stay open, older ones resolved
                desk.append((incident, version))
                if len(desk) > OPEN_ON_DESK:
                    done, at = desk.popleft()
                    body = {"to": "resolved", "outcome": "rescued", "base_version": at}
                    resolved = client.post(f"{done}/transitions", json=body)
                    assert resolved.status_code == 200, resolved.data[:200]
        _print_figures(cpu, wall, size, queries, collections)
        if prof is not None:
            _print_profile(prof, args.sort)
    return 0


if __name__ == "__main__":
    sys.exit(main())
