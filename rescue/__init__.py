"""Rescue domain services: locate callers, plan approaches, track incidents."""

from geodata.errors import (
    Conflict,
    DataValidationError,
    InvalidInput,
    NoRoute,
    NotFound,
    SandtableError,
)

__all__ = [
    "Conflict",
    "DataValidationError",
    "InvalidInput",
    "NoRoute",
    "NotFound",
    "SandtableError",
]
