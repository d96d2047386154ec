"""The words the locate readers use, read once from data files and checked.

Word lists, feature vocabularies and daylight words are data, not code (issue 13, issue 15
item 2): the language-level tables live in ``geodata/lexicon/*.json`` (``sights``,
``names``, ``daylight``, ``questions``, ``mapapps``) and the region's own words (its
mountain's names, the places seen rather than stood at, place ids that are instances of a
feature) in the region directory's ``locate_words.json``. Each file is read once
(:func:`lexicon`, :func:`region_words`) and checked against a small declared shape: every
problem is named (file, key, index, why) in one :class:`~geodata.errors.DataValidationError`,
like the region validator does, instead of the first ``KeyError`` at parse time. Regular
expressions are compiled while checking, so a bad pattern is reported with its place.

The readers still load the Kailash words at import (the region is not yet passed down into
``parse_clues``); :data:`REGION_DIR` is that one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from geodata.errors import DataValidationError
from rescue.locate.model import SIGHT_TAGS

__all__ = ["LEXICON_DIR", "REGION_DIR", "lexicon", "region_words", "validate", "check_file"]

LEXICON_DIR = Path(__file__).resolve().parents[2] / "geodata" / "lexicon"
#: The region whose words the readers use (see the module docstring).
REGION_DIR = Path(__file__).resolve().parents[2] / "geodata" / "kailash"

Check = Callable[[Any, str, list[str]], None]


def _str(value: Any, where: str, problems: list[str]) -> None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{where}: expected a non-empty string, got {value!r}")


def _regex(value: Any, where: str, problems: list[str]) -> None:
    if not isinstance(value, str) or not value:
        problems.append(f"{where}: expected a regular expression (string), got {value!r}")
        return
    try:
        re.compile(value.replace("{mountain_en}", "x").replace("{mountain_zh}", "x"))
    except re.error as exc:
        problems.append(f"{where}: not a valid regular expression ({exc})")


def _list(item: Check, *, unique: bool = False) -> Check:
    def check(value: Any, where: str, problems: list[str]) -> None:
        if not isinstance(value, list):
            problems.append(f"{where}: expected a list, got {type(value).__name__}")
            return
        for i, v in enumerate(value):
            item(v, f"{where}[{i}]", problems)
        if unique:
            seen = [v for v in value if isinstance(v, str)]
            dupes = sorted({v for v in seen if seen.count(v) > 1})
            if dupes:
                problems.append(f"{where}: listed twice: {', '.join(dupes)}")

    return check


def _map(item: Check) -> Check:
    def check(value: Any, where: str, problems: list[str]) -> None:
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an object, got {type(value).__name__}")
            return
        for k, v in value.items():
            item(v, f"{where}.{k}", problems)

    return check


def _pair(value: Any, where: str, problems: list[str]) -> None:
    if not (isinstance(value, list) and len(value) == 2):
        problems.append(f"{where}: expected [word, place types], got {value!r}")
        return
    _str(value[0], f"{where}[0]", problems)
    _str(value[1], f"{where}[1]", problems)


def _tag(value: Any, where: str, problems: list[str]) -> None:
    if value is not None and value not in SIGHT_TAGS:
        problems.append(f"{where}: unknown sight tag {value!r} (known: {', '.join(SIGHT_TAGS)})")


def _record(**fields: Check) -> Check:
    def check(value: Any, where: str, problems: list[str]) -> None:
        if not isinstance(value, dict):
            problems.append(f"{where}: expected an object, got {type(value).__name__}")
            return
        for key, sub in fields.items():
            if key not in value:
                problems.append(f"{where}: missing {key!r}")
            else:
                sub(value[key], f"{where}.{key}", problems)
        extra = sorted(set(value) - set(fields))
        if extra:
            problems.append(f"{where}: unknown key(s) {', '.join(extra)}")

    return check


def _int_in(lo: int, hi: int) -> Check:
    def check(value: Any, where: str, problems: list[str]) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            problems.append(f"{where}: expected a whole number {lo}-{hi}, got {value!r}")

    return check


def _bool(value: Any, where: str, problems: list[str]) -> None:
    if not isinstance(value, bool):
        problems.append(f"{where}: expected true or false, got {value!r}")


_WORDS = _list(_str, unique=True)

#: The declared shape of each file (top-level keys; "about" and "sources" are free text).
SHAPES: dict[str, dict[str, Check]] = {
    "sights": {
        "sights": _list(_record(tag=_tag, pattern=_regex)),
    },
    "daylight": {
        "daylight": _list(
            _record(pattern=_regex, hour=_int_in(0, 23), minute=_int_in(0, 59), departure=_bool)
        ),
    },
    "names": {
        "feature_types": _map(_WORDS),
        "feature_terms": _map(_WORDS),
        "feature_name_hints": _map(_WORDS),
        "en_suffixes": _list(_pair),
        "en_prefixes": _WORDS,
        "river_words": _WORDS,
        "zh_suffixes": _list(_pair),
        "zh_bad_core": _regex,
        "common_en": _WORDS,
        "edge_ok": _WORDS,
        "pass_verb_before": _WORDS,
        "pass_verb_after": _WORDS,
        "vehicle": _regex,
        "seen_features": _WORDS,
    },
    "questions": {
        "questions": _map(
            _record(
                question_en=_str, question_zh=_str, yes_en=_str, yes_zh=_str, no_en=_str, no_zh=_str
            )
        ),
    },
    "locate_words": {
        "mountain_name_en": _str,
        "mountain_name_zh": _str,
        "mountain_en": _regex,
        "mountain_zh": _regex,
        "view_places": _map(_tag),
        "feature_places": _map(_WORDS),
        "feature_main": _map(_WORDS),
        "not_name_cores_zh": _WORDS,
        "context_names": _list(
            _record(
                names=_WORDS,
                cue=_regex,
                unless=_WORDS,
                places=_WORDS,
                note=_str,
                sources=_list(_str),
            )
        ),
    },
}
_FREE = frozenset({"about", "sources"})


def validate(name: str, data: Any) -> list[str]:
    """Every problem of ``data`` read as the lexicon file ``name`` (empty: fine)."""
    shape = SHAPES[name]
    if not isinstance(data, dict):
        return [f"expected an object at the top, got {type(data).__name__}"]
    problems: list[str] = []
    for key, check in shape.items():
        if key not in data:
            problems.append(f"missing {key!r}")
        else:
            check(data[key], key, problems)
    extra = sorted(set(data) - set(shape) - _FREE)
    if extra:
        problems.append(f"unknown key(s) {', '.join(extra)}")
    if name == "questions" and isinstance(data.get("questions"), dict):
        unknown = sorted(set(data["questions"]) - set(SIGHT_TAGS))
        if unknown:
            problems.append(f"questions: unknown sight tag(s) {', '.join(unknown)}")
    if name == "names" and isinstance(data.get("feature_types"), dict):
        for key in ("feature_terms",):
            other = data.get(key)
            if isinstance(other, dict) and set(other) != set(data["feature_types"]):
                diff = sorted(set(other) ^ set(data["feature_types"]))
                problems.append(f"{key}: features differ from feature_types: {', '.join(diff)}")
    return problems


def check_file(path: Path, name: str) -> dict[str, Any]:
    """Read ``path`` as the lexicon file ``name``; raise naming every problem."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataValidationError(f"{path.name}: cannot be read", details=[str(exc)]) from exc
    problems = validate(name, data)
    if problems:
        raise DataValidationError(f"{path.name}: {len(problems)} problem(s)", details=problems)
    out: dict[str, Any] = data
    return out


@cache
def lexicon(name: str) -> dict[str, Any]:
    """The checked lexicon file ``geodata/lexicon/<name>.json`` (read once)."""
    return check_file(LEXICON_DIR / f"{name}.json", name)


@lru_cache(maxsize=1)
def region_words() -> dict[str, Any]:
    """The checked ``locate_words.json`` of the region (read once)."""
    return check_file(REGION_DIR / "locate_words.json", "locate_words")
