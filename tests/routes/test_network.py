"""The route network on the tiny test region: graph contract, routes, segments, walking."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata import load_region
from geodata.errors import InvalidInput, NotFound
from routes import PROFILES, RouteNetwork, build_network
from routes.graph import PROFILE_MODES
from routes.validate import graph_problems
from tests.common import make_region_dir

FOOT = [p for p in PROFILES if PROFILE_MODES[p] == "foot"]


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> RouteNetwork:
    root: Path = tmp_path_factory.mktemp("regions")
    make_region_dir(root / "tiny")
    return build_network(load_region("tiny", data_dir=root))


def test_graph_meets_its_contract(network: RouteNetwork) -> None:
    assert graph_problems(network.graph) == []
    assert network.graph.graph["crs"] == "EPSG:32644"


def test_nodes_at_way_ends_junctions_and_places(network: RouteNetwork) -> None:
    G = network.graph
    # every on-network place is a node (named after it), the spur junction M splits ok_west
    for place in ("gate", "north", "east", "south", "shrine"):
        assert place in G
    ways_at_gate = {d["way_id"] for _, _, d in G.out_edges("gate", data=True)}
    assert ways_at_gate == {"ok_west", "ok_south", "road:town"}
    west_pieces = {k for _, _, k in G.edges(keys=True) if k.startswith("ok_west#")}
    assert west_pieces == {"ok_west#0:f", "ok_west#0:r", "ok_west#1:f", "ok_west#1:r"}


def test_edges_are_paired_and_lengths_use_length_factor(network: RouteNetwork) -> None:
    G = network.graph
    east = [d for _, _, d in G.edges(data=True) if d["way_id"] == "ok_east"]
    assert len(east) == 2
    geometric = east[0]["geometry"].length
    assert east[0]["length_m"] == pytest.approx(geometric * 1.25)
    assert east[0]["ascent_m"] == pytest.approx(east[1]["descent_m"])


def test_travel_time_depends_on_direction_and_profile(network: RouteNetwork) -> None:
    G = network.graph
    up = G.edges["north", "east", "ok_north#0:f"]  # B → C climbs 50 m
    down = G.edges["east", "north", "ok_north#0:r"]
    for profile in FOOT:
        assert up["duration_s"][profile] > down["duration_s"][profile] > 0
    assert up["duration_s"]["rescue_team"] < up["duration_s"]["pilgrim"]
    assert up["duration_s"]["pilgrim"] < up["duration_s"]["stretcher_carry"]
    assert up["duration_s"]["vehicle"] is None  # a foot trail


def test_vehicle_only_on_roads(network: RouteNetwork) -> None:
    for _, _, d in network.graph.edges(data=True):
        assert (d["duration_s"]["vehicle"] is not None) == ("vehicle" in d["modes"])


def test_kora_is_one_loop(network: RouteNetwork) -> None:
    line = network.line("outer_kora")
    assert line.loop
    total = sum(
        d["length_m"]
        for _, _, d in network.graph.edges(data=True)
        if d["route_id"] == "outer_kora" and d["forward"]
    )
    assert line.length_m == pytest.approx(total)
    stops = network.stops["outer_kora"]
    assert stops[0].node == "gate" and stops[0].km == 0.0


def test_every_edge_belongs_to_a_segment(network: RouteNetwork) -> None:
    segs = network.segments
    tagged = {d["segment_id"] for _, _, d in network.graph.edges(data=True)}
    assert tagged == set(segs.index)
    assert segs.index.is_unique
    road = segs.loc["road:town"]
    assert road["durations_s"]["vehicle"]["forward"] > 0
    assert road["durations_s"]["pilgrim"]["forward"] is None


def test_segment_columns(network: RouteNetwork) -> None:
    seg = network.segments[network.segments["route_id"] == "outer_kora"].iloc[0]
    assert seg["name_en"].startswith("Kora gate →")
    assert "→" in seg["name_zh"]
    assert seg["km_from"] == 0.0
    assert seg["elevation_min_m"] <= seg["elevation_max_m"]
    for profile in FOOT:
        assert seg["durations_s"][profile]["forward"] > 0
        assert seg["durations_s"][profile]["reverse"] > 0


def test_every_segment_reachable_from_the_gate_on_foot(network: RouteNetwork) -> None:
    G = network.graph
    for profile in FOOT:
        sub = nx.subgraph_view(
            G, filter_edge=lambda u, v, k, p=profile: G.edges[u, v, k]["duration_s"][p] is not None
        )
        reach = nx.descendants(sub, "gate") | {"gate"}
        foot_segments = {d["segment_id"] for u, _, d in G.edges(data=True) if u in reach}
        trail_segments = set(network.segments[network.segments["route_id"].notna()].index)
        assert trail_segments <= foot_segments


def test_locate_and_point_at_round_trip(network: RouteNetwork) -> None:
    lon, lat, ele = network.point_at("outer_kora", 1.5)
    pos = network.locate(lon, lat, "outer_kora")
    assert pos.km == pytest.approx(1.5, abs=1e-6)
    assert pos.offset_m == pytest.approx(0.0, abs=0.01)
    assert 4700 <= ele <= 4800
    assert network.place_km("north", "outer_kora") == pytest.approx(
        network.line("outer_kora").locate(*_xy(network, "north")).km
    )


def _xy(network: RouteNetwork, place_id: str) -> tuple[float, float]:
    pt = network.region.places.geometry[place_id]
    x, y = network.to_metric.transform(pt.x, pt.y)
    return float(x), float(y)


def test_walk_direction(network: RouteNetwork) -> None:
    total = network.line("outer_kora").length_m / 1000.0
    cw = network.walk("outer_kora", 0.0, 600.0, direction="clockwise")
    ccw = network.walk("outer_kora", 0.0, 600.0, direction="counterclockwise")
    assert 0.0 < cw.position.km < total / 2 < ccw.position.km < total
    assert cw.duration_s == 600.0 and not cw.reached_end
    # a slower walker covers less ground in the same time
    slow = network.walk("outer_kora", 0.0, 600.0, pace=1.5)
    assert slow.position.km < cw.position.km


@settings(max_examples=40, deadline=None)
@given(
    start=st.floats(min_value=0.0, max_value=4.0),
    t1=st.floats(min_value=0.0, max_value=3000.0),
    t2=st.floats(min_value=0.0, max_value=3000.0),
)
def test_walk_is_additive(network: RouteNetwork, start: float, t1: float, t2: float) -> None:
    line = network.line("outer_kora")
    start = start % (line.length_m / 1000.0)
    once = network.walk("outer_kora", start, t1 + t2)
    twice = network.walk("outer_kora", network.walk("outer_kora", start, t1).position.km, t2)
    assert once.position.km == pytest.approx(twice.position.km, abs=1e-3) or math.isclose(
        abs(once.position.km - twice.position.km), line.length_m / 1000.0, abs_tol=1e-3
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"duration_s": -1.0}, "non-negative"),
        ({"duration_s": math.nan}, "non-negative"),
        ({"pace": 0.0}, "pace must be a positive"),
        ({"direction": "widdershins"}, "direction 'widdershins'"),
        ({"profile": "yak"}, "profile 'yak'"),
    ],
)
def test_walk_rejects_bad_input(network: RouteNetwork, kwargs: dict, message: str) -> None:
    args = {"duration_s": 60.0} | kwargs
    with pytest.raises(InvalidInput, match=message):
        network.walk("outer_kora", 0.0, **args)


def test_unknown_route_is_not_found(network: RouteNetwork) -> None:
    with pytest.raises(NotFound, match="unknown route 'nope'"):
        network.line("nope")
