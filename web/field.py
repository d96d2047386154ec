"""Plans for the field: GPX/KML downloads and the printable field sheet.

* ``POST /api/approach/plan.gpx`` and ``/plan.kml`` — the body of ``POST /api/approach``
  plus an optional ``station_id`` (default: the recommended station): that station's
  plan, the target and the evacuation (see :mod:`rescue.plan_export`).
* ``GET /api/incidents/<id>/plan.gpx`` and ``/plan.kml`` — an incident's saved plan,
  its location and the evacuation from there with the closures in force now.
* ``POST /api/approach/field-sheet`` and ``GET /api/incidents/<id>/field-sheet`` — the
  same plans as the field sheet's content (see :mod:`rescue.field_sheet`).
* ``GET /field-sheet`` (``?incident=N``, or the request the map page left in the tab's
  session storage) — the print view: A4, one page, both languages.

Call takers and officers (and admins), like ``/api/approach`` and the incidents.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from geodata.errors import InvalidInput
from geodata.i18n import msg
from rescue import catalog
from rescue.approach import plan_with_closures
from rescue.elevation_profile import sheet_profiles
from rescue.field_sheet import field_sheet
from rescue.incidents import IncidentStore
from rescue.plan_export import (
    PlanParts,
    answer_parts,
    incident_parts,
    parts_field_plan,
    to_gpx,
    to_kml,
)
from web import openapi
from web.answers import FieldSheet
from web.approach_api import MAX_BODY_BYTES, PlanBody
from web.auth import csrf_token, current_user, require_role
from web.bodies import whole_number
from web.contract import DISPATCH, api_operation
from web.relief_api import elevation_model
from web.state import get_state

__all__ = ["FORMATS", "bp"]

bp = Blueprint("field", __name__)

#: format → (writer, media type)
FORMATS: dict[str, tuple[Any, str]] = {
    "gpx": (to_gpx, "application/gpx+xml"),
    "kml": (to_kml, "application/vnd.google-earth.kml+xml"),
}


def _from_body(body: PlanBody) -> PlanParts:
    state = get_state()
    answer = plan_with_closures(
        state.network,
        body.target,
        state.closures.list(),
        now=datetime.now(UTC),
        stations=body.stations,
        profile=body.profile,
        depart_at=body.depart_at,
        needs=body.all_needs(),
    ).to_dict()
    return answer_parts(answer, body.station_id)


def _from_incident(incident_id: int) -> PlanParts:
    state = get_state()
    incident = IncidentStore(state.store.reader, state.store.writer).get(incident_id)
    return incident_parts(state.network, incident, state.closures.list(), now=datetime.now(UTC))


def _download(parts: PlanParts, fmt: str, stem: str) -> Response:
    writer, mimetype = FORMATS[fmt]
    response = Response(writer(parts_field_plan(get_state().network, parts)), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _sheet(parts: PlanParts) -> Response:
    sheet = field_sheet(
        get_state().network,
        parts.plan,
        target=parts.target,
        evacuation=parts.evacuation,
        reason=parts.reason,
        title=parts.title,
        generated_at=datetime.now(UTC),
    )
    return jsonify(sheet_profiles(sheet, elevation_model()))


#: the body of a plan download or field sheet: an approach body and a station_id
_PLAN_BODY: dict[str, Any] = {
    "body": PlanBody,
    "body_limit": MAX_BODY_BYTES,
    "example": '{"target": {"lon": 81.3, "lat": 31.09}}',
    "context": lambda: {"network": get_state().network},
}


@api_operation(
    bp,
    "POST",
    "/api/approach/plan.<any(gpx, kml):fmt>",
    summary="one station's plan (default: the recommended one), the target and the "
    "evacuation as GPX 1.1 or KML",
    roles=DISPATCH,
    ok={200: openapi.PLAN_FILES},
    errors=(409,),
    **_PLAN_BODY,
)
def approach_export(fmt: str, body: PlanBody) -> Response:
    parts = _from_body(body)
    return _download(parts, fmt, f"plan-{parts.plan['station_id']}")


@api_operation(
    bp,
    "GET",
    "/api/incidents/<int:incident_id>/plan.<any(gpx, kml):fmt>",
    summary="an incident's saved plan, its location and the evacuation as GPX 1.1 or KML",
    roles=DISPATCH,
    ok={200: openapi.PLAN_FILES},
    errors=(404,),
)
def incident_export(incident_id: int, fmt: str) -> Response:
    return _download(_from_incident(incident_id), fmt, f"incident-{incident_id}-plan")


@api_operation(
    bp,
    "POST",
    "/api/approach/field-sheet",
    summary="the field sheet's content for one station's plan (default: the recommended)",
    roles=DISPATCH,
    ok={200: FieldSheet},
    errors=(409,),
    **_PLAN_BODY,
)
def approach_sheet(body: PlanBody) -> Response:
    return _sheet(_from_body(body))


@api_operation(
    bp,
    "GET",
    "/api/incidents/<int:incident_id>/field-sheet",
    summary="the field sheet's content for an incident's saved plan",
    roles=DISPATCH,
    ok={200: FieldSheet},
    errors=(404,),
)
def incident_sheet(incident_id: int) -> Response:
    return _sheet(_from_incident(incident_id))


@bp.get("/field-sheet")
@require_role("call_taker", "officer")
def sheet_page() -> str:
    raw = request.args.get("incident")
    extra = sorted(n for n in request.args if n not in ("incident", "lang"))
    if extra:
        raise InvalidInput(
            msg("query.unknown_some", names=", ".join(map(repr, extra)), accepted="'incident'")
        )
    incident = None if raw is None else whole_number("incident", raw)
    state = get_state()
    region = state.cached("field-sheet-region", lambda: catalog.region_summary(state.network))
    return render_template(
        "field_sheet.html",
        region=region,
        config={"incident": incident, "region": {"bbox": region.get("bbox")}},
        user=current_user(),
        csrf_token=csrf_token(),
    )
