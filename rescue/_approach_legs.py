"""A found path as legs: the search's arcs turned into walked and driven legs with their
geometry, climbs, times and the names of their ends.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from shapely.geometry import LineString
from shapely.ops import substring

from geodata.i18n import Msg, msg, text

if TYPE_CHECKING:
    from rescue.closures import Closure
    from routes.network import RouteNetwork
from rescue._approach_values import (
    Leg,
    Plan,
)
from rescue._approach_values import (
    _lonlat_list as _lonlat_list,
)
from routes.multimodal import GroundOverlap, StateGraph, topology

__all__ = ["SHARED_TOLERANCE_M"]

#: points of two paths closer than this are on the same way
SHARED_TOLERANCE_M = 30.0
#: the search's names for the target and the source nodes
_TARGET = "@target"
_SOURCE = "@source"


@dataclass(frozen=True)
class _Arc:
    """The part ``f0 → f1`` (fractions of the edge, u → v orientation) of edge ``key``.

    ``end`` is ``v`` for a whole edge, a virtual node otherwise.
    """

    u: str
    end: str
    v: str
    key: str
    f0: float = 0.0
    f1: float = 1.0

    @property
    def span(self) -> float:
        return self.f1 - self.f0


@dataclass(frozen=True)
class _Step:
    arc: _Arc
    mode: str
    duration_s: float


def _steps(sg: StateGraph, arcs: Sequence[int]) -> list[_Step]:
    """The state graph's arcs as steps over the route graph's edges (transfers dropped)."""
    topo = sg.topo
    base = sg.n_nodes * len(sg.layers)
    out = []
    for a in arcs:
        e = int(sg.edge[a])
        if e < 0:
            continue
        u, v, k = topo.edges[e]
        head = int(sg.head[a])
        end = f"{_TARGET}{head - base}" if head >= base else v
        arc = _Arc(u, end, v, k, float(sg.f0[a]), float(sg.f1[a]))
        out.append(_Step(arc, sg.layers[int(sg.layer[a])], float(sg.cost_s[a])))
    return out


def _spans(
    sg: StateGraph, overlap: GroundOverlap, arcs: Sequence[int]
) -> list[tuple[int, float, float]]:
    return overlap.spans(
        [(int(sg.edge[a]), float(sg.f0[a]), float(sg.f1[a])) for a in arcs if sg.edge[a] >= 0]
    )


def _overlap(network: RouteNetwork) -> GroundOverlap:
    o: GroundOverlap = network.derive(
        "approach_overlap", lambda net: GroundOverlap(topology(net), SHARED_TOLERANCE_M)
    )
    return o


class _LegBuilder:
    def __init__(self, network: RouteNetwork, target_names: Mapping[str, str]) -> None:
        self.net = network
        self.G = network.graph
        self.target_names = target_names
        self._names: dict[str, str] = network.derive("approach_node_names", lambda _: {})
        #: edge key -> (its line, WGS84 points, rounded points): per network, as the names
        self._edges: dict[str, tuple[LineString, Any, Any]] = network.derive(
            "approach_edge_coords", lambda _: {}
        )
        #: (edge key, f0, f1) -> climb and line of that part of the edge (:meth:`_part`)
        self._parts: dict[tuple[str, float, float], tuple[float, float, LineString]] = {}
        #: (edge key, f0, f1) -> points of that part (:meth:`_part_coords`), made on request
        self._part_points: dict[
            tuple[str, float, float], tuple[tuple[tuple[float, ...], ...], tuple[list[float], ...]]
        ] = {}

    def name(self, node: str) -> str:
        if node in self.target_names:
            return self.target_names[node]
        if node not in self._names:  # per network: node names do not change
            self._names[node] = _node_name(self.net, node)
        return self._names[node]

    def legs(self, steps: Sequence[_Step]) -> tuple[Leg, ...]:
        steps = [s for s in steps if s.arc.span > 0]
        out: list[Leg] = []
        for mode, group in itertools.groupby(steps, key=lambda s: s.mode):
            out.append(self._leg(mode, list(group)))
        return tuple(out)

    def _leg(self, mode: str, steps: list[_Step]) -> Leg:
        length = ascent = descent = duration = 0.0
        #: each step's edge part and, for a whole edge, its line
        pieces: list[tuple[_Arc, LineString | None]] = []
        segment_ids: list[str] = []
        for s in steps:
            data = self.G.edges[s.arc.u, s.arc.v, s.arc.key]
            if data.get("segment_id"):
                segment_ids.append(str(data["segment_id"]))
            if s.arc.span < 1.0:
                up, down = self._part(s.arc, data)[:2]
                pieces.append((s.arc, None))
            else:
                up, down = data["ascent_m"], data["descent_m"]
                pieces.append((s.arc, data["geometry"]))
            length += data["length_m"] * s.arc.span
            ascent += up
            descent += down
            duration += s.duration_s
        first, last = steps[0].arc, steps[-1].arc
        return Leg(
            mode=mode,
            from_name=self.name(first.u) if first.f0 == 0.0 else self.target_names[_SOURCE],
            to_name=self.name(last.end),
            length_m=length,
            ascent_m=ascent,
            descent_m=descent,
            duration_s=duration,
            lines=lambda: self._lines(pieces),
            segment_ids=tuple(dict.fromkeys(segment_ids)),
        )

    def _lines(
        self, pieces: Sequence[tuple[_Arc, LineString | None]]
    ) -> tuple[tuple[tuple[float, ...], ...], tuple[Sequence[list[float]], ...]]:
        """A leg's points and their rounded pieces (:attr:`Leg.lines`): made only for the
        legs whose geometry is asked for (issue 18: the page draws the recommended plan's)."""
        coords: list[tuple[float, ...]] = []
        rounded: list[Sequence[list[float]]] = []
        for arc, geom in pieces:
            if geom is None:
                points, wire = self._part_coords(arc)
            else:
                points, wire = self._edge_coords(arc.u, arc.v, arc.key, geom)
            # consecutive pieces meet: the first point of every later one is dropped
            coords.extend(points[1:] if coords else points)
            rounded.append(wire[1:] if rounded else wire)
        return tuple(coords), tuple(rounded)

    def _part(self, arc: _Arc, data: Mapping[str, Any]) -> tuple[float, float, LineString]:
        """Climb and line of part of an edge, made once per request: every plan to a
        target point ends on the same part of its edge (issue 18: ~30 % of an approach's
        CPU went into cutting and projecting that part again for each plan)."""
        found = self._parts.get((arc.key, arc.f0, arc.f1))
        if found is None:
            geom = substring(data["geometry"], arc.f0, arc.f1, normalized=True)
            found = (*_partial_climb(data, geom), geom)
            self._parts[arc.key, arc.f0, arc.f1] = found
        return found

    def _part_coords(
        self, arc: _Arc
    ) -> tuple[tuple[tuple[float, ...], ...], tuple[list[float], ...]]:
        """The points of part of an edge (:meth:`_part` cut it), projected once per request."""
        key = (arc.key, arc.f0, arc.f1)
        found = self._part_points.get(key)
        if found is None:
            line = self._part(arc, self.G.edges[arc.u, arc.v, arc.key])[2]
            found = _wgs_coords(self.net, line)
            self._part_points[key] = found
        return found

    def _edge_coords(
        self, u: str, v: str, key: str, geom: LineString
    ) -> tuple[tuple[tuple[float, ...], ...], tuple[list[float], ...]]:
        """A whole edge's WGS84 points and their rounded form, made once per network."""
        found = self._edges.get(key)
        if found is None or found[0] is not geom:  # keyed by edge; checked by its line
            found = (geom, *_wgs_coords(self.net, geom))
            self._edges[key] = found
        return found[1], found[2]


def _wgs_coords(
    network: Any, geom: LineString
) -> tuple[tuple[tuple[float, ...], ...], tuple[list[float], ...]]:
    """A metric line's points as ``(lon, lat, elevation_m)`` (``(lon, lat)`` where the height
    is unknown) and as the answer writes them (:func:`_lonlat_list`)."""
    c = np.asarray(geom.coords)
    if c.shape[1] < 3:  # a 2D line: its height is unknown
        c = np.column_stack([c, np.full(len(c), np.nan)])
    lon, lat = network.to_wgs.transform(c[:, 0], c[:, 1])
    lons, lats = np.atleast_1d(lon).tolist(), np.atleast_1d(lat).tolist()
    points = tuple(
        (x, y) if not math.isfinite(z) else (x, y, z)
        for x, y, z in zip(lons, lats, c[:, 2].tolist(), strict=True)
    )
    return points, tuple(_lonlat_list(points))


def _partial_climb(data: Mapping[str, Any], part: LineString) -> tuple[float, float]:
    """Ascent and descent of part of an edge, scaled to the edge's own totals."""
    full = np.diff(np.asarray(data["geometry"].coords)[:, 2])
    sub = np.diff(np.asarray(part.coords)[:, 2]) if part.has_z else np.zeros(1)
    up_full, down_full = full[full > 0].sum(), -full[full < 0].sum()
    up = data["ascent_m"] * sub[sub > 0].sum() / up_full if up_full > 0 else 0.0
    down = data["descent_m"] * -sub[sub < 0].sum() / down_full if down_full > 0 else 0.0
    return float(up), float(down)


def _node_name(network: RouteNetwork, node: str) -> str:
    places = network.region.places
    if node in places.index:
        return str(places.at[node, "name_en"])
    for route_id, stops in network.stops.items():
        for stop in stops:
            if stop.node == node:
                name = (
                    network.routes.at[route_id, "name_en"]
                    if route_id in network.routes.index
                    else route_id
                )
                return f"km {stop.km:.1f} on {name}"
    return f"junction {node}"


def _fmt_msg(seconds: float) -> Msg:
    """:func:`_fmt` in either language."""
    h, m = divmod(int(round(seconds / 60.0)), 60)
    return msg("duration.h_min", h=h, m=f"{m:02d}") if h else msg("duration.min", m=m)


def _fmt(seconds: float) -> str:
    minutes = int(round(seconds / 60.0))
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


#: a closure nearer a plan's way than this (not on it) runs beside it or meets it
_ON_PLAN_M = 10.0


def _untouched(
    network: RouteNetwork, plan: Plan, closures: Sequence[Closure]
) -> tuple[dict[str, Any], ...]:
    """The closures in force that do not touch ``plan``: not on its way, no effect on it.

    A closure beside the plan (a road closed where the trail runs next to it) is what the
    officer must hear of: the plan did not change.
    """
    from shapely import transform
    from shapely.geometry import shape
    from shapely.ops import unary_union

    from rescue.closures import affected_edges, describe_closure_msg

    if not plan.legs or not closures:
        return ()
    affected = {e.closure_id for e in plan.closure_effects}
    to_metric = network.to_metric

    def metric(coords: Any) -> np.ndarray:
        xy = np.asarray(coords, dtype=float)[:, :2]
        x, y = to_metric.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    way = unary_union(
        [LineString(metric(leg.geometry)) for leg in plan.legs if len(leg.geometry) >= 2]
    )
    out = []
    G = network.graph
    for c in closures:
        if c.closure_id in affected:
            continue
        parts = [
            LineString(np.asarray(G.edges[e]["geometry"].coords)[:, :2])
            for e in affected_edges(network, c)
        ]
        if c.geometry is not None:
            drawn = shape(c.geometry)
            parts.append(transform(drawn, lambda xy: metric(xy)))
        if not parts:
            continue
        # on the way: it covers a segment the plan travels in a mode it affects (a road
        # closed beside the trail walked is not), or a drawn area the way crosses
        travelled = {
            sid
            for leg in plan.legs
            if c.modes == "all" or leg.mode == "vehicle"
            for sid in leg.segment_ids
        }
        closed_ids = {G.edges[e].get("segment_id") for e in affected_edges(network, c)}
        if travelled & closed_ids:
            continue
        closed = unary_union(parts)
        if c.geometry is not None and closed.geom_type in ("Polygon", "MultiPolygon"):
            if way.intersects(closed) and c.modes == "all":
                continue
        distance = float(way.distance(closed))
        d = int(round(distance, -1)) if distance < 1000 else int(round(distance, -2))
        far = f"{d} m from its way" if d < 1000 else f"{d / 1000:.1f} km from its way"
        far_zh = f"距路线 {d} 米" if d < 1000 else f"距路线 {d / 1000:.1f} 公里"
        if distance <= _ON_PLAN_M:
            far, far_zh = "it runs beside or meets its way", "与路线并行或相接"
        what = describe_closure_msg(network, c)
        out.append(
            {
                "closure_id": c.closure_id,
                "distance_m": round(distance, 1),
                "en": f"{text(what, 'en')}: does not touch this plan ({far}): "
                "the plan is unchanged by it",
                "zh": f"{text(what, 'zh')}：未触及此方案（{far_zh}），方案不受其影响",
            }
        )
    return tuple(sorted(out, key=lambda u: u["distance_m"]))
