"""Building the name index: every key of every place, with its weight.

The tables :class:`rescue.locate.names.NameIndex` matches text against: exact, folded,
phonetic and fuzzy Latin keys, Chinese keys and their pinyin, Tibetan-script and Devanagari
names, the feature words with the places they denote, and the places near one another.
How the keys and their weights are chosen is told in :mod:`rescue.locate.names`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pypinyin import Style, lazy_pinyin

from geodata.errors import InvalidInput
from rescue.locate._name_forms import (
    _AREA_TYPES,
    _CACHE_LIMIT,
    _COLOCATED_M,
    _COMMON_EN,
    _EN_PREFIXES,
    _EN_SUFFIXES,
    _FEATURE_NAME_HINTS,
    _MIN_PHONETIC_CHARS,
    _MIN_PHONETIC_KEY,
    _NEARBY_M,
    _NOT_MAIN,
    _PARENS,
    _PIECE_SPLIT,
    _REGION,
    _RIVER_WORDS,
    _SERVICE_TYPES,
    _TOKEN_RE,
    _ZH_BAD_CORE,
    _ZH_SUFFIXES,
    FEATURE_TERMS,
    FEATURE_WORDS,
    _as_list,
    _as_text,
    _char_pinyin,
    _char_pinyin_toned,
    _fold_word,
    _join_fold,
    _Key,
    _lengths_by_head,
    _lengths_by_tail,
    _nearby_counts,
    _norm_word,
    _phonetic_key,
    _width_fold,
)

if TYPE_CHECKING:
    import geopandas


class _NameTables:
    """The keys of a region's places (built once); :class:`NameIndex` reads text with them."""

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
            found = self._feature_places(feature, selectors, texts)
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
                self._add_feature_term(term, feature)

    def _feature_places(
        self, feature: str, selectors: Sequence[str], texts: Mapping[str, str]
    ) -> dict[str, float]:
        """The places a feature word may mean: by id or type, else by a hint in a name."""
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
        return found

    def _add_feature_term(self, term: str, feature: str) -> None:
        """A feature word and its plurals; a Chinese one also in pinyin, if long enough."""
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
