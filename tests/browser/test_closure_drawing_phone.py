"""An officer draws a closed area on a phone: taps add corners, "Finish / 完成" closes it.

The closure control's area mode is drawn by hand (``web/static/closures.js``), not by a
drawing plugin; this is the check that it serves a touch screen at phone size as it serves a
mouse: taps are corners, a tap never opens a trail's popup, the map does not zoom, and the
polygon stored is the one tapped.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import SignedIn
from tests.browser.test_closure_editing import (
    CLOSURE_PATHS,
    CONTROL,
    FORM,
    Session,
    choose,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A phone: 390 x 844 CSS pixels, touch, mobile viewport."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
    )
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def session(page: Page, server: str, signed_in: SignedIn) -> Iterator[Session]:
    s = Session(page, server, signed_in)
    yield s
    assert s.foreign == [], f"the page requested other hosts: {s.foreign}"
    assert s.errors == [], s.errors


def test_taps_draw_a_closed_area_on_a_phone(session: Session) -> None:
    page = session.page
    # on a phone the locate panel opens over the map: the officer folds it away first
    page.locator(".st-locate-toggle").tap()
    area_button = page.locator(f"{CONTROL} .st-cl-mode-area")
    expect(area_button).to_be_visible()
    area_button.tap()
    expect(page.locator(f"{CONTROL} .st-cl-draw-actions")).to_be_visible()
    session.settle()
    # the control stays open over the top of the map while drawing: tap below it
    box = page.locator(CONTROL).bounding_box()
    assert box is not None
    top = box["y"] + box["height"] + 80
    corners = [(100, top), (290, top), (290, top + 180), (100, top + 180)]
    zoom = page.evaluate("window.sandtableMap.getZoom()")
    for i, (cx, cy) in enumerate(corners, start=1):
        page.touchscreen.tap(cx, cy)
        expect(page.locator(".leaflet-stClosureDraw-pane path.st-cl-corner")).to_have_count(i)
        page.wait_for_timeout(350)  # taps far apart in time, as a finger makes them
    assert page.locator(".leaflet-popup").count() == 0
    finish = page.locator(f"{CONTROL} .st-cl-finish")
    expect(finish).to_be_enabled()
    finish.tap()
    expect(page.locator(FORM)).to_be_visible()
    expect(page.locator(f"{FORM} .st-cl-target")).to_contain_text("4 corners")
    assert page.evaluate("window.sandtableMap.getZoom()") == zoom, "a tap zoomed the map"

    choose(page, "st-cl-reason", "snow")
    page.fill(f"{FORM} .st-cl-until", "2099-08-01T18:00")
    answer = session.submit()
    assert answer.status == 201, answer.text()
    (stored,) = session.closures()
    assert stored["geometry"]["type"] == "Polygon"
    (ring,) = stored["geometry"]["coordinates"]
    assert len(ring) == 5 and ring[0] == ring[-1]
    expect(page.locator(CLOSURE_PATHS)).to_have_count(1, timeout=10_000)
