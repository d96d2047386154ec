"""Signing in and out in a real browser: the log-in page, the redirect back, the header."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import PASSWORD, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def anonymous(browser: Browser) -> Iterator[Page]:
    """A page of its own, not signed in (the ``page`` fixture is signed in)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_page_asks_for_sign_in_then_comes_back(anonymous: Page, live_server: str) -> None:
    page = anonymous
    name = make_user(live_server, "officer")
    page.goto(live_server + "/")
    assert page.url.startswith(f"{live_server}/login?next=")
    # a wrong password is refused on the page, which keeps the username
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", "not the password")
    with page.expect_navigation():
        page.click(".st-login-submit")
    expect(page.locator(".st-login-error")).to_contain_text("wrong username or password")
    expect(page.locator("input[name=username]")).to_have_value(name)
    # the right one leads back to the map, which names the user
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click(".st-login-submit")
    assert page.url == f"{live_server}/"
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    expect(page.locator(".st-user-name")).to_have_text(name)
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    # the page's own requests carry the token: lifting an unknown closure is a 404, not a 403
    # (getJson of the page's own dom.js module: the same instance its panels import)
    answer = page.evaluate(
        """() => import(new URL("static/dom.js", location.href).href)
                 .then(dom => dom.getJson("api/closures/none", {method: "DELETE"}))
                 .then(r => r.status)"""
    )
    assert answer == 404
    # signing out leads to the log-in page, and the map asks for sign-in again
    with page.expect_navigation():
        page.click(".st-user .st-logout")
    assert page.url.startswith(f"{live_server}/login")
    page.goto(live_server + "/")
    assert page.url.startswith(f"{live_server}/login?next=")


def test_an_officer_is_refused_the_planner_page(anonymous: Page, live_server: str) -> None:
    page = anonymous
    name = make_user(live_server, "officer")
    page.goto(live_server + "/login?next=/planner")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation() as navigation:
        page.click(".st-login-submit")
    response = navigation.value
    assert response is not None and response.status == 403
