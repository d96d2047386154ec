"""Planners import GPS files, edit features and restore versions on ``/planner``, in a browser.

Each test gets its own app and server with its own instance directory (own SQLite
database, seeded on start), so the versions one test makes never reach another.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.helpers import APPS, ApiUser, SignedIn
from tests.common import kailash_walk

#: a re-walk of the Darchen–Tarboche road and a new waypoint
WALK = kailash_walk(shortcut=False)

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"


#: per served app: another planner, signed in over plain HTTP
_OTHERS: dict[str, tuple[Any, ApiUser]] = {}


def api(base: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """Call the JSON API directly (as another planner would)."""
    app, other = _OTHERS.get(base, (None, None))
    if app is not APPS[base] or other is None:  # a new server (on a port used before)
        other = ApiUser(base, "planner")
        _OTHERS[base] = (APPS[base], other)
    return other.call(method, path, body)


class Session:
    """The planner page on ``server``: other hosts are blocked and recorded, JS errors too."""

    def __init__(self, page: Page, base: str, user: str) -> None:
        self.page = page
        self.base = base
        self.user = user  # who the page is signed in as
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.route("**/*", self._route)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)
        self.open()

    def open(self) -> None:
        self.page.goto(self.base + "/planner")
        self.page.wait_for_selector("body[data-planner-ready=true]", timeout=20_000)

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

    def versions(self) -> list[dict[str, Any]]:
        status, body = api(self.base, "GET", "/api/versions")
        assert status == 200
        return body["versions"]

    def tab(self, name: str) -> None:
        self.page.click(f".st-pl-tabs [data-tab={name}]")

    def click_point(self, layer: str, feature_id: str) -> None:
        """Zoom in on a place or station and click its marker."""
        self.page.wait_for_function("() => !window.sandtablePlanner.map._animatingZoom")
        point = self.page.evaluate(
            """([key]) => {
                 const p = window.sandtablePlanner;
                 const marker = p.index[key];
                 p.map.setView(marker.getLatLng(), 17, {animate: false});
                 const xy = p.map.latLngToContainerPoint(marker.getLatLng());
                 const box = p.map.getContainer().getBoundingClientRect();
                 return [box.left + xy.x, box.top + xy.y];
               }""",
            [f"{layer}/{feature_id}"],
        )
        self.page.mouse.click(point[0], point[1])
        expect(self.page.locator(".st-pl-edit-id")).to_have_text(f" {feature_id}")


@pytest.fixture
def session(page: Page, server: str, signed_in: SignedIn) -> Iterator[Session]:
    s = Session(page, server, signed_in.username)
    yield s
    assert s.foreign == [], f"the page requested other hosts: {s.foreign}"
    assert s.errors == [], s.errors
    assert s.dialogs == [], s.dialogs


def lonely_place(base: str) -> tuple[str, str]:
    """A place with no other point within 300 m (its marker is the only one there)."""
    status, body = api(base, "GET", "/api/export?format=geojson")
    assert status == 200, body
    features = body["features"]
    points = [f for f in features if f["geometry"]["type"] == "Point"]

    def metres(a: list[float], b: list[float]) -> float:
        dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians(a[1]))
        dy = (a[1] - b[1]) * 110_540
        return math.hypot(dx, dy)

    for f in points:
        props = f["properties"]
        if props["layer"] != "places" or not props.get("name_en"):
            continue
        xy = f["geometry"]["coordinates"]
        if all(g is f or metres(xy, g["geometry"]["coordinates"]) > 300 for g in points):
            return props["place_id"], props["name_en"]
    raise AssertionError("no lonely place")


# --- the page -------------------------------------------------------------------------------


def test_the_page_loads_offline_with_its_panels(session: Session) -> None:
    page = session.page
    expect(page.locator(".st-pl-tabs [data-tab=import]")).to_be_visible()
    expect(page.locator(".st-pl-import-form")).to_be_visible()
    assert page.locator("path.st-pl-way").count() > 50
    assert page.locator("path.st-pl-places").count() > 50
    assert page.locator("path.st-pl-stations").count() > 10
    expect(page.locator(".st-pl-version")).to_have_count(1)
    expect(page.locator(".st-user-name")).to_have_text(session.user)
    # the language switch
    page.click("[data-set-lang=zh]")
    expect(page.locator(".st-pl-tabs [data-tab=history] [lang=zh-Hans]")).to_be_visible()
    expect(page.locator(".st-pl-tabs [data-tab=history] [lang=en]")).to_be_hidden()
    page.click("[data-set-lang=en]")
    # and back to the map
    page.click(".st-map-link")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    page.click(".st-planner-link")
    page.wait_for_selector("body[data-planner-ready=true]", timeout=20_000)


# --- import ---------------------------------------------------------------------------------


def test_uploading_a_walk_previews_it_and_apply_makes_a_version(session: Session) -> None:
    page = session.page
    page.set_input_files(
        ".st-pl-file",
        files=[
            {
                "name": "walk.gpx",
                "mimeType": "application/gpx+xml",
                "buffer": kailash_walk(shortcut=False),
            }
        ],
    )
    with page.expect_response(lambda r: r.url.endswith("/api/imports")) as answer:
        page.click(".st-pl-upload")
    assert answer.value.status == 201
    expect(page.locator(".st-pl-proposal")).to_have_count(2)
    expect(page.locator(".st-pl-proposals")).to_contain_text("Water tank 水箱: new place")
    expect(page.locator(".st-pl-proposals")).to_contain_text("re-traces")
    expect(page.locator(".st-pl-warning").first).to_contain_text("no timestamps")
    # in Chinese the warnings and the proposals' summaries are the server's Chinese texts
    page.click("[data-set-lang=zh]")
    expect(page.locator(".st-pl-warning [lang=zh-Hans]").first).to_be_visible()
    expect(page.locator(".st-pl-warning [lang=zh-Hans]").first).to_contain_text("没有时间戳")
    expect(page.locator(".st-pl-warning [lang=en]").first).to_be_hidden()
    expect(page.locator(".st-pl-summary [lang=zh-Hans]").first).to_be_visible()
    page.click("[data-set-lang=en]")
    expect(page.locator(".st-pl-problems")).to_be_hidden()
    assert page.locator("path.st-pv-change_way").count() == 1
    assert page.locator("path.st-pv-before").count() == 1
    assert page.locator("path.st-pv-new_place").count() == 1
    expect(page.locator(".st-pl-apply")).to_be_enabled()
    assert len(session.versions()) == 1  # nothing written before apply

    page.fill(".st-pl-apply-message", "walked 26 Nov")
    with page.expect_response(lambda r: r.url.endswith("/apply")) as applied:
        page.click(".st-pl-apply")
    assert applied.value.status == 201
    expect(page.locator(".st-pl-status")).to_contain_text("version 2")
    expect(page.locator(".st-pl-preview")).to_be_hidden()
    assert page.locator("path.st-pv-change_way").count() == 0
    session.tab("history")
    newest = page.locator(".st-pl-version").first
    expect(newest).to_have_attribute("data-version", "2")
    expect(newest).to_contain_text("walked 26 Nov")
    expect(newest).to_contain_text(session.user)
    expect(newest).to_contain_text("import")
    status, place = api(session.base, "GET", "/api/places/water_tank")
    assert status == 200 and place["properties"]["name_zh"] == "Water tank 水箱"
    # the map data reloaded: the new place is on the map
    page.wait_for_function("() => 'places/water_tank' in window.sandtablePlanner.index")
    assert session.versions()[0]["author"] == session.user


def test_why_an_import_cannot_be_applied_is_shown_in_the_pages_language(
    session: Session,
) -> None:
    from pathlib import Path

    strava = Path(__file__).resolve().parents[1] / "data" / "imports" / "strava.gpx"
    page = session.page
    page.set_input_files(
        ".st-pl-file",
        files=[
            {"name": "strava.gpx", "mimeType": "application/gpx+xml", "buffer": strava.read_bytes()}
        ],
    )
    with page.expect_response(lambda r: r.url.endswith("/api/imports")) as answer:
        page.click(".st-pl-upload")
    assert answer.value.status == 201
    problem = page.locator(".st-pl-problem").first
    expect(problem).to_contain_text("trails.geojson: feature")
    expect(page.locator(".st-pl-apply")).to_be_disabled()
    page.click("[data-set-lang=zh]")
    expect(problem.locator("[lang=zh-Hans]")).to_be_visible()
    expect(problem.locator("[lang=zh-Hans]")).to_contain_text("trails.geojson：要素")
    expect(problem.locator("[lang=en]")).to_be_hidden()
    # the problems say the file and feature, and no English sentence
    for text in page.locator(".st-pl-problem [lang=zh-Hans]").all_inner_texts():
        assert "feature" not in text and "connected" not in text, text
    page.click("[data-set-lang=en]")
    expect(problem.locator("[lang=en]")).to_be_visible()
    assert session.errors == []


def test_discard_forgets_the_preview(session: Session) -> None:
    page = session.page
    page.set_input_files(
        ".st-pl-file",
        files=[
            {
                "name": "walk.gpx",
                "mimeType": "application/gpx+xml",
                "buffer": kailash_walk(shortcut=False),
            }
        ],
    )
    page.click(".st-pl-upload")
    expect(page.locator(".st-pl-proposal")).to_have_count(2)
    with page.expect_response(lambda r: r.request.method == "DELETE") as gone:
        page.click(".st-pl-discard")
    assert gone.value.status == 204
    expect(page.locator(".st-pl-preview")).to_be_hidden()
    assert page.locator("path.st-pv").count() == 0
    assert len(session.versions()) == 1


def test_a_hostile_file_shows_the_error_and_makes_no_version(session: Session) -> None:
    page = session.page
    hostile = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]><gpx>&lol;</gpx>'
    page.set_input_files(
        ".st-pl-file",
        files=[{"name": "laughs.gpx", "mimeType": "application/gpx+xml", "buffer": hostile}],
    )
    with page.expect_response(lambda r: r.url.endswith("/api/imports")) as answer:
        page.click(".st-pl-upload")
    assert answer.value.status == 422
    error = page.locator(".st-pl-import-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("laughs.gpx")
    expect(page.locator(".st-pl-preview")).to_be_hidden()
    assert len(session.versions()) == 1
    session.tab("history")
    expect(page.locator(".st-pl-version")).to_have_count(1)


def test_a_file_over_the_limit_shows_the_servers_message(session: Session) -> None:
    from geodata.importers import MAX_UPLOAD_BYTES

    page = session.page
    big = b"<gpx>" + b" " * (MAX_UPLOAD_BYTES + 100_000)
    page.set_input_files(
        ".st-pl-file", files=[{"name": "big.gpx", "mimeType": "application/gpx+xml", "buffer": big}]
    )
    with page.expect_response(lambda r: r.url.endswith("/api/imports")) as answer:
        page.click(".st-pl-upload")
    assert answer.value.status == 413
    expect(page.locator(".st-pl-import-error")).to_contain_text(
        f"at most {MAX_UPLOAD_BYTES / 1e6:.0f} MB"
    )
    assert len(session.versions()) == 1


# --- edits ----------------------------------------------------------------------------------


def test_editing_a_name_conflicts_and_restoring_version_1(session: Session) -> None:
    page = session.page
    place_id, name = lonely_place(session.base)
    session.click_point("places", place_id)
    form = page.locator(".st-pl-edit-form")
    expect(form.locator("#st-pl-in-name_en")).to_have_value(name)

    # a plain save makes a version
    form.locator("#st-pl-in-name_en").fill("Renamed once")
    form.locator(".st-pl-edit-message").fill("checked on the ground")
    with page.expect_response(lambda r: r.request.method == "PUT") as saved:
        form.locator(".st-pl-save").click()
    assert saved.value.status == 201
    expect(page.locator(".st-pl-status")).to_contain_text("version 2")
    expect(page.locator(".st-pl-edit-rev")).to_have_text(" · rev 2")
    assert api(session.base, "GET", f"/api/places/{place_id}")[1]["properties"]["name_en"] == (
        "Renamed once"
    )

    # someone else saves meanwhile: saving is a conflict showing both values
    page.locator("#st-pl-in-name_en").fill("My name")
    status, stored = api(session.base, "GET", f"/api/data/places/{place_id}")
    stored["feature"]["properties"]["name_en"] = "Their name"
    status, _ = api(
        session.base,
        "PUT",
        f"/api/data/places/{place_id}",
        {"feature": stored["feature"], "base_revision": stored["revision"], "message": "theirs"},
    )
    assert status == 201
    page.locator(".st-pl-edit-message").fill("mine")
    with page.expect_response(lambda r: r.request.method == "PUT") as clash:
        page.locator(".st-pl-save").click()
    assert clash.value.status == 409
    row = page.locator(".st-pl-conflict-table tr[data-property=name_en]")
    expect(row).to_have_class("st-pl-differs")
    expect(row.locator(".st-pl-theirs")).to_have_text("Their name")
    expect(row.locator(".st-pl-yours")).to_have_text("My name")
    # only the properties that differ are listed
    expect(page.locator(".st-pl-conflict-table tr[data-property=name_zh]")).to_have_count(0)
    assert len(session.versions()) == 3
    page.click(".st-pl-reload-theirs")
    expect(page.locator("#st-pl-in-name_en")).to_have_value("Their name")
    expect(page.locator(".st-pl-conflict-table")).to_have_count(0)

    # restoring version 1 brings the old name back
    session.tab("history")
    first = page.locator(".st-pl-version[data-version='1']")
    first.locator(".st-pl-restore").click()
    first.locator(".st-pl-restore-message").fill("undo the renames")
    with page.expect_response(lambda r: r.url.endswith("/restore")) as restored:
        first.locator(".st-pl-restore-ok").click()
    assert restored.value.status == 201
    expect(page.locator(".st-pl-version").first).to_have_attribute("data-version", "4")
    expect(page.locator(".st-pl-version").first).to_contain_text("undo the renames")
    assert api(session.base, "GET", f"/api/places/{place_id}")[1]["properties"]["name_en"] == name
    # the open form follows
    expect(page.locator("#st-pl-in-name_en")).to_have_value(name)
    # export links of a version
    href = page.locator(".st-pl-version[data-version='2'] .st-pl-export-gpx").get_attribute("href")
    assert href == "api/export?format=gpx&version=2"


def test_an_invalid_edit_shows_the_details(session: Session) -> None:
    page = session.page
    place_id, _ = lonely_place(session.base)
    session.click_point("places", place_id)
    page.locator("#st-pl-in-name_en").fill("")
    page.locator(".st-pl-edit-message").fill("blank the name")
    with page.expect_response(lambda r: r.request.method == "PUT") as answer:
        page.locator(".st-pl-save").click()
    assert answer.value.status == 422
    error = page.locator(".st-pl-edit-error")
    expect(error).to_contain_text("nothing was saved")
    expect(error.locator(".st-pl-error-details li")).to_contain_text("name_en")
    assert len(session.versions()) == 1
    # a save without a message is not sent
    page.locator(".st-pl-edit-message").fill("")
    page.locator(".st-pl-save").click()
    expect(error).to_contain_text("message")
    assert len(session.versions()) == 1


def test_moving_a_place(session: Session) -> None:
    page = session.page
    place_id, _ = lonely_place(session.base)
    session.click_point("places", place_id)
    _, before = api(session.base, "GET", f"/api/data/places/{place_id}")
    page.click(".st-pl-move")
    expect(page.locator(".st-pl-mode-hint")).to_be_visible()
    box = page.locator("#st-pl-map").bounding_box()
    assert box
    # 60 px right of the marker (at the centre of the map) at zoom 17: some 50 m east
    page.mouse.click(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2)
    expect(page.locator(".st-pl-move-info")).to_be_visible()
    page.locator(".st-pl-edit-message").fill("moved to the building")
    with page.expect_response(lambda r: r.request.method == "PUT") as answer:
        page.locator(".st-pl-save").click()
    assert answer.value.status == 201
    _, after = api(session.base, "GET", f"/api/data/places/{place_id}")
    old = before["feature"]["geometry"]["coordinates"]
    new = after["feature"]["geometry"]["coordinates"]
    assert new[0] > old[0] + 0.0002
    assert abs(new[1] - old[1]) < 0.0001
    assert after["revision"] == 2


def test_splitting_and_joining_a_way(session: Session) -> None:
    page = session.page
    _, data = api(session.base, "GET", "/api/export?format=geojson")
    way = next(
        f
        for f in data["features"]
        if f["properties"]["layer"] == "trails" and len(f["geometry"]["coordinates"]) > 20
    )
    way_id = way["properties"]["way_id"]
    page.evaluate("([id]) => window.sandtablePlanner.select('trails', id)", [way_id])
    expect(page.locator(".st-pl-edit-id")).to_have_text(f" {way_id}")
    page.click(".st-pl-split")
    lon, lat = way["geometry"]["coordinates"][len(way["geometry"]["coordinates"]) // 2][:2]
    point = page.evaluate(
        """([lat, lon]) => {
             const map = window.sandtablePlanner.map;
             map.setView([lat, lon], 16, {animate: false});
             const xy = map.latLngToContainerPoint([lat, lon]);
             const box = map.getContainer().getBoundingClientRect();
             return [box.left + xy.x, box.top + xy.y];
           }""",
        [lat, lon],
    )
    page.mouse.click(point[0], point[1])
    expect(page.locator(".st-pl-confirm-text")).to_contain_text(f"Split {way_id}")
    page.locator(".st-pl-confirm-message").fill("split at the bridge")
    with page.expect_response(lambda r: r.url.endswith("/split")) as answer:
        page.locator(".st-pl-confirm-ok").click()
    assert answer.value.status == 201, answer.value.json()
    expect(page.locator(".st-pl-status")).to_contain_text("version 2")
    page.wait_for_function(
        "([key]) => key in window.sandtablePlanner.index", arg=[f"trails/{way_id}~2"]
    )

    # and joined again: "Join with…", then a click on the other part
    page.click(".st-pl-join")
    other = f"trails/{way_id}~2"
    point = page.evaluate(
        """([key]) => {
             const p = window.sandtablePlanner;
             const map = p.map;
             const lls = p.index[key].getLatLngs();
             const box = map.getContainer().getBoundingClientRect();
             for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.1, 0.9]) {
               const ll = lls[Math.floor(t * (lls.length - 1))];
               map.setView(ll, 17, {animate: false});
               const xy = map.latLngToContainerPoint(ll);
               const x = box.left + xy.x, y = box.top + xy.y;
               const hit = document.elementFromPoint(x, y);
               if (hit && hit.getAttribute("data-key") === key) { return [x, y]; }
             }
             return null;
           }""",
        [other],
    )
    assert point, f"no point of {other} is on top"
    page.mouse.click(point[0], point[1])
    expect(page.locator(".st-pl-confirm-text")).to_contain_text(f"Join {way_id} with {way_id}~2")
    page.locator(".st-pl-confirm-message").fill("no junction there after all")
    with page.expect_response(lambda r: r.url.endswith("/join")) as joined:
        page.locator(".st-pl-confirm-ok").click()
    assert joined.value.status == 201, joined.value.json()
    expect(page.locator(".st-pl-status")).to_contain_text("version 3")
    page.wait_for_function("([key]) => !(key in window.sandtablePlanner.index)", arg=[other])
    status, _ = api(session.base, "GET", f"/api/data/trails/{way_id}~2")
    assert status == 404


def test_a_hostile_name_renders_as_text(session: Session) -> None:
    page = session.page
    place_id, _ = lonely_place(session.base)
    _, stored = api(session.base, "GET", f"/api/data/places/{place_id}")
    stored["feature"]["properties"]["name_en"] = XSS
    status, _ = api(
        session.base,
        "PUT",
        f"/api/data/places/{place_id}",
        {"feature": stored["feature"], "base_revision": stored["revision"], "message": XSS},
    )
    assert status == 201
    session.open()
    session.click_point("places", place_id)
    expect(page.locator(".st-pl-edit-title")).to_have_text(XSS)
    expect(page.locator("#st-pl-in-name_en")).to_have_value(XSS)
    # the marker's tooltip (the mouse is still on it)
    expect(page.locator(".leaflet-tooltip .st-pl-tip-name")).to_have_text(XSS)
    session.tab("history")
    expect(page.locator(".st-pl-version").first.locator(".st-pl-version-message")).to_have_text(XSS)
    assert page.locator("img[src=x]").count() == 0
    assert session.dialogs == []
