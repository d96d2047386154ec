"""The planner page: a version's changes (table and map), the per-property conflict view,
the search box, and the import status of an earlier preview (issue 17 item 5)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_planner_page import Session, api, lonely_place, session  # noqa: F401
from tests.common import kailash_walk

pytestmark = pytest.mark.browser


def _edit(base: str, place_id: str, **props: object) -> int:
    """Another planner changes ``props`` of a place (and moves it if ``lonlat`` is given)."""
    status, stored = api(base, "GET", f"/api/data/places/{place_id}")
    assert status == 200
    feature = stored["feature"]
    lonlat = props.pop("lonlat", None)
    feature["properties"].update(props)
    if lonlat is not None:
        feature["geometry"]["coordinates"] = list(lonlat)
    status, body = api(
        base,
        "PUT",
        f"/api/data/places/{place_id}",
        {"feature": feature, "base_revision": stored["revision"], "message": "theirs"},
    )
    assert status == 201, body
    return int(body["version"]["version_id"])


def test_a_versions_changes_show_in_a_table_and_on_the_map(session: Session) -> None:  # noqa: F811
    page = session.page
    place_id, name = lonely_place(session.base)
    _, stored = api(session.base, "GET", f"/api/data/places/{place_id}")
    lon, lat = stored["feature"]["geometry"]["coordinates"][:2]
    version = _edit(
        session.base, place_id, notes="moved after the survey", lonlat=(lon + 0.001, lat)
    )
    session.open()
    session.tab("history")
    item = page.locator(f".st-pl-version[data-version='{version}']")
    item.locator(".st-pl-show-changes").click()
    rows = item.locator(".st-pl-changes-table tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    expect(row).to_have_attribute("data-key", f"places/{place_id}")
    expect(row.locator(".st-pl-change-name")).to_have_text(name)
    expect(row.locator(".st-pl-change-op")).to_contain_text("changed place")
    expect(row.locator(".st-pl-change-keys")).to_have_text("notes, geometry")
    expect(item.locator(".st-pl-changes-head")).to_contain_text(f"1 change in version {version}")
    # on the map: the new position and the old one (dashed)
    expect(page.locator("path.st-pl-ch-update")).to_have_count(1)
    expect(page.locator("path.st-pl-ch-before")).to_have_count(1)
    # version 1 (the seed) has no feature changes to list, and says so
    first = page.locator(".st-pl-version[data-version='1']")
    first.locator(".st-pl-show-changes").click()
    expect(item.locator(".st-pl-changes")).to_have_count(0)  # one version at a time
    expect(page.locator("path.st-pl-ch")).to_have_count(0)
    expect(first.locator(".st-pl-changes-none")).to_contain_text("first data")
    # a second click closes it
    first.locator(".st-pl-show-changes").click()
    expect(page.locator(".st-pl-changes")).to_have_count(0)
    expect(page.locator("path.st-pl-ch")).to_have_count(0)


def test_a_conflict_lists_only_the_differing_properties_and_merges_them(
    session: Session,  # noqa: F811
) -> None:
    page = session.page
    place_id, name = lonely_place(session.base)
    session.click_point("places", place_id)
    form = page.locator(".st-pl-edit-form")
    form.locator("#st-pl-in-name_en").fill("My name")
    form.locator("#st-pl-in-notes").fill("my notes")
    _edit(session.base, place_id, notes="their notes", name_zh="他们的名字")
    form.locator(".st-pl-edit-message").fill("checked on the ground")
    with page.expect_response(lambda r: r.request.method == "PUT") as clash:
        form.locator(".st-pl-save").click()
    assert clash.value.status == 409
    table = page.locator(".st-pl-conflict-table")
    rows = table.locator("tbody tr")
    # name_en (mine), notes (both), name_zh (theirs) differ; nothing else is listed
    expect(rows).to_have_count(3)
    assert sorted(rows.evaluate_all("rs => rs.map(r => r.dataset.property)")) == [
        "name_en",
        "name_zh",
        "notes",
    ]
    expect(table.locator("tr[data-property=name_en] .st-pl-theirs")).to_have_text(name)
    expect(table.locator("tr[data-property=name_en] .st-pl-yours")).to_have_text("My name")
    # keep my name, take their notes and their Chinese name
    table.locator("tr[data-property=notes] .st-pl-choice-theirs input").check()
    table.locator("tr[data-property=name_zh] .st-pl-choice-theirs input").check()
    with page.expect_response(lambda r: r.request.method == "PUT") as merged:
        page.click(".st-pl-save-merged")
    assert merged.value.status == 201
    expect(page.locator(".st-pl-status")).to_contain_text("Merged and saved as version")
    props = api(session.base, "GET", f"/api/places/{place_id}")[1]["properties"]
    assert (props["name_en"], props["notes"], props["name_zh"]) == (
        "My name",
        "their notes",
        "他们的名字",
    )
    expect(page.locator("#st-pl-in-name_en")).to_have_value("My name")
    expect(page.locator(".st-pl-conflict-table")).to_have_count(0)


@pytest.mark.parametrize(
    "query", ["冈仁波齐", "mount kailash", "Kang Rinpoche", "གངས་རིན་པོ་ཆེ", "kailash_summit"]
)
def test_the_search_finds_a_feature_by_any_name(session: Session, query: str) -> None:  # noqa: F811
    page = session.page
    page.fill(".st-pl-search-input", query)
    first = page.locator(".st-pl-search-hit").first
    expect(first).to_have_attribute("data-key", "places/kailash_summit")
    expect(first.locator(".st-pl-search-name")).to_have_text("Mount Kailash summit")
    page.press(".st-pl-search-input", "Enter")
    expect(page.locator(".st-pl-edit-id")).to_have_text(" kailash_summit")
    expect(page.locator(".st-pl-search-results")).to_be_hidden()


def test_the_search_says_when_nothing_has_that_name(session: Session) -> None:  # noqa: F811
    page = session.page
    page.fill(".st-pl-search-input", "zzzz no such place")
    expect(page.locator(".st-pl-search-none")).to_contain_text("No feature has that name.")
    page.fill(".st-pl-search-input", "Darchen")
    expect(page.locator(".st-pl-search-hit[data-key='places/darchen']")).to_have_count(1)


def test_a_new_preview_clears_import_discarded(session: Session) -> None:  # noqa: F811
    page = session.page
    walk = {"name": "walk.gpx", "mimeType": "application/gpx+xml", "buffer": kailash_walk()}
    page.set_input_files(".st-pl-file", files=[walk])
    with page.expect_response(lambda r: r.url.endswith("/api/imports"), timeout=60_000) as first:
        page.click(".st-pl-upload")
    assert first.value.status == 201
    expect(page.locator(".st-pl-proposal").first).to_be_visible()
    page.click(".st-pl-discard")
    expect(page.locator(".st-pl-status")).to_contain_text("Import discarded.")
    page.set_input_files(".st-pl-file", files=[walk])
    with page.expect_response(lambda r: r.url.endswith("/api/imports"), timeout=60_000) as again:
        page.click(".st-pl-upload")
    assert again.value.status == 201
    expect(page.locator(".st-pl-preview")).to_be_visible()
    expect(page.locator(".st-pl-status")).to_be_hidden()
    expect(page.locator(".st-pl-status")).not_to_contain_text("Import discarded.")
