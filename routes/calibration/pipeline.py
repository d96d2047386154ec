"""Fit the walking model to real GPS tracks and report its hold-out error.

:func:`calibrate` takes projected tracks, the consensus centreline (3-D, metric CRS) and the
measures of landmarks along it, and returns a :class:`~routes.calibrated.Calibration`: the
fitted :class:`~routes.costs.WalkingModel`, the spread of walker paces, the dwell at landmarks
and a hold-out report.  ``Calibration.to_dict()`` is the content of ``calibration.json``.

Method
------
1. **Tracks**: split by track id, linear referencing, arrival and moving times
   (:mod:`routes.calibration.tracks`).
2. **Fit** of the moving speed on the median walker's moving time per bin
   (:mod:`routes.calibration.speed`).
3. **Stops.**  The model's ``rest_allowance`` makes the median walker's whole-stretch time equal
   the median training time (so the median pace multiplier is exactly 1); it spreads *all*
   stops evenly, which is what :func:`routes.costs.duration_s` uses.  Separately, the median stop
   time in a window after each landmark's arrival point is its ``dwell_s`` (the lunch stop at
   Hayagriva station), and ``residual_rest_allowance`` covers the stops elsewhere; code that
   adds dwell at places uses :meth:`Calibration.dwell_model` instead of ``model``.
4. **Pace spread.**  Each training walker's pace multiplier is actual / predicted total time
   over the whole stretch; its quantiles (``p05`` ... ``p95``) describe fast and slow walkers.
5. **Pace so far** (:mod:`routes.calibration.pace`, :mod:`routes.calibration.moving`), on the
   training tracks.
6. **Report** on held-out tracks, for the whole stretch and each consecutive landmark stretch:
   MAE of the median-walker prediction (with dwell), of the edge-only prediction (uniform
   rest, what the graph gives), of a constant-speed baseline (whole-stretch length over the
   median training time), and of unfitted Naismith (5 km/h + 1 h per 600 m of ascent) and
   Tobler (no altitude term, no rests) for reference.  ``pairs`` predicts every landmark ->
   later landmark time, once for the median walker and once with the pace shown so far.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex
from routes.calibrated import PACE_QUANTILES, Calibration, StretchReport
from routes.calibration.moving import moving_pace_conditioning
from routes.calibration.pace import (
    pace_conditioning,
    pace_memory,
    pace_persistence,
    pair_report,
    ratio_quantiles,
)
from routes.calibration.speed import (
    BOUNDS,
    DATA_SIGMA_LOG,
    FIT_NAMES,
    MIN_TRACKS_PER_BIN,
    PRIORS,
    Predictor,
    bounds,
    fit_moving,
    model_from,
    moving_s,
    moving_times,
    naismith_s,
)
from routes.calibration.tracks import (
    ARRIVAL_BEFORE_M,
    DEFAULT_SEED,
    MAX_DENSE_INTERVAL_S,
    MOVING_GRID_S,
    Passages,
    Track,
    as_track,
    centreline_coords,
    check_landmarks,
    split_tracks,
    track_passages,
    tracks_from_frame,
)
from routes.costs import WalkingModel

__all__ = ["calibrate"]

FloatArray = npt.NDArray[np.float64]

#: a stop at a landmark counts as one (a rest, a meal) when it is longer than this
_STOP_MIN_S = 120.0


def _mae(pred: float | FloatArray, actual: FloatArray) -> float | None:
    if actual.size == 0:
        return None
    return float(np.mean(np.abs(pred - actual)))


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
    _check_options(bin_m, max_offset_m, dwell_window_m, end_tolerance_m, moving_threshold_mps)
    index = LineIndex(centreline_coords(centreline), max_seg_m=10.0)
    marks = check_landmarks(landmarks, index.length_m)
    whole = _whole_stretch(whole_stretch, marks, landmarks, bin_m)
    track_list = _track_list(tracks)
    train_ids, hold_ids = split_tracks(
        [t.track_id for t in track_list], holdout_fraction=holdout_fraction, seed=seed
    )
    lay = _layout(marks, landmarks, whole, bin_m, dwell_window_m)
    passages, dropped = _all_passages(
        track_list,
        index,
        lay.query,
        max_offset_m=max_offset_m,
        end_tolerance_m=end_tolerance_m,
        moving_threshold_mps=moving_threshold_mps,
        progress=progress,
    )
    train = [passages[t] for t in train_ids if t in passages]
    hold = [passages[t] for t in hold_ids if t in passages]
    dense = [p for p in train if p.dense]

    # Fit the moving-speed model on the median walker's moving time per bin.
    bin_pieces = [index.pieces(a, b) for a, b in zip(lay.edges[:-1], lay.edges[1:], strict=True)]
    owner = np.repeat(np.arange(lay.n_bins), [len(p) for p in bin_pieces])
    nb = len(lay.edges)
    d_move = np.diff(np.array([p.moving_s[:nb] for p in dense]).reshape(len(dense), nb), axis=1)
    sol, use = fit_moving(d_move, np.vstack(bin_pieces), owner, lay.n_bins)
    moving_model = model_from(sol.x, WalkingModel())

    # Whole stretch: the median walker's total fixes the rest allowance (pace p50 = 1).
    totals, ratios = _whole_totals(train, dense, lay)
    median_total = float(np.median(totals))
    dwell, stop_stats = _stops(dense, lay)
    dwell_whole = sum(v for p_id, v in dwell.items() if lay.lo_m <= landmarks[p_id] < lay.hi_m)
    moving_whole = moving_s(index, moving_model, lay.arrive[whole[0]], lay.arrive[whole[1]])
    model = replace(moving_model, rest_allowance=max(0.0, median_total / moving_whole - 1.0))
    predictor = Predictor(
        index,
        moving_model,
        lay.arrive,
        dwell,
        residual_rest=max(0.0, (median_total - dwell_whole) / moving_whole - 1.0),
        rest_allowance=model.rest_allowance,
    )

    pace = totals / predictor(*whole)[0]
    pace_q = {f"p{round(q * 100):02d}": float(np.quantile(pace, q)) for q in PACE_QUANTILES}
    baseline_speed = (lay.hi_m - lay.lo_m) / median_total
    so_far = _pace_so_far(train, dense, hold, lay, landmarks, predictor, baseline_speed, pace_q)

    at_ends = _at_bounds(sol.x)
    parameters = {
        "holdout_fraction": holdout_fraction,
        "seed": seed,
        "bin_m": bin_m,
        "n_bins": lay.n_bins,
        "max_offset_m": max_offset_m,
        "end_tolerance_m": end_tolerance_m,
        "moving_threshold_mps": moving_threshold_mps,
        "arrival_before_m": ARRIVAL_BEFORE_M,
        "dwell_window_m": dwell_window_m,
        "moving_grid_s": MOVING_GRID_S,
        "max_dense_interval_s": MAX_DENSE_INTERVAL_S,
        "whole_stretch": list(whole),
        "landmarks_m": {p_id: round(m, 1) for p_id, m in marks},
        "priors": {n: list(v) for n, v in PRIORS.items()},
        "bounds": {n: list(v) for n, v in BOUNDS.items()},
        "data_sigma_log": DATA_SIGMA_LOG,
    }
    data_res = sol.fun[: int(use.sum())] * DATA_SIGMA_LOG
    ia_w, ib_w = lay.col[whole[0]], lay.col[whole[1]]
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
        "at_bounds": at_ends,
        "median_train_total_s": median_total,
        "median_train_moving_s": float(np.nanmedian([_span(p, ia_w, ib_w, True) for p in dense])),
        "predicted_moving_s": moving_whole,
        "measured_rest_ratio_median": float(np.median(ratios)),
        "optimizer_status": int(sol.status),
    }
    return Calibration(
        model=model,
        pace_quantiles=pace_q,
        pace_persistence=so_far["persistence"],
        dwell_s=dwell,
        residual_rest_allowance=predictor.residual_rest,
        stretches=_stretch_reports(hold, lay, whole, predictor, baseline_speed),
        pairs=so_far["pairs"],
        baseline_speed_mps=baseline_speed,
        train_track_ids=tuple(train_ids),
        holdout_track_ids=tuple(hold_ids),
        parameters=parameters,
        fit=fit,
        runtime_s=time.perf_counter() - started,
        eta_ratio_quantiles=so_far["ratio_q"],
        stops=stop_stats,
        pace_memory=so_far["memory"],
        pace_conditioning=so_far["conditioning"],
        moving_pace_conditioning=so_far["moving_conditioning"],
    )


def _check_options(
    bin_m: float,
    max_offset_m: float,
    dwell_window_m: float,
    end_tolerance_m: float,
    moving_threshold_mps: float,
) -> None:
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


def _whole_stretch(
    whole_stretch: tuple[str, str] | None,
    marks: Sequence[tuple[str, float]],
    landmarks: Mapping[str, float],
    bin_m: float,
) -> tuple[str, str]:
    if whole_stretch is None:
        whole_stretch = (marks[0][0], marks[-1][0])
    if whole_stretch[0] not in landmarks or whole_stretch[1] not in landmarks:
        raise InvalidInput(f"whole_stretch={whole_stretch!r}: both ends must be landmarks")
    lo_m, hi_m = float(landmarks[whole_stretch[0]]), float(landmarks[whole_stretch[1]])
    if hi_m - lo_m < bin_m:
        raise InvalidInput(f"whole_stretch={whole_stretch!r} is shorter than one bin")
    return whole_stretch


def _track_list(tracks: Iterable[Any]) -> list[Track]:
    if hasattr(tracks, "columns"):
        tracks = tracks_from_frame(tracks)
    track_list = [as_track(t) for t in tracks]
    counts = Counter(t.track_id for t in track_list)
    dup = sorted(tid for tid, n in counts.items() if n > 1)
    if dup:
        raise InvalidInput(f"duplicate track ids: {', '.join(dup[:10])}")
    return track_list


@dataclass(frozen=True)
class _Layout:
    """Where the passage times are taken along the centreline.

    ``query`` holds the fit-bin edges, then the arrival point of each group of co-located
    landmarks (= the start of its dwell window), then the end of each window; ``col`` maps
    every landmark id to the column of its group's arrival.
    """

    whole: tuple[str, str]
    lo_m: float
    hi_m: float
    n_bins: int
    edges: FloatArray
    gid: list[str]  # the first id of each group of co-located landmarks, by measure
    arrive: dict[str, float]
    query: FloatArray
    col: dict[str, int]


def _layout(
    marks: Sequence[tuple[str, float]],
    landmarks: Mapping[str, float],
    whole: tuple[str, str],
    bin_m: float,
    dwell_window_m: float,
) -> _Layout:
    # Landmarks at (about) the same measure form one group; the first id names it.
    groups: list[tuple[str, float]] = []
    for pid, m in marks:
        if not groups or m - groups[-1][1] >= 1.0:
            groups.append((pid, m))
    gid = [p for p, _ in groups]
    arrive = {p: float(landmarks[p]) - ARRIVAL_BEFORE_M for p in landmarks}
    win_lo = np.array([arrive[p] for p in gid])
    win_hi = np.minimum(win_lo + ARRIVAL_BEFORE_M + dwell_window_m, np.r_[win_lo[1:], np.inf])

    # Query measures: fit-bin edges | arrival at each group (= dwell-window start) | window end.
    lo_m, hi_m = float(landmarks[whole[0]]), float(landmarks[whole[1]])
    n_bins = max(1, int(round((hi_m - lo_m) / bin_m)))
    edges = np.linspace(lo_m, hi_m, n_bins + 1)
    nb = len(edges)
    col = {p: nb + i for i, p in enumerate(gid)}
    col.update({p: col[min(gid, key=lambda g: abs(landmarks[g] - m))] for p, m in marks})
    return _Layout(whole, lo_m, hi_m, n_bins, edges, gid, arrive, np.r_[edges, win_lo, win_hi], col)


def _all_passages(
    track_list: Sequence[Track],
    index: LineIndex,
    query: FloatArray,
    *,
    max_offset_m: float,
    end_tolerance_m: float,
    moving_threshold_mps: float,
    progress: bool | None,
) -> tuple[dict[str, Passages], dict[str, str]]:
    """Passage times of every usable track, and why the others were dropped."""
    passages: dict[str, Passages] = {}
    dropped: dict[str, str] = {}
    disable = None if progress is None else not progress
    for tr in tqdm(
        track_list, desc="calibrate: tracks", unit="track", disable=disable, leave=False
    ):
        p = track_passages(
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
    return passages, dropped


def _span(p: Passages, a: int, b: int, moving: bool = False) -> float:
    arr = p.moving_s if moving else p.t_s
    return float(arr[b] - arr[a])


def _whole_totals(
    train: Sequence[Passages], dense: Sequence[Passages], lay: _Layout
) -> tuple[FloatArray, FloatArray]:
    """Training totals over the whole stretch, and total / moving time of the dense ones."""
    ia_w, ib_w = lay.col[lay.whole[0]], lay.col[lay.whole[1]]
    totals = np.array([_span(p, ia_w, ib_w) for p in train])
    totals = totals[np.isfinite(totals) & (totals > 0)]
    ratios = np.array([_span(p, ia_w, ib_w) / _span(p, ia_w, ib_w, True) for p in dense])
    ratios = ratios[np.isfinite(ratios)]
    if len(totals) < 10 or len(ratios) < 10:
        raise InvalidInput(
            f"too few training tracks cover the whole stretch {lay.whole[0]} -> "
            f"{lay.whole[1]}: {len(totals)} ({len(ratios)} densely sampled); need 10"
        )
    return totals, ratios


def _stops(
    dense: Sequence[Passages], lay: _Layout
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Dwell at landmarks: median stopped time of dense training walkers in each window; and
    the stop clusters: how many walkers stop there (over 2 min) and for how long."""
    dwell: dict[str, float] = {}
    stop_stats: dict[str, dict[str, float]] = {}
    nb, ng = len(lay.edges), len(lay.gid)
    for i, p_id in enumerate(lay.gid):
        w0, w1 = nb + i, nb + ng + i
        stops = np.array([_span(p, w0, w1) - _span(p, w0, w1, True) for p in dense])
        stops = stops[np.isfinite(stops)]
        if len(stops) < MIN_TRACKS_PER_BIN:
            dwell[p_id] = 0.0
            continue
        dwell[p_id] = float(np.median(stops))
        long = stops[stops > _STOP_MIN_S]
        stop_stats[p_id] = {
            "n_walkers": int(len(stops)),
            "share_stopping": round(float(len(long) / len(stops)), 3),
            "median_stop_s": round(float(np.median(long)), 1) if len(long) else 0.0,
            "p90_stop_s": round(float(np.quantile(long, 0.9)), 1) if len(long) else 0.0,
        }
    return dwell, stop_stats


def _stretch_reports(
    hold: Sequence[Passages],
    lay: _Layout,
    whole: tuple[str, str],
    predict: Predictor,
    baseline_speed: float,
) -> tuple[StretchReport, ...]:
    """Hold-out errors of the whole stretch, then of each consecutive landmark stretch."""
    tobler = WalkingModel.tobler()
    gid = lay.gid
    stretch_defs = [whole] + [(gid[i], gid[i + 1]) for i in range(len(gid) - 1)]
    reports = []
    for a, b in stretch_defs:
        actual = np.array([_span(p, lay.col[a], lay.col[b]) for p in hold])
        actual = actual[np.isfinite(actual)]
        pcs = predict.index.pieces(lay.arrive[a], lay.arrive[b])
        t_pred, t_edge, length = predict(a, b)
        t_base = length / baseline_speed
        t_nai = naismith_s(pcs)
        t_tob = float(moving_times(tobler, pcs, np.zeros(len(pcs), np.intp), 1)[0])
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
    return tuple(reports)


def _pace_so_far(
    train: Sequence[Passages],
    dense: Sequence[Passages],
    hold: Sequence[Passages],
    lay: _Layout,
    landmarks: Mapping[str, float],
    predict: Predictor,
    baseline_speed: float,
    pace_q: Mapping[str, float],
) -> dict[str, Any]:
    """Landmark -> later landmark ETAs; the pace so far is shrunk by a persistence fitted on
    the training tracks (how much of a walker's deviation so far carries on)."""
    span_ids = [p_id for p_id in lay.gid if lay.lo_m <= landmarks[p_id] <= lay.hi_m]
    k = len(span_ids)
    pair_pred = np.zeros((k, k))
    pair_len = np.zeros((k, k))
    for i in range(k):
        for j in range(i + 1, k):
            pair_pred[i, j], _, pair_len[i, j] = predict(span_ids[i], span_ids[j])
    persistence = pace_persistence(_landmark_times(train, span_ids, lay.col), pair_pred)
    ratio_q = ratio_quantiles(_landmark_times(train, span_ids, lay.col), pair_pred)
    memory = pace_memory(
        _landmark_times(train, span_ids, lay.col),
        pair_pred,
        ratio_q,
        moving_times=_landmark_moving_times(train, span_ids, lay.col),
        moving_pred=np.array(
            [
                [predict.moving_s(a, b) if i < j else 0.0 for j, b in enumerate(span_ids)]
                for i, a in enumerate(span_ids)
            ]
        ).reshape(k, k),
    )
    return {
        "persistence": persistence,
        "ratio_q": ratio_q,
        "memory": memory,
        "conditioning": pace_conditioning(
            _landmark_times(train, span_ids, lay.col), pair_pred, ratio_q
        ),
        "moving_conditioning": moving_pace_conditioning(
            _landmark_times(dense, span_ids, lay.col),
            _landmark_moving_times(dense, span_ids, lay.col),
            pair_pred,
            ratio_q,
            span_ids,
        ),
        "pairs": pair_report(
            _landmark_times(hold, span_ids, lay.col),
            pair_pred,
            pair_len,
            baseline_speed,
            persistence,
            (pace_q["p05"], pace_q["p95"]),
        ),
    }


def _at_bounds(x: FloatArray) -> list[str]:
    """The fitted parameters within 0.1 % of their range from a bound."""
    lower, upper = bounds()
    return [
        n
        for n, v, lo, hi in zip(FIT_NAMES, x, lower, upper, strict=True)
        if v - lo < 1e-3 * (hi - lo) or hi - v < 1e-3 * (hi - lo)
    ]


def _landmark_times(
    passages: Sequence[Passages], span_ids: Sequence[str], col: Mapping[str, int]
) -> FloatArray:
    """Arrival times (tracks x landmarks), NaN where a track does not cover a landmark."""
    idx = [col[p] for p in span_ids]
    out: FloatArray = np.array([p.t_s[idx] for p in passages], dtype=np.float64)
    return out.reshape(len(passages), len(idx))


def _landmark_moving_times(
    passages: Sequence[Passages], span_ids: Sequence[str], col: Mapping[str, int]
) -> FloatArray:
    """Cumulative moving time (tracks x landmarks) of the dense tracks, NaN elsewhere."""
    idx = [col[p] for p in span_ids]
    rows = [np.where(np.isfinite(p.t_s[idx]), p.moving_s[idx], np.nan) for p in passages if p.dense]
    out: FloatArray = np.array(rows, dtype=np.float64).reshape(len(rows), len(idx))
    return out
