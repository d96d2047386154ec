"""Why a way is closed: the one vocabulary of closure reasons.

:mod:`rescue.closures` validates against :data:`REASONS`; the closure form in the
browser lists :data:`REASON_LABELS` (served through :mod:`web.vocabulary`).
"""

from __future__ import annotations

from typing import Final

__all__ = ["REASONS", "REASON_LABELS"]

#: why a way is closed ("flood" covers a high river)
REASONS: Final[tuple[str, ...]] = ("snow", "landslide", "flood", "ice", "other")
#: reason -> (English label, Chinese label), in the order of :data:`REASONS`
REASON_LABELS: Final[dict[str, tuple[str, str]]] = {
    "snow": ("Snow", "积雪"),
    "landslide": ("Landslide", "塌方"),
    "flood": ("Flood", "洪水"),
    "ice": ("Ice", "结冰"),
    "other": ("Other", "其他"),
}
