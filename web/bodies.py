"""Reading JSON request bodies at the boundary: size limit, one JSON object, typed fields.

Shared by the locate, approach and closure endpoints so that every body is refused the
same way: 413 over :data:`MAX_BODY_BYTES`, else one :class:`~rescue.errors.InvalidInput`
(a 422) whose message quotes what was sent and names the field.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from rescue.errors import InvalidInput
from rescue.locate import LOCAL_TZ

__all__ = ["MAX_BODY_BYTES", "json_object", "json_type", "parse_time", "quote", "read_body"]

#: Bodies larger than this are refused unread (HTTP 413).
MAX_BODY_BYTES = 64 * 1024
_TIME_HINT = "an ISO-8601 date and time such as '2024-06-01T14:30' (Beijing time) or with an offset"


def read_body(request: Request, *, limit: int = MAX_BODY_BYTES, too_large: str = "") -> bytes:
    """Read the body of ``request``, at most ``limit`` bytes.

    Raises
    ------
    RequestEntityTooLarge
        If the declared length, or for a chunked body the bytes sent, exceed the
        limit; ``too_large`` is appended to the message.
    """
    # one byte more than allowed: werkzeug stops quietly *at* its limit when no length is given
    request.max_content_length = limit + 1
    try:
        raw = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raw = None
    if raw is None or len(raw) > limit:
        raise RequestEntityTooLarge(
            f"the request body is larger than {limit // 1024} KB{too_large}"
        )
    return raw


def json_object(raw: bytes, *, example: str) -> dict[str, Any]:
    """Parse ``raw`` as a UTF-8 JSON object without repeated fields.

    Raises
    ------
    InvalidInput
        If it is not; the message shows ``example``.
    """
    if not raw.strip():
        raise InvalidInput(f"the request body is empty: send a JSON object such as {example}")
    try:
        body = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_repeats)
    except UnicodeDecodeError:
        raise InvalidInput("the request body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"the request body is not valid JSON: {exc.msg} "
            f"(line {exc.lineno}, column {exc.colno}); send a JSON object such as {example}"
        ) from None
    if not isinstance(body, dict):
        raise InvalidInput(
            f"the request body must be a JSON object such as {example}, not {json_type(body)}"
        )
    return body


def parse_time(value: Any, name: str, problems: list[str]) -> datetime | None:
    """An ISO-8601 date and time (naive = Beijing time); problems are appended, not raised."""
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"field {name!r} must be {_TIME_HINT}, not {json_type(value)}")
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    # a bare date parses as midnight: a time without the time is a mistake, not 00:00
    if moment is None or len(value.strip()) <= len("2024-06-01"):
        problems.append(f"field {name!r} is {quote(value)}; expected {_TIME_HINT}")
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_TZ)


def json_type(value: Any) -> str:
    """The JSON type of a parsed value, as a message says it ("a string", "an array" …)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Sequence):
        return "an array"
    return "an object"


def is_number(value: Any) -> bool:
    """A finite JSON number (not a boolean)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def quote(value: Any) -> str:
    """``value`` as JSON, shortened: messages quote what was sent, not a whole essay."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise InvalidInput(f"field {key!r} is given more than once")
        seen[key] = value
    return seen
