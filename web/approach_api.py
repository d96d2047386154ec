"""The body of ``POST /api/approach`` (and of the plan downloads and the field sheet).

:class:`ApproachBody` is the one declaration of the request: its fields' JSON Schemas go
into the OpenAPI document (:mod:`web.contract`), and each field is checked by its own
validator, against the network served when the validation context holds it
(``ApproachBody.model_validate(data, context={"network": network})``). A refused body is
one :class:`~geodata.errors.InvalidInput` (a 422) naming every problem, each with the
field and the value; unknown station and segment ids are bad input too (422), not a
missing resource. Planning with the closures in force is
:func:`rescue.approach.plan_with_closures`.

The answer carries the lines of the recommended plan only by default (what the map and
the plan panel draw); ``"geometry": "all"`` asks for every plan's lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import ConfigDict, PlainValidator, ValidationInfo, WithJsonSchema

from geodata.errors import InvalidInput
from geodata.i18n import Msg, Name, msg
from rescue.capability import NEEDS, resolve_needs
from rescue.checks import Checked, ProblemText, problem
from rescue.incidents import CAUSES
from rescue.locate.model import Candidate
from routes import RouteNetwork
from routes.graph import PROFILE_MODES
from routes.network import Derived
from web import bodies

__all__ = [
    "FIELDS",
    "FOOT_PROFILES",
    "GEOMETRY",
    "MAX_BODY_BYTES",
    "MAX_CANDIDATES",
    "REGION_MARGIN_DEG",
    "ApproachBody",
    "PlanBody",
    "Target",
    "parse_flag",
]

#: bodies larger than this are refused unread (HTTP 413)
MAX_BODY_BYTES = 256 * 1024
#: the longest condition text read for needs (the incident's own limit)
MAX_CONDITION_CHARS = 4000
#: which plans' lines an answer carries (see ApproachResult.to_dict); the first is the default
GEOMETRY = ("recommended", "all")
FOOT_PROFILES: tuple[str, ...] = tuple(sorted(p for p, m in PROFILE_MODES.items() if m == "foot"))
#: degrees around the network's extent within which a target is checked further (the
#: planner then refuses one more than 2 km off the network); far-off points never reach it
REGION_MARGIN_DEG = 0.05
#: a locate answer lists at most a few dozen candidates; more is not a locate answer
MAX_CANDIDATES = 50
_CANDIDATE_FIELDS = frozenset(
    {
        "segment_id",
        "name",
        "route_id",
        "lon",
        "lat",
        "probability",
        "km_range",
        "evidence",
        "evidence_zh",
        "stretch",
    }
)
_HINT = '{"lon": .., "lat": ..}, {"segment_id": ..} or {"candidates": [..]}'

#: ``(lon, lat)``, a segment id, or locate candidates: what :func:`plan_approach` accepts
Target = tuple[float, float] | str | tuple[Candidate, ...]
Problems = list[str | Msg]


def parse_flag(name: str, value: str | None) -> bool:
    """A boolean query parameter: ``1``/``true``/``yes`` or ``0``/``false``/``no``.

    Raises
    ------
    InvalidInput
        On any other value.
    """
    if value is None:
        return False
    text = value.strip().lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise InvalidInput(msg("query.flag", name=repr(name), value=repr(value)))


# --- the fields' checks ----------------------------------------------------------------------
#: a check reads a field's value (with the network served), appends problems or returns it
Check = Callable[[Any, RouteNetwork, Problems], Any]


def _network(info: ValidationInfo) -> RouteNetwork:
    network = (info.context or {}).get("network")
    if not isinstance(network, RouteNetwork):
        raise TypeError("ApproachBody is validated with context={'network': RouteNetwork}")
    return network


def _checked(check: Check, schema: dict[str, Any]) -> tuple[PlainValidator, WithJsonSchema]:
    """A field read by ``check`` alone (its problems are the field's), documented as
    ``schema``."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        found: Problems = []
        result = check(value, _network(info), found)
        if found:
            raise problem(*found)
        return result

    return PlainValidator(validate), WithJsonSchema(schema)


def _profile(value: Any, network: RouteNetwork, problems: Problems) -> str:
    if value not in FOOT_PROFILES:
        problems.append(
            msg("approach.profile", value=bodies.quote(value), accepted=", ".join(FOOT_PROFILES))
        )
    return str(value)


def _stations(value: Any, network: RouteNetwork, problems: Problems) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(s, str) for s in value):
        problems.append(msg("approach.stations_type", value=bodies.quote(value)))
        return None
    known = network.region.stations.index
    missing = [s for s in value if s not in known]
    if missing:
        problems.append(msg("approach.unknown_stations", ids=", ".join(map(repr, missing))))
    return tuple(dict.fromkeys(value))


def _depart_at(value: Any, network: RouteNetwork, problems: Problems) -> datetime | None:
    return bodies.parse_time(value, "depart_at", problems)


def _needs(value: Any, network: RouteNetwork, problems: Problems) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
        problems.append(msg("approach.needs_type", value=bodies.quote(value)))
        return ()
    unknown = [n for n in value if n not in NEEDS]
    if unknown:
        problems.append(
            msg(
                "approach.unknown_needs",
                ids=", ".join(map(repr, unknown)),
                accepted=_accepted(NEEDS),
            )
        )
    return tuple(value)


def _cause(value: Any, network: RouteNetwork, problems: Problems) -> str | None:
    if value is not None and value not in CAUSES:
        problems.append(
            msg("approach.cause", value=bodies.quote(value), accepted=_accepted(CAUSES))
        )
    return None if value is None else str(value)


def _condition(value: Any, network: RouteNetwork, problems: Problems) -> str | None:
    if value is not None and (not isinstance(value, str) or len(value) > MAX_CONDITION_CHARS):
        problems.append(msg("approach.condition", count=MAX_CONDITION_CHARS))
    return None if value is None else str(value)


def _geometry(value: Any, network: RouteNetwork, problems: Problems) -> str:
    if value not in GEOMETRY:
        problems.append(
            msg("approach.geometry", value=bodies.quote(value), accepted=_accepted(GEOMETRY))
        )
    return str(value)


def _station_id(value: Any, network: RouteNetwork, problems: Problems) -> str | None:
    if value is not None and not isinstance(value, str):
        problems.append(msg("export.station_id_type"))
    return None if value is None else str(value)


def _target(value: Any, network: RouteNetwork, problems: Problems) -> Target | None:
    if not isinstance(value, dict):
        problems.append(msg("approach.target_type", hint=_HINT, kind=bodies.json_kind(value)))
        return None
    keys = set(value)
    if keys == {"lon", "lat"}:
        lon, lat = value["lon"], value["lat"]
        if not (
            bodies.is_number(lon)
            and -180 <= lon <= 180
            and bodies.is_number(lat)
            and -90 <= lat <= 90
        ):
            problems.append(
                msg("approach.target_not_position", lon=bodies.quote(lon), lat=bodies.quote(lat))
            )
            return None
        if not _in_region(network, lon, lat):
            problems.append(msg("approach.target_outside", lon=lon, lat=lat))
            return None
        return (float(lon), float(lat))
    if keys == {"segment_id"}:
        sid = value["segment_id"]
        if not isinstance(sid, str) or sid not in network.segments.index:
            problems.append(msg("approach.unknown_segment", value=bodies.quote(sid)))
            return None
        if sid not in _WALKABLE.of(network):
            problems.append(msg("approach.not_walkable", value=repr(sid)))
            return None
        return sid
    if keys == {"candidates"}:
        return _candidates(value["candidates"], network, problems)
    problems.append(
        msg(
            "approach.target_keys",
            keys=", ".join(sorted(map(repr, keys))) or msg("json.none"),
            hint=_HINT,
        )
    )
    return None


def _candidates(
    value: Any, network: RouteNetwork, problems: Problems
) -> tuple[Candidate, ...] | None:
    name = "target.candidates"
    if not isinstance(value, list) or not value or len(value) > MAX_CANDIDATES:
        problems.append(
            msg(
                "approach.candidates_type",
                field=name,
                limit=MAX_CANDIDATES,
                value=bodies.quote(value),
            )
        )
        return None
    out: list[Candidate] = []
    for i, c in enumerate(value):
        field = f"{name}[{i}]"
        if not isinstance(c, dict):
            problems.append(msg("approach.candidate_type", field=field, kind=bodies.json_kind(c)))
            continue
        candidate = _candidate(c, field, network, problems)
        if candidate is not None:
            out.append(candidate)
    return tuple(out) if len(out) == len(value) else None


def _candidate(
    c: dict[str, Any], field: str, network: RouteNetwork, problems: Problems
) -> Candidate | None:
    """One candidate of a locate answer, as it was sent; None after a problem."""
    before = len(problems)
    extra = sorted(k for k in c if k not in _CANDIDATE_FIELDS)
    if extra:
        problems.append(
            msg("approach.candidate_keys", field=field, keys=", ".join(map(repr, extra)))
        )
    sid = c.get("segment_id")
    if not isinstance(sid, str) or sid not in network.segments.index:
        problems.append(msg("approach.candidate_segment", field=field, value=bodies.quote(sid)))
    route_id = c.get("route_id")
    if route_id is not None and (not isinstance(route_id, str) or route_id not in network.lines):
        problems.append(msg("approach.candidate_route", field=field, value=bodies.quote(route_id)))
    lon: Any = c.get("lon")
    lat: Any = c.get("lat")
    p: Any = c.get("probability")
    if not (
        bodies.is_number(lon) and -180 <= lon <= 180 and bodies.is_number(lat) and -90 <= lat <= 90
    ):
        problems.append(
            msg(
                "approach.candidate_not_position",
                field=field,
                lon=bodies.quote(lon),
                lat=bodies.quote(lat),
            )
        )
    elif not _in_region(network, lon, lat):
        problems.append(msg("approach.candidate_outside", field=field, lon=lon, lat=lat))
    if not (bodies.is_number(p) and 0 <= p <= 1):
        problems.append(msg("approach.candidate_probability", field=field, value=bodies.quote(p)))
    km = c.get("km_range")
    if km is not None and not (
        isinstance(km, list) and len(km) == 2 and all(bodies.is_number(k) and k >= 0 for k in km)
    ):
        problems.append(msg("approach.candidate_km_range", field=field, value=bodies.quote(km)))
    names = c.get("name") or {}
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        problems.append(msg("approach.candidate_name", field=field))
        names = {}
    if len(problems) > before:
        return None
    return Candidate(
        segment_id=str(sid),
        name_en=str(names.get("en") or sid),
        name_zh=str(names.get("zh") or ""),
        route_id=route_id,
        lon=float(lon),
        lat=float(lat),
        probability=float(p),
        km_range=(float(km[0]), float(km[1])) if km else None,
        evidence=(),
    )


# --- helpers ---------------------------------------------------------------------------------


def _accepted(values: Iterable[str]) -> list[Name]:
    """The accepted values of a field as a message lists them: bare in English (as the
    English texts always said them), quoted in Chinese (ids, not words of the sentence)."""
    return [Name(v, repr(v)) for v in values]


def _walkable_segments(network: RouteNetwork) -> frozenset[str]:
    """Ids of the segments with an edge open to walking (a segment target needs one)."""
    return frozenset(
        str(d["segment_id"])
        for _, _, d in network.graph.edges(data=True)
        if d.get("segment_id") is not None and "foot" in d["modes"]
    )


def _extent(network: RouteNetwork) -> tuple[float, float, float, float]:
    west, south, east, north = (float(b) for b in network.segments.total_bounds)
    return west, south, east, north


_WALKABLE: Derived[frozenset[str]] = Derived("web.approach.walkable_segments", _walkable_segments)
_EXTENT: Derived[tuple[float, float, float, float]] = Derived("web.approach.extent", _extent)


def _in_region(network: RouteNetwork, lon: float, lat: float) -> bool:
    """Whether ``lon``/``lat`` lies within the network's extent (plus a margin).

    Checked here because the planner's own check projects the point first, which
    fails for points far outside the projection's zone.
    """
    west, south, east, north = _EXTENT.of(network)
    m = REGION_MARGIN_DEG
    return bool(west - m <= lon <= east + m and south - m <= lat <= north + m)


# --- the bodies ------------------------------------------------------------------------------
_NUM = {"type": "number"}
_POSITION = {
    "type": "object",
    "properties": {"lon": _NUM, "lat": _NUM},
    "required": ["lon", "lat"],
    "additionalProperties": False,
}
_TARGET_SCHEMA = {
    "oneOf": [
        _POSITION,
        {
            "type": "object",
            "properties": {"segment_id": {"type": "string"}},
            "required": ["segment_id"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {
                "candidates": {
                    "type": "array",
                    "items": {"type": "object"},
                    "minItems": 1,
                    "maxItems": MAX_CANDIDATES,
                }
            },
            "required": ["candidates"],
            "additionalProperties": False,
        },
    ],
    "description": "where the casualty is: a position, a walkable segment, or the candidates "
    "of a locate answer as it sent them",
}


def _unknown_field(model: Callable[[], type[Checked]]) -> ProblemText:
    """The text of an unknown field, naming those of ``model()`` (read when it is used)."""
    return lambda e: msg(
        "approach.unknown_field", fields=repr(e["loc"][0]), accepted=", ".join(model().model_fields)
    )


class ApproachBody(Checked):
    """``POST /api/approach``: where the casualty is (required), who goes, when, for
    what, and which plans' lines the answer carries."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    problem_texts: ClassVar[Mapping[tuple[str, str], ProblemText]] = {
        ("missing", "target"): lambda _: msg("approach.target_missing", hint=_HINT),
        ("extra_forbidden", "*"): _unknown_field(lambda: ApproachBody),
    }

    target: Annotated[Target, *_checked(_target, _TARGET_SCHEMA)]
    profile: Annotated[str, *_checked(_profile, {"enum": list(FOOT_PROFILES)})] = "rescue_team"
    stations: Annotated[
        tuple[str, ...] | None,
        *_checked(
            _stations,
            {
                "type": "array",
                "items": {"type": "string"},
                "minItems": 1,
                "description": "plan for these stations only (default: every station)",
            },
        ),
    ] = None
    depart_at: Annotated[
        datetime | None,
        *_checked(
            _depart_at,
            {
                "type": "string",
                "description": "ISO-8601 date and time; without an offset Beijing time",
            },
        ),
    ] = None
    needs: Annotated[
        tuple[str, ...],
        *_checked(_needs, {"type": "array", "items": {"enum": list(NEEDS)}}),
    ] = ()
    cause: Annotated[str | None, *_checked(_cause, {"enum": list(CAUSES)})] = None
    condition: Annotated[
        str | None,
        *_checked(_condition, {"type": "string", "maxLength": MAX_CONDITION_CHARS}),
    ] = None
    geometry: Annotated[
        Literal["recommended", "all"],
        *_checked(
            _geometry,
            {
                "enum": list(GEOMETRY),
                "default": GEOMETRY[0],
                "description": "recommended (default): the recommended plan's lines only, "
                "other legs' geometry null (what the map and the plan panel draw); all: every "
                "plan's lines",
            },
        ),
    ] = "recommended"

    def all_needs(self) -> tuple[str, ...]:
        """``needs`` plus those inferred from ``cause`` and the ``condition`` text."""
        return resolve_needs(self.needs, cause=self.cause, text=self.condition)


class PlanBody(ApproachBody):
    """A plan download or the field sheet: an approach body and the station whose plan
    it is (default: the recommended one)."""

    problem_texts: ClassVar[Mapping[tuple[str, str], ProblemText]] = {
        **ApproachBody.problem_texts,
        ("extra_forbidden", "*"): _unknown_field(lambda: PlanBody),
    }

    station_id: Annotated[str | None, *_checked(_station_id, {"type": "string"})] = None


#: the fields of an approach body
FIELDS: tuple[str, ...] = tuple(ApproachBody.model_fields)
