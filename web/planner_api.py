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

from collections.abc import Callable, Mapping
from typing import Annotated, Any, ClassVar, Literal

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from geodata.errors import InvalidInput
from geodata.export import FORMATS, export
from geodata.i18n import msg
from geodata.store import FeatureEdit, VersionInfo
from web import bodies
from web.answers import Version, VersionAnswer
from web.auth import current_user_name
from web.contract import PLANNERS, PLANNING, Contract, ProblemText, api_operation, problem
from web.openapi import EDIT_ERRORS
from web.state import get_state

__all__ = [
    "ExportQuery",
    "FeatureChange",
    "FeatureDelete",
    "FeatureInsert",
    "FeatureUpdate",
    "JoinBody",
    "RestoreBody",
    "SplitBody",
    "StoredFeature",
    "VersionChanges",
    "VersionList",
    "VersionsQuery",
    "bp",
]

bp = Blueprint("planner", __name__, url_prefix="/api")

#: an edit body (one feature) over this is refused unread (413)
MAX_EDIT_BYTES = 2 * 1024 * 1024
_LAYER = "<any(trails, roads, places, stations):layer>"
_ID_FIELD = {"trails": "way_id", "roads": "way_id", "places": "place_id", "stations": "station_id"}


# --------------------------------------------------------------------------- bodies
def _revision(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > bodies.MAX_INT:
        raise problem(msg("planner.base_revision", value=bodies.quote(value)))
    return value


def _message(value: Any) -> str:
    if not (isinstance(value, str) and value.strip()):
        raise problem(msg("planner.message_required"))
    return value


def _feature(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise problem(msg("planner.feature_shape"))
    return value


Revision = Annotated[
    int,
    BeforeValidator(_revision),
    WithJsonSchema({"type": "integer", "minimum": -bodies.MAX_INT, "maximum": bodies.MAX_INT}),
]
Message = Annotated[
    str,
    BeforeValidator(_message),
    WithJsonSchema({"type": "string", "minLength": 1, "description": "what changed and why"}),
]
Feature = Annotated[
    dict[str, Any],
    BeforeValidator(_feature),
    WithJsonSchema({"type": "object", "description": "a GeoJSON Feature with properties"}),
]


def _missing(error: Mapping[str, Any]) -> Any:
    name = str(error["loc"][0])
    if name == "message":
        return msg("planner.message_required")
    return msg("planner.missing", name=repr(name))


class _Edit(Contract):
    """An edit's body: unknown fields, missing ones and bad values named in both languages."""

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        accepted = ", ".join(cls.model_fields)
        cls.problem_texts = {
            ("missing", "*"): _missing,
            ("extra_forbidden", "*"): lambda e: msg(
                "planner.unknown_fields", fields=repr(e["loc"][0]), accepted=accepted
            ),
            **cls.__dict__.get("problem_texts", {}),
        }


class RestoreBody(_Edit):
    """``POST /api/versions/<id>/restore`` (the body may be empty)."""

    model_config = ConfigDict(extra="ignore")
    problem_texts: ClassVar[dict[tuple[str, str], ProblemText]] = {
        ("string_type", "message"): lambda _: msg("planner.message_text"),
    }

    message: str | None = None


class FeatureUpdate(_Edit):
    """``PUT /api/data/<layer>/<id>``."""

    feature: Feature
    base_revision: Revision
    message: Message


class FeatureInsert(_Edit):
    """``POST /api/data/<layer>``."""

    feature: Feature
    message: Message


class FeatureDelete(_Edit):
    """``DELETE /api/data/<layer>/<id>``."""

    base_revision: Revision
    message: Message


class SplitBody(_Edit):
    """``POST /api/data/ways/<id>/split``: where to split, on the revision the planner saw."""

    lon: Annotated[float, Field(strict=True, allow_inf_nan=False)]
    lat: Annotated[float, Field(strict=True, allow_inf_nan=False)]
    base_revision: Revision
    message: Message


class JoinBody(_Edit):
    """``POST /api/data/ways/join``: two ways meeting end to end."""

    way_ids: Annotated[list[Annotated[str, Field(strict=True)]], Field(min_length=2, max_length=2)]
    message: Message


class VersionsQuery(BaseModel):
    """``GET /api/versions``: how many, before which version."""

    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=-bodies.MAX_INT, le=bodies.MAX_INT)] = 50
    before: Annotated[int, Field(ge=-bodies.MAX_INT, le=bodies.MAX_INT)] | None = None


class VersionList(BaseModel):
    """``GET /api/versions``: the current version and the history, newest first."""

    current: int | None = Field(description="the version served; null before the first")
    versions: list[Version]


class FeatureChange(BaseModel):
    """One feature a version changed, as GeoJSON before and after (null: none)."""

    layer: str
    feature_id: str
    op: Literal["insert", "update", "delete"]
    before: dict[str, Any] | None = Field(description="the Feature before (null: inserted)")
    after: dict[str, Any] | None = Field(description="the Feature after (null: deleted)")


class VersionChanges(BaseModel):
    """``GET /api/versions/<id>``: one version and its changes."""

    version: Version
    changes: list[FeatureChange]


class StoredFeature(BaseModel):
    """``GET /api/data/<layer>/<id>``: a feature as stored, with the revision an edit
    must name (``base_revision``)."""

    layer: str
    feature: dict[str, Any] = Field(description="a GeoJSON Feature with its properties")
    revision: int


def _format(value: Any) -> Any:
    if value not in FORMATS:
        raise problem(f"query parameter 'format' is {value!r}; formats: {', '.join(FORMATS)}")
    return value


class ExportQuery(BaseModel):
    """``GET /api/export``: which format, which version (default: the current one)."""

    model_config = ConfigDict(extra="forbid")

    format: Annotated[str, BeforeValidator(_format), WithJsonSchema({"enum": list(FORMATS)})] = (
        "geojson"
    )
    version: Annotated[int, Field(ge=-bodies.MAX_INT, le=bodies.MAX_INT)] | None = None


def _edit(
    method: str,
    rule: str,
    summary: str,
    body: type[BaseModel],
    example: str = '{"message": "why", ...}',
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a planner's edit: one new version (201), the data's errors, a large body."""
    return api_operation(
        bp,
        method,
        rule,
        summary=summary,
        roles=PLANNERS,
        body=body,
        body_optional=body is RestoreBody,
        ok={201: VersionAnswer},
        errors=EDIT_ERRORS,
        body_limit=MAX_EDIT_BYTES,
        example=example,
    )


def _commit(edits: list[FeatureEdit], message: str) -> Response:
    """Commit ``edits`` as one version by the request's author; 201 with the version."""
    info = get_state().data.commit(edits, author=current_user_name(), message=message)
    return _committed(info)


def _committed(info: VersionInfo) -> Response:
    response = jsonify(version=info.to_dict())
    response.status_code = 201
    return response


# --------------------------------------------------------------------------- versions
@api_operation(
    bp,
    "GET",
    "/versions",
    summary="the data's history, newest first",
    roles=PLANNING,
    query=VersionsQuery,
    ok={200: VersionList},
)
def versions(query: VersionsQuery) -> Response:
    state = get_state()
    history = state.store.versions.history(state.region_id, limit=query.limit, before=query.before)
    return jsonify(
        current=state.store.versions.current_version(state.region_id),
        versions=[v.to_dict() for v in history],
    )


@api_operation(
    bp,
    "GET",
    "/versions/<int:version_id>",
    summary="one version and its changes (GeoJSON before/after)",
    roles=PLANNING,
    ok={200: VersionChanges},
    errors=(404,),
)
def version(version_id: int) -> Response:
    state = get_state()
    info, changes = state.store.versions.changes(state.region_id, version_id)
    return jsonify(version=info.to_dict(), changes=changes)


@_edit(
    "POST",
    "/versions/<int:version_id>/restore",
    "restore an old version as a new one",
    RestoreBody,
    '{"message": "why"}',
)
def restore(version_id: int, body: RestoreBody) -> Response:
    state = get_state()
    info = state.data.restore(
        version_id,
        author=current_user_name(),
        message=body.message or f"restore version {version_id}",
    )
    return _committed(info)


# --------------------------------------------------------------------------- features
@api_operation(
    bp,
    "GET",
    f"/data/{_LAYER}/<feature_id>",
    summary="a feature as stored, with its revision",
    roles=PLANNING,
    ok={200: StoredFeature},
    errors=(404,),
)
def data_feature(layer: str, feature_id: str) -> Response:
    state = get_state()
    feature, revision = state.store.versions.feature(state.region_id, layer, feature_id)
    return jsonify(layer=layer, feature=feature, revision=revision)


@_edit(
    "PUT",
    f"/data/{_LAYER}/<feature_id>",
    "change a feature (409 with both versions when base_revision is stale)",
    FeatureUpdate,
)
def update_feature(layer: str, feature_id: str, body: FeatureUpdate) -> Response:
    edit = FeatureEdit(layer, feature_id, "update", body.feature, body.base_revision)
    return _commit([edit], body.message)


@_edit("POST", f"/data/{_LAYER}", "add a feature", FeatureInsert)
def insert_feature(layer: str, body: FeatureInsert) -> Response:
    feature = body.feature
    if not isinstance(feature.get("properties"), dict):
        raise InvalidInput(msg("planner.feature_shape"))
    feature_id = feature["properties"].get(_ID_FIELD[layer])
    if not isinstance(feature_id, str) or not feature_id.strip():
        raise InvalidInput(msg("planner.feature_id", field=repr(_ID_FIELD[layer])))
    edit = FeatureEdit(layer, feature_id, "insert", feature)
    return _commit([edit], body.message)


@_edit("DELETE", f"/data/{_LAYER}/<feature_id>", "delete a feature", FeatureDelete)
def delete_feature(layer: str, feature_id: str, body: FeatureDelete) -> Response:
    edit = FeatureEdit(layer, feature_id, "delete", None, body.base_revision)
    return _commit([edit], body.message)


@_edit("POST", "/data/ways/<way_id>/split", "split a way at a point", SplitBody)
def split(way_id: str, body: SplitBody) -> Response:
    info = get_state().data.split_way(
        way_id,
        body.lon,
        body.lat,
        base_revision=body.base_revision,
        author=current_user_name(),
        message=body.message,
    )
    return _committed(info)


@_edit("POST", "/data/ways/join", "join two ways meeting end to end", JoinBody)
def join(body: JoinBody) -> Response:
    info = get_state().data.join_ways(
        body.way_ids[0], body.way_ids[1], author=current_user_name(), message=body.message
    )
    return _committed(info)


# --------------------------------------------------------------------------- export
@api_operation(
    bp,
    "GET",
    "/export",
    summary="a version's data as a file",
    roles=PLANNING,
    query=ExportQuery,
    ok={200: {media: {} for media, _ in FORMATS.values()}},
    errors=(404,),
)
def export_data(query: ExportQuery) -> Response:
    state = get_state()
    snapshot = state.data.snapshot(query.version)
    data = export(snapshot.documents, snapshot.version_id, query.format)
    media, suffix = FORMATS[query.format]
    name = f"{state.region_id}-v{snapshot.version_id}{suffix}"
    return Response(
        data,
        mimetype=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
