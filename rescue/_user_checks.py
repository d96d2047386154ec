"""What a user may be: the roles, and the checks of a username, password and display name.

Each ``_check_*`` adds its problems (messages in both languages) to a list and returns the
value as stored, so :class:`rescue.users.UserStore` can refuse a request naming every
problem at once. Passwords must be hard to guess (:func:`password_problems`, zxcvbn).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from geodata.i18n import Msg, Name, msg

__all__ = [
    "MAX_DISPLAY_NAME_CHARS",
    "MAX_PASSWORD_CHARS",
    "MIN_PASSWORD_CHARS",
    "MIN_PASSWORD_SCORE",
    "ROLES",
    "USERNAME",
    "check_active",
    "check_display_name",
    "check_password",
    "check_role",
    "check_username",
    "normalise_username",
    "password_problems",
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
USERNAME = re.compile(r"[a-z0-9._-]{3,64}")


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


def check_username(value: object, problems: list[str | Msg]) -> str:
    if not isinstance(value, str):
        problems.append(msg("user.username_type", kind=_kind(value)))
        return ""
    username = normalise_username(value)
    if not USERNAME.fullmatch(username):
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


def check_password(
    value: object, username: str, problems: list[str | Msg], others: tuple[str, ...] = ()
) -> str:
    if not isinstance(value, str):
        problems.append(msg("user.password_type", kind=_kind(value)))
        return ""
    problems.extend(password_problems(value, username=username, others=others))
    return value


def check_role(value: object, problems: list[str | Msg]) -> str:
    if value not in ROLES:
        shown = repr(value)[:40]
        problems.append(msg("user.role", value=shown, accepted=", ".join(ROLES)))
        return ""
    return str(value)


def check_display_name(value: object, problems: list[str | Msg]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append(msg("user.display_name_type", kind=_kind(value)))
        return None
    text = " ".join("".join(ch for ch in value if ch.isprintable() or ch.isspace()).split())
    if len(text) > MAX_DISPLAY_NAME_CHARS:
        problems.append(msg("user.display_name_long", count=MAX_DISPLAY_NAME_CHARS))
    return text or None


def check_active(value: object, problems: list[str | Msg]) -> bool:
    if not isinstance(value, bool):
        problems.append(msg("user.active", value=repr(value)[:40]))
        return True
    return value
