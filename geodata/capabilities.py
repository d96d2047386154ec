"""What a rescue station can send: the one vocabulary of station capabilities.

The data contract (:mod:`geodata.validate`), the catalogue's ``?capability=`` filter
(:mod:`rescue.catalog`), the planner's station form (:mod:`web.planner`) and the
browser (through :mod:`web.vocabulary`) all read this tuple, so a capability the data
may carry is one every reader accepts.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CAPABILITIES", "CAPABILITY_LABELS"]

#: what a station can send, in the order forms list them
CAPABILITIES: Final[tuple[str, ...]] = (
    "vehicle",
    "foot_team",
    "medical",
    "horse",
    "helicopter_landing",
)

#: capability -> (English label, Chinese label), as the pages show it
CAPABILITY_LABELS: Final[dict[str, tuple[str, str]]] = {
    "vehicle": ("vehicle", "车辆"),
    "foot_team": ("foot team", "徒步救援队"),
    "medical": ("medical", "医疗"),
    "horse": ("horse", "马匹"),
    "helicopter_landing": ("helicopter landing", "直升机降落"),
}
