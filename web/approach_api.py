"""Bodies of ``POST /api/approach`` and ``POST /api/closures``.

A body is parsed once, at the boundary, into a typed request or rejected with one
:class:`~geodata.errors.InvalidInput` listing every problem and naming the field and
the value (a 422). Unknown station and segment ids in a body are bad input too (422),
not a missing resource. Planning with the closures in force is
:func:`rescue.approach.plan_with_closures`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Request

from geodata.errors import InvalidInput
from geodata.i18n import Msg, joined, msg
from rescue.capability import NEEDS, resolve_needs
from rescue.incidents import CAUSES
from rescue.locate.model import Candidate
from routes.graph import PROFILE_MODES
from web import bodies

__all__ = [
    "FIELDS",
    "FOOT_PROFILES",
    "MAX_BODY_BYTES",
    "MAX_CANDIDATES",
    "REGION_MARGIN_DEG",
    "ApproachRequest",
    "Target",
    "parse_approach_body",
    "parse_flag",
    "read_json_object",
]

#: bodies larger than this are refused unread (HTTP 413)
MAX_BODY_BYTES = 256 * 1024
FIELDS = ("target", "profile", "stations", "depart_at", "needs", "cause", "condition", "geometry")
#: the longest condition text read for needs (the incident's own limit)
MAX_CONDITION_CHARS = 4000
#: which plans' lines an answer carries (see ApproachResult.to_dict)
GEOMETRY = ("all", "recommended")
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

#: ``(lon, lat)``, a segment id, or locate candidates: what :func:`plan_approach` accepts
Target = tuple[float, float] | str | tuple[Candidate, ...]


@dataclass(frozen=True)
class ApproachRequest:
    """A checked approach request; ``depart_at`` is timezone-aware or None (now)."""

    target: Target
    profile: str = "rescue_team"
    stations: tuple[str, ...] | None = None
    depart_at: datetime | None = None
    #: what the incident needs (rescue.capability.NEEDS ids), given and inferred
    needs: tuple[str, ...] = ()
    geometry: str = "all"


# --- reading ---------------------------------------------------------------------------------


def read_json_object(request: Request, *, example: str) -> dict[str, Any]:
    """Read the body of ``request`` as one JSON object (see :mod:`web.bodies`).

    Raises
    ------
    RequestEntityTooLarge
        If the body is over the limit.
    InvalidInput
        If the body is empty, not UTF-8, not JSON, repeats a field or is not an object.
    """
    raw = bodies.read_body(request, limit=MAX_BODY_BYTES)
    return bodies.json_object(raw, example=example)


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


# --- the approach body -----------------------------------------------------------------------


def parse_approach_body(body: dict[str, Any], *, network: Any) -> ApproachRequest:
    """Check an approach request against the network.

    Parameters
    ----------
    body
        ``{"target": {"lon", "lat"} | {"segment_id"} | {"candidates": [...]},
        "profile": str, "stations": [ids], "depart_at": ISO-8601, "geometry": "all" |
        "recommended"}``; only ``target`` is required. Candidates are those of a
        locate answer, as it sent them.
    network
        The :class:`routes.RouteNetwork` served; station, segment and route ids are
        checked against it.

    Raises
    ------
    InvalidInput
        Listing every problem, each naming the field and the value.
    """
    problems: list[str | Msg] = []
    unknown = [name for name in body if name not in FIELDS]
    if unknown:
        problems.append(
            msg(
                "approach.unknown_fields" if len(unknown) > 1 else "approach.unknown_field",
                fields=", ".join(repr(n) for n in unknown),
                accepted=", ".join(FIELDS),
            )
        )
    target = _target(body, network, problems)

    profile = body.get("profile", "rescue_team")
    if profile not in FOOT_PROFILES:
        problems.append(
            msg("approach.profile", value=bodies.quote(profile), accepted=", ".join(FOOT_PROFILES))
        )

    stations: tuple[str, ...] | None = None
    raw_stations = body.get("stations")
    if raw_stations is not None:
        if (
            not isinstance(raw_stations, list)
            or not raw_stations
            or not all(isinstance(s, str) for s in raw_stations)
        ):
            problems.append(
                f"field 'stations' must be a non-empty array of station ids, "
                f"not {bodies.quote(raw_stations)}"
            )
        else:
            known = network.region.stations.index
            missing = [s for s in raw_stations if s not in known]
            if missing:
                problems.append(
                    f"field 'stations': unknown station id(s) {', '.join(map(repr, missing))}"
                )
            stations = tuple(dict.fromkeys(raw_stations))

    depart_at = bodies.parse_time(body.get("depart_at"), "depart_at", problems)
    needs = _needs(body, problems)
    geometry = body.get("geometry", "all")
    if geometry not in GEOMETRY:
        problems.append(
            f"field 'geometry' is {bodies.quote(geometry)}; accepted: {', '.join(GEOMETRY)}"
        )
    if problems:
        raise InvalidInput(joined(problems), details=problems)
    assert target is not None  # for mypy: problems would be non-empty otherwise
    return ApproachRequest(
        target=target,
        profile=str(profile),
        stations=stations,
        depart_at=depart_at,
        needs=needs,
        geometry=str(geometry),
    )


def _needs(body: dict[str, Any], problems: list[str | Msg]) -> tuple[str, ...]:
    """``needs`` by id, plus those inferred from ``cause`` and the ``condition`` text."""
    given = body.get("needs", [])
    if not isinstance(given, list) or not all(isinstance(n, str) for n in given):
        problems.append(f"field 'needs' must be an array of need ids, not {bodies.quote(given)}")
        given = []
    unknown = [n for n in given if n not in NEEDS]
    if unknown:
        problems.append(
            f"field 'needs': unknown need(s) {', '.join(map(repr, unknown))} "
            f"(accepted: {', '.join(NEEDS)})"
        )
    cause = body.get("cause")
    if cause is not None and cause not in CAUSES:
        problems.append(f"field 'cause' is {bodies.quote(cause)}; accepted: {', '.join(CAUSES)}")
        cause = None
    text = body.get("condition")
    if text is not None and (not isinstance(text, str) or len(text) > MAX_CONDITION_CHARS):
        problems.append(
            f"field 'condition' must be text of at most {MAX_CONDITION_CHARS} characters"
        )
        text = None
    if unknown:
        return ()
    return resolve_needs(given, cause=cause, text=text)


def _target(body: dict[str, Any], network: Any, problems: list[str | Msg]) -> Target | None:
    hint = '{"lon": .., "lat": ..}, {"segment_id": ..} or {"candidates": [..]}'
    if "target" not in body:
        problems.append(msg("approach.target_missing", hint=hint))
        return None
    target = body["target"]
    if not isinstance(target, dict):
        problems.append(msg("approach.target_type", hint=hint, kind=bodies.json_kind(target)))
        return None
    keys = set(target)
    if keys == {"lon", "lat"}:
        lon, lat = target["lon"], target["lat"]
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
        sid = target["segment_id"]
        if not isinstance(sid, str) or sid not in network.segments.index:
            problems.append(msg("approach.unknown_segment", value=bodies.quote(sid)))
            return None
        if sid not in _walkable_segments(network):
            problems.append(msg("approach.not_walkable", value=repr(sid)))
            return None
        return sid
    if keys == {"candidates"}:
        return _candidates(target["candidates"], network, problems)
    problems.append(
        msg(
            "approach.target_keys",
            keys=", ".join(sorted(map(repr, keys))) or msg("json.none"),
            hint=hint,
        )
    )
    return None


def _candidates(
    value: Any, network: Any, problems: list[str | Msg]
) -> tuple[Candidate, ...] | None:
    name = "target.candidates"
    if not isinstance(value, list) or not value or len(value) > MAX_CANDIDATES:
        problems.append(
            f"field '{name}' must be an array of 1-{MAX_CANDIDATES} locate candidates, "
            f"not {bodies.quote(value)}"
        )
        return None
    out: list[Candidate] = []
    for i, c in enumerate(value):
        field = f"{name}[{i}]"
        if not isinstance(c, dict):
            problems.append(f"field '{field}' must be an object, not {bodies.json_type(c)}")
            continue
        extra = sorted(k for k in c if k not in _CANDIDATE_FIELDS)
        if extra:
            problems.append(f"field '{field}': unknown key(s) {', '.join(map(repr, extra))}")
        before = len(problems)
        sid = c.get("segment_id")
        if not isinstance(sid, str) or sid not in network.segments.index:
            problems.append(f"field '{field}.segment_id': unknown segment id {bodies.quote(sid)}")
        route_id = c.get("route_id")
        if route_id is not None and (
            not isinstance(route_id, str) or route_id not in network.lines
        ):
            problems.append(f"field '{field}.route_id': unknown route id {bodies.quote(route_id)}")
        lon: Any = c.get("lon")
        lat: Any = c.get("lat")
        p: Any = c.get("probability")
        if not (
            bodies.is_number(lon)
            and -180 <= lon <= 180
            and bodies.is_number(lat)
            and -90 <= lat <= 90
        ):
            problems.append(
                f"field '{field}': lon {bodies.quote(lon)}, lat {bodies.quote(lat)} "
                "is not a position"
            )
        elif not _in_region(network, lon, lat):
            problems.append(f"field '{field}': lon {lon}, lat {lat} is outside the region")
        if not (bodies.is_number(p) and 0 <= p <= 1):
            problems.append(f"field '{field}.probability' is {bodies.quote(p)}; expected 0-1")
        km = c.get("km_range")
        if km is not None and not (
            isinstance(km, list)
            and len(km) == 2
            and all(bodies.is_number(k) and k >= 0 for k in km)
        ):
            problems.append(
                f"field '{field}.km_range' is {bodies.quote(km)}; expected [km, km] or null"
            )
        names = c.get("name") or {}
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            problems.append(f'field \'{field}.name\' must be {{"en": .., "zh": ..}}')
            names = {}
        if len(problems) > before:
            continue
        out.append(
            Candidate(
                segment_id=str(sid),
                name_en=str(names.get("en") or sid),
                name_zh=str(names.get("zh") or ""),
                route_id=route_id,
                lon=float(c["lon"]),
                lat=float(c["lat"]),
                probability=float(c["probability"]),
                km_range=(float(km[0]), float(km[1])) if km else None,
                evidence=(),
            )
        )
    return tuple(out) if len(out) == len(value) else None


# --- helpers ---------------------------------------------------------------------------------


def _walkable_segments(network: Any) -> frozenset[str]:
    """Ids of the segments with an edge open to walking (a segment target needs one)."""

    def build(net: Any) -> frozenset[str]:
        return frozenset(
            str(d["segment_id"])
            for _, _, d in net.graph.edges(data=True)
            if d.get("segment_id") is not None and "foot" in d["modes"]
        )

    walkable: frozenset[str] = network.derive("web.approach.walkable_segments", build)
    return walkable


def _in_region(network: Any, lon: float, lat: float) -> bool:
    """Whether ``lon``/``lat`` lies within the network's extent (plus a margin).

    Checked here because the planner's own check projects the point first, which
    fails for points far outside the projection's zone.
    """
    west, south, east, north = network.derive(
        "web.approach.extent", lambda net: tuple(float(b) for b in net.segments.total_bounds)
    )
    m = REGION_MARGIN_DEG
    return bool(west - m <= lon <= east + m and south - m <= lat <= north + m)
