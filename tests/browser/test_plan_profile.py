"""Elevation profiles of the plan on display (profile.js via approach.js), in a real browser.

The approach and the evacuation each get an inline SVG drawn from the legs' 3D geometry in
the /api/approach answer: as many points as the legs have coordinates, the heights of those
coordinates, one line per leg; the evacuation from below the Drölma-la crosses the pass,
which is named on it in the page's language.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from geodata.relief import read_geotiff
from tests.browser.helpers import SignedIn
from tests.relief_data import geotiff_bytes

pytestmark = pytest.mark.browser

DETAIL = ".st-plan-detail"


def _coords(legs: list[dict]) -> list[list[float]]:
    return [c for leg in legs for c in leg["geometry"]]


def test_the_profiles_are_drawn_from_the_plans_coordinates(page: Page, live_server: str) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    page.fill("#st-locate-text", "just past Drolma La on the way down")
    with page.expect_response("**/api/locate"):
        page.press("#st-locate-text", "Enter")
    expect(page.locator("#st-locate .st-approach")).to_be_visible(timeout=20_000)
    with page.expect_response("**/api/approach") as answer:
        page.click(".st-approach-run")
    body = answer.value.json()
    best = next(p for p in body["plans"] if p["station_id"] == body["recommended"])
    approach = _coords(best["legs"])
    assert all(len(c) == 3 for c in approach), "the answer's legs carry their heights"

    chart = page.locator(f"{DETAIL} .st-profile-approach svg")
    expect(chart).to_be_visible(timeout=10_000)
    assert int(chart.get_attribute("data-points")) == len(approach)
    assert int(chart.get_attribute("data-max-elevation")) == round(max(c[2] for c in approach))
    assert int(chart.get_attribute("data-min-elevation")) == round(min(c[2] for c in approach))
    lines = chart.locator("polyline.st-profile-leg")
    expect(lines).to_have_count(len(best["legs"]))
    assert sum(int(n) for n in lines.evaluate_all("ls => ls.map(l => l.dataset.points)")) == len(
        approach
    )
    # the highest point of the line is its top: the y of the highest coordinate is the least
    ys = lines.first.evaluate(
        "l => l.getAttribute('points').split(' ').map(p => Number(p.split(',')[1]))"
    )
    zs = [c[2] for c in best["legs"][0]["geometry"]]
    assert ys.index(min(ys)) == zs.index(max(zs))

    ev = body["evacuation"]
    evac = _coords(ev["carry_legs"] + ev["vehicle_legs"])
    evac_chart = page.locator(f"{DETAIL} .st-profile-evac svg")
    expect(evac_chart).to_be_visible()
    assert int(evac_chart.get_attribute("data-points")) == len(evac)
    assert int(evac_chart.get_attribute("data-max-elevation")) == round(max(c[2] for c in evac))
    # the evacuation carries the casualty over the pass: named, with its height on the line
    pass_label = evac_chart.locator(".st-profile-pass")
    expect(pass_label).to_have_count(1, timeout=10_000)
    assert pass_label.get_attribute("data-name").startswith("Drölma-la")
    expect(pass_label.locator("text[lang=en]")).to_be_visible()
    expect(pass_label.locator("text[lang=en]")).to_contain_text("Drölma-la")
    page.click("[data-set-lang=zh]")
    expect(pass_label.locator("text[lang=zh-Hans]")).to_be_visible()
    expect(pass_label.locator("text[lang=zh-Hans]")).to_contain_text("卓玛拉山口")
    expect(pass_label.locator("text[lang=en]")).to_be_hidden()
    assert errors == []


def test_the_profiles_say_where_their_heights_come_from(
    page: Page, server: str, signed_in: SignedIn
) -> None:
    """Without a DEM the profiles are the route data's; with the test DEM loaded they are
    sampled on it (every point at the DEM's height there), and the page says which."""
    locate = _locate(page, server)
    expect(page.locator(f"{DETAIL} .st-profile-approach svg")).to_be_visible(timeout=10_000)
    assert locate["elevation_model"] == {"kind": "route_data"}
    note = page.locator(f"{DETAIL} .st-profile-approach .st-profile-source")
    expect(note).to_have_attribute("data-source", "route_data")
    expect(note.locator("[lang=en]")).to_have_text("heights: route data")
    assert "no elevation model (DEM) is loaded" in (note.get_attribute("title") or "")

    data = geotiff_bytes()
    loaded = page.request.post(
        server + "/api/relief/dem",
        multipart={"file": {"name": "kailash-cone.tif", "mimeType": "image/tiff", "buffer": data}},
        headers=signed_in.headers(),
    )
    assert loaded.status == 201, loaded.text()
    body = _locate(page, server)
    assert body["elevation_model"]["filename"] == "kailash-cone.tif"
    best = next(p for p in body["plans"] if p["station_id"] == body["recommended"])
    sampled = [leg for leg in best["legs"] if leg["profile_source"] == "dem"]
    assert sampled, [leg["profile_source"] for leg in best["legs"]]
    dem = read_geotiff("kailash-cone.tif", data)
    for leg in sampled:
        for lon, lat, z in leg["profile"]:
            assert z == pytest.approx(dem.elevation_at(lon, lat), abs=0.2)
    points = [c for leg in best["legs"] for c in (leg.get("profile") or leg["geometry"])]
    chart = page.locator(f"{DETAIL} .st-profile-approach svg")
    expect(chart).to_have_attribute(
        "data-source", "dem" if len(sampled) == len(best["legs"]) else "mixed"
    )
    assert int(chart.get_attribute("data-points")) == len(points)
    assert int(chart.get_attribute("data-max-elevation")) == round(max(c[2] for c in points))
    expect(note.locator("[lang=en]")).to_contain_text("heights: DEM “kailash-cone.tif”")
    page.click("[data-set-lang=zh]")
    expect(note.locator("[lang=zh-Hans]")).to_contain_text("高程模型")
    expect(note.locator("[lang=en]")).to_be_hidden()


def _locate(page: Page, base: str) -> dict:
    """Locate a call below the Drölma-la and plan the approach; the answer."""
    page.goto(base + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    page.fill("#st-locate-text", "just past Drolma La on the way down")
    with page.expect_response("**/api/locate"):
        page.press("#st-locate-text", "Enter")
    expect(page.locator("#st-locate .st-approach")).to_be_visible(timeout=20_000)
    with page.expect_response("**/api/approach") as answer:
        page.click(".st-approach-run")
    return dict(answer.value.json())
