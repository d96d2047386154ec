"""The generated regions of the benchmarks: they load, are connected, and grow with the scale."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from bench.synthetic import tiled_network, tiled_region, write_tiles
from geodata import load_region
from routes import build_network

KAILASH_DIR = Path(__file__).resolve().parents[2] / "geodata"  # the committed region
pytestmark = pytest.mark.skipif(
    not (KAILASH_DIR / "kailash" / "metadata.json").is_file(),
    reason="needs the committed region geodata/kailash",
)


@pytest.fixture(scope="module")
def kailash_edges() -> int:
    return int(build_network(load_region("kailash", data_dir=KAILASH_DIR)).graph.number_of_edges())


@pytest.mark.parametrize("scale, columns", [(1, None), (3, None), (5, 2)])
def test_tiled_region_loads_connected_and_scales(
    tmp_path: Path, kailash_edges: int, scale: int, columns: int | None
) -> None:
    network = build_network(
        load_region("tiled", data_dir=tiled_region(scale, tmp_path, columns=columns))
    )
    G = network.graph
    assert nx.number_weakly_connected_components(G) == 1
    # every copy is a whole Kailash; each link road adds one edge pair
    assert G.number_of_edges() == scale * kailash_edges + 2 * (scale - 1)
    assert len(network.region.stations) == scale * len(
        load_region("kailash", data_dir=KAILASH_DIR).stations
    )
    assert f"outer_kora@{scale - 1}" in network.lines


def test_network_built_copy_by_copy_matches_the_whole_region(tmp_path: Path) -> None:
    from rescue.approach import plan_approach

    scale, columns, plain = 5, 2, 2
    whole = build_network(
        load_region(
            "tiled", data_dir=tiled_region(scale, tmp_path / "a", columns=columns, plain_copy=plain)
        )
    )
    joined = tiled_network(
        scale,
        write_tiles(scale, tmp_path / "b", columns=columns, plain_copy=plain),
        columns=columns,
        plain_copy=plain,
    )
    assert nx.number_weakly_connected_components(joined.graph) == 1
    assert sorted(k for *_, k in whole.graph.edges(keys=True)) == sorted(
        k for *_, k in joined.graph.edges(keys=True)
    )
    assert whole.graph.number_of_nodes() == joined.graph.number_of_nodes()
    assert set(whole.lines) == set(joined.lines)
    assert set(whole.region.stations.index) == set(joined.region.stations.index)
    for copy in (0, 3):
        lon, lat = whole.point_at(f"outer_kora@{copy}", 7.0)[:2]
        a = plan_approach(whole, (lon, lat))
        b = plan_approach(joined, (lon, lat))
        assert [(p.station_id, round(p.eta_s, 3)) for p in a.plans] == [
            (p.station_id, round(p.eta_s, 3)) for p in b.plans
        ]
        assert a.evacuation is not None and b.evacuation is not None
        assert a.evacuation.total_s == pytest.approx(b.evacuation.total_s, rel=1e-9)
