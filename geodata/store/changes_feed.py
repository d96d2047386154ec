"""Telling other processes that something changed: the change feed of the database.

Every write that the audit log records (:func:`geodata.store.audit.record`, called in
the write's own transaction) also calls :func:`announce` on the same connection, so a
change is announced exactly when, and only if, it commits:

* on PostgreSQL, ``pg_notify`` on :data:`CHANNEL` with a small JSON payload
  (``{"topic", "action", "target_id"}``); PostgreSQL delivers it to every listening
  connection of every server at commit, never for a rolled back transaction;
* on SQLite, one row per topic of the ``change_counters`` table (migration
  ``0006``) is incremented; readers poll it (one indexed read of a handful of rows).

Topics are what an open page follows: ``closures``, ``incidents`` (created, edited,
dispatched, every status change), ``route_data`` (a new current version: edits,
imports, restores). Other writes (users, import previews) are not announced.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    String,
    Table,
    bindparam,
    select,
    text,
)

from geodata.store.schema import Base, UtcDateTime

__all__ = ["CHANNEL", "TOPICS", "announce", "counters", "counters_table", "topic_of"]

#: the PostgreSQL notification channel
CHANNEL: Final = "sandtable_changes"
#: what pages can follow, from the audit action's first part
_BY_ACTION: Final[Mapping[str, str]] = {
    "closure": "closures",
    "incident": "incidents",
    "version": "route_data",
}
TOPICS: Final = tuple(sorted(set(_BY_ACTION.values())))

metadata = Base.metadata  # the one registry Alembic sees (geodata.store.schema)

counters_table = Table(
    "change_counters",
    metadata,
    Column("topic", String(32), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("changed_at", UtcDateTime(), nullable=False),
)


#: the announcements, built once (every write runs one; building cost more than running)
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")


def _counted() -> Any:
    from sqlalchemy.dialects.sqlite import insert

    stmt = insert(counters_table).values(
        topic=bindparam("c_topic"), seq=1, changed_at=bindparam("c_now", type_=UtcDateTime())
    )
    return stmt.on_conflict_do_update(
        index_elements=[counters_table.c.topic],
        set_={"seq": counters_table.c.seq + 1, "changed_at": stmt.excluded.changed_at},
    )


_COUNT = _counted()


def topic_of(action: str) -> str | None:
    """The topic an audit action (``incident.transition`` ...) belongs to, if any."""
    return _BY_ACTION.get(action.split(".", 1)[0])


def announce(conn: Connection, action: str, target_id: object) -> None:
    """Announce the write ``action`` on ``target_id`` in ``conn``'s transaction."""
    topic = topic_of(action)
    if topic is None:
        return
    if conn.dialect.name == "postgresql":
        payload = json.dumps({"topic": topic, "action": action, "target_id": str(target_id)[:100]})
        conn.execute(_NOTIFY, {"channel": CHANNEL, "payload": payload})
        return
    conn.execute(_COUNT, {"c_topic": topic, "c_now": datetime.now(UTC)})


def counters(engine: Engine) -> dict[str, int]:
    """The counter of every topic announced so far (SQLite; empty on PostgreSQL)."""
    with engine.connect() as conn:
        rows = conn.execute(select(counters_table.c.topic, counters_table.c.seq)).all()
    return {str(topic): int(seq) for topic, seq in rows}
