"""Readings that real callers' words needed (issue 13, dev misses by class): a distance
walked from a place, a distance from where the caller slept at a place, and a feature word
that is no landmark of the story."""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ
from rescue.locate.clues import parse_clues
from rescue.locate.engine import _latest_landmark, get_index
from rescue.locate.model import Clues
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 13, 30, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def _clues(network: RouteNetwork, text: str) -> Clues:
    return parse_clues(text, names=get_index(network).names, reported_at=AT)


@pytest.mark.parametrize(
    ("text", "place", "low", "high"),
    [
        ("we walked 800 m from Dirapuk, my father is tired", "drirapuk_gompa", 600, 1000),
        ("we have walked about 2 km from Darchen", "darchen", 1300, 2700),
        ("hiked 3 km from Chuku bridge, now resting", "chuku_bridge", 2000, 4000),
    ],
)
def test_a_distance_walked_from_a_place_is_that_far_past_it(
    kailash: RouteNetwork, text: str, place: str, low: float, high: float
) -> None:
    (rel,) = [r for r in _clues(kailash, text).relations if r.anchor.place_ids]
    assert rel.anchor.place_ids[0][0] == place
    assert rel.kind == "after"
    assert rel.distance_m is not None
    assert low <= rel.distance_m[0] <= rel.distance_m[1] <= high


def test_a_time_walked_from_a_place_is_still_a_walking_time(kailash: RouteNetwork) -> None:
    c = _clues(kailash, "we walked 2 hours from Darchen")
    assert not [r for r in c.relations if r.distance_m]
    (e,) = c.elapsed
    assert e.origin.place_ids[0][0] == "darchen"


@pytest.mark.parametrize(
    "text",
    [
        "we walked about half a mile from our rooms at Deraphuk and crossed the stream",
        "we are 1 km from the hotel in Dirapuk",
        "about 900 m from our camp near Dirapuk, my wife fell",
    ],
)
def test_a_distance_from_where_the_caller_stays_at_a_place_counts_from_the_place(
    kailash: RouteNetwork, text: str
) -> None:
    rels = [r for r in _clues(kailash, text).relations if r.distance_m]
    assert [r.anchor.place_ids[0][0] for r in rels] == ["drirapuk_gompa"]
    (rel,) = rels
    assert rel.distance_m is not None
    assert 500 <= rel.distance_m[0] <= rel.distance_m[1] <= 1300


def test_a_feature_word_is_no_later_landmark_of_the_story(kailash: RouteNetwork) -> None:
    """ "…from our rooms at X and crossed the stream on a bridge": the bridge names many
    places, so X is not an earlier landmark to weigh less."""
    c = _clues(kailash, "we walked half a mile from Dirapuk and crossed the stream on a bridge")
    assert any(r.anchor.feature is not None for r in c.relations)
    assert _latest_landmark(c) is None
    c = _clues(kailash, "we walked half a mile from Dirapuk, now at the Drolma la")
    latest = _latest_landmark(c)
    assert latest is not None
    assert latest.place_ids[0][0] == "dolma_la"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("we are 2 km from the guest house at Dirapuk", "drirapuk_gompa"),
        ("by the monastery on the north end of Darchen, I feel sick", "darchen"),
        ("1 km past the bridge below Zutulpuk", "zutulpuk_gompa"),
    ],
)
def test_a_feature_word_qualified_by_a_place_is_that_place(
    kailash: RouteNetwork, text: str, place: str
) -> None:
    """ "the guest house at X": the relation words of the feature word are the place's
    (not every guest house of the region)."""
    rels = _clues(kailash, text).relations
    assert [r.anchor.place_ids[0][0] for r in rels] == [place]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Zutulpuk must be near, my legs are gone", "zutulpuk_gompa"),
        ("the Drolma la can't be far now, my wife is dizzy", "dolma_la"),
        ("Dirapuk should be close, it is getting dark", "drirapuk_gompa"),
    ],
)
def test_a_place_expected_soon_is_not_far_ahead(
    kailash: RouteNetwork, text: str, place: str
) -> None:
    """ "X must be near": the caller has not reached X and expects to soon (not "at X")."""
    (rel,) = _clues(kailash, text).relations
    assert rel.anchor.place_ids[0][0] == place
    assert rel.kind == "before"
    assert rel.distance_m is not None
    assert rel.distance_m[1] <= 1500.0


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("we came by vehicle to Tarboche, my uncle fainted", "tarboche"),
        ("we took the eco bus to Tarboche and my mother collapsed", "tarboche"),
        ("we drove up to Darchen, my father can't breathe", "darchen"),
    ],
)
def test_a_ride_to_a_place_ended_there(kailash: RouteNetwork, text: str, place: str) -> None:
    """ "by vehicle to X": the caller is at X (not walking towards it)."""
    rels = [r for r in _clues(kailash, text).relations if r.anchor.place_ids[0][0] == place]
    assert [r.kind for r in rels] == ["at"]


def test_a_distance_by_vehicle_is_km_of_road(kailash: RouteNetwork) -> None:
    """The road winds more than the trail: "8 km from Darchen by vehicle" reaches less far
    along the kora than 8 km walked."""
    (walked,) = _clues(kailash, "we are 8 km from Darchen").relations
    (ride,) = [
        r
        for r in _clues(kailash, "we came 8 km from Darchen by vehicle, my uncle fainted").relations
        if r.distance_m
    ]
    assert walked.distance_m is not None and ride.distance_m is not None
    assert ride.distance_m[0] < 0.75 * walked.distance_m[0]
    assert ride.distance_m[1] <= walked.distance_m[1]


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("过了止热寺，前面是卓玛拉，我爸喘不上气", "dolma_la"),
        ("前方不远是止热寺，腿抽筋了", "drirapuk_gompa"),
        ("前面有个小房子补给点，我们在这休息", None),
    ],
)
def test_chinese_ahead_there_is_x_is_before_x(
    kailash: RouteNetwork, text: str, place: str | None
) -> None:
    """ "前面有个X" / "前方不远是X": X lies ahead, not yet reached."""
    rels = [r for r in _clues(kailash, text).relations if r.kind == "before"]
    assert len(rels) == 1
    if place is not None:
        assert rels[0].anchor.place_ids[0][0] == place
    else:
        assert rels[0].anchor.feature is not None
