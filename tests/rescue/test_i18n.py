"""The message catalog: every key in English and Chinese with the same placeholders."""

from __future__ import annotations

import re

import pytest

from geodata.errors import InvalidInput
from geodata.i18n import LANGUAGES, Msg, Name, catalog, language, msg, placeholders, render
from tests.web.test_chinese import english_words

_KEYS = sorted(catalog())
_NAMES = {
    *("GeoJSON", "GeoPackage", "XML", "DOCTYPE", "SQLite", "SQL", "PostgreSQL", "MBTiles"),
    *("GPX", "KML", "KMZ", "ZIP", "RFC", "kml", "when", "coord", "trkpt", "features"),
    *("FeatureCollection", "GeometryCollection"),
}


def test_the_catalog_has_keys() -> None:
    assert len(_KEYS) > 20


@pytest.mark.parametrize("key", _KEYS)
def test_every_key_has_both_languages_with_the_same_placeholders(key: str) -> None:
    texts = catalog()[key]
    assert set(texts) == set(LANGUAGES), key
    assert all(texts[lang].strip() for lang in LANGUAGES), key
    assert placeholders(texts["en"]) == placeholders(texts["zh"]), key


@pytest.mark.parametrize("key", _KEYS)
def test_every_chinese_text_is_chinese(key: str) -> None:
    zh = catalog()[key]["zh"]
    assert re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", zh), key
    # ASCII words only in placeholders, quoted field names and values, codes and units
    words = english_words(re.sub(r"\{[^{}]*\}", " ", zh))
    # and the names of formats, programs and the uploaded files' own elements, which have no
    # Chinese of their own (XML, KMZ, <when>, trkpt …)
    assert set(words) <= {"NUL", *_NAMES}, (key, words)


#: coordinate systems, written bare in Chinese as in Chinese technical writing
_CRS_NAMES = ("UTM", "WGS84", "GCJ-02", "BD-09")


def test_chinese_texts_write_coordinate_systems_without_quotes() -> None:
    quoted = re.compile(rf"['\"‘“「]({'|'.join(map(re.escape, _CRS_NAMES))})['\"’”」]")
    assert [(k, t["zh"]) for k, t in catalog().items() if quoted.search(t["zh"])] == []


def test_a_message_renders_names_in_its_language() -> None:
    m = msg(
        "station.plan_fastest", station=Name("Darchen", "塔钦"), eta="1 h 5 min", lead="", how=""
    )
    assert "Darchen" in m.render("en") and "Darchen" not in m.render("zh")
    assert "塔钦" in m.render("zh")
    assert m.both() == {"en": m.render("en"), "zh": m.render("zh")}


def test_an_unknown_key_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        msg("no.such.key")


def test_an_error_keeps_its_message_in_english_and_renders_it_in_chinese() -> None:
    exc = InvalidInput(msg("body.empty", example='{"text": ".."}'), details=["plain"])
    assert exc.message == render("body.empty", "en", example='{"text": ".."}')
    assert str(exc).startswith(exc.message)
    assert exc.message_in("zh") == render("body.empty", "zh", example='{"text": ".."}')
    assert exc.details_in("zh") == ["plain"]
    assert InvalidInput("english only").message_in("zh") is None
    assert isinstance(exc.text, Msg)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("zh", "zh"), ("zh-Hans", "zh"), ("zh_CN", "zh"), ("en-GB", "en"), (None, "en"), ("bo", "en")],
)
def test_language_choices(value: str | None, expected: str) -> None:
    assert language(value) == expected


def test_a_said_text_is_its_english_string_and_renders_in_chinese() -> None:
    import pickle

    from geodata.i18n import Said, text

    said = Said(msg("locate.note.in_view", said="Gurla Mandhata"))
    assert said == "“Gurla Mandhata” is in view, not where the caller is"
    assert "in view" in said and isinstance(said, str)
    assert text(said, "zh") == render("locate.note.in_view", "zh", said="Gurla Mandhata")
    assert text(pickle.loads(pickle.dumps(said)), "zh") == text(said, "zh")
