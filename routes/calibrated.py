"""What ``calibration.json`` holds: the calibrated walking model, read by the service and
written by the offline fit.

:class:`Calibration` is the file's content as a value: the fitted
:class:`~routes.costs.WalkingModel`, the spread of walker paces, the stops at landmarks, the
hold-out report (:class:`StretchReport`, :class:`PairReport`) and the tables the walker-pace
ETAs read (:mod:`routes.eta`).  The offline pipeline that fits it from GPS tracks is
:mod:`routes.calibration` (``sandtable build-region`` / ``calibrate-eta``); the service only
reads it (:meth:`Calibration.from_dict`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from geodata.errors import InvalidInput
from routes.costs import WalkingModel, load_model

__all__ = ["PACE_QUANTILES", "Calibration", "PairReport", "StretchReport"]

PACE_QUANTILES: tuple[float, ...] = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
"""Quantiles of the walker pace multiplier reported as ``p05`` ... ``p95``."""


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
    """Result of :func:`routes.calibration.calibrate`; ``to_dict`` is the content of
    ``calibration.json``.

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
    #: moving (stops removed), all on training tracks (see
    #: :func:`routes.calibration.pace.pace_memory`)
    pace_memory: Mapping[str, Any] = field(default_factory=dict)
    #: the walker's pace so far as a predictor of the time ahead, fitted on training tracks
    #: (see :func:`routes.calibration.pace.pace_conditioning`): per bin of elapsed time the
    #: least-absolute-deviation line of log(time ahead / model) on log(time so far / model),
    #: and the 80 % range of what that line leaves unexplained, by the trip's predicted
    #: duration
    pace_conditioning: Mapping[str, Any] = field(default_factory=dict)
    #: moving pace and stops so far, kept apart (see
    #: :func:`routes.calibration.moving.moving_pace_conditioning`): the
    #: median moving time and mean stop time of each landmark stretch, per bin of elapsed time
    #: the least-absolute-deviation fit of log(time ahead / model) on the log moving pace and
    #: the log stop excess so far, the offsets of walkers watched from no earlier landmark, and
    #: the 80 % ranges left; read by :func:`routes.eta.moving_pace_eta`
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
