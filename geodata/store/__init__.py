"""Route data in a database (SQLite embedded, or PostgreSQL + PostGIS), versioned.

See :mod:`geodata.store.store` (the store and its repositories: ``versions``,
``closures``, ``imports``); the values passed in and out are in
:mod:`geodata.store.model`, the engines in :mod:`geodata.store.engine`, the tables in
:mod:`geodata.store.schema` and the Alembic migrations in ``geodata/store/migrations``.
"""

from __future__ import annotations

from geodata.store.engine import DATABASE_FILE, database_url, migrate
from geodata.store.model import FeatureEdit, Snapshot, VersionInfo
from geodata.store.store import RouteStore, open_store

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
