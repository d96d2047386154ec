"""``GET /api/events``: changes pushed to open pages, across worker processes and servers.

Two real servers (two gunicorn workers each) on one database — PostGIS (LISTEN/NOTIFY)
and SQLite (the change counters) — an event stream open on the second, writes through
the first: each reaches the stream within 2 s, and the second server's plans follow.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.live import EventStream, LiveSession, serve_process, stop
from tests.web.test_workers import EAST_TRACK, PASSWORD, make_users, police_eta
from web import ConfigError, create_app

#: the issue's bound: a change reaches every open page within this
PUSH_S = 2.0


def test_the_stream_needs_a_reader_and_known_topics(client: FlaskClient) -> None:
    assert client.get("/api/events?topics=closures,aliens").status_code == 422
    assert client.get("/api/events?topic=closures").status_code == 422
    response = client.application.test_client().get("/api/events")  # nobody signed in
    assert response.status_code == 401 and response.get_json()["error"]["code"]


def test_a_change_on_one_server_reaches_the_others_open_page(
    database_url: str, tmp_path: Path
) -> None:
    make_users(database_url, ("tsering", "planner"), ("tashi", "officer"))
    one, base_one = serve_process(tmp_path / "one", database_url, args=("--workers", "2"))
    other = None
    try:
        other, base_other = serve_process(tmp_path / "two", database_url, args=("--workers", "2"))
        officer_one = LiveSession(base_one, "tashi", PASSWORD)
        planner_one = LiveSession(base_one, "tsering", PASSWORD)
        officer_two = LiveSession(base_other, "tashi", PASSWORD)
        eta_before = police_eta(officer_two)

        page = EventStream(base_other, officer_two)
        assert page.status == 200
        _, ready = page.next("ready", 10)
        assert ready["topics"] == ["closures", "incidents", "route_data"]

        sent = time.monotonic()
        status, closure = officer_one.send(
            "POST",
            "/api/closures",
            {
                "segment_ids": [EAST_TRACK],
                "reason": "landslide",
                "modes": "all",
                "severity": "closed",
            },
        )
        assert status == 201
        arrived, event = page.next("closures", PUSH_S + 1)
        assert arrived - sent <= PUSH_S, arrived - sent
        assert event["topic"] == "closures"
        if "postgresql" in database_url:  # NOTIFY carries what changed
            assert (event["action"], event["target_id"]) == (
                "closure.create",
                closure["closure_id"],
            )
        assert police_eta(officer_two) > eta_before + 60  # the other server plans with it

        sent = time.monotonic()
        status, created = officer_one.send(
            "POST", "/api/incidents", {"description": "yak herder fell near the ford"}
        )
        assert status == 201, created
        arrived, event = page.next("incidents", PUSH_S + 1)
        assert arrived - sent <= PUSH_S

        status, stored = planner_one.send("GET", "/api/data/places/tarboche")
        feature = stored["feature"]
        feature["properties"]["name_en"] = "Tarboche flagpole (pushed)"
        sent = time.monotonic()
        status, edit = planner_one.send(
            "PUT",
            "/api/data/places/tarboche",
            {"feature": feature, "base_revision": stored["revision"], "message": "pole"},
        )
        assert status == 201, edit
        arrived, event = page.next("route_data", PUSH_S + 1)
        assert arrived - sent <= PUSH_S
        status, place = officer_two.send("GET", "/api/places/tarboche")
        assert place["properties"]["name_en"] == "Tarboche flagpole (pushed)"

        # a stream of some topics only hears those
        closures_only = EventStream(base_other, officer_two, "?topics=closures")
        closures_only.next("ready", 10)
        status, _ = officer_one.send(
            "POST", "/api/incidents", {"description": "second call from the same group"}
        )
        page.next("incidents", PUSH_S + 1)
        status, _ = officer_one.send("DELETE", f"/api/closures/{closure['closure_id']}")
        assert status == 204
        _, event = closures_only.next("closures", PUSH_S + 1)  # the incident was skipped
        assert closures_only.events.empty()
        page.close()
        closures_only.close()
    finally:
        stop(one)
        if other is not None:
            stop(other)


def test_streams_are_bounded_kept_alive_and_ended(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'st.db'}"
    make_users(database_url, ("tashi", "officer"))
    proc, base = serve_process(
        tmp_path / "instance",
        database_url,
        args=("--dev",),
        env={
            "SANDTABLE_EVENTS_MAX_STREAMS": "1",
            "SANDTABLE_EVENTS_HEARTBEAT_S": "0.2",
            "SANDTABLE_EVENTS_LIFETIME_S": "2",
        },
    )
    try:
        officer = LiveSession(base, "tashi", PASSWORD)
        first = EventStream(base, officer)
        first.next("ready", 10)
        second = EventStream(base, officer)
        assert second.status == 429
        assert second.body["error"]["code"] == "too_many_requests"
        assert first.ended.wait(10)  # the server ends a stream after its lifetime ...
        assert first.comments >= 3  # ... with heartbeats meanwhile
        first.close()
        third = EventStream(base, officer)  # and its place is free again
        assert third.status == 200
        third.next("ready", 10)
        third.close()
    finally:
        stop(proc)


@pytest.mark.parametrize("value", [0, -1, True, "many"])
def test_bad_stream_settings_are_refused_at_start(tmp_path: Path, value: object) -> None:
    with pytest.raises(ConfigError, match="SANDTABLE_EVENTS_MAX_STREAMS"):
        create_app({"INSTANCE_DIR": str(tmp_path), "EVENTS_MAX_STREAMS": value})
