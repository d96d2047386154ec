"""The pages work under their Content-Security-Policy, and no other site can frame them.

Chromium reports every blocked script, style, image or request as a
``securitypolicyviolation`` event: the pages are opened with a listener recording
them, used a little (the map drawn, the panels built), and must have none.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

_RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""

#: each page and an element its own scripts build (so they ran)
PAGES = {
    "/": ".leaflet-container .leaflet-interactive",
    "/planner": ".leaflet-container",
    "/incidents": ".leaflet-container",
    "/reports": ".leaflet-container",
    "/field-sheet": "body",  # with nothing to print it says so; its frame script still runs
}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_the_pages_run_without_a_policy_violation(page: Page, live_server: str, path: str) -> None:
    page.add_init_script(_RECORD)
    response = page.goto(f"{live_server}{path}")
    assert response is not None and response.status == 200
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    expect(page.locator(PAGES[path]).first).to_be_attached(timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__csp") == []


def test_an_injected_inline_script_does_not_run(page: Page, live_server: str) -> None:
    """What the policy is for: a script without the answer's nonce is refused."""
    page.add_init_script(_RECORD)
    page.goto(f"{live_server}/")
    page.evaluate(
        """() => {
          const s = document.createElement("script");
          s.textContent = "window.__ran = 1";
          document.body.appendChild(s);
        }"""
    )
    assert page.evaluate("window.__ran") is None
    assert any(v.startswith("script-src") for v in page.evaluate("window.__csp"))


def test_another_site_cannot_frame_the_app(page: Page, live_server: str) -> None:
    page.set_content(f'<iframe src="{live_server}/login" width="600" height="400"></iframe>')
    page.wait_for_timeout(1000)
    frames = [f for f in page.frames if f != page.main_frame]
    assert frames
    assert frames[0].locator(".st-login-form").count() == 0
