"""The build step for a link between two places that the GPS tracks walk (a town street,
the climb to a gompa): its line drawn from those tracks (:mod:`geodata.build.sidepaths`) instead
of a straight chord between the two gazetteer points.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from shapely.geometry import LineString

from geodata.build._base import _CHORD_M, _Anchor
from geodata.build._state import _BuilderState
from geodata.build.sidepaths import side_path

__all__: list[str] = []

#: tracks count when they pass this close to both ends of the link (metres)
_SIDE_REACH_M = 60.0
#: a track's cut longer than this many times the straight distance went elsewhere
_SIDE_MAX_DETOUR = 3.0
#: fewer tracks than this draw no line (the link stays a chain)
_SIDE_MIN_TRACKS = 4


class _SidePathSteps(_BuilderState):
    """Build steps for links drawn from the tracks that walk them."""

    def tracked_link(
        self, a: _Anchor, b: _Anchor, za: float, zb: float
    ) -> tuple[LineString, dict[str, Any]] | None:
        """The line from ``a`` to ``b`` drawn from the GPS tracks, with its ends on the two
        anchors and its GPS height profile shifted to their heights ``za``, ``zb``; and what
        the way records of it. None when the spec names no such link or too few tracks walk
        it (a warning says so)."""
        pair = (a.place_id or "", b.place_id or "")
        if pair not in self.spec.tracked_links:
            return None
        side = side_path(
            self.tracks,
            (a.x, a.y),
            (b.x, b.y),
            reach_m=_SIDE_REACH_M,
            max_detour=_SIDE_MAX_DETOUR,
            min_tracks=_SIDE_MIN_TRACKS,
        )
        if side is None:
            self.warnings.append(
                f"{pair[0]} → {pair[1]}: fewer than {_SIDE_MIN_TRACKS} GPS tracks walk it; "
                "drawn straight between the gazetteer points"
            )
            return None
        c = np.asarray(side.geometry.coords, dtype=float)
        c[0, :2], c[-1, :2] = (a.x, a.y), (b.x, b.y)
        step = np.hypot(*np.diff(c[:, :2], axis=0).T)
        frac = np.concatenate([[0.0], np.cumsum(step)]) / max(float(step.sum()), 1e-9)
        c[:, 2] += (za - c[0, 2]) + ((zb - c[-1, 2]) - (za - c[0, 2])) * frac
        line = LineString(c)
        straight_m = float(np.hypot(b.x - a.x, b.y - a.y))
        record = {
            "method": side.method,
            "n_tracks": side.n_tracks,
            "median_distance_m": round(side.median_distance_m, 1),
            "p95_distance_m": round(side.p95_distance_m, 1),
            "length_m": round(line.length, 1),
            "straight_m": round(straight_m, 1),
            "track_ids": list(side.track_ids),
        }
        self.side_paths[f"{pair[0]}-{pair[1]}"] = record
        how = (
            "consensus centreline"
            if side.method == "consensus"
            else "the one track nearest all the others (medoid; they go up and down by "
            "different zigzags, so no median line)"
        )
        return line, {
            "source": f"{how} of the {side.n_tracks} GPS tracks (tracks_train) that walk it",
            "accuracy_m": round(side.median_distance_m, 1),
            "notes": f"drawn from GPS tracks ({side.method}; their points lie "
            f"{side.median_distance_m:.0f} m (median), {side.p95_distance_m:.0f} m (p95) from "
            "it); elevation: their phone-GPS profile shifted to the gazetteer heights at its "
            "ends",
        }

    def walked_chords(self) -> list[dict[str, Any]]:
        """Every walked trail (any route, spurs too) still drawn as one straight line over
        ``_CHORD_M``, longest first, with its quality and source (``metadata.json``)."""
        out = [
            {
                "way_id": w["way_id"],
                "length_m": round(w["geometry"].length, 1),
                "quality": w["quality"],
                "source": w["source"],
            }
            for w in self.ways
            if w["kind"] == "trail"
            and "foot" in w["modes"]
            and len(w["geometry"].coords) == 2
            and w["geometry"].length > _CHORD_M
        ]
        return sorted(out, key=lambda c: -c["length_m"])
