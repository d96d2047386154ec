"""GPX 1.1 and KML of a plan (``rescue.plan_export``) on the committed Kailash network.

The GPX is validated against the GPX 1.1 schema (``tests/data/schemas/gpx-1.1.xsd``,
source in the README beside it) and read back with gpxpy; the KML is parsed back with
the standard library.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import gpxpy
import pytest
import xmlschema

from geodata import load_region
from geodata.errors import InvalidInput
from rescue.approach import ApproachResult, plan_approach
from rescue.plan_export import FieldPlan, bilingual, field_plan, to_gpx, to_kml
from routes import RouteNetwork, build_network

GPX_XSD = Path(__file__).resolve().parents[1] / "data" / "schemas" / "gpx-1.1.xsd"
KML = "{http://www.opengis.net/kml/2.2}"


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.fixture(scope="module")
def result(kailash: RouteNetwork) -> ApproachResult:
    lon, lat, _ = kailash.point_at("outer_kora", 26.0)  # below Drölma La, east side
    return plan_approach(kailash, (lon, lat))


@pytest.fixture(scope="module")
def exported(kailash: RouteNetwork, result: ApproachResult) -> FieldPlan:
    body = result.to_dict()
    plan = next(p for p in body["plans"] if p["station_id"] == body["recommended"])
    return field_plan(kailash, plan, target=body["target"], evacuation=body["evacuation"])


def test_the_gpx_is_valid_gpx_1_1(exported: FieldPlan) -> None:
    schema = xmlschema.XMLSchema(str(GPX_XSD))
    text = to_gpx(exported)
    schema.validate(text)  # raises with the path of the first error
    assert 'version="1.1"' in text


def test_the_gpx_loads_back_with_one_route_per_leg(
    exported: FieldPlan, result: ApproachResult
) -> None:
    gpx = gpxpy.parse(to_gpx(exported))
    assert result.evacuation is not None
    best = next(p for p in result.plans if p.station_id == result.recommended)
    n_approach = len(best.legs)
    n_evac = len(result.evacuation.carry_legs) + len(result.evacuation.vehicle_legs)
    assert len(gpx.routes) == n_approach + n_evac
    for rte, leg in zip(gpx.routes, best.legs, strict=False):
        assert rte.type == f"approach:{leg.mode}"
        first, last = rte.points[0], rte.points[-1]
        assert (first.longitude, first.latitude) == pytest.approx(leg.geometry[0][:2], abs=1e-6)
        assert (last.longitude, last.latitude) == pytest.approx(leg.geometry[-1][:2], abs=1e-6)
        # the heights of the network's 3D lines, to the metre
        assert first.elevation == pytest.approx(leg.geometry[0][2], abs=0.5)
        assert 4000 < last.elevation < 6000
        assert ("on foot" if leg.mode == "foot" else "vehicle") in rte.name
    assert all(r.type.startswith("evacuation:") for r in gpx.routes[n_approach:])
    kinds = [w.type for w in gpx.waypoints]
    assert kinds[0] == "station" and "target" in kinds
    assert "handover" in kinds and kinds[-1] == "clinic"


def test_waypoints_have_both_names(exported: FieldPlan) -> None:
    gpx = gpxpy.parse(to_gpx(exported))
    station = gpx.waypoints[0]
    clinic = gpx.waypoints[-1]
    assert " / " in station.name and any("\u4e00" <= ch <= "\u9fff" for ch in station.name)
    assert clinic.name == "Baga township health centre (Darchen clinic) / 巴嘎镇卫生院"


def test_the_kml_parses_back(exported: FieldPlan) -> None:
    root = ET.fromstring(to_kml(exported).encode())
    folders = root.findall(f"{KML}Document/{KML}Folder")
    legs, points = folders
    marks = legs.findall(f"{KML}Placemark")
    assert len(marks) == len(exported.routes)
    for mark, route in zip(marks, exported.routes, strict=True):
        coords = mark.find(f"{KML}LineString/{KML}coordinates").text.split()
        assert len(coords) == len(route.coordinates)
        lon, lat = map(float, coords[0].split(","))
        assert (lon, lat) == pytest.approx(route.coordinates[0][:2], abs=1e-6)
        assert mark.find(f"{KML}styleUrl").text == f"#leg-{route.mode}"
    names = [m.find(f"{KML}name").text for m in points.findall(f"{KML}Placemark")]
    assert names == [w.name for w in exported.waypoints]


def test_names_are_translated_from_the_data(kailash: RouteNetwork) -> None:
    places = kailash.region.places
    row = places[places["name_zh"].notna()].iloc[0]
    assert bilingual(kailash, row["name_en"]) == (row["name_en"], row["name_zh"])
    route_zh = kailash.routes.at["outer_kora", "name_zh"]
    route_en = kailash.routes.at["outer_kora", "name_en"]
    assert bilingual(kailash, f"km 3.2 on {route_en}")[1] == f"{route_zh} 3.2 公里处"
    assert bilingual(kailash, "no such place") == ("no such place", "")


@pytest.mark.parametrize(
    "plan",
    [
        {"legs": []},
        {"station_id": "x", "legs": [{"mode": "foot", "geometry": [[81.3, 31.0]]}]},
        {"station_id": "x", "legs": [{"mode": "foot", "geometry": [[81.3, 31.0], [500, 1]]}]},
    ],
)
def test_a_broken_plan_is_refused(kailash: RouteNetwork, plan: dict) -> None:
    with pytest.raises(InvalidInput):
        field_plan(kailash, plan)
