"""The route data a service works on: the network of the current version, and the planners'
changes to it (edits, restores, imports), each followed by the network it makes.

The route network and everything derived from it belong to one data *version*
(:class:`Loaded`). :class:`RouteData` follows the store's current version: when a
change makes a new version current — through this object or in another process sharing
the database — the next :meth:`RouteData.refresh` rebuilds the network, while callers
arriving during the rebuild go on with the previous version instead of waiting. Every
write is checked by building the network of its result before it is committed (the
store's ``check``), so a version that could not be served is never written.

Networks are cached per process by the content of their data (:func:`network_for`), so
apps (tests, a restarted service on the same data) and versions restored to an earlier
state share one build.

The web app (:mod:`web.state`) holds one :class:`RouteData` per app and fixes the version
a request works on; the views only parse requests and shape answers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from geodata.edits import join_ways, split_way
from geodata.errors import InvalidInput
from geodata.files import region_from_documents
from geodata.i18n import Msg, Name, joined, msg
from geodata.i18n import text as in_language
from geodata.importers import ImportResult
from geodata.importers.preview import ImportPreview
from geodata.importers.sandbox import preload_modules, preview_upload_bounded
from geodata.store import FeatureEdit, RouteStore, Snapshot, VersionInfo
from geodata.validate import RegionDocuments
from routes import RouteNetwork, build_network

__all__ = [
    "PENDING_TTL",
    "Loaded",
    "RouteData",
    "network_for",
    "preview_document",
]

log = logging.getLogger(__name__)

#: a preview not applied within this is forgotten
PENDING_TTL = timedelta(days=2)
#: networks kept per process (a few versions of a region)
_NETWORKS_KEPT = 4

T = TypeVar("T")

_networks: OrderedDict[str, RouteNetwork] = OrderedDict()
_networks_lock = threading.Lock()

preload_modules(__name__)  # the processes checking uploads run network_for


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


def preview_document(result: ImportResult, plan: ImportPreview, import_id: str) -> dict[str, Any]:
    """The preview of an import as kept until it is applied (and shown to the planner)."""
    warnings = [
        {
            "code": w.code,
            "message": w.message,
            "message_zh": w.message_in("zh"),
            "feature_index": w.feature_index,
            "lon": w.lon,
            "lat": w.lat,
        }
        for w in (*result.warnings, *plan.warnings)
    ]
    features = [
        {
            "type": "Feature",
            "properties": {k: v for k, v in p.to_dict().items() if k not in ("geometry",)},
            "geometry": p.geometry,
        }
        for p in plan.proposals
        if p.geometry is not None
    ]
    return {
        "import_id": import_id,
        "filename": result.filename,
        "format": result.format,
        "creator": result.creator,
        "point_count": result.point_count,
        "base_version": plan.base_version,
        "counts": plan.counts(),
        "proposals": [p.to_dict() for p in plan.proposals],
        "warnings": warnings,
        # why it cannot be applied, each naming the file, feature and property
        "problems": [in_language(p, "en") for p in plan.problems],
        "problems_zh": [in_language(p, "zh") for p in plan.problems],
        "can_apply": plan.can_apply,
        "preview": {"type": "FeatureCollection", "features": features},
    }


class RouteData:
    """One region's route data in ``store``: the network followed, the changes made.

    Build it with :meth:`open`. Every write returns the new version's
    :class:`~geodata.store.VersionInfo` once the network of that version is loaded here
    (so the writer's next call sees it).

    ``prepare`` (e.g. :func:`rescue.warm.warm`) is run on every network before it is
    followed: the network loaded by :meth:`open`, and each later version's before it
    replaces the previous one (callers meanwhile go on with the previous version, so no
    caller waits for what ``prepare`` builds).
    """

    def __init__(
        self,
        store: RouteStore,
        region_id: str,
        loaded: Loaded,
        *,
        prepare: Callable[[RouteNetwork], object] | None = None,
    ) -> None:
        self.store = store
        self.region_id = region_id
        self._loaded = loaded
        self._rebuild = threading.Lock()
        self._prepare = prepare

    @classmethod
    def open(
        cls,
        store: RouteStore,
        region_id: str,
        *,
        data_dir: Path | None,
        prepare: Callable[[RouteNetwork], object] | None = None,
    ) -> RouteData:
        """The region's data in ``store``, seeded from ``data_dir`` first if it is not there.

        Raises
        ------
        NotFound
            If the region is neither in the store nor in ``data_dir``.
        DataValidationError
            If the seed data are invalid.
        """
        if not store.versions.has_region(region_id):
            store.versions.seed(region_id, data_dir=data_dir)
        snapshot = store.versions.snapshot(region_id)
        network = network_for(snapshot)
        if prepare is not None:
            prepare(network)
        return cls(store, region_id, Loaded(snapshot.version_id, network), prepare=prepare)

    # -- following the current version -------------------------------------------------
    def refresh(self, *, wait: bool = False) -> Loaded:
        """Follow the store's current version; rebuild the network if it moved on.

        With ``wait`` False, a caller arriving while another one rebuilds gets the
        previous version at once.
        """
        current = self._loaded
        version = self.store.versions.current_version(self.region_id)
        if version == current.version_id:
            return current
        if not self._rebuild.acquire(blocking=wait):
            return current
        try:
            if self._loaded.version_id != version:
                snapshot = self.store.versions.snapshot(self.region_id)
                network = network_for(snapshot)
                if self._prepare is not None:
                    self._prepare(network)
                self._loaded = Loaded(snapshot.version_id, network)
                log.info("route data now at version %s", snapshot.version_id)
            return self._loaded
        finally:
            self._rebuild.release()

    def snapshot(self, version_id: int | None = None) -> Snapshot:
        """The documents of ``version_id`` (default: the current one)."""
        return self.store.versions.snapshot(self.region_id, version_id)

    def _followed(self, info: VersionInfo) -> VersionInfo:
        self.refresh(wait=True)
        return info

    # -- edits ---------------------------------------------------------------------
    def commit(self, edits: Sequence[FeatureEdit], *, author: str, message: str) -> VersionInfo:
        """Commit ``edits`` as one version (see :meth:`VersionRepository.commit`)."""
        info = self.store.versions.commit(
            self.region_id, edits, author=author, message=message, check=network_for
        )
        return self._followed(info)

    def restore(self, version_id: int, *, author: str, message: str) -> VersionInfo:
        """Write the state of ``version_id`` as a new version."""
        info = self.store.versions.restore(
            self.region_id, version_id, author=author, message=message, check=network_for
        )
        return self._followed(info)

    def split_way(
        self,
        way_id: str,
        lon: float,
        lat: float,
        *,
        base_revision: int,
        author: str,
        message: str,
    ) -> VersionInfo:
        """Split a way at the point nearest (lon, lat) into two ways.

        The split is checked against ``base_revision`` (the revision the planner saw),
        not the one just read.
        """
        head, tail = split_way(self.snapshot(), way_id, lon, lat)
        head = FeatureEdit(head.layer, way_id, "update", head.feature, base_revision)
        return self.commit([head, tail], author=author, message=message)

    def join_ways(self, first: str, second: str, *, author: str, message: str) -> VersionInfo:
        """Join two ways meeting end to end into one."""
        edits = join_ways(self.snapshot(), first, second)
        return self.commit(edits, author=author, message=message)

    # -- imports -------------------------------------------------------------------
    def preview_import(
        self, filename: str, data: bytes, *, author: str, **options: Any
    ) -> dict[str, Any]:
        """Read, check and preview an upload against the current version, and keep the
        preview (see :func:`preview_document`) for :meth:`apply_import`.

        ``options`` go to :func:`geodata.importers.preview.preview` (tolerances, the
        layer and route of new ways). The file is read in a bounded child process
        (:mod:`geodata.importers.sandbox`).
        """
        snapshot = self.snapshot()
        result, plan = preview_upload_bounded(
            filename, data, snapshot, check=network_for, **options
        )
        import_id = secrets.token_urlsafe(12)
        document = preview_document(result, plan, import_id)
        self.store.imports.save(
            self.region_id,
            import_id,
            author=author,
            filename=filename,
            base_version=plan.base_version,
            preview=document,
            edits=plan.edits,
            purge_before=datetime.now(UTC) - PENDING_TTL,
        )
        return document

    def pending_import(self, import_id: str) -> dict[str, Any]:
        """A kept preview; :class:`NotFound` if applied, discarded, expired or never made."""
        document, _ = self.store.imports.get(self.region_id, import_id)
        return document

    def apply_import(self, import_id: str, *, author: str, message: str) -> VersionInfo:
        """Commit a kept preview as one version (kind ``import``) and forget it.

        Raises
        ------
        InvalidInput
            If the preview found problems that stop it being applied.
        """
        pending = self.pending_import(import_id)
        if not pending.get("can_apply"):
            english = list(pending.get("problems") or [])
            # a preview kept before problems_zh existed is English only
            chinese = list(pending.get("problems_zh") or english)
            details: list[str | Msg] = [
                joined([Name(en, zh)]) for en, zh in zip(english, chinese, strict=True)
            ]
            raise InvalidInput(msg("import.cannot_apply"), details=details)
        info = self.store.imports.apply(
            self.region_id, import_id, author=author, message=message, check=network_for
        )
        return self._followed(info)

    def discard_import(self, import_id: str, *, actor: str) -> None:
        """Forget a kept preview; :class:`NotFound` if there is none."""
        if not self.store.imports.discard(self.region_id, import_id, actor=actor):
            self.store.imports.get(self.region_id, import_id)  # raises NotFound
