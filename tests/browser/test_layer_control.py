"""The map's layer control on a desktop, a tablet and a phone: folded to its button until
hovered or tapped, then a list that fits the map (scrolling) and never covers the Locate form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import sign_in_page

pytestmark = pytest.mark.browser

SIZES = {"desktop": (1440, 900), "tablet": (768, 1024), "phone": (390, 844)}

#: is the element under the middle of ``s`` (the Locate form's parts) ``s`` itself?
UNCOVERED = """(s) => { const el = document.querySelector(s); const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit === el || el.contains(hit); }"""
LOCATE_FORM = ("#st-locate-text", ".st-locate-run")


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def sized(browser: Browser, live_server: str, request: pytest.FixtureRequest) -> Iterator[Page]:
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    try:
        page = context.new_page()
        sign_in_page(page, live_server)
        page.goto(live_server + "/")
        page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
        page.wait_for_selector("body[data-relief]", timeout=20_000)  # its note is in the list
        yield page
    finally:
        context.close()


def _uncovered(page: Page) -> None:
    for selector in LOCATE_FORM:
        page.locator(selector).scroll_into_view_if_needed()
        assert page.evaluate(UNCOVERED, selector), selector


def test_the_layer_control_is_folded_fits_the_map_and_covers_no_form(sized: Page) -> None:
    page = sized
    page.mouse.move(1, 1)  # the pointer rests on the header, not over a control
    control = page.locator(".leaflet-control-layers")
    rows = page.locator(".leaflet-control-layers-list")
    toggle = page.locator(".leaflet-control-layers-toggle")
    expect(rows).to_be_hidden()
    expect(toggle).to_be_visible()
    map_box = page.locator(".st-map").bounding_box()
    box = control.bounding_box()
    assert map_box is not None and box is not None
    # folded, it takes a corner: under 2 % of the map (open, the list took a quarter of it)
    assert box["width"] * box["height"] < 0.02 * map_box["width"] * map_box["height"], box
    _uncovered(page)

    phone = page.viewport_size is not None and page.viewport_size["width"] < 760
    if phone:  # the Locate panel lies over the map (and its controls): fold it to reach them
        page.click(".st-locate-hide")
    toggle.click()  # a tap or a click opens it (focus), however the pointer moves after
    page.mouse.move(1, 1)
    expect(rows).to_be_visible()
    listed = rows.bounding_box()
    assert listed is not None
    # the open list stays inside the map, scrolling what does not fit
    assert listed["y"] >= map_box["y"] - 1, (listed, map_box)
    assert listed["y"] + listed["height"] <= map_box["y"] + map_box["height"] + 1, (listed, map_box)
    assert listed["x"] >= map_box["x"] - 1, (listed, map_box)
    assert page.evaluate(
        """() => { const l = document.querySelector(".leaflet-control-layers-list");
                   return l.scrollHeight <= l.clientHeight + 1
                     || getComputedStyle(l).overflowY === "auto"; }"""
    )
    last = page.locator(".leaflet-control-layers-overlays label").last
    last.scroll_into_view_if_needed()
    expect(last).to_be_in_viewport()
    if phone:
        page.click(".st-locate-toggle")
        toggle.focus()  # still open, under the panel
        expect(rows).to_be_visible()
    _uncovered(page)  # open, it still leaves the Locate form alone

    if phone:
        page.click(".st-locate-hide")
        toggle.click()
    page.locator(".leaflet-control-layers-overlays label").first.click()  # stays open in use
    expect(rows).to_be_visible()
    page.mouse.move(1, 1)
    if phone:
        page.click(".st-locate-toggle")
    page.locator("#st-locate-text").focus()  # back to the form: it folds again
    expect(rows).to_be_hidden()
