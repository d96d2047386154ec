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

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from werkzeug.exceptions import UnsupportedMediaType

from geodata.errors import InvalidInput
from geodata.i18n import msg
from rescue.incidents import (
    MAX_LIST,
    IncidentCreate,
    IncidentStore,
    IncidentUpdate,
    TransitionRequest,
    parse,
)
from web.auth import current_user, require_role
from web.bodies import json_object, read_body
from web.state import get_state

__all__ = ["bp"]

bp = Blueprint("incidents", __name__, url_prefix="/api/incidents")

#: the only status change a call taker may make
_CALL_TAKER_TRANSITIONS = frozenset({("received", "located")})


def _store() -> IncidentStore:
    store = get_state().store
    return IncidentStore(store.reader, store.writer)


def _body(example: str) -> dict[str, Any]:
    if not request.is_json:
        raise UnsupportedMediaType("send the body as application/json")
    return json_object(read_body(request), example=example)


def _author() -> str:
    user = current_user()
    assert user is not None  # require_role let the request through
    return user.username


@bp.get("")
@require_role("call_taker", "officer")
def list_incidents() -> Response:
    status = request.args.get("status", "open")
    raw_limit = request.args.get("limit", "100")
    if not (raw_limit.isascii() and raw_limit.isdigit()):  # "²" is a digit int() refuses
        raise InvalidInput(msg("incident.list_limit", value=repr(raw_limit[:20]), limit=MAX_LIST))
    # open incidents: the most urgent first; closed ones and all: the newest first
    order = request.args.get("order", "urgency" if status == "open" else "newest")
    incidents = _store().list(status, limit=int(raw_limit), order=order)
    return jsonify(status=status, order=order, incidents=incidents)


@bp.post("")
@require_role("call_taker", "officer")
def create_incident() -> Response:
    body = parse(
        IncidentCreate,
        _body('{"description": "...", "language": "zh"}'),
        what=msg("incident.cannot_record"),
    )
    incident, created = _store().create(body, _author(), region_id=get_state().region_id)
    response = jsonify(incident=incident, created=created)
    response.status_code = 201 if created else 200
    response.headers["Location"] = url_for(
        "incidents.get_incident", incident_id=incident["incident_id"]
    )
    return response


@bp.get("/<int:incident_id>")
@require_role("call_taker", "officer")
def get_incident(incident_id: int) -> Response:
    return jsonify(incident=_store().get(incident_id))


@bp.patch("/<int:incident_id>")
@require_role("call_taker", "officer")
def update_incident(incident_id: int) -> Response:
    body = parse(
        IncidentUpdate,
        _body('{"base_version": 1, "notes": "..."}'),
        what=msg("incident.cannot_change"),
    )
    incident = _store().update(incident_id, body.base_version, body.changes(), _author())
    return jsonify(incident=incident)


@bp.post("/<int:incident_id>/transitions")
@require_role("call_taker", "officer")
def transition_incident(incident_id: int) -> Response:
    body = parse(
        TransitionRequest,
        _body('{"to": "dispatched", "base_version": 3}'),
        what=msg("incident.status_cannot_change"),
    )
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
