"""Where closures are kept: a JSON file (:class:`ClosureStore`, the legacy store) or the
route store's database (:class:`DatabaseClosureStore`), both behind one interface
(:mod:`rescue.closures` re-exports them).
"""

from __future__ import annotations

import builtins
import json
import os
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from geodata.errors import Conflict, DataValidationError, NotFound
from geodata.i18n import msg
from rescue._closure_body import (
    _check_aware,
)

if TYPE_CHECKING:
    from geodata.store import RouteStore

from rescue._closure_model import Closure, ClosureProblem, _read_closures

__all__ = ["ClosureStore", "DatabaseClosureStore"]


_FILE_VERSION = 1


class ClosureStore:
    """Closures in a JSON file (e.g. ``instance/closures.json``).

    Every call reads the file, so several stores on one file agree; writes are
    atomic (temporary file in the same directory, fsync, ``os.replace``) and
    serialised by a lock within the process. Expired closures are never listed
    and are dropped from the file on the next write.

    Parameters
    ----------
    path
        The JSON file; it and its directory are created on the first write.
    clock
        Returns the current aware time (tests pass a fixed one).
    """

    def __init__(self, path: Path, *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()

    # reading
    def _read(self) -> builtins.list[Closure]:
        closures, problems = self._read_checked()
        if problems:  # writing would drop them: refuse to touch the file
            raise DataValidationError(
                f"closures file {self.path.name} is corrupt",
                details=[f"{p.closure_id}: {p.message}" for p in problems],
            )
        return closures

    def _read_checked(self) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], []
        except OSError as exc:
            raise DataValidationError(
                f"closures file {self.path.name} cannot be read", details=[str(exc.strerror)]
            ) from None
        try:
            doc = json.loads(text)
            if not isinstance(doc, dict) or doc.get("version") != _FILE_VERSION:
                raise ValueError(f"expected an object with version {_FILE_VERSION}")
            items = doc["closures"]
            if not isinstance(items, builtins.list):
                raise ValueError("'closures' is not a list")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DataValidationError(
                f"closures file {self.path.name} is corrupt", details=[str(exc)]
            ) from None
        return _read_closures(
            (item.get("closure_id", f"#{i}") if isinstance(item, dict) else f"#{i}", item)
            for i, item in enumerate(items)
        )

    def list_checked(
        self, *, at: datetime | None = None
    ) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
        """The closures not expired at ``at`` (default now), and the entries that cannot be read.

        Raises
        ------
        DataValidationError
            If the file as a whole is corrupt.
        """
        when = self._clock() if at is None else at
        _check_aware(when, "at")
        with self._lock:
            closures, problems = self._read_checked()
        closures = [c for c in closures if not c.expired(when)]
        return sorted(closures, key=lambda c: c.created_at), problems

    def list(
        self, *, at: datetime | None = None, include_expired: bool = False
    ) -> builtins.list[Closure]:
        """Closures not expired at ``at`` (default now), oldest first (then in order added).

        Closures that start later are listed too; use :meth:`Closure.active` to filter.

        Raises
        ------
        DataValidationError
            If the file is corrupt.
        InvalidInput
            If ``at`` is naive.
        """
        when = self._clock() if at is None else at
        _check_aware(when, "at")
        with self._lock:
            closures = self._read()
        if not include_expired:
            closures = [c for c in closures if not c.expired(when)]
        return sorted(closures, key=lambda c: c.created_at)  # stable: file order on ties

    def get(self, closure_id: str) -> Closure:
        """The closure with this id (expired ones too, until purged).

        Raises
        ------
        NotFound
            If there is no such closure.
        DataValidationError
            If the file is corrupt.
        """
        with self._lock:
            for c in self._read():
                if c.closure_id == closure_id:
                    return c
        raise NotFound(msg("closure.unknown", closure_id=repr(closure_id)))

    # writing
    def add(self, closure: Closure) -> Closure:
        """Store a closure and return it.

        Raises
        ------
        Conflict
            If a closure with the same id is stored.
        DataValidationError
            If the file is corrupt (it is left as it is).
        OSError
            If the file cannot be written (the old file is left intact).
        """
        with self._lock:
            closures = self._read()
            if any(c.closure_id == closure.closure_id for c in closures):
                raise Conflict(f"closure {closure.closure_id!r} already exists")
            self._write([*closures, closure])
        return closure

    def delete(self, closure_id: str, *, by: str = "system") -> None:
        """Remove a closure (``by``: who lifted it; the file keeps no log of it).

        Raises
        ------
        NotFound
            If there is no such closure.
        DataValidationError
            If the file is corrupt.
        OSError
            If the file cannot be written (the old file is left intact).
        """
        with self._lock:
            closures = self._read()
            kept = [c for c in closures if c.closure_id != closure_id]
            if len(kept) == len(closures):
                raise NotFound(msg("closure.unknown", closure_id=repr(closure_id)))
            self._write(kept)

    def _write(self, closures: builtins.list[Closure]) -> None:
        now = self._clock()
        doc = {
            "version": _FILE_VERSION,
            "closures": [c.to_dict() for c in closures if not c.expired(now)],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, ensure_ascii=False, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise


class DatabaseClosureStore:
    """Closures of one region in the route database (:class:`geodata.store.RouteStore`).

    The same interface as :class:`ClosureStore`: expired closures are never listed and
    are dropped on the next write; every write is one transaction.

    Parameters
    ----------
    store
        The route store.
    region_id
        The region the closures belong to.
    clock
        Returns the current aware time (tests pass a fixed one).
    """

    def __init__(
        self,
        store: RouteStore,
        region_id: str,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.region_id = region_id
        self._clock = clock or (lambda: datetime.now(UTC))

    def _all(self) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
        return _read_closures(self.store.closures.rows(self.region_id))

    def list(
        self, *, at: datetime | None = None, include_expired: bool = False
    ) -> builtins.list[Closure]:
        """See :meth:`ClosureStore.list`; stored closures that cannot be read are left out."""
        return self.list_checked(at=at, include_expired=include_expired)[0]

    def list_checked(
        self, *, at: datetime | None = None, include_expired: bool = False
    ) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
        """As :meth:`list`, and the stored closures that cannot be read, as problems.

        A row that does not make a valid :class:`Closure` (written by hand, by another
        release, times out of range) is never applied and never fatal: it is reported
        until someone deletes it.

        Raises
        ------
        InvalidInput
            If ``at`` is naive.
        """
        when = self._clock() if at is None else at
        _check_aware(when, "at")
        closures, problems = self._all()
        if not include_expired:
            closures = [c for c in closures if not c.expired(when)]
        return sorted(closures, key=lambda c: c.created_at), problems

    def get(self, closure_id: str) -> Closure:
        """See :meth:`ClosureStore.get`.

        Raises
        ------
        NotFound
            If there is no such closure.
        Conflict
            If it is stored but cannot be read (it can still be deleted).
        """
        closures, problems = self._all()
        for c in closures:
            if c.closure_id == closure_id:
                return c
        for p in problems:
            if p.closure_id == closure_id:
                raise Conflict(f"closure {closure_id!r}: {p.message}; delete it and set it again")
        raise NotFound(msg("closure.unknown", closure_id=repr(closure_id)))

    def add(self, closure: Closure) -> Closure:
        """See :meth:`ClosureStore.add`; the audit log records ``created_by``."""
        self.store.closures.add(
            self.region_id,
            closure.closure_id,
            closure.to_dict(),
            valid_until=closure.valid_until,
            created_at=closure.created_at,
            purge_before=self._clock(),
            actor=closure.created_by,
        )
        return closure

    def delete(self, closure_id: str, *, by: str = "system") -> None:
        """See :meth:`ClosureStore.delete`; the audit log records ``by``."""
        if not self.store.closures.delete(
            self.region_id, closure_id, purge_before=self._clock(), actor=by
        ):
            raise NotFound(msg("closure.unknown", closure_id=repr(closure_id)))

    def import_from(self, other: ClosureStore) -> int:
        """Copy the closures of a JSON store not yet here; return how many.

        Entries that cannot be read (see :meth:`ClosureStore.list_checked`) are left
        behind: they could never be applied.
        """
        have = {c.closure_id for c in self.list(include_expired=True)}
        added = 0
        for c in other.list_checked()[0]:
            if c.closure_id not in have:
                self.add(c)
                added += 1
        return added
