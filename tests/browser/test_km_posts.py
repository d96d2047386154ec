"""Km posts on the map: every 5 km when zoomed out, every km when zoomed in."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import ApiUser

pytestmark = pytest.mark.browser

#: the km posts the page shows (not hidden by the zoom rules) inside the map's view
SHOWN = """() => {
  const view = document.querySelector(".st-map").getBoundingClientRect();
  return [...document.querySelectorAll(".leaflet-marker-pane .st-km-post")]
    .filter((el) => getComputedStyle(el).display !== "none")
    .map((el) => ({text: el.textContent, major: el.classList.contains("st-km-major"),
                   rect: el.firstElementChild.getBoundingClientRect()}))
    .filter((p) => p.rect.width > 0 && p.rect.left >= view.left && p.rect.right <= view.right
                   && p.rect.top >= view.top && p.rect.bottom <= view.bottom)
    .map((p) => ({text: p.text, major: p.major}));
}"""


def test_km_posts_show_by_zoom(page: Page, live_server: str) -> None:
    posts: list[dict[str, Any]] = ApiUser(live_server, "call_taker").get("/api/km-posts")[
        "features"
    ]
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    assert page.evaluate("window.sandtableLayers.kmPosts.getLayers().length") == len(posts)

    # the opening view (zoomed out): only the posts every 5 km, labelled with their km
    assert page.evaluate("window.sandtableMap.getZoom()") < 13
    shown = page.evaluate(SHOWN)
    assert len(shown) >= 10
    assert all(p["major"] and int(p["text"]) % 5 == 0 for p in shown), shown

    # zoomed in on outer kora km 25: every km
    km25 = next(
        f
        for f in posts
        if f["properties"]["route_id"] == "outer_kora" and f["properties"]["km"] == 25
    )
    lon, lat = km25["geometry"]["coordinates"][:2]
    # the opening view may still be zooming in: Leaflet ignores a new view until it is done
    page.wait_for_function("() => !window.sandtableMap._animatingZoom")
    page.evaluate(f"window.sandtableMap.setView([{lat}, {lon}], 14, {{animate: false}})")
    page.wait_for_function("() => !window.sandtableMap._animatingZoom")
    shown = page.evaluate(SHOWN)
    texts = {p["text"] for p in shown}
    assert "25" in texts
    assert any(not p["major"] for p in shown), shown  # posts between the 5s appear
    assert {"24", "26"} & texts, texts
