"""Where incidents are kept: their Core tables, and how their rows read as an answer.

The tables are created by the Alembic migrations (``0004``, ``0006``, ``0011``) and
registered in the one metadata they see (:mod:`geodata.store.schema`); :func:`incident_answer`
turns an incident's row, descriptions, status changes, edits and find-me links into the
JSON-ready answer of :class:`rescue.incidents.IncidentStore`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    RowMapping,
    String,
    Table,
    Text,
)

from geodata.store.schema import Base, UtcDateTime
from rescue._incident_lifecycle import CLOSED_STATUSES, allowed_next

__all__ = [
    "descriptions_table",
    "edits_table",
    "events_table",
    "find_me_table",
    "incident_answer",
    "incidents_table",
    "metadata",
    "sent_key",
]

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


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def sent_key(stored: str | None) -> str | None:
    """The idempotency key as the user sent it (stored as ``<username>:<key>``)."""
    return None if stored is None else stored.rsplit(":", 1)[-1]


def incident_answer(
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
        "idempotency_key": sent_key(row["idempotency_key"]),
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
