"""Hostile input of issue 12 (items 1, 7, 8): each answers a clear 4xx, never a 500.

Generated here, small, on both back ends: closure times out of what the service can
compute with (and closures already stored that cannot be applied), JSON numbers Python
cannot convert, NaN/Infinity, NUL characters and lone surrogates in every kind of
field (PostgreSQL refuses NUL in text and JSON), idempotency keys reused across users
and bodies. After each: the data is intact, ``/api/health`` and a plan still answer.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from tests.security.conftest import concrete, every_rule, row_counts, signed_in_client
from tests.web.conftest import PASSWORD, make_user

#: a point near Darchen on the outer kora: every station can plan to it
TARGET = {"target": {"lon": 81.31, "lat": 31.07}}
BIG_INT = "7" * 5000  # over Python's 4,300 digits for int <-> str


def segment_id(app: Flask) -> str:
    return str(app.extensions["sandtable"].network.segments.index[0])


def closure_body(app: Flask, **fields: Any) -> dict[str, Any]:
    return {
        "segment_ids": [segment_id(app)],
        "reason": "snow",
        "modes": "all",
        "severity": "closed",
        **fields,
    }


def assert_still_serving(app: Flask) -> dict[str, Any]:
    """/api/health and a normal plan answer; the plan's JSON."""
    assert app.test_client().get("/api/health").status_code == 200
    officer = signed_in_client(app, "officer")
    response = officer.post("/api/approach", json=TARGET)
    assert response.status_code == 200, response.get_json()
    plan: dict[str, Any] = response.get_json()
    return plan


def assert_refused(response: Any, status: int = 422, *, mentions: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if not response.is_json:  # a page route: the app's error page, saying what was wrong
        page = response.get_data(as_text=True)
        assert 'class="st-err-detail"' in page and mentions in page, page[:300]
        return {"status": status, "message": page}
    error: dict[str, Any] = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    text = json.dumps(error, ensure_ascii=False)
    assert mentions in text, text
    return error


# --------------------------------------------------------------------------- item 1: closures
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("from", "0001-01-01T00:00"),
        ("from", "0001-01-01T00:00+14:00"),
        ("from", "1999-12-31T23:59"),  # naive: Beijing time, 15:59 UTC on 31 December
        ("until", "9999-12-31T23:59:59-12:00"),
        ("until", "9999-12-31T23:59:59"),
        ("until", "2100-01-01T08:00+00:00"),
        ("until", "+12024-01-01T00:00"),
    ],
)
def test_closure_times_outside_the_service_range_are_422(
    app: Flask, field: str, value: str
) -> None:
    officer = signed_in_client(app, "officer")
    before = row_counts(app)
    error = assert_refused(
        officer.post("/api/closures", json=closure_body(app, **{field: value})), mentions=field
    )
    assert any(d.startswith(f"{field}:") for d in error["details"]), error
    assert row_counts(app) == before
    assert_still_serving(app)


def test_closure_times_at_the_edges_of_the_range_are_accepted(app: Flask) -> None:
    officer = signed_in_client(app, "officer")
    response = officer.post(
        "/api/closures",
        json=closure_body(
            app, **{"from": "2000-01-01T00:00", "until": "2099-12-31T10:00:00-06:00"}
        ),
    )
    assert response.status_code == 201, response.get_json()
    closure_id = response.get_json()["closure_id"]
    plan = assert_still_serving(app)
    assert all(closure_id in p["closures_applied"] for p in plan["plans"])
    assert plan["closure_problems"] == []


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/approach", "depart_at"), ("/api/locate", "reported_at")],
)
@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59:59-12:00"])
def test_other_times_outside_the_range_are_422(
    app: Flask, path: str, field: str, value: str
) -> None:
    officer = signed_in_client(app, "officer")
    body = {**TARGET} if path == "/api/approach" else {"text": "near Darchen"}
    assert_refused(officer.post(path, json={**body, field: value}), mentions=field)
    assert_still_serving(app)


#: stored closures no release of Sandtable would write (``body`` patches a good one)
UNREADABLE = {
    "from_year_1": {"from": "0001-01-01T00:00:00+08:00"},
    "until_year_9999_minus_12": {"until": "9999-12-31T23:59:59-12:00"},
    "naive_from": {"from": "2026-07-01T08:00:00"},
    "not_a_date": {"from": "yesterday"},
    "bad_geometry": {"segment_ids": [], "geometry": {"type": "Point", "coordinates": [81, 31]}},
    "slow_factor_below_1": {"slow_factor": 0.5, "severity": {"slow_factor": 0.5}},
    "missing_fields": None,
}


def _insert_closure(app: Flask, closure_id: str, body: Any, *, valid_until: str | None) -> None:
    """A row written straight into the database, past every check of the service."""
    store = app.extensions["sandtable"].store
    with store.writer.begin() as conn:
        seq = conn.execute(sa.text("SELECT COALESCE(MAX(seq), 0) + 1 FROM closures")).scalar_one()
        if store.dialect == "postgresql":
            conn.execute(
                sa.text(
                    "INSERT INTO closures (closure_id, region_id, body, valid_until, created_at, "
                    "seq) VALUES (:id, 'kailash', CAST(:body AS JSONB), "
                    "CAST(:until AS TIMESTAMPTZ), now(), :seq)"
                ),
                {"id": closure_id, "body": json.dumps(body), "until": valid_until, "seq": seq},
            )
        else:
            until = None if valid_until is None else "10000-01-01 11:59:59.000000"
            conn.execute(
                sa.text(
                    "INSERT INTO closures (closure_id, region_id, body, valid_until, created_at, "
                    "seq) VALUES (:id, 'kailash', :body, :until, '2026-07-01 00:00:00.000000', "
                    ":seq)"
                ),
                {"id": closure_id, "body": json.dumps(body), "until": until, "seq": seq},
            )


def test_stored_closures_that_cannot_be_applied_are_reported_not_fatal(app: Flask) -> None:
    officer = signed_in_client(app, "officer")
    good = officer.post("/api/closures", json=closure_body(app))
    assert good.status_code == 201
    template = good.get_json()
    for name, patch in UNREADABLE.items():
        body = {"closure_id": name} if patch is None else {**template, "closure_id": name, **patch}
        until = "9999-12-31T23:59:59-12:00" if name == "until_year_9999_minus_12" else None
        _insert_closure(app, name, body, valid_until=until)
    _insert_closure(app, "not_an_object", "closed", valid_until=None)
    bad = {*UNREADABLE, "not_an_object"}

    plan = assert_still_serving(app)
    assert {p["closure_id"] for p in plan["closure_problems"]} == bad
    assert all(p["message"] for p in plan["closure_problems"])
    assert all(p["closures_applied"] == [template["closure_id"]] for p in plan["plans"])

    listed = officer.get("/api/closures?include_expired=true")
    assert listed.status_code == 200
    assert [c["closure_id"] for c in listed.get_json()["closures"]] == [template["closure_id"]]
    assert {p["closure_id"] for p in listed.get_json()["problems"]} == bad
    assert_refused(officer.get("/api/closures/from_year_1"), 409, mentions="from")
    assert officer.get("/", headers={"Accept": "text/html"}).status_code == 200  # the map page

    for closure_id in sorted(bad):  # an officer lifts them: the rows go
        # 404: on SQLite the "10000-01-01" valid_until sorts before today as text, so the
        # purge of expired closures on the first delete took that row already
        assert officer.delete(f"/api/closures/{closure_id}").status_code in (204, 404)
    plan = assert_still_serving(app)
    assert plan["closure_problems"] == []
    assert officer.get("/api/closures").get_json()["problems"] == []


def test_a_closure_written_later_is_applied_while_a_bad_one_stays(app: Flask) -> None:
    _insert_closure(
        app, "year_one", {**closure_body(app), "from": "0001-01-01T00:00"}, valid_until=None
    )
    officer = signed_in_client(app, "officer")
    added = officer.post("/api/closures", json=closure_body(app, note="snow at the pass"))
    assert added.status_code == 201  # the purge and insert of a write read no stored times
    plan = assert_still_serving(app)
    assert [p["closure_id"] for p in plan["closure_problems"]] == ["year_one"]
    assert all(added.get_json()["closure_id"] in p["closures_applied"] for p in plan["plans"])


# --------------------------------------------------------------------------- item 7: JSON numbers
#: bodies Python's json module cannot turn into values every view can use
BAD_NUMBERS = {
    "int_5000_digits": '{"n": ' + BIG_INT + "}",
    "negative_int_5000_digits": '{"n": -' + BIG_INT + "}",
    "int_in_a_list": '{"n": [1, 2, ' + BIG_INT + "]}",
    "float_1e999": '{"n": 1e999}',
    "float_long": '{"n": 0.' + "1" * 5000 + "}",
    "nan": '{"n": NaN}',
    "infinity": '{"n": -Infinity}',
}


@pytest.mark.parametrize("body", sorted(BAD_NUMBERS))
def test_unusable_numbers_in_the_anonymous_login_are_422(app: Flask, body: str) -> None:
    before = row_counts(app)
    anonymous = app.test_client()
    response = anonymous.post("/api/login", data=BAD_NUMBERS[body], content_type="application/json")
    assert_refused(response)
    assert row_counts(app) == before
    assert_still_serving(app)


def _json_operations(app: Flask) -> list[tuple[str, str]]:
    from web.openapi import OPERATIONS

    return [
        (method, rule)
        for method, rule in every_rule(app)
        if method in ("POST", "PUT", "PATCH", "DELETE")
        and rule.startswith("/api")
        and OPERATIONS[(method, rule)].get("body")  # a route that reads a body
        and "multipart" not in OPERATIONS[(method, rule)]["body"]
    ]


def test_a_huge_integer_in_any_json_body_is_a_4xx(app: Flask) -> None:
    admin = signed_in_client(app, "admin")  # may call everything
    before = row_counts(app)
    for method, rule in _json_operations(app):
        for body in ('{"n": ' + BIG_INT + "}", '{"message": "m", "n": NaN}'):
            response = admin.open(
                concrete(rule), method=method, data=body, content_type="application/json"
            )
            assert 400 <= response.status_code < 500, (method, rule, response.status_code)
            assert response.get_json()["error"]["status"] == response.status_code
    assert row_counts(app) == before
    assert_still_serving(app)


def test_numbers_of_reasonable_size_still_parse(app: Flask) -> None:
    officer = signed_in_client(app, "officer")
    response = officer.post(
        "/api/approach", json={"target": {"lon": 81.3100000000000000001, "lat": 31.07}}
    )
    assert response.status_code == 200


# --------------------------------------------------------------------------- item 7: NUL
NUL = "a\u0000b"


def _json_cases(app: Flask) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(role, method, path, body) with a NUL in one text field or id each."""
    seg = segment_id(app)
    return [
        ("anonymous", "POST", "/api/login", {"username": NUL, "password": PASSWORD}),
        ("anonymous", "POST", "/api/login", {"username": "x", "password": NUL}),
        ("officer", "POST", "/api/closures", closure_body(app, note=NUL)),
        ("officer", "POST", "/api/closures", closure_body(app, segment_ids=[seg, NUL])),
        ("officer", "POST", "/api/closures", closure_body(app, reason=NUL)),
        ("officer", "POST", "/api/closures", {**closure_body(app), NUL: 1}),
        ("officer", "POST", "/api/incidents", {"description": NUL}),
        ("officer", "POST", "/api/incidents", {"description": "lost", "caller_name": NUL}),
        ("officer", "POST", "/api/incidents", {"description": "lost", "condition": NUL}),
        ("officer", "POST", "/api/incidents", {"description": "x", "idempotency_key": NUL}),
        ("officer", "POST", "/api/locate", {"text": NUL}),
        ("officer", "POST", "/api/approach", {"target": {"segment_id": NUL}}),
        ("officer", "POST", "/api/approach", {**TARGET, "stations": [NUL]}),
        ("officer", "POST", "/api/approach", {**TARGET, "profile": NUL}),
        ("admin", "POST", "/api/users", {"username": NUL, "password": PASSWORD, "role": "admin"}),
        ("planner", "POST", "/api/versions/1/restore", {"message": NUL}),
        ("planner", "POST", "/api/imports/x/apply", {"message": NUL}),
        ("planner", "POST", "/api/data/ways/join", {"way_ids": [NUL, "b"], "message": "m"}),
    ]


def test_a_nul_in_any_json_text_field_is_422(app: Flask) -> None:
    clients: dict[str, FlaskClient] = {"anonymous": app.test_client()}
    for role in ("officer", "planner", "admin"):
        clients[role] = signed_in_client(app, role)
    before = row_counts(app)
    for role, method, path, body in _json_cases(app):
        response = clients[role].open(path, method=method, json=body)
        assert_refused(response, mentions="NUL")
    after = row_counts(app)
    assert after == before
    assert_still_serving(app)


def test_a_lone_surrogate_is_422(app: Flask) -> None:
    officer = signed_in_client(app, "officer")
    for raw in ('{"description": "\\ud800"}', '{"description": "x", "\\udfff": 1}'):
        response = officer.post("/api/incidents", data=raw, content_type="application/json")
        assert_refused(response, mentions="surrogate")
    assert_still_serving(app)


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("officer", "/api/closures/a%00b"),
        ("officer", "/api/segments/a%00b"),
        ("officer", "/api/places?q=a%00b"),
        ("officer", "/api/places?a%00b=1"),
        ("officer", "/api/incidents?status=a%00b"),
        ("planner", "/api/imports/a%00b"),
        ("planner", "/api/versions?way_id=a%00b"),
        ("officer", "/reports?from=a%00b"),
    ],
)
def test_a_nul_in_a_path_or_query_string_is_422(app: Flask, role: str, path: str) -> None:
    client = signed_in_client(app, role)
    assert_refused(client.get(path), mentions="NUL")
    assert_still_serving(app)


def test_a_nul_in_form_fields_and_file_names_is_422(app: Flask) -> None:
    anonymous = app.test_client()
    page = anonymous.get("/login")
    assert page.status_code == 200
    response = anonymous.post("/login", data={"username": NUL, "password": PASSWORD})
    assert_refused(response, mentions="NUL")
    planner = signed_in_client(app, "planner")
    before = row_counts(app)
    upload = planner.post(
        "/api/imports",
        data={"file": (io.BytesIO(b"<gpx/>"), "track\u0000.gpx")},
        content_type="multipart/form-data",
    )
    assert_refused(upload, mentions="NUL")
    field = planner.post(
        "/api/imports",
        data={"file": (io.BytesIO(b"<gpx/>"), "track.gpx"), "route_id": NUL},
        content_type="multipart/form-data",
    )
    assert_refused(field, mentions="NUL")
    assert row_counts(app) == before
    assert_still_serving(app)


# --------------------------------------------------------------------------- item 8: idempotency
def test_idempotency_keys_are_per_user_and_a_new_body_is_409(app: Flask) -> None:
    first, second = signed_in_client(app, "call_taker"), signed_in_client(app, "officer")
    body = {"description": "two pilgrims lost near Drirapuk", "idempotency_key": "form-1"}
    mine = first.post("/api/incidents", json=body)
    theirs = second.post("/api/incidents", json=body)
    assert mine.status_code == 201 and theirs.status_code == 201
    assert (
        mine.get_json()["incident"]["incident_id"] != theirs.get_json()["incident"]["incident_id"]
    )
    again = first.post("/api/incidents", json=body)
    assert again.status_code == 200
    assert again.get_json()["incident"] == mine.get_json()["incident"]
    before = row_counts(app)
    other = first.post("/api/incidents", json={**body, "description": "a different call"})
    error = assert_refused(other, 409, mentions="form-1")
    assert error["data"] == {"incident_id": mine.get_json()["incident"]["incident_id"]}
    assert row_counts(app) == before
    listed = first.get("/api/incidents").get_json()["incidents"]
    assert sorted(i["description"] for i in listed) == [body["description"]] * 2
    assert_still_serving(app)


# --------------------------------------------------------------------------- item 8: headers
def _check_headers(response: Any, where: str) -> None:
    headers = response.headers
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    policy = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy, where
    assert "object-src 'none'" in policy, where
    script_src = next(p for p in policy.split("; ") if p.startswith("script-src "))
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, where


def test_every_answer_carries_the_security_headers(app: Flask) -> None:
    admin = signed_in_client(app, "admin")
    anonymous = app.test_client()
    for client, path in [
        (anonymous, "/api/health"),
        (anonymous, "/api/incidents"),  # 401
        (anonymous, "/login"),
        (anonymous, "/static/sandtable.js"),
        (anonymous, "/no/such/page"),
        (admin, "/api/nothing-here"),
        (admin, "/api/segments"),
    ]:
        with client.get(path) as response:  # static files stream: close them
            _check_headers(response, path)
    _check_headers(admin.put("/api/health"), "405")
    for method, rule in every_rule(app):
        if method == "GET" and "<" not in rule:
            with admin.get(rule) as response:
                _check_headers(response, rule)


@pytest.mark.parametrize("path", ["/", "/planner", "/incidents", "/reports"])
def test_every_inline_script_carries_the_nonce_of_the_policy(app: Flask, path: str) -> None:
    import re

    response = signed_in_client(app, "admin").get(path)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None, policy
    html = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", html)
    assert inline, "the page has inline scripts"
    assert all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline), inline
    again = signed_in_client(app, "admin").get(path).headers["Content-Security-Policy"]
    assert again != policy  # a new nonce per answer


def test_every_405_carries_allow_and_the_error_envelope(app: Flask) -> None:
    admin = signed_in_client(app, "admin")
    rules: dict[str, set[str]] = {}
    for method, rule in every_rule(app):
        rules.setdefault(rule, set()).add(method)
    checked = 0
    for rule, methods in rules.items():
        if not rule.startswith("/api") or "PATCH" in methods:
            continue
        response = admin.patch(concrete(rule), json={})
        if response.status_code == 404:  # a sample id that matches no other rule
            continue
        assert response.status_code == 405, rule
        allowed = {m.strip() for m in response.headers["Allow"].split(",")}
        assert methods <= allowed, (rule, allowed)
        assert response.get_json()["error"]["status"] == 405
        checked += 1
    assert checked > 10


# --------------------------------------------------------------------------- item 8: files
def test_the_database_and_the_secret_key_are_created_0600(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import stat

    from web import create_app

    old_umask = os.umask(0o022)  # the common default: files 0644 unless made otherwise
    try:
        instance = tmp_path / "instance"
        app = create_app({"TESTING": True, "INSTANCE_DIR": str(instance)})
        user = make_user(app, "admin")
        client = app.test_client()
        assert (
            client.post(
                "/api/login", json={"username": user.username, "password": PASSWORD}
            ).status_code
            == 200
        )
        names = ("sandtable.db", "sandtable.db-wal", "sandtable.db-shm", "secret_key")
        modes = {n: stat.S_IMODE((instance / n).stat().st_mode) for n in names}
        assert modes == dict.fromkeys(names, 0o600)
        app.extensions["sandtable"].store.dispose()
        # a database made world-readable by an earlier release is tightened on start
        for n in names[:3]:
            if (instance / n).exists():
                (instance / n).chmod(0o644)
        again = create_app({"TESTING": True, "INSTANCE_DIR": str(instance)})
        assert again.test_client().get("/api/health").status_code == 200
        assert stat.S_IMODE((instance / "sandtable.db").stat().st_mode) == 0o600
        again.extensions["sandtable"].store.dispose()
    finally:
        os.umask(old_umask)
