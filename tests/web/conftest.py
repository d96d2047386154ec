"""Fixtures for the web app, after Flask's tutorial (``app``, ``client``, ``runner``).

The app serves the committed Kailash region from an SQLite database in its instance
directory. Seeding the database and building the route network are the slow parts,
so they happen once per session; each test still gets a fresh app (own config, own
instance directory and database copy, own caches).

Every route but the health check, the API index and the log-in page needs a signed-in
user: :func:`sign_in` makes one with a role on the client's app and signs the client in
(its later requests carry the CSRF token). ``client`` and ``pc`` are signed in as admins.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from geodata.store import DATABASE_FILE, open_store
from rescue.route_data import network_for
from rescue.users import User, UserStore
from tests.databases import empty_postgis
from web import create_app
from web.config import ENV_PREFIX

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient, FlaskCliRunner

    from routes import RouteNetwork


#: the password of every user made by :func:`make_user`
PASSWORD = "yak butter tea 4"


def make_user(app: Flask, role: str = "admin", username: str | None = None) -> User:
    """A new user with ``role`` (and :data:`PASSWORD`) in ``app``'s database."""
    store = app.extensions["sandtable"].store
    name = username or f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}"
    return UserStore(store.reader, store.writer).create_user(name, PASSWORD, role)


def sign_in(
    client: FlaskClient, role: str = "admin", username: str | None = None, *, csrf: bool = True
) -> str:
    """Make a user with ``role``, sign ``client`` in as them (POST /api/login); the CSRF token.

    With ``csrf`` (the default) every later request of the client sends the token in
    ``X-CSRF-Token``.
    """
    user = make_user(client.application, role, username)
    response = client.post("/api/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    token: str = response.get_json()["csrf_token"]
    if csrf:
        client.environ_base["HTTP_X_CSRF_TOKEN"] = token
    else:
        client.environ_base.pop("HTTP_X_CSRF_TOKEN", None)
    return token


def signed_in_client(app: Flask, role: str = "admin") -> FlaskClient:
    """A new client of ``app``, signed in as a new user with ``role``."""
    client = app.test_client()
    sign_in(client, role)
    return client


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own SANDTABLE_* variables out of the tests."""
    for name in list(os.environ):
        if name.startswith(f"{ENV_PREFIX}_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite route database seeded with the committed Kailash data, made once.

    Each app gets a copy in its own instance directory: seeding is the slow part.
    """
    path = tmp_path_factory.mktemp("seeded") / DATABASE_FILE
    store = open_store(f"sqlite:///{path}")
    store.versions.seed("kailash")
    store.dispose()
    return path


@pytest.fixture(scope="session")
def kailash_network(seeded_database: Path) -> RouteNetwork:
    """The network the apps serve (built once per process for the same data)."""
    store = open_store(f"sqlite:///{seeded_database}")
    try:
        return network_for(store.versions.snapshot("kailash"))
    finally:
        store.dispose()


def instance_with_database(tmp_path_factory: pytest.TempPathFactory, seeded: Path) -> Path:
    instance = tmp_path_factory.mktemp("instance")
    shutil.copy(seeded, instance / DATABASE_FILE)
    return instance


@pytest.fixture(params=["sqlite", "postgis"])
def app(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    seeded_database: Path,
    kailash_network: RouteNetwork,
) -> Iterator[Flask]:
    """A fresh app on each database back end (an emptied PostGIS database is seeded)."""
    instance = instance_with_database(tmp_path_factory, seeded_database)
    # a test client reads an answer whole: event streams (GET /api/events) end at once
    config = {"TESTING": True, "INSTANCE_DIR": str(instance), "EVENTS_LIFETIME_S": 0.2}
    if request.param == "postgis":
        url = request.getfixturevalue("postgis_url")
        empty_postgis(url)
        config["DATABASE_URL"] = url
    app = create_app(config)
    yield app
    app.extensions["sandtable"].store.dispose()


@pytest.fixture
def planner_app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on an empty database of each back end, seeded on start (as in production)."""
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": str(tmp_path / "instance"),
            "DATABASE_URL": database_url,
            "EVENTS_LIFETIME_S": 0.2,
        }
    )
    yield app
    app.extensions["sandtable"].store.dispose()


@pytest.fixture
def pc(planner_app: Flask) -> FlaskClient:
    """A client of :func:`planner_app`, signed in as an admin."""
    return signed_in_client(planner_app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A client of :func:`app`, signed in as an admin."""
    return signed_in_client(app)


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
