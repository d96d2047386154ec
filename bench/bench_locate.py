"""Locate query latency on one core, on Kailash and on a generated region 100× larger.

Run: ``python -m bench.bench_locate [--repeat 3] [--scale 100]``.

Queries are the descriptions of ``tests/data/locate_cases.jsonl``, each run
``--repeat`` times after one warm-up pass; the figures are p50 / p99 / max
wall time per query, plus the time to build the locate index once. The large
region tiles the Kailash network ``--scale`` times side by side (each copy
shifted 60 km, joined to the next by a link trail), with every place renamed
per copy, so the name index, the bins and the graph all grow ×scale.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "locate_cases.jsonl"


def _queries() -> list[tuple[str, str | None]]:
    out = []
    with CASES.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                case = json.loads(line)
                out.append((case["text"], case.get("reported_at")))
    return out


def _time_queries(network: Any, queries: list[tuple[str, str | None]], repeat: int) -> list[float]:
    from datetime import datetime

    from geodata.errors import InvalidInput
    from rescue.locate import locate

    times = []
    for rnd in range(repeat + 1):
        for text, at in queries:
            when = datetime.fromisoformat(at) if at else None
            t0 = time.perf_counter()
            try:
                locate(network, text, reported_at=when)
            except InvalidInput:
                pass
            if rnd:  # the first round warms caches
                times.append(time.perf_counter() - t0)
    return times


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _report(label: str, network: Any, queries: list[tuple[str, str | None]], repeat: int) -> None:
    from rescue.locate import get_index

    t0 = time.perf_counter()
    index = get_index(network)
    build_s = time.perf_counter() - t0
    times = _time_queries(network, queries, repeat)
    ms = [t * 1000 for t in times]
    print(
        f"  {label}: {network.graph.number_of_edges():,} edges, {len(index.bins):,} bins, "
        f"{len(network.region.places):,} places; index built in {build_s:.2f} s"
    )
    print(
        f"    per query over {len(ms)} runs: p50 {statistics.median(ms):.1f} ms, "
        f"p99 {_pct(ms, 0.99):.1f} ms, max {max(ms):.1f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--scale", type=int, default=100, help="copies in the large region (0: skip)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

    from bench.synthetic import tiled_region
    from geodata import load_region
    from routes import build_network

    queries = _queries()
    _report("kailash", build_network(load_region("kailash")), queries, args.repeat)
    if args.scale > 1:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            data_dir = tiled_region(args.scale, Path(tmp))
            network = build_network(load_region("tiled", data_dir=data_dir))
            print(
                f"  generated {args.scale}× region and built its network in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            _report(f"{args.scale}× kailash", network, queries, max(1, args.repeat // 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
