"""Issue 18: what an approach answer reuses between requests gives the answer it would
give without it, and is never reused for other data (another network, another closure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from shapely.geometry import LineString

from geodata import load_region
from rescue.approach import ApproachResult, _lonlat_list, plan_approach
from rescue.locate import locate
from routes import RouteNetwork, build_network

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
SAYINGS = (
    "near Drirapuk",
    "past Tarboche flagpole",
    "we just crossed the Drolma La pass, going down to the lake",
    "at Zutulpuk monastery, my wife cannot walk any more",
)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def _legs(result: ApproachResult) -> list[Any]:
    legs = [leg for p in result.plans for leg in p.legs]
    legs += [leg for p in result.plans for a in p.alternatives for leg in a.legs]
    if result.evacuation is not None:
        legs += [*result.evacuation.carry_legs, *result.evacuation.vehicle_legs]
    return legs


def _answer(result: ApproachResult) -> str:
    return json.dumps(result.to_dict(), sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("text", SAYINGS)
def test_a_leg_writes_its_geometry_as_rounding_its_points_would(
    kailash: RouteNetwork, text: str
) -> None:
    """A leg's lines in the answer come from pieces made once per edge; they are exactly
    its own points rounded (the 6 decimals and whole metres of ``_lonlat_list``)."""
    cands = locate(kailash, text, reported_at=NOW).candidates[:3]
    legs = _legs(plan_approach(kailash, cands))
    assert len(legs) > 10
    for leg in legs:
        assert leg.rounded is not None
        assert leg.geometry_list() == _lonlat_list(leg.geometry)
        assert leg.to_dict()["geometry"] == _lonlat_list(leg.geometry)


def test_an_answer_is_the_same_from_a_cold_and_a_warm_cache(kailash: RouteNetwork) -> None:
    cands = locate(kailash, SAYINGS[2], reported_at=NOW).candidates[:3]
    warm = _answer(plan_approach(kailash, cands))
    kailash.derived.pop("approach_edge_coords", None)
    cold = _answer(plan_approach(kailash, cands))
    assert cold == warm
    assert _answer(plan_approach(kailash, cands)) == warm


def test_an_edge_whose_line_changed_is_not_read_from_the_cache(kailash: RouteNetwork) -> None:
    """The pieces are kept per network (a new route-data version is a new network) and
    checked against the edge's own line, so a line put in place of another is never
    answered with the old one's points."""
    cands = locate(kailash, SAYINGS[0], reported_at=NOW).candidates[:3]
    result = plan_approach(kailash, cands)
    cache = kailash.derived["approach_edge_coords"]
    assert cache
    key, (line, points, wire) = next(iter(cache.items()))
    stale = LineString([(0.0, 0.0, 0.0), (1.0, 1.0, 1.0)])
    cache[key] = (stale, ((0.0, 0.0, 0.0),), ([0.0, 0.0, 0],))
    again = plan_approach(kailash, cands)
    assert _answer(again) == _answer(result)
    assert cache[key][0] is line  # made again from the edge's own line
    assert cache[key][2] == wire
