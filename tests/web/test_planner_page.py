"""The planners' page (``GET /planner``): served, its panels, only local assets, linked."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def test_planner_page_is_served_with_its_panels(client: FlaskClient) -> None:
    response = client.get("/planner")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    for part in (
        'id="st-pl-import"',
        'id="st-pl-edit"',
        'id="st-pl-history"',
        'id="st-pl-map"',
        'id="st-pl-user"',
        'class="st-pl-import-form"',
        'name="snap_tolerance_m" class="st-pl-snap" value="50"',
        'data-set-lang="zh"',
    ):
        assert part in html, part
    assert "Mount Kailash" in html and "冈仁波齐" in html
    # both languages label the panels
    assert '<span lang="en">History</span><span lang="zh-Hans">历史</span>' in html


def test_planner_page_loads_only_local_assets(client: FlaskClient) -> None:
    html = client.get("/planner").get_data(as_text=True)
    urls = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert any(u.endswith("/planner.js") for u in urls)
    assert any(u.endswith("/vendor/leaflet/leaflet.js") for u in urls)
    for url in urls:
        assert url.startswith("/static/") or url.startswith("data:"), url
    assert not re.search(r"https?://", html)
    for url in [u for u in urls if u.startswith("/static/")]:
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_map_and_planner_link_to_each_other(client: FlaskClient) -> None:
    assert 'href="/planner"' in client.get("/").get_data(as_text=True)
    assert 'href="/"' in client.get("/planner").get_data(as_text=True)


def test_planner_page_counts_follow_the_data(client: FlaskClient) -> None:
    # the page is made per data version: a new version does not break it
    first = client.get("/planner")
    assert first.status_code == 200
    stored = client.get("/api/data/places/darchen").get_json()
    stored["feature"]["properties"]["notes"] = "checked"
    body = {"feature": stored["feature"], "base_revision": stored["revision"], "message": "check"}
    assert client.put("/api/data/places/darchen", json=body).status_code == 201
    assert client.get("/planner").status_code == 200
