"""Moving pace and stops so far, kept apart (``calibration.json`` ``moving_pace_conditioning``).

Fitted on the densely sampled training tracks by :func:`moving_pace_conditioning` (in
``build-region``) or :func:`fit_moving_pace` (``sandtable calibrate-eta``); read at run time by
:func:`routes.eta.moving_pace_eta`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from geodata.errors import InvalidInput
from routes.calibrated import Calibration
from routes.calibration.pace import MEMORY_BINS_S
from routes.calibration.speed import pair_predictions
from routes.calibration.tracks import arrival_moving_table, as_track
from routes.eta import (
    CLOCK_CENTRE_H,
    STOP_PAD_S,
    clock_hours,
    moving_pace,
    ratio_quantiles_at,
    stop_excess,
)

__all__ = ["fit_moving_pace", "moving_pace_conditioning", "residual_range"]

FloatArray = npt.NDArray[np.float64]


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
       ``x_move = log(moving so far / median moving so far)`` (:func:`routes.eta.moving_pace`),
       ``x_stop = log((stops so far + 600 s) / (mean stops so far + 600 s))``
       (:func:`routes.eta.stop_excess`), ``h`` the local clock hour at the origin less 11
       (:func:`routes.eta.clock_hours`, ``clock_utc_offset_h``: Beijing time for Kailash),
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

    k = len(ids)
    if times.shape != moving.shape or times.shape[1:] != (k,) or len(times) < 10:
        return {}
    stretch = _stretch_means(times, moving, min_pair_n)
    if stretch is None:
        return {}
    seg_move, seg_stop = stretch
    known, first = _samples(times, moving, pred, ratio_q, seg_move, seg_stop, clock_utc_offset_h)
    if len(known) < 10:
        return {}
    arr = np.array(known)
    hour = arr[:, 5]
    by_elapsed, resid = _planes(arr, ids, min_pair_n)
    if not by_elapsed:
        return {}
    fin = np.isfinite(resid)
    offsets, f_resid, f_ahead = _first_offsets(first, ids, min_pair_n)
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
        "range": residual_range(resid[fin], arr[:, 4][fin], n_range_bins),
        "first_pair_offsets": offsets,
        "range_no_pace": residual_range(np.array(f_resid), np.array(f_ahead), n_range_bins)
        if len(f_resid) >= 10 * n_range_bins
        else {},
    }


def _stretch_means(
    times: FloatArray, moving: FloatArray, min_pair_n: int
) -> tuple[FloatArray, FloatArray] | None:
    """Median moving time and mean stop time of each consecutive landmark stretch, None when
    a stretch has fewer than ``min_pair_n`` tracks with both."""
    k = times.shape[1]
    seg_t = np.diff(times, axis=1)
    seg_m = np.diff(moving, axis=1)
    ok = np.isfinite(seg_t) & np.isfinite(seg_m)
    if (ok.sum(axis=0) < min_pair_n).any():
        return None
    seg_move = np.array([float(np.median(seg_m[ok[:, s], s])) for s in range(k - 1)])
    seg_stop = np.array(
        [
            float(np.mean(np.clip(seg_t[ok[:, s], s] - seg_m[ok[:, s], s], 0, None)))
            for s in range(k - 1)
        ]
    )
    return seg_move, seg_stop


def _samples(
    times: FloatArray,
    moving: FloatArray,
    pred: FloatArray,
    ratio_q: Mapping[str, Sequence[float]],
    seg_move: FloatArray,
    seg_stop: FloatArray,
    clock_utc_offset_h: float,
) -> tuple[list[tuple[float, ...]], dict[tuple[int, int], list[tuple[float, float]]]]:
    """Per trip of a watched walker ``(elapsed, x_move, x_stop, y, ahead, hour - centre, i,
    j)``; per landmark pair, ``(y, ahead)`` of the walkers watched from no earlier landmark."""
    cum_move = np.r_[0.0, np.cumsum(seg_move)]
    cum_stop = np.r_[0.0, np.cumsum(seg_stop)]

    def est(t: float) -> float:
        return t * (ratio_quantiles_at(ratio_q, t)[1] if ratio_q else 1.0)

    known: list[tuple[float, ...]] = []
    first: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for row_t, row_m, f, i_, j_ in _trips(times, moving):
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
    return known, first


def _trips(
    times: FloatArray, moving: FloatArray
) -> Iterator[tuple[FloatArray, FloatArray, int, int, int]]:
    """``(times row, moving row, first, i, j)`` for every pair ``i < j`` of landmarks a track
    reached with both times; ``first`` the first of them."""
    for row_t, row_m in zip(times, moving, strict=True):
        ok_r = np.flatnonzero(np.isfinite(row_t) & np.isfinite(row_m))
        if len(ok_r) < 2:
            continue
        f = int(ok_r[0])
        for a, i in enumerate(ok_r[:-1]):
            for j in ok_r[a + 1 :]:
                yield row_t, row_m, f, int(i), int(j)


def _planes(
    arr: FloatArray, ids: Sequence[str], min_pair_n: int
) -> tuple[list[dict[str, Any]], FloatArray]:
    """The least-absolute-deviation plane of each elapsed-time bin with its pair offsets, and
    the residuals it leaves (NaN in bins with fewer than 10 samples)."""
    t, xm, xs, y, _ahead_s, hour = (arr[:, c] for c in range(6))
    pair_i, pair_j = arr[:, 6].astype(int), arr[:, 7].astype(int)
    by_elapsed = []
    resid = np.full(len(t), np.nan)
    for lo, hi in zip(MEMORY_BINS_S[:-1], MEMORY_BINS_S[1:], strict=True):
        sel = (t >= lo) & (t < hi)
        if sel.sum() < 10:
            continue
        design = np.column_stack([xm[sel], xs[sel], hour[sel], hour[sel] ** 2])
        beta = _lad(design, y[sel])
        r = y[sel] - (beta[0] + design @ beta[1:])
        pair_off, shift = _pair_offsets(r, pair_i[sel], pair_j[sel], ids, min_pair_n)
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
    return by_elapsed, resid


def _pair_offsets(
    r: FloatArray,
    pair_i: npt.NDArray[np.int_],
    pair_j: npt.NDArray[np.int_],
    ids: Sequence[str],
    min_pair_n: int,
) -> tuple[list[dict[str, Any]], FloatArray]:
    """What the plane leaves per landmark pair (the stretch ahead's own stops, its fit): the
    median residual of each pair with ``min_pair_n`` samples or more, and that shift per row."""
    pair_off = []
    shift = np.zeros(len(r))
    for i_, j_ in sorted(set(zip(pair_i.tolist(), pair_j.tolist(), strict=True))):
        at = (pair_i == i_) & (pair_j == j_)
        if at.sum() >= min_pair_n:
            off = float(np.median(r[at]))
            shift[at] = off
            pair_off.append(
                {"from": ids[i_], "to": ids[j_], "n": int(at.sum()), "offset": round(off, 4)}
            )
    return pair_off, shift


def _first_offsets(
    first: Mapping[tuple[int, int], Sequence[tuple[float, float]]],
    ids: Sequence[str],
    min_pair_n: int,
) -> tuple[list[dict[str, Any]], list[float], list[float]]:
    """Walkers watched from no earlier landmark: the median y per landmark pair with
    ``min_pair_n`` samples or more, and the residuals and times ahead it leaves."""
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
    return offsets, f_resid, f_ahead


def _lad(x: FloatArray, y: FloatArray, iterations: int = 60) -> FloatArray:
    """Least-absolute-deviation coefficients (intercept first) of y on the columns of x (IRLS)."""
    design = np.column_stack([np.ones(len(y)), x])
    beta = np.linalg.lstsq(design, y, rcond=None)[0]
    for _ in range(iterations):
        w = np.sqrt(1.0 / np.maximum(np.abs(y - design @ beta), 1e-3))
        beta = np.linalg.lstsq(design * w[:, None], y * w, rcond=None)[0]
    out: FloatArray = np.asarray(beta, dtype=np.float64)
    return out


def residual_range(resid: FloatArray, ahead_s: FloatArray, n_bins: int) -> dict[str, list[float]]:
    """p10/p90 of ``exp(resid)`` in ``n_bins`` bins of the time ahead (``pred_s`` medians)."""
    order = np.argsort(ahead_s, kind="stable")
    rng: dict[str, list[float]] = {"pred_s": [], "p10": [], "p90": []}
    for chunk in np.array_split(order, n_bins):
        rng["pred_s"].append(round(float(np.median(ahead_s[chunk])), 1))
        for q in (10, 90):
            rng[f"p{q}"].append(round(float(np.exp(np.quantile(resid[chunk], q / 100.0))), 4))
    return rng


def fit_moving_pace(
    tracks: Iterable[Any], calibration: Mapping[str, Any], centreline: Any
) -> dict[str, Any]:
    """``moving_pace_conditioning`` re-derived from ``tracks`` (``sandtable calibrate-eta``).

    Only the calibration's training tracks are used (every track not in
    ``split.holdout_track_ids``), with the same arrivals, model times and trip-length
    medians as :func:`routes.calibration.evaluate_eta`; the fit is
    :func:`moving_pace_conditioning`, as ``build-region`` runs it.

    Raises
    ------
    InvalidInput
        If the calibration is incomplete or too few training tracks are sampled densely.
    """

    cal = Calibration.from_dict(calibration)
    held = set(cal.holdout_track_ids)
    train = [t for t in (as_track(t) for t in tracks) if t.track_id not in held]
    ids, arrive, times, moving, _names, _skipped, index = arrival_moving_table(
        train, cal, centreline
    )
    dense = np.all(np.isfinite(moving) | ~np.isfinite(times), axis=1) & np.isfinite(moving).any(
        axis=1
    )
    pred = pair_predictions(cal, index, ids, arrive)["model"]
    out = moving_pace_conditioning(
        times[dense], moving[dense], pred, dict(cal.eta_ratio_quantiles), ids
    )
    if not out:
        raise InvalidInput(
            f"too few densely sampled training tracks to fit the moving pace ({int(dense.sum())})"
        )
    return out
