"""The reports API and page: roles, parameters, the JSON, the CSV and the heat map."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

import web.vendor
from rescue.incidents import IncidentCreate, IncidentStore, incidents_table, parse
from rescue.reports import CSV_COLUMNS
from rescue.users import ROLES
from tests.web.conftest import sign_in, signed_in_client
from web.config import ConfigError

ALLOWED = ("officer", "planner", "admin")
API_PATHS = ("/api/reports/summary", "/api/reports/incidents.csv", "/api/reports/heat")
DOLMA = "outer_kora:dolma_la-phakna_rigzin_supply"
XSS = "<img src=x onerror=alert(1)>"


def _store(app: Flask) -> IncidentStore:
    store = app.extensions["sandtable"].store
    return IncidentStore(store.reader, store.writer)


def _record(app: Flask, received: datetime, **fields: object) -> int:
    store = _store(app)
    body = parse(IncidentCreate, {"description": "help", **fields}, what="x")
    incident, _ = store.create(body, "dolma", region_id="kailash")
    with store.writer.begin() as conn:
        conn.execute(
            update(incidents_table)
            .where(incidents_table.c.incident_id == incident["incident_id"])
            .values(created_at=received)
        )
    return int(incident["incident_id"])


# --------------------------------------------------------------------------- roles
@pytest.mark.parametrize("path", [*API_PATHS, "/reports"])
def test_anonymous_callers(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    if path.startswith("/api"):
        assert response.status_code == 401
        assert response.get_json()["error"]["status"] == 401
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


def test_the_role_matrix(app: Flask) -> None:
    for role in ROLES:
        client = signed_in_client(app, role)
        for path in (*API_PATHS, "/reports"):
            response = client.get(path)
            if role in ALLOWED:
                assert response.status_code == 200, (role, path)
            else:
                assert response.status_code == 403, (role, path)
                if path.startswith("/api"):
                    assert response.get_json()["error"]["code"] == "forbidden"


# --------------------------------------------------------------------------- parameters
@pytest.mark.parametrize(
    "query",
    [
        "from=yesterday",
        "to=2026-02-30",
        "from=2026-06-02&to=2026-06-01",
        "from=2026-06-01&to=2026-06-01",
        "from=1990-01-01&to=1990-02-01",
        "from=2010-01-01&to=2026-01-01",
        "from=" + "9" * 200,
        "from=2026-06-01%00",
    ],
)
@pytest.mark.parametrize("path", API_PATHS)
def test_bad_parameters_are_422_json(client: FlaskClient, path: str, query: str) -> None:
    response = client.get(f"{path}?{query}")
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    assert "from" in error["message"] or "to" in error["message"]


# --------------------------------------------------------------------------- answers
def test_the_summary(app: Flask, client: FlaskClient) -> None:
    _record(app, datetime(2026, 6, 1, 10, tzinfo=UTC), cause="injury")
    _record(app, datetime(2026, 6, 2, 10, tzinfo=UTC))
    _record(app, datetime(2026, 6, 9, 10, tzinfo=UTC), cause="lost")  # after the period
    response = client.get("/api/reports/summary?from=2026-06-01&to=2026-06-08")
    assert response.status_code == 200
    body = response.get_json()
    assert body["period"]["from"] == "2026-06-01T00:00:00+08:00"
    assert body["totals"]["incidents"] == 2
    assert body["by_cause"]["injury"] == 1 and body["by_cause"]["unknown"] == 1
    assert body["by_cause"]["lost"] == 0
    assert len(body["by_day"]) == 7
    assert body["response_times"]["receipt_to_dispatch"]["target_s"] == 300


def test_the_default_period_is_the_last_30_days(app: Flask, client: FlaskClient) -> None:
    now = datetime.now(UTC)
    _record(app, now - timedelta(days=29))
    _record(app, now - timedelta(days=31))
    body = client.get("/api/reports/summary").get_json()
    assert body["totals"]["incidents"] == 1
    assert round(body["period"]["days"]) == 30


def test_the_csv(app: Flask, client: FlaskClient) -> None:
    first = _record(
        app,
        datetime(2026, 6, 1, 10, tzinfo=UTC),
        cause="injury",
        party_size=3,
        location={"segment_id": DOLMA, "lon": 81.4, "lat": 31.1, "name": "@卓玛拉 =1+1"},
    )
    second = _record(
        app,
        datetime(2026, 6, 2, 10, tzinfo=UTC),
        location={"segment_id": '=HYPERLINK("http://evil")', "lon": 81.3, "lat": 31.0},
    )
    response = client.get("/api/reports/incidents.csv?from=2026-06-01&to=2026-06-08")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="sandtable-incidents_2026-06-01_2026-06-08.csv"'
    )
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [int(r["incident_id"]) for r in body] == [first, second]
    assert body[0]["segment_name_zh"] == "卓玛拉山口 → 不动地钉补给点"
    assert body[0]["place"] == "'@卓玛拉 =1+1"
    assert body[0]["party_size"] == "3"
    assert body[1]["segment_id"] == '\'=HYPERLINK("http://evil")'
    for row in body:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_the_heat_map(app: Flask, client: FlaskClient) -> None:
    _record(
        app,
        datetime(2026, 6, 1, 10, tzinfo=UTC),
        location={"segment_id": DOLMA, "lon": 81.4, "lat": 31.1, "name": XSS},
    )
    response = client.get("/api/reports/heat?from=2026-06-01&to=2026-06-08")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    heat = json.loads(response.get_data(as_text=True))
    segments = {
        f["properties"]["segment_id"]: f
        for f in heat["features"]
        if f["properties"]["kind"] == "segment"
    }
    assert segments[DOLMA]["properties"]["incidents"] == 1
    assert segments[DOLMA]["properties"]["name"].startswith("Drölma-la pass")
    points = [f for f in heat["features"] if f["properties"]["kind"] == "incident"]
    assert [p["properties"]["place"] for p in points] == [XSS]  # data as given: the page escapes
    assert heat["max_incidents"] == 1


# --------------------------------------------------------------------------- the page
def _config(html: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="st-config-reports"[^>]*>(.*?)</script>', html
    )
    assert found, "the page carries no config"
    config: dict[str, object] = json.loads(found.group(1))
    return config


def test_the_page(app: Flask) -> None:
    client = app.test_client()
    sign_in(client, "planner")
    html = client.get("/reports").get_data(as_text=True)
    for part in (
        'name="csrf-token"',
        'class="st-user"',
        'data-set-lang="zh"',
        'id="st-rep-from"',
        'id="st-rep-to"',
        'data-preset-days="7"',
        'data-preset-days="30"',
        'data-preset-days="365"',
        'id="st-rep-csv"',
        'id="st-rep-heat"',
        "vendor/chartjs/chart.umd.min.js",
        "vendor/leaflet/leaflet.js",
        '<span lang="zh-Hans">',
    ):
        assert part in html, part
    assert "http://" not in html and "https://" not in html
    config = _config(html)
    assert config["presets_days"] == [7, 30, 365]
    assert config["dispatch_target_s"] == 300
    assert config["on_scene_allowance_s"] == 600
    assert "within plan ETA + 10.0 min" in html


def test_the_app_needs_the_vendored_chart_library(tmp_path: Path) -> None:
    vendor = tmp_path / "vendor"
    shutil.copytree(web.vendor.VENDOR_DIR, vendor)
    assert web.vendor.missing_assets(vendor) == []
    (vendor / "chartjs" / "chart.umd.min.js").unlink()
    with pytest.raises(ConfigError) as err:
        web.vendor.check_assets(vendor)
    assert err.value.details == ["chartjs/chart.umd.min.js"]
