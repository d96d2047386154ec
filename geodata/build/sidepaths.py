"""Short paths beside the main trail drawn from the GPS tracks that walk them.

The west valley's centreline (:mod:`geodata.build.consensus`) is drawn from every track; a short
path off it is walked by only some: Darchen's street from the town centre to the kora gate
(the tracks that start in town), the climb from the Chuku bridge to Chuku gompa (the
walkers who visit it). Drawn as a straight link between two gazetteer points such a path is
a chord; :func:`side_path` draws it from the tracks that walk it instead:

1. **Pick** the tracks that come within ``reach_m`` of both ends, and cut each between its
   closest approaches to them (turned to run from ``a`` to ``b``); a cut longer than
   ``max_detour`` times the straight distance went elsewhere on the way (a wander round
   the gompa, a visit to another place) and is left out.
2. **Consensus**: the principal curve of those cuts
   (:func:`geodata.build.consensus.consensus_centreline`, no branches). It is kept when it
   converged and does not cross itself.
3. **Otherwise the medoid**: where walkers go up one way and down another (a zigzag stair)
   a median line can loop between the two; the path is then the one cleaned, resampled
   cut that lies nearest all the others (the median of their points' distances to it): a
   line one walker really walked, not an average.

The result says which (``method``), how many tracks it comes from and how far their points
lie from it (median and 95th percentile), so the build can mark its quality honestly.
Everything is in the caller's metric CRS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from shapely.geometry import LineString, Point

from geodata.build.consensus import consensus_centreline
from geodata.errors import InvalidInput
from geodata.tracks import TrackXY, clean_track, distance_stats, resample_track

__all__ = ["SidePath", "side_path", "track_pieces"]


@dataclass(frozen=True)
class SidePath:
    """A side path drawn from GPS tracks (metric CRS).

    Attributes
    ----------
    geometry
        3-D LineString (x, y, GPS elevation) from near ``a`` to near ``b``, a vertex about
        every 10 m.
    method
        ``"consensus"`` (principal curve of the tracks) or ``"medoid"`` (the one track
        nearest all the others).
    track_ids
        The tracks it is drawn from.
    median_distance_m, p95_distance_m
        Distance of those tracks' (cleaned, resampled) points to the line.
    """

    geometry: LineString
    method: str
    track_ids: tuple[str, ...]
    median_distance_m: float
    p95_distance_m: float

    @property
    def n_tracks(self) -> int:
        """How many tracks it is drawn from."""
        return len(self.track_ids)


def track_pieces(
    tracks: Sequence[TrackXY],
    a_xy: tuple[float, float],
    b_xy: tuple[float, float],
    *,
    reach_m: float = 40.0,
    max_detour: float = 3.0,
) -> list[TrackXY]:
    """The stretches of ``tracks`` between their closest approaches to ``a`` and ``b``,
    each running from ``a`` to ``b``, of the tracks that come within ``reach_m`` of both and
    walk at most ``max_detour`` times the straight distance between them."""
    a, b = np.asarray(a_xy, dtype=float), np.asarray(b_xy, dtype=float)
    straight = float(np.hypot(*(b - a)))
    if not (reach_m > 0 and max_detour >= 1.0 and straight > 2 * reach_m):
        raise InvalidInput(
            f"track_pieces: need reach_m > 0, max_detour >= 1 and the ends more than "
            f"2 * reach_m apart (reach_m={reach_m!r}, max_detour={max_detour!r}, "
            f"ends {straight:.0f} m apart)"
        )
    out = []
    for track in tracks:
        xy = track.xy
        if len(xy) < 2:
            continue
        da, db = np.hypot(*(xy - a).T), np.hypot(*(xy - b).T)
        ia, ib = int(np.argmin(da)), int(np.argmin(db))
        if da[ia] > reach_m or db[ib] > reach_m or ia == ib:
            continue
        lo, hi = sorted((ia, ib))
        walked = float(np.hypot(*np.diff(xy[lo : hi + 1], axis=0).T).sum())
        if walked > max_detour * straight:
            continue
        piece = track._take(slice(lo, hi + 1))
        out.append(piece if ia < ib else piece._take(slice(None, None, -1)))
    return out


def side_path(
    tracks: Sequence[TrackXY],
    a_xy: tuple[float, float],
    b_xy: tuple[float, float],
    *,
    reach_m: float = 40.0,
    max_detour: float = 3.0,
    min_tracks: int = 4,
    spacing_m: float = 10.0,
) -> SidePath | None:
    """The path between ``a`` and ``b`` drawn from the tracks that walk it (see the module
    docstring), or None when fewer than ``min_tracks`` do.

    Raises
    ------
    InvalidInput
        On a bad parameter (see :func:`track_pieces`).
    """
    pieces = track_pieces(tracks, a_xy, b_xy, reach_m=reach_m, max_detour=max_detour)
    if len(pieces) < max(1, min_tracks):
        return None
    cleaned = [resample_track(clean_track(p), spacing_m) for p in pieces]
    cleaned = [c for c in cleaned if len(c) >= 2]
    ids = tuple(p.track_id for p in pieces)
    centre = consensus_centreline(
        pieces,
        start_xy=(float(a_xy[0]), float(a_xy[1])),
        end_xy=(float(b_xy[0]), float(b_xy[1])),
        spacing_m=spacing_m,
        bin_m=spacing_m,
        corridor_m=50.0,
        endpoint_radius_m=reach_m,
        split_min_length_m=1e9,  # no branches: a side path is one line
        progress=False,
    )
    if centre.fit.converged and centre.geometry.is_simple and _walked(centre.geometry, cleaned):
        med, p95 = distance_stats(cleaned, centre.geometry)
        return SidePath(centre.geometry, "consensus", ids, med, p95)
    lines = [LineString(c.xy) for c in cleaned]
    n = len(cleaned)
    d = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            if i != j:
                d[i, j] = float(np.mean([lines[j].distance(Point(q)) for q in cleaned[i].xy]))
    score = (d + d.T).sum(axis=1) / 2.0
    # a line that crosses itself (a wander round the gompa) is chosen only if all do
    score = score + np.array([0.0 if line.is_simple else np.inf for line in lines])
    if not np.isfinite(score).any():
        score = (d + d.T).sum(axis=1)
    best = (float(score.min()), int(np.argmin(score)))
    chosen = cleaned[best[1]]
    z = np.asarray(chosen.ele_m, dtype=float)
    if not np.isfinite(z).any():
        z = np.zeros(len(chosen))
    z = np.interp(np.arange(len(z)), np.flatnonzero(np.isfinite(z)), z[np.isfinite(z)])
    geometry = LineString(np.column_stack([chosen.xy, z]))
    med, p95 = distance_stats(cleaned, geometry)
    return SidePath(geometry, "medoid", ids, med, p95)


def _walked(line: LineString, tracks: Sequence[TrackXY], within_m: float = 20.0) -> bool:
    """Whether every vertex of ``line`` lies within ``within_m`` of some track (a median
    line between two ways walked by different walkers runs where nobody walked)."""
    paths = [LineString(t.xy) for t in tracks]
    return all(min(p.distance(Point(q[:2])) for p in paths) <= within_m for q in line.coords)
