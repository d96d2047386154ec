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
"""

from __future__ import annotations

import logging
import math
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
from scipy.ndimage import maximum_filter
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiLineString
from tqdm import tqdm

from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex

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

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

_EPS = 1e-9
_log = logging.getLogger(__name__)
_PROGRESS_MIN_TRACKS = 100  # fewer tracks run in well under a second: no bar


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, eq=False)
class TrackXY:
    """One GPS track in a metric CRS; arrays are read-only float64 of equal length.

    Attributes
    ----------
    track_id
        Track identifier as in the source (text; leading zeros kept).
    x, y
        Projected coordinates, metres.
    t
        Time, seconds since 1970-01-01 UTC.
    ele_m
        GPS elevation, metres (NaN where unknown).
    """

    track_id: str
    x: FloatArray
    y: FloatArray
    t: FloatArray
    ele_m: FloatArray

    def __post_init__(self) -> None:
        n = None
        for name in ("x", "y", "t", "ele_m"):
            arr = np.array(getattr(self, name), dtype=np.float64)  # own copy
            if arr.ndim != 1:
                raise InvalidInput(f"TrackXY {self.track_id!r}: {name} must be 1-D")
            if n is None:
                n = arr.size
            elif arr.size != n:
                raise InvalidInput(f"TrackXY {self.track_id!r}: x, y, t, ele_m differ in length")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)

    def __len__(self) -> int:
        return int(self.x.size)

    @property
    def xy(self) -> FloatArray:
        """Coordinates as an ``(n, 2)`` array."""
        return np.column_stack([self.x, self.y])

    def _take(self, index: IntArray | BoolArray | slice) -> TrackXY:
        return TrackXY(
            self.track_id, self.x[index], self.y[index], self.t[index], self.ele_m[index]
        )


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


# ------------------------------------------------------------------ track handling


def project_tracks(df: pd.DataFrame, crs: str = "EPSG:32644") -> list[TrackXY]:
    """Split a track-point table into tracks and project them to a metric CRS.

    Parameters
    ----------
    df
        Table as returned by :func:`geodata.raw.read_tracks`: ``track_id``,
        ``time_utc`` (datetimes, or ISO 8601 text), ``lon``, ``lat``, ``ele_m``, and
        optionally ``seq`` (order within a track; otherwise the time order is used).
    crs
        Target CRS, anything pyproj accepts.

    Returns
    -------
    list of TrackXY
        One per track, ordered by ``track_id``; points in ``seq`` (or time) order.

    Raises
    ------
    InvalidInput
        If a column is missing or a time is missing.
    """
    missing = [c for c in ("track_id", "time_utc", "lon", "lat", "ele_m") if c not in df.columns]
    if missing:
        raise InvalidInput(f"project_tracks: missing column(s) {missing}")
    if df.empty:
        return []
    order_cols = ["track_id", "seq"] if "seq" in df.columns else ["track_id", "time_utc"]
    d = df.sort_values(order_cols, kind="stable")
    times = pd.to_datetime(d["time_utc"], utc=True, format="ISO8601")
    if times.isna().any():
        raise InvalidInput("project_tracks: time_utc has missing or unparseable values")
    t = times.dt.as_unit("ns").astype("int64").to_numpy() / 1e9
    transformer = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = transformer.transform(d["lon"].to_numpy(np.float64), d["lat"].to_numpy(np.float64))
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    ele = pd.to_numeric(d["ele_m"], errors="coerce").to_numpy(np.float64)
    ids = d["track_id"].astype(str).to_numpy()
    cuts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    bounds = np.r_[0, cuts, ids.size]
    return [
        TrackXY(str(ids[a]), x[a:b], y[a:b], t[a:b], ele[a:b])
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]


def clean_track(
    track: TrackXY,
    *,
    max_speed_kmh: float = 12.0,
    speed_window_s: float = 60.0,
    stop_radius_m: float = 15.0,
    stop_window_s: float = 120.0,
) -> TrackXY:
    """Drop GPS jumps and vehicle rides, collapse stops.

    Parameters
    ----------
    track
        Raw track (any order; it is sorted by time, repeated times dropped).
    max_speed_kmh
        A point is dropped when the straight-line speed to the point about
        ``speed_window_s`` before it *and* to the one about ``speed_window_s`` after it
        both exceed this (a jump away and back, or a ride), and again with a window a
        third as long (which trims the ends of a ride). Measuring over a window rather
        than between neighbours keeps GPS jitter from looking fast.
    speed_window_s
        See ``max_speed_kmh``.
    stop_radius_m, stop_window_s
        A point is part of a stop when the track stays within ``stop_radius_m`` of it
        from ``stop_window_s / 2`` before to ``stop_window_s / 2`` after it. Each run of
        stop points becomes one point at its mean position and time.

    Returns
    -------
    TrackXY
        The cleaned track, in time order. Elevations <= 0 (a common "no fix" value)
        become NaN.
    """
    ok = np.isfinite(track.x) & np.isfinite(track.y) & np.isfinite(track.t)
    order = np.flatnonzero(ok)[np.argsort(track.t[ok], kind="stable")]
    x, y, t, e = track.x[order], track.y[order], track.t[order], track.ele_m[order].copy()
    keep = np.r_[True, np.diff(t) > 0] if t.size else np.ones(0, dtype=bool)
    x, y, t, e = x[keep], y[keep], t[keep], e[keep]
    e[~(e > 0)] = np.nan

    vmax = max_speed_kmh / 3.6
    # the long window sees through GPS jitter; the short one trims the ends of a ride,
    # where the long window still averages in the slow walking before or after it
    for window in (speed_window_s, speed_window_s / 3.0):
        n = t.size
        if n < 3:
            break
        i = np.arange(n)
        j = np.minimum(np.maximum(np.searchsorted(t, t + window, "left"), i + 1), n - 1)
        k = np.maximum(np.minimum(np.searchsorted(t, t - window, "right") - 1, i - 1), 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            v_out = np.hypot(x[j] - x, y[j] - y) / (t[j] - t)
            v_in = np.hypot(x - x[k], y - y[k]) / (t - t[k])
        v_out[j == i] = np.inf  # last point: judged by its incoming speed alone
        v_in[k == i] = np.inf
        bad = (v_out > vmax) & (v_in > vmax)
        x, y, t, e = x[~bad], y[~bad], t[~bad], e[~bad]

    n = t.size
    if n >= 3:
        half = stop_window_s / 2.0
        a = np.searchsorted(t, t - half, "left")
        b = np.searchsorted(t, t + half, "right") - 1
        stopped = (
            (t[b] - t[a] >= half)
            & (np.hypot(x[a] - x, y[a] - y) <= stop_radius_m)
            & (np.hypot(x[b] - x, y[b] - y) <= stop_radius_m)
        )
        if stopped.any():
            run_start = stopped & ~np.r_[False, stopped[:-1]]
            group = np.cumsum(~stopped | run_start) - 1
            count = np.bincount(group).astype(np.float64)
            x = np.bincount(group, weights=x) / count
            y = np.bincount(group, weights=y) / count
            t = np.bincount(group, weights=t) / count
            fin = np.isfinite(e)
            n_e = np.bincount(group, weights=fin.astype(np.float64))
            with np.errstate(divide="ignore", invalid="ignore"):
                e = np.bincount(group, weights=np.where(fin, e, 0.0)) / n_e
    return TrackXY(track.track_id, x, y, t, e)


def resample_track(track: TrackXY, spacing_m: float = 10.0, *, max_gap_m: float = 200.0) -> TrackXY:
    """Resample a track at equal distances along its path.

    Parameters
    ----------
    track
        Track in path order.
    spacing_m
        Distance between output points, metres.
    max_gap_m
        A step longer than this (signal lost, a jump that survived cleaning) splits
        the track; nothing is interpolated across it.

    Returns
    -------
    TrackXY
        Points every ``spacing_m`` along each piece (plus each piece's last point);
        time and elevation are interpolated by distance.
    """
    if spacing_m <= 0:
        raise InvalidInput(f"spacing_m must be > 0, got {spacing_m!r}")
    if len(track) < 2:
        return track
    x, y, t, e = track.x, track.y, track.t, track.ele_m
    step = np.hypot(np.diff(x), np.diff(y))
    keep = np.r_[True, step > 0]  # zero steps would repeat a distance
    x, y, t, e = x[keep], y[keep], t[keep], e[keep]
    step = np.hypot(np.diff(x), np.diff(y))
    breaks = np.flatnonzero(step > max_gap_m) + 1
    parts: list[tuple[FloatArray, ...]] = []
    for lo, hi in zip(np.r_[0, breaks], np.r_[breaks, x.size], strict=True):
        if hi - lo < 2:
            continue
        cum = np.r_[0.0, np.cumsum(step[lo : hi - 1])]
        s = np.arange(0.0, cum[-1], spacing_m)
        if cum[-1] - s[-1] > 1e-6:
            s = np.r_[s, cum[-1]]
        fin = np.isfinite(e[lo:hi])
        ee = np.interp(s, cum[fin], e[lo:hi][fin]) if fin.any() else np.full(s.size, np.nan)
        parts.append(
            (
                np.interp(s, cum, x[lo:hi]),
                np.interp(s, cum, y[lo:hi]),
                np.interp(s, cum, t[lo:hi]),
                ee,
            )
        )
    if not parts:
        return track._take(slice(0, 0))
    cols = [np.concatenate([p[c] for p in parts]) for c in range(4)]
    return TrackXY(track.track_id, *cols)


# ------------------------------------------------------------ linear referencing


def _cumlen(xy: FloatArray) -> FloatArray:
    out = np.zeros(xy.shape[0])
    np.cumsum(np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1])), out=out[1:])
    return out


def _dedupe(xy: FloatArray) -> FloatArray:
    keep = np.r_[True, np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1])) > 1e-6]
    return xy[keep]


def _at(xy: FloatArray, cum: FloatArray, s: FloatArray) -> FloatArray:
    return np.column_stack([np.interp(s, cum, xy[:, 0]), np.interp(s, cum, xy[:, 1])])


def _resample_xy(xy: FloatArray, spacing_m: float) -> FloatArray:
    xy = _dedupe(xy)
    cum = _cumlen(xy)
    n = max(2, int(math.ceil(cum[-1] / spacing_m)) + 1)
    return _at(xy, cum, np.linspace(0.0, cum[-1], n))


def _resample_xyz(xy: FloatArray, z: FloatArray, spacing_m: float) -> FloatArray:
    keep = np.r_[True, np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1])) > 1e-6]
    xy, z = xy[keep], _fill_nan(z[keep])
    cum = _cumlen(xy)
    s = np.linspace(0.0, cum[-1], max(2, int(math.ceil(cum[-1] / spacing_m)) + 1))
    return np.column_stack([_at(xy, cum, s), np.interp(s, cum, z)])


def _line_parts(line: LineString | MultiLineString | Iterable[LineString]) -> list[FloatArray]:
    if isinstance(line, LineString):
        geoms: list[LineString] = [line]
    elif isinstance(line, MultiLineString):
        geoms = list(line.geoms)
    else:
        geoms = list(line)
    parts = [np.asarray(g.coords, dtype=np.float64)[:, :2] for g in geoms if not g.is_empty]
    if not parts:
        raise InvalidInput("the line is empty")
    return parts


def distance_stats(
    tracks: Sequence[TrackXY], line: LineString | MultiLineString | Iterable[LineString]
) -> tuple[float, float]:
    """Median and 95th-percentile distance from all track points to a line.

    Parameters
    ----------
    tracks
        Tracks in the line's CRS; every finite point counts.
    line
        A LineString, a MultiLineString or several LineStrings (distance to the
        nearest).

    Returns
    -------
    tuple of float
        ``(median_m, p95_m)``; NaN, NaN when there are no points.

    Raises
    ------
    InvalidInput
        If the line is empty.
    """
    parts = _line_parts(line)
    xy = np.vstack([tr.xy for tr in tracks]) if tracks else np.empty((0, 2))
    xy = xy[np.isfinite(xy).all(axis=1)]
    if xy.shape[0] == 0:
        return math.nan, math.nan
    dist = np.full(xy.shape[0], np.inf)
    for part in parts:
        dist = np.minimum(dist, LineIndex(part).locate(xy)[2])
    return float(np.median(dist)), float(np.percentile(dist, 95))


def _isotonic(y: FloatArray) -> FloatArray:
    """Least-squares non-decreasing fit (pool adjacent violators)."""
    try:
        from scipy.optimize import isotonic_regression  # scipy >= 1.12
    except ImportError:  # pragma: no cover - older scipy
        values: list[float] = []
        weights: list[int] = []
        for v in y.tolist():
            values.append(v)
            weights.append(1)
            while len(values) > 1 and values[-2] > values[-1]:
                w = weights[-2] + weights[-1]
                values[-2] = (values[-2] * weights[-2] + values[-1] * weights[-1]) / w
                weights[-2] = w
                values.pop()
                weights.pop()
        return np.repeat(np.array(values), weights)
    return np.asarray(isotonic_regression(y).x, dtype=np.float64)


def track_positions(track: TrackXY, line: LineString, *, max_offset_m: float = 50.0) -> FloatArray:
    """Along-line distance of each point of a track, made non-decreasing.

    Parameters
    ----------
    track
        A track in the line's CRS, in walking order (raw or cleaned).
    line
        The line, e.g. ``Centreline.geometry``; walking is assumed to go from its
        first vertex to its last.
    max_offset_m
        Points farther than this from the line (side trips, the other bank, jumps)
        get NaN.

    Returns
    -------
    numpy.ndarray
        One float64 per point of ``track``: metres along ``line`` (2-D length), NaN
        for points off the line. The finite values are a least-squares
        non-decreasing fit (isotonic regression) to the projected measures, so GPS
        noise and short back-steps cannot make a walker go backwards; a walker's
        passing time at measure ``m`` is then ``np.interp(m, measures[ok], track.t[ok])``.

    Raises
    ------
    InvalidInput
        If the line is empty or ``max_offset_m`` is not positive.
    """
    if not max_offset_m > 0:
        raise InvalidInput(f"max_offset_m must be > 0, got {max_offset_m!r}")
    (part,) = _line_parts(line)
    out = np.full(len(track), np.nan)
    if len(track) == 0:
        return out
    s, _, dist = LineIndex(part).locate(track.xy, max_distance_m=max_offset_m)
    ok = np.flatnonzero(dist <= max_offset_m)
    if ok.size:
        out[ok] = _isotonic(s[ok])
    return out


# ----------------------------------------------------------------- binned helpers


def _sorted_median(keys: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray, IntArray]:
    """Median of ``values`` per distinct key: (keys, medians, counts)."""
    order = np.lexsort((values, keys))
    k, v = keys[order], values[order]
    uniq, start, count = np.unique(k, return_index=True, return_counts=True)
    med = 0.5 * (v[start + (count - 1) // 2] + v[start + count // 2])
    return uniq, med, count


def _bin_median(
    bins: IntArray, values: FloatArray, mask: BoolArray, nb: int, tracks: IntArray
) -> tuple[FloatArray, IntArray]:
    """Per-bin median over tracks of each track's median of ``values[mask]`` in the bin.

    One vote per track and bin: a track that lingers, or a side path that runs
    across the line (all of whose points project into one bin), cannot outvote the
    tracks that walk through. Returns the medians (NaN where empty) and the number
    of voting tracks per bin.
    """
    m = mask & np.isfinite(values)
    if not m.any():
        return np.full(nb, np.nan), np.zeros(nb, dtype=np.intp)
    n_tracks = int(tracks.max()) + 1
    keys, track_med, _ = _sorted_median(bins[m].astype(np.int64) * n_tracks + tracks[m], values[m])
    b_uniq, b_med, b_count = _sorted_median((keys // n_tracks).astype(np.intp), track_med)
    med = np.full(nb, np.nan)
    count = np.zeros(nb, dtype=np.intp)
    med[b_uniq] = b_med
    count[b_uniq] = b_count
    return med, count


def _fill_nan(values: FloatArray) -> FloatArray:
    ok = np.isfinite(values)
    if ok.all() or not ok.any():
        return values
    i = np.arange(values.size)
    return np.interp(i, i[ok], values[ok])


def _moving(values: FloatArray, half: int, how: str = "mean") -> FloatArray:
    if half <= 0 or values.size < 2:
        return values
    pad = np.pad(values, half, mode="edge")
    win = np.lib.stride_tricks.sliding_window_view(pad, 2 * half + 1)
    return np.median(win, axis=1) if how == "median" else win.mean(axis=1)


@dataclass(frozen=True)
class _Run:
    """A detected split: bins ``b0..b1`` (inclusive) and the tracks on each side."""

    b0: int
    b1: int
    branch_tracks: frozenset[int]
    main_tracks: frozenset[int]
    branch_side: int  # +1 left, -1 right


def _two_means(v: FloatArray) -> int:
    """Split index k of sorted ``v`` maximising between-class variance (v[:k] | v[k:])."""
    n = v.size
    c = np.cumsum(v)
    k = np.arange(1, n)
    m1 = c[:-1] / k
    m2 = (c[-1] - c[:-1]) / (n - k)
    return int(k[np.argmax(k * (n - k) * (m1 - m2) ** 2)])


def _detect_runs(
    bins: IntArray,
    off: FloatArray,
    dist: FloatArray,
    tix: IntArray,
    nb: int,
    bw: float,
    n_tracks: int,
    p: ConsensusParameters,
) -> list[_Run]:
    sel = dist <= p.branch_corridor_m
    key = bins[sel].astype(np.int64) * n_tracks + tix[sel]
    uniq, inv = np.unique(key, return_inverse=True)
    mean_off = np.bincount(inv, weights=off[sel]) / np.bincount(inv)
    tb = (uniq // n_tracks).astype(np.intp)
    tt = (uniq % n_tracks).astype(np.intp)
    order = np.lexsort((mean_off, tb))
    tb, tt, mean_off = tb[order], tt[order], mean_off[order]
    count = np.bincount(tb, minlength=nb)
    start = np.r_[0, np.cumsum(count)[:-1]]
    min_tracks = max(5, int(math.ceil(2 / max(p.split_min_share, _EPS))))

    split = np.zeros(nb, dtype=bool)
    threshold = np.full(nb, np.nan)
    for b in np.flatnonzero(count >= min_tracks):
        v = mean_off[start[b] : start[b] + count[b]]
        k = _two_means(v)
        n = v.size
        m1, m2 = float(np.median(v[:k])), float(np.median(v[k:]))
        sep = m2 - m1
        if sep < p.split_min_separation_m or min(k, n - k) / n < p.split_min_share:
            continue
        in_valley = np.count_nonzero((v > m1 + 0.25 * sep) & (v < m2 - 0.25 * sep))
        if in_valley / n > 0.1:
            continue
        split[b] = True
        threshold[b] = 0.5 * (m1 + m2)

    # close gaps of a few bins, then keep long runs
    gap = max(1, int(round(60.0 / bw)))
    flagged = np.flatnonzero(split)
    runs: list[_Run] = []
    if flagged.size == 0:
        return runs
    groups = np.split(flagged, np.flatnonzero(np.diff(flagged) > gap + 1) + 1)
    for g in groups:
        b0, b1 = int(g[0]), int(g[-1])
        if (b1 - b0 + 1) * bw < p.split_min_length_m:
            continue
        in_run = split[tb] & (tb >= b0) & (tb <= b1)
        left = mean_off[in_run] > threshold[tb[in_run]]
        votes = np.bincount(tt[in_run], minlength=n_tracks)
        left_votes = np.bincount(tt[in_run], weights=left.astype(np.float64), minlength=n_tracks)
        present = votes >= 0.5 * g.size
        is_left = present & (left_votes > 0.5 * votes)
        is_right = present & ~is_left
        n_left, n_right = int(is_left.sum()), int(is_right.sum())
        if min(n_left, n_right) / max(n_left + n_right, 1) < p.split_min_share:
            continue
        branch_left = n_left < n_right
        branch = np.flatnonzero(is_left if branch_left else is_right)
        main = np.flatnonzero(is_right if branch_left else is_left)
        runs.append(
            _Run(
                b0,
                b1,
                frozenset(branch.tolist()),
                frozenset(main.tolist()),
                1 if branch_left else -1,
            )
        )
    return runs


def _run_extent(
    run: _Run,
    bins: IntArray,
    off: FloatArray,
    dist: FloatArray,
    tix: IntArray,
    nb: int,
    bw: float,
    p: ConsensusParameters,
) -> tuple[int, int]:
    """Extend a run to where its branch tracks rejoin the main tracks: first, last bin."""
    sel = dist <= p.branch_corridor_m
    on_branch = np.isin(tix, np.fromiter(run.branch_tracks, dtype=np.intp))
    on_main = np.isin(tix, np.fromiter(run.main_tracks, dtype=np.intp))
    b_off, _ = _bin_median(bins, off, sel & on_branch, nb, tix)
    m_off, _ = _bin_median(bins, off, sel & on_main, nb, tix)
    diff = np.abs(b_off - m_off)
    max_ext = int(math.ceil(1000.0 / bw))
    lo = run.b0
    while lo > 0 and run.b0 - lo < max_ext and not diff[lo - 1] <= p.join_tolerance_m:
        lo -= 1
    hi = run.b1
    while hi < nb - 1 and hi - run.b1 < max_ext and not diff[hi + 1] <= p.join_tolerance_m:
        hi += 1
    return lo, hi


# -------------------------------------------------------------------- main entry


def _initial_curve(fits: list[TrackXY], complete: list[int], cell_m: float = 25.0) -> FloatArray:
    """Medoid-like starting curve: the complete track through the busiest cells."""
    xy = np.vstack([f.xy for f in fits])
    x0, y0 = xy.min(axis=0)
    span = xy.max(axis=0) - xy.min(axis=0)
    while np.prod(span / cell_m + 2) > 4e6:  # keep the grid small on huge extents
        cell_m *= 2
    shape = tuple((span // cell_m).astype(np.intp) + 1)
    grid = np.zeros(shape, dtype=np.float64)
    cells = []
    for f in fits:
        ij = ((f.xy - (x0, y0)) // cell_m).astype(np.intp)
        cells.append(ij)
        u = np.unique(ij[:, 0] * shape[1] + ij[:, 1])
        np.add.at(grid.reshape(-1), u, 1.0)
    grid = maximum_filter(grid, size=3, mode="constant")  # tolerate jitter across cell edges
    # share of tracks through each point's cells, capped so that being on a busy strand
    # cannot outweigh an excursion elsewhere
    cap = 0.6 * len(fits)
    scores = [float(np.minimum(grid[cells[i][:, 0], cells[i][:, 1]], cap).mean()) for i in complete]
    best = fits[complete[int(np.argmax(scores))]].xy
    return _cut_loops(best, radius_m=20.0)


def _cut_loops(xy: FloatArray, radius_m: float) -> FloatArray:
    """Skip every excursion that comes back within ``radius_m`` of where it left."""
    n = xy.shape[0]
    if n < 3:
        return xy
    tree = cKDTree(xy)
    far = np.array([max(nb) for nb in tree.query_ball_point(xy, radius_m)], dtype=np.intp)
    keep = [0]
    i = 0
    while i < n - 1:
        i = int(far[i]) if far[i] > i + 1 else i + 1
        keep.append(i)
    out: FloatArray = xy[np.array(keep)]
    return out


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


def _trim(
    track: TrackXY, start: FloatArray, end: FloatArray, radius_m: float
) -> tuple[TrackXY, bool, bool] | None:
    """Cut a resampled track at its closest approaches to start and end."""
    if len(track) < 2:
        return None
    xy = track.xy
    d_start = np.hypot(*(xy - start).T)
    d_end = np.hypot(*(xy - end).T)
    i_s, i_e = int(np.argmin(d_start)), int(np.argmin(d_end))
    at_start, at_end = bool(d_start[i_s] <= radius_m), bool(d_end[i_e] <= radius_m)
    if at_start and at_end and i_e < i_s:  # walked the other way round
        track = track._take(slice(None, None, -1))
        d_start, d_end = d_start[::-1], d_end[::-1]
        i_s = int(np.argmin(d_start))
    lo = i_s if at_start else 0
    hi = lo + int(np.argmin(d_end[lo:])) if at_end else len(track) - 1
    if hi - lo < 1:
        return None
    return track._take(slice(lo, hi + 1)), at_start, at_end


def _gap_free(track: TrackXY, spacing_m: float) -> bool:
    step = np.hypot(np.diff(track.x), np.diff(track.y))
    return bool(step.size == 0 or step.max() <= 2.0 * spacing_m)


def _bins(s: FloatArray, length_m: float, bin_m: float) -> tuple[int, float, IntArray]:
    nb = max(1, int(round(length_m / bin_m)))
    bw = length_m / nb
    b = np.clip(np.floor(np.nan_to_num(s, nan=0.0) / bw), 0, nb - 1).astype(np.intp)
    return nb, bw, b


def _refine(
    curve: FloatArray,
    xy: FloatArray,
    tix: IntArray,
    excluded: BoolArray,
    head: FloatArray,
    tail: FloatArray,
    p: ConsensusParameters,
    bar: tqdm[Any] | None = None,
) -> tuple[FloatArray, int, bool]:
    """Principal-curve iterations; returns the curve, the rounds run, convergence.

    Each round moves every bin's curve point to the median position of the tracks
    projected into the bin (each track votes once per bin with its own median).
    Positions rather than offsets along normals: at a sharp corner normals are
    ill-defined, positions are not.
    """
    min_count = 3
    for it in range(1, p.max_iter + 1):
        index = LineIndex(curve)
        s, _, dist = index.locate(xy, max_distance_m=p.corridor_m)
        nb, bw, bins = _bins(s, index.length_m, p.bin_m)
        sel = (dist <= p.corridor_m) & ~excluded
        mx, count = _bin_median(bins, xy[:, 0], sel, nb, tix)
        my, _ = _bin_median(bins, xy[:, 1], sel, nb, tix)
        thin = count < min_count
        if thin.all():
            raise InvalidInput(f"no track points within corridor_m={p.corridor_m:g} of the curve")
        cum = _cumlen(curve)
        centres = (np.arange(nb, dtype=np.float64) + 0.5) * bw
        here = _at(curve, cum, centres)
        target = np.column_stack([mx, my])
        target[thin] = here[thin]  # no data: stay
        target = np.column_stack(
            [_moving(target[:, 0], p.smooth_bins), _moving(target[:, 1], p.smooth_bins)]
        )
        # a curve that crosses itself cannot be untangled by moving bins: cut the loop
        new = _resample_xy(
            _cut_loops(
                _resample_xy(np.vstack([head, target, tail]), p.spacing_m), 1.5 * p.spacing_m
            ),
            p.spacing_m,
        )
        shift = index.locate(new)[2]  # how far the curve moved
        curve = new
        _log.debug(
            "refine %d: moved max %.2f m, p95 %.2f m; length %.0f m",
            it,
            float(shift.max()),
            float(np.percentile(shift, 95)),
            _cumlen(curve)[-1],
        )
        if bar is not None:
            bar.update(1)
        if float(shift.max()) < p.tol_m:
            return curve, it, True
    return curve, p.max_iter, False


def _smooth_elevation(z: FloatArray) -> FloatArray:
    if not np.isfinite(z).any():
        return z
    return _moving(_moving(_fill_nan(z), 2, "median"), 2)
