"""Teams and posts with their status (see :mod:`rescue.teams`).

* ``GET /api/teams`` — every station of the region with its status.
* ``GET /api/teams/<station_id>``.
* ``PUT /api/teams/<station_id>`` ``{status, incident_id?, note?, force?}`` — officers;
  committing a team committed to another open incident is a 409 naming it unless
  ``force`` is true (the page asks first).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, Field

from rescue.localnames import names_zh
from rescue.teams import Status, TeamChange, TeamStore
from web.answer_parts import Bilingual, Time
from web.auth import current_user_name
from web.contract import DISPATCH, api_operation
from web.state import get_state

__all__ = ["Team", "TeamAnswer", "Teams", "bp"]

bp = Blueprint("teams", __name__, url_prefix="/api/teams")


class Team(BaseModel):
    """A station's team or post and its status (:meth:`rescue.teams.TeamStore.get`); the
    last change's note, time and author are null while it was never changed."""

    station_id: str
    name: Bilingual
    kind: str
    status: Status
    status_name: Bilingual
    incident_id: int | None = Field(description="the incident a committed team goes to")
    note: str | None
    updated_at: Time | None
    updated_by: str | None


class TeamAnswer(BaseModel):
    """One station's team."""

    team: Team


class Teams(BaseModel):
    """``GET /api/teams``: every station of the region."""

    teams: list[Team]


def _store() -> TeamStore:
    store = get_state().store
    return TeamStore(store.reader, store.writer)


@api_operation(
    bp,
    "GET",
    "",
    summary="every station's team or post with its status (available, committed to "
    "incident N, out of service)",
    roles=DISPATCH,
    ok={200: Teams},
)
def list_teams() -> Response:
    state = get_state()
    stations = state.network.region.stations
    return jsonify(teams=_store().list(state.region_id, stations, names_zh=names_zh(state.network)))


@api_operation(
    bp,
    "GET",
    "/<station_id>",
    summary="one station's status",
    roles=DISPATCH,
    ok={200: TeamAnswer},
    errors=(404,),
)
def get_team(station_id: str) -> Response:
    state = get_state()
    stations = state.network.region.stations
    team = _store().get(state.region_id, stations, station_id, names_zh=names_zh(state.network))
    return jsonify(team=team)


@api_operation(
    bp,
    "PUT",
    "/<station_id>",
    summary="set a station's status; committing a team busy with another open incident "
    "is a 409 unless force is true",
    roles=("officer",),
    body=TeamChange,
    ok={200: TeamAnswer},
    errors=(404, 409),
    json_only=True,
    example='{"status": "committed", "incident_id": 3}',
)
def set_team(station_id: str, body: TeamChange) -> Response:
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
