"""The written leg list with its time ranges, and what the closures do to the plan on display,
on top of the plan panel (map page), in a real browser.

Each leg shows its p10-p90 time from the answer. A closure set beside the plan's way (not
on it) re-plans the page (pushed) and is a warning that it does not touch the plan; a
closure on the way says what it costs, at the top of the panel, in both languages.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from shapely.geometry import LineString

from tests.browser.helpers import SignedIn

pytestmark = pytest.mark.browser

EFFECTS = ".st-approach .st-approach-effects"


def hmm(seconds: float) -> str:
    """As approach.js writes a time: h:mm."""
    minutes = round(seconds / 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _segments_around(legs: list[dict]) -> tuple[str, str]:
    """A trail segment the plan walks along the longest (away from the caller), and the
    nearest segment within 800 m that it does not walk (a road beside the trail counts)."""
    from geodata import load_region
    from routes import build_network

    net = build_network(load_region("kailash"))
    coords = [net.to_metric.transform(c[0], c[1]) for leg in legs for c in leg["geometry"]]
    way = LineString(coords)
    caller = way.interpolate(1.0, normalized=True)
    band = way.buffer(10.0)
    distance: dict[str, float] = {}
    along: dict[str, float] = {}
    for _u, _v, d in net.graph.edges(data=True):
        sid = d.get("segment_id")
        if not sid:
            continue
        line = LineString([c[:2] for c in d["geometry"].coords])
        if line.distance(caller) < 30:
            continue  # the caller's own stretch: closing it is the other warning
        distance[sid] = min(distance.get(sid, 1e12), way.distance(line))
        along[sid] = max(along.get(sid, 0.0), line.intersection(band).length)
    walked = {s for s in along if along[s] >= 15.0 and not s.startswith("road:")}
    on = max(walked, key=lambda s: along[s])
    beside = min((s for s in distance if s not in walked), key=lambda s: distance[s])
    assert distance[beside] < 800
    return on, beside


def test_leg_ranges_and_closure_notes_on_top_of_the_plan(
    page: Page, server: str, signed_in: SignedIn
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    page.wait_for_selector("body[data-live=push]", timeout=20_000)
    page.fill("#st-locate-text", "near Gaize teahouse")
    with page.expect_response("**/api/locate"):
        page.press("#st-locate-text", "Enter")
    expect(page.locator("#st-locate .st-approach")).to_be_visible(timeout=20_000)
    page.select_option(".st-approach-need", "fracture")  # a medical team from afar
    with page.expect_response("**/api/approach") as answer:
        page.click(".st-approach-run")
    body = answer.value.json()
    best = next(p for p in body["plans"] if p["station_id"] == body["recommended"])

    # the written legs with their 80 % time ranges, as the answer gives them
    legs = page.locator(".st-plan-detail .st-legs > li")
    expect(legs).to_have_count(len(best["legs"]))
    for item, leg in zip(legs.all(), best["legs"], strict=True):
        r = leg["duration_range_s"]
        assert r["p10"] <= leg["duration_s"] <= r["p90"]
        if round(r["p90"] / 60) > round(r["p10"] / 60):
            expect(item.locator(".st-leg-range")).to_have_text(
                f" ({hmm(r['p10'])}–{hmm(r['p90'])})"
            )
    assert any(leg["mode"] == "foot" for leg in best["legs"])
    expect(page.locator(".st-legs .st-leg-range").first).to_be_visible()

    on, beside = _segments_around(best["legs"])
    headers = signed_in.headers()

    # a closure beside the way: the page re-plans (pushed), the plan is the same, and says so
    with page.expect_response("**/api/approach") as replanned:
        made = page.request.post(
            f"{server}/api/closures",
            headers=headers,
            data={"segment_ids": [beside], "reason": "snow", "modes": "all", "severity": "closed"},
        )
        assert made.status == 201, made.text()
    beside_id = made.json()["closure_id"]
    again = next(
        p for p in replanned.value.json()["plans"] if p["station_id"] == best["station_id"]
    )
    assert again["eta_s"] == best["eta_s"]
    assert beside_id in [u["closure_id"] for u in again["closures_untouched"]]
    warning = page.locator(f'{EFFECTS} li.st-approach-untouched[data-closure-id="{beside_id}"]')
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning).to_contain_text("does not touch this plan")
    expect(warning.locator("[lang=zh-Hans]")).to_contain_text("未触及此方案")  # (hidden in English)

    # a closure on the way: what it costs, on top of the panel (above the recommendation)
    with page.expect_response("**/api/approach") as replanned:
        made = page.request.post(
            f"{server}/api/closures",
            headers=headers,
            data={"segment_ids": [on], "reason": "landslide", "modes": "all", "severity": "closed"},
        )
        assert made.status == 201, made.text()
    on_id = made.json()["closure_id"]
    shown = next(
        p for p in replanned.value.json()["plans"] if p["station_id"] == body["recommended"]
    )
    effect = next(e for e in shown["closure_effects"] if e["closure_id"] == on_id)
    cost = page.locator(f'{EFFECTS} li.st-approach-effect[data-closure-id="{on_id}"]')
    expect(cost).to_be_visible(timeout=10_000)
    expect(cost.locator("[lang=en]")).to_have_text(effect["message"])
    # on top: above the recommendation (when there still is one), the legs and the table
    effects_box = page.locator(EFFECTS).bounding_box()
    legs_box = page.locator(".st-plan-detail").bounding_box()
    table_box = page.locator(".st-approach-table").bounding_box()
    assert effects_box and legs_box and table_box
    assert effects_box["y"] < legs_box["y"] and effects_box["y"] < table_box["y"]
    rec = page.locator(".st-approach .st-approach-rec")
    if rec.is_visible():
        rec_box = rec.bounding_box()
        assert rec_box and effects_box["y"] < rec_box["y"]

    page.click("[data-set-lang=zh]")
    expect(cost.locator("[lang=zh-Hans]")).to_have_text(effect["message_zh"])
    assert "多用" in effect["message_zh"] or "切断" in effect["message_zh"]
    assert errors == []
