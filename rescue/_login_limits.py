"""Failed log-ins, counted in the database: :class:`LoginLimiter`.

The ``login_failures`` table is created by the Alembic migration ``0006``; one row per
failure and key, at epoch seconds. :class:`rescue.find_me.FindMeLimiter` counts failed
find-me attempts with the same machinery under its own keys.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import Column, Engine, Float, Index, Integer, String, Table, delete, select

from geodata.store.schema import Base

__all__ = ["LoginLimiter", "login_failures_table"]

login_failures_table = Table(
    "login_failures",
    Base.metadata,  # the one registry Alembic sees (geodata.store.schema)
    Column("failure_id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(4), nullable=False),
    Column("address", String(64), nullable=False),
    Column("username", String(64), nullable=False),
    Column("at_s", Float, nullable=False),
    Index("ix_login_failures_at_s", "at_s"),
    Index("ix_login_failures_key", "scope", "address", "username", "at_s"),
)


class LoginLimiter:
    """Failed log-ins per (address, username) and per address within a sliding window.

    Counted in the database (``login_failures``), so every worker process and every
    server sharing the database enforces one limit, and a restart forgets nothing.
    Each failure is one row per key; a key is limited once ``limit`` failures lie
    within ``window_s``, until the oldest of the last ``limit`` leaves the window.
    ``clock`` (seconds since the epoch: compared across machines) can be replaced by
    tests.
    """

    def __init__(
        self,
        reader: Engine,
        writer: Engine,
        *,
        per_user: int = 5,
        per_address: int = 20,
        window_s: float = 15 * 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.per_user = per_user
        self.per_address = per_address
        self.window_s = window_s
        self.clock = clock
        self._sweep_lock = threading.Lock()
        self._last_sweep = -float("inf")

    def retry_after(self, address: str, username: str) -> int | None:
        """Seconds until a new attempt is allowed, or None if it is allowed now."""
        now = self.clock()
        t = login_failures_table
        waits = []
        with self.reader.connect() as conn:
            for scope, addr, name, limit in self._keys(address, username):
                # the limit-th newest failure in the window: the attempt waits until it leaves
                oldest = conn.execute(
                    select(t.c.at_s)
                    .where(
                        t.c.scope == scope,
                        t.c.address == addr,
                        t.c.username == name,
                        t.c.at_s > now - self.window_s,
                    )
                    .order_by(t.c.at_s.desc())
                    .limit(1)
                    .offset(limit - 1)
                ).scalar()
                if oldest is not None:
                    waits.append(float(oldest) + self.window_s - now)
        if not waits:
            return None
        return max(1, int(max(waits) + 0.999))

    def failed(self, address: str, username: str) -> None:
        """Count a failed attempt (and, now and then, forget failures out of the window)."""
        now = self.clock()
        rows = [
            {"scope": scope, "address": addr, "username": name, "at_s": now}
            for scope, addr, name, _ in self._keys(address, username)
        ]
        with self.writer.begin() as conn:
            conn.execute(login_failures_table.insert(), rows)
            if self._due_for_sweep(now):
                conn.execute(
                    delete(login_failures_table).where(
                        login_failures_table.c.at_s <= now - self.window_s
                    )
                )

    def succeeded(self, address: str, username: str) -> None:
        """Forget the failures of this address and username (not the address's total)."""
        t = login_failures_table
        scope, addr, name, _ = self._keys(address, username)[0]
        with self.writer.begin() as conn:
            conn.execute(
                delete(t).where(t.c.scope == scope, t.c.address == addr, t.c.username == name)
            )

    def _keys(self, address: str, username: str) -> list[tuple[str, str, str, int]]:
        # PostgreSQL text cannot hold NUL: any username may be tried, valid or not
        addr, name = address[:64].replace("\0", "\ufffd"), username[:64].replace("\0", "\ufffd")
        return [("user", addr, name, self.per_user), ("addr", addr, "", self.per_address)]

    def _due_for_sweep(self, now: float) -> bool:
        with self._sweep_lock:
            if now - self._last_sweep < 60:
                return False
            self._last_sweep = now
            return True
