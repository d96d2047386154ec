"""Fixtures and helpers for the security suite: every route, every role, both back ends.

The expected answers come from one table, the operations documented in
:data:`web.openapi.OPERATIONS` (``auth``: "public" or the roles besides admin), which
``tests/web/test_openapi.py`` and :func:`test_the_documented_roles_are_the_readme_matrix`
tie to the README matrix (``tests/web/test_roles.py``); pages are in :data:`PAGES`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from rescue.users import ROLES
from tests.web import conftest as _web
from tests.web.conftest import sign_in, signed_in_client
from web.openapi import OPERATIONS

__all__ = ["sign_in", "signed_in_client"]

# the fixtures of tests/web, shared
_clean_env = _web._clean_env
app = _web.app
client = _web.client
kailash_network = _web.kailash_network
seeded_database = _web.seeded_database

ROLE_NAMES = ("anonymous", *ROLES)
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: pages (not under /api) -> roles allowed besides admin; "public" for anyone
PAGES: dict[tuple[str, str], Any] = {
    ("GET", "/"): ("call_taker", "officer", "planner"),
    ("GET", "/planner"): ("planner",),
    ("GET", "/incidents"): ("call_taker", "officer"),
    ("GET", "/field-sheet"): ("call_taker", "officer"),
    ("GET", "/reports"): ("officer", "planner"),
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("POST", "/logout"): "public",
    ("GET", "/static/<path:filename>"): "public",
    ("GET", "/f/<token>"): "public",  # a find-me link: its token is the authority
}
#: rules that sign the client in or out: called with a throw-away client
SESSION_RULES = frozenset(
    {("POST", "/api/login"), ("POST", "/api/logout"), ("POST", "/login"), ("POST", "/logout")}
)
#: rules that end another user's sessions (user 1's): walking every rule signs in again after
REVOKING_RULES = frozenset({("DELETE", "/api/users/<int:user_id>/sessions")})

#: a value for each path parameter that exists in the seeded data (or a plain word)
_SAMPLE = {
    "feature_id": "darchen",
    "closure_id": "x",
    "import_id": "x",
    "way_id": "x",
    "station_id": "darchen_police_station",
    "filename": "sandtable.js",
}


def expected_roles(method: str, rule: str) -> Any:
    """ "public" or the roles (besides admin) allowed to call ``method`` on ``rule``."""
    if rule.startswith("/api"):
        return OPERATIONS[(method, rule)].get("auth", "public")
    return PAGES[(method, rule)]


def concrete(rule: str) -> str:
    """A path matching ``rule``: the first value of an ``any``, 1 for ints, samples else."""
    path = re.sub(r"<any\(([^,)]+)[^>]*>", r"\1", rule)
    path = re.sub(r"<int:[^>]+>", "1", path)
    return re.sub(r"<(?:[a-z]+:)?(\w+)>", lambda m: _SAMPLE.get(m.group(1), "x"), path)


def every_rule(app: Flask) -> list[tuple[str, str]]:
    """Every (method, rule) of ``app`` except HEAD and OPTIONS, sorted."""
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    )


def call(client: FlaskClient, method: str, path: str, **kwargs: Any) -> Any:
    """``client.open`` with an empty JSON object as the body of unsafe requests."""
    if method in UNSAFE and "json" not in kwargs and "data" not in kwargs:
        kwargs["json"] = {}
    return client.open(path, method=method, **kwargs)


def row_counts(app: Flask) -> dict[str, int]:
    """The number of rows of every table of ``app``'s database (all tables must exist)."""
    engine = app.extensions["sandtable"].store.reader
    names = sorted(
        n
        for n in sa.inspect(engine).get_table_names()
        if not n.startswith(("spatial_ref_sys", "geometry_columns", "sqlite_"))
    )
    with engine.connect() as conn:
        return {
            n: conn.execute(sa.select(sa.func.count()).select_from(sa.table(n))).scalar_one()
            for n in names
        }


@pytest.fixture
def clients(app: Flask) -> dict[str, FlaskClient]:
    """An anonymous client and one signed in per role (each sends its CSRF token)."""
    made = {"anonymous": app.test_client()}
    for role in ROLES:
        made[role] = signed_in_client(app, role)
    return made


@pytest.fixture
def admin(app: Flask) -> Iterator[FlaskClient]:
    yield signed_in_client(app, "admin")
