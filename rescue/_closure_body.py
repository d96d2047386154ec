"""A closure request checked field by field: :class:`ClosureBody` (pydantic) and the
parsers of its geometry, times, severity, reason, modes and note, each naming the bad value
(:mod:`rescue.closures` re-exports the public names).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Final

import shapely
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from shapely.geometry import LineString, Polygon, shape
from shapely.geometry.base import BaseGeometry

from geodata.errors import InvalidInput
from geodata.i18n import Msg, msg
from rescue.checks import Checked, ProblemText, problem
from rescue.closure_reasons import REASONS
from rescue.localtime import LOCAL_TZ

if TYPE_CHECKING:
    pass

from rescue._closure_geometry import geometry_edges

__all__ = ["ClosureBody", "time_range_problem"]

#: who a closure affects: everyone, or vehicles only
MODES: tuple[str, ...] = ("all", "vehicle")

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

_TIME_SCHEMA = {
    "type": ["string", "null"],
    "description": "ISO-8601 date and time; without an offset Beijing time",
}


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
    if not geometry_edges(context["network"], geometry):
        found.append(msg("closure.no_effect"))


def _not_passed(
    until: datetime, sent: Any, context: Mapping[str, Any], found: list[str | Msg]
) -> None:
    now = context["now"]
    if until <= now:
        found.append(
            msg("closure.until_past", value=repr(sent), now=now.isoformat(timespec="minutes"))
        )


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
