"""Fit the walking model to real GPS tracks and report its hold-out error.

:func:`calibrate` takes projected tracks, the consensus centreline (3-D, metric CRS) and the
measures of landmarks along it, and returns a :class:`Calibration`: the fitted
:class:`~routes.costs.WalkingModel`, the spread of walker paces, the dwell at landmarks and a
hold-out report.  ``Calibration.to_dict()`` is the content of ``calibration.json``.

Method
------
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
5. **Fit.**  The whole stretch is cut into equal bins of about ``bin_m``; the *median walker's*
   moving time in a bin is the median over dense training tracks.  ``least_squares`` fits log
   predicted against log median moving time over the flat speed, both gradient coefficients,
   the optimum grade and the altitude slope, with weak Gaussian priors toward Tobler's shape
   and hard bounds.  The model is evaluated on the centreline's own vertices, exactly as
   ``routes.graph.edge_pieces`` cuts edges.  The west valley only spans about 4,670-5,080 m and
   altitude rises with distance walked, so the altitude slope is confounded with fatigue and
   time of day: it is bounded to [0, 0.4] per 1000 m and shrunk toward 0.10 (sigma 0.10;
   DOMAIN.md: VO2max falls about 50 % by 5,300 m).
6. **Stops.**  The model's ``rest_allowance`` makes the median walker's whole-stretch time equal
   the median training time (so the median pace multiplier is exactly 1); it spreads *all*
   stops evenly, which is what :func:`routes.costs.duration_s` uses.  Separately, the median stop
   time in a window after each landmark's arrival point is its ``dwell_s`` (the lunch stop at
   Hayagriva station), and ``residual_rest_allowance`` covers the stops elsewhere; code that
   adds dwell at places uses :meth:`Calibration.dwell_model` instead of ``model``.
7. **Pace spread.**  Each training walker's pace multiplier is actual / predicted total time
   over the whole stretch; its quantiles (``p05`` ... ``p95``) describe fast and slow walkers.
8. **Report** on held-out tracks, for the whole stretch and each consecutive landmark stretch:
   MAE of the median-walker prediction (with dwell), of the edge-only prediction (uniform
   rest, what the graph gives), of a constant-speed baseline (whole-stretch length over the
   median training time), and of unfitted Naismith (5 km/h + 1 h per 600 m of ascent) and
   Tobler (no altitude term, no rests) for reference.  ``pairs`` predicts every landmark ->
   later landmark time, once for the median walker and once with the pace shown so far.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.ndimage import median_filter
from scipy.optimize import least_squares
from tqdm import tqdm

from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex
from routes.costs import WalkingModel, load_model

__all__ = [
    "DEFAULT_SEED",
    "PACE_QUANTILES",
    "Calibration",
    "PairReport",
    "StretchReport",
    "Track",
    "calibrate",
    "landmark_pairs",
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
# A fix more than this along the line from the median of its 5 neighbours is a GPS spike.
_SPIKE_M = 50.0
# A walker has *arrived* at a landmark within this distance before it: the track-derived
# landmark positions are +-30 m and walkers stop around them, so passing the exact measure
# would split a stop between two stretches at random.
_ARRIVAL_BEFORE_M = 50.0
#: a stop at a landmark counts as one (a rest, a meal) when it is longer than this
_STOP_MIN_S = 120.0


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

    def get(key: str) -> Any:
        return obj[key] if isinstance(obj, Mapping) else getattr(obj, key)

    has_t_s = "t_s" in obj if isinstance(obj, Mapping) else hasattr(obj, "t_s")
    time_key = "t_s" if has_t_s else "t"  # geodata.consensus.TrackXY calls it ``t``
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
    index: LineIndex,
    query_m: FloatArray,
    *,
    max_offset_m: float,
    end_tolerance_m: float,
    moving_threshold_mps: float,
) -> _Passages | str:
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
        Median-walker prediction of the fitted model: moving time plus the residual rest
        allowance plus the dwell at landmarks from the start (included) to the end (excluded).
    mae_s, bias_s
        Mean absolute error and mean error (predicted - actual) of ``predicted_s``.
    edge_only_s, edge_only_mae_s
        What :func:`routes.costs.duration_s` gives for ``pilgrim`` (the rest allowance spread
        evenly, no dwell) and its MAE.
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
    edge_only_s: float
    edge_only_mae_s: float | None
    baseline_s: float
    baseline_mae_s: float | None
    naismith_s: float
    naismith_mae_s: float | None
    tobler_s: float
    tobler_mae_s: float | None


@dataclass(frozen=True)
class PairReport:
    """Hold-out ETA error from each landmark to every later one.

    Attributes
    ----------
    n_pairs
        Number of (track, origin, destination) predictions; every held-out track contributes
        the pairs of landmarks it covers.
    mae_s
        MAE of the median-walker prediction.
    pace_conditioned_mae_s
        MAE when the walker's pace multiplier is estimated from the time taken from the track's
        first covered landmark to the origin, ``(elapsed / predicted) ** pace_persistence``,
        clipped to the p05-p95 pace range (median pace when the origin is that first landmark).
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
        Fitted walking model of the median walker; its ``rest_allowance`` spreads *all* stops
        evenly over moving time, so that ``duration_s("pilgrim", ...)`` over the whole stretch
        equals the median training time.
    pace_quantiles
        Walker pace multiplier (actual / predicted total time) at ``p05`` ... ``p95`` over the
        training tracks: multiply a median-walker time by these to get the spread.
    pace_persistence
        Exponent b of the pace estimate from a walker's progress so far:
        ``pace = (elapsed / median-walker elapsed) ** b`` (0: the past says nothing, 1: the
        walker keeps the pace shown so far).  Fitted on training tracks by least squares of
        log remaining pace on log pace so far.  Weakly determined: on the Kailash tracks pace
        over the first stretches says little about the rest, because stops dominate.
    dwell_s
        Median stop time of walkers at each landmark (keyed by the first id of co-located
        landmarks), e.g. the lunch stop at Hayagriva station.  Used together with
        ``residual_rest_allowance`` (see :meth:`dwell_model`), never with ``model``'s own
        allowance, or stops are counted twice.
    residual_rest_allowance
        Rest allowance for the stops *not* at landmarks, when ``dwell_s`` is added at places.
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
    pace_persistence: float
    dwell_s: Mapping[str, float]
    residual_rest_allowance: float
    stretches: tuple[StretchReport, ...]
    pairs: PairReport
    baseline_speed_mps: float
    train_track_ids: tuple[str, ...]
    holdout_track_ids: tuple[str, ...]
    parameters: Mapping[str, Any]
    fit: Mapping[str, Any]
    runtime_s: float | None = field(default=None, compare=False)
    #: actual / median-walker time of landmark-to-landmark trips on training tracks, by the
    #: trip's predicted duration: ``pred_s`` (bin medians), ``p10``, ``p50``, ``p90``
    eta_ratio_quantiles: Mapping[str, Sequence[float]] = field(default_factory=dict)
    #: per landmark: how often dense training walkers stop there (over 2 min) and for how long
    stops: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    #: how much of a walker's pace so far carries on, by how long they have been watched:
    #: ``memory_s`` (T0 of ``b = elapsed / (elapsed + T0)``), the least-squares b per bin of
    #: elapsed time, and the correlation of pace between consecutive stretches, total and
    #: moving (stops removed), all on training tracks (see :func:`pace_memory`)
    pace_memory: Mapping[str, Any] = field(default_factory=dict)
    #: the walker's pace so far as a predictor of the time ahead, fitted on training tracks
    #: (see :func:`pace_conditioning`): per bin of elapsed time the least-absolute-deviation
    #: line of log(time ahead / model) on log(time so far / model), and the 80 % range of what
    #: that line leaves unexplained, by the trip's predicted duration
    pace_conditioning: Mapping[str, Any] = field(default_factory=dict)
    #: moving pace and stops so far, kept apart (see :func:`moving_pace_conditioning`): the
    #: median moving time and mean stop time of each landmark stretch, per bin of elapsed time
    #: the least-absolute-deviation fit of log(time ahead / model) on the log moving pace and
    #: the log stop excess so far, the offsets of walkers watched from no earlier landmark, and
    #: the 80 % ranges left; read by :func:`routes.eta_eval.moving_pace_eta`
    moving_pace_conditioning: Mapping[str, Any] = field(default_factory=dict)

    def dwell_model(self) -> WalkingModel:
        """The model to combine with ``dwell_s`` at places (residual rest allowance)."""
        return replace(self.model, rest_allowance=self.residual_rest_allowance)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, the content of ``calibration.json``.

        Keys: ``model`` (:meth:`WalkingModel.to_dict`), ``pace_quantiles``,
        ``pace_persistence``, ``dwell_s``, ``residual_rest_allowance``, ``baseline_speed_mps``,
        ``report`` (``whole_stretch``, ``stretches``: one object per :class:`StretchReport`;
        ``pairs``), ``split``, ``parameters``, ``fit``.  Seconds are rounded to 0.1 s.
        """
        return {
            "model": self.model.to_dict(),
            "pace_quantiles": dict(self.pace_quantiles),
            "pace_persistence": self.pace_persistence,
            "dwell_s": {k: round(v, 1) for k, v in self.dwell_s.items()},
            "residual_rest_allowance": self.residual_rest_allowance,
            "baseline_speed_mps": self.baseline_speed_mps,
            "report": {
                "whole_stretch": _stretch_dict(self.stretches[0]),
                "stretches": [_stretch_dict(s) for s in self.stretches[1:]],
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
            "eta_ratio_quantiles": {
                k: [round(float(v), 4 if k != "pred_s" else 1) for v in vs]
                for k, vs in self.eta_ratio_quantiles.items()
            },
            "stops": _jsonable(self.stops),
            "pace_memory": _jsonable(self.pace_memory),
            "pace_conditioning": _jsonable(self.pace_conditioning),
            "moving_pace_conditioning": _jsonable(self.moving_pace_conditioning),
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
                dwell_s={str(k): float(v) for k, v in data["dwell_s"].items()},
                residual_rest_allowance=float(data["residual_rest_allowance"]),
                pace_persistence=float(data["pace_persistence"]),
                pace_quantiles={str(k): float(v) for k, v in data["pace_quantiles"].items()},
                stretches=tuple(
                    StretchReport(**s) for s in [rep["whole_stretch"], *rep["stretches"]]
                ),
                pairs=PairReport(**rep["pairs"]),
                baseline_speed_mps=float(data["baseline_speed_mps"]),
                train_track_ids=tuple(train_track_ids),
                holdout_track_ids=tuple(data["split"]["holdout_track_ids"]),
                parameters=dict(data["parameters"]),
                fit=dict(data["fit"]),
                eta_ratio_quantiles=dict(data.get("eta_ratio_quantiles") or {}),
                stops=dict(data.get("stops") or {}),
                pace_memory=dict(data.get("pace_memory") or {}),
                pace_conditioning=dict(data.get("pace_conditioning") or {}),
                moving_pace_conditioning=dict(data.get("moving_pace_conditioning") or {}),
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


def _moving_times(
    model: WalkingModel, pieces: FloatArray, owner: npt.NDArray[np.intp], n: int
) -> FloatArray:
    length = pieces[:, 0]
    speed = model.speed_mps(pieces[:, 1] / length, pieces[:, 2])
    return np.asarray(np.bincount(owner, weights=length / speed, minlength=n), dtype=np.float64)


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
    max_offset_m: float = 150.0,
    end_tolerance_m: float = 50.0,
    moving_threshold_mps: float = 0.2,
    dwell_window_m: float = 150.0,
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
        Consecutive landmarks define the reported stretches; co-located ones (under 1 m apart,
        e.g. a supply point and its medical post) are one stop, reported under the id that
        comes first (by measure, then by the mapping's order).
    holdout_fraction, seed
        Hold-out split, see :func:`split_tracks`.
    bin_m
        Approximate bin length of the fit.
    max_offset_m
        Fixes farther than this from the centreline are ignored (side trips).
    end_tolerance_m
        A track starting at most this far past (or ending this short of) a measure still covers
        it, with the first (last) fix's time.
    moving_threshold_mps
        Minimum progress along the line over one minute to count as moving.
    dwell_window_m
        Stops from the arrival point (50 m before a landmark) to this far after the landmark
        count as its dwell (cut at the next landmark's arrival point).
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
    positive = (
        ("bin_m", bin_m),
        ("max_offset_m", max_offset_m),
        ("dwell_window_m", dwell_window_m),
    )
    for name, v in positive:
        if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise InvalidInput(f"{name}={v!r} must be a positive number")
    if not (isinstance(end_tolerance_m, int | float) and end_tolerance_m >= 0):
        raise InvalidInput(f"end_tolerance_m={end_tolerance_m!r} must be >= 0")
    if not (isinstance(moving_threshold_mps, int | float) and moving_threshold_mps > 0):
        raise InvalidInput(f"moving_threshold_mps={moving_threshold_mps!r} must be > 0")
    coords = _centreline_coords(centreline)
    index = LineIndex(coords, max_seg_m=10.0)
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
    counts = Counter(t.track_id for t in track_list)
    dup = sorted(tid for tid, n in counts.items() if n > 1)
    if dup:
        raise InvalidInput(f"duplicate track ids: {', '.join(dup[:10])}")
    train_ids, hold_ids = split_tracks(
        [t.track_id for t in track_list], holdout_fraction=holdout_fraction, seed=seed
    )

    # Landmarks at (about) the same measure form one group; the first id names it.
    groups: list[tuple[str, float]] = []
    for pid, m in marks:
        if not groups or m - groups[-1][1] >= 1.0:
            groups.append((pid, m))
    gid = [p for p, _ in groups]
    arrive = {p: float(landmarks[p]) - _ARRIVAL_BEFORE_M for p in landmarks}
    win_lo = np.array([arrive[p] for p in gid])
    win_hi = np.minimum(win_lo + _ARRIVAL_BEFORE_M + dwell_window_m, np.r_[win_lo[1:], np.inf])

    # Query measures: fit-bin edges | arrival at each group (= dwell-window start) | window end.
    n_bins = max(1, int(round((hi_m - lo_m) / bin_m)))
    edges = np.linspace(lo_m, hi_m, n_bins + 1)
    nb, ng = len(edges), len(groups)
    query = np.r_[edges, win_lo, win_hi]
    col = {p: nb + i for i, p in enumerate(gid)}
    col.update({p: col[min(gid, key=lambda g: abs(landmarks[g] - m))] for p, m in marks})

    passages: dict[str, _Passages] = {}
    dropped: dict[str, str] = {}
    disable = None if progress is None else not progress
    for tr in tqdm(
        track_list, desc="calibrate: tracks", unit="track", disable=disable, leave=False
    ):
        p = _passages(
            tr,
            index,
            query,
            max_offset_m=max_offset_m,
            end_tolerance_m=end_tolerance_m,
            moving_threshold_mps=moving_threshold_mps,
        )
        if isinstance(p, str):
            dropped[tr.track_id] = p
        else:
            passages[tr.track_id] = p
    train = [passages[t] for t in train_ids if t in passages]
    hold = [passages[t] for t in hold_ids if t in passages]
    dense = [p for p in train if p.dense]

    # Fit the moving-speed model on the median walker's moving time per bin.
    bin_pieces = [index.pieces(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    owner = np.repeat(np.arange(n_bins), [len(p) for p in bin_pieces])
    d_move = np.diff(np.array([p.moving_s[:nb] for p in dense]).reshape(len(dense), nb), axis=1)
    sol, use = _fit_moving(d_move, np.vstack(bin_pieces), owner, n_bins)
    moving_model = _model_from(sol.x, WalkingModel())

    def moving_s(m0: float, m1: float) -> float:
        pcs = index.pieces(m0, m1)
        return float(_moving_times(moving_model, pcs, np.zeros(len(pcs), np.intp), 1)[0])

    def span(p: _Passages, a: int, b: int, moving: bool = False) -> float:
        arr = p.moving_s if moving else p.t_s
        return float(arr[b] - arr[a])

    # Whole stretch: the median walker's total fixes the rest allowance (pace p50 = 1).
    ia_w, ib_w = col[whole_stretch[0]], col[whole_stretch[1]]
    totals = np.array([span(p, ia_w, ib_w) for p in train])
    totals = totals[np.isfinite(totals) & (totals > 0)]
    ratios = np.array([span(p, ia_w, ib_w) / span(p, ia_w, ib_w, True) for p in dense])
    ratios = ratios[np.isfinite(ratios)]
    if len(totals) < 10 or len(ratios) < 10:
        raise InvalidInput(
            f"too few training tracks cover the whole stretch {whole_stretch[0]} -> "
            f"{whole_stretch[1]}: {len(totals)} ({len(ratios)} densely sampled); need 10"
        )
    median_total = float(np.median(totals))

    # Dwell at landmarks: median stopped time of dense training walkers in each window; and
    # the stop clusters: how many walkers stop there (over 2 min) and for how long.
    dwell: dict[str, float] = {}
    stop_stats: dict[str, dict[str, float]] = {}
    for i, p_id in enumerate(gid):
        w0, w1 = nb + i, nb + ng + i
        stops = np.array([span(p, w0, w1) - span(p, w0, w1, True) for p in dense])
        stops = stops[np.isfinite(stops)]
        dwell[p_id] = float(np.median(stops)) if len(stops) >= _MIN_TRACKS_PER_BIN else 0.0
        if len(stops) >= _MIN_TRACKS_PER_BIN:
            long = stops[stops > _STOP_MIN_S]
            stop_stats[p_id] = {
                "n_walkers": int(len(stops)),
                "share_stopping": round(float(len(long) / len(stops)), 3),
                "median_stop_s": round(float(np.median(long)), 1) if len(long) else 0.0,
                "p90_stop_s": round(float(np.quantile(long, 0.9)), 1) if len(long) else 0.0,
            }
    dwell_whole = sum(v for p_id, v in dwell.items() if lo_m <= landmarks[p_id] < hi_m)
    moving_whole = moving_s(arrive[whole_stretch[0]], arrive[whole_stretch[1]])
    model = replace(moving_model, rest_allowance=max(0.0, median_total / moving_whole - 1.0))
    residual_rest = max(0.0, (median_total - dwell_whole) / moving_whole - 1.0)

    def predict(a: str, b: str) -> tuple[float, float, float]:
        """(with dwell, edge-only, length) for the median walker from a to b."""
        m0, m1 = arrive[a], arrive[b]
        mv = moving_s(m0, m1)
        dw = sum(v for p_id, v in dwell.items() if m0 - 0.5 <= arrive[p_id] < m1 - 0.5)
        return mv * (1.0 + residual_rest) + dw, mv * (1.0 + model.rest_allowance), m1 - m0

    pace = totals / predict(*whole_stretch)[0]
    pace_q = {f"p{round(q * 100):02d}": float(np.quantile(pace, q)) for q in PACE_QUANTILES}
    baseline_speed = (hi_m - lo_m) / median_total

    # Report on held-out tracks.
    tobler = WalkingModel.tobler()
    stretch_defs = [whole_stretch] + [(gid[i], gid[i + 1]) for i in range(ng - 1)]
    reports = []
    for a, b in stretch_defs:
        actual = np.array([span(p, col[a], col[b]) for p in hold])
        actual = actual[np.isfinite(actual)]
        pcs = index.pieces(arrive[a], arrive[b])
        t_pred, t_edge, length = predict(a, b)
        t_base = length / baseline_speed
        t_nai = _naismith_s(pcs)
        t_tob = float(_moving_times(tobler, pcs, np.zeros(len(pcs), np.intp), 1)[0])
        reports.append(
            StretchReport(
                from_place_id=a,
                to_place_id=b,
                length_m=length,
                ascent_m=float(np.clip(pcs[:, 1], 0.0, None).sum()),
                n_tracks=int(actual.size),
                median_actual_s=float(np.median(actual)) if actual.size else None,
                predicted_s=t_pred,
                mae_s=_mae(t_pred, actual),
                bias_s=float(np.mean(t_pred - actual)) if actual.size else None,
                edge_only_s=t_edge,
                edge_only_mae_s=_mae(t_edge, actual),
                baseline_s=t_base,
                baseline_mae_s=_mae(t_base, actual),
                naismith_s=t_nai,
                naismith_mae_s=_mae(t_nai, actual),
                tobler_s=t_tob,
                tobler_mae_s=_mae(t_tob, actual),
            )
        )
    # Landmark -> later landmark ETAs; the pace so far is shrunk by a persistence fitted on
    # the training tracks (how much of a walker's deviation so far carries on).
    span_ids = [p_id for p_id in gid if lo_m <= landmarks[p_id] <= hi_m]
    k = len(span_ids)
    pair_pred = np.zeros((k, k))
    pair_len = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            pair_pred[i, j], _, pair_len[i, j] = predict(span_ids[i], span_ids[j])
    persistence = _pace_persistence(_landmark_times(train, span_ids, col), pair_pred)
    ratio_q = _ratio_quantiles(_landmark_times(train, span_ids, col), pair_pred)
    memory = pace_memory(
        _landmark_times(train, span_ids, col),
        pair_pred,
        ratio_q,
        moving_times=_landmark_moving_times(train, span_ids, col),
        moving_pred=np.array(
            [
                [moving_s(arrive[a], arrive[b]) if i < j else 0.0 for j, b in enumerate(span_ids)]
                for i, a in enumerate(span_ids)
            ]
        ).reshape(k, k),
    )
    conditioning = pace_conditioning(_landmark_times(train, span_ids, col), pair_pred, ratio_q)
    moving_conditioning = moving_pace_conditioning(
        _landmark_times(dense, span_ids, col),
        _landmark_moving_times(dense, span_ids, col),
        pair_pred,
        ratio_q,
        span_ids,
    )
    pairs = _pair_report(
        _landmark_times(hold, span_ids, col),
        pair_pred,
        pair_len,
        baseline_speed,
        persistence,
        (pace_q["p05"], pace_q["p95"]),
    )

    data_res = sol.fun[: int(use.sum())] * _DATA_SIGMA_LOG
    lower, upper = _bounds()
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
        "max_offset_m": max_offset_m,
        "end_tolerance_m": end_tolerance_m,
        "moving_threshold_mps": moving_threshold_mps,
        "arrival_before_m": _ARRIVAL_BEFORE_M,
        "dwell_window_m": dwell_window_m,
        "moving_grid_s": _MOVING_GRID_S,
        "max_dense_interval_s": _MAX_DENSE_INTERVAL_S,
        "whole_stretch": list(whole_stretch),
        "landmarks_m": {p_id: round(m, 1) for p_id, m in marks},
        "priors": {n: list(v) for n, v in _PRIORS.items()},
        "bounds": {n: list(v) for n, v in _BOUNDS.items()},
        "data_sigma_log": _DATA_SIGMA_LOG,
    }
    fit = {
        "n_tracks": len(track_list),
        "n_dropped": len(dropped),
        "dropped": dropped,
        "n_train": len(train),
        "n_train_dense": len(dense),
        "n_train_whole": int(len(totals)),
        "n_holdout": len(hold),
        "n_bins_used": int(use.sum()),
        "rms_log_residual": float(np.sqrt(np.mean(data_res**2))),
        "at_bounds": at_bounds,
        "median_train_total_s": median_total,
        "median_train_moving_s": float(np.nanmedian([span(p, ia_w, ib_w, True) for p in dense])),
        "predicted_moving_s": moving_whole,
        "measured_rest_ratio_median": float(np.median(ratios)),
        "optimizer_status": int(sol.status),
    }
    return Calibration(
        model=model,
        pace_quantiles=pace_q,
        pace_persistence=persistence,
        dwell_s=dwell,
        residual_rest_allowance=residual_rest,
        stretches=tuple(reports),
        pairs=pairs,
        baseline_speed_mps=baseline_speed,
        train_track_ids=tuple(train_ids),
        holdout_track_ids=tuple(hold_ids),
        parameters=parameters,
        fit=fit,
        runtime_s=time.perf_counter() - started,
        eta_ratio_quantiles=ratio_q,
        stops=stop_stats,
        pace_memory=memory,
        pace_conditioning=conditioning,
        moving_pace_conditioning=moving_conditioning,
    )


def _bounds() -> tuple[FloatArray, FloatArray]:
    return (
        np.array([_BOUNDS[n][0] for n in _FIT_NAMES]),
        np.array([_BOUNDS[n][1] for n in _FIT_NAMES]),
    )


def _fit_moving(
    d_move: FloatArray, pieces: FloatArray, owner: npt.NDArray[np.intp], n_bins: int
) -> tuple[Any, npt.NDArray[np.bool_]]:
    """Least-squares fit of log moving time per bin (median walker) with priors and bounds."""
    counts = np.sum(np.isfinite(d_move), axis=0)
    use = counts >= _MIN_TRACKS_PER_BIN
    med = np.full(n_bins, np.nan)
    if use.any():
        med[use] = np.nanmedian(d_move[:, use], axis=0)
    use &= np.nan_to_num(med) > 0
    if use.sum() < 3:
        raise InvalidInput(
            f"too few bins covered by {_MIN_TRACKS_PER_BIN}+ densely sampled training tracks "
            f"({int(use.sum())} of {n_bins}); check the centreline and the landmark measures"
        )
    base = WalkingModel()
    prior_c = np.array([_PRIORS[n][0] for n in _FIT_NAMES[1:]])
    prior_s = np.array([_PRIORS[n][1] for n in _FIT_NAMES[1:]])
    target = np.log(med[use])

    def residuals(theta: FloatArray) -> FloatArray:
        pred = _moving_times(_model_from(theta, base), pieces, owner, n_bins)[use]
        res: FloatArray = np.r_[
            (np.log(pred) - target) / _DATA_SIGMA_LOG, (theta[1:] - prior_c) / prior_s
        ]
        return res

    lower, upper = _bounds()
    length = np.bincount(owner, weights=pieces[:, 0], minlength=n_bins)[use].sum()
    theta0 = np.clip(np.r_[length / med[use].sum(), prior_c], lower + 1e-9, upper - 1e-9)
    return least_squares(residuals, theta0, bounds=(lower, upper), x_scale="jac"), use


def _landmark_times(
    passages: Sequence[_Passages], span_ids: Sequence[str], col: Mapping[str, int]
) -> FloatArray:
    """Arrival times (tracks x landmarks), NaN where a track does not cover a landmark."""
    idx = [col[p] for p in span_ids]
    out: FloatArray = np.array([p.t_s[idx] for p in passages], dtype=np.float64)
    return out.reshape(len(passages), len(idx))


def _landmark_moving_times(
    passages: Sequence[_Passages], span_ids: Sequence[str], col: Mapping[str, int]
) -> FloatArray:
    """Cumulative moving time (tracks x landmarks) of the dense tracks, NaN elsewhere."""
    idx = [col[p] for p in span_ids]
    rows = [np.where(np.isfinite(p.t_s[idx]), p.moving_s[idx], np.nan) for p in passages if p.dense]
    out: FloatArray = np.array(rows, dtype=np.float64).reshape(len(rows), len(idx))
    return out


def _consecutive_r(times: FloatArray, pred: FloatArray) -> tuple[int, float | None]:
    """Correlation of log pace on one landmark stretch with the next, over tracks."""
    xs, ys = [], []
    for row in times:
        ok = np.flatnonzero(np.isfinite(row))
        for a in range(len(ok) - 2):
            i, j, k = (int(v) for v in ok[a : a + 3])
            d1, d2 = row[j] - row[i], row[k] - row[j]
            if d1 > 0 and d2 > 0 and pred[i, j] > 0 and pred[j, k] > 0:
                xs.append(math.log(d1 / pred[i, j]))
                ys.append(math.log(d2 / pred[j, k]))
    if len(xs) < 3:
        return len(xs), None
    return len(xs), float(np.corrcoef(xs, ys)[0, 1])


#: bins of elapsed time so far (s) for the persistence table
_MEMORY_BINS_S = (0.0, 1800.0, 3600.0, 7200.0, 14400.0, math.inf)


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


def persistence_at(memory: Mapping[str, Any], elapsed_s: float) -> float:
    """The exponent b of the pace so far after watching a walker for ``elapsed_s``.

    ``b = elapsed / (elapsed + memory_s)``: a walker seen for a short while is mostly the
    median walker; one seen for hours mostly keeps the pace shown.
    """
    t0 = float(memory["memory_s"])
    return max(elapsed_s, 0.0) / (max(elapsed_s, 0.0) + t0)


def _pace_samples(
    times: FloatArray, pred: FloatArray, ratio_q: Mapping[str, Sequence[float]]
) -> Iterator[tuple[float, float, float, float]]:
    """Per landmark pair of a training track with a pace so far: elapsed time since the first
    landmark, log of the pace so far (elapsed over the median walker's), log of the time
    ahead over the median walker's, and that median time ahead (s)."""
    from routes.eta_eval import ratio_quantiles_at

    def est(t: float) -> float:
        return t * (ratio_quantiles_at(ratio_q, t)[1] if ratio_q else 1.0)

    for row, first, i, j in landmark_pairs(times):
        elapsed = float(row[i] - row[first])
        actual = float(row[j] - row[i])
        if i == first or elapsed <= 0 or actual <= 0:
            continue
        ahead = est(float(pred[i, j]))
        pace_so_far = math.log(elapsed / est(float(pred[first, i])))
        yield elapsed, pace_so_far, math.log(actual / ahead), ahead


def pace_memory(
    times: FloatArray,
    pred: FloatArray,
    ratio_q: Mapping[str, Sequence[float]],
    *,
    moving_times: FloatArray | None = None,
    moving_pred: FloatArray | None = None,
) -> dict[str, Any]:
    """How a walker's pace so far predicts the rest, measured on (training) tracks.

    For every track, origin landmark (not its first) and later destination: x = log(time so
    far / the model's median time so far), y = log(actual remaining / model remaining), both
    model times scaled by the trip-length median ``ratio_q["p50"]`` as ``eval-eta`` predicts.
    ``memory_s`` is the T0 of ``b(T) = T / (T + T0)`` (T the elapsed time so far) minimising
    the squared error of ``y - b(T) x`` over a log grid; ``by_elapsed`` gives the free
    least-squares b per bin of T for comparison.  ``consecutive_r`` is the correlation of log
    pace between consecutive landmark stretches, with stops (total) and without (moving).

    Returns
    -------
    dict
        ``memory_s``, ``n_samples``, ``by_elapsed``, ``consecutive_r``; ``{}`` without samples.
    """
    rows = [sample[:3] for sample in _pace_samples(times, pred, ratio_q)]
    if not rows:
        return {}
    arr = np.array(rows)
    t, x, y = arr[:, 0], arr[:, 1], arr[:, 2]
    grid = np.geomspace(300.0, 300000.0, 121)
    sse = [float(np.sum((y - t / (t + t0) * x) ** 2)) for t0 in grid]
    by_elapsed = []
    for lo, hi in zip(_MEMORY_BINS_S[:-1], _MEMORY_BINS_S[1:], strict=True):
        sel = (t >= lo) & (t < hi)
        if sel.sum() >= 10 and float(np.sum(x[sel] ** 2)) > 0:
            by_elapsed.append(
                {
                    "elapsed_from_s": lo,
                    "elapsed_to_s": None if math.isinf(hi) else hi,
                    "n": int(sel.sum()),
                    "b": round(float(np.sum(x[sel] * y[sel]) / np.sum(x[sel] ** 2)), 3),
                    "r": round(float(np.corrcoef(x[sel], y[sel])[0, 1]), 3),
                }
            )
    n_total, r_total = _consecutive_r(times, pred)
    out: dict[str, Any] = {
        "memory_s": round(float(grid[int(np.argmin(sse))]), 1),
        "n_samples": len(rows),
        "by_elapsed": by_elapsed,
        "consecutive_r": {"total": _r(r_total, 3), "n_total": n_total},
    }
    if moving_times is not None and moving_pred is not None:
        n_mov, r_mov = _consecutive_r(moving_times, moving_pred)
        out["consecutive_r"].update(moving=_r(r_mov, 3), n_moving=n_mov)
    return out


def _lad_line(x: FloatArray, y: FloatArray, iterations: int = 50) -> tuple[float, float]:
    """(intercept, slope) of the least-absolute-deviation line y ~ a + b x (IRLS, deterministic)."""
    design = np.column_stack([np.ones_like(x), x])
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    for _ in range(iterations):
        w = np.sqrt(1.0 / np.maximum(np.abs(y - design @ beta), 1e-3))
        beta = np.linalg.lstsq(design * w[:, None], y * w, rcond=None)[0]
    return float(beta[0]), float(beta[1])


def pace_conditioning(
    times: FloatArray,
    pred: FloatArray,
    ratio_q: Mapping[str, Sequence[float]],
    *,
    n_range_bins: int = 6,
) -> dict[str, Any]:
    """How a walker's pace so far predicts the time ahead, fitted on (training) tracks.

    For every track, origin landmark (not its first) and later destination:
    x = log(time so far / the model's time so far), y = log(time ahead / the model's time
    ahead), model times scaled by the trip-length median ``ratio_q["p50"]`` as ``eval-eta``
    predicts.  Per bin of elapsed time (``_MEMORY_BINS_S``) the least-absolute-deviation line
    ``y = intercept + slope * x``, slope kept in [0, 1] (a median, since the ETA error is
    scored as an absolute error); then p10/p90 of the residual ``exp(y - line)`` in
    ``n_range_bins`` bins of the trip's model time (``range``: ``pred_s`` bin medians,
    ``p10``, ``p90``), the 80 % range of a walker whose pace so far is known.

    Returns
    -------
    dict
        ``method``, ``n_samples``, ``by_elapsed`` (``elapsed_from_s``, ``elapsed_to_s``,
        ``n``, ``intercept``, ``slope``; bins with fewer than 10 samples are left out),
        ``range``; ``{}`` without a bin.
    """
    rows = list(_pace_samples(times, pred, ratio_q))
    if not rows:
        return {}
    arr = np.array(rows)
    t, x, y, ahead_s = arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]
    by_elapsed = []
    resid = np.full(len(t), np.nan)
    for lo, hi in zip(_MEMORY_BINS_S[:-1], _MEMORY_BINS_S[1:], strict=True):
        sel = (t >= lo) & (t < hi)
        if sel.sum() < 10:
            continue
        a, b = _lad_line(x[sel], y[sel])
        if not 0.0 <= b <= 1.0:  # a pace that reverses, or grows, is noise of a thin bin
            b = min(max(b, 0.0), 1.0)
            a = float(np.median(y[sel] - b * x[sel]))
        resid[sel] = y[sel] - (a + b * x[sel])
        by_elapsed.append(
            {
                "elapsed_from_s": lo,
                "elapsed_to_s": None if math.isinf(hi) else hi,
                "n": int(sel.sum()),
                "intercept": round(a, 4),
                "slope": round(b, 4),
            }
        )
    if not by_elapsed:
        return {}
    ok = np.isfinite(resid)
    t, ahead_s, resid = t[ok], ahead_s[ok], resid[ok]
    order = np.argsort(ahead_s, kind="stable")
    rng: dict[str, list[float]] = {"pred_s": [], "p10": [], "p90": []}
    for chunk in np.array_split(order, n_range_bins):
        rng["pred_s"].append(round(float(np.median(ahead_s[chunk])), 1))
        for q in (10, 90):
            rng[f"p{q}"].append(round(float(np.exp(np.quantile(resid[chunk], q / 100.0))), 4))
    return {
        "method": "least-absolute-deviation line per elapsed-time bin (log time ratios)",
        "n_samples": len(rows),
        "by_elapsed": by_elapsed,
        "range": rng,
    }


#: stops so far and expected are compared as log((stops + pad) / (expected + pad)): a walker
#: who has not stopped yet on a stretch where the median walker stops a minute is no outlier
STOP_PAD_S = 600.0
#: moving time so far below this is too short to measure a pace
_MIN_MOVING_S = 60.0


#: the clock term of the ETA is centred here (local hours): the training walkers' median
#: hour at a landmark
CLOCK_CENTRE_H = 11.0


def clock_hours(t_s: float, utc_offset_h: float) -> float:
    """Local clock hour (0-24) of a track time ``t_s`` in seconds from a UTC midnight (the
    Unix epoch of ``project_tracks``, 2000-01-01 of ``tracks_from_frame``)."""
    return (t_s / 3600.0 + utc_offset_h) % 24.0


def stop_excess(stops_s: float, expected_stops_s: float) -> float:
    """Log ratio of a walker's stop time so far to the expected one (padded, see STOP_PAD_S)."""
    return math.log((max(stops_s, 0.0) + STOP_PAD_S) / (max(expected_stops_s, 0.0) + STOP_PAD_S))


def moving_pace(moving_s: float, expected_moving_s: float) -> float:
    """Log ratio of a walker's moving time so far to the median walker's on the same stretch."""
    return math.log(max(moving_s, _MIN_MOVING_S) / max(expected_moving_s, _MIN_MOVING_S))


def moving_pace_conditioning(
    times: FloatArray,
    moving: FloatArray,
    pred: FloatArray,
    ratio_q: Mapping[str, Sequence[float]],
    ids: Sequence[str],
    *,
    n_range_bins: int = 6,
    min_pair_n: int = 10,
    clock_utc_offset_h: float = 8.0,
) -> dict[str, Any]:
    """How a walker's moving pace and stops so far predict the time ahead (training tracks).

    ``times`` and ``moving`` are arrival times and cumulative moving times (dense tracks x
    landmarks ``ids``, NaN where not covered), ``pred[i, j]`` the median-walker model time.

    1. **Stretch times**: the median moving time and the mean stop time (time - moving
       time) of each consecutive landmark stretch: what the median walker moves and what a
       walker stops on average.
    2. For every track, origin landmark (not its first) and later destination:
       ``x_move = log(moving so far / median moving so far)`` (:func:`moving_pace`),
       ``x_stop = log((stops so far + 600 s) / (mean stops so far + 600 s))``
       (:func:`stop_excess`), ``h`` the local clock hour at the origin less 11
       (:func:`clock_hours`, ``clock_utc_offset_h``: Beijing time for Kailash),
       ``y = log(time ahead / model time ahead)``, the model time scaled by the trip-length
       median ``ratio_q["p50"]`` as ``eval-eta`` predicts.  Per bin of elapsed time the
       least-absolute-deviation fit ``y = intercept + moving_slope * x_move + stop_slope *
       x_stop + clock_slope * h + clock_curvature * h**2`` (a median: the ETA error is
       scored as an absolute error), the median of what it leaves per landmark pair with
       ``min_pair_n`` samples or more (``pair_offsets``: the stretch's own stops and fit),
       then p10/p90 of ``exp(residual)`` by the trip's model time (``range``).
    3. Walkers watched from no earlier landmark (the origin is their first): the median y
       per landmark pair with ``min_pair_n`` samples or more (``first_pair_offsets``) and the
       range left (``range_no_pace``).

    Returns
    -------
    dict
        ``method``, ``stop_pad_s``, ``stretch_ids``, ``stretch_moving_s``,
        ``stretch_stop_s``, ``n_samples``, ``by_elapsed`` (``elapsed_from_s``,
        ``elapsed_to_s``, ``n``, ``intercept``, ``moving_slope``, ``stop_slope``,
        ``clock_slope``, ``clock_curvature``, ``pair_offsets``), ``clock_utc_offset_h``,
        ``clock_centre_h``, ``clock_range_h``,
        ``range``, ``first_pair_offsets`` (``from``, ``to``, ``n``, ``offset``),
        ``range_no_pace``; ``{}`` with too few samples.
    """
    from routes.eta_eval import ratio_quantiles_at

    k = len(ids)
    if times.shape != moving.shape or times.shape[1:] != (k,) or len(times) < 10:
        return {}
    seg_t = np.diff(times, axis=1)
    seg_m = np.diff(moving, axis=1)
    ok = np.isfinite(seg_t) & np.isfinite(seg_m)
    if (ok.sum(axis=0) < min_pair_n).any():
        return {}
    seg_move = np.array([float(np.median(seg_m[ok[:, s], s])) for s in range(k - 1)])
    seg_stop = np.array(
        [
            float(np.mean(np.clip(seg_t[ok[:, s], s] - seg_m[ok[:, s], s], 0, None)))
            for s in range(k - 1)
        ]
    )
    cum_move = np.r_[0.0, np.cumsum(seg_move)]
    cum_stop = np.r_[0.0, np.cumsum(seg_stop)]

    def est(t: float) -> float:
        return t * (ratio_quantiles_at(ratio_q, t)[1] if ratio_q else 1.0)

    known: list[tuple[float, ...]] = []
    first: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for row_t, row_m in zip(times, moving, strict=True):
        ok_r = np.flatnonzero(np.isfinite(row_t) & np.isfinite(row_m))
        if len(ok_r) < 2:
            continue
        f = int(ok_r[0])
        for a, i in enumerate(ok_r[:-1]):
            for j in ok_r[a + 1 :]:
                i_, j_ = int(i), int(j)
                actual = float(row_t[j_] - row_t[i_])
                ahead = est(float(pred[i_, j_]))
                if actual <= 0 or ahead <= 0:
                    continue
                y_log = math.log(actual / ahead)
                if i_ == f:
                    first.setdefault((i_, j_), []).append((y_log, ahead))
                    continue
                elapsed = float(row_t[i_] - row_t[f])
                mv = float(row_m[i_] - row_m[f])
                x_move = moving_pace(mv, float(cum_move[i_] - cum_move[f]))
                x_stop = stop_excess(elapsed - mv, float(cum_stop[i_] - cum_stop[f]))
                h = clock_hours(float(row_t[i_]), clock_utc_offset_h) - CLOCK_CENTRE_H
                known.append((elapsed, x_move, x_stop, y_log, ahead, h, i_, j_))
    if len(known) < 10:
        return {}
    arr = np.array(known)
    t, xm, xs, y, ahead_s, hour = (arr[:, c] for c in range(6))
    pair_i, pair_j = arr[:, 6].astype(int), arr[:, 7].astype(int)
    by_elapsed = []
    resid = np.full(len(t), np.nan)
    for lo, hi in zip(_MEMORY_BINS_S[:-1], _MEMORY_BINS_S[1:], strict=True):
        sel = (t >= lo) & (t < hi)
        if sel.sum() < 10:
            continue
        design = np.column_stack([xm[sel], xs[sel], hour[sel], hour[sel] ** 2])
        beta = _lad(design, y[sel])
        r = y[sel] - (beta[0] + design @ beta[1:])
        # what the plane leaves per landmark pair (the stretch ahead's own stops, its fit)
        pair_off = []
        shift = np.zeros(len(r))
        pairs_here = zip(pair_i[sel].tolist(), pair_j[sel].tolist(), strict=True)
        for i_, j_ in sorted(set(pairs_here)):
            at = (pair_i[sel] == i_) & (pair_j[sel] == j_)
            if at.sum() >= min_pair_n:
                off = float(np.median(r[at]))
                shift[at] = off
                pair_off.append(
                    {"from": ids[i_], "to": ids[j_], "n": int(at.sum()), "offset": round(off, 4)}
                )
        resid[sel] = r - shift
        by_elapsed.append(
            {
                "elapsed_from_s": lo,
                "elapsed_to_s": None if math.isinf(hi) else hi,
                "n": int(sel.sum()),
                "intercept": round(float(beta[0]), 4),
                "moving_slope": round(float(beta[1]), 4),
                "stop_slope": round(float(beta[2]), 4),
                "clock_slope": round(float(beta[3]), 5),
                "clock_curvature": round(float(beta[4]), 5),
                "pair_offsets": pair_off,
            }
        )
    if not by_elapsed:
        return {}
    fin = np.isfinite(resid)
    offsets = []
    f_resid: list[float] = []
    f_ahead: list[float] = []
    for (i_, j_), samples in sorted(first.items()):
        ys = np.array([s[0] for s in samples])
        off = float(np.median(ys)) if len(ys) >= min_pair_n else 0.0
        if len(ys) >= min_pair_n:
            offsets.append({"from": ids[i_], "to": ids[j_], "n": len(ys), "offset": round(off, 4)})
        f_resid.extend(float(v) for v in ys - off)
        f_ahead.extend(s[1] for s in samples)
    return {
        "method": "moving pace and stops so far apart; least-absolute-deviation plane per "
        "elapsed-time bin (log time ratios); training tracks sampled every 30 s or denser",
        "stop_pad_s": STOP_PAD_S,
        "clock_utc_offset_h": clock_utc_offset_h,
        "clock_centre_h": CLOCK_CENTRE_H,
        # the hours the training walkers were seen at a landmark (p01, p99): the clock term
        # is a parabola, not to be extrapolated
        "clock_range_h": [
            round(float(np.quantile(hour, q)) + CLOCK_CENTRE_H, 2) for q in (0.01, 0.99)
        ],
        "stretch_ids": list(ids),
        "stretch_moving_s": [round(float(v), 1) for v in seg_move],
        "stretch_stop_s": [round(float(v), 1) for v in seg_stop],
        "n_samples": len(known),
        "by_elapsed": by_elapsed,
        "range": _residual_range(resid[fin], ahead_s[fin], n_range_bins),
        "first_pair_offsets": offsets,
        "range_no_pace": _residual_range(np.array(f_resid), np.array(f_ahead), n_range_bins)
        if len(f_resid) >= 10 * n_range_bins
        else {},
    }


def _lad(x: FloatArray, y: FloatArray, iterations: int = 60) -> FloatArray:
    """Least-absolute-deviation coefficients (intercept first) of y on the columns of x (IRLS)."""
    design = np.column_stack([np.ones(len(y)), x])
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    for _ in range(iterations):
        w = np.sqrt(1.0 / np.maximum(np.abs(y - design @ beta), 1e-3))
        beta = np.linalg.lstsq(design * w[:, None], y * w, rcond=None)[0]
    out: FloatArray = np.asarray(beta, dtype=np.float64)
    return out


def _residual_range(resid: FloatArray, ahead_s: FloatArray, n_bins: int) -> dict[str, list[float]]:
    """p10/p90 of ``exp(resid)`` in ``n_bins`` bins of the time ahead (``pred_s`` medians)."""
    order = np.argsort(ahead_s, kind="stable")
    rng: dict[str, list[float]] = {"pred_s": [], "p10": [], "p90": []}
    for chunk in np.array_split(order, n_bins):
        rng["pred_s"].append(round(float(np.median(ahead_s[chunk])), 1))
        for q in (10, 90):
            rng[f"p{q}"].append(round(float(np.exp(np.quantile(resid[chunk], q / 100.0))), 4))
    return rng


def _pair_samples(
    times: FloatArray, pred: FloatArray
) -> list[tuple[float | None, float, int, int]]:
    """(log pace so far or None, actual, origin, destination) for every covered pair.

    The pace so far is the time from the track's first covered landmark to the origin over
    the median walker's; None when the origin is the first covered landmark.
    """
    out: list[tuple[float | None, float, int, int]] = []
    for row, first, i, j in landmark_pairs(times):
        x = None if i == first else math.log((row[i] - row[first]) / pred[first, i])
        out.append((x, float(row[j] - row[i]), i, j))
    return out


def _ratio_quantiles(
    times: FloatArray, pred: FloatArray, n_bins: int = 8
) -> dict[str, list[float]]:
    """p10/p50/p90 of actual / predicted trip time, in bins of the predicted time.

    Short trips vary relatively more than the whole stretch (one stop more or less doubles a
    20-minute trip), so the 80 % range of a trip is taken from trips of its length, not from
    the walkers' whole-stretch pace.
    """
    pred_s, ratio = [], []
    for _x, actual, i, j in _pair_samples(times, pred):
        if actual > 0 and pred[i, j] > 0:
            pred_s.append(pred[i, j])
            ratio.append(actual / pred[i, j])
    if len(pred_s) < 10 * n_bins:
        return {}
    p, r = np.log(np.asarray(pred_s)), np.asarray(ratio)
    # every landmark pair has one predicted time: bins take whole pairs, in order of time
    order = np.argsort(p, kind="stable")
    out: dict[str, list[float]] = {"pred_s": [], "p10": [], "p50": [], "p90": []}
    for chunk in np.array_split(order, n_bins):
        sel = chunk
        out["pred_s"].append(float(np.exp(np.median(p[sel]))))
        for q in (10, 50, 90):
            out[f"p{q}"].append(float(np.quantile(r[sel], q / 100.0)))
    return out


def _pace_persistence(times: FloatArray, pred: FloatArray) -> float:
    """Slope b of log(remaining pace) = b * log(pace so far), through the origin, in [0, 1].

    ``times`` are arrival times (tracks x landmarks, NaN where not covered), ``pred[i, j]``
    the median-walker time from landmark i to j.
    """
    sxy = sxx = 0.0
    for x, actual, i, j in _pair_samples(times, pred):
        if x is not None and actual > 0:
            sxy += x * math.log(actual / pred[i, j])
            sxx += x * x
    return min(max(sxy / sxx, 0.0), 1.0) if sxx > 0 else 0.0


def _pair_report(
    times: FloatArray,
    pred: FloatArray,
    length: FloatArray,
    baseline_speed: float,
    persistence: float,
    pace_range: tuple[float, float],
) -> PairReport:
    """ETA error from each landmark to every later one, with and without the pace so far."""
    samples = _pair_samples(times, pred)
    if not samples:
        return PairReport(0, None, None, None)
    err_med, err_pace, err_base = [], [], []
    for x, actual, i, j in samples:
        est = (
            1.0 if x is None else min(max(math.exp(persistence * x), pace_range[0]), pace_range[1])
        )
        err_med.append(abs(pred[i, j] - actual))
        err_pace.append(abs(pred[i, j] * est - actual))
        err_base.append(abs(length[i, j] / baseline_speed - actual))
    return PairReport(
        n_pairs=len(samples),
        mae_s=float(np.mean(err_med)),
        pace_conditioned_mae_s=float(np.mean(err_pace)),
        baseline_mae_s=float(np.mean(err_base)),
    )
