"""A walker's time ahead from ``calibration.json`` (what the service runs).

- :func:`ratio_quantiles_at`: p10/p50/p90 of actual / predicted for a trip of a given
  predicted length (``eta_ratio_quantiles``), the 80 % range of a walker nobody has watched;
- :func:`own_pace` / :func:`own_pace_eta`: a walker known from two times (``pace_conditioning``,
  else ``pace_memory`` or ``pace_persistence``);
- :func:`moving_pace_eta`: a walker whose GPS track is known so far, moving pace and stops
  kept apart (``moving_pace_conditioning``);
- the features those read (:func:`moving_pace`, :func:`stop_excess`, :func:`clock_hours`,
  :func:`persistence_at`), shared with the offline fit (:mod:`routes.calibration`), which
  computes the same features on the training tracks.

The boosted trees (``eta_trees``) are evaluated by :mod:`routes.eta_trees`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from geodata.errors import InvalidInput
from routes.calibrated import Calibration

__all__ = [
    "CLOCK_CENTRE_H",
    "STOP_PAD_S",
    "check_seconds",
    "clock_hours",
    "moving_pace",
    "moving_pace_eta",
    "own_pace",
    "own_pace_eta",
    "persistence_at",
    "range_factors_at",
    "ratio_quantiles_at",
    "stop_excess",
]

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


def persistence_at(memory: Mapping[str, Any], elapsed_s: float) -> float:
    """The exponent b of the pace so far after watching a walker for ``elapsed_s``.

    ``b = elapsed / (elapsed + memory_s)``: a walker seen for a short while is mostly the
    median walker; one seen for hours mostly keeps the pace shown.
    """
    t0 = float(memory["memory_s"])
    return max(elapsed_s, 0.0) / (max(elapsed_s, 0.0) + t0)


def ratio_quantiles_at(
    table: Mapping[str, Sequence[float]] | None, pred_s: float
) -> tuple[float, float, float]:
    """(p10, p50, p90) of actual / predicted for a trip predicted to take ``pred_s``.

    ``table`` is ``calibration["eta_ratio_quantiles"]``: ``pred_s`` (bin centres) and ``p10``,
    ``p50``, ``p90`` at each; interpolated on log time, constant beyond the ends.
    """
    if not table:
        raise InvalidInput("calibration has no eta_ratio_quantiles")
    x = np.log(np.asarray(table["pred_s"], dtype=float))
    lp = math.log(max(pred_s, 1.0))
    return tuple(
        float(np.interp(lp, x, np.asarray(table[k], dtype=float))) for k in ("p10", "p50", "p90")
    )  # type: ignore[return-value]


def check_seconds(**values: float) -> None:
    for name, v in values.items():
        if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v) or v <= 0:
            raise InvalidInput(f"{name}={v!r} must be a positive number of seconds")


def _as_calibration(calibration: Calibration | Mapping[str, Any]) -> Calibration:
    if isinstance(calibration, Calibration):
        return calibration
    return Calibration.from_dict(calibration)


def _conditioning_line(conditioning: Mapping[str, Any], elapsed_s: float) -> tuple[float, float]:
    """(intercept, slope) of ``pace_conditioning`` for a walker watched ``elapsed_s``."""

    def gap(b: Mapping[str, Any]) -> float:
        lo = float(b["elapsed_from_s"])
        hi = math.inf if b["elapsed_to_s"] is None else float(b["elapsed_to_s"])
        return max(lo - elapsed_s, elapsed_s - hi, 0.0)

    # the bin holding elapsed_s, else the nearest fitted one
    best = min(conditioning["by_elapsed"], key=gap)
    return float(best["intercept"]), float(best["slope"])


def own_pace(
    calibration: Calibration | Mapping[str, Any],
    elapsed_s: float,
    median_elapsed_s: float,
    *,
    table: Mapping[str, Sequence[float]] | None = None,
) -> float:
    """A walker's own pace multiplier from two times: how long they took from a known point.

    ``elapsed_s`` is the walker's time from a known passage (a departure, an earlier
    landmark) to a later one, ``median_elapsed_s`` the model's median-walker time for the
    same stretch (``routes.costs.duration_s`` with the pilgrim profile, or the eval's pair
    prediction).  Multiply the model's median time ahead (already scaled by the trip-length
    median, ``ratio_quantiles_at(...)[1]``) by the result.

    With ``calibration.json`` ``pace_conditioning`` (fitted on training tracks) the
    multiplier is ``exp(intercept + slope * x)``, x = log(pace shown against the model's own
    trip-length-scaled estimate), with the line of the elapsed-time bin: half an hour says
    little, four hours a lot.  Without it, the older ``pace_memory`` exponent
    ``b = elapsed / (elapsed + memory_s)``, or the fixed ``pace_persistence``.  Clipped to
    the walkers' p05-p95 pace.

    Raises
    ------
    InvalidInput
        If a time is not a positive finite number.
    """
    cal = _as_calibration(calibration)
    check_seconds(elapsed_s=elapsed_s, median_elapsed_s=median_elapsed_s)
    q = cal.pace_quantiles
    if table is None:
        table = cal.eta_ratio_quantiles or None
    mid = ratio_quantiles_at(table, median_elapsed_s)[1] if table else 1.0
    if cal.pace_conditioning.get("by_elapsed"):
        a, b = _conditioning_line(cal.pace_conditioning, elapsed_s)
        pace = math.exp(a + b * math.log(elapsed_s / (median_elapsed_s * mid)))
    elif cal.pace_memory.get("memory_s"):
        pace = (elapsed_s / (median_elapsed_s * mid)) ** persistence_at(cal.pace_memory, elapsed_s)
    else:
        pace = (elapsed_s / median_elapsed_s) ** cal.pace_persistence
    return float(min(max(pace, q["p05"]), q["p95"]))


def own_pace_eta(
    calibration: Calibration | Mapping[str, Any],
    elapsed_s: float,
    median_elapsed_s: float,
    ahead_s: float,
) -> dict[str, float]:
    """The time ahead of a walker whose pace so far is known, as p10 / p50 / p90 seconds.

    The call for a walker's own pace ("we left Darchen at 8, now it is 13:30"): ``elapsed_s``
    is their time from the known passage to now (or to a later known passage),
    ``median_elapsed_s`` the median walker's model time for that stretch and ``ahead_s`` the
    median walker's model time for the stretch ahead (both ``routes.costs.duration_s`` with
    the pilgrim profile).  ``p50_s`` is the trip-length-scaled model time times
    :func:`own_pace`; the 80 % range is the spread left once the pace is known
    (``pace_conditioning["range"]``), or the walkers' trip-length range
    (``eta_ratio_quantiles``) scaled by the pace where the calibration lacks it.

    Returns
    -------
    dict
        ``p10_s``, ``p50_s``, ``p90_s`` and ``pace`` (the multiplier used).

    Raises
    ------
    InvalidInput
        If a time is not a positive finite number or the calibration has no trip-length
        quantiles.
    """
    cal = _as_calibration(calibration)
    check_seconds(elapsed_s=elapsed_s, median_elapsed_s=median_elapsed_s, ahead_s=ahead_s)
    table = cal.eta_ratio_quantiles or None
    r10, r50, r90 = ratio_quantiles_at(table, ahead_s)
    pace = own_pace(cal, elapsed_s, median_elapsed_s, table=table)
    est = ahead_s * r50 * pace
    rng = cal.pace_conditioning.get("range") if cal.pace_conditioning else None
    if rng:
        lo, hi = range_factors_at(rng, ahead_s * r50)
        p10, p90 = est * lo, est * hi
    else:
        p10, p90 = ahead_s * r10 * pace, ahead_s * r90 * pace
    return {"p10_s": float(p10), "p50_s": float(est), "p90_s": float(p90), "pace": pace}


def moving_pace_eta(
    calibration: Calibration | Mapping[str, Any],
    first: str,
    origin: str,
    destination: str,
    ahead_s: float,
    *,
    elapsed_s: float | None = None,
    moving_s: float | None = None,
    clock_h: float | None = None,
) -> dict[str, float]:
    """The time from landmark ``origin`` to ``destination`` of a walker watched since
    ``first``, with the moving pace and the stops so far kept apart (p10 / p50 / p90 s).

    The walker's GPS track gives ``elapsed_s`` (time from ``first`` to ``origin``) and
    ``moving_s`` (the part of it spent moving); ``ahead_s`` is the median walker's model time
    from ``origin`` to ``destination`` (:func:`routes.calibration.speed.pair_predictions`
    ``model``).  With ``calibration.json`` ``moving_pace_conditioning``
    (:func:`routes.calibration.moving.moving_pace_conditioning`, training tracks only): the
    trip-length-scaled model time times
    ``exp(intercept + moving_slope * x_move + stop_slope * x_stop)`` of the elapsed-time
    bin (with its clock term at ``clock_h``, the local hour at the origin kept within
    ``clock_range_h``, and the pair's
    offset where fitted), the factor clipped to the walkers' p05-p95 pace, and its residual
    range.  A walker
    with no earlier landmark (``origin == first`` or no times) gets the pair's offset
    (``first_pair_offsets``) and ``range_no_pace``.  Without the table, or without a moving
    time (a track too sparse to tell moving from stopped), use the two-times
    :func:`own_pace_eta` (elapsed pace) instead.

    Returns
    -------
    dict
        ``p10_s``, ``p50_s``, ``p90_s`` and ``pace`` (the factor on the scaled model time).

    Raises
    ------
    InvalidInput
        A time that is not a positive number, a landmark the table does not know, or a
        calibration without trip-length quantiles.
    """
    cal = _as_calibration(calibration)
    check_seconds(ahead_s=ahead_s)
    table = cal.eta_ratio_quantiles or None
    if table:
        r10, r50, r90 = ratio_quantiles_at(table, ahead_s)
    else:  # the walkers' whole-stretch pace spread
        r10, r50, r90 = cal.pace_quantiles["p10"], 1.0, cal.pace_quantiles["p90"]
    est = ahead_s * r50
    mpc = cal.moving_pace_conditioning
    watched = origin != first and elapsed_s is not None
    if watched and elapsed_s is not None:
        check_seconds(elapsed_s=elapsed_s)
    if not mpc.get("by_elapsed"):
        if watched and elapsed_s is not None:
            raise InvalidInput("calibration has no moving_pace_conditioning; use own_pace_eta")
        return {"p10_s": ahead_s * r10, "p50_s": est, "p90_s": ahead_s * r90, "pace": 1.0}
    ids = list(mpc["stretch_ids"])
    for name, pid in (("first", first), ("origin", origin), ("destination", destination)):
        if pid not in ids:
            raise InvalidInput(f"{name}={pid!r} is not a landmark of moving_pace_conditioning")
    if not ids.index(first) <= ids.index(origin) < ids.index(destination):
        raise InvalidInput(f"landmarks out of order: {first!r}, {origin!r}, {destination!r}")
    if not watched:
        off = next(
            (
                float(o["offset"])
                for o in mpc.get("first_pair_offsets") or ()
                if o["from"] == origin and o["to"] == destination
            ),
            0.0,
        )
        pace = math.exp(off)
        rng = mpc.get("range_no_pace")
        if rng:
            lo, hi = range_factors_at(rng, est)
            return {
                "p10_s": est * pace * lo,
                "p50_s": est * pace,
                "p90_s": est * pace * hi,
                "pace": pace,
            }
        return {"p10_s": ahead_s * r10, "p50_s": est * pace, "p90_s": ahead_s * r90, "pace": pace}
    if elapsed_s is None or moving_s is None or not math.isfinite(moving_s):
        raise InvalidInput("a walker watched since an earlier landmark needs moving_s")
    a, b = ids.index(first), ids.index(origin)
    exp_move = float(sum(mpc["stretch_moving_s"][a:b]))
    exp_stop = float(sum(mpc["stretch_stop_s"][a:b]))
    moving = min(max(float(moving_s), 0.0), elapsed_s)
    x_move = moving_pace(moving, exp_move)
    x_stop = stop_excess(elapsed_s - moving, exp_stop)
    line = _conditioning_bin(mpc, elapsed_s)
    h = 0.0
    if clock_h is not None:  # within the hours the walkers were seen at
        lo_h, hi_h = mpc.get("clock_range_h") or (clock_h, clock_h)
        h = min(max(float(clock_h), float(lo_h)), float(hi_h)) - float(mpc["clock_centre_h"])
    off = next(
        (
            float(o["offset"])
            for o in line.get("pair_offsets") or ()
            if o["from"] == origin and o["to"] == destination
        ),
        0.0,
    )
    q = cal.pace_quantiles
    pace = math.exp(
        float(line["intercept"])
        + float(line["moving_slope"]) * x_move
        + float(line["stop_slope"]) * x_stop
        + float(line.get("clock_slope", 0.0)) * h
        + float(line.get("clock_curvature", 0.0)) * h * h
        + off
    )
    pace = float(min(max(pace, q["p05"]), q["p95"]))
    lo, hi = range_factors_at(mpc["range"], est)
    return {"p10_s": est * pace * lo, "p50_s": est * pace, "p90_s": est * pace * hi, "pace": pace}


def _conditioning_bin(conditioning: Mapping[str, Any], elapsed_s: float) -> Mapping[str, Any]:
    """The ``by_elapsed`` entry holding ``elapsed_s``, else the nearest one."""

    def gap(b: Mapping[str, Any]) -> float:
        lo = float(b["elapsed_from_s"])
        hi = math.inf if b["elapsed_to_s"] is None else float(b["elapsed_to_s"])
        return max(lo - elapsed_s, elapsed_s - hi, 0.0)

    best: Mapping[str, Any] = min(conditioning["by_elapsed"], key=gap)
    return best


def range_factors_at(rng: Mapping[str, Sequence[float]], est_s: float) -> tuple[float, float]:
    """(p10, p90) factors of ``pace_conditioning["range"]`` at a model time ahead of ``est_s``."""
    x = np.log(np.asarray(rng["pred_s"], dtype=float))
    lp = math.log(max(est_s, 1.0))
    return (
        float(np.interp(lp, x, np.asarray(rng["p10"], dtype=float))),
        float(np.interp(lp, x, np.asarray(rng["p90"], dtype=float))),
    )
