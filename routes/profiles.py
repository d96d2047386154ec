"""Travel profiles as region data: who travels (pilgrim, rescue team, stretcher carry, horse,
vehicle), in which mode, at what pace relative to the walking model, where they may not
go; read from ``profiles.json`` with every problem named (:mod:`routes.costs` re-exports
these names).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from geodata.errors import InvalidInput

__all__ = [
    "PROFILES",
    "PROFILES_FORMAT",
    "PROFILES_FILE",
    "NoGo",
    "Profile",
    "load_profiles",
    "DEFAULT_PROFILES",
    "get_profile",
]


PROFILES: tuple[str, ...] = ("pilgrim", "rescue_team", "stretcher_carry", "horse", "vehicle")
"""Names of the built-in profiles, in the order the UI lists them."""

PROFILES_FORMAT = "sandtable.profiles/1"
"""Value of the ``format`` key of a profiles file (``geodata/kailash/profiles.json``)."""

#: the profiles' parameters and their sources: region data, beside calibration.json
PROFILES_FILE = ("geodata", "kailash/profiles.json")

_MODES = ("foot", "vehicle")


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
        prof = _profile(item, i, problems)
        if prof is None:
            continue
        if prof.name in out:
            problems.append(f"profiles[{i}] ({item.get('name')!r}): duplicate name")
        out[prof.name] = prof
    if not problems and tuple(out) != PROFILES:
        problems.append(f"profiles are {', '.join(out)}; expected exactly {', '.join(PROFILES)}")
    if problems:
        raise InvalidInput(f"{source}: invalid profiles", details=problems)
    return out


def _profile(item: Any, i: int, problems: list[str]) -> Profile | None:
    """One item of the ``profiles`` list; None (and its problems added) if it is not one."""
    if not isinstance(item, Mapping):
        problems.append(f"profiles[{i}] is not an object")
        return None
    where = f"profiles[{i}] ({item.get('name')!r})"
    missing = [k for k in _PROFILE_KEYS if k not in item]
    unknown = [k for k in item if k not in (*_PROFILE_KEYS, "basis")]
    problems += [f"{where}: missing key {k!r}" for k in missing]
    problems += [f"{where}: unknown key {k!r}" for k in unknown]
    if missing or unknown:
        return None
    kwargs = {k: item[k] for k in _PROFILE_KEYS}
    kwargs["sources"] = _tuple(kwargs["sources"])
    if not isinstance(kwargs["no_go"], list):
        problems.append(f"{where}: no_go must be a list")
        return None
    kwargs["no_go"] = _no_go(kwargs["no_go"], where, problems)
    for k in ("pace_multiplier", "altitude_sensitivity", "grade_sensitivity", "max_grade"):
        if isinstance(kwargs[k], int) and not isinstance(kwargs[k], bool):
            kwargs[k] = float(kwargs[k])
    try:
        return Profile(**kwargs)
    except InvalidInput as exc:
        problems += [f"{where}: {d}" for d in (exc.details or [exc.message])]
        return None


def _no_go(items: list[Any], where: str, problems: list[str]) -> tuple[NoGo, ...]:
    """A profile's ``no_go`` stretches; the bad ones left out, their problems added."""
    stretches = []
    for j, n in enumerate(items):
        if not isinstance(n, Mapping) or set(n) != set(_NO_GO_KEYS):
            problems.append(f"{where}: no_go[{j}] needs exactly the keys {list(_NO_GO_KEYS)}")
            continue
        try:
            stretches.append(NoGo(**{**n, "sources": _tuple(n["sources"])}))
        except InvalidInput as exc:
            problems += [f"{where}: no_go[{j}]: {d}" for d in (exc.details or [exc.message])]
    return tuple(stretches)


def _tuple(value: Any) -> Any:
    """A JSON list as a tuple (anything else as it is, for the value's own check)."""
    return tuple(value) if isinstance(value, list) else value


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
