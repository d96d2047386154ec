"""Call takers and officers on ``/incidents``, in a browser: from the call to the dispatch.

Each test gets its own app and server (own SQLite database), so incidents made by one
test never reach another. What the page did is checked in the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from rescue.incidents import IncidentStore
from tests.browser.helpers import APPS, ApiUser, SignedIn, sign_in_page

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
#: a Kailash call: past the Drölma-la pass, on the way down
DOLMA_ZH = "过了卓玛拉山口，在下山的路上"
DRIRAPUK_EN = "just past Drirapuk towards Drolma La"
#: waiting for the page's own ten-second refresh (not a speed requirement)
REFRESH_WAIT_MS = 30_000


def store(base: str) -> IncidentStore:
    """The incidents in the database of the app served at ``base``."""
    routes = APPS[base].extensions["sandtable"].store
    return IncidentStore(routes.reader, routes.writer)


class Session:
    """The dispatch page: other hosts are blocked and recorded, JS errors and dialogs too."""

    def __init__(self, page: Page, base: str) -> None:
        self.page = page
        self.base = base
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.route("**/*", self._route)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)
        self.open()

    def open(self) -> None:
        self.page.goto(self.base + "/incidents")
        self.page.wait_for_selector("body[data-incidents-ready=true]", timeout=20_000)

    def _route(self, route: Route) -> None:
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https") and url.netloc != urlsplit(self.base).netloc:
            self.foreign.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self) -> None:
        assert self.foreign == [], f"the page requested other hosts: {self.foreign}"
        assert self.errors == [], self.errors
        assert self.dialogs == [], self.dialogs

    # the call taker's steps, with the keyboard
    def call(self, description: str) -> int:
        """Type a description, Ctrl+Enter; the new incident's id once candidates are listed."""
        box = self.page.locator(".st-inc-description")
        expect(box).to_be_focused()
        self.page.keyboard.type(description)
        self.page.keyboard.press("Control+Enter")
        expect(self.page.locator(".st-inc-candidate").first).to_be_visible(timeout=20_000)
        current = self.page.locator(".st-inc-current").inner_text()
        return int(current.split("·")[0].strip().lstrip("#"))

    def refresh(self) -> None:
        """Leave the focused field (Esc) and reload the list (R)."""
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("r")

    def item(self, incident_id: int) -> Any:
        return self.page.locator(f".st-inc-item[data-incident-id='{incident_id}']")


@pytest.fixture
def session(page: Page, server: str, signed_in: SignedIn) -> Iterator[Session]:
    s = Session(page, server)
    yield s
    s.check()


def test_the_whole_call_with_the_keyboard(session: Session) -> None:
    page = session.page
    incident_id = session.call(DOLMA_ZH)
    candidates = page.locator(".st-inc-candidate")
    first_name = candidates.first.locator(".st-inc-pick-name").inner_text()
    assert "Drölma-la" in first_name or "卓玛拉" in first_name
    assert store(session.base).get(incident_id)["status"] == "received"

    page.keyboard.press("1")
    expect(candidates.first).to_have_class("st-inc-candidate st-inc-chosen")
    expect(page.locator(".st-inc-current")).to_contain_text("located")
    located = store(session.base).get(incident_id)
    assert located["status"] == "located"
    assert located["location"]["segment_id"].startswith("outer_kora:dolma_la")
    assert located["location"]["km_range"] and located["location"]["name"]

    page.keyboard.press("p")
    stations = page.locator(".st-inc-station")
    expect(stations.first).to_be_visible(timeout=20_000)
    station = stations.first.get_attribute("data-station-id")
    page.keyboard.press("1")
    expect(stations.first).to_have_class("st-inc-station st-inc-chosen")
    # the chosen plan is drawn while the call is open
    assert page.locator("#st-inc-map path.st-inc-leg").count() > 0
    page.keyboard.press("d")
    expect(page.locator(".st-inc-message")).to_contain_text(f"Incident #{incident_id} dispatched")

    done = store(session.base).get(incident_id)
    assert done["status"] == "dispatched"
    assert done["description"] == DOLMA_ZH
    assert done["location"]["segment_id"] == located["location"]["segment_id"]
    plan = done["plan"]
    assert plan["station_id"] == station and plan["eta_s"] > 0
    assert "alternatives" not in plan
    assert plan["legs"] and all(len(leg["geometry"]) >= 2 for leg in plan["legs"])
    assert done["team"] == plan["station_name"]
    assert [e["to"] for e in done["timeline"]] == ["received", "located", "dispatched"]

    # the live list shows it dispatched, in time, with its route on the map
    row = session.item(incident_id)
    expect(row).to_have_attribute("data-status", "dispatched")
    expect(row.locator("[data-target=dispatch]")).to_have_class("st-inc-target st-inc-ok")
    expect(row.locator("[data-target=dispatch]")).to_contain_text("OK")
    expect(row.locator("[data-target=scene]")).to_contain_text("on scene due in")
    expect(page.locator(f"#st-inc-map path[data-incident-id='{incident_id}']")).to_have_count(1)
    assert page.locator("#st-inc-map path.st-inc-leg-selected").count() > 0

    # N: a new call, the form is empty and focused again
    page.locator(".st-inc-plans-step").focus()
    page.keyboard.press("n")
    expect(page.locator(".st-inc-description")).to_be_focused()
    expect(page.locator(".st-inc-description")).to_have_value("")
    expect(page.locator(".st-inc-current")).to_be_hidden()


def test_an_english_call_with_the_caller_details(session: Session) -> None:
    page = session.page
    page.fill(".st-inc-caller-name", "Anna Keller")
    page.fill(".st-inc-caller-phone", "+41 79 555 12 12")
    page.fill(".st-inc-party", "3")
    page.select_option(".st-inc-cause", "altitude_sickness")
    page.select_option(".st-inc-priority", "high")
    page.select_option(".st-inc-language", "en")
    page.fill(".st-inc-condition", "headache, vomiting")
    page.focus(".st-inc-description")
    incident_id = session.call(DRIRAPUK_EN)
    first = page.locator(".st-inc-candidate").first.locator(".st-inc-pick-name").inner_text()
    assert "Dira-puk" in first or "Drirapuk" in first
    page.locator(".st-inc-candidate").first.locator("button").click()
    expect(page.locator(".st-inc-current")).to_contain_text("located")
    asked: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: asked.append(r.post_data_json) if r.url.endswith("/api/approach") else None,
    )
    page.click(".st-inc-plan")
    expect(page.locator(".st-inc-station").first).to_be_visible(timeout=20_000)
    page.locator(".st-inc-station").nth(1).locator("button").click()
    page.click(".st-inc-dispatch")
    expect(page.locator(".st-inc-message")).to_contain_text("dispatched")
    done = store(session.base).get(incident_id)
    # the plans came with the recommended one's lines only; a plan picked without them was
    # asked for again with its lines, so the incident keeps the lines of the plan sent
    assert "geometry" not in asked[0] and "stations" not in asked[0]
    assert all(len(leg["geometry"]) >= 2 for leg in done["plan"]["legs"]), done["plan"]
    assert all(a["stations"] == [done["plan"]["station_id"]] for a in asked[1:])
    assert done["status"] == "dispatched"
    assert (done["caller_name"], done["caller_phone"], done["party_size"]) == (
        "Anna Keller",
        "+41 79 555 12 12",
        3,
    )
    assert (done["cause"], done["priority"], done["language"]) == (
        "altitude_sickness",
        "high",
        "en",
    )
    assert done["condition"] == "headache, vomiting"
    assert done["plan"]["station_id"] == page.locator(".st-inc-station").nth(1).get_attribute(
        "data-station-id"
    )


def test_a_double_submit_records_one_incident(session: Session) -> None:
    page = session.page
    page.fill(".st-inc-description", DOLMA_ZH)
    page.dblclick(".st-inc-create")
    expect(page.locator(".st-inc-candidate").first).to_be_visible(timeout=20_000)
    page.keyboard.press("Control+Enter")  # again, after it was recorded: locates again
    expect(page.locator(".st-inc-candidate").first).to_be_visible(timeout=20_000)
    assert len(store(session.base).list("all")) == 1


def test_a_retry_after_a_lost_answer_records_one_incident(session: Session) -> None:
    page = session.page
    lost: list[int] = []

    def lose_the_first_answer(route: Route) -> None:
        if route.request.method != "POST" or lost:
            route.fallback()
            return
        response = route.fetch()  # the server records the incident ...
        lost.append(response.status)
        route.abort("connectionreset")  # ... but the answer never arrives

    page.route("**/api/incidents", lose_the_first_answer)
    page.fill(".st-inc-description", DRIRAPUK_EN)
    page.keyboard.press("Control+Enter")
    expect(page.locator(".st-inc-message-error")).to_contain_text("could not be recorded")
    assert lost == [201]
    assert len(store(session.base).list("all")) == 1
    page.focus(".st-inc-description")
    page.keyboard.press("Control+Enter")  # the retry carries the same idempotency key
    expect(page.locator(".st-inc-candidate").first).to_be_visible(timeout=20_000)
    incidents = store(session.base).list("all")
    assert len(incidents) == 1
    assert (
        page.locator(".st-inc-current").inner_text().startswith(f"#{incidents[0]['incident_id']}")
    )


def test_the_list_refreshes_by_itself(session: Session) -> None:
    page = session.page
    expect(page.locator(".st-inc-item")).to_have_count(0)
    expect(page.locator(".st-inc-empty")).to_be_visible()
    other = ApiUser(session.base, "call_taker")
    status, body = other.call(
        "POST",
        "/api/incidents",
        {
            "description": "at the Drirapuk bridge",
            "priority": "critical",
            "location": {"segment_id": "x", "lon": 81.31, "lat": 31.07, "name": "Drirapuk"},
        },
    )
    assert status == 201, body
    incident_id = body["incident"]["incident_id"]
    row = session.item(incident_id)
    expect(row).to_be_visible(timeout=REFRESH_WAIT_MS)  # nobody touched the page
    expect(row).to_contain_text("at the Drirapuk bridge")
    expect(row.locator("[data-target=dispatch]")).to_contain_text("dispatch within")
    expect(page.locator(f"#st-inc-map path[data-incident-id='{incident_id}']")).to_have_count(1)


def test_an_overdue_dispatch_is_marked_in_words_and_colour(session: Session) -> None:
    page = session.page
    other = ApiUser(session.base, "officer")
    status, body = other.call("POST", "/api/incidents", {"description": "lost near Zutulpuk"})
    assert status == 201
    incident_id = body["incident"]["incident_id"]
    # the call came in ten minutes ago (the target is five)
    page.evaluate("() => { const now = Date.now; Date.now = () => now() + 600000; }")
    session.refresh()
    badge = session.item(incident_id).locator("[data-target=dispatch]")
    expect(badge).to_have_class("st-inc-target st-inc-late")
    expect(badge).to_contain_text("OVERDUE")
    expect(badge).to_contain_text("dispatch overdue by")


def test_an_officer_moves_an_incident_to_resolved(session: Session) -> None:
    page = session.page
    other = ApiUser(session.base, "officer")
    status, body = other.call(
        "POST",
        "/api/incidents",
        {
            "description": "exhausted below the pass",
            "location": {"segment_id": "s", "lon": 81.37, "lat": 31.09, "name": "Drölma-la"},
        },
    )
    assert status == 201
    incident_id = body["incident"]["incident_id"]
    session.refresh()
    session.item(incident_id).locator("button").click()
    detail = page.locator(".st-inc-detail")
    expect(detail).to_contain_text("exhausted below the pass")
    for to in ("located", "dispatched", "en_route", "on_scene"):
        detail.locator(f".st-inc-to[data-to={to}]").click()
        expect(session.item(incident_id)).to_have_attribute("data-status", to)
    detail.locator(".st-inc-transition-note").fill("carried down to Zutulpuk")
    detail.locator(".st-inc-to[data-to=resolved]").click()
    detail.locator(".st-inc-outcome").select_option("rescued")
    detail.locator(".st-inc-confirm-resolve").click()
    expect(session.item(incident_id)).to_have_count(0)
    done = store(session.base).get(incident_id)
    assert (done["status"], done["outcome"]) == ("resolved", "rescued")
    assert done["timeline"][-1]["note"] == "carried down to Zutulpuk"


def test_a_stale_change_reloads_the_incident_and_says_so(session: Session) -> None:
    page = session.page
    other = ApiUser(session.base, "officer")
    _, body = other.call("POST", "/api/incidents", {"description": "injured ankle"})
    incident_id = body["incident"]["incident_id"]
    session.refresh()
    session.item(incident_id).locator("button").click()
    detail = page.locator(".st-inc-detail")
    expect(detail).to_contain_text("injured ankle")
    # someone else edits it meanwhile
    status, _ = other.call(
        "PATCH", f"/api/incidents/{incident_id}", {"base_version": 1, "notes": "theirs"}
    )
    assert status == 200
    detail.locator(".st-inc-notes").fill("mine")
    detail.locator(".st-inc-notes-button").click()
    expect(detail.locator(".st-inc-detail-error")).to_contain_text("Someone else changed")
    expect(detail.locator(".st-inc-facts")).to_contain_text("theirs")
    assert store(session.base).get(incident_id)["notes"] == "theirs"
    detail.locator(".st-inc-notes").fill("mine after all")
    detail.locator(".st-inc-notes-button").click()
    expect(detail.locator(".st-inc-facts")).to_contain_text("mine after all")
    assert store(session.base).get(incident_id)["notes"] == "mine after all"


def test_hostile_text_is_shown_as_text(session: Session) -> None:
    page = session.page
    page.fill(".st-inc-caller-name", XSS)
    page.fill(".st-inc-condition", XSS)
    page.fill(".st-inc-description", XSS + " " + DOLMA_ZH)
    page.keyboard.press("Control+Enter")
    expect(page.locator(".st-inc-candidate").first).to_be_visible(timeout=20_000)
    incident_id = store(session.base).list("all")[0]["incident_id"]
    session.item(incident_id).locator("button").click()
    detail = page.locator(".st-inc-detail")
    detail.locator(".st-inc-notes").fill(XSS)
    detail.locator(".st-inc-notes-button").click()
    detail.locator(".st-inc-add-description").fill(XSS + " again")
    detail.locator(".st-inc-add-button").click()
    expect(detail.locator(".st-inc-description-text")).to_have_count(2)
    expect(detail.locator(".st-inc-facts")).to_contain_text(XSS)  # notes, caller, condition
    expect(detail.locator(".st-inc-description-text").first).to_contain_text(XSS)
    expect(session.item(incident_id)).to_contain_text(XSS)
    assert page.locator("img").count() == 0
    stored = store(session.base).get(incident_id)
    assert stored["caller_name"] == XSS and stored["notes"] == XSS


def test_the_language_switch_is_remembered(session: Session) -> None:
    page = session.page
    expect(page.locator(".st-inc-dispatch [lang=en]")).to_have_text("Dispatch")
    page.click("[data-set-lang=zh]")
    expect(page.locator("body")).to_have_class(re.compile(r"\blang-zh\b"))
    expect(page.locator(".st-inc-dispatch [lang=zh-Hans]")).to_have_text("派出")
    expect(page.locator(".st-sub [lang=zh-Hans]")).to_be_visible()
    assert page.locator(".st-inc-description").get_attribute("placeholder", timeout=1000) == (
        "例如：过了卓玛拉山口，在下山的路上"
    )
    session.open()
    expect(page.locator("body")).to_have_class(re.compile(r"\blang-zh\b"))
    expect(page.locator(".st-sub [lang=zh-Hans]")).to_have_text("接警调度")
    expect(page.locator(".st-sub [lang=en]")).to_be_hidden()
    page.click("[data-set-lang=en]")
    expect(page.locator(".st-sub [lang=en]")).to_be_visible()


def test_a_call_taker_saves_the_plan_and_an_officer_dispatches(
    browser: Browser, server: str, session: Session
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    try:
        taker_page = context.new_page()
        sign_in_page(taker_page, server, "call_taker")
        taker = Session(taker_page, server)
        incident_id = taker.call(DOLMA_ZH)
        taker.page.keyboard.press("1")
        expect(taker.page.locator(".st-inc-current")).to_contain_text("located")
        taker.page.keyboard.press("p")
        expect(taker.page.locator(".st-inc-station").first).to_be_visible(timeout=20_000)
        expect(taker.page.locator(".st-inc-dispatch-hint")).to_be_visible()
        taker.page.keyboard.press("1")
        taker.page.keyboard.press("d")
        expect(taker.page.locator(".st-inc-message")).to_contain_text("an officer dispatches")
        saved = store(server).get(incident_id)
        assert saved["status"] == "located" and saved["plan"]["legs"]
        taker.check()
    finally:
        context.close()

    # the officer (the admin page) sees it and dispatches it from the list
    page = session.page
    session.refresh()
    session.item(incident_id).locator("button").click()
    page.locator(".st-inc-detail .st-inc-to[data-to=dispatched]").click()
    expect(session.item(incident_id)).to_have_attribute("data-status", "dispatched")
    assert store(server).get(incident_id)["status"] == "dispatched"


def test_a_change_by_someone_else_mid_call_is_reloaded_and_said(session: Session) -> None:
    page = session.page
    incident_id = session.call(DOLMA_ZH)
    page.keyboard.press("1")
    expect(page.locator(".st-inc-current")).to_contain_text("located")
    page.keyboard.press("p")
    expect(page.locator(".st-inc-station").first).to_be_visible(timeout=20_000)
    page.keyboard.press("1")
    # an officer raises the priority meanwhile
    other = ApiUser(session.base, "officer")
    version = store(session.base).get(incident_id)["version"]
    status, _ = other.call(
        "PATCH", f"/api/incidents/{incident_id}", {"base_version": version, "priority": "high"}
    )
    assert status == 200
    page.keyboard.press("d")
    message = page.locator(".st-inc-message-error")
    expect(message).to_contain_text(f"Someone else changed incident #{incident_id}")
    expect(message).to_contain_text("it was reloaded")
    assert store(session.base).get(incident_id)["status"] == "located"
    page.keyboard.press("d")  # on the reloaded version
    expect(page.locator(".st-inc-message")).to_contain_text(f"Incident #{incident_id} dispatched")
    done = store(session.base).get(incident_id)
    assert (done["status"], done["priority"]) == ("dispatched", "high")
