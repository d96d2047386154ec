"""In testing, every 2xx answer of an ``/api`` operation is checked against what it declares.

:func:`install` adds an ``after_request`` hook when the app is created with ``TESTING``
(the test fixtures' apps), and nothing otherwise: production answers cost no validation.
The hook finds the operation by the request's method and Flask rule in
:data:`web.openapi.OPERATIONS` and checks the answer against its ``ok``:

- the status is one the operation declares;
- the media type is one declared for that status (a status declared without content
  sends none);
- a JSON or GeoJSON answer declared as a pydantic model validates against the model
  (``model_validate``), and has no member the model does not declare: a member the
  model would silently ignore is reported too (a model declared ``extra="allow"`` keeps
  its extra members, so they are not reported). A layer's feature (declared as a plain
  object) is checked against :data:`web.answers.LAYER_FEATURES`.

A mismatch raises :class:`AnswerMismatch` (an ``AssertionError``): the test client
re-raises it, so the test that made the request fails and names the operation and the
problems. Answers declared as a JSON Schema (plain text files, GPX, CSV, PNG, a free
object) and streamed answers (event streams, files sent whole) are checked for their
status and media type only.
"""

from __future__ import annotations

import json
from typing import Any, TypeGuard

from flask import Flask, Response, request
from pydantic import BaseModel, ValidationError

from web import answers, openapi

__all__ = ["AnswerMismatch", "check_answer", "install", "problems"]

_JSON_TYPES = frozenset({openapi.JSON, openapi.GEOJSON})


class AnswerMismatch(AssertionError):
    """An answer that does not match what its operation declares (raised in tests only)."""


def install(app: Flask) -> None:
    """Check every ``/api`` answer of ``app`` if it is testing; do nothing otherwise.

    Call it after the hooks that change the body (compression): hooks registered later
    run first, so the check sees the body the view made.
    """
    if app.testing:
        app.after_request(check_answer)


def check_answer(response: Response) -> Response:
    """The ``after_request`` hook: raise :class:`AnswerMismatch` on a mismatch."""
    rule = request.url_rule
    status = response.status_code
    if rule is None or request.method == "HEAD" or not 200 <= status < 300:
        return response
    spec = openapi.OPERATIONS.get((request.method, rule.rule))
    if spec is None:
        return response
    body = None if response.is_streamed else response.get_data()  # a stream is not read
    found = problems(spec, status, response.mimetype or "", body, request.view_args)
    if found:
        raise AnswerMismatch(
            f"{request.method} {rule.rule} answered {status} {response.mimetype}, "
            "not as declared:\n  " + "\n  ".join(found)
        )
    return response


def _is_model(value: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(value, type) and issubclass(value, BaseModel)


def problems(
    spec: dict[str, Any],
    status: int,
    mimetype: str,
    body: bytes | None,
    view_args: dict[str, Any] | None = None,
) -> list[str]:
    """What is wrong with an answer (``status``, ``mimetype``, ``body``) of the operation
    ``spec`` (as :data:`web.openapi.OPERATIONS` holds it); empty when it is as declared.
    ``body`` None (a streamed answer, a file): the status and media type are checked."""
    ok = spec["ok"]
    if status not in ok:
        return [f"status {status} is not declared (declared: {sorted(ok)})"]
    media = ok[status]
    if media is None:
        return [f"status {status} is declared without content"] if body else []
    if _is_model(media):
        media = {openapi.JSON: media}
    if mimetype not in media:
        return [f"media type {mimetype!r} is not declared (declared: {sorted(media)})"]
    schema = media[mimetype]
    layer = (view_args or {}).get("layer")
    if not _is_model(schema) and mimetype == openapi.GEOJSON and layer in answers.LAYER_FEATURES:
        schema = answers.LAYER_FEATURES[layer]
    if not _is_model(schema) or mimetype not in _JSON_TYPES or body is None:
        return []
    return model_problems(schema, json.loads(body))


def model_problems(model: type[BaseModel], data: Any) -> list[str]:
    """Why ``data`` is not a ``model``: its validation errors, else its undeclared members."""
    try:
        valid = model.model_validate(data)
    except ValidationError as exc:
        return [
            f"{'/'.join(map(str, err['loc'])) or '(answer)'}: {err['msg']}"
            for err in exc.errors(include_url=False)
        ]
    kept = valid.model_dump(mode="json", by_alias=True, warnings=False)
    return list(dict.fromkeys(_undeclared(data, kept, "")))  # once per path


def _undeclared(given: Any, kept: Any, where: str) -> list[str]:
    """The members of ``given`` that the validated model dropped (``kept`` is its dump);
    the items of a list are all ``*`` in the paths."""
    found: list[str] = []
    if isinstance(given, dict) and isinstance(kept, dict):
        for key, value in given.items():
            if key in kept:
                found += _undeclared(value, kept[key], f"{where}/{key}")
            else:
                found.append(f"{where}/{key}: not declared by the model")
    elif isinstance(given, list) and isinstance(kept, list) and len(given) == len(kept):
        for item, kept_item in zip(given, kept, strict=True):
            found += _undeclared(item, kept_item, f"{where}/*")
    return found
