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
Arrival at a landmark is computed exactly as in :func:`routes.calibration.calibrate` (50 m
before its measure, running maximum of progress). Tracks are held out by id: by default only
the tracks the calibration held out (``split.holdout_track_ids``) are scored.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from geodata.errors import InvalidInput
from routes.calibrated import Calibration
from routes.calibration.speed import pair_predictions
from routes.calibration.tracks import arrival_moving_table, as_track, landmark_pairs
from routes.calibration.trees import trip_table
from routes.eta import clock_hours, moving_pace_eta, own_pace, range_factors_at, ratio_quantiles_at
from routes.eta_trees import predict, range_at

__all__ = ["WITHIN_S", "EtaReport", "evaluate_eta", "format_eta_report"]

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
    track_list = [as_track(t) for t in tracks]
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
                f10, f90 = range_factors_at(rng, est)
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
