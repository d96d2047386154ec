"""Feature words in a text: which places a generic word ("monastery", "茶棚") is taken for.

After the names are matched (:mod:`rescue.locate.names`): a proper name extended over an
adjoining feature word ("Drolma La pass"), an ordinal naming one place of a kind ("the
first prostration spot"), a feature word placed in a named place ("the monastery in
Darchen"), beds offered ("可以住宿"), and "pass" as a verb.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rescue.locate._name_forms import (
    _CLAUSE_SPLIT,
    _CONTEXT_NAMES,
    _CONTEXT_OTHERS,
    _IN_PLACE_AFTER,
    _IN_PLACE_BEFORE,
    _IN_PLACE_M,
    _LODGING_TYPES,
    _OFFERED_BEFORE,
    _ORDINAL_BEFORE_EN,
    _ORDINAL_BEFORE_ZH,
    _ORDINAL_WORDS,
    _ORDINALS,
    _PASS_VERB_AFTER,
    _PASS_VERB_BEFORE,
    _RELATIVE_BEFORE,
    _RELATIVE_NAME,
    _SEEN_FEATURES,
    _ZH_DIGITS,
    _Cand,
    _metres,
    _sound_key,
    _Tok,
)
from rescue.locate._name_tables import _NameTables


class _FeatureReading(_NameTables):
    """Reading feature words against the built tables (a step of :meth:`NameIndex.find`)."""

    def _feature_ok(self, run: Sequence[_Tok], i: int, j: int, feature: str) -> bool:
        if feature != "pass" or i != j:
            return True
        before = run[i - 1].norm if i > 0 else ""
        after = run[j + 1].norm if j + 1 < len(run) else ""
        return before not in _PASS_VERB_BEFORE and after not in _PASS_VERB_AFTER

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
            out.extend(self._feature_after(text, c, features_at))
            # a feature word that ends the name and goes on ("big sky burial" + "sky
            # burial ground"): the name, over the whole feature word
            out.extend(
                _extended(c, c.start, f.end, f.feature)
                for f in overlapping
                if c.start < f.start < c.end < f.end and self._fitting(c.places, f.feature or "")
            )
            out.extend(self._feature_before(text, c, features_end))
        return out

    def _feature_after(
        self, text: str, c: _Cand, features_at: Mapping[int, list[_Cand]]
    ) -> list[_Cand]:
        """The name ``c`` over a feature word after it ("Drolma La pass")."""
        pos = c.end
        while pos < len(text) and pos - c.end < 3 and text[pos] in " \t\u00a0-_":
            pos += 1
        if pos - c.end > 2:
            return []
        out: list[_Cand] = []
        for f in features_at.get(pos, []):
            if len(f.places) <= 2 and not self._fitting(c.places, f.feature or ""):
                # "塔钦转山起点", "Darchen ticket gate": a feature word that is one or
                # two places of its own, at the named place: left as two mentions
                continue
            out.append(_extended(c, c.start, f.end, f.feature))
        return out

    def _feature_before(
        self, text: str, c: _Cand, features_end: Mapping[int, list[_Cand]]
    ) -> list[_Cand]:
        """The name ``c`` over a feature word before it: "Lake Manasarovar", "the
        monastery Chuku"."""
        pos = c.start
        while pos > 0 and c.start - pos < 2 and text[pos - 1] in " \t\u00a0-_":
            pos -= 1
        if pos == c.start:
            return []
        return [
            _extended(c, f.start, c.end, f.feature)
            for f in features_end.get(pos, [])
            if self._fitting(c.places, f.feature or "")
        ]

    def _names_as_features(
        self, merged: list[_Cand], features_by_span: Mapping[tuple[int, int], list[_Cand]]
    ) -> set[int]:
        """A name that is also a feature word with more instances ("iron bridge" is one
        bridge's alias, but several iron bridges exist): the feature, with the name's
        scores kept. The ids of the names so taken over."""
        dropped: set[int] = set()
        for c in merged:
            if c.feature is not None:
                continue
            for f in features_by_span.get((c.start, c.end), ()):
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
        return dropped

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

    def _in_context(self, text: str, chosen: list[_Cand]) -> list[_Cand]:
        """The mentions as the rest of the call reads them: a bare word for what one only
        sees ("右边是锯齿一样的山峰") is no place; a name the region gives another meaning
        with cue words ("the driver dropped us at the kora entrance": where the cars stop,
        not the ticket gate) means those places, unless one of its usual places is named."""
        kept = [c for c in chosen if c.feature not in _SEEN_FEATURES]
        for k, c in enumerate(kept):
            reading = _CONTEXT_NAMES.get(_sound_key(text[c.start : c.end]))
            if reading is None or not reading.cue.search(text):
                continue
            named = {
                pid
                for other in kept
                if other is not c and other.feature is None
                for pid, w in other.places.items()
                if w >= 0.85 * other.top
            }
            places = {pid: c.top for pid in reading.places if pid in self._order}
            if not places or named & reading.unless:
                continue
            for pid, w in c.places.items():
                places.setdefault(pid, w * _CONTEXT_OTHERS)
            kept[k] = _Cand(c.start, c.end, c.tier, places)
        return kept

    def _fitting(self, places: Mapping[str, float], feature: str) -> set[str]:
        members = {pid for pid, _ in self._features.get(feature, ())}
        return {pid for pid in places if pid in members}


def _extended(c: _Cand, start: int, end: int, feature: str | None) -> _Cand:
    """The name ``c`` extended to ``start``-``end`` over a feature word, which boosts it."""
    return _Cand(start, end, c.tier, dict(c.places), boost=feature, read_as=c.read_as)
