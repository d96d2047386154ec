"""Coordinate formats: recognising a coordinate in text and the parts it is written in.

Full-width digits and Chinese labels normalised offset for offset; the patterns of a
geographic pair (decimal degrees, degrees and minutes, degrees-minutes-seconds, with or
without hemisphere letters or 北纬/东经) and of a UTM position; the parts they capture and
the checks that keep heights, times and phone numbers from matching. What the numbers
mean is read by :mod:`rescue.locate._coord_geo` and :mod:`rescue.locate._coord_utm`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from geodata.i18n import Said, msg

Axis = Literal["lat", "lon"]

#: Metres per degree of latitude (and of longitude at the equator): turns the last
#: digit written into a ground distance. An upper bound for longitude.
_M_PER_DEG = 111_320.0

# --------------------------------------------------------------------------- normalising


def _translation() -> dict[int, str]:
    """One-to-one character substitutions, so offsets survive normalisation."""
    table: dict[int, str] = {}
    for i in range(10):  # full-width digits
        table[0xFF10 + i] = str(i)
    for i in range(26):  # full-width Latin letters
        table[0xFF21 + i] = chr(ord("A") + i)
        table[0xFF41 + i] = chr(ord("a") + i)
    # target: the characters typed for it
    variants = {
        ".": "．",
        ",": "，、",
        ":": "：",
        ";": "；",
        "/": "／",
        "=": "＝",
        "-": "－−",
        "+": "＋",
        "&": "＆",
        "°": "º˚⁰∘",
        "'": "′’‘‵´`ʹʼ＇ˊ",
        '"': "″”“‶„ʺ〃＂",
        " ": "\u00a0\u2002\u2003\u2009\u202f\u3000",
    }
    for target, typed in variants.items():
        for ch in typed:
            table[ord(ch)] = target
    return table


_TRANSLATE = _translation()
_DIGIT = re.compile(r"[0-9０-９]")

# --------------------------------------------------------------------------- patterns

_ZH_LABELS = "北纬|南纬|东经|西经|北緯|南緯|東經|西經|纬度|经度|緯度|經度"
_ZH_AXIS: dict[str, tuple[Axis, bool]] = {  # label -> (axis, negative)
    "北纬": ("lat", False),
    "北緯": ("lat", False),
    "纬度": ("lat", False),
    "緯度": ("lat", False),
    "南纬": ("lat", True),
    "南緯": ("lat", True),
    "东经": ("lon", False),
    "東經": ("lon", False),
    "经度": ("lon", False),
    "經度": ("lon", False),
    "西经": ("lon", True),
    "西經": ("lon", True),
}


def _component(i: int) -> str:
    """Pattern for one axis: optional label / hemisphere, then D, D M or D M S."""
    return rf"""
    (?:
        (?<![A-Za-z])(?P<w{i}>latitude|longitude|lat|long|lon|lng)\.?\s{{0,3}}[:=]?\s{{0,3}}
      | (?P<z{i}>{_ZH_LABELS})\s{{0,3}}[:=]?\s{{0,3}}
    )?
    (?:(?<![A-Za-z])(?P<h{i}>[NSEW])\s{{0,3}}[:=]?\s{{0,3}})?
    (?:(?<![0-9.])(?P<sg{i}>[+-])\s?)?
    (?<![0-9.])
    (?:
        (?P<a{i}>[0-9]{{1,3}})(?P<ad{i}>\s{{0,3}}(?:°|度)\s{{0,3}}|\s{{1,3}})
        (?P<am{i}>[0-9]{{1,2}})(?P<amm{i}>\s{{0,3}}(?:'|分)\s{{0,3}}|\s{{1,3}})
        (?P<as{i}>[0-9]{{1,3}}(?:\.[0-9]+)?)(?P<asm{i}>\s{{0,3}}(?:''|"|秒))?
      | (?P<b{i}>[0-9]{{1,3}})(?P<bd{i}>\s{{0,3}}(?:°|度)\s{{0,3}}|\s{{1,3}})
        (?P<bm{i}>[0-9]{{1,2}}(?:\.[0-9]+)?)(?P<bmm{i}>\s{{0,3}}(?:'|分))?
      | (?P<c{i}>[0-9]{{1,3}}(?:\.[0-9]+)?)
        (?P<cd{i}>\s{{0,3}}(?:°|度)(?!\s{{0,2}}[CF](?![A-Za-z])))?  # not "5°C"
    )
    (?![0-9])(?!\.[0-9])
    (?(h{i})|(?:\s{{0,3}}(?P<hs{i}>[NSEW])(?![A-Za-z]))?)
    """


_HEADER = r"""
    (?:(?<![A-Za-z])(?P<hdr>
        lat(?:itude)?\s{0,2}[/,&]\s{0,2}(?:lon(?:g(?:itude)?)?|lng)
      | (?:lon(?:g(?:itude)?)?|lng)\s{0,2}[/,&]\s{0,2}lat(?:itude)?
    )(?![A-Za-z])\s{0,3}[:=]?\s{0,3})?
"""
_SEP = r"(?P<sep>\s{0,3}(?:[,;/&]|and(?![A-Za-z])|和|及)?\s{0,3})"

# A unit after the pair means amounts, not a position: "long 3.25, 4.50 hours".
_NO_UNIT = r"""
    (?!\s{0,2}(?:km|m|h|hrs?|hours?|mins?|minutes?|kg|yuan|rmb|%|元|米|公里|千米|小时|分钟|块)
       (?![A-Za-z]))
"""
_GEO_RE = re.compile(
    _HEADER + _component(0) + _SEP + _component(1) + _NO_UNIT, re.X | re.I | re.ASCII
)

_UTM_RE = re.compile(
    r"""
    (?<![A-Za-z0-9.])
    (?:(?P<kw>utm)(?![A-Za-z])\s{0,3}[:=]?\s{0,3})?
    (?:
        (?:zone\s{0,3})?(?P<zone>[0-9]{1,2})\s?(?P<band>[C-HJ-NP-X])(?![A-Za-z])
      | zone\s{0,3}(?P<zone2>[0-9]{1,2})(?![0-9])
    )?
    \s{0,3}[,;:]?\s{0,3}
    (?:(?<![A-Za-z])(?P<ap>m?[EN])\s{0,2}[:=]?\s{0,2})?
    (?<![0-9.])(?P<a>[0-9]{6,8}(?:\.[0-9]+)?)(?![0-9])
    (?(ap)|(?:\s?(?P<as>m?[EN]|m)(?![A-Za-z]))?)
    \s{0,3}[,;/]?\s{0,3}
    (?:(?<![A-Za-z])(?P<bp>m?[EN])\s{0,2}[:=]?\s{0,2})?
    (?<![0-9.])(?P<b>[0-9]{6,8}(?:\.[0-9]+)?)(?![0-9])(?!\.[0-9])
    (?(bp)|(?:\s?(?P<bs>m?[EN]|m)(?![A-Za-z]))?)
    """,
    re.X | re.I | re.ASCII,
)


# --------------------------------------------------------------------------- parsed parts


@dataclass(frozen=True)
class _Part:
    """One axis as written: its numbers, its marks, what it says about itself."""

    kind: Literal["dd", "dm", "dms"]
    deg: str
    minutes: str | None
    seconds: str | None
    axis: Axis | None  # from a hemisphere letter or a label
    negative: bool
    minus: bool  # the negative comes from a minus sign, not from S / W / 南纬 / 西经
    labelled: bool  # hemisphere letter, lat/lon word or Chinese label
    named: bool  # lat/lon word or Chinese label (stronger than a lone letter)
    marked: bool  # degree, minute or second signs
    conflict: str | None  # e.g. "labelled latitude but marked E"


@dataclass(frozen=True)
class _Value:
    """One reading of one axis: magnitude in degrees, how it was read."""

    degrees: float
    kind: str
    unit_deg: float
    note: str | None = None


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    kind: Literal["geo", "utm"]
    match: re.Match[str]
    parts: tuple[_Part, _Part] | None = None
    weak: bool = False  # recognised only if some reading lies in the region


def _decimals(number: str) -> int:
    return len(number.partition(".")[2])


def _part(m: re.Match[str], i: int) -> _Part:
    g = m.group
    word, zh = g(f"w{i}"), g(f"z{i}")
    hem = g(f"h{i}") or g(f"hs{i}")
    axis: Axis | None = None
    negative = g(f"sg{i}") == "-"
    conflict: str | None = None
    label_axis: Axis | None = None
    if word:
        label_axis = "lat" if word.lower().startswith("lat") else "lon"
    elif zh:
        label_axis, neg = _ZH_AXIS[zh]
        negative = negative or neg
    if hem:
        hem_axis: Axis = "lat" if hem.upper() in "NS" else "lon"
        negative = negative or hem.upper() in "SW"
        if label_axis and label_axis != hem_axis:
            conflict = Said(msg(f"locate.coords_{label_axis}_marked", mark=hem.upper()))
        axis = hem_axis
    else:
        axis = label_axis
    if g(f"a{i}"):
        kind: Literal["dd", "dm", "dms"] = "dms"
        deg, minutes, seconds = g(f"a{i}"), g(f"am{i}"), g(f"as{i}")
        marks = (g(f"ad{i}") + g(f"amm{i}") + (g(f"asm{i}") or "")).strip()
    elif g(f"b{i}"):
        kind = "dm"
        deg, minutes, seconds = g(f"b{i}"), g(f"bm{i}"), None
        marks = (g(f"bd{i}") + (g(f"bmm{i}") or "")).strip()
    else:
        kind = "dd"
        deg, minutes, seconds = g(f"c{i}"), None, None
        marks = (g(f"cd{i}") or "").strip()
    return _Part(
        kind=kind,
        deg=deg,
        minutes=minutes,
        seconds=seconds,
        axis=axis,
        negative=negative,
        minus=g(f"sg{i}") == "-",
        labelled=bool(word or zh or hem),
        named=bool(word or zh),
        marked=bool(marks),
        conflict=conflict,
    )


_AXIS_NAME: dict[Axis, str] = {"lat": "latitude", "lon": "longitude"}
_KIND_NAME = {
    "dd": "decimal degrees",
    "dm": "degrees and decimal minutes",
    "dm0": "degrees and minutes",
    "dms": "degrees, minutes and seconds",
}
_KIND_NAME_ZH = {"dd": "十进制度", "dm": "度和十进制分", "dm0": "度和分", "dms": "度、分、秒"}
_ORDER_ZH = {"latitude first": "纬度在前", "longitude first": "经度在前"}


def _bare_ok(p: _Part, q: _Part) -> tuple[bool, bool]:
    """Whether two unlabelled parts look like a coordinate; and whether only weakly."""
    if p.kind != q.kind:
        return False, False
    if p.kind == "dd":
        d = (_decimals(p.deg), _decimals(q.deg))
        if min(d) < 2:
            return False, False  # "5度，10度", "2.5, 3.5 km", "31, 81"
        if p.marked and q.marked:  # "31.08°, 81.35°"
            return True, False
        return True, max(d) < 3
    for x in (p, q):
        assert x.minutes is not None
        whole_min = x.minutes.partition(".")[0]
        if len(whole_min) != 2 or float(x.minutes) >= 60:
            return False, False
        if p.kind == "dm" and not (x.marked or _decimals(x.minutes)):
            return False, False
        # Bare D M S needs decimal seconds: "12 30 45 5 10 20" is anything but a position.
        if x.seconds is not None and (
            len(x.seconds.partition(".")[0]) != 2
            or float(x.seconds) >= 60
            or not (x.marked or _decimals(x.seconds))
        ):
            return False, False
    return True, False


def _geo_candidate(m: re.Match[str]) -> _Candidate | None:
    """Decide, without raising, whether a pattern match is a coordinate at all."""
    p, q = _part(m, 0), _part(m, 1)
    header = bool(m.group("hdr"))
    named = header or p.named or q.named
    labelled = header or p.labelled or q.labelled
    structured = any(x.kind != "dd" and x.marked for x in (p, q))
    weak = False
    if labelled or structured:
        if not named and all(x.kind == "dd" and not x.marked and "." not in x.deg for x in (p, q)):
            return None  # "N31 E81", "S 2, E 3": too vague and too easily something else
    else:
        if m.group("sep").strip().lower() in {"and", "&", "和", "及"}:
            return None
        ok, weak = _bare_ok(p, q)
        if not ok:
            return None
        values = [float(p.deg), float(q.deg)]
        if not (max(values) <= 180 and min(values) <= 90):
            return None
    start, end = m.span()
    return _Candidate(start, end, "geo", m, (p, q), weak)


def _utm_candidate(m: re.Match[str]) -> _Candidate | None:
    markers = [m.group(n) for n in ("ap", "as", "bp", "bs")]
    has_en = any(x and x[-1].upper() in "EN" for x in markers)
    if not (m.group("kw") or m.group("zone") or m.group("zone2") or has_en):
        return None
    start, end = m.span()
    return _Candidate(start, end, "utm", m)


# --------------------------------------------------------------------------- readings


@dataclass(frozen=True)
class _Reading:
    lat: float
    lon: float
    label: str
    uncertainty_m: float
    rank: int
