"""Issue 13 (generic words and names read in context): a name whose meaning the rest of
the call decides (the region's ``context_names`` in ``locate_words.json``) and bare words
for what one only sees (``seen_features`` in ``geodata/lexicon/names.json``)."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, get_index, locate
from rescue.locate.lexicon import validate
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 9, 40, tzinfo=LOCAL_TZ)
DROP_OFF = {"chorten_kangnyi", "tarboche"}
#: lon, lat of the places in geodata/kailash/places.geojson
CHORTEN_KANGNYI = (81.25934, 31.015408)
DARCHEN_KORA_GATE = (81.28368, 30.97821)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def _top(kailash: RouteNetwork, text: str) -> set[str]:
    """The places of the best score of the first mention of ``text``."""
    mentions = get_index(kailash).names.find(text)
    assert mentions, text
    ids = mentions[0].place_ids
    return {pid for pid, s in ids if s >= ids[0][1] - 1e-9}


@pytest.mark.parametrize(
    "text",
    [
        # unispos.com (司機早上九點半送我們到入口開始走), bhavraa.com (bus drops us by Yam Dwara)
        "the driver dropped us at the kora entrance at nine thirty",
        "the bus dropped us at the kora start, my friend is dizzy",
        "司機九點半把我們送到轉山入口，同伴頭痛",
        "司机把我们送到转山起点，刚下车",
        "坐车到转山入口，走了一个小时",
    ],
)
def test_the_kora_entrance_reached_by_car_is_the_drop_off(kailash: RouteNetwork, text: str) -> None:
    top = _top(kailash, text)
    assert top <= DROP_OFF and top, top


@pytest.mark.parametrize(
    "text",
    [
        "we are at the kora entrance, my uncle collapsed",
        "八点从转山起点出发的，现在九点半",
    ],
)
def test_the_kora_entrance_without_a_vehicle_stays_the_gate(
    kailash: RouteNetwork, text: str
) -> None:
    assert _top(kailash, text) == {"darchen_kora_gate"}


def test_a_named_darchen_keeps_the_gate_even_with_a_car(kailash: RouteNetwork) -> None:
    mentions = get_index(kailash).names.find("在塔钦村，转山起点，车停在这里，朋友晕倒")
    entrance = [m for m in mentions if m.text == "转山起点"]
    assert entrance and entrance[0].place_ids[0][0] == "darchen_kora_gate"


def test_locate_puts_a_caller_just_dropped_off_at_the_drop_off(kailash: RouteNetwork) -> None:
    best = locate(kailash, "司机把我们送到转山入口，刚下车，同伴头晕", reported_at=AT).candidates[0]
    assert _metres((best.lon, best.lat), CHORTEN_KANGNYI) < 1000.0
    assert _metres((best.lon, best.lat), DARCHEN_KORA_GATE) > 3000.0


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians((a[1] + b[1]) / 2.0)
    return math.hypot((a[0] - b[0]) * 111_320.0 * math.cos(lat), (a[1] - b[1]) * 110_540.0)


@pytest.mark.parametrize(
    "text",
    [
        "回头最后看一眼神山北壁，右边是锯齿一样的山峰，同伴走不动了",  # what-when-how.com (LP)
        "there are some stark, jagged peaks to the right, my friend can't go on",
    ],
)
def test_a_bare_peak_is_no_place(kailash: RouteNetwork, text: str) -> None:
    found = {pid for m in get_index(kailash).names.find(text) for pid, _ in m.place_ids}
    assert not found & {"nandi_parvat", "little_kailash", "gurla_mandhata"}, found


def test_a_named_peak_is_still_a_place(kailash: RouteNetwork) -> None:
    assert "nandi_parvat" in _top(kailash, "we can see Nandi peak")


def test_context_names_are_checked() -> None:
    bad = {
        "mountain_name_en": "K",
        "mountain_name_zh": "K",
        "mountain_en": "k",
        "mountain_zh": "k",
        "view_places": {},
        "feature_places": {},
        "feature_main": {},
        "not_name_cores_zh": [],
        "context_names": [
            {"names": ["kora entrance"], "cue": "dro(ve", "unless": [], "places": ["x"]}
        ],
    }
    problems = validate("locate_words", bad)
    assert any("context_names[0].cue" in p and "regular expression" in p for p in problems)
    assert any("context_names[0]: missing 'note'" in p for p in problems)


@pytest.mark.parametrize("text", ["过了喝茶的帐篷，还要走两个小时", "那几个卖茶的帐篷，喝了咸茶"])
def test_a_tent_one_drinks_tea_in_is_a_tea_tent(kailash: RouteNetwork, text: str) -> None:
    # deepakbellur.blogspot.com/2014/05 (These shops are roughly midway between Dirapuk and
    # Shershong), re-told in Chinese as 卖茶的帐篷
    features = {m.feature for m in get_index(kailash).names.find(text)}
    assert "tea_tent" in features
