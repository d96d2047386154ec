"""Clock times in callers' words and what they mean on the report's day.

"8am", "8 o'clock", "08:00", "half past one", "quarter to two", "at 8 this morning",
"早上8点", "上午八点", "下午1点半", "13点", "三点一刻". A time without am/pm keeps
both readings until :func:`resolve_now` / :func:`resolve_departure` pick one with
the report time. All local times are China Standard Time (Asia/Shanghai).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from rescue.localtime import LOCAL_TZ
from rescue.locate._numbers import zh_number
from rescue.locate.lexicon import lexicon

__all__ = [
    "LOCAL_TZ",
    "ClockTime",
    "find_clock_times",
    "find_daylight_times",
    "resolve_now",
    "resolve_departure",
]

Meridiem = Literal["am", "pm", "noon", "night"]

#: Hours in which pilgrims set off: an "8" is 08:00 rather than 20:00.
DEPARTURE_HOURS = range(4, 17)


@dataclass(frozen=True)
class ClockTime:
    """A time of day written in the text.

    ``hour`` is as written (1-12 or 0-24); ``meridiem`` says which half of the day
    the words give, if any; ``is24`` marks an hour that can only be read one way
    ("08:00", "13:30", "13点"); ``yesterday`` that the words put it on the day
    before the report; ``now`` that the caller says it is the current time.
    """

    start: int
    end: int
    hour: int
    minute: int
    meridiem: Meridiem | None
    is24: bool
    yesterday: bool
    now: bool
    text: str

    def readings(self) -> list[tuple[int, int]]:
        """The (hour 0-23, minute) readings, most likely first."""
        h, m = self.hour % 24, self.minute
        if self.is24 or h == 0 or h >= 13:
            return [(h, m)]
        if self.meridiem == "am":
            return [(h % 12, m)]
        if self.meridiem == "pm":
            return [(h % 12 + 12, m)]
        if self.meridiem == "noon":
            return [(h if h >= 11 else h + 12, m)]
        if self.meridiem == "night":
            return [(h % 12, m)] if h <= 4 or h == 12 else [(h + 12, m)]
        return [(h, m), (h + 12, m)] if h != 12 else [(12, m), (0, m)]


_HOUR_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_MIN_WORDS = {"five": 5, "ten": 10, "twenty": 20, "twenty five": 25, "twenty-five": 25}
_HW = "|".join(sorted(_HOUR_WORDS, key=len, reverse=True))
_AP = r"(?:a\.?\s?m(?![a-z])\.?|p\.?\s?m(?![a-z])\.?)"
_NOT_CLOCK_AFTER = (
    r"(?!\s*(?:[:\d]|,\d|km|kms|k\b|m\b|meters?|metres?|ft\b|feet|hours?|hrs?|h\b|minutes?|mins?"
    r"|min\b|people|persons?|of\b|pilgrims|members|days?|%|°|degrees?|percent|in\s+the\s+group"
    r"|point|time|side|more|another|other))"
)

_CLOCK_EN = re.compile(
    rf"(?<![\d.:])(?P<h1>[01]?\d|2[0-4])\s?:\s?(?P<m1>[0-5]\d)(?![\d:])(?:\s*(?P<ap1>{_AP}))?"
    rf"|(?<![\d.:])(?P<h5>[01]?\d|2[0-3])\.(?P<m5>[0-5]\d)\s*(?P<ap5>{_AP})"
    rf"|\b(?P<h2>1[0-2]|0?[1-9]|{_HW})\s*(?:(?P<ap2>{_AP})|(?P<oc>o'?\s?clock|oclock)\b)"
    rf"|\b(?P<fr>half|(?:a\s+)?quarter|[1-5]?\d|twenty[\s-]five|twenty|ten|five)"
    rf"(?:\s+minutes?)?\s+(?P<dir>past|after|to|before|till)\s+(?P<h3>1[0-2]|0?[1-9]|{_HW})\b"
    rf"{_NOT_CLOCK_AFTER}(?:\s*(?P<ap3>{_AP}))?"
    r"|\b(?P<noon>noon|midday|mid-day|midnight)\b"
    r"|\b(?P<prep>at|by|around|about|since|from|till|until|before|after)\s+(?:about\s+|around\s+)?"
    rf"(?P<h4>1[0-2]|0?[1-9]|{_HW})(?:[.h](?P<m4>[0-5]\d))?"
    rf"(?:\s*(?P<ap4>{_AP})|\b{_NOT_CLOCK_AFTER})"
)

_ZH_H = r"[01]?\d|2[0-4]|[零〇一二两三四五六七八九十]{1,3}"
_ZH_M = r"[0-5]?\d|[零〇一二三四五六七八九十]{1,3}"
# (whitespace only inside optional groups: "\s*(x)?\s*" backtracks cubically on blank runs)
_CLOCK_ZH = re.compile(
    r"(?:(?P<day>今天|今日|今早|今晨|今晚|昨天|昨日|昨晚|昨夜|前天)\s*)?"
    r"(?:(?P<part>凌晨|大清早|清晨|早上|早晨|一早|上午|中午|午后|下午|傍晚|晚上|夜里|夜间|半夜|早|晚)\s*)?"
    rf"(?P<h>{_ZH_H})\s*(?:点钟|点|點|时|時)"
    rf"(?:\s*(?:(?P<half>半)|(?P<q>[一三])刻|(?P<m>{_ZH_M})\s*分?|(?P<zheng>整|钟)))?"
    r"(?![\d零〇一二三四五六七八九十]|\s*(?:公里|千米|米|km|里|个|小时|钟头|分钟|刻钟))"
)

_DAYPART_AFTER = re.compile(
    r"^\s*(?:,\s*)?(?:(?:in\s+the|this|yesterday|last|early\s+in\s+the|early|today\s+in\s+the)\s+)?"
    r"(?P<dp>morning|afternoon|evening|night|tonight)\b"
)
_DAYPART_BEFORE = re.compile(
    r"\b(?P<dp>morning|afternoon|evening|night|tonight)\s*(?:,\s*)?(?:(?:at|around|about)\s+)?$"
)
_CLAUSE_MARK = re.compile(r"[,;.!?，。；！？\n]")
_YESTERDAY_EN = re.compile(r"\byesterday\b|\blast\s+night\b")
_YESTERDAY_ZH = re.compile(r"昨天|昨日|昨晚|昨夜")
_NOW_BEFORE = re.compile(
    r"(?:\bnow\s*(?:it'?s|it\s+is|is)?|\b(?:it'?s|it\s+is)(?:\s+now)?|\btime\s+(?:is|now)(?:\s+is)?"
    r"|\bcurrent(?:ly)?(?:\s+time)?(?:\s+is)?|\bright\s+now(?:\s+it'?s)?"
    r"|现在(?:是|已经|都|已)?|目前(?:是)?|此刻|这会儿?|已经)"
    r"(?:\s*(?:about|around|almost|nearly|already|like|just|大概|大约|快|差不多))?\s*$"
)
_NOW_AFTER = re.compile(r"^\s*(?:now|right\s+now|at\s+the\s+moment|了)\b")
_PART_MERIDIEM: dict[str, Meridiem] = {
    "凌晨": "am",
    "大清早": "am",
    "清晨": "am",
    "早上": "am",
    "早晨": "am",
    "一早": "am",
    "上午": "am",
    "早": "am",
    "今早": "am",
    "今晨": "am",
    "中午": "noon",
    "午后": "pm",
    "下午": "pm",
    "傍晚": "pm",
    "晚上": "pm",
    "晚": "pm",
    "今晚": "pm",
    "昨晚": "night",
    "昨夜": "night",
    "夜里": "night",
    "夜间": "night",
    "半夜": "night",
    "morning": "am",
    "afternoon": "pm",
    "evening": "pm",
    "tonight": "pm",
    "night": "night",
}
#: when a bare "一点" is one o'clock rather than "a bit" (好一点, 下面一点, 一点点)
_ONE_OCLOCK_BEFORE = re.compile(r"(?:现在|在|于|是|约|大概|大约|到|从|差不多)\s*$")
_ONE_OCLOCK_AFTER = re.compile(r"^\s*(?:出发|离开|到|走|钟|整|了|左右|多)")


def _hour(s: str) -> int | None:
    s = s.strip()
    if s.isdigit():
        return int(s)
    if s in _HOUR_WORDS:
        return _HOUR_WORDS[s]
    n = zh_number(s)
    if n is None or n[0] != n[1] or n[0] != int(n[0]):
        return None
    return int(n[0])


def _en_clock(m: re.Match[str], folded: str) -> tuple[int, int, Meridiem | None, bool] | None:
    g = m.group
    ap = g("ap1") or g("ap5") or g("ap2") or g("ap3") or g("ap4")
    mer: Meridiem | None = ("am" if ap.startswith("a") else "pm") if ap else None
    if g("h1") is not None:
        h, mi = int(g("h1")), int(g("m1"))
        return h, mi, mer, g("h1").startswith("0") and len(g("h1")) == 2
    if g("h5") is not None:
        return int(g("h5")), int(g("m5")), mer, False
    if g("h2") is not None:
        h2 = _hour(g("h2"))
        return None if h2 is None else (h2, 0, mer, False)
    if g("h3") is not None:
        h3 = _hour(g("h3"))
        fr = " ".join(g("fr").split()).removeprefix("a ")
        mins = {"half": 30, "quarter": 15}.get(fr)
        if mins is None:
            mins = _MIN_WORDS.get(fr.replace("-", " ")) if not fr.isdigit() else int(fr)
        if h3 is None or mins is None or not 0 < mins < 60:
            return None
        if g("dir") in ("to", "before", "till"):
            return (h3 - 1) % 12 or 12, 60 - mins, mer, False
        return h3, mins, mer, False
    if g("noon") is not None:
        return (0, 0, None, True) if g("noon") == "midnight" else (12, 0, None, True)
    h4 = _hour(g("h4"))
    if h4 is None:
        return None
    if not g("h4").isdigit() and not _DAYPART_AFTER.match(folded[m.end() : m.end() + 40]):
        return None  # "at one point", "around two of us": a word hour needs "in the morning"
    return h4, int(g("m4") or 0), mer, False


#: Right after a Chinese clock time: "多" / "几" / "过几分" (a few minutes more); with a
#: unit ("三点多公里") it is an amount, not a time.
_ZH_VAGUE_AFTER = re.compile(
    r"(?:多|几|过几分|过一点)(?:分钟?)?(?P<unit>\s*(?:公里|千米|米|km|里|个|小时|钟头|分钟|刻钟))?"
)
_ZH_ALMOST_BEFORE = re.compile(r"(?:快|快要|将近|接近)(?:到)?$")


def _zh_clock(m: re.Match[str], folded: str) -> tuple[int, int, Meridiem | None, bool] | None:
    g = m.group
    h = _hour(g("h"))
    if h is None or h > 24:
        return None
    minute = 0
    if g("half"):
        minute = 30
    elif g("q"):
        minute = 15 if g("q") == "一" else 45
    elif g("m"):
        mm = _hour(g("m"))
        if mm is None or mm >= 60:
            return None
        minute = mm
    after_vague = _ZH_VAGUE_AFTER.match(folded, m.end())
    if after_vague and after_vague.group("unit"):
        return None  # "三点多公里": 3.x km, not a time
    bare = not (g("day") or g("part") or g("half") or g("q") or g("m") or g("zheng"))
    if after_vague and not g("q") and not g("zheng"):
        # "三点多" a bit after three (about 3:10), "七点半多" / "二十几" / "过几分": +5 min
        minute += 10 if bare and after_vague.group().startswith("多") else 5
    elif _ZH_ALMOST_BEFORE.search(folded, max(0, m.start() - 3), m.start()) and not g("day"):
        # "快十二点" almost twelve
        minute -= 5
        if minute < 0:
            h, minute = (h - 1) % 24 if h else 23, minute + 60
    if h == 1 and bare:  # "一点" is "a bit" unless the words around make it a time
        before = folded[max(0, m.start() - 3) : m.start()]
        after = folded[m.end() : m.end() + 2]
        if not (_ONE_OCLOCK_BEFORE.search(before) or _ONE_OCLOCK_AFTER.match(after)):
            return None
    part = g("part") or (g("day") if g("day") in ("今早", "今晨", "今晚", "昨晚", "昨夜") else None)
    mer = _PART_MERIDIEM.get(part) if part else None
    is24 = g("h").isdigit() and (h >= 13 or h == 0 or (len(g("h")) == 2 and g("h")[0] == "0"))
    return h, minute, mer, is24


def find_clock_times(folded: str) -> list[ClockTime]:
    """Every clock time in the folded (and masked) text, in text order, not overlapping."""
    found: list[ClockTime] = []
    for pattern, reader in ((_CLOCK_EN, _en_clock), (_CLOCK_ZH, _zh_clock)):
        for m in pattern.finditer(folded):
            read = reader(m, folded)
            if read is None:
                continue
            h, minute, mer, is24 = read
            if h > 24 or (h == 24 and minute):
                continue
            start, end = m.start(), m.end()
            before = folded[max(0, start - 40) : start]
            after = folded[end : end + 40]
            if mer is None and pattern is _CLOCK_EN:
                dp = _DAYPART_AFTER.match(after) or _DAYPART_BEFORE.search(before)
                if dp:
                    mer = _PART_MERIDIEM[dp.group("dp")]
            # "yesterday" counts within the clause; "今天" overrules it
            local = _CLAUSE_MARK.split(before[-25:])[-1] + " " + _CLAUSE_MARK.split(after[:25])[0]
            day = m.groupdict().get("day") or ""
            yesterday = bool(
                _YESTERDAY_EN.search(local) or _YESTERDAY_ZH.search(local) or day.startswith("昨")
            )
            if day == "前天":
                yesterday = True
            elif day.startswith("今") or re.search(r"\btoday\b|\bthis\s+morning\b", local):
                yesterday = False
            now = bool(_NOW_BEFORE.search(before) or _NOW_AFTER.match(after))
            found.append(
                ClockTime(start, end, h, minute, mer, is24, yesterday, now, m.group(0).strip())
            )
    found.sort(key=lambda c: (c.start, -c.end))
    out: list[ClockTime] = []
    for c in found:
        if out and c.start < out[-1].end:
            continue
        out.append(c)
    return out


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour % 24, minute), LOCAL_TZ)


def resolve_now(clock: ClockTime, reported_at: datetime) -> datetime:
    """The time the caller says it is now: the reading closest to ``reported_at``."""
    local = reported_at.astimezone(LOCAL_TZ)
    options = [
        _at(local.date() + timedelta(days=d), h, m) for d in (-1, 0, 1) for h, m in clock.readings()
    ]
    return min(options, key=lambda t: abs((t - local).total_seconds()))


def resolve_departure(clock: ClockTime, now: datetime) -> datetime | None:
    """When the caller set off, given the time it is now; None if it would be later.

    A time on the report's day must not lie after ``now``; only words like
    "yesterday" / "昨天" move it to the day before. Of two readings (8 → 08:00 or
    20:00) the one in usual departure hours wins.
    """
    local = now.astimezone(LOCAL_TZ)
    day = local.date() - timedelta(days=1 if clock.yesterday else 0)
    options = [_at(day, h, m) for h, m in clock.readings()]
    options = [t for t in options if t <= local]
    if not options:
        return None
    usual = [t for t in options if t.hour in DEPARTURE_HOURS]
    return max(usual or options)


# ------------------------------------------------------------ daylight without a clock

#: Daylight words as a clock (Beijing time in the kora season; ``geodata/lexicon/daylight.json``
#: says why each hour): (pattern, hour, minute, departure?) — a departure phrase is when the
#: caller set off ("left in the dark", "摸黑出发"), the others say what time it is now.
_DAYLIGHT: tuple[tuple[re.Pattern[str], int, int, bool], ...] = tuple(
    (re.compile(d["pattern"]), d["hour"], d["minute"], d["departure"])
    for d in lexicon("daylight")["daylight"]
)
_DEPARTING = re.compile(
    r"出发|动身|起身|走的|\bleft\b|\bset\s+off\b|\bstart(?:ed)?\b|\bsetting\s+off\b"
)
_CLAUSE_END = re.compile(r"[,.;!?，。；！？\n]")


def find_daylight_times(folded: str, clocks: list[ClockTime]) -> list[ClockTime]:
    """Daylight words read as clock times where the caller gives no clock.

    "it's still dark", "the sun just came over the ridge", "天快亮了": the time now
    (only if no clock says what time it is now); "we left Dirapuk in the dark",
    "摸黑从止热寺出发": when they set off (only in a clause without a clock of its own).
    """
    has_now = any(c.now for c in clocks)
    out: list[ClockTime] = []
    taken: list[tuple[int, int]] = [(c.start, c.end) for c in clocks]
    for pattern, hour, minute, departure in _DAYLIGHT:
        for m in pattern.finditer(folded):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            lo = max((e.end() for e in _CLAUSE_END.finditer(folded, 0, m.start())), default=0)
            nxt = _CLAUSE_END.search(folded, m.end())
            hi = nxt.start() if nxt else len(folded)
            in_clause = [c for c in clocks if lo <= c.start < hi]
            leaving = departure or bool(_DEPARTING.search(folded[lo:hi]))
            if in_clause or (not leaving and has_now):
                continue
            if leaving and not departure:
                continue  # "left at dawn" without a clock: too vague a departure
            out.append(
                ClockTime(
                    m.start(), m.end(), hour, minute, None, True, False, not leaving, m.group(0)
                )
            )
            taken.append((m.start(), m.end()))
            has_now = has_now or not leaving
    return sorted(out, key=lambda c: c.start)
