"""The exception tree moved to :mod:`geodata.errors` (the lowest layer); this module
re-exports it so that ``from rescue.errors import ...`` keeps working."""

from __future__ import annotations

from geodata.errors import (
    Conflict,
    DataValidationError,
    Forbidden,
    InvalidInput,
    NoRoute,
    NotFound,
    SandtableError,
    TooManyRequests,
    Unauthorized,
)

__all__ = [
    "SandtableError",
    "InvalidInput",
    "DataValidationError",
    "NotFound",
    "NoRoute",
    "Conflict",
    "Unauthorized",
    "Forbidden",
    "TooManyRequests",
]
