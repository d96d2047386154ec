"""Sights, features and numbers as real callers say them (issue 13, real-text dev cases).

Each test names the general reading it checks, not the one sentence it came from.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, locate
from rescue.locate._numbers import find_en_thousands
from rescue.locate._sights import text_direction
from rescue.locate._text import fold
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 7, 40, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.mark.parametrize(
    "text",
    [
        "we left Zutulpuk this morning, Kailash on our right, the river on our left, she fell",
        "we left Zutulpuk this morning, on our right is Kailash, my wife fell",
        "今天早上从尊珠寺出来，神山在右边，河在左边，老婆摔了",
        "今天早上从尊珠寺出来，右手边是神山，老婆摔了",
    ],
)
def test_a_peak_said_with_a_side_is_in_view(kailash: RouteNetwork, text: str) -> None:
    """ "Kailash on our right" / "神山在右边": the peak is seen from the trail, not where
    the caller stands (r297, r303)."""
    result = locate(kailash, text, reported_at=AT)
    seen = {result.clues.text[a:b] for a, b in result.clues.in_view}
    assert seen & {"Kailash", "神山"}
    assert not result.candidates[0].segment_id.startswith("inner_kora")


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Kailash on our right, my father is tired", "clockwise"),
        ("we keep the mountain on our right-hand side", "clockwise"),
        ("神山一直在我们右边，我爸走不动了", "clockwise"),
        ("右边是神山，我爸走不动了", "clockwise"),
        ("the mountain is on our left, my father can't breathe", "counterclockwise"),
        ("神山在左边，我爸走不动了", "counterclockwise"),
        # a stated direction wins over the side
        ("Kailash on our right, we walk counter-clockwise", "counterclockwise"),
        # the side of something else: no direction
        ("valley on our left, Kailash peeking above a lesser hill", None),
        ("左边是山谷，神山从小山后面露出来", None),
    ],
)
def test_the_mountain_s_side_says_the_walking_direction(text: str, direction: str | None) -> None:
    """The mountain kept on the right is walked round clockwise; on the left,
    counter-clockwise (a weak reading, only when no direction word is said)."""
    assert text_direction(fold(text), []) == direction


@pytest.mark.parametrize(
    "text",
    [
        "we are passing the glacier north-east of Kailash, my wife can't keep up",
        "we are passing the north-east glacier, my wife can't keep up",
        "正走过神山东北边的冰川，老婆跟不上了",
        "the river on our left comes from a glacier, my wife can't keep up",
        "向导说这条河从东南边的冰川流下来，老婆跟不上了",
    ],
)
def test_a_glacier_placed_by_a_direction_or_as_a_source_is_not_the_north_face_s(
    kailash: RouteNetwork, text: str
) -> None:
    """A glacier with a compass direction other than north, or named as a river's source,
    is neither the north face's glacier as a place nor a sight of it: the route-feature
    catalogue places it (r258, r259, r304)."""
    clues = locate(kailash, text, reported_at=AT).clues
    assert "glacier" not in {s.tag for s in clues.sights}
    (glacier,) = [m for m in clues.mentions if m.feature == "glacier"]
    assert (glacier.start, glacier.end) in clues.in_view
    assert not any(r.anchor is glacier for r in clues.relations)


@pytest.mark.parametrize(
    "text",
    [
        "在止热寺，正对着北壁冰川，有人倒下了",
        "at Drirapuk we look at the glacier below the north face",
    ],
)
def test_the_north_face_s_glacier_is_still_a_glacier_in_view(
    kailash: RouteNetwork, text: str
) -> None:
    """Without another direction the glacier is the north face's, seen from Drira-puk."""
    clues = locate(kailash, text, reported_at=AT).clues
    assert "glacier" in {s.tag for s in clues.sights}


@pytest.mark.parametrize(
    "text",
    [
        "the glacier north-east of Kailash is beside us, she is tired",
        "旁边是神山东北边的冰川，她累了",
    ],
)
def test_a_peak_that_only_places_a_glacier_is_not_where_the_caller_is(
    kailash: RouteNetwork, text: str
) -> None:
    """ "the glacier north-east of Kailash": the peak is a reference, seen; the catalogue's
    north-east glacier puts the caller on the climb to the Drölma-la."""
    result = locate(kailash, text, reported_at=AT)
    assert {result.clues.text[a:b] for a, b in result.clues.in_view} & {"Kailash", "神山"}
    assert result.candidates[0].segment_id in {
        "outer_kora:drirapuk_temp_supply-sky_burial_west_supply",
        "outer_kora:sky_burial_west_supply-dolma_la",
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("five thousand one hundred", 5100),
        ("nineteen and a half thousand", 19500),
        ("eighteen thousand five hundred", 18500),
        ("seventeen thousand six hundred and fifty", 17650),
        ("twenty-one thousand", 21000),
    ],
)
def test_thousands_written_out_in_words(text: str, value: float) -> None:
    assert find_en_thousands(f"at {text} ft") == [(3, 3 + len(text), value)]


def test_a_thousand_steps_is_no_altitude() -> None:
    assert find_en_thousands("a thousand steps") == []


@pytest.mark.parametrize(
    ("text", "elevation_m"),
    [
        ("the altimeter says five thousand one hundred metres, my wife is sick", 5100.0),
        ("we are at eighteen thousand five hundred feet, my wife is sick", 5638.8),
    ],
)
def test_an_altitude_in_words_is_read(kailash: RouteNetwork, text: str, elevation_m: float) -> None:
    (elevation,) = locate(kailash, text, reported_at=AT).clues.elevations
    assert elevation.elevation_m == pytest.approx(elevation_m)


@pytest.mark.parametrize(
    "text",
    [
        "we are climbing to the nineteen and a half thousand foot pass, halfway up, she is tired",
        "we are climbing to the 18,600 ft pass, halfway up, she is tired",
        "正在往5630米的垭口爬，她累了",
    ],
)
def test_a_height_that_names_a_pass_is_not_the_caller_s_altitude(
    kailash: RouteNetwork, text: str
) -> None:
    """ "the 19,500 ft pass": the pass's height, not where the caller is (r315)."""
    clues = locate(kailash, text, reported_at=AT).clues
    assert clues.elevations == ()


@pytest.mark.parametrize(
    "text",
    [
        "已经看不到神山了，下坡路，腿疼走不动",
        "we can no longer see Kailash, going down, my leg hurts",
        "we can't see Kailash any more, going down, my leg hurts",
    ],
)
def test_a_peak_out_of_view_is_noted_as_out_of_view(kailash: RouteNetwork, text: str) -> None:
    """ "已经看不到神山了": the note says the peak is out of view, not that it is in view;
    it is still no place of the caller's (r216)."""
    clues = locate(kailash, text, reported_at=AT).clues
    assert {clues.text[a:b] for a, b in clues.in_view} & {"Kailash", "神山"}
    notes = " ".join(map(str, clues.notes))
    assert "out of view" in notes
    assert "is in view" not in notes


def test_no_longer_seeing_a_lake_denies_it(kailash: RouteNetwork) -> None:
    (sight,) = locate(kailash, "we no longer see the lake, going down", reported_at=AT).clues.sights
    assert (sight.tag, sight.negated) == ("green_lake", True)


@pytest.mark.parametrize(
    "text",
    [
        "我们在一万八千尺的地方，队友头痛",
        "我们在18000呎左右，队友头痛",
        "爬到一万八千呎了，队友头痛",
    ],
)
def test_feet_said_in_chinese_are_feet(kailash: RouteNetwork, text: str) -> None:
    """ "一万八千尺" / "18000呎": an altitude in feet (18,000 ft = 5,486 m)."""
    (elevation,) = locate(kailash, text, reported_at=AT).clues.elevations
    assert elevation.elevation_m == pytest.approx(5486.4)


def test_a_width_in_chi_is_no_altitude(kailash: RouteNetwork) -> None:
    assert locate(kailash, "路宽三尺，很滑，队友头痛", reported_at=AT).clues.elevations == ()


@pytest.mark.parametrize(
    "text", ["翻过山梁了，有个大石堆，朋友晕了", "we just came over the ridge, my friend fainted"]
)
def test_over_the_ridge_is_the_cairn_near_the_first_prostration_point(
    kailash: RouteNetwork, text: str
) -> None:
    """The route-feature catalogue's cairn where the trail crosses the south-west end of
    the ridge, 4 km from Darchen (Lonely Planet; r034)."""
    result = locate(kailash, text, reported_at=AT)
    assert result.candidates[0].segment_id == "outer_kora:darchen_kora_gate-sershong_supply"
