"""Plans for the field: GPX/KML downloads (see :mod:`rescue.plan_export`).

* ``POST /api/approach/plan.gpx`` and ``/plan.kml`` — the body of ``POST /api/approach``
  plus an optional ``station_id`` (default: the recommended station): that station's
  plan, the target and the evacuation.
* ``GET /api/incidents/<id>/plan.gpx`` and ``/plan.kml`` — an incident's saved plan,
  its location and the evacuation from there with the closures in force now.

Call takers and officers (and admins), like ``/api/approach`` and the incidents.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, request

from rescue.approach import plan_with_closures
from rescue.errors import InvalidInput
from rescue.incidents import IncidentStore
from rescue.plan_export import FieldPlan, field_plan, incident_field_plan, to_gpx, to_kml
from web.approach_api import parse_approach_body, read_json_object
from web.auth import require_role
from web.state import get_state

__all__ = ["FORMATS", "bp"]

bp = Blueprint("field", __name__)

#: format → (writer, media type)
FORMATS: dict[str, tuple[Any, str]] = {
    "gpx": (to_gpx, "application/gpx+xml"),
    "kml": (to_kml, "application/vnd.google-earth.kml+xml"),
}


def _download(plan: FieldPlan, fmt: str, stem: str) -> Response:
    writer, mimetype = FORMATS[fmt]
    response = Response(writer(plan), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def _no_query() -> None:
    if request.args:
        names = ", ".join(sorted(repr(n) for n in request.args))
        raise InvalidInput(f"unknown query parameter(s) {names} (accepted: none)")


@bp.post("/api/approach/plan.<any(gpx, kml):fmt>")
@require_role("call_taker", "officer")
def approach_export(fmt: str) -> Response:
    _no_query()
    state = get_state()
    body = read_json_object(request, example='{"target": {"lon": 81.3, "lat": 31.09}}')
    station_id = body.pop("station_id", None)
    if station_id is not None and not isinstance(station_id, str):
        raise InvalidInput("field 'station_id' must be a station id (a string)")
    req = parse_approach_body(body, network=state.network)
    result = plan_with_closures(
        state.network,
        req.target,
        state.closures.list(),
        now=datetime.now(UTC),
        stations=req.stations,
        profile=req.profile,
        depart_at=req.depart_at,
        needs=req.needs,
    ).to_dict()
    wanted = station_id or result["recommended"]
    plans = [p for p in result["plans"] if p["station_id"] == wanted]
    if not plans:
        raise InvalidInput(
            f"field 'station_id': no plan for {wanted!r}"
            if wanted
            else "no station reaches the target on the ground: nothing to export"
        )
    plan = field_plan(
        state.network, plans[0], target=result["target"], evacuation=result["evacuation"]
    )
    return _download(plan, fmt, f"plan-{plans[0]['station_id']}")


@bp.get("/api/incidents/<int:incident_id>/plan.<any(gpx, kml):fmt>")
@require_role("call_taker", "officer")
def incident_export(incident_id: int, fmt: str) -> Response:
    _no_query()
    state = get_state()
    incident = IncidentStore(state.store.reader, state.store.writer).get(incident_id)
    plan = incident_field_plan(
        state.network, incident, state.closures.list(), now=datetime.now(UTC)
    )
    return _download(plan, fmt, f"incident-{incident_id}-plan")
