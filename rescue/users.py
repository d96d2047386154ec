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
``login_failures`` by ``0006``; the modules below have their own small Core table
definitions of them, so they depend on no web framework.

Where the code is (every public name is re-exported here): the ``users`` table, the
:class:`User` and :class:`UserStore` here; roles and the checks of a username, password
and display name in :mod:`rescue._user_checks`; the scrypt hashes in
:mod:`rescue._user_passwords`; the ``sessions`` table and their revocation in
:mod:`rescue._user_sessions`; :class:`LoginLimiter` in :mod:`rescue._login_limits`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
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
from geodata.i18n import Msg, msg
from geodata.store.audit import record
from geodata.store.schema import Base, UtcDateTime
from rescue._login_limits import LoginLimiter, login_failures_table
from rescue._user_checks import (
    MAX_PASSWORD_CHARS,
    MIN_PASSWORD_CHARS,
    MIN_PASSWORD_SCORE,
    ROLES,
    USERNAME,
    check_active,
    check_display_name,
    check_password,
    check_role,
    check_username,
    normalise_username,
    password_problems,
)
from rescue._user_passwords import _dummy_hash, hash_password, verify_password
from rescue._user_sessions import (
    SESSION_KEEP,
    SESSION_TOUCH_S,
    SessionInfo,
    printable,
    revoke,
    sessions_table,
    token_hash,
)

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
        name = check_username(username, problems)
        name_problems: list[str | Msg] = []
        shown_name = check_display_name(display_name, name_problems)
        secret = check_password(password, name, problems, (shown_name or "",))
        checked_role = check_role(role, problems)
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
        if USERNAME.fullmatch(name):
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
            values["role"] = check_role(role, problems)
        if active is not _UNSET:
            values["active"] = check_active(active, problems)
        if display_name is not _UNSET:
            values["display_name"] = check_display_name(display_name, problems)
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
                secret = check_password(password, str(row["username"]), problems)
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
                revoked = revoke(conn, user_id, now, actor, keep=keep_session)
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
                    token_hash=token_hash(token),
                    user_id=user_id,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + lifetime,
                    address=(address or "")[:64] or None,
                    user_agent=printable(user_agent or "")[:200] or None,
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
        key = token_hash(token)
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
                    sessions_table.c.token_hash == token_hash(token),
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
            count = revoke(conn, user_id, now, actor)
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
