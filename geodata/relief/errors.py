"""The one error of the relief package: an uploaded file that is not usable, in both languages."""

from __future__ import annotations

from geodata.errors import InvalidInput

__all__ = ["ReliefInputError"]


class ReliefInputError(InvalidInput):
    """An uploaded DEM or MBTiles file is not usable; ``message_zh`` says it in Chinese."""

    def __init__(self, en: str, zh: str, *, details: list[str] | None = None) -> None:
        super().__init__(en, details=details, data={"message_zh": zh})
        self.message_zh = zh
