"""The whole plan on the map page (approach.js), in a real browser.

After planning, the panel shows the recommended station and what it sends, the ranked
stations with what each can send, the legs as a written list, the alternatives with
their extra time, and the evacuation with its handover point and clinic; the map
draws and fits all of it.
"""

from __future__ import annotations

import re
from pathlib import Path

import gpxpy
import pytest
import xmlschema
from playwright.sync_api import Page, Route, expect

pytestmark = pytest.mark.browser

ROWS = ".st-approach-table tbody tr"
GPX_XSD = Path(__file__).resolve().parents[1] / "data" / "schemas" / "gpx-1.1.xsd"


def _plan_near_the_teahouse(page: Page, live_server: str, need: str) -> dict:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    page.fill("#st-locate-text", "near Gaize teahouse")
    with page.expect_response("**/api/locate"):
        page.press("#st-locate-text", "Enter")
    expect(page.locator("#st-locate .st-approach")).to_be_visible(timeout=20_000)
    page.select_option(".st-approach-need", need)
    with page.expect_response("**/api/approach") as answer:
        page.click(".st-approach-run")
    assert answer.value.status == 200
    body: dict = answer.value.json()
    expect(page.locator(ROWS).first).to_be_visible(timeout=20_000)
    return body


def test_a_fracture_gets_a_medical_team_and_the_whole_plan_is_shown(
    page: Page, live_server: str
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    body = _plan_near_the_teahouse(page, live_server, "fracture")
    assert [n["need_id"] for n in body["needs"]] == ["fracture"]

    # not the teahouse: the recommended station can send a stretcher team and a medic
    rec = page.locator(f"{ROWS}.st-recommended")
    assert rec.get_attribute("data-station-id") == body["recommended"] != "gaize_teahouse"
    expect(page.locator(".st-approach-rec")).to_contain_text("a stretcher team")
    teahouse = page.locator(f"{ROWS}[data-station-id=gaize_teahouse]")
    expect(teahouse.locator(".st-approach-sends")).to_contain_text("horses")
    expect(teahouse.locator(".st-lack").first).to_contain_text("lacks")
    # co-located stations with one ETA share a rank, and say so
    expect(page.locator(f"{ROWS}.st-colocated").first).to_contain_text("same place and ETA as")

    # the legs as a written list
    best = next(p for p in body["plans"] if p["station_id"] == body["recommended"])
    legs = page.locator(".st-plan-detail .st-legs > li")
    expect(legs).to_have_count(len(best["legs"]))
    assert re.search(r"\d+\.\d km · ↑\d+ m ↓\d+ m · \d+:\d\d", legs.first.inner_text())

    # the evacuation with its handover point and clinic, on screen and on the map
    evac = page.locator(".st-evacuation")
    expect(evac).to_be_in_viewport()
    expect(evac).to_contain_text(body["evacuation"]["handover"]["name"])
    expect(evac).to_contain_text(body["evacuation"]["destination"]["name"])
    assert page.locator(".leaflet-stApproach-pane path.st-evac").count() >= 1

    # another station with an alternative: the alternative is on screen with its extra time
    with_alt = next(p for p in body["plans"] if p["alternatives"])
    page.click(f"{ROWS}[data-station-id={with_alt['station_id']}]")
    alt = page.locator(".st-alternatives .st-alternative").first
    expect(alt).to_be_in_viewport()
    expect(alt).to_contain_text("+")
    assert page.locator(".leaflet-stApproach-pane path.st-alt").count() >= 1

    # the map shows the whole plan: the handover point lies within the view
    inside = page.evaluate(
        """([lat, lon]) => window.sandtableMap.getBounds().contains([lat, lon])""",
        [body["evacuation"]["handover"]["lat"], body["evacuation"]["handover"]["lon"]],
    )
    assert inside
    assert errors == []


def test_the_plan_downloads_as_gpx_that_gps_apps_open(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    """Issue 16: the GPX button gives the plan on screen as valid GPX 1.1 (route by legs,
    the target and the stations as waypoints), read back with gpxpy."""
    body = _plan_near_the_teahouse(page, live_server, "fracture")
    with page.expect_download() as info:
        page.click(".st-export[data-format=gpx]")
    download = info.value
    assert download.suggested_filename == f"plan-{body['recommended']}.gpx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    xmlschema.XMLSchema(str(GPX_XSD)).validate(str(saved))
    gpx = gpxpy.parse(saved.read_text(encoding="utf-8"))
    best = next(p for p in body["plans"] if p["station_id"] == body["recommended"])
    assert len(gpx.routes) >= len(best["legs"])
    points = [pt for route in gpx.routes for pt in route.points]
    assert points and all(pt.elevation is not None for pt in points)
    # the approach's routes come first, leg by leg, and end where the plan ends: at the caller
    end = gpx.routes[len(best["legs"]) - 1].points[-1]
    last = best["legs"][-1]["geometry"][-1]
    assert abs(end.longitude - last[0]) < 1e-4 and abs(end.latitude - last[1]) < 1e-4
    assert gpx.waypoints, "the target and the stations are waypoints"


def test_a_row_chosen_while_a_refreshed_plan_is_on_its_way_stays_chosen(
    page: Page, server: str
) -> None:
    """A closure set elsewhere refreshes the plan on display; a station the officer picks
    while that refresh is on its way is the one shown when it arrives."""
    body = _plan_near_the_teahouse(page, server, "fracture")
    other = next(p["station_id"] for p in body["plans"] if p["station_id"] != body["recommended"])
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()  # the chosen row's own lines
        else:
            held.append(route)

    page.route("**/api/approach", hold_the_first)
    token = page.get_attribute('meta[name="csrf-token"]', "content") or ""
    with page.expect_request("**/api/approach", timeout=20_000):
        closed = page.request.post(
            f"{server}/api/closures",
            headers={"X-CSRF-Token": token},
            data={
                "segment_ids": ["outer_kora:dolma_la-phakna_rigzin_supply"],
                "reason": "snow",
                "modes": "all",
                "severity": "closed",
            },
        )
        assert closed.status == 201, closed.text()
    for _ in range(200):  # the route handler runs when the page's events are next handled
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1  # the refresh, held back

    page.click(f"{ROWS}[data-station-id={other}]")
    expect(page.locator(f"{ROWS}.st-selected")).to_have_attribute("data-station-id", other)
    held[0].continue_()
    expect(page.locator(".st-approach-status")).to_be_hidden(timeout=20_000)
    selected = page.locator(f"{ROWS}.st-selected")
    expect(selected).to_have_count(1)
    expect(selected).to_have_attribute("data-station-id", other)
