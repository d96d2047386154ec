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
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from rescue.errors import InvalidInput
from rescue.locate import _lexicon as lex
from rescue.locate._numbers import Amount, find_amounts, zh_number
from rescue.locate._text import clauses, count_scripts, fold, mask, sight_clauses
from rescue.locate._timeparse import (
    LOCAL_TZ,
    ClockTime,
    find_clock_times,
    resolve_departure,
    resolve_now,
)
from rescue.locate.coords import find_coordinates
from rescue.locate.model import (
    RELATION_KINDS,
    Clues,
    CoordinateReading,
    Direction,
    ElapsedTime,
    ElevationClue,
    Mention,
    Relation,
    SightClue,
)

__all__ = ["MAX_TEXT_CHARS", "NameIndexLike", "parse_clues"]

#: Longest description accepted (after stripping).
MAX_TEXT_CHARS = 2000

#: "just past", "刚过": a short way beyond (m)
JUST_M = (0.0, 500.0)
#: "not far past", "快到", "离X不远": within about a kilometre (m)
NOT_FAR_M = (0.0, 1000.0)
#: altimeter or phone reading; "about" widens it (m)
ELEVATION_TOLERANCE_M = 100.0
ELEVATION_TOLERANCE_VAGUE_M = 150.0
FT_TO_M = 0.3048

_DIRECTIONS: tuple[Direction, ...] = ("clockwise", "counterclockwise")
#: relations that place the caller off the spot: a feature word under them is no sight
_DIRECTIONAL = frozenset(
    {"past", "after", "before", "between", "halfway", "down_from", "up_to", "across_river"}
)


class NameIndexLike(Protocol):
    """What the parser needs of a name index: mentions with offsets in ``text``."""

    def find(self, text: str) -> Sequence[Mention]: ...


# ======================================================================= patterns

_FILL_EN = (
    r"\s*(?:(?:the|a|an|this|that|our|big|large|great|huge|small|little|old|new|main|first"
    r"|second|third|last|iron|wooden|metal|stone|holy|sacred|famous|high|upper|lower|tibetan"
    r"|top\s+of\s+the|summit\s+of\s+the)\s+){0,3}$"
)
_FILL_ZH = r"(?:那个|这个|那座|这座|那|这|一个|个)?$"


def _en(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{pattern}){_FILL_EN}")


def _zh(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?:{pattern}){_FILL_ZH}")


_MOD_EN = (
    r"(?:(?P<mod>only\s+just|just|right|shortly|a\s+bit|a\s+little|slightly|not\s+far|not\s+long"
    r"|soon|almost\s+at|nearly\s+at)\s+)?"
)

#: English words before a mention, most specific first: (kind, pattern)
_PRE_EN: list[tuple[str, re.Pattern[str]]] = [
    ("down_from", _en(
        r"\b(?:(?:on\s+(?:the|our)\s+way|coming|came|come|walking|walked|going|went|heading"
        r"|headed|hiking|hiked|climbing|climbed|descending|descended|way)\s+down\s+(?:from|off)"
        r"|descending\s+(?:from|off)|(?:the\s+)?descent\s+(?:from|off)|down\s+from"
        r"|(?:coming|came|come)\s+(?:down\s+)?off)")),
    ("up_to", _en(
        r"\b(?:(?:on\s+(?:the|our)\s+way|climbing|climbed|going|walking|heading|hiking|way)"
        r"\s+up(?:\s+(?:to(?:wards?)?|the))?|climbing(?:\s+(?:to(?:wards?)?|up))?"
        r"|ascending(?:\s+to(?:wards?)?)?|(?:the\s+)?(?:climb|ascent)\s+(?:to(?:wards?)?|up)"
        r"|up\s+to(?:wards?)?)")),
    ("across_river", _en(
        r"\b(?:across\s+the\s+(?:river|stream|creek|water)\s+from"
        r"|(?:on\s+)?the\s+other\s+side\s+of\s+the\s+(?:river|stream|creek)\s+from"
        r"|(?:on\s+the\s+)?opposite\s+(?:bank|side)\s+(?:of\s+the\s+river\s+)?(?:from|to)"
        r"|across\s+from|opposite(?:\s+to)?)")),
    ("past", _en(
        rf"\b{_MOD_EN}(?:past|beyond|passed|have\s+passed|went\s+past|walked\s+past"
        r"|gone\s+past|already\s+passed|over|crossed|have\s+crossed|went\s+over|came\s+over"
        r"|got\s+over)")),
    ("after", _en(rf"\b{_MOD_EN}after(?:\s+(?:leaving|crossing|passing|reaching))?")),
    ("before", _en(
        rf"\b{_MOD_EN}(?:before(?:\s+(?:reaching|getting\s+to|arriving\s+at))?|in\s+front\s+of"
        r"|short\s+of|(?:not|haven'?t|have\s+not|hasn'?t|didn'?t|did\s+not)\s+(?:yet\s+)?"
        r"(?:reached|reach|got\s+to|get\s+to|gotten\s+to|arrived\s+at|arrive\s+at|made\s+it\s+to"
        r"|make\s+it\s+to)|(?:on\s+(?:the|our)\s+way|heading|headed|walking|going|hiking)"
        r"\s+(?:to(?:wards?)?|for)|towards?|approaching|almost\s+(?:at|to)|nearly\s+(?:at|to))")),
    ("below", _en(
        r"\b(?:below|beneath|under(?:neath)?|(?:at\s+)?the\s+(?:foot|bottom|base)\s+of"
        r"|downhill\s+(?:from|of)|lower\s+than)")),
    ("above", _en(r"\b(?:above|uphill\s+(?:from|of)|higher\s+than|up\s+above)")),
    ("near", _en(
        r"\b(?:near(?:\s+to)?|nearby|close\s+to|next\s+to|beside|by|around|not\s+far\s+from"
        r"|close\s+by|outside(?:\s+of)?|behind|at\s+the\s+side\s+of)")),
    ("at", _en(
        r"\b(?:at|in|on|inside|reached|arrived\s+(?:at|in)|got\s+to|made\s+it\s+to"
        r"|on\s+top\s+of|top\s+of|summit\s+of|passing)")),
]

#: English words that need an amount before them: "2 hours to X", "3 km from X"
_PRE_EN_AMOUNT: list[tuple[str, re.Pattern[str]]] = [
    ("before", _en(
        r"\b(?:to\s+go\s+(?:to|until|till)|to|till|until|before\s+(?:we\s+)?(?:reach|get\s+to"
        r"|arrive\s+at))")),
    ("near", _en(r"\b(?:away\s+from|from|off)")),
]
_GAP_BEFORE_EN = re.compile(
    r"\s*(?:(?:more|left|still|remaining|away|walk|walking|of\s+walking|to\s+go|down|up"
    r"|further|farther|or\s+so)\s*)*"
)
_NOT_EN = re.compile(
    r"\b(?:not|n't|haven'?t|hasn'?t|never|aren'?t|isn'?t|weren'?t|not\s+yet)"
    r"\s+(?:yet\s+|even\s+|quite\s+|been\s+|got\s+|gotten\s+)*$"
)
_STILL_EN = re.compile(r"\b(?:still|another|more|left|remaining|to\s+go)\b")
_WALKED_EN = re.compile(r"\b(?:walk(?:ed|ing)|hik(?:ed|ing)|trekk?(?:ed|ing)|been)\b[^.,;]*$")

#: English words after a mention: "X is behind us", "X is right above us"
_POST_EN: list[tuple[str, re.Pattern[str]]] = [
    ("past", re.compile(
        r"^\s*(?:is|was|are|were)?\s*(?:now\s+|already\s+|just\s+|right\s+|far\s+|well\s+"
        r"|a\s+bit\s+|a\s+little\s+)?behind\s+(?:us|me)\b")),
    ("before", re.compile(
        r"^\s*(?:is|are)?\s*(?:still\s+)?(?:just\s+|right\s+)?(?:ahead(?:\s+of\s+(?:us|me))?"
        r"|in\s+front\s+of\s+(?:us|me)|coming\s+up)\b")),
    ("below", re.compile(
        r"^\s*(?:is|are)?\s*(?:just\s+|right\s+|directly\s+|high\s+)?(?:above|over)\s+(?:us|me)\b")),
    ("above", re.compile(
        r"^\s*(?:is|are)?\s*(?:just\s+|right\s+|directly\s+|far\s+)?"
        r"(?:below|beneath|under(?:neath)?)\s+(?:us|me)\b")),
    ("across_river", re.compile(
        r"^\s*(?:is|are)?\s*(?:just\s+|right\s+)?(?:across\s+the\s+(?:river|stream|creek)"
        r"|on\s+the\s+other\s+side\s+of\s+the\s+(?:river|stream|creek)"
        r"|on\s+the\s+opposite\s+bank)\b")),
    ("near", re.compile(
        r"^\s*(?:is|are)\s+(?:very\s+)?(?:near(?:by)?|close(?:\s+by)?|right\s+here"
        r"|next\s+to\s+(?:us|me))\b")),
]
_POST_EN_AMOUNT_LEAD = re.compile(r"^\s*(?:is|are)\s+(?:still\s+|only\s+|just\s+)?")
_POST_EN_AMOUNT_TAIL = re.compile(
    r"^\s*(?P<w>away|ahead|more|to\s+go|behind(?:\s+(?:us|me))?|back)\b"
)

_JUST_ZH = r"(?P<mod>刚刚|刚|才|快要|快|马上就?|就要|将要)?"
#: Chinese words before and after a mention that only work together: (kind, pre, post, need)
_COMBO_ZH: list[tuple[str, re.Pattern[str], re.Pattern[str], str]] = [
    ("down_from", _zh(r"(?:从|打|自)"),
     re.compile(r"^(?:上面|上|那边|那里|那儿)?(?:一路)?走?(?:下来|下山|下去|往下)"), ""),
    ("after", _zh(r"(?:从|打|自)"),
     re.compile(r"^(?:那边|那里|那儿)?走?(?:过来|出来|来的)"), ""),
    ("before", _zh(r"(?:离|距离|距)"),
     re.compile(r"^(?:还有|还剩|还差|还要|还得|还需要?)"), "amount"),
    ("near", _zh(r"(?:离|距离|距)"),
     re.compile(r"^(?:有|只有)?"), "amount"),
    ("near", _zh(r"(?:离|距离|距)"),
     re.compile(r"^(?:不远|很近|挺近|不太远|不是很远)"), "not_far"),
    ("up_to", _zh(r"(?:往|朝|向)"), re.compile(r"^(?:上)?爬"), ""),
    ("before", _zh(r"(?:往|朝|向|去|前往|奔|赶往)"),
     re.compile(r"^(?:方向)?(?:走|去|赶|的路上|的方向|那边)"), ""),
    ("up_to", _zh(r"(?:上|爬)"), re.compile(r"^(?:的路上|的路|途中)"), ""),
]
#: Chinese words before a mention
_PRE_ZH: list[tuple[str, re.Pattern[str]]] = [
    ("up_to", _zh(r"(?:在爬|正在爬|爬上|往上爬|爬)")),
    ("down_from", _zh(r"(?:刚下了|刚下|下了)")),
    ("across_river", _zh(r"(?:河对岸|对岸|河对面)(?:是|就是|有|的)?")),
    ("before", _zh(
        rf"{_JUST_ZH}(?:还没(?:有)?(?:到|走到|到达|过)|没到|没有到|未到|(?<![看见听找想遇得不收])到)")),
    ("past", _zh(
        rf"{_JUST_ZH}(?:已经)?(?:过了|经过了|走过了|翻过了|越过了|路过了|过完了|经过|走过|翻过"
        r"|越过|路过|(?<!不)过)")),
    ("near", _zh(r"(?:靠近|接近|挨着)")),
    ("none", _zh(r"(?:不在|没在|不是在)")),
    ("at", _zh(r"(?:就在|正在|位于|到达了?|抵达|来到了?|走到了?|已到|在|(?<![看见听找想遇得不收])到了?)")),
]
#: Chinese words after a mention
_POST_ZH: list[tuple[str, re.Pattern[str]]] = [
    ("down_from", re.compile(r"^(?:上)?(?:下来|下山|往下走)")),
    ("before", re.compile(r"^(?:的)?(?:之前|以前|前面|前边|前方|前头|前)")),
    ("after", re.compile(r"^(?:的)?(?:之后|以后|后面|后边|后头|后)")),
    ("past", re.compile(r"^(?:已经|都)?(?:过了|走过了|过去了)")),
    ("below", re.compile(
        r"^(?:的)?(?:下面|下边|下方|底下|脚下|山脚下?|下头|以下|下(?![午雪雨来去山面边方头了]))")),
    ("above", re.compile(r"^(?:的)?(?:上面|上边|上方|上头|以上|山上|顶上)")),
    ("across_river", re.compile(r"^(?:的)?(?:河)?(?:对岸|对面)")),
    ("near", re.compile(r"^(?:的)?(?:附近|旁边|边上|周边|周围|一带|不远处?)")),
    ("before", re.compile(r"^(?:还没到|还没有到|没到|快到了|就在前面|在前面|在我们前面)")),
    ("past", re.compile(r"^(?:在我们后面|在后面)")),
    ("above", re.compile(r"^在我们(?:下面|下边)")),
    ("below", re.compile(r"^在我们(?:上面|上边)")),
]
_GAP_AFTER = re.compile(
    r"(?:\s|已经|还有|还剩|还差|还要|还得|还需要?|还|有|走了|走|了|的|都|就|再|又|地方|处|"
    r"is|are|by|about)*"
)
_MOD_RANGE = {
    "just": JUST_M, "only just": JUST_M, "right": JUST_M, "shortly": JUST_M, "a bit": JUST_M,
    "a little": JUST_M, "slightly": JUST_M, "soon": JUST_M, "not long": NOT_FAR_M,
    "not far": NOT_FAR_M, "almost at": JUST_M, "nearly at": JUST_M, "刚刚": JUST_M,
    "刚": JUST_M, "才": JUST_M, "快要": NOT_FAR_M, "快": NOT_FAR_M, "马上": NOT_FAR_M,
    "马上就": NOT_FAR_M, "就要": NOT_FAR_M, "将要": NOT_FAR_M, "not_far": NOT_FAR_M,
}

# two mentions: "between X and Y", "halfway from X to Y", "X和Y之间", "X到Y的半路"
_PAIR_GAP_AND = re.compile(rf"^\s*(?:and|&|/|-)\s*{_FILL_EN}")
_PAIR_GAP_TO = re.compile(rf"^\s*(?:to|and|-|->)\s*{_FILL_EN}")
_PAIR_GAP_ZH = re.compile(r"^(?:和|与|跟|同|到|至|、|往|去|-|—|~|/)(?:那个|这个)?$")
_PAIR_PRE_EN: list[tuple[str, re.Pattern[str], re.Pattern[str]]] = [
    ("halfway", _en(r"\b(?:half\s*way|midway|half\s+the\s+way|in\s+the\s+middle)\s+"
                    r"(?:between|from)"), _PAIR_GAP_TO),
    ("between", _en(r"\b(?:between|betwen|betweeen|in\s+between)"), _PAIR_GAP_AND),
    ("between", _en(r"\b(?:on\s+the\s+(?:way|road|trail|path)|(?:walking|going|on\s+our\s+way)"
                    r")\s+from"), _PAIR_GAP_TO),
]
_PAIR_POST_EN: list[tuple[str, re.Pattern[str]]] = [
    ("halfway", re.compile(r"^\s*,?\s*(?:about\s+|roughly\s+)?(?:half\s*way|in\s+the\s+middle)\b")),
    ("between", re.compile(r"^\s*,?\s*(?:somewhere\s+)?in\s+between\b")),
]
_PAIR_POST_ZH: list[tuple[str, re.Pattern[str]]] = [
    ("halfway", re.compile(r"^(?:的)?(?:正中间|中点|一半|半路|半道|半途)")),
    ("between", re.compile(r"^(?:的)?(?:之间|中间|当中|路上|途中|中途)")),
]

# departures: "left X at 8", "X出发", "从X出发走了五个小时"
_DEP_EN = _en(
    r"\b(?:left|leave|leaving|started(?:\s+out)?(?:\s+walking)?(?:\s+(?:from|at))?"
    r"|start(?:ing)?\s+from|set\s+(?:off|out)(?:\s+from)?|setting\s+(?:off|out)\s+from"
    r"|departed(?:\s+from)?|depart(?:ing)?\s+from|walked\s+out\s+of"
    r"|since(?:\s+(?:leaving|we\s+left))?)"
)
_DEP_WEAK_EN = _en(r"\bfrom")
_PASS_EN = _en(
    r"\b(?:passed|reached|arrived\s+(?:at|in)|got\s+to|were\s+at|was\s+at|crossed|went\s+past)"
)
_DEP_ZH_PRE = _zh(r"(?:离开了?|告别了?)")
_DEP_ZH_COMBO = (
    _zh(r"(?:从|打|自|在)"),
    re.compile(r"^(?:那边|那里|那儿)?(?:出发|动身|开始转|开始走|起步|走的|走了)"),
)
_DEP_ZH_POST = re.compile(r"^(?:出发|动身)")
_PASS_ZH = _zh(r"(?:经过了?|过了|到了|路过了?|在|到达了?)")
_WALKING = re.compile(
    r"\b(?:walk(?:ed|ing)?|hik(?:ed|ing)|trekk?(?:ed|ing)|been\s+going|on\s+the\s+(?:trail|road))\b"
    r"|走了|走路|出发|转了"
)
_AGO = re.compile(r"^\s*(?:ago|back|earlier)\b|^\s*(?:之前|以前|前)")
_DEP_ANY = re.compile(
    r"\b(?:left|started|set\s+(?:off|out)|departed|walking\s+for|walked\s+for|been\s+walking)\b"
    r"|出发|离开|走了"
)

# altitudes
_ELEVATION = re.compile(
    r"(?P<pre>(?:about|around|approx\.?|approximately|roughly|nearly|almost|~|ca\.?|circa|over"
    r"|above|more\s+than|under|below|less\s+than|at\s+least|just\s+over|just\s+under|大概|大约|约"
    r"|差不多|将近|接近|超过|不到|至少|估计|可能)\s*)?"
    r"(?<![\d.,])(?P<num>\d{1,2},\d{3}(?![\d,])|\d{3,5}(?:\.\d+)?(?![\d,])"
    r"|[零〇一二两三四五六七八九十百千万]{2,10})"
    r"\s*(?P<more>多)?\s*(?P<unit>m(?![a-z])|meters?|metres?|masl|m\.a\.s\.l\.?|ft(?![a-z])"
    r"|feet|foot|'(?!\d)|米|公尺|英尺)?"
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
    {"about", "around", "approx", "approx.", "approximately", "roughly", "~", "ca", "ca.",
     "circa", "大概", "大约", "约", "差不多", "估计", "可能", "左右", "上下", "的样子",
     "nearly", "almost", "将近", "接近"}
)
_MORE_WORDS = frozenset({"over", "above", "more than", "at least", "just over", "超过", "至少"})
_LESS_WORDS = frozenset({"under", "below", "less than", "just under", "不到"})

_NEG_AFTER = re.compile(
    r"^\s*(?:(?:is|are)\s+(?:not|no\s+longer)\s+(?:visible|in\s+(?:view|sight))"
    r"|(?:isn'?t|aren'?t)\s+(?:visible|in\s+(?:view|sight))|not\s+visible|out\s+of\s+sight)"
    r"|^(?:的)?(?:看不[到见着]|没有|没看到|不见了|也没有)"
)
_POSITIVE = re.compile(
    r"\b(?:see|sees|seeing|there\s+(?:is|are))\b"
    r"|能看到|可以看到|(?<![不没])看到|(?<![不没])看见|看得到|看得见|(?<!没)有"
)


_DENIED = re.compile(r"(?:n'?t|not|\bnever|\bno)\s*$")


# ======================================================================= the document


@dataclass
class _Doc:
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

    def clause(self, pos: int) -> tuple[int, int]:
        """(start, end) of the clause holding ``pos``; an empty span on a boundary."""
        i = bisect.bisect_right(self._clause_starts, pos) - 1
        if i >= 0 and pos < self.clause_spans[i][1]:
            return self.clause_spans[i]
        return pos, pos

    def window(self, i: int) -> tuple[int, int]:
        """How far before and after mention ``i`` its relation words may lie."""
        m = self.mentions[i]
        c_start, c_end = self.clause(m.start)
        lo = max(c_start, m.start - 80)
        if i > 0:
            lo = max(lo, self.mentions[i - 1].end)
        hi = min(max(c_end, m.end), m.end + 60)
        if i + 1 < len(self.mentions):
            hi = min(hi, self.mentions[i + 1].start)
        return min(lo, m.start), max(hi, m.end)

    def amount_before(self, pos: int, lo: int) -> Amount | None:
        """An unused amount ending just before ``pos`` ("2 hours | before X")."""
        for k in range(len(self.amounts) - 1, -1, -1):
            a = self.amounts[k]
            if a.end > pos or k in self.used_amounts:
                continue
            if a.start < lo:
                return None
            if _GAP_BEFORE_EN.fullmatch(self.scan[a.end:pos]):
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
            if _GAP_AFTER.fullmatch(self.scan[pos:a.start]):
                self.used_amounts.add(k)
                return a
            return None
        return None

    def span_text(self, start: int, end: int) -> str:
        return self.text[start:end].strip()


# ======================================================================= relations


def _relation(
    doc: _Doc,
    kind: str,
    anchor: Mention,
    start: int,
    end: int,
    amount: Amount | None = None,
    mod: str | None = None,
    other: Mention | None = None,
) -> Relation:
    assert kind in RELATION_KINDS, kind
    distance = duration = None
    if amount is not None:
        start, end = min(start, amount.start), max(end, amount.end)
        if amount.kind == "distance":
            distance = (amount.low, amount.high)
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


def _pair_relation(doc: _Doc, i: int) -> Relation | None:
    """A relation between mention ``i`` and the next one, if the words say so."""
    a, b = doc.mentions[i], doc.mentions[i + 1]
    if doc.clause(a.start) != doc.clause(b.start):
        return None
    gap = doc.scan[a.end:b.start]
    if len(gap) > 30:
        return None
    lo, _ = doc.window(i)
    _, hi = doc.window(i + 1)
    pre, post = doc.scan[lo:a.start], doc.scan[b.end:hi]
    for kind, pre_re, gap_re in _PAIR_PRE_EN:
        pm = pre_re.search(pre)
        if pm and gap_re.match(gap):
            return _relation(doc, kind, a, lo + pm.start(), b.end, other=b)
    if _PAIR_GAP_AND.match(gap) or _PAIR_GAP_TO.match(gap):
        for kind, post_re in _PAIR_POST_EN:
            qm = post_re.match(post)
            if qm:
                return _relation(doc, kind, a, a.start, b.end + qm.end(), other=b)
    if _PAIR_GAP_ZH.match(gap.strip()):
        for kind, post_re in _PAIR_POST_ZH:
            qm = post_re.match(post)
            if qm:
                start = a.start
                zm = re.search(r"(?:在|从|位于|处于)$", pre)
                if zm:
                    start = lo + zm.start()
                return _relation(doc, kind, a, start, b.end + qm.end(), other=b)
    return None


def _single_relation(doc: _Doc, i: int) -> Relation | None:
    """The relation words around mention ``i``, if any."""
    m = doc.mentions[i]
    lo, hi = doc.window(i)
    pre, post = doc.scan[lo:m.start], doc.scan[m.end:hi]

    for kind, pre_re, post_re, need in _COMBO_ZH:
        pm, qm = pre_re.search(pre), post_re.match(post)
        if not (pm and qm):
            continue
        amount = doc.amount_after(m.end + qm.end(), hi)
        if need == "amount" and amount is None:
            continue
        return _relation(
            doc, kind, m, lo + pm.start(), m.end + qm.end(), amount, mod=need or None
        )

    for kind, pre_re in _PRE_EN_AMOUNT:
        pm = pre_re.search(pre)
        if not pm:
            continue
        amount = doc.amount_before(lo + pm.start(), lo)
        if amount is None:
            continue
        before_amount = doc.scan[lo:amount.start]
        if kind == "near":
            if _WALKED_EN.search(before_amount):
                doc.used_amounts.discard(doc.amounts.index(amount))
                return None  # "walked 2 hours from X": a walking time, read as elapsed
            if _STILL_EN.search(doc.scan[amount.start:lo + pm.start()]) or re.search(
                r"\bstill\s*$", before_amount
            ):
                kind = "before"
        return _relation(doc, kind, m, lo + pm.start(), m.end, amount)

    pre_hit: tuple[str, int, str | None] | None = None
    for kind, pre_re in _PRE_EN:
        pm = pre_re.search(pre)
        if pm:
            neg = _NOT_EN.search(pre, 0, pm.start())
            if neg:  # "not past X", "not at X yet": still before it; "not near X": nothing
                if kind not in ("past", "after", "at"):
                    return None
                kind, pm_start = "before", neg.start()
            else:
                pm_start = pm.start()
            pre_hit = (kind, lo + pm_start, pm.groupdict().get("mod"))
            break
    pre_zh = False
    if pre_hit is None:
        for kind, pre_re in _PRE_ZH:
            pm = pre_re.search(pre)
            if pm:
                mod = pm.groupdict().get("mod")
                if kind == "before" and not mod and not re.search(r"没|未", pm.group(0)):
                    continue  # a bare "到X" is arriving, not "before"
                if kind == "none":
                    return None
                pre_hit, pre_zh = (kind, lo + pm.start(), mod), True
                break

    post_hit: tuple[str, int] | None = None
    for kind, post_re in _POST_EN + _POST_ZH:
        qm = post_re.match(post)
        if qm and qm.end() > 0:
            post_hit = (kind, m.end + qm.end())
            break

    generic = ("at", "near")
    if post_hit and (pre_hit is None or pre_hit[0] in generic and post_hit[0] not in generic
                     or pre_hit[0] == "at" and post_hit[0] == "near"):
        kind, end = post_hit
        start = pre_hit[1] if pre_hit else m.start
        amount = doc.amount_after(end, hi)
        if amount is None and pre_hit is None:
            amount = _post_amount_en(doc, m, hi)
        return _relation(doc, kind, m, start, end, amount)
    if pre_hit:
        kind, start, mod = pre_hit
        end = m.end
        amount = None
        if not pre_zh:
            amount = doc.amount_before(start, lo)
        if amount is None and (pre_zh or post_hit):
            if post_hit:  # "过了X之后两个小时": the amount follows the second word
                end = post_hit[1]
            amount = doc.amount_after(end, hi)
        if amount is None and not pre_zh:
            amount = _post_amount_en(doc, m, hi)
        return _relation(doc, kind, m, start, end, amount, mod=mod)
    amount = _post_amount_en(doc, m, hi, with_kind=True)
    if amount is not None:
        tail = _POST_EN_AMOUNT_TAIL.match(doc.scan[amount.end:hi])
        kind = "past" if tail and tail.group("w").startswith(("behind", "back")) else "before"
        end = amount.end + (tail.end() if tail else 0)
        return _relation(doc, kind, m, m.start, end, amount)
    return None


def _post_amount_en(doc: _Doc, m: Mention, hi: int, *, with_kind: bool = False) -> Amount | None:
    """The amount in "X is (still) 2 hours away / ahead / behind us"."""
    lead = _POST_EN_AMOUNT_LEAD.match(doc.scan[m.end:hi])
    if not lead:
        return None
    pos = m.end + lead.end()
    for k, a in enumerate(doc.amounts):
        if a.start == pos and k not in doc.used_amounts:
            if not _POST_EN_AMOUNT_TAIL.match(doc.scan[a.end:hi]):
                return None
            doc.used_amounts.add(k)
            return a
    return None


_WALK_ON = re.compile(
    r"^\s*(?:and\s+|then\s+)?(?:(?:we|i)\s+)?(?:have\s+)?(?:been\s+)?"
    r"(?:walk(?:ed|ing)?|hik(?:ed|ing)|going|come)\s+(?:for\s+)?"
    r"|^\s*(?:已经|又|再|然后)?(?:走了|下了|走|下来了?)(?:有)?"
)


def _walk_on(doc: _Doc, rel: Relation) -> Relation:
    """Add the walking time of the next clause to "down from X", "past X" with no amount.

    "我们从卓玛拉下来，走了一个半小时" is an hour and a half down from the pass.
    """
    if rel.kind not in ("down_from", "past", "after") or rel.distance_m or rel.duration_s:
        return rel
    _, c_end = doc.clause(rel.anchor.start)
    nxt = doc.clause(c_end + 1)
    if nxt[0] != c_end + 1 or nxt[0] >= nxt[1]:
        return rel
    lead = _WALK_ON.match(doc.scan[nxt[0]:nxt[1]])
    if not lead:
        return rel
    amount = doc.amount_after(nxt[0] + lead.end(), nxt[1])
    if amount is None or amount.kind != "duration":
        if amount is not None:
            doc.used_amounts.discard(doc.amounts.index(amount))
        return rel
    start = doc.text.find(rel.text, max(0, rel.anchor.start - 80)) if rel.text else -1
    start = start if start >= 0 else rel.anchor.start
    return Relation(
        kind=rel.kind,
        anchor=rel.anchor,
        other=rel.other,
        duration_s=(amount.low, amount.high),
        text=doc.span_text(start, amount.end),
    )


def _relations(doc: _Doc) -> tuple[list[Relation], dict[int, Relation]]:
    out: list[Relation] = []
    by_mention: dict[int, Relation] = {}
    paired: set[int] = set()
    for i in range(len(doc.mentions) - 1):
        if i in paired:
            continue
        rel = _pair_relation(doc, i)
        if rel is not None:
            out.append(rel)
            paired.update((i, i + 1))
            by_mention[i] = by_mention[i + 1] = rel
    for i in range(len(doc.mentions)):
        if i in paired:
            continue
        rel = _single_relation(doc, i)
        if rel is not None:
            rel = _walk_on(doc, rel)
            out.append(rel)
            by_mention[i] = rel
    out.sort(key=lambda r: r.anchor.start)
    return out, by_mention


# ======================================================================= walking time


def _departure_cue(doc: _Doc, i: int) -> tuple[str, int, int] | None:
    """(cue, start, end) of the words that make mention ``i`` a starting point.

    The cue is "strong" ("left X", "从X出发", "walked 5 hours from X") or "pass"
    ("passed X", "经过X": a starting point only with a clock time or "… ago").
    """
    m = doc.mentions[i]
    lo, hi = doc.window(i)
    pre, post = doc.scan[lo:m.start], doc.scan[m.end:hi]
    pm = _DEP_EN.search(pre) or _DEP_ZH_PRE.search(pre)
    if pm:
        return "strong", lo + pm.start(), m.end
    qm = _DEP_ZH_POST.match(post)
    if qm:
        return "strong", m.start, m.end + qm.end()
    pm, qm = _DEP_ZH_COMBO[0].search(pre), _DEP_ZH_COMBO[1].match(post)
    if pm and qm:
        return "strong", lo + pm.start(), m.end + qm.end()
    pm = _DEP_WEAK_EN.search(pre) or re.search(r"(?:从|打|自)" + _FILL_ZH, pre)
    if pm:
        c_start, c_end = doc.clause(m.start)
        if _WALKING.search(doc.scan[c_start:c_end]):
            return "strong", lo + pm.start(), m.end
    pm = _PASS_EN.search(pre) or _PASS_ZH.search(pre)
    if pm:
        return "pass", lo + pm.start(), m.end
    return None


def _elapsed(
    doc: _Doc,
    now: datetime,
    by_mention: dict[int, Relation],
    notes: list[str],
    handled: set[tuple[int, int]],
) -> tuple[list[ElapsedTime], list[Relation]]:
    """Walking times from a named place; ``handled`` collects the clauses read."""
    out: list[ElapsedTime] = []
    extra: list[Relation] = []
    used_clocks: set[int] = set()
    for i, m in enumerate(doc.mentions):
        found = _departure_cue(doc, i)
        if found is None:
            continue
        cue, cue_start, cue_end = found
        c_start, c_end = doc.clause(m.start)
        handled.add((c_start, c_end))
        clocks = [
            (abs(c.start - m.start), k)
            for k, c in enumerate(doc.clocks)
            if c_start <= c.start < c_end and not c.now and k not in used_clocks
        ]
        departed: datetime | None = None
        span: tuple[int, int] | None = None
        if clocks:
            _, k = min(clocks)
            clock = doc.clocks[k]
            used_clocks.add(k)
            departed = resolve_departure(clock, now)
            if departed is None:
                notes.append(
                    f"departure time “{clock.text}” is after the report time: ignored"
                )
                continue
            span = (clock.start, clock.end)
        else:
            for k, a in enumerate(doc.amounts):
                if k in doc.used_amounts or a.kind != "duration":
                    continue
                if not c_start <= a.start < c_end:
                    continue
                ago = _AGO.match(doc.scan[a.end:c_end])
                if cue == "pass" and not ago:
                    continue
                doc.used_amounts.add(k)
                departed = now - timedelta(seconds=(a.low + a.high) / 2)
                span = (a.start, a.end + (ago.end() if ago else 0))
                break
            nxt = doc.clause(c_end + 1)
            lead = _WALK_ON.match(doc.scan[nxt[0]:nxt[1]]) if nxt[0] == c_end + 1 else None
            if departed is None and cue == "strong" and lead:
                # "从塔钦出发的，走了大概六个小时"
                a = doc.amount_after(nxt[0] + lead.end(), nxt[1])
                if a is not None and a.kind == "duration":
                    departed = now - timedelta(seconds=(a.low + a.high) / 2)
                    span = (a.start, a.end)
                    handled.add(nxt)
                elif a is not None:
                    doc.used_amounts.discard(doc.amounts.index(a))
        if departed is None or span is None:
            if cue == "strong" and i not in by_mention:
                rel = _relation(doc, "after", m, cue_start, cue_end)
                extra.append(rel)
                by_mention[i] = rel
            continue
        start, end = min(span[0], cue_start), max(span[1], cue_end)
        out.append(ElapsedTime(m, departed, now, doc.span_text(start, end)))
    return out, extra


def _orphan_times(doc: _Doc, handled: set[tuple[int, int]], notes: list[str]) -> None:
    """Note walking times that name no place to start from."""
    for c_start, c_end in doc.clause_spans:
        if (c_start, c_end) in handled or not _DEP_ANY.search(doc.scan[c_start:c_end]):
            continue
        has_time = any(c_start <= c.start < c_end and not c.now for c in doc.clocks) or any(
            c_start <= a.start < c_end and a.kind == "duration" and k not in doc.used_amounts
            for k, a in enumerate(doc.amounts)
        )
        if has_time:
            notes.append(
                f"walking time without a starting place: “{doc.span_text(c_start, c_end)}”"
            )


# ======================================================================= altitude


def _elevations(doc: _Doc, notes: list[str]) -> tuple[list[ElevationClue], list[tuple[int, int]]]:
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
        before = text[max(c_start, m.start() - 40):m.start()]
        cue = bool(_ELEVATION_CUE.search(before) or _ELEVATION_CUE.search(suffix)) or suffix in (
            "asl", "a.s.l", "a.s.l.", "above sea level",
        )
        if not cue and _DISTANCE_AFTER.match(text[m.end():m.end() + 15]):
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
                notes.append(f"altitude “{m.group(0).strip()}” is not plausible here: ignored")
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


# ======================================================================= sights


def _sights(doc: _Doc, by_mention: dict[int, Relation], notes: list[str]) -> list[SightClue]:
    scan = doc.scan
    n = len(scan)
    hits: list[tuple[int, int, str | None]] = []
    for tag, pattern in lex.SIGHT_PATTERNS:
        for mt in pattern.finditer(scan):
            if mt.end() > mt.start():
                hits.append((mt.start(), mt.end(), tag))
    hits.sort(key=lambda h: (h[0] - h[1], h[0]))
    taken = bytearray(n)
    chosen: list[tuple[int, int, str | None]] = []
    for start, end, tag in hits:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        chosen.append((start, end, tag))
    chosen.sort()

    owner = [-1] * n
    for i, m in enumerate(doc.mentions):
        for p in range(m.start, m.end):
            owner[p] = i
    s_spans = sight_clauses(scan)
    s_starts = [s for s, _ in s_spans]

    out: list[SightClue] = []
    seen: set[tuple[str, bool]] = set()
    previous: tuple[int, int, bool] | None = None  # (sight clause, end, negated)
    for start, end, tag in chosen:
        if tag is None:
            continue
        k = bisect.bisect_right(s_starts, start) - 1
        if k < 0 or start >= s_spans[k][1]:
            continue
        sc_start, sc_end = s_spans[k]
        clause_text = scan[sc_start:sc_end]
        owners = {owner[p] for p in range(start, end)} - {-1}
        if owners:
            mention = doc.mentions[min(owners)]
            rel = by_mention.get(min(owners))
            if mention.feature is None:
                best = mention.place_ids[0][0] if mention.place_ids else ""
                if best not in lex.VIEW_PLACES or not lex.SEEING.search(clause_text):
                    continue
                if rel is not None:
                    continue
                notes.append(f"“{mention.text}” is in view, not where the caller is")
            elif rel is not None and rel.kind in _DIRECTIONAL:
                continue
        window_start = sc_start
        if previous and previous[0] == k:
            window_start = max(window_start, previous[1])
        window = scan[window_start:start]
        negated = _negated(window[-40:], window[-10:])
        if not negated and previous and previous[0] == k and lex.LIST_GAP.fullmatch(window):
            negated = previous[2]
        if not negated and _NEG_AFTER.match(scan[end:min(sc_end, end + 30)]):
            negated = True
        previous = (k, end, negated)
        if (tag, negated) in seen:
            continue
        seen.add((tag, negated))
        out.append(SightClue(tag, negated, doc.span_text(start, end)))
    # named views with no sight word of their own ("we can see Manasarovar")
    for i, m in enumerate(doc.mentions):
        tag = lex.VIEW_PLACES.get(m.place_ids[0][0]) if m.place_ids and not m.feature else None
        if tag is None or i in by_mention or any(taken[m.start:m.end]):
            continue
        k = bisect.bisect_right(s_starts, m.start) - 1
        if k < 0 or not lex.SEEING.search(scan[s_spans[k][0]:s_spans[k][1]]):
            continue
        window = scan[s_spans[k][0]:m.start]
        negated = _negated(window[-40:], window[-10:])
        if (tag, negated) not in seen:
            seen.add((tag, negated))
            out.append(SightClue(tag, negated, m.text))
            notes.append(f"“{m.text}” is in view, not where the caller is")
    return out


def _negated(window_en: str, window_zh: str) -> bool:
    """Whether the words before a sight deny it (and no later "but we see" undoes that).

    Both windows end where the sight word starts; positions are counted back from there.
    """
    negations = [mt.end() - len(window_en) for mt in lex.NEGATION_EN.finditer(window_en)]
    negations += [mt.end() - len(window_zh) for mt in lex.NEGATION_ZH.finditer(window_zh)]
    if not negations:
        return False
    positives = [
        mt.start() - len(window_en)
        for mt in _POSITIVE.finditer(window_en)
        if not _DENIED.search(window_en, 0, mt.start())
    ]
    return not positives or max(positives) < max(negations)


# ======================================================================= direction


def _text_direction(folded: str, notes: list[str]) -> Direction | None:
    votes: set[Direction] = set()
    ccw_spans = [(m.start(), m.end()) for m in lex.CCW.finditer(folded)]
    for pattern, said in ((lex.CCW, "counterclockwise"), (lex.CW, "clockwise")):
        for m in pattern.finditer(folded):
            if said == "clockwise" and any(s <= m.start() < e for s, e in ccw_spans):
                continue
            flip = lex.FLIP_BEFORE.search(folded[max(0, m.start() - 15):m.start()])
            d: Direction = said if not flip else (  # type: ignore[assignment]
                "clockwise" if said == "counterclockwise" else "counterclockwise"
            )
            votes.add(d)
    if not votes and lex.CW_WEAK.search(folded):
        votes.add("clockwise")
    if len(votes) == 1:
        return votes.pop()
    if votes:
        notes.append("both walking directions are mentioned: direction left open")
    return None


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
    if not isinstance(reported_at, datetime) or reported_at.tzinfo is None or (
        reported_at.utcoffset() is None
    ):
        raise InvalidInput(
            f"reported_at must be a timezone-aware datetime, not {reported_at!r}"
        )
    if direction is not None and direction not in _DIRECTIONS:
        raise InvalidInput(
            f"direction {direction!r} is not one of {', '.join(_DIRECTIONS)}"
        )
    return unicodedata.normalize("NFC", stripped)


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

    matches = find_coordinates(text, bbox=bbox)
    coordinates: list[CoordinateReading] = [r for cm in matches for r in cm.readings]
    scan = mask(folded, [(cm.start, cm.end) for cm in matches])

    all_mentions = list(names.find(text))
    usable: list[Mention] = []
    for m in sorted(all_mentions, key=lambda m: (m.start, -m.end)):
        if 0 <= m.start < m.end <= len(text) and (not usable or m.start >= usable[-1].end):
            usable.append(m)
    quiet = mask(scan, [(m.start, m.end) for m in usable])
    doc = _Doc(text, folded, scan, quiet, usable, clauses(quiet))

    doc.clocks = find_clock_times(quiet)
    doc.quiet = mask(quiet, [(c.start, c.end) for c in doc.clocks])
    elevations, elevation_spans = _elevations(doc, notes)
    doc.amounts = find_amounts(mask(doc.quiet, elevation_spans))

    relations, by_mention = _relations(doc)

    local_now = reported_at.astimezone(LOCAL_TZ)
    now_clock = next((c for c in doc.clocks if c.now), None)
    if now_clock is not None:
        local_now = resolve_now(now_clock, reported_at)
    handled: set[tuple[int, int]] = set()
    elapsed, extra = _elapsed(doc, local_now, by_mention, notes, handled)
    relations = sorted(relations + extra, key=lambda r: r.anchor.start)
    _orphan_times(doc, handled, notes)

    sights = _sights(doc, by_mention, notes)

    said = _text_direction(scan, notes)
    if direction is not None:
        if said is not None and said != direction:
            notes.append(f"the text says {said}; the given direction ({direction}) is used")
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
    )
