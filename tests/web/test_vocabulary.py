"""Vocabularies have one home: the API accepts every value the data may carry, and the
pages get their lists and labels from the server instead of keeping copies."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

import web
from geodata.capabilities import CAPABILITIES
from geodata.validate import schema as contract
from rescue import catalog, closures
from rescue.locate import LOCAL_TZ
from tests.common import make_region_dir, tiny_region_layers
from tests.web.conftest import signed_in_client
from web import create_app, planner
from web.vocabulary import client_vocabulary

STATIC = Path(web.__file__).parent / "static"


@pytest.fixture
def helipad_app(tmp_path: Path) -> Iterator[Flask]:
    """The tiny region, whose gate medical post is also a helicopter landing site."""
    stations = tiny_region_layers()["stations"]
    stations["features"][1]["properties"]["capabilities"] = ["foot_team", "helicopter_landing"]
    make_region_dir(tmp_path / "data" / "tiny", stations=stations)
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "DATA_DIR": str(tmp_path / "data"),
            "REGION": "tiny",
        }
    )
    yield app
    app.extensions["sandtable"].store.dispose()


def test_helicopter_landing_is_a_station_filter(helipad_app: Flask) -> None:
    client = signed_in_client(helipad_app)
    response = client.get("/api/stations?capability=helicopter_landing")
    assert response.status_code == 200, response.get_data(as_text=True)
    ids = [f["properties"]["station_id"] for f in response.get_json()["features"]]
    assert ids == ["gate_medical"]


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_every_capability_the_data_may_carry_is_a_filter(
    client: FlaskClient, capability: str
) -> None:
    response = client.get(f"/api/stations?capability={capability}")
    assert response.status_code == 200, response.get_data(as_text=True)
    for feature in response.get_json()["features"]:
        assert capability in feature["properties"]["capabilities"]


def test_the_readers_share_one_tuple() -> None:
    # the data contract, the catalogue filter and the planner form read the same object
    assert contract.CAPABILITIES is catalog.CAPABILITIES is planner.CAPABILITIES is CAPABILITIES
    assert str(LOCAL_TZ) == "Asia/Shanghai" and closures.LOCAL_TZ is LOCAL_TZ


@pytest.mark.parametrize("page", ["/", "/planner"])
def test_pages_carry_the_server_vocabulary(client: FlaskClient, page: str) -> None:
    html = client.get(page).get_data(as_text=True)
    found = re.search(
        r'<script type="application/json" id="st-vocab"[^>]*>(\{.*?\})</script>', html
    )
    assert found, f"{page} lacks the vocabulary"
    vocab = json.loads(found.group(1))
    assert vocab == client_vocabulary()
    assert [c[0] for c in vocab["capabilities"]] == list(CAPABILITIES)
    assert [r[0] for r in vocab["closure_reasons"]] == list(closures.REASONS)
    assert vocab["local_tz"] == str(LOCAL_TZ)
    # every value has an English and a Chinese label
    for key in ("capabilities", "closure_reasons", "directions"):
        assert all(len(entry) == 3 and all(entry) for entry in vocab[key])


@pytest.mark.parametrize("script", sorted(p.name for p in STATIC.glob("*.js")))
def test_scripts_keep_no_copies_of_the_vocabularies(script: str) -> None:
    text = (STATIC / script).read_text("utf-8")
    assert "Asia/Shanghai" not in text
    assert "直升机降落" not in text and "徒步救援队" not in text  # capability labels
    assert "塌方" not in text  # closure reason labels
    assert "逆时针" not in text  # direction labels
