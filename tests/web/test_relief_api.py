"""Relief a planner loads (``/api/relief``): DEM and MBTiles uploads, tiles with ETags, roles."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.relief_data import (
    PEAK_LAT,
    PEAK_LON,
    dem_array,
    geotiff_bytes,
    mbtiles_bytes,
    read_png_rgba,
)
from tests.web.conftest import signed_in_client

PEAK_TILE = "13/5946/3351"


def _post(client: FlaskClient, kind: str, data: bytes, name: str) -> object:
    return client.post(
        f"/api/relief/{kind}",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def planner(app: Flask) -> FlaskClient:
    return signed_in_client(app, "planner")


def test_without_a_dem_the_status_says_so_and_tiles_are_404(app: Flask) -> None:
    officer = signed_in_client(app, "officer")
    assert officer.get("/api/relief").get_json() == {"relief": {"dem": None, "mbtiles": None}}
    r = officer.get(f"/api/relief/hillshade/{PEAK_TILE}.png")
    assert r.status_code == 404
    assert "no DEM" in r.get_json()["error"]["message"]


def test_a_planner_loads_a_dem_and_the_map_gets_tiles_with_etags(
    app: Flask, planner: FlaskClient
) -> None:
    r = _post(planner, "dem", geotiff_bytes(), "kailash-cone.tif")
    assert r.status_code == 201, r.get_json()
    info = r.get_json()["relief"]
    assert info["filename"] == "kailash-cone.tif" and info["info"]["width"] == 150
    call_taker = signed_in_client(app, "call_taker")
    status = call_taker.get("/api/relief").get_json()["relief"]
    assert status["dem"]["sha256"] == info["sha256"] and status["mbtiles"] is None
    for layer in ("hillshade", "contours"):
        tile = call_taker.get(f"/api/relief/{layer}/{PEAK_TILE}.png?v={info['sha256'][:12]}")
        assert tile.status_code == 200 and tile.mimetype == "image/png"
        assert read_png_rgba(tile.data)[..., 3].std() > 5  # not one colour
        etag = tile.headers["ETag"]
        assert "max-age=86400" in tile.headers["Cache-Control"]
        plain = call_taker.get(f"/api/relief/{layer}/{PEAK_TILE}.png")  # no v: revalidate
        assert plain.headers["Cache-Control"] == "private, no-cache"
        assert plain.headers["ETag"] == etag
        again = call_taker.get(
            f"/api/relief/{layer}/{PEAK_TILE}.png", headers={"If-None-Match": etag}
        )
        assert again.status_code == 304 and again.data == b""
    elevation = call_taker.get(f"/api/relief/elevation?lon={PEAK_LON}&lat={PEAK_LAT}").get_json()
    assert elevation["elevation_m"] > 6400
    outside = call_taker.get("/api/relief/elevation?lon=81.6&lat=30.5").get_json()
    assert outside["elevation_m"] is None


def test_a_new_dem_replaces_the_old_one_and_changes_the_etag(planner: FlaskClient) -> None:
    first = _post(planner, "dem", geotiff_bytes(), "a.tif").get_json()["relief"]
    etag1 = planner.get(f"/api/relief/hillshade/{PEAK_TILE}.png").headers["ETag"]
    flatter = geotiff_bytes(dem_array() * 0.9)
    second = _post(planner, "dem", flatter, "b.tif").get_json()["relief"]
    assert first["sha256"] != second["sha256"]
    tile = planner.get(f"/api/relief/hillshade/{PEAK_TILE}.png", headers={"If-None-Match": etag1})
    assert tile.status_code == 200 and tile.headers["ETag"] != etag1
    assert planner.get("/api/relief").get_json()["relief"]["dem"]["filename"] == "b.tif"
    assert planner.delete("/api/relief/dem").status_code == 204
    assert planner.get("/api/relief").get_json()["relief"]["dem"] is None
    assert planner.delete("/api/relief/dem").status_code == 404


def test_an_mbtiles_basemap_is_served_tile_by_tile(
    app: Flask, planner: FlaskClient, tmp_path: Path
) -> None:
    r = _post(planner, "mbtiles", mbtiles_bytes(tmp_path), "base.mbtiles")
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["relief"]["info"]["tile_count"] == 4
    officer = signed_in_client(app, "officer")
    tile = officer.get("/api/relief/basemap/12/2972/1675")
    assert tile.status_code == 200 and tile.mimetype == "image/png"
    assert tile.data.startswith(b"\x89PNG")
    assert (
        officer.get(
            "/api/relief/basemap/12/2972/1675", headers={"If-None-Match": tile.headers["ETag"]}
        ).status_code
        == 304
    )
    assert officer.get("/api/relief/basemap/12/100/100").status_code == 404
    assert officer.get("/api/relief/basemap/3/9/0").status_code == 422


@pytest.mark.parametrize(
    ("kind", "data", "name", "words"),
    [
        ("dem", b"hello", "x.tif", "not a GeoTIFF"),
        ("dem", geotiff_bytes(georeferenced=False), "plain.tif", "not georeferenced"),
        ("dem", geotiff_bytes(west=10.0, north=50.0), "alps.tif", "outside the region"),
        ("mbtiles", b"hello", "x.mbtiles", "not an SQLite database"),
        ("dem", b"", "empty.tif", "empty"),
    ],
)
def test_a_bad_file_is_a_422_naming_the_problem(
    planner: FlaskClient, kind: str, data: bytes, name: str, words: str
) -> None:
    r = _post(planner, kind, data, name)
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert words in error["message"]
    assert name in error["message"] or words == "empty"
    if words != "empty":
        assert error["data"]["message_zh"]
    assert planner.get("/api/relief").get_json()["relief"][kind] is None


def test_an_oversized_upload_is_a_413(
    planner: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("web.relief_api.MAX_RELIEF_BYTES", 1000)
    r = _post(planner, "dem", geotiff_bytes(), "big.tif")
    assert r.status_code == 413


def test_only_planners_load_relief(app: Flask) -> None:
    for role in ("officer", "call_taker"):
        r = _post(signed_in_client(app, role), "dem", geotiff_bytes(), "a.tif")
        assert r.status_code == 403
    assert app.test_client().get("/api/relief").status_code == 401


@pytest.mark.parametrize(
    "query", ["", "?lon=81.3", "?lon=abc&lat=31", "?lon=200&lat=31", "?lon=81&lat=31&x=1"]
)
def test_a_bad_elevation_query_is_a_422(planner: FlaskClient, query: str) -> None:
    _post(planner, "dem", geotiff_bytes(), "a.tif")
    assert planner.get(f"/api/relief/elevation{query}").status_code == 422


def test_the_plans_profiles_sample_the_loaded_dem(app: Flask, planner: FlaskClient) -> None:
    officer = signed_in_client(app, "officer")
    target = {"target": {"lon": PEAK_LON + 0.06, "lat": PEAK_LAT + 0.02}}
    before = officer.post("/api/approach", json={**target, "geometry": "recommended"})
    assert before.status_code == 200, before.get_json()
    assert before.get_json()["elevation_model"] == {"kind": "route_data"}

    info = _post(planner, "dem", geotiff_bytes(), "kailash-cone.tif").get_json()["relief"]
    answer = officer.post("/api/approach", json={**target, "geometry": "recommended"}).get_json()
    assert answer["elevation_model"] == {
        "kind": "dem",
        "filename": "kailash-cone.tif",
        "sha256": info["sha256"],
    }
    best = next(p for p in answer["plans"] if p["station_id"] == answer["recommended"])
    sampled = [leg for leg in best["legs"] if leg["profile_source"] == "dem"]
    assert sampled, [leg["profile_source"] for leg in best["legs"]]
    # the profile follows the DEM (its elevation endpoint), not the route data's heights
    for leg in sampled:
        for lon, lat, z in leg["profile"][:: max(1, len(leg["profile"]) // 8)]:
            there = officer.get(f"/api/relief/elevation?lon={lon}&lat={lat}").get_json()
            assert z == pytest.approx(there["elevation_m"], abs=0.2)

    sheet = officer.post("/api/approach/field-sheet", json=target).get_json()
    assert sheet["elevation_model"]["filename"] == "kailash-cone.tif"
    assert any(leg["profile_source"] == "dem" for leg in sheet["legs"])


def test_the_same_dem_uploaded_again_is_named_as_last_uploaded(
    app: Flask, planner: FlaskClient
) -> None:
    """The parsed DEM is cached by its content; the plans name the file as it is stored now."""
    officer = signed_in_client(app, "officer")
    target = {"target": {"lon": PEAK_LON + 0.06, "lat": PEAK_LAT + 0.02}}
    for name in ("first-name.tif", "second-name.tif"):
        info = _post(planner, "dem", geotiff_bytes(), name).get_json()["relief"]
        answer = officer.post("/api/approach", json={**target, "geometry": "recommended"})
        assert answer.get_json()["elevation_model"] == {
            "kind": "dem",
            "filename": name,
            "sha256": info["sha256"],
        }
