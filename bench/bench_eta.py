"""Walking-time (ETA) figures and their cost (issue 14).

Run: ``python -m bench.bench_eta [--tracks FILE] [--repeat 200]``.

(a) ``sandtable eval-eta`` on the held-out tracks (``calibration.json`` split): the
landmark-to-landmark MAE of the model without and with the walker's pace so far, against
distance only, the walker-blind bound, and the 80 % range coverage; the wall time of the
whole evaluation (reading the CSV excluded). (b) The cost of one call-time use: a walker's
own pace and p10/p50/p90 time ahead (``routes.eta.own_pace_eta``, the boosted trees'
``routes.eta_trees.two_times_eta``) and the same from two
passages on the network (``RouteNetwork.own_pace``, with the median walker's time between
them), p50 / p99 over ``--repeat`` calls. Timings are wall times on a shared machine: read
them with the load average printed beside them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

TRACKS = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "kailash"
TRACKS = TRACKS / "tracks_train.csv.gz"


def _pct(values: Sequence[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _eval(tracks_file: Path) -> None:

    from geodata import load_region
    from geodata.build.consensus import project_tracks
    from geodata.raw import read_tracks
    from routes.calibration import evaluate_eta, tracked_centreline

    region = load_region("kailash")
    crs = region.metadata["metric_crs"]
    line = tracked_centreline(region)
    tracks = project_tracks(read_tracks(tracks_file), crs=crs)
    t0 = time.perf_counter()
    r = evaluate_eta(tracks, region.calibration, line)
    took = time.perf_counter() - t0
    print(f"  held-out: {r.n_tracks} tracks, {r.n_pairs} landmark-to-landmark trips")
    print(
        f"  MAE without the walker's pace {r.mae_s:,.0f} s "
        f"({r.improvement_vs_distance_only:+.1%} vs distance only {r.distance_only_mae_s:,.0f} s;"
        f" walker-blind bound {r.oracle_static_mae_s:,.0f} s, "
        f"{r.oracle_static_improvement_vs_distance_only:+.1%})"
    )
    print(
        f"  MAE with the walker's pace so far {r.pace_conditioned_mae_s:,.0f} s "
        f"({r.pace_conditioned_improvement_vs_distance_only:+.1%}); on the "
        f"{r.n_pairs_pace_known} trips with a pace: {r.pace_known_mae_s:,.0f} s vs "
        f"{r.pace_known_distance_only_mae_s:,.0f} s"
    )
    print(
        f"  80 % range holds {r.range80_coverage:.1%} (with the pace: "
        f"{r.pace_conditioned_range80_coverage:.1%})"
    )
    if r.trees_mae_s is not None:
        print(
            f"  boosted trees with the walker's data {r.trees_mae_s:,.0f} s "
            f"({r.trees_improvement_vs_distance_only:+.1%}; 80 % range holds "
            f"{r.trees_range80_coverage:.1%}); two times (served) {r.two_times_trees_mae_s:,.0f} s "
            f"vs the elapsed-pace lines {r.two_times_lines_mae_s:,.0f} s"
        )
    print(f"  evaluation wall time {took:.2f} s")


def _calls(repeat: int) -> None:
    from geodata import load_region
    from routes import build_network
    from routes.eta import own_pace_eta
    from routes.eta_trees import two_times_eta

    net = build_network(load_region("kailash"))
    cal = net.region.calibration
    d = net.place_km("darchen_kora_gate", "outer_kora")
    c = net.place_km("chuku_bridge", "outer_kora")
    for name, call in (
        ("own_pace_eta", lambda: own_pace_eta(cal, 19800.0, 16000.0, 9000.0)),
        ("two_times_eta (trees)", lambda: two_times_eta(cal, 19800.0, 16000.0, 9000.0)),
        (
            "RouteNetwork.own_pace",
            lambda: net.own_pace("outer_kora", d, c, 10800.0, walk_s=9000.0),
        ),
    ):
        call()
        ms = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            call()
            ms.append((time.perf_counter() - t0) * 1000)
        print(f"  {name}: p50 {statistics.median(ms):.2f} ms, p99 {_pct(ms, 0.99):.2f} ms")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.bench_eta", description=__doc__)
    parser.add_argument("--tracks", type=Path, default=TRACKS)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args(argv)
    print(f"  load average {os.getloadavg()[0]:.1f}")
    if args.tracks.is_file():
        _eval(args.tracks)
    else:
        print(f"  {args.tracks} not found: held-out evaluation skipped")
    _calls(args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
