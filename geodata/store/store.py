"""The route-data store: one region's features in a database, every change a version.

:class:`RouteStore` wraps a SQLAlchemy engine on SQLite (the embedded default, in the
instance directory: WAL journal, foreign keys on, writers serialised with
``BEGIN IMMEDIATE`` so that readers are never blocked) or PostgreSQL + PostGIS
(``SANDTABLE_DATABASE_URL``; writers serialised per region by a row lock, reads in
``REPEATABLE READ`` so one snapshot is one version).

* :meth:`RouteStore.snapshot` reads the documents of a region at its current version,
  or any past one (the current rows with the later changes undone), validated exactly
  as the committed files are.
* :meth:`RouteStore.commit` applies feature edits in one transaction: an edit based on
  a stale ``revision`` is a :class:`~geodata.errors.Conflict` carrying both versions of
  the feature; edits that would break the data contract are refused whole
  (:class:`~geodata.errors.InvalidInput` listing every problem); otherwise one new
  :class:`~geodata.store.schema.Version` with one change per feature (GeoJSON before
  and after) is written and becomes current.
* :meth:`RouteStore.restore` writes an old version's state as a new version.
"""

from __future__ import annotations

import copy
import os
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

import shapely
from alembic import command
from alembic.config import Config
from shapely.geometry import mapping, shape
from sqlalchemy import Engine, create_engine, delete, event, func, select, update
from sqlalchemy.engine import Connection, CursorResult, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from geodata.errors import Conflict, DataValidationError, InvalidInput, NotFound, SandtableError
from geodata.files import DEFAULT_DATA_DIR, Region, list_regions, region_from_documents
from geodata.i18n import msg
from geodata.store.audit import record
from geodata.store.schema import (
    TABLE_OF_LAYER,
    Change,
    ClosureRow,
    PendingImport,
    PointRow,
    RegionRow,
    Version,
    WayRow,
)
from geodata.validate import (
    ID_FIELDS,
    LAYERS,
    RegionDocuments,
    check_region_documents,
    read_region_files,
)

try:
    import fcntl
except ImportError:  # not on POSIX: threads take turns, processes rely on busy_timeout
    fcntl = None  # type: ignore[assignment]

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

#: the embedded database, in the instance directory
DATABASE_FILE = "sandtable.db"
_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_MAX_MESSAGE_CHARS = 2000
_MAX_AUTHOR_CHARS = 100
Op = Literal["insert", "update", "delete"]


def database_url(url: str | None, instance_dir: Path) -> str:
    """``url`` if given, else the embedded SQLite database in ``instance_dir``."""
    if url:
        return url
    return f"sqlite:///{(Path(instance_dir) / DATABASE_FILE).resolve()}"


# --------------------------------------------------------------------------- values
@dataclass(frozen=True)
class VersionInfo:
    """A version of a region's data: who wrote it, when, why, and what it touched."""

    version_id: int
    region_id: str
    created_at: datetime
    author: str
    message: str
    kind: str
    parent_id: int | None
    restored_from: int | None
    counts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version_id": self.version_id,
            "region_id": self.region_id,
            "created_at": self.created_at.isoformat(),
            "author": self.author,
            "message": self.message,
            "kind": self.kind,
            "parent_id": self.parent_id,
            "restored_from": self.restored_from,
            "counts": dict(self.counts),
        }


@dataclass(frozen=True)
class Snapshot:
    """A region's validated documents at one version, with each feature's revision."""

    region_id: str
    version_id: int
    documents: RegionDocuments
    revisions: Mapping[tuple[str, str], int]
    positions: Mapping[tuple[str, str], int]

    def region(self) -> Region:
        return region_from_documents(self.documents)

    def feature(self, layer: str, feature_id: str) -> dict[str, Any]:
        """The GeoJSON feature, or :class:`NotFound`."""
        for f in self.documents.layers[layer]["features"]:
            if f["properties"][ID_FIELDS[layer]] == feature_id:
                return dict(f)
        raise NotFound(f"no {layer[:-1]} {feature_id!r} in version {self.version_id}")


@dataclass(frozen=True)
class FeatureEdit:
    """Insert, update or delete one feature.

    ``feature`` is the new GeoJSON feature (None for a delete); its id property
    (``way_id``, ``place_id``, ``station_id``) must be ``feature_id``. ``base_revision``
    is the revision the edit was made on (required for update and delete: a stale one
    is a conflict).
    """

    layer: str
    feature_id: str
    op: Op
    feature: Mapping[str, Any] | None = None
    base_revision: int | None = None


# --------------------------------------------------------------------------- engine
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


def _engines(url: str) -> tuple[Engine, Engine]:
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
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def open_store(url: str) -> RouteStore:
    """Open (creating or upgrading the schema of) the database at ``url``.

    Raises
    ------
    InvalidInput
        If the URL's scheme is not SQLite or PostgreSQL.
    DataValidationError
        If the database cannot be reached or upgraded.
    """
    reader, writer = _engines(url)
    try:
        migrate(writer)
    except OperationalError as exc:
        raise DataValidationError(
            "cannot open the database", details=[str(exc.orig).strip().splitlines()[0]]
        ) from None
    return RouteStore(reader, writer)


# --------------------------------------------------------------------------- store
def _feature_doc(row: WayRow | PointRow) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": dict(row.properties),
        "geometry": mapping(row.geometry),
    }


def _plain(value: Any) -> Any:
    """Tuples from shapely's ``mapping`` as lists, so documents compare as JSON does."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


class RouteStore:
    """Route data of any number of regions in one database; see the module docstring."""

    def __init__(self, reader: Engine, writer: Engine) -> None:
        self.reader = reader
        self.writer = writer

    @property
    def dialect(self) -> str:
        return self.writer.dialect.name

    def dispose(self) -> None:
        self.reader.dispose()
        self.writer.dispose()

    # seeding
    def has_region(self, region_id: str) -> bool:
        with Session(self.reader) as s:
            return s.get(RegionRow, region_id) is not None

    def seed(
        self, region_id: str, *, data_dir: Path | None = None, author: str = "sandtable"
    ) -> VersionInfo | None:
        """Load ``<data_dir>/<region_id>`` into an empty region; None if it is there.

        Raises
        ------
        NotFound
            If the data directory has no such region.
        DataValidationError
            If the files are invalid (nothing is written).
        """
        base = Path(data_dir) if data_dir is not None else DEFAULT_DATA_DIR
        available = list_regions(base)
        if region_id not in available:
            listed = ", ".join(available) if available else "none"
            raise NotFound(f"unknown region {region_id!r}; available regions: {listed}")
        path = base / region_id
        docs = read_region_files(path, region_id=region_id)
        with Session(self.writer) as s, s.begin():
            if s.get(RegionRow, region_id) is not None:
                return None
            s.add(
                RegionRow(
                    region_id=region_id,
                    metadata_doc=docs.metadata,
                    calibration=docs.calibration,
                    cues=docs.cues,
                    current_version=0,
                )
            )
            s.flush()
            version = Version(
                region_id=region_id,
                created_at=datetime.now(UTC),
                author=author,
                message=f"seeded from the committed region data ({path.name})",
                kind="seed",
                parent_id=None,
            )
            s.add(version)
            s.flush()
            counts: dict[str, int] = {}
            for layer in LAYERS:
                for i, f in enumerate(docs.layers[layer]["features"]):
                    fid = f["properties"][ID_FIELDS[layer]]
                    s.add(self._row(region_id, layer, fid, i, f, version.version_id))
                    counts["insert"] = counts.get("insert", 0) + 1
            s.get_one(RegionRow, region_id).current_version = version.version_id
            return self._info(version, counts)

    @staticmethod
    def _row(
        region_id: str, layer: str, fid: str, position: int, f: Mapping[str, Any], revision: int
    ) -> WayRow | PointRow:
        table = TABLE_OF_LAYER[layer]
        geom = shape(f["geometry"])
        return table(
            region_id=region_id,
            layer=layer,
            feature_id=fid,
            position=position,
            properties=dict(f["properties"]),
            geometry=geom,
            revision=revision,
        )

    # reading
    def current_version(self, region_id: str) -> int:
        """The region's current version id.

        Raises
        ------
        NotFound
            If the region is not in the database.
        """
        with self.reader.connect() as conn:
            value = conn.execute(
                select(RegionRow.current_version).where(RegionRow.region_id == region_id)
            ).scalar()
        if value is None:
            raise NotFound(msg("store.no_region", region_id=repr(region_id)))
        return int(value)

    def snapshot(self, region_id: str, version_id: int | None = None) -> Snapshot:
        """The region's documents at ``version_id`` (default: current), validated.

        Raises
        ------
        NotFound
            If the region or the version does not exist.
        """
        with Session(self.reader) as s, s.begin():
            region = s.get(RegionRow, region_id)
            if region is None:
                raise NotFound(msg("store.no_region", region_id=repr(region_id)))
            current = region.current_version
            target = current if version_id is None else int(version_id)
            if target != current:
                v = s.get(Version, target)
                if v is None or v.region_id != region_id or target > current:
                    raise NotFound(
                        msg("store.no_version", region_id=repr(region_id), version_id=version_id)
                    )
            layers, revisions = self._read_layers(s, region_id)
            if target != current:
                self._undo_after(s, region_id, target, layers, revisions)
            meta, calib, cues = region.metadata_doc, region.calibration, region.cues
        docs = check_region_documents(
            region_id,
            metadata=meta,
            calibration=calib,
            layers=self._collections(layers),
            cues=cues,
        )
        positions = {
            (layer, fid): p for layer, feats in layers.items() for fid, (p, _) in feats.items()
        }
        return Snapshot(region_id, target, docs, revisions, positions)

    @staticmethod
    def _read_layers(
        s: Session, region_id: str
    ) -> tuple[dict[str, dict[str, tuple[int, dict[str, Any]]]], dict[tuple[str, str], int]]:
        """layer → id → (position, feature), and the revisions."""
        layers: dict[str, dict[str, tuple[int, dict[str, Any]]]] = {k: {} for k in LAYERS}
        revisions: dict[tuple[str, str], int] = {}
        for table in (WayRow, PointRow):
            rows = s.scalars(select(table).where(table.region_id == region_id))
            for row in cast("Iterable[WayRow | PointRow]", rows):
                layers[row.layer][row.feature_id] = (row.position, _feature_doc(row))
                revisions[(row.layer, row.feature_id)] = row.revision
        return layers, revisions

    @staticmethod
    def _undo_after(
        s: Session,
        region_id: str,
        target: int,
        layers: dict[str, dict[str, tuple[int, dict[str, Any]]]],
        revisions: dict[tuple[str, str], int],
    ) -> None:
        """Undo, newest first, every change of the versions after ``target``."""
        changes = s.scalars(
            select(Change)
            .join(Version, Version.version_id == Change.version_id)
            .where(Version.region_id == region_id, Change.version_id > target)
            .order_by(Change.version_id.desc(), Change.change_id.desc())
        )
        for c in changes:
            if c.before is None:
                layers[c.layer].pop(c.feature_id, None)
                revisions.pop((c.layer, c.feature_id), None)
            else:
                before = dict(c.before)
                position = int(before.pop("position", 0))
                revision = int(before.pop("revision", 0))
                layers[c.layer][c.feature_id] = (position, before)
                revisions[(c.layer, c.feature_id)] = revision

    @staticmethod
    def _collections(
        layers: Mapping[str, Mapping[str, tuple[int, dict[str, Any]]]],
    ) -> dict[str, dict[str, Any]]:
        out = {}
        for layer in LAYERS:
            items = sorted(layers[layer].items(), key=lambda kv: (kv[1][0], kv[0]))
            out[layer] = {
                "type": "FeatureCollection",
                "features": [_plain(f) for _, (_, f) in items],
            }
        return out

    def feature(self, region_id: str, layer: str, feature_id: str) -> tuple[dict[str, Any], int]:
        """The current GeoJSON feature and its revision.

        Raises
        ------
        NotFound
            If there is no such layer or feature.
        """
        table = self._table(layer)
        with Session(self.reader) as s:
            row = cast("WayRow | PointRow | None", s.get(table, (region_id, layer, feature_id)))
            if row is None:
                raise NotFound(
                    msg(
                        "store.no_feature",
                        layer=msg(f"layer.{layer}"),
                        feature_id=repr(feature_id),
                        region_id=repr(region_id),
                    )
                )
            return _plain(_feature_doc(row)), row.revision

    @staticmethod
    def _table(layer: str) -> type[WayRow] | type[PointRow]:
        if layer not in TABLE_OF_LAYER:
            raise NotFound(f"unknown layer {layer!r}; layers: {', '.join(LAYERS)}")
        return TABLE_OF_LAYER[layer]

    # history
    def history(
        self, region_id: str, *, limit: int = 50, before: int | None = None
    ) -> list[VersionInfo]:
        """Versions, newest first (``before``: only older than that version id)."""
        if not 1 <= limit <= 1000:
            raise InvalidInput(f"limit must be 1-1000, got {limit}")
        with Session(self.reader) as s:
            if s.get(RegionRow, region_id) is None:
                raise NotFound(msg("store.no_region", region_id=repr(region_id)))
            q = select(Version).where(Version.region_id == region_id)
            if before is not None:
                q = q.where(Version.version_id < before)
            versions = list(s.scalars(q.order_by(Version.version_id.desc()).limit(limit)))
            counts = self._counts(s, [v.version_id for v in versions])
            return [self._info(v, counts.get(v.version_id, {})) for v in versions]

    @staticmethod
    def _counts(s: Session, ids: Sequence[int]) -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {}
        if not ids:
            return out
        rows = s.execute(
            select(Change.version_id, Change.op, func.count())
            .where(Change.version_id.in_(ids))
            .group_by(Change.version_id, Change.op)
        )
        for vid, op, n in rows:
            out.setdefault(vid, {})[op] = int(n)
        return out

    def changes(self, region_id: str, version_id: int) -> tuple[VersionInfo, list[dict[str, Any]]]:
        """One version and its changes (layer, id, op, before, after as GeoJSON)."""
        with Session(self.reader) as s:
            v = s.get(Version, version_id)
            if v is None or v.region_id != region_id:
                raise NotFound(
                    msg("store.no_version", region_id=repr(region_id), version_id=version_id)
                )
            rows = list(
                s.scalars(
                    select(Change).where(Change.version_id == version_id).order_by(Change.change_id)
                )
            )
            counts = self._counts(s, [version_id]).get(version_id, {})
            return self._info(v, counts), [
                {
                    "layer": c.layer,
                    "feature_id": c.feature_id,
                    "op": c.op,
                    "before": _strip(c.before),
                    "after": _strip(c.after),
                }
                for c in rows
            ]

    @staticmethod
    def _info(v: Version, counts: Mapping[str, int]) -> VersionInfo:
        return VersionInfo(
            version_id=v.version_id,
            region_id=v.region_id,
            created_at=v.created_at,
            author=v.author,
            message=v.message,
            kind=v.kind,
            parent_id=v.parent_id,
            restored_from=v.restored_from,
            counts=dict(counts),
        )

    # writing
    def commit(
        self,
        region_id: str,
        edits: Sequence[FeatureEdit],
        *,
        author: str,
        message: str,
        kind: str = "edit",
        restored_from: int | None = None,
        check_revisions: bool = True,
        check: Callable[[RegionDocuments], object] | None = None,
        consume_pending: str | None = None,
    ) -> VersionInfo:
        """Apply ``edits`` as one new version; see the module docstring.

        ``consume_pending`` names a pending import deleted in the same transaction.

        ``check`` is called with the new documents, once they satisfy the data
        contract, before anything is written: the service builds the route network
        there, so that a version that could not be served is never written.

        Raises
        ------
        InvalidInput
            If an edit is malformed or the result breaks the data contract (every
            problem listed; nothing written).
        NotFound
            If the region, a layer or an updated/deleted feature does not exist.
        Conflict
            If an edit's ``base_revision`` is not the feature's revision (``data``
            holds the stored feature and the submitted one); nothing written.
        """
        author = _text(author, "author", _MAX_AUTHOR_CHARS)
        message = _text(message, "message", _MAX_MESSAGE_CHARS)
        if not edits:
            raise InvalidInput(msg("store.nothing"))
        self._check_edits(edits, check_revisions)
        with Session(self.writer) as s, s.begin():
            region = s.scalars(
                select(RegionRow).where(RegionRow.region_id == region_id).with_for_update()
            ).first()
            if region is None:
                raise NotFound(msg("store.no_region", region_id=repr(region_id)))
            layers, revisions = self._read_layers(s, region_id)
            befores: list[tuple[FeatureEdit, tuple[int, dict[str, Any]] | None]] = []
            for e in edits:
                old = layers[e.layer].get(e.feature_id)
                if e.op == "insert" and old is not None:
                    raise Conflict(
                        msg(
                            "store.exists",
                            layer=msg(f"layer.{e.layer}"),
                            feature_id=repr(e.feature_id),
                        ),
                        data={
                            "theirs": _plain(old[1]),
                            "revision": revisions[(e.layer, e.feature_id)],
                        },
                    )
                if e.op != "insert" and old is None:
                    raise NotFound(
                        msg(
                            "store.no_feature",
                            layer=msg(f"layer.{e.layer}"),
                            feature_id=repr(e.feature_id),
                            region_id=repr(region_id),
                        )
                    )
                if (
                    check_revisions
                    and e.op != "insert"
                    and e.base_revision != revisions[(e.layer, e.feature_id)]
                ):
                    assert old is not None
                    raise Conflict(
                        msg(
                            "store.stale",
                            layer=msg(f"layer.{e.layer}"),
                            feature_id=repr(e.feature_id),
                            theirs=revisions[(e.layer, e.feature_id)],
                            base=e.base_revision,
                        ),
                        data={
                            "layer": e.layer,
                            "feature_id": e.feature_id,
                            "theirs": {
                                "revision": revisions[(e.layer, e.feature_id)],
                                "feature": _plain(old[1]),
                            },
                            "yours": {
                                "base_revision": e.base_revision,
                                "feature": None if e.feature is None else _plain(dict(e.feature)),
                            },
                        },
                    )
                befores.append((e, old))
                if e.op == "delete":
                    layers[e.layer].pop(e.feature_id)
                else:
                    position = (
                        old[0]
                        if old
                        else max((p for p, _ in layers[e.layer].values()), default=-1) + 1
                    )
                    if e.feature is not None and "position" in e.feature:
                        position = int(e.feature["position"])
                    layers[e.layer][e.feature_id] = (position, _clean(e.feature))
            try:
                docs = check_region_documents(
                    region_id,
                    metadata=region.metadata_doc,
                    calibration=region.calibration,
                    layers=self._collections(layers),
                    cues=region.cues,
                )
            except DataValidationError as exc:
                raise InvalidInput(
                    msg("store.invalid_region"),
                    details=exc.details,
                ) from None
            if check is not None:
                try:
                    check(docs)
                except InvalidInput:
                    raise
                except (SandtableError, ValueError, KeyError, AssertionError) as exc:
                    raise InvalidInput(
                        msg("store.no_network"),
                        details=[f"{type(exc).__name__}: {exc}"],
                    ) from None
            version = Version(
                region_id=region_id,
                created_at=datetime.now(UTC),
                author=author,
                message=message,
                kind=kind,
                parent_id=region.current_version,
                restored_from=restored_from,
            )
            s.add(version)
            s.flush()
            vid = version.version_id
            counts: dict[str, int] = {}
            for e, old in befores:
                table = TABLE_OF_LAYER[e.layer]
                key = (region_id, e.layer, e.feature_id)
                before = None
                if old is not None:
                    before = {
                        **_plain(old[1]),
                        "position": old[0],
                        "revision": revisions[(e.layer, e.feature_id)],
                    }
                after = None
                if e.op != "delete":
                    position, feature = layers[e.layer][e.feature_id]
                    after = {**_plain(feature), "position": position}
                s.add(
                    Change(
                        version_id=vid,
                        layer=e.layer,
                        feature_id=e.feature_id,
                        op=e.op,
                        before=before,
                        after=after,
                    )
                )
                counts[e.op] = counts.get(e.op, 0) + 1
                row = cast("WayRow | PointRow | None", s.get(table, key))
                if e.op == "delete":
                    if row is not None:
                        s.delete(row)
                    continue
                position, feature = layers[e.layer][e.feature_id]
                if row is None:
                    s.add(self._row(region_id, e.layer, e.feature_id, position, feature, vid))
                else:
                    row.properties = dict(feature["properties"])
                    row.geometry = shape(feature["geometry"])
                    row.position = position
                    row.revision = vid
            s.execute(
                update(RegionRow)
                .where(RegionRow.region_id == region_id)
                .values(current_version=vid)
            )
            if consume_pending is not None:
                s.execute(delete(PendingImport).where(PendingImport.import_id == consume_pending))
            s.flush()
            record(
                s.connection(),
                actor=author,
                action=f"version.{kind}",
                target_type="version",
                target_id=vid,
                summary=f"version {vid} of {region_id}: {message}",
                details={
                    "region_id": region_id,
                    "counts": counts,
                    "restored_from": restored_from,
                    "import_id": consume_pending,
                },
                at=version.created_at,
            )
            return self._info(version, counts)

    @staticmethod
    def _check_edits(edits: Sequence[FeatureEdit], check_revisions: bool) -> None:
        problems = []
        seen: set[tuple[str, str]] = set()
        for i, e in enumerate(edits):
            where = f"edit {i} ({e.layer}/{e.feature_id})"
            if e.layer not in LAYERS:
                problems.append(f"{where}: unknown layer; layers: {', '.join(LAYERS)}")
                continue
            if e.op not in ("insert", "update", "delete"):
                problems.append(f"{where}: op must be insert, update or delete, not {e.op!r}")
            if (e.layer, e.feature_id) in seen:
                problems.append(f"{where}: the same feature is edited twice")
            seen.add((e.layer, e.feature_id))
            if e.op != "delete":
                f = e.feature
                if not isinstance(f, Mapping) or not isinstance(f.get("properties"), Mapping):
                    problems.append(f"{where}: a GeoJSON Feature with properties is required")
                    continue
                if f["properties"].get(ID_FIELDS[e.layer]) != e.feature_id:
                    problems.append(
                        f"{where}: property {ID_FIELDS[e.layer]!r} must be {e.feature_id!r}"
                    )
                try:
                    geom = shape(f.get("geometry"))
                except (
                    AttributeError,
                    KeyError,
                    TypeError,
                    ValueError,
                    shapely.errors.ShapelyError,
                ):
                    problems.append(f"{where}: geometry is not GeoJSON")
                else:
                    expected = "LineString" if e.layer in ("trails", "roads") else "Point"
                    if geom.geom_type != expected or geom.is_empty:
                        problems.append(f"{where}: geometry must be a {expected}")
            if check_revisions and e.op != "insert" and not isinstance(e.base_revision, int):
                problems.append(f"{where}: base_revision (the revision you edited) is required")
        if problems:
            raise InvalidInput(msg("store.invalid_edits"), details=problems)

    def restore(
        self,
        region_id: str,
        version_id: int,
        *,
        author: str,
        message: str = "",
        check: Callable[[RegionDocuments], object] | None = None,
    ) -> VersionInfo:
        """Write the state of ``version_id`` as a new version.

        Raises
        ------
        NotFound
            If the version does not exist.
        InvalidInput
            If the state is the current one already (nothing to restore).
        """
        old = self.snapshot(region_id, version_id)
        now = self.snapshot(region_id)
        edits = list(_diff(now, old))
        if not edits:
            raise InvalidInput(msg("store.current", version_id=version_id))
        return self.commit(
            region_id,
            edits,
            author=author,
            message=message or f"restore version {version_id}",
            kind="restore",
            restored_from=version_id,
            check_revisions=False,
            check=check,
        )

    # closures
    def closure_bodies(self, region_id: str) -> list[dict[str, Any]]:
        """Stored closures of the region (see :mod:`rescue.closures`), in insertion order."""
        return [dict(body) for _, body in self.closure_rows(region_id)]

    def closure_rows(self, region_id: str) -> list[tuple[str, Any]]:
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

    def add_closure(
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
                details={"region_id": region_id, "closure": _plain(dict(body))},
            )

    def delete_closure(
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
            result = cast(
                "CursorResult[Any]",
                s.execute(
                    delete(ClosureRow).where(
                        ClosureRow.region_id == region_id, ClosureRow.closure_id == closure_id
                    )
                ),
            )
            if not result.rowcount:
                return False
            record(
                s.connection(),
                actor=actor,
                action="closure.delete",
                target_type="closure",
                target_id=closure_id,
                summary="lifted",
                details={"region_id": region_id},
            )
            return True

    # pending imports
    def save_pending(
        self,
        region_id: str,
        import_id: str,
        *,
        author: str,
        filename: str,
        base_version: int,
        preview: Mapping[str, Any],
        edits: Sequence[FeatureEdit],
        purge_before: datetime | None = None,
    ) -> None:
        """Keep a previewed import (previews older than ``purge_before`` are dropped)."""
        with Session(self.writer) as s, s.begin():
            if purge_before is not None:
                s.execute(delete(PendingImport).where(PendingImport.created_at < purge_before))
            s.add(
                PendingImport(
                    import_id=import_id,
                    region_id=region_id,
                    created_at=datetime.now(UTC),
                    author=author[:_MAX_AUTHOR_CHARS],
                    filename=filename[:255],
                    base_version=base_version,
                    preview=dict(preview),
                    edits=[edit_to_dict(e) for e in edits],
                )
            )
            s.flush()
            record(
                s.connection(),
                actor=author,
                action="import.preview",
                target_type="import",
                target_id=import_id,
                summary=f"previewed {filename[:200]} on version {base_version}",
                details={"region_id": region_id, "filename": filename[:255], "edits": len(edits)},
            )

    def pending(self, region_id: str, import_id: str) -> tuple[dict[str, Any], list[FeatureEdit]]:
        """A pending import's preview and edits.

        Raises
        ------
        NotFound
            If there is none (never made, applied, discarded or expired).
        """
        with Session(self.reader) as s:
            row = s.get(PendingImport, import_id)
            if row is None or row.region_id != region_id:
                raise NotFound(f"no pending import {import_id!r} (applied, discarded or expired?)")
            return dict(row.preview), [edit_from_dict(d) for d in row.edits]

    def apply_pending(
        self,
        region_id: str,
        import_id: str,
        *,
        author: str,
        message: str,
        check: Callable[[RegionDocuments], object] | None = None,
    ) -> VersionInfo:
        """Commit a pending import as one version (kind ``import``) and forget it.

        Raises
        ------
        NotFound
            If there is no such pending import.
        Conflict
            If a feature it changes was changed since the preview.
        InvalidInput
            If the data would break the contract (as :meth:`commit`).
        """
        _, edits = self.pending(region_id, import_id)
        return self.commit(
            region_id,
            edits,
            author=author,
            message=message,
            kind="import",
            check=check,
            consume_pending=import_id,
        )

    def discard_pending(self, region_id: str, import_id: str, *, actor: str = "system") -> bool:
        """Forget a pending import; False if there was none. ``actor`` goes into the audit log."""
        with Session(self.writer) as s, s.begin():
            result = cast(
                "CursorResult[Any]",
                s.execute(
                    delete(PendingImport).where(
                        PendingImport.region_id == region_id, PendingImport.import_id == import_id
                    )
                ),
            )
            if not result.rowcount:
                return False
            record(
                s.connection(),
                actor=actor,
                action="import.discard",
                target_type="import",
                target_id=import_id,
                summary="discarded the preview",
                details={"region_id": region_id},
            )
            return True

    @staticmethod
    def _purge(s: Session, region_id: str, before: datetime) -> None:
        s.execute(
            delete(ClosureRow).where(
                ClosureRow.region_id == region_id,
                ClosureRow.valid_until.is_not(None),
                ClosureRow.valid_until <= before,
            )
        )


def edit_to_dict(e: FeatureEdit) -> dict[str, Any]:
    return {
        "layer": e.layer,
        "feature_id": e.feature_id,
        "op": e.op,
        "feature": None if e.feature is None else _plain(dict(e.feature)),
        "base_revision": e.base_revision,
    }


def edit_from_dict(d: Mapping[str, Any]) -> FeatureEdit:
    return FeatureEdit(d["layer"], d["feature_id"], d["op"], d["feature"], d["base_revision"])


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} is required (a non-empty text)")
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{name} is {len(value)} characters long; at most {limit}")
    return value


def _clean(feature: Mapping[str, Any] | None) -> dict[str, Any]:
    """The GeoJSON feature as stored: type, properties, geometry only."""
    assert feature is not None
    return _plain(
        {
            "type": "Feature",
            "properties": copy.deepcopy(dict(feature["properties"])),
            "geometry": copy.deepcopy(dict(feature["geometry"])),
        }
    )


def _strip(feature: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if feature is None:
        return None
    return {k: v for k, v in feature.items() if k not in ("position", "revision")}


def _diff(now: Snapshot, target: Snapshot) -> Iterable[FeatureEdit]:
    """Edits turning ``now`` into ``target`` (content and file order)."""
    for layer in LAYERS:
        key = ID_FIELDS[layer]
        a = {f["properties"][key]: f for f in now.documents.layers[layer]["features"]}
        b = {f["properties"][key]: f for f in target.documents.layers[layer]["features"]}
        for fid in sorted(a.keys() - b.keys()):
            yield FeatureEdit(layer, fid, "delete")
        for fid, f in b.items():
            position = target.positions[(layer, fid)]
            if fid not in a:
                yield FeatureEdit(layer, fid, "insert", {**f, "position": position})
            elif _plain(a[fid]) != _plain(f) or now.positions[(layer, fid)] != position:
                yield FeatureEdit(layer, fid, "update", {**f, "position": position})
