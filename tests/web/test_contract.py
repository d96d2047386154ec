"""Each operation is declared once (web.contract.api_operation): the OpenAPI document,
the role check and the validation all come from that one declaration."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from rescue.locate.clues import MAX_TEXT_CHARS
from tests.web.conftest import signed_in_client
from web import openapi
from web.contract import api_operation


@pytest.fixture
def document(app: Flask) -> dict[str, Any]:
    doc: dict[str, Any] = app.test_client().get("/api/openapi.json").get_json()
    return doc


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method.upper(), path): op
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method != "parameters"
    }


def _openapi_paths(rule: str) -> list[str]:
    return [path for path, _, _ in openapi._paths_of(rule)]


def test_the_document_lists_every_api_route_of_the_app(
    app: Flask, document: dict[str, Any]
) -> None:
    documented = set(_operations(document))
    for rule in app.url_map.iter_rules():
        if not (rule.rule + "/").startswith("/api/"):
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            for path in _openapi_paths(rule.rule):
                assert (method, path) in documented, (method, rule.rule)


def test_the_documented_roles_are_the_roles_the_check_enforces(
    app: Flask, document: dict[str, Any]
) -> None:
    """x-roles and security of every operation against the gate on its view."""
    operations = _operations(document)
    by_rule = {
        (method, rule.rule): app.view_functions[rule.endpoint]
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
    }
    declared = 0
    for (method, rule), spec in openapi.OPERATIONS.items():
        view = by_rule[(method, rule)]
        enforced = getattr(view, "allowed_roles", None)
        for path in _openapi_paths(rule):
            op = operations[(method, path)]
            if spec["auth"] == "public":
                assert enforced is None, (method, rule)
                assert op["x-roles"] == "anyone" and op["security"] == []
            else:
                assert enforced == frozenset(spec["auth"]), (method, rule)
                assert set(op["x-roles"]) == {"admin", *enforced}, (method, rule)
                assert op["security"], (method, rule)
        if getattr(view, "operation", None) == (method, rule):
            declared += 1
    assert declared == len(openapi.OPERATIONS)  # every operation declared with api_operation


@pytest.mark.parametrize(
    ("role", "status"), [("call_taker", 403), ("officer", 403), ("planner", 403), ("admin", 200)]
)
def test_a_declared_role_is_enforced(app: Flask, role: str, status: int) -> None:
    client = signed_in_client(app, role)
    assert client.get("/api/users").status_code == status  # declared roles=ADMIN
    assert openapi.OPERATIONS[("GET", "/api/users")]["auth"] == ()


def test_the_locate_text_limit_is_in_the_document_and_in_the_check(
    app: Flask, document: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = document["components"]["schemas"]["LocateBody"]["properties"]["text"]
    assert schema["maxLength"] == MAX_TEXT_CHARS == 2000
    body = document["paths"]["/api/locate"]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"] == {"$ref": "#/components/schemas/LocateBody"}

    import web.api

    class Stand:
        def to_dict(self) -> dict[str, Any]:
            return {"candidates": [], "questions": [], "interpreted": {}}

    monkeypatch.setattr(web.api, "locate", lambda *a, **k: Stand())
    client = signed_in_client(app, "call_taker")
    token = client.get("/api/me").get_json()["csrf_token"]
    headers = {"X-CSRF-Token": token}
    at_limit = client.post("/api/locate", json={"text": "x" * MAX_TEXT_CHARS}, headers=headers)
    assert at_limit.status_code == 200
    over = client.post("/api/locate", json={"text": "x" * (MAX_TEXT_CHARS + 1)}, headers=headers)
    assert over.status_code == 422
    assert "2,001" in over.get_json()["error"]["message"]


def _admin(app: Flask) -> tuple[FlaskClient, dict[str, str]]:
    client = signed_in_client(app, "admin")
    return client, {"X-CSRF-Token": client.get("/api/me").get_json()["csrf_token"]}


def test_a_bad_body_is_a_bilingual_422_naming_every_field(app: Flask) -> None:
    client, headers = _admin(app)
    body = {"username": 1, "password": "a long enough one", "role": "officer", "colour": "red"}
    for lang, words in (
        ("en", ["cannot be created", "username", "colour", "unknown field"]),
        ("zh", ["无法创建该用户", "username", "colour", "未知字段"]),
    ):
        answer = client.post(f"/api/users?lang={lang}", json=body, headers=headers)
        assert answer.status_code == 422
        error = answer.get_json()["error"]
        assert error["code"] == "invalid_input"
        for word in words:
            assert word in error["message"], (lang, error["message"])
        assert len(error["details"]) == 2


def test_a_bad_query_is_a_bilingual_422_naming_the_parameter(app: Flask) -> None:
    client, _ = _admin(app)
    for lang, word in (("en", "less than or equal to 500"), ("zh", "须不大于 500")):
        answer = client.get(f"/api/incidents?limit=501&lang={lang}")
        assert answer.status_code == 422
        assert "limit" in answer.get_json()["error"]["message"]
        assert word in answer.get_json()["error"]["message"]
    unknown = client.get("/api/incidents?page=2").get_json()["error"]
    assert "'page'" in unknown["message"] and "'status', 'limit', 'order'" in unknown["message"]


def test_the_query_parameters_are_the_query_models_fields(document: dict[str, Any]) -> None:
    params = document["paths"]["/api/incidents"]["get"]["parameters"]
    assert {p["name"]: p["schema"].get("maximum") for p in params} == {
        "status": None,
        "limit": 500,
        "order": None,
    }


def test_a_model_body_without_413_and_422_cannot_be_declared_differently() -> None:
    """The decorator adds the body's 413 and 422 itself: no declaration can leave them out."""
    from flask import Blueprint
    from pydantic import BaseModel

    class Thing(BaseModel):
        name: str

    bp = Blueprint("contract_probe", __name__, url_prefix="/api/probe")
    try:
        api_operation(bp, "POST", "", summary="probe", roles=(), body=Thing, ok={204: None})(
            lambda body: ("", 204)
        )
        spec = openapi.OPERATIONS[("POST", "/api/probe")]
        assert {413, 422} <= set(spec["errors"])
        assert spec["auth"] == () and spec["body_model"] is Thing
        assert spec["body"] == {"$ref": "#/components/schemas/Thing"}
    finally:
        openapi.OPERATIONS.pop(("POST", "/api/probe"), None)
