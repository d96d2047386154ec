"""The description being parsed, and the pattern helpers the clue readers share.

:class:`Doc` holds the text in its forms (as given, folded, with coordinates or
mentions blanked), the usable mentions, the clauses and the amounts and clock
times found so far, and hands out amounts next to a relation word (each at most
once).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from rescue.locate._numbers import Amount
from rescue.locate._timeparse import ClockTime
from rescue.locate.model import Mention

__all__ = ["Doc", "FILL_EN", "FILL_ZH", "en", "zh"]

#: Between two mentions that name one place ("塔钦转山起点", "Darchen's kora gate").
_COMPOUND_GAP = re.compile(r"(?:\s|的|'s|那个|这个|那座|这座)*")
_SIDE_EN = r"(?:north|south|east|west|upper|lower|far|top|near)(?:ern)?"
#: Between a feature word and the place that says which one it is: "the guest house at
#: Dirapuk", "our rooms in Deraphuk", "the monastery on the north end of Darchen", "the
#: bridge below Zutulpuk"; the feature word is then no place of its own (issue 13:
#: generic words are not places until the context makes them one).
_QUALIFIED_GAP = re.compile(
    rf"\s+(?:at|in|of|near|by|below|above|outside|(?:on|at|in)\s+the\s+{_SIDE_EN}\s+"
    rf"(?:end|side|edge|part)\s+of|{_SIDE_EN}\s+of|just\s+(?:outside|below|above))"
    r"\s+(?:the\s+)?"
)

_FILL_WORDS = (
    r"the|a|an|this|that|our|big|large|great|huge|small|little|old|new|main|first|second|third"
    r"|last|iron|wooden|metal|stone|holy|sacred|famous|high|upper|lower|tibetan"
    r"|top\s+of\s+the|summit\s+of\s+the"
)
#: Between an English relation word and the mention: a few articles and adjectives, and
#: one word of any kind just before the name ("past the Tarbochay flag pole").
FILL_EN = rf"\s*(?:(?:{_FILL_WORDS})\s+){{0,3}}(?:[a-z][a-z'-]*\s+)?$"
FILL_ZH = r"(?:那个|这个|那座|这座|那|这|一个|个|的)?$"


def en(pattern: str) -> re.Pattern[str]:
    """English relation words, anchored at the end of the words before a mention."""
    return re.compile(rf"(?:{pattern}){FILL_EN}")


def zh(pattern: str) -> re.Pattern[str]:
    """Chinese words right before a mention ("过了", "从那个"), anchored at the end."""
    return re.compile(rf"(?:{pattern}){FILL_ZH}")


_GAP_BEFORE_EN = re.compile(
    r"\s*(?:(?:more|left|still|remaining|away|walk|walking|of\s+walking|to\s+go|down|up"
    r"|further|farther|or\s+so)\s*)*"
)
_GAP_AFTER = re.compile(
    r"(?:\s|已经|还有|还剩|还差|还要|还得|还需要?|还|有|走了|走|了|的|都|就|再|又|地方|处|"
    r"is|are|by|about)*"
)


@dataclass
class Doc:
    """The description and what has been read out of it so far."""

    text: str
    folded: str
    scan: str  # folded, coordinates blanked
    quiet: str  # scan with mentions, clock times and altitudes blanked (for amounts)
    mentions: list[Mention]  # usable, sorted, non-overlapping
    clause_spans: list[tuple[int, int]]
    amounts: list[Amount] = field(default_factory=list)
    used_amounts: set[int] = field(default_factory=set)
    clocks: list[ClockTime] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._clause_starts = [s for s, _ in self.clause_spans]
        #: mentions that only qualify the next one: its relation words are the next one's
        self.modifiers: set[int] = set()
        for i in range(len(self.mentions) - 1):
            a, b = self.mentions[i], self.mentions[i + 1]
            gap = self.scan[a.end : b.start]
            if (
                len(gap) <= 3
                and _COMPOUND_GAP.fullmatch(gap)
                and (self.clause(a.start) == self.clause(b.start))
            ):
                self.modifiers.add(i)
            elif (
                a.feature is not None
                and b.feature is None
                and b.place_ids
                and _QUALIFIED_GAP.fullmatch(gap)
            ):
                self.modifiers.add(i)

    def clause(self, pos: int) -> tuple[int, int]:
        """(start, end) of the clause holding ``pos``; an empty span on a boundary."""
        i = bisect.bisect_right(self._clause_starts, pos) - 1
        if i >= 0 and pos < self.clause_spans[i][1]:
            return self.clause_spans[i]
        return pos, pos

    def neighbour(self, span: tuple[int, int], step: int) -> tuple[int, int] | None:
        """The clause before (``step`` -1) or after (+1) the clause ``span``."""
        k = bisect.bisect_right(self._clause_starts, span[0]) - 1 + step
        if k < 0 or k >= len(self.clause_spans) or self.clause_spans[k] == span:
            return None
        return self.clause_spans[k]

    def window(self, i: int) -> tuple[int, int]:
        """How far before and after mention ``i`` its relation words may lie."""
        m = self.mentions[i]
        c_start, c_end = self.clause(m.start)
        lo = max(c_start, m.start - 80)
        if i - 1 in self.modifiers:  # "从塔钦转山起点出发": the words before the modifier
            lo = min(self.window(i - 1)[0], m.start)
        elif i > 0:
            lo = max(lo, self.mentions[i - 1].end)
        hi = min(max(c_end, m.end), m.end + 60)
        if i + 1 < len(self.mentions):
            hi = min(hi, self.mentions[i + 1].start)
        return min(lo, m.start), max(hi, m.end)

    def head_start(self, i: int) -> int:
        """Where the words naming mention ``i`` start, its modifiers included."""
        while i - 1 in self.modifiers:
            i -= 1
        return self.mentions[i].start

    def around(self, i: int) -> tuple[int, int, str, str]:
        """(lo, hi, words before, words after) mention ``i`` and its modifiers."""
        lo, hi = self.window(i)
        return lo, hi, self.scan[lo : self.head_start(i)], self.scan[self.mentions[i].end : hi]

    def amount_before(self, pos: int, lo: int) -> Amount | None:
        """An unused amount ending just before ``pos`` ("2 hours | before X")."""
        for k in range(len(self.amounts) - 1, -1, -1):
            a = self.amounts[k]
            if a.end > pos or k in self.used_amounts:
                continue
            if a.start < lo:
                return None
            if _GAP_BEFORE_EN.fullmatch(self.scan[a.end : pos]):
                self.used_amounts.add(k)
                return a
            return None
        return None

    def amount_after(self, pos: int, hi: int) -> Amount | None:
        """An unused amount starting just after ``pos`` ("过了X | 大概3公里")."""
        for k, a in enumerate(self.amounts):
            if a.start < pos or k in self.used_amounts:
                continue
            if a.start >= hi:
                return None
            if _GAP_AFTER.fullmatch(self.scan[pos : a.start]):
                self.used_amounts.add(k)
                return a
            return None
        return None

    def span_text(self, start: int, end: int) -> str:
        """The words from ``start`` to ``end`` as written (not folded)."""
        return self.text[start:end].strip()
