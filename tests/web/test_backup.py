"""``sandtable backup`` / ``sandtable restore`` give back every incident, version and closure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from sandtable.cli import main
from tests.web.conftest import signed_in_client

EAST_TRACK = "road:phakna_zutulpuk_track"


def _url(app: Flask) -> str:
    url = app.extensions["sandtable"].store.writer.url
    return str(url.render_as_string(hide_password=False))


def _state(client: FlaskClient) -> dict[str, Any]:
    incidents = client.get("/api/incidents?status=all&limit=100").get_json()["incidents"]
    return {
        "incidents": sorted(
            (i["incident_id"], i["description"], i["status"], i["version"]) for i in incidents
        ),
        "versions": [v["version_id"] for v in client.get("/api/versions").get_json()["versions"]],
        "closures": sorted(
            c["closure_id"]
            for c in client.get("/api/closures?include_expired=1").get_json()["closures"]
        ),
        "tarboche": client.get("/api/places/tarboche").get_json()["properties"]["name_en"],
    }


def _rename(client: FlaskClient, name: str) -> None:
    stored = client.get("/api/data/places/tarboche").get_json()
    stored["feature"]["properties"]["name_en"] = name
    response = client.put(
        "/api/data/places/tarboche",
        json={"feature": stored["feature"], "base_revision": stored["revision"], "message": name},
    )
    assert response.status_code == 201, response.get_json()


def _closure(client: FlaskClient) -> str:
    body = {"segment_ids": [EAST_TRACK], "reason": "snow", "modes": "all", "severity": "closed"}
    response = client.post("/api/closures", json=body)
    assert response.status_code == 201
    return str(response.get_json()["closure_id"])


def _incident(client: FlaskClient, text: str) -> int:
    response = client.post("/api/incidents", json={"description": text})
    assert response.status_code == 201
    return int(response.get_json()["incident"]["incident_id"])


def test_restore_gives_back_everything_of_the_backup(
    planner_app: Flask, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    admin = signed_in_client(planner_app)
    url = _url(planner_app)
    _rename(admin, "Tarboche (backed up)")
    kept_closure = _closure(admin)
    first = _incident(admin, "pilgrim with chest pain at Diraphuk")
    edited = admin.patch(f"/api/incidents/{first}", json={"base_version": 1, "notes": "O2"})
    assert edited.status_code == 200, edited.get_json()
    _incident(admin, "lost group near Zutulpuk")
    before = _state(admin)
    assert len(before["incidents"]) == 2 and len(before["versions"]) == 2

    file = tmp_path / "station.backup"
    assert main(["backup", str(file), "--database-url", url]) == 0
    assert "backed up" in capsys.readouterr().out
    assert main(["backup", str(file), "--database-url", url]) == 2  # never overwritten

    # the day goes on: more versions, incidents and closures, one lifted
    _rename(admin, "Tarboche (after the backup)")
    _incident(admin, "third call")
    _closure(admin)
    assert admin.delete(f"/api/closures/{kept_closure}").status_code == 204
    assert _state(admin) != before

    assert main(["restore", str(file), "--database-url", url]) == 0
    assert _state(admin) == before  # the served network follows the restored version
    # and the restored database goes on working: new ids do not collide
    assert _incident(admin, "after the restore") > max(i[0] for i in before["incidents"])


def test_restore_refuses_a_backup_of_the_other_kind_or_no_backup(
    planner_app: Flask, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _url(planner_app)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup", "utf-8")
    assert main(["restore", str(junk), "--database-url", url]) == 2
    assert "not a" in capsys.readouterr().err
    assert main(["restore", str(tmp_path / "missing"), "--database-url", url]) == 2
    assert "cannot read" in capsys.readouterr().err
