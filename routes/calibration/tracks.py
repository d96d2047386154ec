"""GPS tracks along the calibrated stretch: inputs, the hold-out split, passage times.

1. **Split** by track id: a track is held out when ``sha256(f"{seed}:{track_id}")`` maps below
   ``holdout_fraction`` (:func:`split_tracks`).  A track's side never depends on the other
   tracks, so adding tracks does not reshuffle the old ones.
2. **Linear referencing.**  Every fix is projected onto the centreline.  Fixes beyond the ends
   get measures extrapolated along the end tangents (a walker still in town is at a negative
   measure, not at 0).  Fixes more than ``max_offset_m`` from the line (a visit to Chuku Gompa)
   are dropped; the time they take still counts, as the walker makes no progress meanwhile.
   A fix more than 50 m from the median of its 5-fix window is a GPS spike and takes that
   median; a running maximum makes progress monotone, so a backtrack or a side trip never moves
   the walker backwards.
3. **Arrival times.**  A walker *arrives* at measure ``m`` when the running maximum first
   reaches it (interpolated between fixes).  At a landmark the arrival point is 50 m before
   the landmark's measure: the landmark positions are good to +-30 m and walkers stop around
   them, so the exact measure would split a stop between two stretches at random.  Stops at a
   landmark thus count in the stretch that starts there.  A track that starts after a point or
   ends before it (by more than ``end_tolerance_m``) does not cover it.
4. **Moving time.**  Progress is resampled on a 60-s grid; a minute is *moving* when the walker
   advances at least ``moving_threshold_mps`` along the line.  Tracks sampled sparser than every
   30 s (median interval) cannot resolve stops; they count for total times only.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.ndimage import median_filter

from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex
from routes.calibrated import Calibration

__all__ = [
    "tracked_centreline",
    "ARRIVAL_BEFORE_M",
    "DEFAULT_SEED",
    "Passages",
    "Track",
    "arrival_moving_table",
    "arrival_table",
    "as_track",
    "centreline_coords",
    "check_landmarks",
    "landmark_groups",
    "landmark_pairs",
    "split_tracks",
    "track_passages",
    "tracks_from_frame",
]

DEFAULT_SEED = 0
"""Seed of the hold-out split used for the committed ``calibration.json``."""

FloatArray = npt.NDArray[np.float64]

MOVING_GRID_S = 60.0
MAX_DENSE_INTERVAL_S = 30.0
# A fix more than this along the line from the median of its 5 neighbours is a GPS spike.
_SPIKE_M = 50.0
# A walker has *arrived* at a landmark within this distance before it: the track-derived
# landmark positions are +-30 m and walkers stop around them, so passing the exact measure
# would split a stop between two stretches at random.
ARRIVAL_BEFORE_M = 50.0


@dataclass(frozen=True, eq=False)
class Track:
    """One GPS track, already projected to the region's metric CRS.

    Attributes
    ----------
    track_id
        Track id as a string (leading zeros kept).
    x, y
        Easting and northing in metres (EPSG:32644 for Kailash).
    t_s
        Time of each fix in seconds (any origin; only differences are used).
    ele_m
        Elevation of each fix in metres (phone GPS; not used by the fit, which takes elevations
        from the centreline).
    """

    track_id: str
    x: FloatArray
    y: FloatArray
    t_s: FloatArray
    ele_m: FloatArray


def as_track(obj: Any) -> Track:
    if isinstance(obj, Track):
        return obj

    def get(key: str) -> Any:
        return obj[key] if isinstance(obj, Mapping) else getattr(obj, key)

    has_t_s = "t_s" in obj if isinstance(obj, Mapping) else hasattr(obj, "t_s")
    time_key = "t_s" if has_t_s else "t"  # geodata.build.consensus.TrackXY calls it ``t``
    try:
        tid = get("track_id")
        arrays = [np.asarray(get(k), dtype=float) for k in ("x", "y", time_key, "ele_m")]
    except (KeyError, AttributeError, TypeError, ValueError) as exc:
        raise InvalidInput(
            f"a track must have track_id, x, y, t_s (or t), ele_m; got {type(obj).__name__}: {exc}"
        ) from exc
    if not isinstance(tid, str):
        raise InvalidInput(f"track_id must be a string (keep leading zeros), got {tid!r}")
    n = {a.shape for a in arrays}
    if len(n) != 1 or arrays[0].ndim != 1:
        raise InvalidInput(f"track {tid!r}: x, y, t_s, ele_m must be 1-D arrays of equal length")
    return Track(tid, *arrays)


def tracks_from_frame(frame: Any) -> list[Track]:
    """Split a long table of fixes into :class:`Track` objects.

    Parameters
    ----------
    frame
        pandas DataFrame with columns ``track_id`` (string), ``x``, ``y`` (metres), ``ele_m`` and
        either ``t_s`` (seconds) or ``time_utc`` (ISO 8601 / datetime).  Rows are kept in their
        order within each track (sorted by ``seq`` if present).

    Returns
    -------
    list of Track
        In order of first appearance of each track id.

    Raises
    ------
    InvalidInput
        If a required column is missing.
    """
    import pandas as pd

    need = {"track_id", "x", "y", "ele_m"}
    missing = sorted(need - set(frame.columns))
    if "t_s" not in frame.columns and "time_utc" not in frame.columns:
        missing.append("t_s or time_utc")
    if missing:
        raise InvalidInput(f"track table lacks columns: {', '.join(missing)}")
    df = frame
    if "t_s" not in df.columns:
        ts = pd.to_datetime(df["time_utc"], utc=True, format="ISO8601")
        df = df.assign(t_s=(ts - pd.Timestamp("2000-01-01", tz="UTC")).dt.total_seconds())
    if "seq" in df.columns:
        df = df.sort_values(["track_id", "seq"], kind="stable")
    out = []
    order = pd.unique(frame["track_id"])
    groups = dict(iter(df.groupby("track_id", sort=False)))
    for tid in order:
        g = groups[tid]
        out.append(
            Track(
                str(tid),
                g["x"].to_numpy(float),
                g["y"].to_numpy(float),
                g["t_s"].to_numpy(float),
                g["ele_m"].to_numpy(float),
            )
        )
    return out


def split_tracks(
    track_ids: Iterable[str], *, holdout_fraction: float = 0.2, seed: int = DEFAULT_SEED
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Deterministic train / hold-out split by track id.

    A track is held out when the first 8 bytes of ``sha256(f"{seed}:{track_id}")``, read as a
    fraction of 2**64, are below ``holdout_fraction``.  The result for one id does not depend on
    the other ids, so the expected (not exact) hold-out share is ``holdout_fraction``.

    Returns
    -------
    (train_ids, holdout_ids)
        Each in the order given.

    Raises
    ------
    InvalidInput
        If ``holdout_fraction`` is not in (0, 1).
    """
    if not (isinstance(holdout_fraction, int | float) and 0.0 < holdout_fraction < 1.0):
        raise InvalidInput(f"holdout_fraction={holdout_fraction!r} must be in (0, 1)")
    train: list[str] = []
    hold: list[str] = []
    for tid in track_ids:
        digest = hashlib.sha256(f"{seed}:{tid}".encode()).digest()
        u = int.from_bytes(digest[:8], "big") / 2.0**64
        (hold if u < holdout_fraction else train).append(tid)
    return tuple(train), tuple(hold)


@dataclass(frozen=True, eq=False)
class Passages:
    track_id: str
    t_s: FloatArray  # passage time at each query measure (NaN where not covered)
    moving_s: FloatArray  # cumulative moving time at each query measure
    dense: bool  # sampled densely enough to resolve stops


def track_passages(
    track: Track,
    index: LineIndex,
    query_m: FloatArray,
    *,
    max_offset_m: float,
    end_tolerance_m: float,
    moving_threshold_mps: float,
) -> Passages | str:
    """Arrival and cumulative moving times at ``query_m``, or why the track is unusable."""
    ok = np.isfinite(track.x) & np.isfinite(track.y) & np.isfinite(track.t_s)
    order = np.argsort(track.t_s[ok], kind="stable")
    x, y, t = track.x[ok][order], track.y[ok][order], track.t_s[ok][order]
    if len(t) < 2:
        return "fewer than 2 fixes with finite coordinates and time"
    m, off = index.locate_extended(x, y)
    near = off <= max_offset_m
    if near.sum() < 2:
        return f"fewer than 2 fixes within {max_offset_m:g} m of the centreline"
    m, t = m[near], t[near]
    if len(m) >= 5:  # Hampel-style: replace only fixes far from their 5-fix median
        med = median_filter(m, size=5, mode="nearest")
        m = np.where(np.abs(m - med) > _SPIKE_M, med, m)
    if m[-1] < m[0]:
        return "walks against the direction of the centreline"
    big_m = np.maximum.accumulate(m)

    i = np.searchsorted(big_m, query_m, side="left")
    lo = np.clip(i - 1, 0, len(t) - 1)
    hi = np.clip(i, 0, len(t) - 1)
    dm = big_m[hi] - big_m[lo]
    frac = np.where(dm > 0, (query_m - big_m[lo]) / np.where(dm > 0, dm, 1.0), 0.0)
    tq = t[lo] + frac * (t[hi] - t[lo])
    before = i == 0
    tq[before] = np.where(big_m[0] - query_m[before] <= end_tolerance_m, t[0], np.nan)
    after = i == len(t)
    tq[after] = np.where(query_m[after] - big_m[-1] <= end_tolerance_m, t[-1], np.nan)

    grid = np.arange(t[0], t[-1] + MOVING_GRID_S, MOVING_GRID_S)
    mg = np.interp(grid, t, big_m)
    moving = np.diff(mg) >= moving_threshold_mps * MOVING_GRID_S
    cum = np.r_[0.0, np.cumsum(moving * MOVING_GRID_S)]
    mq = np.interp(tq, grid, cum)  # NaN stays NaN
    dense = bool(np.median(np.diff(t)) <= MAX_DENSE_INTERVAL_S)
    return Passages(track.track_id, tq, mq, dense)


def check_landmarks(landmarks: Mapping[str, float], length_m: float) -> list[tuple[str, float]]:
    if not isinstance(landmarks, Mapping) or len(landmarks) < 2:
        raise InvalidInput("landmarks must map at least two place ids to measures in metres")
    problems = []
    for pid, m in landmarks.items():
        if isinstance(m, bool) or not isinstance(m, int | float) or not math.isfinite(m):
            problems.append(f"{pid}: measure {m!r} is not a finite number")
        elif not -1e-6 <= m <= length_m + 1e-6:
            problems.append(f"{pid}: measure {m!r} outside the centreline [0, {length_m:.1f}] m")
    if problems:
        raise InvalidInput("invalid landmark measures", details=problems)
    return sorted(((str(p), float(m)) for p, m in landmarks.items()), key=lambda pm: pm[1])


def centreline_coords(centreline: Any) -> FloatArray:
    try:
        coords = np.asarray(centreline.coords, dtype=float)
    except (AttributeError, TypeError, ValueError, NotImplementedError) as exc:
        raise InvalidInput(f"centreline must be a shapely LineString, got {centreline!r}") from exc
    if getattr(centreline, "geom_type", None) != "LineString" or len(coords) < 2:
        raise InvalidInput("centreline must be a non-empty LineString")
    if coords.shape[1] != 3:
        raise InvalidInput("centreline must carry elevations (z = elevation in metres)")
    if not np.isfinite(coords).all():
        raise InvalidInput("centreline has non-finite coordinates")
    return coords


def landmark_pairs(times: FloatArray) -> Iterator[tuple[FloatArray, int, int, int]]:
    """``(row, first, i, j)`` for every track (a row of landmark times, NaN where not
    reached) and every pair ``i < j`` of landmarks it reached, in order; ``first`` is the
    first landmark the track reached (where its "pace so far" starts)."""
    for row in times:
        ok = np.flatnonzero(np.isfinite(row))
        if len(ok) < 2:
            continue
        first = int(ok[0])
        for a, i in enumerate(ok[:-1]):
            for j in ok[a + 1 :]:
                yield row, first, int(i), int(j)


def landmark_groups(landmarks: Mapping[str, float]) -> list[tuple[str, float]]:
    marks = sorted(((str(p), float(m)) for p, m in landmarks.items()), key=lambda pm: pm[1])
    groups: list[tuple[str, float]] = []
    for pid, m in marks:
        if not groups or m - groups[-1][1] >= 1.0:
            groups.append((pid, m))
    return groups


def arrival_table(
    tracks: Iterable[Any], cal: Calibration, centreline: Any
) -> tuple[list[str], dict[str, float], np.ndarray, list[str], dict[str, str], LineIndex]:
    """Arrival times (tracks x landmarks) of the tracks at the calibration's landmarks."""
    ids, arrive, times, _moving, names, skipped, index = arrival_moving_table(
        tracks, cal, centreline
    )
    return ids, arrive, times, names, skipped, index


def arrival_moving_table(
    tracks: Iterable[Any], cal: Calibration, centreline: Any
) -> tuple[
    list[str], dict[str, float], np.ndarray, np.ndarray, list[str], dict[str, str], LineIndex
]:
    """As :func:`arrival_table`, with the cumulative moving time at each arrival (NaN rows
    for tracks sampled too sparsely to tell moving from stopped)."""
    params = cal.parameters
    landmarks = params["landmarks_m"]
    lo, hi = (float(landmarks[p]) for p in params["whole_stretch"])
    groups = [(p, m) for p, m in landmark_groups(landmarks) if lo <= m <= hi]
    ids = [p for p, _ in groups]
    arrive = {p: m - ARRIVAL_BEFORE_M for p, m in groups}
    index = LineIndex(centreline_coords(centreline), max_seg_m=10.0)
    query = np.array([arrive[p] for p in ids])
    rows, moving_rows, names, skipped = [], [], [], {}
    for obj in tracks:
        tr = as_track(obj)
        p = track_passages(
            tr,
            index,
            query,
            max_offset_m=float(params["max_offset_m"]),
            end_tolerance_m=float(params["end_tolerance_m"]),
            moving_threshold_mps=float(params["moving_threshold_mps"]),
        )
        if isinstance(p, str):
            skipped[tr.track_id] = p
            continue
        rows.append(p.t_s)
        moving_rows.append(p.moving_s if p.dense else np.full(len(ids), np.nan))
        names.append(tr.track_id)
    times = np.array(rows, dtype=float).reshape(len(rows), len(ids))
    moving = np.array(moving_rows, dtype=float).reshape(len(rows), len(ids))
    return ids, arrive, times, moving, names, skipped, index


def tracked_centreline(region: Any) -> Any:
    """The GPS-consensus centreline of ``region`` in its metric CRS, 3-D (x, y, elevation):
    the line the calibration and ``eval-eta`` measure along.

    It is the longest way of quality ``track_consensus`` (no variant): side paths drawn from
    the tracks (a street, a climb to a gompa) share that quality but are short.  A region
    without one has no calibration (:class:`InvalidInput`).
    """
    from pyproj import Transformer
    from shapely.geometry import LineString

    from geodata.i18n import msg

    trails = region.trails
    tracked = trails[(trails["quality"] == "track_consensus") & trails["variant"].isna()]
    if tracked.empty:
        raise InvalidInput(msg("cli.no_calibration", region=repr(region.region_id)))
    way = tracked.geometry.iloc[int(np.argmax([g.length for g in tracked.geometry]))]
    to_metric = Transformer.from_crs("EPSG:4326", region.metadata["metric_crs"], always_xy=True)
    c = np.asarray(way.coords)
    x, y = to_metric.transform(c[:, 0], c[:, 1])
    return LineString(np.column_stack([x, y, c[:, 2]]))
