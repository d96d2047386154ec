"""Approach planning: how fast can each station's team reach a casualty, and how does she get out.

For every station that can respond (capability ``vehicle`` or ``foot_team``) we search a
*state graph* of ``(node, mode)`` pairs: a team with a vehicle drives on edges that allow
``"vehicle"`` (the ``vehicle`` profile's durations) and may leave the vehicle once, at a
node where a vehicle edge and a foot edge meet (a trailhead, a road end, a track's drop-off
point); from there, or from the start for a station without a vehicle, it walks on edges
that allow ``"foot"`` (the requested foot profile, ``rescue_team`` by default). Because the
graph is directed and every way piece exists in both directions, both ways round a loop are
searched at once.

The target is a point (snapped onto the nearest walkable edge; an edge's cost is split by
the fraction along it, as pgRouting does for points off the network), a segment (both ends)
or a locator result (the ends of the top candidate's stretch).

Alternatives come from the penalty method: the edges of the plans found so far cost three
times more and the search is repeated; a new path is kept only if it shares less than half
of its length with the best plan and with every alternative kept, and only if it takes at
most three times as long as the best (or at most an hour more): walking the whole kora the
other way is different, but no help.

The evacuation is the reverse problem: carry the casualty (``stretcher_carry``) to the
handover point where a vehicle can take over, then drive to the Darchen clinic; the handover
is chosen to minimise the total time.

Costs can be replaced by a callable ``cost(u, v, key, data, mode) -> seconds | None``
(``None`` hides the edge) so that closures plug in without this module knowing about them.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry import LineString, MultiLineString, Point
from shapely.ops import substring

from rescue.errors import InvalidInput, NotFound
from rescue.locate.model import Candidate, LocateResult

if TYPE_CHECKING:
    from rescue.closures import Closure
from routes.graph import PROFILE_MODES

__all__ = [
    "CostFunction",
    "EVACUATION_DESTINATION",
    "MAX_ALTERNATIVES",
    "MAX_ALTERNATIVE_RATIO",
    "MAX_SHARED_FRACTION",
    "MAX_TARGET_OFFSET_M",
    "SHARED_TOLERANCE_M",
    "PENALTY_FACTOR",
    "Alternative",
    "ApproachResult",
    "Evacuation",
    "Leg",
    "Plan",
    "TargetPoint",
    "mode_costs",
    "plan_approach",
    "plan_with_closures",
]

#: ``cost(u, v, key, data, mode) -> seconds`` or None to hide the edge from that mode
CostFunction = Callable[[str, str, str, Mapping[str, Any], str], "float | None"]

#: a target further than this from every walkable edge is outside the region
MAX_TARGET_OFFSET_M = 2000.0
#: cost multiplier for edges already used, when searching for alternatives
PENALTY_FACTOR = 3.0
#: alternatives sharing this fraction of their length (or more) with another plan are dropped
MAX_SHARED_FRACTION = 0.5
#: points of two paths closer than this are on the same way
SHARED_TOLERANCE_M = 30.0
#: alternatives per station
MAX_ALTERNATIVES = 3
#: alternatives slower than this many times the best (and over an hour more) are not useful
MAX_ALTERNATIVE_RATIO = 3.0
#: penalised searches per station (several may repeat a path already found)
_MAX_PENALTY_ROUNDS = 6
#: the station the casualty is driven to
EVACUATION_DESTINATION = "baga_health_centre"
#: the profile of the evacuation's carried leg
_CARRY_PROFILE = "stretcher_carry"
_RESPONDING = ("vehicle", "foot_team")
_VERBS = {"vehicle": "drive", "foot": "walk"}
_TARGET = "@target"
_SOURCE = "@source"


# --------------------------------------------------------------------------- values
def _lonlat_list(coords: Sequence[tuple[float, float]]) -> list[list[float]]:
    return [[round(x, 6), round(y, 6)] for x, y in coords]


@dataclass(frozen=True)
class Leg:
    """Consecutive edges travelled in one mode.

    ``geometry`` is ``((lon, lat), …)`` from ``from_name`` to ``to_name``.
    """

    mode: str
    from_name: str
    to_name: str
    length_m: float
    ascent_m: float
    descent_m: float
    duration_s: float
    geometry: tuple[tuple[float, float], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "from": self.from_name,
            "to": self.to_name,
            "length_m": round(self.length_m, 1),
            "ascent_m": round(self.ascent_m, 1),
            "descent_m": round(self.descent_m, 1),
            "duration_s": round(self.duration_s, 1),
            "geometry": _lonlat_list(self.geometry),
        }


@dataclass(frozen=True)
class Alternative:
    """A genuinely different way for the same team; ``extra_s`` is its cost over the best."""

    legs: tuple[Leg, ...]
    eta_s: float
    extra_s: float
    shared_fraction: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "eta_s": round(self.eta_s, 1),
            "extra_s": round(self.extra_s, 1),
            "shared_fraction": round(self.shared_fraction, 3),
            "legs": [leg.to_dict() for leg in self.legs],
        }


@dataclass(frozen=True)
class Plan:
    """The fastest plan of one station's team.

    When ``reachable`` is False the target cannot be reached on the ground: ``legs`` and
    ``eta_s`` lead to the nearest reachable point (``arrival_lon``/``arrival_lat``), which
    is ``gap_m`` (straight line) from the target. For a stretch target (a segment, a locate
    candidate) ``eta_s`` is to its nearer end and ``far_eta_s`` to the farther one.
    """

    station_id: str
    station_name: str
    eta_s: float
    legs: tuple[Leg, ...]
    arrival_lon: float
    arrival_lat: float
    alternatives: tuple[Alternative, ...] = ()
    closures_applied: tuple[str, ...] = ()
    reachable: bool = True
    gap_m: float = 0.0
    far_eta_s: float | None = None
    arrive_at: datetime | None = None

    @property
    def length_m(self) -> float:
        return sum(leg.length_m for leg in self.legs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "station_id": self.station_id,
            "station_name": self.station_name,
            "reachable": self.reachable,
            "eta_s": round(self.eta_s, 1),
            "far_eta_s": None if self.far_eta_s is None else round(self.far_eta_s, 1),
            "arrive_at": self.arrive_at.isoformat() if self.arrive_at else None,
            "arrival": {"lon": round(self.arrival_lon, 6), "lat": round(self.arrival_lat, 6)},
            "gap_m": round(self.gap_m, 1),
            "legs": [leg.to_dict() for leg in self.legs],
            "alternatives": [a.to_dict() for a in self.alternatives],
            "closures_applied": list(self.closures_applied),
        }


@dataclass(frozen=True)
class Evacuation:
    """Carry the casualty to ``handover_name``, then drive to ``destination_name``."""

    carry_legs: tuple[Leg, ...]
    vehicle_legs: tuple[Leg, ...]
    carry_s: float
    vehicle_s: float
    handover_name: str
    handover_lon: float
    handover_lat: float
    destination_id: str
    destination_name: str

    @property
    def total_s(self) -> float:
        return self.carry_s + self.vehicle_s

    def to_dict(self) -> dict[str, Any]:
        return {
            "carry_legs": [leg.to_dict() for leg in self.carry_legs],
            "vehicle_legs": [leg.to_dict() for leg in self.vehicle_legs],
            "carry_s": round(self.carry_s, 1),
            "vehicle_s": round(self.vehicle_s, 1),
            "total_s": round(self.total_s, 1),
            "handover": {
                "name": self.handover_name,
                "lon": round(self.handover_lon, 6),
                "lat": round(self.handover_lat, 6),
            },
            "destination": {"station_id": self.destination_id, "name": self.destination_name},
        }


@dataclass(frozen=True)
class TargetPoint:
    """A point of the target snapped onto the edge ``u → v`` (``key``) at ``fraction``.

    ``offset_m`` is the distance from the given point to the network.
    """

    label: str
    u: str
    v: str
    key: str
    fraction: float
    lon: float
    lat: float
    offset_m: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "offset_m": round(self.offset_m, 1),
        }


@dataclass(frozen=True)
class ApproachResult:
    """Plans sorted by ETA (unreachable ones last), the evacuation and the recommendation."""

    plans: tuple[Plan, ...]
    evacuation: Evacuation | None
    recommended: str | None
    reason: str
    target: tuple[TargetPoint, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "plans": [p.to_dict() for p in self.plans],
            "evacuation": self.evacuation.to_dict() if self.evacuation else None,
            "recommended": self.recommended,
            "reason": self.reason,
            "target": [t.to_dict() for t in self.target],
        }


def mode_costs(
    foot: Callable[[str, str, str, Mapping[str, Any]], float | None],
    vehicle: Callable[[str, str, str, Mapping[str, Any]], float | None],
) -> CostFunction:
    """Combine one per-edge cost per mode into the planner's ``cost``.

    ``foot`` and ``vehicle`` take ``(u, v, key, data)`` and return seconds or None, e.g.
    closure-aware costs built for the foot profile and for ``"vehicle"``.
    """

    def cost(u: str, v: str, key: str, data: Mapping[str, Any], mode: str) -> float | None:
        return (vehicle if mode == "vehicle" else foot)(u, v, key, data)

    return cost


# --------------------------------------------------------------------------- search
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


State = tuple[str, int]


@dataclass(frozen=True)
class _Step:
    arc: _Arc
    mode: str
    duration_s: float


class _Searcher:
    """Dijkstra over ``(node, mode index)`` with modes used in the order given."""

    def __init__(self, network: Any, modes: tuple[str, ...], cost: CostFunction) -> None:
        self.G = network.graph
        self.modes = modes
        self.cost = cost
        self.node_modes: dict[str, set[str]] = {
            n: {m for _, _, d in self.G.out_edges(n, data=True) for m in d["modes"]} for n in self.G
        }

    def arc_cost(self, arc: _Arc, mode: str) -> float | None:
        data = self.G.edges[arc.u, arc.v, arc.key]
        if mode not in data["modes"]:
            return None
        c = self.cost(arc.u, arc.v, arc.key, data, mode)
        if c is None or not math.isfinite(c) or c < 0:
            return None
        return float(c) * arc.span

    def run(
        self,
        starts: Sequence[State],
        extra: Mapping[str, Sequence[_Arc]],
        penalty: Mapping[str, float] | None = None,
    ) -> tuple[dict[State, float], dict[State, tuple[State, _Step | None]]]:
        penalty = penalty or {}
        dist: dict[State, float] = {}
        pred: dict[State, tuple[State, _Step | None]] = {}
        counter = itertools.count()
        heap: list[tuple[float, int, State]] = []
        best: dict[State, float] = {}
        for s in starts:
            best[s] = 0.0
            heapq.heappush(heap, (0.0, next(counter), s))
        while heap:
            d, _, state = heapq.heappop(heap)
            if state in dist:
                continue
            dist[state] = d
            node, i = state
            mode = self.modes[i]
            nexts: list[tuple[State, float, _Step | None]] = []
            if node in self.G:
                arcs: list[_Arc] = [
                    _Arc(node, v, v, k) for _, v, k in self.G.out_edges(node, keys=True)
                ]
                if i + 1 < len(self.modes) and {mode, self.modes[i + 1]} <= self.node_modes[node]:
                    nexts.append(((node, i + 1), 0.0, None))
            else:
                arcs = []
            arcs.extend(extra.get(node, ()))
            for arc in arcs:
                c = self.arc_cost(arc, mode)
                if c is None:
                    continue
                weighted = c * penalty.get(_piece(arc.key), 1.0)
                nexts.append(((arc.end, i), weighted, _Step(arc, mode, c)))
            for nxt, w, step in nexts:
                nd = d + w
                if nxt not in dist and nd < best.get(nxt, math.inf):
                    best[nxt] = nd
                    pred[nxt] = (state, step)
                    heapq.heappush(heap, (nd, next(counter), nxt))
        return dist, pred


def _piece(key: str) -> str:
    """The way piece of an edge key: both directions share it."""
    return key.rsplit(":", 1)[0]


def _path(pred: Mapping[State, tuple[State, _Step | None]], goal: State) -> list[_Step]:
    steps: list[_Step] = []
    state = goal
    while state in pred:
        state, step = pred[state]
        if step is not None:
            steps.append(step)
    steps.reverse()
    return steps


def _path_geometry(G: Any, steps: Sequence[_Step]) -> MultiLineString:
    """The metric 2D footprint of a path (partial edges cut to their fraction)."""
    parts = []
    for st in steps:
        if st.arc.span <= 0:
            continue
        geom = G.edges[st.arc.u, st.arc.v, st.arc.key]["geometry"]
        if st.arc.span < 1.0:
            geom = substring(geom, st.arc.f0, st.arc.f1, normalized=True)
        c = np.asarray(geom.coords)[:, :2]
        if len(c) >= 2:
            parts.append(LineString(c))
    return MultiLineString(parts)


def _shared_fraction(a: MultiLineString, b: MultiLineString) -> float:
    """Share of the shorter path running within ``SHARED_TOLERANCE_M`` of the other.

    Measured on the ground, not by edge ids: a vehicle track drawn along a trail is the
    same way up the valley, whatever the data calls it.
    """
    short, other = (a, b) if a.length <= b.length else (b, a)
    if short.is_empty or short.length <= 0 or other.is_empty:
        return 1.0
    step = max(short.length / 400.0, 10.0)
    pts = [
        shapely.line_interpolate_point(part, np.arange(0.0, part.length, step))
        for part in short.geoms
    ]
    pts = np.concatenate(pts) if pts else np.array([])
    if not len(pts):
        return 1.0
    shapely.prepare(other)  # indexed: each point is tested against nearby parts only
    near = shapely.dwithin(other, pts, SHARED_TOLERANCE_M)
    return float(np.count_nonzero(near)) / float(np.size(near))


# --------------------------------------------------------------------------- legs
class _LegBuilder:
    def __init__(self, network: Any, target_names: Mapping[str, str]) -> None:
        self.net = network
        self.G = network.graph
        self.target_names = target_names
        self._names: dict[str, str] = {}

    def name(self, node: str) -> str:
        if node in self.target_names:
            return self.target_names[node]
        if node not in self._names:
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
        coords: list[tuple[float, float]] = []
        for s in steps:
            data = self.G.edges[s.arc.u, s.arc.v, s.arc.key]
            geom: LineString = data["geometry"]
            if s.arc.span < 1.0:
                geom = substring(geom, s.arc.f0, s.arc.f1, normalized=True)
                up, down = _partial_climb(data, geom)
            else:
                up, down = data["ascent_m"], data["descent_m"]
            length += data["length_m"] * s.arc.span
            ascent += up
            descent += down
            duration += s.duration_s
            c = np.asarray(geom.coords)
            lon, lat = self.net.to_wgs.transform(c[:, 0], c[:, 1])
            pts = list(zip(np.atleast_1d(lon).tolist(), np.atleast_1d(lat).tolist(), strict=True))
            coords.extend(pts[1:] if coords else pts)
        first, last = steps[0].arc, steps[-1].arc
        return Leg(
            mode=mode,
            from_name=self.name(first.u) if first.f0 == 0.0 else self.target_names[_SOURCE],
            to_name=self.name(last.end),
            length_m=length,
            ascent_m=ascent,
            descent_m=descent,
            duration_s=duration,
            geometry=tuple(coords),
        )


def _partial_climb(data: Mapping[str, Any], part: LineString) -> tuple[float, float]:
    """Ascent and descent of part of an edge, scaled to the edge's own totals."""
    full = np.diff(np.asarray(data["geometry"].coords)[:, 2])
    sub = np.diff(np.asarray(part.coords)[:, 2]) if part.has_z else np.zeros(1)
    up_full, down_full = full[full > 0].sum(), -full[full < 0].sum()
    up = data["ascent_m"] * sub[sub > 0].sum() / up_full if up_full > 0 else 0.0
    down = data["descent_m"] * -sub[sub < 0].sum() / down_full if down_full > 0 else 0.0
    return float(up), float(down)


def _node_name(network: Any, node: str) -> str:
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


def _fmt(seconds: float) -> str:
    minutes = int(round(seconds / 60.0))
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min" if h else f"{m} min"


# --------------------------------------------------------------------------- targets
def _edge_index(network: Any) -> tuple[STRtree, list[tuple[str, str, str]]]:
    def build(net: Any) -> tuple[STRtree, list[tuple[str, str, str]]]:
        edges = [
            (u, v, k)
            for u, v, k, d in net.graph.edges(keys=True, data=True)
            if k.endswith(":f") and "foot" in d["modes"]
        ]
        geoms = [
            LineString(np.asarray(net.graph.edges[e]["geometry"].coords)[:, :2]) for e in edges
        ]
        return STRtree(geoms), edges

    index: tuple[STRtree, list[tuple[str, str, str]]] = network.derive("approach_edge_index", build)
    return index


def _snap(
    network: Any,
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
        tree, edges = _edge_index(network)
        (i,) = tree.query_nearest(pt, all_matches=False)
        u, v, k = edges[int(i)]
    else:
        u, v, k = min(only, key=lambda e: G.edges[e]["geometry"].distance(pt))
    geom = LineString(np.asarray(G.edges[u, v, k]["geometry"].coords)[:, :2])
    offset = float(geom.distance(pt))
    if offset > MAX_TARGET_OFFSET_M:
        raise InvalidInput(
            f"({lon:.5f}, {lat:.5f}) is {offset / 1000:.1f} km from the nearest trail or road; "
            f"targets must lie within {MAX_TARGET_OFFSET_M / 1000:.0f} km of the "
            f"{G.graph.get('region_id', 'region')} network"
        )
    fraction = float(geom.project(pt, normalized=True)) if geom.length > 0 else 0.0
    q = geom.interpolate(fraction, normalized=True)
    qlon, qlat = network.to_wgs.transform(q.x, q.y)
    return TargetPoint(label, u, v, k, fraction, float(qlon), float(qlat), offset)


def _resolve_target(network: Any, target: Any) -> list[TargetPoint]:
    G = network.graph
    if isinstance(target, str):
        if target not in network.segments.index:
            raise NotFound(f"unknown segment {target!r}")
        seg = network.segments.loc[target]
        edges = [
            (u, v, k)
            for u, v, k, d in G.edges(keys=True, data=True)
            if d.get("segment_id") == target and k.endswith(":f") and "foot" in d["modes"]
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


def _arrival_arcs(points: Sequence[TargetPoint]) -> dict[str, list[_Arc]]:
    """Arcs from the ends of each target edge into the virtual target nodes."""
    extra: dict[str, list[_Arc]] = {}
    for i, t in enumerate(points):
        end = f"{_TARGET}{i}"
        extra.setdefault(t.u, []).append(_Arc(t.u, end, t.v, t.key, 0.0, t.fraction))
        rkey = t.key[:-1] + "r"
        extra.setdefault(t.v, []).append(_Arc(t.v, end, t.u, rkey, 0.0, 1.0 - t.fraction))
    return extra


# --------------------------------------------------------------------------- planning
def _default_cost(profile: str) -> CostFunction:
    def cost(u: str, v: str, key: str, data: Mapping[str, Any], mode: str) -> float | None:
        d: float | None = data["duration_s"]["vehicle" if mode == "vehicle" else profile]
        return d

    return cost


def _validate(
    network: Any,
    stations: Sequence[str] | None,
    profile: str,
    depart_at: datetime | None,
    cost: Any,
) -> list[str]:
    problems = []
    foot_profiles = sorted(p for p, m in PROFILE_MODES.items() if m == "foot")
    if profile not in foot_profiles:
        problems.append(
            f"profile {profile!r} is not a foot profile; allowed: {', '.join(foot_profiles)}"
        )
    if depart_at is not None and (not isinstance(depart_at, datetime) or depart_at.tzinfo is None):
        problems.append(f"depart_at must be a timezone-aware datetime, got {depart_at!r}")
    if cost is not None and not callable(cost):
        problems.append(f"cost must be a callable (u, v, key, data, mode) -> seconds, got {cost!r}")
    if stations is not None and (isinstance(stations, str) or not stations):
        problems.append(f"stations must be a non-empty list of station ids, got {stations!r}")
    if problems:
        raise InvalidInput("invalid approach request", details=problems)
    table = network.region.stations
    if stations is None:
        chosen = [
            sid
            for sid, caps in table["capabilities"].items()
            if set(caps) & set(_RESPONDING) and _station_node(network, sid) is not None
        ]
        return chosen
    unknown = [s for s in stations if s not in table.index]
    if unknown:
        raise NotFound(
            f"unknown station(s): {', '.join(map(repr, unknown))}",
            details=[f"known: {', '.join(table.index)}"],
        )
    off = [s for s in stations if _station_node(network, s) is None]
    if off:
        raise InvalidInput(f"station(s) not on the route network: {', '.join(off)}")
    return list(dict.fromkeys(stations))


def _station_node(network: Any, station_id: str) -> str | None:
    try:
        return str(network.node_of(network.region.stations.at[station_id, "place_id"]))
    except NotFound:
        return None


def plan_approach(
    network: Any,
    target: Any,
    *,
    stations: Sequence[str] | None = None,
    profile: str = "rescue_team",
    depart_at: datetime | None = None,
    cost: CostFunction | None = None,
    closures_applied: Sequence[str] = (),
) -> ApproachResult:
    """Fastest multimodal plan of every responding station to a target, and the evacuation.

    Parameters
    ----------
    network
        A :class:`routes.RouteNetwork`.
    target
        ``(lon, lat)``; a segment id; or locate candidates (a :class:`LocateResult` or a
        sequence of :class:`Candidate`: the ends of the most probable one's stretch).
    stations
        Station ids; by default every station with a ``vehicle`` or ``foot_team``
        capability on the network.
    profile
        The foot profile of the teams (``rescue_team``, ``pilgrim``, ``stretcher_carry``).
    depart_at
        Timezone-aware departure time; plans then carry ``arrive_at``.
    cost
        ``cost(u, v, key, data, mode) -> seconds | None`` replacing the edge durations
        (``None`` hides the edge from that mode), e.g. closure-aware costs; see
        :func:`mode_costs`. The evacuation's carry keeps the ratio of this cost to the
        plain foot duration (a closure that doubles walking time doubles carrying time).
    closures_applied
        Ids of the closures ``cost`` accounts for, echoed in every plan.

    Returns
    -------
    ApproachResult
        Plans sorted by ETA, reachable first; an unreachable plan leads to the nearest
        reachable point. ``recommended`` is None when no station can reach the target.

    Raises
    ------
    InvalidInput
        On an unknown or non-foot profile, a naive ``depart_at``, a malformed target, a
        target more than 2 km from the network, a station off the network.
    NotFound
        On an unknown station or segment id.
    """
    chosen = _validate(network, stations, profile, depart_at, cost)
    points = _resolve_target(network, target)
    base_cost = _default_cost(profile)
    user_cost: CostFunction = cost if cost is not None else base_cost
    extra = _arrival_arcs(points)
    target_names = {f"{_TARGET}{i}": p.label for i, p in enumerate(points)}
    builder = _LegBuilder(network, target_names)
    table = network.region.stations
    closures = tuple(closures_applied)

    cache: dict[tuple[str, bool], Plan] = {}
    plans = []
    for sid in chosen:
        node = _station_node(network, sid)
        assert node is not None
        drives = "vehicle" in table.at[sid, "capabilities"]
        if (node, drives) not in cache:
            cache[(node, drives)] = _plan_from(
                network, node, drives, points, extra, user_cost, builder
            )
        p = cache[(node, drives)]
        plans.append(
            Plan(
                station_id=sid,
                station_name=str(table.at[sid, "name_en"]),
                eta_s=p.eta_s,
                legs=p.legs,
                arrival_lon=p.arrival_lon,
                arrival_lat=p.arrival_lat,
                alternatives=p.alternatives,
                closures_applied=closures,
                reachable=p.reachable,
                gap_m=p.gap_m,
                far_eta_s=p.far_eta_s,
                arrive_at=depart_at + timedelta(seconds=p.eta_s) if depart_at else None,
            )
        )
    plans.sort(key=lambda p: (not p.reachable, p.eta_s, p.station_id))
    evacuation = _evacuate(network, points, profile, user_cost, base_cost, builder)
    recommended, reason = _recommend(plans)
    return ApproachResult(tuple(plans), evacuation, recommended, reason, tuple(points))


def _plan_from(
    network: Any,
    node: str,
    drives: bool,
    points: Sequence[TargetPoint],
    extra: Mapping[str, Sequence[_Arc]],
    cost: CostFunction,
    builder: _LegBuilder,
) -> Plan:
    modes = ("vehicle", "foot") if drives else ("foot",)
    searcher = _Searcher(network, modes, cost)
    starts = [(node, 0)]
    dist, pred = searcher.run(starts, extra)
    G = network.graph
    etas = []
    for i in range(len(points)):
        reached = [
            (dist[(f"{_TARGET}{i}", m)], m)
            for m in range(len(modes))
            if (f"{_TARGET}{i}", m) in dist
        ]
        etas.append(min(reached) if reached else None)
    found = [(e, i) for i, e in enumerate(etas) if e is not None]
    if not found:
        return _unreachable(network, dist, pred, points[0], builder)
    (eta, m), i = min(found)
    goal = (f"{_TARGET}{i}", m)
    steps = _path(pred, goal)
    far = max(e[0] for e, _ in found) if len(points) > 1 else None
    if len(points) > 1 and len(found) < len(points):
        far = None
    best_geometry = _path_geometry(G, steps)
    alternatives = _alternatives(searcher, starts, extra, goal, steps, best_geometry, eta, builder)
    t = points[i]
    return Plan(
        station_id="",
        station_name="",
        eta_s=eta,
        legs=builder.legs(steps),
        arrival_lon=t.lon,
        arrival_lat=t.lat,
        alternatives=alternatives,
        far_eta_s=far,
    )


def _alternatives(
    searcher: _Searcher,
    starts: Sequence[State],
    extra: Mapping[str, Sequence[_Arc]],
    goal: State,
    best_steps: Sequence[_Step],
    best_geometry: MultiLineString,
    best_eta: float,
    builder: _LegBuilder,
) -> tuple[Alternative, ...]:
    G = searcher.G
    penalty: dict[str, float] = {}
    kept: list[tuple[float, list[_Step], MultiLineString, float]] = []
    last = list(best_steps)
    goals = [(goal[0], m) for m in range(len(searcher.modes))]
    for _ in range(_MAX_PENALTY_ROUNDS):
        for s in last:
            p = _piece(s.arc.key)
            penalty[p] = penalty.get(p, 1.0) * PENALTY_FACTOR
        dist, pred = searcher.run(starts, extra, penalty)
        reached = [(dist[g], g) for g in goals if g in dist]
        if not reached:
            break
        steps = _path(pred, min(reached)[1])
        last = steps
        pieces = _path_geometry(G, steps)
        shared = _shared_fraction(pieces, best_geometry)
        if shared >= MAX_SHARED_FRACTION:
            continue
        if any(_shared_fraction(pieces, k[2]) >= MAX_SHARED_FRACTION for k in kept):
            continue
        eta = sum(s.duration_s for s in steps)
        if eta > max(MAX_ALTERNATIVE_RATIO * best_eta, best_eta + 3600.0):
            continue
        kept.append((eta, steps, pieces, shared))
        if len(kept) == MAX_ALTERNATIVES:
            break
    kept.sort(key=lambda k: k[0])
    return tuple(
        Alternative(builder.legs(steps), eta, max(0.0, eta - best_eta), shared)
        for eta, steps, _, shared in kept
    )


def _unreachable(
    network: Any,
    dist: Mapping[State, float],
    pred: Mapping[State, tuple[State, _Step | None]],
    target: TargetPoint,
    builder: _LegBuilder,
) -> Plan:
    G = network.graph
    tx, ty = network.to_metric.transform(target.lon, target.lat)
    reached = [s for s in dist if s[0] in G]
    state = min(
        reached,
        key=lambda s: (math.hypot(G.nodes[s[0]]["x"] - tx, G.nodes[s[0]]["y"] - ty), dist[s]),
    )
    n = G.nodes[state[0]]
    return Plan(
        station_id="",
        station_name="",
        eta_s=dist[state],
        legs=builder.legs(_path(pred, state)),
        arrival_lon=n["lon"],
        arrival_lat=n["lat"],
        reachable=False,
        gap_m=math.hypot(n["x"] - tx, n["y"] - ty),
    )


def _evacuate(
    network: Any,
    points: Sequence[TargetPoint],
    profile: str,
    user_cost: CostFunction,
    base_cost: CostFunction,
    builder: _LegBuilder,
) -> Evacuation | None:
    """Carry then drive to the clinic, from the target point whose evacuation is slowest."""
    stations = network.region.stations
    if EVACUATION_DESTINATION not in stations.index:
        return None
    dest = _station_node(network, EVACUATION_DESTINATION)
    if dest is None:
        return None

    def carry_cost(u: str, v: str, key: str, data: Mapping[str, Any], mode: str) -> float | None:
        c = user_cost(u, v, key, data, mode)
        if c is None or mode == "vehicle":
            return c
        plain = base_cost(u, v, key, data, mode)
        carry: float | None = data["duration_s"][_CARRY_PROFILE]
        if carry is None or plain is None:
            return None
        return carry * (c / plain) if plain > 0 else carry

    searcher = _Searcher(network, ("foot", "vehicle"), carry_cost)
    worst: Evacuation | None = None
    for t in points:
        rkey = t.key[:-1] + "r"
        extra = {
            _SOURCE: [
                _Arc(t.u, t.v, t.v, t.key, t.fraction, 1.0),
                _Arc(t.v, t.u, t.u, rkey, 1.0 - t.fraction, 1.0),
            ]
        }
        dist, pred = searcher.run([(_SOURCE, 0), (_SOURCE, 1)], extra)
        reached = [(dist[(dest, m)], m) for m in (0, 1) if (dest, m) in dist]
        if not reached:
            continue
        _, m = min(reached)
        steps = _path(pred, (dest, m))
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
            destination_id=EVACUATION_DESTINATION,
            destination_name=str(stations.at[EVACUATION_DESTINATION, "name_en"]),
        )
        if worst is None or ev.total_s > worst.total_s:
            worst = ev
    return worst


def _recommend(plans: Sequence[Plan]) -> tuple[str | None, str]:
    ok = [p for p in plans if p.reachable]
    if not ok:
        if not plans:
            return None, "no station to plan from"
        near = min(plans, key=lambda p: p.gap_m)
        return None, (
            f"no ground route reaches the target; nearest reachable point is {near.gap_m:.0f} m "
            f"away, {near.station_name} can be there in {_fmt(near.eta_s)}"
        )
    best = ok[0]
    how = (
        "; ".join(
            f"{_VERBS[leg.mode]} {leg.length_m / 1000:.1f} km to {leg.to_name}" for leg in best.legs
        )
        or "already there"
    )
    others = [p for p in ok[1:] if p.eta_s > best.eta_s]
    lead = (
        f", {_fmt(others[0].eta_s - best.eta_s)} ahead of {others[0].station_name}"
        if others
        else ""
    )
    return best.station_id, f"fastest: {best.station_name} in {_fmt(best.eta_s)}{lead} ({how})"


def plan_with_closures(
    network: Any,
    target: Any,
    closures: Iterable[Closure],
    *,
    now: datetime,
    stations: Sequence[str] | None = None,
    profile: str = "rescue_team",
    depart_at: datetime | None = None,
) -> ApproachResult:
    """Plan the approach with the closures in force at departure (``depart_at`` or ``now``).

    Foot legs use :func:`rescue.closures.edge_cost` for ``profile``, vehicle legs for
    ``"vehicle"``. Every plan's ``closures_applied`` lists the ids of all closures in
    force then (not only those on the plan's way: a closed edge is never on a plan,
    yet it shaped it).

    Raises
    ------
    InvalidInput, NotFound
        As :func:`plan_approach`.
    """
    from rescue.closures import edge_cost

    at = depart_at or now
    active = [c for c in closures if c.active(at)]
    cost = mode_costs(
        foot=edge_cost(network, active, profile, at),
        vehicle=edge_cost(network, active, "vehicle", at),
    )
    return plan_approach(
        network,
        target,
        stations=stations,
        profile=profile,
        depart_at=depart_at,
        cost=cost,
        closures_applied=tuple(c.closure_id for c in active),
    )
