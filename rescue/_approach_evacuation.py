"""The evacuation: carry the casualty (``stretcher_carry``) to the handover point where a
vehicle can take over, then drive to the region's evacuation destination (its clinic);
the handover minimises the total time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from geodata.errors import NotFound

if TYPE_CHECKING:
    from routes.network import RouteNetwork
from rescue._approach_legs import (
    _SOURCE,
    _LegBuilder,
    _steps,
)
from rescue._approach_targets import (
    _target_arcs,
)
from rescue._approach_values import (
    Evacuation,
    TargetPoint,
)
from rescue._approach_values import (
    _lonlat_list as _lonlat_list,
)
from routes.multimodal import StateGraph, Topology
from routes.network import Derived

__all__ = ["evacuation_destination"]


def _evacuate(
    network: RouteNetwork,
    topo: Topology,
    points: Sequence[TargetPoint],
    costs: Mapping[str, np.ndarray],
    builder: _LegBuilder,
) -> Evacuation | None:
    """Carry then drive to the clinic, from the target point whose evacuation is slowest."""
    stations = network.region.stations
    dest_id = evacuation_destination(network)
    if dest_id is None:
        return None
    dest = _station_node(network, dest_id)
    if dest is None:
        return None
    sg = StateGraph(
        topo, ("foot", "vehicle"), costs, len(points), _target_arcs(topo, points, False)
    )
    found = sg.search([sg.virtual_state(i) for i in range(len(points))])
    worst: Evacuation | None = None
    for i, t in enumerate(points):
        reached = [
            (float(found.dist[i, s]), s)
            for s in (sg.state(dest, "foot"), sg.state(dest, "vehicle"))
            if math.isfinite(found.dist[i, s])
        ]
        if not reached:
            continue
        steps = _steps(sg, sg.path(found, i, min(reached)[1]))
        builder.target_names = {**builder.target_names, _SOURCE: t.label}
        carry = [s for s in steps if s.mode == "foot"]
        drive = [s for s in steps if s.mode == "vehicle"]
        if drive:
            hand = drive[0].arc.u if drive[0].arc.f0 == 0.0 else _SOURCE
        else:
            hand = dest
        if hand == _SOURCE:
            hname, hlon, hlat = t.label, t.lon, t.lat
        else:
            node = network.graph.nodes[hand]
            hname, hlon, hlat = builder.name(hand), float(node["lon"]), float(node["lat"])
        ev = Evacuation(
            carry_legs=builder.legs(carry),
            vehicle_legs=builder.legs(drive),
            carry_s=sum(s.duration_s for s in carry),
            vehicle_s=sum(s.duration_s for s in drive),
            handover_name=hname,
            handover_lon=hlon,
            handover_lat=hlat,
            destination_id=dest_id,
            destination_name=str(stations.at[dest_id, "name_en"]),
        )
        if worst is None or ev.total_s > worst.total_s:
            worst = ev
    return worst


def evacuation_destination(network: RouteNetwork) -> str | None:
    """Return the station a casualty is driven to, or None if the region names none.

    The region's data names it (``metadata.json``'s ``evacuation_station_id``, written by
    the build from :attr:`geodata.specs.RegionSpec.evacuation_station_id`); an id that
    is not one of the region's stations counts as none.
    """
    station_id = network.region.metadata.get("evacuation_station_id")
    if isinstance(station_id, str) and station_id in network.region.stations.index:
        return station_id
    return None


def _station_nodes(network: RouteNetwork) -> dict[str, str | None]:
    """Each station's graph node (None: its place is not on the network)."""
    out: dict[str, str | None] = {}
    for sid, place_id in network.region.stations["place_id"].items():
        try:
            out[str(sid)] = str(network.node_of(place_id))
        except NotFound:
            out[str(sid)] = None
    return out


#: read once per network, not through pandas per station and request (issue 18: an
#: approach to 3 candidates spent ~5 ms of its CPU in ``DataFrame.at``)
_STATION_NODES: Derived[dict[str, str | None]] = Derived("approach.station_nodes", _station_nodes)


def _station_node(network: RouteNetwork, station_id: str) -> str | None:
    return _STATION_NODES.of(network).get(station_id)
