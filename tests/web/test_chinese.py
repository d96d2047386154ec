"""In Chinese, the server writes no English sentence on the main flows (issue 17).

The language is the user's choice: the cookie the pages' language switch sets
(``sandtable_lang``), ``?lang=``, else ``Accept-Language``. Every refused request of the
main flows (log-in, locate, approach, closures, incidents, planner commits) answers with a
Chinese message; the answers a page shows in either language (the approach's reason,
closure effects, station and place names) carry the Chinese beside the English.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from rescue.closures import MODES, REASONS
from rescue.incidents import OUTCOMES, PRIORITIES, STATUSES
from tests.web.conftest import sign_in
from web.approach_api import FIELDS as APPROACH_FIELDS
from web.approach_api import FOOT_PROFILES
from web.locate_api import DIRECTIONS
from web.locate_api import FIELDS as LOCATE_FIELDS

#: ASCII words a Chinese text may hold: codes, units and the values and field names an
#: API client sends (they are ids, not words of a sentence)
ALLOWED = {
    "JSON",
    "HTTP",
    "POST",
    "PATCH",
    "api",
    "login",
    "location",
    "ISO",
    "UTF",
    "WGS",
    "UTM",
    "GCJ",
    "GeoJSON",
    "Feature",
    "properties",
    "null",
    "true",
    "false",
    "None",
    "yes",
    "feature",
    "message",
    *REASONS,
    *MODES,
    *OUTCOMES,
    *PRIORITIES,
    *STATUSES,
    *DIRECTIONS,
    *FOOT_PROFILES,
    *APPROACH_FIELDS,
    *LOCATE_FIELDS,
}
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|\{[^{}]*\}|\[[^\]]*\]")


def english_words(text: str, names: Iterable[str] = ()) -> list[str]:
    """The English words of ``text`` outside quotes, ids, ``names`` and :data:`ALLOWED`."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    previous = None
    while previous != text:  # nested JSON examples
        previous, text = text, _QUOTED.sub(" ", text)
    words = re.findall(r"[A-Za-z][A-Za-z_]*[A-Za-z]", text)
    return [w for w in words if w not in ALLOWED and "_" not in w and len(w) > 2]


def chinese(client: FlaskClient) -> FlaskClient:
    client.set_cookie("sandtable_lang", "zh")
    return client


def assert_chinese_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert re.search(r"[\u4e00-\u9fff]", error["message"]), error
    for text in (error["message"], *error["details"]):
        assert english_words(text) == [], (text, english_words(text))
    return error


def test_the_language_is_the_users_choice(client: FlaskClient) -> None:
    body = {"text": ""}
    english = client.post("/api/locate", json=body).get_json()["error"]["message"]
    assert english == "field 'text' is empty: describe where the caller is"
    by_query = client.post("/api/locate?lang=zh", json=body).get_json()["error"]["message"]
    by_header = client.post(
        "/api/locate", json=body, headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    ).get_json()["error"]["message"]
    by_cookie = chinese(client).post("/api/locate", json=body).get_json()["error"]["message"]
    assert by_query == by_header == by_cookie == "字段 'text' 为空：请描述呼救者所在位置"
    # the query beats the cookie, and an unknown language is refused with the others
    assert client.post("/api/locate?lang=en", json=body).get_json()["error"]["message"] == english
    refused = client.post("/api/locate?lang=fr", json={"text": "Darchen"})
    assert_chinese_error(refused, 422)


def test_log_in_refusals_are_chinese(client: FlaskClient) -> None:
    anonymous = chinese(client.application.test_client())
    assert_chinese_error(anonymous.post("/api/login", json={"username": "x", "password": "y"}), 401)
    assert_chinese_error(anonymous.post("/api/login", json={"username": 1, "password": 2}), 422)
    assert_chinese_error(anonymous.get("/api/me"), 401)
    assert_chinese_error(anonymous.post("/api/locate", json={"text": "Darchen"}), 401)
    planner = chinese(client.application.test_client())
    sign_in(planner, "planner")
    assert_chinese_error(planner.post("/api/locate", json={"text": "Darchen"}), 403)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"text": ""}, 422),
        ({}, 422),
        ({"text": 5}, 422),
        ({"text": "x" * 2001}, 422),
        ({"text": "Darchen", "direction": "up"}, 422),
        ({"text": "Darchen", "extra": 1}, 422),
        ({"text": "Darchen", "reported_at": "yesterday"}, 422),
        ("[1]", 422),
        ("{", 422),
        ("", 422),
    ],
)
def test_locate_refusals_are_chinese(client: FlaskClient, body: Any, status: int) -> None:
    chinese(client)
    if isinstance(body, str):
        response = client.post("/api/locate", data=body, content_type="application/json")
    else:
        response = client.post("/api/locate", json=body)
    assert_chinese_error(response, status)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"target": 5},
        {"target": {"lon": 1, "lat": 2}},
        {"target": {"lon": 500, "lat": 2}},
        {"target": {"segment_id": "nowhere"}},
        {"target": {"x": 1}},
        {"target": {"lon": 81.29, "lat": 31.07}, "profile": "eagle"},
        {"target": {"lon": 81.29, "lat": 31.07}, "urgent": True},
    ],
)
def test_approach_refusals_are_chinese(client: FlaskClient, body: dict[str, Any]) -> None:
    assert_chinese_error(chinese(client).post("/api/approach", json=body), 422)


def test_closure_refusals_are_chinese(client: FlaskClient) -> None:
    chinese(client)
    assert_chinese_error(client.post("/api/closures", json={}), 422)
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    bad = {
        "segment_ids": ["nowhere"],
        "reason": "snow",
        "modes": "all",
        "severity": "closed",
        "until": past,
        "note": "x" * 5000,
    }
    error = assert_chinese_error(client.post("/api/closures", json=bad), 422)
    assert len(error["details"]) >= 3
    assert_chinese_error(client.get("/api/closures/nothing"), 404)
    assert_chinese_error(client.delete("/api/closures/nothing"), 404)
    assert_chinese_error(client.get("/api/closures?include_expired=maybe"), 422)
    call_taker = chinese(client.application.test_client())
    sign_in(call_taker, "call_taker")
    assert_chinese_error(call_taker.post("/api/closures", json={}), 403)


def test_incident_refusals_are_chinese(client: FlaskClient) -> None:
    chinese(client)
    assert_chinese_error(client.post("/api/incidents", json={}), 422)
    wrong = {"description": 5, "priority": "urgent", "colour": "red"}
    error = assert_chinese_error(client.post("/api/incidents", json=wrong), 422)
    assert len(error["details"]) == 3
    created = client.post("/api/incidents", json={"description": "被困在卓玛拉山口"}).get_json()
    incident = created["incident"]
    iid, version = incident["incident_id"], incident["version"]
    transitions = f"/api/incidents/{iid}/transitions"
    assert_chinese_error(
        client.post(transitions, json={"to": "flying", "base_version": version}), 422
    )
    assert_chinese_error(
        client.post(transitions, json={"to": "closed", "base_version": version}), 422
    )
    assert_chinese_error(
        client.post(transitions, json={"to": "dispatched", "base_version": version + 5}), 409
    )
    assert_chinese_error(
        client.post(transitions, json={"to": "located", "base_version": version}), 422
    )
    assert_chinese_error(client.patch(f"/api/incidents/{iid}", json={"base_version": version}), 422)
    assert_chinese_error(client.get("/api/incidents/999999"), 404)
    assert_chinese_error(client.get("/api/incidents?status=someday"), 422)


def test_planner_commit_refusals_are_chinese(client: FlaskClient) -> None:
    chinese(client)
    body = client.get("/api/data/places/tarboche").get_json()
    feature, revision = body["feature"], body["revision"]
    put = "/api/data/places/tarboche"
    ok = client.put(put, json={"feature": feature, "base_revision": revision, "message": "ok"})
    assert ok.status_code == 201, ok.get_json()
    stale = {"feature": feature, "base_revision": revision, "message": "again"}
    assert_chinese_error(client.put(put, json=stale), 409)
    assert_chinese_error(client.put(put, json={"feature": feature, "base_revision": 2}), 422)
    assert_chinese_error(
        client.put(put, json={"feature": feature, "base_revision": "2", "x": 1}), 422
    )
    assert_chinese_error(client.post("/api/data/places", json={"feature": 5, "message": "m"}), 422)
    exists = {"feature": feature, "message": "again"}
    assert_chinese_error(client.post("/api/data/places", json=exists), 409)
    assert_chinese_error(client.get("/api/data/places/nowhere"), 404)
    assert_chinese_error(client.get("/api/versions?limit=many"), 422)


def test_unknown_addresses_and_methods_are_chinese(client: FlaskClient) -> None:
    chinese(client)
    assert_chinese_error(client.get("/api/nothing-here"), 404)
    assert_chinese_error(client.put("/api/locate", json={}), 405)


def test_the_approach_answer_has_chinese_sentences_and_names(client: FlaskClient) -> None:
    segments = client.get("/api/segments").get_json()["features"]
    kora = [f for f in segments if f["properties"].get("route_id") == "outer_kora"]
    target = {"lon": 81.29, "lat": 31.07}
    before = client.post("/api/approach", json={"target": target}).get_json()
    best = before["plans"][0]
    # close the first leg's way of the recommended plan: its effect is named in both languages
    closed = next(f for f in kora if f["properties"]["segment_id"])
    closure = {
        "segment_ids": [closed["properties"]["segment_id"]],
        "reason": "landslide",
        "modes": "all",
        "severity": {"slow_factor": 3},
    }
    assert client.post("/api/closures", json=closure).status_code == 201
    answer = client.post("/api/approach", json={"target": target}).get_json()
    names = _english_names(client)
    assert answer["reason"] and answer["reason_zh"]
    assert re.search(r"[\u4e00-\u9fff]", answer["reason_zh"])
    assert english_words(answer["reason_zh"], names["without_zh"]) == [], answer["reason_zh"]
    for plan in answer["plans"]:
        zh = plan["station_name_zh"]
        if plan["station_name"] not in names["without_zh"]:
            assert re.search(r"[\u4e00-\u9fff]", zh), plan["station_name"]
        for leg in plan["legs"]:
            for field in ("from", "to"):
                assert english_words(leg[f"{field}_zh"], names["without_zh"]) == [], leg
        for effect in plan["closure_effects"]:
            assert english_words(effect["message_zh"], names["without_zh"]) == [], effect
    assert best["station_name"] in {p["station_name"] for p in answer["plans"]}
    # an unreachable target: the reason says so in Chinese too
    far = client.post(
        "/api/approach",
        json={"target": {"lon": 81.29, "lat": 31.07}, "stations": [best["station_id"]]},
    ).get_json()
    assert english_words(far["reason_zh"], names["without_zh"]) == []


def _english_names(client: FlaskClient) -> dict[str, set[str]]:
    """The English names that have no Chinese one in the data (they stay English)."""
    out: set[str] = set()
    for layer in ("places", "stations", "routes", "segments"):
        for f in client.get(f"/api/{layer}").get_json()["features"]:
            p = f["properties"]
            if p.get("name_en") and not p.get("name_zh"):
                out.add(p["name_en"])
    return {"without_zh": out}
