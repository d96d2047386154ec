"""Find-me links (``/api/incidents/<id>/find-me``, ``/f/<token>``, ``/api/find-me/<token>``).

On both database back ends (the ``app`` fixture): a link is made for an open incident,
its token stored only hashed; the fix joins the incident; one fix per link; expired and
unknown links, bad input and too many attempts are 4xx JSON with both languages.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from rescue.find_me import hash_token
from rescue.incidents import find_me_table
from tests.web.conftest import signed_in_client

FIX = {"lat": 31.0672, "lon": 81.3125, "accuracy_m": 14.5, "altitude_m": 4700.0}


def _incident(client: FlaskClient) -> dict:
    r = client.post("/api/incidents", json={"description": "lost near the river"})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["incident"]


def _link(client: FlaskClient, incident_id: int) -> dict:
    r = client.post(f"/api/incidents/{incident_id}/find-me")
    assert r.status_code == 201, r.get_json()
    return r.get_json()["link"]


def _token(link: dict) -> str:
    return link["url"].rsplit("/", 1)[-1]


def test_a_fix_sent_through_a_link_joins_the_incident_once(app: Flask) -> None:
    desk = signed_in_client(app, "call_taker")
    incident = _incident(desk)
    link = _link(desk, incident["incident_id"])
    token = _token(link)
    assert "/f/" in link["url"] and link["url"] in link["text"]["en"]
    assert link["url"] in link["text"]["zh"]
    svg = base64.b64decode(link["qr_svg"].split(",", 1)[1])
    assert svg.startswith(b"<svg") and b"<path" in svg

    # the token itself is nowhere in the database: only its hash
    store = app.extensions["sandtable"].store
    with store.reader.begin() as conn:
        hashes = conn.execute(select(find_me_table.c.token_hash)).scalars().all()
    assert hashes == [hash_token(token)] and token not in hashes

    caller = app.test_client()  # not signed in
    page = caller.get(f"/f/{token}")
    assert page.status_code == 200
    assert "发送我的位置" in page.get_data(as_text=True)
    assert "Send my location" in page.get_data(as_text=True)
    r = caller.post(f"/api/find-me/{token}", json=FIX)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["received"] is True

    found = desk.get(f"/api/incidents/{incident['incident_id']}").get_json()["incident"]
    (entry,) = found["find_me"]
    assert entry["fix"]["lat"] == pytest.approx(FIX["lat"])
    assert entry["fix"]["lon"] == pytest.approx(FIX["lon"])
    assert entry["fix"]["accuracy_m"] == pytest.approx(14.5)
    assert entry["fix"]["altitude_m"] == pytest.approx(4700.0)
    assert entry["used_at"] is not None

    again = caller.post(f"/api/find-me/{token}", json={**FIX, "lat": 31.1})
    assert again.status_code == 409
    message = again.get_json()["error"]["message"]
    assert "already" in message and "已发送过" in message
    assert caller.get(f"/f/{token}").status_code == 404  # the page says it was used
    still = desk.get(f"/api/incidents/{incident['incident_id']}").get_json()["incident"]
    assert still["find_me"][0]["fix"]["lat"] == pytest.approx(FIX["lat"])


def test_an_expired_or_unknown_link_is_refused_in_both_languages(app: Flask) -> None:
    desk = signed_in_client(app, "officer")
    incident = _incident(desk)
    token = _token(_link(desk, incident["incident_id"]))
    store = app.extensions["sandtable"].store
    with store.writer.begin() as conn:
        conn.execute(
            update(find_me_table).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    caller = app.test_client()
    r = caller.post(f"/api/find-me/{token}", json=FIX)
    assert r.status_code == 404
    assert "expired" in r.get_json()["error"]["message"]
    assert "过期" in r.get_json()["error"]["message"]
    unknown = caller.post("/api/find-me/" + "A" * 24, json=FIX)
    assert unknown.status_code == 404
    assert caller.get("/f/" + "A" * 24).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"lat": 31.0, "lon": 81.3},  # no accuracy
        {"lat": 95.0, "lon": 81.3, "accuracy_m": 10},
        {"lat": 31.0, "lon": 81.3, "accuracy_m": -1},
        {"lat": "31", "lon": 81.3, "accuracy_m": 10},
        {"lat": 31.0, "lon": 81.3, "accuracy_m": 10, "speed": 3},
        {"lat": 31.0, "lon": 81.3, "accuracy_m": 10, "fixed_at": "yesterday"},
        [31.0, 81.3],
    ],
)
def test_bad_fixes_are_422_and_leave_the_link_unused(app: Flask, body: object) -> None:
    desk = signed_in_client(app, "call_taker")
    incident = _incident(desk)
    token = _token(_link(desk, incident["incident_id"]))
    r = app.test_client().post(f"/api/find-me/{token}", json=body)
    assert r.status_code == 422, r.get_json()
    assert r.get_json()["error"]["code"] == "invalid_input"
    found = desk.get(f"/api/incidents/{incident['incident_id']}").get_json()["incident"]
    assert found["find_me"][0]["fix"] is None
    ok = app.test_client().post(f"/api/find-me/{token}", json=FIX)
    assert ok.status_code == 200


def test_attempts_are_limited_per_address(app: Flask) -> None:
    caller = app.test_client()
    codes = [
        caller.post(f"/api/find-me/{'B' * 23}{i % 10}", json=FIX).status_code for i in range(31)
    ]
    assert codes[:30] == [404] * 30
    assert codes[30] == 429
    r = caller.post("/api/find-me/" + "C" * 24, json=FIX)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "尝试次数过多" in r.get_json()["error"]["message"]


def test_only_desks_make_links_and_only_for_open_incidents(app: Flask) -> None:
    anonymous = app.test_client()
    assert anonymous.post("/api/incidents/1/find-me").status_code == 401
    desk = signed_in_client(app, "officer")
    assert desk.post("/api/incidents/999999/find-me").status_code == 404
    incident = _incident(desk)
    r = desk.post(
        f"/api/incidents/{incident['incident_id']}/transitions",
        json={"to": "resolved", "outcome": "false_alarm", "base_version": incident["version"]},
    )
    assert r.status_code == 200
    refused = desk.post(f"/api/incidents/{incident['incident_id']}/find-me")
    assert refused.status_code == 422
    assert (
        desk.post(f"/api/incidents/{incident['incident_id']}/find-me", json={"x": 1}).status_code
        == 422
    )


def test_a_fix_after_the_incident_closed_is_refused(app: Flask) -> None:
    desk = signed_in_client(app, "officer")
    incident = _incident(desk)
    token = _token(_link(desk, incident["incident_id"]))
    desk.post(
        f"/api/incidents/{incident['incident_id']}/transitions",
        json={"to": "resolved", "outcome": "rescued", "base_version": incident["version"]},
    )
    r = app.test_client().post(f"/api/find-me/{token}", json=FIX)
    assert r.status_code == 409
    assert "closed" in r.get_json()["error"]["message"]
