"""Each documented 2xx answer (a pydantic model of web.answers and the views) describes
what the app really sends: real answers validate against the model the operation declares,
in English and in Chinese, and the document refers to that model's generated schema."""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import BaseModel, ValidationError

from geodata import load_region
from rescue.approach import plan_with_closures
from rescue.closures import LOCAL_TZ, parse_closure
from rescue.elevation_profile import approach_profiles
from rescue.localnames import localize_approach
from routes import build_network
from tests.common import make_region_dir, tiny_region_layers
from tests.relief_data import PEAK_LAT, PEAK_LON, geotiff_bytes, mbtiles_bytes
from tests.web.conftest import signed_in_client
from web import answers, openapi, planner_api, relief_api, reports, teams_api

DROLMA = {"segment_id": "outer_kora:dolma_la-phakna_rigzin_supply"}
CLOSURE = {
    "segment_ids": ["road:phakna_zutulpuk_track"],
    "reason": "snow",
    "modes": "all",
    "severity": "closed",
}


def _declared(method: str, rule: str, status: int) -> type[BaseModel]:
    """The model the operation declares for ``status``."""
    media = openapi.OPERATIONS[(method, rule)]["ok"][status]
    model = media if isinstance(media, type) else next(iter(media.values()))
    assert isinstance(model, type) and issubclass(model, BaseModel), (method, rule, media)
    return model


def _documented(app: Flask, method: str, path: str, status: int) -> str:
    """The schema name the document gives for the answer."""
    doc = openapi.document(app)
    content = doc["paths"][path][method.lower()]["responses"][str(status)]["content"]
    ref: str = next(iter(content.values()))["schema"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    assert name in doc["components"]["schemas"]
    return name


def _check(
    app: Flask, answer: Any, method: str, rule: str, status: int, path: str | None = None
) -> BaseModel:
    assert answer.status_code == status, answer.get_data(as_text=True)[:500]
    model = _declared(method, rule, status)
    assert _documented(app, method, path or rule, status) == model.__name__
    return model.model_validate(answer.get_json())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_layers_closures_incidents_and_versions_answer_as_documented(
    app: Flask, client: FlaskClient, lang: str
) -> None:
    for layer in ("routes", "segments", "places", "stations"):
        _check(app, client.get(f"/api/{layer}?lang={lang}"), "GET", f"/api/{layer}", 200)
    _check(app, client.get(f"/api/km-posts?lang={lang}"), "GET", "/api/km-posts", 200)
    one = "/api/<any(routes, segments, places, stations):layer>/<feature_id>"
    place = client.get(f"/api/places/darchen?lang={lang}")
    assert place.status_code == 200
    assert answers.LAYER_FEATURES["places"].model_validate(place.get_json())
    assert _documented(app, "GET", "/api/places/{feature_id}", 200) == "PlaceFeature"
    assert openapi.OPERATIONS[("GET", one)]

    created = client.post(f"/api/closures?lang={lang}", json=CLOSURE)
    closure = _check(app, created, "POST", "/api/closures", 201)
    assert isinstance(closure, answers.Closure) and closure.valid_from
    _check(app, client.get(f"/api/closures?lang={lang}"), "GET", "/api/closures", 200)

    incident = client.post(f"/api/incidents?lang={lang}", json={"description": "lost"})
    made = _check(app, incident, "POST", "/api/incidents", 201)
    assert isinstance(made, answers.CreatedIncident) and made.created
    _check(app, client.get(f"/api/incidents?lang={lang}"), "GET", "/api/incidents", 200)

    stored = client.get("/api/data/places/tarboche").get_json()
    edit = {"feature": stored["feature"], "base_revision": stored["revision"], "message": "e"}
    rule = f"/api/data/{planner_api._LAYER}/<feature_id>"
    version = _check(
        app,
        client.put(f"/api/data/places/tarboche?lang={lang}", json=edit),
        "PUT",
        rule,
        201,
        path="/api/data/places/{feature_id}",
    )
    assert isinstance(version, answers.VersionAnswer) and version.version.version_id


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plans_searches_and_find_me_answer_as_documented(
    app: Flask, client: FlaskClient, lang: str
) -> None:
    found = client.get(f"/api/search/places?q=darchen&limit=3&lang={lang}")
    places = _check(app, found, "GET", "/api/search/places", 200)
    assert isinstance(places, BaseModel) and places.model_dump()["count"] >= 1
    read = client.get(f"/api/search/coordinates?q=31.0667,81.3125&lang={lang}")
    _check(app, read, "GET", "/api/search/coordinates", 200)

    lean = _check(
        app,
        client.post(f"/api/approach?lang={lang}", json={"target": DROLMA}),
        "POST",
        "/api/approach",
        200,
    )
    assert isinstance(lean, answers.ApproachAnswer) and lean.recommended and lean.reason
    full = client.post(f"/api/approach?lang={lang}", json={"target": DROLMA, "geometry": "all"})
    _check(app, full, "POST", "/api/approach", 200)
    sheet = client.post(f"/api/approach/field-sheet?lang={lang}", json={"target": DROLMA})
    _check(app, sheet, "POST", "/api/approach/field-sheet", 200)

    incident = client.post("/api/incidents", json={"description": "lost"}).get_json()["incident"]
    rule = "/api/incidents/<int:incident_id>/find-me"
    made = client.post(f"/api/incidents/{incident['incident_id']}/find-me?lang={lang}")
    link = _check(app, made, "POST", rule, 201, path="/api/incidents/{incident_id}/find-me")
    assert isinstance(link, answers.FindMeLink)
    token = link.link.url.rsplit("/", 1)[-1]
    fix = {"lat": 31.07, "lon": 81.31, "accuracy_m": 12}
    sent = app.test_client().post(f"/api/find-me/{token}?lang={lang}", json=fix)
    _check(app, sent, "POST", "/api/find-me/<token>", 200, path="/api/find-me/{token}")


def test_an_answer_that_is_not_what_is_documented_fails_the_model() -> None:
    """The models check: a closure without its start, a collection of the wrong type."""
    with pytest.raises(ValidationError):
        answers.Closure.model_validate({"closure_id": "1", "reason": "snow", "modes": "all"})
    with pytest.raises(ValidationError):
        answers.LAYER_COLLECTIONS["places"].model_validate({"type": "Feature", "features": []})
    feature = {"type": "Feature", "id": "x", "geometry": None, "properties": {}}
    with pytest.raises(ValidationError):  # every documented property is required
        answers.LAYER_FEATURES["stations"].model_validate(feature)


#: what a station's plan in ``POST /api/approach`` holds (rescue.approach.Plan, the offer of
#: rescue.capability, the Chinese names of rescue.localnames)
PLAN_FIELDS = {
    "station_id",
    "station_name",
    "station_name_zh",
    "reachable",
    "eta_s",
    "eta_range_s",
    "far_eta_s",
    "arrive_at",
    "arrival",
    "gap_m",
    "legs",
    "alternatives",
    "closures_applied",
    "closure_effects",
    "closures_untouched",
    "sends",
    "meets_need",
    "missing",
    "colocated",
}
LEG_FIELDS = {"mode", "from", "to", "from_zh", "to_zh", "length_m", "duration_s", "geometry"}


def _schema(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its ``$ref`` followed, and the non-null branch of an ``anyOf``."""
    if "$ref" in schema:
        return _schema(doc, doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    branches = [s for s in schema.get("anyOf", ()) if s.get("type") != "null"]
    return _schema(doc, branches[0]) if len(branches) == 1 else schema


def _undocumented(doc: dict[str, Any], schema: dict[str, Any], value: Any, at: str) -> list[str]:
    """Where ``value`` has an object member its documented schema does not name."""
    schema = _schema(doc, schema)
    if isinstance(value, list) and "items" in schema:
        return [
            where
            for i, item in enumerate(value)
            for where in _undocumented(doc, schema["items"], item, f"{at}[{i}]")
        ]
    if not isinstance(value, dict) or "properties" not in schema:
        return []
    props = schema["properties"]
    return [f"{at}.{k}" for k in value if k not in props] + [
        where
        for k, v in value.items()
        if k in props
        for where in _undocumented(doc, props[k], v, f"{at}.{k}")
    ]


def test_the_approach_answers_plans_are_documented_field_by_field(app: Flask) -> None:
    doc = openapi.document(app)
    answer = doc["components"]["schemas"]["ApproachAnswer"]
    plan = _schema(doc, answer["properties"]["plans"]["items"])
    assert PLAN_FIELDS <= set(plan["properties"])
    assert {"station_id", "eta_s", "legs", "reachable"} <= set(plan["required"])
    leg = _schema(doc, plan["properties"]["legs"]["items"])
    assert LEG_FIELDS <= set(leg["properties"])
    assert set(_schema(doc, leg["properties"]["mode"])["enum"]) == {"foot", "vehicle"}
    effect = _schema(doc, plan["properties"]["closure_effects"]["items"])
    assert {"closure_id", "extra_s", "message", "message_zh"} <= set(effect["properties"])
    alternative = _schema(doc, plan["properties"]["alternatives"]["items"])
    assert _schema(doc, alternative["properties"]["legs"]["items"]) == leg


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_real_approach_answer_is_what_the_document_says(
    app: Flask, client: FlaskClient, kailash_network: Any, lang: str
) -> None:
    """Plans with closures on and beside their way, needs and every line validate, and no
    plan, leg or effect sends a field the document does not name."""
    for segment in ("road:phakna_zutulpuk_track", "road:darchen_tarboche"):
        closed = {**CLOSURE, "segment_ids": [segment], "reason": "landslide"}
        assert client.post("/api/closures", json=closed).status_code == 201
    lon, lat, _ = kailash_network.point_at("outer_kora", 26.0)
    body = {"target": {"lon": lon, "lat": lat}, "geometry": "all", "needs": ["fracture"]}
    sent = client.post(f"/api/approach?lang={lang}", json=body)
    found = _check(app, sent, "POST", "/api/approach", 200)
    assert isinstance(found, answers.ApproachAnswer)
    plans = found.plans
    assert all(isinstance(p, answers.StationPlan) for p in plans)
    # the answer exercises what the models describe: effects, untouched closures, offers
    assert any(p.closure_effects for p in plans) and any(p.closures_untouched for p in plans)
    assert any(p.missing for p in plans) and any(p.alternatives for p in plans)
    legs = [leg for p in plans for leg in p.legs]
    assert legs and all(leg.geometry and leg.from_ and leg.from_zh for leg in legs)
    doc = openapi.document(app)
    schema = doc["components"]["schemas"]["ApproachAnswer"]
    plans_schema = schema["properties"]["plans"]
    assert _undocumented(doc, plans_schema, sent.get_json()["plans"], "plans") == []


def test_a_plan_that_is_not_what_is_documented_fails_the_model() -> None:
    """A plan without its legs and arrival, a leg without its duration."""
    with pytest.raises(ValidationError):
        answers.StationPlan.model_validate({"station_id": "x", "station_name": "X", "eta_s": 1})
    leg = {"mode": "foot", "from": "a", "to": "b", "length_m": 1.0, "ascent_m": 0.0}
    with pytest.raises(ValidationError):  # duration and descent missing
        answers.PlanLeg.model_validate(leg)
    full = {**leg, "descent_m": 0.0, "duration_s": 60.0, "geometry": None}
    assert answers.PlanLeg.model_validate(full).from_ == "a"


#: the approach answer's parts and the field sheet's (issue 15): property -> schema
APPROACH_PARTS = {
    "evacuation": "Evacuation",
    "warnings": "TargetWarning",
    "needs": "NeedServed",
    "target": "TargetPoint",
    "landing_site": "LandingSite",
    "elevation_model": "ElevationModelUsed",
}
SHEET_PARTS = {
    "station": "SheetStation",
    "targets": "SheetTarget",
    "legs": "SheetLeg",
    "evacuation": "SheetEvacuation",
    "contacts": "SheetStation",
    "reason": "Bilingual",
    "elevation_model": "ElevationModelUsed",
}


def _named(doc: dict[str, Any], schema: dict[str, Any]) -> str:
    """The component a property refers to (through an array's items and a null branch)."""
    schema = schema.get("items", schema)
    branches = [s for s in schema.get("anyOf", ()) if s.get("type") != "null"]
    found = branches[0] if len(branches) == 1 else schema
    found = found.get("items", found)
    name: str = found["$ref"].rsplit("/", 1)[-1]
    assert name in doc["components"]["schemas"], name
    return name


def test_the_approach_answers_parts_and_the_field_sheet_are_named_schemas(app: Flask) -> None:
    doc = openapi.document(app)
    schemas = doc["components"]["schemas"]
    answer = schemas["ApproachAnswer"]["properties"]
    assert {p: _named(doc, answer[p]) for p in APPROACH_PARTS} == APPROACH_PARTS
    evacuation = schemas["Evacuation"]["properties"]
    assert _named(doc, evacuation["carry_legs"]) == _named(doc, evacuation["vehicle_legs"])
    assert _named(doc, evacuation["carry_legs"]) == "PlanLeg"
    assert {"handover", "destination", "total_s"} <= set(schemas["Evacuation"]["required"])
    sheet = schemas["FieldSheet"]["properties"]
    assert {p: _named(doc, sheet[p]) for p in SHEET_PARTS} == SHEET_PARTS
    leg = schemas["SheetLeg"]
    assert {"from", "to", "mode_name", "duration_s", "geometry"} <= set(leg["required"])
    assert _named(doc, schemas["SheetEvacuation"]["properties"]["legs"]) == "SheetLeg"
    assert _named(doc, schemas["SheetTarget"]["properties"]["utm"]) == "SheetUtm"
    # no part of either answer is a bare object any more
    for name in ("ApproachAnswer", "Evacuation", "FieldSheet", "SheetEvacuation"):
        for prop, schema in schemas[name]["properties"].items():
            assert schema.get("type") != "object", (name, prop)
            assert {"type": "object"} not in schema.get("anyOf", ()), (name, prop)


def _covering_box(lon: float, lat: float, d: float = 0.0005) -> dict[str, Any]:
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_real_approach_answers_every_part_is_what_the_document_says(
    app: Flask, client: FlaskClient, kailash_network: Any, lang: str
) -> None:
    """The evacuation, the needs, the target and a closure over it validate as their models,
    and no part of the answer sends a field the document does not name."""
    lon, lat, _ = kailash_network.point_at("outer_kora", 26.0)
    over = {**CLOSURE, "segment_ids": None, "geometry": _covering_box(lon, lat), "modes": "vehicle"}
    assert client.post("/api/closures", json=over).status_code == 201
    body = {"target": {"lon": lon, "lat": lat}, "needs": ["fracture"]}
    sent = client.post(f"/api/approach?lang={lang}", json=body)
    found = _check(app, sent, "POST", "/api/approach", 200)
    assert isinstance(found, answers.ApproachAnswer)
    evacuation = found.evacuation
    assert isinstance(evacuation, answers.Evacuation)
    assert evacuation.carry_legs and all(leg.geometry for leg in evacuation.carry_legs)
    assert evacuation.total_s == pytest.approx(evacuation.carry_s + evacuation.vehicle_s, abs=0.2)
    assert [n.need_id for n in found.needs] == ["fracture"] and found.needs[0].name.zh
    assert [t.label for t in found.target] == ["target"]
    assert [type(w) for w in found.warnings] == [answers.TargetWarning]
    assert isinstance(found.elevation_model, answers.ElevationModelUsed)
    assert found.elevation_model.kind == "route_data"
    doc = openapi.document(app)
    schema = doc["components"]["schemas"]["ApproachAnswer"]
    assert _undocumented(doc, schema, sent.get_json(), "answer") == []


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_real_field_sheets_are_what_the_document_says(
    app: Flask, client: FlaskClient, kailash_network: Any, lang: str
) -> None:
    """A plan's field sheet and an incident's (its saved plan): every part validates and
    no part sends a field the document does not name."""
    lon, lat, _ = kailash_network.point_at("outer_kora", 26.0)
    target = {"lon": lon, "lat": lat}
    doc = openapi.document(app)
    schema = doc["components"]["schemas"]["FieldSheet"]
    rule = "/api/approach/field-sheet"
    sent = client.post(f"{rule}?lang={lang}", json={"target": target, "needs": ["fracture"]})
    sheet = _check(app, sent, "POST", rule, 200)
    assert isinstance(sheet, answers.FieldSheet) and sheet.reason and sheet.station
    assert sheet.legs and all(isinstance(leg, answers.SheetLeg) for leg in sheet.legs)
    assert sheet.evacuation and sheet.evacuation.legs and sheet.evacuation.destination
    assert sheet.targets[0].utm.crs == "EPSG:32644" and sheet.contacts
    assert _undocumented(doc, schema, sent.get_json(), "sheet") == []

    made = client.post("/api/incidents", json={"description": "fell", "location": target})
    incident = made.get_json()["incident"]
    plan = client.post("/api/approach", json={"target": target}).get_json()["plans"][0]
    saved = {"base_version": incident["version"], "plan": plan}
    number = incident["incident_id"]
    assert client.patch(f"/api/incidents/{number}", json=saved).status_code == 200
    rule = "/api/incidents/<int:incident_id>/field-sheet"
    sent = client.get(f"/api/incidents/{number}/field-sheet?lang={lang}")
    path = "/api/incidents/{incident_id}/field-sheet"
    sheet = _check(app, sent, "GET", rule, 200, path=path)
    assert isinstance(sheet, answers.FieldSheet) and sheet.reason is None and sheet.legs
    assert _undocumented(doc, schema, sent.get_json(), "sheet") == []


def test_a_landing_site_answer_is_what_the_document_says(tmp_path: Path) -> None:
    """With the ground cut, the answer names a landing site: it validates, and every field
    it sends is documented (the schema as the document writes it)."""
    stations = tiny_region_layers()["stations"]
    stations["features"][1]["properties"]["capabilities"] = ["foot_team", "helicopter_landing"]
    make_region_dir(tmp_path / "tiny", stations=stations)
    net = build_network(load_region("tiny", data_dir=tmp_path))
    shrine = net.graph.nodes["shrine"]
    spur = [s for s in net.segments.index if "spur" in s or "shrine" in s]
    now = datetime(2025, 6, 14, 12, 0, tzinfo=LOCAL_TZ)
    cut = parse_closure(
        {"reason": "snow", "modes": "all", "severity": "closed", "segment_ids": spur},
        network=net,
        now=now,
    )
    result = plan_with_closures(net, (shrine["lon"], shrine["lat"]), [cut], now=now)
    answer = approach_profiles(localize_approach(result.to_dict(), net), None)
    found = answers.ApproachAnswer.model_validate(answer)
    assert isinstance(found.landing_site, answers.LandingSite)
    assert found.landing_site.site_id == "gate_medical" and found.landing_site.name_zh
    schema = answers.ApproachAnswer.model_json_schema(ref_template="#/components/schemas/{model}")
    doc = {"components": {"schemas": schema.pop("$defs")}}
    assert _undocumented(doc, schema, json.loads(json.dumps(answer)), "answer") == []


def test_parts_that_are_not_what_is_documented_fail_their_models() -> None:
    """An evacuation without its handover, a need without its name, a sheet leg whose ends
    are bare texts, an unknown elevation model."""
    evacuation = {
        "carry_legs": [],
        "vehicle_legs": [],
        "carry_s": 1.0,
        "vehicle_s": 2.0,
        "total_s": 3.0,
        "carry_range_s": None,
        "total_range_s": None,
        "destination": {"station_id": "x", "name": "X"},
    }
    with pytest.raises(ValidationError):
        answers.Evacuation.model_validate(evacuation)
    handover = {"name": "gate", "lon": 81.3, "lat": 31.0}
    assert answers.Evacuation.model_validate({**evacuation, "handover": handover}).total_s == 3
    with pytest.raises(ValidationError):
        answers.NeedServed.model_validate({"need_id": "fracture", "requires": []})
    leg = {
        "mode": "foot",
        "mode_name": {"en": "on foot", "zh": "步行"},
        "from": "a",
        "to": "b",
        "length_m": 1.0,
        "ascent_m": 0.0,
        "descent_m": 0.0,
        "duration_s": 60.0,
        "duration_range_s": None,
        "geometry": None,
    }
    with pytest.raises(ValidationError):
        answers.SheetLeg.model_validate(leg)
    named = {**leg, "from": {"en": "a", "zh": ""}, "to": {"en": "b", "zh": ""}}
    assert answers.SheetLeg.model_validate(named).from_.en == "a"
    with pytest.raises(ValidationError):
        answers.ElevationModelUsed.model_validate({"kind": "lidar"})


def test_teams_answer_as_documented(app: Flask, client: FlaskClient) -> None:
    """The team list, one team, and one just changed (note, time and author set)."""
    found = _check(app, client.get("/api/teams"), "GET", "/api/teams", 200)
    assert isinstance(found, teams_api.Teams) and found.teams
    assert all(t.name.en and t.status_name.zh for t in found.teams)
    rule, path = "/api/teams/<station_id>", "/api/teams/{station_id}"
    one = _check(app, client.get("/api/teams/darchen_police_station"), "GET", rule, 200, path)
    assert isinstance(one, teams_api.TeamAnswer) and one.team.updated_at is None
    change = {"status": "out_of_service", "note": "vehicle in repair"}
    sent = client.put("/api/teams/darchen_police_station", json=change)
    changed = _check(app, sent, "PUT", rule, 200, path)
    assert isinstance(changed, teams_api.TeamAnswer) and changed.team.updated_at
    doc = openapi.document(app)
    schema = doc["components"]["schemas"]["TeamAnswer"]
    assert _undocumented(doc, schema, sent.get_json(), "answer") == []
    assert doc["components"]["schemas"]["Team"]["properties"]["status"]["enum"] == [
        "available",
        "committed",
        "out_of_service",
    ]


def test_relief_answers_and_a_dem_profiled_plan_answer_as_documented(
    app: Flask, client: FlaskClient, kailash_network: Any, tmp_path: Path
) -> None:
    """A DEM and a basemap loaded, the status, a height; then an approach answer and a
    field sheet that name the DEM they were profiled with."""
    planner = signed_in_client(app, "planner")
    for kind, data, name in (
        ("dem", geotiff_bytes(), "cone.tif"),
        ("mbtiles", mbtiles_bytes(tmp_path), "base.mbtiles"),
    ):
        form = {"file": (io.BytesIO(data), name)}
        sent = planner.post(f"/api/relief/{kind}", data=form, content_type="multipart/form-data")
        loaded = _check(app, sent, "POST", f"/api/relief/{kind}", 201)
        assert isinstance(loaded, relief_api.ReliefLoaded) and loaded.relief.kind == kind
    status = _check(app, planner.get("/api/relief"), "GET", "/api/relief", 200)
    assert isinstance(status, relief_api.ReliefStatus)
    assert status.relief.dem and status.relief.mbtiles and status.relief.dem.filename == "cone.tif"
    height = planner.get(f"/api/relief/elevation?lon={PEAK_LON}&lat={PEAK_LAT}")
    at = _check(app, height, "GET", "/api/relief/elevation", 200)
    assert isinstance(at, relief_api.ElevationAt) and at.elevation_m and at.elevation_m > 6400

    lon, lat, _ = kailash_network.point_at("outer_kora", 26.0)
    doc = openapi.document(app)
    for rule, model in (
        ("/api/approach", "ApproachAnswer"),
        ("/api/approach/field-sheet", "FieldSheet"),
    ):
        sent = client.post(rule, json={"target": {"lon": lon, "lat": lat}})
        found = _check(app, sent, "POST", rule, 200)
        used = found.model_dump()["elevation_model"]
        assert used == {"kind": "dem", "filename": "cone.tif", "sha256": status.relief.dem.sha256}
        schema = doc["components"]["schemas"][model]
        assert _undocumented(doc, schema, sent.get_json(), "answer") == []


def test_reports_answer_as_documented(app: Flask, client: FlaskClient) -> None:
    """The summary and the heat map of the last 30 days, with an incident in them (a heat
    feature's properties beyond ``kind`` are the segment's or the incident's own)."""
    incident = {"description": "lost", "location": {"lon": 81.3125, "lat": 31.0667}}
    assert client.post("/api/incidents", json=incident).status_code == 201
    sent = client.get("/api/reports/summary")
    summary = _check(app, sent, "GET", "/api/reports/summary", 200)
    assert isinstance(summary, reports.ReportSummary)
    assert summary.totals["incidents"] >= 1 and summary.period.time_zone
    doc = openapi.document(app)
    schema = doc["components"]["schemas"]["ReportSummary"]
    assert _undocumented(doc, schema, sent.get_json(), "summary") == []
    heat = _check(app, client.get("/api/reports/heat"), "GET", "/api/reports/heat", 200)
    assert isinstance(heat, reports.ReportHeat) and heat.period.days > 0
    assert "incident" in {f.properties.kind for f in heat.features}


def test_the_data_history_answers_as_documented(app: Flask, client: FlaskClient) -> None:
    """A stored feature, an edit, the history and the edit's changes."""
    rule, path = f"/api/data/{planner_api._LAYER}/<feature_id>", "/api/data/places/{feature_id}"
    sent = client.get("/api/data/places/tarboche")
    stored = _check(app, sent, "GET", rule, 200, path=path)
    assert isinstance(stored, planner_api.StoredFeature) and stored.layer == "places"
    edit = {"feature": stored.feature, "base_revision": stored.revision, "message": "e"}
    made = client.put("/api/data/places/tarboche", json=edit).get_json()["version"]
    history = _check(app, client.get("/api/versions"), "GET", "/api/versions", 200)
    assert isinstance(history, planner_api.VersionList)
    assert history.current == made["version_id"] == history.versions[0].version_id
    rule, path = "/api/versions/<int:version_id>", "/api/versions/{version_id}"
    sent = client.get(f"/api/versions/{made['version_id']}")
    one = _check(app, sent, "GET", rule, 200, path=path)
    assert isinstance(one, planner_api.VersionChanges)
    assert [(c.op, c.feature_id) for c in one.changes] == [("update", "tarboche")]
    assert one.changes[0].before and one.changes[0].after
    doc = openapi.document(app)
    schema = doc["components"]["schemas"]["VersionChanges"]
    assert _undocumented(doc, schema, sent.get_json(), "answer") == []
