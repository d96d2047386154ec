"""Each ``/api`` operation declared once: its route, roles, query, body and answers.

:func:`api_operation` is the one declaration of an endpoint::

    @api_operation(bp, "POST", "/locate", roles=DISPATCH, body=LocateBody, ok={200: ...},
                   summary="where a caller is")
    def locate_caller(body: LocateBody) -> Response: ...

It adds the rule to the blueprint, lets in only ``roles`` (through
:func:`web.auth.require_role`: admins always, 401/403, the CSRF token on writes), reads
the query string and the JSON body into the pydantic models given (passed to the view as
``query=`` and ``body=``) and registers the operation in :data:`web.openapi.OPERATIONS`,
from which ``GET /api/openapi.json`` is generated: the request body is the model's JSON
Schema (under ``#/components/schemas``), the query parameters are its fields, ``x-roles``
and the security are the ``roles`` the check enforces. A limit written in a model (a
``max_length``, a bound) is therefore in the document and in the check at once.

Refusals keep the error envelope of :mod:`web.errors`: one
:class:`~geodata.errors.InvalidInput` (a 422) naming every problem in English and
Chinese. The texts of the problems come from :mod:`rescue.checks` (a validator's own catalog
text, the model's ``problem_texts``, else the generic ``field 'x': must be …``).

Query strings are read one way: unknown, repeated and empty parameters are refused
(``lang``, the answer's language, is always accepted), then the values are validated by
the model in pydantic's lax mode (``"5"`` is the integer 5).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, TypeVar

from flask import Blueprint, request
from pydantic import BaseModel
from werkzeug.exceptions import UnsupportedMediaType

from geodata.errors import InvalidInput
from geodata.i18n import LANGUAGES, Msg, joined, msg
from rescue.checks import Checked, ProblemText, problem, read
from web import openapi
from web.bodies import MAX_BODY_BYTES, json_object, read_body

__all__ = [
    "ADMIN",
    "CLOSERS",
    "DISPATCH",
    "PLANNERS",
    "PLANNING",
    "PUBLIC",
    "READERS",
    "Contract",
    "ProblemText",
    "api_operation",
    "problem",
    "read_model",
    "read_query",
]

#: who may call an operation, besides admins (who may call every one)
PUBLIC: Literal["public"] = "public"
READERS = ("call_taker", "officer", "planner")
DISPATCH = ("call_taker", "officer")
CLOSERS = ("officer", "planner")
PLANNING = ("officer", "planner")
PLANNERS = ("planner",)
ADMIN: tuple[str, ...] = ()

M = TypeVar("M", bound=BaseModel)
Roles = tuple[str, ...] | Literal["public"]


Contract = Checked  # the base of request models (see rescue.checks)
read_model = read


def query_names(model: type[BaseModel] | None) -> tuple[str, ...]:
    """The query parameters ``model`` reads (its fields' aliases)."""
    if model is None:
        return ()
    return tuple(f.alias or name for name, f in model.model_fields.items())


def read_query(model: type[M] | None) -> M | None:
    """The request's query string as ``model`` (None: no parameter is accepted).

    Raises
    ------
    InvalidInput
        Naming every unknown, repeated or empty parameter, else every bad value.
    """
    allowed = query_names(model)
    problems: list[Msg] = []
    for name in request.args:
        values = request.args.getlist(name)
        if name == "lang" and len(values) == 1:  # the language of the answer (web.errors)
            if values[0] not in LANGUAGES:
                problems.append(msg("query.lang", value=repr(values[0][:20])))
        elif name not in allowed:
            accepted = ", ".join(map(repr, allowed)) if allowed else msg("json.none")
            problems.append(msg("query.unknown", name=repr(name), accepted=accepted))
        elif len(values) > 1:
            problems.append(msg("query.repeated", name=repr(name), count=len(values)))
        elif not values[0].strip():
            problems.append(msg("query.empty", name=repr(name)))
    if problems:
        raise InvalidInput(joined(problems), details=problems)
    if model is None:
        return None
    given = {name: request.args[name].strip() for name in request.args if name in allowed}
    return read_model(model, given)


def _read_body(
    model: type[M],
    *,
    example: str,
    limit: int,
    too_large: str | Msg,
    json_only: bool,
    optional: bool,
    what: str | Msg | None,
    context: Mapping[str, Any] | None,
) -> M:
    raw = read_body(request, limit=limit, too_large=too_large)
    empty = optional and not raw.strip()
    if json_only and not empty and not request.is_json:
        raise UnsupportedMediaType(
            "send the body as application/json" + (", or no body" if optional else "")
        )
    data = {} if empty else json_object(raw, example=example)
    return read_model(model, data, what=what, context=context)


def _form_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    schema.pop("description", None)
    for prop in schema.get("properties", {}).values():
        prop.pop("title", None)
        prop.pop("default", None)  # a form sends text: the defaults are the model's
    return schema


def api_operation(
    bp: Blueprint,
    method: str,
    rule: str,
    *,
    summary: str,
    roles: Roles,
    ok: Mapping[int, Any],
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    upload: type[BaseModel] | None = None,
    errors: Iterable[int] = (),
    example: str = "{}",
    body_limit: int = MAX_BODY_BYTES,
    too_large: str | Msg = "",
    json_only: bool = False,
    body_optional: bool = False,
    context: Callable[[], Mapping[str, Any]] | None = None,
    what: str | Msg | None = None,
    before: Callable[..., None] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the operation ``method`` ``rule`` (relative to ``bp``'s prefix) once.

    Parameters
    ----------
    roles
        ``"public"``, or the roles besides admin that may call it.
    ok
        Status -> answer: ``None`` (no content), a pydantic model (JSON) or
        ``{media type: JSON Schema}``.
    query, body
        The models of the query string and the JSON body; the view gets the parsed
        ``query=`` and ``body=``. Without ``query`` no parameter is accepted.
    upload
        A multipart form (a file upload) as a model: documented; the view reads the form
        itself at its own size limit.
    errors
        The error statuses besides 401/403 (added for non-public operations) and the
        413/422 of a body (added when there is one).
    example
        A valid body, shown when the body is not a JSON object.
    json_only
        Refuse a body sent as another type than ``application/json`` (415).
    body_optional
        An empty body is read as ``{}``.
    context
        Makes the body's validation context (e.g. the network, for checks that need
        the region's data), called on each request.
    what
        What could not be done, put before the problems of a refused body.
    before
        Called with the path's values before the query and the body are read (e.g. a
        rate limit that must refuse before any of the body is read); it raises to refuse.
    """
    method = method.upper()
    full_rule = (bp.url_prefix or "") + rule
    statuses = set(errors) | {422}
    if body is not None or upload is not None:
        statuses |= {413}
    if json_only:
        statuses |= {415}
    openapi.register(
        method,
        full_rule,
        {
            "summary": summary,
            "auth": roles if roles == PUBLIC else tuple(roles),
            # name -> schema and a JSON Schema (as every spec has them), with the models
            "query": None if query is None else openapi.query_schemas(query),
            "query_model": query,
            "body": (
                {"multipart": _form_schema(upload)}
                if upload is not None
                else None
                if body is None
                else openapi.ref(body.__name__)
            ),
            "body_model": body,
            "body_optional": body_optional,
            "ok": dict(ok),
            "errors": tuple(sorted(statuses)),
        },
    )

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if before is not None:
                before(**kwargs)
            parsed = read_query(query)
            if query is not None:
                kwargs["query"] = parsed
            if body is not None:
                kwargs["body"] = _read_body(
                    body,
                    example=example,
                    limit=body_limit,
                    too_large=too_large,
                    json_only=json_only,
                    optional=body_optional,
                    what=what,
                    context=None if context is None else context(),
                )
            return view(*args, **kwargs)

        gated: Callable[..., Any] = checked
        if roles != PUBLIC:
            # imported here: web.auth declares its own API operations with this module
            from web.auth import require_role

            gated = require_role(*roles)(checked)
        gated.operation = (method, full_rule)  # type: ignore[attr-defined]
        bp.add_url_rule(rule, view_func=gated, methods=[method])
        return gated

    return decorate
