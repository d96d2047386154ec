"""The relief a planner loaded: a DEM and an MBTiles basemap per region, in the database.

Tables (migration ``0010``): ``relief_layers`` (one row per region and kind, ``dem`` or
``mbtiles``: file name, sha256, size, who and when, the summary, and for a DEM the
GeoTIFF's bytes) and ``relief_tiles`` (the MBTiles tiles, XYZ rows). A new upload of a
kind replaces the old one in one transaction, with its audit entry (``relief.upload``,
``relief.delete``).

Why the database and not the instance folder: whatever a request on another worker
must see goes through the database (``DEVELOPERS.md``), and on PostgreSQL the workers
need not share a disk; a database backup carries the relief with the route data; and a
replacement is one transaction, so no worker ever reads half a file. Each worker
parses the DEM once per sha256 (:func:`ReliefStore.dem`) and keeps only the newest.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    LargeBinary,
    String,
    Table,
    and_,
    delete,
    insert,
    select,
)

from geodata.errors import NotFound
from geodata.i18n import Name, msg
from geodata.relief import Dem, Mbtiles, read_geotiff
from geodata.store.audit import record
from geodata.store.schema import Base, JsonType, UtcDateTime

#: the kinds of relief layer as a message names them
_KIND_NAMES = {"dem": Name("dem", "高程模型"), "mbtiles": Name("mbtiles", "MBTiles 底图")}

__all__ = ["KINDS", "LoadedDem", "ReliefStore", "relief_layers_table", "relief_tiles_table"]

#: what a planner can load
KINDS: Final = ("dem", "mbtiles")


@dataclass(frozen=True)
class LoadedDem:
    """The region's parsed DEM, the sha256 of its file and the file's name as uploaded."""

    dem: Dem
    sha256: str
    filename: str


metadata = Base.metadata  # the one registry Alembic sees (geodata.store.schema)
relief_layers_table = Table(
    "relief_layers",
    metadata,
    Column("region_id", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("filename", String(255), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
    Column("uploaded_by", String(64), nullable=False),
    Column("info", JsonType(), nullable=False),
    Column("data", LargeBinary, nullable=True),
)
relief_tiles_table = Table(
    "relief_tiles",
    metadata,
    Column("region_id", String(64), primary_key=True),
    Column("z", Integer, primary_key=True),
    Column("x", Integer, primary_key=True),
    Column("y", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)
_INFO_COLUMNS = (
    relief_layers_table.c.kind,
    relief_layers_table.c.filename,
    relief_layers_table.c.sha256,
    relief_layers_table.c.size_bytes,
    relief_layers_table.c.uploaded_at,
    relief_layers_table.c.uploaded_by,
    relief_layers_table.c.info,
)

# one parsed DEM per process: (region_id, sha256) -> LoadedDem
_DEMS: dict[tuple[str, str], LoadedDem] = {}
_DEM_LOCK = threading.Lock()


class ReliefStore:
    """The relief tables on the route store's engines (``reader`` for reads, ``writer``)."""

    def __init__(self, reader: Engine, writer: Engine) -> None:
        self.reader = reader
        self.writer = writer

    # ------------------------------------------------------------------ reads
    def status(self, region_id: str) -> dict[str, dict[str, Any] | None]:
        """``{"dem": info | None, "mbtiles": info | None}`` (no file bytes)."""
        with self.reader.begin() as conn:
            rows = conn.execute(
                select(*_INFO_COLUMNS).where(relief_layers_table.c.region_id == region_id)
            ).mappings()
            found = {row["kind"]: _info(row) for row in rows}
        return {kind: found.get(kind) for kind in KINDS}

    def current(self, region_id: str, kind: str) -> dict[str, Any] | None:
        """The info of the loaded ``kind`` (None if none is loaded)."""
        return self.status(region_id)[kind]

    def dem(self, region_id: str) -> tuple[Dem, str] | None:
        """The region's DEM and its sha256 (parsed once per process), or None."""
        loaded = self.loaded_dem(region_id)
        return None if loaded is None else (loaded.dem, loaded.sha256)

    def loaded_dem(self, region_id: str) -> LoadedDem | None:
        """The region's DEM with its file's name and sha256 (parsed once per process), or None.

        The parsed raster is cached by content; the name is the one stored now (the same
        file uploaded again under another name is named as it was last uploaded)."""
        with self.reader.begin() as conn:
            current = conn.execute(
                select(relief_layers_table.c.sha256, relief_layers_table.c.filename).where(
                    relief_layers_table.c.region_id == region_id,
                    relief_layers_table.c.kind == "dem",
                )
            ).first()
        if current is None:
            return None
        sha, filename = current.sha256, str(current.filename)
        key = (region_id, sha)
        with _DEM_LOCK:
            loaded = _DEMS.get(key)
            if loaded is None:
                with self.reader.begin() as conn:
                    row = conn.execute(
                        select(relief_layers_table.c.filename, relief_layers_table.c.data).where(
                            relief_layers_table.c.region_id == region_id,
                            relief_layers_table.c.kind == "dem",
                            relief_layers_table.c.sha256 == sha,
                        )
                    ).first()
                if row is None:  # replaced meanwhile: the next request sees the new one
                    return None
                dem = read_geotiff(row.filename, bytes(row.data))
                loaded = LoadedDem(dem, str(sha), str(row.filename))
                for old in [k for k in _DEMS if k[0] == region_id]:
                    del _DEMS[old]
                _DEMS[key] = loaded
        return loaded if loaded.filename == filename else replace(loaded, filename=filename)

    def tile(self, region_id: str, z: int, x: int, y: int) -> bytes | None:
        """An MBTiles tile (XYZ) or None."""
        with self.reader.begin() as conn:
            data = conn.execute(
                select(relief_tiles_table.c.data).where(
                    relief_tiles_table.c.region_id == region_id,
                    relief_tiles_table.c.z == z,
                    relief_tiles_table.c.x == x,
                    relief_tiles_table.c.y == y,
                )
            ).scalar()
        return None if data is None else bytes(data)

    # ------------------------------------------------------------------ writes
    def put_dem(
        self, region_id: str, filename: str, data: bytes, dem: Dem, *, actor: str
    ) -> dict[str, Any]:
        """Store a checked DEM (its GeoTIFF bytes), replacing the region's previous one."""
        return self._put(region_id, "dem", filename, data, dem.summary(), actor=actor, blob=data)

    def put_mbtiles(
        self, region_id: str, filename: str, data: bytes, tileset: Mbtiles, *, actor: str
    ) -> dict[str, Any]:
        """Store a checked tileset's tiles, replacing the region's previous ones."""
        return self._put(
            region_id, "mbtiles", filename, data, tileset.summary(), actor=actor, tiles=tileset
        )

    def delete(self, region_id: str, kind: str, *, actor: str) -> None:
        """Remove the region's ``kind``.

        Raises
        ------
        NotFound
            If none is loaded.
        """
        with self.writer.begin() as conn:
            gone = conn.execute(
                delete(relief_layers_table).where(
                    relief_layers_table.c.region_id == region_id,
                    relief_layers_table.c.kind == kind,
                )
            ).rowcount
            if not gone:
                raise NotFound(msg("relief.none_loaded", kind=_KIND_NAMES.get(kind, kind)))
            if kind == "mbtiles":
                conn.execute(
                    delete(relief_tiles_table).where(relief_tiles_table.c.region_id == region_id)
                )
            record(
                conn,
                actor=actor,
                action="relief.delete",
                target_type="relief",
                target_id=kind,
                summary=f"removed the {kind}",
            )

    def _put(
        self,
        region_id: str,
        kind: str,
        filename: str,
        data: bytes,
        info: dict[str, Any],
        *,
        actor: str,
        blob: bytes | None = None,
        tiles: Mbtiles | None = None,
    ) -> dict[str, Any]:
        sha = hashlib.sha256(data).hexdigest()
        now = datetime.now(UTC)
        row = {
            "region_id": region_id,
            "kind": kind,
            "filename": filename[:255],
            "sha256": sha,
            "size_bytes": len(data),
            "uploaded_at": now,
            "uploaded_by": actor[:64],
            "info": info,
            "data": blob,
        }
        where = and_(
            relief_layers_table.c.region_id == region_id, relief_layers_table.c.kind == kind
        )
        with self.writer.begin() as conn:
            conn.execute(delete(relief_layers_table).where(where))
            conn.execute(insert(relief_layers_table).values(**row))
            if tiles is not None:
                conn.execute(
                    delete(relief_tiles_table).where(relief_tiles_table.c.region_id == region_id)
                )
                batch = 500
                for start in range(0, len(tiles.tiles), batch):
                    conn.execute(
                        insert(relief_tiles_table),
                        [
                            {"region_id": region_id, "z": z, "x": x, "y": y, "data": blob_}
                            for z, x, y, blob_ in tiles.tiles[start : start + batch]
                        ],
                    )
            record(
                conn,
                actor=actor,
                action="relief.upload",
                target_type="relief",
                target_id=kind,
                summary=f"loaded the {kind} {filename[:100]} ({len(data):,} bytes)",
                details={"sha256": sha, "filename": filename[:255]},
                at=now,
            )
        return _info({**row, "kind": kind})


def _info(row: Any) -> dict[str, Any]:
    return {
        "kind": row["kind"],
        "filename": row["filename"],
        "sha256": row["sha256"],
        "size_bytes": int(row["size_bytes"]),
        "uploaded_at": row["uploaded_at"].isoformat(),
        "uploaded_by": row["uploaded_by"],
        "info": row["info"],
    }
