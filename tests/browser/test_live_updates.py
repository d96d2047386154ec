"""Pushed updates in a real browser, across two real servers on one database.

A page of the second server (the map, the dispatch page) is open; a closure and an
incident are made through the first server: each appears on the open page within 2 s,
without a reload and without waiting for a poll (the fallback polls every 30 s on the
map, 10 s on the dispatch page).
"""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.live import LiveSession, serve_process, stop
from tests.web.test_workers import EAST_TRACK, PASSWORD, make_users

CLOSURE_PATHS = ".leaflet-stApproach-pane path.st-closure"
PUSH_MS = 2000


def sign_in(page: Page, base: str, username: str, then: str) -> None:
    page.goto(f"{base}/login?next={then}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click(".st-login-submit")


def test_a_change_on_one_server_appears_on_the_others_open_pages(
    page: Page, database_url: str, tmp_path: Path
) -> None:
    make_users(database_url, ("tashi", "officer"), ("dolma", "officer"))
    one, base_one = serve_process(tmp_path / "one", database_url, args=("--workers", "2"))
    other = None
    try:
        other, base_other = serve_process(tmp_path / "two", database_url, args=("--workers", "2"))
        desk = LiveSession(base_one, "tashi", PASSWORD)

        sign_in(page, base_other, "dolma", "/")
        page.wait_for_selector("body[data-live=push]", timeout=30_000)
        expect(page.locator(CLOSURE_PATHS)).to_have_count(0)
        status, closure = desk.send(
            "POST",
            "/api/closures",
            {
                "segment_ids": [EAST_TRACK],
                "reason": "landslide",
                "modes": "all",
                "severity": "closed",
            },
        )
        assert status == 201, closure
        sent = time.monotonic()
        expect(page.locator(CLOSURE_PATHS).first).to_be_attached(timeout=PUSH_MS)
        assert time.monotonic() - sent <= PUSH_S_SLACK

        dispatch = page.context.new_page()
        dispatch.goto(f"{base_other}/incidents")
        dispatch.wait_for_selector("body[data-incidents-ready=true]", timeout=30_000)
        dispatch.wait_for_selector("body[data-live=push]", timeout=30_000)
        status, created = desk.send(
            "POST", "/api/incidents", {"description": "pilgrim collapsed at Shiva Tsal"}
        )
        assert status == 201, created
        incident_id = created["incident"]["incident_id"]
        item = dispatch.locator(f".st-inc-item[data-incident-id='{incident_id}']")
        expect(item).to_be_attached(timeout=PUSH_MS)

        status, _ = desk.send("DELETE", f"/api/closures/{closure['closure_id']}")
        assert status == 204
        expect(page.locator(CLOSURE_PATHS)).to_have_count(0, timeout=PUSH_MS)
    finally:
        stop(one)
        if other is not None:
            stop(other)


#: the 2 s of the expectation plus the time playwright takes to look
PUSH_S_SLACK = PUSH_MS / 1000 + 0.5
