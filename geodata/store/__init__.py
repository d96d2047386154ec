"""Route data in a database (SQLite embedded, or PostgreSQL + PostGIS), versioned.

See :mod:`geodata.store.store`; the tables are in :mod:`geodata.store.schema` and the
Alembic migrations in ``geodata/store/migrations``.
"""

from __future__ import annotations

from geodata.store.store import (
    DATABASE_FILE,
    FeatureEdit,
    RouteStore,
    Snapshot,
    VersionInfo,
    database_url,
    migrate,
    open_store,
)

__all__ = [
    "DATABASE_FILE",
    "FeatureEdit",
    "RouteStore",
    "Snapshot",
    "VersionInfo",
    "database_url",
    "migrate",
    "open_store",
]
