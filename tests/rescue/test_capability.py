"""Capability-aware recommendation (``rescue.capability``) on the committed Kailash network."""

from __future__ import annotations

import pytest

from geodata import load_region
from geodata.errors import InvalidInput
from rescue.approach import ApproachResult, plan_approach
from rescue.capability import NEEDS, infer_needs, resolve_needs, station_resources
from routes import RouteNetwork, build_network


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def _teahouse_target(net: RouteNetwork) -> tuple[float, float]:
    """A point on the trail beside the Gaize teahouse supply point (east side, far from Darchen)."""
    row = net.region.stations.loc["gaize_teahouse"]
    return float(row.geometry.x), float(row.geometry.y)


@pytest.fixture(scope="module")
def plain(kailash: RouteNetwork) -> ApproachResult:
    return plan_approach(kailash, _teahouse_target(kailash))


@pytest.fixture(scope="module")
def fracture(kailash: RouteNetwork) -> ApproachResult:
    return plan_approach(kailash, _teahouse_target(kailash), needs=("fracture",))


def _kind(net: RouteNetwork, station_id: str) -> str:
    return str(net.region.stations.at[station_id, "kind"])


def test_without_a_need_the_fastest_is_a_supply_point(
    kailash: RouteNetwork, plain: ApproachResult
) -> None:
    # the premise of the next test: the plain fastest is a teahouse/supply point
    assert plain.recommended == plain.plans[0].station_id
    assert _kind(kailash, plain.recommended) == "supply_point"
    assert plain.reason.startswith("fastest: ")


def test_a_fracture_is_not_given_a_teahouse(
    kailash: RouteNetwork, fracture: ApproachResult
) -> None:
    rec = fracture.recommended
    assert rec is not None
    assert _kind(kailash, rec) != "supply_point"
    plan = next(p for p in fracture.plans if p.station_id == rec)
    assert plan.offer is not None and not plan.offer.missing
    assert {"stretcher", "medic"} <= set(plan.offer.sends)
    # it is the fastest of those able to send it
    able = [p for p in fracture.plans if p.reachable and p.offer and not p.offer.missing]
    assert able[0].station_id == rec
    faster = [p for p in fracture.plans if p.reachable and p.eta_s < plan.eta_s]
    assert faster and all(p.offer and p.offer.missing for p in faster)
    assert "fracture" in fracture.reason and "cannot send" in fracture.reason
    assert "骨折" in fracture.reason_zh


def test_the_table_says_what_each_station_can_send(fracture: ApproachResult) -> None:
    body = fracture.to_dict()
    assert body["needs"][0]["need_id"] == "fracture"
    for p in body["plans"]:
        assert isinstance(p["sends"], list) and p["sends"]
        assert p["meets_need"] is (not p["missing"])
    teahouse = next(p for p in body["plans"] if p["station_id"] == "gaize_teahouse")
    assert [s["id"] for s in teahouse["sends"]] == ["foot_team", "horse"]
    assert {m["en"] for m in teahouse["missing"]} == {"a stretcher team", "a medic"}


def test_colocated_stations_with_one_eta_are_marked(kailash: RouteNetwork) -> None:
    row = kailash.region.stations.loc["chuku_bridge_supply"]
    res = plan_approach(kailash, (float(row.geometry.x), float(row.geometry.y) + 0.01))
    by_id = {p.station_id: p for p in res.plans}
    supply, med = by_id["chuku_bridge_supply"], by_id["med_chuku_bridge"]
    assert supply.eta_s == pytest.approx(med.eta_s, abs=1.0)
    assert supply.offer is not None and "med_chuku_bridge" in supply.offer.colocated
    assert med.offer is not None and "chuku_bridge_supply" in med.offer.colocated
    police = by_id["darchen_police_station"]
    assert police.offer is not None and "chuku_bridge_supply" not in police.offer.colocated


@pytest.mark.parametrize(
    ("cause", "text", "expected"),
    [
        ("injury", "右腿骨折，不能走", {"injury", "fracture"}),
        (None, "broken ankle near the river", {"fracture"}),
        ("altitude_sickness", "", {"altitude_sickness"}),
        ("exhaustion", None, {"exhaustion"}),
        ("other", "just tired", set()),
    ],
)
def test_needs_are_inferred_from_cause_and_words(
    cause: str | None, text: str | None, expected: set[str]
) -> None:
    assert set(infer_needs(cause, text)) == expected


def test_every_need_can_be_met_by_some_capability() -> None:
    everything = station_resources(["vehicle", "foot_team", "medical", "horse"])
    for need in NEEDS.values():
        for group in need.requires:
            assert set(group) & set(everything), (need.need_id, group)


def test_supply_points_send_no_stretcher_and_medical_posts_do() -> None:
    assert "stretcher" not in station_resources(["foot_team", "horse"])
    assert {"stretcher", "medic", "oxygen"} <= set(station_resources(["foot_team", "medical"]))
    assert station_resources(["foot_team"], ["oxygen", "nonsense"]) == ("oxygen", "foot_team")


def test_altitude_sickness_wants_a_medic(kailash: RouteNetwork) -> None:
    res = plan_approach(kailash, _teahouse_target(kailash), needs=("altitude_sickness",))
    rec = next(p for p in res.plans if p.station_id == res.recommended)
    assert rec.offer is not None and "medic" in rec.offer.sends


def test_unknown_needs_are_refused(kailash: RouteNetwork) -> None:
    with pytest.raises(InvalidInput, match="unknown need"):
        resolve_needs(["levitation"])
    with pytest.raises(InvalidInput, match="unknown need"):
        plan_approach(kailash, _teahouse_target(kailash), needs=("levitation",))
