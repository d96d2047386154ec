"""The body of ``POST /api/locate``, declared once as :class:`LocateBody`.

A body is JSON ``{"text": str, "reported_at": ISO-8601, "direction": "clockwise" |
"counterclockwise"}``; only ``text`` is required. The model is both the check
(:func:`web.contract.api_operation` refuses a bad body with one
:class:`~geodata.errors.InvalidInput` naming every field and value) and the request
body in ``GET /api/openapi.json``: the 2,000-character cap of
:data:`rescue.locate.clues.MAX_TEXT_CHARS` is in both. The size of the body is capped
before it is read (:data:`MAX_BODY_BYTES`, a 413).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, ConfigDict, WithJsonSchema

from geodata.i18n import Msg, msg
from rescue.locate import LOCAL_TZ
from rescue.locate.clues import MAX_TEXT_CHARS
from routes.direction import DIRECTIONS, Direction
from web import bodies
from web.bodies import MAX_BODY_BYTES
from web.contract import Contract, ProblemText, problem, read_model

__all__ = [
    "DIRECTIONS",
    "FIELDS",
    "LOCAL_TZ",
    "MAX_BODY_BYTES",
    "MAX_TEXT_CHARS",
    "TOO_LARGE",
    "LocateBody",
    "parse_locate_body",
]

FIELDS = ("text", "reported_at", "direction")
# LOCAL_TZ, the zone of a ``reported_at`` without an offset, is the call centre's: Beijing time
#: appended to the 413 of a body over MAX_BODY_BYTES
TOO_LARGE = msg("large.description", count=f"{MAX_TEXT_CHARS:,}")


def _text(value: Any) -> Any:
    if not isinstance(value, str):
        raise problem(msg("locate.text_type", kind=bodies.json_kind(value)))
    length = len(value.strip())  # as the locator counts: blank ends are free
    if not length:
        raise problem(msg("locate.text_empty"))
    if length > MAX_TEXT_CHARS:
        raise problem(msg("locate.text_long", count=f"{length:,}", limit=f"{MAX_TEXT_CHARS:,}"))
    return value


def _reported_at(value: Any) -> datetime | None:
    problems: list[str | Msg] = []
    moment = bodies.parse_time(value, "reported_at", problems)
    if problems:
        raise problem(problems[0])
    return moment


def _direction(value: Any) -> Any:
    if value is not None and value not in DIRECTIONS:
        raise problem(
            msg("locate.direction", value=bodies.quote(value), accepted=", ".join(DIRECTIONS))
        )
    return value


def _unknown(error: Any) -> Msg:
    return msg("locate.unknown_field", fields=repr(error["loc"][0]), accepted=", ".join(FIELDS))


class LocateBody(Contract):
    """What a caller said, when, and which way they walk (if known)."""

    model_config = ConfigDict(extra="forbid")
    problem_texts: ClassVar[dict[tuple[str, str], ProblemText]] = {
        ("missing", "text"): lambda _: msg("locate.text_missing"),
        ("extra_forbidden", "*"): _unknown,
    }

    text: Annotated[
        str,
        BeforeValidator(_text),
        WithJsonSchema(
            {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_TEXT_CHARS,
                "description": "what the caller said; blank ends are not counted",
            }
        ),
    ]
    reported_at: Annotated[
        datetime | None,
        BeforeValidator(_reported_at),
        WithJsonSchema(
            {
                "type": ["string", "null"],
                "description": "ISO-8601 date and time; without an offset Beijing time; "
                "default: now",
            }
        ),
    ] = None
    direction: Annotated[
        Direction | None,
        BeforeValidator(_direction),
        WithJsonSchema({"enum": [*DIRECTIONS, None]}),
    ] = None

    def at(self, now: datetime | None = None) -> datetime:
        """When the caller spoke: ``reported_at``, else ``now`` (default: the current time)."""
        return self.reported_at or now or datetime.now(LOCAL_TZ)


def parse_locate_body(raw: bytes) -> LocateBody:
    """Parse the raw body of a locate request (what ``POST /api/locate`` does).

    Raises
    ------
    InvalidInput
        If the body is not a JSON object, has unknown or repeated fields, or a
        field is missing or has a wrong value; ``details`` lists every problem.
    """
    return read_model(LocateBody, bodies.json_object(raw, example='{"text": "..."}'))
