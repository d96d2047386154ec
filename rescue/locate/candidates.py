"""The candidates of a belief: the most probable segments, each with its best point, 80 %
stretch and the clues for it; the first few distinct hypotheses; the 80 % range along the
most probable route; the probabilities as stated (issue 13: the calibrated temperature).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from scipy.spatial import cKDTree

from rescue.locate.belief import BeliefState, Bins
from rescue.locate.model import Candidate, RouteRange

if TYPE_CHECKING:
    from rescue.locate.engine import LocateIndex

__all__ = [
    "CREDIBLE",
    "DISTINCT",
    "DISTINCT_M",
    "MAX_CANDIDATES",
    "MIN_CANDIDATE_P",
    "at_route_median",
    "candidates_of",
    "route_range",
    "restated",
]

MAX_CANDIDATES = 10
#: the first candidates are distinct hypotheses: each holds the most belief within this
#: distance that no earlier one holds (issue 13: the top 3 were often one stretch thrice)
DISTINCT = 3
DISTINCT_M = 900.0
MIN_CANDIDATE_P = 0.002
CREDIBLE = 0.8


def restated(
    index: LocateIndex, state: BeliefState, candidates: list[Candidate], temperature: float
) -> list[Candidate]:
    """The candidates, in the same order, with their probabilities restated at the stated
    ``temperature``: every segment's mass (at ``index.temperature``) raised to the power
    ``index.temperature / temperature`` and renormalised over all segments. Monotone, so
    the order and the 80 % range do not change; only what is stated does."""
    if not candidates or temperature == index.temperature:
        return candidates
    b = index.bins
    mass = np.bincount(
        b.segment, weights=state.posterior(index.temperature), minlength=len(b.segment_ids)
    )
    flat = np.power(mass, index.temperature / temperature)
    flat = flat / flat.sum()
    pos = {sid: i for i, sid in enumerate(b.segment_ids)}
    return [replace(c, probability=float(flat[pos[c.segment_id]])) for c in candidates]


def at_route_median(index: LocateIndex, top: Candidate, rng: RouteRange) -> Candidate:
    """The top candidate's best point is the route median when that lies on its segment.

    A walker placed by time alone spreads over neighbouring segments; the
    median along the route is then the point with the smallest expected error.
    """
    b = index.bins
    if top.route_id != rng.route_id or top.km_range is None:
        return top
    r = b.route_ids.index(rng.route_id)
    sel = np.flatnonzero((b.segment == b.segment_ids.index(top.segment_id)) & (b.route == r))
    if not len(sel):
        return top
    i = sel[int(np.argmin(np.abs(b.km[sel] - rng.median_km)))]
    if abs(b.km[i] - rng.median_km) > 0.05:  # the median lies on another segment
        return top
    return replace(top, lon=float(b.lon[i]), lat=float(b.lat[i]))


def route_range(
    index: LocateIndex, p: np.ndarray, raw: np.ndarray | None = None
) -> RouteRange | None:
    """The shortest stretch along the most probable route holding the calibrated share of
    the (tempered) mass ``p``, and the median of the raw posterior ``raw`` inside its own
    80 % stretch: calibration changes what is claimed, not where the best point is."""
    b = index.bins
    raw = p if raw is None else raw
    on = b.route >= 0
    if not on.any():
        return None
    mass = np.bincount(b.route[on], weights=p[on], minlength=len(b.route_ids))
    r = int(np.argmax(mass))
    b.need(r)
    sel = np.flatnonzero((b.route == r) & np.isfinite(b.km))
    if not len(sel):
        return None
    best_km = float(b.km[sel[int(np.argmax(p[sel]))]])
    rel = b.km[sel] - best_km
    if b.route_loop[r]:
        length = b.route_length_km[r]
        rel = (rel + length / 2.0) % length - length / 2.0
    order = np.argsort(rel)
    rel_sorted = rel[order]

    def shortest(q: np.ndarray, share: float) -> tuple[int, int, np.ndarray]:
        # the shortest stretch holding ``share`` of the mass (robust to a second mode, e.g.
        # the few counter-clockwise walkers on the far side of the loop)
        w = q[sel][order] / q[sel].sum()
        cum = np.concatenate([[0.0], np.cumsum(w)])
        ends = np.searchsorted(cum, cum[:-1] + share - 1e-9)
        valid = ends <= len(rel_sorted)
        starts = np.flatnonzero(valid)
        stop = np.minimum(ends[valid], len(rel_sorted)) - 1
        k = int(np.argmin(rel_sorted[stop] - rel_sorted[starts]))
        return int(starts[k]), int(stop[k]), w

    i, j, w = shortest(raw, CREDIBLE)
    inner = np.cumsum(w[i : j + 1]) / w[i : j + 1].sum()
    mid = float(rel_sorted[i + min(int(np.searchsorted(inner, 0.5)), j - i)])
    i, j, _ = shortest(p, index.credible)
    lo, hi = float(rel_sorted[i]), float(rel_sorted[j])
    lo, hi = min(lo, mid), max(hi, mid)
    length = b.route_length_km[r]
    wrap = (lambda k: k % length) if b.route_loop[r] else (lambda k: k)
    return RouteRange(b.route_ids[r], wrap(best_km + lo), wrap(best_km + hi), wrap(best_km + mid))


# ------------------------------------------------------------------------ clues


def candidates_of(index: LocateIndex, state: BeliefState, p: np.ndarray) -> list[Candidate]:
    """The most probable segments (up to :data:`MAX_CANDIDATES`), each with its best point,
    80 % stretch and the clues for it; the first :data:`DISTINCT` are distinct hypotheses
    (see :func:`_distinct`)."""
    b = index.bins
    mass = np.bincount(b.segment, weights=p, minlength=len(b.segment_ids))
    order = [int(s) for s in np.argsort(-mass)[:MAX_CANDIDATES] if mass[s] >= MIN_CANDIDATE_P]
    picks = _distinct(index, p, order)
    out: list[Candidate] = []
    for s, point in picks:
        b.need_segment(s)
        sel = np.flatnonzero(b.segment == s)
        ps = p[sel]
        km = b.km[sel]
        km_range = None
        stretch_idx = sel
        if np.isfinite(km).all():
            o = np.argsort(km)
            cum = np.cumsum(ps[o]) / ps.sum()
            lo = km[o][int(np.searchsorted(cum, (1 - CREDIBLE) / 2))]
            hi = km[o][min(int(np.searchsorted(cum, 1 - (1 - CREDIBLE) / 2)), len(o) - 1)]
            km_range = (float(lo), float(hi))
            stretch_idx = sel[o][(km[o] >= lo) & (km[o] <= hi)]
        evidence, evidence_zh = _evidence_for(state, sel, ps)
        name_en, name_zh, route_id = index.segment_names[s]
        out.append(
            Candidate(
                segment_id=b.segment_ids[s],
                name_en=name_en,
                name_zh=name_zh,
                route_id=route_id if isinstance(route_id, str) else None,
                lon=float(b.lon[point]),
                lat=float(b.lat[point]),
                probability=float(mass[s]),
                km_range=km_range,
                evidence=evidence,
                evidence_zh=evidence_zh,
                stretch=tuple(
                    zip(b.lon[stretch_idx].tolist(), b.lat[stretch_idx].tolist(), strict=True)
                ),
            )
        )
    return out


def _median_point(b: Bins, p: np.ndarray, s: int) -> int:
    """The bin of segment ``s`` at the median of ``p`` along it (it minimises the expected
    error along the segment), or its most probable bin off a route line."""
    b.need_segment(s)
    sel = np.flatnonzero(b.segment == s)
    ps = p[sel]
    km = b.km[sel]
    if np.isfinite(km).all():
        o = np.argsort(km)
        # a flat posterior puts the half exactly between two bins: the lower one, however
        # the sums round (a window's and all bins' sums differ in the last digit)
        half = int(np.searchsorted(np.cumsum(ps[o]) / ps.sum(), 0.5 - 1e-9))
        return int(sel[o][min(half, len(o) - 1)])
    return int(sel[int(np.argmax(ps))])


def _distinct(index: LocateIndex, p: np.ndarray, order: list[int]) -> list[tuple[int, int]]:
    """(segment, point bin) of the candidates: the most probable segment at its median
    point first; then, up to :data:`DISTINCT` candidates in all, the segment and point that
    hold the most mass within :data:`DISTINCT_M` not yet within that distance of an
    earlier point (greedy cover: three neighbouring segments of one stretch are one
    hypothesis, and a second stretch is another); the rest in order of mass.

    Every candidate states its own segment's probability: the first is the most probable,
    the other distinct ones follow in order of probability, then the rest; a segment
    left out of the first three may be more probable than the second or third (it lies
    within the cover of an earlier one, or its belief is spread thin).
    """
    b = index.bins
    if len(order) <= 1:
        return [(s, _median_point(b, p, s)) for s in order]
    first = _median_point(b, p, order[0])
    picks = [(order[0], first)]
    rest = order[1:]
    # the belief on the candidate segments (read one bin at a time, also on a window)
    for s in rest:
        b.need_segment(s)
    seg_bins = {s: np.flatnonzero(b.segment == s) for s in order}
    support = np.concatenate(list(seg_bins.values()))
    w = p[support]
    tree = cKDTree(np.column_stack([b.x[support], b.y[support]]))
    covered = np.zeros(len(support), dtype=bool)
    covered[tree.query_ball_point((b.x[first], b.y[first]), r=DISTINCT_M)] = True
    # every 4th bin (100 m on trails) of the other segments is a possible point
    pts = np.concatenate([seg_bins[s][::4] for s in rest])
    owner = b.segment[pts]
    reach = (
        cKDTree(np.column_stack([b.x[pts], b.y[pts]]))
        .sparse_distance_matrix(tree, DISTINCT_M, output_type="coo_matrix")
        .tocsr()
    )
    reach.data[:] = 1.0
    while len(picks) < DISTINCT and rest:
        gain = reach @ np.where(covered, 0.0, w)
        live = np.isin(owner, rest)
        if not live.any() or float(gain[live].max()) < MIN_CANDIDATE_P:
            break
        at = int(np.flatnonzero(live)[int(np.argmax(gain[live]))])
        s = int(owner[at])
        picks.append((s, int(pts[at])))
        rest.remove(s)
        covered[reach.getrow(at).indices] = True
    later = [(s, _median_point(b, p, s)) for s in rest]
    if len(picks) < DISTINCT:  # no belief left uncovered: the rest as they come
        picks, later = picks + later, []
    # after the first, the distinct ones in order of probability, then the rest
    picks[1:] = sorted(picks[1:], key=lambda pick: -float(p[seg_bins[pick[0]]].sum()))
    return picks + later


def _evidence_for(
    state: BeliefState, sel: np.ndarray, ps: np.ndarray
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The clues that speak for this segment (its weighted likelihood near the clue's best),
    in English and in Chinese."""
    w = ps / ps.sum()
    out = []
    for ev in state.evidence:
        if float((ev.log_likelihood[sel] * w).sum()) > -1.0:
            out.append(ev)
    return tuple(ev.text for ev in out), tuple(ev.text_zh or ev.text for ev in out)
