"""Imports of GPS files by planners: preview first, then apply or discard (``/api/imports``).

``POST /api/imports``                  multipart ``file`` (GPX, KML, KMZ, GeoJSON, GeoPackage),
                                       optional form fields ``snap_tolerance_m``,
                                       ``match_tolerance_m``, ``layer`` (``trails``|``roads``)
                                       and ``route_id``: reads and checks the file, compares
                                       it with the current data and keeps the preview (201)
``GET /api/imports/<id>``              the preview again
``POST /api/imports/<id>/apply``       ``{"message"}``: one new version (201); 409 if a feature
                                       it changes was changed since the preview
``DELETE /api/imports/<id>``           discard (204)

Nothing is written to the route data before *apply*, and applying is one transaction:
a server killed while reading, previewing or applying leaves the previous version as
it was. A hostile or broken file is a 422 naming the file and line; a file over the
size limit a 413, refused before it is read. Reading, checking and the preview run
in a separate process with a time and memory budget (:mod:`geodata.importers.sandbox`):
a file that takes longer than 9 s is a 422, and while two files are being checked a
third waits up to 10 s for its turn, then is told to retry (429). Only planners (and
admins) may import; the author of the version is the signed-in user.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from flask import Blueprint, Response, jsonify, request, url_for
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

from geodata.errors import InvalidInput
from geodata.i18n import msg
from geodata.importers import MAX_UPLOAD_BYTES
from rescue.route_data import PENDING_TTL
from web.answers import Import, VersionAnswer
from web.auth import current_user_name
from web.contract import PLANNERS, Contract, api_operation, problem, read_model
from web.errors import TooLarge
from web.openapi import EDIT_ERRORS
from web.state import get_state

__all__ = ["MAX_UPLOAD_BYTES", "PENDING_TTL", "bp"]

bp = Blueprint("imports", __name__, url_prefix="/api/imports")
# the checking processes' fork server is started by the serving process itself
# (web.server: waitress at start, each gunicorn worker after its fork; never the
# gunicorn master, whose fork server its workers could not use), else on first use

_FORM_FIELDS = ("file", "snap_tolerance_m", "match_tolerance_m", "layer", "route_id")


def _upload() -> tuple[str, bytes]:
    length = request.content_length
    if length is not None and length > MAX_UPLOAD_BYTES + 64 * 1024:
        raise TooLarge(
            msg("large.upload", mb=f"{length / 1e6:.1f}", limit=f"{MAX_UPLOAD_BYTES / 1e6:.0f}")
        )
    request.max_content_length = MAX_UPLOAD_BYTES + 64 * 1024  # werkzeug stops reading past it
    if not request.mimetype.startswith("multipart/form-data"):
        raise InvalidInput(msg("import.multipart"))
    unknown = sorted(k for k in [*request.form, *request.files] if k not in _FORM_FIELDS)
    if unknown:
        raise InvalidInput(
            msg(
                "import.unknown_form_fields",
                fields=", ".join(map(repr, unknown)),
                accepted=", ".join(map(repr, _FORM_FIELDS)),
            )
        )
    files = request.files.getlist("file")
    if len(files) != 1:
        raise InvalidInput(msg("import.one_file", count=len(files)))
    upload = files[0]
    name = (upload.filename or "").strip()
    if not name:
        raise InvalidInput(msg("import.no_name"))
    try:
        data = upload.stream.read(MAX_UPLOAD_BYTES + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file
    if len(data) > MAX_UPLOAD_BYTES:
        raise TooLarge(msg("large.file", name=name, limit=f"{MAX_UPLOAD_BYTES / 1e6:.0f}"))
    return name, data


def _metres(name: str, default: float) -> Any:
    def check(value: Any) -> float:
        if value is None or (isinstance(value, str) and not value.strip()):
            return default
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise problem(msg("import.metres", name=repr(name), value=repr(value))) from None
        if not math.isfinite(number):
            raise problem(msg("import.finite", name=repr(name)))
        return number

    return BeforeValidator(check)


_METRES = WithJsonSchema({"type": "string", "description": "a number of metres"})


class ImportOptions(Contract):
    """The form fields of an upload besides the file."""

    model_config = ConfigDict(extra="ignore")

    snap_tolerance_m: Annotated[float, _metres("snap_tolerance_m", 50.0), _METRES] = 50.0
    match_tolerance_m: Annotated[float, _metres("match_tolerance_m", 30.0), _METRES] = 30.0
    layer: Literal["trails", "roads"] = "trails"
    #: the route a new trail joins ("link" when empty)
    route_id: Annotated[str, BeforeValidator(lambda v: (v or "").strip() or "link")] = "link"


class ImportForm(ImportOptions):
    """``POST /api/imports``: the GPS file and how to match it to the network."""

    model_config = ConfigDict(extra="forbid")

    file: Annotated[
        bytes, WithJsonSchema({"type": "string", "contentMediaType": "application/octet-stream"})
    ]


def _message(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise problem(
            msg("import.apply_message", example='{"message": "what this import changes and why"}')
        )
    return value


class ApplyBody(Contract):
    """``POST /api/imports/<id>/apply``: why."""

    model_config = ConfigDict(extra="forbid")

    message: Annotated[
        str, BeforeValidator(_message), WithJsonSchema({"type": "string", "minLength": 1})
    ]


@api_operation(
    bp,
    "POST",
    "",
    summary="preview an uploaded GPS file",
    roles=PLANNERS,
    upload=ImportForm,
    ok={201: Import},
    errors=(400, 409),
)
def create() -> Response:
    state = get_state()
    name, data = _upload()
    options = read_model(ImportOptions, request.form.to_dict(), what="form fields")
    body = state.data.preview_import(
        name,
        data,
        author=current_user_name(),
        snap_tolerance_m=options.snap_tolerance_m,
        match_tolerance_m=options.match_tolerance_m,
        new_way_layer=options.layer,
        route_id=options.route_id,
    )
    import_id = body["import_id"]
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for("imports.show", import_id=import_id)
    return response


@api_operation(
    bp,
    "GET",
    "/<import_id>",
    summary="the preview again",
    roles=PLANNERS,
    ok={200: Import},
    errors=(404,),
)
def show(import_id: str) -> Response:
    state = get_state()
    return jsonify(state.data.pending_import(import_id))


@api_operation(
    bp,
    "POST",
    "/<import_id>/apply",
    summary="apply a previewed import as one version",
    roles=PLANNERS,
    body=ApplyBody,
    ok={201: VersionAnswer},
    errors=EDIT_ERRORS,
    example='{"message": "why"}',
)
def apply(import_id: str, body: ApplyBody) -> Response:
    state = get_state()
    info = state.data.apply_import(import_id, author=current_user_name(), message=body.message)
    response = jsonify(version=info.to_dict())
    response.status_code = 201
    return response


@api_operation(
    bp,
    "DELETE",
    "/<import_id>",
    summary="discard a previewed import",
    roles=PLANNERS,
    ok={204: None},
    errors=(404,),
)
def discard(import_id: str) -> Response:
    state = get_state()
    state.data.discard_import(import_id, actor=current_user_name())
    return Response(status=204)
