"""CPU time per request of locate and approach, in process (robust on a shared machine).

Run: ``python -m bench.bench_cpu [--rounds 3] [--sayings 12] [--warm]
[--profile approach|locate]``.

The app serves Kailash from a fresh SQLite instance directory (``<tempdir>``); an officer
signs in through the test client and, as ``bench.bench_load``'s call takers do, locates a
caller from what they said (``POST /api/locate``) and plans the approach to the best three
candidates (``POST /api/approach``, every plan's lines: ``geometry`` all, as before it
was asked for; brotli as the load generator asks). One warm-up round is not counted;
unless ``--warm``, the approach searches kept from earlier requests for the same target
are dropped before each approach request. Printed per
operation: requests, the process's CPU time per request (p50, mean, p95:
``time.process_time``, what the request itself costs whatever else runs on the machine),
wall p50 and the size of the answer (raw and on the wire), plus the load average.
``--profile`` prints the top of a cProfile of that operation.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_load import KAILASH_SAYINGS, _sayings

ACCEPT = {"Accept-Encoding": "br, gzip"}


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _client(instance: Path) -> Any:
    from tests.web.conftest import sign_in
    from web import create_app

    app = create_app({"INSTANCE_DIR": str(instance), "TESTING": True})
    client = app.test_client()
    sign_in(client, "officer")
    return client


def _forget_searches() -> None:
    """Drop the approach searches kept per network (``rescue.approach._planned``)."""
    from rescue import route_data

    for network in list(route_data._networks.values()):
        network.derived.pop("approach_planned", None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sayings", type=int, default=12, help="descriptions per round")
    parser.add_argument("--profile", choices=("locate", "approach"), default=None)
    parser.add_argument(
        "--warm",
        action="store_true",
        help="keep the approach searches of earlier requests (else each request plans anew)",
    )
    args = parser.parse_args(argv)

    texts = [t for t, _ in KAILASH_SAYINGS]
    texts += [t for t, _ in _sayings()[len(KAILASH_SAYINGS) :]][: max(0, args.sayings - len(texts))]
    with tempfile.TemporaryDirectory(prefix="sandtable-bench-cpu-") as tmp:
        client = _client(Path(tmp))
        cpu: dict[str, list[float]] = {"locate": [], "approach": []}
        wall: dict[str, list[float]] = {"locate": [], "approach": []}
        size: dict[str, list[tuple[int, int]]] = {"locate": [], "approach": []}
        prof = cProfile.Profile() if args.profile else None
        located: Any = None
        for rnd in range(args.rounds + 1):
            for text in texts:
                for op in ("locate", "approach"):
                    if op == "locate":
                        body: dict[str, Any] = {"text": text}
                    else:
                        cands = located.get_json()["candidates"][:3]
                        if not cands:
                            continue
                        body = {"target": {"candidates": cands}, "geometry": "all"}
                    if op == "approach" and not args.warm:
                        _forget_searches()
                    if prof is not None and rnd and op == args.profile:
                        prof.enable()
                    t0, c0 = time.perf_counter(), time.process_time()
                    resp = client.post(f"/api/{op}", json=body, headers=ACCEPT)
                    c1, t1 = time.process_time(), time.perf_counter()
                    if prof is not None:
                        prof.disable()
                    assert resp.status_code == 200, (op, text, resp.data[:200])
                    raw = client.post(f"/api/{op}", json=body)  # not timed: its size
                    if op == "locate":
                        located = raw
                    if rnd:  # round 0 warms the caches
                        cpu[op].append((c1 - c0) * 1000)
                        wall[op].append((t1 - t0) * 1000)
                        size[op].append((len(raw.data), len(resp.data)))
        for op in ("locate", "approach"):
            c, w, s = cpu[op], wall[op], size[op]
            print(
                f"{op:9} {len(c)} requests: CPU p50 {statistics.median(c):.1f} ms, "
                f"mean {statistics.mean(c):.1f}, p95 {_pct(c, 0.95):.1f}; wall p50 "
                f"{statistics.median(w):.1f} ms; answer p50 "
                f"{statistics.median(x for x, _ in s) / 1000:.1f} kB raw, "
                f"{statistics.median(y for _, y in s) / 1000:.1f} kB brotli"
            )
        print(f"load average {os.getloadavg()[0]:.2f}")
        if prof is not None:
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(30)
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
