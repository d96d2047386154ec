"""Closures you can see and trust, on the map page: a hatched style with its legend entry,
the list of closures in force with a confirmed lift, and a warning when a closure covers
the caller."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import SignedIn

pytestmark = pytest.mark.browser

#: the Gaize teahouse supply point, where "near Gaize teahouse" locates the caller
TEAHOUSE = (81.373623, 31.008117)


@pytest.fixture
def area_over_the_caller(page: Page, live_server: str, signed_in: SignedIn) -> Iterator[str]:
    lon, lat = TEAHOUSE
    d = 0.01
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    response = page.request.post(
        f"{live_server}/api/closures",
        headers=signed_in.headers(),
        data={
            "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            "reason": "flood",
            "modes": "all",
            "severity": "closed",
            "note": "river over the path",
        },
    )
    assert response.status == 201, response.text()
    closure_id = response.json()["closure_id"]
    yield closure_id
    page.request.delete(f"{live_server}/api/closures/{closure_id}", headers=signed_in.headers())


def test_closures_are_hatched_listed_warned_and_lifted_with_confirmation(
    page: Page, live_server: str, area_over_the_caller: str
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)

    # hatched, with a legend entry; not the outer kora's red
    area = page.locator(".leaflet-stApproach-pane path.st-closure-area")
    expect(area).to_have_count(1, timeout=10_000)
    fill = area.evaluate("p => getComputedStyle(p).fill")
    assert "st-hatch" in fill, fill
    assert area.get_attribute("stroke") == "#c2185b"
    expect(page.locator(".st-legend .st-legend-closure")).to_contain_text("Closure")

    # listed with reason, note and author
    item = page.locator(f'.st-closure-list li[data-closure-id="{area_over_the_caller}"]')
    expect(item).to_contain_text("flood")
    expect(item).to_contain_text("river over the path")
    expect(item).to_contain_text("Set by")

    # a plan for a caller inside it: the warning comes first
    page.fill("#st-locate-text", "near Gaize teahouse")
    with page.expect_response("**/api/locate"):
        page.press("#st-locate-text", "Enter")
    with page.expect_response("**/api/approach") as answer:
        page.click(".st-approach-run")
    assert answer.value.json()["warnings"][0]["closure_id"] == area_over_the_caller
    first = page.locator(".st-approach-effects li").first
    expect(first).to_have_class("st-approach-warning")
    expect(first).to_contain_text("covers the caller")

    # lifting asks: declined, it stays; confirmed, it goes and the plan is made again
    dialogs: list[str] = []

    def decline(dialog):  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    item.locator(".st-closure-list-lift").click()
    assert dialogs and "Lift this closure" in dialogs[0]
    expect(item).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response("**/api/approach") as again:
        item.locator(".st-closure-list-lift").click()
    assert again.value.json()["warnings"] == []
    expect(item).to_have_count(0)
    expect(page.locator(".st-approach-warning")).to_have_count(0)
    assert errors == []
