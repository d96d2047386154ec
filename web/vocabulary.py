"""The server's vocabularies, handed to the browser so the pages keep no copies.

Every page template puts :func:`client_vocabulary` in the page before ``sandtable.js``
(``window.SANDTABLE_VOCAB``), and the scripts read capabilities, closure reasons,
walking directions and the local time zone from there (``Sandtable.vocab``). Each
vocabulary is defined once, in the module named in its key's comment.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from geodata.capabilities import CAPABILITIES, CAPABILITY_LABELS
from rescue.closure_reasons import REASON_LABELS, REASONS
from rescue.localtime import LOCAL_TZ_NAME
from routes.direction import DIRECTION_LABELS, DIRECTIONS

__all__ = ["client_vocabulary", "install"]


def _labelled(values: tuple[str, ...], labels: dict[str, tuple[str, str]]) -> list[list[str]]:
    return [[v, *labels[v]] for v in values]


def client_vocabulary() -> dict[str, Any]:
    """Return the vocabularies the browser needs, as plain JSON values.

    Lists keep the server's order; each entry is ``[value, English label, Chinese label]``.
    """
    return {
        "local_tz": LOCAL_TZ_NAME,  # rescue.localtime
        "capabilities": _labelled(CAPABILITIES, CAPABILITY_LABELS),  # geodata.capabilities
        "closure_reasons": _labelled(REASONS, REASON_LABELS),  # rescue.closure_reasons
        "directions": _labelled(DIRECTIONS, DIRECTION_LABELS),  # routes.direction
    }


def install(app: Flask) -> None:
    """Make ``vocabulary()`` available to the templates of ``app``."""
    app.jinja_env.globals["vocabulary"] = client_vocabulary
