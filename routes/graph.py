"""Ways → a directed networkx graph with per-direction, per-profile travel times.

Graph contract (checked by :func:`routes.validate.validate_graph`)
------------------------------------------------------------------
``G`` is a :class:`networkx.MultiDiGraph` in the region's metric CRS
(``G.graph["crs"]``, e.g. EPSG:32644) with ``G.graph["region_id"]`` and
``G.graph["profiles"]``.

Nodes are way ends, junctions (a way end touching another way within
``JOIN_TOLERANCE_M``) and places that lie on the network. Node ids are the
``place_id`` where a place is there (the best-known one if several share the
spot, e.g. ``darchen`` rather than the police station placed at the town
centre; all are listed in ``place_ids``), otherwise ``"j<n>"``.
Node attributes: ``x``, ``y`` (metres), ``lon``, ``lat`` (degrees),
``elevation_m``, ``place_ids`` (tuple, possibly empty).

Every piece of a way between two nodes is two edges, one per direction, with
keys ``"<way_id>#<piece>:f"`` (way direction) and ``":r"`` (against it).
Edge attributes:

``edge_id``            the key
``way_id``             the way the piece belongs to
``route_id``           the trail's route (None on roads)
``variant``            None on a route's main line, e.g. ``"other_bank"`` on a parallel path
``segment_id``         the segment the piece belongs to (set by ``routes.segments``)
``kind``               ``"trail"`` or ``"road"``
``geometry``           shapely LineString, metric, 3D (z = elevation_m), oriented u → v
``length_m``           walking/driving length (geometric length × the way's ``length_factor``)
``ascent_m``           metres climbed going u → v
``descent_m``          metres descended going u → v
``modes``              frozenset of ``"foot"``, ``"vehicle"``
``surface``            surface class (see ``routes.costs``)
``quality``            geometry quality of the way
``forward``            True if u → v runs in the way's (walking-order) direction
``duration_s``         dict profile → seconds u → v, or None where the profile's mode
                       is not allowed on the edge or the profile may not use the way
``closed_to``          frozenset of the profiles that may not use the way although their
                       mode is allowed (a profile's ``no_go`` stretches, ``profiles.json``)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from pyproj import Transformer
from scipy.spatial import cKDTree
from shapely import STRtree
from shapely.geometry import LineString, Point
from shapely.ops import substring

from geodata.errors import InvalidInput
from routes.costs import (
    DEFAULT_PROFILES,
    PROFILES,
    WalkingModel,
    duration_s,
    load_model,
    reverse_pieces,
)

__all__ = [
    "JOIN_TOLERANCE_M",
    "PLACE_TO_END_M",
    "PROFILE_MODES",
    "graph_from_ways",
    "edge_pieces",
    "allowed",
    "edge_key",
    "edge_stem",
    "is_forward",
    "piece_number",
    "piece_stem",
    "reverse_key",
    "split_edge_key",
]

_FORWARD, _REVERSE = "f", "r"


def piece_stem(way_id: str, piece: int) -> str:
    """The stem of piece ``piece`` (0, 1, … in the way's direction) of a way."""
    return f"{way_id}#{piece}"


def edge_key(stem: str, forward: bool) -> str:
    """The key of a way piece's edge: ``"<way_id>#<piece>"`` plus ``:f`` or ``:r``."""
    return f"{stem}:{_FORWARD if forward else _REVERSE}"


def split_edge_key(key: str) -> tuple[str, bool]:
    """``(stem, forward)`` of an edge key; the stem is shared by both directions.

    Raises
    ------
    ValueError
        If ``key`` does not end in ``:f`` or ``:r``.
    """
    stem, sep, direction = key.rpartition(":")
    if not sep or direction not in (_FORWARD, _REVERSE):
        raise ValueError(f"edge key {key!r} does not end in ':f' or ':r'")
    return stem, direction == _FORWARD


def edge_stem(key: str) -> str:
    """The way piece an edge belongs to (``"<way_id>#<piece>"``), the same for both directions."""
    return split_edge_key(key)[0]


def is_forward(key: str) -> bool:
    """Whether the edge runs in its way's direction (``:f``)."""
    return split_edge_key(key)[1]


def reverse_key(key: str) -> str:
    """The key of the edge running the other way along the same piece (its twin)."""
    stem, forward = split_edge_key(key)
    return edge_key(stem, not forward)


def piece_number(key: str) -> int:
    """Which piece of its way an edge is (0, 1, … in the way's direction).

    Raises
    ------
    ValueError
        If ``key`` is not ``"<way_id>#<piece>:f"`` or ``":r"``.
    """
    _, sep, piece = edge_stem(key).rpartition("#")
    if not sep or not piece.isdigit():
        raise ValueError(f"edge key {key!r} does not name a piece ('<way_id>#<n>:f')")
    return int(piece)


#: way ends closer than this are one node; a way end this close to another way splits it.
JOIN_TOLERANCE_M = 1.0
#: a place projected this close to a way end is put on that end's node
PLACE_TO_END_M = 30.0
#: which mode each profile travels in
PROFILE_MODES: Mapping[str, str] = {name: DEFAULT_PROFILES[name].mode for name in PROFILES}


@dataclass(frozen=True)
class _Way:
    way_id: str
    line: LineString  # metric, 3D
    props: Mapping[str, Any]


def allowed(profile: str, data: Mapping[str, Any]) -> bool:
    """Whether ``profile`` may use an edge with attributes ``data``."""
    return PROFILE_MODES[profile] in data["modes"] and profile not in data.get("closed_to", ())


def no_go_ways(ways: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, frozenset[str]]:
    """``way_id -> profiles that may not use it``, from the profiles' ``no_go`` stretches.

    A stretch runs along its route's main-line ways (``variant`` None) from the way leaving
    ``from_place_id`` to the way reaching ``to_place_id``.  A stretch whose start is not on
    the route in these ways belongs to another region and is skipped.

    Raises
    ------
    InvalidInput
        If a stretch starts on the route but its ways do not lead to ``to_place_id``.
    """
    main: dict[tuple[str, str], tuple[str, str]] = {}
    for way_id, props in ways:
        if props.get("route_id") and props.get("variant") is None and props.get("from_place_id"):
            key = (str(props["route_id"]), str(props["from_place_id"]))
            main[key] = (way_id, str(props.get("to_place_id")))
    out: dict[str, set[str]] = {}
    for name, prof in DEFAULT_PROFILES.items():
        for stretch in prof.no_go:
            at = stretch.from_place_id
            if (stretch.route_id, at) not in main:
                continue
            chain: list[str] = []
            while at != stretch.to_place_id:
                step = main.get((stretch.route_id, at))
                if step is None or len(chain) > len(main):
                    raise InvalidInput(
                        f"profile {name!r}: no_go {stretch.from_place_id} -> "
                        f"{stretch.to_place_id} does not follow the ways of {stretch.route_id!r}"
                    )
                chain.append(step[0])
                at = step[1]
            for way_id in chain:
                out.setdefault(way_id, set()).add(name)
    return {w: frozenset(p) for w, p in out.items()}


def edge_pieces(line: LineString, length_factor: float) -> np.ndarray:
    """(n, 3) array of (length_m, rise_m, mean_elevation_m) along ``line``.

    ``line`` is 3D; horizontal lengths are scaled by ``length_factor``.
    """
    c = np.asarray(line.coords)
    d = np.hypot(np.diff(c[:, 0]), np.diff(c[:, 1])) * length_factor
    rise = np.diff(c[:, 2])
    mean_z = (c[:-1, 2] + c[1:, 2]) / 2.0
    keep = d > 0
    return np.column_stack([d[keep], rise[keep], mean_z[keep]])


def graph_from_ways(
    ways: Iterable[tuple[str, LineString, Mapping[str, Any]]],
    places: Iterable[tuple[str, Point, str]],
    *,
    crs: str,
    region_id: str,
    calibration: Mapping[str, Any],
) -> nx.MultiDiGraph:
    """Build the route graph.

    Parameters
    ----------
    ways
        ``(way_id, metric 3D LineString, properties)`` with the properties of the
        region data contract (``kind``, ``route_id``, ``modes``, ``surface``,
        ``quality``, ``length_factor``).
    places
        ``(place_id, metric Point, snap_way_id)`` of the places on the network, best
        known first: a node where several places meet is named after the first.
    crs
        The metric CRS of the geometries.
    region_id
        Stored in ``G.graph``.
    calibration
        The region's ``calibration.json``; its ``model`` sets walking speeds.

    Returns
    -------
    networkx.MultiDiGraph
        See the module docstring for the contract.
    """
    way_list = [_Way(w, line, props) for w, line, props in ways]
    closed = no_go_ways((w.way_id, w.props) for w in way_list)
    way_list = [
        _Way(w.way_id, w.line, {**w.props, "closed_to": closed.get(w.way_id, frozenset())})
        for w in way_list
    ]
    place_list = list(places)
    model = load_model(calibration["model"]) if calibration.get("model") else WalkingModel()

    # 1. candidate node points: way ends, places; then merge those within tolerance
    points, labels = _node_points(way_list, place_list)
    node_of = _merge_points(np.asarray(points), JOIN_TOLERANCE_M)

    # 2. node ids and positions
    cluster_xy, cluster_places, names = _name_nodes(points, labels, node_of)
    node_xy = np.array([cluster_xy[c] for c in sorted(cluster_xy)])
    node_names = [names[c] for c in sorted(cluster_xy)]
    node_points = [Point(xy) for xy in node_xy]
    tree = STRtree(node_points)

    # 3. split every way at each node that lies on it, then add edge pairs
    G = nx.MultiDiGraph(crs=crs, region_id=region_id, profiles=PROFILES)
    for way in way_list:
        line = way.line
        cuts = _cuts(line, tree, node_points)
        for k, ((m0, a), (m1, b)) in enumerate(zip(cuts, cuts[1:], strict=False)):
            piece = substring(line, m0, m1)
            if piece.length <= 0:
                continue
            _add_edge_pair(G, way, k, piece, node_names[a], node_names[b], model)

    # 4. the nodes' positions (metric and WGS84), heights and places
    to_wgs = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    for c in sorted(cluster_xy):
        name = names[c]
        if name not in G:
            continue
        x, y = cluster_xy[c]
        lon, lat = to_wgs.transform(x, y)
        G.nodes[name].update(
            x=float(x),
            y=float(y),
            lon=float(lon),
            lat=float(lat),
            elevation_m=_node_elevation(G, name),
            place_ids=tuple(sorted(cluster_places.get(c, []))),
        )
    return G


def _node_points(
    way_list: Sequence[_Way], place_list: Sequence[tuple[str, Point, str]]
) -> tuple[list[tuple[float, float]], list[str | None]]:
    """Candidate node points — every way end, then every place snapped onto its way —
    and the place each names (None for a way end)."""
    points: list[tuple[float, float]] = []
    labels: list[str | None] = []
    for way in way_list:
        for x, y, *_ in (way.line.coords[0], way.line.coords[-1]):
            points.append((x, y))
            labels.append(None)
    lines_by_id = {w.way_id: w.line for w in way_list}
    end_tree = cKDTree(np.asarray(points))
    for place_id, point, snap_way_id in place_list:
        line = lines_by_id.get(snap_way_id)
        if line is None:
            continue
        q = line.interpolate(line.project(point))
        # a place this close to a way end is at that junction (positions are ±30 m at best)
        dist, nearest = end_tree.query((q.x, q.y))
        xy = points[int(nearest)] if dist <= PLACE_TO_END_M else (q.x, q.y)
        points.append(xy)
        labels.append(place_id)
    return points, labels


def _name_nodes(
    points: Sequence[tuple[float, float]], labels: Sequence[str | None], node_of: np.ndarray
) -> tuple[dict[int, tuple[float, float]], dict[int, list[str]], dict[int, str]]:
    """Per cluster of merged points: its position (the first point's), its places and its
    name (the best-known place's, else ``j1``, ``j2`` … in cluster order)."""
    cluster_places: dict[int, list[str]] = {}
    for i, label in enumerate(labels):
        if label is not None:
            cluster_places.setdefault(int(node_of[i]), []).append(label)
    cluster_xy: dict[int, tuple[float, float]] = {}
    for i, c in enumerate(node_of):
        cluster_xy.setdefault(int(c), points[i])
    names: dict[int, str] = {}
    counter = 0
    for c in sorted(cluster_xy):
        ids = cluster_places.get(c, [])
        if ids:
            names[c] = ids[0]  # places come ranked: the best-known name names the node
        else:
            counter += 1
            names[c] = f"j{counter}"
    return cluster_xy, cluster_places, names


def _cuts(line: LineString, tree: STRtree, node_points: Sequence[Point]) -> list[tuple[float, int]]:
    """(metres along ``line``, node index) where it is split: its ends and every node on it."""
    ends = tree.query_nearest([Point(line.coords[0]), Point(line.coords[-1])])[1]
    cuts = [(0.0, int(ends[0])), (line.length, int(ends[1]))]
    for j in tree.query(line, predicate="dwithin", distance=JOIN_TOLERANCE_M):
        m = line.project(node_points[j])
        if JOIN_TOLERANCE_M / 2 < m < line.length - JOIN_TOLERANCE_M / 2:
            cuts.append((m, int(j)))
    cuts.sort()
    return _dedupe_cuts(cuts)


def _dedupe_cuts(cuts: list[tuple[float, int]]) -> list[tuple[float, int]]:
    out: list[tuple[float, int]] = []
    for m, j in cuts:
        if out and m - out[-1][0] < JOIN_TOLERANCE_M / 2:
            continue
        out.append((m, j))
    return out


def _merge_points(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Cluster label per point; points within ``tolerance`` (transitively) share one."""
    parent = list(range(len(points)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in cKDTree(points).query_pairs(tolerance):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    return np.array([find(i) for i in range(len(points))])


def _add_edge_pair(
    G: nx.MultiDiGraph,
    way: _Way,
    k: int,
    piece: LineString,
    u: str,
    v: str,
    model: WalkingModel,
) -> None:
    props = way.props
    factor = float(props.get("length_factor") or 1.0)
    pieces = edge_pieces(piece, factor)
    modes = frozenset(props["modes"])
    surface = props.get("surface") or "unknown"
    common = {
        "way_id": way.way_id,
        "route_id": props.get("route_id"),
        "variant": props.get("variant"),
        "segment_id": None,
        "kind": props["kind"],
        "modes": modes,
        "surface": surface,
        "quality": props["quality"],
        "length_m": float(pieces[:, 0].sum()),
        "closed_to": frozenset(props.get("closed_to", ())),
    }
    for forward, a, b, p, geom in (
        (True, u, v, pieces, piece),
        (False, v, u, reverse_pieces(pieces), LineString(list(piece.coords)[::-1])),
    ):
        rise = p[:, 1]
        durations = {
            profile: (
                duration_s(profile, p, surface=surface, model=model)
                if PROFILE_MODES[profile] in modes and profile not in common["closed_to"]
                else None
            )
            for profile in PROFILES
        }
        key = edge_key(piece_stem(way.way_id, k), forward)
        G.add_edge(
            a,
            b,
            key=key,
            edge_id=key,
            geometry=geom,
            ascent_m=float(rise[rise > 0].sum()),
            descent_m=float(-rise[rise < 0].sum()),
            forward=forward,
            duration_s=durations,
            **common,
        )


def _node_elevation(G: nx.MultiDiGraph, node: str) -> float:
    for _, _, data in G.out_edges(node, data=True):
        return float(data["geometry"].coords[0][2])
    for _, _, data in G.in_edges(node, data=True):
        return float(data["geometry"].coords[-1][2])
    return float("nan")
