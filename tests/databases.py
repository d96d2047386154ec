"""The two database back ends the tests run against: SQLite and PostgreSQL + PostGIS.

PostGIS tests use a database of their own on the local server
(``SANDTABLE_TEST_PG_ADMIN``, default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``),
created with the PostGIS extension at the start of the session and dropped at its end.
Where the server or the extension is missing they are skipped with the reason, unless
``SANDTABLE_TEST_POSTGIS=required`` (set by CI), where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

ADMIN_URL = os.environ.get(
    "SANDTABLE_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRED = os.environ.get("SANDTABLE_TEST_POSTGIS", "").lower() == "required"
TABLES = (
    "closures",
    "changes",
    "ways",
    "points",
    "pending_imports",
    "audit_log",
    "change_counters",
    "incident_edits",
    "incident_events",
    "incident_descriptions",
    "team_status",
    "incidents",
    "sessions",
    "login_failures",
    "users",
    "versions",
    "regions",
    "relief_tiles",
    "relief_layers",
    "find_me_links",
)


def _admin(sql: str) -> None:
    import psycopg

    dsn = ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def create_postgis_database() -> Iterator[str]:
    """Create a fresh PostGIS database; yield its URL; drop it."""
    name = f"sandtable_test_{uuid.uuid4().hex[:10]}"
    try:
        _admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # the server is not there: skip, or fail in CI
        message = f"PostgreSQL not available at {ADMIN_URL}: {exc}"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except Exception as exc:
        _admin(f'DROP DATABASE IF EXISTS "{name}"')
        message = (
            f"PostGIS extension not available ({exc}); apt-get install postgresql-15-postgis-3"
        )
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield url
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def empty_postgis(url: str) -> None:
    """Empty every Sandtable table of the database (the schema stays)."""
    import psycopg

    with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
        present = {
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        }
        tables = [t for t in TABLES if t in present]
        if tables:
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
