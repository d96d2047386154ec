"""Each documented 2xx answer (a pydantic model of web.answers and the views) describes
what the app really sends: real answers validate against the model the operation declares,
in English and in Chinese, and the document refers to that model's generated schema."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pydantic import BaseModel, ValidationError

from web import answers, openapi, planner_api

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
