"""Turn a caller's description into :class:`~rescue.locate.model.Clues`.

Call takers type what callers say, in English, Chinese or both, misspelt and
vague: "past the big flagpole, two hours before the pass", "我们在卓玛拉山口下面，
能看到绿色的湖", "left Tarchen at 8 this morning, now half past one, we walk
anticlockwise". :func:`parse_clues` finds

* place mentions (through the name index) and the relation words around them
  ("just past X", "between X and Y", "过了X大概3公里", "离X还有两个小时");
* the walking direction (clockwise, or counter-clockwise for Bön pilgrims);
* walking time since a place ("left Darchen at 8", "从塔钦出发走了五个小时");
* altitudes ("altimeter says about 5300 m", "17,400 ft", "海拔5300米");
* coordinates (every reading, through :mod:`rescue.locate.coords`);
* what the caller sees or feels (a green lake below, prayer flags, snow …),
  with negation ("we can't see the lake", "看不到湖").

Everything else (greetings, injuries, battery, party size) is ignored. The parser
never guesses a relation that is not written: a bare mention is left to the
belief, which reads it as "around there".

The readers live in private modules: ``_text`` (a length-keeping fold, clauses),
``_numbers`` (amounts and their vagueness), ``_timeparse`` (clock times),
``_relations`` (relation words), ``_sights`` (sights, negation, direction) and
``_doc`` (the text being read); walking times and altitudes are read here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Protocol

from geodata.errors import InvalidInput
from geodata.i18n import Name, Said, msg
from rescue.locate._doc import Doc, en, zh
from rescue.locate._numbers import Amount, find_amounts, zh_number
from rescue.locate._relations import (
    ARRIVED,
    DEPARTURE_EN,
    WALK_ON,
    by_vehicle,
    find_relations,
    relation,
)
from rescue.locate._sights import find_sights, in_sight_phrase, sight_words, text_direction
from rescue.locate._text import clauses, count_scripts, fold, mask
from rescue.locate._timeparse import (
    LOCAL_TZ,
    find_clock_times,
    find_daylight_times,
    resolve_departure,
    resolve_now,
)
from rescue.locate.coords import CoordinateMatch, find_coordinates
from rescue.locate.mapapps import find_links, with_app_datum
from rescue.locate.model import (
    Clues,
    CoordinateReading,
    Direction,
    ElapsedTime,
    ElevationClue,
    Mention,
    Relation,
)
from routes.direction import DIRECTIONS

__all__ = ["MAX_TEXT_CHARS", "NameIndexLike", "parse_clues"]

#: Longest description accepted (after stripping).
MAX_TEXT_CHARS = 2000

#: altimeter or phone reading; "about" widens it (m)
ELEVATION_TOLERANCE_M = 100.0
ELEVATION_TOLERANCE_VAGUE_M = 150.0
FT_TO_M = 0.3048


class NameIndexLike(Protocol):
    """What the parser needs of a name index: mentions with offsets in ``text``."""

    def find(self, text: str) -> Sequence[Mention]: ...


# departures: "left X at 8", "X出发", "从X出发走了五个小时"
_DEP_WEAK_EN = en(r"\bfrom")
_FROM_ZH = zh(r"(?:从|打|自)")
_PASS_EN = en(
    r"\b(?:passed|reached|arrived\s+(?:at|in)|got\s+to|were\s+at|was\s+at|crossed|went\s+past)"
)
_DEP_ZH_PRE = zh(r"(?:离开了?|告别了?)")
_DEP_ZH_COMBO = (
    zh(r"(?:从|打|自|在)"),
    re.compile(
        r"^(?:那边|那里|那儿)?(?:出发|动身|开始转|开始走|起步|走的|走了|(?:走|跑|骑马?)?出来|走出去)"
    ),
)
#: A decimal comma ("31,0076" from a phone set to German): a comma followed by four or
#: more digits cannot be a thousands separator.
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])(\d{1,3}),(?=\d{4,}(?![\d]))")
#: A name the caller rules out: "(NOT Selung)", "not the Kailash one", "不是曲古寺".
_DENIED_NAME = re.compile(
    r"(?:\bnot|\bisn'?t|\bnor)\s+(?:the\s+)?$|(?<!是)不是(?:在|那个)?$",
    re.IGNORECASE,
)
_DENIED_AFTER_EN = re.compile(r"^\s*(?:one\b|(?:at|on|by|in|near)\s+the\b|\)|,|\.|;|!|$)")

_DEP_ZH_POST = re.compile(r"^\s*(?:出发|动身|出来|离开|走出来|走出去)")
_PASS_ZH = zh(r"(?:经过了?|过了|路过了?|到达了?|(?<![看见听找想遇得不收])到了?)")
_WALKING = re.compile(
    r"\b(?:walk(?:ed|ing)?|hik(?:ed|ing)|trekk?(?:ed|ing)|been\s+going|on\s+the\s+(?:trail|road))\b"
    r"|走了|走路|出发|转了"
)
_DEP_VERB = re.compile(r"\b(?:left|started|start|set\s+(?:off|out)|departed)\b|出发|离开|动身")
#: where the caller spent the night: the place a departure with no place is from
_STAYED = re.compile(r"\b(?:stayed|slept|camped|spent\s+the\s+night)\b|住的|住在|住了|住|睡在|过夜")
#: a meal just had somewhere: "在塔钦兰州拉面馆吃完饭，十一点出发的" set off from there
_ATE = re.compile(
    r"吃完|吃过|吃了(?:饭|早饭|午饭|早餐|午餐)|\b(?:had|ate|finished)\s+(?:our\s+|a\s+)?"
    r"(?:breakfast|lunch|dinner|meal|noodles)\b"
)
_AGO = re.compile(r"^\s*(?:ago|back|earlier)\b|^\s*(?:之前|以前|前)")
#: "another" / "又" before a time: counted from a moment of the story, not the day's start
_ANOTHER = re.compile(r"\b(?:another|more|further)\s+(?:\w+\s+)?$|又走了?|再走了?|又$|再$")
_DEP_ANY = re.compile(
    r"\b(?:left|started|set\s+(?:off|out)|departed|walking\s+for|walked\s+for|been\s+walking)\b"
    r"|出发|离开|走了"
)

# altitudes
_ELEVATION = re.compile(
    r"(?P<pre>(?:about|around|approx\.?|approximately|roughly|nearly|almost|~|ca\.?|circa|over"
    r"|above|more\s+than|under|below|less\s+than|at\s+least|just\s+over|just\s+under|大概|大约|约"
    r"|差不多|将近|接近|超过|不到|至少|估计|可能)\s*)?"
    r"(?<!\d)(?<!\d[.,])(?P<num>\d{1,2},\d{3}(?!\d|,\d)|\d{3,5}(?:\.\d+)?(?!\d|,\d)"
    r"|[零〇一二两三四五六七八九十百千万]{2,10})"
    r"(?:\s*(?P<more>多))?(?:\s*(?P<unit>m(?![a-z])|meters?|metres?|masl|m\.a\.s\.l\.?"
    r"|ft(?![a-z])|feet|foot|'(?!\d)|米|公尺|英尺))?"
    r"(?P<suf>\s*(?:a\.?s\.?l\.?|above\s+sea\s+level|altitude|elevation|high|左右|上下|多"
    r"|的样子|海拔))?"
)
_ELEVATION_CUE = re.compile(
    r"altitude|altimeter|elevation|height|\basl\b|a\.s\.l|above\s+sea\s+level|海拔|高度|高程"
    r"|gps|phone\s+says|手机显示|显示"
)
_DISTANCE_AFTER = re.compile(
    r"^\s*(?:past|after|before|from|to|away|ahead|behind|beyond|further|farther|more|left"
    r"|之后|以后|后|前|以内|远)"
)
_HEDGE_WORDS = frozenset(
    "about around approx approx. approximately roughly ~ ca ca. circa nearly almost".split()
    + "大概 大约 约 差不多 估计 可能 左右 上下 的样子 将近 接近".split()
)
_MORE_WORDS = frozenset({"over", "above", "more than", "at least", "just over", "超过", "至少"})
_LESS_WORDS = frozenset({"under", "below", "less than", "just under", "不到"})

# ======================================================================= walking time


def _departure_cue(doc: Doc, i: int) -> tuple[str, int, int] | None:
    """(cue, start, end) of the words that make mention ``i`` a starting point.

    The cue is "strong" ("left X", "从X出发", "walked 5 hours from X", "12:10 from X")
    or "pass" ("passed X", "经过X": a starting point only with a clock time or "… ago").
    """
    m = doc.mentions[i]
    lo, hi, pre, post = doc.around(i)
    pm = DEPARTURE_EN.search(pre) or _DEP_ZH_PRE.search(pre.rstrip())
    if pm:
        return "strong", lo + pm.start(), m.end
    qm = _DEP_ZH_POST.match(post)
    if qm:
        return "strong", doc.head_start(i), m.end + qm.end()
    pm, qm = _DEP_ZH_COMBO[0].search(pre.rstrip()), _DEP_ZH_COMBO[1].match(post.lstrip())
    if pm and qm:
        return "strong", lo + pm.start(), m.end + (len(post) - len(post.lstrip())) + qm.end()
    pm = _DEP_WEAK_EN.search(pre) or _FROM_ZH.search(pre.rstrip())
    if pm:
        c_start, c_end = doc.clause(m.start)
        clause = doc.scan[c_start:c_end]
        prev = doc.neighbour((c_start, c_end), -1)
        before = doc.scan[prev[0] : prev[1]] if prev else ""
        clocked = any(c_start <= c.start < c_end and not c.now for c in doc.clocks)
        if _WALKING.search(clause) or (clocked and _DEP_VERB.search(before + " " + clause)):
            return "strong", lo + pm.start(), m.end
    pm = _PASS_EN.search(pre) or _PASS_ZH.search(pre.rstrip())
    if pm:
        return "pass", lo + pm.start(), m.end
    return None


def _next_clause(doc: Doc, span: tuple[int, int]) -> tuple[int, int] | None:
    """The clause right after ``span`` if it names no place (and nothing lies between)."""
    nxt = doc.neighbour(span, 1)
    if nxt is None or nxt[0] - span[1] > 2:
        return None
    if any(nxt[0] <= m.start < nxt[1] for m in doc.mentions):
        return None
    return nxt


def _time_in(
    doc: Doc, span: tuple[int, int], near: int, cue: str, used: set[int]
) -> tuple[int | None, int | None]:
    """(clock index, amount index) of the departure time in the clause ``span``."""
    c_start, c_end = span
    clocks = [
        (abs(c.start - near), k)
        for k, c in enumerate(doc.clocks)
        if c_start <= c.start < c_end and not c.now and k not in used
    ]
    if clocks:
        return min(clocks)[1], None
    for k, a in enumerate(doc.amounts):
        if k in doc.used_amounts or a.kind != "duration" or not c_start <= a.start < c_end:
            continue
        if cue == "pass" and not _AGO.match(doc.scan[a.end : c_end]):
            continue
        return None, k
    return None, None


def _elapsed(
    doc: Doc,
    now: datetime,
    by_mention: dict[int, Relation],
    notes: list[str],
    handled: set[tuple[int, int]],
    released: list[Relation] | None = None,
) -> tuple[list[ElapsedTime], list[Relation]]:
    """Walking times from a named place; ``handled`` collects the clauses read."""
    out: list[ElapsedTime] = []
    extra: list[Relation] = []
    used_clocks: set[int] = set()
    starts: list[tuple[int, str, int, int, tuple[int, int]]] = []
    for i in range(len(doc.mentions)):
        if i in doc.modifiers:
            continue
        found = _departure_cue(doc, i)
        if found is not None:
            starts.append((i, *found, doc.clause(doc.mentions[i].start)))
    starts += _stayed_starts(doc, {s[0] for s in starts}, by_mention, released)
    for i, cue, cue_start, cue_end, clause in sorted(starts, key=lambda s: s[2]):
        m = doc.mentions[i]
        handled.add(clause)
        k_clock, k_amount = _time_in(doc, clause, cue_start, cue, used_clocks)
        nxt = _next_clause(doc, clause)
        if k_clock is None and k_amount is None and nxt and cue == "strong":
            # "we left the ticket office before 7, about 6:50": the time in the next clause
            k_clock, k_amount = _time_in(doc, nxt, nxt[0], cue, used_clocks)
            if k_amount is not None and not WALK_ON.match(doc.scan[nxt[0] : nxt[1]]):
                k_amount = None
            if k_clock is not None or k_amount is not None:
                handled.add(nxt)
        departed: datetime | None = None
        span: tuple[int, int] | None = None
        walked = _walked_distance(doc, cue_end, clause[1]) if k_clock is None else None
        if k_clock is not None:
            clock = doc.clocks[k_clock]
            used_clocks.add(k_clock)
            departed = resolve_departure(clock, now)
            if departed is None:
                late = "locate.note.late_departure" if cue == "strong" else "locate.note.late_time"
                notes.append(Said(msg(late, said=clock.text)))
                continue
            span = (clock.start, clock.end)
        elif k_amount is not None:
            a = doc.amounts[k_amount]
            doc.used_amounts.add(k_amount)
            if a.kind == "duration" and by_vehicle(doc, a.start) and i not in by_mention:
                # "we left Darchen by jeep 30 minutes ago": a distance past it, not a walk
                rel = relation(doc, "after", m, cue_start, cue_end, a)
                extra.append(rel)
                by_mention[i] = rel
                continue
            ago = _AGO.match(doc.scan[a.end : clause[1]])
            departed = now - timedelta(seconds=(a.low + a.high) / 2)
            span = (a.start, a.end + (ago.end() if ago else 0))
        if nxt and cue == "strong" and WALK_ON.match(doc.scan[nxt[0] : nxt[1]]):
            # "九点一刻从塔钦出发，刚走了四十多分钟": the same walk, said twice
            lead = WALK_ON.match(doc.scan[nxt[0] : nxt[1]])
            assert lead is not None
            later = doc.amount_after(nxt[0] + lead.end(), nxt[1])
            if later is not None and later.kind == "duration":
                handled.add(nxt)
                if departed is None:
                    departed = now - timedelta(seconds=(later.low + later.high) / 2)
                    span = (later.start, later.end)
            elif later is not None and departed is None and walked is None:
                walked = later  # "left X this morning, walked about 2 km": that far past X
                handled.add(nxt)
            elif later is not None:
                doc.used_amounts.discard(doc.amounts.index(later))
        if departed is None or span is None:
            if cue == "strong" and i not in by_mention:
                # "从X出发，…刚爬了一点", "left X, just started the climb": not far past X
                ahead = _SENTENCE_END.split(doc.scan[cue_end : cue_end + 60])[0]
                just = walked is None and _JUST_STARTED.search(ahead) is not None
                rel = relation(
                    doc, "after", m, cue_start, cue_end, walked, mod="not far" if just else None
                )
                extra.append(rel)
                by_mention[i] = rel
            continue
        start, end = min(span[0], cue_start), max(span[1], cue_end)
        out.append(ElapsedTime(m, departed, now, doc.span_text(start, end)))
    return out, extra


#: after a departure, words that say the walk has only begun
_JUST_STARTED = re.compile(
    r"刚(?:刚|开始)?(?:爬|走|上)了?(?:一点|一会|一小段|没多远|没多久|不久)|刚开始(?:爬|走|上坡)"
    r"|\bjust\s+(?:started|begun|beginning|began)\b|\bonly\s+(?:just\s+)?started\b"
)
_SENTENCE_END = re.compile(r"[.!?。！？\n]")

#: right before a place the caller has yet to set off for: "还没出发去X", "not yet left for X"
_GOAL_BEFORE = re.compile(
    r"(?:还没|还没有|尚未|没)(?:出发|动身|走)?(?:去|往|前往|到)\s*$"
    r"|\b(?:not|n't)\s+(?:yet\s+)?(?:set\s+off|left|started|gone|headed|leave|start)\s+"
    r"(?:yet\s+)?(?:for|to|towards?)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _goals(doc: Doc, by_mention: dict[int, Relation]) -> list[Relation]:
    """A place the caller has not yet set off for is ahead, not where they are
    ("在塔尔钦镇，还没出发去卓玛拉垭口")."""
    out: list[Relation] = []
    for i, m in enumerate(doc.mentions):
        if i in by_mention or i in doc.modifiers:
            continue
        lo = max(0, m.start - 30)
        hit = _GOAL_BEFORE.search(doc.scan[lo : m.start])
        if hit is not None:
            rel = relation(doc, "before", m, lo + hit.start(), m.end)
            by_mention[i] = rel
            out.append(rel)
    return out


#: after a place, how far it still is: "the road head should be an hour away",
#: "Zutulpuk is still 2 km away"
_STILL_AWAY_LEAD = re.compile(
    r"\s*(?:should|must|might|may|is|are|will)?\s*(?:still\s+)?(?:be\s+)?(?:still\s+)?"
    r"(?:about|around|roughly|maybe|another|only|just)?\s*"
)
_AWAY_AFTER = re.compile(r"\s*(?:more\s+)?(?:away|ahead|to\s+go|off)\b")


def _still_ahead(doc: Doc, by_mention: dict[int, Relation]) -> list[Relation]:
    """ "X should be an hour away": X is ahead by that walk, a 'before' relation."""
    out: list[Relation] = []
    for i, m in enumerate(doc.mentions):
        if i in by_mention or i in doc.modifiers:
            continue
        lead = _STILL_AWAY_LEAD.match(doc.scan, m.end)
        if lead is None or lead.end() == m.end:
            continue
        for k, a in enumerate(doc.amounts):
            if k in doc.used_amounts or a.start != lead.end():
                continue
            away = _AWAY_AFTER.match(doc.scan, a.end)
            if away is not None:
                doc.used_amounts.add(k)
                rel = relation(doc, "before", m, m.start, away.end(), a)
                by_mention[i] = rel
                out.append(rel)
            break
    return out


def _reached(
    doc: Doc, relations: list[Relation], by_mention: dict[int, Relation]
) -> list[Relation]:
    """A walk from one place that then reached the next ("we made the 26 km from Diraphuk
    and reached Zongzerbu camp") puts the caller at the place reached: the walk from the
    first, whose distance guidebooks count differently, is dropped."""
    arrivals = [r for r in relations if r.kind == "at" and r.other is None]
    out: list[Relation] = []
    for rel in relations:
        a = rel.anchor
        if rel.other is None and any(
            r.anchor.start > a.end
            and doc.clause(r.anchor.start) == doc.clause(a.start)
            and ARRIVED.search(doc.scan, a.end, r.anchor.start) is not None
            for r in arrivals
        ):
            for k, r in list(by_mention.items()):
                if r is rel:
                    del by_mention[k]
            continue
        out.append(rel)
    return out


def _walked_distance(doc: Doc, pos: int, hi: int) -> Amount | None:
    """A walked distance right after a departure ("离开祖楚寺走了大概3公里",
    "left Dirapuk, walked about 2 km"): the caller is that far past the place."""
    lead = WALK_ON.match(doc.scan[pos:hi])
    if lead is None:
        return None
    a = doc.amount_after(pos + lead.end(), hi)
    if a is not None and a.kind != "distance":
        doc.used_amounts.discard(doc.amounts.index(a))
        return None
    return a


def _stayed_starts(
    doc: Doc,
    taken: set[int],
    by_mention: dict[int, Relation],
    released: list[Relation] | None = None,
) -> list[tuple[int, str, int, int, tuple[int, int]]]:
    """Departures that name no place, from where the caller spent the night.

    "昨晚住的岗加，今天早上六点出发" / "we stayed at Dirapuk. Left at 6": the place of
    the clause before.
    """
    out = []
    for c_start, c_end in doc.clause_spans:
        words = doc.scan[c_start:c_end]
        if not _DEP_VERB.search(words) or any(c_start <= m.start < c_end for m in doc.mentions):
            continue
        if not any(c_start <= c.start < c_end and not c.now for c in doc.clocks):
            continue
        prev = doc.neighbour((c_start, c_end), -1)
        if prev is None:
            continue
        ate = _ATE.search(doc.scan[prev[0] : prev[1]]) is not None
        if not ate and not _STAYED.search(doc.scan[prev[0] : prev[1]]):
            continue
        inside = [
            i
            for i, m in enumerate(doc.mentions)
            if prev[0] <= m.start < prev[1] and i not in doc.modifiers
        ]
        was_at = by_mention.get(inside[0]) if len(inside) == 1 else None
        if ate and released is not None and was_at is not None and was_at.kind == "at":
            # "在X吃完饭": where they were, left since
            del by_mention[inside[0]]
            released.append(was_at)
        if len(inside) == 1 and inside[0] not in taken and inside[0] not in by_mention:
            i = inside[0]
            out.append((i, "strong", doc.head_start(i), doc.mentions[i].end, (c_start, c_end)))
    return out


#: the origin of a walk whose start is not said: the locator puts it at the region's usual
#: overnight starts (``locate_hints.json``); ``place_ids`` is empty
UNSAID_START = "(start not said)"


def _orphan_times(
    doc: Doc, handled: set[tuple[int, int]], notes: list[str], now: datetime
) -> list[ElapsedTime]:
    """Walking times that name no place to start from ("we set off at 8:20, it is 10:40").

    Each is kept with an origin that names no place (:data:`UNSAID_START`): the locator
    weighs the region's usual starting points for it, and the call taker is told."""
    out: list[ElapsedTime] = []
    for c_start, c_end in doc.clause_spans:
        if (c_start, c_end) in handled or not _DEP_ANY.search(doc.scan[c_start:c_end]):
            continue
        clocks = [c for c in doc.clocks if c_start <= c.start < c_end and not c.now]
        amounts = [
            a
            for k, a in enumerate(doc.amounts)
            if c_start <= a.start < c_end and a.kind == "duration" and k not in doc.used_amounts
        ]
        if not (clocks or amounts):
            continue
        said = doc.span_text(c_start, c_end)
        if not clocks and _ANOTHER.search(
            doc.scan[max(c_start, amounts[0].start - 12) : amounts[0].start]
        ):
            # "another 45 minutes" / "又走了两个小时": counted from a moment of the story
            # (a climb that began, a stop), not from where the day's walk started
            notes.append(Said(msg("locate.note.time_from_nowhere", said=said)))
            continue
        notes.append(Said(msg("locate.note.time_without_start", said=said)))
        departed = resolve_departure(clocks[0], now) if clocks else None
        if departed is None and amounts:
            departed = now - timedelta(seconds=(amounts[0].low + amounts[0].high) / 2)
        if departed is not None and departed < now:
            origin = Mention(c_start, c_start, UNSAID_START, ())
            out.append(ElapsedTime(origin, departed, now, said))
    return out


# ======================================================================= altitude


def _elevations(doc: Doc, notes: list[str]) -> tuple[list[ElevationClue], list[tuple[int, int]]]:
    out: list[ElevationClue] = []
    spans: list[tuple[int, int]] = []
    text = doc.quiet
    for m in _ELEVATION.finditer(text):
        num = m.group("num")
        if num[0].isdigit():
            value = float(num.replace(",", ""))
        else:
            parsed = zh_number(num)
            if parsed is None or parsed[0] != parsed[1]:
                continue
            value = parsed[0]
        unit = (m.group("unit") or "").strip()
        suffix = (m.group("suf") or "").strip()
        c_start, _ = doc.clause(m.start())
        before = text[max(c_start, m.start() - 40) : m.start()]
        cue = bool(_ELEVATION_CUE.search(before) or _ELEVATION_CUE.search(suffix)) or suffix in (
            "asl",
            "a.s.l",
            "a.s.l.",
            "above sea level",
        )
        if not cue and _DISTANCE_AFTER.match(text[m.end() : m.end() + 15]):
            continue
        feet = unit in ("ft", "feet", "foot", "'", "英尺")
        metres = unit != "" and not feet
        if metres:
            ok = 1000 <= value <= 9000 if cue else 3500 <= value <= 9000
        elif feet:
            ok = 3000 <= value <= 30000 if cue else 10000 <= value <= 30000
        elif cue:
            if 2500 <= value <= 9000:
                ok = True
            elif 9000 < value <= 30000:
                feet, ok = True, True
            else:
                ok = False
        else:
            ok = False
        if not ok:
            if cue and (metres or feet) and value > 0:
                notes.append(Said(msg("locate.note.altitude", said=m.group(0).strip())))
            continue
        elevation = value * FT_TO_M if feet else value
        words = {(m.group("pre") or "").strip().rstrip("."), suffix}
        tolerance = ELEVATION_TOLERANCE_M
        if words & _HEDGE_WORDS:
            tolerance = ELEVATION_TOLERANCE_VAGUE_M
        if value % 500 == 0:  # a round figure is a rounded figure
            tolerance += 100.0
        step = 1000.0 if value % 1000 == 0 else 100.0 if value % 100 == 0 else 10.0
        step *= FT_TO_M if feet else 1.0
        if m.group("more") or suffix == "多" or words & _MORE_WORDS:
            elevation += step / 2
            tolerance = max(tolerance, step / 2 + 50.0)
        elif words & _LESS_WORDS:
            elevation -= min(step, 500.0) / 2
            tolerance = max(tolerance, min(step, 500.0) / 2 + 50.0)
        out.append(ElevationClue(round(elevation, 1), tolerance, doc.span_text(*m.span())))
        spans.append(m.span())
    return out, spans


# ======================================================================= entry point


def _validate(text: object, reported_at: object, direction: object) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"the description must be text, not {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise InvalidInput("the description is empty: say what the caller describes")
    if len(stripped) > MAX_TEXT_CHARS:
        raise InvalidInput(
            f"the description is {len(stripped):,} characters long; "
            f"at most {MAX_TEXT_CHARS:,} are accepted"
        )
    if (
        not isinstance(reported_at, datetime)
        or reported_at.tzinfo is None
        or (reported_at.utcoffset() is None)
    ):
        raise InvalidInput(f"reported_at must be a timezone-aware datetime, not {reported_at!r}")
    if direction is not None and direction not in DIRECTIONS:
        raise InvalidInput(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
    return unicodedata.normalize("NFC", stripped)


def _decimal_comma_coordinates(
    text: str, bbox: tuple[float, float, float, float] | None
) -> list[CoordinateMatch]:
    """Coordinates written with decimal commas ("31,0076 / 81,3727"), if there are two."""
    if len(_DECIMAL_COMMA.findall(text)) < 2:
        return []
    found = find_coordinates(_DECIMAL_COMMA.sub(r"\1.", text), bbox=bbox)  # same length
    return [
        replace(
            cm,
            text=text[cm.start : cm.end],
            readings=tuple(
                replace(
                    r,
                    text=text[cm.start : cm.end],
                    label=Said(msg("locate.reading_decimal_commas", reading=r.label)),
                )
                for r in cm.readings
            ),
        )
        for cm in found
    ]


def _without_denied(mentions: list[Mention], folded: str, notes: list[str]) -> list[Mention]:
    """The mentions without the names the caller rules out ("NOT Selung", "不是曲古寺").

    Only a bare "not" right before the name counts: "not far from X", "not yet at X"
    keep X. In English the name must end the phrase ("not the Kailash one", "(NOT X)").
    """
    out = []
    for m in mentions:
        before = folded[max(0, m.start - 16) : m.start]
        after = folded[m.end : m.end + 8]
        denied = _DENIED_NAME.search(before) is not None
        if denied and m.text.isascii() and not _DENIED_AFTER_EN.match(after):
            denied = False
        if denied and m.feature is None:
            notes.append(Said(msg("locate.note.ruled_out", said=m.text)))
            continue
        out.append(m)
    return out


def parse_clues(
    text: str,
    *,
    names: NameIndexLike,
    reported_at: datetime,
    direction: Direction | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> Clues:
    """Read every usable clue out of a caller's description.

    Parameters
    ----------
    text
        The description as typed by the call taker: English, Chinese or both,
        1-2,000 characters after stripping.
    names
        The name index: ``names.find(text)`` returns the place and feature
        mentions with character offsets.
    reported_at
        When the call came in (timezone-aware). Clock times in the text are
        local time in Tibet (Asia/Shanghai); "now 13:30" in the text replaces it.
    direction
        The walking direction if the call taker knows it; overrides the text.
    bbox
        The region's extent (min lon, min lat, max lon, max lat), passed to the
        coordinate reader.

    Returns
    -------
    Clues
        Mentions, the relations around them, walking times, altitudes,
        coordinate readings, sights, direction, language and notes on what was
        understood but could not be used. ``Clues.text`` is the stripped,
        NFC-normalised description, to which all offsets refer.

    Raises
    ------
    InvalidInput
        If ``text`` is not a string or is empty or longer than 2,000 characters
        after stripping, if ``reported_at`` is not timezone-aware, if
        ``direction`` is not "clockwise" or "counterclockwise", or if the text
        holds a coordinate that cannot be (raised by the coordinate reader).
    """
    text = _validate(text, reported_at, direction)
    notes: list[str] = []
    folded = fold(text)

    links = find_links(text, bbox)  # map links, geo: URIs, Plus Codes: their datum is known
    rest = mask(text, [(cm.start, cm.end) for cm in links])
    matches = find_coordinates(rest, bbox=bbox)
    if not matches:
        matches = _decimal_comma_coordinates(rest, bbox)
    matches, datum_note = with_app_datum(text, matches)
    if datum_note:
        notes.append(datum_note)
    matches = sorted([*links, *matches], key=lambda cm: cm.start)
    coordinates: list[CoordinateReading] = [r for cm in matches for r in cm.readings]
    scan = mask(folded, [(cm.start, cm.end) for cm in matches])

    all_mentions = _without_denied(list(names.find(text)), folded, notes)
    usable: list[Mention] = []
    for m in sorted(all_mentions, key=lambda m: (m.start, -m.end)):
        if 0 <= m.start < m.end <= len(text) and (not usable or m.start >= usable[-1].end):
            usable.append(m)
    quiet = mask(scan, [(m.start, m.end) for m in usable])
    doc = Doc(text, folded, scan, quiet, usable, clauses(quiet))

    doc.clocks = find_clock_times(quiet)
    daylight = find_daylight_times(quiet, doc.clocks)
    if daylight:
        read = [f"“{text[c.start : c.end]}” ≈ {c.hour:02d}:{c.minute:02d}" for c in daylight]
        notes.append(Said(msg("locate.note.daylight", read=Name(", ".join(read), "、".join(read)))))
        doc.clocks = sorted([*doc.clocks, *daylight], key=lambda c: c.start)
    doc.quiet = mask(quiet, [(c.start, c.end) for c in doc.clocks])
    elevations, elevation_spans = _elevations(doc, notes)
    doc.amounts = find_amounts(mask(doc.quiet, elevation_spans))

    words = sight_words(scan)
    relations, by_mention = find_relations(doc, in_sight_phrase(doc, words))
    relations += _goals(doc, by_mention)
    relations += _still_ahead(doc, by_mention)

    local_now = reported_at.astimezone(LOCAL_TZ)
    now_clock = next((c for c in doc.clocks if c.now), None)
    if now_clock is not None:
        local_now = resolve_now(now_clock, reported_at)
    handled: set[tuple[int, int]] = set()
    released: list[Relation] = []
    elapsed, extra = _elapsed(doc, local_now, by_mention, notes, handled, released)
    relations = [r for r in relations if not any(r is x for x in released)]
    relations = sorted(relations + extra, key=lambda r: r.anchor.start)
    relations = _reached(doc, relations, by_mention)
    elapsed += _orphan_times(doc, handled, notes, local_now)

    viewed: list[tuple[int, int]] = []
    sights = find_sights(doc, by_mention, notes, words, viewed)

    said = text_direction(scan, notes)
    if direction is not None:
        if said is not None and said != direction:
            notes.append(
                Said(
                    msg(
                        "locate.note.direction",
                        said=msg(f"locate.direction.{said}"),
                        given=msg(f"locate.direction.{direction}"),
                    )
                )
            )
        said = direction

    han, latin = count_scripts(scan)
    language = "mixed" if han and latin else "zh" if han else "en"

    return Clues(
        text=text,
        mentions=tuple(all_mentions),
        relations=tuple(relations),
        elapsed=tuple(elapsed),
        elevations=tuple(elevations),
        coordinates=tuple(coordinates),
        sights=tuple(sights),
        direction=said,
        language=language,
        notes=tuple(dict.fromkeys(notes)),
        in_view=tuple(dict.fromkeys(viewed)),
    )
