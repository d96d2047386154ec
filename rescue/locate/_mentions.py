"""Which place a mention is: settling ambiguous mentions before any clue is weighed.

A feature placed by a named place ("the tea tent below the pass", "the first teahouse after
the pass", "垭口下面的茶棚") is narrowed to its places on that side or to the n-th after it;
a mention whose candidates lie close together, or of which one is clearly placed by the
other clues, is taken for that one (:func:`_disambiguate`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from rescue.locate._index import (
    LocateIndex,
)
from rescue.locate._likelihoods import (
    _indefinite,
    _walk_routes,
)
from rescue.locate.belief import (
    Anchor,
)
from rescue.locate.model import (
    Clues,
    Mention,
)

if TYPE_CHECKING:
    pass

#: candidates of a mention all within this of the best one make it unambiguous
CLEAR_SPREAD_M = 500.0
#: a feature placed by a named place: "the tea tent below the pass" (feature first) …
_SIDE_AFTER_EN = {
    "below": re.compile(r"\s+(?:just\s+)?(?:below|beneath|under|down\s+from)\s+(?:the\s+)?"),
    "above": re.compile(r"\s+(?:just\s+)?(?:above|up\s+from)\s+(?:the\s+)?"),
}
#: … "垭口下面的茶棚" (place first)
_SIDE_BEFORE_ZH = {
    "below": re.compile(r"(?:的)?(?:下面|下边|下方|底下|下头)(?:的)?(?:那个|这个|那|一个)?"),
    "above": re.compile(r"(?:的)?(?:上面|上边|上方)(?:的)?(?:那个|这个|那|一个)?"),
}
#: a feature on the named side lies within this of the place, at least SIDE_RISE_M lower
#: (below) or higher (above)
SIDE_RANGE_M = 5000.0
SIDE_RISE_M = 30.0
#: the n-th place of a feature counted from a named place in the walking direction: "the
#: first teahouse after the pass" (ordinal, feature, place) …
_ORDINAL_NUMBERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}
_COUNTED_BEFORE_EN = re.compile(r"\b(?P<o>first|1st|second|2nd|third|3rd)\s+$", re.IGNORECASE)
_COUNTED_AFTER_EN = re.compile(r"\s+(?:after|past|beyond)\s+(?:the\s+)?")
#: … "过了垭口后的第一个茶棚" (place, ordinal, feature)
_COUNTED_ZH = re.compile(r"(?:以后|之后|后面|后)的?第(?P<o>[一二三123])(?:个|座|处|家)?")
_ZH_ORDINAL = {"一": 1, "二": 2, "三": 3, "1": 1, "2": 2, "3": 3}
#: the other places of a counted or placed feature keep this share of their score
PLACED_OTHERS = 0.1


def _placed_features(index: LocateIndex, clues: Clues) -> Clues:
    """Narrow a feature word by the named place it is placed by: "the tea tent below the
    pass" / "垭口下面的茶棚" (its places on that side, within :data:`SIDE_RANGE_M`), "the
    first teahouse after the pass" / "过了垭口后的第一个茶棚" (the n-th of its places after
    the place in the walking direction; clockwise unless the caller says otherwise)."""
    text = clues.text
    ms = sorted(clues.mentions, key=lambda m: m.start)
    changed: dict[tuple[int, int], Mention] = {}
    for a, b in zip(ms, ms[1:], strict=False):
        for feat, place, side, n in _placements(text, a, b):
            tops = [p for p, _ in place.place_ids if p in index.anchors]
            if not tops or len(feat.place_ids) < 2:
                continue
            x = index.anchors[tops[0]]
            if side == "after":
                keep = _nth_ahead(index, feat, x, n, clues.direction)
            else:
                keep = _on_side(index, feat, x, side)
            if not keep:
                continue
            scored = sorted(
                ((p, sc if p in keep else sc * PLACED_OTHERS) for p, sc in feat.place_ids),
                key=lambda t: -t[1],
            )
            top = scored[0][1] or 1.0
            changed[(feat.start, feat.end)] = replace(
                feat, place_ids=tuple((p, sc / top) for p, sc in scored)
            )
    return _swap_mentions(clues, changed)


def _placements(text: str, a: Mention, b: Mention) -> list[tuple[Mention, Mention, str, int]]:
    """How the words between two neighbouring mentions place a feature by a place:
    (feature, place, side, n), n the ordinal of "the first … after" (0 for a side)."""
    gap = text[a.end : b.start]
    pairs: list[tuple[Mention, Mention, str, int]] = []
    if a.feature is not None:
        for side, pat in _SIDE_AFTER_EN.items():
            if pat.fullmatch(gap):
                pairs.append((a, b, side, 0))
        om = _COUNTED_BEFORE_EN.search(text[max(0, a.start - 12) : a.start])
        if om and _COUNTED_AFTER_EN.fullmatch(gap):
            pairs.append((a, b, "after", _ORDINAL_NUMBERS[om.group("o").lower()]))
    if b.feature is not None:
        for side, pat in _SIDE_BEFORE_ZH.items():
            if pat.fullmatch(gap):
                pairs.append((b, a, side, 0))
        zm = _COUNTED_ZH.fullmatch(gap)
        if zm:
            pairs.append((b, a, "after", _ZH_ORDINAL[zm.group("o")]))
    return pairs


def _nth_ahead(
    index: LocateIndex, feat: Mention, x: Anchor, n: int, direction: str | None
) -> list[str]:
    """The n-th of the feature's places after ``x`` in the walking direction (none if
    there are fewer)."""
    routes = dict(_walk_routes(index, x))
    sign = -1.0 if direction == "counterclockwise" else 1.0
    ahead = []
    for pid, _ in feat.place_ids:
        f = index.anchors.get(pid)
        if f is None:
            continue
        ks = [sign * (k - routes[r]) for r, k in f.on_routes if r in routes]
        if ks and max(ks) > 0:
            ahead.append((min(k for k in ks if k > 0), pid))
    ahead.sort()
    return [ahead[n - 1][1]] if len(ahead) >= n else []


def _on_side(index: LocateIndex, feat: Mention, x: Anchor, side: str) -> list[str]:
    """The feature's places above or below ``x`` (:data:`SIDE_RISE_M`), within
    :data:`SIDE_RANGE_M` of it."""
    keep: list[str] = []
    rise = SIDE_RISE_M if side == "above" else -SIDE_RISE_M
    for pid, _ in feat.place_ids:
        f = index.anchors.get(pid)
        if f is None or np.hypot(f.x - x.x, f.y - x.y) > SIDE_RANGE_M:
            continue
        if (f.elevation_m - x.elevation_m) * np.sign(rise) >= abs(rise):
            keep.append(pid)
    return keep


def _swap_mentions(clues: Clues, changed: dict[tuple[int, int], Mention]) -> Clues:
    """``clues`` with the mentions at the spans of ``changed`` replaced, wherever they are."""
    if not changed:
        return clues

    def swap(m: Mention) -> Mention:
        return changed.get((m.start, m.end), m)

    def swap_other(m: Mention | None) -> Mention | None:
        return None if m is None else swap(m)

    return replace(
        clues,
        mentions=tuple(swap(m) for m in clues.mentions),
        relations=tuple(
            replace(r, anchor=swap(r.anchor), other=swap_other(r.other)) for r in clues.relations
        ),
        elapsed=tuple(replace(e, origin=swap(e.origin)) for e in clues.elapsed),
    )


def _disambiguate(index: LocateIndex, clues: Clues) -> Clues:
    """Reweight the candidates of ambiguous mentions by closeness to the clear ones.

    "1 km before the supply point" next to "Medicine Buddha valley" means that
    valley's supply point; "the iron bridge after Zutulpuk" the bridge near
    Zutulpuk. A mention is clear when its best candidate leads the next by 1.5×; a
    place only in view is not used as a reference.
    """

    def clear(m: Mention) -> Anchor | None:
        ps = [(p, sc) for p, sc in m.place_ids if p in index.anchors]
        if not ps or m.feature is not None:
            return None
        top = index.anchors[ps[0][0]]
        rivals = [index.anchors[p] for p, sc in ps[1:] if sc * 1.5 > ps[0][1]]
        # rivals at the same spot (a supply point and its medical post) are no ambiguity
        if all(np.hypot(a.x - top.x, a.y - top.y) <= CLEAR_SPREAD_M for a in rivals):
            return top
        return None

    # a place only in view ("we can see the pass") is no reference point: it can be far off
    clues = _placed_features(index, clues)
    context = {
        (m.start, m.end): None if (m.start, m.end) in clues.in_view else clear(m)
        for m in clues.mentions
    }
    changed: dict[tuple[int, int], Mention] = {}
    for m in clues.mentions:
        if context[(m.start, m.end)] is not None or len(m.place_ids) < 2 or _indefinite(clues, m):
            continue
        others = [a for k, a in context.items() if a is not None and k != (m.start, m.end)]
        if not others:
            continue
        rescored = []
        for pid, score in m.place_ids:
            a = index.anchors.get(pid)
            if a is None:
                continue
            d = min(float(np.hypot(a.x - o.x, a.y - o.y)) for o in others)
            rescored.append((pid, score * (0.1 + np.exp(-d / 3000.0))))
        rescored.sort(key=lambda t: -t[1])
        top = rescored[0][1] if rescored else 1.0
        changed[(m.start, m.end)] = replace(m, place_ids=tuple((p, sc / top) for p, sc in rescored))
    return _swap_mentions(clues, changed)
