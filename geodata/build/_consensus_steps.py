"""The steps of :func:`geodata.build.consensus.consensus_centreline`: per-bin medians, the
runs where tracks split into branches, the first curve, trimming and the refinement passes.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.ndimage import maximum_filter
from scipy.spatial import cKDTree
from tqdm import tqdm

from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex
from geodata.tracks import (
    _EPS,
    BoolArray,
    FloatArray,
    IntArray,
    TrackXY,
    _at,
    _cumlen,
    _fill_nan,
    _resample_xy,
)

if TYPE_CHECKING:
    from geodata.build.consensus import ConsensusParameters

__all__: list[str] = []

#: the consensus's own logger: the refinement logs as part of it
_log = logging.getLogger("geodata.build.consensus")


def _sorted_median(keys: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray, IntArray]:
    """Median of ``values`` per distinct key: (keys, medians, counts)."""
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    uniq, start, count = np.unique(k, return_index=True, return_counts=True)
    med = 0.5 * (v[start + (count - 1) // 2] + v[start + count // 2])
    return uniq, med, count


def _bin_median(
    bins: IntArray, values: FloatArray, mask: BoolArray, nb: int, tracks: IntArray
) -> tuple[FloatArray, IntArray]:
    """Per-bin median over tracks of each track's median of ``values[mask]`` in the bin.

    One vote per track and bin: a track that lingers, or a side path that runs
    across the line (all of whose points project into one bin), cannot outvote the
    tracks that walk through. Returns the medians (NaN where empty) and the number
    of voting tracks per bin.
    """
    m = mask & np.isfinite(values)
    if not m.any():
        return np.full(nb, np.nan), np.zeros(nb, dtype=np.intp)
    n_tracks = int(tracks.max()) + 1
    keys, track_med, _ = _sorted_median(bins[m].astype(np.int64) * n_tracks + tracks[m], values[m])
    b_uniq, b_med, b_count = _sorted_median((keys // n_tracks).astype(np.intp), track_med)
    med = np.full(nb, np.nan)
    count = np.zeros(nb, dtype=np.intp)
    med[b_uniq] = b_med
    count[b_uniq] = b_count
    return med, count


def _moving(values: FloatArray, half: int, how: str = "mean") -> FloatArray:
    if half <= 0 or values.size < 2:
        return values
    pad = np.pad(values, half, mode="edge")
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * half + 1)
    return np.median(win, axis=1) if how == "median" else win.mean(axis=1)


@dataclass(frozen=True)
class _Run:
    """A detected split: bins ``b0..b1`` (inclusive) and the tracks on each side."""

    b0: int
    b1: int
    branch_tracks: frozenset[int]
    main_tracks: frozenset[int]
    branch_side: int  # +1 left, -1 right


def _two_means(v: FloatArray) -> int:
    """Split index k of sorted ``v`` maximising between-class variance (v[:k] | v[k:])."""
    n = v.size
    c = np.cumsum(v)
    k = np.arange(1, n)
    m1 = c[:-1] / k
    m2 = (c[-1] - c[:-1]) / (n - k)
    return int(k[np.argmax(k * (n - k) * (m1 - m2) ** 2)])


def _detect_runs(
    bins: IntArray,
    off: FloatArray,
    dist: FloatArray,
    tix: IntArray,
    nb: int,
    bw: float,
    n_tracks: int,
    p: ConsensusParameters,
) -> list[_Run]:
    sel = dist <= p.branch_corridor_m
    key = bins[sel].astype(np.int64) * n_tracks + tix[sel]
    uniq, inv = np.unique(key, return_inverse=True)
    mean_off = np.bincount(inv, weights=off[sel]) / np.bincount(inv)
    tb = (uniq // n_tracks).astype(np.intp)
    tt = (uniq % n_tracks).astype(np.intp)
    order = np.lexsort((mean_off, tb))
    tb, tt, mean_off = tb[order], tt[order], mean_off[order]
    count = np.bincount(tb, minlength=nb)
    start = np.r_[0, np.cumsum(count)[:-1]]
    min_tracks = max(5, int(math.ceil(2 / max(p.split_min_share, _EPS))))

    split = np.zeros(nb, dtype=bool)
    threshold = np.full(nb, np.nan)
    for b in np.flatnonzero(count >= min_tracks):
        v = mean_off[start[b] : start[b] + count[b]]
        k = _two_means(v)
        n = v.size
        m1, m2 = float(np.median(v[:k])), float(np.median(v[k:]))
        sep = m2 - m1
        if sep < p.split_min_separation_m or min(k, n - k) / n < p.split_min_share:
            continue
        in_valley = np.count_nonzero((v > m1 + 0.25 * sep) & (v < m2 - 0.25 * sep))
        if in_valley / n > 0.1:
            continue
        split[b] = True
        threshold[b] = 0.5 * (m1 + m2)

    # close gaps of a few bins, then keep long runs
    gap = max(1, int(round(60.0 / bw)))
    flagged = np.flatnonzero(split)
    runs: list[_Run] = []
    if flagged.size == 0:
        return runs
    groups = np.split(flagged, np.flatnonzero(np.diff(flagged) > gap + 1) + 1)
    for g in groups:
        b0, b1 = int(g[0]), int(g[-1])
        if (b1 - b0 + 1) * bw < p.split_min_length_m:
            continue
        in_run = split[tb] & (tb >= b0) & (tb <= b1)
        left = mean_off[in_run] > threshold[tb[in_run]]
        votes = np.bincount(tt[in_run], minlength=n_tracks)
        left_votes = np.bincount(tt[in_run], weights=left.astype(np.float64), minlength=n_tracks)
        present = votes >= 0.5 * g.size
        is_left = present & (left_votes > 0.5 * votes)
        is_right = present & ~is_left
        n_left, n_right = int(is_left.sum()), int(is_right.sum())
        if min(n_left, n_right) / max(n_left + n_right, 1) < p.split_min_share:
            continue
        branch_left = n_left < n_right
        branch = np.flatnonzero(is_left if branch_left else is_right)
        main = np.flatnonzero(is_right if branch_left else is_left)
        runs.append(
            _Run(
                b0,
                b1,
                frozenset(branch.tolist()),
                frozenset(main.tolist()),
                1 if branch_left else -1,
            )
        )
    return runs


def _run_extent(
    run: _Run,
    bins: IntArray,
    off: FloatArray,
    dist: FloatArray,
    tix: IntArray,
    nb: int,
    bw: float,
    p: ConsensusParameters,
) -> tuple[int, int]:
    """Extend a run to where its branch tracks rejoin the main tracks: first, last bin."""
    sel = dist <= p.branch_corridor_m
    on_branch = np.isin(tix, np.fromiter(run.branch_tracks, dtype=np.intp))
    on_main = np.isin(tix, np.fromiter(run.main_tracks, dtype=np.intp))
    b_off, _ = _bin_median(bins, off, sel & on_branch, nb, tix)
    m_off, _ = _bin_median(bins, off, sel & on_main, nb, tix)
    diff = np.abs(b_off - m_off)
    max_ext = int(math.ceil(1000.0 / bw))
    lo = run.b0
    while lo > 0 and run.b0 - lo < max_ext and not diff[lo - 1] <= p.join_tolerance_m:
        lo -= 1
    hi = run.b1
    while hi < nb - 1 and hi - run.b1 < max_ext and not diff[hi + 1] <= p.join_tolerance_m:
        hi += 1
    return lo, hi


def _initial_curve(fits: list[TrackXY], complete: list[int], cell_m: float = 25.0) -> FloatArray:
    """Medoid-like starting curve: the complete track through the busiest cells."""
    xy = np.vstack([f.xy for f in fits])
    x0, y0 = xy.min(axis=0)
    span = xy.max(axis=0) - xy.min(axis=0)
    while np.prod(span / cell_m + 2) > 4e6:  # keep the grid small on huge extents
        cell_m *= 2
    shape = tuple((span // cell_m).astype(np.intp) + 1)
    grid = np.zeros(shape, dtype=np.float64)
    cells = []
    for f in fits:
        ij = ((f.xy - (x0, y0)) // cell_m).astype(np.intp)
        cells.append(ij)
        u = np.unique(ij[:, 0] * shape[1] + ij[:, 1])
        np.add.at(grid.reshape(-1), u, 1.0)
    grid = maximum_filter(grid, size=3, mode="constant")  # tolerate jitter across cell edges
    # share of tracks through each point's cells, capped so that being on a busy strand
    # cannot outweigh an excursion elsewhere
    cap = 0.6 * len(fits)
    scores = [float(np.minimum(grid[cells[i][:, 0], cells[i][:, 1]], cap).mean()) for i in complete]
    best = fits[complete[int(np.argmax(scores))]].xy
    return _cut_loops(best, radius_m=20.0)


def _cut_loops(xy: FloatArray, radius_m: float) -> FloatArray:
    """Skip every excursion that comes back within ``radius_m`` of where it left."""
    n = xy.shape[0]
    if n < 3:
        return xy
    tree = cKDTree(xy)
    far = np.array([max(nb) for nb in tree.query_ball_point(xy, radius_m)], dtype=np.intp)
    keep = [0]
    i = 0
    while i < n - 1:
        i = int(far[i]) if far[i] > i + 1 else i + 1
        keep.append(i)
    out: FloatArray = xy[np.array(keep)]
    return out


def _trim(
    track: TrackXY, start: FloatArray, end: FloatArray, radius_m: float
) -> tuple[TrackXY, bool, bool] | None:
    """Cut a resampled track at its closest approaches to start and end."""
    if len(track) < 2:
        return None
    xy = track.xy
    d_start = np.hypot(*(xy - start).T)
    d_end = np.hypot(*(xy - end).T)
    i_s, i_e = int(np.argmin(d_start)), int(np.argmin(d_end))
    at_start, at_end = bool(d_start[i_s] <= radius_m), bool(d_end[i_e] <= radius_m)
    if at_start and at_end and i_e < i_s:  # walked the other way round
        track = track._take(slice(None, None, -1))
        d_start, d_end = d_start[::-1], d_end[::-1]
        i_s = int(np.argmin(d_start))
    lo = i_s if at_start else 0
    hi = lo + int(np.argmin(d_end[lo:])) if at_end else len(track) - 1
    if hi - lo < 1:
        return None
    return track._take(slice(lo, hi + 1)), at_start, at_end


def _gap_free(track: TrackXY, spacing_m: float) -> bool:
    step = np.hypot(np.diff(track.x), np.diff(track.y))
    return bool(step.size == 0 or step.max() <= 2.0 * spacing_m)


def _bins(s: FloatArray, length_m: float, bin_m: float) -> tuple[int, float, IntArray]:
    nb = max(1, int(round(length_m / bin_m)))
    bw = length_m / nb
    b = np.clip(np.floor(np.nan_to_num(s, nan=0.0) / bw), 0, nb - 1).astype(np.intp)
    return nb, bw, b


def _refine(
    curve: FloatArray,
    xy: FloatArray,
    tix: IntArray,
    excluded: BoolArray,
    head: FloatArray,
    tail: FloatArray,
    p: ConsensusParameters,
    bar: tqdm[Any] | None = None,
) -> tuple[FloatArray, int, bool]:
    """Principal-curve iterations; returns the curve, the rounds run, convergence.

    Each round moves every bin's curve point to the median position of the tracks
    projected into the bin (each track votes once per bin with its own median).
    Positions rather than offsets along normals: at a sharp corner normals are
    ill-defined, positions are not.
    """
    min_count = 3
    for it in range(1, p.max_iter + 1):
        index = LineIndex(curve)
        s, _, dist = index.locate(xy, max_distance_m=p.corridor_m)
        nb, bw, bins = _bins(s, index.length_m, p.bin_m)
        sel = (dist <= p.corridor_m) & ~excluded
        mx, count = _bin_median(bins, xy[:, 0], sel, nb, tix)
        my, _ = _bin_median(bins, xy[:, 1], sel, nb, tix)
        thin = count < min_count
        if thin.all():
            raise InvalidInput(f"no track points within corridor_m={p.corridor_m:g} of the curve")
        cum = _cumlen(curve)
        centres = (np.arange(nb, dtype=np.float64) + 0.5) * bw
        here = _at(curve, cum, centres)
        target = np.column_stack([mx, my])
        target[thin] = here[thin]  # no data: stay
        target = np.column_stack(
            [_moving(target[:, 0], p.smooth_bins), _moving(target[:, 1], p.smooth_bins)]
        )
        # a curve that crosses itself cannot be untangled by moving bins: cut the loop
        new = _resample_xy(
            _cut_loops(
                _resample_xy(np.vstack([head, target, tail]), p.spacing_m), 1.5 * p.spacing_m
            ),
            p.spacing_m,
        )
        shift = index.locate(new)[2]  # how far the curve moved
        curve = new
        _log.debug(
            "refine %d: moved max %.2f m, p95 %.2f m; length %.0f m",
            it,
            float(shift.max()),
            float(np.percentile(shift, 95)),
            _cumlen(curve)[-1],
        )
        if bar is not None:
            bar.update(1)
        if float(shift.max()) < p.tol_m:
            return curve, it, True
    return curve, p.max_iter, False


def _smooth_elevation(z: FloatArray) -> FloatArray:
    if not np.isfinite(z).any():
        return z
    return _moving(_moving(_fill_nan(z), 2, "median"), 2)
