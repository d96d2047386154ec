"""Role bypass attempts on every rule of the url_map, for every role.

The expectation of each (method, rule) is the role list documented in
:data:`web.openapi.OPERATIONS` (pages: :data:`tests.security.conftest.PAGES`); the first
test checks that list against the README matrix of ``tests/web/test_roles.py``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient

from rescue.users import ROLES
from tests.security.conftest import (
    PAGES,
    REVOKING_RULES,
    ROLE_NAMES,
    SESSION_RULES,
    UNSAFE,
    call,
    concrete,
    every_rule,
    expected_roles,
    row_counts,
    signed_in_client,
)
from tests.web.test_roles import API_RULES, PAGE_RULES


def _allowed(expected: object, role: str) -> bool:
    if expected == "public":
        return True
    return role == "admin" or (role != "anonymous" and role in expected)  # type: ignore[operator]


def test_the_documented_roles_are_the_readme_matrix(app: Flask) -> None:
    adapter = app.url_map.bind("localhost")
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    for method, path, allowed in API_RULES:
        endpoint, _ = adapter.match(path.split("?")[0], method=method)
        assert set(expected_roles(method, rules[endpoint])) == set(allowed), (method, path)
    for path, allowed in PAGE_RULES:
        assert set(PAGES[("GET", path)]) == set(allowed), path


def test_every_rule_answers_every_role_as_documented(
    app: Flask, clients: dict[str, FlaskClient]
) -> None:
    checked = 0
    for method, rule in every_rule(app):
        expected = expected_roles(method, rule)
        path = concrete(rule)
        for role in ROLE_NAMES:
            client = clients[role]
            if (method, rule) in SESSION_RULES and role != "anonymous":
                client = signed_in_client(app, role)  # signing out must not end the others
            response = call(client, method, path)
            where = (role, method, rule, response.status_code)
            assert response.status_code < 500, where
            if _allowed(expected, role):
                assert response.status_code != 403 or expected == "public", where
                if expected != "public":
                    assert response.status_code not in (401, 403), where
            elif role == "anonymous":
                if path.startswith("/api"):
                    assert response.status_code == 401, where
                    assert response.get_json()["error"]["code"] == "unauthorized", where
                else:
                    assert response.status_code == 302, where
                    assert response.headers["Location"].startswith("/login?next="), where
            else:
                assert response.status_code == 403, where
                if path.startswith("/api"):
                    assert response.get_json()["error"]["code"] == "forbidden", where
            if method == "GET":  # HEAD is answered as GET, without the body
                head = client.head(path)
                assert head.status_code == response.status_code, (*where, "HEAD")
                assert head.data == b"", where
                head.close()
            response.close()
            checked += 1
        if (method, rule) in REVOKING_RULES:
            clients.update({role: signed_in_client(app, role) for role in ROLES})
    assert checked >= 5 * 50


def test_options_tells_the_methods_and_nothing_else(app: Flask) -> None:
    anonymous = app.test_client()
    for rule in app.url_map.iter_rules():
        response = anonymous.options(concrete(rule.rule))
        assert response.status_code == 200, rule.rule
        assert response.data == b"", rule.rule
        assert set(response.headers["Allow"].split(", ")) >= (rule.methods or set()) - {"HEAD"}


def test_method_override_headers_and_fields_change_nothing(
    app: Flask, clients: dict[str, FlaskClient]
) -> None:
    """X-HTTP-Method-Override and _method never turn a GET or a POST into another method."""
    before = row_counts(app)
    for method, rule in every_rule(app):
        if method not in UNSAFE or (method, rule) in SESSION_RULES:
            continue
        expected = expected_roles(method, rule)
        path = concrete(rule)
        for role in ROLE_NAMES:
            if _allowed(expected, role):
                continue
            client = clients[role]
            for carrier in ("GET", "POST"):
                plain = call(client, carrier, path).status_code
                attempts = [
                    call(client, carrier, path, headers={"X-HTTP-Method-Override": method}),
                    call(client, carrier, path, headers={"X-Method-Override": method}),
                    call(client, carrier, f"{path}?_method={method}"),
                ]
                if carrier == "POST":
                    attempts.append(client.post(path, data={"_method": method}))
                for response in attempts:
                    where = (role, carrier, method, rule, response.status_code)
                    assert response.status_code < 500, where
                    if not 200 <= plain < 300:
                        assert not 200 <= response.status_code < 300, where
    assert row_counts(app) == before


_TRICKS = (
    lambda p: p + "/",
    lambda p: "/" + p,
    lambda p: p.replace("/api/", "/api//", 1),
    lambda p: p.replace("/api/", "/api/./", 1),
    lambda p: p.replace("/api/", "/api/x/../", 1),
    lambda p: "/api/%" + format(ord(p[5]), "02X") + p[6:],
    lambda p: p.replace("/api/", "/api%2F", 1),
    lambda p: p.upper(),
    lambda p: p + "%00",
    lambda p: p + ";.json",
)


def test_path_tricks_do_not_get_around_the_roles(
    app: Flask, clients: dict[str, FlaskClient]
) -> None:
    for method, rule in every_rule(app):
        expected = expected_roles(method, rule)
        if method != "GET" or expected == "public" or not rule.startswith("/api/"):
            continue
        refused = [r for r in ROLE_NAMES if not _allowed(expected, r)]
        for trick in _TRICKS:
            path = trick(concrete(rule))
            for role in refused:
                response = clients[role].get(path)
                where = (role, rule, path, response.status_code)
                assert response.status_code < 500, where
                assert not 200 <= response.status_code < 300, where
                if 300 <= response.status_code < 400:
                    target = urlsplit(response.headers["Location"])
                    if target.path == "/login":  # ("//api/x" is the page /x on host "api")
                        continue
                    followed = clients[role].get(target.path, query_string=target.query)
                    assert followed.status_code in (401, 403, 404), (*where, target)


def test_a_signed_in_user_cannot_raise_their_own_role(app: Flask) -> None:
    for role in ROLES:
        if role == "admin":
            continue
        client = signed_in_client(app, role)
        me = client.get("/api/me").get_json()["user"]
        response = client.patch(f"/api/users/{me['user_id']}", json={"role": "admin"})
        assert response.status_code == 403, role
        assert client.get("/api/me").get_json()["user"]["role"] == role
        # a forged session value is not a session
        with client.session_transaction() as session:
            session["role"] = "admin"
        assert client.get("/api/users").status_code == 403, role
