"""Teams and posts with their status (see :mod:`rescue.teams`).

* ``GET /api/teams`` — every station of the region with its status.
* ``GET /api/teams/<station_id>``.
* ``PUT /api/teams/<station_id>`` ``{status, incident_id?, note?, force?}`` — officers;
  committing a team committed to another open incident is a 409 naming it unless
  ``force`` is true (the page asks first).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import UnsupportedMediaType

from geodata.errors import InvalidInput
from geodata.i18n import msg
from rescue.localnames import names_zh
from rescue.teams import TeamStore
from web.auth import current_user_name, require_role
from web.bodies import json_object, read_body
from web.state import get_state

__all__ = ["bp"]

bp = Blueprint("teams", __name__, url_prefix="/api/teams")


def _store() -> TeamStore:
    store = get_state().store
    return TeamStore(store.reader, store.writer)


def _no_query() -> None:
    given = [n for n in request.args if n != "lang"]  # lang: the language switch (web.errors)
    if given:
        names = ", ".join(sorted(repr(n) for n in given))
        raise InvalidInput(msg("query.unknown_none", names=names))


@bp.get("")
@require_role("call_taker", "officer")
def list_teams() -> Response:
    _no_query()
    state = get_state()
    stations = state.network.region.stations
    return jsonify(teams=_store().list(state.region_id, stations, names_zh=names_zh(state.network)))


@bp.get("/<station_id>")
@require_role("call_taker", "officer")
def get_team(station_id: str) -> Response:
    _no_query()
    state = get_state()
    stations = state.network.region.stations
    team = _store().get(state.region_id, stations, station_id, names_zh=names_zh(state.network))
    return jsonify(team=team)


@bp.put("/<station_id>")
@require_role("officer")
def set_team(station_id: str) -> Response:
    _no_query()
    if not request.is_json:
        raise UnsupportedMediaType("send the body as application/json")
    body = json_object(read_body(request), example='{"status": "committed", "incident_id": 3}')
    state = get_state()
    team = _store().set(
        state.region_id,
        state.network.region.stations,
        station_id,
        body,
        actor=current_user_name(),
        names_zh=names_zh(state.network),
    )
    return jsonify(team=team)
