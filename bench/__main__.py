"""Run every benchmark in ``bench/`` and print its figures."""

from __future__ import annotations

import sys

from bench import (
    bench_approach,
    bench_auth,
    bench_body_limit,
    bench_eta,
    bench_hostile,
    bench_hostile_input,
    bench_import,
    bench_load,
    bench_locate,
    bench_page_weight,
    bench_parse,
    bench_region,
    bench_relief,
    bench_reports,
    bench_sizes,
)

BENCHMARKS = [
    ("load region and build graph", bench_region.main),
    ("locate queries (Kailash and a generated 100x region)", bench_locate.main),
    ("approach plans (all stations, alternatives, evacuation)", bench_approach.main),
    ("parsers on adversarial and call-length text", bench_parse.main),
    ("imports: read, preview, apply", bench_import.main),
    ("hostile uploads against a real server (issue 12)", bench_hostile.main),
    ("hostile dates, numbers, NUL, keys and headers (issue 12)", bench_hostile_input.main),
    ("incident reports over a year of 10,000 calls", bench_reports.main),
    ("answer sizes on the wire (plain, gzip, br)", bench_sizes.main),
    ("load: 20 users writing incidents, 5 locating and planning, 60 s", bench_load.main),
    ("sessions, log-in limits and password policy", bench_auth.main),
    ("a 900 MiB anonymous body to a real server", bench_body_limit.main),
    ("what each page downloads on a phone (web fonts)", bench_page_weight.main),
    ("walking times: held-out ETA errors and a walker's own pace (issue 14)", bench_eta.main),
    ("relief tiles: DEM read, hillshade and contour render, PNG sizes", bench_relief.main),
]


def main() -> int:
    status = 0
    for title, run in BENCHMARKS:
        print(f"== {title}")
        status |= run([])
    return status


if __name__ == "__main__":
    sys.exit(main())
