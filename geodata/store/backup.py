"""Backups a station can run: the whole database into one file, and back.

* SQLite: Python's ``sqlite3`` online backup API (https://docs.python.org/3/library/sqlite3.html#sqlite3.Connection.backup)
  copies the database page by page while the service goes on reading and writing; the
  copy is one consistent state (a write during the copy restarts it). Restoring copies
  the backup into the database the same way, in one step for other connections.
* PostgreSQL: ``pg_dump --format=custom`` (one consistent snapshot, the service goes on)
  and ``pg_restore --clean --if-exists --single-transaction`` (everything or nothing)
  from the PostgreSQL client tools (Debian: ``postgresql-client-15``), whose version
  must not be older than the server's (https://www.postgresql.org/docs/15/app-pgdump.html).

The file's first bytes tell which kind it is; restoring one kind into the other back
end is refused with a message. The schema is upgraded after a restore (an older
backup comes back at the current migration).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from geodata.errors import InvalidInput
from geodata.i18n import msg

__all__ = ["BackupInfo", "backup", "restore"]

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PG_MAGIC = b"PGDMP"


@dataclass(frozen=True)
class BackupInfo:
    """What was written or read: the file, its size, the back end."""

    path: Path
    size_bytes: int
    backend: str


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InvalidInput(msg("backup.not_sqlite_file", url=repr(url)))
    return Path(database)


def _pg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise InvalidInput(msg("backup.tool_missing", tool=name))
    return path


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if done.returncode:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        output = "; ".join(lines[-3:]) or msg("backup.no_output")
        raise InvalidInput(msg("backup.tool_failed", tool=what, output=output))


def backup(url: str, dest: Path) -> BackupInfo:
    """Copy the database at ``url`` into the new file ``dest``.

    Raises
    ------
    InvalidInput
        If ``dest`` exists or its folder does not, the database is missing, or the
        copy fails (pg_dump's message).
    """
    dest = Path(dest)
    if dest.exists():
        raise InvalidInput(msg("backup.exists", path=str(dest)))
    if not dest.parent.is_dir():
        raise InvalidInput(msg("backup.no_directory", path=str(dest.parent)))
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if url.startswith("sqlite"):
            source_path = _sqlite_path(url)
            if not source_path.is_file():
                raise InvalidInput(msg("backup.no_database", path=str(source_path)))
            source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
            target = sqlite3.connect(partial)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
            backend = "sqlite"
        elif url.startswith("postgresql"):
            _run(
                [_tool("pg_dump"), "--format=custom", "--file", str(partial), _pg_dsn(url)],
                "pg_dump",
            )
            backend = "postgresql"
        else:
            raise InvalidInput(msg("backup.backend", backend=repr(url.split(":", 1)[0])))
        partial.replace(dest)  # a backup file is whole, or absent
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(dest, dest.stat().st_size, backend)


def restore(url: str, source: Path) -> BackupInfo:
    """Replace the content of the database at ``url`` by the backup ``source``.

    Raises
    ------
    InvalidInput
        If ``source`` is not a backup of this back end, or the restore fails (then,
        on PostgreSQL, nothing changed: one transaction).
    """
    source = Path(source)
    try:
        with source.open("rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise InvalidInput(
            msg("backup.unreadable", path=str(source), reason=exc.strerror)
        ) from None
    if url.startswith("sqlite"):
        if not head.startswith(_SQLITE_MAGIC):
            raise InvalidInput(msg("backup.not_sqlite_backup", path=str(source)))
        target_path = _sqlite_path(url)
        if not target_path.parent.is_dir():
            raise InvalidInput(msg("backup.no_directory", path=str(target_path.parent)))
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        target = sqlite3.connect(target_path, timeout=30)
        try:
            src.execute("PRAGMA quick_check").fetchone()
            with target:
                src.backup(target)
        except sqlite3.DatabaseError as exc:
            raise InvalidInput(
                msg("backup.not_restorable", path=str(source), reason=str(exc))
            ) from None
        finally:
            target.close()
            src.close()
        backend = "sqlite"
    elif url.startswith("postgresql"):
        if not head.startswith(_PG_MAGIC):
            raise InvalidInput(msg("backup.not_pg_backup", path=str(source)))
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--no-owner",
                "--exit-on-error",
                "--dbname",
                _pg_dsn(url),
                str(source),
            ],
            "pg_restore",
        )
        backend = "postgresql"
    else:
        raise InvalidInput(msg("backup.restore_backend", backend=repr(url.split(":", 1)[0])))
    return BackupInfo(source, source.stat().st_size, backend)
