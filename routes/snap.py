"""Points onto the route network: the edge-key convention and point → edge snapping.

Every piece of a way is two edges of the graph (:mod:`routes.graph`), keyed
``"<way_id>#<piece>:f"`` (the way's direction) and ``"<way_id>#<piece>:r"`` (against
it); :func:`edge_key`, :func:`split_edge_key`, :func:`edge_stem` and :func:`is_forward`
(defined in :mod:`routes.graph`, which builds the keys, and re-exported here) are the
one place that spelling is written and read.

A point off the network is placed as pgRouting places one (``pgr_withPoints``): the
edge it lies nearest, the ``fraction`` along that edge from its source node (0 … 1),
and its ``offset_m`` from the edge. :class:`EdgeIndex` finds the nearest of a chosen
set of edges; :func:`snap_to_edge` places a point on a given edge. Coordinates are
the network's metric CRS (``RouteNetwork.to_metric``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
from shapely import STRtree
from shapely.geometry import LineString, Point

from routes.graph import edge_key, edge_stem, is_forward, split_edge_key
from routes.network import Derived

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = [
    "EdgeIndex",
    "EdgeKey",
    "EdgeSnap",
    "edge_key",
    "edge_stem",
    "foot_edge_index",
    "is_forward",
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
