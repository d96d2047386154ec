"""The locate readers' words as data (``rescue.locate.lexicon``): the files shipped load and
check clean, a malformed file is refused naming every problem, and what the readers build
from the files is what the files say (the region's ids and mountain names included)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geodata.errors import DataValidationError
from rescue.locate import _sights, _timeparse, names
from rescue.locate.lexicon import (
    LEXICON_DIR,
    REGION_DIR,
    SHAPES,
    check_file,
    lexicon,
    region_words,
    validate,
)


@pytest.mark.parametrize("name", ["sights", "daylight", "names", "questions"])
def test_shipped_lexicon_files_check_clean(name):
    data = json.loads((LEXICON_DIR / f"{name}.json").read_text(encoding="utf-8"))
    assert validate(name, data) == []
    assert lexicon(name) == data


def test_shipped_region_words_check_clean():
    data = json.loads((REGION_DIR / "locate_words.json").read_text(encoding="utf-8"))
    assert validate("locate_words", data) == []
    assert region_words()["view_places"]["gauri_kund"] == "green_lake"


def test_a_malformed_file_is_refused_naming_every_problem(tmp_path):
    bad = {
        "sights": [
            {"tag": "north_face", "pattern": "north(face"},  # bad regex
            {"tag": "volcano", "pattern": "lava"},  # unknown tag
            {"pattern": "x"},  # tag missing
            {"tag": None, "pattern": "y", "colour": "red"},  # unknown key
        ],
        "extra": 1,
    }
    path = tmp_path / "sights.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        check_file(path, "sights")
    details = err.value.details
    assert len(details) == 5, details
    text = "\n".join(details)
    assert "sights[0].pattern: not a valid regular expression" in text
    assert "sights[1].tag: unknown sight tag 'volcano'" in text
    assert "sights[2]: missing 'tag'" in text
    assert "sights[3]: unknown key(s) colour" in text
    assert "unknown key(s) extra" in text
    assert "sights.json" in str(err.value)


def test_daylight_hours_names_lists_and_duplicates_are_checked():
    problems = validate(
        "daylight",
        {"daylight": [{"pattern": "dawn", "hour": 25, "minute": 0, "departure": "no"}]},
    )
    assert problems == [
        "daylight[0].hour: expected a whole number 0-23, got 25",
        "daylight[0].departure: expected true or false, got 'no'",
    ]
    data = json.loads(json.dumps(lexicon("names")))
    data["edge_ok"].append("pass")
    data["feature_terms"].pop("cave")
    del data["common_en"]
    problems = validate("names", data)
    assert "edge_ok: listed twice: pass" in problems
    assert "missing 'common_en'" in problems
    assert "feature_terms: features differ from feature_types: cave" in problems
    assert len(problems) == 3


def test_not_json_is_refused_with_the_file_named(tmp_path):
    path = tmp_path / "names.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataValidationError, match="names.json: cannot be read"):
        check_file(path, "names")


def test_readers_use_what_the_files_say():
    assert len(_sights.SIGHT_PATTERNS) == len(lexicon("sights")["sights"])
    assert _sights.VIEW_PLACES == region_words()["view_places"]
    # the mountain's names from the region file are filled into the face patterns
    north = [p for t, p in _sights.SIGHT_PATTERNS if t == "north_face"]
    assert any(p.search("kang rinpoche's north face") for p in north)
    assert "{mountain" not in "".join(p.pattern for _, p in _sights.SIGHT_PATTERNS)
    # feature words: the lexicon's place types plus the region's place ids
    assert "sky_burial_500_arhats" in names.FEATURE_WORDS["sky_burial"]
    assert names.FEATURE_WORDS["glacier"][0] == "glacier"
    assert "kangjam_glacier" in names.FEATURE_WORDS["glacier"]
    assert names._ZH_BAD_CORE.match("冈仁波齐") and names._ZH_BAD_CORE.match("东南")
    assert len(_timeparse._DAYLIGHT) == len(lexicon("daylight")["daylight"])


def test_no_kailash_words_left_in_the_readers():
    for module in (_sights, names, _timeparse):
        source = Path(module.__file__).read_text(encoding="utf-8")
        for word in ("kang\\s+rinpoche", "冈仁波齐峰", "kangjam_glacier", "sky_burial_500_arhats"):
            assert word not in source, (module.__name__, word)
        assert not re.search(r"_COMMON_EN = frozenset\(\s*\"\"\"", source)


def test_every_shape_has_a_file():
    for name in SHAPES:
        path = REGION_DIR / "locate_words.json" if name == "locate_words" else None
        path = path or LEXICON_DIR / f"{name}.json"
        assert path.exists(), path


def test_question_texts_come_from_the_lexicon_with_the_mountain_filled_in():
    from rescue.locate.questions import QUESTION_TEXTS

    assert set(QUESTION_TEXTS) == set(lexicon("questions")["questions"])
    assert QUESTION_TEXTS["north_face"][0] == "Can you see the north face of Kailash up close?"
    assert "冈仁波齐" in QUESTION_TEXTS["south_face"][1]
    assert validate("questions", {"questions": {"volcano": {}}}) == [
        f"questions.volcano: missing {f!r}"
        for f in ("question_en", "question_zh", "yes_en", "yes_zh", "no_en", "no_zh")
    ] + ["questions: unknown sight tag(s) volcano"]
