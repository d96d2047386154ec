"""Incidents: a call for help, from the call to the follow-up.

An incident records the caller (name and phone, optional), the language of the call,
the description as typed and every later addition, the location the call taker
confirmed (a locate candidate ``{segment_id, lon, lat, name, km_range}`` or a point
placed by hand ``{lon, lat}``), party size, condition, cause (see :data:`CAUSES`),
priority, the plan chosen (``{station_id, eta_s, legs, ...}`` without its alternatives),
the team dispatched, notes, a timeline of status changes with who and when, and every
field edit with who, when, before and after.

Statuses, in order::

    received → located → dispatched → en_route → on_scene → resolved → followed_up

* Forward one step at a time along the chain.
* ``resolved`` is reachable from every open status (a false alarm is resolved at
  once) and needs an outcome: ``rescued``, ``not_found``, ``false_alarm`` or
  ``handed_over``; no other status takes one.
* ``followed_up`` only from ``resolved``; nothing follows ``followed_up``.
* The only step back is ``located → received`` (the location proved wrong).
* ``located`` needs a location on the incident.

Every write is one transaction. Creating is idempotent on ``idempotency_key`` per
user (the unique constraint decides between concurrent double submits): the column
holds ``<username>:<key>``, so two users may use one key independently, and
``idempotency_digest`` the SHA-256 of the parsed body, so a key reused with a different
body is a :class:`~geodata.errors.Conflict` rather than a report silently dropped
(migration ``0006``); updates and
transitions carry the ``base_version`` they were made on, and a stale one is a
:class:`~geodata.errors.Conflict`.

The tables are created by the Alembic migration ``0004``; this module has its own
Core definitions of them and depends on no web framework.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import math
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from sqlalchemy import (
    JSON,
    BindParameter,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    RowMapping,
    String,
    Table,
    Text,
    bindparam,
    case,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.exc import IntegrityError

from geodata.errors import Conflict, Forbidden, InvalidInput, NotFound
from geodata.i18n import Msg, msg
from geodata.store.audit import record
from geodata.store.schema import Base, UtcDateTime
from rescue.checks import M, field_problem, read

__all__ = [
    "CAUSES",
    "CLOSED_STATUSES",
    "LANGUAGES",
    "OUTCOMES",
    "PRIORITIES",
    "STATUSES",
    "TRANSITIONS",
    "IncidentCreate",
    "IncidentStore",
    "IncidentUpdate",
    "Location",
    "Plan",
    "TransitionRequest",
    "allowed_next",
    "check_transition",
    "field_problem",
    "parse",
]

STATUSES: Final = (
    "received",
    "located",
    "dispatched",
    "en_route",
    "on_scene",
    "resolved",
    "followed_up",
)
OUTCOMES: Final = ("rescued", "not_found", "false_alarm", "handed_over")
#: why help was needed, as the reports count it
CAUSES: Final = (
    "altitude_sickness",
    "injury",
    "exhaustion",
    "illness",
    "lost",
    "weather",
    "vehicle",
    "other",
)
PRIORITIES: Final = ("low", "normal", "high", "critical")
LANGUAGES: Final = ("zh", "en", "bo", "mixed")
CLOSED_STATUSES: Final = ("resolved", "followed_up")
OPEN_STATUSES: Final = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)

#: status → the statuses it may change to, in the order of the chain
TRANSITIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "received": ("located", "resolved"),
    "located": ("received", "dispatched", "resolved"),
    "dispatched": ("en_route", "resolved"),
    "en_route": ("on_scene", "resolved"),
    "on_scene": ("resolved",),
    "resolved": ("followed_up",),
    "followed_up": (),
}

MAX_LIST: Final = 500
#: the orders of a list: newest first, or most urgent first
ORDERS: Final = ("newest", "urgency")
#: the chosen plan is stored with its legs and their 3D geometry (a Kailash plan is up to
#: ~42,000 with elevations; the 64 KiB request body bounds it too)
MAX_PLAN_CHARS: Final = 60_000


def allowed_next(status: str) -> tuple[str, ...]:
    """The statuses ``status`` may change to."""
    return TRANSITIONS.get(status, ())


def check_transition(current: str, to: str, outcome: str | None) -> None:
    """Refuse an illegal status change.

    Raises
    ------
    InvalidInput
        If ``to`` does not follow ``current``, or the outcome is missing (to
        ``resolved``) or given (to anything else).
    """
    if to not in STATUSES:
        raise InvalidInput(
            msg("incident.unknown_status", status=repr(to), statuses=", ".join(STATUSES))
        )
    nexts = allowed_next(current)
    if to not in nexts:
        listed = ", ".join(nexts) if nexts else msg("incident.closed_nothing")
        raise InvalidInput(msg("incident.bad_transition", current=current, to=to, allowed=listed))
    if to == "resolved" and outcome is None:
        raise InvalidInput(msg("incident.needs_outcome", outcomes=", ".join(OUTCOMES)))
    if to != "resolved" and outcome is not None:
        raise InvalidInput(msg("incident.outcome_only_resolving", to=to))


# --------------------------------------------------------------------------- input models
def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000),
    AfterValidator(_no_nul),
]
Text64 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_no_nul),
]
Text100 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=0, max_length=100),
    AfterValidator(_no_nul),
]
Text200 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=0, max_length=200),
    AfterValidator(_no_nul),
]
Text500 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=0, max_length=500),
    AfterValidator(_no_nul),
]
Text2000 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=0, max_length=2000),
    AfterValidator(_no_nul),
]
Text4000 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=0, max_length=4000),
    AfterValidator(_no_nul),
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9+\- ]{1,30}$")]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,100}$")]
Lon = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Lat = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Language = Literal["zh", "en", "bo", "mixed"]
Priority = Literal["low", "normal", "high", "critical"]
Status = Literal[
    "received", "located", "dispatched", "en_route", "on_scene", "resolved", "followed_up"
]
Outcome = Literal["rescued", "not_found", "false_alarm", "handed_over"]
Cause = Literal[
    "altitude_sickness", "injury", "exhaustion", "illness", "lost", "weather", "vehicle", "other"
]

_STRICT = ConfigDict(extra="forbid", strict=True)


class Location(BaseModel):
    """A confirmed locate candidate (with ``segment_id``) or a point placed by hand."""

    model_config = _STRICT

    lon: Lon
    lat: Lat
    segment_id: Text64 | None = None
    name: Text200 | None = None
    km_range: list[Annotated[float, Field(allow_inf_nan=False)]] | None = Field(
        default=None, min_length=2, max_length=2
    )

    @model_validator(mode="after")
    def _candidate_fields(self) -> Location:
        if self.segment_id is None and (self.name is not None or self.km_range is not None):
            raise ValueError("a point placed by hand has only lon and lat (add a segment_id)")
        return self


def _small_json(value: dict[str, Any]) -> dict[str, Any]:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    if "\\u0000" in text:
        raise ValueError("must not contain NUL characters")
    if len(text) > MAX_PLAN_CHARS:
        raise ValueError(
            f"the plan is too long (at most {MAX_PLAN_CHARS} characters of JSON: "
            "leave out the alternatives)"
        )
    return value


class Plan(BaseModel):
    """The chosen station plan summary: ``station_id``, ``eta_s`` and any other fields."""

    model_config = ConfigDict(extra="allow", strict=True)

    station_id: Text64
    eta_s: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _bounded(self) -> Plan:
        try:
            _small_json(self.model_dump())
        except (TypeError, ValueError) as exc:
            raise ValueError(str(exc)) from None
        return self


class IncidentCreate(BaseModel):
    """The body of a new incident."""

    model_config = _STRICT

    description: Description
    language: Language = "zh"
    caller_name: Text100 | None = None
    caller_phone: Phone | None = None
    party_size: Annotated[int, Field(ge=1, le=500)] | None = None
    condition: Text2000 | None = None
    cause: Cause | None = None
    priority: Priority = "normal"
    location: Location | None = None
    idempotency_key: Key | None = None


class IncidentUpdate(BaseModel):
    """Changes to an incident made on ``base_version``; ``null`` clears a field."""

    model_config = _STRICT

    base_version: Annotated[int, Field(ge=1, le=2**31 - 1)]  # a database integer
    language: Language | None = None
    caller_name: Text100 | None = None
    caller_phone: Phone | None = None
    party_size: Annotated[int, Field(ge=1, le=500)] | None = None
    condition: Text2000 | None = None
    cause: Cause | None = None
    priority: Priority | None = None
    location: Location | None = None
    plan: Plan | None = None
    team: Text500 | None = None
    notes: Text4000 | None = None
    add_description: Description | None = None

    @model_validator(mode="after")
    def _something(self) -> IncidentUpdate:
        given = self.model_fields_set - {"base_version"}
        if not given:
            raise ValueError("nothing to change: give at least one field besides base_version")
        for name in ("language", "priority", "add_description"):
            if name in given and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        """The fields given (JSON-ready), without ``base_version``."""
        return self.model_dump(mode="json", exclude_unset=True, exclude={"base_version"})


class TransitionRequest(BaseModel):
    """A status change made on ``base_version``."""

    model_config = _STRICT

    to: Status
    outcome: Outcome | None = None
    note: Text2000 | None = None
    base_version: Annotated[int, Field(ge=1, le=2**31 - 1)]  # a database integer


def parse(model: type[M], body: Mapping[str, Any], *, what: str | Msg) -> M:
    """``body`` validated as ``model`` (see :func:`rescue.checks.read`).

    Raises
    ------
    InvalidInput
        Listing every problem as ``field 'x': message``.
    """
    return read(model, body, what=what)


# --------------------------------------------------------------------------- tables
metadata = Base.metadata  # the one registry Alembic sees (geodata.store.schema)

incidents_table = Table(
    "incidents",
    metadata,
    Column("incident_id", Integer, primary_key=True, autoincrement=True),
    Column("region_id", String(64), nullable=False),
    Column("status", String(24), nullable=False),
    Column("outcome", String(24)),
    Column("priority", String(8), nullable=False),
    Column("language", String(8), nullable=False),
    Column("caller_name", String(100)),
    Column("caller_phone", String(30)),
    Column("party_size", Integer),
    Column("condition", Text),
    Column("cause", String(24)),
    Column("location", JSON),
    Column("plan", JSON),
    Column("team", Text),
    Column("notes", Text),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("idempotency_key", String(200), unique=True),  # "<username>:<key>"
    Column("idempotency_digest", String(64)),
    Index("ix_incidents_status", "status"),  # indexes as the migrations made them
)


def _incident_column() -> Column[int]:
    """The ``incident_id`` of a table whose rows go with their incident (deleted with it)."""
    return Column(
        "incident_id",
        Integer,
        ForeignKey("incidents.incident_id", ondelete="CASCADE"),
        nullable=False,
    )


descriptions_table = Table(
    "incident_descriptions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _incident_column(),
    Column("text", Text, nullable=False),
    Column("added_at", UtcDateTime(), nullable=False),
    Column("added_by", String(64), nullable=False),
    Index("ix_incident_descriptions_incident", "incident_id"),
)

events_table = Table(
    "incident_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _incident_column(),
    Column("at", UtcDateTime(), nullable=False),
    Column("by", String(64), nullable=False),
    Column("from_status", String(24)),
    Column("to_status", String(24), nullable=False),
    Column("outcome", String(24)),
    Column("note", Text),
    Index("ix_incident_events_incident", "incident_id"),
)

edits_table = Table(
    "incident_edits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _incident_column(),
    Column("at", UtcDateTime(), nullable=False),
    Column("by", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("changes", JSON, nullable=False),
    Index("ix_incident_edits_incident", "incident_id"),
)

#: one-time find-me links (``rescue.find_me``, migration ``0011``): the token's SHA-256 only,
#: and the fix the caller's phone sent, if any
find_me_table = Table(
    "find_me_links",
    metadata,
    Column("link_id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    _incident_column(),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
    Column("lon", Float, nullable=True),
    Column("lat", Float, nullable=True),
    Column("accuracy_m", Float, nullable=True),
    Column("altitude_m", Float, nullable=True),
    Column("fixed_at", UtcDateTime(), nullable=True),
    Index("ix_find_me_links_incident", "incident_id"),
)

_EDITABLE: Final = (
    "language",
    "caller_name",
    "caller_phone",
    "party_size",
    "condition",
    "cause",
    "priority",
    "location",
    "plan",
    "team",
    "notes",
)


# --------------------------------------------------------------------------- answers
def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _sent_key(stored: str | None) -> str | None:
    """The idempotency key as the user sent it (stored as ``<username>:<key>``)."""
    return None if stored is None else stored.rsplit(":", 1)[-1]


def _body_digest(body: IncidentCreate) -> str:
    """SHA-256 of the parsed body: the same report sent twice has the same digest."""
    doc = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


def _incident(
    row: RowMapping,
    descriptions: Iterable[RowMapping],
    events: Iterable[RowMapping],
    edits: Iterable[RowMapping],
    links: Iterable[RowMapping] = (),
) -> dict[str, Any]:
    texts = [
        {"text": d["note"], "added_at": _iso(d["at"]), "added_by": d["by"]} for d in descriptions
    ]
    timeline = [
        {
            "at": _iso(e["at"]),
            "by": e["by"],
            "from": e["from_status"],
            "to": e["to_status"],
            "outcome": e["outcome"],
            "note": e["note"],
        }
        for e in events
    ]
    changes = [
        {"at": _iso(e["at"]), "by": e["by"], "version": e["version"], "changes": e["changes"]}
        for e in edits
    ]
    received: datetime = row["created_at"]
    firsts: dict[str, datetime] = {}
    for e in events:
        firsts.setdefault(e["to_status"], e["at"])
    dispatched = firsts.get("dispatched")
    on_scene = firsts.get("on_scene")
    status = str(row["status"])
    return {
        "incident_id": int(row["incident_id"]),
        "region_id": row["region_id"],
        "status": status,
        "outcome": row["outcome"],
        "open": status not in CLOSED_STATUSES,
        "allowed_next": list(allowed_next(status)),
        "priority": row["priority"],
        "language": row["language"],
        "caller_name": row["caller_name"],
        "caller_phone": row["caller_phone"],
        "party_size": row["party_size"],
        "condition": row["condition"],
        "cause": row["cause"],
        "description": texts[0]["text"] if texts else "",
        "descriptions": texts,
        "location": row["location"],
        "plan": row["plan"],
        "team": row["team"],
        "notes": row["notes"],
        "created_at": _iso(received),
        "updated_at": _iso(row["updated_at"]),
        "created_by": row["created_by"],
        "version": int(row["version"]),
        "idempotency_key": _sent_key(row["idempotency_key"]),
        "received_at": _iso(received),
        "dispatched_at": _iso(dispatched),
        "on_scene_at": _iso(on_scene),
        "dispatch_s": _elapsed_s(received, dispatched),
        "on_scene_s": _elapsed_s(received, on_scene),
        "timeline": timeline,
        "edits": changes,
        # find-me links made for the incident and the GPS fixes their callers sent
        "find_me": [_find_me_link(link) for link in links],
    }


def _find_me_link(row: RowMapping) -> dict[str, Any]:
    """A find-me link as the incident shows it (never its token)."""
    fix = None
    if row["used_at"] is not None and row["lon"] is not None and row["lat"] is not None:
        fix = {
            "lon": round(float(row["lon"]), 6),
            "lat": round(float(row["lat"]), 6),
            "accuracy_m": None if row["accuracy_m"] is None else round(float(row["accuracy_m"]), 1),
            "altitude_m": None if row["altitude_m"] is None else round(float(row["altitude_m"]), 1),
            "fixed_at": _iso(row["fixed_at"]),
            "received_at": _iso(row["used_at"]),
        }
    return {
        "link_id": int(row["link_id"]),
        "created_at": _iso(row["created_at"]),
        "created_by": row["created_by"],
        "expires_at": _iso(row["expires_at"]),
        "used_at": _iso(row["used_at"]),
        "fix": fix,
    }


def _elapsed_s(start: datetime, end: datetime | None) -> int | None:
    """Whole seconds from ``start`` to ``end`` (None while ``end`` has not happened)."""
    if end is None:
        return None
    return max(0, math.floor((end - start).total_seconds()))


# --------------------------------------------------------------------------- the store
_DESCRIPTION, _EVENT, _EDIT = 0, 1, 2


def _history() -> Any:
    """The descriptions, status changes and edits of the incidents of the bound ``ids`` as
    one ``UNION ALL``: ``kind`` (``_DESCRIPTION``, ``_EVENT``, ``_EDIT``) and the columns
    :func:`_incident` reads of each (``text`` of a description is ``note``; ``at`` its
    ``added_at``), in each table's order."""
    ids: BindParameter[int] = bindparam("ids", expanding=True)
    d, e, x = descriptions_table.c, events_table.c, edits_table.c
    none_str, none_int = null().cast(String(64)), null().cast(Integer)
    parts = [
        select(
            literal(_DESCRIPTION, Integer).label("kind"),
            d.id.label("id"),
            d.incident_id.label("incident_id"),
            d.added_at.label("at"),
            d.added_by.label("by"),
            d.text.label("note"),
            none_str.label("from_status"),
            none_str.label("to_status"),
            none_str.label("outcome"),
            none_int.label("version"),
            null().cast(JSON).label("changes"),
        ).where(d.incident_id.in_(ids)),
        select(
            literal(_EVENT, Integer),
            e.id,
            e.incident_id,
            e.at,
            e.by,
            e.note,
            e.from_status,
            e.to_status,
            e.outcome,
            none_int,
            null().cast(JSON),
        ).where(e.incident_id.in_(ids)),
        select(
            literal(_EDIT, Integer),
            x.id,
            x.incident_id,
            x.at,
            x.by,
            null().cast(Text),
            none_str,
            none_str,
            none_str,
            x.version,
            x.changes,
        ).where(x.incident_id.in_(ids)),
    ]
    return union_all(*parts).order_by("kind", "id")


# The statements every incident answer runs, built once: building one (coercing its
# clauses, computing its cache key) cost more CPU than running it (issue 18)
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_BY_IDS = select(incidents_table).where(incidents_table.c.incident_id.in_(_IDS))
_HISTORY = _history()
_LINKS = (
    select(find_me_table)
    .where(find_me_table.c.incident_id.in_(_IDS))
    .order_by(find_me_table.c.link_id)
)
_UPDATE = incidents_table.update().where(
    incidents_table.c.incident_id == bindparam("b_incident_id")
)
_ADD_INCIDENT = incidents_table.insert()
_ADD_DESCRIPTION = descriptions_table.insert()
_ADD_EVENT = events_table.insert()
_ADD_EDIT = edits_table.insert()
_LOCK = (
    select(incidents_table)
    .where(incidents_table.c.incident_id == bindparam("incident_id"))
    .with_for_update()
)


class IncidentStore:
    """Incidents in the route database (SQLite or PostgreSQL).

    Parameters
    ----------
    reader, writer
        The engines of a :class:`geodata.store.RouteStore` (``store.reader``,
        ``store.writer``); writes go through ``writer`` (serialised on SQLite).
    """

    def __init__(self, reader: Engine, writer: Engine) -> None:
        self.reader = reader
        self.writer = writer

    # reading
    def get(self, incident_id: int) -> dict[str, Any]:
        """The incident with its descriptions and timeline.

        Raises
        ------
        NotFound
            If there is none.
        """
        with self.reader.begin() as conn:
            found = self._read(conn, [incident_id])
        if not found:
            raise NotFound(msg("incident.not_found", incident_id=incident_id))
        return found[0]

    def list(
        self, status: str = "open", *, limit: int = 100, order: str = "newest"
    ) -> list[dict[str, Any]]:
        """Incidents: ``open``, ``closed`` (resolved or followed up) or ``all``.

        ``order`` is ``newest`` (newest first) or ``urgency``: priority (critical first),
        then those not yet dispatched (received, located) before the others, then the
        oldest first.

        Raises
        ------
        InvalidInput
            If ``status``, ``limit`` or ``order`` is not acceptable.
        """
        if status not in ("open", "closed", "all"):
            raise InvalidInput(msg("incident.list_status", value=repr(status)))
        if order not in ORDERS:
            raise InvalidInput(
                msg("incident.list_order", value=repr(order), orders=", ".join(ORDERS))
            )
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST:
            raise InvalidInput(msg("incident.list_limit", value=repr(limit), limit=MAX_LIST))
        query = select(incidents_table.c.incident_id)
        if status == "open":
            query = query.where(incidents_table.c.status.in_(OPEN_STATUSES))
        elif status == "closed":
            query = query.where(incidents_table.c.status.in_(CLOSED_STATUSES))
        c = incidents_table.c
        if order == "urgency":
            rank = {p: i for i, p in enumerate(reversed(PRIORITIES))}  # critical = 0
            query = query.order_by(
                case(rank, value=c.priority, else_=len(PRIORITIES)),
                case((c.status.in_(("received", "located")), 0), else_=1),
                c.created_at,
                c.incident_id,
            )
        else:
            query = query.order_by(c.incident_id.desc())
        with self.reader.begin() as conn:
            ids = [int(i) for i in conn.execute(query.limit(limit)).scalars()]
            return self._read(conn, ids) if ids else []

    @staticmethod
    def _read(conn: Connection, ids: builtins.list[int]) -> builtins.list[dict[str, Any]]:
        rows = conn.execute(_BY_IDS, {"ids": ids}).mappings()
        by_id = {int(r["incident_id"]): r for r in rows}
        texts: dict[int, builtins.list[RowMapping]] = {i: [] for i in by_id}
        events: dict[int, builtins.list[RowMapping]] = {i: [] for i in by_id}
        edits: dict[int, builtins.list[RowMapping]] = {i: [] for i in by_id}
        kinds = {_DESCRIPTION: texts, _EVENT: events, _EDIT: edits}
        # descriptions, timeline and edits in one statement (issue 18: each statement costs
        # the server about a millisecond of CPU, and every incident answer reads all three)
        for r in conn.execute(_HISTORY, {"ids": ids}).mappings():
            kinds[r["kind"]][int(r["incident_id"])].append(r)
        links: dict[int, builtins.list[RowMapping]] = {i: [] for i in by_id}
        for link in conn.execute(_LINKS, {"ids": ids}).mappings():
            links[int(link["incident_id"])].append(link)
        return [
            _incident(by_id[i], texts[i], events[i], edits[i], links[i]) for i in ids if i in by_id
        ]

    def _by_key(self, key: str, digest: str) -> dict[str, Any] | None:
        """The incident made with the scoped ``key``, if any.

        Raises
        ------
        Conflict
            If it was made from another body than the one of ``digest``.
        """
        with self.reader.begin() as conn:
            found = conn.execute(
                select(incidents_table.c.incident_id, incidents_table.c.idempotency_digest).where(
                    incidents_table.c.idempotency_key == key
                )
            ).first()
            if found is None:
                return None
            incident = self._read(conn, [int(found[0])])[0]
        # incidents recorded before digests were kept (None) count as the same body
        if found[1] is not None and found[1] != digest:
            raise Conflict(
                msg(
                    "incident.idempotency",
                    key=repr(_sent_key(key)),
                    incident_id=incident["incident_id"],
                ),
                data={"incident_id": incident["incident_id"]},
            )
        return incident

    # writing
    def create(
        self, body: IncidentCreate, author: str, *, region_id: str
    ) -> tuple[dict[str, Any], bool]:
        """Record a new incident (status ``received``).

        Returns
        -------
        (incident, created)
            ``created`` is False when ``author`` made an incident with the same
            ``idempotency_key`` and the same body: that one is returned and nothing
            is written. Other users' keys are theirs.

        Raises
        ------
        Conflict
            If ``author`` used the key for an incident with a different body.
        """
        key = None if body.idempotency_key is None else f"{author}:{body.idempotency_key}"
        digest = _body_digest(body)
        if key is not None:
            existing = self._by_key(key, digest)
            if existing is not None:
                return existing, False
        now = datetime.now(UTC)
        location = (
            body.location.model_dump(mode="json", exclude_none=True) if body.location else None
        )
        try:
            with self.writer.begin() as conn:
                result = conn.execute(
                    _ADD_INCIDENT,
                    dict(
                        region_id=region_id,
                        status="received",
                        outcome=None,
                        priority=body.priority,
                        language=body.language,
                        caller_name=body.caller_name or None,
                        caller_phone=body.caller_phone or None,
                        party_size=body.party_size,
                        condition=body.condition or None,
                        cause=body.cause,
                        location=location,
                        plan=None,
                        team=None,
                        notes=None,
                        created_at=now,
                        updated_at=now,
                        created_by=author,
                        version=1,
                        idempotency_key=key,
                        idempotency_digest=None if key is None else digest,
                    ),
                )
                pk = result.inserted_primary_key
                assert pk is not None
                incident_id = int(pk[0])
                conn.execute(
                    _ADD_DESCRIPTION,
                    dict(
                        incident_id=incident_id,
                        text=body.description,
                        added_at=now,
                        added_by=author,
                    ),
                )
                conn.execute(
                    _ADD_EVENT,
                    dict(
                        incident_id=incident_id,
                        at=now,
                        by=author,
                        from_status=None,
                        to_status="received",
                        outcome=None,
                        note=None,
                    ),
                )
                record(
                    conn,
                    actor=author,
                    action="incident.create",
                    target_type="incident",
                    target_id=incident_id,
                    summary=f"recorded incident {incident_id} ({body.priority})",
                    at=now,
                )
                made = self._read(conn, [incident_id])[0]
        except IntegrityError:  # the same key, submitted concurrently: theirs won
            if key is not None:
                existing = self._by_key(key, digest)
                if existing is not None:
                    return existing, False
            raise
        return made, True

    def update(
        self, incident_id: int, base_version: int, changes: Mapping[str, Any], author: str
    ) -> dict[str, Any]:
        """Change fields of an incident; ``add_description`` appends a description.

        ``changes`` holds JSON-ready values (:meth:`IncidentUpdate.changes`).

        Raises
        ------
        NotFound
            If there is no such incident.
        Conflict
            If ``base_version`` is not the current version (``data`` has both).
        InvalidInput
            If a field cannot be changed, or nothing is.
        """
        unknown = sorted(set(changes) - set(_EDITABLE) - {"add_description"})
        if unknown:
            raise InvalidInput(f"these fields cannot be changed: {', '.join(unknown)}")
        if not changes:
            raise InvalidInput("nothing to change")
        values = {k: v for k, v in changes.items() if k in _EDITABLE}
        now = datetime.now(UTC)
        with self.writer.begin() as conn:
            row = self._lock(conn, incident_id, base_version)
            version = int(row["version"]) + 1
            diff = {
                name: {"before": row[name], "after": value}
                for name, value in values.items()
                if row[name] != value
            }
            values.update(updated_at=now, version=version)
            conn.execute(_UPDATE, {**values, "b_incident_id": incident_id})
            if diff:  # the audit trail: who changed which field from what to what
                conn.execute(
                    _ADD_EDIT,
                    dict(incident_id=incident_id, at=now, by=author, version=version, changes=diff),
                )
            text = changes.get("add_description")
            if text:
                conn.execute(
                    _ADD_DESCRIPTION,
                    dict(incident_id=incident_id, text=text, added_at=now, added_by=author),
                )
            changed = sorted(diff) + (["description"] if text else [])
            record(
                conn,
                actor=author,
                action="incident.update",
                target_type="incident",
                target_id=incident_id,
                summary=f"changed {', '.join(changed) or 'nothing'} (version {version})",
                details={"version": version, "fields": changed},
                at=now,
            )
            # the answer is read before the commit, under the row lock: what this write
            # made, not what another worker's write committed a moment later
            return self._read(conn, [incident_id])[0]

    def transition(
        self,
        incident_id: int,
        to: str,
        *,
        base_version: int,
        author: str,
        outcome: str | None = None,
        note: str | None = None,
        only: Collection[tuple[str, str]] | None = None,
    ) -> dict[str, Any]:
        """Change the status, recording who and when in the timeline.

        ``only`` (``(from, to)`` pairs) restricts the changes this caller may make.

        Raises
        ------
        NotFound
            If there is no such incident.
        Conflict
            If ``base_version`` is not the current version.
        InvalidInput
            If the change is not allowed from the current status (the message lists
            what is), or the outcome is missing or misplaced.
        Forbidden
            If the change is legal but not among ``only``.
        """
        now = datetime.now(UTC)
        with self.writer.begin() as conn:
            row = self._lock(conn, incident_id, base_version)
            current = str(row["status"])
            check_transition(current, to, outcome)
            if only is not None and (current, to) not in only:
                raise Forbidden(msg("incident.role_transition", current=current, to=to))
            if to == "located" and row["location"] is None:
                raise InvalidInput(msg("incident.locate_first"))
            values: dict[str, Any] = {
                "status": to,
                "updated_at": now,
                "version": int(row["version"]) + 1,
            }
            if to == "resolved":
                values["outcome"] = outcome
            conn.execute(_UPDATE, {**values, "b_incident_id": incident_id})
            conn.execute(
                _ADD_EVENT,
                dict(
                    incident_id=incident_id,
                    at=now,
                    by=author,
                    from_status=current,
                    to_status=to,
                    outcome=outcome,
                    note=note or None,
                ),
            )
            record(
                conn,
                actor=author,
                action="incident.transition",
                target_type="incident",
                target_id=incident_id,
                summary=f"{current} → {to}" + (f" ({outcome})" if outcome else ""),
                details={"from": current, "to": to, "outcome": outcome},
                at=now,
            )
            return self._read(conn, [incident_id])[0]  # under the row lock, as in update

    def _lock(self, conn: Connection, incident_id: int, base_version: int) -> RowMapping:
        row = conn.execute(_LOCK, {"incident_id": incident_id}).mappings().first()
        if row is None:
            raise NotFound(msg("incident.not_found", incident_id=incident_id))
        current = int(row["version"])
        if current != base_version:
            raise Conflict(
                msg("incident.stale", incident_id=incident_id, current=current, base=base_version),
                data={
                    "incident_id": incident_id,
                    "current_version": current,
                    "base_version": base_version,
                    "current": self._read(conn, [incident_id])[0],
                },
            )
        return row
