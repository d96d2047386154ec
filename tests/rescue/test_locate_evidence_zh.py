"""Locate's evidence lines in Chinese (issue 17): sights and route features are named in
Chinese in ``evidence_zh``, the English stays in ``evidence``."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from geodata import load_region
from geodata.i18n import catalog
from rescue.locate import LOCAL_TZ, get_index, locate
from rescue.locate.model import SIGHT_TAGS
from routes import RouteNetwork, build_network
from routes.direction import Direction

AT = datetime(2025, 7, 12, 9, 30, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def _evidence(kailash: RouteNetwork, text: str) -> list[tuple[str, str]]:
    result = locate(kailash, text, reported_at=AT)
    out = []
    for c in result.candidates:
        out += list(zip(c.evidence, c.evidence_zh or c.evidence, strict=True))
    return out


def test_every_sight_tag_and_route_feature_has_a_chinese_name(kailash: RouteNetwork) -> None:
    tags = {*SIGHT_TAGS, *(t for t, _, _ in get_index(kailash).features)}
    missing = sorted(t for t in tags if f"locate.tag.{t}" not in catalog())
    assert missing == []


@pytest.mark.parametrize(
    ("text", "english", "chinese"),
    [
        ("lots of marmots around the path, friend exhausted", "route-feature catalogue", "土拨鼠"),
        ("路边好多土拨鼠", "route-feature catalogue", "路线特征目录"),
        ("we can see lots of prayer flags, my mother fell", "prayer flags", "经幡"),
    ],
)
def test_feature_and_sight_evidence_is_chinese(
    kailash: RouteNetwork, text: str, english: str, chinese: str
) -> None:
    pairs = [(en, zh) for en, zh in _evidence(kailash, text) if "→" in en]
    assert pairs, _evidence(kailash, text)
    assert any(english in en for en, _ in pairs), pairs
    assert any(chinese in zh for _, zh in pairs), pairs
    for _, zh in pairs:
        told = re.sub(r"“[^”]*”", " ", zh)  # the caller's own words stay as said
        assert not re.search(r"[A-Za-z]{3,}", told), zh


def test_the_clues_disagree_note_is_in_both_languages(kailash: RouteNetwork) -> None:
    text = "we are at Zutulpuk gompa, the altimeter says 5600 m, my father is tired"
    interpreted = locate(kailash, text, reported_at=AT).clues.interpreted()
    english = [n for n in interpreted["notes"] if "disagree" in n]
    chinese = [n for n in interpreted["notes_zh"] if "线索互相矛盾" in n]
    assert len(english) == len(chinese) == 1
    assert "confidence is lowered" in english[0]
    # the clue speaking against the rest is quoted in the note of either language
    assert "“" in chinese[0] and "speaks" not in chinese[0]
    assert len(interpreted["notes"]) == len(interpreted["notes_zh"])


@pytest.mark.parametrize(
    ("text", "direction", "chinese"),
    [
        ("we left Dirapuk at 11:00, my father is tired", None, "晚于报警时间"),
        ("we have been walking for 3 hours and my father is tired", None, "步行时间没有起点"),
        ("walked 3 hours, my father is tired", None, "描述中没有能确定呼救者位置的内容"),
        ("the altimeter says 9500 m, near Dirapuk", None, "不合理"),
        ("N31.1 E81.3", None, "坐标是哪个应用显示的"),
        ("we are walking counterclockwise near Dirapuk", "clockwise", "采用所给的方向（顺时针）"),
        ("I can see Gurla Mandhata from here", None, "看到的景物"),
        ("we walk clockwise and counterclockwise near Dirapuk", None, "提到了两个行走方向"),
    ],
)
def test_every_note_of_an_answer_is_in_chinese_too(
    kailash: RouteNetwork, text: str, direction: Direction | None, chinese: str
) -> None:
    from tests.web.test_chinese import english_words

    clues = locate(kailash, text, reported_at=AT, direction=direction).clues
    interpreted = clues.interpreted()
    assert len(interpreted["notes_zh"]) == len(interpreted["notes"]) >= 1
    assert any(chinese in n for n in interpreted["notes_zh"]), interpreted["notes_zh"]
    for note in interpreted["notes_zh"]:
        unquoted = re.sub(r"“[^”]*”", " ", note)  # the caller's own words stay as said
        assert english_words(unquoted) == [], note
    # the notes stay English strings for whoever searches them
    assert all(isinstance(n, str) for n in clues.notes)


@pytest.mark.parametrize(
    ("text", "chinese"),
    [
        ("N31.1 E81.3", "十进制度，纬度在前"),
        ("31°05.795' 81°18.5'", "度和十进制分，纬度在前"),
        ("-31.0681 81.3125", "忽略了负号"),
        ("31°05'79.5\" N 81°18'30\" E", "秒 79.5 不小于 60"),
        ("高德地图显示 31.0681, 81.3125", "（高德、微信、腾讯）→ WGS84"),
        ("31,0681 / 81,3125", "以逗号作小数点"),
        # UTM: the zone, how its hemisphere was read, the order of the figures
        ("44N 535000 3440000", "UTM 投影带 44N"),
        ("44R 535000 3440000", "UTM 投影带 44R（纬度带 R，北半球）"),
        ("44S 535000 3440000", "（S 按纬度带 S 理解，北半球）"),
        ("zone 44 535000 3440000", "UTM 投影带 44N（半球按本区域假定）"),
        ("UTM 535000 3440000", "UTM 投影带 44N（投影带按本区域假定）"),
        ("UTM 3440000 535000", "投影带按本区域假定），北坐标在前"),
    ],
)
def test_a_coordinate_reading_is_named_in_chinese(
    kailash: RouteNetwork, text: str, chinese: str
) -> None:
    from tests.web.test_chinese import english_words

    result = locate(kailash, text, reported_at=AT)
    readings = result.clues.interpreted()["coordinates"]
    assert readings and chinese in readings[0]["reading_zh"], readings
    for reading in readings:
        assert english_words(reading["reading_zh"]) == [], reading
        assert english_words(reading["reading"])  # the English stays English
    for c in result.candidates:
        for line in c.evidence_zh:
            unquoted = re.sub(r"“[^”]*”", " ", line)
            assert english_words(unquoted) == [], line


@pytest.mark.parametrize(
    ("text", "english", "chinese"),
    [
        ("N45.1 E100.3", "lies 2,244 km outside the region", "在区域之外 2,244 公里"),
        ("31°75' N 81°18' E", "minutes 75 are not below 60", "分 75 不小于 60"),
        ("lat 31.1 lat 81.3", "both numbers are marked as latitude", "两个数都标为纬度"),
    ],
)
def test_an_unusable_coordinate_is_refused_in_either_language(
    kailash: RouteNetwork, text: str, english: str, chinese: str
) -> None:
    from geodata.errors import InvalidInput
    from tests.web.test_chinese import english_words

    with pytest.raises(InvalidInput) as info:
        locate(kailash, text, reported_at=AT)
    assert info.value.message.startswith(f"'{text}'") and english in info.value.message
    zh = info.value.message_in("zh") or ""
    assert zh.startswith(f"'{text}'") and chinese in zh
    assert english_words(zh.replace(f"'{text}'", " ")) == [], zh


def test_both_readings_of_a_utm_band_s_are_named_in_chinese() -> None:
    from geodata.i18n import text
    from rescue.locate.coords import find_coordinates

    (found,) = find_coordinates("44S 535000 3440000")
    labels = [(r.label, text(r.label, "zh")) for r in found.readings]
    assert labels == [
        (
            "UTM zone 44S (S read as latitude band S, northern hemisphere)",
            "UTM 投影带 44S（S 按纬度带 S 理解，北半球）",
        ),
        ("UTM zone 44S (S read as southern hemisphere)", "UTM 投影带 44S（S 按南半球理解）"),
    ]
