"""The audit log: every write to the database, with the user who made it.

One row per write — who (``actor``: a username, or ``cli:<name>`` for the command
line), when, what (``action`` such as ``incident.create``, ``closure.delete``,
``user.update``, ``version.commit``), on which object (``target_type``,
``target_id``), a one-line ``summary`` and JSON ``details``. Each row is written by
:func:`record` **in the same transaction as the write it describes**, so a write is
never without its entry, nor an entry without its write.

The domain stores keep their own detailed history too (versions and changes of route
data, an incident's timeline and field edits); the audit log is the one place that
lists every kind of write together, newest first (:func:`entries`).

The table is created by the Alembic migration ``0005``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final, cast

from sqlalchemy import (
    Column,
    Connection,
    Delete,
    Engine,
    Index,
    Integer,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from geodata.errors import InvalidInput
from geodata.i18n import msg
from geodata.store.changes_feed import announce
from geodata.store.schema import Base, JsonType, UtcDateTime

__all__ = ["MAX_ENTRIES", "audit_table", "delete_recorded", "entries", "record"]

MAX_ENTRIES: Final = 1000
_MAX_SUMMARY_CHARS: Final = 500

metadata = Base.metadata  # the one registry Alembic sees (geodata.store.schema)

audit_table = Table(
    "audit_log",
    metadata,
    Column("entry_id", Integer, primary_key=True, autoincrement=True),
    Column("at", UtcDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target_type", String(24), nullable=False),
    Column("target_id", String(100), nullable=False),
    Column("summary", Text, nullable=False),
    Column("details", JsonType(), nullable=True),
    Index("ix_audit_log_actor", "actor"),  # as migration 0005 made them
    Index("ix_audit_log_target", "target_type", "target_id"),
)


#: every write runs it: built once (building a statement cost more CPU than running it)
_INSERT = audit_table.insert()


def record(
    conn: Connection,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: object,
    summary: str,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Write one entry on ``conn`` (inside the transaction of the write it describes).

    The write is announced to other processes in the same transaction too
    (:func:`geodata.store.changes_feed.announce`).
    """
    conn.execute(
        _INSERT,
        {
            "at": at or datetime.now(UTC),
            "actor": str(actor)[:64],
            "action": action,
            "target_type": target_type,
            "target_id": str(target_id)[:100],
            "summary": summary[:_MAX_SUMMARY_CHARS],
            "details": None if details is None else dict(details),
        },
    )
    announce(conn, action, target_id)


def delete_recorded(
    session: Session,
    statement: Delete,
    *,
    actor: str,
    action: str,
    target_type: str,
    target_id: object,
    summary: str,
    details: Mapping[str, Any] | None = None,
) -> bool:
    """Run a DELETE in ``session``'s transaction and, if it removed a row, record it;
    False if there was nothing to remove (and nothing is recorded)."""
    result = cast("CursorResult[Any]", session.execute(statement))
    if not result.rowcount:
        return False
    record(
        session.connection(),
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        summary=summary,
        details=details,
    )
    return True


def entries(
    reader: Engine,
    *,
    limit: int = 100,
    actor: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    before: int | None = None,
) -> list[dict[str, Any]]:
    """Entries newest first, optionally of one actor / target; ``before`` pages by id.

    Raises
    ------
    InvalidInput
        If ``limit`` is not from 1 to :data:`MAX_ENTRIES`.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_ENTRIES:
        raise InvalidInput(msg("audit.limit", limit=repr(limit), most=MAX_ENTRIES))
    query = select(audit_table)
    if actor is not None:
        query = query.where(audit_table.c.actor == actor)
    if target_type is not None:
        query = query.where(audit_table.c.target_type == target_type)
    if target_id is not None:
        query = query.where(audit_table.c.target_id == target_id)
    if before is not None:
        query = query.where(audit_table.c.entry_id < before)
    query = query.order_by(audit_table.c.entry_id.desc()).limit(limit)
    with reader.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        {
            "entry_id": int(r["entry_id"]),
            "at": r["at"].astimezone(UTC).isoformat(),
            "actor": r["actor"],
            "action": r["action"],
            "target_type": r["target_type"],
            "target_id": r["target_id"],
            "summary": r["summary"],
            "details": r["details"],
        }
        for r in rows
    ]
