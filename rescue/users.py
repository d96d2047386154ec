"""Users who may sign in, their roles, and their passwords (scrypt hashes).

Roles: a *call taker* records calls, an *officer* dispatches, a *planner* edits route
data, an *admin* manages users (and may do everything else). Passwords are stored
only as scrypt hashes (``scrypt$16384$8$1$<salt>$<hash>``, base64, 16-byte random
salt); checking a password takes the same time whether the user exists or not.

The first admin is made on the command line (``sandtable create-user NAME --role
admin``): there is no default account and no default password. At least one active
admin always remains: deactivating or demoting the last one is a :class:`Conflict`.

The ``users`` table is created by the Alembic migration ``0003``; this module has its
own small Core table definition of it, so it depends on no web framework.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    RowMapping,
    String,
    Table,
    func,
    select,
)
from sqlalchemy.exc import IntegrityError

from geodata.store.audit import record
from geodata.store.schema import UtcDateTime
from rescue.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "MAX_PASSWORD_CHARS",
    "MIN_PASSWORD_CHARS",
    "ROLES",
    "User",
    "UserStore",
    "hash_password",
    "normalise_username",
    "users_table",
    "verify_password",
]

#: every role, least to most privileged (admin manages users)
ROLES: Final = ("call_taker", "officer", "planner", "admin")
MIN_PASSWORD_CHARS: Final = 10
#: longer passwords are refused: hashing megabytes would be a cheap denial of service
MAX_PASSWORD_CHARS: Final = 1024
MAX_DISPLAY_NAME_CHARS: Final = 100
_USERNAME = re.compile(r"[a-z0-9._-]{3,64}")

_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16
_KEY_BYTES = 32
_MAXMEM = 64 * 1024 * 1024

_metadata = MetaData()
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


def _check_username(value: object, problems: list[str]) -> str:
    if not isinstance(value, str):
        problems.append(f"username must be a string, not {type(value).__name__}")
        return ""
    username = normalise_username(value)
    if not _USERNAME.fullmatch(username):
        problems.append(
            f"username {value[:80]!r} must be 3-64 characters from a-z, 0-9, '.', '_' and '-'"
        )
    return username


def _check_password(value: object, username: str, problems: list[str]) -> str:
    # never quote the password itself: messages end up in responses and logs
    if not isinstance(value, str):
        problems.append("password must be a string")
        return ""
    if len(value) < MIN_PASSWORD_CHARS:
        problems.append(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    elif len(value) > MAX_PASSWORD_CHARS:
        problems.append(f"password must have at most {MAX_PASSWORD_CHARS} characters")
    if username and value.strip().lower() == username:
        problems.append("password must not be the username")
    return value


def _check_role(value: object, problems: list[str]) -> str:
    if value not in ROLES:
        shown = repr(value)[:40]
        problems.append(f"role {shown} is not one of {', '.join(ROLES)}")
        return ""
    return str(value)


def _check_display_name(value: object, problems: list[str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(f"display_name must be a string or null, not {type(value).__name__}")
        return None
    text = " ".join("".join(ch for ch in value if ch.isprintable() or ch.isspace()).split())
    if len(text) > MAX_DISPLAY_NAME_CHARS:
        problems.append(f"display_name must have at most {MAX_DISPLAY_NAME_CHARS} characters")
    return text or None


def _check_active(value: object, problems: list[str]) -> bool:
    if not isinstance(value, bool):
        problems.append(f"active must be true or false, not {value!r}"[:80])
        return True
    return value


# --------------------------------------------------------------------------- the store
_UNSET: Any = object()


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
        problems: list[str] = []
        name = _check_username(username, problems)
        secret = _check_password(password, name, problems)
        checked_role = _check_role(role, problems)
        shown_name = _check_display_name(display_name, problems)
        if problems:
            raise InvalidInput("the user cannot be created", details=problems)
        now = datetime.now(UTC)
        password_hash = hash_password(secret)
        try:
            with self.writer.begin() as conn:
                if self._id_of(conn, name) is not None:
                    raise Conflict(f"the username {name!r} is taken")
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
            raise Conflict(f"the username {name!r} is taken") from None
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
            raise NotFound(f"no user {user_id}")
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
    ) -> User:
        """Change a user's role, active flag, password or display name (None clears it).

        ``actor`` (who changes it) goes into the audit log, with the fields changed (a
        new password as ``"password"``, never its value).

        Raises
        ------
        InvalidInput
            Listing every problem of the values given.
        NotFound
            If there is no such user.
        Conflict
            If the change would leave no active admin.
        """
        problems: list[str] = []
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
                raise NotFound(f"no user {user_id}")
            if password is not _UNSET:
                secret = _check_password(password, str(row["username"]), problems)
            if problems:
                raise InvalidInput("the user cannot be changed", details=problems)
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
            shown = {k: values[k] for k in ("role", "active", "display_name") if k in values}
            values["updated_at"] = now
            conn.execute(
                users_table.update().where(users_table.c.user_id == user_id).values(**values)
            )
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
