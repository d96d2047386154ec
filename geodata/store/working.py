"""A commit's working copy: feature edits checked and applied to a region's features,
and the result validated, before anything is written.

:func:`check_edits` refuses malformed edits (every problem listed); :class:`Working`
holds the region's features as the edits leave them and refuses an edit on a feature
that is missing or changed since the edit's ``base_revision``; :func:`validated` checks
the resulting documents as the committed files are, then with the caller's network
check. :class:`~geodata.store.versions.VersionRepository` writes what passes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import shapely
from shapely.geometry import mapping, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from geodata.errors import Conflict, DataValidationError, InvalidInput, NotFound, SandtableError
from geodata.i18n import msg
from geodata.store.model import FeatureEdit, plain
from geodata.store.schema import PointRow, RegionRow, WayRow
from geodata.validate import ID_FIELDS, LAYERS, RegionDocuments, check_region_documents

__all__ = [
    "Layers",
    "Working",
    "check_edits",
    "collections",
    "feature_doc",
    "read_layers",
    "validated",
]


Layers = dict[str, dict[str, tuple[int, dict[str, Any]]]]


def read_layers(
    s: Session, region_id: str
) -> tuple[dict[str, dict[str, tuple[int, dict[str, Any]]]], dict[tuple[str, str], int]]:
    """layer → id → (position, feature), and the revisions."""
    layers: dict[str, dict[str, tuple[int, dict[str, Any]]]] = {k: {} for k in LAYERS}
    revisions: dict[tuple[str, str], int] = {}
    for table in (WayRow, PointRow):
        rows = s.scalars(select(table).where(table.region_id == region_id))
        for row in cast("Iterable[WayRow | PointRow]", rows):
            layers[row.layer][row.feature_id] = (row.position, feature_doc(row))
            revisions[(row.layer, row.feature_id)] = row.revision
    return layers, revisions


def collections(
    layers: Mapping[str, Mapping[str, tuple[int, dict[str, Any]]]],
) -> dict[str, dict[str, Any]]:
    out = {}
    for layer in LAYERS:
        items = sorted(layers[layer].items(), key=lambda kv: (kv[1][0], kv[0]))
        out[layer] = {
            "type": "FeatureCollection",
            "features": [plain(f) for _, (_, f) in items],
        }
    return out


def feature_doc(row: WayRow | PointRow) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": dict(row.properties),
        "geometry": mapping(row.geometry),
    }


def check_edits(edits: Sequence[FeatureEdit], check_revisions: bool) -> None:
    """Refuse malformed edits, listing every problem."""
    problems: list[str] = []
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
            problems.extend(f"{where}: {p}" for p in _feature_problems(e.layer, e.feature_id, f))
        if check_revisions and e.op != "insert" and not isinstance(e.base_revision, int):
            problems.append(f"{where}: base_revision (the revision you edited) is required")
    if problems:
        raise InvalidInput(msg("store.invalid_edits"), details=problems)


def _feature_problems(layer: str, feature_id: str, f: Mapping[str, Any]) -> list[str]:
    """What is wrong with the GeoJSON feature (with properties) of an insert or update."""
    problems = []
    if f["properties"].get(ID_FIELDS[layer]) != feature_id:
        problems.append(f"property {ID_FIELDS[layer]!r} must be {feature_id!r}")
    try:
        geom = shape(f.get("geometry"))
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.ShapelyError):
        problems.append("geometry is not GeoJSON")
    else:
        expected = "LineString" if layer in ("trails", "roads") else "Point"
        if geom.geom_type != expected or geom.is_empty:
            problems.append(f"geometry must be a {expected}")
    return problems


@dataclass
class Working:
    """A region's features (layer → id → (position, feature)) as the edits leave them.

    ``revisions`` are the stored ones; ``edited`` pairs each applied edit with the
    (position, feature) it replaced (None for an insert).
    """

    region_id: str
    layers: Layers
    revisions: dict[tuple[str, str], int]
    edited: list[tuple[FeatureEdit, tuple[int, dict[str, Any]] | None]] = field(
        default_factory=list
    )

    @classmethod
    def read(cls, s: Session, region_id: str) -> Working:
        return cls(region_id, *read_layers(s, region_id))

    def apply(self, e: FeatureEdit, *, check_revisions: bool) -> None:
        """Apply ``e``, or refuse it (:meth:`_refuse`)."""
        old = self.layers[e.layer].get(e.feature_id)
        self._refuse(e, old, check_revisions=check_revisions)
        self.edited.append((e, old))
        features = self.layers[e.layer]
        if e.op == "delete":
            features.pop(e.feature_id)
            return
        if e.feature is not None and "position" in e.feature:
            position = int(e.feature["position"])
        elif old is not None:
            position = old[0]
        else:
            position = max((p for p, _ in features.values()), default=-1) + 1
        features[e.feature_id] = (position, _clean(e.feature))

    def _refuse(
        self, e: FeatureEdit, old: tuple[int, dict[str, Any]] | None, *, check_revisions: bool
    ) -> None:
        """Raise if ``e`` inserts a feature that exists, or changes one that does not or
        has changed since ``e.base_revision``."""
        layer = msg(f"layer.{e.layer}")
        if old is None:
            if e.op != "insert":
                raise NotFound(
                    msg(
                        "store.no_feature",
                        layer=layer,
                        feature_id=repr(e.feature_id),
                        region_id=repr(self.region_id),
                    )
                )
            return
        revision = self.revisions[(e.layer, e.feature_id)]
        if e.op == "insert":
            raise Conflict(
                msg("store.exists", layer=layer, feature_id=repr(e.feature_id)),
                data={"theirs": plain(old[1]), "revision": revision},
            )
        if check_revisions and e.base_revision != revision:
            raise Conflict(
                msg(
                    "store.stale",
                    layer=layer,
                    feature_id=repr(e.feature_id),
                    theirs=revision,
                    base=e.base_revision,
                ),
                data={
                    "layer": e.layer,
                    "feature_id": e.feature_id,
                    "theirs": {"revision": revision, "feature": plain(old[1])},
                    "yours": {
                        "base_revision": e.base_revision,
                        "feature": None if e.feature is None else plain(dict(e.feature)),
                    },
                },
            )

    def stored_before(self, e: FeatureEdit, old: tuple[int, dict[str, Any]]) -> dict[str, Any]:
        """The change's ``before``: the replaced feature with its position and revision."""
        return {
            **plain(old[1]),
            "position": old[0],
            "revision": self.revisions[(e.layer, e.feature_id)],
        }


def validated(
    region: RegionRow, layers: Layers, check: Callable[[RegionDocuments], object] | None
) -> RegionDocuments:
    """The documents ``layers`` make with the region's own, checked as the files are and
    then by ``check``; every failure an :class:`InvalidInput`."""
    try:
        docs = check_region_documents(
            region.region_id,
            metadata=region.metadata_doc,
            calibration=region.calibration,
            layers=collections(layers),
            cues=region.cues,
        )
    except DataValidationError as exc:
        raise InvalidInput(msg("store.invalid_region"), details=exc.texts) from None
    if check is not None:
        try:
            check(docs)
        except InvalidInput:
            raise
        except (SandtableError, ValueError, KeyError, AssertionError) as exc:
            raise InvalidInput(
                msg("store.no_network"), details=[f"{type(exc).__name__}: {exc}"]
            ) from None
    return docs


def _clean(feature: Mapping[str, Any] | None) -> dict[str, Any]:
    """The GeoJSON feature as stored: type, properties, geometry only."""
    assert feature is not None
    return plain(
        {
            "type": "Feature",
            "properties": copy.deepcopy(dict(feature["properties"])),
            "geometry": copy.deepcopy(dict(feature["geometry"])),
        }
    )
