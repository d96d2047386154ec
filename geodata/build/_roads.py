"""The build steps for roads: from roads.csv, along the trails where a vehicle track follows
one, straight between their end places otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shapely.geometry import LineString, Point

from geodata.build._base import (
    _loop_substring,
    _norm_name,
    _rotate_loop,
    normalise_surface,
    parse_length_km,
)
from geodata.build._state import _BuilderState

__all__: list[str] = []


class _RoadSteps(_BuilderState):
    """Build steps for roads."""

    def build_roads(self) -> None:
        rows = {r["id"]: r for r in self.roads}
        joined = self._junctions(rows)
        for road in self.roads:
            rid = road["id"]
            if rid in joined:
                start_xy, end_xy, start_id, end_id = joined[rid]
            else:
                if not road["from_id"] or not road["to_id"]:
                    missing = road["to"] if road["from_id"] else road["from"]
                    self.warnings.append(
                        f"roads.csv: road {rid!r} skipped: no coordinates for {missing!r}"
                    )
                    continue
                start_id, end_id = road["from_id"], road["to_id"]
                start_xy, end_xy = self._road_end(start_id), self._road_end(end_id)
            if rid in self.spec.trail_following_roads or start_id == end_id:
                if start_id is None or end_id is None:  # a junction end: no place to follow from
                    continue
                line = self._along_trails(start_id, end_id, rid)
                if line is None:
                    continue
                modes = ["vehicle"]
                notes = "alignment not traced: follows the foot trail between its end places"
            else:
                z0 = self._elevation_at(start_id, start_xy)
                z1 = self._elevation_at(end_id, end_xy)
                line = LineString([(*start_xy, z0), (*end_xy, z1)])
                modes = ["vehicle", "foot"]
                notes = "alignment not traced: straight line between its end places"
            span = parse_length_km(road["length_km"])
            factor = 1.0
            if span is not None and line.length > 0:
                factor = max(1.0, 1000.0 * (span[0] + span[1]) / 2.0 / line.length)
            self._add_way(
                f"road:{rid}",
                line,
                kind="road",
                route_id=None,
                names=None,
                quality="estimated",
                modes=modes,
                surface=normalise_surface(road["surface"]),
                length_factor=round(factor, 4),
                ends=(start_id, end_id),
                source=road["source"],
                notes=f"{notes}; {road['notes']}".strip("; "),
                road=road,
            )

    def _junctions(
        self, rows: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, tuple[tuple[float, float], tuple[float, float], str | None, str | None]]:
        """Join a road ending at an unlocated junction to the road leaving it.

        ``chiu_gossul_turnoff`` ends at the "Gossul turn-off" and ``gossul_spur``
        starts there: the junction is put on the straight line between the known
        ends, at the share of the published lengths.
        """
        out: dict[str, Any] = {}
        for a in rows.values():
            if not a["from_id"] or a["to_id"]:
                continue
            for b in rows.values():
                if b["from_id"] or not b["to_id"]:
                    continue
                na, nb = _norm_name(a["to"]), _norm_name(b["from"])
                if not (na.startswith(nb) or nb.startswith(na)):
                    continue
                la, lb = parse_length_km(a["length_km"]), parse_length_km(b["length_km"])
                share = 0.5 if not (la and lb) else la[1] / (la[1] + lb[1])
                p0, p1 = self._road_end(a["from_id"]), self._road_end(b["to_id"])
                j = (p0[0] + share * (p1[0] - p0[0]), p0[1] + share * (p1[1] - p0[1]))
                out[a["id"]] = (p0, j, a["from_id"], None)
                out[b["id"]] = (j, p1, None, b["to_id"])
        return out

    def _road_end(self, place_id: str) -> tuple[float, float]:
        """Where a road meets a place: the place's point on a trail if it lies on one."""
        a = self._join_existing(self.anchor(place_id))
        return a.x, a.y

    def _elevation_at(self, place_id: str | None, xy: tuple[float, float]) -> float:
        if place_id is not None and self.place(place_id)["elevation_m"] is not None:
            return float(self.place(place_id)["elevation_m"])
        return float(self._nearest_z(xy))

    def _nearest_z(self, xy: tuple[float, float]) -> float:
        p = Point(xy)
        way = min(self.ways, key=lambda w: w["geometry"].distance(p))
        line = way["geometry"]
        return float(line.interpolate(line.project(p)).z)

    def _along_trails(self, start_id: str, end_id: str, road_id: str) -> LineString | None:
        """The stretch of a circuit between two places (the whole loop if they are equal)."""
        for route_id, loop in self.route_lines().items():
            s, e = Point(self.xy(start_id)), Point(self.xy(end_id))
            if loop.distance(s) > self.spec.snap_warn_m or loop.distance(e) > self.spec.snap_warn_m:
                continue
            ms, me = loop.project(s), loop.project(e)
            if start_id == end_id:
                return _rotate_loop(loop, ms)
            # a track beside a trail takes the shorter way along it (either way round a loop)
            ahead = (me - ms) % loop.length if route_id in self.loops else me - ms
            behind = (ms - me) % loop.length if route_id in self.loops else ms - me
            if ahead >= 0 and (behind < 0 or ahead <= behind):
                return _loop_substring(loop, ms, me)
            piece = _loop_substring(loop, me, ms)
            return LineString(list(piece.coords)[::-1])
        self.warnings.append(
            f"roads.csv: road {road_id!r} skipped: {start_id}/{end_id} are not on one trail"
        )
        return None
