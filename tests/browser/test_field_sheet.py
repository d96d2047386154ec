"""The field sheet (``/field-sheet``) printed to PDF by Chromium: one A4 page with the map
and the leg list.

With ``SANDTABLE_SCREENSHOT_DIR`` set, the test also writes ``field-sheet.png`` there
(the README's screenshot: ``SANDTABLE_SCREENSHOT_DIR=docs .venv/bin/python -m pytest
tests/browser/test_field_sheet.py``).
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.browser.helpers import SignedIn

pytestmark = pytest.mark.browser

A4_PT = (595.3, 841.9)


def _incident_with_plan(page: Page, live_server: str, signed_in: SignedIn) -> tuple[int, dict]:
    headers = signed_in.headers()
    # a point on the descent east of Drölma La
    target = {"lon": 81.3745, "lat": 31.0932}
    segs = page.request.post(
        f"{live_server}/api/approach",
        headers=headers,
        data={"target": target, "needs": ["fracture"]},
    )
    assert segs.status == 200, segs.text()
    answer = segs.json()
    target = {"lon": answer["target"][0]["lon"], "lat": answer["target"][0]["lat"]}
    made = page.request.post(
        f"{live_server}/api/incidents",
        headers=headers,
        data={"description": "fell, right leg broken / 摔倒，右腿骨折", "location": target},
    )
    assert made.status == 201, made.text()
    incident = made.json()["incident"]
    plan = next(p for p in answer["plans"] if p["station_id"] == answer["recommended"])
    plan = {k: v for k, v in plan.items() if k != "alternatives"}
    saved = page.request.patch(
        f"{live_server}/api/incidents/{incident['incident_id']}",
        headers=headers,
        data={"base_version": incident["version"], "plan": plan},
    )
    assert saved.status == 200, saved.text()
    return int(incident["incident_id"]), plan


def test_the_field_sheet_prints_on_one_a4_page(
    page: Page, live_server: str, signed_in: SignedIn
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    number, plan = _incident_with_plan(page, live_server, signed_in)
    page.goto(f"{live_server}/field-sheet?incident={number}")
    page.wait_for_selector("body[data-sheet-ready=true]", timeout=20_000)
    assert page.locator(".st-sheet-legs tbody tr").first.is_visible()
    # the map is drawn: one path per approach leg and the evacuation's at least
    assert page.locator("#st-sheet-map path").count() > len(plan["legs"])
    # the elevation profile of the approach: from the saved plan's 3D legs
    profile = page.locator(".st-sheet-profile-approach svg")
    expect(profile).to_be_visible()
    points = sum(len(leg["geometry"]) for leg in plan["legs"])
    assert int(profile.get_attribute("data-points")) == points
    top = max(c[2] for leg in plan["legs"] for c in leg["geometry"])
    assert int(profile.get_attribute("data-max-elevation")) == round(top)
    expect(page.locator(".st-sheet-profile-evac svg")).to_be_visible()

    shots = os.environ.get("SANDTABLE_SCREENSHOT_DIR")
    if shots:
        page.set_viewport_size({"width": 820, "height": 1160})
        page.locator(".st-sheet").screenshot(path=str(Path(shots) / "field-sheet.png"), scale="css")

    page.emulate_media(media="print")
    expect(page.locator(".st-sheet-controls")).to_be_hidden()
    pdf = page.pdf(format="A4", print_background=True)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_PT, abs=1.0)
    text = reader.pages[0].extract_text()
    assert "Approach legs" in text and "Evacuation" in text and "Contacts" in text
    for leg in plan["legs"]:
        assert leg["to"].split(" (")[0][:20] in text.replace("\n", " ")
    assert "EPSG:32644" in text and "km" in text
    assert "Approach pro" in text  # ("profile": the PDF writes its "fi" as a ligature)
    assert "Print / 打印" not in text  # controls are not printed
    assert errors == []


def test_the_map_page_opens_the_sheet_of_the_plan_on_display(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    page.fill("#st-locate-text", "near Gaize teahouse")
    with page.expect_response("**/api/locate"):
        page.press("#st-locate-text", "Enter")
    with page.expect_response("**/api/approach"):
        page.click(".st-approach-run")
    page.locator(".st-approach-table tbody tr[data-station-id=darchen_police_station]").click()
    with page.context.expect_page() as opened:
        page.click(".st-field-sheet")
    sheet = opened.value
    sheet.wait_for_selector("body[data-sheet-ready=true]", timeout=20_000)
    expect(sheet.locator(".st-sheet-coords")).to_contain_text("Tarchen Border Police Station")
    sheet.close()
