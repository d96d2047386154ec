"""Dispatch basics in a real browser: a call located on the map page recorded as an incident
and continued on the dispatch page; team statuses shown and a warning before committing a
busy team; the map page's plan table shows who is busy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import SignedIn

pytestmark = pytest.mark.browser

POLICE = "darchen_police_station"


def test_record_as_incident_then_dispatch_a_busy_team_with_a_warning(
    page: Page, live_server: str, signed_in: SignedIn
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    headers = signed_in.headers()
    # the police team is busy with another open incident
    other = page.request.post(
        f"{live_server}/api/incidents", headers=headers, data={"description": "earlier call"}
    ).json()["incident"]
    busy = page.request.put(
        f"{live_server}/api/teams/{POLICE}",
        headers=headers,
        data={"status": "committed", "incident_id": other["incident_id"], "force": True},
    )
    assert busy.status == 200, busy.text()

    # the map page: locate, plan, the table says the police are busy; record the call
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    page.fill("#st-locate-text", "near Gaize teahouse")
    with page.expect_response("**/api/locate"):
        page.press("#st-locate-text", "Enter")
    with page.expect_response("**/api/approach"):
        page.click(".st-approach-run")
    police_row = page.locator(f".st-approach-table tr[data-station-id={POLICE}]")
    expect(police_row.locator(".st-team-badge")).to_contain_text(f"#{other['incident_id']}")
    with page.expect_response("**/api/incidents") as made:
        page.click(".st-approach-incident")
    assert made.value.status == 201
    number = made.value.json()["incident"]["incident_id"]
    assert made.value.json()["incident"]["location"]["segment_id"]
    page.click(".st-approach-incident-link")

    # the dispatch page continues the call: plan, pick the police, dispatch with a warning
    page.wait_for_selector("body[data-incidents-ready=true]", timeout=20_000)
    expect(page.locator(".st-inc-current")).to_contain_text(str(number))
    expect(page.locator(f".st-teams-list li[data-station-id={POLICE}]")).to_have_attribute(
        "data-team-status", "committed"
    )
    with page.expect_response("**/api/approach"):
        page.keyboard.press("p")
    station = page.locator(f".st-inc-plans li[data-station-id={POLICE}]")
    expect(station.locator(".st-team-badge")).to_be_visible()
    station.locator("button").click()
    dialogs: list[str] = []

    def decline(dialog):  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    page.keyboard.press("d")
    expect(page.locator(".st-inc-message")).to_contain_text("busy")
    assert dialogs and f"#{other['incident_id']}" in dialogs[0]

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(f"**/api/teams/{POLICE}") as committed:
        page.keyboard.press("d")
    assert committed.value.status == 200
    assert committed.value.json()["team"]["incident_id"] == number
    expect(page.locator(f".st-teams-list li[data-station-id={POLICE}]")).to_contain_text(
        f"#{number}"
    )
    assert errors == []
    # the live server is shared by the session: leave the team available
    freed = page.request.put(
        f"{live_server}/api/teams/{POLICE}", headers=headers, data={"status": "available"}
    )
    assert freed.status == 200
