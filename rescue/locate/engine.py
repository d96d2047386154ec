"""``locate``: from a caller's words to ranked segments, evidence and questions.

The index (bins, located places, name index, cue masks) is built once per
route network and kept in ``network.derived``; a query parses the text into
clues, applies one likelihood per clue to the prior, and reads candidates and
questions off the posterior.

This module is the driver (windows, prior, the answer, conflicting clues) and applies the
clues in turn (:func:`_apply_clues`); the parts it calls: :mod:`rescue.locate._index` (the
index), :mod:`rescue.locate._mentions` (which place an ambiguous mention is),
:mod:`rescue.locate._likelihoods` (what each clue says over the bins).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from geodata.errors import InvalidInput
from geodata.i18n import Msg, Name, Said, joined, msg
from rescue.localtime import LOCAL_TZ

# re-exported: tests and tools read these through rescue.locate.engine
from rescue.locate._index import (
    MISREAD_SHARE as MISREAD_SHARE,
)
from rescue.locate._index import (
    LocateIndex,
    _masks,
    get_index,
)
from rescue.locate._index import (
    _confidence as _confidence,
)
from rescue.locate._index import (
    _misread_share as _misread_share,
)
from rescue.locate._index import (
    _slopes as _slopes,
)
from rescue.locate._index import (
    _stated_temperature as _stated_temperature,
)
from rescue.locate._index import (
    _with_extra_aliases as _with_extra_aliases,
)
from rescue.locate._likelihoods import (
    _SLOPE_FLIP,
    _hedged,
    _indefinite,
    _inside_sight,
    _latest_landmark,
    _misread,
    _names,
    _near,
    _only_somewhere,
    _own_pace,
    _relation_likelihood,
    _relation_text,
    _seen_features,
    _tag_name,
    _walked,
    _walked_on_from,
)
from rescue.locate._mentions import (
    _disambiguate,
)
from rescue.locate.belief import (
    DIRECTION_PRIOR,
    NAMED_SIDE_PRIOR,
    ROUTE_PRIOR,
    BeliefState,
    Window,
    gaussian,
    mention_anchors,
    mixture,
    window,
    window_seeds,
)
from rescue.locate.candidates import (
    MAX_CANDIDATES,
    at_route_median,
    candidates_of,
    restated,
    route_range,
)
from rescue.locate.clues import parse_clues
from rescue.locate.model import (
    Clues,
    Direction,
    LocateResult,
)
from rescue.locate.questions import TagMask, best_questions

if TYPE_CHECKING:
    from routes import RouteNetwork


__all__ = ["LocateIndex", "locate", "LOCAL_TZ", "MAX_CANDIDATES"]

#: a clue whose likelihood, averaged (in log) over the posterior, is below exp(-3) ≈ 5 %
#: of its best disagrees with the others; the posterior temperature is then multiplied
CONFLICT_LOG = -3.0
CONFLICT_TEMPER = 1.5
#: In a narrative, a landmark passed before the latest one is raised to this power (its
#: likelihood flattened): "we passed X, then Y, now…" — Y and the "now" count most.
EARLIER_LANDMARK_WEIGHT = 0.5


def locate(
    network: RouteNetwork,
    text: str,
    *,
    reported_at: datetime | None = None,
    direction: str | None = None,
    sparse: bool = True,
) -> LocateResult:
    """Where is the caller, given what they say?

    Parameters
    ----------
    network
        The region's route network.
    text
        The caller's description, as typed by the call taker (1-2,000 characters).
    reported_at
        When the call came in (aware, or naive = Asia/Shanghai); default now.
    direction
        ``"clockwise"`` or ``"counterclockwise"`` if known; otherwise the text
        decides, else both are weighed (85 % clockwise).
    sparse
        Keep the belief one bin at a time only near the clues (the same answer, see
        :class:`rescue.locate.belief.Window`); False: over every bin (the reference).

    Returns
    -------
    LocateResult
        Up to 10 candidate segments (probabilities summing to at most 1),
        the best follow-up questions, and the clues understood.

    Raises
    ------
    InvalidInput
        On empty or over-long text, an unknown direction or impossible coordinates.
    """
    if direction is not None and direction not in DIRECTION_PRIOR:
        raise InvalidInput(f"direction {direction!r} is not one of {', '.join(DIRECTION_PRIOR)}")
    if reported_at is None:
        reported_at = datetime.now(LOCAL_TZ)
    elif reported_at.tzinfo is None:
        reported_at = reported_at.replace(tzinfo=LOCAL_TZ)
    index = get_index(network)
    clues = parse_clues(
        text,
        names=index.names,
        reported_at=reported_at,
        direction=cast("Direction | None", direction),
        bbox=index.bbox,
    )
    seeds = _window_seeds(index, clues) if sparse else None
    while True:  # on the window of the clues, grown until the answer reads nothing folded
        q = index if seeds is None else _on_window(index, *seeds)
        result = _answer(q, text, clues)
        if not isinstance(q.bins, Window):
            return result
        routes, segments = q.bins.wanted
        if not routes and not segments:
            return result
        assert seeds is not None
        seeds = (seeds[0] | routes, seeds[1] | segments)


#: a window keeps every trail and road this close to a place a clue names (the widest
#: likelihood around a place reaches 4 sigma: "below X", 2 km + the place's uncertainty)
WINDOW_RADIUS_M = 9_000.0


def _window_seeds(index: LocateIndex, clues: Clues) -> tuple[set[int], set[int]] | None:
    """(routes, road segments) where the clues' likelihoods are not zero; None when a
    clue speaks of every bin but one elevation: then the belief is kept over all bins (one
    elevation is folded exactly, see ``BeliefState.apply_whole``; two would not be)."""
    if len(clues.elevations) > 1:
        return None
    clues = _disambiguate(index, clues)  # as the answer will read them
    mentions = [*clues.mentions, *(e.origin for e in clues.elapsed)]
    for rel in clues.relations:
        mentions += [rel.anchor] if rel.other is None else [rel.anchor, rel.other]
    # the places the likelihoods use (the best few of a name, every place of a generic
    # word); one they reach beyond the window grows it (Window.wanted)
    anchors = {a.place_id: a for m in mentions for a, _ in mention_anchors(m, index.anchors)}
    if any(not e.origin.place_ids for e in clues.elapsed):
        anchors |= {p: index.anchors[p] for p, _ in index.unsaid_starts}
    points, routes = [], set()
    for a in anchors.values():
        points.append((a.x, a.y, WINDOW_RADIUS_M))
        for r, _ in a.on_routes:
            routes |= {r, *(j for j, _ in index.junctions.get(r, ())[1:])}
    for c in clues.coordinates:
        x, y = index.network.to_metric.transform(c.lon, c.lat)
        points.append((x, y, 4.0 * (max(c.uncertainty_m, 30.0) + 40.0)))
    return window_seeds(index.bins, index.folds, points, sorted(routes))


def _on_window(index: LocateIndex, routes: set[int], segments: set[int]) -> LocateIndex:
    """``index`` over a window of its bins (itself when the window holds them all)."""
    masks = _masks(index)
    bins, on = window(index.bins, index.folds, [tm.mask for tm in masks], routes, segments)
    if bins is index.bins:
        return index
    q = copy.copy(index)
    q.bins = bins
    view = iter(TagMask(m, tm.weight) for m, tm in zip(on, masks, strict=True))
    q.tags = {t: next(view) for t in index.tags}
    q.features = tuple((t, pattern, next(view)) for t, pattern, _ in index.features)
    return q


def _answer(index: LocateIndex, text: str, clues: Clues) -> LocateResult:
    state = BeliefState.prior(index.bins)
    seen = _seen_features(index, text)
    if clues.empty and not seen:
        # never an empty answer: the honest prior over the routes and the best questions
        posterior = state.posterior(index.temperature)
        questions = best_questions(
            posterior, index.bins.segment, len(index.bins.segment_ids), index.tags
        )
        clues = replace(
            clues,
            notes=(
                *clues.notes,
                Said(msg("locate.nothing_said")),
            ),
        )
        return LocateResult(
            tuple(
                restated(
                    index, state, candidates_of(index, state, posterior), index.stated_temperature
                )
            ),
            tuple(questions),
            clues,
            route_range(index, posterior),
        )
    clues = _disambiguate(index, clues)
    route_prior = _route_prior(index, clues)
    state = BeliefState.prior(index.bins, route_prior)
    named = frozenset(
        i for i, r in enumerate(index.bins.route_ids) if route_prior.get(r) == NAMED_SIDE_PRIOR
    )
    _apply_clues(index, state, clues, named)
    for tag, word, tm in seen:
        state.apply(
            np.where(tm.mask, 1.0, 1.0 / tm.weight),
            msg("locate.ev_feature", word=word, feature=_tag_name(tag)),
        )
    raw = state.posterior()
    against = _conflicting(state, raw)
    if against:
        # conflicting clues are all kept, and the confidence stated is lowered
        clues = replace(
            clues,
            notes=(
                *clues.notes,
                Said(msg("locate.clues_disagree", clues=joined(against))),
            ),
        )
    posterior = state.posterior(index.temperature)
    candidates = candidates_of(index, state, posterior)
    if not clues.coordinates:
        # what a coordinate says is stated by its own uncertainty; text clues are stated
        # at the flatter stated temperature (fitted on the dev set)
        candidates = restated(index, state, candidates, index.stated_temperature)
    if against and candidates:
        # the order stays; every stated probability shrinks by what a flatter belief
        # gives the best segment (the rest is "somewhere else"), and the range widens
        posterior = state.posterior(index.temperature * CONFLICT_TEMPER)
        top = index.bins.segment_ids.index(candidates[0].segment_id)
        flatter = float(posterior[index.bins.segment == top].sum())
        stated_at_t = float(state.posterior(index.temperature)[index.bins.segment == top].sum())
        # the same share of what is stated as the flatter belief keeps of the sharp one
        shrink = min(1.0, flatter / stated_at_t) if stated_at_t > 0 else 1.0
        candidates = [replace(c, probability=c.probability * shrink) for c in candidates]
    range_80 = route_range(index, posterior, raw)
    if candidates and range_80 is not None:
        candidates[0] = at_route_median(index, candidates[0], range_80)
    asked = frozenset(s.tag for s in clues.sights)
    questions = best_questions(
        posterior, index.bins.segment, len(index.bins.segment_ids), index.tags, asked=asked
    )
    return LocateResult(tuple(candidates), tuple(questions), clues, range_80)


def _conflicting(state: BeliefState, raw: np.ndarray) -> list[Name]:
    """The clues the posterior mostly disagrees with (their quoted words, in both
    languages): where the belief lies, the clue's likelihood is under ``exp(CONFLICT_LOG)``
    of its best on average."""

    def quoted(words: str) -> str:
        return f"“{words.split('”')[0].lstrip('“')}”"

    return [
        Name(quoted(ev.text), quoted(ev.text_zh or ev.text))
        for ev in state.evidence
        if float((ev.log_likelihood * raw).sum()) < CONFLICT_LOG
    ]


def _route_prior(index: LocateIndex, clues: Clues) -> dict[str | None, float]:
    """The route prior, with the side paths the caller names lifted to a main route's.

    A side path (to a gompa) is named when a place that lies only on it is mentioned; not
    when the place only measures a walk ("we passed Dirapuk an hour ago", "2 km after X",
    "between X and Y", "we left X at 7"): walkers go on along the kora.
    """
    weights: dict[str | None, float] = dict(ROUTE_PRIOR)
    walked = {(e.origin.start, e.origin.end) for e in clues.elapsed}
    for rel in clues.relations:
        if rel.duration_s or rel.distance_m or rel.kind in ("between", "halfway"):
            walked |= {(m.start, m.end) for m in (rel.anchor, rel.other) if m is not None}
    for m in clues.mentions:
        if (m.start, m.end) in walked or (m.start, m.end) in clues.in_view:
            continue  # a walk's start or a place in view: not a side path the caller is on
        anchors = mention_anchors(m, index.anchors, limit=1)
        if not anchors:
            continue
        routes = [r for r, _ in anchors[0][0].on_routes]
        if routes and all(r not in index.main_routes for r in routes):
            for r in routes:
                weights[index.bins.route_ids[r]] = NAMED_SIDE_PRIOR
    return weights


def _directions(clues: Clues) -> dict[str, float]:
    return {clues.direction: 1.0} if clues.direction else dict(DIRECTION_PRIOR)


def _apply_clues(
    index: LocateIndex, state: BeliefState, clues: Clues, named: frozenset[int] = frozenset()
) -> None:
    """Each clue's likelihood into ``state``, kind by kind (the order is the evidence's)."""
    dirs = _directions(clues)
    _apply_relations(index, state, clues, dirs, named)
    _apply_mentions(index, state, clues)
    _apply_walks(index, state, clues, dirs, named)
    for ev in clues.elevations:  # over every bin, folded where the belief is (issue 18)
        state.apply_whole(
            gaussian(index.bins.network_bins.z - ev.elevation_m, max(ev.tolerance_m, 50.0)),
            msg(
                "locate.ev_said",
                said=ev.text,
                meaning=msg("locate.ev_elevation", elevation=f"{ev.elevation_m:,.0f}"),
            ),
        )
    if clues.coordinates:
        _apply_coordinates(index, state, clues)
    _apply_sights(index, state, clues)


def _apply_relations(
    index: LocateIndex,
    state: BeliefState,
    clues: Clues,
    dirs: dict[str, float],
    named: frozenset[int],
) -> None:
    """The relations ("past X", "between X and Y"); a landmark the story has since walked
    on from weighs less (``EARLIER_LANDMARK_WEIGHT``)."""
    latest = _latest_landmark(clues)
    for rel in clues.relations:
        if _indefinite(clues, rel.anchor) and _only_somewhere(rel, clues):
            continue  # "crossed the stream on a bridge": some bridge, the other clues say which
        lik = _relation_likelihood(index, rel, dirs, named)
        if lik is None:
            continue
        said = msg(
            "locate.ev_said", said=rel.text or rel.anchor.text, meaning=_relation_text(index, rel)
        )
        if latest is not None and _walked_on_from(rel, latest):
            # a landmark of the story that the caller has since walked on from
            top = float(np.max(lik)) if np.size(lik) else 0.0
            if top > 0:
                lik = (np.asarray(lik, dtype=float) / top) ** EARLIER_LANDMARK_WEIGHT
                said = msg("locate.ev_earlier", said=said)
        state.apply(_hedged(index, lik, _misread(index, rel.anchor, rel.other)), said)


def _apply_mentions(index: LocateIndex, state: BeliefState, clues: Clues) -> None:
    """The places named with no relation word: where the caller is (only the area when a
    relation or a walking time says more)."""
    implicit_sigma = 1500.0 if (clues.relations or clues.elapsed) else None
    related = {id(r.anchor) for r in clues.relations} | {
        id(r.other) for r in clues.relations if r.other
    }
    related |= {id(e.origin) for e in clues.elapsed}
    for m in clues.mentions:
        if any(m == r.anchor or m == r.other for r in clues.relations) or id(m) in related:
            continue
        if (m.feature is not None and _inside_sight(m, clues)) or (m.start, m.end) in clues.in_view:
            continue  # "we can't see the lake", "we can see Kailash": a view, not the place
        if any(m == e.origin for e in clues.elapsed):
            continue
        sigma = implicit_sigma or (300.0 if m.feature is None else 500.0)
        lik = _near(index, m, sigma_m=sigma)
        if lik is not None:
            state.apply(
                _hedged(index, lik, _misread(index, m)),
                msg("locate.ev_said", said=m.text, meaning=_names(index, m)),
            )


def _apply_walks(
    index: LocateIndex,
    state: BeliefState,
    clues: Clues,
    dirs: dict[str, float],
    named: frozenset[int],
) -> None:
    """The walking times from a place (or from the start not said), at the caller's own pace
    when two times give it, else at the tracks' paces."""
    for e in clues.elapsed:
        if not e.origin.place_ids and index.unsaid_starts:  # "we set off at 8:20"
            e = replace(e, origin=replace(e.origin, place_ids=index.unsaid_starts))
        own = _own_pace(index, e, clues.elapsed, dirs)  # issue 14: two times, own pace
        lik = _walked(
            index,
            e.origin,
            (e.elapsed_s, e.elapsed_s),
            dirs,
            spread=True,
            named=named,
            paces=own["paces"] if own else None,
        )
        if lik is not None:
            hours = e.elapsed_s / 3600.0
            speeds = _walk_speeds(own)
            state.apply(
                _hedged(index, lik, _misread(index, e.origin)),
                msg(
                    "locate.ev_said",
                    said=e.text,
                    meaning=msg(
                        "locate.ev_walked",
                        hours=f"{hours:.1f}",
                        origin=_names(index, e.origin),
                        speeds=speeds,
                    ),
                ),
            )


def _walk_speeds(own: dict[str, Any] | None) -> Msg:
    """The words for the paces a walking time is read at."""
    if own and own.get("model") == "eta_trees.two_times" and own.get("paces"):
        # the range on the same scale as the pace (the paces also carry the trip-length
        # median that walk() needs)
        scale = own["pace"] / own["paces"][1][0]
        return msg(
            "locate.own_pace_trees",
            factor=f"{own['pace']:.2f}",
            low=f"{own['paces'][0][0] * scale:.2f}",
            high=f"{own['paces'][2][0] * scale:.2f}",
        )
    if own:
        return msg("locate.own_pace", factor=f"{own['pace']:.2f}")
    return msg("locate.track_speeds")


def _apply_coordinates(index: LocateIndex, state: BeliefState, clues: Clues) -> None:
    """The coordinates: every reading weighed, the first (most likely) one twice."""
    b = index.bins
    parts = []
    for i, c in enumerate(clues.coordinates):
        x, y = index.network.to_metric.transform(c.lon, c.lat)
        sigma = max(c.uncertainty_m, 30.0) + 40.0
        parts.append((1.0 if i == 0 else 0.5, b.near(x, y, sigma)))
    near = mixture(parts)
    assert near is not None  # one part per coordinate, and there is one
    first = clues.coordinates[0]
    x, y = index.network.to_metric.transform(first.lon, first.lat)
    off = b.nearest_m(x, y)
    others = len(clues.coordinates) - 1
    state.apply(
        near,
        joined(
            [
                msg(
                    "locate.ev_said",
                    said=first.text,
                    meaning=msg(
                        "locate.ev_coordinates",
                        lat=f"{first.lat:.5f}",
                        lon=f"{first.lon:.5f}",
                        label=first.label,
                        off=f"{off:,.0f}",
                    ),
                ),
                *([msg("locate.ev_readings", count=others)] if others else []),
            ]
        ),
    )


def _apply_sights(index: LocateIndex, state: BeliefState, clues: Clues) -> None:
    """What the caller sees or feels (or does not): the tag's mask, flipped uphill/downhill
    for a counterclockwise walker."""
    backwards = clues.direction == "counterclockwise"
    for s in clues.sights:
        tag = s.tag
        if backwards and tag in _SLOPE_FLIP:  # the masks are for walking clockwise
            tag = _SLOPE_FLIP[tag]
        tm = index.tags.get(tag)
        if tm is None:
            continue
        inside, outside = (1.0 / tm.weight, 1.0) if s.negated else (1.0, 1.0 / tm.weight)
        state.apply(
            np.where(tm.mask, inside, outside),
            msg(
                "locate.ev_not_sight" if s.negated else "locate.ev_sight",
                word=s.text,
                sight=_tag_name(s.tag),
            ),
        )
