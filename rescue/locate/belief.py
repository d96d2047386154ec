"""A belief over positions along the network, sharpened clue by clue.

The network is cut into bins (25 m on trails, 100 m on roads). The prior is
each bin's length times the weight of its route (callers are mostly on the
outer kora). Every clue multiplies in a likelihood; the posterior mass per
segment ranks the candidates. Working in log space keeps conflicting clues
from underflowing: a clue that fits nowhere flattens rather than zeroes.

This module holds the priors, the belief and its evidence (:class:`BeliefState`), the
shapes of likelihoods, the places as anchors, and :func:`window` (whether a query runs on a
window of the bins); the bins are :mod:`rescue.locate._bins` and the sparse windows
:mod:`rescue.locate._windows` (both re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from shapely import STRtree
from shapely.geometry import Point

from geodata.errors import NotFound
from geodata.i18n import Msg
from rescue.locate._bins import (
    _NO_BINS,
    Bins,
    Sparse,
    build_bins,
)
from rescue.locate._windows import (
    Folds,
    Window,
    fold_bins,
    window_seeds,
)
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

#: a window keeping more than this share of the bins is not worth building
WINDOW_MAX_SHARE = 0.4


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
