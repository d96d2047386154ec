"""CSRF: every unsafe route refuses a request without the session's token, and writes nothing.

The bodies below are valid, so that the missing token is the only thing that stops them
(with the token the same request goes through: the last test).
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.security.conftest import (
    SESSION_RULES,
    UNSAFE,
    call,
    concrete,
    every_rule,
    expected_roles,
    row_counts,
    sign_in,
)

PLACE = "darchen"


def valid_bodies(client: FlaskClient) -> dict[tuple[str, str], dict[str, Any]]:
    """A valid body for the main writes, keyed by (method, concrete path)."""
    stored = client.get(f"/api/data/places/{PLACE}").get_json()
    stored["feature"]["properties"]["notes"] = "checked"
    segment = client.get("/api/segments").get_json()["features"][0]["properties"]["segment_id"]
    return {
        ("POST", "/api/closures"): {
            "segment_ids": [segment],
            "reason": "snow",
            "modes": "all",
            "severity": "closed",
        },
        ("PUT", f"/api/data/places/{PLACE}"): {
            "feature": stored["feature"],
            "base_revision": stored["revision"],
            "message": "csrf",
        },
        ("DELETE", f"/api/data/places/{PLACE}"): {
            "base_revision": stored["revision"],
            "message": "csrf",
        },
        ("POST", "/api/incidents"): {"description": "fell near Drolma La", "language": "en"},
        ("POST", "/api/users"): {
            "username": "mallory",
            "password": "snow lion banner 9",
            "role": "admin",
        },
        ("POST", "/api/versions/1/restore"): {"message": "csrf"},
        ("POST", "/api/locate"): {"text": "Drolma La"},
    }


def _unsafe_rules(app: Flask) -> list[tuple[str, str]]:
    return [
        (method, rule)
        for method, rule in every_rule(app)
        if method in UNSAFE
        and (method, rule) not in SESSION_RULES
        and expected_roles(method, rule) != "public"
    ]


def _refused(response: Any, path: str) -> None:
    assert response.status_code == 403, (path, response.status_code)
    if path.startswith("/api"):
        assert response.mimetype == "application/json"
        assert response.get_json()["error"]["code"] == "csrf"


@pytest.fixture
def admin_without_token(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    token = sign_in(client, "admin", csrf=False)
    return client, token


def test_every_unsafe_route_needs_the_sessions_token(
    app: Flask, admin_without_token: tuple[FlaskClient, str]
) -> None:
    client, token = admin_without_token
    other = app.test_client()
    others_token = sign_in(other, "admin", csrf=False)
    assert others_token != token
    bodies = valid_bodies(client)
    before = row_counts(app)
    rules = _unsafe_rules(app)
    assert len(rules) >= 15
    for method, rule in rules:
        path = concrete(rule)
        body = bodies.get((method, path), {})
        for headers in (
            {},
            {"X-CSRF-Token": ""},
            {"X-CSRF-Token": token[:-2] + ("aa" if not token.endswith("aa") else "bb")},
            {"X-CSRF-Token": others_token},
            {"X-CSRF-Token": token.upper() if token.upper() != token else token.lower()},
            {"X-XSRF-Token": token, "X-CSRFToken": token},  # other frameworks' header names
        ):
            _refused(call(client, method, path, json=body, headers=headers), path)
        # the token in the query string or the wrong form field does not count either
        _refused(call(client, method, f"{path}?csrf_token={token}", json=body), path)
        _refused(client.open(path, method=method, data={"csrf": token}), path)
        _refused(client.open(path, method=method, data={"csrf_token": others_token}), path)
    assert row_counts(app) == before


def test_the_log_out_form_needs_the_token(
    app: Flask, admin_without_token: tuple[FlaskClient, str]
) -> None:
    client, token = admin_without_token
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 403
    assert client.get("/api/me").status_code == 200  # still signed in
    assert client.post("/api/logout", json={}).status_code == 403
    assert client.get("/api/me").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/api/me").status_code == 401


def test_the_log_in_form_needs_its_token_and_the_api_needs_json(app: Flask) -> None:
    from tests.web.conftest import PASSWORD, make_user

    user = make_user(app, "admin")
    client = app.test_client()
    form = {"username": user.username, "password": PASSWORD}
    assert client.post("/login", data=form).status_code == 403
    assert client.post("/login", data={**form, "csrf_token": "forged"}).status_code == 403
    assert client.get("/api/me").status_code == 401
    # a cross-site form can only send form encodings: the API log-in refuses them
    assert client.post("/api/login", data=form).status_code == 415
    assert client.get("/api/me").status_code == 401


def test_a_token_does_not_survive_signing_in_again(app: Flask) -> None:
    client = app.test_client()
    first = sign_in(client, "admin", csrf=False)
    second = sign_in(client, "officer", csrf=False)
    assert first != second
    response = client.post("/api/closures", json={}, headers={"X-CSRF-Token": first})
    _refused(response, "/api/closures")


def test_with_the_token_the_same_requests_go_through(
    app: Flask, admin_without_token: tuple[FlaskClient, str]
) -> None:
    client, token = admin_without_token
    bodies = valid_bodies(client)
    headers = {"X-CSRF-Token": token}
    for (method, path), body in bodies.items():
        if method == "DELETE":
            continue  # roads start at the place: deleting it would break the data (422)
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code in (200, 201), (method, path, response.get_json())
    # the form field works for form posts
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
