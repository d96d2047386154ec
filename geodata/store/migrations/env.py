"""Alembic environment: run with the connection given by :func:`geodata.store.migrate`.

``alembic -c geodata/store/alembic.ini upgrade head`` also works from the command
line with ``SANDTABLE_DATABASE_URL`` set.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

import geodata.store.audit  # noqa: F401  (each module adds its tables to Base.metadata)
import geodata.store.changes_feed  # noqa: F401
import geodata.store.relief  # noqa: F401
import rescue.incidents  # noqa: F401
import rescue.teams  # noqa: F401
import rescue.users  # noqa: F401
from geodata.store.schema import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    url = os.environ.get("SANDTABLE_DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set SANDTABLE_DATABASE_URL to the database to upgrade")
    engine = create_engine(url)
    with engine.connect() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=conn.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported")
run_migrations_online()
