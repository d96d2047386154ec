"""Incident reports on a year of calls: summary, CSV and heat map over 10,000 incidents.

Run: ``python -m bench.bench_reports [--incidents 10000] [--repeat 5] [--postgis]``.
A fresh database (SQLite in a temporary directory; with ``--postgis`` a scratch
PostGIS database, dropped afterwards) is seeded with Kailash and filled, in bulk,
with incidents spread over 2026: two in three on a located segment, the rest a
point placed by hand (assigned to the nearest segment by the report), each with a
plan and its status changes. The figures are the p50 and max wall time of
:meth:`rescue.reports.Reports.summary`, ``csv`` and ``heat`` for the whole year,
and the size of their answers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from bench._load_server import scratch_postgis
from geodata.store import RouteStore, open_store
from rescue.incidents import CAUSES, PRIORITIES, events_table, incidents_table

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
YEAR = datetime(2026, 1, 1, tzinfo=UTC)
CHAIN = ("located", "dispatched", "en_route", "on_scene", "resolved")


@contextlib.contextmanager
def _database(postgis: bool) -> Iterator[str]:
    if not postgis:
        with tempfile.TemporaryDirectory(prefix="sandtable-bench-") as tmp:
            yield f"sqlite:///{tmp}/reports.db"
        return
    with scratch_postgis(ADMIN_URL) as url:
        yield url


def fill(store: RouteStore, segments: dict[str, tuple[float, float]], n: int, seed: int) -> None:
    """``n`` incidents over the year, written in bulk (one transaction per 1,000)."""
    rng = random.Random(seed)
    ids = sorted(segments)
    for start in range(0, n, 1000):
        rows, events = [], []
        for k in range(start, min(n, start + 1000)):
            received = YEAR + timedelta(seconds=rng.uniform(0, 364 * 86_400))
            sid = rng.choice(ids)
            lon, lat = segments[sid]
            location: dict[str, Any] = {"lon": lon, "lat": lat}
            if rng.random() < 2 / 3:
                location |= {"segment_id": sid, "name": sid}
            else:  # placed by hand, a little off the trail
                location = {"lon": lon + rng.uniform(-4e-3, 4e-3), "lat": lat}
            steps = rng.randint(0, len(CHAIN))
            status = CHAIN[steps - 1] if steps else "received"
            rows.append(
                {
                    "incident_id": k + 1,
                    "region_id": "kailash",
                    "status": status,
                    "outcome": "rescued" if status == "resolved" else None,
                    "priority": rng.choice(PRIORITIES),
                    "language": "zh",
                    "party_size": rng.randint(1, 6),
                    "cause": rng.choice((*CAUSES, None)),
                    "location": location,
                    "plan": {"station_id": "darchen_police_station", "eta_s": 3600.0},
                    "created_at": received,
                    "updated_at": received,
                    "created_by": "bench",
                    "version": 1 + steps,
                }
            )
            at = received
            events.append({"incident_id": k + 1, "at": at, "by": "bench", "to_status": "received"})
            previous = "received"
            for to in CHAIN[:steps]:
                at += timedelta(seconds=rng.uniform(60, 3600))
                events.append(
                    {
                        "incident_id": k + 1,
                        "at": at,
                        "by": "bench",
                        "from_status": previous,
                        "to_status": to,
                        "outcome": "rescued" if to == "resolved" else None,
                    }
                )
                previous = to
        with store.writer.begin() as conn:
            conn.execute(incidents_table.insert(), rows)
            conn.execute(events_table.insert(), events)


def _time(run: Callable[[], Any], repeat: int) -> tuple[list[float], int]:
    walls, size = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        answer = run()
        walls.append(time.perf_counter() - t0)
        size = len(answer if isinstance(answer, str) else json.dumps(answer))
    return walls, size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgis", action="store_true", help="on a scratch PostGIS database")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args(argv)

    from rescue.reports import Reports, parse_period
    from rescue.route_data import network_for

    with _database(args.postgis) as url:
        store = open_store(url)
        try:
            store.versions.seed("kailash")
            network = network_for(store.versions.snapshot("kailash"))
            middles = {}
            for sid, line in network.segments.geometry.items():
                mid = line.interpolate(0.5, normalized=True)
                middles[str(sid)] = (round(mid.x, 6), round(mid.y, 6))
            t0 = time.perf_counter()
            fill(store, middles, args.incidents, args.seed)
            print(
                f"  {'postgis' if args.postgis else 'sqlite'}: {args.incidents:,} incidents "
                f"over 2026 written in {time.perf_counter() - t0:.1f} s"
            )
            reports = Reports(store.reader, region_id="kailash", network=network)
            period = parse_period("2026-01-01", "2027-01-01")
            print("    report        p50 ms    max ms    answer")
            for name, run in (
                ("summary", lambda: reports.summary(period)),
                ("csv", lambda: reports.csv(period)),
                ("heat map", lambda: reports.heat(period)),
            ):
                walls, size = _time(run, args.repeat)
                print(
                    f"    {name:<12}{statistics.median(walls) * 1000:8.0f}"
                    f"{max(walls) * 1000:10.0f}{size / 1024:9.0f} kB"
                )
        finally:
            store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
