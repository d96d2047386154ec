"""Sparse windows: a query's belief over only the bins some clue is not flat on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from rescue.locate._bins import (
    _NO_BINS,
    Bins,
    Sparse,
)

if TYPE_CHECKING:
    pass


# ------------------------------------------------------------------ sparse windows
#
# A clue that names a place (or gives a coordinate) has a likelihood that is zero away
# from it: its factor there is the floor, the same for every bin. The belief of a query
# then only needs its bins one by one where some clue is not zero (the "window": every
# route such a clue walks along, every trail or road near its places); elsewhere it is the
# prior times a constant, so the bins there are folded into one entry per (segment, bin
# length, catalogue masks that hold), weighing as many bins as it stands for. Everything
# read off the belief (segment masses, route masses, questions, the mass a clue disagrees
# with) is then the same as over all bins; what is read bin by bin (a candidate's stretch,
# the 80 % range along a route) asks for its segment or route with ``need`` and the query
# is run again on a window grown by it. A region 100x Kailash answers in the time of a few
# copies of it.


@dataclass(frozen=True)
class Folds:
    """The bins grouped for folding, once per network: one group per (segment, bin length,
    masks that hold), with one member bin, the number of bins and their mean elevation."""

    first: np.ndarray
    count: np.ndarray
    z: np.ndarray
    segment: np.ndarray
    #: (groups, masks): whether each mask holds on the group
    masks: np.ndarray
    #: route of each segment (-1 for roads)
    segment_route: np.ndarray
    #: bins of each segment, in network order
    segment_bins: tuple[np.ndarray, ...]
    #: segments of each route
    route_segments: tuple[np.ndarray, ...]
    #: the group of every bin (what a clue over every bin is summed over per group by)
    group: np.ndarray = field(default_factory=lambda: _NO_BINS)
    #: every ``SEED_STEP``-th bin of each segment, their tree, and how far a bin may lie
    #: from the nearest of them (see :func:`window_seeds`)
    seed_bins: np.ndarray = field(default_factory=lambda: _NO_BINS)
    seed_tree: cKDTree | None = None
    seed_slack_m: float = 0.0


#: every this many bins of a segment seed a window (:func:`window_seeds`)
SEED_STEP = 8


def fold_bins(bins: Bins, masks: Sequence[np.ndarray]) -> Folds:
    """Group ``bins`` by segment, bin length and the ``masks`` (bool per bin) that hold."""
    n_seg = len(bins.segment_ids)
    columns = [bins.segment, bins.length_m.view(np.int64)]
    m = np.column_stack(masks) if len(masks) else np.zeros((len(bins), 0), dtype=bool)
    for j in range(0, m.shape[1], 62):  # the masks as bits of int64 words
        part = m[:, j : j + 62].astype(np.int64)
        columns.append(part @ (np.int64(1) << np.arange(part.shape[1], dtype=np.int64)))
    _, first, group, count = np.unique(
        np.column_stack(columns), axis=0, return_index=True, return_inverse=True, return_counts=True
    )
    group = group.ravel()
    order = np.argsort(bins.segment, kind="stable")
    bounds = np.searchsorted(bins.segment[order], np.arange(n_seg + 1))
    segment_bins = tuple(order[bounds[s] : bounds[s + 1]] for s in range(n_seg))
    segment_route = np.full(n_seg, -1, dtype=np.int64)
    segment_route[bins.segment] = bins.route
    route_segments = tuple(np.flatnonzero(segment_route == r) for r in range(len(bins.route_ids)))
    seeds = _seed_bins(bins)
    seed_tree = cKDTree(np.column_stack([bins.x[seeds], bins.y[seeds]]))
    # how far a bin lies from the nearest seed, at most (measured, not assumed)
    slack = float(seed_tree.query(np.column_stack([bins.x, bins.y]))[0].max()) if len(bins) else 0.0
    return Folds(
        first=first,
        count=count.astype(float),
        z=np.bincount(group, weights=bins.z) / count,
        segment=bins.segment[first],
        masks=m[first],
        segment_route=segment_route,
        segment_bins=segment_bins,
        route_segments=route_segments,
        group=group.astype(np.int64),
        seed_bins=seeds,
        seed_tree=seed_tree,
        seed_slack_m=slack,
    )


def _seed_bins(bins: Bins) -> np.ndarray:
    """Every ``SEED_STEP``-th bin of each run of consecutive bins along an edge (a run
    starts where the segment changes or the next bin is not the next step along)."""
    n = len(bins)
    if not n:
        return _NO_BINS
    gap = np.hypot(np.diff(bins.x), np.diff(bins.y))
    start = np.ones(n, dtype=bool)
    start[1:] = (bins.segment[1:] != bins.segment[:-1]) | (
        gap > 2.0 * np.maximum(bins.length_m[1:], bins.length_m[:-1])
    )
    run_start = np.flatnonzero(start)
    pos = np.arange(n) - run_start[np.cumsum(start) - 1]
    return np.flatnonzero(pos % SEED_STEP == 0)


@dataclass(frozen=True)
class Window(Bins):
    """The bins of one query: those of the kept segments one by one (in network order),
    then one entry per folded group of the others (``count`` bins each, no km).

    ``near``/``within`` and ``along`` reaching a folded bin, and ``need``/``need_segment``
    on one, note what the window lacks in ``wanted``: the answer is then incomplete and
    the query is run again on a window grown by it (``window(..., grow=wanted)``).
    """

    whole: Bins | None = None
    #: positions in ``whole`` of the bins kept one by one (sorted)
    kept: np.ndarray = field(default_factory=lambda: _NO_BINS)
    kept_segment: np.ndarray = field(default_factory=lambda: _NO_BINS)
    routes_in: np.ndarray = field(default_factory=lambda: _NO_BINS)
    #: the fold groups of the window's folded entries (in order), and the network's folds
    folded: np.ndarray = field(default_factory=lambda: _NO_BINS)
    folds: Folds | None = None
    #: (routes, segments) the answer needs and the window folds
    wanted: tuple[set[int], set[int]] = field(default_factory=lambda: (set(), set()))

    def _local(self, idx: np.ndarray) -> np.ndarray:
        assert self.whole is not None
        at = np.minimum(np.searchsorted(self.kept, idx), len(self.kept) - 1)
        inside = self.kept[at] == idx if len(self.kept) else np.zeros(len(idx), dtype=bool)
        if not inside.all():
            for s in np.unique(self.whole.segment[idx[~inside]]):
                self.need_segment(int(s))
        return at[inside]

    def _query(self, x: float, y: float, r: float) -> tuple[np.ndarray, np.ndarray]:
        assert self.whole is not None
        idx = np.asarray(self.whole.tree.query_ball_point((x, y), r=r), dtype=np.int64)
        idx.sort()
        return idx, self._local(idx)

    def near_part(self, x: float, y: float, sigma_m: float) -> Sparse:
        _, loc = self._query(x, y, 4.0 * sigma_m)
        d = np.hypot(self.x[loc] - x, self.y[loc] - y)
        return Sparse(loc, np.exp(-0.5 * (d / sigma_m) ** 2), len(self.x))

    def within(self, x: float, y: float, radius_m: float) -> np.ndarray:
        out = np.zeros(len(self.x), dtype=bool)
        out[self._query(x, y, radius_m)[1]] = True
        return out

    def nearest_m(self, x: float, y: float) -> float:
        assert self.whole is not None
        return self.whole.nearest_m(x, y)

    @property
    def network_bins(self) -> Bins:
        assert self.whole is not None
        return self.whole

    def fold(self, values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """``values`` given for every bin of the whole network, on the window: the kept bins'
        own, and for each folded entry the mean (weighted by ``weights``, also per bin) over
        the bins of its group."""
        assert self.whole is not None and self.folds is not None
        n_groups = len(self.folds.first)
        if weights is None:
            total = np.bincount(self.folds.group, weights=values, minlength=n_groups)
            mean = total[self.folded] / self.folds.count[self.folded]
        else:
            w = np.bincount(self.folds.group, weights=weights, minlength=n_groups)[self.folded]
            total = np.bincount(self.folds.group, weights=values * weights, minlength=n_groups)
            mean = total[self.folded] / np.where(w > 0, w, 1.0)
        return np.concatenate([values[self.kept], mean])

    def need(self, route: int) -> None:
        if not self.routes_in[route]:
            self.wanted[0].add(int(route))

    def need_segment(self, segment: int) -> None:
        if not self.kept_segment[segment]:
            self.wanted[1].add(int(segment))


def window_seeds(
    bins: Bins, folds: Folds, points: Sequence[tuple[float, float, float]], routes: Sequence[int]
) -> tuple[set[int], set[int]]:
    """(routes, road segments) of a window: ``routes`` and every route or road with a bin
    within ``radius`` of a point (x, y, radius), and perhaps a few more.

    The points are looked up among every ``SEED_STEP``-th bin of each segment
    (``folds.seed_bins``) within ``radius`` plus the longest such step: what a place's
    neighbourhood reaches is all there, found with a tree that many times smaller (issue 18:
    a generic word's hundreds of places, each 9 km round, cost a large region's locate a
    third of its time here). A window holding a little more than needed gives the same
    answers (it only folds less)."""
    out_routes = {int(r) for r in routes}
    out_segments: set[int] = set()
    if not len(points):
        return out_routes, out_segments
    xyr = np.asarray(points, dtype=float).reshape(-1, 3)
    # every point at once, the bins found marked once (a generic word's hundreds of places
    # reach the same bins many times over)
    assert folds.seed_tree is not None
    hit = np.zeros(len(folds.seed_bins), dtype=bool)
    for found in folds.seed_tree.query_ball_point(xyr[:, :2], r=xyr[:, 2] + folds.seed_slack_m):
        hit[found] = True
    idx = folds.seed_bins[hit]
    r = bins.route[idx]
    out_routes.update(np.unique(r[r >= 0]).tolist())
    out_segments.update(np.unique(bins.segment[idx[r < 0]]).tolist())
    return out_routes, out_segments
