"""Hostile uploads (issue 12) through the API on both databases, and on a real server.

Each file of :mod:`bench.hostile` (at a small scale) must get a clear 4xx, or a 201
whose warnings say what is wrong, and leave the route data as it was. On a real
server, eight hostile uploads at once must not stop ``/api/health`` from answering.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from bench.hostile import (
    deep_gpx,
    deep_kml,
    long_name_gpx,
    long_place_name_geojson,
    many_points_geojson,
    star_kml,
    view_gpkg,
    zigzag_kml,
)
from tests.live import serve_process, stop
from tests.web.conftest import sign_in
from tests.web.test_imports_api import _create_planner, _multipart, _Session

Make = Callable[[float], tuple[str, bytes]]


def upload(client: FlaskClient, name: str, data: bytes) -> Any:
    # the body is built here: werkzeug's test client would spool a large one to a
    # temporary file that it never closes
    body, content_type = _multipart(name, data)
    return client.post("/api/imports", data=body, content_type=content_type)


@pytest.mark.parametrize(
    ("make", "scale", "word"),
    [
        (view_gpkg, 0.1, "layer 'trails' is a database view"),
        (deep_gpx, 1.0, "nested more than 64 levels deep"),
        (deep_kml, 1.0, "nested more than 64 levels deep"),
        (long_name_gpx, 0.2, "the name is 1000000 characters long, at most 200 allowed"),
        (long_place_name_geojson, 1.0, "at most 200 allowed"),
        (many_points_geojson, 0.1, "20000 features, more than the 10000 allowed"),
        (zigzag_kml, 0.3, "240000 points, more than the 200000 allowed in one feature"),
    ],
    ids=lambda v: getattr(v, "__name__", None) if callable(v) else None,
)
def test_hostile_files_are_refused_and_change_nothing(
    pc: FlaskClient, make: Make, scale: float, word: str
) -> None:
    sign_in(pc, "planner")
    name, data = make(scale)
    response = upload(pc, name, data)
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    assert word in error["message"] + " ".join(error["details"])
    assert name in error["message"]
    versions = pc.get("/api/versions").get_json()
    assert [v["version_id"] for v in versions["versions"]] == [1]


def test_a_star_is_previewed_with_its_crossings_counted_up_to_the_cap(pc: FlaskClient) -> None:
    sign_in(pc, "planner")
    response = upload(pc, *star_kml(1.0))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    crossings = [w for w in body["warnings"] if w["code"] == "self_crossing"]
    assert len(crossings) == 1
    assert "at least 100 places; not all were counted" in crossings[0]["message"]
    assert pc.get("/api/versions").get_json()["current"] == 1


def test_an_over_long_name_cannot_be_saved_by_an_edit_either(pc: FlaskClient) -> None:
    sign_in(pc, "planner")
    body = pc.get("/api/data/places/darchen").get_json()
    feature = body["feature"]
    feature["properties"]["name_en"] = "Darchen " * 40_000  # 320 kB
    response = pc.put(
        "/api/data/places/darchen",
        json={"feature": feature, "base_revision": body["revision"], "message": "long"},
    )
    assert response.status_code == 422
    assert "characters long, at most 200 allowed" in " ".join(
        response.get_json()["error"]["details"]
    )
    assert pc.get("/api/versions").get_json()["current"] == 1


# --- a real server: hostile uploads do not starve the others ---------------------------
def _upload_status(session: _Session, name: str, data: bytes) -> int:
    body, ctype = _multipart(name, data)
    try:
        with session.open("/api/imports", body, {"Content-Type": ctype}) as r:
            return int(r.status)
    except urllib.error.HTTPError as err:
        err.close()
        return int(err.code)


def test_eight_hostile_uploads_at_once_leave_the_server_answering(
    database_url: str, tmp_path: Path
) -> None:
    instance = tmp_path / "instance"
    proc, base = serve_process(instance, database_url)
    try:
        _create_planner(instance, database_url)
        session = _Session(base)
        files = [
            view_gpkg(0.1),
            view_gpkg(0.2),
            star_kml(1.0),
            star_kml(0.5),
            deep_gpx(1.0),
            deep_kml(1.0),
            long_name_gpx(0.2),
            many_points_geojson(0.1),
        ]
        statuses: dict[str, int] = {}

        def send(index: int, name: str, data: bytes) -> None:
            statuses[f"{index}:{name}"] = _upload_status(session, name, data)

        threads = [
            threading.Thread(target=send, args=(i, name, data))
            for i, (name, data) in enumerate(files)
        ]
        for t in threads:
            t.start()
        health: list[int] = []
        while any(t.is_alive() for t in threads):
            with urllib.request.urlopen(f"{base}/api/health", timeout=10) as r:
                health.append(r.status)
            time.sleep(0.2)
        for t in threads:
            t.join()
        assert health and set(health) == {200}
        assert len(statuses) == 8
        # every upload answered: refused (422), told to retry (429), or the star previewed
        assert all(status in (201, 422, 429) for status in statuses.values()), statuses
        assert {s for k, s in statuses.items() if "view.gpkg" in k} <= {422, 429}, statuses
        with urllib.request.urlopen(f"{base}/api/health", timeout=10) as r:
            assert r.status == 200
    finally:
        stop(proc)
