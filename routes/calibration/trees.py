"""Fit the boosted-tree ETAs (``calibration.json`` ``eta_trees``) and cross-validate them.

Training (:func:`fit_eta_trees`, ``sandtable calibrate-eta`` and ``build-region``) uses
scikit-learn's ``HistGradientBoostingRegressor`` with the absolute-error loss (a median: the
ETA is scored as an absolute error) on the calibration's training tracks only; the
parameters were chosen by 5-fold cross-validation by track id on those tracks
(:func:`cross_validate`).  The ensembles are stored as arrays (:func:`fit_ensemble`) and
evaluated at run time with numpy (:func:`routes.eta_trees.predict`).  The 80 % range is
p10/p90 of the out-of-fold residuals (5 folds by track id) in bins of the time ahead, so it is
the spread of predictions on tracks the trees did not see.  The features are described in
:mod:`routes.eta_trees`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from geodata.errors import InvalidInput
from routes.calibrated import Calibration
from routes.calibration.moving import moving_pace_conditioning, residual_range
from routes.calibration.pace import pace_conditioning
from routes.calibration.speed import pair_predictions
from routes.calibration.tracks import arrival_moving_table, as_track, landmark_pairs
from routes.eta import (
    clock_hours,
    moving_pace,
    moving_pace_eta,
    own_pace,
    ratio_quantiles_at,
    stop_excess,
)
from routes.eta_trees import GPS_FEATURES, TWO_TIMES_FEATURES, predict

__all__ = [
    "TREE_PARAMS",
    "TripTable",
    "cross_validate",
    "cv_fold",
    "fit_ensemble",
    "fit_eta_trees",
    "trip_table",
]

FloatArray = npt.NDArray[np.float64]

#: chosen by 5-fold CV by track id on the Kailash training tracks (README, issue 14)
TREE_PARAMS: dict[str, Any] = {
    "loss": "absolute_error",
    "max_iter": 200,
    "max_depth": 2,
    "learning_rate": 0.1,
    "min_samples_leaf": 200,
    "early_stopping": False,
    "random_state": 0,
}

N_FOLDS = 5

_N_RANGE_BINS = 6

#: thresholds and leaf values are stored rounded (JSON size); predictions use the rounded ones
_DECIMALS = 4


def cv_fold(track_id: str, n_folds: int = N_FOLDS) -> int:
    """The cross-validation fold of a track: ``sha256("cv:{track_id}") mod n_folds``."""
    return int(hashlib.sha256(f"cv:{track_id}".encode()).hexdigest(), 16) % n_folds


@dataclass(frozen=True)
class TripTable:
    """Every landmark-to-landmark trip of some tracks, with both feature sets."""

    gps: FloatArray  # trips x GPS_FEATURES
    two_times: FloatArray  # trips x TWO_TIMES_FEATURES (watched trips meaningful only)
    ahead_s: FloatArray  # scaled model time ahead
    actual_s: FloatArray
    track: npt.NDArray[np.intp]  # row of the track in the arrival table
    watched: npt.NDArray[np.bool_]
    dense: npt.NDArray[np.bool_]  # moving time known so far (or not watched)
    pair: npt.NDArray[np.intp]  # i * k + j


def stretch_times(times: FloatArray, moving: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Median moving time and mean stop time of each consecutive landmark stretch over the
    tracks with both (as :func:`routes.calibration.moving.moving_pace_conditioning`)."""
    seg_t, seg_m = np.diff(times, axis=1), np.diff(moving, axis=1)
    ok = np.isfinite(seg_t) & np.isfinite(seg_m)
    k1 = times.shape[1] - 1
    if len(times) == 0 or (ok.sum(axis=0) == 0).any():
        raise InvalidInput("a landmark stretch has no densely sampled track")
    move = np.array([float(np.median(seg_m[ok[:, s], s])) for s in range(k1)])
    stop = np.array(
        [
            float(np.mean(np.clip(seg_t[ok[:, s], s] - seg_m[ok[:, s], s], 0, None)))
            for s in range(k1)
        ]
    )
    return move, stop


def trip_table(
    times: FloatArray,
    moving: FloatArray,
    ahead: FloatArray,
    marks_m: Sequence[float] | FloatArray,
    stretch_moving_s: Sequence[float] | FloatArray,
    stretch_stop_s: Sequence[float] | FloatArray,
    clock_utc_offset_h: float,
) -> TripTable:
    """Features of every trip of the tracks (rows of ``times``/``moving``, landmarks in
    order); ``ahead[i, j]`` is the scaled model time from landmark i to j."""
    cm = np.r_[0.0, np.cumsum(np.asarray(stretch_moving_s, dtype=float))]
    cs = np.r_[0.0, np.cumsum(np.asarray(stretch_stop_s, dtype=float))]
    marks = np.asarray(marks_m, dtype=float)
    k = times.shape[1]
    gps, two, meta = [], [], []
    trips = (
        (tr, f, i, j)
        for tr in range(len(times))
        for _r, f, i, j in landmark_pairs(times[tr : tr + 1])
    )
    for tr, f, i, j in trips:
        t_row, m_row = times[tr], moving[tr]
        watched = i != f
        el = float(t_row[i] - t_row[f])
        mv = float(m_row[i] - m_row[f])
        dense = math.isfinite(mv)
        x_el = math.log(el / float(ahead[f, i])) if watched and el > 0 else 0.0
        log_el = math.log(el) if watched and el > 0 else 0.0
        if watched and dense:
            x_move = moving_pace(mv, float(cm[i] - cm[f]))
            x_stop = stop_excess(el - mv, float(cs[i] - cs[f]))
            h = i - 1
            mv_l = float(m_row[i] - m_row[h])
            x_move_l = moving_pace(mv_l, float(cm[i] - cm[h]))
            x_stop_l = stop_excess(float(t_row[i] - t_row[h]) - mv_l, float(cs[i] - cs[h]))
        else:
            x_move = x_stop = x_move_l = x_stop_l = 0.0
        clock = clock_hours(float(t_row[i]), clock_utc_offset_h)
        a = float(ahead[i, j])
        gps.append(
            (
                float(watched),
                x_move,
                x_stop,
                x_el,
                log_el,
                x_move_l,
                x_stop_l,
                clock,
                marks[i] / 1000.0,
                marks[j] / 1000.0,
                math.log(a),
                float(cs[j] - cs[i]),
            )
        )
        two.append((x_el, log_el, clock, math.log(a)))
        meta.append((a, float(t_row[j] - t_row[i]), tr, watched, dense or not watched, i * k + j))
    n = len(meta)
    m = np.array(meta, dtype=float).reshape(n, 6)
    return TripTable(
        gps=np.array(gps, dtype=float).reshape(n, len(GPS_FEATURES)),
        two_times=np.array(two, dtype=float).reshape(n, len(TWO_TIMES_FEATURES)),
        ahead_s=m[:, 0],
        actual_s=m[:, 1],
        track=m[:, 2].astype(np.intp),
        watched=m[:, 3] > 0,
        dense=m[:, 4] > 0,
        pair=m[:, 5].astype(np.intp),
    )


def fit_ensemble(x: FloatArray, y: FloatArray) -> dict[str, Any]:
    """A ``HistGradientBoostingRegressor`` (``TREE_PARAMS``) fitted to ``x``, ``y``, as arrays.

    Each tree: ``feature``, ``threshold`` and ``left``/``right`` per split node (a child
    ``>= 0`` is a split node, ``-1 - n`` is leaf n), ``leaf`` values; a row goes left when
    its feature is ``<= threshold``.  The prediction is ``baseline`` plus one leaf per tree.
    """
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    # one OpenMP thread: the same trees on any machine (the committed key is reproduced
    # exactly), and a fit that leaves the other cores alone
    with threadpool_limits(limits=1, user_api="openmp"):
        model = HistGradientBoostingRegressor(**TREE_PARAMS).fit(x, y)
    trees = []
    # the fitted trees: scikit-learn keeps them as node tables, one per iteration, in the
    # private ``_predictors`` (``_baseline_prediction`` the constant); a test compares this
    # copy's predictions with scikit-learn's own, so a change there fails loudly
    for (predictor,) in model._predictors:
        nodes = predictor.nodes
        split = [n for n in range(len(nodes)) if not nodes["is_leaf"][n]]
        leaves = [n for n in range(len(nodes)) if nodes["is_leaf"][n]]
        code = {n: s for s, n in enumerate(split)} | {n: -1 - q for q, n in enumerate(leaves)}
        trees.append(
            {
                "feature": [int(nodes["feature_idx"][n]) for n in split],
                "threshold": [round(float(nodes["num_threshold"][n]), _DECIMALS) for n in split],
                "left": [code[int(nodes["left"][n])] for n in split],
                "right": [code[int(nodes["right"][n])] for n in split],
                "leaf": [round(float(nodes["value"][n]), _DECIMALS) for n in leaves],
            }
        )
    return {
        "baseline": round(float(np.ravel(model._baseline_prediction)[0]), _DECIMALS),
        "trees": trees,
    }


def _fit_with_range(
    x: FloatArray, y: FloatArray, ahead_s: FloatArray, folds: Any
) -> dict[str, Any]:
    """The ensemble on every row and the 80 % range from out-of-fold residuals."""
    resid = np.full(len(y), np.nan)
    for k in range(N_FOLDS):
        test = folds == k
        if test.any() and (~test).any():
            resid[test] = y[test] - predict(fit_ensemble(x[~test], y[~test]), x[test])
    ok = np.isfinite(resid)
    return {
        **fit_ensemble(x, y),
        "n_samples": int(len(y)),
        "range": residual_range(resid[ok], ahead_s[ok], _N_RANGE_BINS),
    }


@dataclass(frozen=True)
class _Training:
    table: TripTable
    folds: npt.NDArray[np.intp]
    ids: list[str]
    marks_m: list[float]
    stretch_moving_s: list[float]
    stretch_stop_s: list[float]
    distance_s: FloatArray  # distance-only time per trip
    tracks: list[str]
    times: FloatArray  # arrival times, tracks x landmarks
    moving: FloatArray  # cumulative moving times, the same
    model_s: FloatArray  # median-walker model time between landmarks (unscaled)


def _scaled_ahead(cal: Calibration, model: FloatArray) -> FloatArray:

    table = cal.eta_ratio_quantiles or None
    out = np.full(model.shape, np.nan)
    for i, j in zip(*np.triu_indices(len(model), 1), strict=True):
        mid = ratio_quantiles_at(table, float(model[i, j]))[1] if table else 1.0
        out[i, j] = float(model[i, j]) * mid
    return out


def _training(tracks: Iterable[Any], calibration: Mapping[str, Any], centreline: Any) -> _Training:

    cal = Calibration.from_dict(calibration)
    held = set(cal.holdout_track_ids)
    train = [t for t in (as_track(t) for t in tracks) if t.track_id not in held]
    ids, arrive, times, moving, names, _skipped, index = arrival_moving_table(
        train, cal, centreline
    )
    if len(names) < 2 * N_FOLDS:
        raise InvalidInput(f"too few training tracks to fit the ETA trees ({len(names)})")
    pred = pair_predictions(cal, index, ids, arrive)
    move, stop = stretch_times(times, moving)
    marks = [float(arrive[p]) for p in ids]
    utc = float(cal.moving_pace_conditioning.get("clock_utc_offset_h", 8.0))
    table = trip_table(times, moving, _scaled_ahead(cal, pred["model"]), marks, move, stop, utc)
    folds = np.array([cv_fold(names[t]) for t in table.track], dtype=np.intp)
    k = len(ids)
    dist = pred["length"][table.pair // k, table.pair % k] / cal.baseline_speed_mps
    return _Training(
        table,
        folds,
        ids,
        marks,
        [float(v) for v in move],
        [float(v) for v in stop],
        dist,
        names,
        times,
        moving,
        pred["model"],
    )


def fit_eta_trees(
    tracks: Iterable[Any], calibration: Mapping[str, Any], centreline: Any
) -> dict[str, Any]:
    """``calibration.json`` ``eta_trees`` fitted on the calibration's training tracks.

    Raises
    ------
    InvalidInput
        If the calibration is incomplete or there are too few training tracks.
    """
    d = _training(tracks, calibration, centreline)
    t = d.table
    ok = t.actual_s > 0
    y = np.log(np.where(ok, t.actual_s, 1.0) / t.ahead_s)
    gps_rows = ok & t.dense
    two_rows = ok & t.watched
    cal = Calibration.from_dict(calibration)
    return {
        "method": "gradient-boosted trees (scikit-learn HistGradientBoostingRegressor, "
        "absolute-error loss) of log(time ahead / model time ahead); ranges from out-of-fold "
        f"residuals ({N_FOLDS} folds by track id); training tracks only",
        "params": {k: v for k, v in TREE_PARAMS.items()},
        "clock_utc_offset_h": float(cal.moving_pace_conditioning.get("clock_utc_offset_h", 8.0)),
        "stretch_ids": d.ids,
        "stretch_m": [round(v, 1) for v in d.marks_m],
        "stretch_moving_s": [round(v, 1) for v in d.stretch_moving_s],
        "stretch_stop_s": [round(v, 1) for v in d.stretch_stop_s],
        "n_tracks": len(d.tracks),
        "gps": {
            "features": list(GPS_FEATURES),
            **_fit_with_range(t.gps[gps_rows], y[gps_rows], t.ahead_s[gps_rows], d.folds[gps_rows]),
        },
        "two_times": {
            "features": list(TWO_TIMES_FEATURES),
            **_fit_with_range(
                t.two_times[two_rows], y[two_rows], t.ahead_s[two_rows], d.folds[two_rows]
            ),
        },
    }


def cross_validate(
    tracks: Iterable[Any], calibration: Mapping[str, Any], centreline: Any
) -> dict[str, Any]:
    """5-fold CV by track id on the training tracks: the trees against the fitted lines.

    For each fold, ``gps`` and ``two_times`` trees and ``moving_pace_conditioning`` (the
    least-absolute-deviation planes) are fitted on the other folds and scored on it, as
    ``eval-eta`` scores (the GPS model where the moving time is known, else the two-times
    one; the planes, else the elapsed-pace lines ``pace_conditioning``, also refitted per
    fold): pooled MAE and improvement over distance only, over every trip (``trees``,
    ``planes``) and over the trips with a pace so far for the two-times call
    (``two_times_trees_on_watched``, ``elapsed_lines_on_watched``, ``planes_on_watched``).
    ``sandtable calibrate-eta --cv`` prints it.
    """
    from dataclasses import replace

    d = _training(tracks, calibration, centreline)
    t, ids, times, moving, pred = d.table, d.ids, d.times, d.moving, d.model_s
    cal = Calibration.from_dict(calibration)
    ok = t.actual_s > 0
    y = np.log(np.where(ok, t.actual_s, 1.0) / t.ahead_s)
    trees_p = np.full(len(y), np.nan)
    lad_p = np.full(len(y), np.nan)
    two_p = np.full(len(y), np.nan)
    line_p = np.full(len(y), np.nan)
    utc = float(cal.moving_pace_conditioning.get("clock_utc_offset_h", 8.0))
    table = dict(cal.eta_ratio_quantiles)
    for k in range(N_FOLDS):
        test, fit = d.folds == k, d.folds != k
        g = fit & ok & t.dense
        w = fit & ok & t.watched
        gm, tm = fit_ensemble(t.gps[g], y[g]), fit_ensemble(t.two_times[w], y[w])
        use_gps = test & t.dense
        trees_p[use_gps] = t.ahead_s[use_gps] * np.exp(predict(gm, t.gps[use_gps]))
        sel = test & t.watched
        two_p[sel] = t.ahead_s[sel] * np.exp(predict(tm, t.two_times[sel]))
        trees_p[test & ~t.dense] = two_p[test & ~t.dense]
        rows = np.unique(t.track[fit])
        dense = np.all(np.isfinite(moving[rows]) | ~np.isfinite(times[rows]), axis=1)
        mpc = moving_pace_conditioning(
            times[rows][dense], moving[rows][dense], pred, table, ids, clock_utc_offset_h=utc
        )
        pc = pace_conditioning(times[rows], pred, table)
        c2 = replace(cal, moving_pace_conditioning=mpc, pace_conditioning=pc)
        k_ = len(ids)
        for n in np.flatnonzero(test):
            i, j, tr = int(t.pair[n] // k_), int(t.pair[n] % k_), int(t.track[n])
            row = times[tr]
            f = int(np.flatnonzero(np.isfinite(row))[0])
            el = None if i == f else float(row[i] - row[f])
            if el is not None:
                pace = own_pace(c2, el, float(pred[f, i]), table=table) if el > 0 else 1.0
                line_p[n] = t.ahead_s[n] * pace
            if not mpc.get("by_elapsed"):  # too few tracks in the fold for the planes
                lad_p[n] = line_p[n] if el is not None else t.ahead_s[n]
            elif t.dense[n]:
                eta = moving_pace_eta(
                    c2,
                    ids[f],
                    ids[i],
                    ids[j],
                    float(pred[i, j]),
                    elapsed_s=el,
                    moving_s=None if el is None else float(moving[tr][i] - moving[tr][f]),
                    clock_h=clock_hours(float(row[i]), utc),
                )
                lad_p[n] = eta["p50_s"]
            else:
                lad_p[n] = line_p[n]
    a, dist = t.actual_s, d.distance_s

    def score(p: FloatArray, sel: Any) -> dict[str, float]:
        mae = float(np.abs(p[sel] - a[sel]).mean())
        return {
            "mae_s": round(mae, 1),
            "distance_only_mae_s": round(float(np.abs(dist[sel] - a[sel]).mean()), 1),
            "improvement_vs_distance_only": round(
                1.0 - mae / float(np.abs(dist[sel] - a[sel]).mean()), 4
            ),
        }

    every = np.ones(len(a), dtype=bool)
    return {
        "n_tracks": len(d.tracks),
        "n_trips": int(len(a)),
        "trees": score(trees_p, every),
        "planes": score(lad_p, every),
        "two_times_trees_on_watched": score(two_p, t.watched),
        "elapsed_lines_on_watched": score(line_p, t.watched),
        "planes_on_watched": score(lad_p, t.watched),
    }
