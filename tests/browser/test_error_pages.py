"""Error pages in a real browser: the app's look, the stored language, a way back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import sign_in_page

pytestmark = pytest.mark.browser


def test_403_page_in_the_stored_language_with_a_way_back(
    browser: Browser, live_server: str
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    try:
        page = context.new_page()
        sign_in_page(page, live_server, "call_taker")
        page.evaluate("localStorage.setItem('sandtable.lang', 'zh')")
        response = page.goto(live_server + "/planner")
        assert response is not None and response.status == 403
        expect(page.locator("body")).to_have_class(re.compile(r"\blang-zh\b"))
        expect(page.locator(".st-err-title [lang=zh-Hans]")).to_have_text("无权访问")
        expect(page.locator(".st-err-title [lang=en]")).to_be_hidden()
        # the app's look: its bar and card, its fonts (not the browser's default page)
        bar = page.locator(".st-bar").evaluate("e => getComputedStyle(e).backgroundColor")
        assert bar == "rgb(47, 42, 36)"
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        # the switch changes the language and keeps it
        page.click("[data-set-lang=en]")
        expect(page.locator(".st-err-title [lang=en]")).to_have_text("Not allowed")
        assert page.evaluate("localStorage.getItem('sandtable.lang')") == "en"
        # a way back: the first link is the map, a call taker's page
        first = page.locator(".st-err-link").first
        box = first.bounding_box()
        assert box is not None and box["height"] >= 44
        first.click()
        page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
        assert page.url == live_server + "/"
    finally:
        context.close()


def test_404_page_signed_out_offers_sign_in(page: Page, live_server: str) -> None:
    page.context.clear_cookies()
    response = page.goto(live_server + "/no-such-page")
    assert response is not None and response.status == 404
    expect(page.locator(".st-err-code")).to_have_text("404")
    expect(page.locator(".st-err-title [lang=en]")).to_have_text("Page not found")
    page.click(".st-err-link")
    expect(page.locator(".st-login-submit")).to_be_visible()
