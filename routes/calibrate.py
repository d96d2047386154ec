"""Fit the walking model to real GPS tracks and report its hold-out error.

:func:`calibrate` takes projected tracks, the consensus centreline (3-D, metric CRS) and the
measures of landmarks along it, and returns a :class:`Calibration`: the fitted
:class:`~routes.costs.WalkingModel`, the spread of walker paces, and a hold-out report.

Method
------
1. **Split** by track id: a track is held out when ``sha256(f"{seed}:{track_id}")`` maps below
   ``holdout_fraction``.  The split of a track never depends on the other tracks, so adding
   tracks does not reshuffle the old ones.
2. **Linear referencing.**  Every fix is projected onto the centreline (nearest point).  Fixes
   beyond the ends get measures extrapolated along the end tangents (a walker in town is at a
   negative measure, not at 0).  Fixes more than ``max_offset_m`` from the line (a visit to
   Chuku Gompa, a walk in town) are dropped; the time they take still counts, because the walker
   makes no progress meanwhile.  A 5-fix running median removes GPS spikes; a running maximum
   makes progress monotone, so a backtrack or side trip does not move the walker backwards.
3. **Passage times.**  The time a walker *passes* measure ``m`` is the first time the running
   maximum reaches ``m`` (interpolated between fixes).  A stop at a landmark therefore counts in
   the stretch that *starts* there.  A track that starts after ``m`` or ends before it (beyond
   ``end_tolerance_m``) does not cover ``m``.
4. **Moving time.**  Progress is resampled on a 60-s grid; a minute is *moving* when the walker
   advances at least ``moving_threshold_mps`` along the line.  Tracks sampled sparser than every
   30 s (median interval) cannot resolve stops; they are used for total times only.
5. **Fit.**  The stretch between the outermost landmarks is cut into equal bins of about
   ``bin_m``; for each bin the *median walker's* moving time is the median over training tracks.
   ``scipy.optimize.least_squares`` fits ``log`` predicted vs ``log`` median moving time per bin
   over the flat speed, both gradient coefficients, the optimum grade and the altitude slope,
   with weak Gaussian priors toward Tobler's shape (and toward 0.10 per 1000 m for altitude) and
   hard bounds.  The west valley only spans about 4,670-5,080 m and altitude rises with distance
   walked, so the altitude slope is confounded with fatigue and time of day: it is bounded to
   [0, 0.4] per 1000 m and shrunk toward 0.10 (DOMAIN.md: VO2max falls ~50 % by 5,300 m).
   The rest allowance is the median over training walkers of total / moving time, minus 1.
6. **Pace spread.**  Each training walker's pace multiplier is actual / predicted total time
   over the whole stretch; its quantiles describe fast and slow walkers.
7. **Report** on held-out tracks: for the whole stretch and every consecutive landmark stretch,
   the MAE of the median-walker prediction, of a constant-speed baseline (whole-stretch length
   over the median training time), and of unfitted Naismith (5 km/h + 1 h per 600 m ascent) and
   Tobler (no altitude term, no rests) for reference.  A second table (``pairs``) predicts every
   landmark-to-later-landmark time, once for the median walker and once with the walker's pace
   estimated from the time taken so far (the closest analogue of per-point ETA models).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.ndimage import median_filter
from scipy.optimize import least_squares
from scipy.spatial import cKDTree
from tqdm import tqdm

from rescue.errors import InvalidInput
from routes.costs import WalkingModel, load_model

__all__ = [
    "DEFAULT_SEED",
    "PACE_QUANTILES",
    "Calibration",
    "PairReport",
    "StretchReport",
    "Track",
    "calibrate",
    "split_tracks",
    "tracks_from_frame",
]

DEFAULT_SEED = 0
"""Seed of the hold-out split used for the committed ``calibration.json``."""

PACE_QUANTILES: tuple[float, ...] = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
"""Quantiles of the walker pace multiplier reported as ``p05`` ... ``p95``."""

FloatArray = npt.NDArray[np.float64]

# Priors (centre, sigma) and bounds of the fitted parameters; sigma is in units of the
# parameter, residuals of the data term in units of log time (sigma 0.1, about 10 %).
_PRIORS: dict[str, tuple[float, float]] = {
    "grade_coeff_up": (3.5, 2.0),
    "grade_coeff_down": (3.5, 2.0),
    "optimum_grade": (-0.05, 0.05),
    "altitude_slowdown_per_1000m": (0.10, 0.10),
}
_BOUNDS: dict[str, tuple[float, float]] = {
    "flat_speed_mps": (0.2, 3.0),
    "grade_coeff_up": (0.5, 12.0),
    "grade_coeff_down": (0.5, 12.0),
    "optimum_grade": (-0.15, 0.05),
    "altitude_slowdown_per_1000m": (0.0, 0.4),
}
_FIT_NAMES = ("flat_speed_mps", *_PRIORS)
_DATA_SIGMA_LOG = 0.1
_MOVING_GRID_S = 60.0
_MAX_DENSE_INTERVAL_S = 30.0
_MIN_TRACKS_PER_BIN = 10


# --------------------------------------------------------------------------------------------
# Inputs


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


def _as_track(obj: Any) -> Track:
    if isinstance(obj, Track):
        return obj
    get = obj.__getitem__ if isinstance(obj, Mapping) else lambda k: getattr(obj, k)
    try:
        tid = get("track_id")
        arrays = [np.asarray(get(k), dtype=float) for k in ("x", "y", "t_s", "ele_m")]
    except (KeyError, AttributeError, TypeError, ValueError) as exc:
        raise InvalidInput(
            f"a track must have track_id, x, y, t_s, ele_m; got {type(obj).__name__}: {exc}"
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
        ts = pd.to_datetime(df["time_utc"], utc=True)
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


# --------------------------------------------------------------------------------------------
# Linear referencing on the centreline


class _LineIndex:
    """Nearest-point projection onto a polyline, vectorised through a KD-tree."""

    def __init__(self, coords: FloatArray, max_seg_m: float = 10.0) -> None:
        xy = coords[:, :2]
        z = coords[:, 2]
        step = np.hypot(*np.diff(xy, axis=0).T)
        keep = np.r_[True, step > 0]
        xy, z = xy[keep], z[keep]
        step = np.hypot(*np.diff(xy, axis=0).T)
        s = np.r_[0.0, np.cumsum(step)]
        self.length_m = float(s[-1])
        self.vertex_m, self.vertex_z = s, z
        nsub = np.maximum(1, np.ceil(step / max_seg_m).astype(int))
        seg_of = np.repeat(np.arange(len(step)), nsub)
        frac = np.arange(nsub.sum()) - np.repeat(np.cumsum(nsub) - nsub, nsub)
        frac = frac / np.repeat(nsub, nsub)
        pts = xy[seg_of] + frac[:, None] * (xy[seg_of + 1] - xy[seg_of])
        self._p = np.vstack([pts, xy[-1:]])
        self._m = np.r_[s[seg_of] + frac * step[seg_of], s[-1]]
        self._a = self._p[:-1]
        self._d = np.diff(self._p, axis=0)
        self._len = np.hypot(*self._d.T)
        self._tree = cKDTree((self._p[:-1] + self._p[1:]) / 2.0)

    def locate(self, x: FloatArray, y: FloatArray, k: int = 8) -> tuple[FloatArray, FloatArray]:
        """Measure (extrapolated beyond the ends) and offset of each point."""
        q = np.c_[x, y]
        k = min(k, len(self._a))
        _, idx = self._tree.query(q, k=k)
        idx = np.asarray(idx).reshape(len(q), k)
        a, d, ln = self._a[idx], self._d[idx], self._len[idx]
        f = np.clip(np.einsum("nkj,nkj->nk", q[:, None, :] - a, d) / ln**2, 0.0, 1.0)
        c = a + f[..., None] * d
        dist = np.hypot(q[:, None, 0] - c[..., 0], q[:, None, 1] - c[..., 1])
        j = np.argmin(dist, axis=1)
        r = np.arange(len(q))
        seg, fj = idx[r, j], f[r, j]
        m = self._m[seg] + fj * ln[r, j]
        off = dist[r, j]
        for end, at in ((0, (seg == 0) & (fj <= 0.0)), (-1, (seg == len(self._a) - 1) & (fj >= 1.0))):
            if at.any():
                tangent = self._d[end] / self._len[end]
                v = q[at] - self._p[end]
                along = v @ tangent
                m[at] = np.minimum(along, 0.0) if end == 0 else self.length_m + np.maximum(along, 0.0)
                off[at] = np.abs(v[:, 0] * tangent[1] - v[:, 1] * tangent[0])
        return m, off

    def z_at(self, m: FloatArray) -> FloatArray:
        return np.interp(m, self.vertex_m, self.vertex_z)

    def pieces(self, m0: float, m1: float, piece_m: float) -> FloatArray:
        """(length_m, rise_m, mean_elevation_m) of equal pieces from m0 to m1 (m0 < m1)."""
        n = max(1, int(math.ceil((m1 - m0) / piece_m - 1e-9)))
        edges = np.linspace(m0, m1, n + 1)
        z = self.z_at(edges)
        return np.c_[np.diff(edges), np.diff(z), (z[:-1] + z[1:]) / 2.0]


# --------------------------------------------------------------------------------------------
# Per-track passage times


@dataclass(frozen=True, eq=False)
class _Passages:
    track_id: str
    t_s: FloatArray  # passage time at each query measure (NaN where not covered)
    moving_s: FloatArray  # cumulative moving time at each query measure
    dense: bool  # sampled densely enough to resolve stops


def _passages(
    track: Track,
    index: _LineIndex,
    query_m: FloatArray,
    *,
    max_offset_m: float,
    end_tolerance_m: float,
    moving_threshold_mps: float,
) -> _Passages | None:
    ok = np.isfinite(track.x) & np.isfinite(track.y) & np.isfinite(track.t_s)
    order = np.argsort(track.t_s[ok], kind="stable")
    x, y, t = track.x[ok][order], track.y[ok][order], track.t_s[ok][order]
    if len(t) < 2:
        return None
    m, off = index.locate(x, y)
    near = off <= max_offset_m
    if near.sum() < 2:
        return None
    m, t = m[near], t[near]
    if len(m) >= 5:
        m = median_filter(m, size=5, mode="nearest")
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

    grid = np.arange(t[0], t[-1] + _MOVING_GRID_S, _MOVING_GRID_S)
    mg = np.interp(grid, t, big_m)
    moving = np.diff(mg) >= moving_threshold_mps * _MOVING_GRID_S
    cum = np.r_[0.0, np.cumsum(moving * _MOVING_GRID_S)]
    mq = np.interp(tq, grid, cum)  # NaN stays NaN
    dense = bool(np.median(np.diff(t)) <= _MAX_DENSE_INTERVAL_S)
    return _Passages(track.track_id, tq, mq, dense)


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class StretchReport:
    """Hold-out error for one stretch between two landmarks.

    Attributes
    ----------
    from_place_id, to_place_id
        Landmarks at the start and end, in the direction walked.
    length_m
        Length along the centreline.
    ascent_m
        Sum of positive rises along the centreline pieces.
    n_tracks
        Held-out tracks that cover the stretch.
    median_actual_s
        Median actual time of those tracks (arrival to arrival).
    predicted_s
        Median-walker prediction of the fitted model (moving time plus rest allowance).
    mae_s, bias_s
        Mean absolute error and mean error (predicted - actual) of the fitted model.
    baseline_s, baseline_mae_s
        Constant-speed baseline (fitted on training tracks) and its MAE.
    naismith_s, naismith_mae_s
        Naismith's rule (5 km/h + 1 h per 600 m ascent, unfitted) and its MAE.
    tobler_s, tobler_mae_s
        Tobler's hiking function (unfitted, no altitude term, no rests) and its MAE.
    """

    from_place_id: str
    to_place_id: str
    length_m: float
    ascent_m: float
    n_tracks: int
    median_actual_s: float | None
    predicted_s: float
    mae_s: float | None
    bias_s: float | None
    baseline_s: float
    baseline_mae_s: float | None
    naismith_s: float
    naismith_mae_s: float | None
    tobler_s: float
    tobler_mae_s: float | None


@dataclass(frozen=True)
class PairReport:
    """Hold-out error over all landmark -> later-landmark pairs of tracks covering the whole stretch.

    Attributes
    ----------
    n_pairs
        Number of (track, origin, destination) predictions.
    mae_s
        MAE of the median-walker prediction.
    pace_conditioned_mae_s
        MAE when the walker's pace multiplier is estimated from the time taken from the first
        landmark to the origin (clipped to the p05-p95 pace range; median pace at the first
        landmark).
    baseline_mae_s
        MAE of the constant-speed baseline.
    """

    n_pairs: int
    mae_s: float | None
    pace_conditioned_mae_s: float | None
    baseline_mae_s: float | None


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate`; ``to_dict`` is the content of ``calibration.json``.

    Attributes
    ----------
    model
        Fitted walking model of the median walker.
    pace_quantiles
        Walker pace multiplier (actual / predicted total time) at ``p05`` ... ``p95`` over the
        training tracks: multiply a median-walker time by these to get the spread.
    stretches
        Whole stretch first, then each consecutive landmark stretch.
    pairs
        Landmark-to-landmark ETA error, with and without pace conditioning.
    baseline_speed_mps
        Speed of the constant-speed baseline.
    train_track_ids, holdout_track_ids
        The split used.
    parameters
        Every option of the run (split, bins, thresholds, priors, bounds).
    fit
        Fit diagnostics (bins used, residuals, parameters at a bound, tracks used and dropped).
    runtime_s
        Wall-clock time of the run; not serialised (it would make the data diff noisy).
    """

    model: WalkingModel
    pace_quantiles: Mapping[str, float]
    stretches: tuple[StretchReport, ...]
    pairs: PairReport
    baseline_speed_mps: float
    train_track_ids: tuple[str, ...]
    holdout_track_ids: tuple[str, ...]
    parameters: Mapping[str, Any]
    fit: Mapping[str, Any]
    runtime_s: float | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form: ``model``, ``pace_quantiles``, ``report``, ``split``, ... ."""
        return {
            "model": self.model.to_dict(),
            "pace_quantiles": dict(self.pace_quantiles),
            "baseline_speed_mps": self.baseline_speed_mps,
            "report": {
                "stretches": [_stretch_dict(s) for s in self.stretches],
                "pairs": {
                    "n_pairs": self.pairs.n_pairs,
                    "mae_s": _r(self.pairs.mae_s),
                    "pace_conditioned_mae_s": _r(self.pairs.pace_conditioned_mae_s),
                    "baseline_mae_s": _r(self.pairs.baseline_mae_s),
                },
            },
            "split": {
                "n_train": len(self.train_track_ids),
                "n_holdout": len(self.holdout_track_ids),
                "holdout_track_ids": list(self.holdout_track_ids),
            },
            "parameters": _jsonable(self.parameters),
            "fit": _jsonable(self.fit),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], train_track_ids: Sequence[str] = ()) -> Calibration:
        """Rebuild from :meth:`to_dict` output (training ids are not stored; pass them if known).

        Raises
        ------
        InvalidInput
            If a key is missing or the model is invalid.
        """
        try:
            rep = data["report"]
            return cls(
                model=load_model(data["model"]),
                pace_quantiles={str(k): float(v) for k, v in data["pace_quantiles"].items()},
                stretches=tuple(StretchReport(**s) for s in rep["stretches"]),
                pairs=PairReport(**rep["pairs"]),
                baseline_speed_mps=float(data["baseline_speed_mps"]),
                train_track_ids=tuple(train_track_ids),
                holdout_track_ids=tuple(data["split"]["holdout_track_ids"]),
                parameters=dict(data["parameters"]),
                fit=dict(data["fit"]),
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(f"calibration data is incomplete: {exc!r}") from exc


def _r(v: float | None, nd: int = 1) -> float | None:
    return None if v is None else round(float(v), nd)


def _stretch_dict(s: StretchReport) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in s.__dict__.items():
        out[k] = _r(v) if isinstance(v, float) else v
    return out


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


# --------------------------------------------------------------------------------------------
# Fitting and evaluation helpers


def _moving_times(model: WalkingModel, pieces: FloatArray, owner: npt.NDArray[np.intp], n: int) -> FloatArray:
    length = pieces[:, 0]
    speed = model.speed_mps(pieces[:, 1] / length, pieces[:, 2])
    return np.bincount(owner, weights=length / speed, minlength=n)


def _naismith_s(pieces: FloatArray) -> float:
    ascent = float(np.clip(pieces[:, 1], 0.0, None).sum())
    return float(pieces[:, 0].sum() / (5000.0 / 3600.0) + ascent / 600.0 * 3600.0)


def _mae(pred: float | FloatArray, actual: FloatArray) -> float | None:
    if actual.size == 0:
        return None
    return float(np.mean(np.abs(pred - actual)))


def _model_from(theta: FloatArray, base: WalkingModel) -> WalkingModel:
    kw = dict(zip(_FIT_NAMES, (float(v) for v in theta), strict=True))
    return WalkingModel(
        reference_elevation_m=base.reference_elevation_m, rest_allowance=base.rest_allowance, **kw
    )


def _check_landmarks(landmarks: Mapping[str, float], length_m: float) -> list[tuple[str, float]]:
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


def _centreline_coords(centreline: Any) -> FloatArray:
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


# --------------------------------------------------------------------------------------------
# The calibration


def calibrate(
    tracks: Iterable[Any],
    centreline: Any,
    landmarks: Mapping[str, float],
    *,
    holdout_fraction: float = 0.2,
    seed: int = DEFAULT_SEED,
    bin_m: float = 250.0,
    piece_m: float = 25.0,
    max_offset_m: float = 150.0,
    end_tolerance_m: float = 50.0,
    moving_threshold_mps: float = 0.2,
    whole_stretch: tuple[str, str] | None = None,
    progress: bool | None = None,
) -> Calibration:
    """Fit the walking model on training tracks and report hold-out errors.

    Parameters
    ----------
    tracks
        :class:`Track` objects, mappings or objects with ``track_id``, ``x``, ``y``, ``t_s``,
        ``ele_m`` (metric CRS), or a long pandas DataFrame (see :func:`tracks_from_frame`).
        All tracks walk the centreline in the direction of increasing measure.
    centreline
        shapely LineString in the same metric CRS, z = elevation in metres.
    landmarks
        place id -> measure in metres along ``centreline`` (2-D length, as ``line.project``).
        Consecutive landmarks define the reported stretches (co-located ones, under 1 m apart,
        are skipped).
    holdout_fraction, seed
        Hold-out split, see :func:`split_tracks`.
    bin_m
        Approximate bin length of the fit.
    piece_m
        Piece length used to evaluate the model along the centreline; the graph builder should
        cut edges into pieces of the same length.
    max_offset_m
        Fixes farther than this from the centreline are ignored (side trips).
    end_tolerance_m
        A track starting at most this far past (or ending this short of) a measure still covers
        it, with the first (last) fix's time.
    moving_threshold_mps
        Minimum progress along the line over one minute to count as moving.
    whole_stretch
        (from, to) place ids of the whole stretch; default the first and last landmark.
    progress
        Show a tqdm progress bar on stderr; ``None`` shows it only on a terminal.

    Returns
    -------
    Calibration

    Raises
    ------
    InvalidInput
        Bad centreline, landmarks or options; duplicate track ids; too few training tracks
        covering the whole stretch (fewer than 10).
    """
    started = time.perf_counter()
    for name, v in (("bin_m", bin_m), ("piece_m", piece_m), ("max_offset_m", max_offset_m)):
        if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise InvalidInput(f"{name}={v!r} must be a positive number")
    if not (isinstance(end_tolerance_m, int | float) and end_tolerance_m >= 0):
        raise InvalidInput(f"end_tolerance_m={end_tolerance_m!r} must be >= 0")
    if not (isinstance(moving_threshold_mps, int | float) and moving_threshold_mps > 0):
        raise InvalidInput(f"moving_threshold_mps={moving_threshold_mps!r} must be > 0")
    coords = _centreline_coords(centreline)
    index = _LineIndex(coords)
    marks = _check_landmarks(landmarks, index.length_m)
    ids = [p for p, _ in marks]
    if whole_stretch is None:
        whole_stretch = (ids[0], ids[-1])
    if whole_stretch[0] not in landmarks or whole_stretch[1] not in landmarks:
        raise InvalidInput(f"whole_stretch={whole_stretch!r}: both ends must be landmarks")
    lo_m, hi_m = float(landmarks[whole_stretch[0]]), float(landmarks[whole_stretch[1]])
    if hi_m - lo_m < bin_m:
        raise InvalidInput(f"whole_stretch={whole_stretch!r} is shorter than one bin")

    if hasattr(tracks, "columns"):
        tracks = tracks_from_frame(tracks)
    track_list = [_as_track(t) for t in tracks]
    seen: set[str] = set()
    dup = sorted({t.track_id for t in track_list if t.track_id in seen or seen.add(t.track_id)})
    if dup:
        raise InvalidInput(f"duplicate track ids: {', '.join(dup[:10])}")
    train_ids, hold_ids = split_tracks(
        [t.track_id for t in track_list], holdout_fraction=holdout_fraction, seed=seed
    )

    # Query measures: fit-bin edges, then landmarks.
    n_bins = max(1, int(round((hi_m - lo_m) / bin_m)))
    edges = np.linspace(lo_m, hi_m, n_bins + 1)
    mark_m = np.array([m for _, m in marks])
    query = np.r_[edges, mark_m]
    nb = len(edges)

    passages: dict[str, _Passages] = {}
    dropped: list[str] = []
    disable = None if progress is None else not progress
    for tr in tqdm(track_list, desc="calibrate: tracks", unit="track", disable=disable, leave=False):
        p = _passages(
            tr,
            index,
            query,
            max_offset_m=max_offset_m,
            end_tolerance_m=end_tolerance_m,
            moving_threshold_mps=moving_threshold_mps,
        )
        if p is None:
            dropped.append(tr.track_id)
        else:
            passages[tr.track_id] = p
    train = [passages[t] for t in train_ids if t in passages]
    hold = [passages[t] for t in hold_ids if t in passages]

    # Bin pieces along the centreline (fixed; only the model changes during the fit).
    bin_pieces = [index.pieces(a, b, piece_m) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    owner = np.repeat(np.arange(n_bins), [len(p) for p in bin_pieces])
    all_pieces = np.vstack(bin_pieces)

    dense = [p for p in train if p.dense]
    mv = np.array([p.moving_s[:nb] for p in dense]).reshape(len(dense), nb)
    d_move = np.diff(mv, axis=1)
    counts = np.sum(np.isfinite(d_move), axis=0)
    use = counts >= _MIN_TRACKS_PER_BIN
    with np.errstate(invalid="ignore"):
        med_move = np.full(n_bins, np.nan)
        if use.any():
            med_move[use] = np.nanmedian(d_move[:, use], axis=0)
    use &= med_move > 0
    if use.sum() < 3:
        raise InvalidInput(
            f"too few bins covered by {_MIN_TRACKS_PER_BIN}+ densely sampled training tracks "
            f"({int(use.sum())} of {n_bins}); check the centreline and the landmark measures"
        )

    base = WalkingModel()
    prior_c = np.array([_PRIORS[n][0] for n in _FIT_NAMES[1:]])
    prior_s = np.array([_PRIORS[n][1] for n in _FIT_NAMES[1:]])
    target = np.log(med_move[use])

    def residuals(theta: FloatArray) -> FloatArray:
        pred = _moving_times(_model_from(theta, base), all_pieces, owner, n_bins)[use]
        data = (np.log(pred) - target) / _DATA_SIGMA_LOG
        return np.r_[data, (theta[1:] - prior_c) / prior_s]

    lower = np.array([_BOUNDS[n][0] for n in _FIT_NAMES])
    upper = np.array([_BOUNDS[n][1] for n in _FIT_NAMES])
    total_len = hi_m - lo_m
    v0 = total_len / float(np.nansum(med_move[use]) * n_bins / use.sum())
    theta0 = np.clip(np.r_[v0, prior_c], lower + 1e-9, upper - 1e-9)
    sol = least_squares(residuals, theta0, bounds=(lower, upper), x_scale="jac")
    moving_model = _model_from(sol.x, base)
    data_res = sol.fun[: int(use.sum())] * _DATA_SIGMA_LOG

    # Whole stretch: rest allowance (dense training tracks), pace spread (all training tracks).
    iw0, iw1 = nb + ids.index(whole_stretch[0]), nb + ids.index(whole_stretch[1])
    whole_pieces = index.pieces(lo_m, hi_m, piece_m)
    pred_moving_whole = float(_moving_times(moving_model, whole_pieces, np.zeros(len(whole_pieces), np.intp), 1)[0])

    def span(p: _Passages, a: int, b: int, moving: bool = False) -> float:
        arr = p.moving_s if moving else p.t_s
        return float(arr[b] - arr[a])

    ratios = np.array([span(p, iw0, iw1) / span(p, iw0, iw1, True) for p in dense])
    ratios = ratios[np.isfinite(ratios) & (ratios >= 1.0)]
    totals_train = np.array([span(p, iw0, iw1) for p in train])
    totals_train = totals_train[np.isfinite(totals_train) & (totals_train > 0)]
    if len(totals_train) < 10 or len(ratios) < 10:
        raise InvalidInput(
            f"only {len(totals_train)} training tracks ({len(ratios)} densely sampled) cover "
            f"the whole stretch {whole_stretch[0]} -> {whole_stretch[1]}; need 10"
        )
    rest = float(np.median(ratios) - 1.0)
    model = replace(moving_model, rest_allowance=rest)
    pred_whole = pred_moving_whole * (1.0 + rest)
    pace = totals_train / pred_whole
    pace_q = {f"p{round(q * 100):02d}": float(np.quantile(pace, q)) for q in PACE_QUANTILES}
    baseline_speed = total_len / float(np.median(totals_train))

    # Report on hold-out tracks.
    tobler = WalkingModel.tobler()
    stretch_defs = [(whole_stretch[0], whole_stretch[1])]
    stretch_defs += [
        (ids[i], ids[i + 1]) for i in range(len(ids) - 1) if marks[i + 1][1] - marks[i][1] >= 1.0
    ]
    pred_cache: dict[tuple[str, str], tuple[float, float]] = {}

    def predict(a: str, b: str) -> tuple[float, float]:
        if (a, b) not in pred_cache:
            pcs = index.pieces(float(landmarks[a]), float(landmarks[b]), piece_m)
            one = np.zeros(len(pcs), np.intp)
            t_model = float(_moving_times(model, pcs, one, 1)[0]) * (1.0 + rest)
            pred_cache[(a, b)] = (t_model, float(pcs[:, 0].sum()))
        return pred_cache[(a, b)]

    reports = []
    for a, b in stretch_defs:
        ia, ib = nb + ids.index(a), nb + ids.index(b)
        actual = np.array([span(p, ia, ib) for p in hold])
        actual = actual[np.isfinite(actual)]
        pcs = index.pieces(float(landmarks[a]), float(landmarks[b]), piece_m)
        one = np.zeros(len(pcs), np.intp)
        t_model, length = predict(a, b)
        t_base = length / baseline_speed
        t_nai = _naismith_s(pcs)
        t_tob = float(_moving_times(tobler, pcs, one, 1)[0])
        reports.append(
            StretchReport(
                from_place_id=a,
                to_place_id=b,
                length_m=length,
                ascent_m=float(np.clip(pcs[:, 1], 0, None).sum()),
                n_tracks=int(actual.size),
                median_actual_s=float(np.median(actual)) if actual.size else None,
                predicted_s=t_model,
                mae_s=_mae(t_model, actual),
                bias_s=float(np.mean(t_model - actual)) if actual.size else None,
                baseline_s=t_base,
                baseline_mae_s=_mae(t_base, actual),
                naismith_s=t_nai,
                naismith_mae_s=_mae(t_nai, actual),
                tobler_s=t_tob,
                tobler_mae_s=_mae(t_tob, actual),
            )
        )

    # Landmark -> later landmark ETAs, with and without the pace observed so far.
    span_ids = [p for p, m in marks if lo_m <= m <= hi_m]
    err_med: list[float] = []
    err_pace: list[float] = []
    err_base: list[float] = []
    for p in hold:
        times = {pid: p.t_s[nb + ids.index(pid)] for pid in span_ids}
        if not all(np.isfinite(v) for v in times.values()):
            continue
        for i, o in enumerate(span_ids[:-1]):
            if i == 0:
                est = 1.0
            else:
                elapsed = times[o] - times[span_ids[0]]
                est = float(np.clip(elapsed / predict(span_ids[0], o)[0], pace_q["p05"], pace_q["p95"]))
            for d in span_ids[i + 1 :]:
                if landmarks[d] - landmarks[o] < 1.0:
                    continue
                actual_od = times[d] - times[o]
                t_od, len_od = predict(o, d)
                err_med.append(abs(t_od - actual_od))
                err_pace.append(abs(t_od * est - actual_od))
                err_base.append(abs(len_od / baseline_speed - actual_od))
    pairs = PairReport(
        n_pairs=len(err_med),
        mae_s=float(np.mean(err_med)) if err_med else None,
        pace_conditioned_mae_s=float(np.mean(err_pace)) if err_pace else None,
        baseline_mae_s=float(np.mean(err_base)) if err_base else None,
    )

    at_bounds = [
        n
        for n, v, lo, hi in zip(_FIT_NAMES, sol.x, lower, upper, strict=True)
        if v - lo < 1e-3 * (hi - lo) or hi - v < 1e-3 * (hi - lo)
    ]
    parameters = {
        "holdout_fraction": holdout_fraction,
        "seed": seed,
        "bin_m": bin_m,
        "n_bins": n_bins,
        "piece_m": piece_m,
        "max_offset_m": max_offset_m,
        "end_tolerance_m": end_tolerance_m,
        "moving_threshold_mps": moving_threshold_mps,
        "moving_grid_s": _MOVING_GRID_S,
        "max_dense_interval_s": _MAX_DENSE_INTERVAL_S,
        "whole_stretch": list(whole_stretch),
        "landmarks_m": {p: round(m, 1) for p, m in marks},
        "priors": {n: list(v) for n, v in _PRIORS.items()},
        "bounds": {n: list(v) for n, v in _BOUNDS.items()},
        "data_sigma_log": _DATA_SIGMA_LOG,
    }
    fit = {
        "n_tracks": len(track_list),
        "n_dropped": len(dropped),
        "dropped_track_ids": dropped,
        "n_train": len(train),
        "n_train_dense": len(dense),
        "n_train_whole": int(len(totals_train)),
        "n_bins_used": int(use.sum()),
        "rms_log_residual": float(np.sqrt(np.mean(data_res**2))),
        "at_bounds": at_bounds,
        "median_train_total_s": float(np.median(totals_train)),
        "predicted_moving_whole_s": pred_moving_whole,
        "optimizer_status": int(sol.status),
    }
    return Calibration(
        model=model,
        pace_quantiles=pace_q,
        stretches=tuple(reports),
        pairs=pairs,
        baseline_speed_mps=baseline_speed,
        train_track_ids=tuple(train_ids),
        holdout_track_ids=tuple(hold_ids),
        parameters=parameters,
        fit=fit,
        runtime_s=time.perf_counter() - started,
    )
