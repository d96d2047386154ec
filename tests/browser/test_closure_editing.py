"""Officers set and lift closures from the map ("Closures / 封闭" control), in a real browser.

Each test gets its own app and server with its own instance directory, so the closures
one test stores (``<instance dir>/closures.json``) never reach another.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.browser.helpers import ApiUser, SignedIn

pytestmark = pytest.mark.browser

CONTROL = ".st-closures"
FORM = f"{CONTROL} .st-cl-form"
CLOSURE_PATHS = ".leaflet-stApproach-pane path.st-closure"
PICK_PATHS = ".leaflet-stClosurePick-pane path.st-cl-pick"
ROWS = ".st-approach-table tbody tr"
#: a stretch of the outer kora, away from the casualty of the approach test
SEGMENT = "outer_kora:lham_chu_bridge-gaize_teahouse"
#: the segment after it, for choosing several
NEXT_SEGMENT = "outer_kora:gaize_teahouse-gendun_lachu_bridge"
#: where "below Drolma La, we can see a green lake" puts the caller
CALLER_SEGMENT = "outer_kora:dolma_la-phakna_rigzin_supply"


class Session:
    """The map page on ``server``: other hosts are blocked and recorded, JS errors too."""

    def __init__(self, page: Page, base: str, signed_in: SignedIn) -> None:
        self.page = page
        self.base = base
        self.signed_in = signed_in
        self.reader = ApiUser(base, "officer")  # asks the server directly
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.approach_requests: list[dict[str, Any]] = []
        page.route("**/*", self._route)
        page.on("request", self._request)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.goto(base + "/")
        page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
        expect(page.locator(CONTROL)).to_be_visible()

    def _route(self, route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https") and url.netloc != urlsplit(self.base).netloc:
            self.foreign.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _request(self, request: Request) -> None:
        if request.url.endswith("/api/approach") and request.method == "POST":
            self.approach_requests.append(json.loads(request.post_data or "null"))

    def closures(self) -> list[dict[str, Any]]:
        """The closures stored, asked of the server directly."""
        closures: list[dict[str, Any]] = self.reader.get("/api/closures")["closures"]
        return closures

    def settle(self) -> None:
        """Wait for the map's zoom animations (a fitBounds starts one a frame later) to end.

        A ``setView`` made meanwhile would be undone when the animation ends.
        """
        self.page.evaluate(
            "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
        )
        self.page.wait_for_function("() => !window.sandtableMap._animatingZoom")

    def centre_on(self, js_layer: str, hit: str, zoom: int = 14) -> tuple[float, float]:
        """Centre the map on a point of a line layer where the element on top matches ``hit``.

        Tries points along the line from its middle outwards (another line may run
        alongside); returns the point on the page.
        """
        self.settle()
        point = self.page.evaluate(
            """([expr, hit, zoom]) => {
                 const map = window.sandtableMap;
                 let line = eval(expr);
                 if (!line.getLatLngs) { line = line.getLayers()[0]; }
                 let lls = line.getLatLngs();
                 if (Array.isArray(lls[0])) { lls = lls[0]; }
                 const px = lls.map(ll => map.project(ll, zoom));
                 const cum = [0];
                 for (let i = 1; i < px.length; i++) {
                   cum.push(cum[i - 1] + px[i].distanceTo(px[i - 1]));
                 }
                 const along = t => {
                   const d = t * cum[cum.length - 1];
                   let i = 1;
                   while (i < cum.length - 1 && cum[i] < d) { i++; }
                   const f = (d - cum[i - 1]) / ((cum[i] - cum[i - 1]) || 1);
                   const step = px[i].subtract(px[i - 1]).multiplyBy(f);
                   return map.unproject(px[i - 1].add(step), zoom);
                 };
                 const box = map.getContainer().getBoundingClientRect();
                 const tries = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8, 0.45, 0.55, 0.35, 0.65, 0.25];
                 for (const t of tries) {
                   const ll = along(t);
                   map.setView(ll, zoom, {animate: false});
                   const p = map.latLngToContainerPoint(ll);
                   const x = box.left + p.x, y = box.top + p.y;
                   const el = document.elementFromPoint(x, y);
                   if (el && el.matches(hit)) { return [x, y]; }
                 }
                 return null;
               }""",
            [js_layer, hit, zoom],
        )
        assert point, f"no point of {js_layer} shows {hit}"
        return point[0], point[1]

    def click_segment(self, segment_id: str, *, shift: bool = False) -> None:
        """In "Close a segment" mode, click ``segment_id`` on the map."""
        path = f'{PICK_PATHS}[data-segment-id="{segment_id}"]'
        self.page.wait_for_selector(path, state="attached")
        x, y = self.centre_on(
            "(() => { let hit = null; window.sandtableClosures.pickLayer.eachLayer(l => {"
            f" if (l.stSegmentId === {json.dumps(segment_id)}) {{ hit = l; }} }});"
            " return hit; })()",
            f'path.st-cl-pick[data-segment-id="{segment_id}"]',
        )
        self.page.mouse.move(x, y)
        if shift:
            self.page.keyboard.down("Shift")
        self.page.mouse.click(x, y)
        if shift:
            self.page.keyboard.up("Shift")
        # another way runs alongside here: the pick list asks which one, pick ours
        option = self.page.locator(f'.st-cl-pick-option[data-segment-id="{segment_id}"]')
        self.page.wait_for_timeout(100)
        if option.count():
            option.click()

    def submit(self) -> Any:
        """Submit the closure form; return the POST /api/closures response."""
        with self.page.expect_response(
            lambda r: r.url.endswith("/api/closures") and r.request.method == "POST"
        ) as answer:
            self.page.click(f"{FORM} .st-cl-submit")
        return answer.value


@pytest.fixture
def session(page: Page, server: str, signed_in: SignedIn) -> Iterator[Session]:
    s = Session(page, server, signed_in)
    yield s
    assert s.foreign == [], f"the page requested other hosts: {s.foreign}"
    assert s.errors == [], s.errors


def choose(page: Page, name: str, value: str) -> None:
    page.click(f"{FORM} label:has(input[name={name}][value={value}])")


# --- closing a segment ---------------------------------------------------------------------------


def test_clicking_a_segment_stores_and_draws_a_closure(session: Session) -> None:
    page = session.page
    expect(page.locator(FORM)).to_be_hidden()
    page.click(f"{CONTROL} .st-cl-mode-segment")
    expect(page.locator(f"{CONTROL} .st-cl-mode-segment")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(PICK_PATHS).first).to_be_attached(timeout=10_000)
    session.click_segment(SEGMENT)
    expect(page.locator(FORM)).to_be_visible()
    expect(page.locator(f"{FORM} .st-cl-target")).to_contain_text("Segment:")
    # "from" defaults to now (Beijing time), "until" is open
    assert page.input_value(f"{FORM} .st-cl-from")
    assert page.input_value(f"{FORM} .st-cl-until") == ""

    choose(page, "st-cl-reason", "landslide")
    choose(page, "st-cl-modes", "vehicle")
    page.fill(f"{FORM} .st-cl-note", "<b>rockfall</b> near the bridge")
    answer = session.submit()
    assert answer.status == 201, answer.text()
    created = answer.json()

    (stored,) = session.closures()
    assert stored["closure_id"] == created["closure_id"]
    assert stored["segment_ids"] == [SEGMENT]
    assert stored["geometry"] is None
    assert stored["reason"] == "landslide"
    assert stored["modes"] == "vehicle"
    assert stored["severity"] == "closed"
    assert stored["until"] is None
    assert stored["note"] == "<b>rockfall</b> near the bridge"
    assert stored["created_by"] == session.signed_in.username

    # the mode ends and the closure is drawn, its note as text
    expect(page.locator(FORM)).to_be_hidden()
    expect(page.locator(f"{CONTROL} .st-cl-done")).to_be_visible()
    assert page.locator(PICK_PATHS).count() == 0
    expect(page.locator(CLOSURE_PATHS)).to_have_count(1, timeout=10_000)
    tips = page.evaluate(
        """() => { const out = [];
                   window.sandtableLayers.closures.eachLayer(
                     l => out.push(l.stTooltip().textContent));
                   return out; }"""
    )
    assert len(tips) == 1 and "landslide" in tips[0] and "<b>rockfall</b>" in tips[0], tips


def test_shift_click_chooses_several_segments_and_esc_cancels(session: Session) -> None:
    page = session.page
    page.click(f"{CONTROL} .st-cl-mode-segment")
    session.click_segment(SEGMENT)
    session.click_segment(NEXT_SEGMENT, shift=True)
    expect(page.locator(f"{FORM} .st-cl-target")).to_contain_text("2 segments")
    page.keyboard.press("Escape")
    expect(page.locator(FORM)).to_be_hidden()
    assert page.locator(PICK_PATHS).count() == 0
    assert page.get_attribute(f"{CONTROL} .st-cl-mode-segment", "aria-pressed") == "false"
    assert session.closures() == []

    page.click(f"{CONTROL} .st-cl-mode-segment")
    session.click_segment(SEGMENT)
    session.click_segment(NEXT_SEGMENT, shift=True)
    assert session.submit().status == 201
    (stored,) = session.closures()
    assert stored["segment_ids"] == [SEGMENT, NEXT_SEGMENT]
    expect(page.locator(CLOSURE_PATHS)).to_have_count(2, timeout=10_000)


# --- drawing an area -----------------------------------------------------------------------------


def test_drawing_a_polygon_stores_a_polygon_closure(session: Session) -> None:
    page = session.page
    page.click(f"{CONTROL} .st-cl-mode-area")
    expect(page.locator(f"{CONTROL} .st-cl-draw-actions")).to_be_visible()
    x, y = session.centre_on(
        "(() => { let hit = null; window.sandtableLayers.trails.eachLayer(l => {"
        f" if (l.feature.properties.segment_id === {json.dumps(SEGMENT)}) {{ hit = l; }} }});"
        " return hit; })()",
        "*",  # trails take no clicks while drawing
    )
    # Esc drops a half-drawn area
    page.mouse.click(x - 60, y - 60)
    page.mouse.click(x + 60, y - 60)
    assert page.locator(".leaflet-stClosureDraw-pane path.st-cl-corner").count() == 2
    page.keyboard.press("Escape")
    assert page.locator(".leaflet-stClosureDraw-pane path").count() == 0
    expect(page.locator(f"{CONTROL} .st-cl-draw-actions")).to_be_hidden()

    # clicks add corners (none of them opens a trail's popup); a double-click closes the area
    page.click(f"{CONTROL} .st-cl-mode-area")
    page.mouse.click(x - 70, y - 60)
    page.mouse.click(x + 70, y - 60)
    page.mouse.click(x + 70, y + 60)
    expect(page.locator(f"{CONTROL} .st-cl-finish")).to_be_enabled()
    page.mouse.dblclick(x - 70, y + 60)
    expect(page.locator(FORM)).to_be_visible()
    expect(page.locator(f"{FORM} .st-cl-target")).to_contain_text("4 corners")
    assert page.locator(".leaflet-popup").count() == 0
    zoom = page.evaluate("window.sandtableMap.getZoom()")
    assert zoom == 14, "the double-click zoomed the map"

    choose(page, "st-cl-reason", "flood")
    choose(page, "st-cl-severity", "slowed")
    page.fill(f"{FORM} .st-cl-factor", "3")
    page.fill(f"{FORM} .st-cl-until", "2099-08-01T18:00")
    answer = session.submit()
    assert answer.status == 201, answer.text()

    (stored,) = session.closures()
    assert stored["segment_ids"] == []
    assert stored["geometry"]["type"] == "Polygon"
    (ring,) = stored["geometry"]["coordinates"]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert stored["reason"] == "flood"
    assert stored["severity"] == {"slow_factor": 3.0}
    assert stored["until"].startswith("2099-08-01T18:00:00+08:00")
    expect(page.locator(CLOSURE_PATHS)).to_have_count(1, timeout=10_000)
    assert page.locator(".leaflet-stClosureDraw-pane path").count() == 0
    assert page.evaluate("window.sandtableMap.doubleClickZoom.enabled()")


# --- bad input -----------------------------------------------------------------------------------


def test_until_before_from_shows_the_servers_message_and_stores_nothing(session: Session) -> None:
    page = session.page
    page.click(f"{CONTROL} .st-cl-mode-segment")
    session.click_segment(SEGMENT)
    page.fill(f"{FORM} .st-cl-from", "2099-07-02T10:00")
    page.fill(f"{FORM} .st-cl-until", "2099-07-01T10:00")
    answer = session.submit()
    assert answer.status == 422
    details = answer.json()["error"]["details"]
    assert any(d.startswith("until:") for d in details), details

    error = page.locator(f"{FORM} .st-cl-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("is not after from")
    # the form stays, as filled in
    expect(page.locator(FORM)).to_be_visible()
    assert page.input_value(f"{FORM} .st-cl-until") == "2099-07-01T10:00"
    assert session.closures() == []
    assert page.locator(CLOSURE_PATHS).count() == 0

    # corrected, it goes through and the message goes
    page.fill(f"{FORM} .st-cl-until", "2099-07-03T10:00")
    assert session.submit().status == 201
    expect(page.locator(FORM)).to_be_hidden()
    assert len(session.closures()) == 1


# --- lifting -------------------------------------------------------------------------------------


def test_lifting_a_closure_removes_it(session: Session) -> None:
    page = session.page
    response = page.request.post(
        f"{session.base}/api/closures",
        headers=session.signed_in.headers(),
        data={"segment_ids": [SEGMENT], "reason": "snow", "modes": "all", "severity": "closed"},
    )
    assert response.status == 201, response.text()
    closure_id = response.json()["closure_id"]
    page.reload()
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    expect(page.locator(CLOSURE_PATHS)).to_have_count(1, timeout=10_000)

    x, y = session.centre_on(
        "(() => window.sandtableLayers.closures.getLayers()[0].getLayers()[0])()",
        "path.st-closure",
        zoom=15,
    )
    page.mouse.click(x, y)
    popup = page.locator(f'.leaflet-popup .st-closure-pop[data-closure-id="{closure_id}"]')
    expect(popup).to_be_visible()
    lift = popup.locator(".st-closure-lift")
    expect(lift).to_contain_text("Lift closure")
    with page.expect_response(
        lambda r: r.url.endswith(f"/api/closures/{closure_id}") and r.request.method == "DELETE"
    ) as answer:
        page.once("dialog", lambda dialog: dialog.accept())  # lifting asks first
        lift.click()
    assert answer.value.status == 204
    assert session.closures() == []
    expect(page.locator(CLOSURE_PATHS)).to_have_count(0, timeout=10_000)
    expect(page.locator(".leaflet-popup")).to_have_count(0)


# --- plans follow the closures -------------------------------------------------------------------


def test_closing_a_segment_of_the_plan_refreshes_the_plan(session: Session) -> None:
    page = session.page
    page.fill("#st-locate-text", "below Drolma La, we can see a green lake")
    with page.expect_response("**/api/locate"):
        page.press("#st-locate-text", "Enter")
    expect(page.locator(".st-approach-run")).to_be_visible(timeout=20_000)
    with page.expect_response("**/api/approach") as first:
        page.click(".st-approach-run")
    before = first.value.json()
    assert before["recommended"] and all(p["closures_applied"] == [] for p in before["plans"])
    expect(page.locator(ROWS).first).to_be_visible(timeout=20_000)
    reason_before = page.inner_text(".st-approach-reason")
    eta_before = page.inner_text(f"{ROWS}.st-selected .st-approach-eta")
    assert len(session.approach_requests) == 1

    page.click(f"{CONTROL} .st-cl-mode-segment")
    session.click_segment(CALLER_SEGMENT)
    choose(page, "st-cl-reason", "snow")
    with page.expect_response("**/api/approach", timeout=20_000) as second:
        assert session.submit().status == 201
    (stored,) = session.closures()
    assert stored["segment_ids"] == [CALLER_SEGMENT]

    # the same request again, now planned around the closure, and shown
    assert len(session.approach_requests) == 2
    assert session.approach_requests[1] == session.approach_requests[0]
    after = second.value.json()
    assert all(p["closures_applied"] == [stored["closure_id"]] for p in after["plans"])
    expect(page.locator(".st-approach-reason")).not_to_have_text(reason_before)
    assert page.inner_text(".st-approach-reason") == after["reason"]
    # the station on display is still the one chosen, its ETA that of the new plan
    selected = page.locator(f"{ROWS}.st-selected")
    expect(selected).to_have_count(1)
    assert selected.get_attribute("data-station-id") == before["recommended"]
    assert page.inner_text(f"{ROWS}.st-selected .st-approach-eta") != eta_before

    # lifting it refreshes the plan again
    expect(page.locator(CLOSURE_PATHS)).to_have_count(1, timeout=10_000)
    x, y = session.centre_on(
        "(() => window.sandtableLayers.closures.getLayers()[0].getLayers()[0])()",
        "path.st-closure",
        zoom=15,
    )
    page.mouse.click(x, y)
    with page.expect_response("**/api/approach", timeout=20_000) as third:
        page.once("dialog", lambda dialog: dialog.accept())  # lifting asks first
        page.click(".leaflet-popup .st-closure-lift")
    assert all(p["closures_applied"] == [] for p in third.value.json()["plans"])
    expect(page.locator(".st-approach-reason")).to_have_text(reason_before)
    assert session.closures() == []


# --- a road beside a trail -----------------------------------------------------------------------
#: the Manasarovar loop road runs on the Manasarovar kora here (NE shore, Langbona → Seralung)
SHORE_TRAIL = "manasarovar_kora:langbona_gompa-seralung_gompa"
SHORE_ROAD = "road:manasarovar_loop"


def test_where_a_road_runs_beside_a_trail_a_pick_list_says_which_is_closed(
    session: Session,
) -> None:
    page = session.page
    page.click(f"{CONTROL} .st-cl-mode-segment")
    expect(page.locator(PICK_PATHS).first).to_be_attached(timeout=10_000)
    # click the trail where the road lies under it
    x, y = session.centre_on(
        "(() => { let hit = null; window.sandtableClosures.pickLayer.eachLayer(l => {"
        f" if (l.stSegmentId === {json.dumps(SHORE_TRAIL)}) {{ hit = l; }} }});"
        " return hit; })()",
        "path.st-cl-pick",
        zoom=15,
    )
    page.mouse.click(x, y)
    options = page.locator(".leaflet-popup .st-cl-picklist .st-cl-pick-option")
    expect(options.first).to_be_visible()
    ids = [options.nth(i).get_attribute("data-segment-id") for i in range(options.count())]
    assert SHORE_TRAIL in ids and SHORE_ROAD in ids, ids
    road = page.locator(f'.st-cl-pick-option[data-segment-id="{SHORE_ROAD}"]')
    expect(road).to_contain_text("Road / track")
    expect(page.locator(FORM)).to_be_hidden()  # nothing chosen until the officer picks
    road.click()
    expect(page.locator(FORM)).to_be_visible()
    choose(page, "st-cl-reason", "flood")
    answer = session.submit()
    assert answer.status == 201, answer.text()
    (stored,) = session.closures()
    assert stored["segment_ids"] == [SHORE_ROAD]  # the one picked, not the trail
