"""Region knowledge is data: a second region, built from test fixtures alone, runs the
locator, the approach planner and the map page with no code change.

The region (``tests/second_region.py``) shares nothing with Kailash: other ids, another
UTM zone, a trail that is not a loop, its own clinic, aliases and cues.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from geodata import load_region
from rescue.approach import evacuation_destination, plan_approach
from rescue.locate import locate
from routes import RouteNetwork, build_network
from tests.second_region import REGION_ID, B, R, T, make_second_region
from tests.web.conftest import signed_in_client
from web import create_app


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_second_region(tmp_path_factory.mktemp("regions"))


@pytest.fixture(scope="module")
def network(data_dir: Path) -> RouteNetwork:
    return build_network(load_region(REGION_ID, data_dir=data_dir))


@pytest.fixture
def app(data_dir: Path, tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "DATA_DIR": str(data_dir),
            "REGION": REGION_ID,
        }
    )
    yield app
    app.extensions["sandtable"].store.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return signed_in_client(app)


# --- the services, on the region's network -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "near"),
    [
        ("we are at the tent camp", T),
        ("we are at the yak camp", T),  # a name from the region's aliases.json
        ("我们在牦牛营地", T),
        ("we are at Rongbuk Monastery", R),
        ("we made it to EBC, my friend is sick", B),
    ],
)
def test_locate_finds_the_region_s_places(
    network: RouteNetwork, text: str, near: tuple[float, float, float]
) -> None:
    best = locate(network, text).candidates[0]
    assert best.route_id == "bc_trail"
    # within 1 km of the place named (the trail is 6 km long)
    assert abs(best.lat - near[1]) < 0.009 and abs(best.lon - near[0]) < 0.01, (text, best)


def test_approach_plans_from_the_region_s_stations_and_evacuates_to_its_clinic(
    network: RouteNetwork,
) -> None:
    assert evacuation_destination(network) == "rongbuk_clinic"
    res = plan_approach(network, (T[0] + 0.0005, T[1]))
    assert {p.station_id for p in res.plans} == {"rongbuk_clinic", "bc_checkpoint"}
    assert all(p.reachable for p in res.plans)
    assert res.recommended in {"rongbuk_clinic", "bc_checkpoint"}
    assert res.evacuation is not None
    assert res.evacuation.destination_id == "rongbuk_clinic"
    assert res.evacuation.destination_name == "Rongbuk clinic"
    assert res.evacuation.carry_s > 0


def test_a_region_naming_no_clinic_plans_without_an_evacuation(
    data_dir: Path, tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / REGION_ID
    shutil.copytree(data_dir / REGION_ID, copy)
    meta = (copy / "metadata.json").read_text("utf-8").replace('"rongbuk_clinic"', "null")
    (copy / "metadata.json").write_text(meta, "utf-8")
    net = build_network(load_region(REGION_ID, data_dir=tmp_path))
    assert evacuation_destination(net) is None
    res = plan_approach(net, (T[0] + 0.0005, T[1]))
    assert res.recommended is not None and res.evacuation is None


# --- end to end, through the app -----------------------------------------------------------------


def test_map_page_shows_the_region(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Rongbuk valley" in html and "绒布沟" in html
    assert "Kailash" not in html and "冈仁波齐" not in html


def test_api_serves_the_region(client: FlaskClient) -> None:
    stations = client.get("/api/stations").get_json()["features"]
    assert {f["id"] for f in stations} == {"rongbuk_clinic", "bc_checkpoint"}
    routes = client.get("/api/routes").get_json()["features"]
    assert [f["id"] for f in routes] == ["bc_trail"]


def test_locate_and_approach_through_the_api(client: FlaskClient) -> None:
    located = client.post("/api/locate", json={"text": "we are at the tent camp"})
    assert located.status_code == 200, located.get_data(as_text=True)
    best = located.get_json()["candidates"][0]
    assert best["route_id"] == "bc_trail"
    planned = client.post(
        "/api/approach", json={"target": {"lon": best["lon"], "lat": best["lat"]}}
    )
    assert planned.status_code == 200, planned.get_data(as_text=True)
    body = planned.get_json()
    assert {p["station_id"] for p in body["plans"]} == {"rongbuk_clinic", "bc_checkpoint"}
    assert body["evacuation"]["destination"]["station_id"] == "rongbuk_clinic"
