"""routes.snap: the edge-key convention and point → (edge, fraction, offset) snapping."""

from __future__ import annotations

import pytest

from geodata import load_region
from routes import RouteNetwork, build_network
from routes.graph import (
    edge_key,
    edge_stem,
    is_forward,
    piece_number,
    piece_stem,
    reverse_key,
    split_edge_key,
)
from routes.network import Derived
from routes.snap import EdgeIndex, foot_edge_index, snap_to_edge
from tests.common import M, make_region_dir


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> RouteNetwork:
    data = tmp_path_factory.mktemp("data")
    make_region_dir(data / "tiny")
    return build_network(load_region("tiny", data_dir=data))


@pytest.mark.parametrize("forward", [True, False])
def test_edge_keys_round_trip(forward: bool) -> None:
    key = edge_key("ok_west#0", forward)
    assert key == ("ok_west#0:f" if forward else "ok_west#0:r")
    assert split_edge_key(key) == ("ok_west#0", forward)
    assert edge_stem(key) == "ok_west#0" and is_forward(key) is forward


def test_a_key_names_its_piece_and_its_twin() -> None:
    key = edge_key(piece_stem("outer_kora:a-b", 12), True)
    assert key == "outer_kora:a-b#12:f"
    assert piece_number(key) == 12 and piece_number(reverse_key(key)) == 12
    assert reverse_key(key) == "outer_kora:a-b#12:r" and reverse_key(reverse_key(key)) == key


@pytest.mark.parametrize("bad", ["way:f", "way#:r", "way#x:f"])
def test_a_key_without_a_piece_number_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="does not name a piece"):
        piece_number(bad)


@pytest.mark.parametrize("bad", ["ok_west#0", "ok_west#0:x", "", ":"])
def test_bad_edge_keys_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="does not end in"):
        split_edge_key(bad)


def test_every_graph_edge_follows_the_convention(tiny: RouteNetwork) -> None:
    stems: dict[str, set[bool]] = {}
    for u, v, k in tiny.graph.edges(keys=True):
        stem, forward = split_edge_key(k)
        stems.setdefault(stem, set()).add(forward)
        assert tiny.graph.has_edge(v, u, reverse_key(k)) and piece_number(k) >= 0
    assert stems and all(d == {True, False} for d in stems.values())


def test_a_point_on_a_vertex_snaps_with_no_offset(tiny: RouteNetwork) -> None:
    x, y = tiny.to_metric.transform(M[0], M[1])
    snap = foot_edge_index(tiny).snap(x, y)
    assert snap is not None
    assert is_forward(snap.key)
    assert snap.offset_m == pytest.approx(0.0, abs=1e-6)
    assert 0.0 <= snap.fraction <= 1.0
    assert (snap.x, snap.y) == pytest.approx((x, y), abs=1e-6)


def test_fraction_and_offset_on_a_given_edge(tiny: RouteNetwork) -> None:
    u, v, k = next(e for e in tiny.graph.edges(keys=True) if is_forward(e[2]))
    a, b = tiny.graph.nodes[u], tiny.graph.nodes[v]
    mx, my = (a["x"] + b["x"]) / 2, (a["y"] + b["y"]) / 2
    on = snap_to_edge(tiny.graph, (u, v, k), mx, my)
    assert on.edge == (u, v, k)
    assert 0.0 < on.fraction < 1.0
    off = snap_to_edge(tiny.graph, (u, v, k), mx + 50.0, my)
    assert off.offset_m > 0.0 and off.offset_m <= 50.0 + 1e-6


def test_an_empty_index_finds_nothing(tiny: RouteNetwork) -> None:
    index = EdgeIndex(tiny.graph, [])
    assert index.nearest(0.0, 0.0) is None and index.snap(0.0, 0.0) is None


def test_derived_slots_are_built_once_per_network(tiny: RouteNetwork) -> None:
    calls: list[int] = []

    def build(net: RouteNetwork) -> int:
        calls.append(1)
        return len(net.graph)

    slot: Derived[int] = Derived("tests.snap.count", build)
    assert slot.of(tiny) == slot.of(tiny) == len(tiny.graph)
    assert calls == [1]
    assert foot_edge_index(tiny) is foot_edge_index(tiny)
