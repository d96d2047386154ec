"""Readings real callers need (issue 13, third round: dev misses r240, r263, r266).

Each test names the general reading it checks, not the one sentence it came from.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, locate
from rescue.locate.engine import _disambiguate, get_index
from rescue.locate.model import Clues, Mention
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 7, 40, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def test_a_place_only_in_view_is_no_reference_point(kailash: RouteNetwork) -> None:
    """A place the caller sees can be far off: it does not pick among the candidates of
    an ambiguous mention ("the ascent to the pass, Kailash behind us", r266)."""
    index = get_index(kailash)
    text = "at the tea tent, we can see Dirapuk Gompa"
    tent = Mention(
        7,
        15,
        "tea tent",
        (("phakna_rigzin_supply", 1.0), ("drirapuk_temp_supply", 1.0)),
        feature="tea_tent",
    )
    seen = Mention(28, 41, "Dirapuk Gompa", (("drirapuk_gompa", 1.0),))
    in_view = Clues(text=text, mentions=(tent, seen), in_view=((28, 41),))
    assert _disambiguate(index, in_view).mentions[0].place_ids == tent.place_ids
    # the same place said as where the caller is does pick
    stood_at = Clues(text=text, mentions=(tent, seen))
    assert _disambiguate(index, stood_at).mentions[0].place_ids[0][0] == "drirapuk_temp_supply"


@pytest.mark.parametrize(
    "text",
    [
        "we did half the way from Dirapuk and reached Zutulpuk, my friend is collapsing",
        "we walked from Dirapuk and then got to Zutulpuk, my friend is collapsing",
    ],
)
def test_an_arrival_between_two_places_is_no_pair(kailash: RouteNetwork, text: str) -> None:
    """ "from X … and reached Y" is not "between X and Y" nor "halfway": the caller is at Y."""
    result = locate(kailash, text, reported_at=AT)
    read = [(r.kind, r.anchor.place_ids[0][0]) for r in result.clues.relations]
    assert read == [("at", "zutulpuk_gompa")]


@pytest.mark.parametrize(
    "text",
    ["at the tea tent below the pass, my son is sick", "垭口下面的茶棚，老婆不舒服"],
)
def test_a_feature_below_a_place_is_on_its_downhill_side(kailash: RouteNetwork, text: str) -> None:
    """ "the tea tent below the pass": only the tea tents within a few km of the pass and
    lower than it stay candidates (r237)."""
    index = get_index(kailash)
    clues = _disambiguate(index, locate(kailash, text, reported_at=AT).clues)
    tent = next(m for m in clues.mentions if m.feature == "tea_tent")
    kept = [p for p, score in tent.place_ids if score > 0.5]
    pass_ = index.anchors["dolma_la"]
    assert kept and "sershong_supply" not in kept
    for pid in kept:
        a = index.anchors[pid]
        assert a.elevation_m < pass_.elevation_m
        assert ((a.x - pass_.x) ** 2 + (a.y - pass_.y) ** 2) ** 0.5 <= 5000.0


@pytest.mark.parametrize(
    "text",
    ["at the first tea tent after the pass, my son is sick", "过了垭口后的第一个茶棚，老婆不舒服"],
)
def test_the_first_feature_after_a_place_counts_in_the_walking_direction(
    kailash: RouteNetwork, text: str
) -> None:
    """ "the first teahouse after the pass": the next tea tent clockwise from the pass."""
    clues = _disambiguate(get_index(kailash), locate(kailash, text, reported_at=AT).clues)
    tent = next(m for m in clues.mentions if m.feature == "tea_tent")
    assert tent.place_ids[0][0] == "phakna_rigzin_supply"
    assert all(score <= 0.1 for _, score in tent.place_ids[1:])


def test_a_feature_with_an_indefinite_article_is_not_a_named_instance(
    kailash: RouteNetwork,
) -> None:
    """ "crossed the stream on a bridge": some bridge (planks over a stream), not the
    Dira-puk iron bridge near the place named; the walk from that place says where (r240)."""
    said = "we walked about half a mile from our rooms at Dirapuk and crossed the stream"
    bridge = locate(kailash, f"{said} on a bridge, I am gasping", reported_at=AT)
    clues = _disambiguate(get_index(kailash), bridge.clues)
    (a_bridge,) = [m for m in clues.mentions if m.feature == "bridge"]
    assert len({score for _, score in a_bridge.place_ids}) == 1  # not narrowed to one
    # half a mile on from the rooms (outer kora km 17.8), not held at the iron bridge (17.05)
    low, high = bridge.candidates[0].km_range
    assert low <= 17.8 + 0.8 <= high
    # the bridge said as one: "the bridge" still places the caller at it
    the_bridge = locate(kailash, f"{said} on the bridge, I am gasping", reported_at=AT)
    assert the_bridge.candidates[0].km_range[1] < 17.8
