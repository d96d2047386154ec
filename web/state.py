"""What one app keeps for its lifetime: settings, the route store, the network of a version.

Route data live in the database (:mod:`geodata.store`; SQLite in the instance
directory unless ``SANDTABLE_DATABASE_URL`` names another). The route network and
everything derived from it (the locate index, the map page) belong to one data
*version*: each request takes the version current when it starts (once, in
``flask.g``) and keeps it to its end, so it always sees one consistent version. When a
planner's change makes a new version current — in this process or in another one
sharing the database — the next request rebuilds the network; requests arriving while
it is being rebuilt go on with the previous version instead of waiting.

Networks are cached per process by the content of their data, so apps (tests, a
restarted service on the same data) and versions restored to an earlier state share
one build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from flask import current_app, g, has_request_context

from geodata.files import region_from_documents
from geodata.store import RouteStore, Snapshot, database_url, open_store
from geodata.validate import RegionDocuments
from rescue.closures import ClosureStore, DatabaseClosureStore
from routes import build_network
from web.config import Settings

if TYPE_CHECKING:
    from routes import RouteNetwork

__all__ = [
    "CLOSURES_FILE",
    "Loaded",
    "SandtableState",
    "get_state",
    "network_for",
    "open_state",
]

log = logging.getLogger(__name__)

#: the closures file of earlier releases, imported into the database once
CLOSURES_FILE = "closures.json"
#: networks kept per process (a few versions of a region)
_NETWORKS_KEPT = 4

T = TypeVar("T")

_networks: OrderedDict[str, RouteNetwork] = OrderedDict()
_networks_lock = threading.Lock()


def _digest(docs: RegionDocuments) -> str:
    text = json.dumps(
        [docs.region_id, docs.metadata, docs.calibration, docs.cues, docs.layers],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def network_for(data: Snapshot | RegionDocuments) -> RouteNetwork:
    """The route network of a snapshot (or documents), built once per process per content."""
    docs = data.documents if isinstance(data, Snapshot) else data
    key = _digest(docs)
    with _networks_lock:
        if key in _networks:
            _networks.move_to_end(key)
            return _networks[key]
    network = build_network(region_from_documents(docs))
    with _networks_lock:
        _networks[key] = network
        while len(_networks) > _NETWORKS_KEPT:
            _networks.popitem(last=False)
    return network


@dataclass
class Loaded:
    """One data version and what is derived from it (the network, cached pages)."""

    version_id: int
    network: RouteNetwork
    _cache: dict[str, object] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def cached(self, key: str, build: Callable[[], T]) -> T:
        """The value cached under ``key`` for this version, built once (thread-safe)."""
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]  # type: ignore[return-value]


_states: weakref.WeakSet[SandtableState] = weakref.WeakSet()


@dataclass(eq=False)
class SandtableState:
    """Per-app state, stored in ``app.extensions["sandtable"]``."""

    settings: Settings
    store: RouteStore
    closures: DatabaseClosureStore
    _loaded: Loaded
    _rebuild: threading.Lock = field(default_factory=threading.Lock, repr=False)

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
                g.sandtable_loaded = self.refresh()
            loaded: Loaded = g.sandtable_loaded
            return loaded
        return self.refresh()

    def refresh(self, *, wait: bool = False) -> Loaded:
        """Follow the store's current version; rebuild the network if it moved on.

        With ``wait`` False, a caller arriving while another one rebuilds gets the
        previous version at once.
        """
        current = self._loaded
        version = self.store.current_version(self.region_id)
        if version == current.version_id:
            return current
        if not self._rebuild.acquire(blocking=wait):
            return current
        try:
            if self._loaded.version_id != version:
                snapshot = self.store.snapshot(self.region_id)
                self._loaded = Loaded(snapshot.version_id, network_for(snapshot))
                log.info("route data now at version %s", snapshot.version_id)
            return self._loaded
        finally:
            self._rebuild.release()

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
    if not store.has_region(settings.region):
        store.seed(settings.region, data_dir=settings.data_dir)
    snapshot = store.snapshot(settings.region)
    closures = DatabaseClosureStore(store, settings.region)
    legacy = settings.instance_dir / CLOSURES_FILE
    if legacy.is_file():
        moved = closures.import_from(ClosureStore(legacy))
        legacy.rename(legacy.with_name(CLOSURES_FILE + ".imported"))
        log.info("moved %d closures from %s into the database", moved, legacy.name)
    return SandtableState(
        settings, store, closures, Loaded(snapshot.version_id, network_for(snapshot))
    )


def get_state() -> SandtableState:
    """Return the state of the current app."""
    state: SandtableState = current_app.extensions["sandtable"]
    return state
