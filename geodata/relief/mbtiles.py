"""An MBTiles raster basemap read and checked, its tiles flipped to XYZ.

MBTiles (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md): the ``tiles``
table's rows count from the bottom (TMS); they are flipped to XYZ on reading. The file is
opened read-only and immutable, with an authorizer that allows only reading and a time
budget, as GeoPackages are (:mod:`geodata.importers.gpkg`).
"""

from __future__ import annotations

import math
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from geodata.relief.errors import ReliefInputError

__all__ = ["MAX_MBTILES_TILES", "MBTILES_BUDGET_S", "Mbtiles", "read_mbtiles"]

#: an MBTiles file of more tiles is refused
MAX_MBTILES_TILES: Final = 100_000
#: time allowed to read an MBTiles file
MBTILES_BUDGET_S: Final = 10.0
_MBTILES_FORMATS: Final = {
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "webp": ("image/webp", (b"RIFF",)),
}
_MAX_VALUE_BYTES: Final = 4_000_000  # one tile


@dataclass(frozen=True)
class Mbtiles:
    """A checked MBTiles raster tileset: metadata and the tiles as (z, x, y XYZ, bytes)."""

    name: str
    format: str
    media_type: str
    minzoom: int
    maxzoom: int
    bounds: tuple[float, float, float, float] | None
    attribution: str
    tiles: list[tuple[int, int, int, bytes]]

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "format": self.format,
            "minzoom": self.minzoom,
            "maxzoom": self.maxzoom,
            "bounds": list(self.bounds) if self.bounds else None,
            "attribution": self.attribution,
            "tile_count": len(self.tiles),
        }


_READ_ACTIONS: Final = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
_READ_FUNCTIONS: Final = {"count", "length", "typeof"}


def _authorizer(action: int, arg1: str | None, arg2: str | None, *_: object) -> int:
    if action not in _READ_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() not in _READ_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def read_mbtiles(filename: str, data: bytes, *, budget_s: float = MBTILES_BUDGET_S) -> Mbtiles:
    """Read and check an MBTiles raster tileset (PNG, JPEG or WebP tiles).

    Raises
    ------
    ReliefInputError
        Not an SQLite database, no ``metadata`` or ``tiles`` table, vector tiles
        (``pbf``) or another format, a tile whose bytes are not of the format, a zoom,
        column or row outside the grid, over :data:`MAX_MBTILES_TILES` tiles, no tiles,
        or reading longer than ``budget_s``.
    """
    if not data.startswith(b"SQLite format 3\x00"):
        raise ReliefInputError(
            f"{filename}: not an MBTiles file (not an SQLite database)",
            f"{filename}：不是 MBTiles 文件（不是 SQLite 数据库）",
        )
    with tempfile.TemporaryDirectory(prefix="sandtable-relief-") as tmp:
        path = Path(tmp) / "upload.mbtiles"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        deadline = time.monotonic() + budget_s
        try:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, isolation_level=None
            )
        except sqlite3.DatabaseError:
            raise ReliefInputError(
                f"{filename}: not a readable SQLite database",
                f"{filename}：无法读取的 SQLite 数据库",
            ) from None
        try:
            conn.execute("PRAGMA query_only = ON")
            conn.execute("PRAGMA trusted_schema = OFF")
            conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, _MAX_VALUE_BYTES)
            conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
            conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
            conn.set_authorizer(_authorizer)
            return _read_tileset(filename, conn)
        except sqlite3.DatabaseError as exc:
            if time.monotonic() > deadline:
                raise ReliefInputError(
                    f"{filename}: reading the MBTiles took more than {budget_s:.0f} s; refused",
                    f"{filename}：读取 MBTiles 超过 {budget_s:.0f} 秒，已拒绝",
                ) from None
            raise ReliefInputError(
                f"{filename}: not a readable MBTiles file ({exc})",
                f"{filename}：无法读取的 MBTiles 文件（{exc}）",
            ) from None
        finally:
            conn.close()


def _read_tileset(filename: str, conn: sqlite3.Connection) -> Mbtiles:
    try:
        rows = conn.execute("SELECT name, value FROM metadata").fetchall()
    except sqlite3.DatabaseError:
        raise ReliefInputError(
            f"{filename}: no 'metadata' table (name, value): not an MBTiles file",
            f"{filename}：没有 metadata 表（name, value）：不是 MBTiles 文件",
        ) from None
    meta = {str(k): str(v) for k, v in rows if k is not None and v is not None}
    fmt = meta.get("format", "").strip().lower()
    if fmt in ("pbf", "mvt"):
        raise ReliefInputError(
            f"{filename}: vector tiles (format {fmt!r}) cannot be drawn; load a raster "
            "tileset (png, jpg or webp)",
            f"{filename}：无法显示矢量瓦片（格式 {fmt!r}）；请载入栅格瓦片集（png、jpg 或 webp）",
        )
    if fmt not in _MBTILES_FORMATS:
        raise ReliefInputError(
            f"{filename}: metadata 'format' is {fmt or 'missing'!r}; png, jpg or webp",
            f"{filename}：metadata 中的 format 为 {fmt or '缺失'!r}；应为 png、jpg 或 webp",
        )
    media, magics = _MBTILES_FORMATS[fmt]
    try:
        count = int(conn.execute("SELECT count(*) FROM tiles").fetchone()[0])
    except sqlite3.DatabaseError:
        raise ReliefInputError(
            f"{filename}: no 'tiles' table: not an MBTiles file",
            f"{filename}：没有 tiles 表：不是 MBTiles 文件",
        ) from None
    if count == 0:
        raise ReliefInputError(
            f"{filename}: the tileset has no tiles", f"{filename}：瓦片集中没有瓦片"
        )
    if count > MAX_MBTILES_TILES:
        raise ReliefInputError(
            f"{filename}: {count:,} tiles; at most {MAX_MBTILES_TILES:,}",
            f"{filename}：{count:,} 个瓦片，最多 {MAX_MBTILES_TILES:,} 个",
        )
    tiles = _read_tiles(filename, conn, fmt, magics)
    zooms = [t[0] for t in tiles]
    bounds = _tileset_bounds(meta)
    return Mbtiles(
        name=meta.get("name", filename)[:200],
        format="jpg" if fmt == "jpeg" else fmt,
        media_type=media,
        minzoom=min(zooms),
        maxzoom=max(zooms),
        bounds=bounds,
        attribution=meta.get("attribution", "")[:500],
        tiles=tiles,
    )


def _read_tiles(
    filename: str, conn: sqlite3.Connection, fmt: str, magics: tuple[bytes, ...]
) -> list[tuple[int, int, int, bytes]]:
    """Every tile as (zoom, column, row from the top, image), each checked to be a ``fmt``
    image at a valid address; the first 20 problems refuse the file."""
    tiles: list[tuple[int, int, int, bytes]] = []
    problems: list[str] = []
    for z, col, row, blob in conn.execute(
        "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"
    ):
        where = f"tile z={z} column={col} row={row}"
        if not all(isinstance(v, int) for v in (z, col, row)) or not 0 <= z <= 24:
            problems.append(f"{where}: zoom, column and row must be integers, zoom 0..24")
        elif not (0 <= col < 2**z and 0 <= row < 2**z):
            problems.append(f"{where}: column and row must be in 0..{2**z - 1}")
        elif not isinstance(blob, bytes) or not blob.startswith(magics):
            problems.append(f"{where}: the data is not a {fmt} image")
        else:
            tiles.append((z, col, 2**z - 1 - row, blob))
        if len(problems) >= 20:
            break
    if problems:
        raise ReliefInputError(
            f"{filename}: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
            f"{filename}：瓦片有误：{problems[0]}",
            details=problems,
        )
    return tiles


def _tileset_bounds(meta: dict[str, str]) -> tuple[float, float, float, float] | None:
    """The metadata's ``bounds`` (west, south, east, north), if four finite numbers."""
    try:
        parts = [float(v) for v in meta.get("bounds", "").split(",")]
        if len(parts) == 4 and all(math.isfinite(v) for v in parts):
            return (parts[0], parts[1], parts[2], parts[3])
    except ValueError:
        pass
    return None
