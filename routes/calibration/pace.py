"""How a walker's pace so far carries on, measured on the training tracks.

Every training track gives, for every landmark it passes and every later one, the pace shown
so far and the time it then took: :func:`ratio_quantiles` (the 80 % trip range by trip
length, ``eta_ratio_quantiles``), :func:`pace_persistence` (one exponent),
:func:`pace_memory` (the exponent by time watched) and :func:`pace_conditioning` (the
least-absolute-deviation line per bin of time watched), read at run time by
:mod:`routes.eta`; :func:`pair_report` scores them on the held-out tracks.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from routes.calibrated import PairReport
from routes.calibration.tracks import landmark_pairs
from routes.eta import ratio_quantiles_at

__all__ = [
    "MEMORY_BINS_S",
    "pace_conditioning",
    "pace_memory",
    "pace_persistence",
    "pair_report",
    "ratio_quantiles",
]

FloatArray = npt.NDArray[np.float64]


def _r(v: float | None, nd: int = 1) -> float | None:
    return None if v is None else round(float(v), nd)


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
MEMORY_BINS_S = (0.0, 1800.0, 3600.0, 7200.0, 14400.0, math.inf)


def _pace_samples(
    times: FloatArray, pred: FloatArray, ratio_q: Mapping[str, Sequence[float]]
) -> Iterator[tuple[float, float, float, float]]:
    """Per landmark pair of a training track with a pace so far: elapsed time since the first
    landmark, log of the pace so far (elapsed over the median walker's), log of the time
    ahead over the median walker's, and that median time ahead (s)."""

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
    for lo, hi in zip(MEMORY_BINS_S[:-1], MEMORY_BINS_S[1:], strict=True):
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
    predicts.  Per bin of elapsed time (``MEMORY_BINS_S``) the least-absolute-deviation line
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
    for lo, hi in zip(MEMORY_BINS_S[:-1], MEMORY_BINS_S[1:], strict=True):
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


def ratio_quantiles(times: FloatArray, pred: FloatArray, n_bins: int = 8) -> dict[str, list[float]]:
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


def pace_persistence(times: FloatArray, pred: FloatArray) -> float:
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


def pair_report(
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
