"""SQL injection strings in every query parameter, path parameter and text field.

Never a 500; refused requests write nothing; accepted texts are stored verbatim; every
table is still there afterwards (both back ends).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient

from tests.security.conftest import (
    UNSAFE,
    call,
    concrete,
    every_rule,
    row_counts,
)
from tests.web.conftest import PASSWORD
from web.openapi import OPERATIONS

INJECTIONS = (
    "' OR 1=1 --",
    "1; DROP TABLE incidents",
    "'; DROP TABLE users; --",
    '" OR ""="',
    "%' OR '1'='1",
    "1 UNION SELECT username, password_hash FROM users --",
    "x'); DELETE FROM versions; --",
    "\\'; SELECT 1; --",
)


def test_query_parameters(app: Flask, client: FlaskClient) -> None:
    before = row_counts(app)
    checked = 0
    for (method, rule), spec in OPERATIONS.items():
        if method != "GET" or not spec.get("query"):
            continue
        path = concrete(rule)
        for name in spec["query"]:
            for value in INJECTIONS:
                response = client.get(path, query_string={name: value})
                assert response.status_code < 500, (path, name, value, response.status_code)
                assert "scrypt$" not in response.get_data(as_text=True)  # no hash leaks
                response.close()
                checked += 1
    assert checked >= 15 * len(INJECTIONS)
    assert row_counts(app) == before


def test_path_parameters(app: Flask, client: FlaskClient) -> None:
    before = row_counts(app)
    for method, rule in every_rule(app):
        names = re.findall(r"<(?:string:)?(\w+)>", rule)  # the free-text parts
        if not names or rule.startswith("/static"):
            continue
        for value in INJECTIONS:
            path = concrete(rule)
            template = re.sub(r"<(?:string:)?\w+>", "\0", rule)
            for part in re.findall(r"<[^>]+>", template):
                template = template.replace(part, concrete(part), 1)
            path = template.replace("\0", quote(value, safe=""))
            response = call(client, method, path)
            assert response.status_code < 500, (method, path, response.status_code)
            if method in UNSAFE:
                assert response.status_code >= 400, (method, path)
    assert row_counts(app) == before


def test_text_fields_are_stored_verbatim(app: Flask, client: FlaskClient) -> None:
    tables = set(row_counts(app))
    for value in INJECTIONS:
        created = client.post(
            "/api/incidents",
            json={"description": value, "caller_name": value, "condition": value},
        )
        assert created.status_code == 201, created.get_json()
        incident = created.get_json()["incident"]
        patch = {"base_version": incident["version"], "notes": value, "team": value}
        updated = client.patch(f"/api/incidents/{incident['incident_id']}", json=patch)
        assert updated.status_code == 200, updated.get_json()
        stored = client.get(f"/api/incidents/{incident['incident_id']}").get_json()["incident"]
        assert [
            stored[k] for k in ("description", "caller_name", "condition", "notes", "team")
        ] == [value] * 5
        located = client.post("/api/locate", json={"text": value})
        assert located.status_code in (200, 422), located.get_json()
        searched = client.get("/api/places", query_string={"q": value[:100]})
        assert searched.status_code in (200, 422)
    segment = client.get("/api/segments").get_json()["features"][0]["properties"]["segment_id"]
    closure = {
        "segment_ids": [segment],
        "reason": "snow",
        "modes": "all",
        "severity": "closed",
        "note": INJECTIONS[1],
    }
    made = client.post("/api/closures", json=closure)
    assert made.status_code == 201
    assert client.get(made.headers["Location"]).get_json()["note"] == INJECTIONS[1]
    stored = client.get("/api/data/places/darchen").get_json()
    stored["feature"]["properties"]["notes"] = INJECTIONS[0]
    body = {
        "feature": stored["feature"],
        "base_revision": stored["revision"],
        "message": INJECTIONS[2],
    }
    assert client.put("/api/data/places/darchen", json=body).status_code == 201
    again = client.get("/api/data/places/darchen").get_json()["feature"]["properties"]
    assert again["notes"] == INJECTIONS[0]
    assert client.get("/api/versions").get_json()["versions"][0]["message"] == INJECTIONS[2]
    user = {
        "username": "bobby",
        "password": PASSWORD,
        "role": "officer",
        "display_name": INJECTIONS[0],
    }
    assert client.post("/api/users", json=user).status_code == 201
    assert set(row_counts(app)) == tables


def test_log_in_with_injection_strings_fails_cleanly(app: Flask) -> None:
    before = row_counts(app)
    for value in INJECTIONS[:4]:
        client = app.test_client()
        response = client.post("/api/login", json={"username": value, "password": value})
        assert response.status_code in (401, 429), response.get_json()
        assert client.get("/api/me").status_code == 401
    after = row_counts(app)
    assert after.pop("login_failures") == before.pop("login_failures") + 2 * 4  # counted
    assert after == before
