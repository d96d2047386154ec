"""How well the built geometry fits: the held-out GPS tracks' distances to each route and the
built stage lengths against the published ones (the build report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from shapely.geometry import LineString, Point

from geodata.build._base import (
    _CHORD_M,
)
from geodata.build._state import _BuilderState

__all__: list[str] = []


class _FitSteps(_BuilderState):
    """Build steps that measure the fit."""

    def geometry_fit(
        self, route_id: str, trace_accuracy: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """How a route's served line measures up: lengths, chords, distance to its trace."""
        ways = [w for w in self.ways if w["route_id"] == route_id and w["variant"] is None]
        geometry_m = sum(w["geometry"].length for w in ways)
        segments_m = sum(w["geometry"].length * w["length_factor"] for w in ways)
        by_quality: dict[str, float] = {}
        for w in ways:
            by_quality[w["quality"]] = by_quality.get(w["quality"], 0.0) + w["geometry"].length
        chords = [
            {"way_id": w["way_id"], "length_m": round(w["geometry"].length, 1)}
            for w in ways
            if len(w["geometry"].coords) == 2 and w["geometry"].length > _CHORD_M
        ]
        fit: dict[str, Any] = {
            "geometry_length_m": round(geometry_m, 1),
            "segments_length_m": round(segments_m, 1),
            "segments_over_geometry": round(segments_m / geometry_m, 4) if geometry_m else None,
            "length_by_quality_m": {q: round(v, 1) for q, v in sorted(by_quality.items())},
            "walked_chords_over_m": _CHORD_M,
            "street_chords": [
                c
                for c in chords
                if next(w for w in ways if w["way_id"] == c["way_id"])["surface"] != "trail"
            ],
        }
        fit["walked_chords"] = [
            c
            for c in chords
            if next(w for w in ways if w["way_id"] == c["way_id"])["surface"] == "trail"
        ]
        trace = self.trace_lines.get(route_id)
        if trace is not None:
            traced = [w["geometry"] for w in ways if w["quality"] == "hand_traced"]
            pts = [g.interpolate(d) for g in traced for d in np.arange(0.0, g.length, 10.0)]
            dist = np.array([trace.distance(Point(p.x, p.y)) for p in pts])
            fit["traced_to_trace_m"] = {
                "median": round(float(np.median(dist)), 1),
                "max": round(float(dist.max()), 1),
                "sampled_every_m": 10.0,
            }
            fit["trace_accuracy"] = dict(trace_accuracy or {})
            fit["known_heights"] = self.trace_known_heights.get(route_id, [])
            fit["re_placed_places"] = {
                pid: {"moved_m": round(v[2], 1), "kora_km": v[3]}
                for pid, v in self.replaced.items()
                if self.place(pid)["route"] == route_id
            }
            fit["published_stages"] = self._stage_comparison(route_id, ways)
        return fit

    def _stage_comparison(
        self, route_id: str, ways: Sequence[Mapping[str, Any]]
    ) -> list[dict[str, Any]]:
        """Published stage distances of ``route_id`` against its built line between the
        same places."""
        line = LineString(
            [c for i, w in enumerate(ways) for c in list(w["geometry"].coords)[(1 if i else 0) :]]
        )
        out = []
        on_route = {w[k] for w in ways for k in ("from_place_id", "to_place_id")}
        for a, b, km, source in self.spec.published_stages:
            if not all(p in on_route or self.place(p)["route"] == route_id for p in (a, b)):
                continue
            ma = line.project(Point(self.xy(a)))
            mb = line.project(Point(self.xy(b)))
            if mb <= ma and b == ways[-1]["to_place_id"]:
                mb = line.length  # the stage that closes a loop ends where the line does
            built_km = (mb - ma) / 1000.0
            diff = built_km - km
            out.append(
                {
                    "from": a,
                    "to": b,
                    "published_km": km,
                    "built_km": round(built_km, 2),
                    "difference_km": round(diff, 2),
                    "difference_pct": round(100.0 * diff / km, 1),
                    "source": source,
                }
            )
            if abs(diff) > max(0.5, 0.1 * km):
                self.warnings.append(
                    f"{a} → {b}: {built_km:.1f} km along the built line, {km:g} km published "
                    f"({source}); not stretched"
                )
        return out
