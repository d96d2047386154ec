"""A find-me link in real browsers, on both database back ends.

The call taker records a call on the dispatch page and makes a find-me link (its QR code
and the message to send are shown). The caller's phone (a second browser context, phone
sized, with a faked geolocation granted) opens the link and sends its fix. Without a
reload the dispatch page lists the fix as place 1 and draws it on its map (pushed
event); picking it puts the fix on the incident as its location. A second fix through
the same link is refused, and the caller's page says so in both languages. Every
request of both browsers stays on this machine.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from rescue.incidents import IncidentStore
from tests.browser.conftest import serving
from tests.browser.helpers import APPS, sign_in_page

pytestmark = pytest.mark.browser

#: the caller, on the outer kora just before Drirapuk (WGS84 as a phone gives it)
FIX = {"latitude": 31.10101, "longitude": 81.30990, "accuracy": 18.0}
#: the fix reaching the other page: pushed, not waiting for the 10 s poll
PUSH_MS = 5_000


@pytest.fixture
def find_me_server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh app on each database back end, served on a loopback port."""
    from web import create_app

    app = create_app(
        {
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "DATABASE_URL": database_url,
            "EVENTS_MAX_STREAMS": 64,
        }
    )
    with serving(app, "http-find-me") as base:
        yield base


def _local_only(base: str, foreign: list[str]):  # noqa: ANN202 - a Playwright route handler
    def handle(route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https") and url.netloc != urlsplit(base).netloc:
            foreign.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    return handle


def test_a_find_me_link_puts_the_callers_gps_fix_on_the_incident(
    browser: Browser, find_me_server: str
) -> None:
    base = find_me_server
    foreign: list[str] = []
    errors: list[str] = []
    desk_context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation=FIX,
        permissions=["geolocation"],
    )
    try:
        desk: Page = desk_context.new_page()
        desk.route("**/*", _local_only(base, foreign))
        desk.on("pageerror", lambda e: errors.append(str(e)))
        sign_in_page(desk, base, "call_taker")
        desk.goto(base + "/incidents")
        desk.wait_for_selector("body[data-incidents-ready=true]", timeout=30_000)
        desk.wait_for_selector("body[data-live=push]", timeout=30_000)
        expect(desk.locator(".st-inc-findme-step")).to_be_hidden()
        desk.locator(".st-inc-description").fill("lost in the fog, cannot see any landmark")
        desk.keyboard.press("Control+Enter")
        expect(desk.locator(".st-inc-current")).to_be_visible(timeout=20_000)
        expect(desk.locator(".st-inc-candidates-step")).to_be_visible(timeout=20_000)
        number = int(desk.locator(".st-inc-current").inner_text().split("·")[0].strip()[1:])

        with desk.expect_response(f"**/api/incidents/{number}/find-me") as made:
            desk.click(".st-inc-findme")
        assert made.value.status == 201
        box = desk.locator(".st-inc-findme-step .st-inc-findme-box")
        url = box.locator(".st-inc-findme-url").inner_text()
        assert url.startswith(base + "/f/")
        assert url in box.locator(".st-inc-findme-text").input_value()
        qr = box.locator("img.st-inc-findme-qr")
        expect(qr).to_be_visible()
        assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
        expect(desk.locator(".st-inc-candidate-gps")).to_have_count(0)

        # the caller's phone opens the link and sends its fix
        caller = phone.new_page()
        caller.route("**/*", _local_only(base, foreign))
        caller.on("pageerror", lambda e: errors.append(str(e)))
        caller.goto(url)
        expect(caller.locator(".st-fm-send")).to_contain_text("发送我的位置")
        expect(caller.locator(".st-fm-send")).to_contain_text("Send my location")
        assert caller.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
        with caller.expect_response("**/api/find-me/**") as sent:
            caller.click(".st-fm-send")
        assert sent.value.status == 200, sent.value.text()
        expect(caller.locator("body[data-sent=true]")).to_be_attached()
        expect(caller.locator(".st-fm-state")).to_contain_text("救援中心")

        # the dispatch page: the fix is place 1 and on the map, without a reload
        gps = desk.locator(".st-inc-candidate-gps")
        expect(gps).to_be_visible(timeout=PUSH_MS)
        expect(gps).to_contain_text("±18 m")
        assert desk.locator(".st-inc-candidate").first.get_attribute("class").find("gps") >= 0
        fix_dot = desk.locator(f"path.st-inc-fix[data-incident-id='{number}']")
        expect(fix_dot).to_be_attached(timeout=PUSH_MS)
        expect(desk.locator(".st-inc-fix-label")).to_contain_text(f"#{number}")

        # picking it makes the fix the incident's location; planning goes from there
        desk.locator(".st-inc-candidates-step").focus()
        desk.keyboard.press("1")
        expect(desk.locator(".st-inc-candidate-gps.st-inc-chosen")).to_be_visible()
        routes = APPS[base].extensions["sandtable"].store
        incident = IncidentStore(routes.reader, routes.writer).get(number)
        assert incident["status"] == "located"
        assert incident["location"] == {"lon": FIX["longitude"], "lat": FIX["latitude"]}
        (link,) = incident["find_me"]
        assert link["fix"]["accuracy_m"] == pytest.approx(18.0)
        with desk.expect_response("**/api/approach") as planned:
            desk.keyboard.press("p")
        assert planned.value.status == 200
        expect(desk.locator(".st-inc-plans li").first).to_be_visible()

        # the link is spent: the page says so in both languages, a second post is refused
        caller.reload()
        expect(caller.locator(".st-fm-final")).to_contain_text("已发送过位置")
        expect(caller.locator(".st-fm-final")).to_contain_text("already sent a position")
        again = caller.request.post(
            base + "/api/find-me/" + url.rsplit("/", 1)[-1],
            data={"lat": 31.2, "lon": 81.3, "accuracy_m": 5},
        )
        assert again.status == 409
        assert "已发送过" in again.json()["error"]["message"]
        assert foreign == [], f"requests to other hosts: {foreign}"
        assert errors == [], errors
    finally:
        phone.close()
        desk_context.close()
