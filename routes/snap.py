"""Points onto the route network: the edge-key convention and point → edge snapping.

Every piece of a way is two edges of the graph (:mod:`routes.graph`), keyed
``"<way_id>#<piece>:f"`` (the way's direction) and ``"<way_id>#<piece>:r"`` (against
it); :func:`piece_stem`, :func:`edge_key`, :func:`split_edge_key`, :func:`edge_stem`,
:func:`is_forward`, :func:`reverse_key` and :func:`piece_number` (defined in
:mod:`routes.graph`, which builds the keys, and re-exported here) are the one place that
spelling is written and read.

A point off the network is placed as pgRouting places one (``pgr_withPoints``): the
edge it lies nearest, the ``fraction`` along that edge from its source node (0 … 1),
and its ``offset_m`` from the edge. :class:`EdgeIndex` finds the nearest of a chosen
set of edges; :func:`snap_to_edge` places a point on a given edge. Coordinates are
the network's metric CRS (``RouteNetwork.to_metric``).

:class:`PieceIndex` holds every way piece once (its ``:f`` and ``:r`` edges share one
geometry) with the segment it belongs to: the closures find the edges a drawn line or
area covers through it (:meth:`PieceIndex.intersecting`), the reports the segment of a
point placed by hand (:meth:`PieceIndex.nearest_segments`: the segment of the nearest
piece, so a point is counted on the segment the graph puts its trail in).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely
from shapely import STRtree
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from routes.graph import (
    edge_key,
    edge_stem,
    is_forward,
    piece_number,
    piece_stem,
    reverse_key,
    split_edge_key,
)
from routes.network import Derived

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = [
    "EdgeIndex",
    "EdgeKey",
    "EdgeSnap",
    "PieceIndex",
    "edge_key",
    "edge_stem",
    "foot_edge_index",
    "is_forward",
    "piece_index",
    "piece_number",
    "piece_stem",
    "reverse_key",
    "snap_to_edge",
    "split_edge_key",
]

#: (u, v, key) of an edge of the route graph
EdgeKey = tuple[str, str, str]


@dataclass(frozen=True)
class EdgeSnap:
    """A point placed on an edge: pgRouting's (edge, fraction) and the offset.

    ``fraction`` runs from the edge's ``u`` (0) to its ``v`` (1) along its geometry;
    ``x``, ``y`` is the nearest point of the edge (metric); ``offset_m`` the distance
    from the given point to it.
    """

    u: str
    v: str
    key: str
    fraction: float
    offset_m: float
    x: float
    y: float

    @property
    def edge(self) -> EdgeKey:
        """``(u, v, key)``."""
        return (self.u, self.v, self.key)


def _line2d(graph: nx.MultiDiGraph, edge: EdgeKey) -> LineString:
    return LineString(np.asarray(graph.edges[edge]["geometry"].coords)[:, :2])


def snap_to_edge(graph: nx.MultiDiGraph, edge: EdgeKey, x: float, y: float) -> EdgeSnap:
    """Place the metric point ``(x, y)`` on ``edge`` of ``graph``."""
    geom = _line2d(graph, edge)
    pt = Point(x, y)
    offset = float(geom.distance(pt))
    fraction = float(geom.project(pt, normalized=True)) if geom.length > 0 else 0.0
    q = geom.interpolate(fraction, normalized=True)
    u, v, k = edge
    return EdgeSnap(u, v, k, fraction, offset, float(q.x), float(q.y))


class EdgeIndex:
    """The nearest of a fixed set of edges to a point (an STRtree on their 2D geometry).

    Parameters
    ----------
    graph
        The route graph (metric edge geometries).
    edges
        The edges to search, ``(u, v, key)``.
    """

    def __init__(self, graph: nx.MultiDiGraph, edges: Sequence[EdgeKey]) -> None:
        self.graph = graph
        self.edges: tuple[EdgeKey, ...] = tuple(edges)
        self.tree = STRtree([_line2d(graph, e) for e in self.edges])

    def nearest(self, x: float, y: float) -> EdgeKey | None:
        """The edge nearest the metric point ``(x, y)``; None if the index is empty."""
        if not self.edges:
            return None
        (i,) = self.tree.query_nearest(Point(x, y), all_matches=False)
        return self.edges[int(i)]

    def snap(self, x: float, y: float) -> EdgeSnap | None:
        """Place ``(x, y)`` on the nearest edge; None if the index is empty."""
        edge = self.nearest(x, y)
        return None if edge is None else snap_to_edge(self.graph, edge, x, y)


def _foot_edges(network: RouteNetwork) -> EdgeIndex:
    edges = [
        (u, v, k)
        for u, v, k, d in network.graph.edges(keys=True, data=True)
        if is_forward(k) and "foot" in d["modes"]
    ]
    return EdgeIndex(network.graph, edges)


_FOOT_EDGES: Derived[EdgeIndex] = Derived("routes.snap.foot_edges", _foot_edges)


def foot_edge_index(network: RouteNetwork) -> EdgeIndex:
    """The walkable way pieces of ``network``, once each (their ``:f`` edge); cached."""
    return _FOOT_EDGES.of(network)


@dataclass(frozen=True)
class PieceIndex:
    """Every way piece of a network once, with its edges and segment, in an STRtree.

    Piece ``i`` is ``stems[i]`` (``"<way_id>#<piece>"``); ``edges[i]`` are its edges
    (both directions), ``geoms[i]`` its 2D metric geometry, ``segment_ids[i]`` its segment.
    """

    stems: tuple[str, ...]
    edges: tuple[tuple[EdgeKey, ...], ...]
    geoms: tuple[BaseGeometry, ...]
    segment_ids: tuple[str | None, ...]
    tree: STRtree
    #: segment id -> every edge of it
    by_segment: Mapping[str, frozenset[EdgeKey]]
    #: segment id -> its row in ``RouteNetwork.segments`` (which of equally near ones wins)
    segment_rank: Mapping[str, int]

    def intersecting(self, geometry: BaseGeometry) -> npt.NDArray[np.intp]:
        """The pieces (their positions) that ``geometry`` (metric) intersects."""
        return np.asarray(self.tree.query(geometry, predicate="intersects"), dtype=np.intp)

    def nearest_segments(self, x: Sequence[float], y: Sequence[float]) -> list[str | None]:
        """The segment of the piece nearest each metric point.

        Of equally near pieces of different segments (a point nearest a junction), the
        segment first in ``RouteNetwork.segments`` wins. None where the network has no
        pieces.
        """
        best: list[str | None] = [None] * len(x)
        if not self.stems or not len(x):
            return best
        pairs = self.tree.query_nearest(shapely.points(np.column_stack([x, y])))
        for i, j in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
            sid = self.segment_ids[j]
            current = best[i]
            if sid is None:
                continue
            if current is None or self._rank(sid) < self._rank(current):
                best[i] = sid
        return best

    def _rank(self, segment_id: str) -> int:
        return self.segment_rank.get(segment_id, len(self.segment_rank))


def _pieces(network: RouteNetwork) -> PieceIndex:
    groups: dict[str, list[EdgeKey]] = {}
    geoms: dict[str, BaseGeometry] = {}
    segment: dict[str, str | None] = {}
    by_segment: dict[str, set[EdgeKey]] = {}
    for u, v, k, d in network.graph.edges(keys=True, data=True):
        stem = edge_stem(k)
        groups.setdefault(stem, []).append((u, v, k))
        geoms.setdefault(stem, shapely.force_2d(d["geometry"]))
        sid = d.get("segment_id")
        segment.setdefault(stem, sid)
        if sid is not None:
            by_segment.setdefault(sid, set()).add((u, v, k))
    stems = tuple(sorted(groups))
    g = tuple(geoms[s] for s in stems)
    return PieceIndex(
        stems=stems,
        edges=tuple(tuple(groups[s]) for s in stems),
        geoms=g,
        segment_ids=tuple(segment[s] for s in stems),
        tree=STRtree(g),
        by_segment={s: frozenset(e) for s, e in by_segment.items()},
        segment_rank={str(s): i for i, s in enumerate(network.segments.index)},
    )


_PIECES: Derived[PieceIndex] = Derived("routes.snap.pieces", _pieces)


def piece_index(network: RouteNetwork) -> PieceIndex:
    """Every way piece of ``network`` once, with its edges and segment; cached."""
    return _PIECES.of(network)
