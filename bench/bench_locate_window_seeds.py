"""Locate CPU on a region 100x Kailash before and after issue 18's last sparse steps, in
one process, alternating per query (robust on a shared machine).

Run: ``python -m bench.bench_locate_window_seeds [--scale 100]``.

"Before" is the locator as at commit d7de67a, put back by replacing two functions: window
seeds looked up among every bin (``belief.window_seeds`` as it was), and an altitude clue
making the belief dense (``engine._window_seeds`` returning None). "Now" is the code as it
is: seeds from every ``SEED_STEP``-th bin (``Folds.seed_tree``) and one altitude clue
folded exactly (``BeliefState.apply_whole``). Printed: CPU p50 / p95 / p99 / max per query
(``time.thread_time``) of both, the slowest queries now, and the load average. The network
is ``bench.bench_locate``'s (cached in the temp dir).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from typing import Any

import numpy as np


def _old_window_seeds(bins: Any, folds: Any, points: Any, routes: Any) -> tuple[set[int], set[int]]:
    """``rescue.locate.belief.window_seeds`` as at d7de67a (every bin within the radius)."""
    out_routes = {int(r) for r in routes}
    out_segments: set[int] = set()
    if not len(points):
        return out_routes, out_segments
    xyr = np.asarray(points, dtype=float).reshape(-1, 3)
    hit = np.zeros(len(bins), dtype=bool)
    for found in bins.tree.query_ball_point(xyr[:, :2], r=xyr[:, 2]):
        hit[found] = True
    idx = np.flatnonzero(hit)
    r = bins.route[idx]
    out_routes.update(np.unique(r[r >= 0]).tolist())
    out_segments.update(np.unique(bins.segment[idx[r < 0]]).tolist())
    return out_routes, out_segments


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100)
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from bench.bench_locate import _pct, _queries, _tiled
    from geodata.errors import InvalidInput
    from rescue.locate import engine, get_index, locate

    network = _tiled(args.scale)
    index = get_index(network)
    print(
        f"{args.scale}x kailash: {len(index.bins):,} bins, {len(index.folds.first):,} fold "
        f"groups, {len(index.folds.seed_bins):,} seed bins"
    )
    real_seeds, real_lookup = engine._window_seeds, engine.window_seeds

    def dense_for_altitude(idx: Any, clues: Any) -> Any:
        return None if clues.elevations else real_seeds(idx, clues)

    def use(before: bool) -> None:
        engine._window_seeds = dense_for_altitude if before else real_seeds  # type: ignore[assignment]
        engine.window_seeds = _old_window_seeds if before else real_lookup  # type: ignore[assignment]

    def cpu(text: str, when: Any) -> float:
        c0 = time.thread_time()
        try:
            locate(network, text, reported_at=when)
        except InvalidInput:
            pass
        return time.thread_time() - c0

    queries = _queries()
    rows: list[tuple[float, float, str]] = []
    try:
        for before in (True, False):  # warm both
            use(before)
            for text, when in queries:
                cpu(text, when)
        for i, (text, when) in enumerate(queries):
            got = {}
            for before in (True, False) if i % 2 else (False, True):
                use(before)
                got[before] = cpu(text, when)
            rows.append((got[True], got[False], text))
    finally:
        use(False)
    for name, before in (("before (d7de67a)", True), ("now", False)):
        ms = [(b if before else n) * 1000 for b, n, _ in rows]
        print(
            f"  {name:17} {len(ms)} queries: CPU p50 {statistics.median(ms):.1f} ms, "
            f"p95 {_pct(ms, 0.95):.1f}, p99 {_pct(ms, 0.99):.1f}, max {max(ms):.1f}"
        )
    print("  slowest now (CPU ms before -> now):")
    for b, n, text in sorted(rows, key=lambda r: -r[1])[:10]:
        print(f"    {b * 1000:7.1f} -> {n * 1000:7.1f}  {text[:80]!r}")
    print(f"  load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
