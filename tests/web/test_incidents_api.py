"""The incidents API on both back ends — and a real server killed after 20 acknowledged calls."""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete
from werkzeug.test import TestResponse

from geodata.store import open_store
from rescue.users import UserStore, users_table
from tests.live import serve_process, stop

PASSWORD = "prayer wheel 108"
LOCATION = {"segment_id": "kora_w_01", "lon": 81.31, "lat": 31.07, "name": "Drirapuk"}
HOSTILE = [
    "<script>alert('x')</script>",
    "'; DROP TABLE incidents; --",
    '" OR 1=1 --',
    "{{7*7}} ${7*7} <img src=x onerror=alert(1)>",
    "卓玛 བཀྲ་ཤིས། 🙏 \\u0000 \\n",
]


@pytest.fixture
def users(planner_app: Flask) -> UserStore:
    store = planner_app.extensions["sandtable"].store
    with store.writer.begin() as conn:
        conn.execute(delete(users_table))
    people = UserStore(store.reader, store.writer)
    for name, role in [
        ("dolma", "call_taker"),
        ("tashi", "officer"),
        ("pema", "planner"),
        ("root", "admin"),
    ]:
        people.create_user(name, PASSWORD, role)
    return people


def signed_in(client: FlaskClient, username: str) -> str:
    response = client.post("/api/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    token: str = response.get_json()["csrf_token"]
    return token


class As:
    """A signed-in client sending its CSRF token."""

    def __init__(self, app: Flask, username: str) -> None:
        self.client = app.test_client()
        self.token = signed_in(self.client, username)

    def get(self, path: str) -> TestResponse:
        return self.client.get(path)

    def post(self, path: str, body: Any) -> TestResponse:
        return self.client.post(path, json=body, headers={"X-CSRF-Token": self.token})

    def patch(self, path: str, body: Any) -> TestResponse:
        return self.client.patch(path, json=body, headers={"X-CSRF-Token": self.token})


def _new(who: As, **fields: Any) -> dict[str, Any]:
    response = who.post("/api/incidents", {"description": "lost near Dolma La", **fields})
    assert response.status_code == 201, response.get_json()
    incident: dict[str, Any] = response.get_json()["incident"]
    return incident


ROUTES = [
    ("GET", "/api/incidents"),
    ("POST", "/api/incidents"),
    ("GET", "/api/incidents/1"),
    ("PATCH", "/api/incidents/1"),
    ("POST", "/api/incidents/1/transitions"),
]


@pytest.mark.usefixtures("users")
def test_anonymous_callers_get_401_and_planners_403(planner_app: Flask) -> None:
    anonymous = planner_app.test_client()
    for method, path in ROUTES:
        response = anonymous.open(path, method=method, json={})
        assert response.status_code == 401, (method, path)
        assert response.get_json()["error"]["code"] == "unauthorized"
    planner = As(planner_app, "pema")
    for method, path in ROUTES:
        response = planner.client.open(
            path, method=method, json={}, headers={"X-CSRF-Token": planner.token}
        )
        assert response.status_code == 403, (method, path)


@pytest.mark.usefixtures("users")
def test_call_taker_creates_reads_and_updates(planner_app: Flask) -> None:
    dolma = As(planner_app, "dolma")
    response = dolma.post(
        "/api/incidents",
        {
            "description": "two pilgrims lost in snow",
            "language": "mixed",
            "caller_name": "Wang Li",
            "caller_phone": "+86 139 0000 0000",
            "party_size": 2,
            "condition": "cold, one cannot walk",
            "priority": "high",
            "location": LOCATION,
            "idempotency_key": "form-abc",
        },
    )
    assert response.status_code == 201
    incident = response.get_json()["incident"]
    iid = incident["incident_id"]
    assert response.headers["Location"].endswith(f"/api/incidents/{iid}")
    assert incident["created_by"] == "dolma" and incident["region_id"] == "kailash"
    assert incident["location"] == LOCATION and incident["status"] == "received"
    # a double click: the same incident, 200
    again = dolma.post(
        "/api/incidents",
        {
            "description": "two pilgrims lost in snow",
            "language": "mixed",
            "caller_name": "Wang Li",
            "caller_phone": "+86 139 0000 0000",
            "party_size": 2,
            "condition": "cold, one cannot walk",
            "priority": "high",
            "location": LOCATION,
            "idempotency_key": "form-abc",
        },
    )
    assert again.status_code == 200 and again.get_json()["incident"]["incident_id"] == iid
    assert not again.get_json()["created"]
    # the same key with another report: refused, not silently the first one
    other = dolma.post("/api/incidents", {"description": "x", "idempotency_key": "form-abc"})
    assert other.status_code == 409
    assert "different body" in other.get_json()["error"]["message"]
    assert dolma.get(f"/api/incidents/{iid}").get_json()["incident"] == incident
    listed = dolma.get("/api/incidents").get_json()["incidents"]
    assert [i["incident_id"] for i in listed] == [iid]
    assert dolma.get("/api/incidents?status=closed").get_json()["incidents"] == []
    assert dolma.get("/api/incidents?status=soon").status_code == 422
    assert dolma.get("/api/incidents?limit=many").status_code == 422
    changed = dolma.patch(
        f"/api/incidents/{iid}",
        {"base_version": 1, "add_description": "now by the stupa", "party_size": 3},
    )
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()["incident"]
    assert body["version"] == 2 and body["party_size"] == 3
    assert [d["text"] for d in body["descriptions"]][-1] == "now by the stupa"
    # a call taker may mark it located, nothing more
    located = dolma.post(f"/api/incidents/{iid}/transitions", {"to": "located", "base_version": 2})
    assert located.status_code == 200 and located.get_json()["incident"]["status"] == "located"
    refused = dolma.post(
        f"/api/incidents/{iid}/transitions", {"to": "dispatched", "base_version": 3}
    )
    assert refused.status_code == 403
    assert dolma.get("/api/incidents/99999").status_code == 404


@pytest.mark.usefixtures("users")
def test_officer_follows_an_incident_to_the_follow_up(planner_app: Flask) -> None:
    tashi = As(planner_app, "tashi")
    iid = _new(tashi, location=LOCATION)["incident_id"]
    plan = {"station_id": "darchen", "eta_s": 5400, "mode": "foot"}
    got = tashi.patch(
        f"/api/incidents/{iid}", {"base_version": 1, "plan": plan, "team": "Darchen team 2"}
    ).get_json()["incident"]
    assert got["plan"] == {"station_id": "darchen", "eta_s": 5400.0, "mode": "foot"}
    version = got["version"]
    for to, outcome in [
        ("located", None),
        ("dispatched", None),
        ("en_route", None),
        ("on_scene", None),
        ("resolved", "rescued"),
        ("followed_up", None),
    ]:
        body: dict[str, Any] = {"to": to, "base_version": version, "note": f"now {to}"}
        if outcome:
            body["outcome"] = outcome
        response = tashi.post(f"/api/incidents/{iid}/transitions", body)
        assert response.status_code == 200, response.get_json()
        got = response.get_json()["incident"]
        version = got["version"]
    assert got["status"] == "followed_up" and got["outcome"] == "rescued"
    assert [e["to"] for e in got["timeline"]] == [
        "received",
        "located",
        "dispatched",
        "en_route",
        "on_scene",
        "resolved",
        "followed_up",
    ]
    assert all(e["by"] == "tashi" for e in got["timeline"])
    assert got["dispatch_s"] is not None and got["on_scene_at"] is not None
    closed = tashi.get("/api/incidents?status=closed").get_json()["incidents"]
    assert [i["incident_id"] for i in closed] == [iid]


@pytest.mark.usefixtures("users")
def test_illegal_transitions_and_stale_versions(planner_app: Flask) -> None:
    tashi = As(planner_app, "tashi")
    iid = _new(tashi)["incident_id"]
    response = tashi.post(
        f"/api/incidents/{iid}/transitions", {"to": "on_scene", "base_version": 1}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == (
        "cannot go from received to on_scene; allowed next: located, resolved"
    )
    response = tashi.post(
        f"/api/incidents/{iid}/transitions", {"to": "resolved", "base_version": 1}
    )
    assert (
        response.status_code == 422
        and "needs an outcome" in response.get_json()["error"]["message"]
    )
    assert (
        tashi.patch(f"/api/incidents/{iid}", {"base_version": 1, "notes": "a"}).status_code == 200
    )
    stale = tashi.patch(f"/api/incidents/{iid}", {"base_version": 1, "notes": "b"})
    assert stale.status_code == 409
    error = stale.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["data"]["current_version"] == 2 and error["data"]["base_version"] == 1
    assert error["data"]["current"]["notes"] == "a"
    stale = tashi.post(
        f"/api/incidents/{iid}/transitions",
        {"to": "resolved", "outcome": "false_alarm", "base_version": 1},
    )
    assert stale.status_code == 409
    assert tashi.get(f"/api/incidents/{iid}").get_json()["incident"]["notes"] == "a"


@pytest.mark.usefixtures("users")
def test_csrf_token_is_required(planner_app: Flask) -> None:
    tashi = As(planner_app, "tashi")
    iid = _new(tashi)["incident_id"]
    for method, path, body in [
        ("POST", "/api/incidents", {"description": "x"}),
        ("PATCH", f"/api/incidents/{iid}", {"base_version": 1, "notes": "x"}),
        ("POST", f"/api/incidents/{iid}/transitions", {"to": "resolved", "base_version": 1}),
    ]:
        response = tashi.client.open(path, method=method, json=body)
        assert response.status_code == 403
        assert response.get_json()["error"]["code"] == "csrf"
        wrong = tashi.client.open(
            path, method=method, json=body, headers={"X-CSRF-Token": "x" * 40}
        )
        assert wrong.status_code == 403
    assert tashi.get(f"/api/incidents/{iid}").get_json()["incident"]["version"] == 1
    assert len(tashi.get("/api/incidents").get_json()["incidents"]) == 1


@pytest.mark.usefixtures("users")
def test_hostile_text_is_stored_and_returned_verbatim(planner_app: Flask) -> None:
    dolma = As(planner_app, "dolma")
    for text in HOSTILE:
        incident = _new(dolma, description=text, caller_name=text[:100], condition=text)
        got = dolma.get(f"/api/incidents/{incident['incident_id']}")
        assert got.headers["Content-Type"].startswith("application/json")
        body = got.get_json()["incident"]
        assert body["description"] == text and body["caller_name"] == text[:100]
        assert body["condition"] == text
        changed = dolma.patch(
            f"/api/incidents/{incident['incident_id']}", {"base_version": 1, "notes": text}
        )
        assert changed.get_json()["incident"]["notes"] == text
    assert len(dolma.get("/api/incidents").get_json()["incidents"]) == len(HOSTILE)
    # a real NUL is refused, not a server error
    assert dolma.post("/api/incidents", {"description": "a\x00b"}).status_code == 422


@pytest.mark.usefixtures("users")
def test_bad_bodies(planner_app: Flask) -> None:
    dolma = As(planner_app, "dolma")
    big = dolma.post("/api/incidents", {"description": "x" * 70_000})
    assert big.status_code == 413
    unknown = dolma.post("/api/incidents", {"description": "x", "status": "resolved"})
    assert unknown.status_code == 422
    assert unknown.get_json()["error"]["details"] == ["field 'status': unknown field"]
    invalid = dolma.post("/api/incidents", {"description": "", "party_size": -1})
    assert invalid.status_code == 422
    assert [d.split("'")[1] for d in invalid.get_json()["error"]["details"]] == [
        "description",
        "party_size",
    ]
    repeated = dolma.client.post(
        "/api/incidents",
        data='{"description": "a", "description": "b"}',
        content_type="application/json",
        headers={"X-CSRF-Token": dolma.token},
    )
    assert repeated.status_code == 422
    not_json = dolma.client.post(
        "/api/incidents", data="description=a", headers={"X-CSRF-Token": dolma.token}
    )
    assert not_json.status_code == 415
    assert dolma.post("/api/incidents", ["description"]).status_code == 422
    iid = _new(dolma)["incident_id"]
    extra = dolma.patch(f"/api/incidents/{iid}", {"base_version": 1, "version": 7})
    assert extra.status_code == 422
    assert dolma.get("/api/incidents").get_json()["incidents"][0]["version"] == 1


@pytest.mark.usefixtures("users")
def test_concurrent_double_submits_make_one_incident(planner_app: Flask) -> None:
    clients = [As(planner_app, "dolma") for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []
    ids: list[int] = []

    def submit(who: As) -> None:
        barrier.wait()
        response = who.post("/api/incidents", {"description": "help", "idempotency_key": "dbl"})
        codes.append(response.status_code)
        ids.append(response.get_json()["incident"]["incident_id"])

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200] * 5 + [201]
    assert len(set(ids)) == 1
    assert len(clients[0].get("/api/incidents").get_json()["incidents"]) == 1


@pytest.mark.usefixtures("users")
def test_admin_may_do_everything(planner_app: Flask) -> None:
    root = As(planner_app, "root")
    iid = _new(root)["incident_id"]
    response = root.post(
        f"/api/incidents/{iid}/transitions",
        {"to": "resolved", "outcome": "false_alarm", "base_version": 1},
    )
    assert response.status_code == 200


# --------------------------------------------------------------------------- durability
class _Session:
    """Signs in to a live server and sends JSON with the CSRF token."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        status, body = self.send("POST", "/api/login", {"username": username, "password": PASSWORD})
        assert status == 200, body
        self.token = body["csrf_token"]

    def send(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if getattr(self, "token", None):
            headers["X-CSRF-Token"] = self.token
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as err:
            with err:
                return err.code, json.loads(err.read())


def test_acknowledged_incidents_survive_a_sigkill(database_url: str, tmp_path: Path) -> None:
    store = open_store(database_url)
    try:
        with store.writer.begin() as conn:
            conn.execute(delete(users_table))
        UserStore(store.reader, store.writer).create_user("tashi", PASSWORD, "officer")
    finally:
        store.dispose()
    instance = tmp_path / "instance"
    proc, base = serve_process(instance, database_url)
    acknowledged: list[int] = []
    try:
        session = _Session(base, "tashi")
        for n in range(20):
            status, body = session.send(
                "POST",
                "/api/incidents",
                {"description": f"call {n}", "idempotency_key": f"durable-{n}"},
            )
            assert status == 201, body
            acknowledged.append(body["incident"]["incident_id"])
        os.killpg(proc.pid, signal.SIGKILL)  # the master and every worker
        proc.wait(30)
    finally:
        stop(proc)
    proc, base = serve_process(instance, database_url)
    try:
        session = _Session(base, "tashi")
        status, body = session.send("GET", "/api/incidents?status=all&limit=100")
        assert status == 200
        found = {i["incident_id"]: i["description"] for i in body["incidents"]}
        assert sorted(found) == sorted(acknowledged)
        assert sorted(found.values()) == sorted(f"call {n}" for n in range(20))
        # a retry after the restart is still the same incident
        status, body = session.send(
            "POST", "/api/incidents", {"description": "call 0", "idempotency_key": "durable-0"}
        )
        assert status == 200 and body["incident"]["incident_id"] == acknowledged[0]
    finally:
        stop(proc)
