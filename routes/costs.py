"""Travel-time profiles: how long an edge takes, per direction and per profile.

The graph builder calls :func:`duration_s` once per edge and direction.  An edge is described
by its *pieces*: an ``(n, 3)`` array of ``(length_m, rise_m, mean_elevation_m)`` for consecutive
sub-pieces of the edge, in the direction of travel.  ``length_m`` is the horizontal (2-D,
metric CRS) length; the grade of a piece is ``rise_m / length_m``.  The reverse direction is
:func:`reverse_pieces` of the same array (order reversed, rise negated), so uphill and downhill
times differ automatically.

Walking model
-------------
:class:`WalkingModel` is a Tobler-type hiking function with an altitude term and a rest
allowance::

    speed(S, z) = v_flat * g(S) / g(0) * exp(-a * (z - z_ref) / 1000)
    g(S)        = exp(-k_up * (S - S0))    for S >= S0
                  exp(-k_down * (S0 - S))  for S <  S0

``S`` is the grade (rise/run), ``S0`` the optimum (fastest) grade, ``v_flat`` the moving speed
on the flat at ``z_ref``, and ``a`` the fractional slowdown per 1000 m of elevation above
``z_ref`` (faster below it).  Tobler's published function is the special case
``v_flat = 5.04 km/h, k_up = k_down = 3.5, S0 = -0.05, a = 0`` (:meth:`WalkingModel.tobler`).
Moving time is ``sum(length / speed)``; the total adds the rest allowance:
``total = moving * (1 + rest_allowance)``.  The parameters are fitted on the real pilgrim tracks
by :func:`routes.calibration.calibrate` and stored in ``geodata/<region>/calibration.json``
(``load_model`` / :meth:`WalkingModel.to_dict`).

Profiles
--------
Profiles are region data: ``geodata/kailash/profiles.json`` (:data:`PROFILES_FILE`, read by
:func:`load_profiles`) gives each one's parameters, its 80 % range and the public sources
they come from.  ``pilgrim`` is the calibrated median pilgrim; ``rescue_team`` an
acclimatised, lightly loaded team (the tracks' fast-walker pace); ``stretcher_carry`` a
six-bearer litter with relays (about 1 km/h on the flat including relays); ``horse`` a pony
led by its horseman; ``vehicle`` uses :func:`vehicle_speed_mps` with a modest grade penalty,
ignoring altitude and the walking model.

Every number here is an assumption unless it is fitted; each is documented where it is defined.

Where the code is: edge durations, surfaces and vehicle speeds here; the walking model in
:mod:`routes.walking`, the profiles in :mod:`routes.profiles` (both re-exported here).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from geodata.errors import InvalidInput
from routes.profiles import (
    DEFAULT_PROFILES,
    PROFILES,
    PROFILES_FILE,
    PROFILES_FORMAT,
    NoGo,
    Profile,
    get_profile,
    load_profiles,
)
from routes.walking import (
    MODEL_FORMAT,
    WalkingModel,
    load_model,
)

__all__ = [
    "DEFAULT_PROFILES",
    "DEFAULT_VEHICLE_SPEED_KPH",
    "MODEL_FORMAT",
    "PROFILES",
    "PROFILES_FILE",
    "PROFILES_FORMAT",
    "SURFACE_SPEEDS_KPH",
    "NoGo",
    "Profile",
    "WalkingModel",
    "duration_s",
    "get_profile",
    "load_model",
    "load_profiles",
    "reverse_pieces",
    "vehicle_speed_mps",
]


# Vehicle speeds (km/h), deliberately below lowland routing-engine defaults (openrouteservice
# driving-car uses 40/30/20 km/h for track grades 1/2/3; OSRM's car profile caps gravel at
# 40 km/h): on the Kailash roads vehicles share the way with pilgrims and yaks at 4,600-5,000 m,
# pass checkpoints, and the road lengths in roads.csv are mostly trail distances, not traced
# alignments.  A rescue ETA must not over-promise, so every figure errs slow.
SURFACE_SPEEDS_KPH: Mapping[str, float] = MappingProxyType(
    {
        "paved": 50.0,  # G219 and the Darchen spur; highway allows more, towns less
        "asphalt": 50.0,
        "concrete": 50.0,
        "graded": 30.0,  # graded unsealed road (shuttle road to Tarboche)
        "compacted": 30.0,
        "gravel": 25.0,
        "dirt": 15.0,
        "dirt_track": 10.0,  # tractor/4WD tracks up the valleys (rescue vehicles only)
        "track": 10.0,
        "rock": 6.0,  # stony track: walking pace of a 4WD or motorbike
        "rocky": 6.0,
    }
)
"""Vehicle speed by surface on the flat, km/h."""

DEFAULT_VEHICLE_SPEED_KPH = 10.0
"""Speed for a surface that is unknown or unrecognised: as slow as a dirt track."""


def _surface_key(surface: str) -> str | None:
    s = surface.strip().lower()
    s = s.split("(", 1)[0].strip()  # "paved (G219)" -> "paved"
    key = "_".join(s.replace("-", " ").split())
    if key in SURFACE_SPEEDS_KPH:
        return key
    if "/" in key:  # "dirt/gravel": the slower part
        parts = [_surface_key(p) for p in key.split("/")]
        known = [p for p in parts if p is not None]
        if known and len(known) == len(parts):
            return min(known, key=lambda p: SURFACE_SPEEDS_KPH[p])
        return None
    first = key.split("_", 1)[0]  # "paved to near Chiu" -> "paved"
    return first if first in SURFACE_SPEEDS_KPH else None


def vehicle_speed_mps(surface: str | None) -> float:
    """Vehicle speed on the flat for a surface description.

    Recognises the keys of :data:`SURFACE_SPEEDS_KPH` case-insensitively, with spaces,
    hyphens or underscores (``"dirt track"``), a trailing parenthesis (``"paved (G219)"``),
    ``a/b`` combinations (the slower part), and a known first word (``"paved to near Chiu"``).
    Anything else, including ``None``, ``""`` and ``"unknown"``, gets
    :data:`DEFAULT_VEHICLE_SPEED_KPH`.

    Parameters
    ----------
    surface
        Surface description of the way.

    Returns
    -------
    float
        Speed in metres per second.

    Raises
    ------
    InvalidInput
        If ``surface`` is neither a string nor ``None``.
    """
    if surface is None:
        return DEFAULT_VEHICLE_SPEED_KPH / 3.6
    if not isinstance(surface, str):
        raise InvalidInput(f"surface must be a string, got {surface!r}")
    key = _surface_key(surface)
    return (SURFACE_SPEEDS_KPH[key] if key else DEFAULT_VEHICLE_SPEED_KPH) / 3.6


def _vehicle_grade_factor(grade: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    # Modest penalty (assumption): -20 % at 10 % uphill, -13 % at 10 % downhill (engine braking
    # on loose surfaces).  Low-gear crawling on steeper grades is covered by max_grade clipping.
    up = np.maximum(grade, 0.0)
    down = np.maximum(-grade, 0.0)
    return np.asarray(1.0 / (1.0 + 2.5 * up + 1.5 * down), dtype=float)


def _check_pieces(pieces: npt.ArrayLike) -> npt.NDArray[np.float64]:
    try:
        arr = np.asarray(pieces, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"pieces must be numeric, got {pieces!r}") from exc
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 3)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise InvalidInput(
            f"pieces must have shape (n, 3) = (length_m, rise_m, mean_elevation_m), "
            f"got shape {arr.shape}"
        )
    bad = ~np.isfinite(arr)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        col = ("length_m", "rise_m", "mean_elevation_m")[j]
        raise InvalidInput(f"pieces[{i}] {col}={float(arr[i, j])!r} is not finite")
    neg = arr[:, 0] < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        raise InvalidInput(f"pieces[{i}] length_m={float(arr[i, 0])!r} is negative; must be >= 0")
    return arr


def reverse_pieces(pieces: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Pieces of the same edge walked the other way: order reversed, rise negated.

    Raises
    ------
    InvalidInput
        If ``pieces`` is not a finite ``(n, 3)`` array with non-negative lengths.
    """
    arr = _check_pieces(pieces)[::-1].copy()
    arr[:, 1] = -arr[:, 1]
    return arr


def duration_s(
    profile: str | Profile,
    pieces: npt.ArrayLike,
    *,
    surface: str | None,
    model: WalkingModel,
) -> float:
    """Travel time over an edge, in the direction its pieces are given.

    Parameters
    ----------
    profile
        One of :data:`PROFILES` or a :class:`Profile`.
    pieces
        ``(n, 3)`` array of ``(length_m, rise_m, mean_elevation_m)`` for consecutive sub-pieces,
        in the direction of travel; ``length_m`` is horizontal.  Pieces of zero length take no
        time.  Finer pieces capture more of the ups and downs; use the piece length the model
        was calibrated with (``calibration.json`` ``parameters.piece_m``).
    surface
        Surface of the way; used by the ``vehicle`` mode only (see :func:`vehicle_speed_mps`).
    model
        Fitted walking model (foot modes); :meth:`WalkingModel.tobler` if none is fitted yet.

    Returns
    -------
    float
        Seconds, finite and >= 0 (> 0 when any piece has positive length).  Additive: splitting
        the pieces of an edge in two and summing the two durations gives the same result.

    Raises
    ------
    InvalidInput
        Unknown profile; pieces not a finite ``(n, 3)`` array; a negative length; a surface
        that is not a string.
    """
    prof = get_profile(profile)
    arr = _check_pieces(pieces)
    if surface is not None and not isinstance(surface, str):
        raise InvalidInput(f"surface must be a string or None, got {surface!r}")
    if not isinstance(model, WalkingModel):
        raise InvalidInput(f"model must be a WalkingModel, got {type(model).__name__}")
    length = arr[:, 0]
    moving = length > 0
    if not moving.any():
        return 0.0
    length = length[moving]
    grade = np.clip(arr[moving, 1] / length, -prof.max_grade, prof.max_grade)
    if prof.mode == "vehicle":
        speed = vehicle_speed_mps(surface) * _vehicle_grade_factor(grade)
    else:
        speed = model.speed_mps(
            grade,
            arr[moving, 2],
            altitude_sensitivity=prof.altitude_sensitivity,
            grade_sensitivity=prof.grade_sensitivity,
        )
    rest = model.rest_allowance if prof.rest_allowance is None else prof.rest_allowance
    if prof.mode == "vehicle" and prof.rest_allowance is None:
        rest = 0.0
    return float(np.sum(length / speed) * prof.pace_multiplier * (1.0 + rest))
