"""The build steps for a route drawn from a hand trace (a GeoJSON line the region spec names):
reading it, cutting it at its places, its heights, and re-placing the places on it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from shapely.geometry import LineString, Point
from shapely.ops import substring

from geodata.build._base import (
    _FIX_QUALITIES,
    _Anchor,
)
from geodata.build._state import _BuilderState
from geodata.build.consensus import distance_stats
from geodata.errors import DataValidationError
from geodata.specs import CircuitSpec, TraceSpec

__all__: list[str] = []


class _TraceSteps(_BuilderState):
    """Build steps for traced routes."""

    def read_trace(self, trace: TraceSpec) -> LineString:
        """The trace as a metric 2D line; a clear error naming the file when it is not one."""
        path = trace.path(self.source_dir)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataValidationError(f"{path}: not a readable GeoJSON file ({exc})") from None
        geoms = [f.get("geometry") for f in doc.get("features", [])] if "features" in doc else [doc]
        lines = [g for g in geoms if isinstance(g, dict) and g.get("type") == "LineString"]
        if len(lines) != 1:
            raise DataValidationError(f"{path}: expected one LineString, found {len(lines)}")
        try:
            coords = np.asarray(lines[0]["coordinates"], dtype=float)[:, :2]
        except (KeyError, TypeError, ValueError, IndexError):
            raise DataValidationError(f"{path}: LineString coordinates are not numbers") from None
        bad = ~((np.abs(coords[:, 0]) <= 180) & (np.abs(coords[:, 1]) <= 90))
        if len(coords) < 2 or bad.any():
            where = f" (point {int(np.flatnonzero(bad)[0])})" if bad.any() else ""
            raise DataValidationError(
                f"{path}: expected at least 2 lon/lat points within range{where}"
            )
        x, y = self.to_metric.transform(coords[:, 0], coords[:, 1])
        return LineString(np.column_stack([x, y]))

    def build_traced(
        self, circuit: CircuitSpec, trace: TraceSpec, start: _Anchor | None
    ) -> tuple[_Anchor, list[str]]:
        """Cut the trace at the circuit's places, from ``start`` on; chain the rest.

        Returns the anchor where the traced stretch ends and the place ids the
        ordinary chain continues with (from that anchor).
        """
        line = self.read_trace(trace)
        place_ids = list(circuit.place_ids)
        moved_ids = []
        if start is None:
            line, start = self._start_on_trace(circuit, line, place_ids.pop(0))
            moved_ids.append(start.place_id or "")
        self.trace_lines[trace.route_id] = line
        m0 = float(line.project(Point(start.x, start.y)))
        cuts, rest_from = self._trace_cuts(circuit, trace, line, m0, place_ids)
        line3d = self._trace_heights(circuit, trace, line, m0, start, cuts)
        self._replace_on_trace(circuit, line3d, m0, start.kora_km, cuts)
        self._move_companions(moved_ids + [pid for _, pid in cuts])
        # the ways between consecutive cut points
        marks = [(0.0, start)] + [
            (
                m - m0,
                _Anchor(
                    pid,
                    self.replaced[pid][0],
                    self.replaced[pid][1],
                    None,
                    False,
                    self.replaced[pid][3],
                ),
            )
            for m, pid in cuts
        ]
        for (ma, a), (mb, b) in zip(marks, marks[1:], strict=False):
            piece = substring(line3d, ma, mb)
            if piece.length < 1.0:
                continue
            pc = np.asarray(piece.coords)
            pc[0, :2], pc[-1, :2] = (a.x, a.y), (b.x, b.y)
            piece = LineString(pc)
            self._add_way(
                f"{circuit.route_id}:{a.place_id}-{b.place_id}",
                piece,
                kind="trail",
                route_id=circuit.route_id,
                names=(self.place(a.place_id or ""), self.place(b.place_id or "")),
                quality="hand_traced",
                modes=["foot"],
                surface="trail",
                length_factor=1.0,
                ends=(a.place_id, b.place_id),
                source=trace.source,
                notes="geometry cut from the hand-traced line; elevation linear by distance "
                "between the gazetteer's known heights",
                accuracy_m=self.trace_accuracy_m.get(trace.route_id),
            )
        end_pid = cuts[-1][1]
        z_end = float(line3d.coords[-1][2])
        x_end, y_end = self.replaced[end_pid][:2]
        end = _Anchor(end_pid, x_end, y_end, z_end, False, self.replaced[end_pid][3])
        return end, place_ids[rest_from:]

    def _start_on_trace(
        self, circuit: CircuitSpec, line: LineString, pid: str
    ) -> tuple[LineString, _Anchor]:
        """A circuit that starts on its trace (no tracked stretch before it): its first place
        re-placed on the line, and a closed line of a loop turned to begin there."""
        a = self.anchor(pid)
        m = float(line.project(Point(a.x, a.y)))
        coords = np.asarray(line.coords)
        if circuit.loop and np.allclose(coords[0], coords[-1]) and 0.0 < m < line.length:
            after, before = substring(line, m, line.length), substring(line, 0.0, m)
            line = LineString([*after.coords, *list(before.coords)[1:]])
            m = 0.0
        q = line.interpolate(m)
        if self.place(pid)["coord_quality"] in _FIX_QUALITIES:
            x, y, moved = a.x, a.y, 0.0
        else:
            x, y, moved = float(q.x), float(q.y), math.hypot(q.x - a.x, q.y - a.y)
        self.replaced[pid] = (x, y, moved, a.kora_km)
        if moved > self.spec.snap_warn_m:
            self.warnings.append(
                f"{circuit.route_id}: {pid} (where it starts) re-placed on the traced line "
                f"{moved:.0f} m from its gazetteer point; check which is right"
            )
        return line, _Anchor(pid, x, y, a.elevation_m, a.is_fix, a.kora_km)

    def _trace_cuts(
        self,
        circuit: CircuitSpec,
        trace: TraceSpec,
        line: LineString,
        m0: float,
        place_ids: Sequence[str],
    ) -> tuple[list[tuple[float, str]], int]:
        """The places the trace is cut at ((metres along it, place id), in order from
        ``m0``), and the index in ``place_ids`` the ordinary chain goes on from.

        A place too far from the line, or behind the previous one (a side site), is
        no cut point (a warning says so); a place past the line's end starts the chain.
        """
        end_m = line.length
        cuts: list[tuple[float, str]] = []
        rest_from = len(place_ids)
        last_m = m0
        closed = circuit.loop and line.coords[0] == line.coords[-1]
        for i, pid in enumerate(place_ids):
            if closed and i == len(place_ids) - 1 and pid == circuit.place_ids[0]:
                cuts.append((end_m, pid))  # a loop closes where its trace does
                last_m = end_m
                continue
            p = Point(self.xy(pid))
            m, off = float(line.project(p)), float(line.distance(p))
            if off > trace.max_offset_m:
                self.warnings.append(
                    f"{circuit.route_id}: {pid} lies {off:.0f} m from the traced line; "
                    "neither re-placed on it nor a cut point"
                )
                continue
            if m <= last_m + 1.0:
                if last_m >= end_m - 1.0:
                    # the line has ended: the chain goes on from the last cut (town streets)
                    rest_from = i
                    break
                self.warnings.append(
                    f"{circuit.route_id}: {pid} lies behind the previous place along the traced "
                    "line (a side site); not a cut point"
                )
                continue
            cuts.append((m, pid))
            last_m = m
        if not cuts:
            raise DataValidationError(
                f"{trace.file}: no place of {circuit.route_id} lies along the traced line"
            )
        if end_m - last_m > 50.0:
            self.warnings.append(
                f"{circuit.route_id}: the last {(end_m - last_m) / 1000:.2f} km of {trace.file} "
                f"beyond {cuts[-1][1]} are not used"
            )
        return cuts, rest_from

    def _trace_heights(
        self,
        circuit: CircuitSpec,
        trace: TraceSpec,
        line: LineString,
        m0: float,
        start: _Anchor,
        cuts: Sequence[tuple[float, str]],
    ) -> LineString:
        """The used stretch of the trace (``m0`` to the last cut) in 3D: the known heights
        at their places' positions, linear by distance between."""
        stretch = substring(line, m0, cuts[-1][0])
        known = self._known_heights(circuit, trace, line, m0, start, stretch.length)
        known.sort()
        kd, kz = zip(*known, strict=True)
        # vertices: the trace's own, plus one at every known height and every cut
        own = np.concatenate(
            [[0.0], np.cumsum(np.hypot(*np.diff(np.asarray(stretch.coords), axis=0).T))]
        )
        marks_m = np.concatenate([own, kd, [m - m0 for m, _ in cuts]])
        dists = np.unique(np.clip(np.round(marks_m, 2), 0.0, stretch.length))
        xy = np.array([stretch.interpolate(d).coords[0][:2] for d in dists])
        self.trace_known_heights[circuit.route_id] = [
            {"m_from_start": round(d, 1), "elevation_m": e} for d, e in known
        ]
        return LineString(np.column_stack([xy, np.interp(dists, kd, kz)]))

    def _known_heights(
        self,
        circuit: CircuitSpec,
        trace: TraceSpec,
        line: LineString,
        m0: float,
        start: _Anchor,
        length_m: float,
    ) -> list[tuple[float, float]]:
        """(metres from ``m0``, elevation) of the circuit's places with a known height along
        the used stretch. Where the gazetteer gives none on the route, each place's height is
        weighted from the nearest places that have one (a rough lower bound; a warning says so).
        """
        along = []
        for pid in dict.fromkeys(circuit.place_ids):
            p = Point(self.xy(pid))
            m = float(line.project(p)) - m0
            if line.distance(p) <= trace.max_offset_m and 0.0 <= m <= length_m:
                along.append((m, pid))
        known = [(0.0, start.elevation_m)] if start.elevation_m is not None else []
        known += [
            (m, float(z)) for m, pid in along if (z := self.place(pid)["elevation_m"]) is not None
        ]
        if known:
            return known
        self.warnings.append(
            f"{circuit.route_id}: the gazetteer gives no elevation on this route; elevations "
            "are weighted from the nearest places that have one (a rough lower bound)"
        )
        return [
            (m, float(self._with_nearby_elevation(self.anchor(pid)).elevation_m or 0.0))
            for m, pid in along
        ]

    def _replace_on_trace(
        self,
        circuit: CircuitSpec,
        line3d: LineString,
        m0: float,
        km0: float | None,
        cuts: Sequence[tuple[float, str]],
    ) -> None:
        """Re-place the cut places on the line (a GPS fix stays where it is: the line is
        pulled through it) and give their km along it from ``km0``."""
        for m, pid in cuts:
            q = line3d.interpolate(m - m0)
            row = self.place(pid)
            kora_km = round(km0 + (m - m0) / 1000.0, 2) if km0 is not None else None
            if row["coord_quality"] in _FIX_QUALITIES:
                self.replaced[pid] = (*self.raw_xy(pid), 0.0, kora_km)
                continue
            moved = math.hypot(q.x - self.raw_xy(pid)[0], q.y - self.raw_xy(pid)[1])
            again = pid in self.replaced  # a loop's first place, where it closes
            self.replaced[pid] = (float(q.x), float(q.y), moved, kora_km)
            if (
                not again
                and moved > self.spec.snap_warn_m
                and row["type"] not in self.spec.off_network_types
            ):
                self.warnings.append(
                    f"{circuit.route_id}: {pid} re-placed on the traced line {moved:.0f} m from "
                    f"its gazetteer point ({row['coord_quality']}); check which is right"
                )

    def _move_companions(self, moved: Sequence[str]) -> None:
        """Places the gazetteer puts at the same point as a re-placed one (a medical post at
        its supply point, guesthouses at a gompa) move with it."""
        for pid in moved:
            ox, oy = self.raw_xy(pid)
            for other, row in self.gazetteer.items():
                if other in self.replaced or row["type"] in self.spec.off_network_types:
                    continue
                if math.hypot(*(np.subtract(self.raw_xy(other), (ox, oy)))) <= 1.0:
                    self.replaced[other] = self.replaced[pid]
                    self.companions[other] = pid

    def trace_accuracy(self, trace: TraceSpec, centre: LineString) -> dict[str, Any]:
        """How far the GPS track points of the tracked stretch lie from the trace there; for a
        trace no track runs beside, how far the circuit's own places lie from it."""
        line = self.read_trace(trace)
        if trace.checked_against == "places":
            return self._trace_accuracy_from_places(trace, line)
        a = float(line.project(Point(centre.coords[0][:2])))
        b = float(line.project(Point(centre.coords[-1][:2])))
        west = substring(line, min(a, b), max(a, b))
        sample = [t._take(slice(None, None, 25)) for t in self.tracks]
        median_m, p95_m = distance_stats(sample, west)
        fixes = {}
        for pid, row in self.gazetteer.items():
            if row["coord_quality"] == "gps_published":
                fixes[pid] = round(float(line.distance(Point(self.xy(pid)))), 1)
        self.trace_accuracy_m[trace.route_id] = round(median_m)
        return {
            "checked_against": "every 25th point of the GPS tracks, on the tracked stretch",
            "n_points": int(sum(len(t) for t in sample)),
            "median_distance_m": round(median_m, 1),
            "p95_distance_m": round(p95_m, 1),
            "published_fix_distance_m": fixes,
        }

    def _trace_accuracy_from_places(self, trace: TraceSpec, line: LineString) -> dict[str, Any]:
        circuit = next(c for c in self.spec.circuits if c.route_id == trace.route_id)
        offsets = {
            pid: round(float(line.distance(Point(self.xy(pid)))), 1)
            for pid in dict.fromkeys(circuit.place_ids)
        }
        median_m = float(np.median(list(offsets.values())))
        self.trace_accuracy_m[trace.route_id] = round(median_m)
        return {
            "checked_against": "the circuit's gazetteer places (estimated positions, each "
            "with its own radius in the gazetteer); no GPS track runs here",
            "median_distance_m": round(median_m, 1),
            "max_distance_m": max(offsets.values()),
            "place_distance_m": offsets,
        }
