"""The walking model: a Tobler-type hiking function with an altitude term and a rest allowance
(see :mod:`routes.costs`, which re-exports these names, for the formula and its sources).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from geodata.errors import InvalidInput

__all__ = ["MODEL_FORMAT", "WalkingModel", "load_model"]

MODEL_FORMAT = "sandtable.walking_model/1"
"""Value of the ``format`` key written by :meth:`WalkingModel.to_dict`."""

# Hard clip on |grade| before any profile clip: beyond 45 degrees the hiking function is
# meaningless, and such grades on short pieces are nearly always elevation noise.
_GRADE_LIMIT = 1.0


@dataclass(frozen=True)
class WalkingModel:
    """Tobler-type walking speed with altitude slowdown and a rest allowance.

    Attributes
    ----------
    flat_speed_mps
        Moving speed of the median walker on the flat at ``reference_elevation_m``.
    grade_coeff_up
        Exponential decay of speed per unit grade above the optimum grade (Tobler: 3.5).
    grade_coeff_down
        Exponential decay of speed per unit grade below the optimum grade (Tobler: 3.5).
    optimum_grade
        Grade of the fastest walking (Tobler: -0.05, a gentle descent).
    altitude_slowdown_per_1000m
        Fractional (log-linear) speed loss per 1000 m above ``reference_elevation_m``; the
        speed is multiplied by ``exp(-a * (z - z_ref) / 1000)``.  Must be >= 0.
    reference_elevation_m
        Elevation at which ``flat_speed_mps`` applies (Darchen kora gate, 4,670 m, for Kailash).
    rest_allowance
        Stops and rests as a fraction of moving time: ``total = moving * (1 + rest_allowance)``.

    Raises
    ------
    InvalidInput
        If a parameter is not finite or out of its range (speeds and coefficients > 0,
        altitude slowdown and rest allowance >= 0, |optimum grade| <= 0.5).
    """

    flat_speed_mps: float = 1.4
    grade_coeff_up: float = 3.5
    grade_coeff_down: float = 3.5
    optimum_grade: float = -0.05
    altitude_slowdown_per_1000m: float = 0.0
    reference_elevation_m: float = 4670.0
    rest_allowance: float = 0.0

    def __post_init__(self) -> None:
        problems = []
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                problems.append(f"{f.name}={value!r} is not a number")
            elif not math.isfinite(value):
                problems.append(f"{f.name}={value!r} is not finite")
        if not problems:
            checks = [
                ("flat_speed_mps", self.flat_speed_mps > 0, "> 0"),
                ("grade_coeff_up", self.grade_coeff_up > 0, "> 0"),
                ("grade_coeff_down", self.grade_coeff_down > 0, "> 0"),
                ("optimum_grade", abs(self.optimum_grade) <= 0.5, "in [-0.5, 0.5]"),
                ("altitude_slowdown_per_1000m", self.altitude_slowdown_per_1000m >= 0, ">= 0"),
                ("rest_allowance", self.rest_allowance >= 0, ">= 0"),
            ]
            problems = [
                f"{n}={getattr(self, n)!r} must be {rule}" for n, ok, rule in checks if not ok
            ]
        if problems:
            raise InvalidInput("invalid walking model parameters", details=problems)

    @classmethod
    def tobler(cls) -> WalkingModel:
        """Tobler's published hiking function, unfitted: no altitude term, no rests.

        ``6 * exp(-3.5 * |S + 0.05|)`` km/h, i.e. 5.04 km/h on the flat (DOMAIN.md).
        """
        return cls(
            flat_speed_mps=6.0 * math.exp(-3.5 * 0.05) / 3.6,
            grade_coeff_up=3.5,
            grade_coeff_down=3.5,
            optimum_grade=-0.05,
            altitude_slowdown_per_1000m=0.0,
            reference_elevation_m=4670.0,
            rest_allowance=0.0,
        )

    def speed_mps(
        self,
        grade: npt.ArrayLike,
        elevation_m: npt.ArrayLike,
        *,
        altitude_sensitivity: float = 1.0,
        grade_sensitivity: float = 1.0,
    ) -> npt.NDArray[np.float64]:
        """Moving speed of the median walker, vectorised (arrays broadcast).

        Parameters
        ----------
        grade
            Rise over horizontal run (0.1 = 10 % uphill); clipped to [-1, 1].
        elevation_m
            Elevation of the walker.
        altitude_sensitivity
            Multiplier on ``altitude_slowdown_per_1000m`` (0.5 for an acclimatised team).
        grade_sensitivity
            Multiplier on both gradient coefficients (> 1: slopes hurt more).

        Returns
        -------
        numpy.ndarray
            Speed in metres per second (horizontal), strictly positive.
        """
        s = np.clip(np.asarray(grade, dtype=float), -_GRADE_LIMIT, _GRADE_LIMIT)
        z = np.asarray(elevation_m, dtype=float)
        k_up = self.grade_coeff_up * grade_sensitivity
        k_down = self.grade_coeff_down * grade_sensitivity
        s0 = self.optimum_grade
        log_g = np.where(s >= s0, -k_up * (s - s0), -k_down * (s0 - s))
        log_g0 = -k_up * (0.0 - s0) if s0 <= 0.0 else -k_down * s0
        log_alt = (
            -self.altitude_slowdown_per_1000m
            * altitude_sensitivity
            * (z - self.reference_elevation_m)
            / 1000.0
        )
        return np.asarray(self.flat_speed_mps * np.exp(log_g - log_g0 + log_alt), dtype=float)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form (``format`` key plus every parameter); inverse of :func:`load_model`."""
        out: dict[str, Any] = {"format": MODEL_FORMAT}
        out.update({f.name: float(getattr(self, f.name)) for f in fields(self)})
        return out


def load_model(data: Mapping[str, Any]) -> WalkingModel:
    """Rebuild a :class:`WalkingModel` from :meth:`WalkingModel.to_dict` output.

    Parameters
    ----------
    data
        Mapping with ``format`` equal to :data:`MODEL_FORMAT` and one number per parameter
        (the ``model`` object of ``calibration.json``).

    Returns
    -------
    WalkingModel

    Raises
    ------
    InvalidInput
        Listing every problem: not a mapping, wrong format, missing or unknown keys,
        non-numeric or out-of-range values.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput(f"walking model must be a JSON object, got {type(data).__name__}")
    names = [f.name for f in fields(WalkingModel)]
    problems = []
    if data.get("format") != MODEL_FORMAT:
        problems.append(f"format={data.get('format')!r}, expected {MODEL_FORMAT!r}")
    problems += [f"missing key {n!r}" for n in names if n not in data]
    problems += [f"unknown key {k!r}" for k in data if k not in names and k != "format"]
    kwargs: dict[str, float] = {}
    for n in names:
        if n in data:
            v = data[n]
            if isinstance(v, bool) or not isinstance(v, int | float):
                problems.append(f"{n}={v!r} is not a number")
            else:
                kwargs[n] = float(v)
    if problems:
        raise InvalidInput("invalid walking model", details=problems)
    return WalkingModel(**kwargs)
