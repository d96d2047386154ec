"""Signed-in sessions: their table, what an admin sees of one, and revoking them.

Sessions live in the database: the signed cookie carries only a random token, its
SHA-256 is the row's key (:func:`token_hash`), so a logout, a password change or a
deactivation ends sessions at once for every process and server sharing the database.
The ``sessions`` table is created by the Alembic migration ``0006``; the methods that
start, read and end sessions are :class:`rescue.users.UserStore`'s.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import Column, Connection, ForeignKey, Index, Integer, String, Table, update

from geodata.store.schema import Base, UtcDateTime

__all__ = [
    "SESSION_KEEP",
    "SESSION_TOUCH_S",
    "SessionInfo",
    "printable",
    "revoke",
    "sessions_table",
    "token_hash",
]

#: a session's row is written (last_seen_at) at most this often, not on every request
SESSION_TOUCH_S: Final = 300
#: expired or revoked sessions are kept this long (who was signed in when), then deleted
SESSION_KEEP: Final = timedelta(days=30)

sessions_table = Table(
    "sessions",
    Base.metadata,  # the one registry Alembic sees
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("revoked_by", String(64), nullable=True),
    Column("address", String(64), nullable=True),
    Column("user_agent", String(200), nullable=True),
    Index("ix_sessions_user_id", "user_id"),  # indexes as the migrations made them
)


@dataclass(frozen=True)
class SessionInfo:
    """A live session as an admin sees it (``session_id``: a prefix of the token's hash)."""

    session_id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    address: str | None
    user_agent: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "created_at": self.created_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "address": self.address,
            "user_agent": self.user_agent,
        }


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())


def revoke(
    conn: Connection, user_id: int, now: datetime, actor: str, *, keep: str | None = None
) -> int:
    """Revoke the user's live sessions (but ``keep``'s) on ``conn``; how many."""
    where = [sessions_table.c.user_id == user_id, sessions_table.c.revoked_at.is_(None)]
    where.append(sessions_table.c.expires_at > now)
    if keep:
        where.append(sessions_table.c.token_hash != token_hash(keep))
    result = conn.execute(
        update(sessions_table).where(*where).values(revoked_at=now, revoked_by=actor[:64])
    )
    return int(result.rowcount or 0)
