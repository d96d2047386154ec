"""The map page in a real browser: it draws, it works in both languages, it stays offline."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route

from tests.browser.helpers import ApiUser

pytestmark = pytest.mark.browser


def api(live_server: str, path: str) -> Any:
    return ApiUser(live_server, "call_taker").get(path)


def open_map(page: Page, live_server: str) -> tuple[list[str], list[str]]:
    """Load ``/``, wait for the map; return the requested URLs and the page's JS errors."""
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    page.evaluate("document.fonts.ready.then(() => true)")  # web fonts are requested lazily
    page.wait_for_load_state("load")
    return requests, errors


def test_map_draws_layers_and_requests_only_the_app(
    page: Page, live_server: str, tmp_path: Path
) -> None:
    requests, errors = open_map(page, live_server)

    # road segments (no route_id) are drawn by the roads layer
    segments = [
        f for f in api(live_server, "/api/segments")["features"] if f["properties"]["route_id"]
    ]
    places = api(live_server, "/api/places")["features"]
    stations = api(live_server, "/api/stations")["features"]
    counts = page.evaluate(
        """() => Object.fromEntries(Object.entries(window.sandtableLayers)
              .map(([name, layer]) => [name, layer.getLayers().length]))"""
    )
    assert counts["trails"] == len(segments)
    assert counts["places"] == len(places)
    assert counts["stations"] == len(stations)
    # drawn, not just loaded: SVG paths for the lines, marker elements for the points
    assert page.locator(".leaflet-overlay-pane path.leaflet-interactive").count() >= len(segments)
    assert page.locator(".leaflet-marker-pane .st-marker .st-place").count() == len(places)
    assert page.locator(".leaflet-marker-pane .st-marker .st-station").count() == len(stations)
    assert page.locator(".leaflet-control-layers").is_visible()
    assert page.locator(".leaflet-control-scale").is_visible()

    # fitted to the region
    (region,) = api(live_server, "/api/regions")["regions"]
    minlon, minlat, maxlon, maxlat = region["bbox"]
    centre = page.evaluate(
        "(() => { const c = window.sandtableMap.getCenter(); return [c.lng, c.lat]; })()"
    )
    assert minlon < centre[0] < maxlon and minlat < centre[1] < maxlat

    screenshot = tmp_path / "map.png"
    page.screenshot(path=str(screenshot))
    assert screenshot.stat().st_size > 10_000

    app_host = urlsplit(live_server).netloc
    foreign = [
        url
        for url in requests
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != app_host
    ]
    assert foreign == [], f"the page requested other hosts: {foreign}"
    assert errors == []


def test_cursor_coordinates_in_degrees_and_utm(page: Page, live_server: str) -> None:
    open_map(page, live_server)
    box = page.locator(".folium-map").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    decimal = page.locator(".st-cursor-dd").inner_text()
    utm = page.locator(".st-cursor-utm").inner_text()
    assert re.fullmatch(r"3\d\.\d{5}° N, 8\d\.\d{5}° E", decimal), decimal
    assert re.fullmatch(r"UTM 44R \d{6} E \d{7} N", utm), utm


def test_popups_and_language_switch(page: Page, live_server: str) -> None:
    open_map(page, live_server)
    page.evaluate(
        """() => { const layer = window.sandtableLayers.trails.getLayers()[0];
                   layer.openPopup(layer.getCenter()); }"""
    )
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "Length" in text and "Elevation" in text and "Pilgrim" in text
    assert "海拔" not in text

    page.click("[data-set-lang=zh]")
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    text = popup.inner_text()
    assert "海拔" in text and "朝圣者" in text and "Elevation" not in text
    page.hover(".leaflet-control-layers")  # folded until hovered or tapped
    assert "步道" in page.locator(".leaflet-control-layers").inner_text()

    # the choice survives a reload
    page.reload()
    page.wait_for_selector("body[data-map-ready=true]")
    assert page.evaluate("document.body.classList.contains('lang-zh')")


def test_unreachable_online_basemap_falls_back_to_sand_table(page: Page, live_server: str) -> None:
    app_host = urlsplit(live_server).netloc

    def offline(route: Route) -> None:
        if urlsplit(route.request.url).netloc == app_host:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    page.route("**/*", offline)
    open_map(page, live_server)
    page.evaluate(
        """() => { const base = window.sandtableBaseLayers;
                   window.sandtableMap.removeLayer(base.sand);
                   window.sandtableMap.addLayer(base.opentopomap); }"""
    )
    page.wait_for_selector(".st-notice", state="visible", timeout=10_000)
    assert page.evaluate(
        "window.sandtableMap.hasLayer(window.sandtableBaseLayers.sand)"
        " && !window.sandtableMap.hasLayer(window.sandtableBaseLayers.opentopomap)"
    )
