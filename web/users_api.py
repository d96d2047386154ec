"""The users API, for admins: list, add and change users, see and end their sessions.

Each view adapts the request to :class:`rescue.users.UserStore` (which judges every
value and names every problem at once) and records who did it (:mod:`web.auth`'s
signed-in user, in the audit log). Answers are never cached (``Cache-Control: no-store``).
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal, get_args

from flask import Blueprint, Response
from pydantic import ConfigDict, WithJsonSchema, model_validator

from geodata.i18n import msg
from rescue.users import MIN_PASSWORD_CHARS, ROLES
from web.answers import OneUser, Revoked, Sessions, Users
from web.auth import current_user_name, no_store, session_token, users
from web.contract import ADMIN, Contract, api_operation, problem

__all__ = ["NewUser", "UserChange", "bp"]

log = logging.getLogger(__name__)

bp = Blueprint("users_api", __name__)

_ROLE_SCHEMA = WithJsonSchema({"enum": list(ROLES)})
#: a password's length, documented; judged (with the rest of the policy) by rescue.users
_PASSWORD_SCHEMA = WithJsonSchema({"type": "string", "minLength": MIN_PASSWORD_CHARS})
Role = Literal["call_taker", "officer", "planner", "admin"]
if get_args(Role) != tuple(ROLES):  # pragma: no cover  (a programming error)
    raise RuntimeError(f"web.users_api.Role {get_args(Role)} is not rescue.users.ROLES {ROLES}")


class NewUser(Contract):
    """``POST /api/users``: the role and password are judged by :mod:`rescue.users`, which
    names every problem of the values at once."""

    model_config = ConfigDict(extra="forbid", strict=True)

    username: str
    password: Annotated[str, _PASSWORD_SCHEMA]
    role: Annotated[str, _ROLE_SCHEMA]
    display_name: str | None = None


class UserChange(Contract):
    """``PATCH /api/users/<id>``: at least one field."""

    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"minProperties": 1})

    role: Role | None = None
    active: bool | None = None
    password: Annotated[str, _PASSWORD_SCHEMA] | None = None
    display_name: str | None = None

    @model_validator(mode="after")
    def _something(self) -> UserChange:
        if not self.model_fields_set:
            raise problem(
                msg("user.nothing_to_change", fields=", ".join(map(repr, UserChange.model_fields)))
            )
        return self


@api_operation(bp, "GET", "/api/users", summary="every user", roles=ADMIN, ok={200: Users})
def api_users() -> Response:
    return no_store({"users": [u.to_dict() for u in users().list()]})


@api_operation(
    bp,
    "POST",
    "/api/users",
    summary="add a user",
    roles=ADMIN,
    body=NewUser,
    ok={201: OneUser},
    errors=(409,),
    json_only=True,
    example='{"username": "dawa", "password": "…", "role": "officer"}',
    what=msg("user.cannot_create"),
)
def api_create_user(body: NewUser) -> Response:
    user = users().create_user(
        body.username,
        body.password,
        body.role,
        body.display_name,
        actor=current_user_name(),
    )
    log.info("%r created user %r (%s)", current_user_name(), user.username, user.role)
    response = no_store({"user": user.to_dict()})
    response.status_code = 201
    return response


@api_operation(
    bp,
    "PATCH",
    "/api/users/<int:user_id>",
    summary="change a user's role, password, display name, or deactivate them",
    roles=ADMIN,
    body=UserChange,
    ok={200: OneUser},
    errors=(404, 409),
    json_only=True,
    example='{"role": "planner", "active": false}',
    what=msg("user.cannot_change"),
)
def api_update_user(user_id: int, body: UserChange) -> Response:
    changes = body.model_dump(exclude_unset=True)
    user = users().update(
        user_id, **changes, actor=current_user_name(), keep_session=session_token()
    )
    log.info("%r changed user %r: %s", current_user_name(), user.username, sorted(changes))
    return no_store({"user": user.to_dict()})


@api_operation(
    bp,
    "GET",
    "/api/users/<int:user_id>/sessions",
    summary="a user's live sessions (where and since when they are signed in)",
    roles=ADMIN,
    ok={200: Sessions},
    errors=(404,),
)
def api_user_sessions(user_id: int) -> Response:
    sessions = users().sessions(user_id)
    return no_store({"sessions": [s.to_dict() for s in sessions]})


@api_operation(
    bp,
    "DELETE",
    "/api/users/<int:user_id>/sessions",
    summary="sign a user out everywhere (revoke every live session)",
    roles=ADMIN,
    ok={200: Revoked},
    errors=(404,),
)
def api_revoke_user_sessions(user_id: int) -> Response:
    count = users().revoke_sessions(user_id, actor=current_user_name())
    log.info("%r revoked %d session(s) of user %d", current_user_name(), count, user_id)
    return no_store({"sessions_revoked": count})
