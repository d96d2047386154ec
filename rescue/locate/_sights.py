"""What callers see or feel, and which way they walk round the mountain.

Each sight tag has English and Chinese patterns. Longer matches win over shorter
ones ("big lake" over "lake"); a ``None`` tag marks words that look like a sight
but are not one ("snow mountain" is a view of a peak, not snow underfoot; "mani
stones" are carved prayer stones, not a boulder field).
"""

from __future__ import annotations

import bisect
import re

from geodata.i18n import Said, msg
from rescue.locate._doc import Doc
from rescue.locate._relations import DIRECTIONAL
from rescue.locate._text import sight_clauses
from rescue.locate.lexicon import lexicon, region_words
from rescue.locate.model import Direction, Mention, Relation, SightClue

__all__ = [
    "SIGHT_PATTERNS",
    "VIEW_PLACES",
    "find_sights",
    "in_sight_phrase",
    "sight_words",
    "text_direction",
]

_WORDS = region_words()
_MOUNTAIN = {"{mountain_en}": _WORDS["mountain_en"], "{mountain_zh}": _WORDS["mountain_zh"]}


def _filled(pattern: str) -> str:
    for slot, names in _MOUNTAIN.items():
        pattern = pattern.replace(slot, names)
    return pattern


def _compile(pattern: str) -> re.Pattern[str]:
    ascii_start = pattern[:1].isascii()
    # English words need word boundaries; Chinese has none to speak of
    return re.compile(rf"(?<![a-z])(?:{pattern})(?![a-z])" if ascii_start else pattern)


#: (sight tag or None, pattern), in order, from ``geodata/lexicon/sights.json``.
SIGHT_PATTERNS: list[tuple[str | None, re.Pattern[str]]] = [
    (item["tag"], _compile(_filled(item["pattern"]))) for item in lexicon("sights")["sights"]
]

#: Named places one sees rather than stands at, and the sight each names (the region's
#: ``locate_words.json``).
VIEW_PLACES: dict[str, str | None] = dict(_WORDS["view_places"])

SEEING = re.compile(
    r"\b(?:see|sees|seeing|saw|seen|view|views|visible|look(?:ing)?\s+at|watching|in\s+sight"
    r"|in\s+the\s+distance|in\s+front\s+of\s+(?:us|me)|facing|spot|spotted"
    r"|peek(?:s|ing)?|peep(?:s|ing)?\s+(?:out|above|over)|loom(?:s|ing)?|tower(?:s|ing)?\s+(?:over|above))\b"
    r"|露出|看到|看见|看得到|看得见|看不到|看不见|能看|望见|望到|看着|面对|对着|眼前|远处|远远"
    # a bare 看 ("看神山西壁最清楚的地方"), not 看起来 / 看样子 / 看上去 (it seems)
    r"|(?<![难好])看(?!起来|样子|上去|来|似|病|医生|护)|观看|观赏|欣赏|瞻仰"
)
#: An English negation of a sight: "no"/"without", a denied seeing ("can't see", "haven't
#: seen any"), or "not" right before the word ("not steep", "isn't very flat").
NEGATION_EN = re.compile(
    r"\b(?:no|without|none|nor|no\s+more|no\s+longer|lost\s+sight\s+of)\b"
    r"|(?:\bcan'?t|\bcannot|\bcan\s+not|\bcouldn'?t|\bcould\s+not|\bdon'?t|\bdo\s+not"
    r"|\bdoesn'?t|\bdoes\s+not|\bdidn'?t|\bdid\s+not|\bhaven'?t|\bhave\s+not|\bnever|\bnot)"
    r"\s+(?:\w+\s+)?(?:see|seen|seeing|find|found|spot|spotted|notice|noticed|any|visible)\b"
    r"|\b(?:not|isn'?t|aren'?t|wasn'?t|weren'?t|never)\s+(?:\w+\s+){0,2}$"
)
NEGATION_ZH = re.compile(
    r"看不[到见着清]|见不[到着]|没有|没(?!事|关系|问题|电|信号|办法|力气|多久|多远)|无|不是|不能"
    r"|(?<!差)不(?![远少错好行知停久过断到一会用太]|多)"
)
#: between two sight words, only a list separator: the negation carries over ("no snow or ice")
LIST_GAP = re.compile(r"^(?:[\s,/]|and|or|nor|no|any|和|或|或者|与|及|也没有|也)*$")

CCW = re.compile(
    r"counter[\s-]?clock[\s-]?wise|anti[\s-]?clock[\s-]?wise|\bccw\b|\bb[oö]n[\s-]?po\b|\bbön\b"
    r"|\bbon\s+(?:pilgrims?|people|followers|believers|religion|tradition|way|direction|group)\b"
    r"|\b(?:reverse|opposite|other)\s+direction\b|\bthe\s+other\s+way\s+(?:round|around)\b"
    r"|逆时针|反时针|反方向|反着转|反着走|倒着转|倒着走|逆着转|逆转|反转|苯教|本教|苯波|雍仲苯"
)
CW = re.compile(
    r"(?<![a-z])clock[\s-]?wise|\bcw\b|\b(?:usual|normal|same|regular)\s+direction\b"
    r"|顺时针|正转|正方向|顺着转|顺转"
)
#: Buddhists and Hindus walk clockwise; only used when nothing else is said
CW_WEAK = re.compile(r"\bbuddhists?\b|\bhindus?\b|佛教|印度")
_DIRECTION_WORDS: tuple[tuple[re.Pattern[str], Direction], ...] = (
    (CCW, "counterclockwise"),
    (CW, "clockwise"),
)
_OTHER_WAY: dict[Direction, Direction] = {
    "clockwise": "counterclockwise",
    "counterclockwise": "clockwise",
}
FLIP_BEFORE = re.compile(r"(?:\bnot|\bnot\s+going|\bdon'?t\s+(?:walk|go)|不是|没有|不)\s*$")


_NEG_AFTER = re.compile(
    r"^\s*(?:(?:is|are)\s+(?:not|no\s+longer)\s+(?:visible|in\s+(?:view|sight))"
    r"|(?:isn'?t|aren'?t)\s+(?:visible|in\s+(?:view|sight))|not\s+visible|out\s+of\s+sight)"
    r"|^(?:的)?(?:看不[到见着]|没有|没看到|不见了|也没有)"
)
_POSITIVE = re.compile(
    r"\b(?:see|sees|seeing|there\s+(?:is|are))\b"
    r"|能看到|可以看到|(?<![不没])看到|(?<![不没])看见|看得到|看得见|(?<!没)有"
)


#: a side of the walker: "on our right", "to my left", "在我们右边", "左手边"
_SIDE_EN = (
    r"(?:on|to)\s+(?:our|my|the|your|his|her|their)\s+(?P<{name}>right|left)"
    r"(?:[\s-]+hand(?:\s+side)?)?(?![a-z])"
)
#: after a peak's name: "Kailash (is) on our right", "神山在右边", "神山一直在我们左手边"
_SIDE_AFTER = re.compile(
    r"^(?:\s+(?:peak|summit|is|was|stays?|stayed|remains?|always|still|now|right|just|rising"
    r"|glowing|shining|towering|looming))*\s*"
    + _SIDE_EN.format(name="en")
    + r"|^\s*(?:就|一直|还|都|始终)?在(?:我们|我|咱们|你们)?的?(?P<zh>[左右])(?:手)?(?:边|侧|面|方)"
)
#: before a peak's name: "on our right (is) Kailash", "右边(是)神山", "右手边能看到神山"
_SIDE_BEFORE = re.compile(
    _SIDE_EN.format(name="en")
    + r"(?:\s+(?:is|was|are|stands?|rises?|towers?|looms?|we\s+(?:have|see|can\s+see)))?"
    r"\s*(?:the\s+)?$"
    r"|(?P<zh>[左右])(?:手)?(?:边|侧|面|方)(?:是|有|就是|能看到|能看见|看到|看见|可以看到)?的?$"
)
#: the mountain's own words ("Kailash", "the mountain", "神山"), for the walking direction
_MOUNTAIN_NAME = re.compile(
    rf"(?<![a-z])(?:{_WORDS['mountain_en']})(?![a-z])|{_WORDS['mountain_zh']}"
)
#: a mountain kept on the right is walked round clockwise (on the kora itself); on the
#: left, counter-clockwise (or off the kora): a weak vote, as for "Buddhists"
_SIDE_DIRECTION: dict[str, Direction] = {
    "right": "clockwise",
    "右": "clockwise",
    "left": "counterclockwise",
    "左": "counterclockwise",
}


def _side(before: str, after: str) -> str | None:
    """The side ("right", "左" ...) the words just before or after a name put it on."""
    for pattern, text in ((_SIDE_AFTER, after), (_SIDE_BEFORE, before)):
        mt = pattern.search(text)
        if mt:
            return mt.group("en") or mt.group("zh")
    return None


def _sided(scan: str, m: Mention) -> str | None:
    """The side of the walker a peak's mention ``m`` is said to be on, if any."""
    return _side(scan[max(0, m.start - 40) : m.start], scan[m.end : m.end + 40])


def _mountain_sides(folded: str) -> set[Direction]:
    """The walking directions the mountain's side says ("Kailash on our right")."""
    votes: set[Direction] = set()
    for mt in _MOUNTAIN_NAME.finditer(folded):
        side = _side(folded[max(0, mt.start() - 40) : mt.start()], folded[mt.end() : mt.end() + 40])
        if side is not None:
            votes.add(_SIDE_DIRECTION[side])
    return votes


#: a compass direction other than the north face's ("north-east", "东南"): said with a
#: glacier, another glacier than the north face's (the route-feature catalogue places it)
_COMPASS_EN = r"(?:(?:north|south)[\s-]?(?:east|west)|east|west|south)(?:ern)?"
_COMPASS_ZH = r"(?:东北|东南|西北|西南|[东西南])(?:边|面|侧|方|麓|坡)?"
_GLACIER_BEFORE = re.compile(
    rf"(?<![a-z]){_COMPASS_EN}\s+$|{_COMPASS_ZH}的?$"
    # a river's source: "the river comes from a glacier", "这条河从冰川流下来"
    r"|(?:from|fed\s+by|origin(?:ates?)?|source|melt(?:water)?)\s+(?:[\w-]+\s+){0,4}$"
    r"|(?:从|源自|发源于|来自|源于)[^，,。；;]{0,10}$"
)
_GLACIER_AFTER = re.compile(
    rf"^\s+(?:(?:to|in|on|at|of)\s+)?(?:the\s+)?{_COMPASS_EN}(?![a-z])"
    r"|^\s*(?:流下|流出|流过来|融水|melt|water|runoff)"
)


def _glacier_elsewhere(scan: str, start: int, end: int) -> bool:
    """Whether a glacier word is placed away from the caller: by a compass direction other
    than north ("神山东北边的冰川", "the glacier to the south-east") or as a river's source
    ("the river comes from a glacier"). It is then neither a place nor a sight of the
    north face's glacier."""
    before = scan[max(0, start - 40) : start]
    return bool(_GLACIER_BEFORE.search(before) or _GLACIER_AFTER.match(scan[end : end + 30]))


#: relations that go with seeing a place ("Gauri Kund below us")
_VIEW_RELATIONS = frozenset({"above", "below", "near", "across_river"})
_DENIED = re.compile(r"(?:n'?t|not|\bnever|\bno|\bno\s+longer|\bnot\s+any\s+more)\s*$")


# ======================================================================= sights


def sight_words(scan: str) -> list[tuple[int, int, str | None]]:
    """(start, end, tag) of the sight words in the folded text, longest first, no overlaps.

    ``tag`` is None for words that look like a sight but are not one ("snow mountain").
    """
    hits: list[tuple[int, int, str | None]] = []
    for tag, pattern in SIGHT_PATTERNS:
        for mt in pattern.finditer(scan):
            if mt.end() > mt.start():
                hits.append((mt.start(), mt.end(), tag))
    hits.sort(key=lambda h: (h[0] - h[1], h[0]))
    taken = bytearray(len(scan))
    chosen: list[tuple[int, int, str | None]] = []
    for start, end, tag in hits:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        chosen.append((start, end, tag))
    chosen.sort()
    return chosen


def in_sight_phrase(doc: Doc, words: list[tuple[int, int, str | None]]) -> set[int]:
    """Feature mentions that are part of a longer sight phrase ("lake kora", "转湖", "大湖").

    Such a word describes the view, not a place the caller is at: it gets no relation.
    """
    starts = [w[0] for w in words]
    out = set()
    for i, m in enumerate(doc.mentions):
        if m.feature is None:
            best = m.place_ids[0][0] if m.place_ids else ""
            if VIEW_PLACES.get(best, "") is None and (
                _faced(doc.scan, m, words)
                or _inside_word(m, words)
                or _placing(doc, i)
                or _sided(doc.scan, m)
            ):
                # a peak said with a face of it ("the north face of Kailash behind us"):
                # seen, so no relation ("behind us" is the view, not a place walked past)
                out.add(i)
            continue
        if m.feature == "glacier" and _glacier_elsewhere(doc.scan, m.start, m.end):
            out.add(i)
            continue
        k = bisect.bisect_right(starts, m.start) - 1
        if k >= 0 and words[k][2] is not None:
            start, end, _ = words[k]
            if start <= m.start and m.end <= end and (start, end) != (m.start, m.end):
                out.add(i)
    return out


def find_sights(
    doc: Doc,
    by_mention: dict[int, Relation],
    notes: list[str],
    words: list[tuple[int, int, str | None]],
    viewed: list[tuple[int, int]] | None = None,
) -> list[SightClue]:
    """Sight and terrain clues, each (tag, negated) once, in text order.

    ``words`` are the :func:`sight_words` of ``doc.scan``. A sight word inside a
    proper-name mention counts only for places one sees rather than stands at (a
    lake, the mountain) and only with a verb of seeing; inside a feature mention
    ("monastery", "桥") it counts unless the feature anchors a relation that puts
    the caller elsewhere ("past the bridge").
    """
    scan = doc.scan
    if viewed is None:
        viewed = []
    owner = [-1] * len(scan)
    for i, m in enumerate(doc.mentions):
        for p in range(m.start, m.end):
            owner[p] = i
    s_spans = sight_clauses(scan)
    s_starts = [s for s, _ in s_spans]

    out: list[SightClue] = []
    seen: set[tuple[str, bool]] = set()
    previous: tuple[int, int, bool] | None = None  # (sight clause, end, negated)
    for start, end, tag in words:
        if tag is None:
            continue
        k = bisect.bisect_right(s_starts, start) - 1
        if k < 0 or start >= s_spans[k][1]:
            continue
        owners = {owner[p] for p in range(start, end)} - {-1}
        if tag == "glacier" and _glacier_elsewhere(scan, start, end):
            viewed += [(doc.mentions[i].start, doc.mentions[i].end) for i in sorted(owners)]
            continue
        if owners and not _owned_counts(
            doc, by_mention, min(owners), start, scan[s_spans[k][0] : s_spans[k][1]], notes, viewed
        ):
            continue
        last = previous[1:] if previous and previous[0] == k else None
        negated = _word_negated(scan, s_spans[k], start, end, last)
        previous = (k, end, negated)
        if (tag, negated) in seen:
            continue
        seen.add((tag, negated))
        out.append(_sight(doc, tag, negated, start, end))
    out += _named_views(doc, by_mention, notes, words, viewed, seen, s_spans)
    return out


def _owned_counts(
    doc: Doc,
    by_mention: dict[int, Relation],
    i: int,
    start: int,
    clause_text: str,
    notes: list[str],
    viewed: list[tuple[int, int]],
) -> bool:
    """Whether a sight word starting at ``start`` inside mention ``i`` counts (see
    :func:`find_sights`); a viewed place is noted in ``notes`` and ``viewed``."""
    mention = doc.mentions[i]
    rel = by_mention.get(i)
    if mention.feature is not None:
        return rel is None or rel.kind not in DIRECTIONAL
    best = mention.place_ids[0][0] if mention.place_ids else ""
    # a peak's name inside a sight of it ("Kailash's west face") is the peak
    # seen, without a verb of seeing
    peak_face = VIEW_PLACES.get(best, "") is None and start <= mention.start
    if best not in VIEW_PLACES or not (peak_face or SEEING.search(clause_text)):
        return False
    if rel is not None and rel.kind not in _VIEW_RELATIONS:
        return False
    notes.append(Said(msg("locate.note.in_view", said=mention.text)))
    viewed.append((mention.start, mention.end))
    return True


def _word_negated(
    scan: str,
    clause: tuple[int, int],
    start: int,
    end: int,
    last: tuple[int, bool] | None,
) -> bool:
    """Whether the sight word ``scan[start:end]`` is denied; ``last`` is the (end,
    negated) of the previous sight word in the same clause ("no snow or ice")."""
    sc_start, sc_end = clause
    window = scan[sc_start if last is None else max(sc_start, last[0]) : start]
    negated = _negated(window[-40:], window[-10:])
    if not negated and last is not None and LIST_GAP.fullmatch(window):
        negated = last[1]
    if not negated and _NEG_AFTER.match(scan[end : min(sc_end, end + 30)]):
        negated = True
    return negated


def _named_views(
    doc: Doc,
    by_mention: dict[int, Relation],
    notes: list[str],
    words: list[tuple[int, int, str | None]],
    viewed: list[tuple[int, int]],
    seen: set[tuple[str, bool]],
    s_spans: list[tuple[int, int]],
) -> list[SightClue]:
    """Named views with no sight word of their own ("we can see Manasarovar")."""
    scan = doc.scan
    taken = bytearray(len(scan))
    for start, end, _ in words:
        taken[start:end] = b"\x01" * (end - start)
    s_starts = [s for s, _ in s_spans]
    out: list[SightClue] = []
    for i, m in enumerate(doc.mentions):
        place = m.place_ids[0][0] if m.place_ids and not m.feature else ""
        rel = by_mention.get(i)
        if place not in VIEW_PLACES or any(taken[m.start : m.end]):
            continue
        if rel is not None and rel.kind not in _VIEW_RELATIONS:
            continue
        k = bisect.bisect_right(s_starts, m.start) - 1
        if k < 0:
            continue
        view = VIEW_PLACES[place]
        if not (
            SEEING.search(scan[s_spans[k][0] : s_spans[k][1]])
            or _faced(scan, m, words)
            or (view is None and (_sided(scan, m) or _placing(doc, i)))
        ):
            continue
        window = scan[s_spans[k][0] : m.start]
        negated = _negated(window[-40:], window[-10:])
        # "已经看不到神山了": out of view, and still not where the caller is
        key = "locate.note.out_of_view" if negated else "locate.note.in_view"
        notes.append(Said(msg(key, said=m.text)))
        viewed.append((m.start, m.end))
        if view is not None and (view, negated) not in seen:
            seen.add((view, negated))
            out.append(SightClue(view, negated, m.text, m.start, m.end))
    return out


#: between a viewed place's name and a sight word of it: "神山西壁", "Kailash's west face",
#: "the north face of Kailash", "冈仁波齐的北壁"
_OF_GAP = re.compile(r"^(?:\s*|'s\s+|s'\s+|\s+(?:its\s+|the\s+)?|的)$")
_OF_GAP_BEFORE = re.compile(r"^\s+of\s+(?:mt\.?\s+|mount\s+)?$")


def _faced(scan: str, m: Mention, words: list[tuple[int, int, str | None]]) -> bool:
    """Whether a sight word of a viewed place's own (a face, a slope) is said with its
    name: "神山西壁" is the mountain seen from the trail, not its summit."""
    for start, end, tag in words:
        if tag is None:
            continue
        if 0 <= start - m.end <= 6 and _OF_GAP.match(scan[m.end : start]):
            return True
        if 0 <= m.start - end <= 12 and _OF_GAP_BEFORE.match(scan[end : m.start]):
            return True
    return False


#: a peak as the reference of what follows: "神山东北边的冰川", "Kailash's north-east glacier"
_DIRECTION_OF = re.compile(
    r"(?:的|'s\s+)?(?:[东南西北東]{1,2}(?:边|面|侧|方|麓|坡)?的?|(?:north|south)?[\s-]?(?:east|west)?"
    r"(?:ern)?\s+(?:side\s+)?)"
)


#: a peak named as where something else lies: "the glacier north-east of Kailas"
_DIRECTION_OF_BEFORE = re.compile(
    r"(?<![a-z])(?:north|south|east|west|(?:north|south)[\s-]?(?:east|west))(?:ern)?\s+(?:side\s+)?of"
    r"\s+(?:mt\.?\s+|mount\s+)?$"
)


def _placing(doc: Doc, i: int) -> bool:
    """Whether mention ``i`` only says where another thing lies: the next mention, a
    feature word ("神山东北边的冰川": the glacier north-east of the mountain, not the
    mountain), or what is said before it ("the glacier north-east of Kailas")."""
    m = doc.mentions[i]
    if _DIRECTION_OF_BEFORE.search(doc.scan[max(0, m.start - 30) : m.start]):
        return True
    if i + 1 >= len(doc.mentions) or doc.mentions[i + 1].feature is None:
        return False
    gap = doc.scan[m.end : doc.mentions[i + 1].start]
    return bool(gap.strip()) and _DIRECTION_OF.fullmatch(gap) is not None


def _inside_word(m: Mention, words: list[tuple[int, int, str | None]]) -> bool:
    """Whether the mention lies inside a longer sight word ("Kailash's west face")."""
    return any(
        tag is not None and start <= m.start and m.end <= end and (start, end) != (m.start, m.end)
        for start, end, tag in words
    )


def _sight(doc: Doc, tag: str, negated: bool, start: int, end: int) -> SightClue:
    """A sight clue for the words ``doc.text[start:end]``, offsets trimmed of spaces."""
    raw = doc.text[start:end]
    lead = len(raw) - len(raw.lstrip())
    trail = len(raw) - len(raw.rstrip())
    return SightClue(tag, negated, raw.strip(), start + lead, end - trail)


def _negated(window_en: str, window_zh: str) -> bool:
    """Whether the words before a sight deny it (and no later "but we see" undoes that).

    Both windows end where the sight word starts; positions are counted back from there.
    """
    negations = [mt.end() - len(window_en) for mt in NEGATION_EN.finditer(window_en)]
    negations += [mt.end() - len(window_zh) for mt in NEGATION_ZH.finditer(window_zh)]
    if not negations:
        return False
    positives = [
        mt.start() - len(window_en)
        for mt in _POSITIVE.finditer(window_en)
        if not _DENIED.search(window_en, 0, mt.start())
    ]
    return not positives or max(positives) < max(negations)


# ======================================================================= direction


def text_direction(folded: str, notes: list[str]) -> Direction | None:
    """The walking direction the (folded) text states, or None.

    "not clockwise" / "不是顺时针" count for the other way; saying both ways
    leaves it open (with a note); "Buddhists" / "Hindus" alone mean clockwise.
    """
    votes: set[Direction] = set()
    ccw_spans = [(m.start(), m.end()) for m in CCW.finditer(folded)]
    for pattern, said in _DIRECTION_WORDS:
        for m in pattern.finditer(folded):
            if pattern is CW and any(s <= m.start() < e for s, e in ccw_spans):
                continue  # the "clockwise" of "counter-clockwise"
            flip = FLIP_BEFORE.search(folded[max(0, m.start() - 15) : m.start()])
            votes.add(_OTHER_WAY[said] if flip else said)
    if not votes:
        # "Kailash on our right" / "Buddhists": only when no direction word is said
        votes = _mountain_sides(folded)
    if not votes and CW_WEAK.search(folded):
        votes.add("clockwise")
    if len(votes) == 1:
        return votes.pop()
    if votes:
        notes.append(Said(msg("locate.note.both_directions")))
    return None
