"""Previewed imports waiting to be applied or discarded (table ``pending_imports``).

A preview (:mod:`geodata.importers.preview`) is kept with its feature edits until a
planner applies it — one version of kind ``import``, committed by
:class:`~geodata.store.versions.VersionRepository` in the same transaction that forgets
it — or discards it. Previews older than a write's ``purge_before`` are dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from geodata.errors import NotFound
from geodata.store.audit import delete_recorded, record
from geodata.store.model import FeatureEdit, VersionInfo, edit_from_dict, edit_to_dict
from geodata.store.schema import PendingImport
from geodata.store.versions import MAX_AUTHOR_CHARS, VersionRepository
from geodata.validate import RegionDocuments

__all__ = ["PendingImports"]


class PendingImports:
    """Pending imports of every region; applying one commits through ``versions``."""

    def __init__(self, reader: Engine, writer: Engine, versions: VersionRepository) -> None:
        self.reader = reader
        self.writer = writer
        self.versions = versions

    def save(
        self,
        region_id: str,
        import_id: str,
        *,
        author: str,
        filename: str,
        base_version: int,
        preview: Mapping[str, Any],
        edits: Sequence[FeatureEdit],
        purge_before: datetime | None = None,
    ) -> None:
        """Keep a previewed import (previews older than ``purge_before`` are dropped)."""
        with Session(self.writer) as s, s.begin():
            if purge_before is not None:
                s.execute(delete(PendingImport).where(PendingImport.created_at < purge_before))
            s.add(
                PendingImport(
                    import_id=import_id,
                    region_id=region_id,
                    created_at=datetime.now(UTC),
                    author=author[:MAX_AUTHOR_CHARS],
                    filename=filename[:255],
                    base_version=base_version,
                    preview=dict(preview),
                    edits=[edit_to_dict(e) for e in edits],
                )
            )
            s.flush()
            record(
                s.connection(),
                actor=author,
                action="import.preview",
                target_type="import",
                target_id=import_id,
                summary=f"previewed {filename[:200]} on version {base_version}",
                details={"region_id": region_id, "filename": filename[:255], "edits": len(edits)},
            )

    def get(self, region_id: str, import_id: str) -> tuple[dict[str, Any], list[FeatureEdit]]:
        """A pending import's preview and edits.

        Raises
        ------
        NotFound
            If there is none (never made, applied, discarded or expired).
        """
        with Session(self.reader) as s:
            row = s.get(PendingImport, import_id)
            if row is None or row.region_id != region_id:
                raise NotFound(f"no pending import {import_id!r} (applied, discarded or expired?)")
            return dict(row.preview), [edit_from_dict(d) for d in row.edits]

    def apply(
        self,
        region_id: str,
        import_id: str,
        *,
        author: str,
        message: str,
        check: Callable[[RegionDocuments], object] | None = None,
    ) -> VersionInfo:
        """Commit a pending import as one version (kind ``import``) and forget it.

        Raises
        ------
        NotFound
            If there is no such pending import.
        Conflict
            If a feature it changes was changed since the preview.
        InvalidInput
            If the data would break the contract (as :meth:`VersionRepository.commit`).
        """
        _, edits = self.get(region_id, import_id)
        return self.versions.commit(
            region_id,
            edits,
            author=author,
            message=message,
            kind="import",
            check=check,
            consume_pending=import_id,
        )

    def discard(self, region_id: str, import_id: str, *, actor: str = "system") -> bool:
        """Forget a pending import; False if there was none. ``actor`` goes into the audit log."""
        with Session(self.writer) as s, s.begin():
            return delete_recorded(
                s,
                delete(PendingImport).where(
                    PendingImport.region_id == region_id, PendingImport.import_id == import_id
                ),
                actor=actor,
                action="import.discard",
                target_type="import",
                target_id=import_id,
                summary="discarded the preview",
                details={"region_id": region_id},
            )
