"""What one app keeps for its lifetime: settings, the route network, the built map."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from flask import current_app

from geodata import load_region
from rescue.closures import ClosureStore
from routes import build_network
from web.config import Settings

if TYPE_CHECKING:
    from routes import RouteNetwork

__all__ = ["CLOSURES_FILE", "SandtableState", "closure_store", "get_state", "load_network"]

#: the closures file, in the instance directory
CLOSURES_FILE = "closures.json"

T = TypeVar("T")


@dataclass
class SandtableState:
    """Per-app state, stored in ``app.extensions["sandtable"]``.

    The network is read-only once built; derived views of it (the map page) are
    computed on first use and cached here. ``closures`` is the store of trail and road
    closures (``<instance dir>/closures.json``, see :func:`closure_store`).
    """

    settings: Settings
    network: RouteNetwork
    closures: ClosureStore
    _cache: dict[str, object] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """Return the value cached under ``key``, building it once (thread-safe)."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]  # type: ignore[return-value]


def load_network(settings: Settings) -> RouteNetwork:
    """Load the configured region and build its route network."""
    return build_network(load_region(settings.region, data_dir=settings.data_dir))


def closure_store(settings: Settings) -> ClosureStore:
    """The app's closure store, in its instance directory."""
    return ClosureStore(settings.instance_dir / CLOSURES_FILE)


def get_state() -> SandtableState:
    """Return the state of the current app."""
    state: SandtableState = current_app.extensions["sandtable"]
    return state
