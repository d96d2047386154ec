"""A closure as a value: what it covers (segments, a drawn line or area), whom, how much and
when; reading a list of them; the closures in force at a time (:mod:`rescue.closures`
re-exports these names).
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from shapely.errors import GEOSException

from geodata.errors import InvalidInput
from geodata.i18n import Msg
from rescue._closure_body import (
    MAX_SLOW_FACTOR,
    MODES,
    _check_aware,
    _parse_geometry,
    time_range_problem,
)
from rescue._closure_effects import (
    affected_edges,
    describe_closure,
)
from rescue.closure_reasons import REASONS

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = ["Closure", "ClosureProblem", "closures_in_force"]


@dataclass(frozen=True)
class Closure:
    """A closure or slow-down of part of the network over a time window.

    ``slow_factor`` is None for a full closure, else the factor (> 1) applied to
    travel times. ``valid_until`` None means open-ended. ``geometry`` is the drawn
    GeoJSON (WGS84) or None when the closure names ``segment_ids``.
    """

    closure_id: str
    segment_ids: tuple[str, ...]
    geometry: dict[str, Any] | None
    reason: str
    modes: Literal["all", "vehicle"]
    slow_factor: float | None
    valid_from: datetime
    valid_until: datetime | None
    created_by: str
    created_at: datetime
    note: str = ""

    def __post_init__(self) -> None:
        # every time must be aware and in range, or comparing it overflows later
        for name, when in (
            ("from", self.valid_from),
            ("until", self.valid_until),
            ("created_at", self.created_at),
        ):
            if when is None and name == "until":
                continue
            if not isinstance(when, datetime) or when.utcoffset() is None:
                raise InvalidInput(f"{name}: {when!r} is not a timezone-aware datetime")
            problem = time_range_problem(when)
            if problem is not None:
                raise InvalidInput(f"{name}: {when.isoformat()} {problem}")

    @property
    def closed(self) -> bool:
        """True for a full closure, False for a slow-down."""
        return self.slow_factor is None

    def active(self, at: datetime) -> bool:
        """Whether the closure is in force at the aware datetime ``at``.

        Raises
        ------
        InvalidInput
            If ``at`` is naive.
        """
        _check_aware(at, "at")
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)

    def expired(self, at: datetime) -> bool:
        """Whether the closure has ended by ``at`` (it will never be active again)."""
        _check_aware(at, "at")
        return self.valid_until is not None and self.valid_until <= at

    def affects(self, mode: str) -> bool:
        """Whether the closure applies to travel in ``mode`` (``"foot"`` or ``"vehicle"``).

        Raises
        ------
        InvalidInput
            If ``mode`` is not one of ``"foot"``, ``"vehicle"``.
        """
        if mode not in ("foot", "vehicle"):
            raise InvalidInput(f"unknown mode {mode!r}; expected 'foot' or 'vehicle'")
        return self.modes == "all" or mode == "vehicle"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; :meth:`from_dict` reads it back."""
        return {
            "closure_id": self.closure_id,
            "segment_ids": list(self.segment_ids),
            "geometry": self.geometry,
            "reason": self.reason,
            "modes": self.modes,
            "severity": "closed" if self.slow_factor is None else {"slow_factor": self.slow_factor},
            "slow_factor": self.slow_factor,
            "from": self.valid_from.isoformat(),
            "until": None if self.valid_until is None else self.valid_until.isoformat(),
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Closure:
        """Read a dict written by :meth:`to_dict` (trusted storage, not user input).

        Everything the planner relies on is checked again (times in range, geometry,
        slow factor), so that a row written by another release or by hand is refused
        here rather than failing every plan.

        Raises
        ------
        ValueError, KeyError, TypeError
            If the dict is not a stored closure (:class:`InvalidInput` is a ValueError).
        """

        def when(text: Any) -> datetime:
            value = datetime.fromisoformat(str(text))
            if value.tzinfo is None:
                raise ValueError(f"naive stored time {text!r}")
            return value

        if not isinstance(data, Mapping):
            raise TypeError(f"a stored closure is an object, not {type(data).__name__}")
        modes = data["modes"]
        if modes not in MODES or data["reason"] not in REASONS:
            raise ValueError(f"bad modes {modes!r} or reason {data['reason']!r}")
        slow = data["slow_factor"]
        if slow is not None and not (
            isinstance(slow, int | float)
            and not isinstance(slow, bool)
            and math.isfinite(slow)
            and 1.0 < slow <= MAX_SLOW_FACTOR
        ):
            raise ValueError(f"slow_factor {slow!r} is not a number > 1 and <= {MAX_SLOW_FACTOR:g}")
        geometry = data["geometry"]
        if geometry is not None:
            if not isinstance(geometry, dict):
                raise TypeError("geometry must be an object or null")
            problems: list[str | Msg] = []
            if _parse_geometry(geometry, problems) is None:
                raise ValueError("; ".join(map(str, problems)))
        segment_ids = data["segment_ids"]
        if isinstance(segment_ids, str) or not isinstance(segment_ids, Sequence):
            raise TypeError("segment_ids must be a list")
        if geometry is None and not segment_ids:
            raise ValueError("neither segment_ids nor a geometry")
        return cls(
            closure_id=str(data["closure_id"]),
            segment_ids=tuple(str(s) for s in segment_ids),
            geometry=geometry,
            reason=str(data["reason"]),
            modes=modes,
            slow_factor=None if slow is None else float(slow),
            valid_from=when(data["from"]),
            valid_until=None if data["until"] is None else when(data["until"]),
            created_by=str(data["created_by"]),
            created_at=when(data["created_at"]),
            note=str(data.get("note", "")),
        )


@dataclass(frozen=True)
class ClosureProblem:
    """A stored closure that cannot be applied, and why (shown with the plans and the list).

    Such a closure is left out of every plan, never fatal to it: an officer sees the
    message and lifts (deletes) the closure.
    """

    closure_id: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"closure_id": self.closure_id, "message": self.message}


def closures_in_force(
    network: RouteNetwork, closures: Iterable[Closure], at: datetime
) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
    """The closures in force at ``at``, and those that cannot be applied.

    Each closure is tried on its own (its window, the edges it covers, its one-line
    description): one that fails is reported as a :class:`ClosureProblem` and left
    out, so that the others, and the plan, go on.

    Raises
    ------
    InvalidInput
        If ``at`` is naive.
    """
    _check_aware(at, "at")
    active: builtins.list[Closure] = []
    problems: builtins.list[ClosureProblem] = []
    for c in closures:
        try:
            if not c.active(at):
                continue
            affected_edges(network, c)
            describe_closure(network, c)
        except (ValueError, TypeError, KeyError, OverflowError, GEOSException) as exc:
            problems.append(ClosureProblem(c.closure_id, f"cannot be applied: {exc}"))
            continue
        active.append(c)
    return active, problems


def _read_closures(
    items: Iterable[tuple[str, Any]],
) -> tuple[builtins.list[Closure], builtins.list[ClosureProblem]]:
    """Stored ``(closure_id, body)`` pairs as closures, each unreadable one as a problem."""
    closures: builtins.list[Closure] = []
    problems: builtins.list[ClosureProblem] = []
    for closure_id, body in items:
        try:
            closures.append(Closure.from_dict(body))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
            detail = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
            problems.append(
                ClosureProblem(str(closure_id), f"stored closure cannot be read: {detail}"[:500])
            )
    return closures, problems
