"""The values the route store hands out and takes in: versions, snapshots, feature edits.

Frozen dataclasses only; the repositories that read and write them are
:mod:`geodata.store.versions`, :mod:`geodata.store.imports` and
:mod:`geodata.store.closures`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from geodata.errors import NotFound
from geodata.files import Region, region_from_documents
from geodata.store.schema import Version
from geodata.validate import ID_FIELDS, RegionDocuments

__all__ = [
    "FeatureEdit",
    "Op",
    "Snapshot",
    "VersionInfo",
    "edit_from_dict",
    "edit_to_dict",
    "plain",
    "version_info",
]

Op = Literal["insert", "update", "delete"]


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


def plain(value: Any) -> Any:
    """Tuples from shapely's ``mapping`` as lists, so documents compare as JSON does."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def version_info(v: Version, counts: Mapping[str, int]) -> VersionInfo:
    """The :class:`VersionInfo` of a stored version row."""
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


def edit_to_dict(e: FeatureEdit) -> dict[str, Any]:
    """``e`` as JSON (a pending import keeps its edits so)."""
    return {
        "layer": e.layer,
        "feature_id": e.feature_id,
        "op": e.op,
        "feature": None if e.feature is None else plain(dict(e.feature)),
        "base_revision": e.base_revision,
    }


def edit_from_dict(d: Mapping[str, Any]) -> FeatureEdit:
    """The edit :func:`edit_to_dict` wrote."""
    return FeatureEdit(d["layer"], d["feature_id"], d["op"], d["feature"], d["base_revision"])
