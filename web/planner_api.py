"""The planners' JSON API: versions, feature edits, exports (``/api/...``).

``GET /api/versions?limit=&before=``     history, newest first
``GET /api/versions/<id>``               one version and its changes (GeoJSON before/after)
``POST /api/versions/<id>/restore``      ``{"message"}``: the old state as a new version (201)
``GET /api/data/<layer>/<id>``           a feature as stored, with its ``revision``
``PUT /api/data/<layer>/<id>``           ``{"feature", "base_revision", "message"}``
``POST /api/data/<layer>``               ``{"feature", "message"}``: a new feature (201)
``DELETE /api/data/<layer>/<id>``        ``{"base_revision", "message"}``
``POST /api/data/ways/<id>/split``       ``{"lon", "lat", "base_revision", "message"}`` (201)
``POST /api/data/ways/join``             ``{"way_ids": [a, b], "message"}`` (201)
``GET /api/export?format=&version=``     a version's data as geojson, gpx or gpkg

Layers are ``trails``, ``roads``, ``places``, ``stations``. Every write is one
transaction making one new version (201 with the version): an edit based on a stale
``base_revision`` is a 409 whose ``data`` holds the stored feature (``theirs``) and the
submitted one (``yours``); an edit that would break the data contract is a 422 listing
every problem, and nothing is written. The author is the signed-in user. Officers
and planners may read (versions, data, export); only planners write (admins may do
both). After a write the network is rebuilt before the answer, so the planner's next
request sees it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from geodata.errors import InvalidInput
from geodata.export import FORMATS, export
from geodata.i18n import Msg, joined, msg
from geodata.store import FeatureEdit, VersionInfo
from web import bodies
from web.auth import current_user_name, require_role
from web.state import get_state

__all__ = ["bp"]

bp = Blueprint("planner", __name__, url_prefix="/api")

#: an edit body (one feature) over this is refused unread (413)
MAX_EDIT_BYTES = 2 * 1024 * 1024
_LAYER = "<any(trails, roads, places, stations):layer>"


def _body(*fields: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    raw = bodies.read_body(request, limit=MAX_EDIT_BYTES)
    body = bodies.json_object(raw, example='{"message": "why", ...}')
    problems: list[Msg] = []
    unknown = sorted(k for k in body if k not in fields)
    if unknown:
        problems.append(
            msg(
                "planner.unknown_fields",
                fields=", ".join(map(repr, unknown)),
                accepted=", ".join(fields),
            )
        )
    for name in required:
        if name not in body:
            problems.append(msg("planner.missing", name=repr(name)))
    if "message" in fields and not (
        isinstance(body.get("message"), str) and body["message"].strip()
    ):
        problems.append(msg("planner.message_required"))
    if "base_revision" in body and not (
        isinstance(body["base_revision"], int)
        and not isinstance(body["base_revision"], bool)
        and abs(body["base_revision"]) <= bodies.MAX_INT
    ):
        problems.append(msg("planner.base_revision", value=bodies.quote(body["base_revision"])))
    if problems:
        raise InvalidInput(joined(problems), details=problems)
    return body


def _commit(edits: list[FeatureEdit], message: str) -> Response:
    """Commit ``edits`` as one version by the request's author; 201 with the version."""
    info = get_state().data.commit(edits, author=current_user_name(), message=message)
    return _committed(info)


def _committed(info: VersionInfo) -> Response:
    response = jsonify(version=info.to_dict())
    response.status_code = 201
    return response


def _query_int(name: str, default: int | None) -> int | None:
    value = request.args.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or abs(number) > bodies.MAX_INT:
        raise InvalidInput(msg("query.integer", name=repr(name), value=repr(value[:20])))
    return number


def _check_query(*allowed: str) -> None:
    unknown = sorted(k for k in request.args if k not in allowed)
    if request.args.getlist("lang") in (["en"], ["zh"]):  # the answer's language (web.errors)
        unknown.remove("lang")
    if unknown:
        raise InvalidInput(
            msg(
                "query.unknown_some",
                names=", ".join(map(repr, unknown)),
                accepted=", ".join(allowed) or msg("json.none"),
            )
        )


# --------------------------------------------------------------------------- versions
@bp.get("/versions")
@require_role("officer", "planner")
def versions() -> Response:
    _check_query("limit", "before")
    state = get_state()
    limit = _query_int("limit", 50)
    assert limit is not None
    history = state.store.versions.history(
        state.region_id, limit=limit, before=_query_int("before", None)
    )
    return jsonify(
        current=state.store.versions.current_version(state.region_id),
        versions=[v.to_dict() for v in history],
    )


@bp.get("/versions/<int:version_id>")
@require_role("officer", "planner")
def version(version_id: int) -> Response:
    _check_query()
    state = get_state()
    info, changes = state.store.versions.changes(state.region_id, version_id)
    return jsonify(version=info.to_dict(), changes=changes)


@bp.post("/versions/<int:version_id>/restore")
@require_role("planner")
def restore(version_id: int) -> Response:
    _check_query()
    state = get_state()
    raw = bodies.read_body(request, limit=MAX_EDIT_BYTES)
    body = bodies.json_object(raw, example='{"message": "why"}') if raw.strip() else {}
    message = body.get("message") or f"restore version {version_id}"
    if not isinstance(message, str):
        raise InvalidInput(msg("planner.message_text"))
    info = state.data.restore(version_id, author=current_user_name(), message=message)
    return _committed(info)


# --------------------------------------------------------------------------- features
@bp.get(f"/data/{_LAYER}/<feature_id>")
@require_role("officer", "planner")
def data_feature(layer: str, feature_id: str) -> Response:
    _check_query()
    state = get_state()
    feature, revision = state.store.versions.feature(state.region_id, layer, feature_id)
    return jsonify(layer=layer, feature=feature, revision=revision)


@bp.put(f"/data/{_LAYER}/<feature_id>")
@require_role("planner")
def update_feature(layer: str, feature_id: str) -> Response:
    _check_query()
    body = _body("feature", "base_revision", "message", required=("feature", "base_revision"))
    edit = FeatureEdit(layer, feature_id, "update", body["feature"], body["base_revision"])
    return _commit([edit], body["message"])


@bp.post(f"/data/{_LAYER}")
@require_role("planner")
def insert_feature(layer: str) -> Response:
    _check_query()
    body = _body("feature", "message", required=("feature",))
    feature = body["feature"]
    if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
        raise InvalidInput(msg("planner.feature_shape"))
    id_field = {
        "trails": "way_id",
        "roads": "way_id",
        "places": "place_id",
        "stations": "station_id",
    }
    feature_id = feature["properties"].get(id_field[layer])
    if not isinstance(feature_id, str) or not feature_id.strip():
        raise InvalidInput(msg("planner.feature_id", field=repr(id_field[layer])))
    edit = FeatureEdit(layer, feature_id, "insert", feature)
    return _commit([edit], body["message"])


@bp.delete(f"/data/{_LAYER}/<feature_id>")
@require_role("planner")
def delete_feature(layer: str, feature_id: str) -> Response:
    _check_query()
    body = _body("base_revision", "message", required=("base_revision",))
    edit = FeatureEdit(layer, feature_id, "delete", None, body["base_revision"])
    return _commit([edit], body["message"])


@bp.post("/data/ways/<way_id>/split")
@require_role("planner")
def split(way_id: str) -> Response:
    _check_query()
    body = _body("lon", "lat", "base_revision", "message", required=("lon", "lat", "base_revision"))
    lon, lat = body["lon"], body["lat"]
    if not (bodies.is_number(lon) and bodies.is_number(lat)):
        raise InvalidInput("fields 'lon' and 'lat' must be numbers")
    info = get_state().data.split_way(
        way_id,
        float(lon),
        float(lat),
        base_revision=body["base_revision"],
        author=current_user_name(),
        message=body["message"],
    )
    return _committed(info)


@bp.post("/data/ways/join")
@require_role("planner")
def join() -> Response:
    _check_query()
    body = _body("way_ids", "message", required=("way_ids",))
    ids = body["way_ids"]
    if not (isinstance(ids, list) and len(ids) == 2 and all(isinstance(i, str) for i in ids)):
        raise InvalidInput("field 'way_ids' must be two way ids")
    info = get_state().data.join_ways(
        ids[0], ids[1], author=current_user_name(), message=body["message"]
    )
    return _committed(info)


# --------------------------------------------------------------------------- export
@bp.get("/export")
@require_role("officer", "planner")
def export_data() -> Response:
    _check_query("format", "version")
    fmt = request.args.get("format", "geojson")
    if fmt not in FORMATS:
        raise InvalidInput(f"query parameter 'format' is {fmt!r}; formats: {', '.join(FORMATS)}")
    state = get_state()
    snapshot = state.data.snapshot(_query_int("version", None))
    data = export(snapshot.documents, snapshot.version_id, fmt)
    media, suffix = FORMATS[fmt]
    name = f"{state.region_id}-v{snapshot.version_id}{suffix}"
    return Response(
        data,
        mimetype=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
