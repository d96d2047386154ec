"""Planner edits that touch several features at once: split a way, join two ways.

Each returns the :class:`~geodata.store.FeatureEdit` list to commit as one version,
computed from a :class:`~geodata.store.Snapshot`; geometry work is done in the region's
metric CRS, elevations interpolated along the line.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, Point

from geodata.errors import InvalidInput, NotFound
from geodata.store import FeatureEdit, Snapshot

__all__ = ["JOIN_TOLERANCE_M", "MIN_PART_M", "join_ways", "split_way"]

#: way ends closer than this may be joined
JOIN_TOLERANCE_M = 5.0
#: a split must leave at least this much on each side
MIN_PART_M = 10.0
_WAY_LAYERS = ("trails", "roads")


def _find_way(snapshot: Snapshot, way_id: str) -> tuple[str, dict[str, Any]]:
    for layer in _WAY_LAYERS:
        for f in snapshot.documents.layers[layer]["features"]:
            if f["properties"]["way_id"] == way_id:
                return layer, copy.deepcopy(f)
    raise NotFound(f"no way {way_id!r} in version {snapshot.version_id}")


def _transformers(snapshot: Snapshot) -> tuple[Transformer, Transformer]:
    crs = snapshot.documents.metadata["metric_crs"]
    return (
        Transformer.from_crs("EPSG:4326", crs, always_xy=True),
        Transformer.from_crs(crs, "EPSG:4326", always_xy=True),
    )


def _metric(coords: list[list[float]], fwd: Transformer) -> np.ndarray:
    c = np.asarray(coords, dtype=float)
    x, y = fwd.transform(c[:, 0], c[:, 1])
    z = c[:, 2] if c.shape[1] > 2 else np.zeros(len(c))
    return np.column_stack([x, y, z])


def _lonlat(xyz: np.ndarray, back: Transformer) -> list[list[float]]:
    lon, lat = back.transform(xyz[:, 0], xyz[:, 1])
    return [
        [round(float(a), 6), round(float(b), 6), round(float(z), 1)]
        for a, b, z in zip(np.atleast_1d(lon), np.atleast_1d(lat), xyz[:, 2], strict=True)
    ]


def split_way(
    snapshot: Snapshot, way_id: str, lon: float, lat: float, *, new_way_id: str | None = None
) -> list[FeatureEdit]:
    """Split a way at the point of it nearest ``(lon, lat)``.

    The way keeps its id and its start (``from_place_id``); the part after the split
    becomes a new way (``new_way_id``, default ``<way_id>~2``, ``~3`` … whichever is
    free) with the same properties and the end (``to_place_id``).

    Raises
    ------
    NotFound
        If there is no such way.
    InvalidInput
        If the point is more than 200 m from the way, a part would be shorter than
        :data:`MIN_PART_M`, or the new id is taken.
    """
    layer, feature = _find_way(snapshot, way_id)
    fwd, back = _transformers(snapshot)
    xyz = _metric(feature["geometry"]["coordinates"], fwd)
    line = LineString(xyz[:, :2])
    px, py = fwd.transform(lon, lat)
    point = Point(px, py)
    if line.distance(point) > 200.0:
        raise InvalidInput(
            f"the split point is {line.distance(point):.0f} m from way {way_id!r}; "
            "click on the way (within 200 m)"
        )
    at = line.project(point)
    if at < MIN_PART_M or line.length - at < MIN_PART_M:
        raise InvalidInput(
            f"splitting {way_id!r} there leaves a part shorter than {MIN_PART_M:.0f} m"
        )
    cum = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xyz[:, :2], axis=0).T))])
    i = int(np.searchsorted(cum, at, side="right"))  # first vertex after the split
    f = (at - cum[i - 1]) / (cum[i] - cum[i - 1]) if cum[i] > cum[i - 1] else 0.0
    cut = xyz[i - 1] + f * (xyz[i] - xyz[i - 1])
    first = np.vstack([xyz[:i], cut])
    second = np.vstack([cut, xyz[i:]])
    ids = {
        f["properties"]["way_id"]
        for lyr in _WAY_LAYERS
        for f in snapshot.documents.layers[lyr]["features"]
    }
    if new_way_id is None:
        n = 2
        while f"{way_id}~{n}" in ids:
            n += 1
        new_way_id = f"{way_id}~{n}"
    elif new_way_id in ids:
        raise InvalidInput(f"way id {new_way_id!r} is taken")
    props = feature["properties"]
    head = {
        "type": "Feature",
        "properties": {**props, "to_place_id": None, "length_published": None},
        "geometry": {"type": "LineString", "coordinates": _lonlat(first, back)},
    }
    tail = {
        "type": "Feature",
        "properties": {
            **props,
            "way_id": new_way_id,
            "from_place_id": None,
            "length_published": None,
        },
        "geometry": {"type": "LineString", "coordinates": _lonlat(second, back)},
    }
    revision = snapshot.revisions[(layer, way_id)]
    position = snapshot.positions[(layer, way_id)]
    return [
        FeatureEdit(layer, way_id, "update", head, revision),
        FeatureEdit(layer, new_way_id, "insert", {**tail, "position": position}),
    ]


def join_ways(snapshot: Snapshot, first_id: str, second_id: str) -> list[FeatureEdit]:
    """Join two ways of one kind meeting end to end into the first.

    The second is deleted; places snapped to it are snapped to the first.

    Raises
    ------
    NotFound
        If a way does not exist.
    InvalidInput
        If they are the same way, of different layers, kinds or routes, or do not
        meet within :data:`JOIN_TOLERANCE_M`.
    """
    if first_id == second_id:
        raise InvalidInput("choose two different ways to join")
    layer_a, a = _find_way(snapshot, first_id)
    layer_b, b = _find_way(snapshot, second_id)
    pa, pb = a["properties"], b["properties"]
    if layer_a != layer_b or pa.get("route_id") != pb.get("route_id"):
        raise InvalidInput(
            f"{first_id!r} and {second_id!r} are not of the same kind and route; "
            "only a trail with a trail of its route, or a road with a road, can be joined"
        )
    fwd, back = _transformers(snapshot)
    xa = _metric(a["geometry"]["coordinates"], fwd)
    xb = _metric(b["geometry"]["coordinates"], fwd)
    options = [
        (xa, xb, "end→start"),
        (xa, xb[::-1], "end→end"),
        (xb, xa, "start→end"),
        (xb[::-1], xa, "start→start"),
    ]
    gap, (p, q, _) = min(
        ((math.dist(p[-1][:2], q[0][:2]), (p, q, how)) for p, q, how in options),
        key=lambda t: t[0],
    )
    if gap > JOIN_TOLERANCE_M:
        raise InvalidInput(
            f"{first_id!r} and {second_id!r} do not meet: their nearest ends are "
            f"{gap:.0f} m apart (at most {JOIN_TOLERANCE_M:.0f} m)"
        )
    joined = np.vstack([p, q[1:]])
    a_first = p is xa  # the first way is never reversed: its walking order is kept
    props = dict(pa)
    if a_first:
        props["to_place_id"] = pb.get("to_place_id") if q is xb else pb.get("from_place_id")
    else:
        props["from_place_id"] = pb.get("from_place_id") if p is xb else pb.get("to_place_id")
    props["length_published"] = None
    merged = {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": "LineString", "coordinates": _lonlat(joined, back)},
    }
    edits = [
        FeatureEdit(layer_a, first_id, "update", merged, snapshot.revisions[(layer_a, first_id)]),
        FeatureEdit(layer_b, second_id, "delete", None, snapshot.revisions[(layer_b, second_id)]),
    ]
    for place in snapshot.documents.layers["places"]["features"]:
        if place["properties"].get("snap_way_id") == second_id:
            moved = copy.deepcopy(place)
            moved["properties"]["snap_way_id"] = first_id
            pid = moved["properties"]["place_id"]
            edits.append(
                FeatureEdit("places", pid, "update", moved, snapshot.revisions[("places", pid)])
            )
    return edits
