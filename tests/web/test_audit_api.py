"""The audit log: every kind of write leaves one entry with its user; refused writes none."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import make_user, signed_in_client

CLOSURE = {
    "segment_ids": [],
    "reason": "snow",
    "modes": "vehicle",
    "severity": "closed",
}


def _entries(admin: FlaskClient, **query: str) -> list[dict[str, Any]]:
    response = admin.get("/api/audit", query_string=query)
    assert response.status_code == 200, response.get_json()
    entries: list[dict[str, Any]] = response.get_json()["entries"]
    return entries


def _segment(client: FlaskClient) -> str:
    segments = client.get("/api/segments").get_json()["features"]
    return str(segments[0]["properties"]["segment_id"])


def test_writes_of_every_kind_are_logged_with_their_user(planner_app: Flask) -> None:
    admin = signed_in_client(planner_app, "admin")
    officer = signed_in_client(planner_app, "officer")
    me = officer.get("/api/me").get_json()["user"]["username"]
    before = _entries(admin, limit="1000")

    created = officer.post(
        "/api/incidents", json={"description": "two pilgrims lost", "idempotency_key": "a-1"}
    )
    assert created.status_code == 201
    iid = created.get_json()["incident"]["incident_id"]
    officer.patch(f"/api/incidents/{iid}", json={"base_version": 1, "cause": "lost"})
    officer.post(
        f"/api/incidents/{iid}/transitions",
        json={"to": "resolved", "outcome": "false_alarm", "base_version": 2},
    )
    closure = officer.post("/api/closures", json={**CLOSURE, "segment_ids": [_segment(officer)]})
    assert closure.status_code == 201, closure.get_json()
    cid = closure.get_json()["closure_id"]
    assert officer.delete(f"/api/closures/{cid}").status_code == 204
    added = admin.post(
        "/api/users", json={"username": "norbu", "password": "long enough 1", "role": "planner"}
    )
    assert added.status_code == 201

    new = _entries(admin, limit="1000")[: -len(before) or None]
    mine = [(e["action"], e["target_id"]) for e in reversed(new) if e["actor"] == me]
    assert mine == [
        ("incident.create", str(iid)),
        ("incident.update", str(iid)),
        ("incident.transition", str(iid)),
        ("closure.create", cid),
        ("closure.delete", cid),
    ]
    admin_name = admin.get("/api/me").get_json()["user"]["username"]
    assert [(e["actor"], e["action"], e["target_id"]) for e in new[:1]] == [
        (admin_name, "user.create", "norbu")
    ]
    by_incident = _entries(admin, target_type="incident", target_id=str(iid))
    assert [e["summary"] for e in by_incident] == [
        "received → resolved (false_alarm)",
        "changed cause (version 2)",
        "recorded incident 1 (normal)".replace("1", str(iid)),
    ]
    # paging: before= an entry id gives the older ones
    first, *rest = _entries(admin, limit="3")
    assert _entries(admin, limit="2", before=str(first["entry_id"])) == rest


def test_refused_writes_leave_no_entry(planner_app: Flask) -> None:
    admin = signed_in_client(planner_app, "admin")
    officer = signed_in_client(planner_app, "officer")
    before = _entries(admin, limit="1000")
    assert officer.post("/api/incidents", json={"description": ""}).status_code == 422
    assert officer.post("/api/closures", json={**CLOSURE, "reason": "aliens"}).status_code == 422
    assert officer.delete("/api/closures/no-such-closure").status_code == 404
    created = officer.post("/api/incidents", json={"description": "x"}).get_json()["incident"]
    stale = officer.patch(
        f"/api/incidents/{created['incident_id']}", json={"base_version": 9, "notes": "n"}
    )
    assert stale.status_code == 409
    after = _entries(admin, limit="1000")
    assert len(after) == len(before) + 1 and after[0]["action"] == "incident.create"


def test_only_admins_read_it_and_bad_queries_are_422(planner_app: Flask) -> None:
    anonymous = planner_app.test_client()
    assert anonymous.get("/api/audit").status_code == 401
    for role in ("call_taker", "officer", "planner"):
        assert signed_in_client(planner_app, role).get("/api/audit").status_code == 403
    admin = signed_in_client(planner_app, "admin")
    for query in ({"limit": "0"}, {"limit": "many"}, {"before": "-1"}, {"colour": "red"}):
        response = admin.get("/api/audit", query_string=query)
        assert response.status_code == 422, query
        assert response.get_json()["error"]["message"]


def test_the_command_line_and_the_seed_are_actors_too(planner_app: Flask) -> None:
    make_user(planner_app, "officer", "from-a-script")  # UserStore default actor
    admin = signed_in_client(planner_app, "admin")
    entry = _entries(admin, target_type="user", target_id="from-a-script")[0]
    assert entry["actor"] == "system" and entry["summary"] == "added from-a-script as officer"
