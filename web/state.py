"""What one app keeps for its lifetime: settings, the route store, the route data it follows.

Route data live in the database (:mod:`geodata.store`; SQLite in the instance
directory unless ``SANDTABLE_DATABASE_URL`` names another). The route network of the
current version, and the planners' changes, are :class:`rescue.route_data.RouteData`'s;
what is left here belongs to HTTP: each request takes the version current when it
starts (once, in ``flask.g``) and keeps it to its end, so it always sees one consistent
version, while requests arriving during a rebuild go on with the previous version.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import current_app, g, has_request_context

from geodata.store import RouteStore, database_url, open_store
from rescue.closures import ClosureStore, DatabaseClosureStore
from rescue.route_data import Loaded, RouteData
from rescue.warm import warm_and_freeze
from routes import RouteNetwork
from web.config import Settings

__all__ = [
    "CLOSURES_FILE",
    "SandtableState",
    "get_state",
    "open_state",
]

log = logging.getLogger(__name__)

#: the closures file of earlier releases, imported into the database once
CLOSURES_FILE = "closures.json"

T = TypeVar("T")

_states: weakref.WeakSet[SandtableState] = weakref.WeakSet()


@dataclass(eq=False)
class SandtableState:
    """Per-app state, stored in ``app.extensions["sandtable"]``."""

    settings: Settings
    store: RouteStore
    closures: DatabaseClosureStore
    data: RouteData

    def __post_init__(self) -> None:
        _states.add(self)

    @classmethod
    def instances(cls) -> list[SandtableState]:
        """The states of this process's live apps (a forked worker re-opens their pools)."""
        return list(_states)

    @property
    def region_id(self) -> str:
        return self.settings.region

    def loaded(self) -> Loaded:
        """The version this request works on (fixed at its first call in the request)."""
        if has_request_context():
            if "sandtable_loaded" not in g:
                g.sandtable_loaded = self.data.refresh()
            loaded: Loaded = g.sandtable_loaded
            return loaded
        return self.data.refresh()

    @property
    def network(self) -> RouteNetwork:
        """The route network of this request's version."""
        return self.loaded().network

    @property
    def version_id(self) -> int:
        return self.loaded().version_id

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """Cached per data version: see :meth:`Loaded.cached`."""
        return self.loaded().cached(key, build)


def open_state(settings: Settings) -> SandtableState:
    """Open the database (creating, upgrading and seeding it as needed) and load the network.

    Raises
    ------
    DataValidationError
        If the database cannot be opened or the seed data are invalid.
    """
    url = database_url(settings.database_url, settings.instance_dir)
    store = open_store(url)
    # sandtable serve: no request builds caches, no request walks them in a full collection
    prepare = warm_and_freeze if settings.warm_up else None
    data = RouteData.open(store, settings.region, data_dir=settings.data_dir, prepare=prepare)
    closures = DatabaseClosureStore(store, settings.region)
    legacy = settings.instance_dir / CLOSURES_FILE
    if legacy.is_file():
        moved = closures.import_from(ClosureStore(legacy))
        legacy.rename(legacy.with_name(CLOSURES_FILE + ".imported"))
        log.info("moved %d closures from %s into the database", moved, legacy.name)
    return SandtableState(settings, store, closures, data)


def get_state() -> SandtableState:
    """Return the state of the current app."""
    state: SandtableState = current_app.extensions["sandtable"]
    return state
