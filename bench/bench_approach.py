"""Approach planning time on Kailash: every responding station, alternatives and evacuation.

Run: ``python -m bench.bench_approach [--repeat 3]``. Targets are points every 3 km around
the outer kora; the figures are p50 / p99 / max wall time of one full ``plan_approach``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    from geodata import load_region
    from rescue.approach import plan_approach
    from routes import build_network

    network = build_network(load_region("kailash"))
    length_km = network.line("outer_kora").length_m / 1000.0
    targets = [network.point_at("outer_kora", km)[:2] for km in range(1, int(length_km), 3)]
    plan_approach(network, targets[0])  # warm caches (edge index, ...)
    times_ms = []
    plans = 0
    for _ in range(args.repeat):
        for lon, lat in targets:
            t0 = time.perf_counter()
            result = plan_approach(network, (lon, lat))
            times_ms.append((time.perf_counter() - t0) * 1000)
            plans = len(result.plans)
    times_ms.sort()
    p99 = times_ms[min(len(times_ms) - 1, round(0.99 * (len(times_ms) - 1)))]
    print(
        f"  kailash: {len(targets)} targets × {args.repeat}, {plans} station plans each "
        f"(alternatives + evacuation): p50 {statistics.median(times_ms):.0f} ms, "
        f"p99 {p99:.0f} ms, max {times_ms[-1]:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
