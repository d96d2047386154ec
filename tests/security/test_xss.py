"""XSS: payloads stored in every text field come back escaped in every page that shows them.

Each page is rendered with the test client after the payloads are stored (planner edits
of places, stations and ways, a closure note, an incident's texts, a user's display name)
and must never contain a payload raw. JSON answers carrying them are JSON, never HTML.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.security.conftest import sign_in
from tests.web.conftest import PASSWORD

PAYLOADS = (
    '<script>alert("st-xss-1")</script>',
    '"><img src=x onerror=alert("st-xss-2")>',
    "</script><script>alert('st-xss-3')</script>",
    "<svg/onload=alert(`st-xss-4`)>",
    "'><iframe srcdoc='<b>st-xss-5</b>'>",
)
PAGES = ("/", "/planner", "/incidents", "/reports", "/login")


def _edit(client: FlaskClient, layer: str, feature_id: str, fields: dict[str, Any]) -> None:
    stored = client.get(f"/api/data/{layer}/{feature_id}").get_json()
    stored["feature"]["properties"].update(fields)
    body = {"feature": stored["feature"], "base_revision": stored["revision"], "message": "xss"}
    response = client.put(f"/api/data/{layer}/{feature_id}", json=body)
    assert response.status_code == 201, response.get_json()


def _first_id(client: FlaskClient, layer: str, id_field: str) -> str:
    feature = client.get(f"/api/{layer}").get_json()["features"][0]
    return str(feature["properties"][id_field])


def store_payloads(app: Flask, admin: FlaskClient) -> str:
    """Put the payloads in every text field of the data, a closure, an incident, a user."""
    p = PAYLOADS
    _edit(
        admin,
        "places",
        "darchen",
        {"name_en": p[0], "name_zh": p[1], "name_bo": p[2], "notes": p[3]},
    )
    station = _first_id(admin, "stations", "station_id")
    _edit(admin, "stations", station, {"name_en": p[1], "name_zh": p[2], "notes": p[4]})
    export = admin.get("/api/export?format=geojson").get_json()
    trail_id = next(
        f["properties"]["way_id"]
        for f in export["features"]
        if f["properties"]["layer"] == "trails"
    )
    _edit(admin, "trails", trail_id, {"name_en": p[2], "name_zh": p[3]})
    segment = admin.get("/api/segments").get_json()["features"][0]["properties"]["segment_id"]
    closure = {
        "segment_ids": [segment],
        "reason": "snow",
        "modes": "all",
        "severity": "closed",
        "note": p[0],
    }
    assert admin.post("/api/closures", json=closure).status_code == 201
    incident = {
        "description": p[0],
        "caller_name": p[1],
        "condition": p[2],
        "language": "en",
    }
    created = admin.post("/api/incidents", json=incident)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()["incident"]
    patch = {"base_version": body["version"], "notes": p[3], "team": p[4]}
    updated = admin.patch(f"/api/incidents/{body['incident_id']}", json=patch)
    assert updated.status_code == 200, updated.get_json()
    user = {"username": "xss-user", "password": PASSWORD, "role": "admin", "display_name": p[4]}
    assert admin.post("/api/users", json=user).status_code == 201
    return "xss-user"


def _assert_escaped(html: str, where: str) -> None:
    for payload in PAYLOADS:
        assert payload not in html, (where, payload)
    for marker in ("<script>alert(", "<img src=x", "<svg/onload", "<iframe srcdoc"):
        assert marker not in html, (where, marker)


@pytest.fixture
def stored(app: Flask, client: FlaskClient) -> str:
    return store_payloads(app, client)


def test_pages_escape_stored_payloads(app: Flask, client: FlaskClient, stored: str) -> None:
    viewer = app.test_client()
    response = viewer.post("/api/login", json={"username": stored, "password": PASSWORD})
    assert response.status_code == 200
    for path in PAGES:
        page = viewer.get(path)
        assert page.status_code == 200, path
        assert page.mimetype == "text/html"
        html = page.get_data(as_text=True)
        _assert_escaped(html, path)
        page.close()
    # the name is there, escaped
    assert "&lt;iframe srcdoc=" in viewer.get("/").get_data(as_text=True)


def test_json_answers_with_payloads_are_json(app: Flask, client: FlaskClient, stored: str) -> None:
    for path in (
        "/api/places/darchen",
        "/api/places?q=darchen",
        "/api/stations",
        "/api/closures",
        "/api/incidents?status=all",
        "/api/users",
        "/api/versions",
        "/api/audit",
        "/api/data/places/darchen",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.mimetype in ("application/json", "application/geo+json"), path
        assert "text/html" not in response.headers["Content-Type"], path


def test_the_log_in_form_escapes_what_was_typed(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/login", query_string={"next": PAYLOADS[1]})
    _assert_escaped(page.get_data(as_text=True), "login next")
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    for payload in PAYLOADS:
        failed = client.post(
            "/login",
            data={"username": payload, "password": "wrong", "csrf_token": token, "next": payload},
        )
        assert failed.status_code in (401, 429)
        _assert_escaped(failed.get_data(as_text=True), "login form")


def test_the_login_redirect_never_leaves_the_site(app: Flask) -> None:
    from tests.web.conftest import make_user

    user = make_user(app, "officer")
    for target in ("javascript:alert(1)", "//evil.example/", "/\\evil.example", "https://x.y/"):
        client = app.test_client()
        page = client.get("/login")
        token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
        response = client.post(
            "/login",
            data={
                "username": user.username,
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/", target


def test_the_signed_in_name_is_escaped_on_the_pages(app: Flask) -> None:
    admin = app.test_client()
    sign_in(admin, "admin")
    user = {"username": "odd", "password": PASSWORD, "role": "planner", "display_name": PAYLOADS[0]}
    assert admin.post("/api/users", json=user).status_code == 201
    planner = app.test_client()
    assert (
        planner.post("/api/login", json={"username": "odd", "password": PASSWORD}).status_code
        == 200
    )
    html = planner.get("/planner").get_data(as_text=True)
    _assert_escaped(html, "/planner")
    assert "&lt;script&gt;alert(" in html
