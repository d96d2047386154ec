"""GPS tracks in a metric CRS: projecting, cleaning, resampling and placing them along a line.

The track handling of :mod:`geodata.build.consensus` (which re-exports these names): a
:class:`TrackXY` is one recorded walk, projected; :func:`clean_track` drops fixes a phone
invents; :func:`resample_track` spaces the fixes evenly; :func:`track_positions` and
:func:`distance_stats` place the fixes along a line (:class:`geodata.lineindex.LineIndex`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyproj
from shapely.geometry import LineString, MultiLineString

from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex

__all__ = [
    "FloatArray",
    "IntArray",
    "BoolArray",
    "TrackXY",
    "project_tracks",
    "clean_track",
    "resample_track",
    "distance_stats",
    "track_positions",
]


FloatArray = npt.NDArray[np.float64]

IntArray = npt.NDArray[np.intp]

BoolArray = npt.NDArray[np.bool_]

_EPS = 1e-9


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


def _fill_nan(values: FloatArray) -> FloatArray:
    ok = np.isfinite(values)
    if ok.all() or not ok.any():
        return values
    i = np.arange(values.size)
    return np.interp(i, i[ok], values[ok])
