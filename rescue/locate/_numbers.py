"""Numbers and amounts in callers' words: "two hours", "about 3 km", "一个半小时", "几百米".

An amount is a distance or a duration with a (low, high) range that reflects how
vague the words are: "2 hours" is 2 h ± 1/6, "about 2 hours" ± 1/3, "a couple of
hours" and "一两个小时" are ranges of their own, "more than an hour" is one-sided.
All patterns run over the folded text (lower case, ASCII digits; see ``_text.fold``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "Amount",
    "find_amounts",
    "find_en_thousands",
    "with_en_thousands",
    "zh_number",
    "en_number",
    "ZH_NUM",
    "EN_NUM",
    "spread",
    "widen",
]

AmountKind = Literal["duration", "distance"]

# Relative half-width of a plain and of a hedged single value ("2 hours" / "about 2 hours").
PLAIN_REL = 1.0 / 6.0
HEDGED_REL = 1.0 / 3.0
# ... and of a stated range ("1-2 hours", "a few hours").
PLAIN_RANGE_REL = 0.1
HEDGED_RANGE_REL = 0.2
# Smallest half-widths: nobody says "5 minutes" meaning 4 min 10 s to 5 min 50 s.
_FLOOR = {
    ("duration", False): 120.0,
    ("duration", True): 300.0,
    ("distance", False): 50.0,
    ("distance", True): 150.0,
}


@dataclass(frozen=True)
class Amount:
    """A distance or duration written in the text, as a (low, high) range in m or s."""

    start: int
    end: int
    kind: AmountKind
    low: float
    high: float
    text: str


# ---------------------------------------------------------------------- number words

_EN_WORDS: dict[str, float] = {
    "a": 1,
    "an": 1,
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
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_VAGUE: dict[str, tuple[float, float]] = {
    "couple": (2, 2),
    "few": (2, 4),
    "several": (3, 6),
    "some": (2, 4),
}
_EN_WORD_ALT = "|".join(sorted(_EN_WORDS, key=len, reverse=True))
#: An English number: digits, words ("twenty five", "twenty-five"), "a couple of", "a few".
EN_NUM = (
    r"(?:\d{1,6}(?:\.\d{1,3})?"
    rf"|(?:(?:twenty|thirty|forty|fifty)[\s-](?:one|two|three|four|five|six|seven|eight|nine)\b)"
    rf"|(?:(?:a|one|two|three|four|five|six|seven|eight|nine)\s+hundred\b)"
    r"|(?:a\s+)?couple(?:\s+of)?\b|(?:a\s+)?few\b|several\b|some\b"
    rf"|(?:{_EN_WORD_ALT})\b)"
)


def en_number(s: str) -> tuple[float, float, bool] | None:
    """(low, high, vague) of an English number matched by :data:`EN_NUM`."""
    words = s.replace("-", " ").split()
    if words and words[-1] == "of":
        words = words[:-1]
    if len(words) == 2 and words[0] == "a" and words[1] in _EN_VAGUE:
        words = words[1:]
    s = " ".join(words)
    if s in _EN_VAGUE:
        lo, hi = _EN_VAGUE[s]
        return lo, hi, True
    try:
        v = float(s)
        return v, v, False
    except ValueError:
        pass
    parts = s.split()
    if len(parts) == 2 and parts[1] == "hundred" and parts[0] in _EN_WORDS:
        v = _EN_WORDS[parts[0]] * 100
        return v, v, False
    if len(parts) == 2 and parts[0] in _EN_WORDS and parts[1] in _EN_WORDS:
        v = _EN_WORDS[parts[0]] + _EN_WORDS[parts[1]]
        return v, v, False
    if s in _EN_WORDS:
        v = _EN_WORDS[s]
        return v, v, False
    return None


_EN_UNITS_ALT = "|".join(
    w
    for w in sorted(_EN_WORDS, key=len, reverse=True)
    if w not in ("a", "an") and _EN_WORDS[w] < 10
)
_EN_SMALL_ALT = (
    rf"(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)[\s-](?:{_EN_UNITS_ALT})"
    + "|"
    + "|".join(w for w in sorted(_EN_WORDS, key=len, reverse=True) if w not in ("a", "an"))
)
#: A number in the thousands written out: "five thousand one hundred", "eighteen thousand
#: five hundred", "nineteen and a half thousand", "seventeen thousand six hundred and fifty".
_EN_THOUSANDS = re.compile(
    rf"(?<![a-z\d])(?P<th>{_EN_SMALL_ALT})(?P<half>\s+and\s+a\s+half)?\s+thousand"
    rf"(?:\s+(?:and\s+)?(?P<hu>{_EN_UNITS_ALT})\s+hundred)?"
    rf"(?:\s+(?:and\s+)?(?P<rest>{_EN_SMALL_ALT}))?(?![a-z])"
)


def find_en_thousands(folded: str) -> list[tuple[int, int, float]]:
    """(start, end, value) of every number in the thousands written out in English words."""
    out = []
    for m in _EN_THOUSANDS.finditer(folded):
        th = en_number(m.group("th"))
        rest = en_number(m.group("rest")) if m.group("rest") else (0.0, 0.0, False)
        if th is None or rest is None or th[0] < 1 or th[0] >= 100 or rest[0] >= 100:
            continue
        value = th[0] * 1000 + (500 if m.group("half") else 0)
        value += _EN_WORDS[m.group("hu")] * 100 if m.group("hu") else 0
        out.append((m.start(), m.end(), value + rest[0]))
    return out


def with_en_thousands(folded: str) -> str:
    """``folded`` with numbers in the thousands written out in words put in digits, the
    length kept ("nineteen and a half thousand feet" -> "19500" and blanks, then "feet")."""
    for start, end, value in find_en_thousands(folded):
        digits = f"{value:.0f}"
        folded = folded[:start] + digits.ljust(end - start) + folded[end:]
    return folded


_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
#: A Chinese number: Arabic digits or numerals, with 几 ("a few") and 半 ("half").
ZH_NUM = r"(?:\d{1,6}(?:\.\d{1,3})?|[零〇一二两俩三四五六七八九十百千万几]{1,8}|半)"
_ZH_PAIR = re.compile(r"^([一二两三四五六七八])([二两三四五六七八九])$")


def _zh_int(s: str) -> float | None:
    """Value of a Chinese numeral without 几, including colloquial "五千三" (5300)."""
    if not s:
        return None
    if "万" in s:
        high, _, low = s.partition("万")
        if "万" in low:
            return None
        h = _zh_int(high) if high else 1.0
        if h is None:
            return None
        if not low:
            return h * 10_000
        if len(low) == 1 and low in _ZH_DIGITS:  # 一万七 = 17,000
            return h * 10_000 + _ZH_DIGITS[low] * 1000
        rest = _zh_int(low)
        return None if rest is None else h * 10_000 + rest
    total = 0.0
    digit: int | None = None
    last_unit: int | None = None
    zero = False
    for ch in s:
        if ch in _ZH_DIGITS:
            if digit is not None:
                return None  # "一二" is not a number
            digit = _ZH_DIGITS[ch]
            if digit == 0:
                zero, digit = True, None
        elif ch in _ZH_UNITS:
            unit = _ZH_UNITS[ch]
            if last_unit is not None and unit >= last_unit:
                return None
            total += (digit if digit is not None else 1) * unit
            last_unit, digit, zero = unit, None, False
        else:
            return None
    if digit is not None:
        # a digit right after a unit is one order lower: 五千三 = 5300, 十五 = 15
        total += digit * (last_unit // 10) if last_unit and not zero else digit
    return total


def zh_number(s: str) -> tuple[float, float, bool] | None:
    """(low, high, vague) of a number matched by :data:`ZH_NUM`.

    "两" is 2, "半" 0.5, "一两" 1-2, "十几" 11-19, "几百" 200-600.
    """
    if not s:
        return None
    if s[0].isdigit():
        try:
            v = float(s)
        except ValueError:
            return None
        return v, v, False
    if s == "半":
        return 0.5, 0.5, False
    pair = _ZH_PAIR.match(s)
    if pair:
        a, b = _ZH_DIGITS[pair.group(1)], _ZH_DIGITS[pair.group(2)]
        if 0 < b - a <= 2:
            return float(a), float(b), True
        return None
    if "几" in s:
        if s.count("几") > 1:
            return None
        i = s.index("几")
        after_unit = i > 0 and s[i - 1] in _ZH_UNITS
        lo = _zh_int(s.replace("几", "一" if after_unit else "二"))
        hi = _zh_int(s.replace("几", "九" if after_unit else "六"))
        if lo is None or hi is None:
            return None
        return lo, hi, True
    whole = _zh_int(s)
    return None if whole is None else (whole, whole, False)


# ---------------------------------------------------------------------- amounts

_HEDGE_EN = (
    r"(?P<hedge>about|around|roughly|approximately|approx\.?|apprx\.?|abt\.?|maybe|perhaps"
    r"|probably|like|nearly|almost|at\s+least|more\s+than|over|less\s+than|under|within"
    r"|just\s+over|just\s+under|not\s+quite|not\s+even|only|exactly|ca\.?|circa|some|~|\+/-|±)"
)
#: Hindi units, as Indian pilgrims write them: किमी / किलोमीटर (km), मीटर (m), घंटे (hours)
_UNIT_HI = "किमी|किलोमीटर|मीटर|घंटे|घंटा|घंटों|मिनट"
_UNIT_EN = (
    r"(?P<{name}>hours?|hrs?|h(?![a-z])|minutes?|mins?|min(?![a-z])"
    r"|kilometers?|kilometres?|kms?(?![a-z])|meters?|metres?|m(?![a-z])|miles?"
    rf"|{_UNIT_HI}|कि\.\s?मी\.?)"
)
_EN_MINUTES = "|".join(w for w in sorted(_EN_WORDS, key=len, reverse=True) if w not in ("a", "an"))
_SUFFIX_EN = (
    r"(?P<suffix>\s*(?:or\s+so|-?ish|or\s+more|and\s+more|or\s+less|more\s+or\s+less|at\s+most"
    r"|at\s+least|plus|\+|or\s+(?P<n3>two|three|2|3)(?!\s*[:.\d])))?"
)
_AMOUNT_EN = re.compile(
    rf"(?:{_HEDGE_EN}\s*)?"
    r"(?:"
    r"(?P<halfhour>half\s+an?\s+hour|half\s+hour)"
    r"|(?P<qhour>(?:a\s+)?quarter\s+(?:of\s+)?an?\s+hour)"
    r"|(?P<tqhour>three\s+quarters?\s+of\s+an?\s+hour)"
    r"|(?P<halfdist>half\s+a\s+(?:kilometers?|kilometres?|km|mile))"
    r"|(?P<hhalf>an?|one)\s+hour\s+and\s+a\s+half"
    rf"|(?P<nhalf>{EN_NUM})\s+and\s+a\s+half\s+{_UNIT_EN.format(name='unit_h')}"
    rf"|(?P<nhalf2>{EN_NUM})\s+{_UNIT_EN.format(name='unit_h2')}\s+and\s+a\s+half"
    rf"|(?P<ch>{EN_NUM})\s*(?:hours?|hrs?|h)\s*(?:and\s+)?(?P<cm>\d{{1,2}}|{_EN_MINUTES})\b"
    r"\s*(?:minutes?|mins?|min|m)?(?![a-z0-9])"
    r"|(?P<fewh>(?:a\s+)?(?:few|couple(?:\s+of)?|several))\s+hundred\s+(?:meters?|metres?|m\b)"
    rf"|(?P<n1>{EN_NUM})(?:\s*(?:-|to|or)\s*(?P<n2>{EN_NUM}))?\s*{_UNIT_EN.format(name='unit')}"
    r")"
    rf"{_SUFFIX_EN}",
)

_HEDGE_ZH = (
    r"(?P<hedge>大概|大约|约莫|约|差不多|估计|可能|应该|大致|将近|接近|(?<![附靠])近|快|不到|不足|至少"
    r"|超过|多于|少于|最多|最少|顶多|起码|才|只有|不止|得)"
)
_UNIT_ZH = (
    r"(?P<unit>个半小时|个半钟头|个多小时|个多钟头|个多钟|个小时|个钟头|个钟|小时|钟头"
    r"|分钟|刻钟|公里|千米|km|里路|里地|里|米|m(?![a-z]))"
)
# (whitespace only inside optional groups: "\s*(x)?\s*" backtracks cubically on blank runs)
_AMOUNT_ZH = re.compile(
    rf"(?:{_HEDGE_ZH}(?:\s*(?:还有|还要|还得|还需要?|还|有|要|走了|走))?\s*)?"
    r"(?:"
    rf"(?P<ch>{ZH_NUM})\s*(?:个\s*)?(?:小时|钟头)\s*(?:零\s*)?(?P<cm>{ZH_NUM})\s*分钟?"
    rf"|(?P<n1>{ZH_NUM})(?:\s*(?:-|~|到|至)\s*(?P<n2>{ZH_NUM}))?(?:\s*(?P<more>多|来|余))?"
    rf"\s*{_UNIT_ZH}"
    r")"
    r"(?P<more2>多)?(?P<suffix>左右|上下|的样子|那样)?",
)

_UNIT_VALUE: dict[str, tuple[AmountKind, float]] = {
    "hour": ("duration", 3600.0),
    "hr": ("duration", 3600.0),
    "h": ("duration", 3600.0),
    "minute": ("duration", 60.0),
    "min": ("duration", 60.0),
    "kilometer": ("distance", 1000.0),
    "kilometre": ("distance", 1000.0),
    "km": ("distance", 1000.0),
    "meter": ("distance", 1.0),
    "metre": ("distance", 1.0),
    "m": ("distance", 1.0),
    "mile": ("distance", 1609.344),
    "小时": ("duration", 3600.0),
    "钟头": ("duration", 3600.0),
    "钟": ("duration", 3600.0),
    "分钟": ("duration", 60.0),
    "刻钟": ("duration", 900.0),
    "公里": ("distance", 1000.0),
    "千米": ("distance", 1000.0),
    "里": ("distance", 500.0),
    "米": ("distance", 1.0),
}
_UNIT_VALUE |= {
    h: _UNIT_VALUE[u] for h, u in zip(_UNIT_HI.split("|"), "km km m h h h min".split(), strict=True)
}


def _unit(u: str) -> tuple[AmountKind, float]:
    u = "किमी" if u.startswith("कि.") else u.strip()  # Hindi "कि.मी." / "कि. मी"
    for prefix in ("个半", "个多", "个"):
        u = u.removeprefix(prefix)
    u = u.removesuffix("路").removesuffix("地") if u.startswith("里") else u
    if u not in _UNIT_VALUE and u.endswith("s"):
        u = u[:-1]
    return _UNIT_VALUE[u]


def spread(kind: AmountKind, low: float, high: float, hedge: str) -> tuple[float, float]:
    """The (low, high) range a caller means by a nominal value and a hedge class.

    Parameters
    ----------
    kind
        "duration" (s) or "distance" (m): sets the smallest half-width.
    low, high
        The nominal value, or range ("1-2 hours", "a few hundred metres").
    hedge
        "plain" (± 1/6), "hedged" ("about": ± 1/3), "range" (a stated range, ± 10 %),
        "almost" (75-100 %), "more" (100-150 %), "just_over", "just_under" or "less"
        (25-100 %).

    Returns
    -------
    tuple of float
        (low, high), rounded to whole metres or seconds, never below 0.
    """
    if hedge == "almost":
        lo, hi = 0.75 * low, high
    elif hedge == "more":
        lo, hi = low, 1.5 * high
    elif hedge == "just_over":
        lo, hi = low, 1.2 * high
    elif hedge == "just_under":
        lo, hi = 0.8 * low, high
    elif hedge == "less":
        lo, hi = 0.25 * low, high
    else:
        vague = hedge == "hedged"
        if low == high:
            rel = HEDGED_REL if vague else PLAIN_REL
        else:
            rel = HEDGED_RANGE_REL if vague else PLAIN_RANGE_REL
        lo, hi = low * (1 - rel), high * (1 + rel)
        floor = _FLOOR[(kind, vague)]
        if (hi - lo) / 2 < floor:
            mid = (lo + hi) / 2
            lo, hi = mid - floor, mid + floor
    return float(round(max(lo, 0.0))), float(round(max(hi, 0.0)))


_HEDGE_CLASS = {
    "nearly": "almost",
    "almost": "almost",
    "not quite": "almost",
    "not even": "less",
    "at least": "more",
    "more than": "more",
    "over": "more",
    "less than": "less",
    "under": "less",
    "within": "less",
    "just over": "just_over",
    "just under": "just_under",
    "only": "plain",
    "exactly": "plain",
    "将近": "almost",
    "接近": "almost",
    "近": "almost",
    "快": "almost",
    "不到": "less",
    "不足": "less",
    "至少": "more",
    "超过": "more",
    "多于": "more",
    "少于": "less",
    "最多": "less",
    "顶多": "less",
    "最少": "more",
    "起码": "more",
    "不止": "more",
    "才": "plain",
    "只有": "plain",
    "得": "hedged",
    "or more": "more",
    "and more": "more",
    "plus": "more",
    "+": "more",
    "or less": "less",
    "at most": "less",
}


def _hedge_class(*words: str | None) -> str:
    cls = "plain"
    for w in words:
        if not w:
            continue
        w = " ".join(w.replace("-", " ").split()).rstrip(".")
        c = _HEDGE_CLASS.get(w, "hedged")
        if c != "plain":
            cls = c
    return cls


#: English amount groups with a fixed value: (group, kind, value)
_EN_FIXED: tuple[tuple[str, AmountKind, float], ...] = (
    ("halfhour", "duration", 1800.0),
    ("qhour", "duration", 900.0),
    ("tqhour", "duration", 2700.0),
    ("hhalf", "duration", 5400.0),
)


def _en_special(m: re.Match[str]) -> tuple[AmountKind, float, float, bool] | None | bool:
    """The forms of :func:`_en_amount` other than "N unit": False when none matched."""
    g = m.group
    for group, kind, value in _EN_FIXED:
        if g(group):
            return kind, value, value, False
    if g("halfdist"):
        v = 804.672 if "mile" in g("halfdist") else 500.0
        return "distance", v, v, False
    if g("nhalf") or g("nhalf2"):
        n = en_number(g("nhalf") or g("nhalf2"))
        if n is None:
            return None
        kind, unit = _unit(g("unit_h") or g("unit_h2"))
        return kind, (n[0] + 0.5) * unit, (n[1] + 0.5) * unit, n[2]
    if g("ch"):
        h, mins = en_number(g("ch")), en_number(g("cm"))
        if h is None or mins is None or mins[0] >= 60:
            return None
        return "duration", h[0] * 3600 + mins[0] * 60, h[1] * 3600 + mins[1] * 60, h[2]
    if g("fewh"):
        n = en_number(g("fewh"))
        if n is None:
            return None
        return "distance", n[0] * 100, n[1] * 100, True
    return False


def _en_amount(m: re.Match[str]) -> tuple[AmountKind, float, float, bool] | None:
    """(kind, nominal low, nominal high, vague) of an English amount match."""
    special = _en_special(m)
    if special is not False:
        return special if isinstance(special, tuple) else None
    g = m.group
    n1 = en_number(g("n1"))
    if n1 is None:
        return None
    if g("n1").strip() in ("a", "an") and g("unit") in ("m", "h"):
        return None  # "8 a m" is a clock time, not a metre
    kind, unit = _unit(g("unit"))
    lo, hi, vague = n1
    if g("n2"):
        n2 = en_number(g("n2"))
        if n2 is None or n2[1] <= lo:
            return None
        hi = n2[1]
    if g("n3"):
        n3 = en_number(g("n3"))
        if n3 is not None and n3[1] > hi:
            hi = n3[1]
    return kind, lo * unit, hi * unit, vague


def _zh_amount(m: re.Match[str]) -> tuple[AmountKind, float, float, bool] | None:
    g = m.group
    if g("ch"):
        h, mins = zh_number(g("ch")), zh_number(g("cm"))
        if h is None or mins is None or mins[0] >= 60:
            return None
        return "duration", h[0] * 3600 + mins[0] * 60, h[1] * 3600 + mins[1] * 60, h[2]
    n1 = zh_number(g("n1"))
    if n1 is None:
        return None
    unit_text = g("unit")
    kind, unit = _unit(unit_text)
    lo, hi, vague = n1
    if g("n2"):
        n2 = zh_number(g("n2"))
        if n2 is None or n2[1] <= lo:
            return None
        hi = n2[1]
    if unit_text.startswith("个半"):
        lo, hi = lo + 0.5, hi + 0.5
    if g("more") in ("多", "余") or g("more2") or unit_text.startswith("个多"):
        # "一个多小时" is 1 h and some: a one-sided range, not a hedge around 1 h
        step = 10 ** (len(str(int(hi))) - 1) if hi >= 10 else 1
        hi = hi + 0.7 * step
    elif g("more") == "来":
        vague = True
    return kind, lo * unit, hi * unit, vague


def widen(a: Amount) -> Amount:
    """``a`` as said with "about" in front: twice as wide around the same middle."""
    mid, half = (a.low + a.high) / 2, (a.high - a.low) / 2
    low, high = max(mid - 2 * half, 0.0), mid + 2 * half
    return Amount(a.start, a.end, a.kind, float(round(low)), float(round(high)), a.text)


#: Hindi number words before a unit, put in digits (same length): "दो किमी" (2 km)
_HI_WORDS = "एक दो तीन चार पाँच छह सात आठ नौ दस".split()
_HI_NUM = re.compile(rf"({'|'.join(_HI_WORDS)})(?=\s*(?:{_UNIT_HI}))")


def find_amounts(folded: str) -> list[Amount]:
    """Every distance or duration in the (folded, masked) text, in text order."""
    found: list[Amount] = []
    folded = _HI_NUM.sub(lambda m: f"{_HI_WORDS.index(m[1]) + 1:<{len(m[1])}}", folded)
    for pattern, reader in ((_AMOUNT_EN, _en_amount), (_AMOUNT_ZH, _zh_amount)):
        for m in pattern.finditer(folded):
            start = m.start()
            if start > 0 and folded[start - 1].isalnum() and folded[start - 1].isascii():
                continue  # inside a word or a longer number
            read = reader(m)
            if read is None:
                continue
            kind, lo, hi, vague = read
            if hi <= 0 or hi > (300_000 if kind == "distance" else 5 * 86_400):
                continue
            hedge = _hedge_class(m.group("hedge"), (m.group("suffix") or "").strip() or None)
            if vague and hedge == "plain":
                hedge = "hedged"
            if lo != hi and hedge == "plain":
                hedge = "range"
            low, high = spread(kind, lo, hi, hedge)
            found.append(Amount(start, m.end(), kind, low, high, m.group(0)))
    found.sort(key=lambda a: (a.start, -a.end))
    out: list[Amount] = []
    for a in found:
        if out and a.start < out[-1].end:
            continue
        out.append(a)
    return out
