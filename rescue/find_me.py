"""Find-me links: a caller whose phone has data sends its GPS fix to the incident.

The call taker makes a one-time link for an incident (:meth:`FindMeStore.create`) and
sends it by SMS or WeChat; the page it opens asks the phone's browser for its position
and posts it with its accuracy (:meth:`FindMeStore.submit`). The fix is written on the
link's row and shown with the incident (``find_me`` in its answer); the dispatch page
adds it to the locate evidence and draws it on its map.

* Only the SHA-256 of a link's token is stored (``find_me_links``, migration ``0011``):
  whoever reads the database cannot use a link.
* A link expires (``ttl_s``, a day by default) and takes one fix: a second one is a
  :class:`~geodata.errors.Conflict`, an expired or unknown link a
  :class:`~geodata.errors.NotFound`. A link is made only for an open incident, and a fix is
  refused once the incident is closed. Messages a caller may read are in both languages.
* Failed attempts are limited per client address and per link (:class:`FindMeLimiter`), counted
  in the database like failed log-ins, so every worker process enforces one limit.

Nothing here depends on a web framework.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Engine, select

from geodata.errors import Conflict, InvalidInput, NotFound
from geodata.store.audit import record
from rescue.incidents import CLOSED_STATUSES, find_me_table, incidents_table
from rescue.users import LoginLimiter

__all__ = [
    "DEFAULT_TTL_S",
    "FIX_FIELDS",
    "Fix",
    "FindMeLimiter",
    "FindMeStore",
    "hash_token",
    "parse_fix",
]

#: how long a link works unless configured otherwise
DEFAULT_TTL_S: Final = 24 * 3600
#: a fix worse than this is not a GPS fix (a phone's coarse network position is kilometres)
MAX_ACCURACY_M: Final = 50_000.0
FIX_FIELDS: Final = ("lat", "lon", "accuracy_m", "altitude_m", "altitude_accuracy_m", "fixed_at")

_USED = (
    "This link has already sent a position; ask the rescue centre for a new link if you moved. "
    "/ 此链接已发送过位置；如已移动，请向救援中心索取新链接。"
)
_GONE = (
    "This link is unknown or has expired: ask the rescue centre for a new one. "
    "/ 此链接无效或已过期：请向救援中心索取新链接。"
)
_CLOSED = (
    "This call has been closed; if you still need help, call the rescue centre again. "
    "/ 此呼救已结案；如仍需救助，请再次拨打救援电话。"
)


def hash_token(token: str) -> str:
    """The SHA-256 (hex) under which a link's token is stored."""
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Fix:
    """A position as the phone's browser measured it (WGS84, metres)."""

    lon: float
    lat: float
    accuracy_m: float
    altitude_m: float | None = None
    fixed_at: datetime | None = None


def _number(body: Mapping[str, Any], name: str, problems: list[str]) -> float | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        problems.append(f"field {name!r} must be a number, not {value!r:.40}")
        return None
    return float(value)


def parse_fix(body: Mapping[str, Any], *, now: datetime | None = None) -> Fix:
    """A fix from ``{lat, lon, accuracy_m, altitude_m?, altitude_accuracy_m?, fixed_at?}``.

    ``fixed_at`` is milliseconds since the epoch (the Geolocation API's ``timestamp``) or
    ISO 8601; a time more than a day off ``now`` is replaced by ``now``.

    Raises
    ------
    InvalidInput
        Listing every problem: unknown fields, missing or non-numeric values, a position
        outside WGS84, an accuracy that is not a positive number of metres up to 50 km.
    """
    problems: list[str] = []
    unknown = sorted(str(k) for k in body if k not in FIX_FIELDS)
    if unknown:
        problems.append(
            f"unknown field(s) {', '.join(repr(k[:40]) for k in unknown[:5])} "
            f"(accepted: {', '.join(FIX_FIELDS)})"
        )
    lat = _number(body, "lat", problems)
    lon = _number(body, "lon", problems)
    accuracy = _number(body, "accuracy_m", problems)
    altitude = _number(body, "altitude_m", problems)
    _number(body, "altitude_accuracy_m", problems)
    for name, value in (("lat", lat), ("lon", lon), ("accuracy_m", accuracy)):
        if value is None and body.get(name) is None:
            problems.append(f"field {name!r} is required")
    if lat is not None and not -90 <= lat <= 90:
        problems.append(f"field 'lat' is {lat}, outside -90..90")
    if lon is not None and not -180 <= lon <= 180:
        problems.append(f"field 'lon' is {lon}, outside -180..180")
    if accuracy is not None and not 0 < accuracy <= MAX_ACCURACY_M:
        problems.append(f"field 'accuracy_m' is {accuracy}, not within 0..{MAX_ACCURACY_M:,.0f} m")
    if altitude is not None and not -500 <= altitude <= 9000:
        problems.append(f"field 'altitude_m' is {altitude}, not a height on Earth")
    now = now or datetime.now(UTC)
    fixed_at = _time(body.get("fixed_at"), now, problems)
    if problems:
        raise InvalidInput(
            "the position cannot be used / 位置无法使用: " + "; ".join(problems), details=problems
        )
    assert lat is not None and lon is not None and accuracy is not None
    return Fix(lon=lon, lat=lat, accuracy_m=accuracy, altitude_m=altitude, fixed_at=fixed_at)


def _time(value: Any, now: datetime, problems: list[str]) -> datetime | None:
    if value is None:
        return None
    when: datetime | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        try:
            when = datetime.fromtimestamp(float(value) / 1000.0, UTC)
        except (OverflowError, OSError, ValueError):
            when = None
    elif isinstance(value, str) and len(value) <= 40:
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            when = None
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    if when is None:
        problems.append(
            f"field 'fixed_at' must be milliseconds since 1970 or ISO 8601, not {value!r:.40}"
        )
        return None
    # a phone's clock can be wrong: a fix is of now, give or take a day
    return when if abs((when - now).total_seconds()) <= 86_400 else now


class FindMeLimiter(LoginLimiter):
    """Failed attempts on find-me links, per client address and per link, in a sliding window.

    A post to an unknown, spent or expired link counts (a page posts once), so a guesser of
    tokens or a script hammering one link is held back; counted in ``login_failures`` under
    scopes of their own (``fmia`` per address, ``fmlk`` per link), shared by every process.
    """

    def __init__(
        self,
        reader: Engine,
        writer: Engine,
        *,
        per_link: int = 10,
        per_address: int = 30,
        window_s: float = 15 * 60,
        clock: Callable[[], float] | None = None,
    ) -> None:
        extra = {} if clock is None else {"clock": clock}
        super().__init__(
            reader,
            writer,
            per_user=per_link,
            per_address=per_address,
            window_s=window_s,
            **extra,
        )

    def _keys(self, address: str, username: str) -> list[tuple[str, str, str, int]]:
        addr = address[:64].replace("\0", "\ufffd")
        return [
            ("fmlk", "", username[:64], self.per_user),
            ("fmia", addr, "", self.per_address),
        ]


class FindMeStore:
    """Find-me links on the route store's engines (``reader`` for reads, ``writer``)."""

    def __init__(self, reader: Engine, writer: Engine) -> None:
        self.reader = reader
        self.writer = writer

    def create(
        self,
        incident_id: int,
        author: str,
        *,
        ttl_s: int = DEFAULT_TTL_S,
        now: datetime | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """A new link for an open incident: ``(token, link)``; the token is shown only here.

        Raises
        ------
        NotFound
            If there is no such incident.
        InvalidInput
            If the incident is closed.
        """
        now = now or datetime.now(UTC)
        token = secrets.token_urlsafe(18)  # 144 bits, 24 characters: short enough for an SMS
        with self.writer.begin() as conn:
            status = conn.execute(
                select(incidents_table.c.status).where(incidents_table.c.incident_id == incident_id)
            ).scalar()
            if status is None:
                raise NotFound(f"no incident {incident_id}")
            if status in CLOSED_STATUSES:
                raise InvalidInput(
                    f"incident {incident_id} is {status}: a find-me link is made only for an "
                    "open incident"
                )
            expires = now + timedelta(seconds=ttl_s)
            result = conn.execute(
                find_me_table.insert().values(
                    token_hash=hash_token(token),
                    incident_id=incident_id,
                    created_at=now,
                    created_by=author[:64],
                    expires_at=expires,
                )
            )
            pk = result.inserted_primary_key
            assert pk is not None
            link_id = int(pk[0])
            record(
                conn,
                actor=author,
                action="incident.find_me_link",
                target_type="incident",
                target_id=incident_id,
                summary=f"find-me link {link_id} made, valid until {expires.isoformat()}",
                details={"link_id": link_id},
                at=now,
            )
        return token, {
            "link_id": link_id,
            "incident_id": incident_id,
            "created_at": now.isoformat(),
            "expires_at": expires.isoformat(),
        }

    def status(self, token: str, *, now: datetime | None = None) -> str:
        """``ready``, ``used``, ``expired`` or ``closed`` (the incident); for the public page.

        Raises
        ------
        NotFound
            If no link has this token.
        """
        now = now or datetime.now(UTC)
        with self.reader.begin() as conn:
            row = (
                conn.execute(
                    select(find_me_table, incidents_table.c.status)
                    .select_from(
                        find_me_table.join(
                            incidents_table,
                            incidents_table.c.incident_id == find_me_table.c.incident_id,
                        )
                    )
                    .where(find_me_table.c.token_hash == hash_token(token))
                )
                .mappings()
                .first()
            )
        if row is None:
            raise NotFound(_GONE)
        if row["used_at"] is not None:
            return "used"
        if row["expires_at"] <= now:
            return "expired"
        if row["status"] in CLOSED_STATUSES:
            return "closed"
        return "ready"

    def submit(self, token: str, fix: Fix, *, now: datetime | None = None) -> dict[str, Any]:
        """Write the caller's fix on its link, once; the answer the caller's page shows.

        Raises
        ------
        NotFound
            If the link is unknown or has expired.
        Conflict
            If the link was used already, or the incident is closed.
        """
        now = now or datetime.now(UTC)
        with self.writer.begin() as conn:
            row = (
                conn.execute(
                    select(find_me_table)
                    .where(find_me_table.c.token_hash == hash_token(token))
                    .with_for_update()
                )
                .mappings()
                .first()
            )
            if row is None or row["expires_at"] <= now:
                raise NotFound(_GONE)
            if row["used_at"] is not None:
                raise Conflict(_USED)
            incident_id = int(row["incident_id"])
            status = conn.execute(
                select(incidents_table.c.status).where(incidents_table.c.incident_id == incident_id)
            ).scalar()
            if status is None or status in CLOSED_STATUSES:
                raise Conflict(_CLOSED)
            conn.execute(
                find_me_table.update()
                .where(find_me_table.c.link_id == row["link_id"])
                .values(
                    used_at=now,
                    lon=fix.lon,
                    lat=fix.lat,
                    accuracy_m=fix.accuracy_m,
                    altitude_m=fix.altitude_m,
                    fixed_at=fix.fixed_at or now,
                )
            )
            record(
                conn,
                actor="find-me",
                action="incident.find_me_fix",
                target_type="incident",
                target_id=incident_id,
                summary=(
                    f"GPS fix {fix.lat:.5f}, {fix.lon:.5f} ±{fix.accuracy_m:.0f} m "
                    f"from find-me link {row['link_id']}"
                ),
                details={"link_id": int(row["link_id"]), "accuracy_m": fix.accuracy_m},
                at=now,
            )
        return {
            "received": True,
            "accuracy_m": round(fix.accuracy_m, 1),
            "message": {
                "en": "Your position has reached the rescue centre. Stay where you are if safe.",
                "zh": "您的位置已发送至救援中心。如安全，请留在原地。",
            },
        }
