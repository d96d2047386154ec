"""The "Plan approach" button of the locate panel, and closures on the map, in a real browser."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import SignedIn

pytestmark = pytest.mark.browser

PANEL = "#st-locate"
ROWS = ".st-approach-table tbody tr"
LEGS = ".leaflet-stApproach-pane path.st-leg"
CLOSURE_PATHS = ".leaflet-stApproach-pane path.st-closure"


@pytest.fixture
def closure(page: Page, live_server: str, signed_in: SignedIn) -> Iterator[str]:
    """A landslide closing the east track, lifted after the test."""
    response = page.request.post(
        f"{live_server}/api/closures",
        headers=signed_in.headers(),
        data={
            "segment_ids": ["road:phakna_zutulpuk_track"],
            "reason": "landslide",
            "modes": "all",
            "severity": "closed",
            "note": "<b>rockfall</b>",
        },
    )
    assert response.status == 201, response.text()
    closure_id = response.json()["closure_id"]
    yield closure_id
    lifted = page.request.delete(
        f"{live_server}/api/closures/{closure_id}", headers=signed_in.headers()
    )
    assert lifted.status == 204


def test_plan_approach_ranks_stations_and_draws_the_plan(
    page: Page, live_server: str, closure: str
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    approach = page.locator(f"{PANEL} .st-approach")
    expect(approach).to_be_hidden()

    # the closure, in red dashes, with its reason and note in the tooltip (as text)
    expect(page.locator(CLOSURE_PATHS).first).to_be_attached(timeout=10_000)
    tips = page.evaluate(
        """() => { const out = [];
                   window.sandtableLayers.closures.eachLayer(
                     l => out.push(l.stTooltip().textContent));
                   return out; }"""
    )
    assert tips and "landslide" in tips[0] and "<b>rockfall</b>" in tips[0], tips

    page.fill("#st-locate-text", "below Drolma La, we can see a green lake")
    with page.expect_response("**/api/locate"):
        page.press("#st-locate-text", "Enter")
    expect(approach).to_be_visible(timeout=20_000)

    with page.expect_response("**/api/approach") as answer:
        page.click(".st-approach-run")
    assert answer.value.status == 200
    body = answer.value.json()
    assert all(p["closures_applied"] == [closure] for p in body["plans"])
    expect(page.locator(ROWS).first).to_be_visible(timeout=20_000)

    rows = page.locator(ROWS)
    assert rows.count() == len(body["plans"]) > 3
    etas = page.eval_on_selector_all(
        f"{ROWS}:not(.st-unreachable) .st-approach-eta", "cells => cells.map(c => c.textContent)"
    )
    assert all(re.fullmatch(r"\d+:\d\d", eta) for eta in etas), etas
    minutes = [int(h) * 60 + int(m) for h, m in (eta.split(":") for eta in etas)]
    assert minutes == sorted(minutes)
    recommended = page.locator(f"{ROWS}.st-recommended")
    assert recommended.count() == 1
    assert recommended.get_attribute("data-station-id") == body["recommended"]
    assert recommended.evaluate("row => row.classList.contains('st-selected')")
    assert page.inner_text(".st-approach-reason").startswith("fastest:")

    # the recommended plan's legs on the map, one path per leg, classed by mode
    best = next(p for p in body["plans"] if p["station_id"] == body["recommended"])
    assert page.locator(LEGS).count() == len(best["legs"])
    for leg in best["legs"]:
        assert page.locator(f"{LEGS}.st-leg-{leg['mode']}").count() >= 1

    # another row draws that station's plan
    police = page.locator(f"{ROWS}[data-station-id=darchen_police_station]")
    police.click()
    expect(page.locator(f"{LEGS}.st-leg-vehicle")).not_to_have_count(0)
    assert police.evaluate("row => row.classList.contains('st-selected')")
    # the closure costs the police time: the panel says how much and which way instead
    police_plan = next(p for p in body["plans"] if p["station_id"] == "darchen_police_station")
    messages = [e["message"] for e in police_plan["closure_effects"]]
    assert messages and "closed by a landslide since" in messages[0]
    effects = page.locator(".st-approach-effects li")
    expect(effects).to_have_count(len(messages))
    assert effects.all_inner_texts() == messages

    # a new description takes the old plan away
    page.click(".st-locate-clear")
    expect(approach).to_be_hidden()
    assert page.locator(LEGS).count() == 0
    assert errors == []
