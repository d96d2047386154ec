"""Engines on the route database: SQLite (embedded) or PostgreSQL + PostGIS, and migrations.

SQLite: WAL journal, foreign keys on, writers serialised with ``BEGIN IMMEDIATE`` (and,
across the threads and processes sharing the file, :class:`_WriteLock`) so that readers
are never blocked. PostgreSQL: one pooled engine; the reader reads in ``REPEATABLE
READ`` so one snapshot is one version. :func:`migrate` runs the Alembic migrations in
``geodata/store/migrations``.
"""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

from geodata.errors import InvalidInput

try:
    import fcntl
except ImportError:  # not on POSIX: threads take turns, processes rely on busy_timeout
    fcntl = None  # type: ignore[assignment]

__all__ = ["DATABASE_FILE", "WRITE_LOCKS", "database_url", "engines", "migrate"]

#: the embedded database, in the instance directory
DATABASE_FILE = "sandtable.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(url: str | None, instance_dir: Path) -> str:
    """``url`` if given, else the embedded SQLite database in ``instance_dir``."""
    if url:
        return url
    return f"sqlite:///{(Path(instance_dir) / DATABASE_FILE).resolve()}"


class _WriteLock:
    """Writers of one SQLite file take turns: the threads of a process on a lock, the
    processes (gunicorn workers, the command line) on ``flock`` of ``<file>-writelock``.

    A blocked ``flock`` waits in the kernel and wakes when the holder lets go; without it
    writers of two processes met in SQLite's busy handler, which sleeps at growing
    intervals (bench_load with 2 workers: write p50 ~1 s). ``flock`` belongs to an open
    file, shared across ``fork``: a forked worker opens its own.
    """

    def __init__(self, path: Path | None) -> None:
        self._lock = threading.Lock()
        self._path = path
        self._fd: int | None = None
        self._pid: int | None = None

    def locked(self) -> bool:
        return self._lock.locked()

    def acquire(self) -> None:
        self._lock.acquire()
        if self._path is None or fcntl is None:
            return
        try:
            if self._pid != os.getpid():
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                self._pid = os.getpid()
            assert self._fd is not None
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._lock.release()
            raise

    def release(self) -> None:
        try:
            if self._fd is not None and self._pid == os.getpid() and fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._lock.release()


#: the lock a SQLite writer engine's transactions take in turn (see :func:`_sqlite_engine`)
WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, _WriteLock] = weakref.WeakKeyDictionary()


def _sqlite_engine(url: str, *, immediate: bool) -> Engine:
    """An engine on a SQLite file: WAL, foreign keys, full sync; writers ``BEGIN IMMEDIATE``.

    The writer's transactions in this process also take turns on one lock (taken at
    BEGIN, given back when the connection returns to the pool, after COMMIT or
    ROLLBACK). Without it, writers queue in SQLite's busy handler, which retries at
    growing intervals and favours newcomers: under load a few writes waited many
    seconds (bench_load: p99 1.6 s, max 18 s with 40 users). Writers of other processes
    take turns with them on a file lock (:class:`_WriteLock`); ``busy_timeout`` still
    covers anything else writing the file.
    """
    engine = create_engine(url, connect_args={"timeout": 30})
    database = engine.url.database
    file_db = database not in (None, "", ":memory:") and not str(database).startswith("file:")
    lock = _WriteLock(Path(f"{database}-writelock") if file_db else None)
    if immediate:
        WRITE_LOCKS[engine] = lock

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (pysqlite's is broken)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        if immediate:
            info = conn.connection.info
            if not info.get("sandtable_write_lock"):
                lock.acquire()
                info["sandtable_write_lock"] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if immediate:

        @event.listens_for(engine, "checkin")
        def _checkin(_: Any, record: Any) -> None:
            if record.info.pop("sandtable_write_lock", False):
                lock.release()

    return engine


def _private_sqlite_file(url: str) -> None:
    """Create the SQLite file of ``url`` readable by its owner only (0600), or make it so.

    The database holds password hashes and callers' details. SQLite gives its ``-wal``,
    ``-shm`` and ``-journal`` files the mode of the database file, so creating that one
    0600 (whatever the umask) covers them; files made by an earlier release are tightened.
    """
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError:
        return  # the directory is missing or read-only: SQLite reports it on connecting
    for suffix in ("", "-wal", "-shm", "-journal"):
        part = path.with_name(path.name + suffix)
        try:
            if part.stat().st_mode & 0o077:
                part.chmod(0o600)
        except OSError:  # absent, or owned by someone else: left as it is
            pass


def engines(url: str) -> tuple[Engine, Engine]:
    """(reader, writer) engines for ``url``."""
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        return _sqlite_engine(url, immediate=False), _sqlite_engine(url, immediate=True)
    if url.startswith("postgresql"):
        writer = create_engine(url, pool_pre_ping=True)
        reader = writer.execution_options(isolation_level="REPEATABLE READ")
        return reader, writer
    raise InvalidInput(
        f"unsupported database URL scheme in {url.split(':', 1)[0]!r}: "
        "use sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME"
    )


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
