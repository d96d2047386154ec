"""Run every benchmark in ``bench/`` and print its figures."""

from __future__ import annotations

import sys

from bench import bench_region

BENCHMARKS = [("load region and build graph", bench_region.main)]


def main() -> int:
    status = 0
    for title, run in BENCHMARKS:
        print(f"== {title}")
        status |= run([])
    return status


if __name__ == "__main__":
    sys.exit(main())
