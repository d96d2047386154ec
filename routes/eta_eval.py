"""Landmark-to-landmark walking-time error on GPS tracks (``sandtable eval-eta``).

For every track and every pair of landmarks it passes (origin before destination along the
tracked stretch), the actual time between its arrivals is compared with:

- **model**: the calibrated walking model for the median walker, moving time by gradient and
  altitude, the stop time typical at the landmarks passed (``dwell_s``) and the residual rest
  allowance for the stops elsewhere (``Calibration.dwell_model``), scaled by the median of
  actual / predicted for trips of that length (``eta_ratio_quantiles``) where the
  calibration has it;
- **distance only**: the stretch's length at the median training speed;
- **Naismith** (5 km/h + 1 h per 600 m of ascent) and **Tobler** (no altitude term, no rests).

The 80 % range of the model is p10-p90 of actual / predicted for trips of that length on
training tracks (``eta_ratio_quantiles``), or the walker pace p10-p90 where that is missing.
Arrival at a landmark is computed exactly as in :func:`routes.calibrate.calibrate` (50 m
before its measure, running maximum of progress). Tracks are held out by id: by default only
the tracks the calibration held out (``split.holdout_track_ids``) are scored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex
from routes.calibrate import (
    _ARRIVAL_BEFORE_M,
    Calibration,
    _as_track,
    _centreline_coords,
    _moving_times,
    _naismith_s,
    _passages,
    clock_hours,
    landmark_pairs,
    moving_pace,
    persistence_at,
    stop_excess,
)
from routes.costs import WalkingModel

__all__ = [
    "EtaReport",
    "evaluate_eta",
    "fit_moving_pace",
    "format_eta_report",
    "own_pace",
    "moving_pace_eta",
    "own_pace_eta",
    "ratio_quantiles_at",
]

#: an ETA within this of the truth counts as "within 10 min"
WITHIN_S = 600.0


@dataclass(frozen=True)
class EtaReport:
    """Errors over every (track, origin, destination) of the scored tracks."""

    n_tracks: int
    n_pairs: int
    holdout_only: bool
    mae_s: float | None
    distance_only_mae_s: float | None
    naismith_mae_s: float | None
    tobler_mae_s: float | None
    pace_conditioned_mae_s: float | None
    within_10min: float | None
    distance_only_within_10min: float | None
    range80_coverage: float | None
    pace_conditioned_range80_coverage: float | None
    range80_below: float | None
    range80_above: float | None
    improvement_vs_distance_only: float | None
    #: with the walker's pace so far (pairs whose origin is the track's first landmark have
    #: none and keep the median walker's time)
    pace_conditioned_improvement_vs_distance_only: float | None
    n_pairs_pace_known: int
    pace_known_mae_s: float | None
    pace_known_distance_only_mae_s: float | None
    #: the scored tracks' own median time per landmark pair: a bound, not a predictor (it is
    #: fitted on the tracks it scores), on what any walker-blind ETA can reach
    oracle_static_mae_s: float | None
    oracle_static_improvement_vs_distance_only: float | None
    by_duration: tuple[dict[str, Any], ...]
    skipped: Mapping[str, str]
    #: the boosted trees with the walker's data so far (``calibration.json`` ``eta_trees``):
    #: the GPS model where the moving time is known (or no pace yet), the two-times model
    #: for a track too sparse to tell moving from stopped; None without the key
    trees_mae_s: float | None = None
    trees_improvement_vs_distance_only: float | None = None
    trees_within_10min: float | None = None
    trees_range80_coverage: float | None = None
    #: the two-times trees (what a call with two times is served) on the trips with a pace
    #: so far, against the elapsed-pace lines (``own_pace``) on the same trips
    two_times_trees_mae_s: float | None = None
    two_times_trees_range80_coverage: float | None = None
    two_times_lines_mae_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``sandtable eval-eta --json``)."""
        out = asdict(self)
        out["by_duration"] = list(self.by_duration)
        out["skipped"] = dict(self.skipped)
        return out


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


def _check_seconds(**values: float) -> None:
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
    _check_seconds(elapsed_s=elapsed_s, median_elapsed_s=median_elapsed_s)
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
    _check_seconds(elapsed_s=elapsed_s, median_elapsed_s=median_elapsed_s, ahead_s=ahead_s)
    table = cal.eta_ratio_quantiles or None
    r10, r50, r90 = ratio_quantiles_at(table, ahead_s)
    pace = own_pace(cal, elapsed_s, median_elapsed_s, table=table)
    est = ahead_s * r50 * pace
    rng = cal.pace_conditioning.get("range") if cal.pace_conditioning else None
    if rng:
        lo, hi = _range_at(rng, ahead_s * r50)
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
    from ``origin`` to ``destination`` (:func:`pair_predictions` ``model``).  With
    ``calibration.json`` ``moving_pace_conditioning`` (:func:`routes.calibrate.
    moving_pace_conditioning`, training tracks only): the trip-length-scaled model time times
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
    _check_seconds(ahead_s=ahead_s)
    table = cal.eta_ratio_quantiles or None
    if table:
        r10, r50, r90 = ratio_quantiles_at(table, ahead_s)
    else:  # the walkers' whole-stretch pace spread
        r10, r50, r90 = cal.pace_quantiles["p10"], 1.0, cal.pace_quantiles["p90"]
    est = ahead_s * r50
    mpc = cal.moving_pace_conditioning
    watched = origin != first and elapsed_s is not None
    if watched and elapsed_s is not None:
        _check_seconds(elapsed_s=elapsed_s)
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
            lo, hi = _range_at(rng, est)
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
    lo, hi = _range_at(mpc["range"], est)
    return {"p10_s": est * pace * lo, "p50_s": est * pace, "p90_s": est * pace * hi, "pace": pace}


def _conditioning_bin(conditioning: Mapping[str, Any], elapsed_s: float) -> Mapping[str, Any]:
    """The ``by_elapsed`` entry holding ``elapsed_s``, else the nearest one."""

    def gap(b: Mapping[str, Any]) -> float:
        lo = float(b["elapsed_from_s"])
        hi = math.inf if b["elapsed_to_s"] is None else float(b["elapsed_to_s"])
        return max(lo - elapsed_s, elapsed_s - hi, 0.0)

    best: Mapping[str, Any] = min(conditioning["by_elapsed"], key=gap)
    return best


def _range_at(rng: Mapping[str, Sequence[float]], est_s: float) -> tuple[float, float]:
    """(p10, p90) factors of ``pace_conditioning["range"]`` at a model time ahead of ``est_s``."""
    x = np.log(np.asarray(rng["pred_s"], dtype=float))
    lp = math.log(max(est_s, 1.0))
    return (
        float(np.interp(lp, x, np.asarray(rng["p10"], dtype=float))),
        float(np.interp(lp, x, np.asarray(rng["p90"], dtype=float))),
    )


def _landmark_groups(landmarks: Mapping[str, float]) -> list[tuple[str, float]]:
    marks = sorted(((str(p), float(m)) for p, m in landmarks.items()), key=lambda pm: pm[1])
    groups: list[tuple[str, float]] = []
    for pid, m in marks:
        if not groups or m - groups[-1][1] >= 1.0:
            groups.append((pid, m))
    return groups


def pair_predictions(
    cal: Calibration, index: LineIndex, ids: Sequence[str], arrive: Mapping[str, float]
) -> dict[str, np.ndarray]:
    """Median-walker time (``model``), length, Naismith and Tobler times between landmarks."""
    moving = replace(cal.model, rest_allowance=0.0)
    tobler = WalkingModel.tobler()
    k = len(ids)
    out = {n: np.zeros((k, k)) for n in ("model", "length", "naismith", "tobler")}
    for i in range(k):
        for j in range(i + 1, k):
            m0, m1 = arrive[ids[i]], arrive[ids[j]]
            pcs = index.pieces(m0, m1)
            own = np.zeros(len(pcs), np.intp)
            mv = float(_moving_times(moving, pcs, own, 1)[0])
            dwell = sum(
                v
                for p, v in cal.dwell_s.items()
                if p in arrive and m0 - 0.5 <= arrive[p] < m1 - 0.5
            )
            out["model"][i, j] = mv * (1.0 + cal.residual_rest_allowance) + dwell
            out["length"][i, j] = m1 - m0
            out["naismith"][i, j] = _naismith_s(pcs)
            out["tobler"][i, j] = float(_moving_times(tobler, pcs, own, 1)[0])
    return out


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
    groups = [(p, m) for p, m in _landmark_groups(landmarks) if lo <= m <= hi]
    ids = [p for p, _ in groups]
    arrive = {p: m - _ARRIVAL_BEFORE_M for p, m in groups}
    index = LineIndex(_centreline_coords(centreline), max_seg_m=10.0)
    query = np.array([arrive[p] for p in ids])
    rows, moving_rows, names, skipped = [], [], [], {}
    for obj in tracks:
        tr = _as_track(obj)
        p = _passages(
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


def fit_moving_pace(
    tracks: Iterable[Any], calibration: Mapping[str, Any], centreline: Any
) -> dict[str, Any]:
    """``moving_pace_conditioning`` re-derived from ``tracks`` (``sandtable calibrate-eta``).

    Only the calibration's training tracks are used (every track not in
    ``split.holdout_track_ids``), with the same arrivals, model times and trip-length
    medians as :func:`evaluate_eta`; the fit is :func:`routes.calibrate.
    moving_pace_conditioning`, as ``build-region`` runs it.

    Raises
    ------
    InvalidInput
        If the calibration is incomplete or too few training tracks are sampled densely.
    """
    from routes.calibrate import moving_pace_conditioning

    cal = Calibration.from_dict(calibration)
    held = set(cal.holdout_track_ids)
    train = [t for t in (_as_track(t) for t in tracks) if t.track_id not in held]
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


def evaluate_eta(
    tracks: Iterable[Any],
    calibration: Mapping[str, Any],
    centreline: Any,
    *,
    holdout_only: bool = True,
) -> EtaReport:
    """Score the walking model and the textbook rules on ``tracks`` (metric CRS).

    Raises
    ------
    InvalidInput
        If the calibration is incomplete or no track is left to score.
    """
    cal = Calibration.from_dict(calibration)
    track_list = [_as_track(t) for t in tracks]
    if holdout_only:
        held = set(cal.holdout_track_ids)
        track_list = [t for t in track_list if t.track_id in held]
        if not track_list:
            raise InvalidInput(
                "none of these tracks is one the calibration held out "
                "(calibration.json split.holdout_track_ids); score them all with --all-tracks"
            )
    ids, arrive, times, moving, names, skipped, index = arrival_moving_table(
        track_list, cal, centreline
    )
    pred = pair_predictions(cal, index, ids, arrive)
    names_mpc = _stretch_names(cal, ids)
    table = calibration.get("eta_ratio_quantiles")
    q = cal.pace_quantiles
    rng = cal.pace_conditioning.get("range") if cal.pace_conditioning else None
    rows: list[tuple[float, ...]] = []
    track_pairs = (
        (mv_row, *pair)
        for t_row, mv_row in zip(times, moving, strict=True)
        for pair in landmark_pairs(t_row[None, :])
    )
    for mv_row, row, first, i, j in track_pairs:
        elapsed = None if i == first else float(row[i] - row[first])
        actual_s = float(row[j] - row[i])
        base = float(pred["model"][i, j])
        if table:
            p10, p50, p90 = ratio_quantiles_at(table, base)
        else:
            p10, p50, p90 = q["p10"], 1.0, q["p90"]
        est = base * p50
        pace = 1.0
        lo_p, hi_p = base * p10, base * p90
        mv_so = float(mv_row[i] - mv_row[first])
        if names_mpc is not None and (elapsed is None or math.isfinite(mv_so)):
            eta = moving_pace_eta(
                cal,
                names_mpc[first],
                names_mpc[i],
                names_mpc[j],
                base,
                elapsed_s=elapsed,
                moving_s=None if elapsed is None else mv_so,
                clock_h=clock_hours(
                    float(row[i]), float(cal.moving_pace_conditioning.get("clock_utc_offset_h", 0))
                ),
            )
            pace = eta["p50_s"] / est
            lo_p, hi_p = eta["p10_s"], eta["p90_s"]
        elif elapsed is not None:
            pace = own_pace(cal, elapsed, float(pred["model"][first, i]), table=table)
            if rng:
                f10, f90 = _range_at(rng, est)
                lo_p, hi_p = est * pace * f10, est * pace * f90
            else:
                lo_p, hi_p = base * p10 * pace, base * p90 * pace
        rows.append(
            (
                actual_s,
                est,
                float(pred["length"][i, j]) / cal.baseline_speed_mps,
                float(pred["naismith"][i, j]),
                float(pred["tobler"][i, j]),
                est * pace,
                base * p10,
                base * p90,
                lo_p,
                hi_p,
                0.0 if elapsed is None else 1.0,
                float(i * len(ids) + j),
            )
        )
    if not rows:
        raise InvalidInput("no track covers two landmarks of the calibrated stretch")
    arr = np.array(rows)
    trees = _tree_figures(cal, calibration, ids, arrive, times, moving, pred, arr)
    actual = arr[:, 0]
    err = np.abs(arr[:, 1:6] - actual[:, None])
    mae = err.mean(axis=0)
    inside = (actual >= arr[:, 6]) & (actual <= arr[:, 7])
    inside_pace = (actual >= arr[:, 8]) & (actual <= arr[:, 9])
    known = arr[:, 10] > 0
    # the best any one-time-per-pair predictor could do: the scored tracks' own per-pair median
    pair_key = arr[:, 11]
    oracle = np.zeros(len(arr))
    for key in np.unique(pair_key):
        sel = pair_key == key
        oracle[sel] = np.median(actual[sel])
    oracle_mae = float(np.abs(oracle - actual).mean())
    by_duration = []
    edges = (0.0, 1800.0, 3600.0, 7200.0, 14400.0, math.inf)
    for lo_s, hi_s in zip(edges[:-1], edges[1:], strict=True):
        sel = (arr[:, 1] >= lo_s) & (arr[:, 1] < hi_s)
        if sel.any():
            by_duration.append(
                {
                    "predicted_from_s": lo_s,
                    "predicted_to_s": None if math.isinf(hi_s) else hi_s,
                    "n_pairs": int(sel.sum()),
                    "mae_s": round(float(err[sel, 0].mean()), 1),
                    "distance_only_mae_s": round(float(err[sel, 1].mean()), 1),
                    "range80_coverage": round(float(inside[sel].mean()), 3),
                }
            )
    return EtaReport(
        n_tracks=len(names),
        n_pairs=len(rows),
        holdout_only=holdout_only,
        mae_s=round(float(mae[0]), 1),
        distance_only_mae_s=round(float(mae[1]), 1),
        naismith_mae_s=round(float(mae[2]), 1),
        tobler_mae_s=round(float(mae[3]), 1),
        pace_conditioned_mae_s=round(float(mae[4]), 1),
        within_10min=round(float((err[:, 0] <= WITHIN_S).mean()), 3),
        distance_only_within_10min=round(float((err[:, 1] <= WITHIN_S).mean()), 3),
        range80_coverage=round(float(inside.mean()), 3),
        pace_conditioned_range80_coverage=round(float(inside_pace.mean()), 3),
        pace_conditioned_improvement_vs_distance_only=round(float(1.0 - mae[4] / mae[1]), 3),
        n_pairs_pace_known=int(known.sum()),
        pace_known_mae_s=_mean_or_none(err[known, 4]),
        pace_known_distance_only_mae_s=_mean_or_none(err[known, 1]),
        oracle_static_mae_s=round(oracle_mae, 1),
        oracle_static_improvement_vs_distance_only=round(1.0 - oracle_mae / float(mae[1]), 3),
        range80_below=round(float((actual < arr[:, 6]).mean()), 3),
        range80_above=round(float((actual > arr[:, 7]).mean()), 3),
        improvement_vs_distance_only=round(float(1.0 - mae[0] / mae[1]), 3),
        by_duration=tuple(by_duration),
        skipped=skipped,
        **trees,
    )


def _tree_figures(
    cal: Calibration,
    calibration: Mapping[str, Any],
    ids: Sequence[str],
    arrive: Mapping[str, float],
    times: np.ndarray,
    moving: np.ndarray,
    pred: Mapping[str, np.ndarray],
    arr: np.ndarray,
) -> dict[str, Any]:
    """The ``EtaReport`` figures of ``calibration["eta_trees"]`` on the scored trips (the
    rows of ``arr``: actual, scaled model time, distance only …, in ``landmark_pairs``
    order), ``{}`` without trees for these landmarks."""
    from routes.eta_trees import predict, range_at, trip_table

    trees = calibration.get("eta_trees") or {}
    # the same landmarks, matched by measure (co-located landmarks go by more than one id,
    # and which one leads depends on the order the calibration listed them in)
    marks = [float(arrive[p]) for p in ids]
    fitted = [float(m) for m in trees.get("stretch_m") or ()]
    if not trees or len(fitted) != len(marks) or not np.allclose(fitted, marks, atol=1.0):
        return {}
    k = len(ids)
    ahead = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(i + 1, k):
            base = float(pred["model"][i, j])
            table = cal.eta_ratio_quantiles or None
            ahead[i, j] = base * (ratio_quantiles_at(table, base)[1] if table else 1.0)
    t = trip_table(
        times,
        moving,
        ahead,
        marks,
        trees["stretch_moving_s"],
        trees["stretch_stop_s"],
        float(trees["clock_utc_offset_h"]),
    )
    actual, dist = arr[:, 0], arr[:, 2]
    est = np.full(len(actual), np.nan)
    lo, hi = est.copy(), est.copy()
    for name, sel, x in (
        ("gps", t.dense, t.gps),
        ("two_times", ~t.dense, t.two_times),
    ):
        if sel.any():
            model = trees[name]
            est[sel] = t.ahead_s[sel] * np.exp(predict(model, x[sel]))
            f10, f90 = range_at(model["range"], t.ahead_s[sel])
            lo[sel], hi[sel] = est[sel] * f10, est[sel] * f90
    two = np.full(len(actual), np.nan)
    w = t.watched
    if w.any():
        model = trees["two_times"]
        two[w] = t.ahead_s[w] * np.exp(predict(model, t.two_times[w]))
        f10, f90 = range_at(model["range"], t.ahead_s[w])
        two_in = (actual[w] >= two[w] * f10) & (actual[w] <= two[w] * f90)
    err = np.abs(est - actual)
    mae = float(err.mean())
    lines = _mean_or_none(np.abs(_elapsed_line_s(cal, times, pred, t, w) - actual[w]))
    return {
        "trees_mae_s": round(mae, 1),
        "trees_improvement_vs_distance_only": round(
            1.0 - mae / float(np.abs(dist - actual).mean()), 3
        ),
        "trees_within_10min": round(float((err <= WITHIN_S).mean()), 3),
        "trees_range80_coverage": round(float(((actual >= lo) & (actual <= hi)).mean()), 3),
        "two_times_trees_mae_s": _mean_or_none(np.abs(two[w] - actual[w])),
        "two_times_trees_range80_coverage": round(float(two_in.mean()), 3) if w.any() else None,
        "two_times_lines_mae_s": lines,
    }


def _elapsed_line_s(
    cal: Calibration, times: np.ndarray, pred: Mapping[str, np.ndarray], t: Any, sel: np.ndarray
) -> np.ndarray:
    """The elapsed-pace lines' (``own_pace``) time ahead for the trips ``sel`` of ``t``."""
    k = times.shape[1]
    table = cal.eta_ratio_quantiles or None
    out = []
    for n in np.flatnonzero(sel):
        i, tr = int(t.pair[n] // k), int(t.track[n])
        row = times[tr]
        f = int(np.flatnonzero(np.isfinite(row))[0])
        el = float(row[i] - row[f])
        pace = own_pace(cal, el, float(pred["model"][f, i]), table=table) if el > 0 else 1.0
        out.append(t.ahead_s[n] * pace)
    return np.asarray(out, dtype=float)


def _stretch_names(cal: Calibration, ids: Sequence[str]) -> list[str] | None:
    """The ``moving_pace_conditioning`` landmark id at each of ``ids`` (matched by measure:
    co-located landmarks go by more than one id), or None without a matching table."""
    mpc = cal.moving_pace_conditioning
    if not mpc.get("by_elapsed"):
        return None
    marks = cal.parameters["landmarks_m"]
    by_m = {round(float(marks[p]), 0): p for p in mpc["stretch_ids"] if p in marks}
    out = [by_m.get(round(float(marks[p]), 0)) for p in ids]
    if any(p is None for p in out) or len(set(out)) != len(out):
        return None
    return [str(p) for p in out]


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}"


def _mean_or_none(v: np.ndarray) -> float | None:
    return round(float(v.mean()), 1) if v.size else None


def format_eta_report(r: EtaReport, source: str) -> str:
    """The text ``sandtable eval-eta`` prints."""
    which = "held-out tracks" if r.holdout_only else "all tracks"
    lines = [
        f"walking-time evaluation: {r.n_pairs} landmark-to-landmark trips on {r.n_tracks} "
        f"{which} ({source}; {len(r.skipped)} skipped)",
        f"{'predictor':<34}{'MAE s':>9}{'within 10 min':>15}",
        f"{'WITHOUT the walker pace (same ETA for every walker):':<34}",
        f"{'  model (median walker, stops)':<34}{r.mae_s:>9.0f}{r.within_10min:>15.1%}",
        f"{'  distance only':<34}{r.distance_only_mae_s:>9.0f}"
        f"{r.distance_only_within_10min:>15.1%}",
        f"{'  Naismith':<34}{r.naismith_mae_s:>9.0f}",
        f"{'  Tobler':<34}{r.tobler_mae_s:>9.0f}",
        f"{'  bound: scored tracks own median':<34}{r.oracle_static_mae_s:>9.0f}"
        f"{'':>15}  ({r.oracle_static_improvement_vs_distance_only:+.1%} vs distance only; "
        "fitted on the tracks it scores, not a predictor)",
        f"model vs distance only, walker pace NOT used: {r.improvement_vs_distance_only:+.1%} "
        "(target >= +20 %)",
        f"80 % range (p10-p90) holds the truth: {r.range80_coverage:.1%} "
        f"(below {r.range80_below:.1%}, above {r.range80_above:.1%}; target 75-85 %)",
        "WITH the walker pace so far (time from the track's first landmark; "
        f"{r.n_pairs_pace_known} of {r.n_pairs} trips have one, the rest keep the median walker):",
        f"{'  model x own pace':<34}{r.pace_conditioned_mae_s:>9.0f}"
        f"{'':>15}  (80 % range then holds {r.pace_conditioned_range80_coverage:.1%})",
        f"model vs distance only, walker pace used: "
        f"{r.pace_conditioned_improvement_vs_distance_only:+.1%} (target >= +20 %)",
        f"  on the {r.n_pairs_pace_known} trips with a pace so far: MAE "
        f"{_num(r.pace_known_mae_s)} s vs distance only {_num(r.pace_known_distance_only_mae_s)} s",
    ]
    if r.trees_mae_s is not None:
        lines += [
            "WITH the walker's data so far, boosted trees (calibration.json eta_trees):",
            f"{'  trees (GPS; two times if sparse)':<34}{r.trees_mae_s:>9.0f}"
            f"{r.trees_within_10min or 0:>15.1%}  ({r.trees_improvement_vs_distance_only:+.1%} "
            f"vs distance only, target >= +20 %; 80 % range holds "
            f"{r.trees_range80_coverage or 0:.1%})",
            f"  a call with two times (served), on the {r.n_pairs_pace_known} trips with a pace: "
            f"trees {_num(r.two_times_trees_mae_s)} s (80 % range holds "
            f"{r.two_times_trees_range80_coverage or 0:.1%}), elapsed-pace lines "
            f"{_num(r.two_times_lines_mae_s)} s",
        ]
    lines.append("by predicted duration:")
    for b in r.by_duration:
        hi = "…" if b["predicted_to_s"] is None else f"{b['predicted_to_s'] / 60:.0f} min"
        lines.append(
            f"  {b['predicted_from_s'] / 60:>4.0f} min - {hi:<8} n={b['n_pairs']:>5}  "
            f"MAE {b['mae_s']:>6.0f} s  distance-only {b['distance_only_mae_s']:>6.0f} s  "
            f"range80 {b['range80_coverage']:.1%}"
        )
    return "\n".join(lines)
