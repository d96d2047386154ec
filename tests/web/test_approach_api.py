"""``POST /api/approach`` and ``/api/closures`` on the committed Kailash data.

Plans are computed with the closures in force at departure; closures are kept in the
instance directory and survive a restart. Bad input is a 422 JSON error naming the
field, and nothing is stored.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from geodata.store import DATABASE_FILE
from rescue.capability import NEEDS
from rescue.closures import ClosureStore, DatabaseClosureStore, parse_closure
from rescue.incidents import CAUSES
from routes import RouteNetwork
from tests.web.conftest import instance_with_database, sign_in, signed_in_client
from tests.web.test_chinese import assert_chinese_error
from web import create_app

APPROACH = "/api/approach"
CLOSURES = "/api/closures"
EAST_TRACK = "road:phakna_zutulpuk_track"
POLICE = "darchen_police_station"
TRACK_CLOSURE = {
    "segment_ids": [EAST_TRACK],
    "reason": "landslide",
    "modes": "all",
    "severity": "closed",
    "note": "rockfall above the ford",
}


@pytest.fixture
def below_drolma(kailash_network: RouteNetwork) -> dict[str, float]:
    """A point on the descent east of Drölma La (km 26 of the outer kora)."""
    lon, lat, _ = kailash_network.point_at("outer_kora", 26.0)
    return {"lon": lon, "lat": lat}


def plan_of(body: dict[str, Any], station_id: str) -> dict[str, Any]:
    return next(p for p in body["plans"] if p["station_id"] == station_id)


def assert_error(response: Any, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["status"] == status
    text = " ".join([error["message"], *error["details"]])
    for word in words:
        assert word in text
    return dict(error)


# --- approach ---------------------------------------------------------------------------------


def test_point_below_drolma_la(client: FlaskClient, below_drolma: dict[str, float]) -> None:
    response = client.post(APPROACH, json={"target": below_drolma})
    assert response.status_code == 200
    body = response.get_json()
    plans = body["plans"]
    assert len(plans) > 3
    reachable = [p for p in plans if p["reachable"]]
    assert [p["eta_s"] for p in reachable] == sorted(p["eta_s"] for p in reachable)
    assert body["recommended"] == reachable[0]["station_id"]
    assert body["reason"]
    assert body["evacuation"] is not None
    police = plan_of(body, POLICE)
    assert {leg["mode"] for leg in police["legs"]} == {"vehicle", "foot"}
    assert police["closures_applied"] == []
    assert police["arrive_at"] is None


def test_stations_profile_and_departure(
    client: FlaskClient, below_drolma: dict[str, float]
) -> None:
    body = {
        "target": below_drolma,
        "stations": [POLICE, "barkha_checkpoint"],
        "profile": "pilgrim",
        "depart_at": "2024-06-01T14:30",
    }
    response = client.post(APPROACH, json=body)
    assert response.status_code == 200
    plans = response.get_json()["plans"]
    assert {p["station_id"] for p in plans} == {POLICE, "barkha_checkpoint"}
    for plan in plans:
        arrive = datetime.fromisoformat(plan["arrive_at"])
        depart = datetime.fromisoformat("2024-06-01T14:30+08:00")
        assert (arrive - depart).total_seconds() == pytest.approx(plan["eta_s"], abs=1)


def test_horse_profile_is_selectable_and_slower_than_the_team(
    client: FlaskClient, below_drolma: dict[str, float], kailash_network: RouteNetwork
) -> None:
    """Issue 14: profiles.json's led pony is a foot profile the API accepts; it is not used
    on the descent east of the pass (profiles.json no_go), so it is asked on the west side."""
    body = {"target": below_drolma, "stations": [POLICE], "profile": "horse"}
    response = client.post(APPROACH, json=body)
    assert response.status_code == 200, response.get_json()
    (plan,) = response.get_json()["plans"]
    assert plan["reachable"] is False
    km = kailash_network.place_km("dolma_la", "outer_kora") - 0.4
    lon, lat, _ = kailash_network.point_at("outer_kora", km)
    west = {"lon": lon, "lat": lat}
    etas = {}
    for profile in ("rescue_team", "horse"):
        body = {"target": west, "stations": [POLICE], "profile": profile}
        response = client.post(APPROACH, json=body)
        assert response.status_code == 200, response.get_json()
        (plan,) = response.get_json()["plans"]
        assert plan["eta_range_s"]["p10"] < plan["eta_s"] < plan["eta_range_s"]["p90"]
        etas[profile] = plan["eta_s"]
    assert etas["horse"] > etas["rescue_team"]


def test_segment_target(client: FlaskClient) -> None:
    target = {"segment_id": "outer_kora:dolma_la-phakna_rigzin_supply"}
    response = client.post(APPROACH, json={"target": target})
    assert response.status_code == 200
    assert len(response.get_json()["target"]) == 2


def test_locate_candidates_target(client: FlaskClient) -> None:
    located = client.post("/api/locate", json={"text": "just below Drolma La, green lake below"})
    candidates = located.get_json()["candidates"]
    assert candidates
    response = client.post(APPROACH, json={"target": {"candidates": candidates[:5]}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["recommended"]


def test_closure_on_east_track_slows_the_police(
    client: FlaskClient, below_drolma: dict[str, float]
) -> None:
    before = plan_of(client.post(APPROACH, json={"target": below_drolma}).get_json(), POLICE)

    sign_in(client, "officer", "duty-desk")
    created = client.post(CLOSURES, json={**TRACK_CLOSURE, "created_by": "someone else"})
    assert created.status_code == 201
    closure = created.get_json()
    closure_id = closure["closure_id"]
    assert closure["segment_ids"] == [EAST_TRACK]
    assert closure["created_by"] == "duty-desk"  # who is signed in, not what the body says
    assert created.headers["Location"].endswith(f"{CLOSURES}/{closure_id}")
    listed = client.get(CLOSURES).get_json()["closures"]
    assert [c["closure_id"] for c in listed] == [closure_id]
    assert client.get(f"{CLOSURES}/{closure_id}").get_json() == closure

    after_body = client.post(APPROACH, json={"target": below_drolma}).get_json()
    after = plan_of(after_body, POLICE)
    assert after["eta_s"] >= before["eta_s"]
    assert all(p["closures_applied"] == [closure_id] for p in after_body["plans"])
    # each plan the closure slowed says by how much, and why
    slowed = [p for p in after_body["plans"] if p["closure_effects"]]
    assert after["eta_s"] > before["eta_s"] + 60 and after in slowed
    for p in slowed:
        (effect,) = p["closure_effects"]
        assert effect["closure_id"] == closure_id
        assert effect["extra_s"] > 0
        assert "closed by a landslide since" in effect["message"]
    assert after_body["landing_site"] is None

    deleted = client.delete(f"{CLOSURES}/{closure_id}")
    assert deleted.status_code == 204
    assert deleted.get_data() == b""
    assert client.get(CLOSURES).get_json()["closures"] == []
    again = plan_of(client.post(APPROACH, json={"target": below_drolma}).get_json(), POLICE)
    assert again["eta_s"] == before["eta_s"]
    assert again["closures_applied"] == []


def test_closure_applies_at_departure_time(
    client: FlaskClient, below_drolma: dict[str, float]
) -> None:
    start = datetime.now(UTC) + timedelta(days=1)
    window = {
        **TRACK_CLOSURE,
        "from": start.isoformat(),
        "until": (start + timedelta(hours=6)).isoformat(),
    }
    closure_id = client.post(CLOSURES, json=window).get_json()["closure_id"]
    assert [c["closure_id"] for c in client.get(CLOSURES).get_json()["closures"]] == [closure_id]

    now = plan_of(client.post(APPROACH, json={"target": below_drolma}).get_json(), POLICE)
    assert now["closures_applied"] == []
    during = {"target": below_drolma, "depart_at": (start + timedelta(hours=1)).isoformat()}
    later = plan_of(client.post(APPROACH, json=during).get_json(), POLICE)
    assert later["closures_applied"] == [closure_id]
    assert later["eta_s"] > now["eta_s"]


def test_the_author_is_the_signed_in_user(client: FlaskClient) -> None:
    sign_in(client, "planner", "tenzin")
    assert client.post(CLOSURES, json=TRACK_CLOSURE).get_json()["created_by"] == "tenzin"
    named = {**TRACK_CLOSURE, "created_by": "Somebody"}  # accepted, not believed
    assert client.post(CLOSURES, json=named).get_json()["created_by"] == "tenzin"


def test_closures_persist_across_apps(
    app: Flask,
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    kailash_network: RouteNetwork,
) -> None:
    closure_id = client.post(CLOSURES, json=TRACK_CLOSURE).get_json()["closure_id"]
    instance = Path(app.config["INSTANCE_DIR"])
    assert app.config["DATABASE_URL"] or (instance / DATABASE_FILE).is_file()

    same_database = (
        {"DATABASE_URL": app.config["DATABASE_URL"]} if app.config["DATABASE_URL"] else {}
    )
    second = create_app({"TESTING": True, "INSTANCE_DIR": str(instance), **same_database})
    try:
        restarted = signed_in_client(second)
        listed = restarted.get(CLOSURES).get_json()["closures"]
        assert [c["closure_id"] for c in listed] == [closure_id]
        assert restarted.delete(f"{CLOSURES}/{closure_id}").status_code == 204
        assert client.get(CLOSURES).get_json()["closures"] == []
    finally:
        second.extensions["sandtable"].store.dispose()


def test_expired_closures_on_request(
    app: Flask, client: FlaskClient, kailash_network: RouteNetwork
) -> None:
    past = datetime.now(UTC) - timedelta(days=2)
    expired = parse_closure(
        {**TRACK_CLOSURE, "until": (past + timedelta(hours=1)).isoformat()},
        network=kailash_network,
        now=past,
    )
    DatabaseClosureStore(app.extensions["sandtable"].store, "kailash", clock=lambda: past).add(
        expired
    )
    assert client.get(CLOSURES).get_json()["closures"] == []
    for flag in ("1", "true"):
        listed = client.get(f"{CLOSURES}?include_expired={flag}").get_json()["closures"]
        assert [c["closure_id"] for c in listed] == [expired.closure_id]
    assert client.get(f"{CLOSURES}?include_expired=0").get_json()["closures"] == []


# --- bad input --------------------------------------------------------------------------------

#: the start of a valid body: a walkable segment as the target
SEG = b'{"target": {"segment_id": "outer_kora:dolma_la-phakna_rigzin_supply"}'
BAD_APPROACH = [
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b"{not json", "not valid JSON", id="not-json"),
    pytest.param(b"[1, 2]", "JSON object", id="array"),
    pytest.param(b'{"target": {"segment_id": "a"}, "target": {}}', "'target'", id="repeated"),
    pytest.param(b"{}", "'target' is missing", id="no-target"),
    pytest.param(b'{"target": "dolma_la"}', "'target'", id="target-string"),
    pytest.param(b'{"target": {"lon": 81.4}}', "'target'", id="target-no-lat"),
    pytest.param(b'{"target": {"lon": "81.4", "lat": 31.1}}', "'target'", id="lon-string"),
    pytest.param(b'{"target": {"lon": 181, "lat": 31.1}}', "'target'", id="lon-range"),
    pytest.param(b'{"target": {"lon": 0, "lat": 0}}', "outside the region", id="far-away"),
    pytest.param(b'{"target": {"lon": 81.2, "lat": 30.6}}', "2 km", id="off-network"),
    pytest.param(b'{"target": {"segment_id": "nope"}}', "'target.segment_id'", id="segment"),
    pytest.param(
        b'{"target": {"segment_id": "road:phakna_zutulpuk_track"}}', "walkable", id="road-segment"
    ),
    pytest.param(b'{"target": {"candidates": []}}', "'target.candidates'", id="no-candidates"),
    pytest.param(
        b'{"target": {"candidates": [{"segment_id": "nope", "lon": 81.4, "lat": 31.1,'
        b' "probability": 0.5}]}}',
        "'target.candidates[0].segment_id'",
        id="candidate-segment",
    ),
    pytest.param(
        SEG + b', "stations": ["nope"]}',
        "'stations'",
        id="unknown-station",
    ),
    pytest.param(
        SEG + b', "stations": "police"}',
        "'stations'",
        id="stations-string",
    ),
    pytest.param(
        SEG + b', "profile": "vehicle"}',
        "'profile'",
        id="profile",
    ),
    pytest.param(
        SEG + b', "depart_at": "2024-06-01"}',
        "'depart_at'",
        id="date-only",
    ),
    pytest.param(
        SEG + b', "depart_at": 5}',
        "'depart_at'",
        id="depart-number",
    ),
    pytest.param(
        SEG + b', "urgent": true}',
        "unknown field 'urgent'",
        id="unknown-field",
    ),
]


@pytest.mark.parametrize(("raw", "word"), BAD_APPROACH)
def test_bad_approach_bodies(client: FlaskClient, raw: bytes, word: str) -> None:
    response = client.post(APPROACH, data=raw, content_type="application/json")
    assert_error(response, 422, word)


def test_approach_lists_every_problem(client: FlaskClient) -> None:
    body = {"target": {"segment_id": "nope"}, "stations": ["x"], "profile": "cat", "foo": 1}
    error = assert_error(client.post(APPROACH, json=body), 422)
    assert len(error["details"]) == 4


BAD_CLOSURES = [
    pytest.param({**TRACK_CLOSURE, "segment_ids": ["nope"]}, "segment_ids", id="segment"),
    pytest.param({**TRACK_CLOSURE, "reason": "yeti"}, "reason", id="reason"),
    pytest.param({**TRACK_CLOSURE, "modes": "horse"}, "modes", id="modes"),
    pytest.param({**TRACK_CLOSURE, "severity": {"slow_factor": 0.5}}, "slow_factor", id="slow"),
    pytest.param(
        {**TRACK_CLOSURE, "from": "2024-06-02T10:00", "until": "2024-06-01T10:00"},
        "until",
        id="until-before-from",
    ),
    pytest.param({**TRACK_CLOSURE, "from": "tomorrow"}, "from", id="from"),
    pytest.param({**TRACK_CLOSURE, "colour": "red"}, "colour", id="unknown-field"),
    pytest.param(
        {"reason": "snow", "modes": "all", "severity": "closed"}, "segment_ids", id="nothing-closed"
    ),
    pytest.param([TRACK_CLOSURE], "JSON object", id="array"),
]


@pytest.mark.parametrize(("body", "word"), BAD_CLOSURES)
def test_bad_closures_are_not_stored(app: Flask, client: FlaskClient, body: Any, word: str) -> None:
    assert_error(client.post(CLOSURES, json=body), 422, word)
    assert client.get(CLOSURES).get_json()["closures"] == []
    assert not (Path(app.config["INSTANCE_DIR"]) / "closures.json").exists()


def test_bad_closure_json(client: FlaskClient) -> None:
    assert_error(client.post(CLOSURES, data=b"{", content_type="application/json"), 422, "JSON")


@pytest.mark.parametrize("query", ["include_expired=maybe", "all=1", "include_expired="])
def test_bad_closure_queries(client: FlaskClient, query: str) -> None:
    assert_error(client.get(f"{CLOSURES}?{query}"), 422)


def test_unknown_closure_is_404(client: FlaskClient) -> None:
    assert_error(client.delete(f"{CLOSURES}/nope"), 404, "nope")
    assert_error(client.get(f"{CLOSURES}/nope"), 404, "nope")


def test_endpoints_listed(client: FlaskClient) -> None:
    endpoints = client.get("/api").get_json()["endpoints"]
    assert {APPROACH, CLOSURES, f"{CLOSURES}/<closure_id>"} <= set(endpoints)


def test_closures_of_an_earlier_release_move_into_the_database(
    tmp_path_factory: pytest.TempPathFactory,
    seeded_database: Path,
    kailash_network: RouteNetwork,
) -> None:
    instance = instance_with_database(tmp_path_factory, seeded_database)
    old = parse_closure(TRACK_CLOSURE, network=kailash_network, now=datetime.now(UTC))
    ClosureStore(instance / "closures.json").add(old)
    client = signed_in_client(create_app({"TESTING": True, "INSTANCE_DIR": str(instance)}))
    listed = client.get(CLOSURES).get_json()["closures"]
    assert [c["closure_id"] for c in listed] == [old.closure_id]
    assert not (instance / "closures.json").exists()
    assert (instance / "closures.json.imported").is_file()


#: a body with a problem in every field and every candidate check (issue 17)
_EVERY_PROBLEM = {
    "target": {
        "candidates": [
            5,
            {
                "segment_id": "nope",
                "route_id": "nope",
                "lon": "x",
                "lat": 31.1,
                "probability": 2,
                "km_range": [1],
                "name": "Drölma",
                "colour": "red",
            },
            {
                "segment_id": "outer_kora:dolma_la-phakna_rigzin_supply",
                "lon": 0,
                "lat": 0,
                "probability": 0.5,
            },
        ]
    },
    "stations": ["nope"],
    "needs": ["wings"],
    "cause": "yeti",
    "condition": 5,
    "geometry": "some",
}
#: the English of each problem, as the server has always written it
_EVERY_PROBLEM_EN = [
    "field 'target.candidates[0]' must be an object, not a number",
    "field 'target.candidates[1]': unknown key(s) 'colour'",
    "field 'target.candidates[1].segment_id': unknown segment id \"nope\"",
    "field 'target.candidates[1].route_id': unknown route id \"nope\"",
    "field 'target.candidates[1]': lon \"x\", lat 31.1 is not a position",
    "field 'target.candidates[1].probability' is 2; expected 0-1",
    "field 'target.candidates[1].km_range' is [1]; expected [km, km] or null",
    'field \'target.candidates[1].name\' must be {"en": .., "zh": ..}',
    "field 'target.candidates[2]': lon 0, lat 0 is outside the region",
    "field 'stations': unknown station id(s) 'nope'",
    f"field 'needs': unknown need(s) 'wings' (accepted: {', '.join(NEEDS)})",
    f"field 'cause' is \"yeti\"; accepted: {', '.join(CAUSES)}",
    "field 'condition' must be text of at most 4000 characters",
    "field 'geometry' is \"some\"; accepted: recommended, all",
]


def test_every_approach_problem_is_said_in_chinese(client: FlaskClient) -> None:
    english = assert_error(client.post(f"{APPROACH}?lang=en", json=_EVERY_PROBLEM), 422)
    assert sorted(english["details"]) == sorted(_EVERY_PROBLEM_EN)
    error = assert_chinese_error(client.post(f"{APPROACH}?lang=zh", json=_EVERY_PROBLEM), 422)
    details = error["details"]
    assert len(details) == len(_EVERY_PROBLEM_EN)
    for said in (
        "字段 'target.candidates[0]' 必须是对象，而不是数字",
        "字段 'target.candidates[1]'：未知的键 'colour'",
        "字段 'target.candidates[1].segment_id'：未知路段编号 \"nope\"",
        "字段 'target.candidates[1].route_id'：未知路线编号 \"nope\"",
        "字段 'target.candidates[1]'：经度 \"x\"、纬度 31.1 不是有效坐标",
        "字段 'target.candidates[1].probability' 为 2；应在 0-1 之间",
        "字段 'target.candidates[1].km_range' 为 [1]；应为 [km, km] 或 null",
        "字段 'target.candidates[2]'：经度 0、纬度 0 在本区域之外",
        "字段 'stations'：未知站点编号 'nope'",
        "字段 'condition' 必须是不超过 4000 个字符的文本",
    ):
        assert said in details, (said, details)
    # accepted values are quoted in Chinese: ids, not words of the sentence
    assert f"（可用：{'、'.join(map(repr, NEEDS))}）" in " ".join(details)
    assert "字段 'geometry' 为 \"some\"；可用：'recommended'、'all'" in details


@pytest.mark.parametrize(
    ("body", "english"),
    [
        (
            {"target": {"candidates": []}},
            "field 'target.candidates' must be an array of 1-50 locate candidates, not []",
        ),
        (
            {"target": {"segment_id": "x"}, "stations": "police"},
            "field 'stations' must be a non-empty array of station ids, not \"police\"",
        ),
        (
            {"target": {"segment_id": "x"}, "needs": "stretcher"},
            "field 'needs' must be an array of need ids, not \"stretcher\"",
        ),
    ],
)
def test_approach_array_problems_are_said_in_chinese(
    client: FlaskClient, body: dict[str, Any], english: str
) -> None:
    assert english in assert_error(client.post(f"{APPROACH}?lang=en", json=body), 422)["details"]
    error = assert_chinese_error(client.post(f"{APPROACH}?lang=zh", json=body), 422)
    assert any(d.startswith("字段 ") and "必须是" in d and "数组" in d for d in error["details"])
