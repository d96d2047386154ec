"""Closures of trails and roads: snow, landslides, floods … and their effect on plans.

A closure covers whole segments (``segment_ids``), a stretch drawn as a line
(a LineString along the trail between two points, or across it where a
landslide cut it), or a drawn area (a Polygon). It either closes the edges it
covers or slows them down by a factor, for vehicles only or for everyone, over
a time window that may be open-ended.

Everything here is framework-free:

* :func:`parse_closure` turns an API body into a :class:`Closure` or raises one
  :class:`~geodata.errors.InvalidInput` listing every problem;
* :func:`affected_edges` maps a closure onto the graph (both directions of every
  piece it covers), in the network's metric CRS;
* :class:`DatabaseClosureStore` keeps closures in the route database
  (:mod:`geodata.store`), :class:`ClosureStore` in a JSON file (the instance
  directory of earlier releases, imported into the database on start); expired
  closures disappear by themselves;
* :func:`closure_weight` / :func:`edge_cost` are networkx weights that hide
  closed edges (``None``) and multiply slowed ones;
* :func:`closures_in_force` picks the closures in force at a time and sets aside,
  as a :class:`ClosureProblem`, any that cannot be applied, so that one bad stored
  row never stops planning.

Geometries are GeoJSON in WGS84 (lon/lat) at the interface; times are aware
datetimes (a naive ISO-8601 string is read as Asia/Shanghai local time) from
:data:`EARLIEST` to :data:`LATEST`: a closure from year 1 or until
9999-12-31T23:59:59-12:00 would overflow Python's datetimes the moment it is compared
with another time zone's, so no :class:`Closure` outside that range can be made.
"""

from __future__ import annotations

import builtins
import json
import math
import os
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Final, Literal

import shapely
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from shapely.errors import GEOSException
from shapely.geometry import LineString, Polygon, shape
from shapely.geometry.base import BaseGeometry

from geodata.errors import Conflict, DataValidationError, InvalidInput, NotFound
from geodata.i18n import Msg, Name, msg
from rescue.checks import Checked, ProblemText, problem, problems
from rescue.closure_reasons import REASONS
from rescue.localtime import LOCAL_TZ
from routes.graph import PROFILE_MODES
from routes.snap import EdgeKey, piece_index

if TYPE_CHECKING:
    from geodata.store import RouteStore
    from routes.network import RouteNetwork

__all__ = [
    "REASONS",
    "MODES",
    "LOCAL_TZ",
    "ClosureBody",
    "build_closure",
    "LINE_BUFFER_M",
    "LINE_OVERLAP_MIN",
    "MAX_SLOW_FACTOR",
    "EARLIEST",
    "LATEST",
    "Closure",
    "ClosureProblem",
    "ClosureStore",
    "closures_in_force",
    "time_range_problem",
    "parse_closure",
    "affected_edges",
    "closure_weight",
    "edge_cost",
    "edge_factors",
    "DatabaseClosureStore",
    "describe_closure",
    "describe_closure_msg",
    "closures_on_edge",
]

#: who a closure affects: everyone, or vehicles only
MODES: tuple[str, ...] = ("all", "vehicle")
#: half-width of the corridor around a drawn line
LINE_BUFFER_M = 30.0
#: share of an edge's length inside the corridor from which the edge is covered
LINE_OVERLAP_MIN = 0.5
#: a slow-down beyond this is a closure in all but name
MAX_SLOW_FACTOR = 20.0
#: the first and last times a closure may name (as the periods of rescue.reports)
EARLIEST: Final = datetime(2000, 1, 1, tzinfo=LOCAL_TZ)
LATEST: Final = datetime(2100, 1, 1, tzinfo=LOCAL_TZ)

_FIELDS = frozenset(
    {
        "geometry",
        "segment_ids",
        "reason",
        "modes",
        "severity",
        "from",
        "until",
        "note",
        "created_by",
    }
)
_MAX_NOTE_CHARS = 2000
_MAX_NAME_CHARS = 100
_FILE_VERSION = 1



@dataclass(frozen=True)
class Closure:
    """A closure or slow-down of part of the network over a time window.

    ``slow_factor`` is None for a full closure, else the factor (> 1) applied to
    travel times. ``valid_until`` None means open-ended. ``geometry`` is the drawn
    GeoJSON (WGS84) or None when the closure names ``segment_ids``.
    """

    closure_id: str
    segment_ids: tuple[str, ...]
    geometry: dict[str, Any] | None
    reason: str
    modes: Literal["all", "vehicle"]
    slow_factor: float | None
    valid_from: datetime
    valid_until: datetime | None
    created_by: str
    created_at: datetime
    note: str = ""

    def __post_init__(self) -> None:
        # every time must be aware and in range, or comparing it overflows later
        for name, when in (
            ("from", self.valid_from),
            ("until", self.valid_until),
            ("created_at", self.created_at),
        ):
            if when is None and name == "until":
                continue
            if not isinstance(when, datetime) or when.utcoffset() is None:
                raise InvalidInput(f"{name}: {when!r} is not a timezone-aware datetime")
            problem = time_range_problem(when)
            if problem is not None:
                raise InvalidInput(f"{name}: {when.isoformat()} {problem}")

    @property
    def closed(self) -> bool:
        """True for a full closure, False for a slow-down."""
        return self.slow_factor is None

    def active(self, at: datetime) -> bool:
        """Whether the closure is in force at the aware datetime ``at``.

        Raises
        ------
        InvalidInput
            If ``at`` is naive.
        """
        _check_aware(at, "at")
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)

    def expired(self, at: datetime) -> bool:
        """Whether the closure has ended by ``at`` (it will never be active again)."""
        _check_aware(at, "at")
        return self.valid_until is not None and self.valid_until <= at

    def affects(self, mode: str) -> bool:
        """Whether the closure applies to travel in ``mode`` (``"foot"`` or ``"vehicle"``).

        Raises
        ------
        InvalidInput
            If ``mode`` is not one of ``"foot"``, ``"vehicle"``.
        """
        if mode not in ("foot", "vehicle"):
            raise InvalidInput(f"unknown mode {mode!r}; expected 'foot' or 'vehicle'")
        return self.modes == "all" or mode == "vehicle"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` reads it back."""
        return {
            "closure_id": self.closure_id,
            "segment_ids": list(self.segment_ids),
            "geometry": self.geometry,
            "reason": self.reason,
            "modes": self.modes,
            "severity": "closed" if self.slow_factor is None else {"slow_factor": self.slow_factor},
            "slow_factor": self.slow_factor,
            "from": self.valid_from.isoformat(),
            "until": None if self.valid_until is None else self.valid_until.isoformat(),
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Closure:
        """Read a dict written by :meth:`to_dict` (trusted storage, not user input).

        Everything the planner relies on is checked again (times in range, geometry,
        slow factor), so that a row written by another release or by hand is refused
        here rather than failing every plan.

        Raises
        ------
        ValueError, KeyError, TypeError
            If the dict is not a stored closure (:class:`InvalidInput` is a ValueError).
        """

        def when(text: Any) -> datetime:
            value = datetime.fromisoformat(str(text))
            if value.tzinfo is None:
                raise ValueError(f"naive stored time {text!r}")
            return value

        if not isinstance(data, Mapping):
            raise TypeError(f"a stored closure is an object, not {type(data).__name__}")
        modes = data["modes"]
        if modes not in MODES or data["reason"] not in REASONS:
            raise ValueError(f"bad modes {modes!r} or reason {data['reason']!r}")
        slow = data["slow_factor"]
        if slow is not None and not (
            isinstance(slow, int | float)
            and not isinstance(slow, bool)
            and math.isfinite(slow)
            and 1.0 < slow <= MAX_SLOW_FACTOR
        ):
            raise ValueError(f"slow_factor {slow!r} is not a number > 1 and <= {MAX_SLOW_FACTOR:g}")
        geometry = data["geometry"]
        if geometry is not None:
            if not isinstance(geometry, dict):
                raise TypeError("geometry must be an object or null")
            problems: list[str | Msg] = []
            if _parse_geometry(geometry, problems) is None:
                raise ValueError("; ".join(map(str, problems)))
        segment_ids = data["segment_ids"]
        if isinstance(segment_ids, str) or not isinstance(segment_ids, Sequence):
            raise TypeError("segment_ids must be a list")
        if geometry is None and not segment_ids:
            raise ValueError("neither segment_ids nor a geometry")
        return cls(
            closure_id=str(data["closure_id"]),
            segment_ids=tuple(str(s) for s in segment_ids),
            geometry=geometry,
            reason=str(data["reason"]),
            modes=modes,
            slow_factor=None if slow is None else float(slow),
            valid_from=when(data["from"]),
            valid_until=None if data["until"] is None else when(data["until"]),
            created_by=str(data["created_by"]),
            created_at=when(data["created_at"]),
            note=str(data.get("note", "")),
        )


@dataclass(frozen=True)
class ClosureProblem:
    """A stored closure that cannot be applied, and why (shown with the plans and the list).

    Such a closure is left out of every plan, never fatal to it: an officer sees the
    message and lifts (deletes) the closure.
    """

    closure_id: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"closure_id": self.closure_id, "message": self.message}


def closures_in_force(
    network: RouteNetwork, closures: Iterable[Closure], at: datetime
) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
    """The closures in force at ``at``, and those that cannot be applied.

    Each closure is tried on its own (its window, the edges it covers, its one-line
    description): one that fails is reported as a :class:`ClosureProblem` and left
    out, so that the others, and the plan, go on.

    Raises
    ------
    InvalidInput
        If ``at`` is naive.
    """
    _check_aware(at, "at")
    active: builtins.list[Closure] = []
    problems: builtins.list[ClosureProblem] = []
    for c in closures:
        try:
            if not c.active(at):
                continue
            affected_edges(network, c)
            describe_closure(network, c)
        except (ValueError, TypeError, KeyError, OverflowError, GEOSException) as exc:
            problems.append(ClosureProblem(c.closure_id, f"cannot be applied: {exc}"))
            continue
        active.append(c)
    return active, problems


def _read_closures(
    items: Iterable[tuple[str, Any]],
) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
    """Stored ``(closure_id, body)`` pairs as closures, each unreadable one as a problem."""
    closures: builtins.list[Closure] = []
    problems: builtins.list[ClosureProblem] = []
    for closure_id, body in items:
        try:
            closures.append(Closure.from_dict(body))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            problems.append(
                ClosureProblem(str(closure_id), f"stored closure cannot be read: {detail}"[:500])
            )
    return closures, problems


# -- parsing ------------------------------------------------------------------------------


def _reason(value: Any, problems: list[str | Msg]) -> Any:
    if value not in REASONS:
        problems.append(msg("closure.reason", value=repr(value), allowed=", ".join(REASONS)))
    return value


def _modes(value: Any, problems: list[str | Msg]) -> Any:
    if value not in MODES:
        problems.append(msg("closure.modes", value=repr(value), allowed=", ".join(MODES)))
    return value


def _note(value: Any, problems: list[str | Msg]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > _MAX_NOTE_CHARS:
        problems.append(msg("closure.note", limit=_MAX_NOTE_CHARS))
    return value  # type: ignore[no-any-return]


def _segment_ids(value: Any, problems: list[str | Msg]) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        problems.append(f"segment_ids: expected a non-empty list of segment ids, got {value!r}")
        return None
    bad = [v for v in value if not isinstance(v, str)]
    if bad:
        problems.append(f"segment_ids: not text: {bad!r}")
        return None
    return tuple(dict.fromkeys(value))


def _geometry(value: Any, problems: list[str | Msg]) -> dict[str, Any] | None:
    return None if value is None else _parse_geometry(value, problems)


def _time(name: str) -> Callable[[Any, list[str | Msg]], datetime | None]:
    return lambda value, problems: _parse_time(value, name, problems)


def _checked(
    parse: Callable[[Any, list[str | Msg]], Any],
    schema: dict[str, Any],
    against: Callable[[Any, Any, Mapping[str, Any], list[str | Msg]], None] | None = None,
) -> Any:
    """A field read by ``parse`` (which appends a problem or returns the value), then,
    when the validation context holds the ``network`` and ``now``, checked ``against``
    them (so that every problem of a body is named at once)."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        found: list[str | Msg] = []
        result = parse(value, found)
        if not found and against is not None and result is not None and info.context:
            against(result, value, info.context, found)
        if found:
            raise problem(found[0])
        return result

    return (BeforeValidator(validate), WithJsonSchema(schema))


def _known_segments(
    ids: tuple[str, ...], sent: Any, context: Mapping[str, Any], found: list[str | Msg]
) -> None:
    known = set(context["network"].segments.index)
    unknown = [v for v in ids if v not in known]
    if unknown:
        found.append(msg("closure.unknown_segments", ids=", ".join(map(repr, unknown))))


def _reaches_network(
    geometry: dict[str, Any], sent: Any, context: Mapping[str, Any], found: list[str | Msg]
) -> None:
    now = context["now"]
    probe = _closure("probe", (), geometry, "other", "all", None, now, None, "", now, "")
    if not affected_edges(context["network"], probe):
        found.append(msg("closure.no_effect"))


def _not_passed(
    until: datetime, sent: Any, context: Mapping[str, Any], found: list[str | Msg]
) -> None:
    now = context["now"]
    if until <= now:
        found.append(
            msg("closure.until_past", value=repr(sent), now=now.isoformat(timespec="minutes"))
        )


_TIME_SCHEMA = {
    "type": ["string", "null"],
    "description": "ISO-8601 date and time; without an offset Beijing time",
}


class ClosureBody(Checked):
    """The body of ``POST /api/closures``: where (``segment_ids`` or a drawn
    ``geometry``), why, for whom, how bad and when. Checked here as far as the body
    itself tells; :func:`build_closure` checks it against the network and the clock."""

    model_config = ConfigDict(extra="forbid")
    problem_texts: ClassVar[dict[tuple[str, str], ProblemText]] = {
        ("missing", "reason"): lambda _: msg(
            "closure.reason", value="None", allowed=", ".join(REASONS)
        ),
        ("missing", "modes"): lambda _: msg(
            "closure.modes", value="None", allowed=", ".join(MODES)
        ),
        ("missing", "severity"): lambda _: msg("closure.severity", value="None"),
        ("extra_forbidden", "*"): lambda e: msg(
            "closure.unknown_fields", fields=str(e["loc"][0]), allowed=", ".join(sorted(_FIELDS))
        ),
    }

    segment_ids: Annotated[
        tuple[str, ...] | None,
        *_checked(
            _segment_ids, {"type": ["array", "null"], "items": {"type": "string"}}, _known_segments
        ),
    ] = None
    geometry: Annotated[
        dict[str, Any] | None,
        *_checked(
            _geometry,
            {
                "type": ["object", "null"],
                "description": "a GeoJSON LineString or Polygon (instead of segment_ids)",
            },
            _reaches_network,
        ),
    ] = None
    reason: Annotated[str, *_checked(_reason, {"enum": list(REASONS)})]
    modes: Annotated[str, *_checked(_modes, {"enum": list(MODES)})]
    #: None: closed; else the slow factor
    severity: Annotated[
        float | None,
        *_checked(
            _parse_severity,
            {
                "oneOf": [
                    {"const": "closed"},
                    {
                        "type": "object",
                        "properties": {"slow_factor": {"type": "number"}},
                        "required": ["slow_factor"],
                        "additionalProperties": False,
                    },
                ]
            },
        ),
    ]
    valid_from: Annotated[datetime | None, *_checked(_time("from"), _TIME_SCHEMA)] = Field(
        default=None, alias="from"
    )
    until: Annotated[datetime | None, *_checked(_time("until"), _TIME_SCHEMA, _not_passed)] = None
    note: Annotated[
        str, *_checked(_note, {"type": ["string", "null"], "maxLength": _MAX_NOTE_CHARS})
    ] = ""
    created_by: Annotated[
        Any, WithJsonSchema({"description": "accepted; the API's author is the signed-in user"})
    ] = None

    @model_validator(mode="wrap")
    @classmethod
    def _in_order(
        cls, data: Any, handler: ModelWrapValidatorHandler[ClosureBody], info: ValidationInfo
    ) -> ClosureBody:
        body = handler(data)
        if (body.geometry is None) == (body.segment_ids is None):
            raise problem(msg("closure.one_of"))
        start = body.valid_from or (info.context or {}).get("now")
        if body.until is not None and start is not None and body.until <= start:
            sent = data.get("until") if isinstance(data, Mapping) else body.until
            raise problem(msg("closure.until_before", value=repr(sent), start=start.isoformat()))
        return body


def parse_closure(
    data: Mapping[str, Any],
    *,
    network: RouteNetwork,
    now: datetime,
    created_by: str = "anonymous",
) -> Closure:
    """Validate a body as :class:`ClosureBody`, then :func:`build_closure`.

    Raises
    ------
    InvalidInput
        Listing every problem (field and value) in ``details``; nothing is built.
    """
    _check_aware(now, "now")
    if not isinstance(data, Mapping):
        raise InvalidInput(
            "invalid closure", details=[f"body: expected an object, got {type(data).__name__}"]
        )
    try:
        body = ClosureBody.model_validate(dict(data), context={"network": network, "now": now})
    except ValidationError as exc:
        raise InvalidInput(msg("closure.invalid"), details=problems(ClosureBody, exc)) from None
    return build_closure(body, now=now, created_by=created_by)


def build_closure(
    body: ClosureBody,
    *,
    now: datetime,
    created_by: str = "anonymous",
) -> Closure:
    """Build a :class:`Closure` from a body checked with the network and ``now`` in its
    validation context (``ClosureBody.model_validate(data, context={"network": …,
    "now": …})``: unknown segments, a drawn line reaching no trail, an end before the
    start or already passed are problems of the body).

    Parameters
    ----------
    body
        The closure as asked for (see :class:`ClosureBody`); naive times are Beijing time.
    now
        The current time (aware, as in the validation context); the default start and
        ``created_at``.
    created_by
        Who sets the closure, as known to the caller (e.g. the signed-in user).
        When left at ``"anonymous"``, the body's ``"created_by"`` is used if given.

    Returns
    -------
    Closure
        With a fresh ``closure_id``.

    Raises
    ------
    InvalidInput
        If the author is not a name.
    """
    _check_aware(now, "now")
    author = created_by
    if created_by == "anonymous" and body.created_by is not None:
        author = body.created_by
    if not isinstance(author, str) or not author.strip() or len(author) > _MAX_NAME_CHARS:
        raise InvalidInput(
            msg("closure.invalid"),
            details=[f"created_by: {author!r} is not a name of 1-{_MAX_NAME_CHARS} characters"],
        )
    return _closure(
        uuid.uuid4().hex[:12],
        body.segment_ids or (),
        body.geometry,
        body.reason,
        body.modes,
        body.severity,
        body.valid_from or now,
        body.until,
        author.strip(),
        now,
        body.note,
    )


def _closure(
    closure_id: str,
    segment_ids: tuple[str, ...],
    geometry: dict[str, Any] | None,
    reason: str,
    modes: Any,
    slow_factor: float | None,
    valid_from: datetime,
    valid_until: datetime | None,
    created_by: str,
    created_at: datetime,
    note: str,
) -> Closure:
    return Closure(
        closure_id=closure_id,
        segment_ids=segment_ids,
        geometry=geometry,
        reason=reason,
        modes=modes,
        slow_factor=slow_factor,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=created_by,
        created_at=created_at,
        note=note,
    )


def _parse_geometry(value: Any, problems: list[str | Msg]) -> dict[str, Any] | None:
    if not isinstance(value, Mapping) or value.get("type") not in ("LineString", "Polygon"):
        kind = value.get("type") if isinstance(value, Mapping) else type(value).__name__
        problems.append(f"geometry: expected a GeoJSON LineString or Polygon, got {kind!r}")
        return None
    try:
        geom = shape(value)
    except Exception as exc:  # shapely raises several types on malformed coordinates
        problems.append(f"geometry: the {value['type']} does not parse ({exc})")
        return None
    if geom.is_empty:
        problems.append(f"geometry: the {value['type']} is empty")
        return None
    coords = _all_coords(geom)
    if not all(
        math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90
        for x, y in coords
    ):
        problems.append("geometry: coordinates out of lon/lat range (lon -180..180, lat -90..90)")
        return None
    if not geom.is_valid:
        problems.append(f"geometry: invalid {value['type']} ({shapely.is_valid_reason(geom)})")
        return None
    if isinstance(geom, LineString) and geom.length == 0:
        problems.append("geometry: the LineString has no length")
        return None
    return _to_geojson(geom)


def _all_coords(geom: BaseGeometry) -> list[tuple[float, float]]:
    if isinstance(geom, Polygon):
        rings = [geom.exterior, *geom.interiors]
        return [(float(c[0]), float(c[1])) for r in rings for c in r.coords]
    return [(float(c[0]), float(c[1])) for c in geom.coords]


def _to_geojson(geom: BaseGeometry) -> dict[str, Any]:
    """GeoJSON of a drawn closure, lon/lat rounded to 6 decimals (~0.1 m)."""

    def pos(c: Sequence[float]) -> list[float]:
        return [round(float(c[0]), 6), round(float(c[1]), 6)]

    if isinstance(geom, Polygon):
        rings = [geom.exterior, *geom.interiors]
        return {"type": "Polygon", "coordinates": [[pos(c) for c in r.coords] for r in rings]}
    return {"type": "LineString", "coordinates": [pos(c) for c in geom.coords]}


def _parse_severity(value: Any, problems: list[str | Msg]) -> float | None:
    if value == "closed":
        return None
    if isinstance(value, Mapping) and set(value) == {"slow_factor"}:
        f = value["slow_factor"]
        if (
            isinstance(f, int | float)
            and not isinstance(f, bool)
            and math.isfinite(f)
            and 1.0 < f <= MAX_SLOW_FACTOR
        ):
            return float(f)
        problems.append(
            f"severity.slow_factor: {f!r} is not a number > 1 and <= {MAX_SLOW_FACTOR:g}"
        )
        return None
    problems.append(msg("closure.severity", value=repr(value)))
    return None


def _parse_time(value: Any, name: str, problems: list[str | Msg]) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.strip())
        except ValueError:
            problems.append(msg("closure.not_datetime", name=name, value=repr(value)))
            return None
    else:
        problems.append(msg("closure.not_datetime", name=name, value=repr(value)))
        return None
    when = when if when.tzinfo is not None else when.replace(tzinfo=LOCAL_TZ)
    problem = time_range_problem(when)
    if problem is not None:
        problems.append(f"{name}: {value!r} {problem}")
        return None
    return when


def time_range_problem(when: datetime) -> str | None:
    """Why the aware ``when`` is outside :data:`EARLIEST` … :data:`LATEST`, or None.

    Never overflows: the year is looked at before any conversion between time zones
    (``9999-12-31T23:59:59-12:00`` is in year 10000 in UTC, which Python cannot hold).
    """
    span = f"{EARLIEST.date().isoformat()} to {LATEST.date().isoformat()} (Beijing time)"
    if not EARLIEST.year - 1 <= when.year <= LATEST.year:
        return f"is outside the years the service plans with: {span}"
    try:
        if EARLIEST <= when <= LATEST:
            return None
    except (OverflowError, TypeError):  # TypeError: naive
        pass
    return f"is outside the years the service plans with: {span}"


def _check_aware(at: datetime, name: str) -> None:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(f"{name} must be a timezone-aware datetime, got {at!r}")


# -- mapping closures onto the graph ------------------------------------------------------


def _metric(network: RouteNetwork, geojson: Mapping[str, Any]) -> BaseGeometry:
    def proj(coords: Iterable[Sequence[float]]) -> list[tuple[float, float]]:
        pts = [(float(c[0]), float(c[1])) for c in coords]
        xs, ys = network.to_metric.transform([p[0] for p in pts], [p[1] for p in pts])
        return list(zip(map(float, xs), map(float, ys), strict=True))

    if geojson["type"] == "Polygon":
        rings = [proj(r) for r in geojson["coordinates"]]
        return Polygon(rings[0], rings[1:])
    return LineString(proj(geojson["coordinates"]))


def affected_edges(network: RouteNetwork, closure: Closure) -> frozenset[EdgeKey]:
    """The ``(u, v, key)`` edges a closure covers, in both directions.

    ``segment_ids``: every edge of those segments. LineString: every edge with at
    least :data:`LINE_OVERLAP_MIN` of its length within :data:`LINE_BUFFER_M` of the
    line (a stretch drawn along the trail) or that the line crosses (a landslide drawn
    across it). Polygon: every edge intersecting the polygon. The result is cached
    on the network per closure.

    Raises
    ------
    InvalidInput
        If the closure's geometry is neither a LineString nor a Polygon.
    """
    cache: dict[tuple[str, str], frozenset[EdgeKey]] = network.derive(
        "closures.affected", lambda net: {}
    )
    token = (closure.closure_id, json.dumps([closure.segment_ids, closure.geometry]))
    hit = cache.get(token)
    if hit is not None:
        return hit
    index = piece_index(network)
    edges: set[EdgeKey] = set()
    for sid in closure.segment_ids:
        edges |= index.by_segment.get(sid, frozenset())
    if closure.geometry is not None:
        kind = closure.geometry.get("type")
        if kind not in ("LineString", "Polygon"):
            raise InvalidInput(f"closure geometry must be a LineString or Polygon, got {kind!r}")
        geom = _metric(network, closure.geometry)
        if kind == "Polygon":
            for i in index.intersecting(geom):
                edges.update(index.edges[i])
        else:
            corridor = geom.buffer(LINE_BUFFER_M)
            for i in index.intersecting(corridor):
                piece = index.geoms[i]
                inside_m = piece.intersection(corridor).length
                if (
                    piece.length > 0
                    and inside_m >= LINE_OVERLAP_MIN * piece.length
                    or geom.crosses(piece)
                ):
                    edges.update(index.edges[i])
    result = frozenset(edges)
    cache[token] = result
    return result


# -- costs ---------------------------------------------------------------------------------


def _profile_mode(profile: str) -> str:
    try:
        return PROFILE_MODES[profile]
    except KeyError:
        raise InvalidInput(
            f"unknown profile {profile!r}; known: {', '.join(PROFILE_MODES)}"
        ) from None


def edge_factors(
    network: RouteNetwork, closures: Iterable[Closure], profile: str, at: datetime
) -> dict[str, float]:
    """Edge key → multiplier (``inf`` = closed) of the closures in force for ``profile``.

    Edges no closure touches are absent (multiplier 1).

    Raises
    ------
    InvalidInput
        If ``profile`` is unknown or ``at`` is naive.
    """
    _check_aware(at, "at")
    mode = _profile_mode(profile)
    factors: dict[str, float] = {}
    for c in closures:
        if not (c.active(at) and c.affects(mode)):
            continue
        f = math.inf if c.slow_factor is None else c.slow_factor
        for _, _, key in affected_edges(network, c):
            factors[key] = factors.get(key, 1.0) * f
    return factors


def describe_closure(network: RouteNetwork, closure: Closure) -> str:
    """One line naming what is closed, how, why and since when (English)."""
    return describe_closure_msg(network, closure).render("en")


def describe_closure_msg(network: RouteNetwork, closure: Closure) -> Msg:
    """One line naming what is closed, how, why and since when, in either language.

    E.g. "Darchen – Tarboche road closed by snow since 06:00" (local time; the date is
    added when the closure began on another day than it ends or than today).
    """
    names: list[Name] = []
    segments = network.segments
    if closure.segment_ids:
        ids: Iterable[str] = closure.segment_ids
    else:
        G = network.graph
        ids = (
            G.edges[e].get("segment_id")
            for e in sorted(affected_edges(network, closure))
            if G.edges[e].get("segment_id")
        )
    for sid in ids:
        if sid in segments.index:
            zh = segments.at[sid, "name_zh"] if "name_zh" in segments.columns else None
            names.append(
                Name(str(segments.at[sid, "name_en"]), zh if isinstance(zh, str) else None)
            )
    names = list(dict.fromkeys(names))
    what: Msg | Name | list[Name] = names[:2] or msg("closure.drawn_area")
    if len(names) > 2:
        what = msg("closure.what_more", names=names[:2], count=len(names) - 2)
    if closure.modes == "vehicle":
        what = msg("closure.vehicles", what=what)
    reason = msg(f"closure.reason_{closure.reason}")
    start = closure.valid_from.astimezone(LOCAL_TZ)
    today = datetime.now(LOCAL_TZ).date()
    since = start.strftime("%H:%M") if start.date() == today else start.strftime("%d %b %H:%M")
    if closure.closed:
        return msg("closure.closed", what=what, reason=reason, since=since)
    factor = f"{closure.slow_factor:g}"
    return msg("closure.slowed", what=what, factor=factor, reason=reason, since=since)


def _cost(data: Mapping[str, Any], profile: str, factor: float) -> float | None:
    base = data["duration_s"].get(profile)
    if base is None or math.isinf(factor):
        return None
    return float(base) * factor


def edge_cost(
    network: RouteNetwork, closures: Iterable[Closure], profile: str, at: datetime
) -> Callable[[str, str, str, Mapping[str, Any]], float | None]:
    """Cost of one edge ``(u, v, key, data) -> seconds``, None when it cannot be used.

    The edge's ``duration_s[profile]`` times the slow factors of the closures active
    at ``at`` that cover it and affect the profile's mode; None if the mode is not
    allowed on the edge or an active closure closes it.

    Raises
    ------
    InvalidInput
        If ``profile`` is unknown or ``at`` is naive.
    """
    factors = edge_factors(network, list(closures), profile, at)

    def cost(u: str, v: str, key: str, data: Mapping[str, Any]) -> float | None:
        return _cost(data, profile, factors.get(key, 1.0))

    return cost


def closure_weight(
    network: RouteNetwork, closures: Iterable[Closure], profile: str, *, at: datetime
) -> Callable[[str, str, Mapping[str, Any]], float | None]:
    """A networkx weight function honouring closures (see :func:`edge_cost`).

    For the MultiDiGraph networkx passes ``{key: data}`` of all parallel edges
    ``u → v``: the weight is the cheapest usable one, or None (edge hidden) if none is.
    A single edge's data dict (simple graphs) is accepted too.

    Raises
    ------
    InvalidInput
        If ``profile`` is unknown or ``at`` is naive.
    """
    factors = edge_factors(network, list(closures), profile, at)

    def weight(u: str, v: str, d: Mapping[str, Any]) -> float | None:
        if "duration_s" in d:  # a simple graph's single edge
            return _cost(d, profile, factors.get(str(d.get("edge_id")), 1.0))
        costs = [
            c
            for key, data in d.items()
            if (c := _cost(data, profile, factors.get(key, 1.0))) is not None
        ]
        return min(costs) if costs else None

    return weight


def closures_on_edge(
    network: RouteNetwork,
    closures: Iterable[Closure],
    edge: EdgeKey,
    *,
    profile: str | None = None,
    at: datetime | None = None,
) -> tuple[str, ...]:
    """Ids of the closures covering ``edge`` = ``(u, v, key)``.

    With ``at``, only those in force then; with ``profile``, only those affecting its mode.

    Raises
    ------
    InvalidInput
        If ``profile`` is unknown or ``at`` is naive.
    """
    mode = None if profile is None else _profile_mode(profile)
    return tuple(
        c.closure_id
        for c in closures
        if (at is None or c.active(at))
        and (mode is None or c.affects(mode))
        and edge in affected_edges(network, c)
    )


# -- storage -------------------------------------------------------------------------------


class ClosureStore:
    """Closures in a JSON file (e.g. ``instance/closures.json``).

    Every call reads the file, so several stores on one file agree; writes are
    atomic (temporary file in the same directory, fsync, ``os.replace``) and
    serialised by a lock within the process. Expired closures are never listed
    and are dropped from the file on the next write.

    Parameters
    ----------
    path
        The JSON file; it and its directory are created on the first write.
    clock
        Returns the current aware time (tests pass a fixed one).
    """

    def __init__(self, path: Path, *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()

    # reading
    def _read(self) -> builtins.list[Closure]:
        closures, problems = self._read_checked()
        if problems:  # writing would drop them: refuse to touch the file
            raise DataValidationError(
                f"closures file {self.path.name} is corrupt",
                details=[f"{p.closure_id}: {p.message}" for p in problems],
            )
        return closures

    def _read_checked(self) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], []
        except OSError as exc:
            raise DataValidationError(
                f"closures file {self.path.name} cannot be read", details=[str(exc.strerror)]
            ) from None
        try:
            doc = json.loads(text)
            if not isinstance(doc, dict) or doc.get("version") != _FILE_VERSION:
                raise ValueError(f"expected an object with version {_FILE_VERSION}")
            items = doc["closures"]
            if not isinstance(items, builtins.list):
                raise ValueError("'closures' is not a list")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DataValidationError(
                f"closures file {self.path.name} is corrupt", details=[str(exc)]
            ) from None
        return _read_closures(
            (item.get("closure_id", f"#{i}") if isinstance(item, dict) else f"#{i}", item)
            for i, item in enumerate(items)
        )

    def list_checked(
        self, *, at: datetime | None = None
    ) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
        """The closures not expired at ``at`` (default now), and the entries that cannot be read.

        Raises
        ------
        DataValidationError
            If the file as a whole is corrupt.
        """
        when = self._clock() if at is None else at
        _check_aware(when, "at")
        with self._lock:
            closures, problems = self._read_checked()
        closures = [c for c in closures if not c.expired(when)]
        return sorted(closures, key=lambda c: c.created_at), problems

    def list(
        self, *, at: datetime | None = None, include_expired: bool = False
    ) -> builtins.list[Closure]:
        """Closures not expired at ``at`` (default now), oldest first (then in order added).

        Closures that start later are listed too; use :meth:`Closure.active` to filter.

        Raises
        ------
        DataValidationError
            If the file is corrupt.
        InvalidInput
            If ``at`` is naive.
        """
        when = self._clock() if at is None else at
        _check_aware(when, "at")
        with self._lock:
            closures = self._read()
        if not include_expired:
            closures = [c for c in closures if not c.expired(when)]
        return sorted(closures, key=lambda c: c.created_at)  # stable: file order on ties

    def get(self, closure_id: str) -> Closure:
        """The closure with this id (expired ones too, until purged).

        Raises
        ------
        NotFound
            If there is no such closure.
        DataValidationError
            If the file is corrupt.
        """
        with self._lock:
            for c in self._read():
                if c.closure_id == closure_id:
                    return c
        raise NotFound(msg("closure.unknown", closure_id=repr(closure_id)))

    # writing
    def add(self, closure: Closure) -> Closure:
        """Store a closure and return it.

        Raises
        ------
        Conflict
            If a closure with the same id is stored.
        DataValidationError
            If the file is corrupt (it is left as it is).
        OSError
            If the file cannot be written (the old file is left intact).
        """
        with self._lock:
            closures = self._read()
            if any(c.closure_id == closure.closure_id for c in closures):
                raise Conflict(f"closure {closure.closure_id!r} already exists")
            self._write([*closures, closure])
        return closure

    def delete(self, closure_id: str, *, by: str = "system") -> None:
        """Remove a closure (``by``: who lifted it; the file keeps no log of it).

        Raises
        ------
        NotFound
            If there is no such closure.
        DataValidationError
            If the file is corrupt.
        OSError
            If the file cannot be written (the old file is left intact).
        """
        with self._lock:
            closures = self._read()
            kept = [c for c in closures if c.closure_id != closure_id]
            if len(kept) == len(closures):
                raise NotFound(msg("closure.unknown", closure_id=repr(closure_id)))
            self._write(kept)

    def _write(self, closures: builtins.list[Closure]) -> None:
        now = self._clock()
        doc = {
            "version": _FILE_VERSION,
            "closures": [c.to_dict() for c in closures if not c.expired(now)],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, ensure_ascii=False, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise


class DatabaseClosureStore:
    """Closures of one region in the route database (:class:`geodata.store.RouteStore`).

    The same interface as :class:`ClosureStore`: expired closures are never listed and
    are dropped on the next write; every write is one transaction.

    Parameters
    ----------
    store
        The route store.
    region_id
        The region the closures belong to.
    clock
        Returns the current aware time (tests pass a fixed one).
    """

    def __init__(
        self,
        store: RouteStore,
        region_id: str,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.region_id = region_id
        self._clock = clock or (lambda: datetime.now(UTC))

    def _all(self) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
        return _read_closures(self.store.closures.rows(self.region_id))

    def list(
        self, *, at: datetime | None = None, include_expired: bool = False
    ) -> builtins.list[Closure]:
        """See :meth:`ClosureStore.list`; stored closures that cannot be read are left out."""
        return self.list_checked(at=at, include_expired=include_expired)[0]

    def list_checked(
        self, *, at: datetime | None = None, include_expired: bool = False
    ) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
        """As :meth:`list`, and the stored closures that cannot be read, as problems.

        A row that does not make a valid :class:`Closure` (written by hand, by another
        release, times out of range) is never applied and never fatal: it is reported
        until someone deletes it.

        Raises
        ------
        InvalidInput
            If ``at`` is naive.
        """
        when = self._clock() if at is None else at
        _check_aware(when, "at")
        closures, problems = self._all()
        if not include_expired:
            closures = [c for c in closures if not c.expired(when)]
        return sorted(closures, key=lambda c: c.created_at), problems

    def get(self, closure_id: str) -> Closure:
        """See :meth:`ClosureStore.get`.

        Raises
        ------
        NotFound
            If there is no such closure.
        Conflict
            If it is stored but cannot be read (it can still be deleted).
        """
        closures, problems = self._all()
        for c in closures:
            if c.closure_id == closure_id:
                return c
        for p in problems:
            if p.closure_id == closure_id:
                raise Conflict(f"closure {closure_id!r}: {p.message}; delete it and set it again")
        raise NotFound(msg("closure.unknown", closure_id=repr(closure_id)))

    def add(self, closure: Closure) -> Closure:
        """See :meth:`ClosureStore.add`; the audit log records ``created_by``."""
        self.store.closures.add(
            self.region_id,
            closure.closure_id,
            closure.to_dict(),
            valid_until=closure.valid_until,
            created_at=closure.created_at,
            purge_before=self._clock(),
            actor=closure.created_by,
        )
        return closure

    def delete(self, closure_id: str, *, by: str = "system") -> None:
        """See :meth:`ClosureStore.delete`; the audit log records ``by``."""
        if not self.store.closures.delete(
            self.region_id, closure_id, purge_before=self._clock(), actor=by
        ):
            raise NotFound(msg("closure.unknown", closure_id=repr(closure_id)))

    def import_from(self, other: ClosureStore) -> int:
        """Copy the closures of a JSON store not yet here; return how many.

        Entries that cannot be read (see :meth:`ClosureStore.list_checked`) are left
        behind: they could never be applied.
        """
        have = {c.closure_id for c in self.list(include_expired=True)}
        added = 0
        for c in other.list_checked()[0]:
            if c.closure_id not in have:
                self.add(c)
                added += 1
        return added
