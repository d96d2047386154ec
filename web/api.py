"""The JSON API (``/api/...``).

``GET /api``                       this index: endpoints and the documented properties
``GET /api/health``                liveness and what is loaded (plain JSON)
``GET /api/regions``               the region served (plain JSON)
``GET /api/routes``                routes (GeoJSON FeatureCollection)
``GET /api/routes/<route_id>``     one route (GeoJSON Feature)
``GET /api/segments?route_id=``    route segments with lengths, elevations and travel times
``GET /api/segments/<segment_id>``
``GET /api/places?type=&q=&route_id=``
``GET /api/places/<place_id>``
``GET /api/stations?capability=``
``GET /api/stations/<station_id>``
``POST /api/locate``               where a caller is, from what they say (see below)

Properties are documented in :mod:`rescue.catalog`. An unknown id is a 404, an
unknown query parameter or a value outside its allowed set a 422; both come
with a JSON body (see :mod:`web.errors`).

``POST /api/locate`` takes ``{"text": ..., "reported_at": ..., "direction": ...}``
(checked by :mod:`web.locate_api`; a body over 64 KB is a 413) and returns the
locator's ranked candidates, follow-up questions and the clues it understood.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from rescue import catalog
from rescue.errors import InvalidInput
from rescue.locate import locate
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
def regions() -> Response:
    _query()
    return jsonify(regions=[catalog.region_summary(get_state().network)])


@bp.get("/routes")
def routes() -> Response:
    return _geojson(catalog.routes_collection(get_state().network, **_query()))


@bp.get("/segments")
def segments() -> Response:
    params = _query("route_id")
    return _geojson(catalog.segments_collection(get_state().network, **params))


@bp.get("/places")
def places() -> Response:
    params = _query("type", "q", "route_id")
    return _geojson(catalog.places_collection(get_state().network, **params))


@bp.get("/stations")
def stations() -> Response:
    params = _query("capability")
    return _geojson(catalog.stations_collection(get_state().network, **params))


@bp.get("/<any(routes, segments, places, stations):layer>/<feature_id>")
def feature(layer: str, feature_id: str) -> Response:
    _query()
    return _geojson(catalog.get_feature(get_state().network, layer, feature_id))


@bp.post("/locate")
def locate_caller() -> Response:
    _query()
    body = parse_locate_body(read_body(request))
    result = locate(
        get_state().network,
        body.text,
        reported_at=body.reported_at,
        direction=body.direction,
    )
    return jsonify(result.to_dict())


def _query(*allowed: str) -> dict[str, str]:
    """Return the query parameters, rejecting unknown, repeated or empty ones."""
    problems = []
    for name in request.args:
        values = request.args.getlist(name)
        if name not in allowed:
            accepted = ", ".join(allowed) if allowed else "none"
            problems.append(f"unknown query parameter {name!r} (accepted: {accepted})")
        elif len(values) > 1:
            problems.append(f"query parameter {name!r} given {len(values)} times")
        elif not values[0].strip():
            problems.append(f"query parameter {name!r} is empty")
    if problems:
        raise InvalidInput("; ".join(problems), details=problems)
    return {name: request.args[name].strip() for name in request.args}


def _geojson(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.mimetype = _GEOJSON
    return response
