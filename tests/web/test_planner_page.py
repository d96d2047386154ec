"""The planners' page (``GET /planner``): served, its panels, only local assets, linked."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.web.conftest import sign_in


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
        'class="st-user"',
        'name="csrf-token"',
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


def test_both_pages_show_the_user_and_carry_the_csrf_token(client: FlaskClient) -> None:
    token = sign_in(client, "planner", "norbu")
    for url in ("/", "/planner"):
        html = client.get(url).get_data(as_text=True)
        assert f'<meta name="csrf-token" content="{token}">' in html, url
        assert '<span class="st-user-name" title="planner">norbu</span>' in html, url
        # the sign-out form posts the token to /logout
        form = re.search(
            r'<form class="st-user" method="post" action="([^"]+)">(.*?)</form>', html, re.S
        )
        assert form and form.group(1) == "/logout", url
        assert f'name="csrf_token" value="{token}"' in form.group(2), url
        assert 'id="st-pl-user"' not in html and "X-Sandtable-User" not in html


def test_sign_out_from_a_page(client: FlaskClient) -> None:
    token = sign_in(client, "officer")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_only_planners_see_the_link_to_the_planner_page(client: FlaskClient) -> None:
    for role, shown in (("call_taker", False), ("officer", False), ("planner", True)):
        sign_in(client, role)
        assert ('href="/planner"' in client.get("/").get_data(as_text=True)) is shown, role
