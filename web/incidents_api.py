"""The incidents API: record calls, follow them to the follow-up (see :mod:`rescue.incidents`).

* ``GET /api/incidents?status=open|closed|all&limit=N&order=urgency|newest`` — open ones
  by urgency (priority, then not yet dispatched, then the oldest), the others newest first.
* ``POST /api/incidents`` — 201 with the new incident; 200 with the same incident when
  its ``idempotency_key`` was seen before (a double click or a retry).
* ``GET /api/incidents/<id>``, ``PATCH /api/incidents/<id>`` (with ``base_version``:
  409 when stale).
* ``POST /api/incidents/<id>/transitions`` ``{to, outcome?, note?, base_version}`` —
  officers; call takers may only mark a received incident located.

Call takers and officers (and admins) only: anonymous callers get 401, others 403.
"""

from __future__ import annotations

from typing import Annotated, Literal

from flask import Blueprint, Response, jsonify, url_for
from pydantic import ConfigDict, Field

from geodata.i18n import msg
from rescue.incidents import (
    MAX_LIST,
    IncidentCreate,
    IncidentStore,
    IncidentUpdate,
    TransitionRequest,
)
from web.answers import CreatedIncident, IncidentAnswer, IncidentList
from web.auth import current_user
from web.contract import DISPATCH, Contract, api_operation
from web.state import get_state

__all__ = ["IncidentQuery", "bp"]

bp = Blueprint("incidents", __name__, url_prefix="/api/incidents")

#: the only status change a call taker may make
_CALL_TAKER_TRANSITIONS = frozenset({("received", "located")})


class IncidentQuery(Contract):
    """``GET /api/incidents``: which incidents, how many, in which order."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "closed", "all"] = "open"
    limit: Annotated[int, Field(ge=1, le=MAX_LIST)] = 100
    #: default: the most urgent first for open incidents, else the newest first
    order: Literal["urgency", "newest"] | None = None


def _store() -> IncidentStore:
    store = get_state().store
    return IncidentStore(store.reader, store.writer)


def _author() -> str:
    user = current_user()
    assert user is not None  # the role check let the request through
    return user.username


@api_operation(
    bp,
    "GET",
    "",
    summary="incidents, newest first",
    roles=DISPATCH,
    query=IncidentQuery,
    ok={200: IncidentList},
)
def list_incidents(query: IncidentQuery) -> Response:
    # open incidents: the most urgent first; closed ones and all: the newest first
    order = query.order or ("urgency" if query.status == "open" else "newest")
    incidents = _store().list(query.status, limit=query.limit, order=order)
    return jsonify(status=query.status, order=order, incidents=incidents)


@api_operation(
    bp,
    "POST",
    "",
    summary=(
        "record an incident (200 with the first one when the user sent its "
        "idempotency_key with the same body before; 409 with another body)"
    ),
    roles=DISPATCH,
    body=IncidentCreate,
    ok={201: CreatedIncident, 200: CreatedIncident},
    errors=(409,),
    json_only=True,
    example='{"description": "...", "language": "zh"}',
    what=msg("incident.cannot_record"),
)
def create_incident(body: IncidentCreate) -> Response:
    incident, created = _store().create(body, _author(), region_id=get_state().region_id)
    response = jsonify(incident=incident, created=created)
    response.status_code = 201 if created else 200
    response.headers["Location"] = url_for(
        "incidents.get_incident", incident_id=incident["incident_id"]
    )
    return response


@api_operation(
    bp,
    "GET",
    "/<int:incident_id>",
    summary="one incident",
    roles=DISPATCH,
    ok={200: IncidentAnswer},
    errors=(404,),
)
def get_incident(incident_id: int) -> Response:
    return jsonify(incident=_store().get(incident_id))


@api_operation(
    bp,
    "PATCH",
    "/<int:incident_id>",
    summary="change an incident (409 with the current one when base_version is stale)",
    roles=DISPATCH,
    body=IncidentUpdate,
    ok={200: IncidentAnswer},
    errors=(404, 409),
    json_only=True,
    example='{"base_version": 1, "notes": "..."}',
    what=msg("incident.cannot_change"),
)
def update_incident(incident_id: int, body: IncidentUpdate) -> Response:
    incident = _store().update(incident_id, body.base_version, body.changes(), _author())
    return jsonify(incident=incident)


@api_operation(
    bp,
    "POST",
    "/<int:incident_id>/transitions",
    summary="move an incident to its next status",
    roles=DISPATCH,
    body=TransitionRequest,
    ok={200: IncidentAnswer},
    errors=(404, 409),
    json_only=True,
    example='{"to": "dispatched", "base_version": 3}',
    what=msg("incident.status_cannot_change"),
)
def transition_incident(incident_id: int, body: TransitionRequest) -> Response:
    user = current_user()
    only = _CALL_TAKER_TRANSITIONS if user is not None and user.role == "call_taker" else None
    incident = _store().transition(
        incident_id,
        body.to,
        base_version=body.base_version,
        author=_author(),
        outcome=body.outcome,
        note=body.note,
        only=only,
    )
    return jsonify(incident=incident)
