"""Chinese beyond the main flows (issue 17): user administration, teams, plan export, live
updates, imports, the 413 answer, and every served station's Chinese name.

The language is chosen as in ``test_chinese``: the language switch's cookie. Each refusal
is asserted to be Chinese (CJK, no English words outside quotes, ids and the values an API
client sends); some with the English of the same request (``?lang=en`` beats the cookie).
"""

from __future__ import annotations

import io
import re
from typing import Any

from flask.testing import FlaskClient

from rescue.teams import STATUSES as TEAM_STATUSES
from rescue.users import ROLES
from tests.web.test_chinese import assert_chinese_error, chinese, english_words

_CJK = re.compile(r"[\u4e00-\u9fff]")

#: element names of the uploaded formats (GPX, KML, GeoJSON), the formats' names and their
#: extensions: said as they are in any language
FORMAT_WORDS = {
    *("trk", "trkseg", "trkpt", "rte", "wpt", "Placemark", "features", "lat", "lon"),
    *("FeatureCollection", "Feature"),
    # the names of formats and their extensions
    *(
        "XML",
        "GPX",
        "KML",
        "KMZ",
        "ZIP",
        "PNG",
        "GeoPackage",
        "gpx",
        "kml",
        "kmz",
        "json",
        "gpkg",
        "geojson",
        "txt",
    ),
}


def _chinese_text(
    text: str, allowed: set[str] | frozenset[str] = frozenset(), names: tuple[str, ...] = ()
) -> None:
    assert _CJK.search(text), text
    words = [w for w in english_words(text, names) if w not in allowed]
    assert words == [], (text, words)


def test_user_administration_refusals_are_chinese(client: FlaskClient) -> None:
    chinese(client)
    roles = set(ROLES)
    bad = {"username": "x", "password": "short", "role": "boss", "display_name": "d" * 101}
    error = assert_chinese_error_allowing(client.post("/api/users", json=bad), 422, roles)
    assert error["message"] == "无法创建该用户"
    assert len(error["details"]) == 4
    assert any("密码至少需要 10 个字符" in d for d in error["details"])
    typed = assert_chinese_error(
        client.post("/api/users", json={"username": 1, "password": 2, "role": 3}), 422
    )
    assert len(typed["details"]) == 3
    assert_chinese_error(client.post("/api/users", json={"username": "a", "colour": 1}), 422)
    weak = {"username": "dawa", "password": "aaaaaaaaaa", "role": "officer"}
    guessable = assert_chinese_error(client.post("/api/users", json=weak), 422)
    assert any("密码太容易被猜到" in d for d in guessable["details"])
    made = {"username": "dawa", "password": "yak butter tea 4", "role": "officer"}
    created = client.post("/api/users", json=made)
    assert created.status_code == 201, created.get_json()
    user_id = created.get_json()["user"]["user_id"]
    taken = assert_chinese_error(client.post("/api/users", json=made), 409)
    assert "'dawa'" in taken["message"] and "已被占用" in taken["message"]
    assert_chinese_error(client.patch(f"/api/users/{user_id}", json={}), 422)
    assert_chinese_error(client.patch(f"/api/users/{user_id}", json={"active": "no"}), 422)
    assert_chinese_error(client.patch("/api/users/999999", json={"active": False}), 404)
    # the same requests in English keep their English texts
    english = client.post("/api/users?lang=en", json=bad).get_json()["error"]
    assert english["message"] == "the user cannot be created"
    assert any("at least 10 characters" in d for d in english["details"])


def assert_chinese_error_allowing(
    response: Any, status: int, allowed: set[str], names: tuple[str, ...] = ()
) -> dict[str, Any]:
    """As :func:`assert_chinese_error`, but ``allowed`` words (ids a client sends) and
    ``names`` (the uploaded file's) may appear."""
    assert response.status_code == status, response.get_data(as_text=True)
    error: dict[str, Any] = response.get_json()["error"]
    _chinese_text(error["message"], allowed, names)
    for text in error["details"]:
        _chinese_text(text, allowed, names)
    return error


def test_team_refusals_are_chinese_and_names_told_apart(client: FlaskClient) -> None:
    chinese(client)
    statuses = set(TEAM_STATUSES)
    assert_chinese_error(client.get("/api/teams/nowhere"), 404)
    assert_chinese_error(client.get("/api/teams?x=1"), 422)
    bad = {"status": "flying", "incident_id": "three", "note": 5, "force": "yes", "colour": 1}
    error = assert_chinese_error_allowing(
        client.put("/api/teams/med_gangga", json=bad), 422, statuses
    )
    assert len(error["details"]) == 5
    missing = {"status": "committed"}
    assert_chinese_error(client.put("/api/teams/med_gangga", json=missing), 422)
    none = {"status": "committed", "incident_id": 999999}
    assert_chinese_error(client.put("/api/teams/med_gangga", json=none), 422)
    # a team out of service: committing it needs "force"; the refusal names it in Chinese,
    # told apart from the five other medical posts of the same Chinese name
    down = client.put("/api/teams/med_gangga", json={"status": "out_of_service"})
    assert down.status_code == 200, down.get_json()
    incident = client.post("/api/incidents", json={"description": "冈加附近有人受伤"}).get_json()
    iid = incident["incident"]["incident_id"]
    commit = {"status": "committed", "incident_id": iid}
    refused = assert_chinese_error(client.put("/api/teams/med_gangga", json=commit), 409)
    assert refused["message"].startswith("医疗服务点（"), refused["message"]
    teams = client.get("/api/teams").get_json()["teams"]
    medical = [t["name"]["zh"] for t in teams if t["station_id"].startswith("med_")]
    assert len(medical) == 6 and len(set(medical)) == 6, medical
    assert all(name.startswith("医疗服务点（") for name in medical), medical
    assert client.get("/api/teams/med_gangga").get_json()["team"]["name"]["zh"] in medical


def test_audit_log_refusals_are_chinese(client: FlaskClient) -> None:
    chinese(client)
    assert_chinese_error(client.get("/api/audit?limit=0"), 422)
    assert_chinese_error(client.get("/api/audit?limit=100000"), 422)
    assert client.get("/api/audit?limit=5").status_code == 200


def test_relief_refusals_are_chinese(client: FlaskClient) -> None:
    chinese(client)
    assert_chinese_error(client.get("/api/relief/hillshade/12/3000/1700.png"), 404)
    basemap = client.get("/api/relief/basemap/12/3000/1700")
    assert_chinese_error_allowing(basemap, 404, {"MBTiles"})
    assert_chinese_error(client.get("/api/relief/elevation?lon=81.3"), 422)
    assert_chinese_error(client.delete("/api/relief/dem"), 404)
    assert_chinese_error_allowing(client.delete("/api/relief/mbtiles"), 404, {"MBTiles"})
    assert_chinese_error(client.get("/api/relief?colour=red"), 422)
    assert_chinese_error(client.post("/api/relief/dem", json={}), 422)


def test_live_update_refusals_are_chinese(client: FlaskClient) -> None:
    chinese(client)
    assert_chinese_error(client.get("/api/events?topics=weather"), 422)
    assert_chinese_error(client.get("/api/events?colour=red"), 422)
    by_query = client.get("/api/events?topics=weather&lang=zh")
    assert_chinese_error(by_query, 422)


def test_plan_export_refusals_are_chinese(client: FlaskClient) -> None:
    chinese(client)
    target = {"target": {"lon": 81.29, "lat": 31.07}}
    assert_chinese_error(
        client.post("/api/approach/plan.gpx", json={**target, "station_id": 5}), 422
    )
    unknown = assert_chinese_error(
        client.post("/api/approach/plan.gpx", json={**target, "station_id": "nowhere"}), 422
    )
    assert "'nowhere'" in unknown["message"]
    assert_chinese_error(client.post("/api/approach/plan.gpx?x=1", json=target), 422)
    incident = client.post("/api/incidents", json={"description": "在塔钦附近"}).get_json()
    iid = incident["incident"]["incident_id"]
    no_plan = assert_chinese_error(client.get(f"/api/incidents/{iid}/plan.gpx"), 404)
    assert str(iid) in no_plan["message"]
    english = client.get(f"/api/incidents/{iid}/plan.gpx?lang=en").get_json()["error"]
    assert english["message"] == f"incident {iid} has no saved plan yet"


def test_the_413_answer_says_the_limit_in_chinese(client: FlaskClient) -> None:
    chinese(client)
    huge = '{"text": "' + "x" * 70_000 + '"}'
    refused = client.post("/api/locate", data=huge, content_type="application/json")
    error = assert_chinese_error(refused, 413)
    assert "KB" in error["message"] and "描述最多" in error["message"], error
    english = client.post("/api/locate?lang=en", data=huge, content_type="application/json")
    assert english.get_json()["error"]["message"].startswith("the request body is larger than")


def _upload(client: FlaskClient, name: str, data: bytes) -> Any:
    return client.post(
        "/api/imports",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


_BROKEN = {
    "bad.gpx": b'<?xml version="1.0"?>\n<gpx version="1.1">\n<trk><trkseg>\n'
    b'<trkpt lat="x" lon="81.3"/>\n</trkseg></trk></gpx>\n',
    "cut.gpx": b'<?xml version="1.0"?>\n<gpx version="1.1">\n<trk><trkseg>\n<trkpt lat="31"',
    "empty.kml": b"",
    "far.kml": b'<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>P</name>'
    b"<Point><coordinates>200,95</coordinates></Point></Placemark></kml>",
    "image.gpx": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "list.geojson": b"[1, 2]",
    "walk.txt": b"hello",
}


def test_import_refusals_name_file_and_line_in_chinese(client: FlaskClient) -> None:
    chinese(client)
    for name, data in _BROKEN.items():
        error = assert_chinese_error_allowing(
            _upload(client, name, data), 422, FORMAT_WORDS, (name,)
        )
        assert name in error["message"], error
    line = assert_chinese_error_allowing(
        _upload(client, "bad.gpx", _BROKEN["bad.gpx"]), 422, FORMAT_WORDS, ("bad.gpx",)
    )
    assert "第 4 行" in line["message"], line
    assert_chinese_error(client.post("/api/imports", json={"file": "x"}), 422)


def test_import_warnings_carry_their_chinese(client: FlaskClient) -> None:
    chinese(client)
    gpx = (
        b'<?xml version="1.0"?>\n<gpx version="1.1" creator="t">\n<trk><name>Jump</name><trkseg>\n'
        b'<trkpt lat="31.0000" lon="81.3000"><time>2024-06-01T08:00:00Z</time></trkpt>\n'
        b'<trkpt lat="31.0500" lon="81.3000"><time>2024-06-01T08:00:10Z</time></trkpt>\n'
        b'<trkpt lat="31.0501" lon="81.3001"><time>2024-06-01T08:01:10Z</time></trkpt>\n'
        b"</trkseg></trk>\n</gpx>\n"
    )
    answer = _upload(client, "jump.gpx", gpx)
    assert answer.status_code == 201, answer.get_json()
    warnings = answer.get_json()["warnings"]
    jumps = [w for w in warnings if w["code"] == "jump"]
    assert jumps, warnings
    assert jumps[0]["message"].startswith("track 'Jump' jumps 5.5 km in 10 s")
    assert "（第 5 行）" in jumps[0]["message_zh"], jumps[0]
    for w in warnings:
        _chinese_text(w["message_zh"], FORMAT_WORDS, ("Jump", "jump.gpx"))
    # what the import would do, in Chinese too (ids and the file's own names as they are)
    proposals = answer.get_json()["proposals"]
    assert proposals
    for p in proposals:
        ids = tuple(str(s["way_id"]) for s in p["snaps"] if s.get("way_id"))
        _chinese_text(p["summary_zh"], FORMAT_WORDS, ("Jump", p["feature_id"] or "", *ids))


def test_every_served_station_has_a_chinese_name(client: FlaskClient) -> None:
    stations = client.get("/api/stations").get_json()["features"]
    assert len(stations) > 10
    missing = [f["properties"]["station_id"] for f in stations if not f["properties"]["name_zh"]]
    assert missing == []
    for f in stations:
        assert _CJK.search(f["properties"]["name_zh"]), f["properties"]
    clinic = next(f for f in stations if f["properties"]["station_id"] == "darchen_men_tsee_khang")
    assert clinic["properties"]["name_zh"] == "塔钦门孜康"
