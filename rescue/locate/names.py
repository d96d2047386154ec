"""Find place names and feature words in free text.

Call takers type what callers say, in English, Chinese or both, with Tibetan
names in a dozen romanisations ("Drolma La", "Dolma-la", "Drölma La", "zhuomala",
"卓玛拉山口"). :class:`NameIndex` is built once from a region's places and then
finds, in any text, the stretches that name a place (:meth:`NameIndex.find`), or
ranks places for an autocomplete box (:meth:`NameIndex.search`).

How a stretch of text is matched
--------------------------------
Every English name, alias, parenthesised second name and ``/``-separated part
becomes a key; so do *cores* (the name without a generic word such as
"gompa", "la", "supply point", "寺", "山口": "Drolma La" → "Drolma", "止热寺" →
"止热") and the distinctive first word of a longer name ("Phakna Rigzin" →
"Phakna"). Each key carries a weight: given names 1.0, disambiguated aliases
("Qugu (lake)") 0.9, cores 0.95 when they belong to this place alone and 0.6
when they are another place's name too (the "Darchen" of "Darchen kora gate"),
first words 0.7. Every Chinese name is also a key in pinyin (joined or spaced,
tones or not).

Text is cut into Latin words, runs of Chinese characters and Tibetan
syllables. Runs of up to eight attached Latin words (spaces or hyphens
between them) are looked up

1. exactly, after NFKC, case folding and stripping diacritics and separators
   ("Drölma-la" = "drolmala"), score = key weight;
2. after a romanisation fold shared by Tibetan spellings and typed pinyin
   (dr→d, th/ph/kh/ch/sh/zh→t/p/k/c/s/z, dz/ts→z, d/t, g/k, b/p, q/j/ch, x/s,
   ng→n, o→u, double letters), score × 0.95 (× 0.8 more when another place
   matched exactly);
3. by optimal-string-alignment distance on the folded form (one edit for
   6-9 letters, two for 10-14, three beyond; same first letter; no run that
   starts or ends with an ordinary English word), score × 0.9 × similarity.

Both 2 and 3 also require the written form to be close to a real spelling
(within 1 + length/5 edits, plus the fuzzy edits), so that English words that
happen to fold like a name ("tracing" ~ "Taqin", "session" ~ "Sexiong") do not
match.

Short keys need more: under four letters exact only, under six no edits.
Keys made only of ordinary English words ("road head", "holy lake") match
exactly and weigh 0.8. Chinese runs are searched for every Chinese key
(longest wins, so 卓玛拉山口 beats 卓玛拉) and, for keys of three or more
characters, for homophones typed with the wrong character (卓马拉), score × 0.85.

A generic feature word ("monastery", "tea tent", "寺", "天葬台") gives a
mention with ``feature`` set and every place the feature denotes (see
:data:`FEATURE_WORDS`). Overlapping candidates are resolved longest first, so
a proper name that contains or is followed by a feature word ("Drolma La pass",
"止热寺", "Chuku bridge") is one proper-name mention; a following feature word
also favours the candidates of that kind ("Zutulpuk guesthouse").

A proper-name mention also lists, with lower scores, places at the same spot
as its best matches (within 30 m: the medical post at a supply point) and the
guesthouses and supply points within 700 m of them (the guesthouses across the
river from Dira-puk Gompa; from a guesthouse, also a monastery that close).
Towns, lakes and summits are areas: nothing is listed for being near them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import jellyfish
from pypinyin import Style, lazy_pinyin
from pypinyin.pinyin_dict import pinyin_dict
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from geodata.errors import InvalidInput
from rescue.locate.lexicon import lexicon, region_words
from rescue.locate.model import Mention

if TYPE_CHECKING:
    import geopandas

__all__ = ["NameIndex", "FEATURE_WORDS", "FEATURE_TERMS"]

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


class NameIndex:
    """Place names, their variants and feature words of one region, ready to search.

    Parameters
    ----------
    places
        The region's places (``region.places``), indexed by place id (or with a
        ``place_id`` column), with ``name_en`` and optionally ``name_zh``,
        ``name_bo``, ``aliases_en``, ``aliases_zh``, ``type`` and point geometry.

    Raises
    ------
    InvalidInput
        If ``places`` has no ``name_en`` column or its place ids are not unique.
    """

    def __init__(self, places: geopandas.GeoDataFrame) -> None:
        if "name_en" not in places.columns:
            raise InvalidInput(
                f"places need a 'name_en' column; got columns {sorted(map(str, places.columns))}"
            )
        if "place_id" in places.columns and not places.index.name == "place_id":
            ids = [str(p) for p in places["place_id"]]
        else:
            ids = [str(p) for p in places.index]
        dupes = sorted(p for p, n in Counter(ids).items() if n > 1)
        if dupes:
            raise InvalidInput(f"place ids must be unique; repeated: {dupes}")

        def column(name: str) -> list[Any]:
            return list(places[name]) if name in places.columns else [None] * len(ids)

        self._ids: tuple[str, ...] = tuple(ids)
        self._order = {pid: i for i, pid in enumerate(ids)}
        self._types = {pid: _as_text(t) for pid, t in zip(ids, column("type"), strict=True)}
        rows = list(
            zip(
                ids,
                column("name_en"),
                column("aliases_en"),
                column("name_zh"),
                column("aliases_zh"),
                column("name_bo"),
                strict=True,
            )
        )
        self._word_cache: dict[str, tuple[str, str, bool]] = {}
        self._exact: dict[str, _Key] = {}
        self._folded: dict[str, _Key] = {}
        #: each Latin spelling key as its words (what a fuzzy or sound match was taken for)
        self._written: dict[str, str] = {}
        self._zh: dict[str, _Key] = {}
        self._zh_sound: dict[tuple[str, ...], _Key] = {}
        # two-character names by their toned pinyin (岗嘉 = 岗加: gǎng jiā)
        self._zh_sound2: dict[tuple[str, str], _Key] = {}
        # "A的B": the head and tail of a longer name with 的 between (格萨尔王的骰子)
        self._zh_possessive: dict[tuple[str, str], _Key] = {}
        self._bo: dict[tuple[str, ...], _Key] = {}
        self._build_latin(rows)
        self._build_chinese(rows)
        # names matched as written: Tibetan script and Devanagari (aliases_hi)
        written = {
            pid: [*_as_list(bo), *_as_list(hi)]
            for pid, bo, hi in zip(ids, column("aliases_bo"), column("aliases_hi"), strict=True)
        }
        self._build_tibetan(rows, written)
        self._build_features(rows)
        self._build_fuzzy()
        self._zh_lengths = _lengths_by_head(self._zh)
        self._zh_feature_lengths = _lengths_by_head(self._zh_features)
        # feature words by sound: traditional characters and homophones ("補給點" = 补给点)
        self._zh_feature_sounds: dict[tuple[str, ...], str] = {}
        for term, feature in self._zh_features.items():
            if len(term) >= 3 or term.endswith("口"):
                sound = tuple(_char_pinyin(c) for c in term)
                self._zh_feature_sounds.setdefault(sound, feature)
        self._zh_feature_sound_lengths = _lengths_by_head(self._zh_feature_sounds)
        self._zh_sound_lengths = _lengths_by_head(self._zh_sound)
        self._zh_heads = _lengths_by_tail(k[0] for k in self._zh_possessive)
        self._zh_tails = _lengths_by_head(k[1] for k in self._zh_possessive)
        self._bo_max = max((len(k) for k in self._bo), default=0)
        self._near = self._build_near(places, ids)
        self._search_keys = [
            (norm, fold, key)
            for norm, key in self._exact.items()
            if key.feature is None
            for fold in (_fold_word(norm),)
        ]

    # ------------------------------------------------------------------ building

    def _word(self, raw: str) -> tuple[str, str, bool]:
        """The normalised form, folded form and commonness of one Latin word."""
        hit = self._word_cache.get(raw)
        if hit is None:
            norm = _norm_word(raw)
            hit = (norm, _fold_word(norm), norm in _COMMON_EN or len(norm) <= 2 or norm.isdigit())
            if len(self._word_cache) >= _CACHE_LIMIT:
                self._word_cache.clear()
            self._word_cache[raw] = hit
        return hit

    def _words(self, text: str) -> list[str]:
        out = []
        for m in _TOKEN_RE.finditer(text):
            if m.lastgroup == "lat":
                norm = self._word(m.group())[0]
                if norm:
                    out.append(norm)
        return out

    @staticmethod
    def _plain(words: Sequence[str]) -> bool:
        return all(w in _COMMON_EN or len(w) <= 2 or w.isdigit() for w in words)

    def _english_names(self, name_en: Any, aliases: Any) -> list[tuple[str, float, bool]]:
        """(name, weight, from_alias_list) for a place's English names."""
        out: list[tuple[str, float, bool]] = []
        main = _as_text(name_en)
        if main:
            bare = _PARENS.sub(" ", main).strip()
            out.append((bare, 1.0, False))
            out.extend((p, 1.0, False) for p in _PIECE_SPLIT.split(bare) if p)
            for inner in _PARENS.findall(main):
                for piece in _PIECE_SPLIT.split(inner):
                    if any(w[:1].isupper() for w in piece.split()):
                        out.append((piece, 0.7, False))
        for alias in _as_list(aliases):
            bare = _PARENS.sub(" ", alias).strip()
            weight = 0.9 if bare != alias.strip() else 1.0
            out.append((bare, weight, True))
            if "/" in bare:
                out.extend((p, 0.7, True) for p in _PIECE_SPLIT.split(bare) if p)
        return out

    def _build_latin(self, rows: list[tuple[Any, ...]]) -> None:
        named: list[tuple[str, tuple[str, ...], float, bool]] = []
        owners: dict[str, set[str]] = {}
        for pid, name_en, aliases_en, *_ in rows:
            for name, weight, alias in self._english_names(name_en, aliases_en):
                words = tuple(self._words(name))
                if not words:
                    continue
                named.append((pid, words, weight, alias))
                owners.setdefault("".join(words), set()).add(pid)
        for pid, words, weight, alias in named:
            plain = self._plain(words)
            if plain:
                # ordinary words: only as given, exactly, and weaker
                if alias and len(words) >= 2:
                    self._add_latin(words, pid, weight * 0.8, fold=False)
                continue
            self._add_latin(words, pid, weight)
            shared = False  # once a core is another place's name, shorter ones are too
            for core, kinds in self._cores(words):
                shared = shared or bool(owners.get("".join(core), set()) - {pid})
                own = self._types.get(pid) in kinds
                factor = (0.6 if shared else 0.95) * (1.0 if own else 0.8)
                self._add_latin(core, pid, weight * factor)
            head = words[0]
            if (
                len(words) >= 2
                and not self._plain((head,))
                and len(_fold_word(head)) >= 5
                and head not in owners
                and not any(s == (head,) for s, _ in _EN_SUFFIXES)
            ):
                self._add_latin((head,), pid, weight * 0.7)

    def _cores(self, words: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], frozenset[str]]]:
        """Shorter forms of a name without generic words, with the kinds those words name."""
        stripped_types: set[str] = set()
        current = words
        while len(current) >= 2:
            for suffix, types in _EN_SUFFIXES:
                n = len(suffix)
                if len(current) > n and current[-n:] == suffix:
                    current = current[:-n]
                    stripped_types |= types
                    break
            else:
                for prefix in _EN_PREFIXES:
                    if len(current) > 1 and current[:1] == prefix:
                        current = current[1:]
                        break
                else:
                    return
            if self._plain(current) or current[-1] in _RIVER_WORDS:
                return
            if len(_join_fold(_fold_word(w) for w in current)) < 3:
                return
            yield current, frozenset(stripped_types)

    def _add_latin(
        self, words: Sequence[str], pid: str, weight: float, *, fold: bool = True
    ) -> None:
        norm = "".join(words)
        if len(norm) < 3:
            return
        self._exact.setdefault(norm, _Key()).add(pid, weight)
        self._written.setdefault(norm, " ".join(words))
        folded = _join_fold(_fold_word(w) for w in words)
        if fold and len(folded) >= 4 and len(norm) >= 4:
            self._folded.setdefault(folded, _Key()).add(pid, weight * 0.95, norm)

    def _chinese_cores(self, name: str) -> Iterator[tuple[str, frozenset[str]]]:
        current = name
        kinds: set[str] = set()
        while True:
            for suffix, types in _ZH_SUFFIXES:
                if current.endswith(suffix) and len(current) > len(suffix):
                    current = current[: -len(suffix)]
                    kinds |= types
                    break
            else:
                return
            if len(current) < 2 or _ZH_BAD_CORE.match(current):
                return
            yield current, frozenset(kinds)

    def _build_chinese(self, rows: list[tuple[Any, ...]]) -> None:
        named: list[tuple[str, str, float]] = []
        owners: dict[str, set[str]] = {}
        for pid, _, _, name_zh, aliases_zh, _ in rows:
            for name in [_as_text(name_zh), *_as_list(aliases_zh)]:
                name = "".join(_width_fold(c) for c in re.sub(r"\s+", "", name))
                if len(name) >= 2:
                    named.append((pid, name, 1.0))
                    owners.setdefault(name, set()).add(pid)
        for pid, name, weight in named:
            self._add_chinese(name, pid, weight)
            bare = name.replace("的", "")
            if bare != name and len(bare) >= 2:
                self._add_chinese(bare, pid, weight)  # 的 is optional: 格萨尔骰子
            self._add_possessive(bare, pid, weight)
            shared = False
            for core, kinds in self._chinese_cores(name):
                shared = shared or bool(owners.get(core, set()) - {pid})
                own = self._types.get(pid) in kinds
                factor = (0.6 if shared else 0.95) * (1.0 if own else 0.8)
                self._add_chinese(core, pid, weight * factor)

    def _add_chinese(self, name: str, pid: str, weight: float) -> None:
        self._zh.setdefault(name, _Key()).add(pid, weight)
        if len(name) >= 3:
            sound = tuple(_char_pinyin(c) for c in name)
            self._zh_sound.setdefault(sound, _Key()).add(pid, weight * 0.85)
        elif len(name) == 2 and not any(c.isdigit() for c in name):
            toned = (_char_pinyin_toned(name[0]), _char_pinyin_toned(name[1]))
            self._zh_sound2.setdefault(toned, _Key()).add(pid, weight * 0.8, name)
        for syllables in self._pinyin_forms(name):
            joined = "".join(syllables)
            if len(joined) >= 4 and joined not in _COMMON_EN:
                self._add_latin(syllables, pid, weight)

    def _add_possessive(self, name: str, pid: str, weight: float) -> None:
        """Keys for "head的tail" of a name of four or more characters ("格萨尔王的骰子")."""
        n = len(name)
        if n < 4:
            return
        for a in range(2, n - 1):
            for b in range(2, n - a + 1):
                key = self._zh_possessive.setdefault((name[:a], name[n - b :]), _Key())
                key.add(pid, weight * 0.9)

    @staticmethod
    def _pinyin_forms(name: str) -> list[tuple[str, ...]]:
        syllables = lazy_pinyin(name, style=Style.NORMAL, v_to_u=True)
        phrase = tuple(w for s in syllables for w in [_norm_word(s)] if w)
        chars = tuple(w for c in name for w in [_char_pinyin(c) if not c.isdigit() else c] if w)
        forms = [phrase]
        if chars != phrase and "".join(chars) != "".join(phrase):
            forms.append(chars)
        return [f for f in forms if f]

    def _build_tibetan(
        self, rows: list[tuple[Any, ...]], aliases_bo: Mapping[str, Any] | None = None
    ) -> None:
        for pid, _, _, _, _, name_bo in rows:
            extra = _as_list((aliases_bo or {}).get(pid))
            for name, weight in [(_as_text(name_bo), 1.0), *((a, 0.95) for a in extra)]:
                syllables = tuple(
                    m.group() for m in _TOKEN_RE.finditer(name) if m.lastgroup == "bo"
                )
                if syllables:
                    self._bo.setdefault(syllables, _Key()).add(pid, weight)
                    if len(syllables) > 2 and syllables[-2:] == ("དགོན", "པ"):
                        self._bo.setdefault(syllables[:-2], _Key()).add(pid, weight * 0.95)

    def _build_features(self, rows: list[tuple[Any, ...]]) -> None:
        self._features: dict[str, tuple[tuple[str, float], ...]] = {}
        texts = {
            pid: " ".join(
                [" ".join(self._words(n)) for n in [_as_text(en), *_as_list(aen)]]
                + [_as_text(zh), *_as_list(azh)]
            )
            for pid, en, aen, zh, azh, _ in rows
        }
        # each name and alias, to find the place an ordinal names ("First prostration point")
        self._name_list = {
            pid: [" ".join(self._words(n)) for n in [_as_text(en), *_as_list(aen)]]
            + [_as_text(zh), *_as_list(azh)]
            for pid, en, aen, zh, azh, _ in rows
        }
        for feature, selectors in FEATURE_WORDS.items():
            found: dict[str, float] = {}
            for pid in self._ids:
                if pid in selectors or self._types.get(pid) in selectors:
                    found[pid] = 1.0
            hints = _FEATURE_NAME_HINTS.get(feature, ())
            for pid in self._ids:
                if pid in found or self._types.get(pid) == "medical_post":
                    continue
                haystack = f" {texts[pid]} "
                for hint in hints:
                    needle = " ".join(self._words(hint)) if hint.isascii() else hint
                    hit = (f" {needle}" in haystack) if hint.isascii() else (needle in haystack)
                    if hit:
                        found[pid] = 0.8 if self._types.get(pid) in _SERVICE_TYPES else 1.0
                        break
            main = set(_REGION["feature_main"].get(feature, ())) & set(found)
            if main:
                # "the pass": the one every walker crosses; the others only by name
                found = {pid: w if pid in main else w * _NOT_MAIN for pid, w in found.items()}
            self._features[feature] = tuple(
                sorted(found.items(), key=lambda kv: (-kv[1], self._order[kv[0]]))
            )
        self._zh_features: dict[str, str] = {}
        for feature, terms in FEATURE_TERMS.items():
            for term in terms:
                if term.isascii():
                    words = self._words(term)
                    variants = {tuple(words)}
                    last = words[-1]
                    variants.add((*words[:-1], last + "s"))
                    if last.endswith(("s", "x", "ch", "sh")):
                        variants.add((*words[:-1], last + "es"))
                    for v in variants:
                        self._add_feature_latin(v, feature)
                else:
                    self._zh_features[term] = feature
                    syllables = self._pinyin_forms(term)[0]
                    if len("".join(syllables)) >= 6:
                        self._add_feature_latin(syllables, feature)

    def _add_feature_latin(self, words: Sequence[str], feature: str) -> None:
        norm = "".join(words)
        self._exact.setdefault(norm, _Key()).feature = feature
        folded = _join_fold(_fold_word(w) for w in words)
        if len(folded) >= 6:
            key = self._folded.setdefault(folded, _Key())
            key.feature = feature
            key.sources.setdefault(norm, {})

    def _build_fuzzy(self) -> None:
        """Keys long enough for edits, bucketed by first letter.

        Names are compared in folded form; feature words as written, since the
        fold is made for Tibetan names ("monastry" folds far from "monastery").
        """
        self._fuzzy: dict[str, tuple[list[str], list[_Key]]] = {}
        for folded, key in self._folded.items():
            if len(folded) < 6 or not key.places:
                continue
            strings, keys = self._fuzzy.setdefault(folded[0], ([], []))
            strings.append(folded)
            keys.append(key)
        # sound keys (Metaphone, jellyfish) of every spelling of a name, for spellings
        # too far from any for edits: "Zuthulphuk" ~ "Zutulpuk", "Shershong" ~ "Sershong"
        self._phonetic: dict[str, tuple[dict[str, float], str]] = {}
        for key in self._folded.values():
            for source, places in key.sources.items():
                if len(source) < _MIN_PHONETIC_CHARS or not places:
                    continue
                code = _phonetic_key(source)
                if len(code) < _MIN_PHONETIC_KEY:
                    continue
                have, _ = self._phonetic.setdefault(code, ({}, source))
                for pid, w in places.items():
                    have[pid] = max(have.get(pid, 0.0), w)
        self._fuzzy_features: dict[str, tuple[list[str], list[str]]] = {}
        for norm, key in self._exact.items():
            if key.feature is not None and len(norm) >= 7:
                norms, features = self._fuzzy_features.setdefault(norm[0], ([], []))
                norms.append(norm)
                features.append(key.feature)

    def _build_near(
        self, places: geopandas.GeoDataFrame, ids: list[str]
    ) -> dict[str, tuple[tuple[str, float], ...]]:
        """Places at the same spot, and services close by, for each place."""
        coords: list[tuple[float, float] | None] = []
        geoms = places.geometry if "geometry" in places.columns else [None] * len(ids)
        for g in geoms:
            if g is None or g.is_empty:
                coords.append(None)
            else:
                p = g if g.geom_type == "Point" else g.representative_point()
                coords.append((float(p.x), float(p.y)))
        self._coords = {pid: c for pid, c in zip(ids, coords, strict=True) if c is not None}
        near: dict[str, list[tuple[str, float]]] = {pid: [] for pid in ids}
        for i, pi in enumerate(ids):
            ci, ti = coords[i], self._types.get(pi, "")
            if ci is None or ti in _AREA_TYPES:
                continue
            for j in range(i + 1, len(ids)):
                pj, cj, tj = ids[j], coords[j], self._types.get(ids[j], "")
                if cj is None or tj in _AREA_TYPES:
                    continue
                lat = math.radians((ci[1] + cj[1]) / 2.0)
                dx = (cj[0] - ci[0]) * 111_320.0 * math.cos(lat)
                dy = (cj[1] - ci[1]) * 110_540.0
                d = math.hypot(dx, dy)
                if d <= _COLOCATED_M:
                    near[pi].append((pj, 0.9))
                    near[pj].append((pi, 0.9))
                elif d <= _NEARBY_M:
                    w = 0.9 - 0.4 * d / _NEARBY_M
                    if _nearby_counts(ti, tj):
                        near[pi].append((pj, w))
                    if _nearby_counts(tj, ti):
                        near[pj].append((pi, w))
        return {pid: tuple(v) for pid, v in near.items() if v}

    # ------------------------------------------------------------------ matching

    def _tokenize(self, text: str) -> list[_Tok]:
        toks: list[_Tok] = []
        prev: _Tok | None = None
        for m in _TOKEN_RE.finditer(text):
            kind_name = m.lastgroup
            start, end = m.span()
            if kind_name == "lat":
                norm, folded, common = self._word(m.group())
                if not norm:
                    continue
                kind = _LAT
            elif kind_name == "cjk":
                norm = "".join(_width_fold(c) for c in m.group())
                if "第" in norm:
                    norm = _ZH_ORDINAL_DIGIT.sub(lambda d: _ZH_DIGITS[int(d.group()) - 1], norm)
                folded, common, kind = norm, False, _CJK
            else:
                norm, folded, common, kind = m.group(), m.group(), False, _BO
            attached = False
            if prev is not None and prev.kind == kind and kind != _CJK:
                gap = text[prev.end : start]
                pattern = _LAT_GAP if kind == _LAT else _BO_GAP
                attached = gap == "" or pattern.fullmatch(gap) is not None
            tok = _Tok(kind, start, end, norm, folded, common, attached)
            toks.append(tok)
            prev = tok
        return toks

    def find(self, text: str) -> list[Mention]:
        """Place names and feature words in ``text``.

        Parameters
        ----------
        text
            A free-text description in English, Chinese, Tibetan or a mix.

        Returns
        -------
        list of Mention
            Non-overlapping mentions in text order; offsets refer to the
            NFC-normalised text.

        Raises
        ------
        InvalidInput
            If ``text`` is not a string.
        """
        if not isinstance(text, str):
            raise InvalidInput(f"text must be a string, not {type(text).__name__}")
        text = unicodedata.normalize("NFC", text)
        toks = self._tokenize(text)
        cands: list[_Cand] = []
        i = 0
        while i < len(toks):
            kind = toks[i].kind
            j = i + 1
            while j < len(toks) and toks[j].kind == kind and toks[j].attached:
                j += 1
            run = toks[i:j]
            if kind == _LAT:
                self._scan_latin(run, cands)
            elif kind == _CJK:
                for tok in run:
                    self._scan_chinese(tok, cands)
            else:
                self._scan_tibetan(run, cands)
            i = j
        cands.extend(self._absorb(text, cands))
        cands.extend(self._ordinal_features(text, cands))
        self._lodging_offered(text, cands)
        chosen = self._select(cands)
        self._features_in_place(text, chosen)
        return [self._mention(text, c) for c in chosen]

    def _scan_latin(self, run: Sequence[_Tok], cands: list[_Cand]) -> None:
        n = len(run)
        for i in range(n):
            norm = ""
            folded = ""
            for j in range(i, min(n, i + _MAX_LAT_WORDS)):
                tok = run[j]
                norm += tok.norm
                f = tok.fold
                folded += f[1:] if folded and f and folded[-1] == f[0] else f
                span = run[i : j + 1]
                all_common = all(t.common for t in span)
                start, end = run[i].start, tok.end
                hit = False
                key = self._exact.get(norm)
                exact_places: dict[str, float] = {}
                if key is not None:
                    if key.feature is not None and self._feature_ok(run, i, j, key.feature):
                        cands.append(
                            _Cand(
                                start,
                                end,
                                0,
                                dict(self._features[key.feature]),
                                feature=key.feature,
                            )
                        )
                        hit = True
                    if key.places and (not all_common or len(span) >= 2 or len(norm) >= 4):
                        exact_places = dict(key.places)
                fold_key = self._folded.get(folded) if not all_common else None
                places = dict(exact_places)
                if fold_key is not None:
                    # the same sound, and a spelling not too far from a real one
                    # ("tajin" ~ "Taqin", but not "tracing" ~ "Taqin")
                    near, feature_near = fold_key.near_spelling(norm, 1, 5)
                    if feature_near and fold_key.feature is not None and not hit and key is None:
                        cands.append(
                            _Cand(
                                start,
                                end,
                                0,
                                dict(self._features[fold_key.feature]),
                                feature=fold_key.feature,
                            )
                        )
                        hit = True
                    factor = 0.8 if exact_places else 1.0
                    for pid, w in near.items():
                        if pid not in places:
                            places[pid] = w * factor
                if places:
                    generic = len(places) >= 3 and max(places.values()) == min(places.values())
                    read = None
                    if not exact_places and fold_key is not None and fold_key.sources:
                        read = self._written.get(fold_key.nearest(norm))
                    cands.append(_Cand(start, end, 0, places, generic=generic, read_as=read))
                    hit = True
                if (
                    not hit
                    and j - i < _MAX_FUZZY_WORDS
                    and len(folded) >= 6
                    and not run[i].common
                    and not (tok.common and tok.norm not in _EDGE_OK)
                ):
                    self._fuzzy_match(norm, folded, start, end, cands)

    def _feature_ok(self, run: Sequence[_Tok], i: int, j: int, feature: str) -> bool:
        if feature != "pass" or i != j:
            return True
        before = run[i - 1].norm if i > 0 else ""
        after = run[j + 1].norm if j + 1 < len(run) else ""
        return before not in _PASS_VERB_BEFORE and after not in _PASS_VERB_AFTER

    def _fuzzy_match(
        self, norm: str, folded: str, start: int, end: int, cands: list[_Cand]
    ) -> None:
        best: dict[str, float] = {}
        best_source: tuple[float, str] | None = None
        bucket = self._fuzzy.get(folded[0])
        if bucket is not None:
            strings, keys = bucket
            n = len(folded)
            for _, dist, idx in process.extract(
                folded, strings, scorer=OSA.distance, score_cutoff=_max_edits(n), limit=None
            ):
                key_len = len(strings[idx])
                if dist == 0 or dist > _max_edits(key_len):
                    continue
                sim = 0.9 * (1.0 - dist / max(n, key_len))
                # a typo of a real spelling, not a different word that sounds alike
                near, _ = keys[idx].near_spelling(norm, int(dist), 5)
                for pid, w in near.items():
                    if w * sim > best.get(pid, 0.0):
                        best[pid] = w * sim
                if near and (best_source is None or sim > best_source[0]):
                    best_source = (sim, keys[idx].nearest(norm))
        if best:
            read = self._written.get(best_source[1]) if best_source else None
            cands.append(_Cand(start, end, 1, best, read_as=read))
            return
        if len(norm) >= _MIN_PHONETIC_CHARS:
            sound = self._phonetic.get(_phonetic_key(norm))
            # and spelt somewhat alike: "counter" sounds like "Khandro" (KNTR) but is not
            if sound is not None and fuzz.ratio(norm, sound[1]) >= _MIN_PHONETIC_LIKENESS:
                places, source = sound
                scaled = {pid: w * _PHONETIC_WEIGHT for pid, w in places.items()}
                cands.append(_Cand(start, end, 1, scaled, read_as=self._written.get(source)))
                return
        features = self._fuzzy_features.get(norm[0])
        if features is None or len(norm) < 7:
            return
        norms, names = features
        hit = process.extractOne(
            norm, norms, scorer=OSA.distance, score_cutoff=_max_edits(len(norm))
        )
        if hit is not None and 0 < hit[1] <= _max_edits(len(norms[hit[2]])):
            feature = names[hit[2]]
            cands.append(_Cand(start, end, 1, dict(self._features[feature]), feature=feature))

    def _scan_chinese(self, tok: _Tok, cands: list[_Cand]) -> None:
        run = tok.norm
        n = len(run)
        sounds = [_char_pinyin(c) for c in run] if self._zh_sound_lengths else []
        for i, ch in enumerate(run):
            for length in self._zh_lengths.get(ch, ()):
                key = self._zh.get(run[i : i + length]) if i + length <= n else None
                if key is not None:
                    cands.append(
                        _Cand(
                            tok.start + i,
                            tok.start + i + length,
                            0,
                            dict(key.places),
                            generic=len(key.places) >= 3,
                        )
                    )
            exact_feature = False
            for length in self._zh_feature_lengths.get(ch, ()):
                feature = self._zh_features.get(run[i : i + length]) if i + length <= n else None
                if feature is not None and run[i : i + 2] not in ("湖南", "湖北"):
                    exact_feature = True
                    cands.append(
                        _Cand(
                            tok.start + i,
                            tok.start + i + length,
                            0,
                            dict(self._features[feature]),
                            feature=feature,
                        )
                    )
            heads = self._zh_feature_sound_lengths.get(sounds[i], ()) if sounds else ()
            for length in () if exact_feature else heads:
                if i + length > n:
                    continue
                feature = self._zh_feature_sounds.get(tuple(sounds[i : i + length]))
                if feature is not None:
                    cands.append(
                        _Cand(
                            tok.start + i,
                            tok.start + i + length,
                            1,
                            dict(self._features[feature]),
                            feature=feature,
                        )
                    )
                    break
            for length in self._zh_sound_lengths.get(sounds[i], ()) if sounds else ():
                if i + length > n:
                    continue
                key = self._zh_sound.get(tuple(sounds[i : i + length]))
                if key is not None:
                    cands.append(_Cand(tok.start + i, tok.start + i + length, 0, dict(key.places)))
            if i + 2 <= n and self._zh_sound2:
                self._scan_two_char_sound(run[i : i + 2], tok.start + i, cands)
            if ch == "的" and 2 <= i <= n - 3:
                self._scan_possessive(run, i, tok.start, cands)

    def _scan_two_char_sound(self, pair: str, start: int, cands: list[_Cand]) -> None:
        """A two-character name typed with one homophone (same pinyin and tones)."""
        key = self._zh_sound2.get((_char_pinyin_toned(pair[0]), _char_pinyin_toned(pair[1])))
        if key is None:
            return
        places: dict[str, float] = {}
        for name, found in key.sources.items():
            # the first character as written, the second a slip of the input method
            # (岗嘉 for 岗加), not another word that sounds alike (刚加 "just added")
            if name != pair and name[0] == pair[0]:
                for pid, w in found.items():
                    places[pid] = max(places.get(pid, 0.0), w)
        if places:
            cands.append(_Cand(start, start + 2, 0, places))

    def _scan_possessive(self, run: str, k: int, offset: int, cands: list[_Cand]) -> None:
        """Names split by a possessive 的 at ``run[k]``: 格萨尔王的骰子 = 格萨尔王占卜骰子."""
        n = len(run)
        for a in self._zh_heads.get(run[k - 1], ()):
            if a > k:
                continue
            head = run[k - a : k]
            for b in self._zh_tails.get(run[k + 1], ()):
                if k + 1 + b > n:
                    continue
                key = self._zh_possessive.get((head, run[k + 1 : k + 1 + b]))
                if key is not None:
                    cands.append(_Cand(offset + k - a, offset + k + 1 + b, 0, dict(key.places)))

    def _scan_tibetan(self, run: Sequence[_Tok], cands: list[_Cand]) -> None:
        for i in range(len(run)):
            for j in range(i + 1, min(len(run), i + self._bo_max) + 1):
                key = self._bo.get(tuple(t.norm for t in run[i:j]))
                if key is not None:
                    cands.append(_Cand(run[i].start, run[j - 1].end, 0, dict(key.places)))

    def _absorb(self, text: str, cands: list[_Cand]) -> list[_Cand]:
        """Proper names extended over an adjoining feature word ("Drolma La pass")."""
        features_at: dict[int, list[_Cand]] = {}
        features_end: dict[int, list[_Cand]] = {}
        for c in cands:
            if c.feature is not None:
                features_at.setdefault(c.start, []).append(c)
                features_end.setdefault(c.end, []).append(c)
        if not features_at:
            return []
        overlapping = [c for c in cands if c.feature is not None]
        out = []
        for c in cands:
            if c.feature is not None:
                continue
            pos = c.end
            while pos < len(text) and pos - c.end < 3 and text[pos] in " \t\u00a0-_":
                pos += 1
            for f in features_at.get(pos, []) if pos - c.end <= 2 else []:
                if len(f.places) <= 2 and not self._fitting(c.places, f.feature or ""):
                    # "塔钦转山起点", "Darchen ticket gate": a feature word that is one or
                    # two places of its own, at the named place: left as two mentions
                    continue
                out.append(
                    _Cand(
                        c.start, f.end, c.tier, dict(c.places), boost=f.feature, read_as=c.read_as
                    )
                )
            # a feature word that ends the name and goes on ("big sky burial" + "sky
            # burial ground"): the name, over the whole feature word
            for f in overlapping:
                if c.start < f.start < c.end < f.end and self._fitting(c.places, f.feature or ""):
                    out.append(
                        _Cand(
                            c.start,
                            f.end,
                            c.tier,
                            dict(c.places),
                            boost=f.feature,
                            read_as=c.read_as,
                        )
                    )
            # "Lake Manasarovar", "the monastery Chuku": a feature word first
            pos = c.start
            while pos > 0 and c.start - pos < 2 and text[pos - 1] in " \t\u00a0-_":
                pos -= 1
            if pos == c.start:
                continue
            for f in features_end.get(pos, []):
                fitting = self._fitting(c.places, f.feature or "")
                if fitting:
                    out.append(
                        _Cand(
                            f.start,
                            c.end,
                            c.tier,
                            dict(c.places),
                            boost=f.feature,
                            read_as=c.read_as,
                        )
                    )
        return out

    def _ordinal_features(self, text: str, cands: list[_Cand]) -> list[_Cand]:
        """An ordinal before a feature word names the one place of that kind whose
        name carries the ordinal: "the first prostration spot", "第一个磕头的地方" is the
        "First prostration point" / "第一朝拜处" (none such: the feature word stays)."""
        out: list[_Cand] = []
        for c in cands:
            if c.feature is None:
                continue
            before = text[max(0, c.start - 16) : c.start]
            m = _ORDINAL_BEFORE_EN.search(before) or _ORDINAL_BEFORE_ZH.search(before)
            if m is None:
                continue
            clause = _CLAUSE_SPLIT.split(text[: c.start - (len(before) - m.start())])[-1]
            if _RELATIVE_BEFORE.search(clause):
                continue  # "塔钦出来第一个补给点": counted from there
            o = m.group("o").lower()
            n = (
                _ORDINAL_WORDS.index(_ORDINALS.get(o, o)) + 1
                if o.isascii() and not o.isdigit()
                else int(o)
                if o.isdigit()
                else _ZH_DIGITS.index(o) + 1
            )
            lead = (f"{_ORDINAL_WORDS[n - 1]} ", f"第{_ZH_DIGITS[n - 1]}")
            places = {
                pid: w
                for pid, w in c.places.items()
                if any(
                    name.startswith(lead) and not _RELATIVE_NAME.search(name)
                    for name in self._name_list.get(pid, ())
                )
            }
            if places:
                start = c.start - (len(before) - m.start())
                out.append(_Cand(start, c.end, c.tier, places, boost=c.feature))
        return out

    def _features_in_place(self, text: str, chosen: list[_Cand]) -> None:
        """A feature word placed in a named place is one of that place's own: "the
        monastery on the north end of Darchen", "塔钦镇北头寺庙", "塔钦的寺庙" are the
        monasteries within a walk of Darchen, not every monastery of the region
        (none there: the feature word stays as it is)."""
        for k, f in enumerate(chosen):
            if f.feature is None:
                continue
            anchor = None
            if k > 0 and chosen[k - 1].feature is None:
                if _IN_PLACE_AFTER.fullmatch(text[chosen[k - 1].end : f.start]):
                    anchor = chosen[k - 1]
            if anchor is None and k + 1 < len(chosen) and chosen[k + 1].feature is None:
                if _IN_PLACE_BEFORE.fullmatch(text[f.end : chosen[k + 1].start].lower()):
                    anchor = chosen[k + 1]
            if anchor is None or not anchor.places:
                continue
            top = anchor.top
            centres = [
                self._coords[pid]
                for pid, w in anchor.places.items()
                if w >= 0.85 * top and pid in self._coords
            ]
            inside = {
                pid: w
                for pid, w in f.places.items()
                if pid in self._coords
                and any(_metres(self._coords[pid], c) <= _IN_PLACE_M for c in centres)
            }
            if inside:
                f.places = inside

    def _lodging_offered(self, text: str, cands: list[_Cand]) -> None:
        """ "可以住宿", "can stay": beds are offered, so any place one can stay at is
        meant (the supply points with beds as well as the guesthouses), not only the
        guesthouses ("前面有个小房子补给点，可以住宿")."""
        extra = dict(self._features.get("supply_point", ()))
        for c in cands:
            if c.feature != "guesthouse" or not _OFFERED_BEFORE.search(text[: c.start]):
                continue
            for pid, w in extra.items():
                if self._types.get(pid) in _LODGING_TYPES and w > c.places.get(pid, 0.0):
                    c.places[pid] = w

    def _fitting(self, places: Mapping[str, float], feature: str) -> set[str]:
        members = {pid for pid, _ in self._features.get(feature, ())}
        return {pid for pid in places if pid in members}

    def _select(self, cands: list[_Cand]) -> list[_Cand]:
        merged: dict[tuple[int, int, str | None], _Cand] = {}
        for c in cands:
            k = (c.start, c.end, c.feature)
            have = merged.get(k)
            if have is None:
                merged[k] = _Cand(
                    c.start, c.end, c.tier, dict(c.places), c.feature, c.generic, c.boost, c.read_as
                )
                continue
            if c.tier < have.tier or (c.tier == have.tier and c.top > have.top):
                have.read_as = c.read_as  # the better reading names what it was taken for
            have.tier = min(have.tier, c.tier)
            have.generic = have.generic or c.generic
            have.boost = have.boost or c.boost
            for pid, w in c.places.items():
                if w > have.places.get(pid, 0.0):
                    have.places[pid] = w
        features_by_span: dict[tuple[int, int], list[_Cand]] = {}
        for c in merged.values():
            if c.feature is not None:
                features_by_span.setdefault((c.start, c.end), []).append(c)
        dropped: set[int] = set()
        for c in merged.values():
            if c.feature is not None:
                continue
            for f in features_by_span.get((c.start, c.end), ()):
                # a name that is also a feature word with more instances ("iron bridge" is
                # one bridge's alias, but several iron bridges exist): the feature, with
                # the name's scores kept
                members = {pid for pid, _ in self._features.get(f.feature or "", ())}
                if c.places and set(c.places) <= members and len(members) > len(c.places):
                    # the place that has the words as its name stays first
                    for pid in f.places:
                        if pid not in c.places:
                            f.places[pid] *= 0.9
                    for pid, w in c.places.items():
                        if w > f.places.get(pid, 0.0):
                            f.places[pid] = w
                    dropped.add(id(c))
                    break
        pool = [
            c
            for c in merged.values()
            if c.places
            and id(c) not in dropped
            and not (c.feature is None and c.generic and (c.start, c.end) in features_by_span)
        ]
        pool.sort(
            key=lambda c: (
                c.tier,
                -(c.end - c.start),
                c.feature is not None,
                -c.top,
                c.start,
            )
        )
        chosen: list[_Cand] = []
        taken: list[tuple[int, int]] = []
        for c in pool:
            if any(c.start < e and s < c.end for s, e in taken):
                continue
            chosen.append(c)
            taken.append((c.start, c.end))
        chosen.sort(key=lambda c: c.start)
        return chosen

    def _mention(self, text: str, c: _Cand) -> Mention:
        places = dict(c.places)
        if c.feature is None:
            top = c.top
            for pid, score in list(places.items()):
                if score < 0.85 * top:
                    continue
                for other, w in self._near.get(pid, ()):
                    if score * w > places.get(other, 0.0):
                        places[other] = score * w
            if c.boost is not None:
                fitting = self._fitting(places, c.boost)
                if fitting:
                    # "Zutulpuk guesthouse", "Darchen gate": the feature word says which of
                    # the name's places is meant; those lead
                    lead = max(places.values()) * 0.95
                    places = {
                        # (places close by that fit, a little behind: the guesthouses
                        # across the river from Dira-puk for "Dirapuk guesthouse")
                        p: (
                            max(s, lead if p in c.places else lead * 0.9)
                            if p in fitting
                            else s * 0.85
                        )
                        for p, s in places.items()
                    }
        ranked = sorted(places.items(), key=lambda kv: (-kv[1], self._order.get(kv[0], 0)))
        return Mention(
            start=c.start,
            end=c.end,
            text=text[c.start : c.end],
            place_ids=tuple((pid, round(min(1.0, max(0.0, s)), 4)) for pid, s in ranked),
            feature=c.feature,
            read_as=c.read_as,
        )

    # ------------------------------------------------------------------ search

    def search(self, query: str, *, limit: int = 10) -> list[tuple[str, float]]:
        """Places that a typed query may mean, best first, for autocompletion.

        Parameters
        ----------
        query
            What has been typed so far: part of a name in any spelling, pinyin,
            Chinese, or a feature word.
        limit
            The most places to return.

        Returns
        -------
        list of (str, float)
            Place ids with scores in 0-1; empty for a blank query.

        Raises
        ------
        InvalidInput
            If ``query`` is not a string or ``limit`` is not a positive integer.
        """
        if not isinstance(query, str):
            raise InvalidInput(f"query must be a string, not {type(query).__name__}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidInput(f"limit must be a positive integer; got {limit!r}")
        query = unicodedata.normalize("NFC", query).strip()
        if not query:
            return []
        scores: dict[str, float] = {}

        def put(pid: str, score: float) -> None:
            if score > scores.get(pid, 0.0):
                scores[pid] = score

        for m in self.find(query):
            cover = (m.end - m.start) / len(query)
            for pid, s in m.place_ids:
                put(pid, s * (0.8 if m.feature else 1.0) * (0.6 + 0.4 * cover))
        words = self._words(query)
        norm = "".join(words)
        if len(norm) >= 2:
            folded = _join_fold(_fold_word(w) for w in words)
            n = len(norm)
            for key_norm, key_fold, key in self._search_keys:
                share = min(1.0, n / len(key_norm))
                if key_norm.startswith(norm):
                    score = 0.75 + 0.2 * share
                elif (
                    n >= 4
                    and key_fold.startswith(folded)
                    and OSA.distance(norm, key_norm[:n]) <= 1 + n // 4
                ):
                    score = 0.7 + 0.2 * share
                elif (
                    n >= 5
                    and OSA.distance(folded, key_fold[: len(folded)]) <= 1
                    and OSA.distance(norm, key_norm[:n]) <= 1
                ):
                    score = 0.6 + 0.2 * share
                elif n >= 4 and norm in key_norm:
                    score = 0.6
                else:
                    continue
                for pid, w in key.places.items():
                    put(pid, score * w)
            if n >= 3:
                for feature in {k.feature for t, k in self._exact.items() if t.startswith(norm)}:
                    for pid, w in self._features.get(feature or "", ()):
                        put(pid, 0.6 * w)
        han = "".join(c for c in query if _is_cjk(c))
        if han:
            for name, key in self._zh.items():
                if han in name:
                    for pid, w in key.places.items():
                        put(pid, (0.7 + 0.25 * len(han) / len(name)) * w)
        ranked = sorted(
            ((p, s) for p, s in scores.items() if s >= 0.3),
            key=lambda kv: (-kv[1], self._order.get(kv[0], 0)),
        )
        return [(p, round(min(1.0, s), 4)) for p, s in ranked[:limit]]


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
