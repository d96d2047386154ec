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
by :func:`routes.calibrate.calibrate` and stored in ``geodata/<region>/calibration.json``
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
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from geodata.errors import InvalidInput

__all__ = [
    "DEFAULT_PROFILES",
    "DEFAULT_VEHICLE_SPEED_KPH",
    "MODEL_FORMAT",
    "PROFILES",
    "SURFACE_SPEEDS_KPH",
    "Profile",
    "WalkingModel",
    "duration_s",
    "get_profile",
    "load_model",
    "load_profiles",
    "reverse_pieces",
    "vehicle_speed_mps",
]

PROFILES: tuple[str, ...] = ("pilgrim", "rescue_team", "stretcher_carry", "horse", "vehicle")
"""Names of the built-in profiles, in the order the UI lists them."""

MODEL_FORMAT = "sandtable.walking_model/1"
"""Value of the ``format`` key written by :meth:`WalkingModel.to_dict`."""

PROFILES_FORMAT = "sandtable.profiles/1"
"""Value of the ``format`` key of a profiles file (``geodata/kailash/profiles.json``)."""

#: the profiles' parameters and their sources: region data, beside calibration.json
PROFILES_FILE = ("geodata", "kailash/profiles.json")

_MODES = ("foot", "vehicle")

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


@dataclass(frozen=True)
class NoGo:
    """A stretch of a route's main line, from one place to another along its ways (in the
    route's walking order), that a profile cannot use in either direction.

    ``basis`` says why, ``sources`` where that is written (public URLs).
    """

    route_id: str
    from_place_id: str
    to_place_id: str
    basis: str
    sources: tuple[str, ...]

    def __post_init__(self) -> None:
        problems = [
            f"{k}={getattr(self, k)!r} must be a non-empty string"
            for k in ("route_id", "from_place_id", "to_place_id", "basis")
            if not isinstance(getattr(self, k), str) or not getattr(self, k)
        ]
        if (
            not isinstance(self.sources, tuple)
            or not self.sources
            or not all(isinstance(u, str) and u for u in self.sources)
        ):
            problems.append(f"sources={self.sources!r} must be a non-empty tuple of strings")
        if problems:
            raise InvalidInput("invalid no_go stretch", details=problems)


@dataclass(frozen=True)
class Profile:
    """Who or what travels, relative to the calibrated median pilgrim.

    Attributes
    ----------
    name
        Profile id (one of :data:`PROFILES` for the built-in ones).
    mode
        ``"foot"`` (walking model) or ``"vehicle"`` (surface speeds).
    pace_multiplier
        Multiplier on moving *time* (pace) of the median pilgrim: < 1 is faster.  For vehicles
        it multiplies the driving time.
    altitude_sensitivity
        Multiplier on the model's altitude slowdown (foot only).
    grade_sensitivity
        Multiplier on the model's gradient coefficients (foot only).
    rest_allowance
        Stops as a fraction of moving time; ``None`` uses the model's fitted allowance.
    range_p10, range_p90
        The 80 % range of the time on foot as factors on the stated time (p10 <= 1 <= p90);
        ``None`` uses the pilgrims' measured trip-length spread (``eta_ratio_quantiles``).
    sources
        Public sources of the parameters (URLs), recorded with the profile.
    no_go
        Stretches of a route this profile cannot use at all (:class:`NoGo`: the horse on the
        steep descent from Drölma-la); the graph gives its edges there no duration.
    max_grade
        Grades are clipped to ``[-max_grade, max_grade]`` before computing speed.  Steeper grades
        on short pieces are nearly always elevation noise; whether a way is passable at all is a
        property of the way's ``modes``, not of the profile, so no edge is made infinite here.

    Raises
    ------
    InvalidInput
        If a value is out of range.
    """

    name: str
    mode: str = "foot"
    pace_multiplier: float = 1.0
    altitude_sensitivity: float = 1.0
    grade_sensitivity: float = 1.0
    rest_allowance: float | None = None
    max_grade: float = 1.0
    range_p10: float | None = None
    range_p90: float | None = None
    sources: tuple[str, ...] = ()
    no_go: tuple[NoGo, ...] = ()

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.no_go, tuple) or not all(isinstance(n, NoGo) for n in self.no_go):
            problems.append(f"no_go={self.no_go!r} must be a tuple of NoGo stretches")
        lo, hi = self.range_p10, self.range_p90
        if (lo is None) != (hi is None):
            problems.append("range_p10 and range_p90 must both be numbers or both None")
        elif lo is not None and hi is not None:
            if any(
                isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)
                for v in (lo, hi)
            ):
                problems.append(f"range ({lo!r}, {hi!r}) must be finite numbers")
            elif not 0 < lo <= 1.0 <= hi:
                problems.append(f"range ({lo!r}, {hi!r}) must satisfy 0 < p10 <= 1 <= p90")
        if not isinstance(self.sources, tuple) or not all(
            isinstance(u, str) and u for u in self.sources
        ):
            problems.append(f"sources={self.sources!r} must be a tuple of non-empty strings")
        if not isinstance(self.name, str) or not self.name:
            problems.append(f"name={self.name!r} must be a non-empty string")
        if self.mode not in _MODES:
            problems.append(f"mode={self.mode!r} must be one of {', '.join(_MODES)}")
        positive = ("pace_multiplier", "grade_sensitivity", "max_grade")
        for n in (*positive, "altitude_sensitivity"):
            v = getattr(self, n)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                problems.append(f"{n}={v!r} must be a finite number")
            elif (v <= 0) if n in positive else (v < 0):
                problems.append(f"{n}={v!r} must be {'> 0' if n in positive else '>= 0'}")
        r = self.rest_allowance
        if r is not None and (
            isinstance(r, bool) or not isinstance(r, int | float) or not math.isfinite(r) or r < 0
        ):
            problems.append(f"rest_allowance={r!r} must be None or a finite number >= 0")
        if problems:
            raise InvalidInput(f"invalid profile {self.name!r}", details=problems)


_PROFILE_KEYS = (
    "name",
    "mode",
    "pace_multiplier",
    "altitude_sensitivity",
    "grade_sensitivity",
    "rest_allowance",
    "max_grade",
    "range_p10",
    "range_p90",
    "sources",
    "no_go",
)
_NO_GO_KEYS = ("route_id", "from_place_id", "to_place_id", "basis", "sources")


def load_profiles(data: Any, *, source: str = "profiles") -> dict[str, Profile]:
    """Profiles from a profiles document (``format`` :data:`PROFILES_FORMAT`).

    Every built-in name of :data:`PROFILES` must be there, in that order, each with all the
    keys of :class:`Profile` (``basis`` is free text for people and is not kept).

    Parameters
    ----------
    data
        The parsed JSON document.
    source
        Name of the file, quoted in errors.

    Returns
    -------
    dict
        ``name -> Profile`` in the order of :data:`PROFILES`.

    Raises
    ------
    InvalidInput
        Listing every problem, each naming the profile and field.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{source}: must be a JSON object, got {type(data).__name__}")
    problems: list[str] = []
    if data.get("format") != PROFILES_FORMAT:
        problems.append(f"format={data.get('format')!r}, expected {PROFILES_FORMAT!r}")
    items = data.get("profiles")
    if not isinstance(items, list):
        raise InvalidInput(f"{source}: invalid profiles", details=[*problems, "no 'profiles' list"])
    out: dict[str, Profile] = {}
    for i, item in enumerate(items):
        where = f"profiles[{i}]"
        if not isinstance(item, Mapping):
            problems.append(f"{where} is not an object")
            continue
        where = f"profiles[{i}] ({item.get('name')!r})"
        missing = [k for k in _PROFILE_KEYS if k not in item]
        unknown = [k for k in item if k not in (*_PROFILE_KEYS, "basis")]
        problems += [f"{where}: missing key {k!r}" for k in missing]
        problems += [f"{where}: unknown key {k!r}" for k in unknown]
        if missing or unknown:
            continue
        kwargs = {k: item[k] for k in _PROFILE_KEYS}
        srcs = kwargs["sources"]
        kwargs["sources"] = tuple(srcs) if isinstance(srcs, list) else srcs
        no_go = kwargs["no_go"]
        if not isinstance(no_go, list):
            problems.append(f"{where}: no_go must be a list")
            continue
        stretches = []
        for j, n in enumerate(no_go):
            if not isinstance(n, Mapping) or set(n) != set(_NO_GO_KEYS):
                problems.append(f"{where}: no_go[{j}] needs exactly the keys {list(_NO_GO_KEYS)}")
                continue
            try:
                stretches.append(
                    NoGo(
                        **{
                            **n,
                            "sources": tuple(n["sources"])
                            if isinstance(n["sources"], list)
                            else n["sources"],
                        }
                    )
                )
            except InvalidInput as exc:
                problems += [f"{where}: no_go[{j}]: {d}" for d in (exc.details or [exc.message])]
        kwargs["no_go"] = tuple(stretches)
        for k in ("pace_multiplier", "altitude_sensitivity", "grade_sensitivity", "max_grade"):
            if isinstance(kwargs[k], int) and not isinstance(kwargs[k], bool):
                kwargs[k] = float(kwargs[k])
        try:
            prof = Profile(**kwargs)
        except InvalidInput as exc:
            problems += [f"{where}: {d}" for d in (exc.details or [exc.message])]
            continue
        if prof.name in out:
            problems.append(f"{where}: duplicate name")
        out[prof.name] = prof
    if not problems and tuple(out) != PROFILES:
        problems.append(f"profiles are {', '.join(out)}; expected exactly {', '.join(PROFILES)}")
    if problems:
        raise InvalidInput(f"{source}: invalid profiles", details=problems)
    return out


def _read_default_profiles() -> dict[str, Profile]:
    from importlib.resources import files

    package, name = PROFILES_FILE
    text = files(package).joinpath(name).read_text(encoding="utf-8")
    return load_profiles(json.loads(text), source=f"{package}/{name}")


DEFAULT_PROFILES: Mapping[str, Profile] = MappingProxyType(_read_default_profiles())
"""Built-in profiles, keyed by name (read-only)."""


def get_profile(profile: str | Profile) -> Profile:
    """Return a :class:`Profile` for a built-in profile name (or the profile itself).

    Raises
    ------
    InvalidInput
        If ``profile`` is neither a :class:`Profile` nor one of :data:`PROFILES`.
    """
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, str) and profile in DEFAULT_PROFILES:
        return DEFAULT_PROFILES[profile]
    raise InvalidInput(f"unknown profile {profile!r}; allowed: {', '.join(PROFILES)}")


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
