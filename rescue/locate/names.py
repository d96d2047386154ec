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

The parts: this module reads text (tokens, the Latin, Chinese and Tibetan scans, the
choice among overlapping candidates, autocomplete); :mod:`rescue.locate._name_tables`
builds the keys; :mod:`rescue.locate._name_features` reads feature words;
:mod:`rescue.locate._name_forms` holds the word tables and the normalisation they share.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from geodata.errors import InvalidInput
from rescue.locate._name_features import _FeatureReading
from rescue.locate._name_forms import (
    _BO,
    _BO_GAP,
    _CJK,
    _EDGE_OK,
    _LAT,
    _LAT_GAP,
    _MAX_FUZZY_WORDS,
    _MAX_LAT_WORDS,
    _MIN_PHONETIC_CHARS,
    _MIN_PHONETIC_LIKENESS,
    _PHONETIC_WEIGHT,
    _TOKEN_RE,
    _ZH_DIGITS,
    _ZH_ORDINAL_DIGIT,
    FEATURE_TERMS,
    FEATURE_WORDS,
    _Cand,
    _char_pinyin,
    _char_pinyin_toned,
    _fold_word,
    _is_cjk,
    _join_fold,
    _max_edits,
    _phonetic_key,
    _Tok,
    _typed_score,
    _width_fold,
)
from rescue.locate._name_forms import (
    _ZH_BAD_CORE as _ZH_BAD_CORE,  # re-exported (tests read it)
)
from rescue.locate.model import Mention

__all__ = ["NameIndex", "FEATURE_WORDS", "FEATURE_TERMS"]


class NameIndex(_FeatureReading):
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

    # (the tables are built by _NameTables.__init__: rescue.locate._name_tables)

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
        chosen = self._in_context(text, self._select(cands))
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

    def _select(self, cands: list[_Cand]) -> list[_Cand]:
        """The mentions kept, in text order: candidates merged per span, names that are
        feature words taken over by the feature, then the best that do not overlap."""
        merged = _merged(cands)
        features_by_span: dict[tuple[int, int], list[_Cand]] = {}
        for c in merged:
            if c.feature is not None:
                features_by_span.setdefault((c.start, c.end), []).append(c)
        dropped = self._names_as_features(merged, features_by_span)
        pool = [
            c
            for c in merged
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
        query = _typed_query(query, limit)
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
        self._typed_keys(query, put)
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

    def _typed_keys(self, query: str, put: Callable[[str, float], None]) -> None:
        """Scores (through ``put``) of the places whose Latin keys or feature words begin
        with what has been typed."""
        words = self._words(query)
        norm = "".join(words)
        if len(norm) >= 2:
            folded = _join_fold(_fold_word(w) for w in words)
            n = len(norm)
            for key_norm, key_fold, key in self._search_keys:
                score = _typed_score(norm, folded, key_norm, key_fold)
                if score is None:
                    continue
                for pid, w in key.places.items():
                    put(pid, score * w)
            if n >= 3:
                for feature in {k.feature for t, k in self._exact.items() if t.startswith(norm)}:
                    for pid, w in self._features.get(feature or "", ()):
                        put(pid, 0.6 * w)


def _typed_query(query: object, limit: object) -> str:
    """An autocomplete query, NFC-normalised and stripped; refuses a query that is not a
    string or a limit that is not a positive integer."""
    if not isinstance(query, str):
        raise InvalidInput(f"query must be a string, not {type(query).__name__}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput(f"limit must be a positive integer; got {limit!r}")
    return unicodedata.normalize("NFC", query).strip()


def _merged(cands: list[_Cand]) -> list[_Cand]:
    """One candidate per span and feature: the best tier, the best reading, every place."""
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
    return list(merged.values())
