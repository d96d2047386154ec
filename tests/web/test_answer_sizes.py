"""Answers sized for a 3G link: compressed, coordinates at ~1 m, layers revalidated by ETag."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

import brotli
import pytest
from flask.testing import FlaskClient

from tests.web.conftest import sign_in

DROLMA = {"segment_id": "outer_kora:dolma_la-phakna_rigzin_supply"}
DECIMALS = re.compile(r"\d+\.(\d+)")


def _plans(client: FlaskClient, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/approach", json={"target": DROLMA, **extra})
    assert response.status_code == 200, response.get_json()
    return dict(response.get_json())


def test_json_is_compressed_for_browsers_that_accept_it(client: FlaskClient) -> None:
    plain = client.get("/api/segments")
    assert "Content-Encoding" not in plain.headers
    for accepted, encoding, decode in (
        ("gzip", "gzip", gzip.decompress),
        ("gzip, deflate, br", "br", brotli.decompress),
    ):
        packed = client.get("/api/segments", headers={"Accept-Encoding": accepted})
        assert packed.headers["Content-Encoding"] == encoding
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert len(packed.data) < len(plain.data) / 3
        assert json.loads(decode(packed.data)) == plain.get_json()


def test_event_streams_are_never_compressed(client: FlaskClient) -> None:
    response = client.get("/api/events", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert response.get_data(as_text=True).startswith("retry: 2000\nevent: ready")


@pytest.mark.parametrize("layer", ["routes", "segments", "places", "stations", "places/darchen"])
def test_layers_answer_304_to_a_browser_that_has_them(client: FlaskClient, layer: str) -> None:
    for accepted in ("identity", "gzip"):
        headers = {"Accept-Encoding": accepted}
        first = client.get(f"/api/{layer}", headers=headers)
        etag = first.headers["ETag"]
        again = client.get(f"/api/{layer}", headers={**headers, "If-None-Match": etag})
        assert again.status_code == 304 and again.data == b""
        assert "no-cache" in first.headers["Cache-Control"]


def test_a_new_version_changes_the_etag(client: FlaskClient) -> None:
    etag = client.get("/api/places/tarboche").headers["ETag"]
    stored = client.get("/api/data/places/tarboche").get_json()
    stored["feature"]["properties"]["name_en"] = "Tarboche (etag)"
    edit = client.put(
        "/api/data/places/tarboche",
        json={"feature": stored["feature"], "base_revision": stored["revision"], "message": "e"},
    )
    assert edit.status_code == 201
    fresh = client.get("/api/places/tarboche", headers={"If-None-Match": etag})
    assert (
        fresh.status_code == 200 and fresh.get_json()["properties"]["name_en"] == "Tarboche (etag)"
    )


def test_coordinates_are_rounded_to_about_a_metre(client: FlaskClient) -> None:
    sign_in(client, "officer")
    texts = [
        client.get("/api/segments").get_data(as_text=True),
        client.post("/api/approach", json={"target": DROLMA}).get_data(as_text=True),
        client.post("/api/locate", json={"text": "near Drirapuk"}).get_data(as_text=True),
    ]
    track = client.get("/api/segments/road:phakna_zutulpuk_track").get_json()
    line = [c[:2] for c in track["geometry"]["coordinates"][:40]]  # a stretch, not a point
    drawn = client.post(
        "/api/closures",
        json={
            "geometry": {  # as a browser sends it: 15 decimals
                "type": "LineString",
                "coordinates": [[x + 1.234567e-8, y - 1.234567e-8] for x, y in line],
            },
            "reason": "snow",
            "modes": "all",
            "severity": "closed",
        },
    )
    assert drawn.status_code == 201, drawn.get_json()
    assert drawn.get_json()["geometry"]["coordinates"] == line
    for text in texts:
        for match in re.finditer(r"\[(-?\d+\.\d+), (-?\d+\.\d+)", json.dumps(json.loads(text))):
            assert len(match.group(1).split(".")[1]) <= 6, match.group(0)
            assert len(match.group(2).split(".")[1]) <= 6, match.group(0)


def test_the_recommended_plans_lines_only_unless_all_are_asked_for(client: FlaskClient) -> None:
    sign_in(client, "officer")
    full = _plans(client, geometry="all")
    lean = _plans(client)  # the default: what the map and the plan panel draw
    assert lean == _plans(client, geometry="recommended")
    assert [p["station_id"] for p in lean["plans"]] == [p["station_id"] for p in full["plans"]]
    for whole, part in zip(full["plans"], lean["plans"], strict=True):
        assert part["eta_s"] == whole["eta_s"]
        lines = [leg["geometry"] for leg in part["legs"]] + [
            leg["geometry"] for a in part["alternatives"] for leg in a["legs"]
        ]
        if part["station_id"] == lean["recommended"]:
            assert part == whole  # everything, lines included
        else:
            assert all(line is None for line in lines)
            assert [leg["length_m"] for leg in part["legs"]] == [
                leg["length_m"] for leg in whole["legs"]
            ]
    assert len(json.dumps(lean)) < len(json.dumps(full)) / 2
    # the rest on request: one station's plan with its lines
    other = next(p for p in full["plans"] if p["station_id"] != full["recommended"] and p["legs"])
    one = _plans(client, stations=[other["station_id"]], geometry="all")
    assert one["plans"][0]["legs"] == other["legs"]
    bad = client.post("/api/approach", json={"target": DROLMA, "geometry": "some"})
    assert bad.status_code == 422 and "geometry" in bad.get_json()["error"]["message"]
