"""The JSON API (``/api/...``).

``GET /api``                       this index: endpoints and the documented properties
``GET /api/health``                liveness and what is loaded (plain JSON)
``GET /api/regions``               the region served (plain JSON)
``GET /api/routes``                routes (GeoJSON FeatureCollection)
``GET /api/routes/<route_id>``     one route (GeoJSON Feature)
``GET /api/segments?route_id=``    route segments with lengths, elevations and travel times
``GET /api/segments/<segment_id>``
``GET /api/km-posts?route_id=``   a point every km along each route, with its km (GeoJSON)
``GET /api/places?type=&q=&route_id=``
``GET /api/places/<place_id>``
``GET /api/stations?capability=``
``GET /api/stations/<station_id>``
``POST /api/locate``               where a caller is, from what they say (see below)
``POST /api/approach``             each station's fastest way to a casualty, closures applied
``GET /api/closures?include_expired=``  closures in force or scheduled (expired ones on request)
``POST /api/closures``             set a closure (201); ``DELETE /api/closures/<id>`` lifts it (204)
``GET /api/audit``                 admins: every write with who made it (see geodata.store.audit)

Properties are documented in :mod:`rescue.catalog`. An unknown id is a 404, an
unknown query parameter or a value outside its allowed set a 422; both come
with a JSON body (see :mod:`web.errors`).

``POST /api/locate`` takes ``{"text": ..., "reported_at": ..., "direction": ...}``
(checked by :mod:`web.locate_api`; a body over 64 KB is a 413) and returns the
locator's ranked candidates, follow-up questions and the clues it understood.

``POST /api/approach`` and ``POST /api/closures`` bodies are checked by
:mod:`web.approach_api` and :func:`rescue.closures.parse_closure`; closures are kept
in the route database. The closure's author is the signed-in user (a
``created_by`` field in the body is accepted and ignored).

Roles (:func:`web.auth.require_role`; admins may do everything): the data and the
closures are read by call takers, officers and planners; ``locate`` and ``approach``
are for call takers and officers; closures are set and lifted by officers and
planners. ``GET /api`` and ``GET /api/health`` are public. Anonymous callers get a 401,
other roles a 403, and an unsafe request without the session's ``X-CSRF-Token`` a 403.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from geodata.errors import InvalidInput
from geodata.i18n import LANGUAGES, Msg, joined, msg
from geodata.store import audit
from rescue import catalog, kmposts
from rescue.approach import plan_with_closures
from rescue.closures import parse_closure
from rescue.localnames import localize_approach
from rescue.locate import locate
from web.approach_api import parse_approach_body, parse_flag, read_json_object
from web.auth import current_user_name, require_role
from web.bodies import whole_number
from web.fastjson import json_response
from web.locate_api import parse_locate_body, read_body
from web.state import get_state

__all__ = ["bp"]

bp = Blueprint("api", __name__, url_prefix="/api")

_GEOJSON = "application/geo+json"


@bp.get("")
def index() -> Response:
    _query()
    rules = current_app.url_map.iter_rules()
    return jsonify(
        endpoints=sorted(rule.rule for rule in rules if rule.endpoint.startswith("api.")),
        properties=catalog.PROPERTIES,
    )


@bp.get("/health")
def health() -> Response:
    _query()
    summary = catalog.region_summary(get_state().network)
    return jsonify(status="ok", region_id=summary["region_id"], counts=summary["counts"])


@bp.get("/regions")
@require_role("call_taker", "officer", "planner")
def regions() -> Response:
    _query()
    return jsonify(regions=[catalog.region_summary(get_state().network)])


@bp.get("/routes")
@require_role("call_taker", "officer", "planner")
def routes() -> Response:
    return _geojson(catalog.routes_collection(get_state().network, **_query()))


@bp.get("/segments")
@require_role("call_taker", "officer", "planner")
def segments() -> Response:
    params = _query("route_id")
    return _geojson(catalog.segments_collection(get_state().network, **params))


@bp.get("/km-posts")
@require_role("call_taker", "officer", "planner")
def km_posts() -> Response:
    params = _query("route_id")
    return _geojson(kmposts.km_posts_collection(get_state().network, **params))


@bp.get("/places")
@require_role("call_taker", "officer", "planner")
def places() -> Response:
    params = _query("type", "q", "route_id")
    return _geojson(catalog.places_collection(get_state().network, **params))


@bp.get("/stations")
@require_role("call_taker", "officer", "planner")
def stations() -> Response:
    params = _query("capability")
    return _geojson(catalog.stations_collection(get_state().network, **params))


@bp.get("/<any(routes, segments, places, stations):layer>/<feature_id>")
@require_role("call_taker", "officer", "planner")
def feature(layer: str, feature_id: str) -> Response:
    _query()
    return _geojson(catalog.get_feature(get_state().network, layer, feature_id))


@bp.post("/locate")
@require_role("call_taker", "officer")
def locate_caller() -> Response:
    _query()
    body = parse_locate_body(read_body(request))
    result = locate(
        get_state().network,
        body.text,
        reported_at=body.reported_at,
        direction=body.direction,
    )
    return json_response(result.to_dict())


@bp.post("/approach")
@require_role("call_taker", "officer")
def approach() -> Response:
    _query()
    state = get_state()
    body = read_json_object(request, example='{"target": {"lon": 81.38, "lat": 31.09}}')
    req = parse_approach_body(body, network=state.network)
    closures, unreadable = state.closures.list_checked()
    result = plan_with_closures(
        state.network,
        req.target,
        closures,
        now=datetime.now(UTC),
        stations=req.stations,
        profile=req.profile,
        depart_at=req.depart_at,
        closure_problems=unreadable,
        needs=req.needs,
    )
    return json_response(localize_approach(result.to_dict(geometry=req.geometry), state.network))


@bp.get("/closures")
@require_role("call_taker", "officer", "planner")
def closures() -> Response:
    params = _query("include_expired")
    include_expired = parse_flag("include_expired", params.get("include_expired"))
    stored, problems = get_state().closures.list_checked(include_expired=include_expired)
    return jsonify(closures=[c.to_dict() for c in stored], problems=[p.to_dict() for p in problems])


@bp.post("/closures")
@require_role("officer", "planner")
def add_closure() -> Response:
    _query()
    state = get_state()
    body = read_json_object(request, example='{"segment_ids": [..], "reason": "snow", ...}')
    body.pop("created_by", None)  # accepted, but the author is who is signed in
    author = current_user_name()
    closure = parse_closure(body, network=state.network, now=datetime.now(UTC), created_by=author)
    state.closures.add(closure)
    response = jsonify(closure.to_dict())
    response.status_code = 201
    response.headers["Location"] = url_for("api.closure", closure_id=closure.closure_id)
    return response


@bp.get("/closures/<closure_id>")
@require_role("call_taker", "officer", "planner")
def closure(closure_id: str) -> Response:
    _query()
    return jsonify(get_state().closures.get(closure_id).to_dict())


@bp.delete("/closures/<closure_id>")
@require_role("officer", "planner")
def delete_closure(closure_id: str) -> Response:
    _query()
    get_state().closures.delete(closure_id, by=current_user_name())
    return Response(status=204)


@bp.get("/audit")
@require_role("admin")
def audit_log() -> Response:
    """Every write with who made it, newest first.

    Query: ``limit``, ``actor``, ``target_type``, ``target_id``, ``before`` (an entry id).
    """
    args = _query("limit", "actor", "target_type", "target_id", "before")
    numbers = {}
    for name, default in (("limit", "100"), ("before", None)):
        raw = args.get(name, default)
        numbers[name] = None if raw is None else whole_number(name, raw)
    entries = audit.entries(
        get_state().store.reader,
        limit=numbers["limit"] or 0,
        actor=args.get("actor"),
        target_type=args.get("target_type"),
        target_id=args.get("target_id"),
        before=numbers["before"],
    )
    return jsonify(entries=entries)


def _query(*allowed: str) -> dict[str, str]:
    """Return the query parameters, rejecting unknown, repeated or empty ones."""
    problems: list[Msg] = []
    for name in request.args:
        values = request.args.getlist(name)
        if name == "lang" and len(values) == 1:  # the language of the answer (web.errors)
            if values[0] not in LANGUAGES:
                problems.append(msg("query.lang", value=repr(values[0][:20])))
        elif name not in allowed:
            accepted = ", ".join(allowed) if allowed else msg("json.none")
            problems.append(msg("query.unknown", name=repr(name), accepted=accepted))
        elif len(values) > 1:
            problems.append(msg("query.repeated", name=repr(name), count=len(values)))
        elif not values[0].strip():
            problems.append(msg("query.empty", name=repr(name)))
    if problems:
        raise InvalidInput(joined(problems), details=problems)
    return {name: request.args[name].strip() for name in request.args if name != "lang"}


def _geojson(body: dict[str, Any]) -> Response:
    """A layer: GeoJSON with an ETag, 304 when the browser has it (it changes with the
    data version; flask-compress marks the ETag of a compressed copy and answers 304 for
    it too)."""
    response = jsonify(body)
    response.mimetype = _GEOJSON
    response.headers["Cache-Control"] = "private, no-cache"  # revalidate: versions move on
    response.add_etag()
    response.make_conditional(request)  # sets 304 in place
    return response
