"""Password hashes: scrypt with a fresh 16-byte salt, checked in constant time.

A hash reads ``scrypt$16384$8$1$<salt>$<hash>`` (base64); :func:`verify_password` is
False for a malformed one, and refuses parameters that would eat memory. An unknown
user's password is checked against :func:`_dummy_hash`, so the time a log-in takes does
not tell whether the username exists (:meth:`rescue.users.UserStore.authenticate`).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

__all__ = ["hash_password", "verify_password"]

_N, _R, _P = 2**14, 8, 1
_SALT_BYTES = 16
_KEY_BYTES = 32
_MAXMEM = 64 * 1024 * 1024


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
