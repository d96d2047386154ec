"""The likelihood of each kind of clue over the bins: names, relations, walks and slopes.

What one clue says about where the caller is: near a named place, past / before / between
places, a walk of some time or distance from a place at the caller's or the usual pace
(:func:`_walked`, :func:`_own_pace`), lower than a place, a tag's sight; and how much of
it to hedge (a misread name, an indefinite feature word, a place only seen).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from geodata.errors import InvalidInput
from geodata.i18n import Msg, Name, catalog, msg, render, text
from rescue.locate._index import (
    LocateIndex,
)
from rescue.locate.belief import (
    Anchor,
    Mixture,
    Sparse,
    along_part,
    amount_text,
    describe_relation,
    gaussian,
    mention_anchors,
    mixture,
)
from rescue.locate.clues import UNSAID_START
from rescue.locate.model import (
    Clues,
    ElapsedTime,
    Mention,
    Relation,
)
from rescue.locate.questions import TagMask

if TYPE_CHECKING:
    pass

#: "N km from X" with no before/after: the share of callers who have passed X
FROM_PAST_SHARE = 0.7
#: default spread of "past X" with no amount: most such callers are within a few km
PAST_SCALE_KM = 6.0
#: "before X" with no amount ("还没到X", "walking to X"): a share of callers within a few km
#: (the next landmark), the rest spread over a day's walk (km); fitted on the real-text dev
#: set (issue 13), checked against the team-written set
BEFORE_NEAR_SHARE = 0.7
BEFORE_NEAR_KM = 3.0
BEFORE_FAR_KM = 9.0
#: "a bridge", "an iron bridge", "一座桥": some instance of a feature, maybe one the
#: gazetteer does not list (planks over a stream): the other places named do not pick
#: among its instances, and beside them it does not place the caller
_INDEFINITE_BEFORE = re.compile(
    r"(?:\b(?:a|an|some|another)\s+(?:[a-z]+\s+)?|(?<!第)(?<!最后)(?:一|某)(?:个|座|处|条|道)?)$",
    re.IGNORECASE,
)
_PASSED_KINDS = frozenset({"at", "near", "past", "after", "down_from"})


def _misread(index: LocateIndex, *mentions: Mention | None) -> float:
    """The chance that one of ``mentions`` read by sound or spelling is a misread: for
    each, ``1 - score`` of its best place (at least ``index.misread_share``); 0 for
    names written as the gazetteer has them."""
    share = 0.0
    for m in mentions:
        if m is None or m.feature is not None or not m.place_ids:
            continue
        best = max(s for _, s in m.place_ids)
        floor = index.misread_share if m.read_as is not None else 0.0
        share = max(share, min(0.9, max(floor, 1.0 - best)))
    return share


def _indefinite(clues: Clues, m: Mention) -> bool:
    """Whether ``m`` is a feature word said with an indefinite article ("on a bridge",
    "一座桥"): some instance of the feature, not a named one."""
    return m.feature is not None and bool(
        _INDEFINITE_BEFORE.search(clues.text[max(0, m.start - 24) : m.start])
    )


def _only_somewhere(rel: Relation, clues: Clues) -> bool:
    """Whether ``rel`` only says "at" or "near" some instance of a feature, with other
    clues that place the caller (relations to other places, a walking time)."""
    if rel.kind not in ("at", "near") or rel.distance_m or rel.duration_s or rel.other:
        return False
    return bool(clues.elapsed) or any(r.anchor.feature is None for r in clues.relations)


def _hedged(index: LocateIndex, lik: np.ndarray, share: float) -> np.ndarray:
    """``lik`` mixed with a flat share ``share`` (a possibly misread name): the mixture
    ``(1 - share) * lik / mean + share``, ``mean`` weighted by the bins' length as
    :meth:`BeliefState.apply` weighs it, so ``apply`` keeps it as it is."""
    if share <= 0.0:
        return lik
    lik = np.maximum(np.nan_to_num(np.asarray(lik, dtype=float), nan=0.0), 0.0)
    length = index.bins.length_m
    if index.bins.count is not None:
        length = length * index.bins.count
    mean = float((lik * length).sum() / length.sum())
    if not np.isfinite(mean) or mean <= 0.0:
        return lik
    return (1.0 - share) * lik / mean + share


def _seen_features(index: LocateIndex, text: str) -> list[tuple[str, str, TagMask]]:
    """The catalogue features the text mentions: (id, the words, where it holds)."""
    folded = text.lower()
    out = []
    for tag, pattern, tm in index.features:
        m = pattern.search(folded)
        if m is not None:
            out.append((tag, text[m.start() : m.end()], tm))
    return out


_SLOPE_FLIP = {"uphill": "downhill", "downhill": "uphill"}


def _tag_name(tag: str) -> Name:
    """A sight tag or route feature as evidence names it, in both languages (the catalog's
    ``locate.tag.<tag>``; a tag without one is said in English in both)."""
    english = tag.replace("_", " ")
    key = f"locate.tag.{tag}"
    return Name(english, render(key, "zh") if key in catalog() else None)


def _latest_landmark(clues: Clues) -> Mention | None:
    """The story's latest landmark, when the caller names two or more places in order
    ("we passed X, then Y, now…"; "过了X又走了…到了Y"): the last one said, where the caller
    is now or has last been. None with fewer than two different places, or when the last
    one is where they are heading ("…, walking towards Y"): that says nothing about which
    of the earlier ones is the latest. A feature word ("a bridge", "the tea tent") is no
    landmark of the story: it names many places, and "half a mile from our rooms at X, we
    crossed the stream on a bridge" still counts from X."""
    said: list[tuple[int, Mention, str]] = [
        (r.anchor.start, r.anchor, r.kind)
        for r in clues.relations
        if r.anchor.place_ids and r.anchor.feature is None
    ]
    said += [
        (e.origin.start, e.origin, "past")
        for e in clues.elapsed
        if e.origin.place_ids and e.origin.feature is None
    ]
    if len({m.place_ids[0][0] for _, m, _ in said}) < 2:
        return None
    _, last, kind = max(said, key=lambda item: item[0])
    return last if kind in _PASSED_KINDS else None


def _walked_on_from(rel: Relation, latest: Mention) -> bool:
    """Whether ``rel`` is a landmark the caller has since walked on from: passed or been at
    (a distance or time from it, too: "过了X又走了6公里，到了Y"), said before the latest
    landmark, and another place."""
    return (
        rel.kind in _PASSED_KINDS
        and rel.anchor.start < latest.start
        and rel.anchor.place_ids[:1] != latest.place_ids[:1]
    )


def _inside_sight(m: Mention, clues: Clues) -> bool:
    """Whether a feature word is part of what the caller sees (not where they are)."""
    for sight in clues.sights:
        if sight.start >= 0 and sight.start <= m.start and m.end <= sight.end:
            return True
        if sight.start < 0 and m.text and m.text in sight.text:
            return True
    return False


def _names(index: LocateIndex, m: Mention) -> Name:
    anchors = mention_anchors(m, index.anchors, limit=3)
    if not anchors:
        return Name(m.feature or m.text)
    shown = ", ".join(f"{a.name_en} ({a.name_zh})" for a, _ in anchors[:2])
    shown_zh = "、".join(a.name_zh or a.name_en for a, _ in anchors[:2])
    more = len(m.place_ids) - 2
    read = f" [read as “{m.read_as}”]" if m.read_as else ""
    read_zh = f"［读作“{m.read_as}”］" if m.read_as else ""
    if more > 0:
        return Name(
            shown + f" +{more} more" + read,
            shown_zh + render("locate.more", "zh", count=more) + read_zh,
        )
    return Name(shown + read, shown_zh + read_zh)


def _relation_text(index: LocateIndex, rel: Relation) -> Msg | str:
    other = msg("locate.and", names=_names(index, rel.other)) if rel.other else ""
    anchor = _names(index, rel.anchor)
    if f"rel.{rel.kind}" not in catalog():
        return f"{amount_text(rel)}{describe_relation(rel)} {anchor.en}{text(other)}"
    return msg(f"rel.{rel.kind}", amount=amount_text(rel), anchor=anchor, other=other)


def _near(index: LocateIndex, m: Mention, *, sigma_m: float) -> np.ndarray | None:
    parts = Mixture()  # summed as they come: a generic word may mean hundreds of places
    for a, w in mention_anchors(m, index.anchors):
        parts.append((w, index.bins.near_part(a.x, a.y, sigma_m + a.uncertainty_m)))
    return mixture(parts)


def _walk_km(
    index: LocateIndex, route: int, km: float, dur_s: float, forward: bool, pace: float
) -> float:
    """Km walked (in the walking direction) from ``km`` in ``dur_s`` at ``pace``."""
    rid = index.bins.route_ids[route]
    direction = "clockwise" if forward else "counterclockwise"
    res = index.network.walk(
        rid, km, max(dur_s, 0.0), direction=direction, pace=pace, stops="landmarks"
    )
    length = index.bins.route_length_km[route]
    d = (res.position.km - km) if forward else (km - res.position.km)
    if index.bins.route_loop[route]:
        d %= length
        # a walk longer than the circuit ends where it began: nobody walks on into a second
        # round ("left Darchen at 4:30, doing it in a day, it is 9 pm now")
        if max(dur_s, 0.0) >= _lap_s(index, route, km, forward) * pace:
            d = float(length)
    return float(d)


def _lap_s(index: LocateIndex, route: int, km: float, forward: bool) -> float:
    """The median walker's time once round the loop ``route`` from ``km`` (cached)."""
    cache = index.laps
    key = (route, round(km, 3), forward)
    if key not in cache:
        length = float(index.bins.route_length_km[route])
        back = (km - 0.01) % length if forward else (km + 0.01) % length
        cache[key] = index.network.walk_time_s(
            index.bins.route_ids[route],
            km,
            back,
            direction="clockwise" if forward else "counterclockwise",
            stops="landmarks",
        )
    return cache[key]


def _own_pace(
    index: LocateIndex,
    e: ElapsedTime,
    elapsed: Sequence[ElapsedTime],
    dirs: Mapping[str, float],
) -> dict[str, Any] | None:
    """The walker's own pace (``routes``' :meth:`RouteNetwork.own_pace`) when the call gives
    an earlier passage too ("left Darchen at 8, passed Chuku at 11"): the best-named place
    of each, on a shared main route, the short way round between them; ``None`` otherwise."""
    before = [a for a in elapsed if a.departed_at < e.departed_at and a.origin != e.origin]
    if not before:
        return None
    a = max(before, key=lambda x: x.departed_at)
    first = mention_anchors(a.origin, index.anchors, limit=1)
    then = mention_anchors(e.origin, index.anchors, limit=1)
    if not first or not then:
        return None
    routes = dict(_walk_routes(index, first[0][0]))
    found = []
    for route, km in _walk_routes(index, then[0][0]):
        if route in routes and route in index.main_routes:
            for direction in dirs:
                try:
                    found.append(
                        index.network.own_pace(
                            index.bins.route_ids[route],
                            routes[route],
                            km,
                            (e.departed_at - a.departed_at).total_seconds(),
                            direction=direction,
                            walk_s=e.elapsed_s,
                            clock_h=e.departed_at.hour + e.departed_at.minute / 60.0,
                        )
                    )
                except InvalidInput:
                    continue
    return min(found, key=lambda o: o["median_elapsed_s"]) if found else None


def _walked(
    index: LocateIndex,
    origin: Mention,
    duration_s: tuple[float, float],
    dirs: Mapping[str, float],
    *,
    spread: bool,
    sign: float = 1.0,
    named: frozenset[int] = frozenset(),
    paces: Sequence[tuple[float, float]] | None = None,
) -> np.ndarray | None:
    """Where walkers are ``duration_s`` after ``origin`` (before it if ``sign`` < 0)."""
    b = index.bins
    parts = Mixture()  # summed as they come: many places, little memory
    lo, hi = duration_s
    # a walking time is only as good as its start: keep the places the words clearly name
    anchors = mention_anchors(origin, index.anchors, limit=3)
    best = max((w for _, w in anchors), default=0.0)
    if origin.text != UNSAID_START:  # the region's usual starts are all kept, by weight
        anchors = [(a, w) for a, w in anchors if w >= 0.9 * best]
    for a, w in anchors:
        for route, km in _walk_routes(index, a, named):
            for direction, wd in dirs.items():
                forward = (direction == "clockwise") == (sign > 0)
                idx, delta = along_part(b, route, km, forward=forward)
                kms = []
                for pace, wp in (paces or index.paces) if spread else [(1.0, 1.0)]:
                    for dur in {lo, hi}:
                        kms.append((_walk_km(index, route, km, dur, forward, pace), wp))
                spread_km = max(k for k, _ in kms) - min(k for k, _ in kms)
                sigma = max(0.3, spread_km / 6.0)
                lik = np.zeros_like(delta, dtype=float)
                loop = float(b.route_length_km[route]) if b.route_loop[route] else None
                for k, wp in kms:
                    off = delta - k
                    if loop is not None:  # round the loop: delta lies in (-L/2, L/2]
                        off = (off + loop / 2.0) % loop - loop / 2.0
                    lik += wp * gaussian(off, sigma)
                parts.append((w * wd, Sparse(idx, lik, len(b))))
    return mixture(parts)


def _relation_likelihood(
    index: LocateIndex,
    rel: Relation,
    dirs: Mapping[str, float],
    named: frozenset[int] = frozenset(),
) -> np.ndarray | None:
    kind = rel.kind
    if kind in ("at", "near") and rel.distance_m:
        # "4 km from Darchen": that far along the kora from it, most likely already past it
        past = _ahead(index, rel, dirs, 1.0, named)
        before = _ahead(index, rel, dirs, -1.0, named)
        parts = [(w, lik) for w, lik in ((FROM_PAST_SHARE, past), (1 - FROM_PAST_SHARE, before))]
        return mixture([(w, lik) for w, lik in parts if lik is not None])
    if kind in ("at", "near"):
        return _near(index, rel.anchor, sigma_m=150.0 if kind == "at" else 600.0)
    if kind in ("past", "after", "down_from", "before", "up_to"):
        sign = -1.0 if kind in ("before", "up_to") else 1.0
        if rel.duration_s:
            lik = _walked(
                index, rel.anchor, rel.duration_s, dirs, spread=True, sign=sign, named=named
            )
        else:
            lik = _ahead(index, rel, dirs, sign, named)
        if lik is not None and kind in ("down_from", "up_to"):
            lik = lik * _lower_than(index, rel.anchor)
        return lik
    if kind in ("between", "halfway") and rel.other is not None:
        return _between(index, rel, halfway=kind == "halfway", named=named)
    if kind in ("below", "above"):
        return _vertical(index, rel)
    if kind == "across_river":
        near = _near(index, rel.anchor, sigma_m=700.0)
        return None if near is None else near
    return _near(index, rel.anchor, sigma_m=600.0)


def _vertical(index: LocateIndex, rel: Relation) -> np.ndarray | None:
    """ "below X" / "above X": nearby and lower (higher) than X. "just below X" (a short
    distance said) is that close to X on either side, the lower side more likely: the
    ground right by a place is rarely much lower or higher than the place itself."""
    if rel.distance_m:
        near = _near(index, rel.anchor, sigma_m=max(rel.distance_m[1], 300.0))
        soft = VERTICAL_SHORT_SOFT
    else:
        near = _near(index, rel.anchor, sigma_m=2000.0)
        soft = 0.0
    if near is None:
        return None
    rel_z = _lower_than(index, rel.anchor)
    side = rel_z if rel.kind == "below" else 1.0 - 0.9 * rel_z
    return near * (soft + (1.0 - soft) * side)


#: "just below X": the weight the other side of X keeps (the slope right by X is gentle)
VERTICAL_SHORT_SOFT = 0.4


def _lower_than(index: LocateIndex, m: Mention) -> np.ndarray:
    anchors = mention_anchors(m, index.anchors, limit=3)
    if not anchors:
        return np.ones(len(index.bins))
    z0 = sum(a.elevation_m * w for a, w in anchors)
    return 1.0 / (1.0 + np.exp((index.bins.z - (z0 - 30.0)) / 15.0))


def _ahead(
    index: LocateIndex,
    rel: Relation,
    dirs: Mapping[str, float],
    sign: float,
    named: frozenset[int] = frozenset(),
) -> np.ndarray | None:
    b = index.bins
    parts = Mixture()  # summed as they come: many places, little memory
    for a, w in mention_anchors(rel.anchor, index.anchors, limit=4):
        if not a.on_routes:
            parts.append((w * 0.5, b.near_part(a.x, a.y, 1500.0)))
            continue
        for route, km in _walk_routes(index, a, named):
            for direction, wd in dirs.items():
                forward = (direction == "clockwise") == (sign > 0)
                idx, delta = along_part(b, route, km, forward=forward)
                if rel.distance_m:
                    lo, hi = (v / 1000.0 for v in rel.distance_m)
                    mid, half = (lo + hi) / 2.0, (hi - lo) / 2.0
                    lik = gaussian(np.maximum(np.abs(delta - mid) - half, 0.0), 0.25)
                else:
                    lik = _beyond(delta, sign)
                parts.append((w * wd, Sparse(idx, lik, len(b))))
    return mixture(parts)


def _beyond(delta: np.ndarray, sign: float) -> np.ndarray:
    """How likely the caller is ``delta`` km past (``sign`` > 0) or before (``sign`` < 0) a
    place said with no amount, 1 at the place: "past X" fades over ``PAST_SCALE_KM``; "not
    yet at X", "walking to X" mostly means the next landmark, a few km ahead
    (``BEFORE_NEAR_KM``), with an honest tail for a far goal (``BEFORE_FAR_KM``)."""
    d = np.maximum(delta, 0.0)
    if sign > 0:
        lik = np.exp(-d / PAST_SCALE_KM)
    else:
        w, near, far = BEFORE_NEAR_SHARE, BEFORE_NEAR_KM, BEFORE_FAR_KM
        lik = (w / near * np.exp(-d / near) + (1 - w) / far * np.exp(-d / far)) / (
            w / near + (1 - w) / far
        )
    return np.where(delta >= -0.05, lik, 0.0)


def _between(
    index: LocateIndex, rel: Relation, *, halfway: bool, named: frozenset[int] = frozenset()
) -> np.ndarray | None:
    b = index.bins
    assert rel.other is not None
    parts = Mixture()  # summed as they come: many places, little memory
    for a, wa in mention_anchors(rel.anchor, index.anchors, limit=3):
        for c, wc in mention_anchors(rel.other, index.anchors, limit=3):
            for route, km_a in _walk_routes(index, a, named):
                km_c = dict(_walk_routes(index, c, named)).get(route)
                if km_c is None:
                    continue
                # the stretch between them: the shorter way round a loop
                length = b.route_length_km[route]
                fwd = (km_c - km_a) % length if b.route_loop[route] else km_c - km_a
                forward = fwd >= 0 and (not b.route_loop[route] or fwd <= length / 2)
                span = fwd if forward else (length - fwd if b.route_loop[route] else -fwd)
                idx, delta = along_part(b, route, km_a, forward=forward)
                if halfway:
                    lik = gaussian(delta - span / 2.0, max(0.3, 0.15 * span))
                else:
                    outside = np.maximum(np.maximum(-delta, delta - span), 0.0)
                    lik = gaussian(outside, 0.3)
                parts.append((wa * wc, Sparse(idx, lik, len(b))))
            if not parts:  # not on one route: around the straight middle
                mx, my = (a.x + c.x) / 2.0, (a.y + c.y) / 2.0
                half = float(np.hypot(a.x - c.x, a.y - c.y)) / 2.0
                parts.append((wa * wc * 0.5, b.near_part(mx, my, max(half, 500.0))))
    return mixture(parts)


def _walk_routes(
    index: LocateIndex, a: Anchor, named: frozenset[int] = frozenset()
) -> tuple[tuple[int, float], ...]:
    """Where a walk from (or to) a place runs: its main routes and the side paths the
    caller named; for a place only on an unnamed side path, the main route where the path
    joins it (walkers go on along the kora)."""
    main = tuple((r, k) for r, k in a.on_routes if r in index.main_routes or r in named)
    if main:
        return main
    out: list[tuple[int, float]] = []
    for r, _k in a.on_routes:
        out += [j for j in index.junctions.get(r, ())[1:] if j not in out]
    return tuple(out) or a.on_routes
