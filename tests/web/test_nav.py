"""Every page links to the other pages the signed-in user's role may open, and no others."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.web.conftest import signed_in_client

#: page → the roles that may open it (besides admin), as the views' require_role say
PAGES = {
    "/": ("call_taker", "officer", "planner"),
    "/incidents": ("call_taker", "officer"),
    "/reports": ("officer", "planner"),
    "/planner": ("planner",),
}
LINK = re.compile(r'<a class="st-nav-link st-(\w+)-link" href="([^"]+)"')


@pytest.mark.parametrize("role", ["call_taker", "officer", "planner", "admin"])
def test_links_follow_the_role(app: Flask, role: str) -> None:
    client = signed_in_client(app, role)
    may = {path for path, roles in PAGES.items() if role == "admin" or role in roles}
    for path in sorted(may):
        response = client.get(path)
        assert response.status_code == 200, (role, path)
        links = {href for _, href in LINK.findall(response.get_data(as_text=True))}
        assert links == may - {path}, (role, path)
        for href in links:  # and every link opens
            assert client.get(href).status_code == 200, (role, href)


def test_may_open_is_false_for_unknown_and_unguarded_endpoints(app: Flask) -> None:
    from web.auth import may_open

    client = signed_in_client(app, "admin")
    with client:
        client.get("/api/me")
        assert may_open("map.index")
        assert not may_open("no.such_endpoint")
        assert not may_open("static")  # no role check: never linked
