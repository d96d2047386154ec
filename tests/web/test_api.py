"""The JSON API: shapes, stable ids, filters, and JSON errors for bad input."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from rescue import catalog

LAYER_IDS = {
    "routes": "route_id",
    "segments": "segment_id",
    "places": "place_id",
    "stations": "station_id",
}
GEOMETRY = {
    "routes": "LineString",
    "segments": "LineString",
    "places": "Point",
    "stations": "Point",
}


def get_json(client: FlaskClient, url: str, status: int = 200) -> Any:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json or response.mimetype == "application/geo+json"
    return response.get_json(force=True)


def assert_error(client: FlaskClient, url: str, status: int, *words: str) -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert "Traceback" not in response.get_data(as_text=True)
    for word in words:
        assert word in error["message"]
    return error


def positions(geometry: dict[str, Any]) -> list[list[float]]:
    coords = geometry["coordinates"]
    return [coords] if geometry["type"] == "Point" else coords


# --- plain JSON ----------------------------------------------------------------------------------


def test_health(client: FlaskClient) -> None:
    body = get_json(client, "/api/health")
    assert body["status"] == "ok"
    assert body["region_id"] == "kailash"
    assert body["counts"]["routes"] > 0 and body["counts"]["places"] > 0


def test_regions(client: FlaskClient) -> None:
    (region,) = get_json(client, "/api/regions")["regions"]
    assert region["region_id"] == "kailash"
    assert region["name_en"] and region["name_zh"]
    assert region["metric_crs"] == "EPSG:32644"
    minlon, minlat, maxlon, maxlat = region["bbox"]
    assert 80 < minlon < maxlon < 83 and 30 < minlat < maxlat < 32
    assert set(region["counts"]) >= {"routes", "segments", "places", "stations", "roads"}


def test_index_documents_every_layer(client: FlaskClient) -> None:
    body = get_json(client, "/api")
    assert body["properties"] == catalog.PROPERTIES
    assert "/api/segments" in body["endpoints"]


# --- GeoJSON collections ------------------------------------------------------------------------


@pytest.mark.parametrize("layer", sorted(LAYER_IDS))
def test_collection_shape_and_ids(client: FlaskClient, layer: str) -> None:
    response = client.get(f"/api/{layer}")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    body = response.get_json(force=True)
    assert body["type"] == "FeatureCollection"
    features = body["features"]
    assert features
    id_name = LAYER_IDS[layer]
    ids = [f["properties"][id_name] for f in features]
    assert len(set(ids)) == len(ids)
    (region,) = get_json(client, "/api/regions")["regions"]
    minlon, minlat, maxlon, maxlat = region["bbox"]
    for feature in features:
        assert feature["type"] == "Feature"
        assert feature["id"] == feature["properties"][id_name]
        assert list(feature["properties"]) == list(catalog.PROPERTIES[layer])
        assert feature["geometry"]["type"] == GEOMETRY[layer]
        for lon, lat, *_ in positions(feature["geometry"]):  # lon/lat order, inside the region
            assert minlon - 1e-6 <= lon <= maxlon + 1e-6
            assert minlat - 1e-6 <= lat <= maxlat + 1e-6


def test_ids_are_stable_between_requests(client: FlaskClient) -> None:
    first = get_json(client, "/api/segments")
    again = get_json(client, "/api/segments")
    assert [f["id"] for f in first["features"]] == [f["id"] for f in again["features"]]


@pytest.mark.parametrize("layer", sorted(LAYER_IDS))
def test_single_feature(client: FlaskClient, layer: str) -> None:
    feature = get_json(client, f"/api/{layer}")["features"][0]
    assert get_json(client, f"/api/{layer}/{feature['id']}") == feature


def test_routes_have_names_and_quality(client: FlaskClient) -> None:
    routes = {f["id"]: f["properties"] for f in get_json(client, "/api/routes")["features"]}
    outer = routes["outer_kora"]
    assert outer["is_loop"] is True
    assert 40_000 < outer["length_m"] < 60_000
    assert outer["name_zh"]
    assert sum(outer["quality_share"].values()) == pytest.approx(1.0, abs=0.01)


def test_segments_carry_lengths_elevations_and_times(client: FlaskClient) -> None:
    for feature in get_json(client, "/api/segments")["features"]:
        p = feature["properties"]
        assert p["length_m"] > 0
        assert p["elevation_min_m"] <= p["elevation_max_m"]
        assert len(feature["geometry"]["coordinates"][0]) == 3  # elevation kept
        assert set(p["durations_s"]) >= {"pilgrim", "rescue_team", "stretcher_carry", "vehicle"}
        if p["route_id"] is not None:
            assert p["km_to"] > p["km_from"]
            pilgrim = p["durations_s"]["pilgrim"]
            assert pilgrim["forward"] > 0 and pilgrim["reverse"] > 0
        else:  # roads are segments of their own, off any route
            assert "vehicle" in p["modes"]
            assert p["durations_s"]["vehicle"]["forward"] > 0


def test_segments_by_route(client: FlaskClient) -> None:
    features = get_json(client, "/api/segments?route_id=outer_kora")["features"]
    assert features
    assert {f["properties"]["route_id"] for f in features} == {"outer_kora"}
    everything = get_json(client, "/api/segments")["features"]
    assert len(features) < len(everything)


def test_places_by_type(client: FlaskClient) -> None:
    features = get_json(client, "/api/places?type=monastery")["features"]
    assert features
    assert {f["properties"]["type"] for f in features} == {"monastery"}


@pytest.mark.parametrize("q", ["drolma", "Drölma", "DOLMA-LA", "卓玛"])
def test_places_search(client: FlaskClient, q: str) -> None:
    ids = {f["id"] for f in get_json(client, f"/api/places?q={q}")["features"]}
    assert "dolma_la" in ids


def test_places_search_without_match_is_empty(client: FlaskClient) -> None:
    assert get_json(client, "/api/places?q=zzzzqqq")["features"] == []


def test_places_by_route(client: FlaskClient) -> None:
    features = get_json(client, "/api/places?route_id=outer_kora")["features"]
    assert features
    assert {f["properties"]["route_id"] for f in features} == {"outer_kora"}


def test_stations_by_capability(client: FlaskClient) -> None:
    features = get_json(client, "/api/stations?capability=medical")["features"]
    assert features
    assert all("medical" in f["properties"]["capabilities"] for f in features)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/routes/everest_kora", ("everest_kora", "outer_kora")),
        ("/api/segments/nope", ("nope",)),
        ("/api/places/nope", ("nope",)),
        ("/api/stations/nope", ("nope",)),
        ("/api/segments?route_id=everest_kora", ("everest_kora",)),
        ("/api/places?route_id=everest_kora", ("everest_kora",)),
        ("/api/nothing-here", ()),
        ("/api/routes/outer_kora/extra", ()),
    ],
)
def test_unknown_ids_are_404_json(client: FlaskClient, url: str, words: tuple[str, ...]) -> None:
    assert assert_error(client, url, 404, *words)["code"] == "not_found"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/api/routes?colour=red", ("colour",)),
        ("/api/health?verbose=1", ("verbose",)),
        ("/api/segments?route=outer_kora", ("route", "route_id")),
        ("/api/places?type=volcano", ("volcano", "monastery")),
        ("/api/places?type=", ("type", "empty")),
        ("/api/places?q=", ("q",)),
        ("/api/places?q=%20%20", ("q",)),
        ("/api/places?q=---", ("q",)),
        ("/api/places?q=" + "a" * 101, ("q",)),
        ("/api/places?type=monastery&type=pass", ("type",)),
        ("/api/stations?capability=helicopter", ("helicopter", "vehicle")),
    ],
)
def test_bad_query_values_are_422_json(
    client: FlaskClient, url: str, words: tuple[str, ...]
) -> None:
    assert assert_error(client, url, 422, *words)["code"] == "invalid_input"


def test_wrong_method_is_405_json(client: FlaskClient) -> None:
    response = client.post("/api/routes", json={})
    assert response.status_code == 405
    assert response.get_json()["error"]["status"] == 405


JUNK = [
    "%00",
    "..%2F..%2Fetc%2Fpasswd",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%F0%9F%8F%94",  # a mountain emoji
    "%E5%8D%93%E7%8E%9B%E6%8B%89",  # 卓玛拉
    "%FF%FE",  # not UTF-8
    "x" * 5000,
    "1e309",
    "-1",
    "null",
    "%27%3B%20DROP%20TABLE%20places%3B--",
]


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize(
    "template",
    [
        "/api/routes/{}",
        "/api/segments/{}",
        "/api/places/{}",
        "/api/stations/{}",
        "/api/segments?route_id={}",
        "/api/places?type={}",
        "/api/places?q={}",
        "/api/places?{}=1",
        "/api/stations?capability={}",
    ],
)
def test_junk_never_causes_a_server_error(client: FlaskClient, template: str, junk: str) -> None:
    response = client.get(template.format(junk))
    assert response.status_code < 500, response.get_data(as_text=True)
    body = response.get_json(force=True)
    if response.status_code >= 400:
        assert body["error"]["message"]


def test_unexpected_failure_is_a_json_500_without_details(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internal state /srv/sandtable")

    monkeypatch.setattr(catalog, "routes_collection", broken)
    response = client.get("/api/routes")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert response.get_json()["error"]["status"] == 500
    assert "secret" not in text and "Traceback" not in text
