"""The planners' API on both database back ends: edits, conflicts, history, restore, export."""

from __future__ import annotations

import copy
import io
import json
import threading
from pathlib import Path
from typing import Any

import geopandas as gpd
import gpxpy
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import sign_in, signed_in_client
from web import create_app
from web.state import get_state


def stored(client: FlaskClient, layer: str, fid: str) -> tuple[dict[str, Any], int]:
    body = client.get(f"/api/data/{layer}/{fid}").get_json()
    return body["feature"], body["revision"]


def put(client: FlaskClient, layer: str, fid: str, feature: Any, rev: Any, msg: str = "fix") -> Any:
    return client.put(
        f"/api/data/{layer}/{fid}",
        json={"feature": feature, "base_revision": rev, "message": msg},
    )


def versions(client: FlaskClient) -> list[dict[str, Any]]:
    return client.get("/api/versions").get_json()["versions"]


def test_an_edit_is_served_at_once(pc: FlaskClient) -> None:
    sign_in(pc, "planner", "tsering")
    feature, rev = stored(pc, "places", "tarboche")
    assert rev == 1
    feature["properties"]["name_en"] = "Tarboche flagpole (new pole 2026)"
    response = put(pc, "places", "tarboche", feature, rev, "new pole")
    assert response.status_code == 201, response.get_json()
    version = response.get_json()["version"]
    assert (version["author"], version["message"], version["counts"]) == (
        "tsering",
        "new pole",
        {"update": 1},
    )
    served = pc.get("/api/places/tarboche").get_json()
    assert served["properties"]["name_en"] == "Tarboche flagpole (new pole 2026)"
    assert stored(pc, "places", "tarboche")[1] == version["version_id"]
    assert [v["version_id"] for v in versions(pc)] == [version["version_id"], 1]


def test_two_planners_on_one_feature_the_second_gets_a_conflict(pc: FlaskClient) -> None:
    feature, rev = stored(pc, "places", "darchen")
    a, b = copy.deepcopy(feature), copy.deepcopy(feature)
    a["properties"]["notes"] = "from planner A"
    b["properties"]["notes"] = "from planner B"
    assert put(pc, "places", "darchen", a, rev).status_code == 201
    response = put(pc, "places", "darchen", b, rev)
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["data"]["theirs"]["feature"]["properties"]["notes"] == "from planner A"
    assert error["data"]["yours"]["feature"]["properties"]["notes"] == "from planner B"
    assert len(versions(pc)) == 2  # never a silent overwrite
    assert stored(pc, "places", "darchen")[0]["properties"]["notes"] == "from planner A"


@pytest.mark.parametrize(
    "body, status, word",
    [
        ({"feature": "x", "base_revision": 1, "message": "m"}, 422, "GeoJSON"),
        ({"base_revision": 1, "message": "m"}, 422, "'feature' is missing"),
        ({"feature": {}, "base_revision": "1", "message": "m"}, 422, "integer"),
        ({"feature": {}, "base_revision": 1}, 422, "message"),
        ({"feature": {}, "base_revision": 1, "message": "m", "x": 1}, 422, "unknown field"),
    ],
)
def test_bad_edit_bodies_change_nothing(
    pc: FlaskClient, body: dict[str, Any], status: int, word: str
) -> None:
    response = pc.put("/api/data/places/darchen", json=body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert word in error["message"] + " ".join(error["details"])
    assert len(versions(pc)) == 1


def test_an_edit_breaking_the_data_is_refused_whole(pc: FlaskClient) -> None:
    feature, rev = stored(pc, "places", "darchen")
    feature["geometry"]["coordinates"] = [181.0, 31.0]
    response = put(pc, "places", "darchen", feature, rev)
    assert response.status_code == 422
    assert "nothing was saved" in response.get_json()["error"]["message"]
    assert response.get_json()["error"]["details"]
    assert len(versions(pc)) == 1
    assert pc.get("/api/data/valleys/x").status_code == 404
    assert pc.get("/api/data/places/nowhere").status_code == 404


def test_insert_delete_history_and_restore(pc: FlaskClient) -> None:
    feature, _ = stored(pc, "places", "tarboche")
    feature["properties"].update(
        place_id="rescue_cache_1", name_en="Rescue cache 1", name_zh="救援物资点1"
    )
    feature["geometry"]["coordinates"] = [81.2601, 31.0181]
    created = pc.post("/api/data/places", json={"feature": feature, "message": "new cache"})
    assert created.status_code == 201
    v2 = created.get_json()["version"]["version_id"]
    assert pc.get("/api/places/rescue_cache_1").status_code == 200
    assert (
        pc.post("/api/data/places", json={"feature": feature, "message": "again"}).status_code
        == 409
    )
    rev = stored(pc, "places", "rescue_cache_1")[1]
    deleted = pc.delete(
        "/api/data/places/rescue_cache_1", json={"base_revision": rev, "message": "moved away"}
    )
    assert deleted.status_code == 201
    assert pc.get("/api/places/rescue_cache_1").status_code == 404
    detail = pc.get(f"/api/versions/{v2}").get_json()
    (change,) = detail["changes"]
    assert change["op"] == "insert" and change["before"] is None
    assert change["after"]["properties"]["name_zh"] == "救援物资点1"
    restored = pc.post(f"/api/versions/{v2}/restore", json={"message": "cache is back"})
    assert restored.status_code == 201
    info = restored.get_json()["version"]
    assert info["restored_from"] == v2 and info["kind"] == "restore"
    assert pc.get("/api/places/rescue_cache_1").status_code == 200
    assert pc.post("/api/versions/999/restore").status_code == 404
    assert pc.get("/api/versions/999").status_code == 404
    listed = pc.get("/api/versions?limit=2").get_json()
    assert len(listed["versions"]) == 2 and listed["current"] == info["version_id"]
    assert pc.get("/api/versions?limit=x").status_code == 422
    assert pc.get("/api/versions?page=2").status_code == 422


def test_export_every_format_and_a_past_version(pc: FlaskClient) -> None:
    feature, rev = stored(pc, "places", "darchen")
    feature["properties"]["name_en"] = "Darchen town"
    assert put(pc, "places", "darchen", feature, rev).status_code == 201

    gj = pc.get("/api/export?format=geojson")
    assert gj.status_code == 200 and gj.mimetype == "application/geo+json"
    assert "attachment" in gj.headers["Content-Disposition"]
    doc = json.loads(gj.data)
    assert doc["sandtable"]["version_id"] == 2
    layers = {f["properties"]["layer"] for f in doc["features"]}
    assert layers == {"trails", "roads", "places", "stations"}
    names = {f["properties"].get("name_en") for f in doc["features"]}
    assert "Darchen town" in names

    old = json.loads(pc.get("/api/export?format=geojson&version=1").data)
    assert "Darchen town" not in {f["properties"].get("name_en") for f in old["features"]}
    assert len(old["features"]) == len(doc["features"])

    gpx = gpxpy.parse(pc.get("/api/export?format=gpx").get_data(as_text=True))
    assert len(gpx.tracks) == sum(
        f["properties"]["layer"] in ("trails", "roads") for f in doc["features"]
    )
    assert any(w.name.startswith("Darchen town") for w in gpx.waypoints)
    assert all(p.elevation is not None for t in gpx.tracks for s in t.segments for p in s.points)

    gpkg = pc.get("/api/export?format=gpkg")
    assert gpkg.status_code == 200
    path = Path(pc.application.config["INSTANCE_DIR"]) / "out.gpkg"
    path.write_bytes(gpkg.data)
    places = gpd.read_file(path, layer="places")
    assert "Darchen town" in set(places["name_en"])
    assert places.crs.to_epsg() == 4326
    assert pc.get("/api/export?format=shp").status_code == 422
    assert pc.get("/api/export?version=77").status_code == 404


def test_split_a_way_and_join_it_back(pc: FlaskClient) -> None:
    way_id = "road:darchen_tarboche"
    before, rev = stored(pc, "roads", way_id)
    coords = before["geometry"]["coordinates"]
    mid = [(a + b) / 2 for a, b in zip(coords[0], coords[1], strict=False)]
    split = pc.post(
        f"/api/data/ways/{way_id}/split",
        json={"lon": mid[0], "lat": mid[1], "base_revision": rev, "message": "bridge"},
    )
    assert split.status_code == 201, split.get_json()
    assert split.get_json()["version"]["counts"] == {"update": 1, "insert": 1}
    head, _ = stored(pc, "roads", way_id)
    tail, _ = stored(pc, "roads", f"{way_id}~2")
    assert head["geometry"]["coordinates"][-1] == tail["geometry"]["coordinates"][0]
    assert head["properties"]["to_place_id"] is None
    assert tail["properties"]["to_place_id"] == before["properties"]["to_place_id"]
    # a stale split is a conflict
    quarter = [(a + b) / 2 for a, b in zip(coords[0], mid, strict=False)]
    stale = pc.post(
        f"/api/data/ways/{way_id}/split",
        json={"lon": quarter[0], "lat": quarter[1], "base_revision": rev, "message": "again"},
    )
    assert stale.status_code == 409
    joined = pc.post(
        "/api/data/ways/join", json={"way_ids": [way_id, f"{way_id}~2"], "message": "one road"}
    )
    assert joined.status_code == 201, joined.get_json()
    after, _ = stored(pc, "roads", way_id)
    # the published length belonged to the old way; a joined way has none until set
    assert after["properties"] == {**before["properties"], "length_published": None}
    assert len(after["geometry"]["coordinates"]) == len(coords) + 1  # the split vertex stays
    assert pc.get(f"/api/data/roads/{way_id}~2").status_code == 404
    far = pc.post(
        f"/api/data/ways/{way_id}/split",
        json={"lon": 81.0, "lat": 31.3, "base_revision": 999, "message": "x"},
    )
    assert far.status_code == 422 and "within 200 m" in far.get_json()["error"]["message"]


def test_a_request_sees_one_version_and_readers_do_not_wait(planner_app: Flask) -> None:
    client = signed_in_client(planner_app, "planner")
    state = planner_app.extensions["sandtable"]
    feature, rev = stored(client, "places", "darchen")
    with planner_app.test_request_context("/api/places"):
        first = get_state().network
        feature["properties"]["name_en"] = "Darchen (edited)"
        assert put(client, "places", "darchen", feature, rev).status_code == 201
        assert get_state().network is first  # the same request keeps its version
    with planner_app.test_request_context("/api/places"):
        assert get_state().network is not first
        assert get_state().network.region.places.at["darchen", "name_en"] == "Darchen (edited)"
    # while one request rebuilds, the others are served the version they had
    feature, rev = stored(client, "places", "darchen")
    feature["properties"]["name_en"] = "Darchen (again)"
    state.data._rebuild.acquire()
    try:
        store = state.store
        from geodata.store import FeatureEdit

        store.versions.commit(
            "kailash",
            [FeatureEdit("places", "darchen", "update", feature, rev)],
            author="x",
            message="y",
        )
        done = threading.Event()
        names: list[str] = []

        def read() -> None:
            names.append(client.get("/api/places/darchen").get_json()["properties"]["name_en"])
            done.set()

        t = threading.Thread(target=read)
        t.start()
        assert done.wait(30)
        assert names == ["Darchen (edited)"]
    finally:
        state.data._rebuild.release()
    assert (
        client.get("/api/places/darchen").get_json()["properties"]["name_en"] == "Darchen (again)"
    )


def test_a_second_process_sees_the_first_ones_edits(
    planner_app: Flask, database_url: str, tmp_path: Path
) -> None:
    other = create_app(
        {"TESTING": True, "INSTANCE_DIR": str(tmp_path / "other"), "DATABASE_URL": database_url}
    )
    try:
        a, b = signed_in_client(planner_app, "planner"), signed_in_client(other, "officer")
        feature, rev = stored(a, "places", "zutulpuk_gompa")
        feature["properties"]["notes"] = "guesthouse closed for the winter"
        assert put(a, "places", "zutulpuk_gompa", feature, rev).status_code == 201
        seen = b.get("/api/places/zutulpuk_gompa").get_json()["properties"]["notes"]
        assert seen == "guesthouse closed for the winter"
    finally:
        other.extensions["sandtable"].store.dispose()


def test_body_limits(pc: FlaskClient) -> None:
    huge = io.BytesIO(b'{"message": "' + b"x" * (3 * 1024 * 1024) + b'"}')
    response = pc.put("/api/data/places/darchen", data=huge, content_type="application/json")
    assert response.status_code == 413
    assert (
        pc.put("/api/data/places/darchen", data=b"{no", content_type="application/json").status_code
        == 422
    )


def test_the_author_is_the_signed_in_user(pc: FlaskClient) -> None:
    sign_in(pc, "planner", "tenzin.dorje")
    feature, rev = stored(pc, "places", "darchen")
    feature["properties"]["notes"] = "n"
    response = pc.put(
        "/api/data/places/darchen",
        json={"feature": feature, "base_revision": rev, "message": "m"},
        headers={"X-Sandtable-User": "someone else"},  # ignored: the server knows who it is
    )
    assert response.status_code == 201
    assert response.get_json()["version"]["author"] == "tenzin.dorje"
    assert pc.get("/api/versions").get_json()["versions"][0]["author"] == "tenzin.dorje"


def test_station_resources_and_contacts_are_kept_and_served(pc: FlaskClient) -> None:
    feature, rev = stored(pc, "stations", "darchen_police_station")
    feature["properties"]["resources"] = "2 pickups, 1 stretcher, oxygen 4 bottles"
    feature["properties"]["contacts"] = "0891-2600110; radio channel 3"
    assert put(pc, "stations", "darchen_police_station", feature, rev).status_code == 201
    served = pc.get("/api/stations/darchen_police_station").get_json()["properties"]
    assert served["resources"] == "2 pickups, 1 stretcher, oxygen 4 bottles"
    assert served["contacts"] == "0891-2600110; radio channel 3"
    feature["properties"]["contacts"] = 110
    _, rev = stored(pc, "stations", "darchen_police_station")
    assert put(pc, "stations", "darchen_police_station", feature, rev).status_code == 422
