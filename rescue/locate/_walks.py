"""Walking told in words: departures, times and distances walked, goals still ahead.

"left Darchen at 8", "从塔钦出发走了五个小时", "stayed at Dirapuk, set off at 7", "two more
hours to the pass", "到了X，又走了七公里": each becomes a :class:`~rescue.locate.model.Relation`
from (or to) a place, or from the start not said (:data:`UNSAID_START`). A step of
:func:`rescue.locate.clues.parse_clues`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from geodata.i18n import Said, msg
from rescue.locate._doc import Doc, en, zh
from rescue.locate._numbers import Amount
from rescue.locate._relations import (
    ARRIVED,
    DEPARTURE_EN,
    WALK_ON,
    by_vehicle,
    relation,
)
from rescue.locate._timeparse import (
    resolve_departure,
)
from rescue.locate.model import (
    ElapsedTime,
    Mention,
    Relation,
)

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


@dataclass
class _Start:
    """A mention the caller set off from: its cue ("strong" or "pass"), words and clause."""

    i: int
    cue: str
    cue_start: int
    cue_end: int
    clause: tuple[int, int]


@dataclass
class _Told:
    """What the text tells of one walk: when it began, the words saying so, how far walked."""

    departed: datetime | None = None
    span: tuple[int, int] | None = None
    walked: Amount | None = None


def _elapsed(
    doc: Doc,
    now: datetime,
    by_mention: dict[int, Relation],
    notes: list[str],
    handled: set[tuple[int, int]],
    released: list[Relation] | None = None,
) -> tuple[list[ElapsedTime], list[Relation]]:
    """Walking times from a named place; ``handled`` collects the clauses read."""
    starts: list[_Start] = []
    for i in range(len(doc.mentions)):
        if i in doc.modifiers:
            continue
        found = _departure_cue(doc, i)
        if found is not None:
            starts.append(_Start(i, *found, doc.clause(doc.mentions[i].start)))
    taken = {s.i for s in starts}
    starts += [_Start(*s) for s in _stayed_starts(doc, taken, by_mention, released)]
    reader = _Departures(doc, now, by_mention, notes, handled)
    out: list[ElapsedTime] = []
    for s in sorted(starts, key=lambda s: s.cue_start):
        walk = reader.read(s)
        if walk is not None:
            out.append(walk)
    return out, reader.extra


class _Departures:
    """Reads the walk from each starting point in turn (clock times are used once)."""

    def __init__(
        self,
        doc: Doc,
        now: datetime,
        by_mention: dict[int, Relation],
        notes: list[str],
        handled: set[tuple[int, int]],
    ) -> None:
        self.doc, self.now, self.by_mention = doc, now, by_mention
        self.notes, self.handled = notes, handled
        self.used_clocks: set[int] = set()
        self.extra: list[Relation] = []

    def read(self, s: _Start) -> ElapsedTime | None:
        """The walking time from ``s``, or None (a relation may be kept in ``extra``)."""
        doc = self.doc
        self.handled.add(s.clause)
        nxt = _next_clause(doc, s.clause)
        k_clock, k_amount = self._time_of(s, nxt)
        told = _Told()
        if k_clock is None:
            told.walked = _walked_distance(doc, s.cue_end, s.clause[1])
        if k_clock is not None and not self._by_clock(s, k_clock, told):
            return None
        if k_clock is None and k_amount is not None and not self._by_amount(s, k_amount, told):
            return None
        if nxt and s.cue == "strong":
            self._walked_on(nxt, told)
        if told.departed is None or told.span is None:
            self._no_time(s, told)
            return None
        start, end = min(told.span[0], s.cue_start), max(told.span[1], s.cue_end)
        m = doc.mentions[s.i]
        return ElapsedTime(m, told.departed, self.now, doc.span_text(start, end))

    def _time_of(self, s: _Start, nxt: tuple[int, int] | None) -> tuple[int | None, int | None]:
        """(clock index, amount index) of the departure time, in its clause or the next."""
        doc = self.doc
        k_clock, k_amount = _time_in(doc, s.clause, s.cue_start, s.cue, self.used_clocks)
        if k_clock is None and k_amount is None and nxt and s.cue == "strong":
            # "we left the ticket office before 7, about 6:50": the time in the next clause
            k_clock, k_amount = _time_in(doc, nxt, nxt[0], s.cue, self.used_clocks)
            if k_amount is not None and not WALK_ON.match(doc.scan[nxt[0] : nxt[1]]):
                k_amount = None
            if k_clock is not None or k_amount is not None:
                self.handled.add(nxt)
        return k_clock, k_amount

    def _by_clock(self, s: _Start, k_clock: int, told: _Told) -> bool:
        """Set the departure from a clock time; False (with a note) if it cannot be today."""
        clock = self.doc.clocks[k_clock]
        self.used_clocks.add(k_clock)
        told.departed = resolve_departure(clock, self.now)
        if told.departed is None:
            late = "locate.note.late_departure" if s.cue == "strong" else "locate.note.late_time"
            self.notes.append(Said(msg(late, said=clock.text)))
            return False
        told.span = (clock.start, clock.end)
        return True

    def _by_amount(self, s: _Start, k_amount: int, told: _Told) -> bool:
        """Set the departure from a time ago; False if the time was spent in a vehicle."""
        doc = self.doc
        a = doc.amounts[k_amount]
        doc.used_amounts.add(k_amount)
        if a.kind == "duration" and by_vehicle(doc, a.start) and s.i not in self.by_mention:
            # "we left Darchen by jeep 30 minutes ago": a distance past it, not a walk
            rel = relation(doc, "after", doc.mentions[s.i], s.cue_start, s.cue_end, a)
            self.extra.append(rel)
            self.by_mention[s.i] = rel
            return False
        ago = _AGO.match(doc.scan[a.end : s.clause[1]])
        told.departed = self.now - timedelta(seconds=(a.low + a.high) / 2)
        told.span = (a.start, a.end + (ago.end() if ago else 0))
        return True

    def _walked_on(self, nxt: tuple[int, int], told: _Told) -> None:
        """ "九点一刻从塔钦出发，刚走了四十多分钟": the same walk, said twice."""
        doc = self.doc
        lead = WALK_ON.match(doc.scan[nxt[0] : nxt[1]])
        if lead is None:
            return
        later = doc.amount_after(nxt[0] + lead.end(), nxt[1])
        if later is not None and later.kind == "duration":
            self.handled.add(nxt)
            if told.departed is None:
                told.departed = self.now - timedelta(seconds=(later.low + later.high) / 2)
                told.span = (later.start, later.end)
        elif later is not None and told.departed is None and told.walked is None:
            told.walked = later  # "left X this morning, walked about 2 km": that far past X
            self.handled.add(nxt)
        elif later is not None:
            doc.used_amounts.discard(doc.amounts.index(later))

    def _no_time(self, s: _Start, told: _Told) -> None:
        """A departure with no time: past the place, by the distance walked if said."""
        if s.cue != "strong" or s.i in self.by_mention:
            return
        doc = self.doc
        # "从X出发，…刚爬了一点", "left X, just started the climb": not far past X
        ahead = _SENTENCE_END.split(doc.scan[s.cue_end : s.cue_end + 60])[0]
        just = told.walked is None and _JUST_STARTED.search(ahead) is not None
        rel = relation(
            doc,
            "after",
            doc.mentions[s.i],
            s.cue_start,
            s.cue_end,
            told.walked,
            mod="not far" if just else None,
        )
        self.extra.append(rel)
        self.by_mention[s.i] = rel


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


#: a clause that only says the place just named is not reached yet: "…就是垭口，…，还没到",
#: "Drolma La is 7 km from Dirapuk, we have not reached it yet"
_NOT_YET = re.compile(
    r"\s*(?:但是?|可是|不过)?(?:我们|我|咱们)?(?:现在)?(?:还|也还)?(?:没有?|未)(?:走到|到达|到|过)"
    r"(?:呢|了|啊|吧)?\s*"
    r"|\s*(?:but\s+)?(?:we\s+|i\s+)?(?:(?:are|am|'re|'m)\s*(?:not|n't)|aren't|not)\s+"
    r"(?:there|at\s+it)\s+yet\s*"
    r"|\s*(?:but\s+)?(?:we\s+|i\s+)?(?:have\s+not|haven't|did\s+not|didn't)\s+(?:yet\s+)?"
    r"(?:reached|reach|got\s+to|get\s+to|made\s+it\s+to)\s+it(?:\s+yet)?\s*",
    re.IGNORECASE,
)


def _not_reached(doc: Doc, by_mention: dict[int, Relation]) -> list[Relation]:
    """A clause saying only "not reached yet" puts the place last named (one or two clauses
    before, with no relation of its own) ahead: "从止热寺出来徒步七公里就是垭口，我们已经
    走了五公里左右，还没到" is before the pass."""
    out: list[Relation] = []
    for span in doc.clause_spans:
        if not _NOT_YET.fullmatch(doc.scan[span[0] : span[1]]):
            continue
        prev: tuple[int, int] | None = span
        for _ in range(2):
            prev = doc.neighbour(prev, -1) if prev is not None else None
            if prev is None:
                break
            inside = [
                i
                for i, m in enumerate(doc.mentions)
                if prev[0] <= m.start < prev[1] and i not in doc.modifiers
            ]
            if not inside:
                continue
            i = inside[-1]
            if i not in by_mention:
                rel = relation(doc, "before", doc.mentions[i], span[0], span[1])
                by_mention[i] = rel
                out.append(rel)
            break
    return out


def _goals(doc: Doc, by_mention: dict[int, Relation]) -> list[Relation]:
    """A place the caller has not yet set off for is ahead, not where they are
    ("在塔尔钦镇，还没出发去卓玛拉垭口"), and so is one they say they have not reached
    yet (:func:`_not_reached`)."""
    out: list[Relation] = _not_reached(doc, by_mention)
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
    first, whose distance guidebooks count differently, is dropped. Then a walk from one
    place towards the next said to be half done is halfway between them (:func:`_halfway`)."""
    return _halfway(doc, _arrived(doc, relations, by_mention), by_mention)


def _halfway(
    doc: Doc, relations: list[Relation], by_mention: dict[int, Relation]
) -> list[Relation]:
    """ "left Dirapuk, climbing to Drolma La, halfway up", "从止热寺出发往卓玛拉山口爬，爬了
    一半": the place left and the place ahead (no amounts), with "halfway" said right after
    the second, are one relation: halfway between them."""
    ahead = [r for r in relations if r.kind in ("before", "up_to") and _bare(r)]
    left = [r for r in relations if r.kind in ("after", "past", "down_from") and _bare(r)]
    for y in ahead:
        c_start, c_end = doc.clause(y.anchor.start)
        nxt = _next_clause(doc, (c_start, c_end))
        hi = nxt[1] if nxt is not None else c_end
        said = _HALFWAY_WORDS.search(doc.scan, y.anchor.end, hi)
        xs = [x for x in left if x.anchor.end <= y.anchor.start and x.anchor != y.anchor]
        if said is None or not xs:
            continue
        x = xs[-1]
        rel = relation(doc, "halfway", x.anchor, x.anchor.start, said.end(), other=y.anchor)
        relations = [rel if r is x else r for r in relations if r is not y]
        for k, r in list(by_mention.items()):
            if r is x or r is y:
                by_mention[k] = rel
        left.remove(x)
    return relations


def _bare(r: Relation) -> bool:
    """A relation of one place with no amount."""
    return r.other is None and r.distance_m is None and r.duration_s is None


_HALFWAY_WORDS = re.compile(r"half\s*way|半路|一半|半道|半途", re.IGNORECASE)


def _arrived(
    doc: Doc, relations: list[Relation], by_mention: dict[int, Relation]
) -> list[Relation]:
    """The relations, less a walk from a place said before reaching the next one."""
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


#: the end of departure words that already say the walking ("从X走了", "X se chale")
_WALKED_CUE = re.compile(r"(?:走了|爬了|下了|走)$")


def _walked_distance(doc: Doc, pos: int, hi: int) -> Amount | None:
    """A walked distance right after a departure ("离开祖楚寺走了大概3公里",
    "left Dirapuk, walked about 2 km"): the caller is that far past the place."""
    lead = WALK_ON.match(doc.scan[pos:hi])
    if lead is None and _WALKED_CUE.search(doc.scan[max(0, pos - 6) : pos]) is None:
        return None
    # "从Yamdwar走了大概六公里": the departure words already say "walked"
    a = doc.amount_after(pos + (lead.end() if lead else 0), hi)
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
