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
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from geodata.errors import InvalidInput
from geodata.i18n import msg
from geodata.importers import MAX_UPLOAD_BYTES, ImportResult
from geodata.importers.preview import ImportPreview
from geodata.importers.sandbox import preload_modules, preview_upload_bounded
from web import bodies
from web.auth import current_user_name, require_role
from web.errors import TooLarge
from web.state import get_state, network_for

__all__ = ["MAX_UPLOAD_BYTES", "PENDING_TTL", "bp"]

bp = Blueprint("imports", __name__, url_prefix="/api/imports")
preload_modules("web.state")  # the checking processes run network_for
# the checking processes' fork server is started by the serving process itself
# (web.server: waitress at start, each gunicorn worker after its fork; never the
# gunicorn master, whose fork server its workers could not use), else on first use

#: a preview not applied within this is forgotten
PENDING_TTL = timedelta(days=2)
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


def _number(name: str, default: float) -> float:
    raw = request.form.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(msg("import.metres", name=repr(name), value=repr(raw))) from None
    if not math.isfinite(value):
        raise InvalidInput(msg("import.finite", name=repr(name)))
    return value


def _body(result: ImportResult, plan: ImportPreview, import_id: str) -> dict[str, Any]:
    warnings = [
        {
            "code": w.code,
            "message": w.message,
            "message_zh": w.message_in("zh"),
            "feature_index": w.feature_index,
            "lon": w.lon,
            "lat": w.lat,
        }
        for w in (*result.warnings, *plan.warnings)
    ]
    features = [
        {
            "type": "Feature",
            "properties": {k: v for k, v in p.to_dict().items() if k not in ("geometry",)},
            "geometry": p.geometry,
        }
        for p in plan.proposals
        if p.geometry is not None
    ]
    return {
        "import_id": import_id,
        "filename": result.filename,
        "format": result.format,
        "creator": result.creator,
        "point_count": result.point_count,
        "base_version": plan.base_version,
        "counts": plan.counts(),
        "proposals": [p.to_dict() for p in plan.proposals],
        "warnings": warnings,
        "problems": list(plan.problems),
        "can_apply": plan.can_apply,
        "preview": {"type": "FeatureCollection", "features": features},
    }


@bp.post("")
@require_role("planner")
def create() -> Response:
    state = get_state()
    name, data = _upload()
    layer = request.form.get("layer", "trails")
    if layer not in ("trails", "roads"):
        raise InvalidInput(msg("import.layer", value=repr(layer)))
    route_id = request.form.get("route_id", "link").strip() or "link"
    snapshot = state.store.snapshot(state.region_id)
    result, plan = preview_upload_bounded(
        name,
        data,
        snapshot,
        check=network_for,
        snap_tolerance_m=_number("snap_tolerance_m", 50.0),
        match_tolerance_m=_number("match_tolerance_m", 30.0),
        new_way_layer=layer,
        route_id=route_id,
    )
    import_id = secrets.token_urlsafe(12)
    body = _body(result, plan, import_id)
    state.store.save_pending(
        state.region_id,
        import_id,
        author=current_user_name(),
        filename=name,
        base_version=plan.base_version,
        preview=body,
        edits=plan.edits,
        purge_before=datetime.now(UTC) - PENDING_TTL,
    )
    response = jsonify(body)
    response.status_code = 201
    response.headers["Location"] = url_for("imports.show", import_id=import_id)
    return response


@bp.get("/<import_id>")
@require_role("planner")
def show(import_id: str) -> Response:
    state = get_state()
    body, _ = state.store.pending(state.region_id, import_id)
    return jsonify(body)


@bp.post("/<import_id>/apply")
@require_role("planner")
def apply(import_id: str) -> Response:
    state = get_state()
    body = bodies.json_object(bodies.read_body(request), example='{"message": "why"}')
    message = body.get("message")
    if set(body) - {"message"} or not isinstance(message, str) or not message.strip():
        raise InvalidInput(
            msg("import.apply_message", example='{"message": "what this import changes and why"}')
        )
    pending, _ = state.store.pending(state.region_id, import_id)
    if not pending.get("can_apply"):
        raise InvalidInput(msg("import.cannot_apply"), details=list(pending.get("problems") or []))
    info = state.store.apply_pending(
        state.region_id,
        import_id,
        author=current_user_name(),
        message=message,
        check=network_for,
    )
    state.refresh(wait=True)
    response = jsonify(version=info.to_dict())
    response.status_code = 201
    return response


@bp.delete("/<import_id>")
@require_role("planner")
def discard(import_id: str) -> Response:
    state = get_state()
    if not state.store.discard_pending(state.region_id, import_id, actor=current_user_name()):
        state.store.pending(state.region_id, import_id)  # raises NotFound
    return Response(status=204)
