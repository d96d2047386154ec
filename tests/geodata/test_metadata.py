"""One SQLAlchemy MetaData, and it is the one the migrations build.

Every table (route data, users, incidents, teams, audit log, change counters) is
declared in ``geodata.store.schema.Base.metadata``, which Alembic's ``env.py`` targets.
A database migrated to head must then match it: autogenerate proposes nothing (no
dropped tables, no missing indexes, no foreign key without its ``ON DELETE``).
"""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import String, create_engine

import geodata.store.audit
import geodata.store.changes_feed
import rescue.incidents
import rescue.teams
import rescue.users
from geodata.store.engine import migrate
from geodata.store.schema import Base

#: tables and indexes PostGIS (or only the PostgreSQL branch of a migration) adds
_POSTGIS_ONLY = {"spatial_ref_sys", "ix_ways_geometry", "ix_points_geometry"}


def _compare_type(
    context: Any, inspected: Any, metadata: Any, inspected_type: Any, metadata_type: Any
) -> bool | None:
    # SQLite does not enforce VARCHAR lengths; migration 0007 widens one on PostgreSQL only
    if (
        context.dialect.name == "sqlite"
        and isinstance(inspected_type, String)
        and isinstance(metadata_type, String)
    ):
        return False
    return None  # alembic's own comparison


def _include(name: str | None, type_: str, parent: Any) -> bool:
    return name not in _POSTGIS_ONLY


def test_every_table_shares_the_one_metadata() -> None:
    for table in (
        rescue.users.users_table,
        rescue.users.sessions_table,
        rescue.incidents.incidents_table,
        rescue.teams.team_status_table,
        geodata.store.audit.audit_table,
        geodata.store.changes_feed.counters_table,
    ):
        assert table.metadata is Base.metadata, table.name
    assert {"users", "incidents", "audit_log", "team_status", "ways"} <= set(Base.metadata.tables)


def test_a_migrated_database_matches_the_metadata(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={"compare_type": _compare_type, "include_name": _include},
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == [], diff


def test_the_comparison_sees_drift(tmp_path: Any) -> None:
    # the check can fail: a table the metadata lacks is reported for removal
    engine = create_engine(f"sqlite:///{tmp_path / 'drift.db'}")
    try:
        migrate(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE stray (x INTEGER)")
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": _compare_type})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert [d[0] for d in diff] == ["remove_table"]


@pytest.mark.parametrize("module", [rescue.users, rescue.teams, rescue.incidents])
def test_the_migrations_env_registers_every_table_module(module: Any) -> None:
    from pathlib import Path

    env = Path(geodata.store.__file__).parent / "migrations" / "env.py"
    assert f"import {module.__name__}" in env.read_text("utf-8")
