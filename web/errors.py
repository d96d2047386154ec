"""HTTP status codes for Sandtable's errors, and JSON error bodies for the API.

This is the only place that maps :mod:`geodata.errors` classes to HTTP codes.
Every error body under ``/api/`` has the form::

    {"error": {"status": 422, "code": "invalid_input", "message": "...", "details": [...]}}

with a message safe to show a user (never a traceback or a server path), in the language
of :func:`request_language` (``lang`` in the query, else the language switch's cookie, else
``Accept-Language``). Page routes (everything outside ``/api/``) get the styled, bilingual
page of :mod:`web.error_pages`.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from geodata.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NoRoute,
    NotFound,
    SandtableError,
    TooManyRequests,
    Unauthorized,
)
from geodata.i18n import LANGUAGES, Msg, catalog, language, render
from web.error_pages import error_page

__all__ = [
    "LANG_COOKIE",
    "STATUS",
    "TooLarge",
    "error_response",
    "register",
    "request_language",
    "sandtable_error",
]

#: the cookie the pages' language switch sets (static/sandtable.js, static/lang.js)
LANG_COOKIE = "sandtable_lang"

log = logging.getLogger(__name__)

#: Error class -> (HTTP status, machine-readable code). Looked up along the MRO.
STATUS: dict[type[SandtableError], tuple[int, str]] = {
    InvalidInput: (422, "invalid_input"),
    NotFound: (404, "not_found"),
    NoRoute: (409, "no_route"),
    Conflict: (409, "conflict"),
    Unauthorized: (401, "unauthorized"),
    Forbidden: (403, "forbidden"),
    TooManyRequests: (429, "too_many_requests"),
    # DataValidationError is raised at start-up only; served, it is a server fault.
    SandtableError: (500, "internal_error"),
}


class TooLarge(RequestEntityTooLarge):
    """A 413 whose message says the limit in the user's language (``text``, a catalog key)."""

    def __init__(self, text: Msg) -> None:
        super().__init__(text.render("en"))
        self.text = text


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[str] | None = None,
    data: dict[str, object] | None = None,
) -> Response:
    """Return the JSON error body with ``status`` (and ``data``, when the error has it)."""
    body: dict[str, object] = {
        "status": status,
        "code": code,
        "message": message,
        "details": details or [],
    }
    if data is not None:
        body["data"] = data
    response = jsonify(error=body)
    response.status_code = status
    return response


def request_language() -> str:
    """The language the user chose: ``?lang=``, else the switch's cookie, else the browser's."""
    for chosen in (request.args.get("lang"), request.cookies.get(LANG_COOKIE)):
        if chosen in LANGUAGES:
            return chosen
    return language(request.accept_languages.best_match(["en", "zh"], default="en"))


def _fallback(code: str, english: str, lang: str) -> str:
    """A message without a catalog key: in Chinese, what kind of refusal, then the English."""
    if lang == "en":
        return english
    key = f"error.{code}"
    return render(key if key in _GENERIC else "error.other", lang, detail=english)


_GENERIC = {f"error.{code}" for _, code in STATUS.values()}


def register(app: Flask) -> None:
    """Install the error handlers on ``app``."""
    app.register_error_handler(SandtableError, sandtable_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _is_page() -> bool:
    return not (request.path + "/").startswith("/api/")


def sandtable_error(exc: SandtableError) -> Response:
    status, code = next(STATUS[cls] for cls in type(exc).__mro__ if cls in STATUS)
    if status >= 500:
        log.error("unexpected %s at %s", type(exc).__name__, request.path, exc_info=exc)
        if _is_page():
            return error_page(status)
        return error_response(status, code, render("error.internal", request_language()))
    if _is_page():
        return error_page(status, detail={lang: _message(exc, code, lang) for lang in LANGUAGES})
    lang = request_language()
    response = error_response(
        status, code, _message(exc, code, lang), exc.details_in(lang), exc.data
    )
    response.vary.add("Accept-Language")
    response.vary.add("Cookie")
    return response


def _message(exc: SandtableError, code: str, lang: str) -> str:
    return exc.message_in(lang) or _fallback(code, exc.message, lang)


def _http_error(exc: HTTPException) -> Response | HTTPException:
    if _is_page():
        # the app's own bilingual page (with the Allow header of a 405, a 413's limit)
        headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
        said = getattr(exc, "text", None)
        detail = said.both() if isinstance(said, Msg) else None
        return error_page(exc.code or 500, headers, detail=detail)
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    english = exc.description or exc.name
    lang = request_language()
    key = f"http.{status}" if f"http.{status}" in catalog() else "http.other"
    text = getattr(exc, "text", None)
    if isinstance(text, Msg):  # a refusal that says why in both languages (TooLarge)
        message = text.render(lang)
    else:
        message = english if lang == "en" else render(key, lang, status=status)
    response = error_response(status, code, message)
    # the exception's own headers (a 405's Allow, a 401's WWW-Authenticate), not its HTML type
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _unexpected_error(exc: Exception) -> Response | HTTPException:
    log.error("unhandled error at %s", request.path, exc_info=exc)
    return _http_error(InternalServerError())
