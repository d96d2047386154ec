"""Where the team is going: a point, a segment or a locator result placed on the network as
target points (pgRouting's edge and fraction), and the search arcs that reach them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point

from geodata.errors import InvalidInput, NotFound
from rescue.locate.model import Candidate, LocateResult

if TYPE_CHECKING:
    from routes.network import RouteNetwork
from rescue._approach_values import (
    TargetPoint,
)
from rescue._approach_values import (
    _lonlat_list as _lonlat_list,
)
from routes.multimodal import MODES, Topology, VirtualArc
from routes.snap import foot_edge_index, is_forward, snap_to_edge

__all__ = ["MAX_TARGET_OFFSET_M"]


#: a target further than this from every walkable edge is outside the region
MAX_TARGET_OFFSET_M = 2000.0


def _snap(
    network: RouteNetwork,
    lon: float,
    lat: float,
    label: str,
    only: Sequence[tuple[str, str, str]] | None = None,
) -> TargetPoint:
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"({lon}, {lat}) is not a valid WGS84 lon/lat")
    x, y = network.to_metric.transform(lon, lat)
    if not (math.isfinite(x) and math.isfinite(y)):  # beyond what the metric CRS can hold
        raise InvalidInput(
            f"({lon:.5f}, {lat:.5f}) lies far outside the "
            f"{network.graph.graph.get('region_id', 'region')} region"
        )
    pt = Point(x, y)
    G = network.graph
    if only is None:
        snap = foot_edge_index(network).snap(x, y)
        if snap is None:
            raise InvalidInput(f"the {G.graph.get('region_id', 'region')} network has no trail")
    else:
        edge = min(only, key=lambda e: G.edges[e]["geometry"].distance(pt))
        snap = snap_to_edge(G, edge, x, y)
    offset = snap.offset_m
    if offset > MAX_TARGET_OFFSET_M:
        raise InvalidInput(
            f"({lon:.5f}, {lat:.5f}) is {offset / 1000:.1f} km from the nearest trail or road; "
            f"targets must lie within {MAX_TARGET_OFFSET_M / 1000:.0f} km of the "
            f"{G.graph.get('region_id', 'region')} network"
        )
    qlon, qlat = network.to_wgs.transform(snap.x, snap.y)
    return TargetPoint(
        label, snap.u, snap.v, snap.key, snap.fraction, float(qlon), float(qlat), offset
    )


def _resolve_target(network: RouteNetwork, target: Any) -> list[TargetPoint]:
    G = network.graph
    if isinstance(target, str):
        if target not in network.segments.index:
            raise NotFound(f"unknown segment {target!r}")
        seg = network.segments.loc[target]
        edges = [
            (u, v, k)
            for u, v, k, d in G.edges(keys=True, data=True)
            if d.get("segment_id") == target and is_forward(k) and "foot" in d["modes"]
        ]
        if not edges:
            raise NotFound(f"segment {target!r} has no walkable edge")
        coords = list(seg.geometry.coords)
        name = str(seg["name_en"])
        return [
            _snap(network, coords[0][0], coords[0][1], f"start of {name}", edges),
            _snap(network, coords[-1][0], coords[-1][1], f"end of {name}", edges),
        ]
    if isinstance(target, LocateResult):
        target = target.candidates
    if isinstance(target, Sequence) and target and all(isinstance(c, Candidate) for c in target):
        top: Candidate = max(target, key=lambda c: c.probability)
        if top.km_range is None or top.route_id is None:
            return [_snap(network, top.lon, top.lat, f"most probable point on {top.name_en}")]
        points = []
        for km in top.km_range:
            lon, lat, _ = network.point_at(top.route_id, km)
            points.append(_snap(network, lon, lat, f"km {km:.1f} of {top.name_en}"))
        return points
    if (
        isinstance(target, Sequence)
        and not isinstance(target, str)
        and len(target) == 2
        and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in target)
    ):
        lon, lat = float(target[0]), float(target[1])
        return [_snap(network, lon, lat, "target")]
    raise InvalidInput(
        "target must be a (lon, lat) pair, a segment id or locate candidates; "
        f"got {type(target).__name__} {target!r:.80}"
    )


def _target_arcs(topo: Topology, points: Sequence[TargetPoint], inbound: bool) -> list[VirtualArc]:
    """Arcs joining virtual state ``i`` to target point ``i``'s edge, in both layers.

    Inbound arcs run from both ends of the edge to the point (planning to it); outbound
    ones from the point to both ends (carrying the casualty away).
    """
    arcs = []
    for i, t in enumerate(points):
        forward = topo.edge_index[t.key]
        backward = topo.edge_index[t.key[:-1] + "r"]
        for layer in range(len(MODES)):
            if inbound:
                arcs.append(VirtualArc(i, forward, 0.0, t.fraction, layer, True))
                arcs.append(VirtualArc(i, backward, 0.0, 1.0 - t.fraction, layer, True))
            else:
                arcs.append(VirtualArc(i, forward, t.fraction, 1.0, layer, False))
                arcs.append(VirtualArc(i, backward, 1.0 - t.fraction, 1.0, layer, False))
    return arcs
