"""The moving-speed fit of the walking model and the model's times between landmarks.

The whole stretch is cut into equal bins of about ``bin_m``; the *median walker's* moving time
in a bin is the median over dense training tracks.  ``least_squares`` fits log predicted
against log median moving time over the flat speed, both gradient coefficients, the optimum
grade and the altitude slope, with weak Gaussian priors toward Tobler's shape and hard bounds
(:func:`fit_moving`).  The model is evaluated on the centreline's own vertices, exactly as
``routes.graph.edge_pieces`` cuts edges.  The west valley only spans about 4,670-5,080 m and
altitude rises with distance walked, so the altitude slope is confounded with fatigue and time
of day: it is bounded to [0, 0.4] per 1000 m and shrunk toward 0.10 (sigma 0.10; DOMAIN.md:
VO2max falls about 50 % by 5,300 m).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import least_squares

from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex
from routes.calibrated import Calibration
from routes.costs import WalkingModel

__all__ = [
    "BOUNDS",
    "PRIORS",
    "Predictor",
    "fit_moving",
    "moving_s",
    "moving_times",
    "naismith_s",
    "pair_predictions",
]

FloatArray = npt.NDArray[np.float64]

# Priors (centre, sigma) and bounds of the fitted parameters; sigma is in units of the
# parameter, residuals of the data term in units of log time (sigma 0.1, about 10 %).
PRIORS: dict[str, tuple[float, float]] = {
    "grade_coeff_up": (3.5, 2.0),
    "grade_coeff_down": (3.5, 2.0),
    "optimum_grade": (-0.05, 0.05),
    "altitude_slowdown_per_1000m": (0.10, 0.10),
}

BOUNDS: dict[str, tuple[float, float]] = {
    "flat_speed_mps": (0.2, 3.0),
    "grade_coeff_up": (0.5, 12.0),
    "grade_coeff_down": (0.5, 12.0),
    "optimum_grade": (-0.15, 0.05),
    "altitude_slowdown_per_1000m": (0.0, 0.4),
}

FIT_NAMES = ("flat_speed_mps", *PRIORS)

DATA_SIGMA_LOG = 0.1

MIN_TRACKS_PER_BIN = 10


def moving_times(
    model: WalkingModel, pieces: FloatArray, owner: npt.NDArray[np.intp], n: int
) -> FloatArray:
    length = pieces[:, 0]
    speed = model.speed_mps(pieces[:, 1] / length, pieces[:, 2])
    return np.asarray(np.bincount(owner, weights=length / speed, minlength=n), dtype=np.float64)


def naismith_s(pieces: FloatArray) -> float:
    ascent = float(np.clip(pieces[:, 1], 0.0, None).sum())
    return float(pieces[:, 0].sum() / (5000.0 / 3600.0) + ascent / 600.0 * 3600.0)


def model_from(theta: FloatArray, base: WalkingModel) -> WalkingModel:
    kw = dict(zip(FIT_NAMES, (float(v) for v in theta), strict=True))
    return WalkingModel(
        reference_elevation_m=base.reference_elevation_m, rest_allowance=base.rest_allowance, **kw
    )


def bounds() -> tuple[FloatArray, FloatArray]:
    return (
        np.array([BOUNDS[n][0] for n in FIT_NAMES]),
        np.array([BOUNDS[n][1] for n in FIT_NAMES]),
    )


def fit_moving(
    d_move: FloatArray, pieces: FloatArray, owner: npt.NDArray[np.intp], n_bins: int
) -> tuple[Any, npt.NDArray[np.bool_]]:
    """Least-squares fit of log moving time per bin (median walker) with priors and bounds."""
    counts = np.sum(np.isfinite(d_move), axis=0)
    use = counts >= MIN_TRACKS_PER_BIN
    med = np.full(n_bins, np.nan)
    if use.any():
        med[use] = np.nanmedian(d_move[:, use], axis=0)
    use &= np.nan_to_num(med) > 0
    if use.sum() < 3:
        raise InvalidInput(
            f"too few bins covered by {MIN_TRACKS_PER_BIN}+ densely sampled training tracks "
            f"({int(use.sum())} of {n_bins}); check the centreline and the landmark measures"
        )
    base = WalkingModel()
    prior_c = np.array([PRIORS[n][0] for n in FIT_NAMES[1:]])
    prior_s = np.array([PRIORS[n][1] for n in FIT_NAMES[1:]])
    target = np.log(med[use])

    def residuals(theta: FloatArray) -> FloatArray:
        pred = moving_times(model_from(theta, base), pieces, owner, n_bins)[use]
        res: FloatArray = np.r_[
            (np.log(pred) - target) / DATA_SIGMA_LOG, (theta[1:] - prior_c) / prior_s
        ]
        return res

    lower, upper = bounds()
    length = np.bincount(owner, weights=pieces[:, 0], minlength=n_bins)[use].sum()
    theta0 = np.clip(np.r_[length / med[use].sum(), prior_c], lower + 1e-9, upper - 1e-9)
    return least_squares(residuals, theta0, bounds=(lower, upper), x_scale="jac"), use


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
            mv = float(moving_times(moving, pcs, own, 1)[0])
            dwell = sum(
                v
                for p, v in cal.dwell_s.items()
                if p in arrive and m0 - 0.5 <= arrive[p] < m1 - 0.5
            )
            out["model"][i, j] = mv * (1.0 + cal.residual_rest_allowance) + dwell
            out["length"][i, j] = m1 - m0
            out["naismith"][i, j] = naismith_s(pcs)
            out["tobler"][i, j] = float(moving_times(tobler, pcs, own, 1)[0])
    return out


def moving_s(index: LineIndex, model: WalkingModel, m0: float, m1: float) -> float:
    pcs = index.pieces(m0, m1)
    return float(moving_times(model, pcs, np.zeros(len(pcs), np.intp), 1)[0])


@dataclass(frozen=True)
class Predictor:
    """The median walker's time between two landmarks."""

    index: LineIndex
    moving_model: WalkingModel
    arrive: Mapping[str, float]
    dwell: Mapping[str, float]
    residual_rest: float
    rest_allowance: float

    def moving_s(self, a: str, b: str) -> float:
        return moving_s(self.index, self.moving_model, self.arrive[a], self.arrive[b])

    def __call__(self, a: str, b: str) -> tuple[float, float, float]:
        """(with dwell, edge-only, length) for the median walker from a to b."""
        m0, m1 = self.arrive[a], self.arrive[b]
        mv = moving_s(self.index, self.moving_model, m0, m1)
        dw = sum(v for p_id, v in self.dwell.items() if m0 - 0.5 <= self.arrive[p_id] < m1 - 0.5)
        return mv * (1.0 + self.residual_rest) + dw, mv * (1.0 + self.rest_allowance), m1 - m0
