"""The status of teams and posts: available, committed to an incident, out of service.

Every station of the region (its team, or the post itself) has one status, kept in the
``team_status`` table (migration ``0006``); a station without a row is available. A team
committed to an incident that has since been resolved is available again (the status
is read with the incident's, nothing has to be released by hand).

Committing a team that is already committed to another open incident is refused with a
:class:`~geodata.errors.Conflict` naming that incident, unless the caller confirms
(``force``): the dispatcher is warned before sending one post to two incidents. Every
change is written with its audit entry in one transaction (``team.update``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import (
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    select,
)

from geodata.errors import Conflict, InvalidInput, NotFound
from geodata.i18n import Name, msg
from geodata.store.audit import record
from geodata.store.schema import Base, UtcDateTime
from rescue.checks import problem
from rescue.incidents import CLOSED_STATUSES, incidents_table

__all__ = ["STATUSES", "TeamChange", "TeamStore", "team_status_table"]

#: the statuses of a team or post
Status = Literal["available", "committed", "out_of_service"]
STATUSES: Final = get_args(Status)
STATUS_NAMES: Final = {
    "available": ("available", "可派"),
    "committed": ("committed", "已派出"),
    "out_of_service": ("out of service", "停用"),
}
_MAX_NOTE = 500

metadata = Base.metadata  # the one registry Alembic sees (geodata.store.schema)
team_status_table = Table(
    "team_status",
    metadata,
    Column("region_id", String(64), primary_key=True),
    Column("station_id", String(64), primary_key=True),
    Column("status", String(24), nullable=False),
    Column(
        "incident_id",
        Integer,
        ForeignKey(incidents_table.c.incident_id, ondelete="SET NULL"),
        nullable=True,
    ),
    Column("note", Text, nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_team_status_incident", "incident_id"),  # as migration 0008 made it
)


class TeamStore:
    """Team statuses on the route store's engines (``reader`` for reads, ``writer``)."""

    def __init__(self, reader: Engine, writer: Engine) -> None:
        self.reader = reader
        self.writer = writer

    def list(
        self, region_id: str, stations: Any, *, names_zh: Mapping[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Every station of ``stations`` (the region's table) with its status, in table order.

        ``names_zh`` (English -> Chinese name, :func:`rescue.localnames.names_zh`) tells apart
        stations that share one Chinese name (医疗服务点（曲古桥补给点）); without it the
        data's own Chinese name is given.
        """
        with self.reader.begin() as conn:
            rows = self._rows(conn, region_id)
        return [
            self._team(sid, row, rows.get(str(sid)), names_zh) for sid, row in stations.iterrows()
        ]

    def get(
        self,
        region_id: str,
        stations: Any,
        station_id: str,
        *,
        names_zh: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """One station's status (``names_zh`` as for :meth:`list`).

        Raises
        ------
        NotFound
            If the station is not in ``stations``.
        """
        if station_id not in stations.index:
            raise NotFound(msg("team.unknown_station", station_id=repr(station_id)))
        with self.reader.begin() as conn:
            rows = self._rows(conn, region_id, station_id)
        return self._team(station_id, stations.loc[station_id], rows.get(station_id), names_zh)

    def set(
        self,
        region_id: str,
        stations: Any,
        station_id: str,
        change: TeamChange,
        *,
        actor: str,
        now: datetime | None = None,
        names_zh: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Set a station's status as ``change`` says.

        ``names_zh`` as for :meth:`list` (the answer's and the refusals' Chinese names).

        Raises
        ------
        NotFound
            If the station is unknown.
        InvalidInput
            If the incident does not exist or is closed.
        Conflict
            If the team is committed to another open incident and ``force`` is not true.
        """
        if station_id not in stations.index:
            raise NotFound(msg("team.unknown_station", station_id=repr(station_id)))
        status, incident_id, force = change.status, change.incident_id, change.force
        note = change.note or None
        now = now or datetime.now(UTC)
        with self.writer.begin() as conn:
            current = (
                conn.execute(
                    select(team_status_table)
                    .where(
                        team_status_table.c.region_id == region_id,
                        team_status_table.c.station_id == station_id,
                    )
                    .with_for_update()
                )
                .mappings()
                .first()
            )
            if incident_id is not None:
                found = conn.execute(
                    select(incidents_table.c.status).where(
                        incidents_table.c.incident_id == incident_id
                    )
                ).scalar()
                if found is None:
                    raise InvalidInput(msg("team.no_incident", incident_id=incident_id))
                if found in CLOSED_STATUSES:
                    raise InvalidInput(
                        msg("team.incident_closed", incident_id=incident_id, status=repr(found))
                    )
            busy = self._busy_with(conn, current)
            if status == "committed" and busy is not None and busy != incident_id and not force:
                name = _name(stations.loc[station_id], names_zh)
                raise Conflict(
                    msg("team.busy", name=name, busy=busy, incident_id=incident_id),
                    data={"station_id": station_id, "incident_id": busy},
                )
            if (
                status == "committed"
                and current is not None
                and current["status"] == ("out_of_service")
                and not force
            ):
                name = _name(stations.loc[station_id], names_zh)
                raise Conflict(
                    msg("team.out_of_service", name=name),
                    data={"station_id": station_id, "incident_id": None},
                )
            values = {
                "status": status,
                "incident_id": incident_id,
                "note": note,
                "updated_at": now,
                "updated_by": actor[:64],
                "version": 1 + (int(current["version"]) if current is not None else 0),
            }
            if current is None:
                conn.execute(
                    team_status_table.insert().values(
                        region_id=region_id, station_id=station_id, **values
                    )
                )
            else:
                conn.execute(
                    team_status_table.update()
                    .where(
                        team_status_table.c.region_id == region_id,
                        team_status_table.c.station_id == station_id,
                    )
                    .values(**values)
                )
            what = f"{status} (incident {incident_id})" if incident_id is not None else status
            record(
                conn,
                actor=actor,
                action="team.update",
                target_type="team",
                target_id=station_id,
                summary=f"{station_id}: {what}",
                details={"status": status, "incident_id": incident_id, "forced": bool(force)},
                at=now,
            )
            # the answer is what this write made: read under its lock, before the commit (a
            # read after it could return a colleague's later write as this one's)
            rows = self._rows(conn, region_id, station_id)
        return self._team(station_id, stations.loc[station_id], rows.get(station_id), names_zh)

    # ------------------------------------------------------------------ helpers
    @staticmethod
    def _rows(
        conn: Connection, region_id: str, station_id: str | None = None
    ) -> dict[str, dict[str, Any]]:
        query = (
            select(team_status_table, incidents_table.c.status.label("incident_status"))
            .select_from(
                team_status_table.outerjoin(
                    incidents_table,
                    incidents_table.c.incident_id == team_status_table.c.incident_id,
                )
            )
            .where(team_status_table.c.region_id == region_id)
        )
        if station_id is not None:
            query = query.where(team_status_table.c.station_id == station_id)
        return {str(r["station_id"]): dict(r) for r in conn.execute(query).mappings()}

    @staticmethod
    def _busy_with(conn: Connection, current: Mapping[Any, Any] | None) -> int | None:
        """The open incident the team is committed to, if any."""
        if current is None or current["status"] != "committed" or current["incident_id"] is None:
            return None
        status = conn.execute(
            select(incidents_table.c.status).where(
                incidents_table.c.incident_id == current["incident_id"]
            )
        ).scalar()
        return None if status in CLOSED_STATUSES or status is None else int(current["incident_id"])

    @staticmethod
    def _team(
        station_id: Any,
        station: Any,
        row: Mapping[str, Any] | None,
        names_zh: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        status, incident_id = "available", None
        if row is not None:
            status, incident_id = str(row["status"]), row["incident_id"]
            # committed to an incident since resolved (or deleted): available again
            if status == "committed" and (
                incident_id is None or row.get("incident_status") in (*CLOSED_STATUSES, None)
            ):
                status, incident_id = "available", None
        name = _name(station, names_zh)
        en_status, zh_status = STATUS_NAMES[status]
        return {
            "station_id": str(station_id),
            "name": {"en": name.en, "zh": name.zh or ""},
            "kind": str(station["kind"]),
            "status": status,
            "status_name": {"en": en_status, "zh": zh_status},
            "incident_id": None if incident_id is None else int(incident_id),
            "note": None if row is None else row["note"],
            "updated_at": None if row is None else row["updated_at"].isoformat(),
            "updated_by": None if row is None else row["updated_by"],
        }


class TeamChange(BaseModel):
    """The body of ``PUT /api/teams/<station_id>``: ``{status, incident_id?, note?, force?}``."""

    model_config = ConfigDict(extra="forbid", strict=True)

    status: Status
    #: the incident a committed team goes to (required to commit, refused otherwise)
    incident_id: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None
    note: Annotated[str, Field(max_length=_MAX_NOTE)] | None = None
    #: commit a team although it is committed to another open incident
    force: bool = False

    @model_validator(mode="after")
    def _incident_only_when_committing(self) -> TeamChange:
        if self.status == "committed" and self.incident_id is None:
            raise problem(msg("team.incident_required"))
        if self.status != "committed" and self.incident_id is not None:
            raise problem(msg("team.incident_not_needed", status=repr(self.status)))
        return self


def _name(station: Any, names_zh: Mapping[str, str] | None) -> Name:
    """A station's name; in Chinese told apart from others of one name where ``names_zh`` can."""
    en = str(station["name_en"])
    zh = station.get("name_zh")
    told_apart = (names_zh or {}).get(en)
    return Name(en, told_apart or (zh if isinstance(zh, str) and zh.strip() else None))
