"""Fixtures for the web app, after Flask's tutorial (``app``, ``client``, ``runner``).

The app serves the committed Kailash region. Loading it and building its route
network is the slow part, so that happens once per session; each test still
gets a fresh app (own config, own instance directory, own caches).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

import web
from web import create_app
from web.config import ENV_PREFIX

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient, FlaskCliRunner

    from routes import RouteNetwork


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the developer's own SANDTABLE_* variables out of the tests."""
    for name in list(os.environ):
        if name.startswith(f"{ENV_PREFIX}_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def kailash_network() -> RouteNetwork:
    """The committed Kailash region's route network, built once."""
    from web.config import Settings
    from web.state import load_network

    return load_network(Settings())


@pytest.fixture
def app(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    kailash_network: RouteNetwork,
) -> Iterator[Flask]:
    monkeypatch.setattr(web, "load_network", lambda settings: kailash_network)
    instance = tmp_path_factory.mktemp("instance")
    yield create_app({"TESTING": True, "INSTANCE_DIR": str(instance)})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
