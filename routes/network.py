"""The route network of a region: graph, routes, segments and linear referencing.

``build_network(region)`` is the one entry point the services use. The result
is immutable by convention: a new data version means a new network.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import geopandas as gpd
import networkx as nx
import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, Point

from geodata.errors import InvalidInput, NotFound
from routes.costs import PROFILES
from routes.direction import DIRECTIONS, Direction
from routes.eta import own_pace, own_pace_eta
from routes.eta_trees import two_times_eta
from routes.graph import graph_from_ways
from routes.linref import RouteLine, RoutePosition

if TYPE_CHECKING:
    from geodata.files import Region

__all__ = ["Derived", "RouteNetwork", "RouteStop", "build_network", "Direction"]

T = TypeVar("T")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RouteStop:
    """A graph node on a route's main line, at ``km`` from the route start."""

    node: str
    km: float


@dataclass(frozen=True)
class WalkResult:
    """Where a walker is after a given time.

    ``reached_end`` is True when a non-loop route ended before the time ran out.
    """

    position: RoutePosition
    lon: float
    lat: float
    duration_s: float
    reached_end: bool


@dataclass(frozen=True)
class Derived(Generic[T]):
    """A typed cache on a network, declared once by the module that needs it.

    ``_INDEX = Derived("closures.edge_index", _build_index)`` at module level, then
    ``_INDEX.of(network)``: built on first use, kept for the life of the network (a new
    data version is a new network, so it never goes stale). The key is the slot's name
    in :attr:`RouteNetwork.derived`; by convention ``"<module>.<what>"``.
    """

    key: str
    build: Callable[[RouteNetwork], T]

    def of(self, network: RouteNetwork) -> T:
        """The value for ``network``, built on first use."""
        return network.derive(self.key, self.build)


@dataclass
class RouteNetwork:
    """Everything the services need to reason about routes in one region."""

    region: Region
    graph: nx.MultiDiGraph
    lines: dict[str, RouteLine]
    stops: dict[str, list[RouteStop]]
    routes: gpd.GeoDataFrame = field(repr=False)
    segments: gpd.GeoDataFrame = field(repr=False)
    to_metric: Transformer = field(repr=False)
    to_wgs: Transformer = field(repr=False)
    #: indexes derived from this network by the services (e.g. the locator's), built once
    #: per network; a new data version is a new network, so they never go stale
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

    def derive(self, key: str, build: Callable[[RouteNetwork], T]) -> T:
        """Return ``derived[key]``, building it with ``build(self)`` on first use.

        Prefer a :class:`Derived` slot declared by the module that owns the cache.
        Each build is logged (INFO, with its CPU time): a served request should find
        what it needs built already (see :mod:`rescue.warm`).
        """
        if key not in self.derived:
            started = time.process_time()
            self.derived[key] = build(self)
            log.info("built %s in %.3f s of CPU", key, time.process_time() - started)
        return cast(T, self.derived[key])

    # -- linear referencing -------------------------------------------------------
    def line(self, route_id: str) -> RouteLine:
        """The main line of ``route_id``.

        Raises
        ------
        NotFound
            If the route does not exist.
        """
        try:
            return self.lines[route_id]
        except KeyError:
            raise NotFound(
                f"unknown route {route_id!r}; known: {', '.join(sorted(self.lines))}"
            ) from None

    def locate(self, lon: float, lat: float, route_id: str | None = None) -> RoutePosition:
        """Reference a lon/lat point to a route (the nearest route if none is given)."""
        _check_lonlat(lon, lat)
        x, y = self.to_metric.transform(lon, lat)
        if route_id is not None:
            return self.line(route_id).locate(x, y)
        return min((ln.locate(x, y) for ln in self.lines.values()), key=lambda p: p.offset_m)

    def lonlat(self, position: RoutePosition) -> tuple[float, float]:
        """WGS84 lon/lat of a route position."""
        lon, lat = self.to_wgs.transform(position.x, position.y)
        return float(lon), float(lat)

    def point_at(self, route_id: str, km: float) -> tuple[float, float, float]:
        """(lon, lat, elevation_m) at ``km`` along ``route_id``."""
        pos = self.line(route_id).position(km)
        lon, lat = self.lonlat(pos)
        return lon, lat, pos.elevation_m

    def place_km(self, place_id: str, route_id: str) -> float:
        """Kilometre of a place along a route.

        Raises
        ------
        NotFound
            If the place is unknown or lies more than 300 m off the route.
        """
        places = self.region.places
        if place_id not in places.index:
            raise NotFound(f"unknown place {place_id!r}")
        node = self._place_nodes.get(place_id)
        for stop in self.stops.get(route_id, []) if node is not None else []:
            if stop.node == node:  # exact, also at a loop's seam
                return stop.km
        pt = places.geometry[place_id]
        pos = self.locate(pt.x, pt.y, route_id)
        if pos.offset_m > 300.0:
            raise NotFound(f"place {place_id!r} is {pos.offset_m:.0f} m off route {route_id!r}")
        return pos.km

    def node_of(self, place_id: str) -> str:
        """The graph node where an on-network place lies.

        Raises
        ------
        NotFound
            If the place is unknown or not on the network.
        """
        node = self._place_nodes.get(place_id)
        if node is None:
            raise NotFound(f"place {place_id!r} is not on the route network")
        return node

    @property
    def _place_nodes(self) -> dict[str, str]:
        nodes: dict[str, str] = self.derive(
            "place_nodes",
            lambda net: {
                pid: node for node, d in net.graph.nodes(data=True) for pid in d["place_ids"]
            },
        )
        return nodes

    def _landmark_stops(self, stops: list[RouteStop], n_knots: int) -> tuple[float, np.ndarray]:
        """Scale of the edge times and the stop time at each knot, from the calibration."""
        calib = self.region.calibration or {}
        dwell_s = calib.get("dwell_s") or {}
        rest = float((calib.get("model") or {}).get("rest_allowance", 0.0))
        residual = float(calib.get("residual_rest_allowance", rest))
        dwell = np.zeros(n_knots)
        for i, stop in enumerate(stops):
            places = self.graph.nodes[stop.node]["place_ids"]
            dwell[i] = max((float(dwell_s.get(p, 0.0)) for p in places), default=0.0)
        return (1.0 + residual) / (1.0 + rest), dwell

    # -- walking along a route ------------------------------------------------------
    def walk(
        self,
        route_id: str,
        start_km: float,
        duration_s: float,
        *,
        direction: str = "clockwise",
        profile: str = "pilgrim",
        pace: float = 1.0,
        stops: str = "spread",
    ) -> WalkResult:
        """The position reached after walking ``duration_s`` from ``start_km``.

        Parameters
        ----------
        route_id
            The route walked.
        start_km
            Start position (km along the route in its clockwise/walking direction).
        duration_s
            Time walked, in seconds (including the profile's rests).
        direction
            ``"clockwise"`` (the route's walking order) or ``"counterclockwise"``.
        profile
            Travel-time profile (see ``routes.costs.PROFILES``).
        pace
            Multiplier on the profile's times (1.0 = the median walker; 1.2 = 20 % slower).
        stops
            ``"spread"``: rests spread evenly over the walk (the edge durations);
            ``"landmarks"`` (pilgrim only): the calibrated stop time at each landmark
            (the lunch stop at Hayagriva station …) plus a smaller spread allowance —
            closer to where real walkers are hour by hour.

        Raises
        ------
        InvalidInput
            On a negative or non-finite duration, a non-positive pace, an unknown
            direction or profile.
        """
        if not np.isfinite(duration_s) or duration_s < 0:
            raise InvalidInput(f"duration_s must be a non-negative number, got {duration_s!r}")
        tl = self._timeline(route_id, direction, profile, pace, stops)
        u, t = tl.u, tl.t
        if tl.dwell.any():  # a stop is a pause: the knot repeats, later times shift
            t_arrive = tl.t_arrive
            t = np.ravel(np.column_stack([t_arrive, t_arrive + tl.dwell]))
            u = np.repeat(u, 2)
        start_u = tl.to_u(start_km)
        t_target = float(np.interp(start_u, u, t)) + duration_s
        reached_end = False
        if tl.line.loop:
            t_target %= t[-1]
        elif t_target > t[-1]:
            reached_end, t_target = True, t[-1]
        walked = duration_s if not reached_end else t[-1] - float(np.interp(start_u, u, t))
        u_end = float(np.interp(t_target, t, u))
        pos = tl.line.position(tl.total_km - u_end if direction == "counterclockwise" else u_end)
        return WalkResult(pos, *self.lonlat(pos), float(walked), reached_end)

    def walk_time_s(
        self,
        route_id: str,
        from_km: float,
        to_km: float,
        *,
        direction: str = "clockwise",
        profile: str = "pilgrim",
        stops: str = "landmarks",
    ) -> float:
        """The median walker's time from leaving ``from_km`` to reaching ``to_km``.

        The inverse of :meth:`walk` (same legs, same stops): the stop at ``from_km`` is
        already over, the one at ``to_km`` not begun.  On a loop the walk goes on past the
        start when ``to_km`` lies behind ``from_km`` in the walking direction; on a line it
        must lie ahead.

        Raises
        ------
        InvalidInput
            Unknown route, direction, profile or stops; ``to_km`` behind ``from_km`` on a
            route that is not a loop.
        """
        tl = self._timeline(route_id, direction, profile, 1.0, stops)
        u0, u1 = tl.to_u(from_km), tl.to_u(to_km)
        t_dep = tl.t_arrive + tl.dwell
        t0 = float(np.interp(u0, tl.u, t_dep))
        t1 = float(np.interp(u1, tl.u, tl.t_arrive))
        if u1 < u0:
            if not tl.line.loop:
                raise InvalidInput(
                    f"km {to_km:g} lies behind km {from_km:g} walking {direction} on {route_id!r}"
                )
            t1 += float(tl.t_arrive[-1] + tl.dwell[-1])
        return max(t1 - t0, 0.0)

    def own_pace(
        self,
        route_id: str,
        from_km: float,
        to_km: float,
        elapsed_s: float,
        *,
        direction: str = "clockwise",
        walk_s: float | None = None,
        clock_h: float | None = None,
    ) -> dict[str, Any]:
        """A walker's own pace from two passages: left ``from_km``, reached ``to_km`` after
        ``elapsed_s`` ("we left Darchen at 8, passed Chuku Gompa at 11").

        The median walker's time between them is :meth:`walk_time_s`; the pace is
        :func:`routes.eta.own_pace` (fitted on the GPS tracks, ``calibration.json``
        ``pace_conditioning``).  With ``walk_s`` (the time walked since ``to_km``, "… now it
        is 13:30") ``paces`` gives (pace, weight) at p10 / p50 / p90 of the time ahead
        (:func:`routes.eta.own_pace_eta`), to pass to :meth:`walk` one by one (the
        locator's walking-time clue does).

        With ``calibration.json`` ``eta_trees`` the pace and range ahead come from the
        boosted trees for a call with two times (:func:`routes.eta_trees.two_times_eta`,
        ``clock_h`` the local hour at ``to_km``), which beat the fitted lines in
        cross-validation; ``model`` names what was used (``eta_trees.two_times`` or
        ``pace_conditioning``), so a range shown to an officer says where it comes from.

        Returns
        -------
        dict
            ``pace``, ``median_elapsed_s``, ``elapsed_s``, ``model`` and, with ``walk_s``,
            ``paces``.

        Raises
        ------
        InvalidInput
            A time that is not a positive number, the passages in the wrong order, a region
            without a calibrated walking model.
        """
        cal = self.region.calibration
        if not cal or not cal.get("eta_ratio_quantiles"):
            raise InvalidInput("this region has no calibrated walking model for a walker's pace")
        median = self.walk_time_s(route_id, from_km, to_km, direction=direction)
        if median <= 0:
            raise InvalidInput(f"km {from_km:g} and km {to_km:g} are the same place")
        out: dict[str, Any] = {
            "pace": own_pace(cal, elapsed_s, median),
            "median_elapsed_s": median,
            "elapsed_s": float(elapsed_s),
            "model": "pace_conditioning",
        }
        if (cal.get("eta_trees") or {}).get("two_times"):
            # the time ahead: what the walker covers in walk_s at the lines' pace (a guess
            # of where they are), else a stretch as long as the one walked
            ahead = max(float(walk_s) / out["pace"] if walk_s else median, 60.0)
            eta = two_times_eta(cal, elapsed_s, median, ahead, clock_h=clock_h)
            out["pace"] = eta["pace"]  # as own_pace: against the trip-length-scaled median
            out["model"] = "eta_trees.two_times"
            if walk_s is not None:
                out["paces"] = [
                    (eta["p10_s"] / ahead, 0.25),
                    (eta["p50_s"] / ahead, 0.5),
                    (eta["p90_s"] / ahead, 0.25),
                ]
            return out
        if walk_s is not None:
            ahead = float(walk_s) / out["pace"] if walk_s and walk_s > 0 else 0.0
            eta = own_pace_eta(cal, elapsed_s, median, max(ahead, 60.0))
            base = max(ahead, 60.0)
            out["paces"] = [
                (eta["p10_s"] / base, 0.25),
                (eta["p50_s"] / base, 0.5),
                (eta["p90_s"] / base, 0.25),
            ]
        return out

    def _timeline(
        self, route_id: str, direction: str, profile: str, pace: float, stops: str
    ) -> _Timeline:
        if not np.isfinite(pace) or pace <= 0:
            raise InvalidInput(f"pace must be a positive number, got {pace!r}")
        if direction not in DIRECTIONS:
            raise InvalidInput(f"direction {direction!r} is not one of {', '.join(DIRECTIONS)}")
        if profile not in PROFILES:
            raise InvalidInput(f"profile {profile!r} is not one of {', '.join(PROFILES)}")
        if stops not in ("spread", "landmarks"):
            raise InvalidInput(f"stops {stops!r} is not one of spread, landmarks")
        line = self.line(route_id)
        total_km = line.length_m / 1000.0
        route_stops = self.stops[route_id]
        # the knots depend only on the route and profile: built once per network
        km, legs = self.derive(
            f"knots:{route_id}:{profile}", lambda net: _knots(net.graph, route_stops, line, profile)
        )
        dwell = np.zeros(len(km))
        if stops == "landmarks" and profile == "pilgrim":
            scale, dwell = self.derive(
                f"landmark_stops:{route_id}",
                lambda net: net._landmark_stops(route_stops, len(km)),
            )
            legs = (legs[0] * scale, legs[1] * scale)
        if direction == "counterclockwise":
            # walk the reversed route: u = total - km increases, legs in reverse order
            u, leg_s = total_km - km[::-1], legs[1][::-1]
            dwell = dwell[::-1]
        else:
            u, leg_s = km, legs[0]
        t = np.concatenate([[0.0], np.cumsum(leg_s * pace)])
        t_arrive = t + np.concatenate([[0.0], np.cumsum(dwell[:-1])])
        return _Timeline(line, total_km, direction, u, t, t_arrive, dwell)


@dataclass(frozen=True)
class _Timeline:
    """A route walked in one direction: knot positions ``u`` (km in the walking direction),
    moving times ``t`` without stops, arrival times with the stops before, stop at each."""

    line: RouteLine
    total_km: float
    direction: str
    u: np.ndarray
    t: np.ndarray
    t_arrive: np.ndarray
    dwell: np.ndarray

    def to_u(self, km: float) -> float:
        k = self.line.position(km).km
        return self.total_km - k if self.direction == "counterclockwise" else k


def _knots(
    G: nx.MultiDiGraph, stops: list[RouteStop], line: RouteLine, profile: str
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Stop kilometres and the (forward, reverse) duration of each leg between them.

    On a loop the first stop is repeated at the end (at the route's length).
    """
    seq = list(stops)
    if line.loop:
        seq.append(RouteStop(seq[0].node, line.length_m / 1000.0))
    km = np.array([s.km for s in seq])
    fwd = np.array(
        [
            _main_edge_duration(G, a.node, b.node, line.route_id, profile, True)
            for a, b in zip(seq, seq[1:], strict=False)
        ]
    )
    rev = np.array(
        [
            _main_edge_duration(G, b.node, a.node, line.route_id, profile, False)
            for a, b in zip(seq, seq[1:], strict=False)
        ]
    )
    return km, (fwd, rev)


def _main_edge_duration(
    G: nx.MultiDiGraph, u: str, v: str, route_id: str, profile: str, forward: bool
) -> float:
    best = None
    for data in G.get_edge_data(u, v, default={}).values():
        if data["route_id"] == route_id and data["variant"] is None and data["forward"] == forward:
            d = data["duration_s"][profile]
            if d is not None and (best is None or d < best):
                best = d
    if best is None:
        raise NotFound(f"route {route_id!r} has no {profile} edge from {u} to {v}")
    return float(best)


def _check_lonlat(lon: float, lat: float) -> None:
    if not (np.isfinite(lon) and np.isfinite(lat)) or not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(f"({lon}, {lat}) is not a valid WGS84 lon/lat")


def _metric_line(to_metric: Transformer, line: LineString) -> LineString:
    c = np.asarray(line.coords, dtype=float)
    x, y = to_metric.transform(c[:, 0], c[:, 1])
    z = c[:, 2] if c.shape[1] > 2 else np.zeros(len(c))
    return LineString(np.column_stack([x, y, z]))


def build_network(region: Region) -> RouteNetwork:
    """Build the route network of a loaded region.

    Parameters
    ----------
    region
        A :class:`geodata.Region`.

    Returns
    -------
    RouteNetwork
    """
    from routes.segments import LANDMARK_PRIORITY, build_segments

    crs = region.metric_crs
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    to_wgs = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    ways = region.ways
    metric = {wid: _metric_line(to_metric, geom) for wid, geom in ways.geometry.items()}
    props = ways.drop(columns="geometry").to_dict("index")
    places = region.places[region.places["on_network"].astype(bool)]
    place_points = sorted(
        (
            (pid, Point(*to_metric.transform(pt.x, pt.y)), row["snap_way_id"])
            for (pid, pt), (_, row) in zip(places.geometry.items(), places.iterrows(), strict=True)
        ),
        key=lambda p: (-LANDMARK_PRIORITY.get(places.at[p[0], "type"], 0), p[0]),
    )
    G = graph_from_ways(
        [(wid, metric[wid], props[wid]) for wid in ways.index],
        place_points,
        crs=crs,
        region_id=region.region_id,
        calibration=region.calibration,
    )
    route_meta: Mapping[str, Mapping[str, Any]] = region.metadata.get("routes", {})
    lines: dict[str, RouteLine] = {}
    trails = region.trails
    for route_id in dict.fromkeys(trails["route_id"].dropna()):
        main = trails[(trails["route_id"] == route_id) & trails["variant"].isna()]
        parts = [(metric[wid], float(props[wid]["length_factor"])) for wid in main.index]
        loop = bool(route_meta.get(route_id, {}).get("loop", False))
        lines[route_id] = RouteLine(route_id, parts, loop=loop)
    stops = {rid: _route_stops(G, line) for rid, line in lines.items()}
    routes_gdf = _routes_frame(region, lines, to_wgs, G)
    network = RouteNetwork(
        region=region,
        graph=G,
        lines=lines,
        stops=stops,
        routes=routes_gdf,
        segments=gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"),
        to_metric=to_metric,
        to_wgs=to_wgs,
    )
    network.segments = build_segments(network)
    return network


def _route_stops(G: nx.MultiDiGraph, line: RouteLine) -> list[RouteStop]:
    stops = []
    for node, data in G.nodes(data=True):
        if not any(
            d["route_id"] == line.route_id and d["variant"] is None
            for _, _, d in G.out_edges(node, data=True)
        ):
            continue
        pos = line.locate(data["x"], data["y"])
        if pos.offset_m <= 1.0:
            km = pos.km
            if line.loop and abs(km - line.length_m / 1000.0) < 1e-6:
                km = 0.0
            stops.append(RouteStop(node, km))
    stops.sort(key=lambda s: s.km)
    return stops


def _routes_frame(
    region: Any, lines: Mapping[str, RouteLine], to_wgs: Transformer, G: nx.MultiDiGraph
) -> gpd.GeoDataFrame:
    meta = region.metadata.get("routes", {})
    rows = []
    for route_id, line in lines.items():
        lon, lat = to_wgs.transform(line.coords[:, 0], line.coords[:, 1])
        lengths: dict[str, float] = {}
        for _, _, d in G.edges(data=True):
            if d["route_id"] == route_id and d["variant"] is None and d["forward"]:
                lengths[d["quality"]] = lengths.get(d["quality"], 0.0) + d["length_m"]
        total = sum(lengths.values()) or 1.0
        rows.append(
            {
                "route_id": route_id,
                "name_en": meta.get(route_id, {}).get("name_en", route_id),
                "name_zh": meta.get(route_id, {}).get("name_zh", route_id),
                "length_m": round(line.length_m, 1),
                "is_loop": line.loop,
                "quality_share": {q: round(v / total, 3) for q, v in sorted(lengths.items())},
                "geometry": LineString(np.column_stack([lon, lat, line.coords[:, 2]])),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326").set_index(
        "route_id", drop=False
    )
