"""A belief over positions along the network, sharpened clue by clue.

The network is cut into bins (25 m on trails, 100 m on roads). The prior is
each bin's length times the weight of its route (callers are mostly on the
outer kora). Every clue multiplies in a likelihood; the posterior mass per
segment ranks the candidates. Working in log space keeps conflicting clues
from underflowing: a clue that fits nowhere flattens rather than zeroes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely import STRtree
from shapely.geometry import Point

from geodata.errors import NotFound
from geodata.i18n import Msg
from rescue.locate.model import Mention, Relation

if TYPE_CHECKING:
    from routes import RouteNetwork

__all__ = [
    "Bins",
    "build_bins",
    "Folds",
    "fold_bins",
    "Window",
    "window",
    "window_seeds",
    "Evidence",
    "BeliefState",
    "ROUTE_PRIOR",
    "DEFAULT_ROUTE_PRIOR",
    "NAMED_SIDE_PRIOR",
    "DIRECTION_PRIOR",
    "Mixture",
    "Sparse",
    "along_part",
]

TRAIL_BIN_M = 25.0
ROAD_BIN_M = 100.0
#: relative prior weight per metre, by route (callers are mostly pilgrims on the outer kora)
ROUTE_PRIOR: Mapping[str | None, float] = {
    "outer_kora": 1.0,
    "inner_kora": 0.25,
    "manasarovar_kora": 0.15,
    None: 0.03,  # roads
}
#: other routes are side paths and spurs of the kora (to gompas and their guesthouses): few
#: callers are on them, so they get a low prior unless the caller names what is on them
#: (issue 13: "going towards the pass" means the main kora, not the side path)
DEFAULT_ROUTE_PRIOR = 0.1
#: the prior of a side path whose place the caller names ("we are in the gompa")
NAMED_SIDE_PRIOR = 1.0
#: share of pilgrims walking clockwise (Buddhists, Hindus) vs counter-clockwise (Bön)
DIRECTION_PRIOR = {"clockwise": 0.85, "counterclockwise": 0.15}
#: the chance that a clue is wrong (or misheard): it never makes the true place impossible
FLOOR = 0.05


@dataclass(frozen=True)
class Sparse:
    """A likelihood that is 0 (or undefined: off a route) outside the bins ``idx``, with
    ``values`` there, over ``size`` bins.

    A place's neighbourhood or one route is a small part of a large region: a
    :class:`Mixture` adds such a part where it is, not over every bin (issue 18: a generic
    word's hundreds of places each cost the whole region). The sums are the same, bin by
    bin and term by term, as those of the dense arrays (:meth:`dense`).
    """

    idx: np.ndarray
    values: np.ndarray
    size: int

    def dense(self) -> np.ndarray:
        """The likelihood over every bin (NaN values and the bins outside as 0)."""
        out = np.zeros(self.size)
        out[self.idx] = np.nan_to_num(self.values, nan=0.0)
        return out


@dataclass(frozen=True)
class Bins:
    """Sample positions along every edge of the network (metric CRS).

    Arrays are aligned: ``x``, ``y``, ``z`` (elevation_m), ``length_m``,
    ``segment`` (index into ``segment_ids``), ``route`` (index into
    ``route_ids``, -1 on roads), ``km`` (along the route's main line, NaN off
    it), ``is_road``, ``lon``, ``lat``.
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    length_m: np.ndarray
    segment: np.ndarray
    route: np.ndarray
    km: np.ndarray
    is_road: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    segment_ids: tuple[str, ...]
    route_ids: tuple[str, ...]
    route_length_km: np.ndarray
    route_loop: np.ndarray
    #: bin indices of each route (by route index), for work restricted to one route
    route_bins: tuple[np.ndarray, ...]
    tree: cKDTree
    #: how many bins of the whole network each entry stands for (None: one each); a
    #: :class:`Window` folds the bins far from every clue into one entry per group
    count: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.x)

    @property
    def network_bins(self) -> Bins:
        """Every bin of the network, one by one (a :class:`Window`'s whole bins)."""
        return self

    def near(self, x: float, y: float, sigma_m: float) -> np.ndarray:
        """Gaussian of the distance from (x, y), computed only within 4 sigma (0 beyond)."""
        return self.near_part(x, y, sigma_m).dense()

    def near_part(self, x: float, y: float, sigma_m: float) -> Sparse:
        """:meth:`near` as the bins within 4 sigma and their values (0 elsewhere)."""
        idx = np.asarray(self.tree.query_ball_point((x, y), r=4.0 * sigma_m), dtype=np.int64)
        d = np.hypot(self.x[idx] - x, self.y[idx] - y)
        return Sparse(idx, np.exp(-0.5 * (d / sigma_m) ** 2), len(self.x))

    def within(self, x: float, y: float, radius_m: float) -> np.ndarray:
        """Boolean mask of the bins within ``radius_m`` of (x, y)."""
        out = np.zeros(len(self.x), dtype=bool)
        out[np.asarray(self.tree.query_ball_point((x, y), r=radius_m), dtype=np.int64)] = True
        return out

    def nearest_m(self, x: float, y: float) -> float:
        """Distance from (x, y) to the nearest bin."""
        return float(self.tree.query((x, y))[0])

    def need(self, route: int) -> None:
        """Say that an answer reads the bins of ``route`` one by one (see :class:`Window`)."""

    def need_segment(self, segment: int) -> None:
        """Say that an answer reads the bins of ``segment`` one by one (see :class:`Window`)."""


def build_bins(network: RouteNetwork) -> Bins:
    """Cut every forward edge of ``network`` into bins."""
    G = network.graph
    segment_ids = tuple(network.segments.index)
    seg_index = {s: i for i, s in enumerate(segment_ids)}
    route_ids = tuple(network.lines)
    route_index = {r: i for i, r in enumerate(route_ids)}
    xs, ys, zs, ls, segs, routes, kms, roads = [], [], [], [], [], [], [], []
    for _, _, d in G.edges(data=True):
        if not d["forward"]:
            continue
        geom = d["geometry"]
        step = ROAD_BIN_M if d["kind"] == "road" else TRAIL_BIN_M
        n = max(1, int(math.ceil(geom.length / step)))
        at = (np.arange(n) + 0.5) / n
        xyz = shapely.get_coordinates(
            shapely.line_interpolate_point(geom, at, normalized=True), include_z=True
        )
        x, y, z = xyz[:, 0], xyz[:, 1], xyz[:, 2]
        xs.append(x)
        ys.append(y)
        zs.append(z)
        ls.append(np.full(n, d["length_m"] / n))
        segs.append(np.full(n, seg_index[d["segment_id"]]))
        rid = d["route_id"] if d["kind"] == "trail" else None
        r = route_index.get(rid, -1) if rid is not None else -1
        routes.append(np.full(n, r))
        if rid is not None and d["variant"] is None and rid in network.lines:
            line = network.lines[rid]
            kms.append(line.km_of(x, y))
        else:
            kms.append(np.full(n, np.nan))
        roads.append(np.full(n, d["kind"] == "road"))
    x, y = np.concatenate(xs), np.concatenate(ys)
    lon, lat = network.to_wgs.transform(x, y)
    route = np.concatenate(routes).astype(np.int64)
    return Bins(
        x=x,
        y=y,
        z=np.concatenate(zs),
        length_m=np.concatenate(ls),
        segment=np.concatenate(segs).astype(np.int64),
        route=route,
        km=np.concatenate(kms),
        is_road=np.concatenate(roads),
        lon=np.asarray(lon),
        lat=np.asarray(lat),
        segment_ids=segment_ids,
        route_ids=route_ids,
        route_length_km=np.array([network.lines[r].length_m / 1000.0 for r in route_ids]),
        route_loop=np.array([network.lines[r].loop for r in route_ids]),
        route_bins=tuple(np.flatnonzero(route == r) for r in range(len(route_ids))),
        tree=cKDTree(np.column_stack([x, y])),
    )


_NO_BINS = np.zeros(0, dtype=np.int64)


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


#: a window keeping more than this share of the bins is not worth building
WINDOW_MAX_SHARE = 0.4


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


def window(
    bins: Bins,
    folds: Folds,
    masks: Sequence[np.ndarray],
    routes: set[int],
    segments: set[int],
) -> tuple[Bins, list[np.ndarray]]:
    """The bins of whole ``routes`` (and of the routes of ``segments`` on trails, and of
    ``segments`` on roads) one by one and all others folded, with ``masks`` on them.

    Returns ``bins`` and ``masks`` themselves when the window would keep more than
    ``WINDOW_MAX_SHARE`` of the bins (building it would cost more than it saves).
    """
    keep = np.zeros(len(bins.segment_ids), dtype=bool)
    routes = set(routes) | {int(folds.segment_route[s]) for s in segments} - {-1}
    for r in routes:
        keep[folds.route_segments[r]] = True
    for s in segments:
        if folds.segment_route[s] < 0:
            keep[s] = True
    kept_segs = np.flatnonzero(keep)
    if sum(len(folds.segment_bins[s]) for s in kept_segs) > WINDOW_MAX_SHARE * len(bins):
        return bins, list(masks)  # folding would not pay: every bin one by one
    kept = (
        np.sort(np.concatenate([folds.segment_bins[s] for s in kept_segs]))
        if len(kept_segs)
        else _NO_BINS
    )
    folded = np.flatnonzero(~keep[folds.segment])
    first = folds.first[folded]
    n_kept = len(kept)

    def cat(a: np.ndarray, rest: np.ndarray | None = None) -> np.ndarray:
        return np.concatenate([a[kept], a[first] if rest is None else rest])

    route = cat(bins.route)
    routes_in = np.zeros(len(bins.route_ids), dtype=bool)
    routes_in[sorted(routes)] = True
    # positions of each route's bins (only for routes kept whole)
    on = route[:n_kept]
    order = np.argsort(on, kind="stable")
    bounds = np.searchsorted(on[order], np.arange(len(bins.route_ids) + 1))
    route_bins = tuple(
        order[bounds[r] : bounds[r + 1]] if routes_in[r] else _NO_BINS
        for r in range(len(bins.route_ids))
    )
    view = Window(
        x=cat(bins.x),
        y=cat(bins.y),
        z=cat(bins.z, folds.z[folded]),
        length_m=cat(bins.length_m),
        segment=cat(bins.segment),
        route=route,
        km=cat(bins.km, np.full(len(folded), np.nan)),
        is_road=cat(bins.is_road),
        lon=cat(bins.lon),
        lat=cat(bins.lat),
        segment_ids=bins.segment_ids,
        route_ids=bins.route_ids,
        route_length_km=bins.route_length_km,
        route_loop=bins.route_loop,
        route_bins=route_bins,
        tree=bins.tree,
        count=np.concatenate([np.ones(n_kept), folds.count[folded]]),
        whole=bins,
        kept=kept,
        kept_segment=keep,
        routes_in=routes_in,
        folded=folded,
        folds=folds,
    )
    view_masks = [np.concatenate([m[kept], folds.masks[folded, j]]) for j, m in enumerate(masks)]
    return view, view_masks


@dataclass(frozen=True)
class Evidence:
    """One clue's likelihood over the bins (log, relative to its best) and its words."""

    log_likelihood: np.ndarray
    text: str
    text_zh: str = ""


@dataclass
class BeliefState:
    """The log-posterior over bins and the evidence applied to it."""

    bins: Bins
    log_p: np.ndarray
    evidence: list[Evidence] = field(default_factory=list)
    #: on a :class:`Window`, the product of the factors of the clues given over every bin
    #: (:meth:`apply_whole`), bin by bin over the whole network (None: no such clue)
    spread: np.ndarray | None = None

    @classmethod
    def prior(
        cls, bins: Bins, route_prior: Mapping[str | None, float] | None = None
    ) -> BeliefState:
        weights = dict(ROUTE_PRIOR if route_prior is None else route_prior)
        per_route = np.array(
            [weights.get(r, DEFAULT_ROUTE_PRIOR) for r in bins.route_ids] + [weights[None]]
        )
        w = per_route[bins.route] * bins.length_m  # route -1 picks the road weight (last)
        return cls(bins, np.log(np.maximum(w, 1e-12)))

    def apply(self, likelihood: np.ndarray, text: str | Msg) -> None:
        """Multiply in a likelihood (values >= 0, any scale).

        The likelihood is taken as a density over the network (divided by its
        length-weighted mean) mixed with a uniform share ``FLOOR``: the chance
        that the clue is wrong. A narrow clue (a coordinate) is then decisive,
        a broad one (a view) gentle, and a wrong one never makes the true place
        impossible.
        """
        lik = _clean(likelihood)
        top = float(lik.max()) if lik.size else 0.0
        if not np.isfinite(top) or top <= 0:
            return
        mean = self._mean(lik)
        robust = (1.0 - FLOOR) * lik / mean + FLOOR
        self.log_p = self.log_p + np.log(robust)
        self._evidence(_relative(lik, top), text)

    def apply_whole(self, likelihood: np.ndarray, text: str | Msg) -> None:
        """:meth:`apply` a likelihood given for every bin of the whole network (a clue
        that speaks of every bin, such as an elevation: see :attr:`Bins.network_bins`).

        On a :class:`Window` its folded entries take the mean over their group's bins
        (:meth:`Window.fold`): the other clues are one factor per group (the window folds
        only where they are), so a group's mass is that factor times the mean over its
        bins of the product of these clues' factors (kept bin by bin in :attr:`spread`),
        and the clue's mean is the mean over every bin. :meth:`posterior` at another
        temperature takes the mean of the factors' powers. The clue's relative
        log-likelihood on a folded entry is its mean over the group's bins weighted as
        the belief weighs them, so that the mass the clue disagrees with
        (``engine._conflicting``) is the same too, with one such clue per query
        (``rescue.locate.engine._window_seeds`` keeps the belief dense for two). Issue 18:
        an altitude clue no longer makes a large region's belief dense.
        """
        bins = self.bins
        if not isinstance(bins, Window):
            self.apply(likelihood, text)
            return
        every = _clean(likelihood)
        top = float(every.max()) if every.size else 0.0
        if not np.isfinite(top) or top <= 0:
            return
        mean = self._mean(bins.fold(every))
        robust = (1.0 - FLOOR) * every / mean + FLOOR  # the factor of every bin
        spread = robust if self.spread is None else self.spread * robust
        # a folded entry holds the mean of the factors over its group's bins
        before = 0.0 if self.spread is None else np.log(bins.fold(self.spread))
        self.log_p = self.log_p + np.log(bins.fold(spread)) - before
        self.spread = spread
        self._evidence(bins.fold(_relative(every, top), robust), text)

    def _mean(self, lik: np.ndarray) -> float:
        """The length-weighted mean of ``lik`` over the network."""
        length = self.bins.length_m
        if self.bins.count is not None:  # a window: every entry weighs its bins
            length = length * self.bins.count
        return float((lik * length).sum() / length.sum())

    def _evidence(self, relative: np.ndarray, text: str | Msg) -> None:
        self.evidence.append(
            Evidence(relative, str(text), text.render("zh") if isinstance(text, Msg) else text)
        )

    def posterior(self, temperature: float = 1.0) -> np.ndarray:
        """The normalised belief; a ``temperature`` above 1 flattens it (calibration)."""
        z = (self.log_p - self.log_p.max()) / temperature
        bins = self.bins
        if self.spread is not None and temperature != 1.0 and isinstance(bins, Window):
            # a folded entry's mass is the mean over its bins of their factors ** (1 / t),
            # not the mean's: (exact, see apply_whole; the other factors are one per group)
            n = len(bins.kept)
            a = 1.0 / temperature
            exact = np.log(bins.fold(self.spread**a)[n:])
            z[n:] += exact - a * np.log(bins.fold(self.spread)[n:])
        p = np.exp(z)
        if self.bins.count is not None:  # a window's folded entries carry all their bins
            p = p * self.bins.count
        return p / p.sum()


def _clean(likelihood: np.ndarray) -> np.ndarray:
    """A likelihood as floats >= 0 (NaN: 0)."""
    lik = np.nan_to_num(np.asarray(likelihood, dtype=float), nan=0.0)
    return np.maximum(lik, 0.0)


def _relative(lik: np.ndarray, top: float) -> np.ndarray:
    """log(lik / top), at least log(1e-12)."""
    with np.errstate(divide="ignore"):
        return np.log(np.maximum(lik / top, 1e-12))


# ---------------------------------------------------------------- likelihood shapes


def gaussian(d: np.ndarray, sigma: float) -> np.ndarray:
    """exp(-d²/2σ²)."""
    return np.exp(-0.5 * (np.asarray(d) / sigma) ** 2)


def along(bins: Bins, route: int, km0: float, *, forward: bool) -> np.ndarray:
    """Signed km from ``km0`` to each bin in the walking direction (NaN off the route).

    On a loop the result lies in (-L/2, L/2].
    """
    idx, delta = along_part(bins, route, km0, forward=forward)
    out = np.full(len(bins), np.nan)
    out[idx] = delta
    return out


def along_part(
    bins: Bins, route: int, km0: float, *, forward: bool
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`along` on the route's own bins only: (their positions, signed km)."""
    if isinstance(bins, Window):
        bins.need(route)
    idx = bins.route_bins[route]
    delta = bins.km[idx] - km0
    if not forward:
        delta = -delta
    if bins.route_loop[route]:
        length = bins.route_length_km[route]
        delta = (delta + length / 2.0) % length - length / 2.0
    return idx, delta


@dataclass(frozen=True)
class Anchor:
    """A place a clue refers to, located on the network."""

    place_id: str
    weight: float
    x: float
    y: float
    elevation_m: float
    uncertainty_m: float
    #: (route index, km) for every route the place lies on
    on_routes: tuple[tuple[int, float], ...]
    name_en: str
    name_zh: str


#: a place this close to a route's line is on it (for before/after along that route)
ON_ROUTE_M = 400.0
_QUALITY_SIGMA_M = {"gps_published": 60.0, "track_derived": 60.0, "estimated": 250.0}


def anchor_table(network: RouteNetwork, bins: Bins) -> dict[str, Anchor]:
    """Every place, located: its (snapped) point, elevation and km on the routes it lies on."""
    places = network.region.places
    out: dict[str, Anchor] = {}
    lines = STRtree([network.lines[rid].line for rid in bins.route_ids])
    for pid, row in places.iterrows():
        pt = row.geometry
        x, y = network.to_metric.transform(pt.x, pt.y)
        on_routes: list[tuple[int, float]] = []
        for r in sorted(lines.query(Point(x, y), predicate="dwithin", distance=ON_ROUTE_M)):
            try:
                km = network.place_km(str(pid), bins.route_ids[int(r)])
            except NotFound:  # farther from the route than place_km accepts
                continue
            on_routes.append((int(r), km))
        near = int(bins.tree.query((x, y))[1])
        elev = row.get("elevation_m")
        elevation = float(elev) if elev is not None and np.isfinite(elev) else float(bins.z[near])
        zh = row.get("name_zh")
        out[str(pid)] = Anchor(
            place_id=str(pid),
            weight=1.0,
            x=float(x),
            y=float(y),
            elevation_m=elevation,
            uncertainty_m=_QUALITY_SIGMA_M.get(str(row.get("coord_quality")), 250.0),
            on_routes=tuple(on_routes),
            name_en=str(row["name_en"]),
            name_zh=str(zh) if isinstance(zh, str) and zh else str(row["name_en"]),
        )
    return out


def mention_anchors(
    mention: Mention, anchors: Mapping[str, Anchor], *, limit: int = 8
) -> list[tuple[Anchor, float]]:
    """The places a mention may mean, with normalised weights.

    A generic feature word ("the tea tent", "a bridge") may mean any place of its kind:
    all of them are kept, not the first ``limit`` in gazetteer order (issue 13: generic
    words are not places until the context makes them one).
    """
    n = len(mention.place_ids) if mention.feature is not None else limit
    cands = [(anchors[p], s) for p, s in mention.place_ids[:n] if p in anchors]
    total = sum(s for _, s in cands)
    if total <= 0:
        return []
    return [(a, s / total) for a, s in cands]


class Mixture:
    """A weighted sum of likelihood arrays, added up as they come (``append((w, lik))``).

    A generic word ("the tea tent") may mean hundreds of places: kept as a list, their
    arrays would all be alive at once (gigabytes on a large region); summed as they come,
    one is. The sum is the same, term by term in the same order, as :func:`mixture`'s.
    """

    def __init__(self) -> None:
        self.total: np.ndarray | None = None
        self.n = 0

    def append(self, part: tuple[float, np.ndarray | Sparse]) -> None:
        w, lik = part
        if isinstance(lik, Sparse):  # added where it is not 0: x + 0.0 is x elsewhere
            if self.total is None:
                self.total = np.zeros(lik.size)
            self.total[lik.idx] += w * np.nan_to_num(lik.values, nan=0.0)
        else:
            if self.total is None:
                self.total = np.zeros_like(lik, dtype=float)
            self.total += w * np.nan_to_num(lik, nan=0.0)
        self.n += 1

    def __len__(self) -> int:
        return self.n


def mixture(parts: Sequence[tuple[float, np.ndarray]] | Mixture) -> np.ndarray | None:
    """Weighted sum of likelihood arrays (None if there are none)."""
    if isinstance(parts, Mixture):
        return parts.total
    if not parts:
        return None
    out = np.zeros_like(parts[0][1], dtype=float)
    for w, lik in parts:
        out += w * np.nan_to_num(lik, nan=0.0)
    return out


def describe_relation(rel: Relation) -> str:
    """Short English gloss of a relation for evidence strings."""
    words = {
        "at": "at",
        "near": "near",
        "past": "past",
        "after": "after",
        "before": "before",
        "between": "between",
        "halfway": "halfway between",
        "below": "below",
        "above": "above",
        "across_river": "across the river from",
        "down_from": "on the way down from",
        "up_to": "on the way up to",
    }
    return words.get(rel.kind, rel.kind)


def amount_text(rel: Relation) -> str:
    """ "1.0–2.0 km" / "1.5–2.5 h" for a relation's amount, or ""."""
    if rel.distance_m:
        lo, hi = rel.distance_m
        return f"{lo / 1000:.1f}–{hi / 1000:.1f} km "
    if rel.duration_s:
        lo, hi = rel.duration_s
        return f"{lo / 3600:.1f}–{hi / 3600:.1f} h "
    return ""
