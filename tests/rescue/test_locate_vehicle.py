"""A time told by vehicle is a distance at vehicle speeds, not a walk (issue 13, class
"time"): "we drove 20 minutes from Darchen by bus to the big flagpole" is at Tarboche, not
20 minutes' walk out of Darchen."""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, locate
from rescue.locate._relations import VEHICLE_SPEED_MS
from rescue.locate.clues import parse_clues
from rescue.locate.engine import get_index
from rescue.locate_eval.evaluate import distance_m
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 13, 30, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.mark.parametrize(
    "text",
    [
        "we drove 20 minutes from Darchen, my father collapsed",
        "20 minutes from Darchen by bus, an old man collapsed",
        "离塔钦二十分钟车程，老人晕倒了",
        "坐车离塔钦二十分钟，老人晕倒了",
    ],
)
def test_a_time_by_vehicle_is_a_distance(kailash: RouteNetwork, text: str) -> None:
    clues = parse_clues(text, names=get_index(kailash).names, reported_at=AT)
    (rel,) = [r for r in clues.relations if r.anchor.place_ids[0][0] == "darchen"]
    assert rel.duration_s is None
    assert rel.distance_m is not None
    low, high = rel.distance_m
    assert low <= 20 * 60 * VEHICLE_SPEED_MS[0] * 1.1
    assert high >= 20 * 60 * VEHICLE_SPEED_MS[1] * 0.9


@pytest.mark.parametrize(
    "text",
    [
        "we left Darchen by jeep 30 minutes ago, my father collapsed",
        "开车离开塔钦二十分钟了，老人晕倒了",
    ],
)
def test_leaving_a_place_by_vehicle_is_a_distance_past_it(kailash: RouteNetwork, text: str) -> None:
    clues = parse_clues(text, names=get_index(kailash).names, reported_at=AT)
    assert not clues.elapsed  # not a walking time
    (rel,) = clues.relations
    assert rel.kind == "after" and rel.anchor.place_ids[0][0] == "darchen"
    assert rel.distance_m is not None and rel.distance_m[1] > 5000.0


@pytest.mark.parametrize(
    "text",
    [
        "we walked 20 minutes from Darchen, my friend fell",
        "we left Darchen 30 minutes ago, my father collapsed",
        "we got off the bus, then 20 minutes from Darchen on foot, my friend fell",
        "从塔钦走了二十分钟，朋友摔倒了",
        "离塔钦二十分钟，朋友摔倒了",
    ],
)
def test_a_walk_stays_a_walk(kailash: RouteNetwork, text: str) -> None:
    clues = parse_clues(text, names=get_index(kailash).names, reported_at=AT)
    timed = [r for r in clues.relations if r.duration_s is not None] + list(clues.elapsed)
    assert timed, clues
    assert not [r for r in clues.relations if r.distance_m is not None]


def test_drove_to_the_flagpole_is_at_tarboche(kailash: RouteNetwork) -> None:
    result = locate(
        kailash,
        "we drove 20 minutes from Darchen by bus to the big flagpole, waiting for the ponies, "
        "an old man collapsed",
        reported_at=AT,
    )
    top = result.candidates[0]
    flagpole = kailash.region.places.set_index("place_id").loc["tarboche"].geometry
    assert distance_m(top.lon, top.lat, flagpole.x, flagpole.y) < 1000.0
