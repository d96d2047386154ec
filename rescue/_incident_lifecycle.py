"""An incident's life: its statuses, outcomes, causes, priorities and legal status changes.

Statuses, in order::

    received → located → dispatched → en_route → on_scene → resolved → followed_up

The rules :func:`check_transition` enforces are listed in :mod:`rescue.incidents`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from geodata.errors import InvalidInput
from geodata.i18n import msg

__all__ = [
    "CAUSES",
    "CLOSED_STATUSES",
    "LANGUAGES",
    "OPEN_STATUSES",
    "OUTCOMES",
    "PRIORITIES",
    "STATUSES",
    "TRANSITIONS",
    "allowed_next",
    "check_transition",
]

STATUSES: Final = (
    "received",
    "located",
    "dispatched",
    "en_route",
    "on_scene",
    "resolved",
    "followed_up",
)
OUTCOMES: Final = ("rescued", "not_found", "false_alarm", "handed_over")
#: why help was needed, as the reports count it
CAUSES: Final = (
    "altitude_sickness",
    "injury",
    "exhaustion",
    "illness",
    "lost",
    "weather",
    "vehicle",
    "other",
)
PRIORITIES: Final = ("low", "normal", "high", "critical")
LANGUAGES: Final = ("zh", "en", "bo", "mixed")
CLOSED_STATUSES: Final = ("resolved", "followed_up")
OPEN_STATUSES: Final = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)

#: status → the statuses it may change to, in the order of the chain
TRANSITIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "received": ("located", "resolved"),
    "located": ("received", "dispatched", "resolved"),
    "dispatched": ("en_route", "resolved"),
    "en_route": ("on_scene", "resolved"),
    "on_scene": ("resolved",),
    "resolved": ("followed_up",),
    "followed_up": (),
}


def allowed_next(status: str) -> tuple[str, ...]:
    """The statuses ``status`` may change to."""
    return TRANSITIONS.get(status, ())


def check_transition(current: str, to: str, outcome: str | None) -> None:
    """Refuse an illegal status change.

    Raises
    ------
    InvalidInput
        If ``to`` does not follow ``current``, or the outcome is missing (to
        ``resolved``) or given (to anything else).
    """
    if to not in STATUSES:
        raise InvalidInput(
            msg("incident.unknown_status", status=repr(to), statuses=", ".join(STATUSES))
        )
    nexts = allowed_next(current)
    if to not in nexts:
        listed = ", ".join(nexts) if nexts else msg("incident.closed_nothing")
        raise InvalidInput(msg("incident.bad_transition", current=current, to=to, allowed=listed))
    if to == "resolved" and outcome is None:
        raise InvalidInput(msg("incident.needs_outcome", outcomes=", ".join(OUTCOMES)))
    if to != "resolved" and outcome is not None:
        raise InvalidInput(msg("incident.outcome_only_resolving", to=to))
