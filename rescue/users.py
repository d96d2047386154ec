"""Users who may sign in, their roles, and their passwords (scrypt hashes).

Roles: a *call taker* records calls, an *officer* dispatches, a *planner* edits route
data, an *admin* manages users (and may do everything else). Passwords are stored
only as scrypt hashes (``scrypt$16384$8$1$<salt>$<hash>``, base64, 16-byte random
salt); checking a password takes the same time whether the user exists or not.

The first admin is made on the command line (``sandtable create-user NAME --role
admin``): there is no default account and no default password. At least one active
admin always remains: deactivating or demoting the last one is a :class:`Conflict`.

Passwords must be hard to guess (:func:`password_problems`): 10 to 1024 characters, no
control characters, not the username, and at least "safely unguessable" (score 3 of 4)
for zxcvbn, Dropbox's estimator with its lists of common passwords, words and names
(https://github.com/dropbox/zxcvbn, the Python port https://github.com/dwolfhub/zxcvbn-python).

Sessions live in the database (:meth:`UserStore.start_session`): the signed cookie
carries only a random token, its SHA-256 is the row's key, and every request reads the
row with the user in one query (:meth:`UserStore.session_user`), so a logout, a password
change or a deactivation ends sessions at once for every process and server sharing the
database. Failed log-ins are counted in the database too (:class:`LoginLimiter`).

The ``users`` table is created by the Alembic migration ``0003``, ``sessions`` and
``login_failures`` by ``0006``; this module has its own small Core table definitions of
them, so it depends on no web framework.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    RowMapping,
    String,
    Table,
    bindparam,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from geodata.errors import Conflict, InvalidInput, NotFound
from geodata.i18n import Msg, Name, msg
from geodata.store.audit import record
from geodata.store.schema import Base, UtcDateTime

__all__ = [
    "MAX_PASSWORD_CHARS",
    "MIN_PASSWORD_CHARS",
    "MIN_PASSWORD_SCORE",
    "ROLES",
    "LoginLimiter",
    "SessionInfo",
    "User",
    "UserStore",
    "hash_password",
    "login_failures_table",
    "normalise_username",
    "password_problems",
    "sessions_table",
    "users_table",
    "verify_password",
]

#: every role, least to most privileged (admin manages users)
ROLES: Final = ("call_taker", "officer", "planner", "admin")
MIN_PASSWORD_CHARS: Final = 10
#: longer passwords are refused: hashing megabytes would be a cheap denial of service
MAX_PASSWORD_CHARS: Final = 1024
MAX_DISPLAY_NAME_CHARS: Final = 100
#: zxcvbn's score a password needs: 3 is "safely unguessable" (about 10^8 guesses or more)
MIN_PASSWORD_SCORE: Final = 3
#: zxcvbn judges this many first characters (it refuses longer input: its work grows fast)
_ZXCVBN_CHARS: Final = 72
#: a session's row is written (last_seen_at) at most this often, not on every request
SESSION_TOUCH_S: Final = 300
#: expired or revoked sessions are kept this long (who was signed in when), then deleted
SESSION_KEEP: Final = timedelta(days=30)
_USERNAME = re.compile(r"[a-z0-9._-]{3,64}")

_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16
_KEY_BYTES = 32
_MAXMEM = 64 * 1024 * 1024

_metadata = Base.metadata  # the one registry Alembic sees (geodata.store.schema)
users_table = Table(
    "users",
    _metadata,
    Column("user_id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(100), nullable=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
sessions_table = Table(
    "sessions",
    _metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
    Column("revoked_by", String(64), nullable=True),
    Column("address", String(64), nullable=True),
    Column("user_agent", String(200), nullable=True),
    Index("ix_sessions_user_id", "user_id"),  # indexes as the migrations made them
)
login_failures_table = Table(
    "login_failures",
    _metadata,
    Column("failure_id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(4), nullable=False),
    Column("address", String(64), nullable=False),
    Column("username", String(64), nullable=False),
    Column("at_s", Float, nullable=False),
    Index("ix_login_failures_at_s", "at_s"),
    Index("ix_login_failures_key", "scope", "address", "username", "at_s"),
)


@dataclass(frozen=True)
class User:
    """A user as the application sees it (never with the password hash)."""

    user_id: int
    username: str
    display_name: str | None
    role: str
    active: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "username": self.username,
            "display_name": self.display_name,
            "role": self.role,
            "active": self.active,
        }


# --------------------------------------------------------------------------- passwords
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=_KEY_BYTES
    )


def hash_password(password: str) -> str:
    """Hash ``password`` with scrypt and a fresh random salt.

    Returns
    -------
    str
        ``scrypt$16384$8$1$<salt base64>$<hash base64>``
    """
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _scrypt(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the hash ``stored`` (False for a malformed hash)."""
    try:
        scheme, n, r, p, salt_b64, key_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(key_b64, validate=True)
        n_i, r_i, p_i = int(n), int(r), int(p)
    except ValueError:  # wrong number of fields, bad base64 (binascii.Error) or numbers
        return False
    # parameters come from our own database, but keep a corrupted row from eating memory
    if not (2 <= n_i <= 2**20 and 1 <= r_i <= 32 and 1 <= p_i <= 16):
        return False
    try:
        key = hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=n_i,
            r=r_i,
            p=p_i,
            maxmem=_MAXMEM * 4,
            dklen=len(expected) or _KEY_BYTES,
        )
    except ValueError:
        return False
    return hmac.compare_digest(key, expected)


@functools.cache
def _dummy_hash() -> str:
    """A hash no password matches, checked when a user is unknown (equal timing)."""
    return hash_password(secrets.token_urlsafe(32))


# --------------------------------------------------------------------------- validation
def normalise_username(username: object) -> str:
    """The stored form of a username: stripped, lower-cased (any value: a str)."""
    return username.strip().lower() if isinstance(username, str) else ""


def _kind(value: object) -> Msg:
    """What a value is, as a message says it in either language ("a number" …)."""
    if value is None:
        return msg("json.null")
    if isinstance(value, bool):
        return msg("json.boolean")
    if isinstance(value, int | float):
        return msg("json.number")
    if isinstance(value, str):
        return msg("json.string")
    return msg("json.array" if isinstance(value, list | tuple) else "json.object")


#: zxcvbn's commonest warnings in Chinese (any other: a general "a predictable pattern")
_HINTS_ZH: Final = {
    "This is a top-10 common password": "这是最常见的 10 个密码之一",
    "This is a top-100 common password": "这是最常见的 100 个密码之一",
    "This is a very common password": "这是非常常见的密码",
    "This is similar to a commonly used password": "与常用密码相似",
    'Repeats like "aaa" are easy to guess': "重复字符容易被猜到",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc"': (
        "重复的字符组容易被猜到"
    ),
    "Sequences like abc or 6543 are easy to guess": "连续字符容易被猜到",
    "Recent years are easy to guess": "近年的年份容易被猜到",
    "Dates are often easy to guess": "日期容易被猜到",
    "Straight rows of keys are easy to guess": "键盘上连续的按键容易被猜到",
    "Short keyboard patterns are easy to guess": "简短的键盘模式容易被猜到",
    "Names and surnames by themselves are easy to guess": "单独的姓名容易被猜到",
    "Common names and surnames are easy to guess": "常见姓名容易被猜到",
    "A word by itself is easy to guess": "单个词语容易被猜到",
}


def _check_username(value: object, problems: list[str | Msg]) -> str:
    if not isinstance(value, str):
        problems.append(msg("user.username_type", kind=_kind(value)))
        return ""
    username = normalise_username(value)
    if not _USERNAME.fullmatch(username):
        problems.append(msg("user.username_form", value=repr(value[:80])))
    return username


def password_problems(
    password: str, *, username: str = "", others: tuple[str, ...] = ()
) -> list[Msg]:
    """Why ``password`` may not be used (empty if it may), each a message in both languages.

    10 to 1024 characters, no control characters (NUL, tab, newline …), not only spaces,
    not the username, and a zxcvbn score of at least :data:`MIN_PASSWORD_SCORE` (of 4),
    judged with ``username`` and ``others`` (the display name) as words an attacker knows.
    The password itself is never quoted: messages end up in responses and logs.
    """
    from zxcvbn import zxcvbn  # imported here: its word lists take a moment to load

    problems = []
    if len(password) < MIN_PASSWORD_CHARS:
        problems.append(msg("user.password_short", count=MIN_PASSWORD_CHARS))
    elif len(password) > MAX_PASSWORD_CHARS:
        problems.append(msg("user.password_long", count=MAX_PASSWORD_CHARS))
    if any(unicodedata.category(ch) == "Cc" for ch in password):
        problems.append(msg("user.password_control"))
    elif not password.strip():
        problems.append(msg("user.password_spaces"))
    if username and password.strip().lower() == username:
        problems.append(msg("user.password_username"))
    if problems:
        return problems
    words = [w for w in (username, *others, "sandtable", "kailash", "kora") if w]
    result = zxcvbn(password[:_ZXCVBN_CHARS], user_inputs=words, max_length=_ZXCVBN_CHARS)
    if int(result["score"]) >= MIN_PASSWORD_SCORE:
        return []
    feedback = result.get("feedback") or {}
    hint = str(feedback.get("warning") or "").rstrip(".")
    shown = Name(f" ({hint})", f"（{_HINTS_ZH.get(hint, '可预测的模式')}）") if hint else ""
    return [msg("user.password_guessable", hint=shown)]


def _check_password(
    value: object, username: str, problems: list[str | Msg], others: tuple[str, ...] = ()
) -> str:
    if not isinstance(value, str):
        problems.append(msg("user.password_type", kind=_kind(value)))
        return ""
    problems.extend(password_problems(value, username=username, others=others))
    return value


def _check_role(value: object, problems: list[str | Msg]) -> str:
    if value not in ROLES:
        shown = repr(value)[:40]
        problems.append(msg("user.role", value=shown, accepted=", ".join(ROLES)))
        return ""
    return str(value)


def _check_display_name(value: object, problems: list[str | Msg]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(msg("user.display_name_type", kind=_kind(value)))
        return None
    text = " ".join("".join(ch for ch in value if ch.isprintable() or ch.isspace()).split())
    if len(text) > MAX_DISPLAY_NAME_CHARS:
        problems.append(msg("user.display_name_long", count=MAX_DISPLAY_NAME_CHARS))
    return text or None


def _check_active(value: object, problems: list[str | Msg]) -> bool:
    if not isinstance(value, bool):
        problems.append(msg("user.active", value=repr(value)[:40]))
        return True
    return value


# --------------------------------------------------------------------------- the store
_UNSET: Any = object()


@dataclass(frozen=True)
class SessionInfo:
    """A live session as an admin sees it (``session_id``: a prefix of the token's hash)."""

    session_id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    address: str | None
    user_agent: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "created_at": self.created_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "address": self.address,
            "user_agent": self.user_agent,
        }


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())


def _revoke(
    conn: Connection, user_id: int, now: datetime, actor: str, *, keep: str | None = None
) -> int:
    """Revoke the user's live sessions (but ``keep``'s) on ``conn``; how many."""
    where = [sessions_table.c.user_id == user_id, sessions_table.c.revoked_at.is_(None)]
    where.append(sessions_table.c.expires_at > now)
    if keep:
        where.append(sessions_table.c.token_hash != _token_hash(keep))
    result = conn.execute(
        update(sessions_table).where(*where).values(revoked_at=now, revoked_by=actor[:64])
    )
    return int(result.rowcount or 0)


def _user(row: RowMapping) -> User:
    return User(
        user_id=int(row["user_id"]),
        username=str(row["username"]),
        display_name=row["display_name"],
        role=str(row["role"]),
        active=bool(row["active"]),
    )


_USER_COLUMNS = (
    users_table.c.user_id,
    users_table.c.username,
    users_table.c.display_name,
    users_table.c.role,
    users_table.c.active,
)


#: the user of a live session (every signed-in request runs it): built once, as building
#: it cost more CPU than running it (issue 18)
_SESSION_USER = (
    select(*_USER_COLUMNS, sessions_table.c.last_seen_at)
    .join(users_table, users_table.c.user_id == sessions_table.c.user_id)
    .where(
        sessions_table.c.token_hash == bindparam("key"),
        sessions_table.c.revoked_at.is_(None),
        sessions_table.c.expires_at > bindparam("now"),
        users_table.c.active.is_(True),
    )
)


class UserStore:
    """Users in the route database (SQLite or PostgreSQL): create, sign in, manage.

    Parameters
    ----------
    reader, writer
        The engines of a :class:`geodata.store.RouteStore` (``store.reader``,
        ``store.writer``); writes go through ``writer`` (serialised on SQLite).
    """

    def __init__(self, reader: Engine, writer: Engine) -> None:
        self.reader = reader
        self.writer = writer
        _dummy_hash()  # made now, so that the first unknown username takes no longer

    def create_user(
        self,
        username: str,
        password: str,
        role: str,
        display_name: str | None = None,
        *,
        actor: str = "system",
    ) -> User:
        """Add a user; ``actor`` (who adds them) goes into the audit log.

        Raises
        ------
        InvalidInput
            Listing every problem of the username, password, role and display name.
        Conflict
            If the username is taken.
        """
        problems: list[str | Msg] = []
        name = _check_username(username, problems)
        name_problems: list[str | Msg] = []
        shown_name = _check_display_name(display_name, name_problems)
        secret = _check_password(password, name, problems, (shown_name or "",))
        checked_role = _check_role(role, problems)
        problems += name_problems
        if problems:
            raise InvalidInput(msg("user.cannot_create"), details=problems)
        now = datetime.now(UTC)
        password_hash = hash_password(secret)
        try:
            with self.writer.begin() as conn:
                if self._id_of(conn, name) is not None:
                    raise Conflict(msg("user.taken", name=repr(name)))
                result = conn.execute(
                    users_table.insert().values(
                        username=name,
                        display_name=shown_name,
                        role=checked_role,
                        password_hash=password_hash,
                        active=True,
                        created_at=now,
                        updated_at=now,
                    )
                )
                key = result.inserted_primary_key
                assert key is not None
                user_id = int(key[0])
                record(
                    conn,
                    actor=actor,
                    action="user.create",
                    target_type="user",
                    target_id=name,
                    summary=f"added {name} as {checked_role}",
                    details={"role": checked_role},
                    at=now,
                )
        except IntegrityError:  # created by someone else between our check and insert
            raise Conflict(msg("user.taken", name=repr(name))) from None
        return User(user_id, name, shown_name, checked_role, True)

    def authenticate(self, username: str, password: str) -> User | None:
        """The active user with this username and password, else None.

        A password is always hashed (against a dummy hash for an unknown user), so the
        time taken does not tell whether a username exists.
        """
        name = normalise_username(username)
        if not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
            password = ""
        row = None
        if _USERNAME.fullmatch(name):
            with self.reader.connect() as conn:
                row = (
                    conn.execute(
                        select(*_USER_COLUMNS, users_table.c.password_hash).where(
                            users_table.c.username == name
                        )
                    )
                    .mappings()
                    .first()
                )
        if row is None:
            verify_password(password, _dummy_hash())
            return None
        if not verify_password(password, row["password_hash"]) or not row["active"]:
            return None
        return _user(row)

    def get(self, user_id: int) -> User:
        """The user with this id.

        Raises
        ------
        NotFound
            If there is none.
        """
        with self.reader.connect() as conn:
            row = (
                conn.execute(select(*_USER_COLUMNS).where(users_table.c.user_id == user_id))
                .mappings()
                .first()
            )
        if row is None:
            raise NotFound(msg("user.unknown", user_id=user_id))
        return _user(row)

    def list(self) -> tuple[User, ...]:
        """Every user, by username."""
        with self.reader.connect() as conn:
            rows = conn.execute(select(*_USER_COLUMNS).order_by(users_table.c.username))
            return tuple(_user(r) for r in rows.mappings())

    def count_admins(self) -> int:
        """The number of active admins."""
        with self.reader.connect() as conn:
            return self._count_admins(conn)

    def update(
        self,
        user_id: int,
        *,
        role: str = _UNSET,
        active: bool = _UNSET,
        password: str = _UNSET,
        display_name: str | None = _UNSET,
        actor: str = "system",
        keep_session: str | None = None,
    ) -> User:
        """Change a user's role, active flag, password or display name (None clears it).

        ``actor`` (who changes it) goes into the audit log, with the fields changed (a
        new password as ``"password"``, never its value). A new password or a
        deactivation revokes every session of the user in the same transaction, except
        the one whose token is ``keep_session`` (the admin changing their own password).

        Raises
        ------
        InvalidInput
            Listing every problem of the values given.
        NotFound
            If there is no such user.
        Conflict
            If the change would leave no active admin.
        """
        problems: list[str | Msg] = []
        values: dict[str, Any] = {}
        if role is not _UNSET:
            values["role"] = _check_role(role, problems)
        if active is not _UNSET:
            values["active"] = _check_active(active, problems)
        if display_name is not _UNSET:
            values["display_name"] = _check_display_name(display_name, problems)
        with self.writer.begin() as conn:
            row = (
                conn.execute(
                    select(*_USER_COLUMNS).where(users_table.c.user_id == user_id).with_for_update()
                )
                .mappings()
                .first()
            )
            if row is None:
                raise NotFound(msg("user.unknown", user_id=user_id))
            if password is not _UNSET:
                secret = _check_password(password, str(row["username"]), problems)
            if problems:
                raise InvalidInput(msg("user.cannot_change"), details=problems)
            if password is not _UNSET:
                values["password_hash"] = hash_password(secret)
            was_admin = row["role"] == "admin" and bool(row["active"])
            stays_admin = values.get("role", row["role"]) == "admin" and values.get(
                "active", bool(row["active"])
            )
            if was_admin and not stays_admin:
                # lock the admins' rows (PostgreSQL; SQLite writers are serialised already)
                others = conn.execute(
                    select(users_table.c.user_id)
                    .where(
                        users_table.c.role == "admin",
                        users_table.c.active.is_(True),
                        users_table.c.user_id != user_id,
                    )
                    .with_for_update()
                ).all()
                if not others:
                    raise Conflict(
                        f"{row['username']!r} is the last active admin: "
                        "make another user an admin first"
                    )
            now = datetime.now(UTC)
            fields = sorted("password" if k == "password_hash" else k for k in values)
            shown: dict[str, Any] = {
                k: values[k] for k in ("role", "active", "display_name") if k in values
            }
            values["updated_at"] = now
            conn.execute(
                users_table.update().where(users_table.c.user_id == user_id).values(**values)
            )
            if "password_hash" in values or values.get("active") is False:
                revoked = _revoke(conn, user_id, now, actor, keep=keep_session)
                shown["sessions_revoked"] = revoked
            record(
                conn,
                actor=actor,
                action="user.update",
                target_type="user",
                target_id=row["username"],
                summary=f"changed {', '.join(fields) or 'nothing'} of {row['username']}",
                details={"fields": fields, **shown},
                at=now,
            )
            updated = conn.execute(select(*_USER_COLUMNS).where(users_table.c.user_id == user_id))
            return _user(updated.mappings().one())

    # ----------------------------------------------------------------------- sessions
    def start_session(
        self,
        user_id: int,
        *,
        lifetime: timedelta,
        address: str | None = None,
        user_agent: str | None = None,
    ) -> str:
        """A new session of the user, ending after ``lifetime``: its secret token.

        Only the token's SHA-256 is stored. Sessions that ended more than
        :data:`SESSION_KEEP` ago are deleted on the way.
        """
        token = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.writer.begin() as conn:
            conn.execute(
                delete(sessions_table).where(sessions_table.c.expires_at < now - SESSION_KEEP)
            )
            conn.execute(
                sessions_table.insert().values(
                    token_hash=_token_hash(token),
                    user_id=user_id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + lifetime,
                    address=(address or "")[:64] or None,
                    user_agent=_printable(user_agent or "")[:200] or None,
                )
            )
        return token

    def session_user(self, token: str) -> User | None:
        """The active user of the live session with ``token``, or None.

        One indexed read (the session's primary key joined to the user); the row's
        ``last_seen_at`` is written at most every :data:`SESSION_TOUCH_S` seconds.
        """
        if not isinstance(token, str) or not 20 <= len(token) <= 100:
            return None
        now = datetime.now(UTC)
        key = _token_hash(token)
        with self.reader.connect() as conn:
            row = conn.execute(_SESSION_USER, {"key": key, "now": now}).mappings().first()
        if row is None:
            return None
        if (now - row["last_seen_at"]).total_seconds() >= SESSION_TOUCH_S:
            with self.writer.begin() as conn:
                conn.execute(
                    update(sessions_table)
                    .where(sessions_table.c.token_hash == key)
                    .values(last_seen_at=now)
                )
        return _user(row)

    def end_session(self, token: str, *, actor: str = "system") -> bool:
        """Revoke the session with ``token`` (a logout); whether a live one was ended."""
        if not isinstance(token, str) or not token:
            return False
        now = datetime.now(UTC)
        with self.writer.begin() as conn:
            result = conn.execute(
                update(sessions_table)
                .where(
                    sessions_table.c.token_hash == _token_hash(token),
                    sessions_table.c.revoked_at.is_(None),
                )
                .values(revoked_at=now, revoked_by=actor[:64])
            )
        return bool(result.rowcount)

    def revoke_sessions(self, user_id: int, *, actor: str = "system") -> int:
        """Revoke every live session of the user; how many there were.

        Raises
        ------
        NotFound
            If there is no such user.
        """
        now = datetime.now(UTC)
        with self.writer.begin() as conn:
            username = conn.execute(
                select(users_table.c.username).where(users_table.c.user_id == user_id)
            ).scalar()
            if username is None:
                raise NotFound(msg("user.unknown", user_id=user_id))
            count = _revoke(conn, user_id, now, actor)
            record(
                conn,
                actor=actor,
                action="user.sessions_revoke",
                target_type="user",
                target_id=str(username),
                summary=f"signed {username} out everywhere ({count} session(s))",
                details={"sessions_revoked": count},
                at=now,
            )
        return count

    def sessions(self, user_id: int) -> tuple[SessionInfo, ...]:
        """The user's live sessions (not revoked, not expired), newest first.

        Raises
        ------
        NotFound
            If there is no such user.
        """
        self.get(user_id)
        now = datetime.now(UTC)
        with self.reader.connect() as conn:
            rows = conn.execute(
                select(sessions_table)
                .where(
                    sessions_table.c.user_id == user_id,
                    sessions_table.c.revoked_at.is_(None),
                    sessions_table.c.expires_at > now,
                )
                .order_by(sessions_table.c.created_at.desc())
            ).mappings()
            return tuple(
                SessionInfo(
                    session_id=str(r["token_hash"])[:12],
                    created_at=r["created_at"],
                    last_seen_at=r["last_seen_at"],
                    expires_at=r["expires_at"],
                    address=r["address"],
                    user_agent=r["user_agent"],
                )
                for r in rows
            )

    @staticmethod
    def _id_of(conn: Connection, username: str) -> int | None:
        found = conn.execute(
            select(users_table.c.user_id).where(users_table.c.username == username)
        ).scalar()
        return None if found is None else int(found)

    @staticmethod
    def _count_admins(conn: Connection) -> int:
        return int(
            conn.execute(
                select(func.count())
                .select_from(users_table)
                .where(users_table.c.role == "admin", users_table.c.active.is_(True))
            ).scalar_one()
        )


# --------------------------------------------------------------------------- log-in limits
class LoginLimiter:
    """Failed log-ins per (address, username) and per address within a sliding window.

    Counted in the database (``login_failures``), so every worker process and every
    server sharing the database enforces one limit, and a restart forgets nothing.
    Each failure is one row per key; a key is limited once ``limit`` failures lie
    within ``window_s``, until the oldest of the last ``limit`` leaves the window.
    ``clock`` (seconds since the epoch: compared across machines) can be replaced by
    tests.
    """

    def __init__(
        self,
        reader: Engine,
        writer: Engine,
        *,
        per_user: int = 5,
        per_address: int = 20,
        window_s: float = 15 * 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.per_user = per_user
        self.per_address = per_address
        self.window_s = window_s
        self.clock = clock
        self._sweep_lock = threading.Lock()
        self._last_sweep = -float("inf")

    def retry_after(self, address: str, username: str) -> int | None:
        """Seconds until a new attempt is allowed, or None if it is allowed now."""
        now = self.clock()
        t = login_failures_table
        waits = []
        with self.reader.connect() as conn:
            for scope, addr, name, limit in self._keys(address, username):
                # the limit-th newest failure in the window: the attempt waits until it leaves
                oldest = conn.execute(
                    select(t.c.at_s)
                    .where(
                        t.c.scope == scope,
                        t.c.address == addr,
                        t.c.username == name,
                        t.c.at_s > now - self.window_s,
                    )
                    .order_by(t.c.at_s.desc())
                    .limit(1)
                    .offset(limit - 1)
                ).scalar()
                if oldest is not None:
                    waits.append(float(oldest) + self.window_s - now)
        if not waits:
            return None
        return max(1, int(max(waits) + 0.999))

    def failed(self, address: str, username: str) -> None:
        """Count a failed attempt (and, now and then, forget failures out of the window)."""
        now = self.clock()
        rows = [
            {"scope": scope, "address": addr, "username": name, "at_s": now}
            for scope, addr, name, _ in self._keys(address, username)
        ]
        with self.writer.begin() as conn:
            conn.execute(login_failures_table.insert(), rows)
            if self._due_for_sweep(now):
                conn.execute(
                    delete(login_failures_table).where(
                        login_failures_table.c.at_s <= now - self.window_s
                    )
                )

    def succeeded(self, address: str, username: str) -> None:
        """Forget the failures of this address and username (not the address's total)."""
        t = login_failures_table
        scope, addr, name, _ = self._keys(address, username)[0]
        with self.writer.begin() as conn:
            conn.execute(
                delete(t).where(t.c.scope == scope, t.c.address == addr, t.c.username == name)
            )

    def _keys(self, address: str, username: str) -> list[tuple[str, str, str, int]]:
        # PostgreSQL text cannot hold NUL: any username may be tried, valid or not
        addr, name = address[:64].replace("\0", "\ufffd"), username[:64].replace("\0", "\ufffd")
        return [("user", addr, name, self.per_user), ("addr", addr, "", self.per_address)]

    def _due_for_sweep(self, now: float) -> bool:
        with self._sweep_lock:
            if now - self._last_sweep < 60:
                return False
            self._last_sweep = now
            return True
