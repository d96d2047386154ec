"""Issue 18: what an approach answer reuses between requests gives the answer it would
give without it, and is never reused for other data (another network, another closure)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString

from geodata import load_region
from rescue import _approach_planned
from rescue.approach import ApproachResult, _lonlat_list, plan_approach, plan_with_closures
from rescue.closures import Closure, parse_closure
from rescue.locate import locate
from routes import RouteNetwork, build_network

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
_NET = build_network(load_region("kailash"))
SEGMENTS = sorted(_NET.segments.index)
SAYINGS = (
    "near Drirapuk",
    "past Tarboche flagpole",
    "we just crossed the Drolma La pass, going down to the lake",
    "at Zutulpuk monastery, my wife cannot walk any more",
)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return _NET


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
        assert leg.lines()[1]  # the rounded pieces
        assert leg.geometry_list() == _lonlat_list(leg.geometry)
        assert leg.to_dict()["geometry"] == _lonlat_list(leg.geometry)


def test_only_the_legs_whose_lines_are_drawn_are_given_points(kailash: RouteNetwork) -> None:
    """Issue 18: the other plans' legs (the answer's ``geometry: null``) make no points; the
    lines made when asked for are those of the answer with every line."""
    cands = locate(kailash, SAYINGS[0], reported_at=NOW).candidates[:3]
    _cold(kailash)
    result = plan_approach(kailash, cands)
    assert len(result.plans) > 1
    answer = result.to_dict(geometry="recommended")
    shown = [p for p in result.plans if p.station_id == result.recommended]
    drawn = [leg for p in shown for leg in p.legs]
    drawn += [leg for p in shown for a in p.alternatives for leg in a.legs]
    if result.evacuation is not None:
        drawn += [*result.evacuation.carry_legs, *result.evacuation.vehicle_legs]
    made = [leg for leg in _legs(result) if "_lines" in vars(leg)]
    assert made and {id(leg) for leg in made} == {id(leg) for leg in drawn}
    full = result.to_dict(geometry="all")
    assert all("_lines" in vars(leg) for leg in _legs(result))
    for got, every in zip(answer["plans"], full["plans"], strict=True):
        if got["station_id"] == result.recommended:
            assert got == every
        else:
            assert all(leg["geometry"] is None for leg in got["legs"])
            assert [{**leg, "geometry": None} for leg in every["legs"]] == got["legs"]


def test_an_answer_is_the_same_from_a_cold_and_a_warm_cache(kailash: RouteNetwork) -> None:
    cands = locate(kailash, SAYINGS[2], reported_at=NOW).candidates[:3]
    warm = _answer(plan_approach(kailash, cands))
    kailash.derived.pop("approach_edge_coords", None)
    _cold(kailash)  # the legs made again, not read from the searches kept
    cold = _answer(plan_approach(kailash, cands))
    assert cold == warm
    assert _answer(plan_approach(kailash, cands)) == warm


def test_an_edge_whose_line_changed_is_not_read_from_the_cache(kailash: RouteNetwork) -> None:
    """The pieces are kept per network (a new route-data version is a new network) and
    checked against the edge's own line, so a line put in place of another is never
    answered with the old one's points."""
    cands = locate(kailash, SAYINGS[0], reported_at=NOW).candidates[:3]
    _cold(kailash)
    kailash.derived.pop("approach_edge_coords", None)  # only this answer's edges in it
    result = plan_approach(kailash, cands)
    answer = _answer(result)  # the lines are made when asked for
    cache = kailash.derived["approach_edge_coords"]
    assert cache
    key, (line, points, wire) = next(iter(cache.items()))
    stale = LineString([(0.0, 0.0, 0.0), (1.0, 1.0, 1.0)])
    cache[key] = (stale, ((0.0, 0.0, 0.0),), ([0.0, 0.0, 0],))
    _cold(kailash)
    again = plan_approach(kailash, cands)
    assert _answer(again) == answer
    assert cache[key][0] is line  # made again from the edge's own line
    assert cache[key][2] == wire


# ------------------------------------------------------------------ searches reused
def _cold(network: RouteNetwork) -> None:
    network.derived.pop("approach_planned", None)


def _closure(net: RouteNetwork, segment_ids: list[str], **kw: Any) -> Closure:
    body: dict[str, Any] = {"reason": "snow", "modes": "all", "severity": "closed"}
    body.update(kw, segment_ids=segment_ids)
    return parse_closure(body, network=net, now=NOW)


def test_a_repeated_request_reuses_the_searches(kailash: RouteNetwork) -> None:
    cands = locate(kailash, SAYINGS[1], reported_at=NOW).candidates[:3]
    _cold(kailash)
    first = plan_with_closures(kailash, cands, [], now=NOW)
    cache = kailash.derived["approach_planned"]
    assert len(cache) == 1
    again = plan_with_closures(kailash, cands, [], now=NOW, stations=[first.plans[0].station_id])
    assert len(cache) == 1  # the same searches, one station's plan read from them
    assert again.plans[0].legs == first.plans[0].legs
    assert again.plans[0].alternatives == first.plans[0].alternatives


def test_a_closure_is_never_answered_from_the_searches_without_it(kailash: RouteNetwork) -> None:
    """The searches are keyed by the closures' effect on the costs: a closure set on the
    best way after a plan was made gives the plan a cold start would give, not the
    cached one; lifting it gives the first plan back."""
    cands = locate(kailash, SAYINGS[2], reported_at=NOW).candidates[:3]
    _cold(kailash)
    open_ = plan_with_closures(kailash, cands, [], now=NOW)
    best = next(p for p in open_.plans if p.reachable)
    on_way = [s for leg in best.legs for s in leg.segment_ids][-1:]
    shut = [_closure(kailash, on_way)]
    closed = plan_with_closures(kailash, cands, shut, now=NOW)
    _cold(kailash)
    assert _answer(plan_with_closures(kailash, cands, shut, now=NOW)) == _answer(closed)
    assert _answer(closed) != _answer(open_)
    slowed = plan_with_closures(
        kailash, cands, [_closure(kailash, on_way, severity={"slow_factor": 2.0})], now=NOW
    )
    assert _answer(slowed) not in (_answer(closed), _answer(open_))
    assert _answer(plan_with_closures(kailash, cands, [], now=NOW)) == _answer(open_)


def test_another_network_has_searches_of_its_own(kailash: RouteNetwork) -> None:
    cands = locate(kailash, SAYINGS[0], reported_at=NOW).candidates[:3]
    plan_approach(kailash, cands)
    other = build_network(load_region("kailash"))
    assert "approach_planned" not in other.derived
    plan_approach(other, cands)
    assert other.derived["approach_planned"] is not kailash.derived["approach_planned"]


def test_a_cost_function_is_never_reused(kailash: RouteNetwork) -> None:
    cands = locate(kailash, SAYINGS[0], reported_at=NOW).candidates[:3]
    _cold(kailash)
    plan_approach(
        kailash,
        cands,
        cost=lambda u, v, k, d, mode: d["duration_s"].get(
            "vehicle" if mode == "vehicle" else "rescue_team"
        ),
    )
    assert len(kailash.derived.get("approach_planned", ())) == 0


def test_the_searches_kept_are_bounded(
    kailash: RouteNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_approach_planned, "PLANS_KEPT", 2)
    _cold(kailash)
    for km in (3.0, 12.0, 20.0, 40.0):
        plan_approach(kailash, kailash.point_at("outer_kora", km)[:2], stations=None)
    assert len(kailash.derived["approach_planned"]) == 2


closure_specs = st.lists(
    st.tuples(
        st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=4, unique=True),
        st.sampled_from(["all", "vehicle"]),
        st.one_of(st.just("closed"), st.builds(lambda f: {"slow_factor": f}, st.floats(1.05, 5.0))),
    ),
    max_size=2,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=closure_specs, km=st.sampled_from((3.0, 12.0, 30.0, 40.0)))
def test_warm_answers_are_cold_answers(
    kailash: RouteNetwork, specs: list[tuple[list[str], str, Any]], km: float
) -> None:
    target = kailash.point_at("outer_kora", km)[:2]
    closures = [_closure(kailash, ids, modes=m, severity=sev) for ids, m, sev in specs]
    warm = _answer(plan_with_closures(kailash, target, closures, now=NOW))
    _cold(kailash)
    assert _answer(plan_with_closures(kailash, target, closures, now=NOW)) == warm


@pytest.mark.parametrize("text", SAYINGS[:2])
def test_the_parts_of_edges_made_once_per_request_are_those_made_for_each_plan(
    kailash: RouteNetwork, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every plan to a target point ends on the same part of its edge: its climb and points
    are cut once per request (issue 18), the answer the same as cutting them per plan."""
    from rescue import _approach_legs

    cands = locate(kailash, text, reported_at=NOW).candidates[:3]
    _cold(kailash)
    once = _answer(plan_approach(kailash, cands))
    made = _approach_legs._LegBuilder._part
    calls: list[int] = []

    def each_time(self: Any, arc: Any, data: Any) -> Any:
        calls.append(1)
        self._parts.clear()
        return made(self, arc, data)

    monkeypatch.setattr(_approach_legs._LegBuilder, "_part", each_time)
    _cold(kailash)
    assert _answer(plan_approach(kailash, cands)) == once
    assert len(calls) > 2
