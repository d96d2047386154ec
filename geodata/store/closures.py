"""Closures of a region in the route database (table ``closures``).

What a closure *is* (its validation, its effect on the network) is :mod:`rescue.closures`;
this repository only keeps the bodies, in insertion order, and writes each change in one
transaction with its audit entry. Closures that ended before a write's ``purge_before``
are dropped in that write.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from geodata.errors import Conflict
from geodata.store.audit import delete_recorded, record
from geodata.store.model import plain
from geodata.store.schema import ClosureRow

__all__ = ["ClosureRepository"]


class ClosureRepository:
    """The stored closures of every region; reads on ``reader``, writes on ``writer``."""

    def __init__(self, reader: Engine, writer: Engine) -> None:
        self.reader = reader
        self.writer = writer

    def bodies(self, region_id: str) -> list[dict[str, Any]]:
        """Stored closures of the region (see :mod:`rescue.closures`), in insertion order."""
        return [dict(body) for _, body in self.rows(region_id)]

    def rows(self, region_id: str) -> list[tuple[str, Any]]:
        """``(closure_id, body)`` of the region's closures in insertion order, bodies as stored.

        Only these two columns are read: a ``valid_until`` written by hand beyond what
        Python's datetimes hold (year 10000 in UTC) must not make every listing fail.
        """
        with Session(self.reader) as s:
            rows = s.execute(
                select(ClosureRow.closure_id, ClosureRow.body)
                .where(ClosureRow.region_id == region_id)
                .order_by(ClosureRow.seq)
            )
            return [(str(cid), body) for cid, body in rows]

    def add(
        self,
        region_id: str,
        closure_id: str,
        body: Mapping[str, Any],
        *,
        valid_until: datetime | None,
        created_at: datetime,
        purge_before: datetime | None = None,
        actor: str = "system",
    ) -> None:
        """Store a closure; closures ended before ``purge_before`` are dropped meanwhile.

        ``actor`` (who set it) goes into the audit log in the same transaction.

        Raises
        ------
        Conflict
            If the id is taken.
        """
        with Session(self.writer) as s, s.begin():
            taken = select(ClosureRow.closure_id).where(ClosureRow.closure_id == closure_id)
            if s.scalar(taken) is not None:
                raise Conflict(f"closure {closure_id!r} already exists")
            if purge_before is not None:
                self._purge(s, region_id, purge_before)
            seq = s.scalar(select(func.coalesce(func.max(ClosureRow.seq), 0))) or 0
            s.add(
                ClosureRow(
                    closure_id=closure_id,
                    region_id=region_id,
                    body=dict(body),
                    valid_until=valid_until,
                    created_at=created_at,
                    seq=int(seq) + 1,
                )
            )
            reason = body.get("reason", "")
            record(
                s.connection(),
                actor=actor,
                action="closure.create",
                target_type="closure",
                target_id=closure_id,
                summary=f"closed ({reason})" if reason else "closed",
                details={"region_id": region_id, "closure": plain(dict(body))},
            )

    def delete(
        self,
        region_id: str,
        closure_id: str,
        *,
        purge_before: datetime | None = None,
        actor: str = "system",
    ) -> bool:
        """Remove a closure; False if there was none. ``actor`` goes into the audit log."""
        with Session(self.writer) as s, s.begin():
            if purge_before is not None:
                self._purge(s, region_id, purge_before)
            return delete_recorded(
                s,
                delete(ClosureRow).where(
                    ClosureRow.region_id == region_id, ClosureRow.closure_id == closure_id
                ),
                actor=actor,
                action="closure.delete",
                target_type="closure",
                target_id=closure_id,
                summary="lifted",
                details={"region_id": region_id},
            )

    @staticmethod
    def _purge(s: Session, region_id: str, before: datetime) -> None:
        s.execute(
            delete(ClosureRow).where(
                ClosureRow.region_id == region_id,
                ClosureRow.valid_until.is_not(None),
                ClosureRow.valid_until <= before,
            )
        )
