"""Tibetan and Chinese web fonts, served by the app: a Tibetan name renders, not as tofu."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

#: a font family no machine has: text in it falls back to the browser's default font, which
#: on a machine without a Tibetan font draws Tibetan as empty boxes (tofu)
NO_FONT = "st-no-such-font-9f2c"

#: open the Tibetan name's popup (place "darchen"), wait for the fonts its text needs, then
#: measure the name as the page draws it and the same text in the missing family
MEASURE = """async ([placeId, noFont]) => {
  let marker = null;
  window.sandtableLayers.places.eachLayer((layer) => {
    if (layer.feature && layer.feature.properties.place_id === placeId) { marker = layer; }
  });
  marker.openPopup();
  const name = document.querySelector(".leaflet-popup .st-pop-bo");
  name.style.whiteSpace = "nowrap";
  name.style.display = "inline-block";
  name.getBoundingClientRect();  // lays the text out: the browser asks for the fonts it needs
  await document.fonts.ready;
  const served = name.getBoundingClientRect().width;
  const text = name.textContent;
  name.style.fontFamily = '"Noto Serif Tibetan"';
  const servedAlone = name.getBoundingClientRect().width;
  name.style.fontFamily = '"' + noFont + '"';
  const tofu = name.getBoundingClientRect().width;
  const size = getComputedStyle(name).fontSize;
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = size + ' "Noto Serif Tibetan"';
  const canvasServed = ctx.measureText(text).width;
  ctx.font = size + ' "' + noFont + '"';
  const canvasTofu = ctx.measureText(text).width;
  return {
    text, served, servedAlone, tofu, canvasServed, canvasTofu,
    loaded: document.fonts.check(size + ' "Noto Serif Tibetan"', text),
  };
}"""


def test_a_tibetan_name_renders_with_the_served_font(page: Page, live_server: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)

    m = page.evaluate(MEASURE, ["darchen", NO_FONT])

    assert m["text"] == "དར་ཆེན"
    assert m["loaded"], "the Tibetan font did not load"
    # the served font draws the stacked syllables; tofu is one box per code point
    assert abs(m["served"] - m["tofu"]) > 2, m
    assert abs(m["canvasServed"] - m["canvasTofu"]) > 2, m
    # the page drew it in the served font: as wide as the same text in that family alone
    # (a canvas measures without the page's shaping in newer Chromium, so it is not the yardstick)
    assert abs(m["served"] - m["servedAlone"]) < 2, m
    tibetan = [u for u in requests if u.endswith("noto-serif-tibetan-tibetan-400-normal.woff2")]
    assert tibetan and all(u.startswith(live_server + "/static/vendor/fonts/") for u in tibetan)
    # fonts of other scripts are not fetched for this page's Latin text
    assert not any("noto-serif-tibetan-latin" in u for u in requests)
    assert {urlsplit(u).netloc for u in requests if u.startswith("http")} == {
        urlsplit(live_server).netloc
    }


def test_the_chinese_font_is_served_in_parts(page: Page, live_server: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(live_server + "/")
    page.wait_for_selector("body[data-map-ready=true]", timeout=20_000)

    text = "冈仁波齐转山"
    faces = page.evaluate(
        """async (text) => (await document.fonts.load('16px "Noto Sans SC"', text))
             .map((face) => face.status)""",
        text,
    )
    # only the unicode-range parts holding these characters (at most one each) are loaded
    assert 1 <= len(faces) <= len(text) and set(faces) == {"loaded"}, faces
    total = page.evaluate(
        """() => [...document.fonts].filter((f) => f.family.includes("Noto Sans SC")).length"""
    )
    parts = {u for u in requests if "/fonts/noto-sans-sc/files/" in u}
    # the page's own Chinese text needs some parts, never the whole font
    assert len(faces) <= len(parts) < total / 3, (len(parts), total)
    assert all(u.startswith(f"{live_server}/static/vendor/") for u in parts)
    assert all(u.endswith(".woff2") for u in parts)
