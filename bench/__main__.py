"""Run every benchmark in ``bench/`` and print its figures."""

from __future__ import annotations

import sys

from bench import bench_approach, bench_import, bench_locate, bench_parse, bench_region

BENCHMARKS = [
    ("load region and build graph", bench_region.main),
    ("locate queries (Kailash and a generated 100x region)", bench_locate.main),
    ("approach plans (all stations, alternatives, evacuation)", bench_approach.main),
    ("parsers on adversarial and call-length text", bench_parse.main),
    ("imports: read, preview, apply", bench_import.main),
]


def main() -> int:
    status = 0
    for title, run in BENCHMARKS:
        print(f"== {title}")
        status |= run([])
    return status


if __name__ == "__main__":
    sys.exit(main())
