"""Versions of a region's route data: seeding, reading any version, committing edits.

:class:`VersionRepository` keeps the features of every region (tables ``ways`` and
``points``), their ``versions`` and the ``changes`` of each.

* :meth:`~VersionRepository.snapshot` reads the documents of a region at its current
  version, or any past one (the current rows with the later changes undone), validated
  exactly as the committed files are.
* :meth:`~VersionRepository.commit` applies feature edits in one transaction: an edit
  based on a stale ``revision`` is a :class:`~geodata.errors.Conflict` carrying both
  versions of the feature; edits that would break the data contract are refused whole
  (:class:`~geodata.errors.InvalidInput` listing every problem); otherwise one new
  :class:`~geodata.store.schema.Version` with one change per feature (GeoJSON before and
  after) is written and becomes current.
* :meth:`~VersionRepository.restore` writes an old version's state as a new version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from shapely.geometry import shape
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from geodata.errors import InvalidInput, NotFound
from geodata.files import DEFAULT_DATA_DIR, list_regions
from geodata.i18n import msg
from geodata.store.audit import record
from geodata.store.model import FeatureEdit, Snapshot, VersionInfo, plain, version_info
from geodata.store.schema import (
    TABLE_OF_LAYER,
    Change,
    PendingImport,
    PointRow,
    RegionRow,
    Version,
    WayRow,
)
from geodata.store.working import (
    Working,
    check_edits,
    collections,
    feature_doc,
    read_layers,
    validated,
)
from geodata.validate import (
    ID_FIELDS,
    LAYERS,
    RegionDocuments,
    check_region_documents,
    read_region_files,
)

__all__ = ["MAX_AUTHOR_CHARS", "VersionRepository"]

MAX_AUTHOR_CHARS = 100
_MAX_MESSAGE_CHARS = 2000


class VersionRepository:
    """The versioned features of every region; reads on ``reader``, writes on ``writer``."""

    def __init__(self, reader: Engine, writer: Engine) -> None:
        self.reader = reader
        self.writer = writer

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
                    s.add(_row(region_id, layer, fid, i, f, version.version_id))
                    counts["insert"] = counts.get("insert", 0) + 1
            s.get_one(RegionRow, region_id).current_version = version.version_id
            return version_info(version, counts)

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
            layers, revisions = read_layers(s, region_id)
            if target != current:
                _undo_after(s, region_id, target, layers, revisions)
            meta, calib, cues = region.metadata_doc, region.calibration, region.cues
        docs = check_region_documents(
            region_id,
            metadata=meta,
            calibration=calib,
            layers=collections(layers),
            cues=cues,
        )
        positions = {
            (layer, fid): p for layer, feats in layers.items() for fid, (p, _) in feats.items()
        }
        return Snapshot(region_id, target, docs, revisions, positions)

    def feature(self, region_id: str, layer: str, feature_id: str) -> tuple[dict[str, Any], int]:
        """The current GeoJSON feature and its revision.

        Raises
        ------
        NotFound
            If there is no such layer or feature.
        """
        table = _table(layer)
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
            return plain(feature_doc(row)), row.revision

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
            counts = _counts(s, [v.version_id for v in versions])
            return [version_info(v, counts.get(v.version_id, {})) for v in versions]

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
            counts = _counts(s, [version_id]).get(version_id, {})
            return version_info(v, counts), [
                {
                    "layer": c.layer,
                    "feature_id": c.feature_id,
                    "op": c.op,
                    "before": _strip(c.before),
                    "after": _strip(c.after),
                }
                for c in rows
            ]

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

        The steps, in one transaction: lock the region, apply the edits to the
        current features (:class:`Working`: every stale or missing feature refused),
        validate the result (:func:`validated`), then write the version, its changes
        and the rows (:meth:`_write`), make it current and audit it.

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
        author = _text(author, "author", MAX_AUTHOR_CHARS)
        message = _text(message, "message", _MAX_MESSAGE_CHARS)
        if not edits:
            raise InvalidInput(msg("store.nothing"))
        check_edits(edits, check_revisions)
        with Session(self.writer) as s, s.begin():
            region = _lock_region(s, region_id)
            working = Working.read(s, region_id)
            for e in edits:
                working.apply(e, check_revisions=check_revisions)
            validated(region, working.layers, check)
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
            counts = self._write(s, working, version.version_id)
            region.current_version = version.version_id
            if consume_pending is not None:
                s.execute(delete(PendingImport).where(PendingImport.import_id == consume_pending))
            s.flush()
            record(
                s.connection(),
                actor=author,
                action=f"version.{kind}",
                target_type="version",
                target_id=version.version_id,
                summary=f"version {version.version_id} of {region_id}: {message}",
                details={
                    "region_id": region_id,
                    "counts": counts,
                    "restored_from": restored_from,
                    "import_id": consume_pending,
                },
                at=version.created_at,
            )
            return version_info(version, counts)

    def _write(self, s: Session, working: Working, vid: int) -> dict[str, int]:
        """One change per edited feature, and its row inserted, updated or deleted."""
        counts: dict[str, int] = {}
        for e, old in working.edited:
            after = working.layers[e.layer].get(e.feature_id)
            s.add(
                Change(
                    version_id=vid,
                    layer=e.layer,
                    feature_id=e.feature_id,
                    op=e.op,
                    before=None if old is None else working.stored_before(e, old),
                    after=None if after is None else {**plain(after[1]), "position": after[0]},
                )
            )
            counts[e.op] = counts.get(e.op, 0) + 1
            key = (working.region_id, e.layer, e.feature_id)
            row = cast("WayRow | PointRow | None", s.get(TABLE_OF_LAYER[e.layer], key))
            if after is None:
                if row is not None:
                    s.delete(row)
            elif row is None:
                s.add(_row(working.region_id, e.layer, e.feature_id, *after, vid))
            else:
                row.properties = dict(after[1]["properties"])
                row.geometry = shape(after[1]["geometry"])
                row.position = after[0]
                row.revision = vid
        return counts

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


def _table(layer: str) -> type[WayRow] | type[PointRow]:
    if layer not in TABLE_OF_LAYER:
        raise NotFound(f"unknown layer {layer!r}; layers: {', '.join(LAYERS)}")
    return TABLE_OF_LAYER[layer]


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


# --------------------------------------------------------------------------- commit steps
def _lock_region(s: Session, region_id: str) -> RegionRow:
    """The region's row, locked until the transaction ends (PostgreSQL; SQLite's writer
    holds the database already)."""
    region = s.scalars(
        select(RegionRow).where(RegionRow.region_id == region_id).with_for_update()
    ).first()
    if region is None:
        raise NotFound(msg("store.no_region", region_id=repr(region_id)))
    return region


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{name} is required (a non-empty text)")
    value = value.strip()
    if len(value) > limit:
        raise InvalidInput(f"{name} is {len(value)} characters long; at most {limit}")
    return value


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
            elif plain(a[fid]) != plain(f) or now.positions[(layer, fid)] != position:
                yield FeatureEdit(layer, fid, "update", {**f, "position": position})
