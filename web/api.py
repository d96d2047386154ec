"""The JSON API (``/api/...``).

``GET /api``                       this index: endpoints and the documented properties
``GET /api/health``                liveness and what is loaded (plain JSON)
``GET /api/openapi.json``           the OpenAPI description (public; see web.openapi)
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
                                   (the recommended plan's lines; every plan's on request)
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
:mod:`web.approach_api` and :class:`rescue.closures.ClosureBody`; closures are kept
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
from typing import Annotated, Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from geodata.errors import InvalidInput
from geodata.i18n import msg
from geodata.store import audit
from rescue import catalog, kmposts
from rescue.approach import plan_with_closures
from rescue.closures import ClosureBody, build_closure
from rescue.elevation_profile import approach_profiles
from rescue.localnames import localize_approach
from rescue.locate import locate
from web import openapi
from web.answers import LAYER_COLLECTIONS, ApproachAnswer, Closure, ClosureList, KmPosts
from web.approach_api import MAX_BODY_BYTES as APPROACH_BODY_BYTES
from web.approach_api import ApproachBody, parse_flag
from web.auth import current_user_name
from web.bodies import whole_number
from web.contract import (
    ADMIN,
    CLOSERS,
    DISPATCH,
    PUBLIC,
    READERS,
    api_operation,
    problem,
)
from web.fastjson import json_response
from web.locate_api import TOO_LARGE, LocateBody
from web.openapi import GEOJSON, OBJ, geojson_media, json_media
from web.relief_api import elevation_model
from web.state import get_state

__all__ = ["bp"]

bp = Blueprint("api", __name__, url_prefix="/api")

_GEOJSON = "application/geo+json"


# --------------------------------------------------------------------------- answers
class IndexAnswer(BaseModel):
    """``GET /api``."""

    endpoints: list[str]
    properties: dict[str, Any]


class HealthAnswer(BaseModel):
    """``GET /api/health``."""

    status: str
    region_id: str
    counts: dict[str, Any]


class RegionsAnswer(BaseModel):
    """``GET /api/regions``."""

    regions: list[dict[str, Any]]


class LocateAnswer(BaseModel):
    """``POST /api/locate``: ranked candidates, follow-up questions, the clues understood."""

    model_config = ConfigDict(extra="allow")

    candidates: list[dict[str, Any]]
    questions: list[dict[str, Any]]
    interpreted: dict[str, Any] | None = None


class AuditAnswer(BaseModel):
    """``GET /api/audit``."""

    entries: list[dict[str, Any]]


# --------------------------------------------------------------------------- queries
Text = Annotated[str, Field(description="a non-empty value")]


class RouteQuery(BaseModel):
    """Only the features of one route."""

    model_config = ConfigDict(extra="forbid")

    route_id: Text | None = None


class PlaceQuery(BaseModel):
    """``GET /api/places``: by type, name (``q``) and route."""

    model_config = ConfigDict(extra="forbid")

    type: Text | None = None
    q: (
        Annotated[str, Field(description="text in a name, alias or id (checked by the catalog)")]
        | None
    ) = None
    route_id: Text | None = None


class StationQuery(BaseModel):
    """``GET /api/stations``: those with a capability (checked by :mod:`rescue.catalog`)."""

    model_config = ConfigDict(extra="forbid")

    capability: Annotated[str, WithJsonSchema({"enum": list(catalog.CAPABILITIES)})] | None = None


def _flag(value: Any) -> bool:
    try:
        return parse_flag("include_expired", value)
    except InvalidInput as exc:
        raise problem(exc.text) from None


class ClosureQuery(BaseModel):
    """``GET /api/closures``: expired closures too?"""

    model_config = ConfigDict(extra="forbid")

    include_expired: Annotated[
        bool,
        BeforeValidator(_flag),
        WithJsonSchema({"enum": ["1", "true", "yes", "0", "false", "no"]}),
    ] = False


def _whole(name: str) -> BeforeValidator:
    def check(value: Any) -> int:
        try:
            return whole_number(name, value)
        except InvalidInput as exc:
            raise problem(exc.text) from None

    return BeforeValidator(check)


_WHOLE = {"type": "string", "pattern": "^[0-9]+$"}


class AuditQuery(BaseModel):
    """``GET /api/audit``: how many entries, by whom, about what, before which entry."""

    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, _whole("limit"), WithJsonSchema(_WHOLE)] = 100
    actor: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    before: Annotated[int | None, _whole("before"), WithJsonSchema(_WHOLE)] = None


def _params(query: BaseModel) -> dict[str, Any]:
    """The parameters given (for the catalog's keyword arguments)."""
    return query.model_dump(exclude_unset=True)


# --------------------------------------------------------------------------- the data
@api_operation(
    bp,
    "GET",
    "",
    summary="this index: the endpoints and the documented properties of every layer",
    roles=PUBLIC,
    ok={200: IndexAnswer},
)
def index() -> Response:
    rules = current_app.url_map.iter_rules()
    return jsonify(
        endpoints=sorted(rule.rule for rule in rules if rule.endpoint.startswith("api.")),
        properties=catalog.PROPERTIES,
    )


@api_operation(
    bp,
    "GET",
    "/health",
    summary="liveness and what is loaded",
    roles=PUBLIC,
    ok={200: HealthAnswer},
)
def health() -> Response:
    summary = catalog.region_summary(get_state().network)
    return jsonify(status="ok", region_id=summary["region_id"], counts=summary["counts"])


@api_operation(
    bp, "GET", "/regions", summary="the region served", roles=READERS, ok={200: RegionsAnswer}
)
def regions() -> Response:
    return jsonify(regions=[catalog.region_summary(get_state().network)])


@api_operation(
    bp,
    "GET",
    "/routes",
    summary="routes",
    roles=READERS,
    ok={200: {GEOJSON: LAYER_COLLECTIONS["routes"]}},
)
def routes() -> Response:
    return _geojson(catalog.routes_collection(get_state().network))


@api_operation(
    bp,
    "GET",
    "/segments",
    summary="route segments with lengths, elevations and travel times",
    roles=READERS,
    query=RouteQuery,
    ok={200: {GEOJSON: LAYER_COLLECTIONS["segments"]}},
    errors=(404,),
)
def segments(query: RouteQuery) -> Response:
    return _geojson(catalog.segments_collection(get_state().network, **_params(query)))


@api_operation(
    bp,
    "GET",
    "/km-posts",
    summary="a point every km along each route (or route_id) with the km it reads",
    roles=READERS,
    query=RouteQuery,
    ok={200: {GEOJSON: KmPosts}},
    errors=(404,),
)
def km_posts(query: RouteQuery) -> Response:
    return _geojson(kmposts.km_posts_collection(get_state().network, **_params(query)))


@api_operation(
    bp,
    "GET",
    "/places",
    summary="named places",
    roles=READERS,
    query=PlaceQuery,
    ok={200: {GEOJSON: LAYER_COLLECTIONS["places"]}},
    errors=(404,),
)
def places(query: PlaceQuery) -> Response:
    return _geojson(catalog.places_collection(get_state().network, **_params(query)))


@api_operation(
    bp,
    "GET",
    "/stations",
    summary="rescue stations",
    roles=READERS,
    query=StationQuery,
    ok={200: {GEOJSON: LAYER_COLLECTIONS["stations"]}},
)
def stations(query: StationQuery) -> Response:
    return _geojson(catalog.stations_collection(get_state().network, **_params(query)))


@api_operation(
    bp,
    "GET",
    "/<any(routes, segments, places, stations):layer>/<feature_id>",
    summary="one feature",
    roles=READERS,
    ok={200: geojson_media(OBJ)},  # refined per layer by web.openapi
    errors=(404,),
)
def feature(layer: str, feature_id: str) -> Response:
    return _geojson(catalog.get_feature(get_state().network, layer, feature_id))


@api_operation(
    bp,
    "GET",
    "/openapi.json",
    summary="this OpenAPI description",
    roles=PUBLIC,
    ok={200: json_media(OBJ)},
)
def openapi_json() -> Response:
    return jsonify(openapi.document(current_app))


# --------------------------------------------------------------------------- calls
@api_operation(
    bp,
    "POST",
    "/locate",
    summary="where a caller is, from what they say",
    roles=DISPATCH,
    body=LocateBody,
    ok={200: LocateAnswer},
    example='{"text": "..."}',
    too_large=TOO_LARGE,
)
def locate_caller(body: LocateBody) -> Response:
    result = locate(get_state().network, body.text, reported_at=body.at(), direction=body.direction)
    return json_response(result.to_dict())


@api_operation(
    bp,
    "POST",
    "/approach",
    summary="each station's fastest way to a casualty, closures applied",
    roles=DISPATCH,
    body=ApproachBody,
    ok={200: ApproachAnswer},
    errors=(409,),
    body_limit=APPROACH_BODY_BYTES,
    example='{"target": {"lon": 81.38, "lat": 31.09}}',
    context=lambda: {"network": get_state().network},
)
def approach(body: ApproachBody) -> Response:
    state = get_state()
    closures, unreadable = state.closures.list_checked()
    result = plan_with_closures(
        state.network,
        body.target,
        closures,
        now=datetime.now(UTC),
        stations=body.stations,
        profile=body.profile,
        depart_at=body.depart_at,
        closure_problems=unreadable,
        needs=body.all_needs(),
    )
    answer = localize_approach(result.to_dict(geometry=body.geometry), state.network)
    return json_response(approach_profiles(answer, elevation_model()))


@api_operation(
    bp,
    "GET",
    "/closures",
    summary="closures in force or scheduled (expired ones on request)",
    roles=READERS,
    query=ClosureQuery,
    ok={200: ClosureList},
)
def closures(query: ClosureQuery) -> Response:
    stored, problems = get_state().closures.list_checked(include_expired=query.include_expired)
    return jsonify(closures=[c.to_dict() for c in stored], problems=[p.to_dict() for p in problems])


@api_operation(
    bp,
    "POST",
    "/closures",
    summary="set a closure",
    roles=CLOSERS,
    body=ClosureBody,
    ok={201: Closure},
    body_limit=APPROACH_BODY_BYTES,  # a drawn line or area: as large as an approach's target
    example='{"segment_ids": [..], "reason": "snow", ...}',
    what=msg("closure.invalid"),
    context=lambda: {"network": get_state().network, "now": datetime.now(UTC)},
)
def add_closure(body: ClosureBody) -> Response:
    state = get_state()
    # the author is who is signed in (a created_by in the body is accepted and ignored)
    closure = build_closure(body, now=datetime.now(UTC), created_by=current_user_name())
    state.closures.add(closure)
    response = jsonify(closure.to_dict())
    response.status_code = 201
    response.headers["Location"] = url_for("api.closure", closure_id=closure.closure_id)
    return response


@api_operation(
    bp,
    "GET",
    "/closures/<closure_id>",
    summary="one closure",
    roles=READERS,
    ok={200: Closure},
    errors=(404, 409),
)
def closure(closure_id: str) -> Response:
    return jsonify(get_state().closures.get(closure_id).to_dict())


@api_operation(
    bp,
    "DELETE",
    "/closures/<closure_id>",
    summary="lift a closure",
    roles=CLOSERS,
    ok={204: None},
    errors=(404,),
)
def delete_closure(closure_id: str) -> Response:
    get_state().closures.delete(closure_id, by=current_user_name())
    return Response(status=204)


@api_operation(
    bp,
    "GET",
    "/audit",
    summary="every write with who made it, newest first",
    roles=ADMIN,
    query=AuditQuery,
    ok={200: AuditAnswer},
)
def audit_log(query: AuditQuery) -> Response:
    """Every write with who made it, newest first (see :mod:`geodata.store.audit`)."""
    entries = audit.entries(
        get_state().store.reader,
        limit=query.limit,
        actor=query.actor,
        target_type=query.target_type,
        target_id=query.target_id,
        before=query.before,
    )
    return jsonify(entries=entries)


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
