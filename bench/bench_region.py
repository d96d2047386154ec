"""Time and memory to load the embedded region and build its route network.

Run: ``python -m bench.bench_region [--region kailash] [--repeat 5]``.
Prints the median wall time of each step over ``--repeat`` runs, the peak
Python heap allocated while building (tracemalloc) and the process's maximum
resident set size.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
import tracemalloc
from typing import Any


def _timed(fn: Any, *args: Any) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="kailash")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    from geodata import load_region
    from routes import build_network

    import_s = time.perf_counter() - t0
    load_s, build_s = [], []
    network = None
    for _ in range(args.repeat):
        region, dt = _timed(load_region, args.region)
        load_s.append(dt)
        network, dt = _timed(build_network, region)
        build_s.append(dt)
    gc.collect()
    tracemalloc.start()
    region = load_region(args.region)
    network = build_network(region)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    G = network.graph
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"region {args.region}: {G.number_of_nodes()} nodes, {G.number_of_edges()} edges, "
        f"{len(network.segments)} segments"
    )
    print(f"  import geodata+routes        {import_s * 1000:8.1f} ms (once)")
    print(f"  load_region (median of {args.repeat})   {statistics.median(load_s) * 1000:8.1f} ms")
    print(f"  build_network (median of {args.repeat}) {statistics.median(build_s) * 1000:8.1f} ms")
    print(f"  peak Python heap, load+build {peak / 2**20:8.1f} MiB")
    print(f"  process max RSS              {maxrss_mb:8.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
