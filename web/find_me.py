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
from typing import Annotated, Any, ClassVar

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
from pydantic import ConfigDict, Field, model_validator

from geodata.errors import Conflict, InvalidInput, NotFound, TooManyRequests
from geodata.i18n import Name, joined
from rescue.find_me import (
    DEFAULT_TTL_S,
    MAX_ACCURACY_M,
    FindMeLimiter,
    FindMeStore,
    Fix,
    hash_token,
    parse_fix,
)
from web.answers import FindMeLink, FindMeReceived
from web.auth import current_user_name
from web.config import ConfigError
from web.contract import DISPATCH, PUBLIC, Contract, ProblemText, api_operation, problem
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


class NoFields(Contract):
    """A body that takes no fields: ``{}`` or nothing."""

    model_config = ConfigDict(extra="forbid")
    problem_texts: ClassVar[dict[tuple[str, str], ProblemText]] = {
        ("extra_forbidden", "*"): lambda _: "the body takes no fields: send {} or nothing"
    }


class FixBody(Contract):
    """``POST /api/find-me/<token>``: the phone's GPS fix (the Geolocation API's fields).

    Checked by :func:`rescue.find_me.parse_fix` (every problem named, in both languages
    where a caller may read it); :meth:`fix` is the fix it reads.
    """

    model_config = ConfigDict(extra="forbid")

    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    accuracy_m: Annotated[float, Field(gt=0, le=MAX_ACCURACY_M)]
    altitude_m: Annotated[float | None, Field(ge=-500, le=9000)] = None
    altitude_accuracy_m: float | None = None
    fixed_at: Annotated[
        float | str | None,
        Field(description="milliseconds since the epoch (the Geolocation timestamp) or ISO 8601"),
    ] = None

    @model_validator(mode="before")
    @classmethod
    def _read(cls, data: Any) -> Any:
        try:
            parse_fix(data)  # every problem, in the texts a caller may read
        except InvalidInput as exc:
            raise problem(*exc.details) from None
        return data

    def fix(self) -> Fix:
        """The fix as :func:`~rescue.find_me.parse_fix` reads it."""
        return parse_fix(self.model_dump(exclude_unset=True))


@api_operation(
    bp,
    "POST",
    "/api/incidents/<int:incident_id>/find-me",
    summary="a one-time find-me link for an open incident: its url, the message to send "
    "by SMS or WeChat (en, zh) and its QR code (an SVG data URI); the token is stored hashed "
    "and shown only here",
    roles=DISPATCH,
    body=NoFields,
    body_optional=True,
    json_only=True,
    body_limit=BODY_BYTES,
    ok={201: FindMeLink},
    errors=(404,),
)
def create_link(incident_id: int, body: NoFields) -> Response:
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


def _not_too_many(token: str) -> None:
    """Refuse (429) an address or a link with too many failed attempts, before the body
    is read."""
    wait = _limiter(current_app).retry_after(request.remote_addr or "unknown", _key(token))
    if wait is not None:
        raise TooManyRequests(
            f"too many attempts: try again in {(wait + 59) // 60} min "
            f"/ 尝试次数过多：请 {(wait + 59) // 60} 分钟后再试",
            retry_after_s=wait,
        )


def _key(token: str) -> str:
    return hash_token(token)[:32]


@api_operation(
    bp,
    "POST",
    "/api/find-me/<token>",
    summary="the caller's phone sends its GPS fix through a find-me link (no sign-in; "
    "one fix per link: a second is a 409; unknown or expired 404; attempts limited per "
    "address and link, 429); messages in English and Chinese",
    roles=PUBLIC,
    body=FixBody,
    json_only=True,
    body_limit=BODY_BYTES,
    example='{"lat": 31.07, "lon": 81.31, "accuracy_m": 12}',
    what=joined([Name("the position cannot be used", "位置无法使用")]),
    ok={200: FindMeReceived},
    errors=(404, 409, 429),
    before=_not_too_many,
)
def submit(token: str, body: FixBody) -> Response:
    limiter = _limiter(current_app)
    address = request.remote_addr or "unknown"
    key = _key(token)
    fix = body.fix()
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
