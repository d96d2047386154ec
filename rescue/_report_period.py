"""A report's period and its statistics: the ``[from, to)`` period read from query
parameters (local time where no offset is given), nearest-rank percentiles and the
response-time distributions (:mod:`rescue.reports` re-exports the public names).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from geodata.errors import InvalidInput
from rescue.localtime import LOCAL_TZ

if TYPE_CHECKING:
    pass

__all__ = [
    "DEFAULT_DAYS",
    "MAX_SPAN_DAYS",
    "EARLIEST",
    "LATEST",
    "HISTOGRAM_EDGES_S",
    "Period",
    "parse_period",
    "percentile",
    "distribution",
]


#: the days of a report (in rescue.localtime.LOCAL_TZ, like times without an offset)
DEFAULT_DAYS: Final = 30

#: longer periods are refused (a typo like 20226 would otherwise scan everything)
MAX_SPAN_DAYS: Final = 1830

#: periods may not start before this (no incident is older than the service)
EARLIEST: Final = datetime(2000, 1, 1, tzinfo=LOCAL_TZ)

#: nor end after this
LATEST: Final = datetime(2100, 1, 1, tzinfo=LOCAL_TZ)

#: histogram bin edges in seconds: 1, 2, 5, 10, 15, 30 min, 1, 2, 4, 8 h, and beyond
HISTOGRAM_EDGES_S: Final = (0, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800)

_MAX_PARAM_CHARS: Final = 40


@dataclass(frozen=True)
class Period:
    """The half-open interval ``[start, end)`` of a report (aware datetimes)."""

    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        """Its length in days."""
        return (self.end - self.start).total_seconds() / 86_400

    def dates(self) -> list[date]:
        """Every local day the period touches, in order."""
        first = _local(self.start).date()
        last = _local(self.end - timedelta(microseconds=1)).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "from": _local(self.start).isoformat(),
            "to": _local(self.end).isoformat(),
            "days": round(self.days, 3),
            "time_zone": str(LOCAL_TZ),
        }


def _local(value: datetime) -> datetime:
    return value.astimezone(LOCAL_TZ)


def _instant(name: str, text: str) -> datetime:
    if len(text) > _MAX_PARAM_CHARS:
        raise InvalidInput(
            f"{name}={text[:_MAX_PARAM_CHARS]!r}… is too long for a date or time",
            details=[f"{name}: at most {_MAX_PARAM_CHARS} characters"],
        )
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{name}={text!r} is not an ISO-8601 date or time "
            "(e.g. 2026-07-01 or 2026-07-01T08:00:00+08:00)",
            details=[f"{name}: not an ISO-8601 date or time"],
        ) from None
    try:
        # a time without an offset is local time in Tibet, as everywhere in Sandtable
        local = value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value
        value = local.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+05:00, 9999-12-31T23:00-05:00
        value = EARLIEST - timedelta(days=1) if value.year < 2000 else LATEST + timedelta(days=1)
    if value < EARLIEST:
        raise InvalidInput(
            f"{name}={text!r} is before {EARLIEST.date().isoformat()}",
            details=[f"{name}: too early"],
        )
    if value > LATEST:
        raise InvalidInput(
            f"{name}={text!r} is after {LATEST.date().isoformat()}",
            details=[f"{name}: too late"],
        )
    return value


def parse_period(
    start: str | None = None, end: str | None = None, *, now: datetime | None = None
) -> Period:
    """The period ``[start, end)`` from ISO-8601 texts (absent or empty: the default).

    A date alone means its local midnight; a time without an offset is local time
    (:data:`LOCAL_TZ`). Without ``end`` the period ends ``now``; without ``start`` it
    begins :data:`DEFAULT_DAYS` days before its end (not before 2000).

    Raises
    ------
    InvalidInput
        If a value is not an ISO-8601 date or time or lies outside the years 2000 to
        2099, ``end`` is not after ``start``, or the period is longer than
        :data:`MAX_SPAN_DAYS` days.
    """
    now = datetime.now(UTC) if now is None else now
    to = _instant("to", end) if end else now
    begin = _instant("from", start) if start else max(EARLIEST, to - timedelta(days=DEFAULT_DAYS))
    if to <= begin:
        raise InvalidInput(
            f"to={to.isoformat()} must be after from={begin.isoformat()}",
            details=["to: must be after from"],
        )
    if to - begin > timedelta(days=MAX_SPAN_DAYS):
        raise InvalidInput(
            f"the period from={begin.isoformat()} to={to.isoformat()} is longer than "
            f"{MAX_SPAN_DAYS} days",
            details=[f"to: at most {MAX_SPAN_DAYS} days after from"],
        )
    return Period(begin, to)


def percentile(ordered: Sequence[int], p: float) -> int | None:
    """The nearest-rank ``p``-th percentile of ascending ``ordered`` (None if empty)."""
    if not ordered:
        return None
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def distribution(values: Iterable[int], *, target_s: int | None = None) -> dict[str, Any]:
    """Count, p50, p90, max and histogram bins of durations in seconds.

    With ``target_s``, also the share of values at most ``target_s`` (None if empty).
    """
    ordered = sorted(values)
    edges = HISTOGRAM_EDGES_S
    bins = []
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else None
        n = sum(1 for v in ordered if v >= low and (high is None or v < high))
        bins.append({"from_s": low, "to_s": high, "count": n})
    result: dict[str, Any] = {
        "count": len(ordered),
        "p50_s": percentile(ordered, 50),
        "p90_s": percentile(ordered, 90),
        "max_s": ordered[-1] if ordered else None,
        "target_s": target_s,
        "within_target_share": None,
        "bins": bins,
    }
    if target_s is not None and ordered:
        within = sum(1 for v in ordered if v <= target_s)
        result["within_target_share"] = round(within / len(ordered), 4)
    return result


def _elapsed_s(start: datetime | None, end: datetime | None) -> int | None:
    """Whole seconds from ``start`` to ``end`` (as :mod:`rescue.incidents` counts them)."""
    if start is None or end is None:
        return None
    return max(0, math.floor((end - start).total_seconds()))
