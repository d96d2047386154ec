"""Imports: preview, apply, discard, hostile files — and a real server killed mid-import."""

from __future__ import annotations

import http.cookiejar
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.common import kailash_walk
from tests.live import REPO, serve_process, stop
from tests.web.conftest import sign_in

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"


def upload(client: FlaskClient, name: str, data: bytes, **form: Any) -> Any:
    return client.post(
        "/api/imports",
        data={"file": (io.BytesIO(data), name), **form},
        content_type="multipart/form-data",
    )


def test_preview_then_apply(pc: FlaskClient) -> None:
    sign_in(pc, "planner", "dawa")
    before = pc.get("/api/versions").get_json()["current"]
    response = upload(pc, "walk.gpx", kailash_walk())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["counts"] == {"change_way": 1, "new_way": 1, "new_place": 1}
    assert body["can_apply"] and body["problems"] == []
    assert body["base_version"] == before
    new_way = next(p for p in body["proposals"] if p["kind"] == "new_way")
    assert new_way["snaps"][0]["way_id"] == "road:darchen_tarboche"
    assert "joins road:darchen_tarboche" in new_way["summary"]
    assert {f["properties"]["kind"] for f in body["preview"]["features"]} == {
        "change_way",
        "new_way",
        "new_place",
    }
    # nothing is written before apply
    assert pc.get("/api/versions").get_json()["current"] == before
    assert pc.get("/api/places/water_tank").status_code == 404
    assert pc.get(f"/api/imports/{body['import_id']}").get_json() == body

    applied = pc.post(f"/api/imports/{body['import_id']}/apply", json={"message": "walked 26 Nov"})
    assert applied.status_code == 201, applied.get_json()
    version = applied.get_json()["version"]
    assert version["kind"] == "import" and version["author"] == "dawa"
    assert version["counts"] == {"update": 1, "insert": 2}
    assert pc.get("/api/places/water_tank").get_json()["properties"]["name_zh"] == "Water tank 水箱"
    road = pc.get("/api/data/roads/road:darchen_tarboche").get_json()["feature"]
    assert road["properties"]["source"] == "import: walk.gpx"
    # applied once only
    assert (
        pc.post(f"/api/imports/{body['import_id']}/apply", json={"message": "again"}).status_code
        == 404
    )


def test_apply_after_someone_changed_the_way_is_a_conflict(pc: FlaskClient) -> None:
    body = upload(pc, "walk.gpx", kailash_walk(shortcut=False)).get_json()
    feature = pc.get("/api/data/roads/road:darchen_tarboche").get_json()
    feature["feature"]["properties"]["notes"] = "edited meanwhile"
    assert (
        pc.put(
            "/api/data/roads/road:darchen_tarboche",
            json={
                "feature": feature["feature"],
                "base_revision": feature["revision"],
                "message": "x",
            },
        ).status_code
        == 201
    )
    current = pc.get("/api/versions").get_json()["current"]
    response = pc.post(f"/api/imports/{body['import_id']}/apply", json={"message": "m"})
    assert response.status_code == 409
    assert response.get_json()["error"]["data"]["theirs"]["feature"]["properties"]["notes"] == (
        "edited meanwhile"
    )
    assert pc.get("/api/versions").get_json()["current"] == current


def test_discard(pc: FlaskClient) -> None:
    body = upload(pc, "walk.gpx", kailash_walk()).get_json()
    assert pc.delete(f"/api/imports/{body['import_id']}").status_code == 204
    assert pc.get(f"/api/imports/{body['import_id']}").status_code == 404
    assert pc.delete(f"/api/imports/{body['import_id']}").status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "strava.gpx",
        "garmin_connect_tpx.gpx",
        "osm_traces_gpx10.gpx",
        "gxtrack.kml",
        "multigeometry.geojson",
    ],
)
def test_real_files_from_elsewhere_cannot_be_applied(pc: FlaskClient, name: str) -> None:
    """Recordings from other parts of the world join nothing here: said, and refused."""
    response = upload(pc, name, (DATA / name).read_bytes())
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["point_count"] > 0
    assert not body["can_apply"] and body["problems"]
    refused = pc.post(f"/api/imports/{body['import_id']}/apply", json={"message": "m"})
    assert refused.status_code == 422
    assert pc.get("/api/versions").get_json()["current"] == body["base_version"]


@pytest.mark.parametrize(
    "name, data, status, word",
    [
        ("junk.gpx", b"\x00\x01\x02binary junk", 422, "junk.gpx"),
        ("empty.gpx", b"", 422, "empty"),
        ("lake.gpx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 422, "PNG"),
        (
            "laughs.gpx",
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><gpx>&lol;</gpx>',
            422,
            "laughs.gpx",
        ),
        (
            "cut.gpx",
            b'<?xml version="1.0"?><gpx version="1.1" creator="x"><trk><trkseg>',
            422,
            "line",
        ),
    ],
)
def test_hostile_and_broken_files_are_refused_and_nothing_is_kept(
    pc: FlaskClient, name: str, data: bytes, status: int, word: str
) -> None:
    response = upload(pc, name, data)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert word in error["message"] + " ".join(error["details"])
    assert pc.get("/api/versions").get_json()["versions"][0]["version_id"] == 1


def test_bad_forms(pc: FlaskClient) -> None:
    assert pc.post("/api/imports", json={"file": "x"}).status_code == 422
    two = pc.post(
        "/api/imports",
        data={"file": [(io.BytesIO(b"a"), "a.gpx"), (io.BytesIO(b"b"), "b.gpx")]},
        content_type="multipart/form-data",
    )
    assert two.status_code == 422
    assert upload(pc, "walk.gpx", kailash_walk(), snap_tolerance_m="far").status_code == 422
    assert upload(pc, "walk.gpx", kailash_walk(), snap_tolerance_m="5000").status_code == 422
    assert upload(pc, "walk.gpx", kailash_walk(), layer="rivers").status_code == 422
    assert upload(pc, "walk.gpx", kailash_walk(), colour="red").status_code == 422
    # (a body of bytes: the test client would spool a form field to a temporary file)
    big, content_type = _multipart("big.gpx", b"<gpx>" + b" " * (31 * 1024 * 1024))
    with pc.post("/api/imports", data=big, content_type=content_type) as response:
        assert response.status_code == 413
    body = upload(pc, "walk.gpx", kailash_walk()).get_json()
    assert pc.post(f"/api/imports/{body['import_id']}/apply", json={}).status_code == 422
    assert (
        pc.post(f"/api/imports/{body['import_id']}/apply", json={"message": " "}).status_code == 422
    )


# --------------------------------------------------------------------------- durability
PLANNER = "killer"
PLANNER_PASSWORD = "saga dawa festival"


def _create_planner(instance: Path, url: str) -> None:
    """``python -m sandtable.cli create-user killer --role planner --password-stdin``."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sandtable.cli",
            "create-user",
            PLANNER,
            "--role",
            "planner",
            "--password-stdin",
            "--instance-dir",
            str(instance),
            "--database-url",
            url,
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        input=f"{PLANNER_PASSWORD}\n".encode(),
        check=True,
        capture_output=True,
        timeout=120,
    )


class _Session:
    """A signed-in HTTP client of a real server: the session cookie and the CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        body = json.dumps({"username": PLANNER, "password": PLANNER_PASSWORD}).encode()
        with self.open("/api/login", body, {"Content-Type": "application/json"}) as r:
            self.token: str = json.loads(r.read())["csrf_token"]

    def open(
        self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        all_headers = dict(headers or {})
        if data is not None and hasattr(self, "token"):
            all_headers["X-CSRF-Token"] = self.token
        req = urllib.request.Request(f"{self.base}{path}", data=data, headers=all_headers)
        return self.opener.open(req, timeout=120)

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = "sandtable-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/gpx+xml\r\n\r\n"
    ).encode()
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


def _post_then_kill(
    port: int,
    path: str,
    body: bytes,
    content_type: str,
    proc: Any,
    after_s: float,
    session: _Session,
) -> None:
    """Send a request and SIGKILL the server ``after_s`` seconds later, before it answers."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nCookie: {session.cookie_header()}\r\n"
            f"X-CSRF-Token: {session.token}\r\n\r\n"
        ).encode()
        s.sendall(head + body)
        time.sleep(after_s)
        os.killpg(proc.pid, signal.SIGKILL)  # the master and every worker
        proc.wait(30)


@pytest.mark.parametrize("after_s", [0.05, 0.3, 0.8])
def test_a_server_killed_mid_import_leaves_the_previous_version(
    database_url: str, tmp_path: Path, after_s: float
) -> None:
    instance = tmp_path / "instance"
    proc, base = serve_process(instance, database_url)
    port = int(base.rsplit(":", 1)[1])
    try:
        _create_planner(instance, database_url)
        session = _Session(base)
        # a long recording: reading and previewing it takes a while
        data = kailash_walk(points_per_edge=20_000)
        body, ctype = _multipart("long-walk.gpx", data)
        with session.open("/api/imports", body, {"Content-Type": ctype}) as r:
            pending = json.loads(r.read())
        assert pending["can_apply"]
        # now apply it, and kill the server while it applies (or just before/after)
        apply_body = json.dumps({"message": "killed"}).encode()
        _post_then_kill(
            port,
            f"/api/imports/{pending['import_id']}/apply",
            apply_body,
            "application/json",
            proc,
            after_s,
            session,
        )
    finally:
        stop(proc)
    proc, base = serve_process(instance, database_url)
    try:
        session = _Session(base)
        with session.open("/api/versions") as r:
            versions = json.loads(r.read())
        kinds = [v["kind"] for v in versions["versions"]]
        # either the import landed whole, or not at all
        assert kinds in (["seed"], ["import", "seed"]), kinds
        with session.open("/api/places") as r:
            places = json.loads(r.read())
        has_tank = any(f["properties"]["place_id"] == "water_tank" for f in places["features"])
        assert has_tank == (kinds[0] == "import")
        # and the service is usable: the import can be applied (again) or is gone
        try:
            with session.open(
                f"/api/imports/{pending['import_id']}/apply",
                json.dumps({"message": "after restart"}).encode(),
                {"Content-Type": "application/json"},
            ) as r:
                assert r.status == 201 and kinds == ["seed"]
        except urllib.error.HTTPError as err:
            assert err.code == 404 and kinds[0] == "import"
            err.close()
    finally:
        stop(proc)


def test_why_an_import_cannot_be_applied_is_said_in_chinese_too(pc: FlaskClient) -> None:
    """The dry run's problems (the region check's) come in both languages, each naming the
    same file and feature; refusing to apply says them in the user's language."""
    from tests.web.test_chinese import english_words

    body = upload(pc, "strava.gpx", (DATA / "strava.gpx").read_bytes()).get_json()
    english, chinese = body["problems"], body["problems_zh"]
    assert english and len(chinese) == len(english)
    for en, zh in zip(english, chinese, strict=True):
        assert en.split(":")[0] == zh.split("：")[0]  # the same file
        assert "要素" in zh and english_words(zh, ["trails.geojson", "roads.geojson"]) == []
    pc.set_cookie("sandtable_lang", "zh")
    refused = pc.post(f"/api/imports/{body['import_id']}/apply", json={"message": "m"})
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["message"] == "此导入无法应用" and error["details"] == chinese
    pc.set_cookie("sandtable_lang", "en")
    refused = pc.post(f"/api/imports/{body['import_id']}/apply", json={"message": "m"})
    assert refused.get_json()["error"]["details"] == english
