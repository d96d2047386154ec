"""Boosted-tree walking times with the walker's data so far, evaluated with numpy
(issue 14, ``calibration.json`` ``eta_trees``).

Two gradient-boosted tree ensembles predict ``y = log(time ahead / model time ahead)``, the
model time scaled by the trip-length median (``eta_ratio_quantiles`` p50) as ``eval-eta``
predicts:

- **gps** (a walker whose GPS track is known so far): whether the walker was watched from an
  earlier landmark, the moving pace and the stop excess so far (:func:`routes.eta.
  moving_pace`, :func:`routes.eta.stop_excess`, against the median moving time and the
  mean stop time per landmark stretch), the elapsed pace so far, the log time watched, the
  moving pace and stop excess on the last stretch, the local clock hour at the origin, the
  origin and destination measures (km along the calibrated stretch), the log model time ahead
  and the mean stop time ahead;
- **two_times** (a call with two times and places: no moving time, any route): the elapsed
  pace so far, the log time watched, the clock hour at the origin and the log model time
  ahead; nothing tied to a place, so it carries to routes the tracks never walked.

The ensembles are fitted offline (:mod:`routes.calibration.trees`, scikit-learn), stored as
arrays (split feature, threshold, children, leaf values) and evaluated here with numpy
(:func:`predict`): serving imports no scikit-learn.  The 80 % range (``range``) is p10/p90 of
the out-of-fold residuals in bins of the time ahead (:func:`range_at`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from geodata.errors import InvalidInput
from routes.eta import CLOCK_CENTRE_H, check_seconds, ratio_quantiles_at

__all__ = [
    "GPS_FEATURES",
    "TWO_TIMES_FEATURES",
    "predict",
    "range_at",
    "two_times_eta",
]

FloatArray = npt.NDArray[np.float64]

GPS_FEATURES: tuple[str, ...] = (
    "watched",
    "x_move",
    "x_stop",
    "x_elapsed",
    "log_elapsed_s",
    "x_move_last",
    "x_stop_last",
    "clock_h",
    "origin_km",
    "destination_km",
    "log_ahead_s",
    "stops_ahead_s",
)

TWO_TIMES_FEATURES: tuple[str, ...] = ("x_elapsed", "log_elapsed_s", "clock_h", "log_ahead_s")


@dataclass(frozen=True)
class _Packed:
    """An ensemble's trees padded to one table (trees x nodes), walked all at once."""

    start: npt.NDArray[np.intp]  # 0, or -1 for a tree that is a single leaf
    feature: npt.NDArray[np.intp]
    threshold: FloatArray
    left: npt.NDArray[np.intp]
    right: npt.NDArray[np.intp]
    leaf: FloatArray


#: packed tables of the ensembles last predicted with (keyed by id, the ensemble kept alive)
_PACKED: dict[int, tuple[Mapping[str, Any], _Packed]] = {}


def _packed(ensemble: Mapping[str, Any]) -> _Packed:
    hit = _PACKED.get(id(ensemble))
    if hit is not None and hit[0] is ensemble:
        return hit[1]
    trees = ensemble["trees"]
    n_split = max([len(t["feature"]) for t in trees] + [1])
    n_leaf = max([len(t["leaf"]) for t in trees] + [1])

    def table(key: str, width: int, dtype: Any) -> Any:
        out = np.zeros((len(trees), width), dtype=dtype)
        for r, t in enumerate(trees):
            out[r, : len(t[key])] = t[key]
        return out

    packed = _Packed(
        start=np.array([0 if t["feature"] else -1 for t in trees], dtype=np.intp),
        feature=table("feature", n_split, np.intp),
        threshold=table("threshold", n_split, float),
        left=table("left", n_split, np.intp),
        right=table("right", n_split, np.intp),
        leaf=table("leaf", n_leaf, float),
    )
    if len(_PACKED) >= 16:
        _PACKED.clear()
    _PACKED[id(ensemble)] = (ensemble, packed)
    return packed


def predict(ensemble: Mapping[str, Any], x: FloatArray) -> FloatArray:
    """The ensemble's prediction for each row of ``x`` (numpy only): ``baseline`` plus the
    leaf each tree sends the row to, every tree walked at once, one level per step."""
    x = np.atleast_2d(np.asarray(x, dtype=float))
    out = np.full(len(x), float(ensemble["baseline"]))
    if not ensemble["trees"] or not len(x):
        return out
    p = _packed(ensemble)
    n_trees = len(p.start)
    tree = np.broadcast_to(np.arange(n_trees), (len(x), n_trees))
    row = np.broadcast_to(np.arange(len(x))[:, None], (len(x), n_trees))
    node = np.broadcast_to(p.start, (len(x), n_trees)).copy()
    for _ in range(p.feature.shape[1] + 1):  # a path visits each split node once at most
        active = node >= 0
        if not active.any():
            break
        at = np.where(active, node, 0)
        go_left = x[row, p.feature[tree, at]] <= p.threshold[tree, at]
        node = np.where(active, np.where(go_left, p.left[tree, at], p.right[tree, at]), node)
    out += p.leaf[tree, -1 - node].sum(axis=1)
    return out


def range_at(
    rng: Mapping[str, Sequence[float]], ahead_s: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(p10, p90) factors of a ``range`` table at model times ahead ``ahead_s``."""
    x = np.log(np.asarray(rng["pred_s"], dtype=float))
    lp = np.log(np.maximum(np.asarray(ahead_s, dtype=float), 1.0))
    return (
        np.interp(lp, x, np.asarray(rng["p10"], dtype=float)),
        np.interp(lp, x, np.asarray(rng["p90"], dtype=float)),
    )


def two_times_eta(
    calibration: Mapping[str, Any],
    elapsed_s: float,
    median_elapsed_s: float,
    ahead_s: float,
    *,
    clock_h: float | None = None,
) -> dict[str, float]:
    """p10 / p50 / p90 of the time ahead of a walker known from two times (``two_times``).

    As :func:`routes.eta.own_pace_eta`: ``elapsed_s`` is the walker's time between the
    two passages, ``median_elapsed_s`` and ``ahead_s`` the median walker's model times for
    that stretch and the one ahead (both scaled here by the trip-length median,
    ``eta_ratio_quantiles`` p50); ``clock_h`` the local hour at the later passage (the
    training walkers' median hour, 11, when unknown).  ``pace`` is ``p50_s`` over the
    median walker's scaled time ahead.

    Raises
    ------
    InvalidInput
        A time that is not a positive number; a calibration without ``eta_trees``.
    """

    check_seconds(elapsed_s=elapsed_s, median_elapsed_s=median_elapsed_s, ahead_s=ahead_s)
    trees = calibration.get("eta_trees") or {}
    if not trees.get("two_times"):
        raise InvalidInput("calibration has no eta_trees two_times model")
    table = calibration.get("eta_ratio_quantiles") or None

    def scaled(t: float) -> float:
        return t * (ratio_quantiles_at(table, t)[1] if table else 1.0)

    model = trees["two_times"]
    ahead = scaled(ahead_s)
    h = CLOCK_CENTRE_H if clock_h is None else float(clock_h) % 24.0
    x = np.array(
        [[math.log(elapsed_s / scaled(median_elapsed_s)), math.log(elapsed_s), h, math.log(ahead)]]
    )
    est = ahead * math.exp(float(predict(model, x)[0]))
    lo, hi = range_at(model["range"], np.array([ahead]))
    return {
        "p10_s": est * float(lo[0]),
        "p50_s": est,
        "p90_s": est * float(hi[0]),
        "pace": est / ahead,
    }
