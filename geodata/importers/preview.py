"""What an imported file would change: proposals, snaps and problems, before anything is written.

:func:`preview` compares an :class:`~geodata.importers.ImportResult` with a
:class:`~geodata.store.Snapshot` of the region, in the region's metric CRS:

* a line running along an existing way for most of that way's length (a re-walked
  stretch of the kora) *changes* that way: its geometry and elevations are replaced by
  the recorded ones between the way's two ends, the ends themselves kept, so the
  network stays joined where it was;
* any other line is a *new way* (a trail unless told otherwise); each of its ends
  within ``snap_tolerance_m`` of the network is moved onto the nearest way end or way
  point — "what snaps to what" — and an end that snaps nowhere is said so;
* a point near an existing place of the same name (or within ``match_tolerance_m``
  of one) *moves* that place if it is more than a few metres off, else it is the
  same place; any other named point is a *new place*;
* polygons are not route data and are skipped (closures are drawn on the map).

The proposals' edits are then applied to a copy of the region and validated exactly
as a commit would be (the caller may add the network check): :attr:`ImportPreview.problems`
lists why applying would be refused, if it would (catalog texts: each says its file,
feature and property in either language). Recorded lines are simplified to
:data:`SIMPLIFY_M` (their shape, not their GPS noise, is stored); a line that still
has more than :data:`MAX_WAY_POINTS` vertices is skipped and blocks applying (the
network and every map would carry it). Work is bounded: lines are simplified in
chunks, points are compared by name only with places within reach.

The naming, metric-frame and line-sampling helpers are in
:mod:`geodata.importers._preview_helpers`.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import shapely
from rapidfuzz import fuzz
from shapely.geometry import LineString, Point

from geodata.errors import DataValidationError, InvalidInput, SandtableError
from geodata.i18n import Joined, Msg, Name, msg
from geodata.importers._model import ImportResult, ImportWarning
from geodata.importers._preview_helpers import (
    SIMPLIFY_M,
    _fill_z,
    _Frame,
    _has_cjk,
    _norm,
    _samples,
    _simplified,
    _simplify,
    _slug,
    _Taken,
)
from geodata.store import FeatureEdit, Snapshot
from geodata.validate import ID_FIELDS, check_region_documents

__all__ = [
    "MATCH_TOLERANCE_M",
    "MAX_WAY_POINTS",
    "SIMPLIFY_M",
    "SNAP_TOLERANCE_M",
    "ImportPreview",
    "Proposal",
    "preview",
]

#: ends of a new way this close to the network are joined to it
SNAP_TOLERANCE_M = 50.0
#: a recorded line within this of a way runs along it; a point this close to a place is it
MATCH_TOLERANCE_M = 30.0
#: share of an existing way's length a line must run along to change that way
ALONG_SHARE = 0.8
#: a way may have at most this many vertices (after simplification to SIMPLIFY_M)
MAX_WAY_POINTS = 20_000
#: a place found this much off is moved; closer, it is the same place
MOVE_MIN_M = 5.0
#: a point named like a place this far away is that place (moved), not a new one
NAME_MATCH_MAX_M = 1000.0

ProposalKind = Literal["change_way", "new_way", "move_place", "same_place", "new_place", "skip"]


_UNNAMED = re.compile(r"^feature (\d+)$")


def _label_name(label: str) -> Name:
    """An imported feature as a proposal names it: its own name, else ``feature 3`` / ``要素 3``."""
    m = _UNNAMED.match(label)
    return Name(label, f"要素 {m.group(1)}" if m else label)


def _feature_name(feature: dict[str, Any], feature_id: str) -> Name:
    """A feature of the route data by its English and Chinese names (else its id)."""
    props = feature.get("properties") or {}
    en = props.get("name_en") or feature_id
    zh = props.get("name_zh")
    return Name(str(en), zh if isinstance(zh, str) and zh.strip() else None)


@dataclass(frozen=True)
class Proposal:
    """One thing the import would do, for the planner to see on the map.

    ``geometry`` is the proposed GeoJSON geometry (WGS84); ``before`` the current one
    for changes; ``snaps`` say where the ends of a new way join the network.
    """

    kind: ProposalKind
    feature_index: int | None
    layer: str | None
    feature_id: str | None
    summary: str | Msg
    geometry: dict[str, Any] | None = None
    before: dict[str, Any] | None = None
    snaps: tuple[dict[str, Any], ...] = ()
    #: the summary in Chinese (from a catalog message given as ``summary``)
    summary_zh: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.summary, Msg):
            object.__setattr__(self, "summary_zh", self.summary.render("zh"))
            object.__setattr__(self, "summary", self.summary.render("en"))
        elif not self.summary_zh:
            object.__setattr__(self, "summary_zh", self.summary)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "feature_index": self.feature_index,
            "layer": self.layer,
            "feature_id": self.feature_id,
            "summary": self.summary,
            "summary_zh": self.summary_zh,
            "geometry": self.geometry,
            "before": self.before,
            "snaps": list(self.snaps),
        }


@dataclass(frozen=True)
class ImportPreview:
    """The proposals of an import, the edits they make, and why applying would fail."""

    base_version: int
    proposals: tuple[Proposal, ...]
    edits: tuple[FeatureEdit, ...]
    warnings: tuple[ImportWarning, ...]
    problems: tuple[str | Msg, ...] = field(default=())

    @property
    def can_apply(self) -> bool:
        return bool(self.edits) and not self.problems

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.proposals:
            out[p.kind] = out.get(p.kind, 0) + 1
        return out


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- preview
def preview(
    result: ImportResult,
    snapshot: Snapshot,
    *,
    snap_tolerance_m: float = SNAP_TOLERANCE_M,
    match_tolerance_m: float = MATCH_TOLERANCE_M,
    new_way_layer: Literal["trails", "roads"] = "trails",
    route_id: str = "link",
    check: Callable[[Any], object] | None = None,
) -> ImportPreview:
    """Proposals and edits for ``result`` against ``snapshot``; see the module docstring.

    Raises
    ------
    InvalidInput
        If a tolerance is out of range (1-500 m).
    """
    for name, value in (
        ("snap_tolerance_m", snap_tolerance_m),
        ("match_tolerance_m", match_tolerance_m),
    ):
        if not (isinstance(value, (int, float)) and 1.0 <= value <= 500.0):
            raise InvalidInput(msg("preview.tolerance", name=name, value=repr(value)))
    frame = _Frame(snapshot)
    proposals: list[Proposal] = []
    edits: list[FeatureEdit] = []
    warnings: list[ImportWarning] = []
    taken_ways = _Taken(w[1] for w in frame.ways)
    taken_places = _Taken(f["properties"]["place_id"] for f, _ in frame.places)
    changed: set[str] = set()
    refused: list[Msg] = []
    for feature in result.features:
        geom = feature.geometry
        label = feature.name or f"feature {feature.index + 1}"
        if geom.geom_type == "LineString" and len(geom.coords) >= 2:
            xyz = frame.metric(np.asarray(geom.coords))
            line = LineString(xyz[:, :2])
            shape = _simplified(line)
            kept = len(shape.coords)
            if kept > MAX_WAY_POINTS:
                text = msg(
                    "preview.too_many_points",
                    label=_label_name(label),
                    kept=kept,
                    metres=f"{SIMPLIFY_M:g}",
                    limit=MAX_WAY_POINTS,
                )
                proposals.append(Proposal("skip", feature.index, None, None, text))
                refused.append(text)
                continue
            along = _ways_along(frame, shape, match_tolerance_m)
            if along:
                for layer, way_id, old, way_line in along:
                    if way_id in changed:
                        continue
                    changed.add(way_id)
                    new_xyz = _restrict(xyz, line, way_line)
                    coords = frame.lonlat(_simplify(new_xyz))
                    after = copy.deepcopy(old)
                    after["geometry"] = {"type": "LineString", "coordinates": coords}
                    after["properties"]["quality"] = "published_fixes"
                    after["properties"]["source"] = f"import: {result.filename}"
                    edits.append(
                        FeatureEdit(
                            layer, way_id, "update", after, snapshot.revisions[(layer, way_id)]
                        )
                    )
                    proposals.append(
                        Proposal(
                            "change_way",
                            feature.index,
                            layer,
                            way_id,
                            msg(
                                "preview.retrace",
                                label=_label_name(label),
                                way=_feature_name(old, way_id),
                                count=len(coords),
                            ),
                            after["geometry"],
                            old["geometry"],
                        )
                    )
                continue
            edit, proposal = _new_way(
                frame,
                feature.index,
                label,
                xyz,
                taken_ways,
                new_way_layer,
                route_id,
                snap_tolerance_m,
                result.filename,
            )
            edits.append(edit)
            proposals.append(proposal)
        elif geom.geom_type == "Point":
            out = _point(
                frame,
                feature.index,
                label,
                feature,
                snapshot,
                taken_places,
                match_tolerance_m,
                result.filename,
            )
            if out is None:
                continue
            proposal, found = out
            proposals.append(proposal)
            if found is not None:
                edits.append(found)
        else:
            proposals.append(
                Proposal(
                    "skip",
                    feature.index,
                    None,
                    None,
                    msg("preview.not_route_data", label=_label_name(label), kind=geom.geom_type),
                )
            )
    problems = _dry_run(snapshot, edits, check) if not refused else tuple(refused)
    if not edits and not refused:
        problems = (msg("preview.changes_nothing"),)
    return ImportPreview(
        snapshot.version_id, tuple(proposals), tuple(edits), tuple(warnings), problems
    )


def _ways_along(
    frame: _Frame, shape: LineString, tolerance: float
) -> list[tuple[str, str, dict[str, Any], LineString]]:
    """Existing ways that the recording ``shape`` runs along for most of their length.

    Measured from the way: the share of points along it within ``tolerance`` of the
    recording (simplified first by the caller: a 50,000-fix track has far fewer
    shapes than fixes).
    """
    out = []
    shapely.prepare(shape)
    for i in frame.tree.query(shape, predicate="dwithin", distance=tolerance):
        layer, way_id, f, way_line = frame.ways[int(i)]
        flat = LineString(np.asarray(way_line.coords)[:, :2])
        pts = _samples(flat)
        share = float(np.count_nonzero(shapely.dwithin(shape, pts, tolerance))) / len(pts)
        if share >= ALONG_SHARE:
            out.append((layer, way_id, f, way_line))
    return out


def _restrict(xyz: np.ndarray, line: LineString, way: LineString) -> np.ndarray:
    """The recording between the way's two ends, the ends themselves kept exactly."""
    w = np.asarray(way.coords)
    a, b = Point(w[0][:2]), Point(w[-1][:2])
    ta, tb = line.project(a), line.project(b)
    d = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xyz[:, :2], axis=0).T))])
    lo, hi = sorted((ta, tb))
    inner = xyz[(d > lo) & (d < hi)]
    if ta > tb:
        inner = inner[::-1]
    inner = _fill_z(
        np.vstack([w[:1], inner, w[-1:]]) if len(inner) else np.vstack([w[:1], w[-1:]]), way
    )
    return inner


def _new_way(
    frame: _Frame,
    index: int,
    label: str,
    xyz: np.ndarray,
    taken: _Taken,
    layer: str,
    route_id: str,
    tolerance: float,
    filename: str,
) -> tuple[FeatureEdit, Proposal]:
    xyz = _fill_z(xyz)
    snaps: list[dict[str, Any]] = []
    for end, i in (("start", 0), ("end", -1)):
        p = Point(xyz[i][:2])
        near = frame.tree.query_nearest(p, max_distance=tolerance, return_distance=True)
        idx, dist = near
        if len(idx) == 0:
            snaps.append({"end": end, "way_id": None, "distance_m": None})
            continue
        _, way_id, _, way_line = frame.ways[int(idx[0])]
        flat = LineString(np.asarray(way_line.coords)[:, :2])
        wc = np.asarray(way_line.coords)
        # a way end within the tolerance wins: the new way joins at the junction
        ends = [(math.dist(p.coords[0], wc[k][:2]), k) for k in (0, -1)]
        d_end, k = min(ends)
        if d_end <= tolerance:
            target = wc[k]
            where = "end" if k == -1 else "start"
        else:
            q = flat.interpolate(flat.project(p))
            target = np.array([q.x, q.y, xyz[i][2]])
            where = "side"
        xyz[i] = [
            target[0],
            target[1],
            target[2] if len(target) > 2 and math.isfinite(target[2]) else xyz[i][2],
        ]
        snaps.append(
            {"end": end, "way_id": way_id, "at": where, "distance_m": round(float(dist[0]), 1)}
        )
    way_id = taken.unique(f"{route_id}:{_slug(label)}", "~")
    coords = frame.lonlat(_simplify(xyz))
    kind = "trail" if layer == "trails" else "road"
    props: dict[str, Any] = {
        "way_id": way_id,
        "kind": kind,
        "route_id": route_id if layer == "trails" else None,
        "name_en": label,
        "name_zh": label if _has_cjk(label) else None,
        "quality": "published_fixes",
        "modes": ["foot"] if layer == "trails" else ["vehicle", "foot"],
        "surface": None,
        "length_factor": 1.0,
        "from_place_id": None,
        "to_place_id": None,
        "source": f"import: {filename}",
        "notes": "",
        "variant": None,
        "road_id": None,
        "access": None,
    }
    feature: dict[str, Any] = {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": coords},
    }
    joined = [s for s in snaps if s["way_id"]]
    how: Msg | Joined = (
        Joined(
            "",
            {},
            tuple(
                msg(
                    "preview.joins",
                    end=msg(f"preview.end_{s['end']}"),
                    way=s["way_id"],
                    metres=f"{s['distance_m']:.0f}",
                )
                for s in joined
            ),
        )
        if joined
        else msg("preview.joins_nothing")
    )
    return (
        FeatureEdit(layer, way_id, "insert", feature),
        Proposal(
            "new_way",
            index,
            layer,
            way_id,
            msg(
                "preview.new_way",
                label=_label_name(label),
                kind=msg(f"preview.kind_{kind}"),
                how=how,
            ),
            feature["geometry"],
            None,
            tuple(snaps),
        ),
    )


def _point(
    frame: _Frame,
    index: int,
    label: str,
    feature: Any,
    snapshot: Snapshot,
    taken: _Taken,
    tolerance: float,
    filename: str,
) -> tuple[Proposal, FeatureEdit | None] | None:
    lon, lat = feature.geometry.x, feature.geometry.y
    x, y = frame.fwd.transform(lon, lat)
    name = _norm(feature.name)
    best: tuple[float, dict[str, Any]] | None = None
    distances = np.hypot(frame.place_xy[:, 0] - x, frame.place_xy[:, 1] - y)
    # only places within reach are compared by name (not every place for every point)
    for k in np.flatnonzero(distances <= max(tolerance, NAME_MATCH_MAX_M)):
        d = float(distances[k])
        f = frame.places[k][0]
        same_name = bool(name) and any(
            n and fuzz.ratio(n, name, score_cutoff=90) for n in frame.place_names[k]
        )
        if d <= tolerance or same_name:
            if best is None or d < best[0]:
                best = (d, f)
    if best is not None:
        d, f = best
        pid = f["properties"]["place_id"]
        if d < MOVE_MIN_M:
            return Proposal(
                "same_place",
                index,
                "places",
                pid,
                msg("preview.same_place", label=_label_name(label), place=pid, metres=f"{d:.0f}"),
            ), None
        moved = copy.deepcopy(f)
        moved["geometry"] = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
        z = feature.geometry.z if feature.geometry.has_z else math.nan
        if math.isfinite(z):
            moved["properties"]["elevation_m"] = round(float(z), 1)
        moved["properties"]["coord_quality"] = "gps"
        return (
            Proposal(
                "move_place",
                index,
                "places",
                pid,
                msg(
                    "preview.moves",
                    label=_label_name(label),
                    place=_feature_name(f, pid),
                    metres=f"{d:.0f}",
                ),
                moved["geometry"],
                f["geometry"],
            ),
            FeatureEdit("places", pid, "update", moved, snapshot.revisions[("places", pid)]),
        )
    if not feature.name:
        return Proposal(
            "skip", index, None, None, msg("preview.unnamed", label=_label_name(label))
        ), None
    pid = _slug(feature.name, taken)
    z = feature.geometry.z if feature.geometry.has_z else math.nan
    props: dict[str, Any] = {
        "place_id": pid,
        "name_en": feature.name,
        "name_zh": feature.name if _has_cjk(feature.name) else None,
        "name_bo": None,
        "aliases_en": [],
        "aliases_zh": [],
        "type": str(feature.properties.get("type") or "other"),
        "route_id": None,
        "kora_km": None,
        "elevation_m": round(float(z), 1) if math.isfinite(z) else None,
        "coord_quality": "gps",
        "source": f"import: {filename}",
        "notes": feature.description or "",
    }
    new: dict[str, Any] = {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
    }
    return (
        Proposal(
            "new_place",
            index,
            "places",
            pid,
            msg("preview.new_place", name=feature.name),
            new["geometry"],
        ),
        FeatureEdit("places", pid, "insert", new),
    )


def _dry_run(
    snapshot: Snapshot, edits: Sequence[FeatureEdit], check: Callable[[Any], object] | None
) -> tuple[str | Msg, ...]:
    """Why committing ``edits`` on ``snapshot`` would be refused (empty: it would not)."""
    if not edits:
        return ()
    layers: dict[str, dict[str, Any]] = copy.deepcopy(dict(snapshot.documents.layers))
    by_id: dict[str, dict[Any, dict[str, Any]]] = {
        layer: {f["properties"][ID_FIELDS[layer]]: f for f in doc["features"]}
        for layer, doc in layers.items()
        if layer in ID_FIELDS
    }
    for i, e in enumerate(edits):
        features = by_id[e.layer]
        if e.op == "delete":
            features.pop(e.feature_id, None)
        elif e.op == "insert" and e.feature_id in features:  # kept twice: validation says so
            features[(e.feature_id, i)] = dict(e.feature or {})
        else:  # an insert goes last, an update stays in its place
            features[e.feature_id] = dict(e.feature or {})
    for layer, features in by_id.items():
        layers[layer]["features"] = list(features.values())
    docs = snapshot.documents
    try:
        new = check_region_documents(
            docs.region_id,
            metadata=docs.metadata,
            calibration=docs.calibration,
            layers=layers,
            cues=docs.cues,
        )
    except DataValidationError as exc:
        return tuple(exc.texts)
    if check is not None:
        try:
            check(new)
        except (SandtableError, ValueError, KeyError, AssertionError) as exc:
            said = exc.text if isinstance(exc, SandtableError) else None
            reason = said if isinstance(said, Msg) else str(exc)
            return (msg("preview.no_network", reason=reason),)
    return ()
