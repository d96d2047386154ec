"""Officers and planners on ``/reports``, in a browser: charts, heat map, CSV, languages.

Each test gets its own app and server (own SQLite database) with a few incidents made
through :class:`IncidentStore`; one of them carries an XSS payload in its description
and its place name.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from rescue.incidents import IncidentCreate, IncidentStore, parse
from tests.browser.helpers import APPS

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__xss = 1">'
DOLMA = "outer_kora:dolma_la-phakna_rigzin_supply"


def store(base: str) -> IncidentStore:
    routes = APPS[base].extensions["sandtable"].store
    return IncidentStore(routes.reader, routes.writer)


def record(base: str, *steps: str, outcome: str | None = None, **fields: Any) -> int:
    """An incident received now that went through ``steps``."""
    incidents = store(base)
    body = parse(IncidentCreate, {"description": "help", **fields}, what="x")
    incident, _ = incidents.create(body, "dolma", region_id="kailash")
    for status in steps:
        incident = incidents.transition(
            incident["incident_id"],
            status,
            base_version=incident["version"],
            author="tashi",
            outcome=outcome if status == "resolved" else None,
        )
    return int(incident["incident_id"])


@pytest.fixture
def incidents(server: str) -> list[int]:
    dolma = {"segment_id": DOLMA, "lon": 81.325, "lat": 31.105, "name": "卓玛拉山口"}
    return [
        record(
            server,
            "located",
            "dispatched",
            "en_route",
            "on_scene",
            cause="injury",
            party_size=2,
            location=dolma,
        ),
        record(server, "located", "dispatched", cause="altitude_sickness", location=dolma),
        record(server, "resolved", outcome="false_alarm", cause="lost"),
        # a point placed by hand, with the payload in the description and the place name
        record(
            server,
            description=XSS,
            cause="other",
            location={"segment_id": "hand", "lon": 81.28, "lat": 31.06, "name": XSS},
        ),
    ]


class ReportsPage:
    """The page: other hosts are blocked and recorded, JS errors and dialogs too."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.console: list[str] = []
        page.route("**/*", self._route)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda m: self.console.append(m.text) if m.type == "error" else None)
        page.on("dialog", self._dialog)

    def open(self) -> None:
        self.page.goto(self.base + "/reports")
        self.ready()

    def ready(self) -> None:
        self.page.wait_for_selector("body[data-reports-ready=true]", timeout=20_000)

    def _route(self, route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https") and url.netloc != urlsplit(self.base).netloc:
            self.foreign.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self, *, refused: int = 0) -> None:
        """No other host, no error (but ``refused`` answers 422), no dialog, no XSS."""
        assert self.foreign == [], f"the page requested other hosts: {self.foreign}"
        assert self.errors == [], self.errors
        unexpected = [m for m in self.console if "status of 422" not in m]
        assert unexpected == [], unexpected
        assert len(self.console) == refused, self.console
        assert self.dialogs == [], self.dialogs
        assert self.page.evaluate("window.__xss") is None

    def painted_pixels(self, selector: str) -> int:
        """How many pixels of the canvas are not transparent."""
        count: int = self.page.evaluate(
            """(selector) => {
                const canvas = document.querySelector(selector);
                const data = canvas.getContext("2d")
                    .getImageData(0, 0, canvas.width, canvas.height).data;
                let n = 0;
                for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) { n += 1; } }
                return n;
            }""",
            selector,
        )
        return count

    def chart_data(self, key: str) -> dict[str, Any]:
        data: dict[str, Any] = self.page.evaluate(
            """(key) => {
                const chart = Chart.getChart(document.querySelector(`canvas[data-chart="${key}"]`));
                return { labels: chart.data.labels, values: chart.data.datasets[0].data };
            }""",
            key,
        )
        return data


CHARTS = (
    "cause",
    "day",
    "segment",
    "receipt_to_dispatch",
    "dispatch_to_on_scene",
    "receipt_to_on_scene",
)


def test_the_page_draws_charts_and_the_heat_map(
    page: Page, server: str, incidents: list[int]
) -> None:
    reports = ReportsPage(page, server)
    reports.open()
    expect(page.locator('[data-card="incidents"]')).to_have_text("4")
    expect(page.locator('[data-card="unlocated"]')).to_have_text("1")
    expect(page.locator('[data-card="on_time"]')).to_have_text("–")  # no plan has an ETA
    for key in CHARTS:
        assert reports.painted_pixels(f'canvas[data-chart="{key}"]') > 500, key
    cause = reports.chart_data("cause")
    values = dict(zip(cause["labels"], cause["values"], strict=True))
    assert values["injury"] == 1 and values["lost"] == 1 and values["unknown"] == 0
    dispatch = reports.chart_data("receipt_to_dispatch")
    assert sum(dispatch["values"]) == 2
    segment = reports.chart_data("segment")
    assert segment["values"][0] == 2
    assert "no location" in segment["labels"]

    # the heat map: the Drölma-la segment coloured and thick, the others grey
    hot = page.locator("path.st-rep-seg-hot")
    expect(hot.first).to_be_attached()
    strokes = {hot.nth(i).get_attribute("stroke") for i in range(hot.count())}
    assert strokes and "#a89c84" not in strokes
    assert page.locator("path.st-rep-seg-none").count() > 10
    expect(page.locator(".st-rep-legend")).to_contain_text("Incidents per segment")
    assert page.locator("path.st-rep-point").count() == 3
    reports.check()


def test_names_and_descriptions_are_text_not_html(
    page: Page, server: str, incidents: list[int]
) -> None:
    reports = ReportsPage(page, server)
    reports.open()
    points = page.locator("path.st-rep-point")
    shown = []
    for i in range(points.count()):
        points.nth(i).click(force=True)  # the two Drölma-la points lie on each other
        popup = page.locator(".leaflet-popup-content")
        expect(popup).to_have_count(1)  # the one before has faded out
        expect(popup).to_be_visible()
        shown.append(popup.inner_text())
    assert any(XSS in text for text in shown), shown
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.locator("#st-reports img").count() == 0
    reports.check()


def test_the_csv_link_downloads_the_period(
    page: Page, server: str, incidents: list[int], tmp_path: Path
) -> None:
    reports = ReportsPage(page, server)
    reports.open()
    href = page.locator("#st-rep-csv").get_attribute("href") or ""
    assert href.startswith("/api/reports/incidents.csv?from=")
    with page.expect_download() as info:
        page.locator("#st-rep-csv").click()
    download = info.value
    assert download.suggested_filename.startswith("sandtable-incidents_")
    target = tmp_path / "incidents.csv"
    download.save_as(target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert sorted(int(r["incident_id"]) for r in rows) == sorted(incidents)
    assert "卓玛拉山口" in {r["place"] for r in rows}
    reports.check()


def test_presets_and_the_language_are_remembered(
    page: Page, server: str, incidents: list[int]
) -> None:
    reports = ReportsPage(page, server)
    reports.open()
    page.locator('[data-preset-days="7"]').click()
    reports.ready()
    expect(page.locator('[data-preset-days="7"]')).to_have_attribute("aria-pressed", "true")
    start = page.locator("#st-rep-from").input_value()
    end = page.locator("#st-rep-to").input_value()
    assert start < end

    page.locator('[data-set-lang="zh"]').click()
    expect(page.locator("body")).to_have_class(re.compile(r"\blang-zh\b"))
    assert "受伤" in reports.chart_data("cause")["labels"]
    page.reload()
    reports.ready()
    expect(page.locator("body")).to_have_class(re.compile(r"\blang-zh\b"))
    expect(page.locator(".st-rep-status")).to_contain_text("共接警 4 起")
    assert "受伤" in reports.chart_data("cause")["labels"]

    # a period the server refuses is shown, not thrown
    page.locator("#st-rep-from").fill("1990-01-01")
    page.locator("#st-rep-to").fill("1990-01-05")
    page.locator(".st-rep-show").click()
    expect(page.locator(".st-rep-status.st-rep-error")).to_contain_text("1990")
    reports.check(refused=2)  # the summary and the heat map
