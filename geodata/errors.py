"""One exception tree for Sandtable.

Every error carries a message that is safe to show to a user (no paths of the
server, no tracebacks). HTTP status codes are assigned only in ``web/errors.py``.

It lives in the lowest layer, so that ``geodata``, ``routes``, ``rescue`` and ``web``
all raise from the same tree without importing upwards.

The message (and each detail) is either English text or a :class:`geodata.i18n.Msg`, a
catalog key with parameters: ``message`` is then the English text (logs, the CLI) and
:meth:`SandtableError.message_in` renders it in the user's language.
"""

from __future__ import annotations

from geodata.i18n import Msg, Said, text

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


class SandtableError(Exception):
    """Root of all errors raised by Sandtable's own code."""

    def __init__(
        self,
        message: str | Msg,
        *,
        details: list[str] | list[Msg] | list[str | Msg] | None = None,
        data: dict[str, object] | None = None,
    ) -> None:
        self.text: str | Msg = message
        self.message = str(message)
        super().__init__(self.message)
        self.texts: list[str | Msg] = list(details or [])
        self.details: list[str] = [str(d) for d in self.texts]
        #: structured, JSON-ready context for API clients (e.g. both sides of a conflict)
        self.data: dict[str, object] | None = data

    def message_in(self, lang: str) -> str | None:
        """The message in ``lang``; None when it has no catalog key (English only)."""
        if isinstance(self.text, Said):
            return text(self.text, lang)
        return self.text.render(lang) if isinstance(self.text, Msg) else None

    def details_in(self, lang: str) -> list[str]:
        """The details in ``lang`` (those without a catalog key stay as they are)."""
        return [text(d, lang) for d in self.texts]

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return self.message + "\n" + "\n".join(f"  - {d}" for d in self.details)


class InvalidInput(SandtableError, ValueError):
    """A value given by a user or a caller of the API is not acceptable."""


class DataValidationError(SandtableError):
    """Region data on disk is malformed; ``details`` lists every problem found."""


class NotFound(SandtableError, KeyError):
    """An id (region, route, segment, place, station) does not exist."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return SandtableError.__str__(self)


class NoRoute(SandtableError):
    """No path exists between two points for the requested mode or profile."""


class Conflict(SandtableError):
    """A write was based on a stale version of the data."""


class Unauthorized(SandtableError):
    """The caller is not signed in, or the credentials given are wrong."""


class Forbidden(SandtableError):
    """The signed-in user's role does not allow this action."""


class TooManyRequests(SandtableError):
    """Too many attempts (e.g. failed log-ins); ``retry_after_s`` says when to try again."""

    def __init__(self, message: str | Msg, *, retry_after_s: int) -> None:
        super().__init__(message, data={"retry_after_s": retry_after_s})
        self.retry_after_s = retry_after_s
