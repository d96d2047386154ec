"""Signing in and out, the current user, role checks and CSRF tokens.

Sessions are rows of the database's ``sessions`` table; Flask's signed cookie
(``HttpOnly``, ``SameSite=Lax``, ``Secure`` when ``SANDTABLE_SESSION_COOKIE_SECURE=true``,
which a deployment behind TLS must set) carries the session's random token and a CSRF
token. Every request reads the session row with its user in one query
(:meth:`rescue.users.UserStore.session_user`), so a logout, a password change or a
deactivation ends sessions at once, in every process and server sharing the database.
A session ends 12 hours after sign-in (``PERMANENT_SESSION_LIFETIME``).

CSRF: every unsafe request (POST, PUT, PATCH, DELETE) of a signed-in user through
:func:`require_role` must carry the session's token in the ``X-CSRF-Token`` header
or the ``csrf_token`` form field; the log-in form carries one too. ``POST /api/login``
accepts only ``application/json``, which a cross-site form cannot send.

Failed log-ins are limited per (client address, username) and per address
(:class:`rescue.users.LoginLimiter`), counted in the database: one limit for every
worker process and server, kept across restarts. Behind a reverse proxy the client
address is the proxy's unless the app is wrapped in werkzeug's ``ProxyFix``.

The admins' users API (``/api/users``) is :mod:`web.users_api`; the answers' models are
in :mod:`web.answers`.
"""

from __future__ import annotations

import functools
import hmac
import logging
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sansio.blueprints import BlueprintSetupState
from pydantic import StrictStr
from werkzeug.wrappers import Response as BaseResponse

from geodata.errors import (
    Forbidden,
    TooManyRequests,
    Unauthorized,
)
from geodata.i18n import msg
from rescue.users import ROLES, LoginLimiter, User, UserStore
from web.answers import Me, SignedOut
from web.config import ConfigError
from web.contract import PUBLIC, Contract, ProblemText, api_operation
from web.errors import error_response
from web.state import get_state

__all__ = [
    "SECRET_KEY_FILE",
    "LoginLimiter",
    "bp",
    "csrf_token",
    "current_user",
    "load_secret_key",
    "no_store",
    "require_role",
    "users",
]

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)

SECRET_KEY_FILE = "secret_key"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_HEADER = "X-CSRF-Token"
#: the cookie's key for the session token (the user's id is only in the database row)
SESSION_KEY = "sid"
_WRONG = "wrong username or password"
_WRONG_ZH = "用户名或密码错误"
_EXTENSION = "sandtable_auth"

P = ParamSpec("P")
R = TypeVar("R")


# --------------------------------------------------------------------------- secret key
def load_secret_key(instance_dir: Path) -> str:
    """The key signing session cookies: ``<instance dir>/secret_key``, made on first use.

    The file holds 32 random bytes as hex, mode 0600. It is written to a temporary
    file and linked into place, so two processes starting together agree on one key.

    Raises
    ------
    ConfigError
        If the file cannot be read or written, or is too short to be a key.
    """
    path = Path(instance_dir) / SECRET_KEY_FILE
    try:
        if not path.exists():
            _create_secret_key(path)
        key = path.read_text("ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read or create the secret key file {path}: {exc}") from exc
    if len(key) < 32:
        raise ConfigError(
            f"the secret key file {path.name!r} in the instance directory is too short: "
            "delete it to make a new one (signs everyone out)"
        )
    return key


def _create_secret_key(path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # fails if another process made the key first: keep theirs
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)


@dataclass
class _AuthState:
    limiter: LoginLimiter | None = None
    users: UserStore | None = None


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    state.app.extensions[_EXTENSION] = _AuthState()


def _auth() -> _AuthState:
    auth: _AuthState = current_app.extensions[_EXTENSION]
    return auth


def limiter(app: Flask) -> LoginLimiter:
    """The log-in limiter of ``app`` (counting in the app's database)."""
    auth: _AuthState = app.extensions[_EXTENSION]
    if auth.limiter is None:
        store = app.extensions["sandtable"].store
        auth.limiter = LoginLimiter(store.reader, store.writer)
    return auth.limiter


def users() -> UserStore:
    """The users of the current app's database."""
    auth = _auth()
    if auth.users is None:
        store = get_state().store
        auth.users = UserStore(store.reader, store.writer)
    return auth.users


# --------------------------------------------------------------------------- session
def current_user() -> User | None:
    """The signed-in, active user of this request's live session, or None."""
    if "sandtable_user" in g:
        cached: User | None = g.sandtable_user
        return cached
    user = None
    token = session.get(SESSION_KEY)
    if isinstance(token, str):
        user = users().session_user(token)
        if user is None:  # logged out, revoked, expired or deactivated
            session.pop(SESSION_KEY, None)
    g.sandtable_user = user
    return user


def session_token() -> str | None:
    """The token of this request's session (signed in or not), or None."""
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) else None


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    token = session.get("csrf_token")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf_token"] = token
    return token


def _csrf_ok() -> bool:
    expected = session.get("csrf_token")
    sent = request.headers.get(CSRF_HEADER) or ""
    if not sent and request.mimetype == "application/x-www-form-urlencoded":
        # the HTML forms (log-in, sign-out); never parse a multipart upload for it
        sent = request.form.get("csrf_token") or ""
    if not isinstance(expected, str) or not expected:
        return False
    return hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def _is_api() -> bool:
    return (request.path + "/").startswith("/api/")


def _csrf_refused() -> Response:
    message = "missing or wrong CSRF token: reload the page, or send X-CSRF-Token"
    if _is_api():
        return error_response(403, "csrf", message)
    abort(403, description=message)


def _sign_in(user: User) -> str:
    _sign_out()  # nothing from before the sign-in survives (session fixation)
    session.permanent = True
    session[SESSION_KEY] = users().start_session(
        user.user_id,
        lifetime=current_app.permanent_session_lifetime,
        address=_client_address(),
        user_agent=request.headers.get("User-Agent"),
    )
    g.sandtable_user = user
    return csrf_token()  # a new token for the new session


def _sign_out() -> None:
    """End this request's session in the database (if any) and clear the cookie."""
    token = session_token()
    if token:
        users().end_session(token, actor=current_user_name())
    session.clear()
    g.sandtable_user = None


def require_role(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R | BaseResponse]]:
    """Let only signed-in users with one of ``roles`` (admins always) call the view.

    Anonymous callers get a 401 under ``/api/`` and a redirect to the log-in page
    elsewhere; other roles a 403. Unsafe methods also need the CSRF token.
    """
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValueError(f"unknown roles {unknown}; roles are {ROLES}")

    def decorate(view: Callable[P, R]) -> Callable[P, R | BaseResponse]:
        @functools.wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R | BaseResponse:
            user = current_user()
            if user is None:
                if _is_api():
                    raise Unauthorized(msg("auth.sign_in_first"))
                return redirect(url_for("auth.login_page", next=_local_target()))
            if user.role != "admin" and user.role not in roles:
                if _is_api():
                    raise Forbidden(msg("auth.role_refused", role=msg(f"role.{user.role}")))
                abort(403)
            if request.method in UNSAFE_METHODS and not _csrf_ok():
                return _csrf_refused()
            return view(*args, **kwargs)

        wrapped.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorate


@bp.app_template_global()
def may_open(endpoint: str) -> bool:
    """Whether the signed-in user's role may call ``endpoint`` (for links in pages).

    The roles are the ones the view's :func:`require_role` lets in; an endpoint the app
    does not have, or one without a role check, is False.
    """
    user = current_user()
    view = current_app.view_functions.get(endpoint)
    allowed = getattr(view, "allowed_roles", None)
    if user is None or allowed is None:
        return False
    return user.role == "admin" or user.role in allowed


def _local_target() -> str:
    query = request.query_string.decode("utf-8", "replace")
    return request.path + ("?" + query if query else "")


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, else the map page."""
    default = url_for("map.index")
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _check_password_attempt(username: str, password: str) -> User:
    """The user, or Unauthorized / TooManyRequests; failures are counted and logged."""
    limits = limiter(current_app)
    address = _client_address()
    key = username.strip().lower()[:64]
    wait = limits.retry_after(address, key)
    if wait is not None:
        log.warning("log-in refused, too many failures: %r from %s", key, address)
        raise TooManyRequests(msg("auth.too_many", minutes=(wait + 59) // 60), retry_after_s=wait)
    user = users().authenticate(username, password)
    if user is None:
        limits.failed(address, key)
        log.info("failed log-in for %r from %s", key, address)
        raise Unauthorized(msg("auth.wrong"))
    limits.succeeded(address, key)
    log.info("%r signed in from %s", user.username, address)
    return user


@bp.errorhandler(TooManyRequests)
def _too_many(exc: TooManyRequests) -> Response:
    if _is_api():
        response = error_response(429, "too_many_requests", exc.message, data=exc.data)
    else:
        response = _login_form(429, error=exc.message)
    response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


# --------------------------------------------------------------------------- pages
def _login_form(status: int, *, error: str | None = None, username: str = "") -> Response:
    body = render_template(
        "login.html",
        user=current_user(),
        csrf_token=csrf_token(),
        next=request.values.get("next", ""),
        error=error,
        username=username,
    )
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/login")
def login_page() -> Response:
    return _login_form(200)


@bp.post("/login")
def login_submit() -> BaseResponse:
    username = request.form.get("username", "")[:200]
    if not _csrf_ok():
        return _login_form(403, error="the form expired: please try again", username=username)
    try:
        user = _check_password_attempt(username, request.form.get("password", ""))
    except Unauthorized:
        return _login_form(401, error=f"{_WRONG} / {_WRONG_ZH}", username=username)
    _sign_in(user)
    return redirect(safe_next(request.form.get("next")), code=303)


@bp.post("/logout")
def logout_submit() -> BaseResponse:
    if current_user() is not None and not _csrf_ok():
        return _csrf_refused()
    _sign_out()
    return redirect(url_for("auth.login_page"), code=303)


# --------------------------------------------------------------------------- API
class LoginBody(Contract):
    """``POST /api/login``."""

    problem_texts: ClassVar[dict[tuple[str, str], ProblemText]] = {
        ("missing", "*"): lambda _: msg("auth.strings"),
        ("string_type", "*"): lambda _: msg("auth.strings"),
    }

    username: StrictStr
    password: StrictStr


def _me(user: User) -> dict[str, Any]:
    return {
        "user_id": user.user_id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
    }


@api_operation(
    bp,
    "POST",
    "/api/login",
    summary="sign in; the answer holds the CSRF token",
    roles=PUBLIC,
    body=LoginBody,
    ok={200: Me},
    errors=(401, 429),
    json_only=True,
    example='{"username": "tenzin", "password": "…"}',
)
def api_login(body: LoginBody) -> Response:
    user = _check_password_attempt(body.username, body.password)
    token = _sign_in(user)
    return no_store({"user": _me(user), "csrf_token": token})


@api_operation(bp, "POST", "/api/logout", summary="sign out", roles=PUBLIC, ok={200: SignedOut})
def api_logout() -> Response:
    if current_user() is not None and not _csrf_ok():
        return _csrf_refused()
    _sign_out()
    return no_store({"signed_out": True})


@api_operation(
    bp,
    "GET",
    "/api/me",
    summary="who is signed in, and the session's CSRF token",
    roles=PUBLIC,
    ok={200: Me},
    errors=(401,),
)
def api_me() -> Response:
    user = current_user()
    if user is None:
        raise Unauthorized(msg("auth.not_signed_in"))
    return no_store({"user": _me(user), "csrf_token": csrf_token()})


def current_user_name() -> str:
    """The signed-in user's username, or "anonymous"."""
    user = current_user()
    return user.username if user else "anonymous"


def no_store(body: dict[str, Any]) -> Response:
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response
