"""The OpenAPI description (GET /api/openapi.json) documents every /api route honestly."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask, jsonify

from rescue.incidents import IncidentCreate, IncidentUpdate, TransitionRequest
from web import openapi
from web.bodies import MAX_INT


@pytest.fixture
def document(app: Flask) -> dict[str, Any]:
    response = app.test_client().get("/api/openapi.json")  # anonymous: it is public
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    doc: dict[str, Any] = response.get_json()
    return doc


def test_every_api_rule_is_documented(app: Flask) -> None:
    """A route added under /api without a spec in web.openapi.OPERATIONS fails here."""
    assert openapi.undocumented(app) == []


def test_no_spec_is_left_without_its_route(app: Flask) -> None:
    rules = {(m, r.rule) for r in app.url_map.iter_rules() for m in r.methods or ()}
    assert sorted(set(openapi.OPERATIONS) - rules) == []


def test_the_document_is_openapi_3_1_that_schemathesis_reads(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {op.label for op in operations}
    assert "GET /api/places/{feature_id}" in labels
    assert "PUT /api/data/stations/{feature_id}" in labels
    assert "POST /api/incidents/{incident_id}/transitions" in labels
    assert len(operations) >= len(openapi.OPERATIONS)


def test_every_operation_documents_its_errors_with_the_error_schema(
    document: dict[str, Any],
) -> None:
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["status", "code", "message"]
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            responses = op["responses"]
            for status, answer in responses.items():
                if int(status) >= 400:
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path)
            if op["security"]:  # signed-in users only
                assert {"401", "403"} <= set(responses), (method, path)
            if method in ("post", "put", "patch", "delete") and op["security"]:
                assert op["security"] == [{"session": [], "csrf": []}], (method, path)
            if "requestBody" in op and "application/json" in op["requestBody"]["content"]:
                assert {"413", "422"} <= set(responses), (method, path)


def test_the_security_schemes_are_the_session_cookie_and_the_csrf_header(
    document: dict[str, Any],
) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["session"] == {"type": "apiKey", "in": "cookie", "name": "session"}
    assert schemes["csrf"] == {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"}
    public = {
        path
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method != "parameters" and op["security"] == []
    }
    assert public == {
        "/api",
        "/api/health",
        "/api/openapi.json",
        "/api/login",
        "/api/logout",
        "/api/me",
        "/api/find-me/{token}",  # the link's token is the authority (rescue.find_me)
    }


def test_incident_bodies_are_the_pydantic_models(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for model in (IncidentCreate, IncidentUpdate, TransitionRequest):
        expected = model.model_json_schema(ref_template="#/components/schemas/{model}")
        expected.pop("$defs", None)
        assert schemas[model.__name__] == expected
    create = document["paths"]["/api/incidents"]["post"]["requestBody"]["content"]
    assert create["application/json"]["schema"] == {"$ref": "#/components/schemas/IncidentCreate"}
    # the Location a confirmed candidate refers to is a component too
    assert "Location" in schemas


def test_feature_properties_are_the_catalogue(document: dict[str, Any]) -> None:
    from rescue import catalog
    from web.answers import LAYER_FEATURES

    schemas = document["components"]["schemas"]
    for layer in ("routes", "segments", "places", "stations"):
        feature = schemas[LAYER_FEATURES[layer].__name__]
        props = schemas[feature["properties"]["properties"]["$ref"].rsplit("/", 1)[-1]]
        assert list(props["properties"]) == list(catalog.PROPERTIES[layer])
        assert props["required"] == list(catalog.PROPERTIES[layer])
        meaning = next(iter(catalog.PROPERTIES[layer].values()))
        assert next(iter(props["properties"].values()))["description"] == meaning


def test_path_parameters_follow_the_rules(document: dict[str, Any]) -> None:
    paths = document["paths"]
    # an <any(...)> part becomes one path per value
    assert {"/api/data/trails", "/api/data/roads", "/api/data/places", "/api/data/stations"} <= set(
        paths
    )
    assert "/api/routes/{feature_id}" in paths
    routes = paths["/api/routes/{feature_id}"]["get"]["responses"]["200"]["content"]
    assert routes["application/geo+json"]["schema"] == {"$ref": "#/components/schemas/RouteFeature"}
    (incident_id,) = paths["/api/incidents/{incident_id}"]["parameters"]
    assert incident_id == {
        "name": "incident_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_INT},
    }


def test_a_new_endpoint_is_documented_by_registering_its_spec(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.add_url_rule("/api/echo/<int:n>", "echo", lambda n: jsonify(n=n), methods=["GET"])
    assert openapi.undocumented(app) == [("GET", "/api/echo/<int:n>")]
    monkeypatch.setattr(openapi, "OPERATIONS", dict(openapi.OPERATIONS))
    openapi.register(
        "get",
        "/api/echo/<int:n>",
        {
            "summary": "echo",
            "auth": ("planner",),
            "ok": {200: {"application/json": {"type": "object"}}},
            "errors": (404,),
        },
    )
    assert openapi.undocumented(app) == []
    op = openapi.build(app)["paths"]["/api/echo/{n}"]["get"]
    assert op["x-roles"] == ["admin", "planner"]
    assert sorted(op["responses"]) == ["200", "401", "403", "404"]


def test_the_document_is_built_once_per_app(app: Flask) -> None:
    client = app.test_client()
    first = client.get("/api/openapi.json").get_json()
    assert client.get("/api/openapi.json").get_json() == first
    assert client.head("/api/openapi.json").status_code == 200


def test_operation_ids_are_unique_and_readable(document: dict[str, Any]) -> None:
    ids = [
        op["operationId"]
        for item in document["paths"].values()
        for method, op in item.items()
        if method != "parameters"
    ]
    assert len(ids) == len(set(ids))
    assert "get_api_places_feature_id" in ids
    assert all(op_id.replace("_", "").isalnum() for op_id in ids)
