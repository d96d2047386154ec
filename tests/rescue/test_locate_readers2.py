"""Readings real callers need (issue 13, real-text dev cases r241-r293 and r080).

Each test names the general reading it checks, not the one sentence it came from.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, locate
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 7, 40, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.mark.parametrize(
    "text",
    [
        "早上六点四十从塔钦走出来的，现在七点四十，老婆吐了",
        "早上6点40从塔钦走出来，现在7点40，老婆吐了",
        "早上六点四十从塔钦出来，现在七点四十，老婆吐了",
    ],
)
def test_walking_out_of_a_place_at_a_clock_time_is_a_departure(
    kailash: RouteNetwork, text: str
) -> None:
    """ "从X走出来" / "从X出来" with a clock time: left X then (r242, twin of r241)."""
    result = locate(kailash, text, reported_at=AT)
    (elapsed,) = result.clues.elapsed
    assert elapsed.origin.text == "塔钦"
    assert (elapsed.departed_at.hour, elapsed.departed_at.minute) == (6, 40)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("司机把我们送到第一个磕头的地方，刚开始走", "first_prostration_point"),
        ("到了第2个磕头点，朋友不舒服", "second_prostration_point"),
        ("we reached the second prostration spot, my friend is sick", "second_prostration_point"),
        ("at the 4th prostration site, my friend is sick", "fourth_prostration_point"),
    ],
)
def test_an_ordinal_before_a_feature_word_names_that_one_place(
    kailash: RouteNetwork, text: str, place: str
) -> None:
    """ "第一个磕头的地方", "the second prostration spot": the place of that kind whose
    name carries the ordinal, not every place of the kind (r252)."""
    mentions = locate(kailash, text, reported_at=AT).clues.mentions
    assert [m.place_ids for m in mentions] == [((place, 1.0),)]


def test_an_ordinal_no_place_carries_leaves_the_feature_word(kailash: RouteNetwork) -> None:
    (mention,) = locate(kailash, "过了第三个天葬台，朋友不舒服", reported_at=AT).clues.mentions
    assert mention.feature == "sky_burial"
    assert len(mention.place_ids) > 1


@pytest.mark.parametrize(
    "text", ["塔钦出来第一个补给点，朋友肚子疼", "过了山口以后的第二个补给点，在茶馆帐篷里躺着"]
)
def test_an_ordinal_counted_from_a_place_is_not_a_places_own_number(
    kailash: RouteNetwork, text: str
) -> None:
    """ "塔钦出来第一个补给点" is the first after Darchen, not a place named "first …"."""
    mentions = locate(kailash, text, reported_at=AT).clues.mentions
    assert all(not m.text.startswith("第") for m in mentions)


@pytest.mark.parametrize(
    "text",
    [
        "在拉曲河谷里看神山西壁最清楚的地方，老爸倒下了",
        "在拉曲河谷里，神山西壁就在上面，老爸倒下了",
        "Kailash's west face right above us, my dad collapsed",
        "the west face of Kailash is above us, my dad collapsed",
    ],
)
def test_a_peak_said_with_a_face_or_a_bare_look_is_in_view_not_stood_on(
    kailash: RouteNetwork, text: str
) -> None:
    """ "看神山西壁", "Kailash's west face": the mountain is seen, so the caller is not on
    the inner kora below its summit (r249)."""
    result = locate(kailash, text, reported_at=AT)
    assert result.clues.in_view
    assert not result.candidates[0].segment_id.startswith("inner_kora")


def test_lodging_on_offer_means_any_place_with_beds(kailash: RouteNetwork) -> None:
    """ "可以住宿" after a small-house supply point: the supply point offers beds; the
    lodging word must not pull the caller to the guesthouses only (r080)."""
    text = "下了很陡的坡，前面有個小房子補給點，可以住宿，我們在這休息"
    result = locate(kailash, text, reported_at=AT)
    lodging = [m for m in result.clues.mentions if m.feature == "guesthouse"]
    assert lodging
    assert "phakna_rigzin_supply" in dict(lodging[0].place_ids)
    assert "phakna_rigzin_supply" in result.candidates[0].segment_id


def test_a_lodging_word_alone_stays_the_guesthouses(kailash: RouteNetwork) -> None:
    result = locate(kailash, "我们在一个宾馆里，朋友头痛", reported_at=AT)
    (lodging,) = result.clues.mentions
    assert "phakna_rigzin_supply" not in dict(lodging.place_ids)


@pytest.mark.parametrize(
    "text",
    [
        "by the monastery on the north end of Darchen, my guide says I look grey",
        "在塔钦镇北头寺庙旁边的玛尼石堆，我头晕",
        "在塔钦的寺庙旁边，我头晕",
    ],
)
def test_a_feature_word_in_a_named_place_is_that_places_own(
    kailash: RouteNetwork, text: str
) -> None:
    """ "the monastery on the north end of Darchen" is Darchen's own monastery, not the
    inner-kora gompas (r231, r232)."""
    mentions = locate(kailash, text, reported_at=AT).clues.mentions
    (monastery,) = [m for m in mentions if m.feature == "monastery"]
    assert [pid for pid, _ in monastery.place_ids] == ["tarchen_labrang_ruins"]


def test_a_feature_word_with_no_place_keeps_all_its_places(kailash: RouteNetwork) -> None:
    (monastery,) = locate(
        kailash, "we are near a monastery, I feel sick", reported_at=AT
    ).clues.mentions
    assert len(monastery.place_ids) > 5


@pytest.mark.parametrize("text", ["we are on the pass, my son is sick", "我们在垭口上，儿子不舒服"])
def test_a_bare_pass_is_the_main_routes_pass(kailash: RouteNetwork, text: str) -> None:
    """ "the pass" is the one every walker crosses (region data ``feature_main``); the
    secret pass only by its name (r266)."""
    (mention,) = locate(kailash, text, reported_at=AT).clues.mentions
    weights = dict(mention.place_ids)
    assert weights["dolma_la"] == 1.0
    assert weights["khando_sanglam_la"] < 0.5


def test_the_secret_pass_by_name_is_still_read(kailash: RouteNetwork) -> None:
    (mention,) = locate(kailash, "we took the Khando Sanglam La", reported_at=AT).clues.mentions
    assert mention.place_ids[0][0] == "khando_sanglam_la"


def test_a_peak_face_behind_us_is_a_view_not_a_place_walked_past(
    kailash: RouteNetwork,
) -> None:
    """ "the north-eastern face of Kailash behind us": seen, not walked past (r266)."""
    text = "just beginning the ascent to the pass, the north-eastern face of Kailash behind us"
    result = locate(kailash, text, reported_at=AT)
    assert [r.anchor.text for r in result.clues.relations] == ["pass"]
    assert [s.tag for s in result.clues.sights] == ["north_face"]


@pytest.mark.parametrize(
    "text",
    [
        "we made the 26 km from Diraphuk and reached Zongzerbu camp, my friend is collapsing",
        "we did the 20 km from Dirapuk and arrived at Zutulpuk, my friend is collapsing",
    ],
)
def test_the_place_reached_beats_the_walk_from_the_start(kailash: RouteNetwork, text: str) -> None:
    """ "from X and reached Y": the caller is at Y, not somewhere between (r263)."""
    result = locate(kailash, text, reported_at=AT)
    read = [(r.kind, r.anchor.place_ids[0][0]) for r in result.clues.relations]
    assert ("at", "zutulpuk_gompa") in read
    assert all(r.kind != "between" for r in result.clues.relations)
    assert result.candidates[0].segment_id == "outer_kora:gaize_teahouse-gendun_lachu_bridge"


def test_from_one_place_to_another_is_still_between(kailash: RouteNetwork) -> None:
    result = locate(kailash, "on the way from Dirapuk to Zutulpuk, help", reported_at=AT)
    assert [r.kind for r in result.clues.relations] == ["between"]


@pytest.mark.parametrize(
    "text",
    [
        "第二天从Drirapuk出发，一开始就是很陡的石头坡，刚爬了一点，我老婆走不动了",
        "we left Dirapuk this morning and just started the climb, my wife can't go on",
    ],
)
def test_a_walk_just_begun_is_not_far_past_its_start(kailash: RouteNetwork, text: str) -> None:
    """ "从X出发…刚爬了一点", "left X, just started the climb": not far past X (r293)."""
    result = locate(kailash, text, reported_at=AT)
    (rel,) = result.clues.relations
    assert rel.kind == "after"
    assert rel.distance_m is not None
    assert rel.distance_m[1] <= 1000.0


def test_a_peak_that_places_a_feature_is_not_walked_past(kailash: RouteNetwork) -> None:
    """ "正走过神山东北边的冰川": the glacier lies north-east of the mountain; the caller
    is not past the summit (r259)."""
    text = "天没亮就出发了，一直是陡坡，正走过神山东北边的冰川，我跟不上了"
    result = locate(kailash, text, reported_at=AT)
    assert all(r.anchor.text != "神山" for r in result.clues.relations)
    assert not result.candidates[0].segment_id.startswith("inner_kora")


@pytest.mark.parametrize(
    "text",
    [
        "在塔尔钦镇，还没出发去卓玛拉垭口，老人心慌气短",
        "we are in Darchen, have not yet set off for the Dolma La, my father is dizzy",
    ],
)
def test_a_place_not_yet_set_off_for_is_ahead(kailash: RouteNetwork, text: str) -> None:
    """ "还没出发去X": X is ahead, the caller is where they say they are (r283)."""
    result = locate(kailash, text, reported_at=AT)
    kinds = {r.anchor.place_ids[0][0]: r.kind for r in result.clues.relations}
    assert kinds == {"darchen": "at", "dolma_la": "before"}
    assert "dolma_la" not in result.candidates[0].segment_id


@pytest.mark.parametrize(
    "text",
    [
        "在塔钦兰州拉面馆吃完饭，十一点出发的，现在下午两点，同伴走不动了",
        "we had lunch in Darchen, left at 11, now it is 2 pm, my friend can't walk",
    ],
)
def test_a_meal_somewhere_then_a_clock_departure_sets_off_from_there(
    kailash: RouteNetwork, text: str
) -> None:
    """ "在X吃完饭，十一点出发": the walk starts at X, and X is no longer where they are (r282)."""
    result = locate(kailash, text, reported_at=AT)
    (elapsed,) = result.clues.elapsed
    assert elapsed.origin.place_ids[0][0] == "darchen"
    assert elapsed.departed_at.hour == 11
    assert not result.clues.relations


def test_a_place_still_a_walk_away_is_ahead_by_that_walk(kailash: RouteNetwork) -> None:
    """ "the road head should be an hour away": before it by about an hour (r262)."""
    text = "we left Zutulphuk two hours ago, the road head should be an hour away, help"
    result = locate(kailash, text, reported_at=AT)
    (rel,) = result.clues.relations
    assert (rel.kind, rel.anchor.place_ids[0][0]) == ("before", "zongdui")
    assert rel.duration_s is not None
    assert rel.duration_s[0] <= 3600.0 <= rel.duration_s[1]
