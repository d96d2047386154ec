"""Schemathesis against the published OpenAPI description, in-process (no network).

Every operation of ``GET /api/openapi.json`` is fuzzed with generated positive and negative
cases, signed in as an admin with the CSRF header on every case, on both back ends; each
answer must pass ``not_a_server_error``, ``status_code_conformance``,
``content_type_conformance`` and ``response_schema_conformance``. A second test sends
known valid requests (so that the success answers, not only the errors, are checked
against their schemas).

``SANDTABLE_SCHEMATHESIS_EXAMPLES`` (default 10) sets the number of generated cases per
operation and mode; raise it for a deeper run (``=100`` takes some minutes).
Generation is derandomized, so a run is repeatable.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.conftest import sign_in

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("SANDTABLE_SCHEMATHESIS_EXAMPLES", "10"))
#: operations that could lock the fuzzing admin out run last
LAST = ("DELETE /api/users/{user_id}/sessions", "PATCH /api/users/{user_id}")


def _session(app: Flask) -> tuple[Any, dict[str, str], dict[str, str]]:
    """The loaded schema, and the headers and cookies of a signed-in admin."""
    client = app.test_client()
    token = sign_in(client, "admin")
    cookie = client.get_cookie("session")
    assert cookie is not None
    schema = schemathesis.openapi.from_dict(client.get("/api/openapi.json").get_json())
    # the in-process (WSGI) transport does not decompress: ask for plain bodies
    # (compression has its own tests in tests/web/test_answer_sizes.py)
    headers = {"X-CSRF-Token": token, "Accept-Encoding": "identity"}
    return schema, headers, {"session": cookie.value}


def _has_inputs(operation: Any) -> bool:
    definition = operation.definition.raw
    return bool(
        definition.get("parameters") or definition.get("requestBody") or operation.path_parameters
    )


def test_schemathesis_finds_nothing(app: Flask) -> None:
    schema, headers, cookies = _session(app)
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: (op.label in LAST, op.label),
    )
    failures: list[str] = []
    for operation in operations:
        modes = [GenerationMode.POSITIVE]
        if _has_inputs(operation):
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                response = case.call(app=app, headers=headers, cookies=cookies)
                case.validate_response(response, checks=CHECKS)

            try:
                run()
            except Exception as exc:  # noqa: BLE001  (collected, reported together)
                for failure in getattr(exc, "exceptions", [exc]):
                    failures.append(f"{operation.label} [{mode.value}]: {failure}"[:3000])
    assert len(operations) >= 50
    assert not failures, "\n\n".join(failures)


def _valid_calls(client: FlaskClient) -> list[tuple[str, dict[str, Any]]]:
    """Known valid requests: (operation label, Case arguments)."""
    segment = client.get("/api/segments").get_json()["features"][0]["properties"]["segment_id"]
    stored = client.get("/api/data/places/darchen").get_json()
    stored["feature"]["properties"]["notes"] = "schemathesis"
    closure = {"segment_ids": [segment], "reason": "snow", "modes": "all", "severity": "closed"}
    made = client.post("/api/closures", json=closure).get_json()["closure_id"]
    incident = client.post("/api/incidents", json={"description": "Drolma La"}).get_json()
    incident_id = incident["incident"]["incident_id"]
    me = client.get("/api/me").get_json()["user"]["user_id"]
    period = {"from": "2024-01-01"}
    return [
        ("GET /api", {}),
        ("GET /api/health", {}),
        ("GET /api/openapi.json", {}),
        ("GET /api/regions", {}),
        ("GET /api/routes", {}),
        ("GET /api/segments", {"query": {"route_id": "outer_kora"}}),
        ("GET /api/places", {"query": {"q": "darchen"}}),
        ("GET /api/stations", {}),
        ("GET /api/routes/{feature_id}", {"path_parameters": {"feature_id": "outer_kora"}}),
        ("GET /api/segments/{feature_id}", {"path_parameters": {"feature_id": segment}}),
        ("GET /api/places/{feature_id}", {"path_parameters": {"feature_id": "darchen"}}),
        (
            "GET /api/stations/{feature_id}",
            {"path_parameters": {"feature_id": "darchen_police_station"}},
        ),
        ("POST /api/locate", {"body": {"text": "just past Drolma La, going down"}}),
        ("POST /api/approach", {"body": {"target": {"segment_id": segment}}}),
        ("GET /api/closures", {"query": {"include_expired": "1"}}),
        ("GET /api/events", {"query": {"topics": "closures,incidents"}}),
        ("POST /api/closures", {"body": closure}),
        ("GET /api/closures/{closure_id}", {"path_parameters": {"closure_id": made}}),
        ("DELETE /api/closures/{closure_id}", {"path_parameters": {"closure_id": made}}),
        ("GET /api/audit", {"query": {"limit": "5"}}),
        ("GET /api/versions", {}),
        ("GET /api/versions/{version_id}", {"path_parameters": {"version_id": 1}}),
        ("GET /api/data/places/{feature_id}", {"path_parameters": {"feature_id": "darchen"}}),
        (
            "PUT /api/data/places/{feature_id}",
            {
                "path_parameters": {"feature_id": "darchen"},
                "body": {
                    "feature": stored["feature"],
                    "base_revision": stored["revision"],
                    "message": "check",
                },
            },
        ),
        (
            "POST /api/versions/{version_id}/restore",
            {"path_parameters": {"version_id": 1}, "body": {"message": "back"}},
        ),
        ("GET /api/export", {"query": {"format": "gpx"}}),
        ("GET /api/incidents", {"query": {"status": "all"}}),
        ("POST /api/incidents", {"body": {"description": "altitude sickness at Dira-puk"}}),
        ("GET /api/incidents/{incident_id}", {"path_parameters": {"incident_id": incident_id}}),
        (
            "PATCH /api/incidents/{incident_id}",
            {
                "path_parameters": {"incident_id": incident_id},
                "body": {
                    "base_version": 1,
                    "notes": "two walkers",
                    "party_size": 2,
                    "location": {"lon": 81.3, "lat": 31.07},
                },
            },
        ),
        (
            "POST /api/incidents/{incident_id}/transitions",
            {
                "path_parameters": {"incident_id": incident_id},
                "body": {"to": "located", "base_version": 2},
            },
        ),
        ("GET /api/me", {}),
        ("GET /api/users", {}),
        (
            "POST /api/users",
            {"body": {"username": "sonam", "password": "snow lion banner 9", "role": "officer"}},
        ),
        (
            "PATCH /api/users/{user_id}",
            {"path_parameters": {"user_id": me}, "body": {"display_name": "Admin"}},
        ),
        ("GET /api/users/{user_id}/sessions", {"path_parameters": {"user_id": me}}),
        ("DELETE /api/users/{user_id}/sessions", {"path_parameters": {"user_id": me}}),
        ("GET /api/reports/summary", {"query": period}),
        ("GET /api/reports/heat", {"query": period}),
        ("GET /api/reports/incidents.csv", {"query": period}),
    ]


def test_success_answers_match_their_schemas(app: Flask) -> None:
    schema, headers, cookies = _session(app)
    client = app.test_client()
    sign_in(client, "admin")
    for label, arguments in _valid_calls(client):
        operation = schema.find_operation_by_label(label)
        assert operation is not None, label
        case = operation.Case(**arguments)
        response = case.call(app=app, headers=headers, cookies=cookies)
        assert 200 <= response.status_code < 300, (label, response.status_code, response.text)
        case.validate_response(response, checks=CHECKS)
