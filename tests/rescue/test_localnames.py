"""Chinese names beside the English ones the planner writes (``rescue.localnames``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from geodata import load_region
from rescue.localnames import name_zh, names_zh
from routes.network import RouteNetwork, build_network


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def test_stations_are_told_apart_in_chinese(kailash: RouteNetwork) -> None:
    """The data names six medical posts 医疗服务点: in Chinese each is told apart by the
    nearest place whose Chinese name is its own, so an officer reading Chinese can tell
    which post a plan sends."""
    table = names_zh(kailash)
    stations = kailash.region.stations
    pairs = zip(stations["name_en"], stations["name_zh"], strict=True)
    named = [en for en, zh in pairs if isinstance(zh, str)]
    shared = Counter(table[en] for en in named)
    assert [zh for zh, n in shared.items() if n > 1] == []
    chuku = table["Medical point at Chuku bridge supply"]
    assert chuku.startswith("医疗服务点（") and chuku.endswith("）") and "曲古" in chuku
    # a name of its own is left as the data has it
    assert table["Chuku bridge supply point"] == "曲古桥补给点"
    assert name_zh(kailash, "Tarchen Border Police Station") == "塔尔钦边境派出所"


def test_the_names_are_read_once_per_network(kailash: RouteNetwork) -> None:
    """Every leg of an approach answer asks for its names: the table is built once per
    network (a route-data version), not once per name (issue 18: it was half the CPU of
    an approach answer), and a new version of the data reads its names again."""
    table = names_zh(kailash)
    assert names_zh(kailash) is table
    region = load_region("kailash")
    places = region.places.copy()
    pid = places.index[places["name_en"] == "Chuku bridge supply point"][0]
    places.at[pid, "name_zh"] = "新的名字"
    renamed = build_network(replace(region, places=places))
    assert names_zh(renamed) is not table
    assert names_zh(renamed)["Chuku bridge supply point"] == "新的名字"
    assert table["Chuku bridge supply point"] == "曲古桥补给点"
