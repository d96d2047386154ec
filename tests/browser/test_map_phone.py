"""The map page on a phone (390 x 844): it fits, the Locate form is not covered, the layer
control and the legend are folded until tapped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import sign_in_page
from tests.browser.test_responsive import WIDER, assert_on_screen_and_tappable

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", device_scale_factor=1
    )
    try:
        page = context.new_page()
        sign_in_page(page, live_server)
        page.goto(live_server + "/")
        page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
        page.evaluate("document.fonts.ready.then(() => true)")
        yield page
    finally:
        context.close()


def test_map_page_fits_a_phone_and_the_locate_form_is_not_covered(phone: Page) -> None:
    page = phone
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), page.evaluate(WIDER)
    assert_on_screen_and_tappable(page, ".st-locate-run")
    # the text field and the direction choices are not under a map control
    for selector in ("#st-locate-text", ".st-direction label:last-child"):
        covered = page.evaluate(
            """(s) => { const el = document.querySelector(s); const r = el.getBoundingClientRect();
                 const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                 return !(hit === el || el.contains(hit)); }""",
            selector,
        )
        assert not covered, selector
    # every control of the header is on screen
    width = page.evaluate("innerWidth")
    for selector in (".st-locate-toggle", ".st-nav-link", ".st-logout", "[data-set-lang]"):
        for i in range(page.locator(selector).count()):
            box = page.locator(selector).nth(i).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def test_layer_control_and_legend_are_folded_until_tapped(phone: Page) -> None:
    page = phone
    page.click(".st-locate-hide")  # the map, not the panel
    page.mouse.move(100, 600)  # a phone has no pointer resting over the controls
    layers_list = page.locator(".leaflet-control-layers-list")
    legend_rows = page.locator(".st-legend .st-legend-row")
    expect(layers_list).to_be_hidden()
    expect(page.locator(".leaflet-control-layers-toggle")).to_be_visible()
    expect(page.locator(".st-legend-head")).to_be_visible()
    expect(legend_rows.first).to_be_hidden()
    # folded, they take a corner, not a quarter of the map
    map_box = page.locator(".st-map").bounding_box()
    assert map_box is not None
    for selector in (".leaflet-control-layers", ".st-legend"):
        box = page.locator(selector).bounding_box()
        assert box is not None
        assert box["width"] * box["height"] < 0.03 * map_box["width"] * map_box["height"], selector

    page.locator(".leaflet-control-layers-toggle").click()
    page.mouse.move(100, 600)  # open by focus (a tap), not by hover
    expect(layers_list).to_be_visible()
    page.locator(".leaflet-control-layers-overlays label").first.click()  # stays open in use
    expect(layers_list).to_be_visible()
    page.locator(".st-legend-head").click()
    page.mouse.move(100, 600)
    expect(layers_list).to_be_hidden()
    expect(legend_rows.first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_phone_screenshot_for_the_readme(phone: Page, tmp_path: Path) -> None:
    """The README's phone screenshot, of a located call; ``SANDTABLE_WRITE_SCREENSHOT=1``
    writes it to docs/phone.png (else into the test's temporary directory)."""
    page = phone
    page.fill("#st-locate-text", "below Drolma La, we can see a green lake")
    page.click(".st-locate-run")
    page.wait_for_selector(".st-cand", timeout=20_000)
    shot = page.screenshot(type="png")
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    target = DOCS if os.environ.get("SANDTABLE_WRITE_SCREENSHOT") == "1" else tmp_path
    (target / "phone.png").write_bytes(shot)
