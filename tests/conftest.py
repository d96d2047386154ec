"""Fixtures shared by every test package: the database back ends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import create_postgis_database, empty_postgis


@pytest.fixture(scope="session")
def postgis_url() -> Iterator[str]:
    """A PostGIS database for this session (skipped where there is none, unless CI)."""
    yield from create_postgis_database()


@pytest.fixture(params=["sqlite", "postgis"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each back end in turn."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sandtable.db'}"
    url: str = request.getfixturevalue("postgis_url")
    empty_postgis(url)
    return url
