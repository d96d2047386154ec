"""GPX/KML downloads of a plan: ``POST /api/approach/plan.gpx|kml`` and an incident's saved plan."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import gpxpy
from flask.testing import FlaskClient

from routes import RouteNetwork
from tests.web.conftest import sign_in

POLICE = "darchen_police_station"


def _target(net: RouteNetwork) -> dict[str, float]:
    lon, lat, _ = net.point_at("outer_kora", 26.0)
    return {"lon": lon, "lat": lat}


def test_gpx_of_the_recommended_plan(client: FlaskClient, kailash_network: RouteNetwork) -> None:
    target = _target(kailash_network)
    plans = client.post("/api/approach", json={"target": target}).get_json()
    r = client.post("/api/approach/plan.gpx", json={"target": target})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.mimetype == "application/gpx+xml"
    assert "attachment" in r.headers["Content-Disposition"]
    gpx = gpxpy.parse(r.get_data(as_text=True))
    best = next(p for p in plans["plans"] if p["station_id"] == plans["recommended"])
    assert [rte.type for rte in gpx.routes[: len(best["legs"])]] == [
        f"approach:{leg['mode']}" for leg in best["legs"]
    ]
    assert gpx.waypoints[0].name.startswith(best["station_name"])


def test_kml_of_a_chosen_station(client: FlaskClient, kailash_network: RouteNetwork) -> None:
    r = client.post(
        "/api/approach/plan.kml",
        json={"target": _target(kailash_network), "station_id": POLICE, "stations": [POLICE]},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    root = ET.fromstring(r.get_data())
    assert root.tag == "{http://www.opengis.net/kml/2.2}kml"
    assert "Tarchen Border Police Station" in r.get_data(as_text=True)


def test_an_unknown_station_is_a_422(client: FlaskClient, kailash_network: RouteNetwork) -> None:
    r = client.post(
        "/api/approach/plan.gpx", json={"target": _target(kailash_network), "station_id": "nope"}
    )
    assert r.status_code == 422
    assert "nope" in r.get_json()["error"]["message"]


def test_an_incidents_saved_plan(client: FlaskClient, kailash_network: RouteNetwork) -> None:
    target = _target(kailash_network)
    created = client.post(
        "/api/incidents", json={"description": "fell below the pass", "location": target}
    ).get_json()["incident"]
    number = created["incident_id"]
    missing = client.get(f"/api/incidents/{number}/plan.gpx")
    assert missing.status_code == 404
    assert "no saved plan" in missing.get_json()["error"]["message"]
    answer = client.post("/api/approach", json={"target": target}).get_json()
    plan = {k: v for k, v in answer["plans"][0].items() if k != "alternatives"}
    r = client.patch(
        f"/api/incidents/{number}", json={"base_version": created["version"], "plan": plan}
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    gpx = gpxpy.parse(client.get(f"/api/incidents/{number}/plan.gpx").get_data(as_text=True))
    assert f"incident {number}" in gpx.name
    assert len(gpx.routes) >= len(plan["legs"])
    assert {"station", "target", "handover", "clinic"} <= {w.type for w in gpx.waypoints}
    kml = client.get(f"/api/incidents/{number}/plan.kml")
    assert kml.status_code == 200
    ET.fromstring(kml.get_data())


def test_planners_may_not_export(app, kailash_network: RouteNetwork) -> None:  # type: ignore[no-untyped-def]
    c = app.test_client()
    sign_in(c, "planner")
    r = c.post("/api/approach/plan.gpx", json={"target": _target(kailash_network)})
    assert r.status_code == 403


def test_approach_takes_the_incidents_need(
    client: FlaskClient, kailash_network: RouteNetwork
) -> None:
    row = kailash_network.region.stations.loc["gaize_teahouse"]
    target = {"lon": float(row.geometry.x), "lat": float(row.geometry.y)}
    body = client.post(
        "/api/approach", json={"target": target, "cause": "injury", "condition": "左腿骨折"}
    ).get_json()
    assert [n["need_id"] for n in body["needs"]] == ["fracture", "injury"]
    assert body["recommended"] != "gaize_teahouse"
    assert "骨折" in body["reason_zh"]
    bad = client.post("/api/approach", json={"target": target, "needs": ["levitation"]})
    assert bad.status_code == 422
    assert "levitation" in bad.get_json()["error"]["message"]
    bad = client.post("/api/approach", json={"target": target, "cause": "boredom"})
    assert bad.status_code == 422


def test_field_sheet_of_a_plan_and_the_page(
    client: FlaskClient, kailash_network: RouteNetwork
) -> None:
    r = client.post(
        "/api/approach/field-sheet",
        json={"target": _target(kailash_network), "needs": ["fracture"]},
    )
    assert r.status_code == 200, r.get_data(as_text=True)
    sheet = r.get_json()
    assert sheet["targets"][0]["utm"]["crs"] == "EPSG:32644"
    assert sheet["legs"] and sheet["contacts"]
    page = client.get("/field-sheet?incident=3")
    assert page.status_code == 200
    assert b"@media print" not in page.data  # the print rules live in the static CSS
    assert b"field_sheet.js" in page.data
    assert client.get("/field-sheet?incident=x").status_code == 422
    assert client.get("/field-sheet?bogus=1").status_code == 422
