"""The compiled multimodal state graph, checked against networkx on the same graphs."""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geodata import load_region
from routes import RouteNetwork, build_network
from routes.multimodal import (
    MODES,
    GroundOverlap,
    StateGraph,
    VirtualArc,
    state_graph,
    topology,
)
from tests.common import make_region_dir


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> RouteNetwork:
    root: Path = tmp_path_factory.mktemp("regions")
    make_region_dir(root / "tiny")
    return build_network(load_region("tiny", data_dir=root))


def _reference(net: RouteNetwork, profile: str) -> nx.DiGraph:
    """The drive-then-walk product graph built directly with networkx."""
    G = net.graph
    H = nx.DiGraph()
    for u, v, d in G.edges(data=True):
        for mode, prof in (("vehicle", "vehicle"), ("foot", profile)):
            c = d["duration_s"][prof]
            if mode in d["modes"] and c is not None:
                old = H.get_edge_data((u, mode), (v, mode), {"w": math.inf})["w"]
                H.add_edge((u, mode), (v, mode), w=min(old, c))
    for n in G:
        out = {m for _, _, d in G.out_edges(n, data=True) for m in d["modes"]}
        if {"vehicle", "foot"} <= out:
            H.add_edge((n, "vehicle"), (n, "foot"), w=0.0)
    return H


def _town(net: RouteNetwork) -> str:
    """The tiny region's road end at the town (the town itself is off the network)."""
    return next(v for _, v, k in net.graph.edges(keys=True) if k == "road:town#0:f")


def test_tiny_team_drives_to_the_trailhead_then_walks(tiny: RouteNetwork) -> None:
    sg = state_graph(tiny, "rescue_team")
    topo = sg.topo
    assert topo.transfer[topo.node_index["gate"]]  # road end meets the kora
    assert not topo.transfer[topo.node_index["north"]]
    found = sg.search([sg.state(_town(tiny), "vehicle")])
    dist = found.dist[0]
    # vehicles never reach the kora's far nodes in the vehicle layer...
    assert math.isinf(dist[sg.state("north", "vehicle")])
    # ...but a team reaches them on foot after parking at the gate
    assert math.isfinite(dist[sg.state("north", "foot")])
    arcs = sg.path(found, 0, sg.state("north", "foot"))
    modes = [sg.layers[sg.layer[a]] for a in arcs if sg.edge[a] >= 0]
    assert modes[0] == "vehicle" and modes[-1] == "foot"
    assert modes == sorted(modes, key=MODES.index)  # one change only
    assert sg.cost_s[arcs].sum() == pytest.approx(dist[sg.state("north", "foot")])


@pytest.mark.parametrize("profile", ["rescue_team", "pilgrim", "stretcher_carry"])
def test_distances_match_networkx_on_kailash(kailash: RouteNetwork, profile: str) -> None:
    sg = state_graph(kailash, profile)
    H = _reference(kailash, profile)
    for source in ("darchen", "dolma_la", "drirapuk_gompa", "zutulpuk_gompa"):
        if source not in kailash.graph:
            continue
        for mode in MODES:
            if (source, mode) not in H:
                continue
            expected = nx.single_source_dijkstra_path_length(H, (source, mode), weight="w")
            found = sg.search([sg.state(source, mode)]).dist[0]
            reached = {
                (sg.topo.nodes[s % sg.n_nodes], sg.layers[s // sg.n_nodes])
                for s in np.flatnonzero(np.isfinite(found)).tolist()
            }
            assert reached == set(expected)
            for (node, m), d in expected.items():
                assert found[sg.state(node, m)] == pytest.approx(d, rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_reverse_search_equals_forward_and_paths_are_contiguous(
    kailash: RouteNetwork, data: st.DataObject
) -> None:
    sg = state_graph(kailash)
    nodes = sorted(kailash.graph.nodes)
    s = sg.state(data.draw(st.sampled_from(nodes)), data.draw(st.sampled_from(MODES)))
    t = sg.state(data.draw(st.sampled_from(nodes)), "foot")
    fwd = sg.search([s])
    rev = sg.search([t], reverse=True)
    assert fwd.dist[0, t] == pytest.approx(rev.dist[0, s], rel=1e-9, abs=1e-6)
    if not math.isfinite(fwd.dist[0, t]) or s == t:
        return
    for found, row in ((fwd, t), (rev, s)):
        arcs = sg.path(found, 0, row)
        assert sg.tail[arcs[0]] == s and sg.head[arcs[-1]] == t
        assert all(sg.head[a] == sg.tail[b] for a, b in zip(arcs, arcs[1:], strict=False))
        assert sg.cost_s[arcs].sum() == pytest.approx(fwd.dist[0, t], rel=1e-9, abs=1e-6)


def test_hidden_edges_are_never_arcs(kailash: RouteNetwork) -> None:
    topo = topology(kailash)
    foot = topo.durations("rescue_team").copy()
    closed = [i for i, (_, _, k) in enumerate(topo.edges) if k.startswith("outer_kora:")][:40]
    foot[closed] = math.inf
    sg = StateGraph(topo, MODES, {"vehicle": topo.durations("vehicle"), "foot": foot})
    used = set(sg.edge[sg.layer == MODES.index("foot")].tolist())
    assert not used & set(closed)
    assert np.isfinite(sg.cost_s).all() and (sg.cost_s >= 0).all()
    # a vehicle-only road is never walked, whatever the cost array says
    roads = [i for i, (u, v, k) in enumerate(topo.edges) if not topo.allows["foot"][i]]
    assert roads
    everything = np.ones(len(topo.edges))
    sg = StateGraph(topo, MODES, {"vehicle": everything, "foot": everything})
    assert not set(sg.edge[sg.layer == 1].tolist()) & set(roads)


def test_virtual_target_splits_the_edge(tiny: RouteNetwork) -> None:
    topo = topology(tiny)
    sg0 = state_graph(tiny)
    e = next(i for i, (u, v, k) in enumerate(topo.edges) if k.endswith(":f") and u == "gate")
    u, v, key = topo.edges[e]
    r = topo.edge_index[key[:-1] + "r"]
    f = 0.3
    arcs = [
        VirtualArc(0, e, 0.0, f, 1, True),
        VirtualArc(0, r, 0.0, 1.0 - f, 1, True),
    ]
    costs = {"vehicle": topo.durations("vehicle"), "foot": topo.durations("rescue_team")}
    sg = StateGraph(topo, MODES, costs, 1, arcs)
    start = sg.state(_town(tiny), "vehicle")
    d = sg0.search([start]).dist[0]
    expected = min(
        d[sg0.state(u, "foot")] + f * costs["foot"][e],
        d[sg0.state(v, "foot")] + (1 - f) * costs["foot"][r],
    )
    assert sg.search([start]).dist[0, sg.virtual_state(0)] == pytest.approx(expected)
    assert sg.node_of(sg.virtual_state(0)) is None


def test_a_path_takes_the_cheapest_of_parallel_arcs_as_searched(tiny: RouteNetwork) -> None:
    """Arcs of a path are looked up all at once (issue 18); between two states joined by
    several arcs the path takes the cheapest under the costs searched (penalised ones for
    alternatives), the first of equal ones."""
    topo = topology(tiny)
    e = next(i for i, (u, v, k) in enumerate(topo.edges) if k.endswith(":f") and u == "gate")
    arcs = [
        VirtualArc(0, e, 0.0, 0.5, 1, True),
        VirtualArc(0, e, 0.0, 0.3, 1, True),  # the same two states, cheaper
        VirtualArc(0, e, 0.0, 0.3, 1, True),  # as cheap: never chosen over the one before
    ]
    costs = {"vehicle": topo.durations("vehicle"), "foot": topo.durations("rescue_team")}
    sg = StateGraph(topo, MODES, costs, 1, arcs)
    goal = sg.virtual_state(0)
    first = int(np.flatnonzero(sg.head == goal)[0])
    start = sg.state(_town(tiny), "vehicle")
    plain = sg.path(sg.search([start]), 0, goal)
    assert plain[-1] == first + 1
    assert sg.cost_s[plain[-1]] == pytest.approx(0.3 * costs["foot"][e])
    penalty = np.ones(len(sg.cost_s))
    penalty[[first + 1, first + 2]] = 3.0  # the cheaper two now cost 0.9 of the edge
    assert sg.path(sg.search([start], penalty=penalty), 0, goal)[-1] == first
    rev = sg.search([goal], reverse=True)
    assert sg.path(rev, 0, start)[-1] == first + 1
    assert sg.path(rev, 0, goal) == []


def test_piece_penalty_hits_both_directions(kailash: RouteNetwork) -> None:
    sg = state_graph(kailash)
    piece = int(sg.topo.piece[0])
    penalty = np.ones(len(sg.cost_s))
    sg.piece_penalty([piece], penalty, 3.0)
    hit = np.flatnonzero(penalty == 3.0)
    keys = {sg.topo.edges[sg.edge[a]][2] for a in hit}
    stem = sg.topo.pieces[piece]
    assert keys <= {f"{stem}:f", f"{stem}:r"} and len(keys) == 2
    assert (penalty[sg.edge < 0] == 1.0).all()  # transfers are never penalised


def test_ground_overlap(kailash: RouteNetwork) -> None:
    sg = state_graph(kailash)
    overlap = GroundOverlap(sg.topo, 30.0)

    def route(a: str, b: str) -> list[tuple[int, float, float]]:
        found = sg.search([sg.state(a, "foot")])
        arcs = sg.path(found, 0, sg.state(b, "foot"))
        return overlap.spans([(int(sg.edge[x]), 0.0, 1.0) for x in arcs if sg.edge[x] >= 0])

    there = route("darchen", "dolma_la")
    back = route("dolma_la", "darchen")
    assert overlap.shared_fraction(there, there) == pytest.approx(1.0)
    assert overlap.shared_fraction(there, back) > 0.95  # the same ground, walked backwards
    west = route("darchen", "drirapuk_iron_bridge")  # up the Lha Chu valley
    east = route("darchen", "zutulpuk_gompa")  # up the Zhong Chu valley
    # on foot the pass is nearer the east way: that path is most of the way there
    assert overlap.shared_fraction(east, there) > 0.9
    assert overlap.shared_fraction(west, there) < 0.1
    assert overlap.shared_fraction(east, west) < 0.2  # only the ground near Darchen
    assert overlap.length_m(there) > 10_000


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_shared_fraction_counts_the_samples_inside_each_part(
    kailash: RouteNetwork, data: st.DataObject
) -> None:
    """The samples inside a part are found as a run of the sorted positions (issue 18): the
    same fraction as testing every sample, for parts of pieces ending anywhere."""
    overlap = GroundOverlap(topology(kailash), 30.0)
    n = len(overlap.topo.pieces)

    def part() -> tuple[int, float, float]:
        p = data.draw(st.integers(0, n - 1))
        lo, hi = sorted(data.draw(st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2)))
        return p, lo, hi

    a = data.draw(st.lists(st.builds(part), min_size=1, max_size=5))
    b = data.draw(st.lists(st.builds(part), min_size=1, max_size=5))
    short, other_parts = (b, a) if overlap.length_m(a) > overlap.length_m(b) else (a, b)
    other = np.zeros(n, dtype=bool)
    other[[p for p, _, _ in other_parts]] = True
    total = near = 0.0
    for p, lo, hi in short:  # every sample tested, as before
        pos, point_i, piece_i = overlap._piece(p)
        inside = (pos >= lo - 1e-9) & (pos <= hi + 1e-9)
        close = np.zeros(len(pos), dtype=bool)
        close[point_i[other[piece_i]]] = True
        weight = overlap._lengths[p] / max(len(pos) - 1, 1)
        total += weight * np.count_nonzero(inside)
        near += weight * np.count_nonzero(inside & close)
    assert overlap.shared_fraction(a, b) == (1.0 if total <= 0 else near / total)
