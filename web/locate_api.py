"""The body of ``POST /api/locate``, parsed once at the boundary into :class:`LocateRequest`.

A body is JSON ``{"text": str, "reported_at": ISO-8601, "direction": "clockwise" |
"counterclockwise"}``; only ``text`` is required. Every problem is collected and
raised as one :class:`~geodata.errors.InvalidInput` naming the field and the value,
so a caller fixes everything in one go. The size of the body is capped before it
is read (:data:`MAX_BODY_BYTES`, a 413).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from flask import Request

from geodata.errors import InvalidInput
from geodata.i18n import Msg, joined, msg
from rescue.locate import LOCAL_TZ
from rescue.locate.clues import MAX_TEXT_CHARS  # checked here too, with the other problems
from rescue.locate.model import Direction
from routes.direction import DIRECTIONS
from web import bodies
from web.bodies import MAX_BODY_BYTES

__all__ = [
    "DIRECTIONS",
    "FIELDS",
    "LOCAL_TZ",
    "MAX_BODY_BYTES",
    "MAX_TEXT_CHARS",
    "LocateRequest",
    "parse_locate_body",
    "read_body",
]

FIELDS = ("text", "reported_at", "direction")
# LOCAL_TZ, the zone of a ``reported_at`` without an offset, is the call centre's: Beijing time


@dataclass(frozen=True)
class LocateRequest:
    """A checked locate request; ``reported_at`` is timezone-aware."""

    text: str
    reported_at: datetime
    direction: Direction | None = None


def read_body(request: Request) -> bytes:
    """Read a locate body, at most :data:`MAX_BODY_BYTES` (see :func:`web.bodies.read_body`)."""
    return bodies.read_body(
        request, too_large=msg("large.description", count=f"{MAX_TEXT_CHARS:,}")
    )


def parse_locate_body(raw: bytes, *, now: datetime | None = None) -> LocateRequest:
    """Parse the raw body of a locate request.

    Parameters
    ----------
    raw
        The request body, UTF-8 JSON.
    now
        The time used when the body has no ``reported_at`` (default: the current time).

    Raises
    ------
    InvalidInput
        If the body is not a JSON object, has unknown or repeated fields, or a
        field is missing or has a wrong value; ``details`` lists every problem.
    """
    body = bodies.json_object(raw, example='{"text": "..."}')
    problems: list[str | Msg] = []
    unknown = [name for name in body if name not in FIELDS]
    if unknown:
        problems.append(
            msg(
                "locate.unknown_fields" if len(unknown) > 1 else "locate.unknown_field",
                fields=", ".join(repr(n) for n in unknown),
                accepted=", ".join(FIELDS),
            )
        )

    text = body.get("text")
    if "text" not in body:
        problems.append(msg("locate.text_missing"))
    elif not isinstance(text, str):
        problems.append(msg("locate.text_type", kind=bodies.json_kind(text)))
    elif not text.strip():
        problems.append(msg("locate.text_empty"))
    elif len(text.strip()) > MAX_TEXT_CHARS:  # as the locator counts: blank ends are free
        problems.append(
            msg("locate.text_long", count=f"{len(text.strip()):,}", limit=f"{MAX_TEXT_CHARS:,}")
        )

    reported_at = bodies.parse_time(body.get("reported_at"), "reported_at", problems)
    direction = body.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        problems.append(
            msg("locate.direction", value=bodies.quote(direction), accepted=", ".join(DIRECTIONS))
        )

    if problems:
        raise InvalidInput(joined(problems), details=problems)
    return LocateRequest(
        text=cast(str, text),
        reported_at=reported_at or now or datetime.now(LOCAL_TZ),
        direction=cast("Direction | None", direction),
    )
