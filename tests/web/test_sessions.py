"""Server-side sessions (both back ends): logout, a password change and a deactivation end
sessions at once, for every app sharing the database; admins list and revoke sessions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, func, select, table, update

from rescue.users import UserStore, sessions_table, users_table
from web import create_app

PASSWORD = "prayer wheel 108"
NEW_PASSWORD = "butter lamps at dusk"
REPORT = {"description": "lost near Dolma La"}


@pytest.fixture
def users(planner_app: Flask) -> UserStore:
    store = planner_app.extensions["sandtable"].store
    with store.writer.begin() as conn:
        conn.execute(delete(users_table))
    people = UserStore(store.reader, store.writer)
    people.create_user("root", PASSWORD, "admin")
    people.create_user("tashi", PASSWORD, "officer")
    return people


@pytest.fixture
def twin(planner_app: Flask) -> Iterator[Flask]:
    """A second app on the same database and instance (another worker process, in effect)."""
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": planner_app.config["INSTANCE_DIR"],
            "DATABASE_URL": planner_app.config["DATABASE_URL"],
        }
    )
    yield app
    app.extensions["sandtable"].store.dispose()


def sign_in(
    app: Flask, username: str, password: str = PASSWORD, agent: str = "test"
) -> FlaskClient:
    client = app.test_client()
    response = client.post(
        "/api/login",
        json={"username": username, "password": password},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 200, response.get_json()
    client.environ_base["HTTP_X_CSRF_TOKEN"] = response.get_json()["csrf_token"]
    return client


def replay(app: Flask, old: FlaskClient) -> FlaskClient:
    """A new client of ``app`` carrying ``old``'s cookie and CSRF token (a stolen cookie)."""
    cookie = old.get_cookie("session")
    assert cookie is not None
    client = app.test_client()
    client.set_cookie("session", cookie.value)
    client.environ_base["HTTP_X_CSRF_TOKEN"] = old.environ_base["HTTP_X_CSRF_TOKEN"]
    return client


def incident_count(app: Flask) -> int:
    store = app.extensions["sandtable"].store
    with store.reader.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table("incidents"))).scalar_one())


def test_an_old_cookie_after_logout_cannot_write(planner_app: Flask, users: UserStore) -> None:
    officer = sign_in(planner_app, "tashi")
    assert officer.post("/api/incidents", json=REPORT).status_code == 201
    stolen = replay(planner_app, officer)
    assert officer.post("/api/logout").status_code == 200
    before = incident_count(planner_app)
    refused = stolen.post("/api/incidents", json=REPORT)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "unauthorized"
    assert stolen.get("/api/me").status_code == 401
    assert incident_count(planner_app) == before == 1
    assert sign_in(planner_app, "tashi").get("/api/me").status_code == 200  # a new sign-in works


def test_logout_through_one_app_ends_the_session_in_another(
    planner_app: Flask, twin: Flask, users: UserStore
) -> None:
    officer = sign_in(planner_app, "tashi")
    elsewhere = replay(twin, officer)
    assert elsewhere.get("/api/me").status_code == 200  # one session, two processes
    assert elsewhere.post("/api/logout").status_code == 200
    assert officer.get("/api/me").status_code == 401
    assert officer.post("/api/incidents", json=REPORT).status_code == 401
    assert incident_count(planner_app) == 0


def test_a_new_password_ends_every_session_of_the_user_but_the_admins_own(
    planner_app: Flask, twin: Flask, users: UserStore
) -> None:
    desk, phone = sign_in(planner_app, "tashi"), sign_in(twin, "tashi")
    admin, admin_elsewhere = sign_in(planner_app, "root"), sign_in(twin, "root")
    tashi = users.list()[1]
    assert tashi.username == "tashi"
    changed = admin.patch(f"/api/users/{tashi.user_id}", json={"password": NEW_PASSWORD})
    assert changed.status_code == 200
    for client in (desk, phone):
        assert client.get("/api/me").status_code == 401
        assert client.post("/api/incidents", json=REPORT).status_code == 401
    assert incident_count(planner_app) == 0
    assert sign_in(twin, "tashi", NEW_PASSWORD).get("/api/me").status_code == 200

    root = users.list()[0]
    own = admin.patch(f"/api/users/{root.user_id}", json={"password": NEW_PASSWORD})
    assert own.status_code == 200
    assert admin.get("/api/me").status_code == 200  # the session that changed it stays
    assert admin_elsewhere.get("/api/me").status_code == 401  # every other one ends


def test_a_deactivated_user_stays_out_when_reactivated(
    planner_app: Flask, users: UserStore
) -> None:
    officer = sign_in(planner_app, "tashi")
    admin = sign_in(planner_app, "root")
    tashi = users.list()[1]
    url = f"/api/users/{tashi.user_id}"
    assert admin.patch(url, json={"active": False}).status_code == 200
    assert officer.post("/api/incidents", json=REPORT).status_code == 401
    assert admin.patch(url, json={"active": True}).status_code == 200
    assert officer.get("/api/me").status_code == 401  # revoked, not only paused
    assert incident_count(planner_app) == 0
    entries = admin.get("/api/audit", query_string={"limit": "5"}).get_json()
    revoked = [e["details"].get("sessions_revoked") for e in entries["entries"]]
    assert 1 in revoked  # the deactivation's entry says how many sessions it ended


def test_admins_list_and_revoke_a_users_sessions(
    planner_app: Flask, twin: Flask, users: UserStore
) -> None:
    desk, phone = sign_in(planner_app, "tashi", agent="desk"), sign_in(twin, "tashi", agent="phone")
    admin = sign_in(planner_app, "root")
    tashi = users.list()[1]
    url = f"/api/users/{tashi.user_id}/sessions"
    assert desk.get(url).status_code == 403  # admins only
    assert desk.delete(url).status_code == 403
    listed = admin.get(url).get_json()["sessions"]
    assert sorted(s["user_agent"] for s in listed) == ["desk", "phone"]
    assert {s["address"] for s in listed} == {"127.0.0.1"}
    assert admin.get("/api/users/9999/sessions").status_code == 404
    assert admin.delete("/api/users/9999/sessions").status_code == 404
    revoked = admin.delete(url)
    assert revoked.status_code == 200 and revoked.get_json() == {"sessions_revoked": 2}
    assert desk.get("/api/me").status_code == 401 and phone.get("/api/me").status_code == 401
    assert admin.get(url).get_json() == {"sessions": []}
    assert admin.get("/api/me").status_code == 200


def test_the_database_holds_only_hashes_and_expired_sessions_end(
    planner_app: Flask, users: UserStore
) -> None:
    officer = sign_in(planner_app, "tashi")
    store = planner_app.extensions["sandtable"].store
    with store.reader.connect() as conn:
        rows = conn.execute(select(sessions_table)).mappings().all()
    assert len(rows) == 1
    row = rows[0]
    lifetime = row["expires_at"] - row["created_at"]
    assert lifetime == timedelta(hours=12)
    assert row["revoked_at"] is None and len(row["token_hash"]) == 64
    cookie = officer.get_cookie("session")
    assert cookie is not None and row["token_hash"] not in cookie.value
    with store.writer.begin() as conn:
        conn.execute(update(sessions_table).values(expires_at=datetime.now(UTC)))
    assert officer.get("/api/me").status_code == 401
    assert officer.post("/api/incidents", json=REPORT).status_code == 401


def test_a_cookie_of_the_old_kind_signs_nobody_in(planner_app: Flask, users: UserStore) -> None:
    """Before sessions were rows, the signed cookie held the user's id: it is ignored now."""
    client = planner_app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["user_id"] = users.list()[0].user_id
        session["csrf_token"] = "t" * 40
    client.environ_base["HTTP_X_CSRF_TOKEN"] = "t" * 40
    assert client.get("/api/me").status_code == 401
    assert client.post("/api/incidents", json=REPORT).status_code == 401
    assert incident_count(planner_app) == 0
