"""Find-me links (see :mod:`rescue.find_me`): the caller's phone sends its GPS fix.

* ``POST /api/incidents/<id>/find-me`` — call takers and officers: a new one-time link
  (201): its ``url``, the text to send by SMS or WeChat in both languages, and its QR code
  as an SVG data URI (made here with segno). The token is in this answer only.
* ``GET /f/<token>`` — the caller's page: no log-in, both languages, phone-sized, served
  assets only; it asks the browser for its position and posts it.
* ``POST /api/find-me/<token>`` ``{lat, lon, accuracy_m, altitude_m?, fixed_at?}`` — the
  fix (200); bad input 422, a second fix 409, an unknown or expired link 404, too many
  failed attempts (unknown, spent or expired links) 429; every message a caller may see in
  both languages. Bad input writes nothing.

Links live ``FIND_ME_TTL_S`` seconds (default a day; 60 to 7 days).
"""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import UnsupportedMediaType

from geodata.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from rescue.find_me import DEFAULT_TTL_S, FindMeLimiter, FindMeStore, hash_token, parse_fix
from web.auth import current_user_name, require_role
from web.bodies import json_object, read_body
from web.config import ConfigError
from web.state import get_state

__all__ = ["BODY_BYTES", "bp", "check_settings"]

bp = Blueprint("find_me", __name__)

_TTL_KEY = "FIND_ME_TTL_S"
_LIMITER = "sandtable.find_me_limiter"
#: a token as secrets.token_urlsafe makes it; anything else is not looked up
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
#: a find-me body is a few numbers
BODY_BYTES = 2048


def check_settings(config: Any) -> None:
    """Refuse a bad ``FIND_ME_TTL_S`` at start-up.

    Raises
    ------
    ConfigError
        If it is not a whole number of seconds from 60 to 604800 (a week).
    """
    value = config.get(_TTL_KEY, DEFAULT_TTL_S)
    if isinstance(value, bool) or not isinstance(value, int) or not 60 <= value <= 604_800:
        raise ConfigError(
            f"SANDTABLE_{_TTL_KEY}={value!r} must be a whole number of seconds from 60 to 604800"
        )


def _store() -> FindMeStore:
    store = get_state().store
    return FindMeStore(store.reader, store.writer)


def _limiter(app: Flask) -> FindMeLimiter:
    limiter = app.extensions.get(_LIMITER)
    if limiter is None:
        store = app.extensions["sandtable"].store
        limiter = app.extensions[_LIMITER] = FindMeLimiter(store.reader, store.writer)
    return limiter


def _plausible(token: str) -> bool:
    return 16 <= len(token) <= 64 and set(token) <= _TOKEN_CHARS


def _qr_data_uri(url: str) -> str:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


@bp.post("/api/incidents/<int:incident_id>/find-me")
@require_role("call_taker", "officer")
def create_link(incident_id: int) -> Response:
    if request.args:
        raise InvalidInput("unknown query parameter(s) (accepted: none)")
    raw = read_body(request, limit=BODY_BYTES)
    if raw.strip():
        if not request.is_json:
            raise UnsupportedMediaType("send the body as application/json, or no body")
        if json_object(raw, example="{}"):
            raise InvalidInput("the body takes no fields: send {} or nothing")
    ttl_s = int(current_app.config.get(_TTL_KEY, DEFAULT_TTL_S))
    token, link = _store().create(incident_id, current_user_name(), ttl_s=ttl_s)
    url = url_for("find_me.page", token=token, _external=True)
    hours = ttl_s / 3600
    valid = f"{hours:g} h" if hours >= 1 else f"{ttl_s // 60} min"
    valid_zh = f"{hours:g} 小时" if hours >= 1 else f"{ttl_s // 60} 分钟"
    link.update(
        url=url,
        text={
            "en": f"Sandtable rescue: open this link and allow location to send us where you "
            f"are (one use, valid {valid}): {url}",
            "zh": f"冈仁波齐救援：请打开此链接并允许定位，把您的位置发给我们（仅限一次，"
            f"{valid_zh}内有效）：{url}",
        },
        qr_svg=_qr_data_uri(url),
    )
    response = jsonify(link=link)
    response.status_code = 201
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/f/<token>")
def page(token: str) -> Response:
    status = "unknown"
    if _plausible(token):
        try:
            status = _store().status(token)
        except NotFound:
            status = "unknown"
    body = render_template("find_me.html", status=status)
    response = Response(body, status=200 if status == "ready" else 404, mimetype="text/html")
    # the token is in the address: never cached, never sent on as a referrer
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.post("/api/find-me/<token>")
def submit(token: str) -> Response:
    limiter = _limiter(current_app)
    address = request.remote_addr or "unknown"
    key = hash_token(token)[:32]
    wait = limiter.retry_after(address, key)
    if wait is not None:
        raise TooManyRequests(
            f"too many attempts: try again in {(wait + 59) // 60} min "
            f"/ 尝试次数过多：请 {(wait + 59) // 60} 分钟后再试",
            retry_after_s=wait,
        )
    if not request.is_json:
        raise UnsupportedMediaType("send the position as application/json / 请以 JSON 发送位置")
    body = json_object(
        read_body(request, limit=BODY_BYTES),
        example='{"lat": 31.07, "lon": 81.31, "accuracy_m": 12}',
    )
    fix = parse_fix(body)  # bad input is refused before anything is written
    try:
        if not _plausible(token):
            raise NotFound(
                "This link is unknown or has expired: ask the rescue centre for a new one. "
                "/ 此链接无效或已过期：请向救援中心索取新链接。"
            )
        answer = _store().submit(token, fix)
    except (NotFound, Conflict):
        limiter.failed(address, key)  # a guessed, spent or expired link counts
        raise
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(TooManyRequests)
def _too_many(exc: TooManyRequests) -> Response:
    from web.errors import error_response

    response = error_response(429, "too_many_requests", exc.message, data=exc.data)
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response
