"""GET /api/km-posts: a point every km along each route, from the served network."""

from __future__ import annotations

import math

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyproj import Transformer

from rescue import kmposts
from tests.web.conftest import signed_in_client
from web.state import get_state


@pytest.fixture
def reader(app: Flask) -> FlaskClient:
    return signed_in_client(app, "call_taker")


def test_every_route_of_a_km_or_more_has_its_posts(app: Flask, reader: FlaskClient) -> None:
    response = reader.get("/api/km-posts")
    assert response.status_code == 200 and response.mimetype == "application/geo+json"
    features = response.get_json()["features"]
    with app.app_context():
        network = get_state().network
    lengths = {
        f["properties"]["route_id"]: f["properties"]["length_m"]
        for f in reader.get("/api/routes").get_json()["features"]
    }
    for route_id in ("outer_kora", "inner_kora", "manasarovar_kora"):
        posts = [f for f in features if f["properties"]["route_id"] == route_id]
        kms = [f["properties"]["km"] for f in posts]
        # whole km from 0; a loop has no post at its end (that is km 0)
        expected = math.floor(lengths[route_id] / 1000.0)
        if network.lines[route_id].loop and expected * 1000.0 >= lengths[route_id] - 1e-3:
            expected -= 1
        assert kms == list(range(expected + 1)), route_id
        assert [f["properties"]["major"] for f in posts] == [km % 5 == 0 for km in kms]
    # short side paths have none
    assert {f["properties"]["route_id"] for f in features} == {
        r for r, length in lengths.items() if length >= 1000.0
    }
    for feature in features[:3]:
        assert list(feature["properties"]) == list(kmposts.PROPERTIES)


def test_a_post_lies_on_its_route_at_its_km(app: Flask, reader: FlaskClient) -> None:
    body = reader.get("/api/km-posts?route_id=outer_kora").get_json()
    post = next(f for f in body["features"] if f["properties"]["km"] == 25)
    lon, lat, elevation_m = post["geometry"]["coordinates"]
    with app.app_context():
        network = get_state().network
    at = network.locate(lon, lat, "outer_kora")
    assert at.offset_m < 1.0
    assert at.km == pytest.approx(25.0, abs=0.01)
    assert elevation_m == pytest.approx(post["properties"]["elevation_m"])
    assert {f["properties"]["route_id"] for f in body["features"]} == {"outer_kora"}
    # WGS84 at the edge: the metric position agrees
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32644", always_xy=True).transform(lon, lat)
    assert math.hypot(x - at.x, y - at.y) < 1.0


def test_bad_queries(reader: FlaskClient) -> None:
    response = reader.get("/api/km-posts?route_id=no_such_route")
    assert response.status_code == 404
    assert "no_such_route" in response.get_json()["error"]["message"]
    response = reader.get("/api/km-posts?every=5")
    assert response.status_code == 422


def test_documented_in_openapi(reader: FlaskClient) -> None:
    spec = reader.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/km-posts"]["get"]
    assert "call_taker" in str(operation) and "planner" in str(operation)
