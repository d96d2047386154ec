"""Oversized and deeply nested bodies: 413 (JSON under /api) or another 4xx, never a 500,
and nothing written."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.security.conftest import concrete, every_rule, row_counts
from web.approach_api import MAX_BODY_BYTES as APPROACH_BYTES
from web.bodies import MAX_BODY_BYTES, MAX_REQUEST_BYTES
from web.find_me import BODY_BYTES as FIND_ME_BYTES
from web.planner_api import MAX_EDIT_BYTES

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})

#: (method, concrete path) -> the endpoint's own limit in bytes
LIMITS = {
    ("POST", "/api/locate"): MAX_BODY_BYTES,
    ("POST", "/api/approach"): APPROACH_BYTES,
    ("POST", "/api/closures"): APPROACH_BYTES,
    ("POST", "/api/approach/plan.gpx"): APPROACH_BYTES,
    ("POST", "/api/approach/field-sheet"): APPROACH_BYTES,
    ("PUT", "/api/teams/darchen_police_station"): MAX_BODY_BYTES,
    ("POST", "/api/incidents"): MAX_BODY_BYTES,
    ("PATCH", "/api/incidents/1"): MAX_BODY_BYTES,
    ("POST", "/api/incidents/1/transitions"): MAX_BODY_BYTES,
    ("POST", "/api/users"): MAX_BODY_BYTES,
    ("PATCH", "/api/users/1"): MAX_BODY_BYTES,
    ("POST", "/api/login"): MAX_BODY_BYTES,
    ("POST", "/api/imports/x/apply"): MAX_BODY_BYTES,
    ("PUT", "/api/data/trails/darchen"): MAX_EDIT_BYTES,
    ("POST", "/api/data/trails"): MAX_EDIT_BYTES,
    ("POST", "/api/data/ways/x/split"): MAX_EDIT_BYTES,
    ("POST", "/api/data/ways/join"): MAX_EDIT_BYTES,
    ("POST", "/api/versions/1/restore"): MAX_EDIT_BYTES,
    ("POST", "/api/incidents/1/find-me"): FIND_ME_BYTES,
    ("POST", "/api/find-me/x"): FIND_ME_BYTES,
}


def _json_of_size(size: int) -> bytes:
    """A valid JSON object of exactly ``size`` bytes."""
    head = b'{"message": "'
    return head + b"x" * (size - len(head) - 2) + b'"}'


def _body_routes(app: Flask) -> list[tuple[str, str]]:
    return [(m, concrete(r)) for m, r in every_rule(app) if m in BODY_METHODS]


def _assert_413(response: object, method: str, path: str) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status == 413, (method, path, status)
    if path.startswith("/api"):
        body = response.get_json()  # type: ignore[attr-defined]
        assert body["error"]["status"] == 413, (method, path)
        assert body["error"]["code"] == "request_entity_too_large"


def test_every_body_route_refuses_a_body_over_the_request_limit(
    app: Flask, client: FlaskClient
) -> None:
    before = row_counts(app)
    big = b"{" + b" " * MAX_REQUEST_BYTES + b"}"
    routes = _body_routes(app)
    assert len(routes) >= 18
    for method, path in routes:
        for content_type in ("application/json", "application/x-www-form-urlencoded"):
            response = client.open(path, method=method, data=big, content_type=content_type)
            _assert_413(response, method, path)
    # before signing in too: the size is checked before anything else
    anonymous = client.application.test_client()
    for method, path in routes:
        response = anonymous.open(path, method=method, data=big, content_type="application/json")
        _assert_413(response, method, path)
    assert row_counts(app) == before


def test_each_endpoint_refuses_a_body_over_its_own_limit(app: Flask, client: FlaskClient) -> None:
    before = row_counts(app)
    for (method, path), limit in LIMITS.items():
        response = client.open(
            path, method=method, data=_json_of_size(limit + 1), content_type="application/json"
        )
        _assert_413(response, method, path)
    # every JSON body route has its limit listed here
    multipart = {"/api/imports", "/api/relief/dem", "/api/relief/mbtiles"}  # file uploads
    json_routes = {
        (m, p) for m, p in _body_routes(app) if p.startswith("/api") and p not in multipart
    }
    json_routes -= {("POST", "/api/logout")}  # reads no body
    assert json_routes <= set(LIMITS)
    assert row_counts(app) == before


def test_chunked_bodies_without_a_length_are_cut_at_the_limit(client: FlaskClient) -> None:
    big = _json_of_size(MAX_BODY_BYTES + 10)
    response = client.post(
        "/api/incidents",
        input_stream=io.BytesIO(big),
        headers={"Transfer-Encoding": "chunked", "Content-Type": "application/json"},
        environ_overrides={"wsgi.input_terminated": True},  # as waitress and werkzeug serve it
    )
    _assert_413(response, "POST", "/api/incidents")


@pytest.mark.parametrize("depth", [50, 900, 5_000, 30_000])
def test_deeply_nested_json_is_a_4xx(app: Flask, client: FlaskClient, depth: int) -> None:
    before = row_counts(app)
    nested = "[" * depth + "]" * depth
    for method, path in _body_routes(app):
        if path in ("/api/imports", "/api/logout") or not path.startswith("/api"):
            continue
        for body in (nested, '{"description": ' + nested + "}", '{"feature": ' + nested + "}"):
            response = client.open(path, method=method, data=body, content_type="application/json")
            assert 400 <= response.status_code < 500, (method, path, depth, response.status_code)
            assert response.mimetype == "application/json"
    assert row_counts(app) == before
