"""Text helpers for the clue parser: a length-preserving fold, clauses, script counts.

Every offset the parser hands out refers to the NFC-normalised description, so the
folded copy it matches against must keep one character per character: full-width
forms become ASCII, letters become lower case, curly quotes straight, and anything
that does not fold to exactly one character is left alone.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "fold",
    "mask",
    "clauses",
    "sight_clauses",
    "count_scripts",
    "is_han",
]

_PUNCT = {
    "\u2018": "'",
    "\u2019": "'",
    "\u02bc": "'",
    "\u00b4": "'",
    "`": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2033": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\uff5e": "~",
    "\u301c": "~",
    "\u3002": "\u3002",  # the ideographic full stop stays: clauses split on it
}


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch in _PUNCT:
        return _PUNCT[ch]
    cat = unicodedata.category(ch)
    if cat[0] == "C" or cat in ("Zl", "Zp"):
        return "\n" if ch in "\n\r\u2028\u2029\x0b\x0c\x85" else " "
    if cat == "Zs":
        return " "
    out = unicodedata.normalize("NFKC", ch)
    if len(out) != 1:
        out = ch
    low = out.lower()
    return low if len(low) == 1 else out


def fold(text: str) -> str:
    """Lower-case, width-folded copy of ``text`` with exactly the same length."""
    return "".join(_fold_char(ch) for ch in text)


def mask(text: str, spans: list[tuple[int, int]], char: str = " ") -> str:
    """``text`` with each (start, end) span overwritten by ``char`` (length kept)."""
    if not spans:
        return text
    chars = list(text)
    n = len(chars)
    for start, end in spans:
        for i in range(max(start, 0), min(end, n)):
            chars[i] = char
    return "".join(chars)


# A full stop or comma between two digits ("5.3 km", "5,300 m") does not end a clause.
_CLAUSE_END = re.compile(
    r"(?P<keep>\b[ap]\.m\.|\b(?:approx|ca|appr|abt)\.)"
    r"|[;!?\n\u3002\uff1b\uff01\uff1f\u3001|\u2026]|(?<![0-9])[.,]|[.,](?![0-9])"
)
_SIGHT_BREAK = re.compile(
    r"\bbut\b|\bhowever\b|\bexcept\b|\balthough\b|\bthough\b|但是|但|不过|可是|然而|只是"
)


def _split(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for m in pattern.finditer(text):
        if m.groupdict().get("keep"):
            continue
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out


def clauses(folded: str) -> list[tuple[int, int]]:
    """(start, end) of each clause: text between punctuation marks and line breaks."""
    return _split(folded, _CLAUSE_END)


def sight_clauses(folded: str) -> list[tuple[int, int]]:
    """Clauses further cut at "but" / "但是", so a negation does not reach past them."""
    out: list[tuple[int, int]] = []
    for start, end in clauses(folded):
        for s, e in _split(folded[start:end], _SIGHT_BREAK):
            out.append((start + s, start + e))
    return out


def is_han(ch: str) -> bool:
    """True for a CJK ideograph (the scripts Chinese is written in)."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x2FA1F
    )


_LATIN_WORD = re.compile(r"[a-z\u00c0-\u024f]{2,}")
#: Latin tokens that appear in Chinese text without making it English.
_NEUTRAL = frozenset(
    {"km", "m", "ft", "am", "pm", "gps", "min", "mins", "hr", "hrs", "utm", "masl", "ok", "sos"}
)


def count_scripts(folded: str) -> tuple[int, int]:
    """(Han characters, Latin words) in the folded text, ignoring units like "km"."""
    han = sum(1 for ch in folded if is_han(ch))
    latin = sum(1 for w in _LATIN_WORD.findall(folded) if w not in _NEUTRAL)
    return han, latin
