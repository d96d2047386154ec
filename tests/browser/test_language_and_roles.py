"""Issue 17 in a real browser: the main flow in Chinese, and roles see only what they can do.

In Chinese (the page's switch), what the server wrote on the locate-and-plan flow (evidence,
station and place names, the plan's reason, legs and closure effects, error messages) is
Chinese; only names without a Chinese one in the data, ids, numbers and units stay ASCII.
A call taker gets no closure form (the server would refuse it), a planner no Locate form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.helpers import SignedIn, sign_in_page
from tests.web.test_chinese import english_words

pytestmark = pytest.mark.browser

ROWS = ".st-approach-table tbody tr"
#: what the server wrote on the main flow, as the page shows it
SERVER_TEXT = (
    ".st-evidence li",
    ".st-approach-station",
    ".st-approach-rec",
    ".st-approach-reason",
    ".st-approach-effects li",
    ".st-plan-detail .st-leg-route",
    ".st-plan-of",
)


def _names_without_chinese(base: str, page: Page) -> set[str]:
    out: set[str] = set()
    for layer in ("places", "stations", "routes", "segments"):
        body = page.request.get(f"{base}/api/{layer}").json()
        for f in body["features"]:
            p = f["properties"]
            if p.get("name_en") and not p.get("name_zh"):
                out.add(p["name_en"])
    return out


def test_the_main_flow_in_chinese_has_no_english_server_text(
    page: Page, live_server: str, signed_in: SignedIn
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    page.click("[data-set-lang=zh]")
    expect(page.locator("body")).to_have_class(re.compile("lang-zh"))
    page.fill("#st-locate-text", "在卓玛拉山口和止热寺之间")
    with page.expect_response("**/api/locate"):
        page.press("#st-locate-text", "Enter")
    expect(page.locator("#st-locate .st-approach")).to_be_visible(timeout=20_000)
    expect(page.locator(".st-evidence li").first).to_be_visible()
    with page.expect_response("**/api/approach") as answer:
        page.click(".st-approach-run")
    assert answer.value.status == 200
    expect(page.locator(ROWS).first).to_be_visible(timeout=20_000)
    page.locator(ROWS).first.click()
    expect(page.locator(".st-plan-detail .st-leg-route").first).to_be_visible()

    names = _names_without_chinese(live_server, page)
    shown: list[str] = []
    for selector in SERVER_TEXT:
        for text in page.locator(selector).all_inner_texts():
            if text.strip():
                shown.append(text)
                assert english_words(text, names) == [], (selector, text)
    assert len(shown) > 10, shown
    # the stations and the reason are in Chinese, not only free of English
    assert any("寺" in t or "站" in t or "点" in t for t in shown)
    # the switch set the language for the server too: its errors come in Chinese
    refused = page.request.post(
        f"{live_server}/api/locate",
        data=json.dumps({"text": ""}),
        headers={**signed_in.headers(), "Content-Type": "application/json"},
    )
    assert refused.status == 422
    assert refused.json()["error"]["message"] == "字段 'text' 为空：请描述呼救者所在位置"
    assert errors == []


@pytest.fixture
def pages(browser: Browser) -> Iterator[dict[str, Page]]:
    contexts = {}
    try:
        for role in ("call_taker", "officer", "planner"):
            contexts[role] = browser.new_context(viewport={"width": 1400, "height": 900})
        yield {role: context.new_page() for role, context in contexts.items()}
    finally:
        for context in contexts.values():
            context.close()


def test_each_role_sees_only_the_forms_it_may_use(pages: dict[str, Page], live_server: str) -> None:
    for role, page in pages.items():
        sign_in_page(page, live_server, role)
        page.goto(live_server + "/")
        page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    call_taker, officer, planner = pages["call_taker"], pages["officer"], pages["planner"]
    # the closure form: officers and planners set closures; a call taker has none to fill
    expect(officer.locator(".st-closures")).to_have_count(1)
    expect(planner.locator(".st-closures")).to_have_count(1)
    expect(call_taker.locator(".st-closures")).to_have_count(0)
    # the call taker still sees the closures in force
    expect(call_taker.locator(".st-closure-list")).to_be_visible()
    # Locate: for call takers and officers, not for planners
    expect(call_taker.locator(".st-locate-form")).to_be_visible()
    expect(officer.locator(".st-locate-form")).to_be_visible()
    expect(planner.locator(".st-locate-form")).to_be_hidden()
    expect(planner.locator(".st-locate-toggle")).to_be_hidden()
    # "Lift" on a closure in force: for those who may lift it only
    token = officer.locator("meta[name=csrf-token]").get_attribute("content") or ""
    headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
    segment = officer.request.get(live_server + "/api/segments").json()["features"][0]["id"]
    body = {"segment_ids": [segment], "reason": "ice", "modes": "all", "severity": "closed"}
    made = officer.request.post(
        live_server + "/api/closures", data=json.dumps(body), headers=headers
    )
    assert made.status == 201
    try:
        for page in (call_taker, officer):
            page.reload()
            page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
            expect(page.locator(".st-closure-list .st-closure-item")).not_to_have_count(0)
        expect(officer.locator(".st-closure-list .st-closure-lift").first).to_be_visible()
        expect(call_taker.locator(".st-closure-list .st-closure-lift").first).to_be_hidden()
    finally:
        closure_id = made.json()["closure_id"]
        officer.request.delete(f"{live_server}/api/closures/{closure_id}", headers=headers)
    # and the server agrees: what is hidden is refused
    for role, path, body in (
        ("call_taker", "/api/closures", {}),
        ("planner", "/api/locate", {"text": "Darchen"}),
    ):
        page = pages[role]
        token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
        answer = page.request.post(
            live_server + path,
            data=json.dumps(body),
            headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
        )
        assert answer.status == 403, (role, path)


def test_the_language_chosen_on_a_page_is_the_error_pages_language(
    page: Page, live_server: str
) -> None:
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)
    page.click("[data-set-lang=zh]")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("sandtable_lang") == "zh"
    # the server renders the 404 page in Chinese first (not only the page's script)
    page.route("**/static/lang.js", lambda route: route.abort())
    response = page.goto(live_server + "/no-such-page")
    assert response is not None and response.status == 404
    assert 'class="lang-zh st-error-page"' in response.text()
    expect(page.locator(".st-err-title [lang=zh-Hans]")).to_have_text("页面不存在")
    expect(page.locator(".st-err-links a").first).to_be_visible()
