"""Segments: the named stretches call takers and officers talk about.

A segment runs between two consecutive *landmarks* along a route ("Chuku
bridge → Second prostration point"), about 1–6 km long. Landmarks are places
on the route chosen by how recognisable their type is (passes, supply points,
monasteries, bridges …) and by spacing. Every road way is one segment of its
own; so is every side trail. Each graph edge carries the ``segment_id`` it
belongs to; edges of a parallel path (``variant``) belong to the segment of
the main line beside them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
from shapely.geometry import LineString, Point

from routes.costs import PROFILES
from routes.graph import piece_number

if TYPE_CHECKING:
    from routes.network import RouteNetwork, RouteStop

__all__ = [
    "LANDMARK_PRIORITY",
    "MIN_SEGMENT_M",
    "MAX_SEGMENT_M",
    "build_segments",
    "choose_landmarks",
]

#: how readily a caller or an officer names a place of this type (0: never a boundary)
LANDMARK_PRIORITY: Mapping[str, int] = {
    "trailhead": 6,
    "pass": 6,
    "town": 5,
    "supply_point": 5,
    "bridge": 4,
    "monastery": 4,
    "road_junction": 4,
    "prostration_point": 4,
    "guesthouse": 3,
    "lake": 3,
    "sacred_site": 2,
    "other": 1,
}
MIN_SEGMENT_M = 1_000.0
MAX_SEGMENT_M = 6_000.0
_TARGET_SEGMENT_M = 3_500.0


def choose_landmarks(
    candidates: list[tuple[float, int]], length_m: float, *, loop: bool
) -> list[int]:
    """Pick segment boundaries among ``(measure_m, priority)`` candidates.

    The first candidate (the route start) is always a boundary; from each
    boundary the next is the best-scored candidate between ``MIN_SEGMENT_M``
    and ``MAX_SEGMENT_M`` ahead (priority first, then closeness to a 3.5 km
    stretch). Where no candidate lies in that window the nearest one beyond is
    taken, so a segment may exceed 6 km only where the route has no landmark.

    Returns
    -------
    Indices into ``candidates`` in route order (for a loop the start is not repeated).
    """
    if not candidates:
        return []
    chosen = [0]
    end_m = length_m if loop else candidates[-1][0]
    cur = candidates[0][0]
    while True:
        if end_m - cur <= MAX_SEGMENT_M:
            break
        window = [
            i
            for i, (m, p) in enumerate(candidates)
            if cur + MIN_SEGMENT_M <= m <= cur + MAX_SEGMENT_M
            and p > 0
            and end_m - m >= MIN_SEGMENT_M
        ]
        if not window:
            beyond = [
                i
                for i, (m, p) in enumerate(candidates)
                if m > cur + MAX_SEGMENT_M and p > 0 and end_m - m >= MIN_SEGMENT_M
            ]
            if not beyond:
                break
            window = [beyond[0]]
        best = max(
            window,
            key=lambda i: (
                candidates[i][1] - abs(candidates[i][0] - cur - _TARGET_SEGMENT_M) / 1500.0
            ),
        )
        chosen.append(best)
        cur = candidates[best][0]
    if not loop and chosen[-1] != len(candidates) - 1:
        chosen.append(len(candidates) - 1)
    return chosen


def _node_landmark(network: RouteNetwork, node: str) -> tuple[int, Mapping[str, Any] | None]:
    places = network.region.places
    best: tuple[int, Mapping[str, Any] | None] = (0, None)
    for pid in network.graph.nodes[node].get("place_ids", ()):
        row = places.loc[pid]
        p = LANDMARK_PRIORITY.get(row["type"], 0)
        if best[1] is None or p > best[0]:
            best = (p, row)
    return best


def build_segments(network: RouteNetwork) -> gpd.GeoDataFrame:
    """Cut every route into segments, tag the graph's edges, and tabulate them.

    Returns
    -------
    geopandas.GeoDataFrame
        EPSG:4326, index ``segment_id``; columns ``segment_id``, ``route_id``,
        ``name_en``, ``name_zh``, ``from_place_id``, ``to_place_id``,
        ``length_m``, ``km_from``, ``km_to``, ``elevation_min_m``,
        ``elevation_max_m``, ``ascent_m``, ``descent_m`` (walking direction),
        ``quality`` (the quality covering most of its length), ``modes``,
        ``durations_s`` (profile → {"forward": s, "reverse": s}, None where the
        profile may not travel) and ``geometry`` (3D LineString).
    """
    rows: list[dict[str, Any]] = []
    for route_id, line in network.lines.items():
        stops = network.stops[route_id]
        cands = []
        for s in stops:
            prio, _ = _node_landmark(network, s.node)
            cands.append((s.km * 1000.0, prio if s is not stops[0] else 99))
        picks = choose_landmarks(cands, line.length_m, loop=line.loop)
        bounds = [stops[i] for i in picks]
        if line.loop:
            bounds.append(_wrap(stops[0], line.length_m / 1000.0))
        for a, b in zip(bounds, bounds[1:], strict=False):
            rows.append(_segment_row(network, route_id, a, b, stops))
    for rid, way in network.region.roads.iterrows():
        rows.append(_road_row(network, rid, way))
    _tag_variants(network)
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    frame = frame.set_index("segment_id", drop=False)
    assert frame.index.is_unique, "segment ids must be unique"
    return frame


def _wrap(stop: RouteStop, km: float) -> RouteStop:
    from routes.network import RouteStop

    return RouteStop(stop.node, km)


def _segment_row(
    network: RouteNetwork, route_id: str, a: RouteStop, b: RouteStop, stops: list[RouteStop]
) -> dict[str, Any]:
    G = network.graph
    _, pa = _node_landmark(network, a.node)
    _, pb = _node_landmark(network, b.node)
    a_id = pa["place_id"] if pa is not None else a.node
    b_id = pb["place_id"] if pb is not None else b.node
    seg_id = f"{route_id}:{a_id}-{b_id}"
    inner = [s for s in stops if a.km <= s.km < b.km] if b.km > a.km else []
    seq = [*inner, b]
    fwd: list[dict[str, Any]] = []
    rev: list[dict[str, Any]] = []
    for u, v in zip(seq, seq[1:], strict=False):
        for d in G.get_edge_data(u.node, v.node, default={}).values():
            if d["route_id"] == route_id and d["variant"] is None and d["forward"]:
                fwd.append(d)
        for d in G.get_edge_data(v.node, u.node, default={}).values():
            if d["route_id"] == route_id and d["variant"] is None and not d["forward"]:
                rev.append(d)
    for d in fwd + rev:
        d["segment_id"] = seg_id
    return _row(
        network,
        seg_id,
        route_id,
        (pa, pb),
        (a_id, b_id),
        fwd,
        rev,
        km=(a.km, b.km),
    )


def _road_row(network: RouteNetwork, way_id: str, way: Any) -> dict[str, Any]:
    G = network.graph
    road_id = way.get("road_id")
    shared = road_id and (network.region.roads["road_id"] == road_id).sum() > 1
    # one segment per road of roads.csv; a road split into several ways: one per way
    seg_id = f"road:{road_id}" if road_id and not shared else way_id
    fwd: list[dict[str, Any]] = []
    rev: list[dict[str, Any]] = []
    for _, _, d in G.edges(data=True):
        if d["way_id"] == way_id:
            d["segment_id"] = seg_id
            (fwd if d["forward"] else rev).append(d)
    fwd.sort(key=lambda d: piece_number(d["edge_id"]))
    rev.sort(key=lambda d: -piece_number(d["edge_id"]))
    places = network.region.places
    ends = []
    for key in ("from_place_id", "to_place_id"):
        pid = way.get(key)
        ends.append(places.loc[pid] if pid is not None and pid in places.index else None)
    return _row(
        network,
        seg_id,
        None,
        (ends[0], ends[1]),
        (way.get("from_place_id"), way.get("to_place_id")),
        fwd,
        rev,
        km=None,
        names=(way["name_en"], way["name_zh"]),
    )


def _row(
    network: RouteNetwork,
    seg_id: str,
    route_id: str | None,
    ends: tuple[Any, Any],
    end_ids: tuple[str | None, str | None],
    fwd: list[dict[str, Any]],
    rev: list[dict[str, Any]],
    *,
    km: tuple[float, float] | None,
    names: tuple[str, str] | None = None,
) -> dict[str, Any]:
    coords: list[tuple[float, ...]] = []
    for d in fwd:
        cs = list(d["geometry"].coords)
        coords.extend(cs if not coords else cs[1:])
    arr = np.asarray(coords)
    lon, lat = network.to_wgs.transform(arr[:, 0], arr[:, 1])
    by_quality: dict[str, float] = {}
    for d in fwd:
        by_quality[d["quality"]] = by_quality.get(d["quality"], 0.0) + d["length_m"]
    if names is None:
        pa, pb = ends
        names = (
            f"{_name(pa, 'name_en', end_ids[0])} → {_name(pb, 'name_en', end_ids[1])}",
            f"{_name(pa, 'name_zh', end_ids[0])} → {_name(pb, 'name_zh', end_ids[1])}",
        )
    durations: dict[str, dict[str, float | None]] = {}
    for profile in PROFILES:
        f = [d["duration_s"][profile] for d in fwd]
        r = [d["duration_s"][profile] for d in rev]
        durations[profile] = {
            "forward": None if any(x is None for x in f) else round(float(sum(f)), 1),
            "reverse": None if any(x is None for x in r) else round(float(sum(r)), 1),
        }
    modes = sorted(set.intersection(*[set(d["modes"]) for d in fwd])) if fwd else []
    return {
        "segment_id": seg_id,
        "route_id": route_id,
        "name_en": names[0],
        "name_zh": names[1],
        "from_place_id": end_ids[0],
        "to_place_id": end_ids[1],
        "length_m": round(float(sum(d["length_m"] for d in fwd)), 1),
        "km_from": round(km[0], 3) if km else None,
        "km_to": round(km[1], 3) if km else None,
        "elevation_min_m": round(float(arr[:, 2].min()), 1),
        "elevation_max_m": round(float(arr[:, 2].max()), 1),
        "ascent_m": round(float(sum(d["ascent_m"] for d in fwd)), 1),
        "descent_m": round(float(sum(d["descent_m"] for d in fwd)), 1),
        "quality": max(by_quality, key=lambda q: by_quality[q]) if by_quality else None,
        "modes": modes,
        "durations_s": durations,
        "geometry": LineString(np.column_stack([lon, lat, arr[:, 2]])),
    }


def _name(row: Any, column: str, fallback: str | None) -> str:
    if row is None:
        return fallback or "?"
    value = row.get(column)
    if not isinstance(value, str) or not value:
        value = row.get("name_en")
    return str(value)


def _tag_variants(network: RouteNetwork) -> None:
    """Edges of a parallel path take the segment of the main line beside their middle."""
    G = network.graph
    for _, _, d in G.edges(data=True):
        if d["segment_id"] is not None or d["route_id"] is None:
            continue
        line = network.lines.get(d["route_id"])
        if line is None:
            continue
        mid = d["geometry"].interpolate(0.5, normalized=True)
        pos = line.locate(mid.x, mid.y)
        near = _edge_at(network, d["route_id"], pos.km)
        d["segment_id"] = near


def _edge_at(network: RouteNetwork, route_id: str, km: float) -> str | None:
    G = network.graph
    line = network.lines[route_id]
    p = line.position(km)
    best = None
    for _, _, d in G.edges(data=True):
        if d["route_id"] == route_id and d["variant"] is None and d["segment_id"] is not None:
            dist = d["geometry"].distance(Point(p.x, p.y))
            if best is None or dist < best[0]:
                best = (dist, d["segment_id"])
    return best[1] if best else None
