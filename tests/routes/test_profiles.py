"""Travel profiles as region data (issue 14): parameters, sources and 80 % ranges."""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from typing import Any

import numpy as np
import pytest

from geodata.errors import InvalidInput
from routes.costs import (
    DEFAULT_PROFILES,
    PROFILES,
    PROFILES_FILE,
    WalkingModel,
    duration_s,
    load_profiles,
)
from routes.graph import PROFILE_MODES

MODEL = WalkingModel(flat_speed_mps=1.1, altitude_slowdown_per_1000m=0.2, rest_allowance=0.35)
FLAT = np.array([[1000.0, 0.0, 4800.0]])
STEEP_DOWN = np.array([[500.0, -100.0, 5400.0]])


def _document() -> dict[str, Any]:
    package, name = PROFILES_FILE
    return json.loads(files(package).joinpath(name).read_text(encoding="utf-8"))


def test_the_region_file_gives_every_builtin_profile_in_order() -> None:
    assert tuple(load_profiles(_document())) == PROFILES == tuple(DEFAULT_PROFILES)
    assert PROFILE_MODES["horse"] == "foot" and PROFILE_MODES["vehicle"] == "vehicle"


@pytest.mark.parametrize("name", ["rescue_team", "stretcher_carry", "horse"])
def test_assumed_profiles_cite_public_sources_and_state_a_range(name: str) -> None:
    prof = DEFAULT_PROFILES[name]
    assert prof.sources and all(u.startswith(("http://", "https://")) for u in prof.sources)
    assert prof.range_p10 is not None and prof.range_p90 is not None
    assert prof.range_p10 < 1.0 < prof.range_p90
    basis = {p["name"]: p["basis"] for p in _document()["profiles"]}
    assert len(basis[name]) > 100  # the judgement behind the numbers is written down


def test_pilgrim_range_is_the_measured_one() -> None:
    assert DEFAULT_PROFILES["pilgrim"].range_p10 is None  # calibration's trip-length spread


def test_speeds_are_ordered_team_horse_pilgrim_stretcher() -> None:
    t = {p: duration_s(p, FLAT, surface=None, model=MODEL) for p in PROFILES[:4]}
    assert t["rescue_team"] < t["horse"] < t["pilgrim"] < t["stretcher_carry"]
    # a six-bearer carry with relays: about 1 km/h on the flat at 4,800 m (0.7-1.3 km/h)
    assert 0.7 < 3600.0 / t["stretcher_carry"] < 1.3


def test_a_horse_loses_more_than_a_walker_on_a_steep_descent() -> None:
    def ratio(p: str) -> float:
        return duration_s(p, STEEP_DOWN, surface=None, model=MODEL) / duration_s(
            p, FLAT, surface=None, model=MODEL
        )

    assert ratio("horse") > ratio("rescue_team")


def _bad(mutate: Any) -> dict[str, Any]:
    doc = copy.deepcopy(_document())
    mutate(doc)
    return doc


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(format="x"), "format="),
        (lambda d: d["profiles"].pop(3), "expected exactly"),
        (lambda d: d["profiles"][1].pop("sources"), "missing key 'sources'"),
        (lambda d: d["profiles"][1].update(speed=3), "unknown key 'speed'"),
        (lambda d: d["profiles"][2].update(range_p10=1.2), "0 < p10 <= 1 <= p90"),
        (lambda d: d["profiles"][2].update(range_p90=None), "both be numbers or both None"),
        (lambda d: d["profiles"][3].update(pace_multiplier=-1), "pace_multiplier=-1"),
        (lambda d: d["profiles"][3].update(mode="boat"), "mode='boat'"),
        (lambda d: d["profiles"][1].pop("no_go"), "missing key 'no_go'"),
        (lambda d: d["profiles"][3].update(no_go={}), "no_go must be a list"),
        (lambda d: d["profiles"][3]["no_go"][0].pop("basis"), "no_go[0] needs exactly the keys"),
        (lambda d: d["profiles"][3]["no_go"][0].update(sources=[]), "non-empty tuple"),
        (lambda d: d["profiles"][3]["no_go"][0].update(route_id=""), "route_id=''"),
    ],
)
def test_a_bad_profiles_file_names_profile_and_field(mutate: Any, expected: str) -> None:
    with pytest.raises(InvalidInput) as err:
        load_profiles(_bad(mutate), source="profiles.json")
    assert "profiles.json" in str(err.value) and expected in str(err.value)


def test_every_problem_is_listed_at_once() -> None:
    def two(d: dict[str, Any]) -> None:
        d["profiles"][1].update(range_p10=2.0)
        d["profiles"][3].update(mode="boat")

    with pytest.raises(InvalidInput) as err:
        load_profiles(_bad(two))
    assert len(err.value.details) == 2


@pytest.mark.parametrize("doc", [None, [], {"format": "sandtable.profiles/1"}])
def test_not_a_profiles_document(doc: Any) -> None:
    with pytest.raises(InvalidInput):
        load_profiles(doc)


def test_the_horse_may_not_use_the_descent_from_drolma_la() -> None:
    """Issue 14: ponies cannot be used on the steep descent east of the pass (cited data)."""
    horse = DEFAULT_PROFILES["horse"]
    assert [(n.route_id, n.from_place_id, n.to_place_id) for n in horse.no_go] == [
        ("outer_kora", "dolma_la", "phakna_rigzin_supply")
    ]
    assert all(n.sources and n.basis for n in horse.no_go)
    assert all(not DEFAULT_PROFILES[p].no_go for p in PROFILES if p != "horse")


def _way(way_id: str, a: str, b: str, variant: str | None = None) -> tuple[str, dict[str, Any]]:
    props = {"route_id": "outer_kora", "variant": variant, "from_place_id": a, "to_place_id": b}
    return way_id, props


def test_no_go_ways_follow_the_route_from_place_to_place() -> None:
    from routes.graph import no_go_ways

    ways = [
        _way("w1", "karma_horse", "dolma_la"),
        _way("w2", "dolma_la", "gauri_kund"),
        _way("w2b", "dolma_la", "gauri_kund", variant="other_bank"),
        _way("w3", "gauri_kund", "phakna_rigzin_supply"),
        _way("w4", "phakna_rigzin_supply", "polonggu_supply"),
    ]
    assert no_go_ways(ways) == {"w2": frozenset({"horse"}), "w3": frozenset({"horse"})}
    assert no_go_ways([_way("x", "darchen_kora_gate", "tarboche")]) == {}  # not this region
    with pytest.raises(InvalidInput, match="does not follow"):
        no_go_ways([_way("w2", "dolma_la", "gauri_kund")])


def test_the_graph_gives_the_horse_no_way_down_the_descent() -> None:
    from geodata import load_region
    from routes import build_network
    from routes.graph import allowed
    from routes.validate import graph_problems

    G = build_network(load_region("kailash")).graph
    closed = [d for _, _, d in G.edges(data=True) if d["closed_to"]]
    assert {d["way_id"] for d in closed} == {
        "outer_kora:dolma_la-gauri_kund",
        "outer_kora:gauri_kund-phakna_rigzin_supply",
    }
    for d in closed:
        assert d["duration_s"]["horse"] is None and not allowed("horse", d)
        assert d["duration_s"]["rescue_team"] > 0 and allowed("rescue_team", d)
    assert graph_problems(G) == []
    H = G.copy()
    u, v, k = next((u, v, k) for u, v, k, e in H.edges(keys=True, data=True) if e["closed_to"])
    H.edges[u, v, k]["duration_s"] = {**H.edges[u, v, k]["duration_s"], "horse": 60.0}
    assert any("may not use" in p for p in graph_problems(H))
