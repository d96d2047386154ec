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

The tables are created by the Alembic migration ``0004``; the package has its own
Core definitions of them and depends on no web framework.

Where the code is (every public name is re-exported here): the store,
:class:`IncidentStore`, here; statuses, outcomes, causes and the legal status changes in
:mod:`rescue._incident_lifecycle`; the request bodies (pydantic models) in
:mod:`rescue._incident_bodies`; the tables and how their rows read as an answer in
:mod:`rescue._incident_rows`.
"""

from __future__ import annotations

import builtins
import hashlib
import json
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    JSON,
    BindParameter,
    Connection,
    Engine,
    Integer,
    RowMapping,
    String,
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
from geodata.i18n import msg
from geodata.store.audit import record
from rescue._incident_bodies import (
    IncidentCreate,
    IncidentUpdate,
    Location,
    Plan,
    TransitionRequest,
    parse,
)
from rescue._incident_lifecycle import (
    CAUSES,
    CLOSED_STATUSES,
    LANGUAGES,
    OPEN_STATUSES,
    OUTCOMES,
    PRIORITIES,
    STATUSES,
    TRANSITIONS,
    allowed_next,
    check_transition,
)
from rescue._incident_rows import (
    descriptions_table,
    edits_table,
    events_table,
    find_me_table,
    incident_answer,
    incidents_table,
    sent_key,
)
from rescue.checks import field_problem

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

MAX_LIST: Final = 500
#: the orders of a list: newest first, or most urgent first
ORDERS: Final = ("newest", "urgency")

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


def _body_digest(body: IncidentCreate) -> str:
    """SHA-256 of the parsed body: the same report sent twice has the same digest."""
    doc = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(doc.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------------- the store
_DESCRIPTION, _EVENT, _EDIT = 0, 1, 2


def _history() -> Any:
    """The descriptions, status changes and edits of the incidents of the bound ``ids`` as
    one ``UNION ALL``: ``kind`` (``_DESCRIPTION``, ``_EVENT``, ``_EDIT``) and the columns
    :func:`~rescue._incident_rows.incident_answer` reads of each (``text`` of a description
    is ``note``; ``at`` its ``added_at``), in each table's order."""
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
            incident_answer(by_id[i], texts[i], events[i], edits[i], links[i])
            for i in ids
            if i in by_id
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
                    key=repr(sent_key(key)),
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
