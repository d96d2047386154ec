"""Relation words around place mentions: "just past X", "between X and Y", "过了X大概3公里".

English puts the words before the name ("two hours before the pass"), Chinese
often after it ("卓玛拉山口下面", "X之后两个小时") or around it ("离X还有两个小时",
"从X下来"). Each mention gets at most one relation; an amount next to the words
("2 km", "大概20分钟") becomes its distance or duration range, and "just" / "刚"
a short distance. A mention with no relation words is left alone.

The words themselves (patterns, modifiers, amounts) are :mod:`rescue.locate._relation_words`;
this module reads them around each mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rescue.locate._doc import Doc
from rescue.locate._numbers import Amount, widen
from rescue.locate._relation_words import (
    _COMBO_ZH,
    _HALFWAY_AHEAD,
    _HEDGE_LEAD,
    _MOD_RANGE,
    _NEXT_LEAD,
    _NOT_EN,
    _ONLY_AMOUNT_TAIL,
    _PAIR_GAP_AND,
    _PAIR_GAP_TO,
    _PAIR_GAP_ZH,
    _PAIR_PATH_ZH,
    _PAIR_POST_EN,
    _PAIR_POST_ZH,
    _PAIR_PRE_EN,
    _PAIR_TOWARD_ZH,
    _PAIR_WALKED_ZH,
    _POST_EN,
    _POST_EN_AMOUNT_LEAD,
    _POST_EN_AMOUNT_TAIL,
    _POST_MOD,
    _POST_ZH,
    _PRE_EN,
    _PRE_EN_AMOUNT,
    _PRE_ZH,
    _STILL_EN,
    _VEHICLE,
    _WALKED_EN,
    ARRIVED,
    AWAY_HI,
    DEPARTURE_EN,
    DIRECTIONAL,
    FROM_POST_HI,
    JUST_M,
    NOT_FAR_M,
    ROAD_KM_ON_TRAIL,
    VEHICLE_SPEED_MS,
    WALK_ON,
    WALKED_HI,
)
from rescue.locate.model import RELATION_KINDS, Mention, Relation

__all__ = [
    "JUST_M",
    "NOT_FAR_M",
    "DIRECTIONAL",
    "DEPARTURE_EN",
    "WALK_ON",
    "find_relations",
    "relation",
]


def by_vehicle(doc: Doc, pos: int) -> bool:
    """Whether the clause holding ``pos`` says the time was spent in a vehicle."""
    start, end = doc.clause(pos)
    return _VEHICLE.search(doc.folded[start:end]) is not None


@dataclass
class _Found:
    """A relation being read: where its words are and what amount goes with it."""

    kind: str
    anchor: int
    start: int
    end: int
    amount: Amount | None = None
    mod: str | None = None
    other: int | None = None


def relation(
    doc: Doc,
    kind: str,
    anchor: Mention,
    start: int,
    end: int,
    amount: Amount | None = None,
    mod: str | None = None,
    other: Mention | None = None,
) -> Relation:
    """The :class:`Relation` for words from ``start`` to ``end`` of the text.

    An amount gives the distance or duration range; without one, a modifier
    ("just", "刚", "not far") gives a short distance for the kinds that take one.
    """
    assert kind in RELATION_KINDS, kind
    distance = duration = None
    if amount is not None:
        start, end = min(start, amount.start), max(end, amount.end)
        if amount.kind == "distance" and by_vehicle(doc, amount.start):
            # "8 km from Darchen by vehicle": km of road, which winds more than the trail
            distance = (amount.low * ROAD_KM_ON_TRAIL[0], amount.high * ROAD_KM_ON_TRAIL[1])
        elif amount.kind == "distance":
            distance = (amount.low, amount.high)
        elif by_vehicle(doc, amount.start):
            distance = (amount.low * VEHICLE_SPEED_MS[0], amount.high * VEHICLE_SPEED_MS[1])
        else:
            duration = (amount.low, amount.high)
    elif mod is not None:
        key = " ".join(mod.split())
        if key in _MOD_RANGE and kind not in ("at", "near", "between", "halfway"):
            distance = _MOD_RANGE[key]
        elif key == "not_far":
            distance = NOT_FAR_M
    return Relation(
        kind=kind,
        anchor=anchor,
        other=other,
        distance_m=distance,
        duration_s=duration,
        text=doc.span_text(start, end),
    )


@dataclass
class _PairWords:
    """The words around two neighbouring mentions ``i`` and ``j``, as :func:`_pair` reads them."""

    i: int
    j: int
    a_start: int
    b_end: int
    gap: str
    lo: int
    hi: int
    pre: str
    post: str  # after ``j``, without its leading space
    post_ws: int
    halfway: bool


def _pair(doc: Doc, i: int, j: int) -> list[_Found]:
    """Relations of mention ``i`` with the next one, ``j``, if the words join them."""
    a, b = doc.mentions[i], doc.mentions[j]
    if doc.clause(a.start) != doc.clause(b.start):
        return []
    gap = doc.scan[a.end : doc.head_start(j)]
    if len(gap) > 30 or ARRIVED.search(gap):
        return []
    lo, _, pre, _ = doc.around(i)
    _, hi, _, post = doc.around(j)
    ahead = doc.scan[b.end : b.end + 40]  # "from X to Y, halfway" / "…，车坏在半路上了"
    w = _PairWords(
        i,
        j,
        a.start,
        b.end,
        gap,
        lo,
        hi,
        pre,
        post.lstrip(),
        len(post) - len(post.lstrip()),
        _HALFWAY_AHEAD.search(ahead) is not None,
    )
    return _pair_en(w) or _pair_zh(doc, w)


def _pair_en(w: _PairWords) -> list[_Found]:
    """ "between X and Y", "from X to Y, halfway", "X and Y are behind us"."""
    for kind, pre_re, gap_re in _PAIR_PRE_EN:
        pm = pre_re.search(w.pre)
        if pm and gap_re.match(w.gap):
            kind = "halfway" if w.halfway and kind == "between" else kind
            return [_Found(kind, w.i, w.lo + pm.start(), w.b_end, other=w.j)]
    if _PAIR_GAP_AND.match(w.gap) or _PAIR_GAP_TO.match(w.gap):
        for kind, post_re in _PAIR_POST_EN:
            qm = post_re.match(w.post)
            if qm:
                end = w.b_end + w.post_ws + qm.end()
                return [_Found(kind, w.i, w.a_start, end, other=w.j)]
    return []


def _pair_zh(doc: Doc, w: _PairWords) -> list[_Found]:
    """ "X和Y之间", "从X往Y走，大概走了一半", "从X往Y方向走了三个小时"."""
    g = w.gap.strip()
    if not _PAIR_GAP_ZH.match(g):
        return []
    zm = re.search(r"(?:在|从|自|由|位于|处于)\s*$", w.pre)
    start = w.lo + zm.start() if zm else w.a_start
    for kind, post_re in _PAIR_POST_ZH:
        qm = post_re.match(w.post)
        if qm:
            return [_Found(kind, w.i, start, w.b_end + w.post_ws + qm.end(), other=w.j)]
    if g[:1] not in _PAIR_TOWARD_ZH:
        return []
    from_words = zm is not None and zm.group(0).strip() in ("从", "自", "由")
    if not (from_words or _PAIR_PATH_ZH.match(w.post)):
        return []
    if w.halfway:  # "从药师佛沟往尊珠寺走，大概走了一半"
        return [_Found("halfway", w.i, start, w.b_end, other=w.j)]
    walked = _pair_walked_zh(doc, w, start)
    if walked:
        return walked
    return [_Found("between", w.i, start, w.b_end, other=w.j)]


def _pair_walked_zh(doc: Doc, w: _PairWords, start: int) -> list[_Found]:
    """ "从吉乌寺往霍尔方向走了三个小时": that far from X, heading for Y."""
    walked = _PAIR_WALKED_ZH.match(w.post)
    if not walked:
        return []
    end = w.b_end + w.post_ws + walked.end()
    amount = doc.amount_after(end, w.hi)
    if amount is None:
        return []
    return [_Found("after", w.i, start, end, amount), _Found("before", w.j, start, end)]


@dataclass
class _Around:
    """The words around one mention ``i``, as :func:`_single` reads them."""

    i: int
    m: Mention
    lo: int
    hi: int
    pre: str
    post: str  # without its leading space
    post_ws: int


@dataclass
class _Cue:
    """Relation words before a mention: kind "none" says the mention has no relation."""

    kind: str
    start: int
    mod: str | None = None
    zh: bool = False


#: what a step of :func:`_single` returns when the words rule out any relation
_NO_RELATION = _Found("none", -1, -1, -1)


def _single(doc: Doc, i: int) -> _Found | None:
    """The relation words around mention ``i``, if any."""
    m = doc.mentions[i]
    lo, hi, pre, post = doc.around(i)
    if DEPARTURE_EN.search(pre):
        return None  # "left X": a walking time (or "after X"), read in ``clues``
    w = _Around(i, m, lo, hi, pre, post.lstrip(), len(post) - len(post.lstrip()))
    found = _combo_zh(doc, w) or _from_post_hi(doc, w)
    if found is None:
        found = _pre_amount_en(doc, w)
    if found is None:
        found = _from_cues(doc, w)
    return None if found is _NO_RELATION else found


def _combo_zh(doc: Doc, w: _Around) -> _Found | None:
    """Chinese words on both sides: "离X还有大概两个小时", "从X下来"."""
    pre_zh_text = w.pre.rstrip()
    for kind, pre_re, post_re, need in _COMBO_ZH:
        pm, qm = pre_re.search(pre_zh_text), post_re.match(w.post)
        if not (pm and qm):
            continue
        # "离X还有大概两个小时" / "离X大概还有两个小时": the amount may swallow the words
        end = w.m.end + w.post_ws + qm.end()
        amount = doc.amount_after(w.m.end if need == "amount" else end, w.hi)
        if need == "amount" and amount is None:
            continue
        return _Found(kind, w.i, w.lo + pm.start(), end, amount, need or None)
    return None


def _from_post_hi(doc: Doc, w: _Around) -> _Found | None:
    """Hindi "X से 10 किमी" / "X se 12 km" (from X): that far on from X when walked ("चल
    चुके", "chale"), that far either side of it otherwise; "X अभी दो किमी दूर है": before X."""
    fm = FROM_POST_HI.match(w.post)
    if fm is None:
        return None
    end = w.m.end + w.post_ws + fm.end()
    amount = doc.amount_after(end, w.hi)
    if amount is None:
        return None
    tail = doc.scan[amount.end : w.hi]
    away = AWAY_HI.match(tail)
    if away:  # "डेरापुक अभी दो किमी दूर है", "X abhi 2 km door": still that far before X
        return _Found("before", w.i, w.m.start, amount.end + away.end(), amount)
    if fm.group("w") not in ("से", "se"):
        doc.used_amounts.discard(doc.amounts.index(amount))
        return None  # "X 2 km …" with neither "from" nor "away": not read here
    kind = "after" if WALKED_HI.match(tail) else "near"
    return _Found(kind, w.i, w.m.start, end, amount)


def _pre_amount_en(doc: Doc, w: _Around) -> _Found | None:
    """English words that need an amount before them: "2 km before X", "3 hours from X"."""
    for kind, pre_re in _PRE_EN_AMOUNT:
        pm = pre_re.search(w.pre)
        if not pm:
            continue
        amount = doc.amount_before(w.lo + pm.start(), w.lo)
        if amount is None:
            continue
        if kind == "near":
            return _amount_from(doc, w, pm.start(), amount)
        return _Found(kind, w.i, w.lo + pm.start(), w.m.end, amount)
    return None


#: a slope word between an amount and "from": "an hour down from X", "2 km up from X"
_SLOPE_GAP_EN = re.compile(r"\b(?:down|up)\b")


def _amount_from(doc: Doc, w: _Around, cue: int, amount: Amount) -> _Found:
    """ "walked 800 m from X", "still 2 hours from X", "20 minutes from X"."""
    before_amount = doc.scan[w.lo : amount.start]
    kind = "near"
    slope = _SLOPE_GAP_EN.search(doc.scan[amount.end : w.lo + cue])
    if slope is not None:
        # "about an hour down from the pass": on the way down beyond it, not either side;
        # "two hours up from Dirapuk": climbing on from it
        kind = "down_from" if slope.group(0) == "down" else "after"
        return _Found(kind, w.i, w.lo + cue, w.m.end, amount)
    if _WALKED_EN.search(before_amount) and amount.kind == "distance":
        # "we walked 800 m from X": that far on from X (walkers leave X behind)
        return _Found("after", w.i, w.lo + cue, w.m.end, amount)
    if _WALKED_EN.search(before_amount):
        doc.used_amounts.discard(doc.amounts.index(amount))
        return _NO_RELATION  # "walked 2 hours from X": a walking time, read as elapsed
    if _STILL_EN.search(doc.scan[amount.start : w.lo + cue]) or re.search(
        r"\bstill\s*$", before_amount
    ):
        kind = "before"
    return _Found(kind, w.i, w.lo + cue, w.m.end, amount)


def _pre_cue_en(w: _Around) -> _Cue | None:
    """English relation words before the mention ("just past X", "not at X yet")."""
    for kind, pre_re in _PRE_EN:
        pm = pre_re.search(w.pre)
        if not pm:
            continue
        neg = _NOT_EN.search(w.pre, 0, pm.start())
        mod = pm.groupdict().get("mod")
        if neg:  # "not past X", "not at X yet": still before it; "not near X": nothing
            if kind not in ("past", "after", "at"):
                return _Cue("none", 0)
            kind, pm_start = "before", neg.start()
        else:
            pm_start = pm.start()
        if kind == "before" and not mod and re.search(r"\b(?:almost|nearly)\b", pm.group(0)):
            mod = "almost at"
        return _Cue(kind, w.lo + pm_start, mod)
    return None


def _pre_cue_zh(w: _Around) -> _Cue | None:
    """Chinese relation words before the mention ("过了X", "快到X", "还没到X")."""
    pre_zh_text = w.pre.rstrip()
    for kind, pre_re in _PRE_ZH:
        pm = pre_re.search(pre_zh_text)
        if not pm:
            continue
        mod = pm.groupdict().get("mod")
        if kind == "before" and not mod and not re.search(r"没|未|前", pm.group(0)):
            continue  # a bare "到X" is arriving, not "before"
        return _Cue(kind, w.lo + pm.start(), mod, zh=True)
    return None


def _post_cue(w: _Around) -> tuple[str, int] | None:
    """(kind, end) of the relation words after the mention ("X下面", "X is behind us")."""
    for kind, post_re in _POST_EN + _POST_ZH:
        qm = post_re.match(w.post)
        if qm and qm.end() > 0:
            return kind, w.m.end + w.post_ws + qm.end()
    return None


_GENERIC = ("at", "near")


def _from_cues(doc: Doc, w: _Around) -> _Found | None:
    """The relation of the words before and after the mention, the more specific first."""
    pre = _pre_cue_en(w) or _pre_cue_zh(w)
    if pre is not None and pre.kind == "none":
        return _NO_RELATION
    post = _post_cue(w)
    if post and (
        pre is None
        or (pre.kind in _GENERIC and post[0] not in _GENERIC)
        or (pre.kind == "at" and post[0] == "near")
    ):
        found = _by_post_cue(doc, w, pre, post)
    elif pre:
        found = _by_pre_cue(doc, w, pre, post)
    else:
        return _amount_only(doc, w)
    if found.amount is None and found.mod is None:  # "过了X一点", "X下来一点", "过了X没多远"
        pm2 = _POST_MOD.match(doc.scan[found.end : w.hi])
        if pm2:
            found.mod = "just" if pm2.group("just") else "not_far"
            found.end += pm2.end()
    return found


def _by_post_cue(doc: Doc, w: _Around, pre: _Cue | None, post: tuple[str, int]) -> _Found:
    """The relation said after the mention (the words before it, if any, set its start)."""
    kind, end = post
    start = pre.start if pre else w.m.start
    amount = doc.amount_after(end, w.hi)
    if amount is None and pre is None:
        amount = _post_amount_en(doc, w.m, w.hi)
    found = _Found(kind, w.i, start, end, amount)
    if kind == "soon":  # "X must be near": not far before X
        found.kind, found.mod = "before", None if amount is not None else "not_far"
    return found


def _by_pre_cue(doc: Doc, w: _Around, pre: _Cue, post: tuple[str, int] | None) -> _Found:
    """The relation said before the mention, with the amount wherever it stands."""
    kind, start, mod = pre.kind, pre.start, pre.mod
    end = w.m.end
    amount = None
    if not pre.zh:
        amount = doc.amount_before(start, w.lo)
    if amount is None and (pre.zh or post):
        if post:  # "过了X之后两个小时": the amount follows the second word
            end = post[1]
        amount = doc.amount_after(end, w.hi)
    if amount is None and not pre.zh:
        amount = _post_amount_en(doc, w.m, w.hi)
    if amount is None and pre.zh and kind in ("before", "up_to", "at"):
        amount = _still_to_go_zh(doc, w.lo, start)  # "再走一个小时就到X": still before X
        if amount is not None:
            start, mod = amount.start, None
            kind = "before" if kind == "at" else kind
    return _Found(kind, w.i, start, end, amount, mod)


def _amount_only(doc: Doc, w: _Around) -> _Found | None:
    """No relation words, only an amount after the mention: "X is 2 hours away / behind"."""
    amount = _post_amount_en(doc, w.m, w.hi)
    if amount is None:
        return None
    tail = _POST_EN_AMOUNT_TAIL.match(doc.scan[amount.end : w.hi])
    kind = "past" if tail and tail.group("w").startswith(("behind", "back")) else "before"
    end = amount.end + (tail.end() if tail else 0)
    return _Found(kind, w.i, w.m.start, end, amount)


_STILL_LEAD_ZH = re.compile(
    r"(?:还要|还得|还需要?|还有|还|再)(?:走|爬|上|下)?(?:个)?(?:大概|大约|差不多|估计)?\s*$"
)
_STILL_GAP_ZH = re.compile(r"\s*(?:左右|的样子)?\s*(?:才能|才|就能|就|能|可以)?\s*")


def _still_to_go_zh(doc: Doc, lo: int, cue: int) -> Amount | None:
    """The amount of "还要走两个小时才到X" (two more hours before X): before the cue."""
    for k, a in enumerate(doc.amounts):
        if k in doc.used_amounts or a.start < lo or a.end > cue:
            continue
        if _STILL_GAP_ZH.fullmatch(doc.scan[a.end : cue]) and _STILL_LEAD_ZH.search(
            doc.scan[lo : a.start]
        ):
            doc.used_amounts.add(k)
            return a
    return None


def _post_amount_en(doc: Doc, m: Mention, hi: int) -> Amount | None:
    """The amount in "X is (still) 2 hours away / ahead / behind us"."""
    lead = _POST_EN_AMOUNT_LEAD.match(doc.scan[m.end : hi])
    if not lead:
        return None
    pos = m.end + lead.end()
    for k, a in enumerate(doc.amounts):
        if a.start == pos and k not in doc.used_amounts:
            if not _POST_EN_AMOUNT_TAIL.match(doc.scan[a.end : hi]):
                return None
            doc.used_amounts.add(k)
            return a
    return None


def _next_clause_amount(doc: Doc, f: _Found) -> None:
    """Take the amount of the next clause for a relation that has none.

    "我们从卓玛拉下来，走了一个半小时" (down from the pass, 1.5 h), "卓玛拉山口还没到，
    大概还要爬一个小时" (1 h before it), "just past the flag pole, 5 minutes maybe".
    """
    if f.amount is not None or f.kind not in (*_NEXT_KINDS, "at"):
        return
    here = doc.clause(f.end - 1)
    nxt = doc.neighbour(here, 1) if here[0] < here[1] else None
    if nxt is None or nxt[0] - here[1] > 2:
        return
    if any(nxt[0] <= m.start < nxt[1] for m in doc.mentions):
        return  # the next clause speaks of another place
    words = doc.scan[nxt[0] : nxt[1]]
    lead = _NEXT_LEAD["ahead" if f.kind in ("before", "up_to") else "behind"].match(words)
    if f.kind == "at" and (lead is None or not _WALKED_ON.search(lead.group(0))):
        return  # "到了X，又走了七公里": walked on past X; "在X，20分钟" is no walk
    pos = nxt[0] + (lead.end() if lead else 0)
    amount = doc.amount_after(pos, nxt[1])
    if amount is None:
        return
    if not lead and not _ONLY_AMOUNT_TAIL.fullmatch(doc.scan[amount.end : nxt[1]]):
        doc.used_amounts.discard(doc.amounts.index(amount))
        return
    if lead and _HEDGE_LEAD.search(lead.group(0)):  # "大概还要爬一个小时"
        amount = widen(amount)
    if f.kind == "at":
        f.kind, f.mod = "past", None
    f.amount, f.end = amount, amount.end


_NEXT_KINDS = frozenset({"past", "after", "down_from", "before", "up_to"})
#: the lead of a next clause that walks on from a place the caller reached
_WALKED_ON = re.compile(r"又|再|然后|then|walk(?:ed)?|hik(?:ed)?")


def find_relations(
    doc: Doc, skip: set[int] | frozenset[int] = frozenset()
) -> tuple[list[Relation], dict[int, Relation]]:
    """Every relation in the text, and the relation of each mention (by index) that has one.

    Pairs ("between X and Y") are read first, then the words around single mentions.
    A mention that only qualifies the next one ("塔钦转山起点") gets no relation of its
    own, nor do the mentions in ``skip`` (feature words that are part of a sight phrase).
    """
    found: list[_Found] = []
    taken: set[int] = set(doc.modifiers) | set(skip)
    heads = [i for i in range(len(doc.mentions)) if i not in doc.modifiers]
    for a, b in zip(heads, heads[1:], strict=False):
        if a in taken:
            continue
        pair = _pair(doc, a, b)
        found.extend(pair)
        if pair:
            taken.update((a, b))
    for i in heads:
        if i in taken:
            continue
        single = _single(doc, i)
        if single is None and not DEPARTURE_EN.search(doc.around(i)[2]):
            # "took the bus to X, walked about 7 km": walked on past X ("left X, walked
            # 2 km" is a departure, read in ``clues``)
            m = doc.mentions[i]
            bare = _Found("at", i, m.start, m.end)
            _next_clause_amount(doc, bare)
            single = bare if bare.kind == "past" else None
        if single is not None:
            found.append(single)
    out: list[Relation] = []
    by_mention: dict[int, Relation] = {}
    for f in sorted(found, key=lambda f: f.start):
        _next_clause_amount(doc, f)
        anchor = doc.mentions[f.anchor]
        other = doc.mentions[f.other] if f.other is not None else None
        rel = relation(doc, f.kind, anchor, f.start, f.end, f.amount, f.mod, other)
        out.append(rel)
        by_mention[f.anchor] = rel
        if f.other is not None:
            by_mention[f.other] = rel
    out.sort(key=lambda r: r.anchor.start)
    return out, by_mention
