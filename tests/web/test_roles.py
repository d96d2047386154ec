"""Every page and API route enforces its role on the server, and unsafe requests need CSRF.

The matrix below is the one documented in README.md ("Users and sign-in"): for each
rule, an anonymous caller gets a 401 (API) or a redirect to the log-in page (pages), a
role not listed a 403, a listed role (and an admin) neither. A signed-in request that
changes something without the session's CSRF token is a 403 with the code "csrf".
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from rescue.users import ROLES, UserStore
from tests.web.conftest import sign_in, signed_in_client

READERS = ("call_taker", "officer", "planner")
DISPATCH = ("call_taker", "officer")
CLOSERS = ("officer", "planner")
PLANNING_READERS = ("officer", "planner")
PLANNERS = ("planner",)

#: (method, path, roles allowed besides admin)
API_RULES: list[tuple[str, str, tuple[str, ...]]] = [
    ("GET", "/api/regions", READERS),
    ("GET", "/api/routes", READERS),
    ("GET", "/api/routes/kora_outer", READERS),
    ("GET", "/api/segments", READERS),
    ("GET", "/api/segments/x", READERS),
    ("GET", "/api/km-posts", READERS),
    ("GET", "/api/places", READERS),
    ("GET", "/api/places/darchen", READERS),
    ("GET", "/api/stations", READERS),
    ("GET", "/api/stations/darchen_police_station", READERS),
    ("POST", "/api/locate", DISPATCH),
    ("POST", "/api/approach", DISPATCH),
    ("GET", "/api/closures", READERS),
    ("GET", "/api/events", READERS),
    ("GET", "/api/closures/x", READERS),
    ("POST", "/api/closures", CLOSERS),
    ("DELETE", "/api/closures/x", CLOSERS),
    ("GET", "/api/versions", PLANNING_READERS),
    ("GET", "/api/versions/1", PLANNING_READERS),
    ("GET", "/api/data/places/darchen", PLANNING_READERS),
    ("GET", "/api/export?format=geojson", PLANNING_READERS),
    ("POST", "/api/versions/1/restore", PLANNERS),
    ("PUT", "/api/data/places/darchen", PLANNERS),
    ("POST", "/api/data/places", PLANNERS),
    ("DELETE", "/api/data/places/darchen", PLANNERS),
    ("POST", "/api/data/ways/trail:x/split", PLANNERS),
    ("POST", "/api/data/ways/join", PLANNERS),
    ("POST", "/api/imports", PLANNERS),
    ("GET", "/api/imports/x", PLANNERS),
    ("POST", "/api/imports/x/apply", PLANNERS),
    ("DELETE", "/api/imports/x", PLANNERS),
    ("GET", "/api/audit", ()),
]
PAGE_RULES: list[tuple[str, tuple[str, ...]]] = [("/", READERS), ("/planner", PLANNERS)]
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

#: routes anyone may call
PUBLIC = {
    "/api",
    "/api/health",
    "/api/openapi.json",
    "/login",
    "/logout",
    "/api/login",
    "/api/logout",
    "/api/me",
    # a find-me link's page and its fix: the caller has no account, the one-time token is the
    # authority (tests/web/test_find_me_api.py: unknown, expired and used tokens are refused)
    "/f/<token>",
    "/api/find-me/<token>",
}


def call(client: FlaskClient, method: str, path: str, **kwargs: Any) -> Any:
    if method in UNSAFE and "json" not in kwargs and "data" not in kwargs:
        kwargs["json"] = {}
    return client.open(path, method=method, **kwargs)


@pytest.fixture
def clients(app: Flask) -> dict[str, FlaskClient]:
    """An anonymous client and one signed in per role (each sends its CSRF token)."""
    made = {"anonymous": app.test_client()}
    for role in ROLES:
        made[role] = signed_in_client(app, role)
    return made


def test_the_roles_are_the_documented_ones() -> None:
    assert set(ROLES) == {"call_taker", "officer", "planner", "admin"}


def test_api_role_matrix(clients: dict[str, FlaskClient]) -> None:
    for method, path, allowed in API_RULES:
        anonymous = call(clients["anonymous"], method, path)
        assert anonymous.status_code == 401, (method, path)
        assert anonymous.get_json()["error"]["status"] == 401, (method, path)
        for role in ROLES:
            response = call(clients[role], method, path)
            if role == "admin" or role in allowed:
                assert response.status_code not in (401, 403), (role, method, path)
            else:
                assert response.status_code == 403, (role, method, path)
                assert response.get_json()["error"]["status"] == 403


def test_page_role_matrix(clients: dict[str, FlaskClient]) -> None:
    for path, allowed in PAGE_RULES:
        anonymous = clients["anonymous"].get(path)
        assert anonymous.status_code == 302, path
        assert anonymous.headers["Location"].startswith("/login?next="), path
        for role in ROLES:
            status = clients[role].get(path).status_code
            if role == "admin" or role in allowed:
                assert status == 200, (role, path)
            else:
                assert status == 403, (role, path)


def test_the_log_in_page_the_health_check_and_static_files_are_public(app: Flask) -> None:
    anonymous = app.test_client()
    assert anonymous.get("/login").status_code == 200
    assert anonymous.get("/api/health").status_code == 200
    assert anonymous.get("/api").status_code == 200
    with anonymous.get("/static/sandtable.js") as response:
        assert response.status_code == 200


def test_no_route_is_left_open(app: Flask) -> None:
    """Every route of the app (incidents too) but the public ones refuses anonymous callers."""
    anonymous = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule in PUBLIC:
            continue
        path = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", rule.rule)
        path = re.sub(r"<int:[^>]+>", "1", path)
        path = re.sub(r"<[^>]+>", "x", path)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            response = call(anonymous, method, path)
            if path.startswith("/api"):
                assert response.status_code == 401, (method, path)
            else:
                assert response.status_code == 302, (method, path)
                assert response.headers["Location"].startswith("/login"), (method, path)
            checked += 1
    assert checked >= len(API_RULES) + len(PAGE_RULES)


def test_unsafe_requests_without_the_csrf_token_are_refused(app: Flask) -> None:
    client = app.test_client()
    token = sign_in(client, "admin", csrf=False)
    for method, path, _ in API_RULES:
        if method not in UNSAFE:
            continue
        response = call(client, method, path)
        assert response.status_code == 403, (method, path)
        assert response.get_json()["error"]["code"] == "csrf", (method, path)
        wrong = call(client, method, path, headers={"X-CSRF-Token": token[:-2] + "xx"})
        assert wrong.status_code == 403, (method, path)
        assert wrong.get_json()["error"]["code"] == "csrf", (method, path)
    # with the token the same request gets through (here: an unknown closure)
    assert client.delete("/api/closures/x", headers={"X-CSRF-Token": token}).status_code == 404
    # reading needs no token
    assert client.get("/api/closures").status_code == 200


CLOSURE = {"reason": "snow", "modes": "all", "severity": "closed"}


def test_the_closure_author_is_the_signed_in_user(clients: dict[str, FlaskClient]) -> None:
    client = clients["officer"]
    sign_in(client, "officer", "lhamo")
    segment = client.get("/api/segments").get_json()["features"][0]["properties"]["segment_id"]
    body = {**CLOSURE, "segment_ids": [segment], "created_by": "somebody else"}
    created = client.post("/api/closures", json=body, headers={"X-Sandtable-User": "nobody"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["created_by"] == "lhamo"
    closure_id = created.get_json()["closure_id"]
    assert client.get(f"/api/closures/{closure_id}").get_json()["created_by"] == "lhamo"


def test_the_version_author_is_the_signed_in_user(clients: dict[str, FlaskClient]) -> None:
    client = clients["planner"]
    sign_in(client, "planner", "pema")
    stored = client.get("/api/data/places/darchen").get_json()
    stored["feature"]["properties"]["notes"] = "checked by pema"
    body = {"feature": stored["feature"], "base_revision": stored["revision"], "message": "check"}
    response = client.put("/api/data/places/darchen", json=body)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["version"]["author"] == "pema"
    assert client.get("/api/versions").get_json()["versions"][0]["author"] == "pema"


def test_a_deactivated_user_is_signed_out_at_once(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, "officer", "karma")
    assert client.get("/api/closures").status_code == 200
    store = app.extensions["sandtable"].store
    users = UserStore(store.reader, store.writer)
    karma = next(u for u in users.list() if u.username == "karma")
    users.update(karma.user_id, active=False)
    assert client.get("/api/closures").status_code == 401
    assert client.get("/").status_code == 302
