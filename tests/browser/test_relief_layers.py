"""Relief offline in a browser: a planner loads the test DEM on /planner, the map draws it.

The DEM is made by the test (a cone on Mount Kailash and a ridge, tests/relief_data.py);
no request leaves the machine.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.helpers import SignedIn
from tests.relief_data import geotiff_bytes, mbtiles_bytes

pytestmark = pytest.mark.browser

#: every loaded hillshade tile image (drawn on a canvas): its distinct (grey, alpha) values,
#: and its shadow (dark) and lit (light) pixels
TILE_PIXELS = """() => {
  const imgs = Array.from(document.querySelectorAll('img.leaflet-tile-loaded'))
    .filter(img => img.src.includes('/api/relief/hillshade/'));
  return imgs.map(img => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const values = new Set();
    let dark = 0, light = 0;
    for (let i = 0; i < data.length; i += 4) {
      values.add(data[i] + ',' + data[i + 3]);
      if (data[i + 3] > 0) { if (data[i] < 128) { dark += 1; } else { light += 1; } }
    }
    return {src: img.src, size: img.naturalWidth, distinct: values.size, dark, light};
  });
}"""


def _offline(page: Page, base: str) -> list[str]:
    foreign: list[str] = []

    def route(r: Route) -> None:
        url = urlsplit(r.request.url)
        if url.scheme in ("http", "https") and url.netloc != urlsplit(base).netloc:
            foreign.append(r.request.url)
            r.abort("blockedbyclient")
        else:
            r.continue_()

    page.route("**/*", route)
    return foreign


def _load_on_planner_page(page: Page, base: str, name: str, data: bytes) -> None:
    page.goto(base + "/planner")
    page.wait_for_selector("body[data-planner-ready=true]", timeout=20_000)
    page.click(".st-pl-tabs [data-tab=relief]")
    page.set_input_files(
        ".st-pl-relief-file", files=[{"name": name, "mimeType": "image/tiff", "buffer": data}]
    )
    page.click(".st-pl-relief-upload")


def test_without_a_dem_the_map_says_so(page: Page, server: str) -> None:
    foreign = _offline(page, server)
    page.goto(server + "/")
    page.wait_for_selector("body[data-relief=none]", timeout=20_000)
    note = page.locator(".leaflet-control-layers .st-relief-missing")
    expect(note).to_contain_text("No elevation model (DEM) loaded")
    assert page.locator("label.st-relief-off input:disabled").count() == 2
    assert page.locator("img[src*='api/relief/']").count() == 0
    assert foreign == []


SIZES = {"desktop": (1440, 900), "tablet": (768, 1024), "phone": (390, 844)}

#: the relief caption's box, and the boxes it meets: the other map controls (the layer
#: control's folded button among them) and the Locate form's visible parts
CAPTION_CLEAR = """() => {
  const cap = document.querySelector(".st-relief-status").getBoundingClientRect();
  const meets = (r) => r.width > 0 && r.height > 0 && r.left < cap.right && cap.left < r.right
    && r.top < cap.bottom && cap.top < r.bottom;
  const others = Array.from(document.querySelectorAll(
      ".leaflet-control:not(.st-relief-status), #st-locate-text, .st-locate-run"))
    .filter(el => el.checkVisibility());
  const map = document.querySelector(".st-map").getBoundingClientRect();
  return {inside: cap.left >= map.left && cap.right <= map.right && cap.top >= map.top
            && cap.bottom <= map.bottom,
          meets: others.filter(el => meets(el.getBoundingClientRect()))
            .map(el => el.className || el.id)};
}"""

#: is the element under the middle of ``s`` (the Locate form's parts) ``s`` itself?
UNCOVERED = """(s) => { const el = document.querySelector(s); const r = el.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return hit === el || el.contains(hit); }"""


def _caption_shown_folded(page: Page, en: str, zh: str) -> None:
    """The layer control is folded, its relief caption says ``en`` (``zh`` in Chinese), is
    inside the map and meets no other control nor the Locate form, which stays uncovered."""
    page.mouse.move(1, 1)  # the pointer on the header, not over a control
    phone = page.viewport_size is not None and page.viewport_size["width"] < 760
    for selector in ("#st-locate-text", ".st-locate-run"):
        assert page.evaluate(UNCOVERED, selector), selector
    if phone:  # the Locate panel lies over the map and its controls: fold it to see them
        page.click(".st-locate-hide")
        page.mouse.move(1, 1)
    expect(page.locator(".leaflet-control-layers-list")).to_be_hidden()
    caption = page.locator(".st-relief-status")
    for lang, text in (("en", en), ("zh", zh)):
        page.click(f"[data-set-lang={lang}]")
        page.mouse.move(1, 1)
        shown = caption.locator("[lang=en]" if lang == "en" else "[lang=zh-Hans]")
        expect(shown).to_be_visible()
        expect(shown).to_have_text(text)
        expect(shown).to_be_in_viewport()
        assert page.evaluate(CAPTION_CLEAR) == {"inside": True, "meets": []}
    if phone:
        page.click(".st-locate-toggle")
        for selector in ("#st-locate-text", ".st-locate-run"):
            assert page.evaluate(UNCOVERED, selector), selector
    else:  # opened, the control's own note says it and the caption steps aside
        page.hover(".leaflet-control-layers-toggle")
        expect(page.locator(".leaflet-control-layers .st-relief-note")).to_be_visible()
        expect(caption).to_be_hidden()


@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_the_folded_layer_control_has_a_relief_caption(
    page: Page, server: str, signed_in: SignedIn, size: str
) -> None:
    """Folded, the layer control hides its relief note: a caption under its button says
    whether a DEM is loaded (and which), in both languages, covering no control and no form."""
    foreign = _offline(page, server)
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.goto(server + "/")
    page.wait_for_selector("body[data-relief=none]", timeout=20_000)
    _caption_shown_folded(page, "No DEM loaded — relief off", "未加载高程模型（DEM）——无地形晕渲")
    # the find box's list of places reaches the caption's row: the caption steps aside
    page.mouse.move(1, 1)  # off the layer control (hovered above)
    if page.locator(".st-find-toggle").is_visible():
        if page.locator(".st-locate-toggle").get_attribute("aria-expanded") == "true":
            page.click(".st-locate-hide")
        page.click(".st-find-toggle")
    page.fill(".st-find-q", "tarchen")
    expect(page.locator(".st-find-results .st-find-item").first).to_be_visible()
    expect(page.locator(".st-relief-status")).to_be_hidden()
    page.fill(".st-find-q", "")
    expect(page.locator(".st-find-results")).to_be_hidden()
    expect(page.locator(".st-relief-status")).to_be_visible()
    if page.locator(".st-locate-toggle").get_attribute("aria-expanded") == "false":
        page.click(".st-locate-toggle")  # the Locate panel as it was

    loaded = page.request.post(
        server + "/api/relief/dem",
        multipart={
            "file": {
                "name": "kailash-cone.tif",
                "mimeType": "image/tiff",
                "buffer": geotiff_bytes(),
            }
        },
        headers=signed_in.headers(),
    )
    assert loaded.status == 201, loaded.text()
    page.goto(server + "/")
    page.wait_for_selector("body[data-relief=dem]", timeout=20_000)
    _caption_shown_folded(
        page, "Relief: DEM “kailash-cone.tif”", "地形：高程模型“kailash-cone.tif”"
    )
    assert page.locator(".st-relief-status").count() == 1
    assert foreign == []


def test_after_loading_the_test_dem_the_map_draws_hillshade(page: Page, server: str) -> None:
    foreign = _offline(page, server)
    _load_on_planner_page(page, server, "kailash-cone.tif", geotiff_bytes())
    expect(page.locator(".st-pl-relief-dem")).to_have_attribute("data-loaded", "true")
    expect(page.locator(".st-pl-relief-dem")).to_contain_text("kailash-cone.tif")
    page.wait_for_selector("body[data-relief=dem]")
    # the planner's own map shows the hillshade under the data
    page.wait_for_function(
        "() => document.querySelectorAll('.st-pl-hillshade img.leaflet-tile-loaded').length > 0",
        timeout=20_000,
    )

    page.goto(server + "/")
    page.wait_for_selector("body[data-relief=dem]", timeout=20_000)
    page.wait_for_function("() => !window.sandtableMap._animatingZoom")
    page.evaluate("() => window.sandtableMap.setView([31.06667, 81.3125], 12, {animate: false})")
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('img.leaflet-tile-loaded'))
             .filter(img => img.src.includes('/api/relief/hillshade/')).length >= 4""",
        timeout=20_000,
    )
    tiles = page.evaluate(TILE_PIXELS)
    assert tiles and all(t["size"] == 256 for t in tiles)
    # the tiles over the cone are shaded: shadows and lit slopes in several tones
    assert max(t["distinct"] for t in tiles) >= 8, tiles
    assert sum(t["dark"] for t in tiles) > 1000 and sum(t["light"] for t in tiles) > 1000, tiles
    assert all("?v=" in t["src"] for t in tiles)
    expect(page.locator(".leaflet-control-layers .st-relief-loaded")).to_contain_text(
        "kailash-cone.tif"
    )
    page.wait_for_function(
        """() => document.querySelectorAll(
             "img.leaflet-tile-loaded[src*='api/relief/contours/']").length >= 4""",
        timeout=20_000,
    )
    assert foreign == []


def test_a_bad_file_on_the_planner_page_names_the_problem(page: Page, server: str) -> None:
    _offline(page, server)
    _load_on_planner_page(page, server, "plain.tif", geotiff_bytes(georeferenced=False))
    error = page.locator(".st-pl-relief-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("plain.tif: not georeferenced")
    page.click("[data-set-lang=zh]")
    expect(error.locator("[lang=zh-Hans]")).to_contain_text("没有地理参考")
    expect(page.locator(".st-pl-relief-dem")).to_have_attribute("data-loaded", "false")


def test_an_mbtiles_basemap_becomes_the_maps_base_layer(
    page: Page, server: str, tmp_path: Path
) -> None:
    foreign = _offline(page, server)
    _load_on_planner_page(page, server, "kora.mbtiles", mbtiles_bytes(tmp_path))
    expect(page.locator(".st-pl-relief-mbtiles")).to_have_attribute("data-loaded", "true")
    expect(page.locator(".st-pl-relief-mbtiles")).to_contain_text("4 tiles")
    page.goto(server + "/")
    page.wait_for_selector("body[data-relief=mbtiles]", timeout=20_000)
    page.wait_for_function("() => !window.sandtableMap._animatingZoom")
    page.evaluate("() => window.sandtableMap.setView([31.06667, 81.3125], 12, {animate: false})")
    page.wait_for_function(
        """() => Array.from(document.querySelectorAll('img.leaflet-tile-loaded'))
             .some(img => img.src.includes('/api/relief/basemap/12/2973/1675'))""",
        timeout=20_000,
    )
    checked = page.locator(".leaflet-control-layers-base label", has_text="Offline basemap")
    expect(checked.locator("input")).to_be_checked()
    # no DEM: the relief rows are disabled and the note says so (in the control, once opened)
    page.hover(".leaflet-control-layers")
    expect(page.locator(".st-relief-missing")).to_be_visible()
    assert foreign == []
