"""Small relief files made by the tests: a DEM GeoTIFF (a cone and a ridge over the Kailash
area) and an MBTiles raster tileset (sqlite), plus a PNG reader for the tiles we draw."""

from __future__ import annotations

import io
import sqlite3
import struct
import zlib
from pathlib import Path

import numpy as np

#: the test DEM's extent (lon/lat): the kora and Darchen
DEM_WEST, DEM_NORTH = 81.20, 31.12
DEM_STEP_DEG = 0.002  # ~200 m
DEM_SIZE = (150, 150)  # rows, columns: 81.20..81.50 E, 30.82..31.12 N
#: the cone's summit (Mount Kailash) and height
PEAK_LON, PEAK_LAT, PEAK_M = 81.3125, 31.06667, 6600.0
BASE_M = 4600.0


def dem_array() -> np.ndarray:
    """Elevations (m, float32): a cone on the summit plus a west-east ridge, on a 4600 m plain."""
    rows, cols = DEM_SIZE
    lon = DEM_WEST + (np.arange(cols) + 0.5) * DEM_STEP_DEG
    lat = DEM_NORTH - (np.arange(rows) + 0.5) * DEM_STEP_DEG
    glon, glat = np.meshgrid(lon, lat)
    km_x = (glon - PEAK_LON) * 95.3
    km_y = (glat - PEAK_LAT) * 111.2
    cone = np.clip(PEAK_M - BASE_M - 250.0 * np.hypot(km_x, km_y), 0, None)
    ridge = 400.0 * np.exp(-(((glat - 30.95) * 111.2 / 2.0) ** 2))
    return (BASE_M + cone + ridge).astype(np.float32)


def geotiff_bytes(
    elevation: np.ndarray | None = None,
    *,
    west: float = DEM_WEST,
    north: float = DEM_NORTH,
    step: float = DEM_STEP_DEG,
    epsg: int | None = 4326,
    georeferenced: bool = True,
    nodata: float | None = -9999.0,
    compression: str | None = None,
) -> bytes:
    """A GeoTIFF of ``elevation`` (default :func:`dem_array`), north-up, EPSG ``epsg``."""
    import tifffile

    data = dem_array() if elevation is None else elevation
    extratags: list[tuple[int, str, int, object, bool]] = []
    if georeferenced:
        extratags.append((33550, "d", 3, (step, step, 0.0), False))
        extratags.append((33922, "d", 6, (0.0, 0.0, 0.0, west, north, 0.0), False))
    if epsg is not None:
        projected = epsg != 4326 and not (4000 <= epsg < 5000)
        keys = [1, 1, 0, 3, 1024, 0, 1, 2 if projected else 1, 1025, 0, 1, 1]
        keys += [3072 if projected else 2048, 0, 1, epsg]
        extratags.append((34735, "H", len(keys), tuple(keys), False))
    if nodata is not None:
        extratags.append((42113, "s", 0, f"{nodata:g}", False))
    buf = io.BytesIO()
    photometric = "rgb" if data.ndim == 3 else "minisblack"
    tifffile.imwrite(
        buf, data, extratags=extratags, compression=compression, photometric=photometric
    )
    return buf.getvalue()


def png_bytes(rgb: tuple[int, int, int], size: int = 256) -> bytes:
    """A one-colour RGB PNG (for a test tileset)."""
    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def mbtiles_bytes(
    tmp: Path,
    *,
    fmt: str = "png",
    tiles: list[tuple[int, int, int, bytes]] | None = None,
    metadata: bool = True,
) -> bytes:
    """An MBTiles file; ``tiles`` as (z, x, y XYZ, data), default four tiles at zoom 12 over
    the kora (rows are stored TMS, flipped, as the spec says)."""
    path = tmp / "test.mbtiles"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    if metadata:
        conn.execute("CREATE TABLE metadata (name text, value text)")
        conn.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [("name", "Test basemap"), ("format", fmt), ("bounds", "81.2,30.9,81.5,31.1")],
        )
    conn.execute(
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, "
        "tile_data blob)"
    )
    if tiles is None:
        tiles = [
            (12, 2972, 1675, png_bytes((200, 60, 40))),
            (12, 2973, 1675, png_bytes((40, 160, 60))),
            (12, 2972, 1676, png_bytes((40, 60, 200))),
            (12, 2973, 1676, png_bytes((220, 200, 40))),
        ]
    conn.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)", [(z, x, 2**z - 1 - y, d) for z, x, y, d in tiles]
    )
    conn.commit()
    conn.close()
    return path.read_bytes()


def read_png_rgba(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGBA PNG with filter None or Up in every row (as geodata.relief writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        tag = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if tag == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 6)
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, width * 4 + 1)
    out = np.zeros((height, width * 4), dtype=np.uint8)
    for r in range(height):
        kind, row = raw[r, 0], raw[r, 1:]
        assert kind in (0, 2)
        out[r] = row if kind == 0 or r == 0 else (row.astype(np.uint16) + out[r - 1]) & 0xFF
    return out.reshape(height, width, 4)
