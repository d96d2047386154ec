"""The walking direction around a circuit: the one vocabulary of directions.

A kora is walked ``clockwise`` (Buddhists, most pilgrims) or ``counterclockwise``
(Bön pilgrims). :mod:`routes.network`, the locator (:mod:`rescue.locate`), its web
body parser and the browser (through :mod:`web.vocabulary`) read these names here.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

__all__ = ["DIRECTIONS", "DIRECTION_LABELS", "Direction"]

Direction = Literal["clockwise", "counterclockwise"]
#: the directions, as values (``Direction``'s arguments)
DIRECTIONS: Final[tuple[Direction, ...]] = get_args(Direction)
#: direction -> (English label, Chinese label)
DIRECTION_LABELS: Final[dict[str, tuple[str, str]]] = {
    "clockwise": ("clockwise", "顺时针"),
    "counterclockwise": ("counter-clockwise", "逆时针"),
}
