"""Plans under closures: never faster, what each closure costs, no ground route at all."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata import load_region
from rescue.approach import (
    MAX_SHARED_FRACTION,
    ApproachResult,
    plan_approach,
    plan_with_closures,
)
from rescue.closures import LOCAL_TZ, Closure, describe_closure, parse_closure
from routes import RouteNetwork, build_network
from routes.multimodal import GroundOverlap, topology
from tests.common import make_region_dir, tiny_region_layers
from tests.rescue.test_approach import BELOW_PASS_M, assert_valid_plan

NOW = datetime(2025, 6, 14, 12, 0, tzinfo=LOCAL_TZ)
_NET = build_network(load_region("kailash"))
SEGMENTS = sorted(_NET.segments.index)
#: 400 m below Drölma La on the east side (see tests/rescue/test_approach.py)
BELOW_PASS_KM = _NET.place_km("dolma_la", "outer_kora") + BELOW_PASS_M / 1000.0
TARGET_KMS = (3.0, 12.0, BELOW_PASS_KM, 40.0)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return _NET


def closure(net: RouteNetwork, **kw: Any) -> Closure:
    body: dict[str, Any] = {"reason": "snow", "modes": "all", "severity": "closed"}
    body.update(kw)
    return parse_closure(body, network=net, now=NOW)


def etas(result: ApproachResult) -> dict[str, float]:
    return {p.station_id: p.eta_s for p in result.plans if p.reachable}


# --------------------------------------------------------------------------- properties
closure_specs = st.lists(
    st.tuples(
        st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=5, unique=True),
        st.sampled_from(["all", "vehicle"]),
        st.one_of(
            st.just("closed"), st.builds(lambda f: {"slow_factor": f}, st.floats(1.05, 10.0))
        ),
    ),
    min_size=1,
    max_size=3,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(specs=closure_specs, km=st.sampled_from(TARGET_KMS))
def test_closing_anything_never_makes_a_plan_faster(
    kailash: RouteNetwork, specs: list[tuple[list[str], str, Any]], km: float
) -> None:
    target = kailash.point_at("outer_kora", km)[:2]
    closures = [closure(kailash, segment_ids=ids, modes=m, severity=sev) for ids, m, sev in specs]
    base = plan_approach(kailash, target)
    closed = plan_with_closures(kailash, target, closures, now=NOW)
    open_etas, closed_etas = etas(base), etas(closed)
    # nothing becomes reachable by closing, and nothing gets faster
    assert set(closed_etas) <= set(open_etas)
    for sid, eta in closed_etas.items():
        assert eta >= open_etas[sid] - 1e-6, sid
    if base.evacuation and closed.evacuation:
        assert closed.evacuation.total_s >= base.evacuation.total_s - 1e-6
    ids = tuple(c.closure_id for c in closures)
    overlap = GroundOverlap(topology(kailash), 30.0)
    for plan in closed.plans:
        assert plan.closures_applied == ids
        assert_valid_plan(kailash, plan)  # continuous, ETA = sum of legs, modes in order
        if plan.reachable:
            for effect in plan.closure_effects:
                assert effect.closure_id in ids and effect.extra_s > 0
        _assert_alternatives_distinct(kailash, overlap, plan)
    assert [p.eta_s for p in closed.plans if p.reachable] == sorted(closed_etas.values())


def _assert_alternatives_distinct(net: RouteNetwork, overlap: GroundOverlap, plan: Any) -> None:
    """Every two of (best, alternatives...) share less than half of the shorter one."""
    import numpy as np
    from shapely.geometry import LineString

    def line(legs: Any) -> LineString:
        xy = [net.to_metric.transform(c[0], c[1]) for leg in legs for c in leg.geometry]
        return LineString(xy)

    paths = [line(plan.legs)] + [line(a.legs) for a in plan.alternatives]
    for i in range(len(paths)):
        for j in range(i + 1, len(paths)):
            a, b = sorted((paths[i], paths[j]), key=lambda g: g.length)
            pts = [a.interpolate(f, normalized=True) for f in np.linspace(0, 1, 200)]
            near = sum(b.distance(p) <= 30.0 for p in pts) / len(pts)
            assert near < MAX_SHARED_FRACTION + 0.05, (plan.station_id, i, j, near)


# --------------------------------------------------------------------------- what closures cost
def test_each_closure_names_its_cost_and_the_detour(kailash: RouteNetwork) -> None:
    """The road from Zongdui to Darchen closed: the police drive round by Tarboche."""
    target = kailash.point_at("outer_kora", BELOW_PASS_KM)[:2]
    road = closure(kailash, segment_ids=["road:zongdui_darchen"], **{"from": "2025-06-14T06:00"})
    base = plan_approach(kailash, target, stations=["darchen_police_station"])
    res = plan_with_closures(kailash, target, [road], now=NOW, stations=["darchen_police_station"])
    (plan,) = res.plans
    (effect,) = plan.closure_effects
    assert effect.closure_id == road.closure_id
    # the only closure: what it costs is the whole difference
    assert effect.extra_s == pytest.approx(plan.eta_s - base.plans[0].eta_s)
    assert effect.extra_s > 10 * 60
    assert effect.message.startswith("Zongdui → Darchen closed by snow since 14 Jun 06:00: +")
    assert "via Tarboche flagpole" in effect.message
    assert effect.to_dict()["message"] == effect.message
    assert plan.to_dict()["closure_effects"][0]["closure_id"] == road.closure_id


def test_closures_that_do_not_touch_a_plan_are_not_blamed(kailash: RouteNetwork) -> None:
    target = kailash.point_at("outer_kora", BELOW_PASS_KM)[:2]
    far = closure(kailash, segment_ids=["road:darchen_purang"], modes="vehicle")
    road = closure(kailash, segment_ids=["road:zongdui_darchen"])
    res = plan_with_closures(
        kailash, target, [far, road], now=NOW, stations=["darchen_police_station"]
    )
    (plan,) = res.plans
    assert plan.closures_applied == (far.closure_id, road.closure_id)
    assert [e.closure_id for e in plan.closure_effects] == [road.closure_id]


def test_describe_closure(kailash: RouteNetwork) -> None:
    c = closure(
        kailash,
        segment_ids=["road:zongdui_darchen"],
        modes="vehicle",
        severity={"slow_factor": 2.5},
        reason="landslide",
        **{"from": "2025-06-14T06:30"},
    )
    assert describe_closure(kailash, c) == (
        "Zongdui → Darchen (vehicles) slowed ×2.5 by a landslide since 14 Jun 06:30"
    )
    today = datetime.now(LOCAL_TZ).replace(hour=6, minute=0, second=0, microsecond=0)
    area = parse_closure(
        {
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [81.366, 31.092],
                        [81.374, 31.092],
                        [81.374, 31.098],
                        [81.366, 31.098],
                        [81.366, 31.092],
                    ]
                ],
            },
            "reason": "ice",
            "modes": "all",
            "severity": "closed",
            "from": today.isoformat(),
        },
        network=kailash,
        now=today + timedelta(hours=1),
    )
    text = describe_closure(kailash, area)
    assert text.endswith("closed by ice since 06:00")  # today: the time alone
    assert "Drölma-la" in text


# --------------------------------------------------------------------------- no ground route
def test_no_ground_route_says_so_and_kailash_has_no_landing_site(kailash: RouteNetwork) -> None:
    target = kailash.point_at("outer_kora", BELOW_PASS_KM)[:2]
    both_sides = [
        closure(kailash, segment_ids=["outer_kora:sky_burial_west_supply-dolma_la"]),
        closure(kailash, segment_ids=["outer_kora:dolma_la-phakna_rigzin_supply"]),
    ]
    res = plan_with_closures(kailash, target, both_sides, now=NOW)
    assert res.recommended is None
    assert all(not p.reachable for p in res.plans)
    assert "no ground route reaches the target" in res.reason
    assert "no helicopter landing site is recorded" in res.reason
    assert res.landing_site is None and res.to_dict()["landing_site"] is None


@pytest.fixture()
def tiny_with_helipad(tmp_path: Path) -> RouteNetwork:
    stations = tiny_region_layers()["stations"]
    stations["features"][1]["properties"]["capabilities"] = ["foot_team", "helicopter_landing"]
    make_region_dir(tmp_path / "tiny", stations=stations)
    return build_network(load_region("tiny", data_dir=tmp_path))


def test_landing_site_when_the_ground_is_cut(tiny_with_helipad: RouteNetwork) -> None:
    net = tiny_with_helipad
    shrine = net.graph.nodes["shrine"]
    spur = [s for s in net.segments.index if "spur" in s or "shrine" in s]
    cut = closure(net, segment_ids=spur)
    res = plan_with_closures(net, (shrine["lon"], shrine["lat"]), [cut], now=NOW)
    assert res.recommended is None
    assert res.landing_site is not None
    assert res.landing_site.site_id == "gate_medical"
    assert 0 < res.landing_site.distance_m < 2000
    assert "nearest helicopter landing site: Gate medical post" in res.reason
    # a landing site inside an area closed to everyone is not offered
    gate = net.graph.nodes["gate"]
    d = 0.001
    box = {
        "type": "Polygon",
        "coordinates": [
            [
                [gate["lon"] - d, gate["lat"] - d],
                [gate["lon"] + d, gate["lat"] - d],
                [gate["lon"] + d, gate["lat"] + d],
                [gate["lon"] - d, gate["lat"] + d],
                [gate["lon"] - d, gate["lat"] - d],
            ]
        ],
    }
    snowed = closure(net, geometry=box)
    res = plan_with_closures(net, (shrine["lon"], shrine["lat"]), [cut, snowed], now=NOW)
    assert res.landing_site is None
    reachable = plan_approach(net, (shrine["lon"], shrine["lat"]))
    assert reachable.recommended and reachable.landing_site is None
    assert math.isfinite(reachable.plans[0].eta_s)


# --------------------------------------------------------------------------- over the caller
def test_an_area_closed_over_the_caller_is_a_warning(kailash: RouteNetwork) -> None:
    lon, lat, _ = kailash.point_at("outer_kora", BELOW_PASS_KM)
    d = 0.004
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    over = closure(
        kailash, geometry={"type": "Polygon", "coordinates": [[*ring, ring[0]]]}, segment_ids=None
    )
    far = closure(kailash, segment_ids=["road:zongdui_darchen"])
    res = plan_with_closures(kailash, (lon, lat), [over, far], now=NOW)
    assert [w["closure_id"] for w in res.warnings] == [over.closure_id]
    assert "covers the caller" in res.warnings[0]["en"] and "呼救者" in res.warnings[0]["zh"]
    assert res.to_dict()["warnings"][0]["closure_id"] == over.closure_id
    # the segment the caller is on, closed: a warning too; elsewhere: none
    seg = res.target[0]
    segment_id = kailash.graph.edges[seg.u, seg.v, seg.key]["segment_id"]
    on = plan_with_closures(
        kailash, (lon, lat), [closure(kailash, segment_ids=[segment_id])], now=NOW
    )
    assert len(on.warnings) == 1
    assert plan_with_closures(kailash, (lon, lat), [far], now=NOW).warnings == ()


def test_a_closure_that_does_not_touch_the_plan_says_so(kailash: RouteNetwork) -> None:
    from shapely.geometry import LineString

    target = kailash.point_at("outer_kora", BELOW_PASS_KM)[:2]
    base = plan_approach(kailash, target)
    best = next(p for p in base.plans if p.station_id == base.recommended)
    way = LineString(
        [kailash.to_metric.transform(c[0], c[1]) for leg in best.legs for c in leg.geometry]
    )
    G = kailash.graph
    by_segment: dict[str, float] = {}
    for _u, _v, d in G.edges(data=True):
        sid = d.get("segment_id")
        if sid:
            line = LineString([c[:2] for c in d["geometry"].coords])
            by_segment[sid] = min(by_segment.get(sid, math.inf), way.distance(line))
    far = next(s for s, dist in sorted(by_segment.items()) if dist > 3000)
    on = next(s for s, dist in sorted(by_segment.items()) if dist == 0)
    closures = [
        closure(kailash, segment_ids=[far]),
        closure(kailash, segment_ids=[on], severity={"slow_factor": 1.5}),
    ]
    result = plan_with_closures(kailash, target, closures, now=NOW)
    plan = next(p for p in result.plans if p.station_id == best.station_id)
    untouched = {u["closure_id"]: u for u in plan.closures_untouched}
    assert set(untouched) == {closures[0].closure_id}  # the slowed stretch is on the way
    note = untouched[closures[0].closure_id]
    assert note["distance_m"] == pytest.approx(by_segment[far], rel=0.02)
    assert "does not touch this plan" in note["en"] and "unchanged" in note["en"]
    assert "未触及此方案" in note["zh"] and "积雪" in note["zh"]
    assert plan.to_dict()["closures_untouched"][0]["closure_id"] == closures[0].closure_id
    # the effects are written in both languages
    for effect in plan.closure_effects:
        assert effect.message_zh and ("多用" in effect.message_zh or "切断" in effect.message_zh)
    # no closures in force: nothing to say
    assert all(
        not p.closures_untouched for p in plan_with_closures(kailash, target, [], now=NOW).plans
    )
