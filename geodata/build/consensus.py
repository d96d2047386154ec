"""Consensus centreline of many GPS tracks that walk the same trail.

The west valley of the Kailash kora (Darchen kora gate -> Drirapuk) is not drawn by
hand: it is the principal curve of the real pilgrim tracks.

Method
------
1. **Clean** each track (:func:`clean_track`): drop points that imply more than
   ``max_speed_kmh`` both into and out of them over a ``speed_window_s`` window (GPS
   jumps, vehicle rides), and collapse stops (jitter within ``stop_radius_m``) to one
   point each.
2. **Resample** by distance (:func:`resample_track`, every ``spacing_m``; never across
   a gap longer than ``max_gap_m``) and trim each track between its closest approach
   to ``start_xy`` and to ``end_xy`` (a track walked the other way is reversed).
3. **Initial curve**: the medoid track, i.e. the complete track whose points lie in
   the most-visited grid cells (a side trip or an unusual variant lowers the score),
   with its loops cut out.
4. **Principal-curve refinement**: project every point on the current curve, keep
   those within ``corridor_m``, bin them by along-curve distance (``bin_m``), move
   each bin's curve point to the median position over tracks (one vote per track
   and bin, so a lingering walker or a side path across the line cannot outvote the
   tracks that walk through), smooth lightly, cut any loop, resample; repeat until
   the curve moves less than ``tol_m``.
5. **Branches**: per bin, the per-track offsets within ``branch_corridor_m`` are
   split in two by 1-D 2-means; a bin is split when the two clusters' medians are at
   least ``split_min_separation_m`` apart with an empty-ish valley between them and
   each holds at least ``split_min_share`` of the tracks. A continuous stretch of
   split bins at least ``split_min_length_m`` long is a branch: every track is
   assigned to one side, the side with more tracks stays the main line (refit on its
   tracks alone) and the other becomes a :class:`Branch` from the point where its
   tracks leave the main line to the point where they rejoin it.

All geometry is in the caller's metric CRS (EPSG:32644, UTM 44N, for Kailash); use
:func:`project_tracks` to get there from lon/lat. Offsets are positive to the left
of the direction of travel (start -> end).

Where the code is: the values and :func:`consensus_centreline` here; the track handling
(:class:`TrackXY`, steps 1-2, :func:`distance_stats`, :func:`track_positions`) in
:mod:`geodata.tracks`, re-exported here; the binning, branch runs and refinement
passes in :mod:`geodata.build._consensus_steps`.
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from shapely.geometry import LineString
from tqdm import tqdm

from geodata.build._consensus_steps import (
    _bin_median,
    _bins,
    _detect_runs,
    _gap_free,
    _initial_curve,
    _moving,
    _refine,
    _Run,
    _run_extent,
    _smooth_elevation,
    _trim,
)
from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex
from geodata.tracks import (
    FloatArray,
    TrackXY,
    _at,
    _cumlen,
    _fill_nan,
    _resample_xy,
    _resample_xyz,
    clean_track,
    distance_stats,
    project_tracks,
    resample_track,
    track_positions,
)

__all__ = [
    "TrackXY",
    "Branch",
    "CentrelineFit",
    "ConsensusParameters",
    "Centreline",
    "project_tracks",
    "clean_track",
    "resample_track",
    "consensus_centreline",
    "distance_stats",
    "track_positions",
]


_log = logging.getLogger(__name__)
_PROGRESS_MIN_TRACKS = 100  # fewer tracks run in well under a second: no bar


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Branch:
    """An alternative way between two points of the main line (e.g. the other bank).

    Attributes
    ----------
    geometry
        3-D LineString (x, y, elevation_m) from the main line at ``from_m`` to the main
        line at ``to_m``.
    share_of_tracks
        Share of the tracks through this stretch that walk the branch (0-1).
    from_m, to_m
        Along-main-line distances of the two junctions, metres.
    side
        ``"left"`` or ``"right"`` of the main line, looking from start to end.
    n_tracks
        Number of tracks that walk the branch.
    """

    geometry: LineString
    share_of_tracks: float
    from_m: float
    to_m: float
    side: str
    n_tracks: int


@dataclass(frozen=True)
class CentrelineFit:
    """How well a centreline describes its tracks.

    Distances are from every cleaned, resampled, trimmed track point to the main line
    (``*_with_branches_m``: to the nearest of the main line and its branches).
    """

    median_distance_m: float
    p95_distance_m: float
    median_distance_with_branches_m: float
    p95_distance_with_branches_m: float
    n_tracks: int
    n_points: int
    length_m: float
    iterations: int
    converged: bool
    start_offset_m: float
    end_offset_m: float

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        return asdict(self)


@dataclass(frozen=True)
class ConsensusParameters:
    """Every parameter of :func:`consensus_centreline` (see there)."""

    start_xy: tuple[float, float]
    end_xy: tuple[float, float]
    spacing_m: float = 10.0
    bin_m: float = 10.0
    corridor_m: float = 100.0
    endpoint_radius_m: float = 300.0
    max_speed_kmh: float = 12.0
    speed_window_s: float = 60.0
    stop_radius_m: float = 15.0
    stop_window_s: float = 120.0
    max_gap_m: float = 200.0
    smooth_bins: int = 1
    max_iter: int = 20
    tol_m: float = 0.5
    branch_corridor_m: float = 250.0
    split_min_separation_m: float = 60.0
    split_min_share: float = 0.15
    split_min_length_m: float = 500.0
    join_tolerance_m: float = 15.0

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (JSON-ready)."""
        d = asdict(self)
        d["start_xy"] = list(self.start_xy)
        d["end_xy"] = list(self.end_xy)
        return d


@dataclass(frozen=True)
class Centreline:
    """Result of :func:`consensus_centreline` (metric CRS).

    Attributes
    ----------
    geometry
        Main line, 3-D LineString (x, y, elevation_m), from start to end, vertices
        every ``parameters.spacing_m``. Elevation is the smoothed per-bin median of
        the tracks' GPS elevations.
    branches
        Alternative ways (e.g. the other bank), each joining the main line at both ends.
    fit
        Distances from the track points, counts, length.
    parameters
        The parameters used.
    """

    geometry: LineString
    branches: tuple[Branch, ...]
    fit: CentrelineFit
    parameters: ConsensusParameters


# -------------------------------------------------------------------- main entry


def consensus_centreline(
    tracks: Sequence[TrackXY],
    *,
    start_xy: tuple[float, float],
    end_xy: tuple[float, float],
    spacing_m: float = 10.0,
    bin_m: float = 10.0,
    corridor_m: float = 100.0,
    endpoint_radius_m: float = 300.0,
    max_speed_kmh: float = 12.0,
    speed_window_s: float = 60.0,
    stop_radius_m: float = 15.0,
    stop_window_s: float = 120.0,
    max_gap_m: float = 200.0,
    smooth_bins: int = 1,
    max_iter: int = 20,
    tol_m: float = 0.5,
    branch_corridor_m: float = 250.0,
    split_min_separation_m: float = 60.0,
    split_min_share: float = 0.15,
    split_min_length_m: float = 500.0,
    join_tolerance_m: float = 15.0,
    progress: bool | None = None,
) -> Centreline:
    """Consensus centreline (principal curve) of GPS tracks along one trail.

    See the module docstring for the method.

    Parameters
    ----------
    tracks
        Raw tracks in a metric CRS (see :func:`project_tracks`).
    start_xy, end_xy
        The trail's two ends (e.g. gazetteer points, projected). Each track is cut at
        its closest approach to them, if within ``endpoint_radius_m``; the line begins
        and ends at the median of those closest points.
    spacing_m
        Track resampling step and vertex spacing of the output lines.
    bin_m
        Along-line bin length for the per-bin medians.
    corridor_m
        Only points this close to the current curve pull on it.
    endpoint_radius_m
        See ``start_xy``.
    max_speed_kmh, speed_window_s, stop_radius_m, stop_window_s
        Cleaning, see :func:`clean_track`.
    max_gap_m
        Resampling never bridges a step longer than this.
    smooth_bins
        Half-width, in bins, of the moving average applied to the per-bin positions
        (0: none; 1 keeps sharp corners within a few metres).
    max_iter, tol_m
        Refinement stops after ``max_iter`` rounds or when no bin moved more than
        ``tol_m``.
    branch_corridor_m
        Points this close to the main line are examined for splits.
    split_min_separation_m, split_min_share, split_min_length_m
        A split needs two clusters of tracks at least this far apart, each with at
        least this share of the tracks, over at least this length of trail.
    join_tolerance_m
        A branch starts/ends where its tracks come within this of the main tracks.
    progress
        Show a progress bar over tracks on stderr; None shows it for many tracks on
        a terminal.

    Returns
    -------
    Centreline

    Raises
    ------
    InvalidInput
        On a bad parameter, or when no complete track runs from start to end.
    """
    p = ConsensusParameters(
        start_xy=(float(start_xy[0]), float(start_xy[1])),
        end_xy=(float(end_xy[0]), float(end_xy[1])),
        spacing_m=spacing_m,
        bin_m=bin_m,
        corridor_m=corridor_m,
        endpoint_radius_m=endpoint_radius_m,
        max_speed_kmh=max_speed_kmh,
        speed_window_s=speed_window_s,
        stop_radius_m=stop_radius_m,
        stop_window_s=stop_window_s,
        max_gap_m=max_gap_m,
        smooth_bins=smooth_bins,
        max_iter=max_iter,
        tol_m=tol_m,
        branch_corridor_m=branch_corridor_m,
        split_min_separation_m=split_min_separation_m,
        split_min_share=split_min_share,
        split_min_length_m=split_min_length_m,
        join_tolerance_m=join_tolerance_m,
    )
    _check_parameters(p)
    start = np.array(p.start_xy)
    end = np.array(p.end_xy)

    # 1-2. clean, resample, trim
    fits, complete, head, tail = _prepare(tracks, p, progress)
    xy = np.vstack([f.xy for f in fits])
    tix = np.repeat(np.arange(len(fits)), [len(f) for f in fits])
    ele = np.concatenate([f.ele_m for f in fits])

    # 3. initial curve, anchored at the data's ends
    curve = _resample_xy(np.vstack([head, _initial_curve(fits, complete)[1:-1], tail]), p.spacing_m)

    # 4-5. refine; detect splits; refine the main line on its own tracks; repeat once
    runs: list[_Run] = []
    excluded = np.zeros(xy.shape[0], dtype=bool)
    bar = tqdm(
        desc="centreline: refine",
        unit="round",
        file=sys.stderr,
        leave=False,
        disable=not _show_progress(tracks, progress),
    )
    iterations = 0
    converged = False
    for _round in range(3):
        curve, it, converged = _refine(curve, xy, tix, excluded, head, tail, p, bar)
        iterations += it
        index = LineIndex(curve)
        s, off, dist = index.locate(xy, max_distance_m=p.branch_corridor_m)
        nb, bw, bins = _bins(s, index.length_m, p.bin_m)
        new_runs = _detect_runs(bins, off, dist, tix, nb, bw, len(fits), p)
        if [(r.b0, r.b1, r.branch_tracks) for r in new_runs] == [
            (r.b0, r.b1, r.branch_tracks) for r in runs
        ]:
            break
        runs = new_runs
        excluded = np.zeros(xy.shape[0], dtype=bool)
        for run in runs:
            lo, hi = _run_extent(run, bins, off, dist, tix, nb, bw, p)
            on_branch = np.isin(tix, np.fromiter(run.branch_tracks, dtype=np.intp))
            excluded |= on_branch & (bins >= lo) & (bins <= hi)
    bar.close()

    # elevation of the main line and the branches
    main_sel = (dist <= p.corridor_m) & ~excluded
    cum = _cumlen(curve)
    centres = (np.arange(nb) + 0.5) * bw
    z_bins = _smooth_elevation(_bin_median(bins, ele, main_sel, nb, tix)[0])
    z_main = np.interp(cum, centres, z_bins)
    geometry = LineString(np.column_stack([curve, z_main]))

    branches: list[Branch] = []
    for run in runs:
        lo, hi = _run_extent(run, bins, off, dist, tix, nb, bw, p)
        on_branch = np.isin(tix, np.fromiter(run.branch_tracks, dtype=np.intp))
        sel = on_branch & (dist <= p.branch_corridor_m)
        # branch vertices: per-bin median position of the branch's own tracks
        bxy = np.column_stack(
            [
                _moving(
                    _fill_nan(_bin_median(bins, xy[:, c], sel, nb, tix)[0][lo : hi + 1]),
                    p.smooth_bins,
                )
                for c in (0, 1)
            ]
        )
        s0, s1 = lo * bw, (hi + 1) * bw
        ends = _at(curve, cum, np.array([s0, s1]))
        z_mid = _smooth_elevation(_bin_median(bins, ele, sel, nb, tix)[0][lo : hi + 1])
        z_ends = np.interp([s0, s1], cum, z_main)
        bxyz = _resample_xyz(
            np.vstack([ends[:1], bxy, ends[1:]]),
            np.r_[z_ends[0], z_mid, z_ends[1]],
            p.spacing_m,
        )
        n_main = len(run.main_tracks)
        branches.append(
            Branch(
                geometry=LineString(bxyz),
                share_of_tracks=len(run.branch_tracks) / (len(run.branch_tracks) + n_main),
                from_m=float(s0),
                to_m=float(s1),
                side="left" if run.branch_side > 0 else "right",
                n_tracks=len(run.branch_tracks),
            )
        )

    med, p95 = distance_stats(fits, geometry)
    if branches:
        med_b, p95_b = distance_stats(fits, [geometry, *(b.geometry for b in branches)])
    else:
        med_b, p95_b = med, p95
    fit = CentrelineFit(
        median_distance_m=med,
        p95_distance_m=p95,
        median_distance_with_branches_m=med_b,
        p95_distance_with_branches_m=p95_b,
        n_tracks=len(fits),
        n_points=int(xy.shape[0]),
        length_m=float(cum[-1]),
        iterations=iterations,
        converged=converged,
        start_offset_m=float(np.hypot(*(curve[0] - start))),
        end_offset_m=float(np.hypot(*(curve[-1] - end))),
    )
    return Centreline(geometry=geometry, branches=tuple(branches), fit=fit, parameters=p)


def _prepare(
    tracks: Sequence[TrackXY], p: ConsensusParameters, progress: bool | None
) -> tuple[list[TrackXY], list[int], FloatArray, FloatArray]:
    """Clean, resample and trim every track; find the complete ones and the two ends."""
    start = np.array(p.start_xy)
    end = np.array(p.end_xy)
    fits: list[TrackXY] = []
    complete: list[int] = []
    heads: list[FloatArray] = []
    tails: list[FloatArray] = []
    bar = tqdm(
        tracks,
        desc="centreline: tracks",
        unit="track",
        file=sys.stderr,
        disable=not _show_progress(tracks, progress),
        leave=False,
    )
    for track in bar:
        r = resample_track(
            clean_track(
                track,
                max_speed_kmh=p.max_speed_kmh,
                speed_window_s=p.speed_window_s,
                stop_radius_m=p.stop_radius_m,
                stop_window_s=p.stop_window_s,
            ),
            p.spacing_m,
            max_gap_m=p.max_gap_m,
        )
        trimmed = _trim(r, start, end, p.endpoint_radius_m)
        if trimmed is None:
            continue
        f, at_start, at_end = trimmed
        if at_start:
            heads.append(f.xy[0])
        if at_end:
            tails.append(f.xy[-1])
        if at_start and at_end and _gap_free(f, p.spacing_m):
            complete.append(len(fits))
        fits.append(f)
    if not complete:
        raise InvalidInput(
            f"no track runs from start to end (within {p.endpoint_radius_m:g} m of both); "
            "check start_xy/end_xy and the CRS"
        )
    head = np.median(np.array(heads), axis=0)
    tail = np.median(np.array(tails), axis=0)
    return fits, complete, head, tail


def _show_progress(tracks: Sequence[TrackXY], progress: bool | None) -> bool:
    if progress is not None:
        return progress
    return len(tracks) >= _PROGRESS_MIN_TRACKS and sys.stderr.isatty()


def _check_parameters(p: ConsensusParameters) -> None:
    positive = (
        "spacing_m",
        "bin_m",
        "corridor_m",
        "endpoint_radius_m",
        "max_speed_kmh",
        "speed_window_s",
        "stop_window_s",
        "max_gap_m",
        "tol_m",
        "branch_corridor_m",
        "split_min_separation_m",
        "split_min_length_m",
        "join_tolerance_m",
    )
    for name in positive:
        value = getattr(p, name)
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise InvalidInput(f"{name} must be a positive number, got {value!r}")
    if not 0 <= p.stop_radius_m:
        raise InvalidInput(f"stop_radius_m must be >= 0, got {p.stop_radius_m!r}")
    if not 0 < p.split_min_share < 0.5:
        raise InvalidInput(f"split_min_share must be in (0, 0.5), got {p.split_min_share!r}")
    if p.smooth_bins < 0 or p.max_iter < 1:
        raise InvalidInput("smooth_bins must be >= 0 and max_iter >= 1")
    if p.bin_m < p.spacing_m:
        raise InvalidInput(f"bin_m ({p.bin_m:g}) must be >= spacing_m ({p.spacing_m:g})")
    if not (np.isfinite(p.start_xy).all() and np.isfinite(p.end_xy).all()):
        raise InvalidInput("start_xy and end_xy must be finite (x, y) pairs")
    if math.dist(p.start_xy, p.end_xy) <= 2 * p.endpoint_radius_m:
        raise InvalidInput("start_xy and end_xy are closer than 2 * endpoint_radius_m")
