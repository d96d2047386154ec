"""Reading JSON request bodies at the boundary: size limit, one JSON object, typed fields.

Shared by the locate, approach and closure endpoints so that every body is refused the
same way: 413 over :data:`MAX_BODY_BYTES`, else one :class:`~geodata.errors.InvalidInput`
(a 422) whose message quotes what was sent and names the field.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import flask
from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter, Map

from geodata.errors import InvalidInput
from geodata.i18n import Msg, Name, msg
from geodata.importers import MAX_UPLOAD_BYTES
from rescue.closures import time_range_problem
from rescue.locate import LOCAL_TZ
from web.errors import TooLarge

__all__ = [
    "BoundaryRequest",
    "MAX_BODY_BYTES",
    "MAX_INT",
    "MAX_NUMBER_CHARS",
    "MAX_REQUEST_BYTES",
    "DatabaseIntConverter",
    "json_object",
    "json_type",
    "loads",
    "parse_time",
    "quote",
    "read_body",
    "refuse_oversized_request",
    "refuse_unstorable_text",
    "text_problem",
    "whole_number",
]

#: Bodies larger than this are refused unread (HTTP 413).
MAX_BODY_BYTES = 64 * 1024
#: no request may declare a body larger than this (the largest upload and its form fields);
#: each endpoint refuses its own, smaller limit when it reads the body
MAX_REQUEST_BYTES = MAX_UPLOAD_BYTES + 64 * 1024
#: ids, revisions and counts are database integers: 32-bit in PostgreSQL (a larger one
#: would make the database fail, a 500, instead of a 404 or 422)
MAX_INT = 2**31 - 1
#: JSON numbers longer than this are refused (no field needs more; see :func:`loads`)
MAX_NUMBER_CHARS = 100
_SURROGATE = re.compile("[\ud800-\udfff]")
_TIME_HINT = "an ISO-8601 date and time such as '2024-06-01T14:30' (Beijing time) or with an offset"


def read_body(request: Request, *, limit: int = MAX_BODY_BYTES, too_large: str | Msg = "") -> bytes:
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
        raise TooLarge(msg("large.body", kb=limit // 1024, more=too_large))
    return raw


def refuse_oversized_request() -> None:
    """Refuse, unread, a request declaring a body over :data:`MAX_REQUEST_BYTES` (413).

    Run before every view (``app.before_request``), so that even an endpoint that
    never reads its body (``POST /api/logout``) or a form post refuses a huge one.

    Raises
    ------
    RequestEntityTooLarge
        If the declared ``Content-Length`` is over the limit.
    """
    length = flask.request.content_length
    if length is not None and length > MAX_REQUEST_BYTES:
        raise TooLarge(
            msg("large.request", mb=f"{length / 1e6:.1f}", limit=f"{MAX_UPLOAD_BYTES / 1e6:.0f}")
        )


def json_object(raw: bytes, *, example: str) -> dict[str, Any]:
    """Parse ``raw`` as a UTF-8 JSON object without repeated fields.

    Raises
    ------
    InvalidInput
        If it is not; the message shows ``example``.
    """
    if not raw.strip():
        raise InvalidInput(msg("body.empty", example=example))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(msg("body.not_utf8")) from None
    try:
        body = loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            msg(
                "body.not_json",
                error=Name(exc.msg, "语法错误"),
                line=exc.lineno,
                column=exc.colno,
                example=example,
            )
        ) from None
    if not isinstance(body, dict):
        raise InvalidInput(msg("body.not_object", example=example, kind=json_kind(body)))
    return body


def loads(text: str) -> Any:
    """Parse JSON text as every request body is parsed: the one JSON boundary.

    Besides :func:`json.loads`: a field given twice, a number of more than
    :data:`MAX_NUMBER_CHARS` characters (Python refuses to convert an integer of more
    than 4,300 digits: a ValueError, once a 500), a number too large for a float
    (``1e999``), the non-JSON ``NaN``/``Infinity``, nesting deeper than Python's stack,
    and text the databases cannot hold (NUL, lone surrogates: :func:`text_problem`) are
    refused with one :class:`~geodata.errors.InvalidInput` naming the field.

    Raises
    ------
    json.JSONDecodeError
        If ``text`` is not JSON.
    InvalidInput
        On any of the above.
    """
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_repeats,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except RecursionError:  # "[[[[…" nested deeper than Python's stack
        raise InvalidInput("the request body is JSON nested too deeply") from None
    _check_text(value)
    return value


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (PostgreSQL refuses NUL in text and JSON; neither
    database driver encodes a lone UTF-16 surrogate), or None."""
    if "\x00" in text:
        return "contains a NUL character (\\u0000)"
    if _SURROGATE.search(text):
        return "contains a lone UTF-16 surrogate (\\ud800-\\udfff), which is not text"
    return None


def _check_text(value: Any) -> None:
    """Refuse the first key or string of a parsed JSON value that :func:`text_problem` finds."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:  # no recursion: depth is bounded only by the parser's stack
        path, item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem is not None:
                raise InvalidInput(
                    f"field {path or '(body)'!r} {problem}",
                    details=[f"{path or '(body)'}: {problem}"],
                )
        elif isinstance(item, dict):
            for key, sub in item.items():
                problem = text_problem(key)
                if problem is not None:
                    raise InvalidInput(
                        f"a field name in {path or 'the body'!r} {problem}",
                        details=[f"{path or '(body)'}: field name {problem}"],
                    )
                stack.append((f"{path}.{key}" if path else key, sub))
        elif isinstance(item, list):
            stack.extend((f"{path}[{i}]", sub) for i, sub in enumerate(item))


def _parse_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise InvalidInput(
            f"the request body holds a number of {len(text):,} digits; "
            f"numbers are at most {MAX_NUMBER_CHARS} characters long"
        )
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise InvalidInput(
            f"the request body holds a number of {len(text):,} characters; "
            f"numbers are at most {MAX_NUMBER_CHARS} characters long"
        )
    value = float(text)
    if not math.isfinite(value):
        raise InvalidInput(
            f"the request body holds the number {text[:20]}, too large for any field"
        )
    return value


def _parse_constant(name: str) -> Any:
    raise InvalidInput(f"the request body holds {name}, which is not JSON: send a finite number")


def parse_time(value: Any, name: str, problems: list[str | Msg]) -> datetime | None:
    """An ISO-8601 date and time (naive = Beijing time); problems are appended, not raised."""
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(
            msg("time.type", name=repr(name), hint=msg("time.hint"), kind=json_kind(value))
        )
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    # a bare date parses as midnight: a time without the time is a mistake, not 00:00
    if moment is None or len(value.strip()) <= len("2024-06-01"):
        problems.append(msg("time.bad", name=repr(name), value=quote(value), hint=msg("time.hint")))
        return None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_TZ)
    # year 1 or 9999 with an offset would overflow the first time arithmetic or comparison
    out_of_range = time_range_problem(moment)
    if out_of_range is not None:
        problems.append(f"field {name!r} is {quote(value)}, which {out_of_range}")
        return None
    return moment


class BoundaryRequest(flask.Request):
    """Flask's request with the limits of :func:`loads` and :func:`text_problem` built in.

    ``get_json()`` parses with :func:`loads` (its :class:`~geodata.errors.InvalidInput` is
    a 422, not werkzeug's 400), and form fields, their names and uploaded file names are
    checked by :func:`text_problem` when the form is first read, so a view reading the
    form at its own size limit never sees a NUL.
    """

    class json_module:  # noqa: N801  # werkzeug calls ``json_module.loads``
        @staticmethod
        def loads(data: str | bytes, **kwargs: Any) -> Any:
            text = data.decode("utf-8") if isinstance(data, bytes) else data
            return loads(text)

        @staticmethod
        def dumps(obj: Any, **kwargs: Any) -> str:
            return json.dumps(obj, **kwargs)

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        if isinstance(e, InvalidInput):
            raise e
        return super().on_json_loading_failed(e)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        # checked on every read: one refused read must not leave the form usable after it
        for key, value in self.form.items(multi=True):
            problem = text_problem(key) or text_problem(value)
            if problem is not None:
                raise InvalidInput(f"form field {key[:40]!r} {problem}")
        for key, upload in self.files.items(multi=True):
            problem = text_problem(key) or text_problem(upload.filename or "")
            if problem is not None:
                raise InvalidInput(f"the file name in form field {key[:40]!r} {problem}")


def refuse_unstorable_text() -> None:
    """Refuse a path or query string holding text the databases cannot store (422).

    Run before every view (``app.before_request``): a NUL (``%00``) in an id of the
    path or in a query parameter would otherwise reach PostgreSQL, which refuses it (a
    500). Bodies are checked where they are parsed (:func:`loads`, :class:`BoundaryRequest`).

    Raises
    ------
    InvalidInput
        Naming the parameter.
    """
    request = flask.request
    problem = text_problem(request.path)
    if problem is not None:
        raise InvalidInput(f"the address {problem}")
    for key, value in request.args.items(multi=True):
        problem = text_problem(key) or text_problem(value)
        if problem is not None:
            raise InvalidInput(f"query parameter {key[:40]!r} {problem}")


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


def json_kind(value: Any) -> Msg:
    """:func:`json_type` in both languages."""
    return msg("json." + json_type(value).split()[-1])


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
            raise InvalidInput(msg("body.repeated_field", field=repr(key)))
        seen[key] = value
    return seen


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` in a URL: 0 to :data:`MAX_INT`; a larger number matches no route (404).

    The bound is in the pattern, not only in :meth:`to_python`: werkzeug answers a number
    its converter refuses with a 405 when the same path has a rule for another method.
    """

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)
        self.regex = _digits_up_to(MAX_INT)


def _digits_up_to(limit: int) -> str:
    """A regular expression matching the decimal numbers from 0 to ``limit`` (and no more)."""
    digits = str(limit)
    options = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    for i, digit in enumerate(digits):
        rest = len(digits) - i - 1
        if digit != "0":
            options.append(f"{digits[:i]}[0-{int(digit) - 1}]" + (rf"\d{{{rest}}}" if rest else ""))
    options.append(digits)
    return "(?:" + "|".join(options) + ")"


def whole_number(name: str, raw: str) -> int:
    """The query parameter ``name`` as a whole number from 0 to :data:`MAX_INT`.

    Raises
    ------
    InvalidInput
        If ``raw`` is not ASCII digits or is too large.
    """
    text = raw.strip()
    # str.isdigit() also accepts "²" and other digits int() refuses
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_INT:
        raise InvalidInput(
            f"query parameter {name!r} must be a whole number from 0 to {MAX_INT}, not {raw[:20]!r}"
        )
    return int(text)
