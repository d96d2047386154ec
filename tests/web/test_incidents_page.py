"""The dispatch page (``GET /incidents``): who may open it, what it carries, escaping, settings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from rescue.incidents import CAUSES, LANGUAGES, OUTCOMES, PRIORITIES
from rescue.users import UserStore
from tests.web.conftest import PASSWORD, sign_in
from web import ConfigError, create_app


def page_config(html: str) -> dict[str, object]:
    found = re.search(
        r'<script type="application/json" id="st-config-incidents"[^>]*>(.*?)</script>', html
    )
    assert found, "the page carries no config"
    config: dict[str, object] = json.loads(found.group(1))
    return config


def test_anonymous_users_are_sent_to_the_log_in_page(app: Flask) -> None:
    response = app.test_client().get("/incidents")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "incidents" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("planner", 403), ("call_taker", 200), ("officer", 200), ("admin", 200)],
)
def test_roles(app: Flask, role: str, status: int) -> None:
    client = app.test_client()
    sign_in(client, role)
    response = client.get("/incidents")
    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "text/html"
        assert page_config(response.get_data(as_text=True))["role"] == role


def test_the_page_has_the_call_panel_the_list_and_the_map(client: FlaskClient) -> None:
    html = client.get("/incidents").get_data(as_text=True)
    for part in (
        'id="st-inc-call"',
        'id="st-inc-live"',
        'id="st-inc-map"',
        'class="st-inc-description" rows="4" maxlength="4000" autofocus',
        'class="st-user"',
        'name="csrf-token"',
        'data-set-lang="zh"',
        'href="/"',
        "<kbd>Ctrl+Enter</kbd>",
        "<kbd>P</kbd>",
        "<kbd>D</kbd>",
        "vendor/leaflet/leaflet.js",
        "incidents.js",
    ):
        assert part in html, part
    assert '<span lang="en">Dispatch</span><span lang="zh-Hans">派出</span>' in html
    assert "Mount Kailash" in html and "冈仁波齐" in html
    # every cause, priority and language of the incidents core is offered, none else
    for name, values in (("cause", CAUSES), ("priority", PRIORITIES), ("language", LANGUAGES)):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
        assert select, name
        offered = [v for v in re.findall(r'<option value="([^"]*)"', select.group(1)) if v]
        assert offered == list(values), name


def test_the_page_loads_only_local_assets(client: FlaskClient) -> None:
    html = client.get("/incidents").get_data(as_text=True)
    urls = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert any(u.endswith("/incidents.js") for u in urls)
    assert any(u.endswith("/incidents.css") for u in urls)
    for url in urls:
        assert url.startswith("/static/") or url.startswith("data:"), url
    assert not re.search(r"https?://", html)
    for url in [u for u in urls if u.startswith("/static/")]:
        with client.get(url) as response:
            assert response.status_code == 200, url


def test_config_carries_the_targets_and_the_vocabulary(client: FlaskClient) -> None:
    config = page_config(client.get("/incidents").get_data(as_text=True))
    assert config["dispatch_target_s"] == 300
    assert config["on_scene_allowance_s"] == 600
    assert config["outcomes"] == list(OUTCOMES)
    assert config["refresh_s"] == 10
    region = config["region"]
    assert isinstance(region, dict) and len(region["bbox"]) == 4


def test_targets_come_from_the_settings(tmp_path: Path) -> None:
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": str(tmp_path),
            "DISPATCH_TARGET_S": 420,
            "ON_SCENE_ALLOWANCE_S": 0,
        }
    )
    try:
        client = app.test_client()
        sign_in(client, "officer")
        html = client.get("/incidents").get_data(as_text=True)
        config = page_config(html)
        assert config["dispatch_target_s"] == 420
        assert config["on_scene_allowance_s"] == 0
        assert "dispatch within 7.0 min of the call" in html
    finally:
        app.extensions["sandtable"].store.dispose()


def test_targets_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDTABLE_DISPATCH_TARGET_S", "240")
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path)})
    try:
        client = app.test_client()
        sign_in(client, "call_taker")
        assert (
            page_config(client.get("/incidents").get_data(as_text=True))["dispatch_target_s"] == 240
        )
    finally:
        app.extensions["sandtable"].store.dispose()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("DISPATCH_TARGET_S", 0),
        ("DISPATCH_TARGET_S", "five minutes"),
        ("DISPATCH_TARGET_S", True),
        ("DISPATCH_TARGET_S", 2.5),
        ("ON_SCENE_ALLOWANCE_S", -1),
        ("ON_SCENE_ALLOWANCE_S", 86_401),
        ("ON_SCENE_ALLOWANCE_S", None),
    ],
)
def test_bad_targets_stop_the_start(tmp_path: Path, key: str, value: object) -> None:
    with pytest.raises(ConfigError) as caught:
        create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path), key: value})
    assert any(f"SANDTABLE_{key}" in d for d in caught.value.details)


def test_the_page_escapes_the_user_name(app: Flask) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    store = app.extensions["sandtable"].store
    user = UserStore(store.reader, store.writer).create_user(
        "sonam-xss", PASSWORD, "officer", display_name=hostile
    )
    client = app.test_client()
    response = client.post("/api/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    html = client.get("/incidents").get_data(as_text=True)
    assert hostile not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_incidents_on_the_api_do_not_reach_the_page_html(client: FlaskClient) -> None:
    # the page carries no incident data: the script fetches them (and puts them in as text)
    hostile = "<script>alert('x')</script>"
    created = client.post("/api/incidents", json={"description": hostile, "caller_name": hostile})
    assert created.status_code == 201
    html = client.get("/incidents").get_data(as_text=True)
    assert hostile not in html


def test_the_page_script_never_puts_data_in_as_html() -> None:
    script = (Path(__file__).parents[2] / "web" / "static" / "incidents.js").read_text()
    assert "innerHTML" not in script
    assert "insertAdjacentHTML" not in script
    assert "document.write" not in script
