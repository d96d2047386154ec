"""Linear referencing: positions along a route as kilometres from its start.

A :class:`RouteLine` is the main line of one route (for ``outer_kora``: the
clockwise loop from the Darchen kora gate, km 0) in the metric CRS, with a
*measure* at every vertex. Where a way's geometry is only an estimate its
``length_factor`` stretches the measure, so kilometres agree with published
walking distances, not with the straight chain drawn between estimated points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString, Point

from geodata.errors import InvalidInput

__all__ = ["RouteLine", "RoutePosition"]


@dataclass(frozen=True)
class RoutePosition:
    """A point referenced to a route.

    Attributes
    ----------
    route_id
        The route.
    km
        Kilometres from the route's start along its walking direction.
    offset_m
        Distance from the queried point to the route line (0 for points on it).
    x, y, elevation_m
        The point on the route line (metric CRS) and its elevation.
    """

    route_id: str
    km: float
    offset_m: float
    x: float
    y: float
    elevation_m: float


class RouteLine:
    """The main line of a route with a measure (metres from its start) at each vertex.

    Parameters
    ----------
    route_id
        The route.
    parts
        ``(metric 3D LineString, length_factor)`` of the route's ways in walking
        order; each part must start where the previous one ended.
    loop
        Whether the route closes on itself (measures then wrap around).

    Raises
    ------
    InvalidInput
        If ``parts`` is empty or not continuous.
    """

    def __init__(
        self, route_id: str, parts: Sequence[tuple[LineString, float]], *, loop: bool
    ) -> None:
        if not parts:
            raise InvalidInput(f"route {route_id!r} has no ways")
        coords: list[np.ndarray] = []
        measure: list[np.ndarray] = []
        total = 0.0
        for i, (line, factor) in enumerate(parts):
            c = np.asarray(line.coords, dtype=float)
            if coords:
                gap = float(np.hypot(*(c[0, :2] - coords[-1][-1, :2])))
                if gap > 1.0:
                    raise InvalidInput(
                        f"route {route_id!r}: way {i} starts {gap:.0f} m from where the "
                        "previous one ended"
                    )
                c = c[1:]
                prev = coords[-1][-1]
                seg = np.vstack([prev[None, :], c])
            else:
                seg = c
            step = np.hypot(np.diff(seg[:, 0]), np.diff(seg[:, 1])) * factor
            m = total + np.concatenate([[0.0], np.cumsum(step)])
            if coords:
                m = m[1:]
            total = float(m[-1])
            coords.append(c)
            measure.append(m)
        self.route_id = route_id
        self.loop = loop
        self.coords = np.vstack(coords)
        self.measure_m = np.concatenate(measure)
        self.length_m = float(self.measure_m[-1])
        self.line = LineString(self.coords)
        geo = np.hypot(np.diff(self.coords[:, 0]), np.diff(self.coords[:, 1]))
        self._geo_m = np.concatenate([[0.0], np.cumsum(geo)])

    def position(self, km: float) -> RoutePosition:
        """The point ``km`` kilometres along the route (wrapping around a loop).

        Raises
        ------
        InvalidInput
            If ``km`` is outside the route (and the route is not a loop) or not finite.
        """
        m = self._check_measure(km * 1000.0)
        x = float(np.interp(m, self.measure_m, self.coords[:, 0]))
        y = float(np.interp(m, self.measure_m, self.coords[:, 1]))
        z = float(np.interp(m, self.measure_m, self.coords[:, 2]))
        return RoutePosition(self.route_id, m / 1000.0, 0.0, x, y, z)

    def locate(self, x: float, y: float) -> RoutePosition:
        """Reference a metric point to the route: the nearest point on it and its km."""
        if not (np.isfinite(x) and np.isfinite(y)):
            raise InvalidInput(f"point ({x}, {y}) is not finite")
        p = Point(x, y)
        g = self.line.project(p)
        m = float(np.interp(g, self._geo_m, self.measure_m))
        if self.loop and self.length_m - m < 1e-3:
            m = 0.0  # the loop's closing point is its start
        on = self.position(m / 1000.0)
        return RoutePosition(
            self.route_id, on.km, float(self.line.distance(p)), on.x, on.y, on.elevation_m
        )

    def km_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`locate`: km along the route of the nearest points to (x, y)."""
        g = shapely.line_locate_point(self.line, shapely.points(np.column_stack([x, y])))
        km = np.interp(g, self._geo_m, self.measure_m) / 1000.0
        if self.loop:
            km = np.where(self.length_m / 1000.0 - km < 1e-6, 0.0, km)
        return km

    def km_between(self, km_from: float, km_to: float) -> float:
        """Distance in km walking forward from ``km_from`` to ``km_to`` (wrapping on loops)."""
        d = km_to - km_from
        if self.loop:
            d %= self.length_m / 1000.0
        return d

    def substring(self, km_from: float, km_to: float) -> LineString:
        """The route line between two measures, in walking order (3D, metric)."""
        a = self._check_measure(km_from * 1000.0)
        b = self._check_measure(km_to * 1000.0)
        if b < a and self.loop:
            first = self._slice(a, self.length_m)
            second = self._slice(0.0, b)
            return LineString(list(first.coords) + list(second.coords)[1:])
        if b < a:
            a, b = b, a
        return self._slice(a, b)

    def _slice(self, a: float, b: float) -> LineString:
        inside = (self.measure_m > a) & (self.measure_m < b)
        first, last = self.position(a / 1000.0), self.position(b / 1000.0)
        mid = self.coords[inside]
        coords = [(first.x, first.y, first.elevation_m), *map(tuple, mid)]
        coords.append((last.x, last.y, last.elevation_m))
        if len(coords) < 2 or coords[0] == coords[-1] and len(coords) == 2:
            coords = [coords[0], coords[0]]
        return LineString(coords)

    def _check_measure(self, m: float) -> float:
        if not np.isfinite(m):
            raise InvalidInput(f"kilometre value {m / 1000.0} is not a number")
        if self.loop:
            return float(m % self.length_m) if m != self.length_m else self.length_m
        if m < -1e-6 or m > self.length_m + 1e-6:
            raise InvalidInput(
                f"km {m / 1000.0:.3f} is outside route {self.route_id!r} "
                f"(0 to {self.length_m / 1000.0:.3f} km)"
            )
        return float(min(max(m, 0.0), self.length_m))
