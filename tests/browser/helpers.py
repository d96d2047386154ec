"""Users for the browser tests: made on the served app, signed in through the log-in form.

A module of its own (not the conftest) so that the fixtures and the tests share one
registry of served apps.
"""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page, expect

#: the password of every user the browser tests make
PASSWORD = "mani stones 108"
#: the app behind each served base URL, to make users in its database
APPS: dict[str, Any] = {}


def make_user(base: str, role: str = "admin", username: str | None = None) -> str:
    """A new user with ``role`` (and :data:`PASSWORD`) on the app served at ``base``."""
    from rescue.users import UserStore

    store = APPS[base].extensions["sandtable"].store
    name = username or f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    return UserStore(store.reader, store.writer).create_user(name, PASSWORD, role).username


@dataclass(frozen=True)
class SignedIn:
    """The user a page is signed in as, and the session's CSRF token."""

    base: str
    username: str
    token: str

    def headers(self) -> dict[str, str]:
        """Headers for an unsafe ``page.request`` call of this session."""
        return {"X-CSRF-Token": self.token}


def sign_in_page(
    page: Page, base: str, role: str = "admin", username: str | None = None
) -> SignedIn:
    """Make a user and sign ``page`` in as them through the log-in form of ``base``."""
    name = make_user(base, role, username)
    page.goto(f"{base}/login?next=/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click(".st-login-submit")
    expect(page.locator(".st-login-name")).to_have_text(name)
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert token
    return SignedIn(base, name, token)


class ApiUser:
    """Another signed-in user calling the JSON API over plain HTTP (cookie and CSRF token)."""

    def __init__(self, base: str, role: str = "admin", username: str | None = None) -> None:
        self.base = base
        self.username = make_user(base, role, username)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        self.token = ""
        status, body = self.call(
            "POST", "/api/login", {"username": self.username, "password": PASSWORD}
        )
        assert status == 200, body
        self.token = body["csrf_token"]

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """``(status, JSON body)`` of a request with a JSON body."""
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["X-CSRF-Token"] = self.token
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, json.load(exc)

    def get(self, path: str) -> Any:
        """The JSON body of ``GET path`` (which must answer 200)."""
        status, body = self.call("GET", path)
        assert status == 200, (path, body)
        return body
