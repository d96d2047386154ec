"""The call taker's "Locate caller" panel in a real browser, against the live app.

Most tests use the real locator; the escaping test also uses a stand-in whose answer is
full of markup, since the real one need not echo the caller's words. The server runs in
this process (see conftest), so monkeypatching ``web.api.locate`` reaches it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Dialog, Page, Request, expect

import web.api
from rescue.locate.model import Candidate, Clues, LocateResult, Mention, Question, SightClue

pytestmark = pytest.mark.browser

CALLER_ZH = "我们在卓玛拉山口下面，能看到绿色的湖"
XSS = "<img src=x onerror=alert(1)>"
PANEL = "#st-locate"
TEXT = "#st-locate-text"
CANDIDATES = ".st-cand"
HEAT = ".leaflet-stLocate-pane path.st-heat"


class Session:
    """A page on the map, recording what it requested, its JS errors and dialogs."""

    def __init__(self, page: Page, live_server: str) -> None:
        self.page = page
        self.base = live_server
        self.requests: list[str] = []
        self.locate_bodies: list[dict[str, Any]] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("request", self._request)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)
        page.goto(live_server + "/")
        page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)
        if request.url.endswith("/api/locate") and request.method == "POST":
            self.locate_bodies.append(json.loads(request.post_data or "null"))

    def _dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def locate(self, text: str) -> None:
        """Type ``text`` and press Enter; wait for the answer to be shown."""
        before = len(self.locate_bodies)
        self.page.fill(TEXT, text)
        with self.page.expect_response("**/api/locate"):
            self.page.press(TEXT, "Enter")
        self.wait_idle()
        assert len(self.locate_bodies) == before + 1

    def wait_idle(self) -> None:
        self.page.wait_for_selector(f"{PANEL}[aria-busy=false]", timeout=20_000)

    def foreign_requests(self) -> list[str]:
        app_host = urlsplit(self.base).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != app_host
        ]


@pytest.fixture
def session(page: Page, live_server: str) -> Iterator[Session]:
    s = Session(page, live_server)
    yield s
    assert s.foreign_requests() == [], f"the page requested other hosts: {s.foreign_requests()}"
    assert s.errors == [], s.errors
    assert s.dialogs == [], s.dialogs


def candidate_ids(page: Page) -> list[str]:
    return page.eval_on_selector_all(
        CANDIDATES, "items => items.map(i => i.getAttribute('data-segment-id'))"
    )


def ends_at(segment_id: str, place_id: str) -> bool:
    return place_id in segment_id.split(":", 1)[1].split("-")


# --- locating ------------------------------------------------------------------------------------


def test_chinese_description_shows_candidates_and_heat(session: Session, tmp_path: Path) -> None:
    page = session.page
    session.locate(CALLER_ZH)
    assert session.locate_bodies[-1] == {"text": CALLER_ZH}

    ids = candidate_ids(page)
    assert ids and ends_at(ids[0], "dolma_la"), ids
    # bars: one per candidate, the top one the longest
    widths = page.eval_on_selector_all(
        f"{CANDIDATES} .st-bar-fill", "bars => bars.map(b => b.getBoundingClientRect().width)"
    )
    assert len(widths) == len(ids) and widths[0] > 0 and widths[0] == max(widths)
    assert re.fullmatch(r"\d+ %|\d+\.\d %|< 1 %", page.inner_text(f"{CANDIDATES} .st-cand-p"))
    assert page.locator(f"{CANDIDATES}.st-selected").count() == 1
    # the credible stretch, when the locator gives one, heads the list
    if page.evaluate("!!window.sandtableLocate.result.range_80"):
        assert page.inner_text(".st-range").startswith("80 %")
    # understood: the pass and the green lake
    chips = page.inner_text(".st-understood .st-chips")
    assert "Dr" in chips and "green lake" in chips, chips

    # on the map: a stretch per candidate with a line, the most probable point marked
    # the hottest stretch is drawn last (on top); the faint ones may be off screen
    expect(page.locator(HEAT).last).to_be_visible()
    assert page.locator(HEAT).count() >= 1
    assert page.locator(".st-best-marker").count() == 1
    top = page.evaluate(
        """() => { const b = window.sandtableLayers.locate.getBounds();
                   return window.sandtableMap.getBounds().intersects(b); }"""
    )
    assert top, "the candidates are out of view"

    page.screenshot(path=str(tmp_path / "locate-en.png"))
    page.click("[data-set-lang=zh]")
    page.screenshot(path=str(tmp_path / "locate-zh.png"))
    assert (tmp_path / "locate-zh.png").stat().st_size > 10_000


def test_enter_locates_and_shift_enter_adds_a_line(session: Session) -> None:
    page = session.page
    page.fill(TEXT, "Drolma La")
    page.press(TEXT, "Shift+Enter")
    page.keyboard.type("green lake")
    assert page.input_value(TEXT) == "Drolma La\ngreen lake"
    assert session.locate_bodies == []
    with page.expect_response("**/api/locate"):
        page.press(TEXT, "Enter")
    session.wait_idle()
    assert session.locate_bodies == [{"text": "Drolma La\ngreen lake"}]


def test_direction_is_sent_and_rerun(session: Session) -> None:
    page = session.page
    session.locate("Drolma La")
    with page.expect_response("**/api/locate"):
        page.click(".st-direction label:has(input[value=counterclockwise])")
    session.wait_idle()
    assert session.locate_bodies[-1] == {"text": "Drolma La", "direction": "counterclockwise"}


def test_question_answers_append_in_the_ui_language_and_rerun(session: Session) -> None:
    page = session.page
    session.locate("Drolma La")  # a name alone leaves questions worth asking
    question = page.locator(".st-question").first
    expect(question).to_be_visible()
    yes_en = question.locator("[data-answer=yes]").get_attribute("data-answer-en")
    assert yes_en
    with page.expect_response("**/api/locate"):
        question.locator("[data-answer=yes]").click()
    session.wait_idle()
    text = page.input_value(TEXT)
    assert text == f"Drolma La. {yes_en}"
    assert session.locate_bodies[-1]["text"] == text

    # in Chinese, the Chinese answer is appended
    page.click("[data-set-lang=zh]")
    session.locate("Drolma La")
    no = page.locator(".st-question").first.locator("[data-answer=no]")
    expect(no).to_have_text(re.compile("否"))
    no_zh = no.get_attribute("data-answer-zh")
    assert no_zh
    with page.expect_response("**/api/locate"):
        no.click()
    session.wait_idle()
    assert page.input_value(TEXT) == f"Drolma La，{no_zh}"
    assert session.locate_bodies[-1]["text"] == f"Drolma La，{no_zh}"


def test_clicking_a_candidate_zooms_to_it(session: Session) -> None:
    page = session.page
    session.locate("Drolma La")
    items = page.locator(CANDIDATES)
    assert items.count() >= 2
    zoom_before = page.evaluate("window.sandtableMap.getZoom()")
    page.evaluate("window.sandtableMap.setView([30.95, 81.5], 10, {animate: false})")
    items.nth(1).click()
    expect(items.nth(1)).to_have_class(re.compile("st-selected"))
    page.wait_for_function("() => window.sandtableMap.getZoom() > 10")
    ok = page.evaluate(
        """() => { const c = window.sandtableLocate.result.candidates[1];
                   return window.sandtableMap.getBounds().contains([c.lat, c.lon]); }"""
    )
    assert ok and zoom_before >= 10


def test_language_switch_changes_the_panel(session: Session) -> None:
    page = session.page
    session.locate("Drolma La")
    panel = page.locator(PANEL)
    english = panel.inner_text().casefold()  # the headings are set in capitals
    assert "where the caller may be" in english and "ask the caller" in english
    assert "可能位置" not in english
    assert "Yes" in page.inner_text(".st-question")
    assert "Drolma" in (page.get_attribute(TEXT, "placeholder") or "")

    page.click("[data-set-lang=zh]")
    chinese = panel.inner_text()
    assert "可能位置" in chinese and "追问呼救者" in chinese and "行进方向" in chinese
    assert "where the caller" not in chinese.casefold()
    assert "walking direction" not in chinese.casefold()
    assert "是" in page.inner_text(".st-question")
    assert "卓玛拉" in (page.get_attribute(TEXT, "placeholder") or "")
    assert "卓玛拉山口" in page.inner_text(f"{CANDIDATES} .st-cand-name >> nth=0")


def test_the_notes_follow_the_language_switch(session: Session) -> None:
    page = session.page
    session.locate("I can see Gurla Mandhata from here, we walk clockwise and counterclockwise")
    note = page.locator(".st-note").first
    expect(note).to_contain_text("in view, not where the caller is")
    page.click("[data-set-lang=zh]")
    expect(note.locator("[lang=zh-Hans]")).to_be_visible()
    expect(note.locator("[lang=zh-Hans]")).to_contain_text("是看到的景物")
    expect(note.locator("[lang=en]")).to_be_hidden()
    notes = page.locator(".st-note [lang=zh-Hans]").all_inner_texts()
    assert any("两个行走方向" in n for n in notes), notes
    page.click("[data-set-lang=en]")
    expect(note.locator("[lang=en]")).to_be_visible()


def test_a_coordinates_reading_follows_the_language_switch(session: Session) -> None:
    page = session.page
    session.locate("N31.1 E81.3")
    kind = page.locator(".st-chip-coords .st-chip-kind").first
    expect(kind).to_contain_text("decimal degrees, latitude first")
    page.click("[data-set-lang=zh]")
    expect(kind.locator("[lang=zh-Hans]")).to_be_visible()
    expect(kind.locator("[lang=zh-Hans]")).to_contain_text("十进制度，纬度在前")
    expect(kind.locator("[lang=en]")).to_be_hidden()


def test_nothing_understood_says_so_and_offers_questions(session: Session) -> None:
    page = session.page
    session.locate("hello? please help us")
    status = page.locator(".st-locate-status")
    expect(status).to_be_visible()
    assert "Nothing in the description was understood" in status.inner_text()
    # never an empty answer: where callers usually are, each stretch stated as unlikely
    candidates = page.locator(CANDIDATES)
    assert candidates.count() >= 1
    shares = [int(t) for t in re.findall(r"(\d+) %", candidates.first.inner_text())]
    assert shares and shares[0] < 20, shares
    assert page.locator(".st-question").count() >= 1


def test_rejected_description_shows_the_message_inline(session: Session) -> None:
    page = session.page
    session.locate("卓" * 2001)
    error = page.locator(".st-status-error")
    expect(error).to_be_visible()
    assert "2,000" in error.inner_text()
    assert "st-over" in (page.get_attribute(".st-locate-count", "class") or "")


def test_panel_collapses_and_the_map_takes_the_room(session: Session) -> None:
    page = session.page
    width = page.evaluate("window.sandtableMap.getSize().x")
    page.click(".st-locate-hide")
    expect(page.locator(PANEL)).to_be_hidden()
    assert page.evaluate("window.sandtableMap.getSize().x") > width
    page.click(".st-locate-toggle")
    expect(page.locator(PANEL)).to_be_visible()
    expect(page.locator(TEXT)).to_be_focused()


# --- escaping ------------------------------------------------------------------------------------


def test_markup_typed_by_the_caller_stays_text(session: Session) -> None:
    page = session.page
    session.locate(XSS)
    assert page.input_value(TEXT) == XSS
    assert page.locator(f"{PANEL} img").count() == 0
    assert not any(urlsplit(url).path == "/x" for url in session.requests)


def markup_locator(network: Any, text: str, **kwargs: Any) -> LocateResult:
    """A stand-in whose every string is markup, including the caller's own words."""
    row = network.segments.loc["outer_kora:dolma_la-phakna_rigzin_supply"]
    coords = tuple((x, y) for x, y, *_ in row.geometry.coords)
    mention = Mention(0, len(text), text, (), feature="monastery")
    return LocateResult(
        candidates=(
            Candidate(
                segment_id="outer_kora:dolma_la-phakna_rigzin_supply",
                name_en=XSS,
                name_zh=XSS + "山口",
                route_id="outer_kora",
                lon=coords[0][0],
                lat=coords[0][1],
                probability=0.9,
                km_range=(26.4, 27.7),
                evidence=(f"<b>caller said</b> {text}",),
                stretch=coords,
            ),
        ),
        questions=(Question("q", XSS, XSS, "<script>alert(2)</script>", XSS, XSS, XSS, 0.5),),
        clues=Clues(
            text=text,
            mentions=(mention,),
            sights=(SightClue("<i>x</i>", text=XSS),),
            notes=(XSS,),
        ),
    )


def test_markup_in_the_locators_answer_stays_text(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web.api, "locate", markup_locator)
    page = session.page
    session.locate(XSS)
    panel = page.locator(PANEL)
    expect(panel.locator(CANDIDATES)).to_have_count(1)
    assert XSS in page.inner_text(f"{CANDIDATES} .st-cand-name")
    assert f"<b>caller said</b> {XSS}" in page.inner_text(".st-evidence")
    assert XSS in page.inner_text(".st-question-text")
    assert XSS in page.inner_text(".st-understood")
    assert panel.locator("img, b, script, i:not([class])").count() == 0

    # the map's tooltip for the stretch too
    # (a pointer event on the stretch itself: place names may lie over it)
    heat = page.locator(HEAT).last
    box = heat.bounding_box()
    assert box is not None
    at = {"clientX": box["x"] + box["width"] / 2, "clientY": box["y"] + box["height"] / 2}
    heat.dispatch_event("mouseover", {**at, "bubbles": True})
    page.wait_for_selector(".leaflet-tooltip.st-tip", timeout=5_000)  # not a place name
    assert page.locator(".leaflet-tooltip img").count() == 0

    # answering with markup appends text, never markup
    with page.expect_response("**/api/locate"):
        page.click("[data-answer=yes]")
    session.wait_idle()
    assert page.input_value(TEXT).endswith("<script>alert(2)</script>")
    page.wait_for_timeout(300)  # give an injected handler the chance to fire
    assert not any(urlsplit(url).path == "/x" for url in session.requests)
