"""The dispatch page's map (``/incidents``): stations with their names in the chosen language,
and every open incident labelled with its number, priority and status, in a real browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import SignedIn

pytestmark = pytest.mark.browser

STATIONS = json.loads(
    (Path(__file__).parents[2] / "geodata" / "kailash" / "stations.geojson").read_text("utf-8")
)["features"]
POLICE = "darchen_police_station"


def test_stations_and_incidents_are_labelled_in_the_chosen_language(
    page: Page, server: str, signed_in: SignedIn
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    made = page.request.post(
        f"{server}/api/incidents",
        headers=signed_in.headers(),
        data={
            "description": "pilgrim collapsed",
            "priority": "high",
            "location": {"lon": 81.3125, "lat": 31.0672},
        },
    )
    assert made.status == 201, made.text()
    number = made.json()["incident"]["incident_id"]
    page.goto(server + "/incidents")
    page.wait_for_selector("body[data-incidents-ready=true]", timeout=20_000)

    # one marker per place with stations (co-located ones share it), every station named
    places = {
        (round(f["geometry"]["coordinates"][0], 4), round(f["geometry"]["coordinates"][1], 4))
        for f in STATIONS
    }
    expect(page.locator("body")).to_have_attribute("data-stations-drawn", str(len(places)))
    expect(page.locator("path.st-inc-station-marker")).to_have_count(len(places))
    names = page.locator(".st-inc-station-name")
    expect(names).to_have_count(len(STATIONS))
    police = next(f["properties"] for f in STATIONS if f["properties"]["station_id"] == POLICE)
    label = page.locator(f".st-inc-station-name[data-station-id={POLICE}]")
    # from the whole region the names are hidden; zoomed in on Darchen they are written
    expect(label).to_be_hidden()
    lon, lat = next(
        f["geometry"]["coordinates"] for f in STATIONS if f["properties"]["station_id"] == POLICE
    )
    page.wait_for_function("() => !window.sandtableIncidents.map._animatingZoom")
    page.evaluate(
        "([lat, lon]) => window.sandtableIncidents.map.setView([lat, lon], 14, {animate: false})",
        [lat, lon],
    )
    expect(label).to_be_visible()
    expect(label.locator("[lang=en]")).to_have_text(police["name_en"])
    expect(label.locator("[lang=zh-Hans]")).to_be_hidden()

    # the incident's label: number, priority, status
    incident = page.locator(".st-inc-incident-label").filter(has_text=f"#{number}")
    expect(incident).to_be_visible()
    expect(incident).to_contain_text("high")
    expect(incident).to_contain_text("received")

    page.click("[data-set-lang=zh]")
    expect(label.locator("[lang=zh-Hans]")).to_have_text(police["name_zh"])
    expect(label.locator("[lang=en]")).to_be_hidden()
    expect(incident).to_contain_text("高")
    expect(incident).to_contain_text("已接警")
    assert errors == []
