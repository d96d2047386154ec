"""Approach planning: how fast can each station's team reach a casualty, and how does she get out.

The search runs on the network's compiled *state graph* (:mod:`routes.multimodal`):
``(node, mode)`` states where a team with a vehicle drives on edges that allow
``"vehicle"`` (the ``vehicle`` profile's durations) and may leave the vehicle once, at a
node where vehicle and foot edges meet (a trailhead, a road end, a track's drop-off
point); from there, or from the start for a station without a vehicle, it walks on
edges that allow ``"foot"`` (the requested foot profile, ``rescue_team`` by default).
Because every way piece exists in both directions, both ways round a loop are searched
at once, and one *reverse* search from the target gives every station's ETA.

The target is a point (snapped onto the nearest walkable edge; an edge's cost is split by
the fraction along it, as pgRouting does for points off the network), a segment (both ends)
or a locator result (the ends of the top candidate's stretch).

Alternatives come from the penalty method: the way pieces of the plans found so far cost
three times more and the search is repeated from the station; a new path is kept only if
it shares less than half of its length on the ground with the best plan and with every
alternative kept, and only if it takes at most three times as long as the best (or at
most an hour more): walking the whole kora the other way is different, but no help.

The evacuation is the reverse problem: carry the casualty (``stretcher_carry``) to the
handover point where a vehicle can take over, then drive to the Darchen clinic; the handover
is chosen to minimise the total time.

Costs can be replaced by a callable ``cost(u, v, key, data, mode) -> seconds | None``
(``None`` hides the edge) or scaled by per-edge ``factors`` (what closures do), so that
closures plug in without this module knowing about them. With closures,
:func:`plan_with_closures` also says what each one costs each plan, and when nothing
reaches the target on the ground, the nearest open helicopter landing site, if the data
has one.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from shapely.geometry import LineString, Point
from shapely.ops import substring

from geodata.errors import InvalidInput, NotFound
from geodata.i18n import Msg, Name, joined, msg, text
from rescue.localnames import name_zh
from rescue.locate.model import Candidate, LocateResult

if TYPE_CHECKING:
    from rescue.capability import StationOffer
    from rescue.closures import Closure, ClosureProblem
    from routes.network import RouteNetwork
from routes.costs import get_profile
from routes.graph import PROFILE_MODES
from routes.multimodal import MODES, GroundOverlap, StateGraph, Topology, VirtualArc, topology
from routes.snap import foot_edge_index, is_forward, snap_to_edge

__all__ = [
    "CostFunction",
    "evacuation_destination",
    "MAX_ALTERNATIVES",
    "MAX_ALTERNATIVE_RATIO",
    "MAX_SHARED_FRACTION",
    "MAX_TARGET_OFFSET_M",
    "SHARED_TOLERANCE_M",
    "PENALTY_FACTOR",
    "Alternative",
    "ApproachResult",
    "ClosureEffect",
    "Factors",
    "LandingSite",
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
#: the profile of the evacuation's carried leg
_CARRY_PROFILE = "stretcher_carry"
_RESPONDING = ("vehicle", "foot_team")
#: a closure costing a plan less than this is not worth a line
_EFFECT_MIN_S = 60.0
#: where a helicopter can land: a station with this capability, or a place of this type
_HELI_CAPABILITY = "helicopter_landing"
_HELI_PLACE_TYPE = "helipad"
_VERBS = {"vehicle": "drive", "foot": "walk"}
_TARGET = "@target"
_SOURCE = "@source"


# --------------------------------------------------------------------------- values
def _lonlat_list(coords: Sequence[tuple[float, ...]]) -> list[list[float]]:
    """``[lon, lat]`` to 6 decimals (~0.1 m), and the elevation to the metre where there is one."""
    return [
        [round(c[0], 6), round(c[1], 6)]
        if len(c) < 3
        else [round(c[0], 6), round(c[1], 6), round(c[2])]
        for c in coords
    ]


@dataclass(frozen=True)
class Leg:
    """Consecutive edges travelled in one mode.

    ``geometry`` is ``((lon, lat, elevation_m), …)`` from ``from_name`` to ``to_name`` (the
    network's 3D lines: what an elevation profile of the leg is drawn from).
    """

    mode: str
    from_name: str
    to_name: str
    length_m: float
    ascent_m: float
    descent_m: float
    duration_s: float
    geometry: tuple[tuple[float, ...], ...]
    #: p10-p90 of this leg's time (issue 14): a foot leg spread as a walking trip of its own
    #: length (a short leg varies relatively more, so leg ranges do not add up to the plan's),
    #: a drive as stated
    duration_range_s: tuple[float, float] | None = None
    #: the segments travelled (not in the answer: which closures lie on the way)
    segment_ids: tuple[str, ...] = ()
    #: ``geometry`` as the answer writes it (:func:`_lonlat_list`), in pieces: those of
    #: whole edges are made once per network and shared by every answer (issue 18)
    rounded: tuple[Sequence[list[float]], ...] | None = field(
        default=None, compare=False, repr=False
    )

    def geometry_list(self) -> list[list[float]]:
        """``geometry`` as the answer writes it: ``[lon, lat(, elevation)]`` rounded."""
        if self.rounded is None:
            return _lonlat_list(self.geometry)
        return [list(c) for part in self.rounded for c in part]

    def to_dict(self, *, geometry: bool = True) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "from": self.from_name,
            "to": self.to_name,
            "length_m": round(self.length_m, 1),
            "ascent_m": round(self.ascent_m, 1),
            "descent_m": round(self.descent_m, 1),
            "duration_s": round(self.duration_s, 1),
            "duration_range_s": _range_dict(self.duration_range_s),
            "geometry": self.geometry_list() if geometry else None,
        }


@dataclass(frozen=True)
class Alternative:
    """A genuinely different way for the same team; ``extra_s`` is its cost over the best."""

    legs: tuple[Leg, ...]
    eta_s: float
    extra_s: float
    shared_fraction: float

    def to_dict(self, *, geometry: bool = True) -> dict[str, Any]:
        return {
            "eta_s": round(self.eta_s, 1),
            "extra_s": round(self.extra_s, 1),
            "shared_fraction": round(self.shared_fraction, 3),
            "legs": [leg.to_dict(geometry=geometry) for leg in self.legs],
        }


@dataclass(frozen=True)
class ClosureEffect:
    """What one closure costs a plan: ``extra_s`` over the plan with it lifted.

    ``extra_s`` is ``inf`` when the closure cuts every ground route. ``message`` reads
    e.g. "Darchen – Tarboche road closed by snow since 06:00: +40 min via Zutulpuk".
    """

    closure_id: str
    extra_s: float
    message: str
    message_zh: str = ""

    @classmethod
    def of(cls, closure_id: str, extra_s: float, message: Msg) -> ClosureEffect:
        """The effect with its message in both languages."""
        return cls(closure_id, extra_s, message.render("en"), message.render("zh"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "closure_id": self.closure_id,
            "extra_s": round(self.extra_s, 1) if math.isfinite(self.extra_s) else None,
            "message": self.message,
            "message_zh": self.message_zh or self.message,
        }


@dataclass(frozen=True)
class LandingSite:
    """A helicopter landing site and its straight-line distance from the target."""

    site_id: str
    name: str
    lon: float
    lat: float
    distance_m: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "name": self.name,
            "lon": round(self.lon, 6),
            "lat": round(self.lat, 6),
            "distance_m": round(self.distance_m, 1),
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
    closure_effects: tuple[ClosureEffect, ...] = ()
    reachable: bool = True
    gap_m: float = 0.0
    far_eta_s: float | None = None
    arrive_at: datetime | None = None
    #: p10-p90 of the ETA: the time on foot spread as walking trips of that length spread
    #: on the GPS tracks (calibration.json eta_ratio_quantiles), driving time as planned
    eta_range_s: tuple[float, float] | None = None
    #: what the station can send and lacks for the incident's need (rescue.capability)
    offer: StationOffer | None = None
    #: closures in force that neither lie on this plan's way nor change it:
    #: ``{closure_id, distance_m, en, zh}``, nearest first (a closure set on the wrong way)
    closures_untouched: tuple[Mapping[str, Any], ...] = ()

    @property
    def length_m(self) -> float:
        return sum(leg.length_m for leg in self.legs)

    def to_dict(self, *, geometry: bool = True) -> dict[str, Any]:
        return {
            **(self.offer.to_dict() if self.offer else {}),
            "station_id": self.station_id,
            "station_name": self.station_name,
            "reachable": self.reachable,
            "eta_s": round(self.eta_s, 1),
            "eta_range_s": _range_dict(self.eta_range_s),
            "far_eta_s": None if self.far_eta_s is None else round(self.far_eta_s, 1),
            "arrive_at": self.arrive_at.isoformat() if self.arrive_at else None,
            "arrival": {"lon": round(self.arrival_lon, 6), "lat": round(self.arrival_lat, 6)},
            "gap_m": round(self.gap_m, 1),
            "legs": [leg.to_dict(geometry=geometry) for leg in self.legs],
            "alternatives": [a.to_dict(geometry=geometry) for a in self.alternatives],
            "closures_applied": list(self.closures_applied),
            "closure_effects": [e.to_dict() for e in self.closure_effects],
            "closures_untouched": [dict(u) for u in self.closures_untouched],
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
    #: p10-p90 of the carry and of the total (the carry spread as walking trips, see Plan)
    carry_range_s: tuple[float, float] | None = None
    total_range_s: tuple[float, float] | None = None

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
            "carry_range_s": _range_dict(self.carry_range_s),
            "total_range_s": _range_dict(self.total_range_s),
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
    """Plans sorted by ETA (unreachable ones last), the evacuation and the recommendation.

    ``landing_site`` is the nearest open helicopter landing site when no station can
    reach the target on the ground (None otherwise, or when the data has none).
    """

    plans: tuple[Plan, ...]
    evacuation: Evacuation | None
    recommended: str | None
    reason: str
    target: tuple[TargetPoint, ...]
    landing_site: LandingSite | None = None
    #: stored closures that could not be applied (left out of every plan), with the reason
    closure_problems: tuple[ClosureProblem, ...] = ()
    #: the incident's needs (``rescue.capability.NEEDS`` ids) the recommendation served
    needs: tuple[str, ...] = ()
    reason_zh: str = ""
    #: closures in force over the target itself: ``{closure_id, en, zh}``
    warnings: tuple[Mapping[str, str], ...] = ()

    def to_dict(self, *, geometry: str = "all") -> dict[str, Any]:
        """The answer; ``geometry="recommended"`` keeps the lines of the recommended plan
        (and its alternatives) only, the other legs have ``"geometry": null`` (a map draws
        one plan; ask again for a station's plan with ``stations`` to draw another)."""
        from rescue.capability import NEEDS

        return {
            "plans": [
                p.to_dict(geometry=geometry == "all" or p.station_id == self.recommended)
                for p in self.plans
            ],
            "evacuation": self.evacuation.to_dict() if self.evacuation else None,
            "recommended": self.recommended,
            "reason": self.reason,
            "reason_zh": self.reason_zh,
            "warnings": [dict(w) for w in self.warnings],
            "needs": [NEEDS[n].to_dict() for n in self.needs],
            "target": [t.to_dict() for t in self.target],
            "landing_site": self.landing_site.to_dict() if self.landing_site else None,
            "closure_problems": [p.to_dict() for p in self.closure_problems],
        }


def _range_dict(r: tuple[float, float] | None) -> dict[str, float] | None:
    return None if r is None else {"p10": round(r[0], 1), "p90": round(r[1], 1)}


def _foot_spread(
    network: RouteNetwork, profile: str = "pilgrim"
) -> Callable[[float], tuple[float, float]] | None:
    """``time on foot -> (p10, p90) factors`` around the stated time.

    A profile with its own range (``profiles.json``: a team, a carry, a horse) uses it; the
    pilgrim uses the trip-length spread measured on the tracks (the calibration).
    """
    prof = get_profile(profile)
    if prof.range_p10 is not None and prof.range_p90 is not None:
        lo, hi = float(prof.range_p10), float(prof.range_p90)
        return lambda _t: (lo, hi)
    cal = getattr(network.region, "calibration", None) or {}
    table = cal.get("eta_ratio_quantiles")
    if table:
        x = np.log(np.asarray(table["pred_s"], dtype=float))
        p10, p50, p90 = (np.asarray(table[k], dtype=float) for k in ("p10", "p50", "p90"))

        def by_length(t: float) -> tuple[float, float]:
            lt = math.log(max(t, 1.0))
            mid = float(np.interp(lt, x, p50))
            return float(np.interp(lt, x, p10)) / mid, float(np.interp(lt, x, p90)) / mid

        return by_length
    q = cal.get("pace_quantiles") or {}
    if "p10" in q and "p90" in q:
        return lambda _t: (float(q["p10"]), float(q["p90"]))
    return None


def _foot_factors(
    foot_s: float, spread: Callable[[float], tuple[float, float]] | None
) -> tuple[float, float]:
    return (1.0, 1.0) if spread is None or foot_s <= 0 else spread(foot_s)


def _leg_ranges(
    legs: Sequence[Leg], spread: Callable[[float], tuple[float, float]] | None
) -> tuple[Leg, ...]:
    """The legs with their p10-p90 (``duration_range_s``)."""
    out = []
    for leg in legs:
        lo, hi = _foot_factors(leg.duration_s, spread) if leg.mode == "foot" else (1.0, 1.0)
        out.append(replace(leg, duration_range_s=(leg.duration_s * lo, leg.duration_s * hi)))
    return tuple(out)


def _eta_range(
    legs: Sequence[Leg], eta_s: float, spread: Callable[[float], tuple[float, float]] | None
) -> tuple[float, float]:
    foot = sum(leg.duration_s for leg in legs if leg.mode == "foot")
    lo, hi = _foot_factors(foot, spread)
    rest = eta_s - foot
    return rest + foot * lo, rest + foot * hi


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


# --------------------------------------------------------------------------- legs
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
        coords: list[tuple[float, ...]] = []
        rounded: list[Sequence[list[float]]] = []
        segment_ids: list[str] = []
        for s in steps:
            data = self.G.edges[s.arc.u, s.arc.v, s.arc.key]
            if data.get("segment_id"):
                segment_ids.append(str(data["segment_id"]))
            geom: LineString = data["geometry"]
            if s.arc.span < 1.0:
                geom = substring(geom, s.arc.f0, s.arc.f1, normalized=True)
                up, down = _partial_climb(data, geom)
                points, wire = _wgs_coords(self.net, geom)
            else:
                up, down = data["ascent_m"], data["descent_m"]
                points, wire = self._edge_coords(s.arc.u, s.arc.v, s.arc.key, geom)
            length += data["length_m"] * s.arc.span
            ascent += up
            descent += down
            duration += s.duration_s
            # consecutive pieces meet: the first point of every later one is dropped
            coords.extend(points[1:] if coords else points)
            rounded.append(wire[1:] if rounded else wire)
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
            segment_ids=tuple(dict.fromkeys(segment_ids)),
            rounded=tuple(rounded),
        )

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


# --------------------------------------------------------------------------- targets
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


# --------------------------------------------------------------------------- planning
#: ``mode → edge key → multiplier`` of travel times (``inf`` closes the edge)
Factors = Mapping[str, Mapping[str, float]]


def _edge_costs(
    network: RouteNetwork,
    topo: Topology,
    profile: str,
    cost: CostFunction | None,
    factors: Factors | None,
) -> dict[str, np.ndarray]:
    """Seconds per edge for each mode (``inf`` where the mode cannot go)."""
    costs = {"vehicle": topo.durations("vehicle"), "foot": topo.durations(profile)}
    if cost is not None:
        G = network.graph
        for mode in MODES:
            values = np.full(len(topo.edges), math.inf)
            for e in np.flatnonzero(topo.allows[mode]).tolist():
                u, v, k = topo.edges[e]
                c = cost(u, v, k, G.edges[u, v, k], mode)
                if c is not None and math.isfinite(c) and c >= 0:
                    values[e] = float(c)
            costs[mode] = values
    for mode, per_edge in (factors or {}).items():
        if per_edge:
            values = costs[mode].copy()
            for key, f in per_edge.items():
                values[topo.edge_index[key]] *= f
            costs[mode] = values
    return costs


def _carry_costs(
    topo: Topology, profile: str, costs: Mapping[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """The evacuation's costs: carrying keeps the ratio of the foot cost to plain walking."""
    plain = topo.durations(profile)
    walk = costs["foot"]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(plain > 0, walk / plain, 1.0)
    carry = np.where(
        np.isfinite(walk) & np.isfinite(ratio), topo.durations(_CARRY_PROFILE) * ratio, math.inf
    )
    return {"foot": carry, "vehicle": costs["vehicle"]}


class _Approach:
    """One request's drive-then-walk state graph and the reverse search from its targets.

    ``eta(start)`` is every target point's time from any start state, from one search.
    """

    def __init__(
        self, topo: Topology, points: Sequence[TargetPoint], costs: Mapping[str, np.ndarray]
    ) -> None:
        self.sg = StateGraph(topo, MODES, costs, len(points), _target_arcs(topo, points, True))
        self.goals = [self.sg.virtual_state(i) for i in range(len(points))]
        self.rev = self.sg.search(self.goals, reverse=True)

    def start(self, node: str, drives: bool) -> int:
        return self.sg.state(node, "vehicle" if drives else "foot")

    def etas(self, start: int) -> np.ndarray:
        return np.asarray(self.rev.dist[:, start])

    def best(self, start: int) -> tuple[float, int, list[int]] | None:
        """ETA, target point and arcs of the fastest path from ``start``; None if none."""
        etas = self.etas(start)
        if not np.isfinite(etas).any():
            return None
        i = int(np.argmin(etas))
        return float(etas[i]), i, self.sg.path(self.rev, i, start)


#: answers' searches kept per network (the targets of the calls being worked on)
PLANS_KEPT = 32


class _Planned:
    """What one request's searches found that the next request for the same target, with
    the same costs, would find again: the reverse search, each start's plan (with its
    alternatives) and the evacuation. Kept per network (:func:`_planned`), keyed by the
    costs' content (profile and closure factors) and the target points."""

    def __init__(self, approach: _Approach) -> None:
        self.approach = approach
        self.plans: dict[int, Plan] = {}
        self.evacuation: tuple[Evacuation | None] | None = None


class _PlannedCache:
    """A small LRU of :class:`_Planned` by key, shared by a process's threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, _Planned] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], _Approach]) -> _Planned:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        made = _Planned(make())  # outside the lock: another thread may make it too
        with self._lock:
            found = self._items.setdefault(key, made)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._items)


def _planned(
    network: Any,
    topo: Topology,
    points: Sequence[TargetPoint],
    costs: Mapping[str, np.ndarray],
    key: Hashable | None,
) -> _Planned:
    """The searches for ``points`` under ``costs``: reused when ``key`` (the costs'
    content; None: costs that cannot be told apart, never reused) was planned before on
    this network (a route-data version is a network of its own)."""
    if key is None:
        return _Planned(_Approach(topo, points, costs))
    cache: _PlannedCache = network.derive("approach_planned", lambda _: _PlannedCache(PLANS_KEPT))
    return cache.get((key, tuple(points)), lambda: _Approach(topo, points, costs))


def _costs_key(profile: str, cost: CostFunction | None, factors: Factors | None) -> Hashable | None:
    """What the edge costs are made of, as a key: the profile and every closure factor
    (None for a cost function, which cannot be compared)."""
    if cost is not None:
        return None
    return (
        profile,
        tuple(
            sorted(
                (mode, tuple(sorted((str(k), float(f)) for k, f in per_edge.items())))
                for mode, per_edge in (factors or {}).items()
                if per_edge
            )
        ),
    )


@dataclass(frozen=True)
class _Without:
    """The costs with one closure lifted: what that closure costs each plan."""

    closure_id: str
    label: str | Msg
    costs: Mapping[str, np.ndarray]
    #: the costs' content (see :func:`_costs_key`)
    key: Hashable | None = None


def plan_approach(
    network: RouteNetwork,
    target: Any,
    *,
    stations: Sequence[str] | None = None,
    profile: str = "rescue_team",
    depart_at: datetime | None = None,
    cost: CostFunction | None = None,
    factors: Factors | None = None,
    closures_applied: Sequence[str] = (),
    needs: Sequence[str] = (),
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
        (``None`` hides the edge from that mode); see :func:`mode_costs`. It is called
        once per edge and mode.
    factors
        ``mode → edge key → multiplier`` on the travel times (``inf`` closes the edge):
        the fast way to apply closures (see :func:`plan_with_closures`). The
        evacuation's carry keeps the ratio of the foot cost to plain walking (a closure
        that doubles walking time doubles carrying time).
    closures_applied
        Ids of the closures ``cost``/``factors`` account for, echoed in every plan.
    needs
        What the incident needs (:data:`rescue.capability.NEEDS` ids): the recommended
        station is then the fastest that can send it (see :func:`rescue.capability.assess`);
        every plan says what its station can send and lacks.

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
    return _plan(
        network,
        target,
        stations=stations,
        profile=profile,
        depart_at=depart_at,
        cost=cost,
        factors=factors,
        closures_applied=closures_applied,
        needs=needs,
    )


def _plan(
    network: RouteNetwork,
    target: Any,
    *,
    stations: Sequence[str] | None,
    profile: str,
    depart_at: datetime | None,
    cost: CostFunction | None,
    factors: Factors | None,
    closures_applied: Sequence[str],
    needs: Sequence[str] = (),
    without: Sequence[Callable[[], _Without]] = (),
    active: Sequence[Closure] = (),
) -> ApproachResult:
    from rescue.capability import NEEDS, assess

    unknown_needs = [n for n in needs if n not in NEEDS]
    if unknown_needs:
        raise InvalidInput(
            f"unknown need(s) {', '.join(map(repr, unknown_needs))}; known: {', '.join(NEEDS)}"
        )
    chosen = _validate(network, stations, profile, depart_at, cost)
    points = _resolve_target(network, target)
    topo = topology(network)
    costs = _edge_costs(network, topo, profile, cost, factors)
    planned = _planned(network, topo, points, costs, _costs_key(profile, cost, factors))
    approach = planned.approach
    target_names = {f"{_TARGET}{i}": p.label for i, p in enumerate(points)}
    builder = _LegBuilder(network, target_names)
    overlap = _overlap(network)
    table = network.region.stations
    closures = tuple(closures_applied)

    cache = planned.plans  # start state -> its plan (shared by stations at one start)
    starts: dict[str, int] = {}
    for sid in chosen:
        node = _station_node(network, sid)
        assert node is not None
        start = approach.start(node, "vehicle" in table.at[sid, "capabilities"])
        starts[sid] = start
        if start not in cache:
            cache[start] = _plan_from(approach, start, points, builder, overlap)
    effects = _closure_effects(
        network, topo, points, approach, set(starts.values()), without, builder
    )
    plans = []
    for sid, start in starts.items():
        p = cache[start]
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
                closure_effects=effects.get(start, ()),
                reachable=p.reachable,
                gap_m=p.gap_m,
                far_eta_s=p.far_eta_s,
                arrive_at=depart_at + timedelta(seconds=p.eta_s) if depart_at else None,
            )
        )
    spread = _foot_spread(network, profile)
    plans = [
        replace(
            p,
            eta_range_s=_eta_range(p.legs, p.eta_s, spread),
            legs=_leg_ranges(p.legs, spread),
            alternatives=tuple(
                replace(a, legs=_leg_ranges(a.legs, spread)) for a in p.alternatives
            ),
        )
        for p in plans
    ]
    plans.sort(key=lambda p: (not p.reachable, p.eta_s, p.station_id))
    if planned.evacuation is None:
        carry_costs = _carry_costs(topo, profile, costs)
        planned.evacuation = (_evacuate(network, topo, points, carry_costs, builder),)
    evacuation = planned.evacuation[0]
    if evacuation is not None:
        carry_spread = _foot_spread(network, _CARRY_PROFILE)
        lo, hi = _foot_factors(evacuation.carry_s, carry_spread)
        carry = (evacuation.carry_s * lo, evacuation.carry_s * hi)
        evacuation = replace(
            evacuation,
            carry_legs=_leg_ranges(evacuation.carry_legs, carry_spread),
            vehicle_legs=_leg_ranges(evacuation.vehicle_legs, None),
            carry_range_s=carry,
            total_range_s=(carry[0] + evacuation.vehicle_s, carry[1] + evacuation.vehicle_s),
        )
    recommended, reason = _recommend(plans)
    fit = assess(plans, table, tuple(needs))
    plans = [replace(p, offer=fit.offers.get(p.station_id)) for p in plans]
    if fit.recommended is not None:
        recommended, reason = fit.recommended, fit.reason_en
    landing = None if recommended else _landing_site(network, points[0], active)
    reason_zh = fit.reason_zh if fit.recommended is not None else _reason_zh(network, plans)
    if recommended is None and plans:
        tail = (
            msg(
                "approach.landing",
                name=Name(landing.name, name_zh(network, landing.name)),
                km=f"{landing.distance_m / 1000:.1f}",
            )
            if landing
            else msg("approach.no_landing")
        )
        reason += tail.render("en")
        reason_zh += tail.render("zh")
    return ApproachResult(
        tuple(plans),
        evacuation,
        recommended,
        reason,
        tuple(points),
        landing,
        needs=tuple(needs),
        reason_zh=reason_zh,
    )


def _plan_from(
    approach: _Approach,
    start: int,
    points: Sequence[TargetPoint],
    builder: _LegBuilder,
    overlap: GroundOverlap,
) -> Plan:
    best = approach.best(start)
    if best is None:
        return _unreachable(approach.sg, start, points[0], builder)
    eta, i, arcs = best
    etas = approach.etas(start)
    far = float(etas.max()) if len(points) > 1 and np.isfinite(etas).all() else None
    goal = approach.goals[i]
    alternatives = _alternatives(approach.sg, overlap, start, goal, arcs, eta, builder)
    t = points[i]
    return Plan(
        station_id="",
        station_name="",
        eta_s=eta,
        legs=builder.legs(_steps(approach.sg, arcs)),
        arrival_lon=t.lon,
        arrival_lat=t.lat,
        alternatives=alternatives,
        far_eta_s=far,
    )


def _alternatives(
    sg: StateGraph,
    overlap: GroundOverlap,
    start: int,
    goal: int,
    best_arcs: Sequence[int],
    best_eta: float,
    builder: _LegBuilder,
) -> tuple[Alternative, ...]:
    """Penalty method: penalise the pieces of the last path found, search again.

    The penalised search stops at ``PENALTY_FACTOR`` times the slowest useful
    alternative: a path beyond that would be dropped anyway.
    """
    cap = max(MAX_ALTERNATIVE_RATIO * best_eta, best_eta + 3600.0)
    penalty = np.ones(len(sg.cost_s))
    best_spans = _spans(sg, overlap, best_arcs)
    kept: list[tuple[float, list[int], list[tuple[int, float, float]], float]] = []
    seen = {tuple(best_arcs)}
    last = list(best_arcs)
    for _ in range(_MAX_PENALTY_ROUNDS):
        pieces = [int(sg.topo.piece[sg.edge[a]]) for a in last if sg.edge[a] >= 0]
        sg.piece_penalty(pieces, penalty, PENALTY_FACTOR)
        found = sg.search([start], penalty=penalty, limit=PENALTY_FACTOR * cap)
        if not math.isfinite(found.dist[0, goal]):
            break
        arcs = last = sg.path(found, 0, goal)
        if tuple(arcs) in seen:
            continue
        seen.add(tuple(arcs))
        eta = float(sg.cost_s[arcs].sum())
        if eta > cap:
            continue
        spans = _spans(sg, overlap, arcs)
        shared = overlap.shared_fraction(spans, best_spans)
        if shared >= MAX_SHARED_FRACTION:
            continue
        if any(overlap.shared_fraction(spans, k[2]) >= MAX_SHARED_FRACTION for k in kept):
            continue
        kept.append((eta, arcs, spans, shared))
        if len(kept) == MAX_ALTERNATIVES:
            break
    kept.sort(key=lambda k: k[0])
    return tuple(
        Alternative(builder.legs(_steps(sg, arcs)), eta, max(0.0, eta - best_eta), shared)
        for eta, arcs, _, shared in kept
    )


def _unreachable(sg: StateGraph, start: int, target: TargetPoint, builder: _LegBuilder) -> Plan:
    """The plan to the reachable node nearest the target (straight line)."""
    G = sg.topo.graph
    net = builder.net
    tx, ty = net.to_metric.transform(target.lon, target.lat)
    found = sg.search([start])
    dist = found.dist[0]
    best: tuple[float, float, int] | None = None
    for state in np.flatnonzero(np.isfinite(dist)).tolist():
        n = sg.node_of(state)
        if n is None:
            continue
        node = G.nodes[sg.topo.nodes[n]]
        key = (math.hypot(node["x"] - tx, node["y"] - ty), float(dist[state]), state)
        if best is None or key < best:
            best = key
    assert best is not None  # the start itself is reached
    gap, eta, state = best
    reached = sg.node_of(state)
    assert reached is not None  # states without a node were skipped above
    node = G.nodes[sg.topo.nodes[reached]]
    return Plan(
        station_id="",
        station_name="",
        eta_s=eta,
        legs=builder.legs(_steps(sg, sg.path(found, 0, state))),
        arrival_lon=node["lon"],
        arrival_lat=node["lat"],
        reachable=False,
        gap_m=gap,
    )


def _closure_effects(
    network: RouteNetwork,
    topo: Topology,
    points: Sequence[TargetPoint],
    approach: _Approach,
    starts: set[int],
    without: Sequence[Callable[[], _Without]],
    builder: _LegBuilder,
) -> dict[int, tuple[ClosureEffect, ...]]:
    """For each start, what each closure costs it: the time lost and the new way."""
    effects: dict[int, list[ClosureEffect]] = {s: [] for s in starts}
    if not without:
        return {}
    G = topo.graph
    for make in without:
        w = make()
        lifted = _planned(network, topo, points, w.costs, w.key).approach
        for start in starts:
            with_all = approach.best(start)
            open_ = lifted.best(start)
            if open_ is None:
                continue
            if with_all is None:
                effects[start].append(
                    ClosureEffect.of(
                        w.closure_id,
                        math.inf,
                        msg("closure.effect_cuts", label=w.label, eta=_fmt_msg(open_[0])),
                    )
                )
                continue
            extra = with_all[0] - open_[0]
            if extra < _EFFECT_MIN_S:
                continue
            before = {s.arc.v for s in _steps(lifted.sg, open_[2])}
            via = [
                builder.name(s.arc.v).split(" (")[0]
                for s in _steps(approach.sg, with_all[2])
                if s.arc.end == s.arc.v and s.arc.v not in before and G.nodes[s.arc.v]["place_ids"]
            ]
            via = list(dict.fromkeys(via))[:2]
            places = [Name(v, name_zh(network, v)) for v in via]
            how = msg("closure.effect_via", places=places) if via else ""
            effects[start].append(
                ClosureEffect.of(
                    w.closure_id,
                    extra,
                    msg("closure.effect_extra", label=w.label, extra=_fmt_msg(extra), how=how),
                )
            )
    return {s: tuple(sorted(e, key=lambda x: -x.extra_s)) for s, e in effects.items() if e}


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


def _validate(
    network: RouteNetwork,
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


def _station_node(network: RouteNetwork, station_id: str) -> str | None:
    try:
        return str(network.node_of(network.region.stations.at[station_id, "place_id"]))
    except NotFound:
        return None


def _landing_sites(network: RouteNetwork) -> list[tuple[str, str, float, float]]:
    """``(id, name, lon, lat)`` of the helicopter landing sites in the region's data.

    A station with the capability ``helicopter_landing`` or a place of type ``helipad``.
    """
    sites = []
    stations = network.region.stations
    for sid, row in stations.iterrows():
        if _HELI_CAPABILITY in row["capabilities"]:
            sites.append((str(sid), str(row["name_en"]), row.geometry.x, row.geometry.y))
    places = network.region.places
    for pid, row in places[places["type"] == _HELI_PLACE_TYPE].iterrows():
        sites.append((str(pid), str(row["name_en"]), row.geometry.x, row.geometry.y))
    return sites


def _landing_site(
    network: RouteNetwork, point: TargetPoint, closures: Sequence[Closure]
) -> LandingSite | None:
    """The open landing site nearest the target: not inside an area closed to everyone."""
    from shapely.geometry import shape

    closed = [
        shape(c.geometry)
        for c in closures
        if c.closed and c.modes == "all" and c.geometry and c.geometry["type"] == "Polygon"
    ]
    tx, ty = network.to_metric.transform(point.lon, point.lat)
    best: LandingSite | None = None
    for site_id, name, lon, lat in _landing_sites(network):
        if any(area.contains(Point(lon, lat)) for area in closed):
            continue
        x, y = network.to_metric.transform(lon, lat)
        d = math.hypot(x - tx, y - ty)
        if best is None or d < best.distance_m:
            best = LandingSite(site_id, name, lon, lat, d)
    return best


def _reason_zh(network: RouteNetwork, plans: Sequence[Plan]) -> str:
    """:func:`_recommend`'s reason in Chinese (names in Chinese where the data has them)."""

    def name(text: str) -> Name:
        return Name(text, name_zh(network, text))

    ok = [p for p in plans if p.reachable]
    if not plans:
        return msg("approach.no_station").render("zh")
    if not ok:
        near = min(plans, key=lambda p: p.gap_m)
        return msg(
            "approach.unreachable",
            gap=f"{near.gap_m:.0f}",
            station=name(near.station_name),
            eta=_fmt_msg(near.eta_s),
        ).render("zh")
    best = ok[0]
    how = [
        msg(
            f"approach.leg_{leg.mode}",
            km=f"{leg.length_m / 1000:.1f}",
            place=name(leg.to_name),
        )
        for leg in best.legs
    ]
    others = [p for p in ok[1:] if p.eta_s > best.eta_s]
    lead = (
        msg(
            "approach.lead",
            gain=_fmt_msg(others[0].eta_s - best.eta_s),
            station=name(others[0].station_name),
        )
        if others
        else ""
    )
    return msg(
        "station.plan_fastest",
        station=name(best.station_name),
        eta=_fmt_msg(best.eta_s),
        lead=lead,
        how=joined(how) if how else msg("approach.already_there"),
    ).render("zh")


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
    network: RouteNetwork,
    target: Any,
    closures: Iterable[Closure],
    *,
    now: datetime,
    stations: Sequence[str] | None = None,
    profile: str = "rescue_team",
    depart_at: datetime | None = None,
    closure_problems: Sequence[ClosureProblem] = (),
    needs: Sequence[str] = (),
) -> ApproachResult:
    """Plan the approach with the closures in force at departure (``depart_at`` or ``now``).

    Foot legs are slowed or closed by the closures affecting walking, vehicle legs by
    all of them (see :func:`rescue.closures.edge_factors`). Every plan's
    ``closures_applied`` lists the ids of all closures in force then (not only those on
    the plan's way: a closed edge is never on a plan, yet it shaped it), and its
    ``closure_effects`` what each one costs it: the plan is searched again with that
    closure lifted, and the time lost and the places of the new way are named
    ("Darchen – Tarboche road closed by snow since 06:00: +40 min via Zutulpuk").
    A closure that cannot be applied is left out and listed in ``closure_problems``
    after those given (the stored rows that could not be read), never fatal.

    Raises
    ------
    InvalidInput, NotFound
        As :func:`plan_approach`.
    """
    from rescue.closures import (
        closures_in_force,
        describe_closure_msg,
        edge_factors,
    )

    at = depart_at or now
    active, problems = closures_in_force(network, closures, at)

    def factors_of(subset: Sequence[Closure]) -> dict[str, dict[str, float]]:
        return {
            "foot": edge_factors(network, subset, profile, at),
            "vehicle": edge_factors(network, subset, "vehicle", at),
        }

    topo = topology(network)

    def lifted(closure: Closure) -> Callable[[], _Without]:
        def make() -> _Without:
            others = [c for c in active if c is not closure]
            factors = factors_of(others)
            costs = _edge_costs(network, topo, profile, None, factors)
            label = describe_closure_msg(network, closure)
            return _Without(closure.closure_id, label, costs, _costs_key(profile, None, factors))

        return make

    result = _plan(
        network,
        target,
        stations=stations,
        profile=profile,
        depart_at=depart_at,
        cost=None,
        factors=factors_of(active),
        closures_applied=tuple(c.closure_id for c in active),
        without=[lifted(c) for c in active],
        active=active,
        needs=needs,
    )
    result = replace(result, closure_problems=(*closure_problems, *problems))
    if active:
        result = replace(
            result,
            plans=tuple(
                replace(p, closures_untouched=_untouched(network, p, active)) for p in result.plans
            ),
        )
    warnings = _covering(network, result.target, active, describe_closure_msg)
    return replace(result, warnings=warnings) if warnings else result


def _covering(
    network: RouteNetwork,
    points: Sequence[TargetPoint],
    active: Sequence[Closure],
    describe: Callable[[Any, Closure], str | Msg],
) -> tuple[dict[str, str], ...]:
    """The closures over the target: an area containing it, or the segment it lies on.

    Such a plan leads into the closure: the officer must hear it before sending anyone.
    """
    from shapely.geometry import shape

    out = []
    for c in active:
        covers = False
        if c.geometry and c.geometry.get("type") in ("Polygon", "MultiPolygon"):
            area = shape(c.geometry)
            covers = any(area.covers(Point(t.lon, t.lat)) for t in points)
        elif c.segment_ids:
            on = {network.graph.edges[t.u, t.v, t.key].get("segment_id") for t in points}
            covers = bool(on & set(c.segment_ids))
        if covers:
            what = describe(network, c)
            out.append(
                {
                    "closure_id": c.closure_id,
                    "en": f"{text(what, 'en')}: the closure covers the caller's position",
                    "zh": f"{text(what, 'zh')}：封闭范围覆盖了呼救者的位置",
                }
            )
    return tuple(out)
