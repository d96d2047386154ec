"""How names are written: normalising, folding and tokenising text, and the word tables.

The shared vocabulary of the name index (:mod:`rescue.locate.names`): the feature words and
name suffixes read from ``geodata/lexicon/names.json``, the Latin, Chinese and Tibetan
normalisation and romanisation folds, the phonetic key, and the token, candidate and key
records the index is built from and matches with.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import jellyfish
from pypinyin.pinyin_dict import pinyin_dict
from rapidfuzz.distance import OSA

from rescue.locate.lexicon import lexicon, region_words

_NAMES = lexicon("names")
_REGION = region_words()

#: What each feature key denotes: place types (``type`` column; ``geodata/lexicon/names.json``)
#: or place ids (the region's ``locate_words.json``). ``NameIndex`` adds the places whose names
#: contain the feature's words (see ``_FEATURE_NAME_HINTS``: "cave", "footprint", "sky
#: burial", "天葬" …). Type or id matches score 1.0; name matches 1.0, or 0.8 for a supply
#: point or guesthouse named after the feature; medical posts never match by name.
FEATURE_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        key: (*types, *_REGION["feature_places"].get(key, ()))
        for key, types in _NAMES["feature_types"].items()
    }
)

#: The words (English and Chinese) that name each feature. English plurals in
#: -s/-es and the pinyin of multi-character Chinese words are matched as well.
FEATURE_TERMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {key: tuple(terms) for key, terms in _NAMES["feature_terms"].items()}
)

#: Words that, inside a place's name or aliases, make it an instance of a feature.
_FEATURE_NAME_HINTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {key: tuple(words) for key, words in _NAMES["feature_name_hints"].items()}
)

# Places whose point is the centre of an area: nothing is "at the same spot".
_AREA_TYPES = frozenset({"town", "lake", "summit"})
_SERVICE_TYPES = frozenset({"guesthouse", "supply_point", "medical_post"})
# Where callers stay or stop: listed with a place they are close to. (Medical
# posts come along only where they share a supply point's spot.)
_LODGING_TYPES = frozenset({"guesthouse", "supply_point"})
_COLOCATED_M = 30.0
_NEARBY_M = 700.0

# Generic words stripped from names to get their cores, with the place types
# for which the word is the place's own kind ("Chuku Gompa" is a monastery).
_EN_SUFFIX_TABLE = tuple((w, t) for w, t in _NAMES["en_suffixes"])
_EN_SUFFIXES: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = tuple(
    sorted(
        ((tuple(w.split()), frozenset(t.split())) for w, t in _EN_SUFFIX_TABLE),
        key=lambda item: -len(item[0]),  # "iron bridge" before "bridge"
    )
)
_EN_PREFIXES: tuple[tuple[str, ...], ...] = tuple(tuple(p.split()) for p in _NAMES["en_prefixes"])
# A core ending in a river word names the river, not the place ("Lha-chu").
_RIVER_WORDS = frozenset(_NAMES["river_words"])

_ZH_SUFFIX_TABLE = tuple((w, t) for w, t in _NAMES["zh_suffixes"])
_ZH_SUFFIXES: tuple[tuple[str, frozenset[str]], ...] = tuple(
    sorted(((w, frozenset(t.split())) for w, t in _ZH_SUFFIX_TABLE), key=lambda i: -len(i[0]))
)
_ZH_BAD_CORE = re.compile(
    "^(?:" + "|".join([_NAMES["zh_bad_core"], *map(re.escape, _REGION["not_name_cores_zh"])]) + ")$"
)

# Ordinary English words: never a place name on their own, never the edge of a
# fuzzy match, and names made only of them match exactly and weigh less.
_COMMON_EN = frozenset(_NAMES["common_en"])

# Fuzzy runs may end in these generic words ("Drolmma pass").
_EDGE_OK = frozenset(_NAMES["edge_ok"])
# "pass" after these words, or before these, is the verb.
_PASS_VERB_BEFORE = frozenset(_NAMES["pass_verb_before"])
_PASS_VERB_AFTER = frozenset(_NAMES["pass_verb_after"])

_LAT, _CJK, _BO = 0, 1, 2
_CJK_CHARS = "\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef"
_TOKEN_RE = re.compile(
    rf"(?P<cjk>\d*[{_CJK_CHARS}][{_CJK_CHARS}\d]*)"
    # Tibetan syllables and Devanagari words (the Hindi names Indian pilgrims use): both
    # matched as written, word by word (no danda: \u0964-\u0965)
    r"|(?P<bo>[\u0f00-\u0f0a\u0f15-\u0fff\u0900-\u0963\u0966-\u097f]+)"
    rf"|(?P<lat>(?:(?![{_CJK_CHARS}\u0f00-\u0fff\u0900-\u097f])[^\W_]|[\u0300-\u036f])+)"
)
# What may stand between two words of one name.
_LAT_GAP = re.compile(r"[ \t\u00a0\-\u2010\u2011\u2013_'\u2019\u02bc]{1,3}")
_BO_GAP = re.compile(r"[\u0f0b\u0f0c \u00a0]{1,2}")
_TONE_NUMBERS = re.compile(r"(?:[a-z]+[1-5])+[a-z]*")
_DIGITS = re.compile(r"\d")
_SPECIAL = str.maketrans(
    {"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "ŋ": "ng", "ı": "i", "þ": "th", "ð": "d"}
)
_FOLD_MAP = str.maketrans(
    {"d": "t", "g": "k", "b": "p", "q": "c", "j": "c", "x": "s", "v": "w", "o": "u"}
)
_H_AFTER_CONSONANT = re.compile(r"(?<=[b-df-hj-np-tv-z])h")
_DOUBLE = re.compile(r"(.)\1+")
_PARENS = re.compile(r"\(([^()]*)\)")
_PIECE_SPLIT = re.compile(r"\s*(?:/|&|,|;)\s*")

# Ordinals written with digits, as the words the names use.
_ORDINAL_WORDS = (
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth"
).split()


def _ordinal_suffix(n: int) -> str:
    if n % 100 not in (11, 12, 13) and n % 10 in (1, 2, 3):
        return ("st", "nd", "rd")[n % 10 - 1]
    return "th"


_ORDINALS = {f"{n}{_ordinal_suffix(n)}": w for n, w in enumerate(_ORDINAL_WORDS, start=1)}
# Chinese ordinals: 第3 = 第三 (one digit, so offsets stay the same)
_ZH_ORDINAL_DIGIT = re.compile(r"(?<=第)([1-9])(?![0-9])")
_ZH_DIGITS = "一二三四五六七八九"

# An ordinal right before a feature word: "the second prostration spot", "第一个磕头的地方"
_ORDINAL_BEFORE_EN = re.compile(
    r"\b(?P<o>" + "|".join([*_ORDINAL_WORDS, *_ORDINALS]) + r")[\s\-]+$", re.IGNORECASE
)
_ORDINAL_BEFORE_ZH = re.compile(r"第(?P<o>[一二三四五六七八九1-9])(?:个|個|座|处|處|道|号|號)?$")

#: an ordinal counted from a place ("after the pass", "过了山口以后的第二个"), in the caller's
#: clause before it or in a name ("first teahouse after the pass"): not the place's own number
_RELATIVE_BEFORE = re.compile(
    r"\b(?:after|past|beyond|from|since|before)\b|以后|之后|以前|之前|后的|后面的|出来|过了|从|离开"
)
_RELATIVE_NAME = re.compile(r"\b(?:after|past|beyond|from|before)\b|以后|之后|后的|过了")
#: a feature word said as one of a named place's own: "塔钦镇北头寺庙", "塔钦的寺庙"
#: (place first), "the monastery on the north end of Darchen", "the temple in Darchen"
_IN_PLACE_AFTER = re.compile(
    r"(?:镇|鎮|村|县|縣)?(?:上|里|裡)?的?(?:[东南西北東]{1,2}(?:头|頭|端|角|部))?的?(?:'s)?\s*"
)
_IN_PLACE_BEFORE = re.compile(
    r"\s+(?:in|at|on|of)\s+(?:the\s+)?(?:(?:north|south|east|west)(?:ern)?[\s-]*(?:east|west)?"
    r"(?:ern)?\s+)?(?:(?:end|edge|part|corner|side|outskirts)\s+of\s+)?(?:the\s+town\s+of\s+)?"
)
#: the weight of a feature's other places where the region names its main one
_NOT_MAIN = 0.3
#: how far from the named place its own features lie
_IN_PLACE_M = 1500.0


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[1] + b[1]) / 2.0)
    return math.hypot((b[0] - a[0]) * 111_320.0 * math.cos(lat), (b[1] - a[1]) * 110_540.0)


#: before a lodging word, beds on offer ("可以住宿", "能住宿", "提供住宿")
_OFFERED_BEFORE = re.compile(r"(?:可以|可|能|提供|有得?)\s*$")
_CLAUSE_SPLIT = re.compile(r"[,;.!?，。；！？\n]")

_MAX_LAT_WORDS = 8
# Sound keys: only for words and keys long enough not to sound like ordinary words, and
# weaker than a spelling within a few edits.
_MIN_PHONETIC_CHARS = 6
_MIN_PHONETIC_KEY = 4
_PHONETIC_WEIGHT = 0.7
_MIN_PHONETIC_LIKENESS = 50.0  # rapidfuzz ratio, 0-100
_MAX_FUZZY_WORDS = 4
_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: int
    start: int
    end: int
    norm: str  # Latin: normalised word; CJK: the run, width-folded; Tibetan: the syllable
    fold: str
    common: bool
    attached: bool  # joined to the previous token of the same kind


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    tier: int  # 0 exact, folded, Chinese or Tibetan; 1 fuzzy
    places: dict[str, float]
    feature: str | None = None
    generic: bool = False
    boost: str | None = None  # a following feature word favours places of its kind
    read_as: str | None = None  # the name a misspelt or sound-alike word was taken for

    @property
    def top(self) -> float:
        return max(self.places.values(), default=0.0)


@dataclass(slots=True)
class _Key:
    places: dict[str, float] = field(default_factory=dict)
    feature: str | None = None
    # folded keys: the spellings folded into this key, each with its places, so
    # that a match can be checked against how the name is really spelled
    sources: dict[str, dict[str, float]] = field(default_factory=dict)

    def add(self, pid: str, weight: float, source: str | None = None) -> None:
        if weight > self.places.get(pid, 0.0):
            self.places[pid] = weight
        if source is not None:
            slot = self.sources.setdefault(source, {})
            if weight > slot.get(pid, 0.0):
                slot[pid] = weight

    def nearest(self, norm: str) -> str:
        """The spelling folded into this key that is closest to ``norm`` (edits)."""
        return min(self.sources, key=lambda source: (OSA.distance(norm, source), source))

    def near_spelling(self, norm: str, extra: int, divisor: int) -> tuple[dict[str, float], bool]:
        """Places of the spellings within ``extra + len // divisor`` edits of ``norm``.

        The second value tells whether a feature spelling is that close.
        """
        found: dict[str, float] = {}
        feature = False
        for source, places in self.sources.items():
            bound = extra + len(source) // divisor
            if OSA.distance(norm, source, score_cutoff=bound) > bound:
                continue
            if not places:
                feature = True
            for pid, w in places.items():
                if w > found.get(pid, 0.0):
                    found[pid] = w
        return found, feature


def _phonetic_key(norm: str) -> str:
    """The Metaphone key of a spelling (jellyfish), read for Tibetan romanisations: an
    h marks aspiration ("Zuthulphuk", "Dhirapuk", "Derafook"), not English th / ph, so
    "0" (th) is read as T, "F" (ph) as P, and H is dropped."""
    key = str(jellyfish.metaphone(norm))
    return key.replace("0", "T").replace("F", "P").replace("H", "")


def _norm_word(word: str) -> str:
    s = unicodedata.normalize("NFKD", word.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c)).translate(_SPECIAL)
    s = "".join(c for c in s if c.isalnum())
    if s[:1].isdigit() and s in _ORDINALS:
        return _ORDINALS[s]  # "3rd prostration point" = "third prostration point"
    if s and not s.isdigit() and _TONE_NUMBERS.fullmatch(s):
        s = _DIGITS.sub("", s)  # pinyin with tone numbers: zhuo2ma3la1
    return s


def _fold_word(norm: str) -> str:
    s = norm.replace("ng", "n").replace("dz", "z").replace("ts", "z").replace("tz", "z")
    s = _H_AFTER_CONSONANT.sub("", s).translate(_FOLD_MAP).replace("tr", "t")
    return _DOUBLE.sub(r"\1", s)


def _join_fold(parts: Iterable[str]) -> str:
    out = ""
    for p in parts:
        if out and p and out[-1] == p[0]:
            p = p[1:]
        out += p
    return out


@lru_cache(maxsize=16384)
def _char_pinyin(ch: str) -> str:
    """The first (most common) toneless reading of a Chinese character."""
    readings = pinyin_dict.get(ord(ch))
    if not readings:
        return ch
    return _norm_word(readings.split(",")[0])


@lru_cache(maxsize=16384)
def _char_pinyin_toned(ch: str) -> str:
    """The first (most common) reading of a Chinese character, with its tone mark."""
    readings = pinyin_dict.get(ord(ch))
    if not readings:
        return ch
    return unicodedata.normalize("NFC", readings.split(",")[0].strip())


def _width_fold(ch: str) -> str:
    out = unicodedata.normalize("NFKC", ch)
    return out if len(out) == 1 else ch


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, float) and math.isnan(value):
        return []
    try:
        items = list(value)
    except TypeError:
        return [str(value)]
    return [str(v) for v in items if isinstance(v, str) and v.strip()]


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    return ""


def _nearby_counts(named: str, other: str) -> bool:
    """Whether a place of type ``other`` close to one of type ``named`` comes along.

    Callers "at Dira-puk" may be at any of the guesthouses around the gompa;
    callers "at Gangga" may mean the gompa across the river.
    """
    return other in _LODGING_TYPES or (named in _LODGING_TYPES and other == "monastery")


def _max_edits(length: int) -> int:
    """How many edits a fuzzy match of a (folded) key of this length may have."""
    return 0 if length < 6 else 1 if length < 10 else 2 if length < 15 else 3


def _lengths_by_tail(keys: Iterable[Sequence[Any]]) -> dict[Any, tuple[int, ...]]:
    """For each last element, the lengths of the keys ending with it, longest first."""
    out: dict[Any, set[int]] = {}
    for k in keys:
        if len(k):
            out.setdefault(k[-1], set()).add(len(k))
    return {t: tuple(sorted(v, reverse=True)) for t, v in out.items()}


def _lengths_by_head(keys: Iterable[Sequence[Any]]) -> dict[Any, tuple[int, ...]]:
    """For each first element, the lengths of the keys starting with it, longest first."""
    out: dict[Any, set[int]] = {}
    for k in keys:
        if len(k):
            out.setdefault(k[0], set()).add(len(k))
    return {h: tuple(sorted(v, reverse=True)) for h, v in out.items()}


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x3400 <= o <= 0x4DBF
        or 0x4E00 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x2EBEF
        or ch in "\u3005\u3007"
    )


def _typed_score(norm: str, folded: str, key_norm: str, key_fold: str) -> float | None:
    """How well what has been typed (``norm``, folded ``folded``) begins a key (autocomplete):
    a prefix as written, a prefix as folded with few edits, one edit in both, or (from four
    letters) inside the key; None if none of these."""
    n = len(norm)
    share = min(1.0, n / len(key_norm))
    if key_norm.startswith(norm):
        return 0.75 + 0.2 * share
    if n >= 4 and key_fold.startswith(folded) and OSA.distance(norm, key_norm[:n]) <= 1 + n // 4:
        return 0.7 + 0.2 * share
    if (
        n >= 5
        and OSA.distance(folded, key_fold[: len(folded)]) <= 1
        and OSA.distance(norm, key_norm[:n]) <= 1
    ):
        return 0.6 + 0.2 * share
    if n >= 4 and norm in key_norm:
        return 0.6
    return None


#: Features one sees and never stands at (``seen_features``): a bare word is no place.
_SEEN_FEATURES = frozenset(_NAMES["seen_features"])
#: The share of its usual score a name keeps when the context gives it another meaning.
_CONTEXT_OTHERS = 0.2


def _sound_key(text: str) -> str:
    """A stretch of text as it sounds: Latin words normalised, Chinese characters as their
    pinyin (so that 轉山入口 = 转山入口), other scripts as written."""
    out: list[str] = []
    for m in _TOKEN_RE.finditer(text):
        if m.lastgroup == "lat":
            out.append(_norm_word(m.group()))
        elif m.lastgroup == "cjk":
            out.extend(_char_pinyin(_width_fold(c)) for c in m.group())
        else:
            out.append(m.group())
    return "".join(out)


@dataclass(frozen=True, slots=True)
class _ContextReading:
    """What a name means when the call has cue words (the region's ``context_names``)."""

    cue: re.Pattern[str]
    unless: frozenset[str]
    places: tuple[str, ...]


def _context_readings(entries: Iterable[Mapping[str, Any]]) -> dict[str, _ContextReading]:
    """The region's ``context_names`` by the sound of each of their names."""
    out: dict[str, _ContextReading] = {}
    for entry in entries:
        reading = _ContextReading(
            re.compile(entry["cue"], re.IGNORECASE),
            frozenset(entry["unless"]),
            tuple(entry["places"]),
        )
        for name in entry["names"]:
            out.setdefault(_sound_key(name), reading)
    return out


_CONTEXT_NAMES: Mapping[str, _ContextReading] = MappingProxyType(
    _context_readings(_REGION["context_names"])
)
