"""The body of ``POST /api/locate``, parsed once at the boundary into :class:`LocateRequest`.

A body is JSON ``{"text": str, "reported_at": ISO-8601, "direction": "clockwise" |
"counterclockwise"}``; only ``text`` is required. Every problem is collected and
raised as one :class:`~rescue.errors.InvalidInput` naming the field and the value,
so a caller fixes everything in one go. The size of the body is capped before it
is read (:data:`MAX_BODY_BYTES`, a 413).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast, get_args

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from rescue.errors import InvalidInput
from rescue.locate import LOCAL_TZ
from rescue.locate.clues import MAX_TEXT_CHARS  # checked here too, with the other problems
from rescue.locate.model import Direction

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

#: Bodies larger than this are refused unread (HTTP 413).
MAX_BODY_BYTES = 64 * 1024
DIRECTIONS: tuple[str, ...] = get_args(Direction)
FIELDS = ("text", "reported_at", "direction")
# LOCAL_TZ, the zone of a ``reported_at`` without an offset, is the call centre's: Beijing time


@dataclass(frozen=True)
class LocateRequest:
    """A checked locate request; ``reported_at`` is timezone-aware."""

    text: str
    reported_at: datetime
    direction: Direction | None = None


def read_body(request: Request) -> bytes:
    """Read the body of ``request``, at most :data:`MAX_BODY_BYTES`.

    Raises
    ------
    RequestEntityTooLarge
        If the declared length, or for a chunked body the bytes sent, exceed the limit.
    """
    # one byte more than allowed: werkzeug stops quietly *at* its limit when no length is given
    request.max_content_length = MAX_BODY_BYTES + 1
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raw = None
    if raw is None or len(raw) > MAX_BODY_BYTES:
        raise RequestEntityTooLarge(
            f"the request body is larger than {MAX_BODY_BYTES // 1024} KB; "
            f"a description may have at most {MAX_TEXT_CHARS:,} characters"
        )
    return raw


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
    body = _json_object(raw)
    problems: list[str] = []
    unknown = [name for name in body if name not in FIELDS]
    if unknown:
        problems.append(
            f"unknown field{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(n) for n in unknown)} (accepted: {', '.join(FIELDS)})"
        )

    text = body.get("text")
    if "text" not in body:
        problems.append("field 'text' is missing: describe where the caller is")
    elif not isinstance(text, str):
        problems.append(f"field 'text' must be a string, not {_json_type(text)}")
    elif not text.strip():
        problems.append("field 'text' is empty: describe where the caller is")
    elif len(text.strip()) > MAX_TEXT_CHARS:  # as the locator counts: blank ends are free
        problems.append(
            f"field 'text' has {len(text.strip()):,} characters; "
            f"at most {MAX_TEXT_CHARS:,} are accepted"
        )

    reported_at = _reported_at(body.get("reported_at"), problems)
    direction = body.get("direction")
    if direction is not None and direction not in DIRECTIONS:
        problems.append(
            f"field 'direction' is {_quote(direction)}; accepted: {', '.join(DIRECTIONS)} "
            "(or leave it out when unknown)"
        )

    if problems:
        raise InvalidInput("; ".join(problems), details=problems)
    return LocateRequest(
        text=cast(str, text),
        reported_at=reported_at or now or datetime.now(LOCAL_TZ),
        direction=cast("Direction | None", direction),
    )


def _json_object(raw: bytes) -> dict[str, Any]:
    if not raw.strip():
        raise InvalidInput('the request body is empty: send a JSON object such as {"text": "..."}')
    try:
        body = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_repeats)
    except UnicodeDecodeError:
        raise InvalidInput("the request body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"the request body is not valid JSON: {exc.msg} "
            f'(line {exc.lineno}, column {exc.colno}); send a JSON object such as {{"text": "..."}}'
        ) from None
    if not isinstance(body, dict):
        raise InvalidInput(
            f'the request body must be a JSON object such as {{"text": "..."}}, '
            f"not {_json_type(body)}"
        )
    return body


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise InvalidInput(f"field {key!r} is given more than once")
        seen[key] = value
    return seen


def _reported_at(value: Any, problems: list[str]) -> datetime | None:
    if value is None:
        return None
    hint = "an ISO-8601 date and time such as '2024-06-01T14:30' (Beijing time) or with an offset"
    if not isinstance(value, str):
        problems.append(f"field 'reported_at' must be {hint}, not {_json_type(value)}")
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    # a bare date parses as midnight: a report time without the time is a mistake, not 00:00
    if moment is None or len(value.strip()) <= len("2024-06-01"):
        problems.append(f"field 'reported_at' is {_quote(value)}; expected {hint}")
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_TZ)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _quote(value: Any) -> str:
    """``value`` as JSON, shortened: messages quote what was sent, not a whole essay."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"
