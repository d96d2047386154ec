"""Styled, bilingual error pages on page routes; the JSON envelope under /api."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient

from geodata.errors import NotFound, Unauthorized
from geodata.i18n import msg
from tests.web.conftest import instance_with_database, signed_in_client
from web import create_app
from web.error_pages import TEXTS
from web.errors import TooLarge


@pytest.fixture
def err_app(tmp_path_factory: pytest.TempPathFactory, seeded_database: Path) -> Iterator[Flask]:
    """The app on SQLite, with page routes that fail in the ways the app's views can."""
    instance = instance_with_database(tmp_path_factory, seeded_database)
    app = create_app({"TESTING": True, "INSTANCE_DIR": str(instance)})

    def unauthorized() -> str:
        raise Unauthorized("sign in first")

    def not_found() -> str:
        raise NotFound("no such incident")

    def broken() -> str:
        raise RuntimeError("secret /srv/path detail")

    app.add_url_rule("/test-401", "test_401", unauthorized)
    app.add_url_rule("/test-404", "test_404", not_found)
    app.add_url_rule("/test-500", "test_500", broken)
    app.add_url_rule("/test-abort-401", "test_abort_401", lambda: abort(401))

    def too_large() -> str:
        raise TooLarge(msg("large.body", kb=64, more=""))

    app.add_url_rule("/test-413", "test_413", too_large)
    app.add_url_rule("/test-abort-413", "test_abort_413", lambda: abort(413))
    yield app
    app.extensions["sandtable"].store.dispose()


def assert_error_page(response: object, status: int) -> str:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.mimetype == "text/html"  # type: ignore[attr-defined]
    html: str = response.get_data(as_text=True)  # type: ignore[attr-defined]
    text = TEXTS[status]
    # the app's look (its stylesheet and bar) and both languages
    assert "sandtable.css" in html and 'class="st-bar"' in html
    assert 'name="viewport"' in html
    assert f'data-status="{status}"' in html
    for words in (text.title_en, text.title_zh, text.text_en, text.text_zh):
        assert words in html
    return html


@pytest.mark.parametrize("path", ["/test-401", "/test-abort-401"])
def test_401_page_offers_sign_in(err_app: Flask, path: str) -> None:
    html = assert_error_page(err_app.test_client().get(path), 401)
    assert f'href="/login?next={path}"' in html
    assert "st-map-link" not in html  # nothing a signed-out user cannot open


def test_403_page_links_the_pages_the_role_may_open(err_app: Flask) -> None:
    client = signed_in_client(err_app, "call_taker")
    html = assert_error_page(client.get("/planner"), 403)
    assert 'href="/"' in html and 'href="/incidents"' in html  # map and dispatch
    assert 'href="/planner"' not in html and 'href="/reports"' not in html
    assert "Sign in as another user" in html and "换个用户登录" in html


def test_404_page_of_an_unknown_address_and_of_a_not_found_error(err_app: Flask) -> None:
    client = signed_in_client(err_app, "planner")
    for path in ("/no-such-page", "/test-404"):
        html = assert_error_page(client.get(path), 404)
        assert 'href="/planner"' in html and 'href="/incidents"' not in html
        assert "/login" not in html.split('class="st-err"')[1]  # signed in: no sign-in link


def test_405_page_keeps_the_allow_header(err_app: Flask) -> None:
    response = signed_in_client(err_app).get("/logout")
    assert_error_page(response, 405)
    assert response.headers["Allow"].split(", ").count("POST") == 1


def test_413_page_says_the_limit_in_both_languages(err_app: Flask) -> None:
    client = signed_in_client(err_app, "officer")
    html = assert_error_page(client.get("/test-413"), 413)
    limit = msg("large.body", kb=64, more="")
    assert limit.render("en") in html and limit.render("zh") in html
    assert 'href="/"' in html  # a way back
    assert_error_page(client.get("/test-abort-413"), 413)


def test_500_page_hides_the_error(err_app: Flask) -> None:
    html = assert_error_page(signed_in_client(err_app).get("/test-500"), 500)
    assert "secret" not in html and "RuntimeError" not in html


@pytest.mark.parametrize(
    ("accept", "lang"), [("zh-CN,zh;q=0.9,en;q=0.5", "zh"), ("en-GB,en;q=0.8", "en"), ("", "en")]
)
def test_error_page_language_follows_accept_language(
    err_app: Flask, accept: str, lang: str
) -> None:
    headers = {"Accept-Language": accept} if accept else {}
    response = err_app.test_client().get("/no-such-page", headers=headers)
    assert f'<body class="lang-{lang} st-error-page">' in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_api_errors_keep_the_json_envelope(err_app: Flask) -> None:
    client: FlaskClient = err_app.test_client()
    response = client.get("/api/me")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    response = signed_in_client(err_app).get("/api/no-such-thing")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404
    response = signed_in_client(err_app, "call_taker").get("/api/versions")
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
