"""Phone and tablet sizes: no sideways scrolling, the primary action on screen and tappable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.helpers import sign_in_page

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}

#: page -> (the attribute its script sets when ready, the primary action, the map)
PAGES = {
    "/": ("data-map-ready", ".st-locate-run", ".st-map"),
    "/incidents": ("data-incidents-ready", ".st-inc-create", ".st-map"),
    "/reports": ("data-reports-ready", ".st-rep-show", ".st-rep-heat"),
    "/planner": ("data-planner-ready", ".st-pl-upload", ".st-map"),
}

#: where the element is, and whether it is the one under its own centre (not covered)
TARGET = """(selector) => {
  const el = document.querySelector(selector);
  const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width,
          height: r.height, uncovered: !!hit && (hit === el || el.contains(hit))};
}"""

#: elements sticking out of the viewport's width (the culprits when the page scrolls sideways)
WIDER = """() => [...document.querySelectorAll("body *")]
  .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > innerWidth + 0.5)
  .filter((e) => !e.closest(".leaflet-pane, .leaflet-control-container"))
  .slice(0, 5).map((e) => e.tagName + "." + e.className)"""


@pytest.fixture
def sized(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=request.param, locale="en-US")
    try:
        yield context.new_page()
    finally:
        context.close()


def assert_on_screen_and_tappable(page: Page, selector: str) -> dict[str, Any]:
    box: dict[str, Any] = page.evaluate(TARGET, selector)
    size = page.viewport_size
    assert size is not None
    assert box["left"] >= 0 and box["right"] <= size["width"], (selector, box)
    assert box["top"] >= 0 and box["bottom"] <= size["height"], (selector, box)
    assert box["height"] >= 44 and box["width"] >= 44, (selector, box)
    assert box["uncovered"], (selector, box)
    return box


@pytest.mark.parametrize("sized", [PHONE, TABLET], ids=["phone", "tablet"], indirect=True)
@pytest.mark.parametrize("path", list(PAGES))
def test_page_fits_and_its_primary_action_is_tappable(
    sized: Page, live_server: str, path: str
) -> None:
    page = sized
    sign_in_page(page, live_server)
    ready, primary, map_selector = PAGES[path]
    page.goto(live_server + path)
    page.wait_for_selector(f"body[{ready}=true]", timeout=20_000)
    page.evaluate("document.fonts.ready.then(() => true)")

    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), page.evaluate(WIDER)
    assert page.evaluate("document.body.scrollWidth <= innerWidth"), page.evaluate(WIDER)
    assert_on_screen_and_tappable(page, primary)
    # the header's controls are all on screen: the other pages, sign-out, the language switch
    for selector in (".st-nav-link", ".st-logout", "[data-set-lang=en]", "[data-set-lang=zh]"):
        for i in range(page.locator(selector).count()):
            box = page.locator(selector).nth(i).bounding_box()
            assert (
                box is not None
                and 0 <= box["x"]
                and box["x"] + box["width"] <= page.evaluate("innerWidth")
            ), (selector, box)
    # and the map is there, wide as the screen allows
    map_box = page.locator(map_selector).bounding_box()
    assert map_box is not None and map_box["width"] >= 300 and map_box["height"] >= 300


@pytest.mark.parametrize("sized", [PHONE], ids=["phone"], indirect=True)
def test_dispatch_in_chinese_on_a_phone_fits(sized: Page, live_server: str) -> None:
    page = sized
    sign_in_page(page, live_server)
    page.goto(live_server + "/incidents")
    page.wait_for_selector("body[data-incidents-ready=true]", timeout=20_000)
    page.click("[data-set-lang=zh]")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), page.evaluate(WIDER)
    assert_on_screen_and_tappable(page, ".st-inc-create")
