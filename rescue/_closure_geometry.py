"""The edges a closure's drawn geometry covers (through :mod:`routes.snap`'s way-piece index).

A LineString covers every edge with at least :data:`LINE_OVERLAP_MIN` of its length
within :data:`LINE_BUFFER_M` of the line (a stretch drawn along the trail) or that the
line crosses (a landslide drawn across it); a Polygon every edge it intersects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from shapely.geometry import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from geodata.errors import InvalidInput
from routes.snap import EdgeKey, piece_index

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = ["LINE_BUFFER_M", "LINE_OVERLAP_MIN", "geometry_edges"]

#: half-width of the corridor around a drawn line
LINE_BUFFER_M = 30.0
#: share of an edge's length inside the corridor from which the edge is covered
LINE_OVERLAP_MIN = 0.5


def _metric(network: RouteNetwork, geojson: Mapping[str, Any]) -> BaseGeometry:
    def proj(coords: Iterable[Sequence[float]]) -> list[tuple[float, float]]:
        pts = [(float(c[0]), float(c[1])) for c in coords]
        xs, ys = network.to_metric.transform([p[0] for p in pts], [p[1] for p in pts])
        return list(zip(map(float, xs), map(float, ys), strict=True))

    if geojson["type"] == "Polygon":
        rings = [proj(r) for r in geojson["coordinates"]]
        return Polygon(rings[0], rings[1:])
    return LineString(proj(geojson["coordinates"]))


def geometry_edges(network: RouteNetwork, geojson: Mapping[str, Any]) -> set[EdgeKey]:
    """The ``(u, v, key)`` edges, both directions, a GeoJSON LineString or Polygon covers.

    Raises
    ------
    InvalidInput
        If the geometry is neither a LineString nor a Polygon.
    """
    kind = geojson.get("type")
    if kind not in ("LineString", "Polygon"):
        raise InvalidInput(f"closure geometry must be a LineString or Polygon, got {kind!r}")
    index = piece_index(network)
    geom = _metric(network, geojson)
    edges: set[EdgeKey] = set()
    if kind == "Polygon":
        for i in index.intersecting(geom):
            edges.update(index.edges[i])
        return edges
    corridor = geom.buffer(LINE_BUFFER_M)
    for i in index.intersecting(corridor):
        piece = index.geoms[i]
        inside_m = piece.intersection(corridor).length
        if piece.length > 0 and inside_m >= LINE_OVERLAP_MIN * piece.length or geom.crosses(piece):
            edges.update(index.edges[i])
    return edges
