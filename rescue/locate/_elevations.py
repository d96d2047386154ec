"""Altitudes told in words: "altimeter says about 5300 m", "17,400 ft", "海拔5300米".

Each becomes an :class:`~rescue.locate.model.ElevationClue` with its tolerance (wider
when hedged, one-sided for "over" / "不到"). A step of :func:`rescue.locate.clues.parse_clues`.
"""

from __future__ import annotations

import re

from geodata.i18n import Said, msg
from rescue.locate._doc import Doc
from rescue.locate._numbers import zh_number
from rescue.locate.model import (
    ElevationClue,
)

#: altimeter or phone reading; "about" widens it (m)
ELEVATION_TOLERANCE_M = 100.0
ELEVATION_TOLERANCE_VAGUE_M = 150.0
FT_TO_M = 0.3048

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

# ======================================================================= altitude


_ASL_SUFFIXES = ("asl", "a.s.l", "a.s.l.", "above sea level")
_FEET_UNITS = ("ft", "feet", "foot", "'", "英尺")


def _elevations(doc: Doc, notes: list[str]) -> tuple[list[ElevationClue], list[tuple[int, int]]]:
    out: list[ElevationClue] = []
    spans: list[tuple[int, int]] = []
    text = doc.quiet
    for m in _ELEVATION.finditer(text):
        value = _number(m.group("num"))
        if value is None:
            continue
        unit = (m.group("unit") or "").strip()
        suffix = (m.group("suf") or "").strip()
        cue = _has_cue(doc, m, suffix)
        if not cue and _DISTANCE_AFTER.match(text[m.end() : m.end() + 15]):
            continue
        feet = _in_feet(value, unit, cue=cue)
        if feet is None:
            if cue and unit and value > 0:
                notes.append(Said(msg("locate.note.altitude", said=m.group(0).strip())))
            continue
        out.append(_clue(doc, m, value, suffix, feet=feet))
        spans.append(m.span())
    return out, spans


def _number(num: str) -> float | None:
    """The number written in digits or in Chinese; None for a range ("五六千")."""
    if num[0].isdigit():
        return float(num.replace(",", ""))
    parsed = zh_number(num)
    if parsed is None or parsed[0] != parsed[1]:
        return None
    return parsed[0]


def _has_cue(doc: Doc, m: re.Match[str], suffix: str) -> bool:
    """Whether the clause says that the number is an altitude."""
    c_start, _ = doc.clause(m.start())
    before = doc.quiet[max(c_start, m.start() - 40) : m.start()]
    return bool(_ELEVATION_CUE.search(before) or _ELEVATION_CUE.search(suffix)) or (
        suffix in _ASL_SUFFIXES
    )


def _in_feet(value: float, unit: str, *, cue: bool) -> bool | None:
    """Whether an altitude is in feet (else metres); None where it is no altitude.

    Without a unit, only a number said to be an altitude is one: metres up to 9000,
    feet above.
    """
    if unit in _FEET_UNITS:
        in_range = 3000 <= value <= 30000 if cue else 10000 <= value <= 30000
        return True if in_range else None
    if unit:
        in_range = 1000 <= value <= 9000 if cue else 3500 <= value <= 9000
        return False if in_range else None
    if not cue:
        return None
    if 2500 <= value <= 9000:
        return False
    if 9000 < value <= 30000:
        return True
    return None


def _clue(doc: Doc, m: re.Match[str], value: float, suffix: str, *, feet: bool) -> ElevationClue:
    """The altitude read, its tolerance widened by hedges, rounding and "over" / "under"."""
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
    return ElevationClue(round(elevation, 1), tolerance, doc.span_text(*m.span()))


# ======================================================================= entry point
