"""Teams and posts with a status (``/api/teams``) and open incidents by urgency."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import signed_in_client

POLICE = "darchen_police_station"


def _incident(client: FlaskClient, priority: str = "normal", text: str = "lost") -> dict:
    r = client.post(
        "/api/incidents",
        json={"description": text, "priority": priority, "location": {"lon": 81.3, "lat": 31.0}},
    )
    assert r.status_code == 201, r.get_json()
    return r.get_json()["incident"]


def _to(client: FlaskClient, incident: dict, *statuses: str) -> dict:
    for to in statuses:
        r = client.post(
            f"/api/incidents/{incident['incident_id']}/transitions",
            json={"to": to, "base_version": incident["version"]},
        )
        assert r.status_code == 200, r.get_json()
        incident = r.get_json()["incident"]
    return incident


def test_every_station_is_listed_available_at_first(client: FlaskClient) -> None:
    teams = client.get("/api/teams").get_json()["teams"]
    assert POLICE in {t["station_id"] for t in teams}
    assert {t["status"] for t in teams} == {"available"}
    assert all(t["incident_id"] is None for t in teams)


def test_commit_warns_before_a_second_incident_and_resolving_releases(client: FlaskClient) -> None:
    a, b = _incident(client), _incident(client)
    r = client.put(
        f"/api/teams/{POLICE}", json={"status": "committed", "incident_id": a["incident_id"]}
    )
    assert r.status_code == 200, r.get_json()
    team = r.get_json()["team"]
    assert (team["status"], team["incident_id"]) == ("committed", a["incident_id"])
    assert team["status_name"]["zh"] == "已派出"

    # a second incident: refused with the incident it is busy with, until confirmed
    busy = client.put(
        f"/api/teams/{POLICE}", json={"status": "committed", "incident_id": b["incident_id"]}
    )
    assert busy.status_code == 409
    error = busy.get_json()["error"]
    assert f"incident {a['incident_id']}" in error["message"]
    forced = client.put(
        f"/api/teams/{POLICE}",
        json={"status": "committed", "incident_id": b["incident_id"], "force": True},
    )
    assert forced.status_code == 200
    assert forced.get_json()["team"]["incident_id"] == b["incident_id"]

    # resolving the incident makes the team available again
    r = client.post(
        f"/api/incidents/{b['incident_id']}/transitions",
        json={"to": "resolved", "outcome": "false_alarm", "base_version": b["version"]},
    )
    assert r.status_code == 200
    team = client.get(f"/api/teams/{POLICE}").get_json()["team"]
    assert (team["status"], team["incident_id"]) == ("available", None)


def test_out_of_service_needs_confirmation_to_commit(client: FlaskClient) -> None:
    a = _incident(client)
    r = client.put(f"/api/teams/{POLICE}", json={"status": "out_of_service", "note": "car broken"})
    assert r.status_code == 200
    assert r.get_json()["team"]["note"] == "car broken"
    r = client.put(
        f"/api/teams/{POLICE}", json={"status": "committed", "incident_id": a["incident_id"]}
    )
    assert r.status_code == 409 and "out of service" in r.get_json()["error"]["message"]


def test_bad_bodies_are_422_and_unknown_stations_404(client: FlaskClient) -> None:
    closed = _incident(client)
    r = client.post(
        f"/api/incidents/{closed['incident_id']}/transitions",
        json={"to": "resolved", "outcome": "false_alarm", "base_version": 1},
    )
    assert r.status_code == 200
    for body, word in [
        ({"status": "asleep"}, "status"),
        ({"status": "committed"}, "incident_id"),
        ({"status": "committed", "incident_id": 999999}, "no incident"),
        ({"status": "committed", "incident_id": closed["incident_id"]}, "resolved"),
        ({"status": "available", "incident_id": 1}, "only when committing"),
        ({"status": "available", "colour": "red"}, "unknown field"),
        ({"status": "available", "force": "yes"}, "force"),
    ]:
        r = client.put(f"/api/teams/{POLICE}", json=body)
        assert r.status_code == 422, (body, r.get_json())
        assert word in r.get_json()["error"]["message"], (body, r.get_json())
    assert client.put("/api/teams/nowhere", json={"status": "available"}).status_code == 404


def test_call_takers_read_but_do_not_set(app: Flask) -> None:
    taker = signed_in_client(app, "call_taker")
    assert taker.get("/api/teams").status_code == 200
    assert taker.put(f"/api/teams/{POLICE}", json={"status": "available"}).status_code == 403


def test_open_incidents_come_by_urgency(client: FlaskClient) -> None:
    old_normal = _incident(client, "normal", "first")
    dispatched_high = _to(client, _incident(client, "high", "second"), "located", "dispatched")
    waiting_high = _incident(client, "high", "third")
    critical = _incident(client, "critical", "fourth")
    low = _incident(client, "low", "fifth")
    body = client.get("/api/incidents?status=open").get_json()
    assert body["order"] == "urgency"
    ids = [i["incident_id"] for i in body["incidents"]]
    assert ids == [
        critical["incident_id"],
        waiting_high["incident_id"],  # not yet dispatched before the dispatched one
        dispatched_high["incident_id"],
        old_normal["incident_id"],
        low["incident_id"],
    ]
    newest = client.get("/api/incidents?status=open&order=newest").get_json()["incidents"]
    assert [i["incident_id"] for i in newest] == sorted(ids, reverse=True)
    assert client.get("/api/incidents?order=random").status_code == 422
