"""The GIL convoy: how long a database statement takes beside CPU-bound threads.

Run: ``python -m bench.bench_gil_convoy [--statements 200] [--pg-admin URL]``.

A thread that waits for PostgreSQL releases the GIL and must win it back when the answer
comes; beside a thread that computes (an approach planning, in a served worker) each win
waits up to the switch interval. Printed, for switch intervals of 5 ms (CPython's) and 1 ms
(``web.server.SWITCH_INTERVAL_S``) and 0, 1 or 2 CPU-bound threads: the wall and CPU time
per ``SELECT 1`` on one connection, each setting twice, alternately (the machine is shared:
noisy), plus the load average. Issue 18: why an incident write's ten statements spent
60-80 ms "in the database" under bench_load.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time

from bench._load_server import add_database_options

INTERVALS_S = (0.005, 0.001)


def _hog(stop: threading.Event) -> None:
    x = 0
    while not stop.is_set():
        for i in range(10_000):
            x += i


def per_statement(conn: object, statements: int, hogs: int) -> tuple[float, float]:
    """(wall, CPU) seconds per ``SELECT 1`` with ``hogs`` CPU-bound threads running."""
    stop = threading.Event()
    threads = [threading.Thread(target=_hog, args=(stop,)) for _ in range(hogs)]
    for t in threads:
        t.start()
    try:
        time.sleep(0.05)
        t0, c0 = time.perf_counter(), time.thread_time()
        for _ in range(statements):
            conn.execute("select 1").fetchall()  # type: ignore[attr-defined]
        return (time.perf_counter() - t0) / statements, (time.thread_time() - c0) / statements
    finally:
        stop.set()
        for t in threads:
            t.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=200)
    add_database_options(parser)
    args = parser.parse_args(argv)
    import psycopg

    dsn = (args.database_url or args.pg_admin).replace("postgresql+psycopg://", "postgresql://")
    before = sys.getswitchinterval()
    try:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            for _ in range(2):
                for interval in INTERVALS_S:
                    sys.setswitchinterval(interval)
                    for hogs in (0, 1, 2):
                        wall, cpu = per_statement(conn, args.statements, hogs)
                        print(
                            f"switch interval {interval * 1000:.0f} ms, {hogs} CPU-bound "
                            f"threads: {wall * 1000:.2f} ms wall, {cpu * 1000:.3f} ms CPU "
                            "per statement",
                            flush=True,
                        )
    finally:
        sys.setswitchinterval(before)
    print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
