"""Hillshade and contour tiles drawn from a :class:`~geodata.relief.dem.Dem`, as PNGs.

:func:`render_tile` draws one 256 px XYZ tile (Web Mercator, the scheme Leaflet uses) of
``hillshade`` or ``contours``. Hillshade is Horn's (1981) method with the usual sun at
azimuth 315°, altitude 45°: the slope and aspect from the 3 × 3 neighbourhood weighted
1-2-1, as documented for ArcGIS
(https://desktop.arcgis.com/en/arcmap/latest/tools/spatial-analyst-toolbox/how-hillshade-works.htm)
and R raster's ``hillShade`` (https://rdrr.io/pkg/raster/man/hillShade.html; Horn, B.K.P.,
1981, Hill shading and the reflectance map, Proc. IEEE 69(1):14-47). The DEM is resampled
(bilinear) to the tile's pixels first, so the cell size is the tile pixel's ground size at
its latitude. Contours are drawn on the same resampled grid: a pixel is on a contour where
the contour band (elevation // interval) differs from its right or lower neighbour; every
fifth contour (the index contour) is darker and two pixels wide. The interval follows the
zoom (:data:`CONTOUR_INTERVALS_M`). PNGs are written by :func:`encode_png` (no imaging
library).
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable
from typing import Final

import numpy as np

from geodata.errors import InvalidInput
from geodata.relief.dem import EARTH_RADIUS_M, Dem

__all__ = [
    "CONTOUR_INTERVALS_M",
    "LAYERS",
    "MAX_TILE_ZOOM",
    "RENDER_VERSION",
    "TILE_SIZE",
    "contour_interval_m",
    "empty_tile",
    "encode_png",
    "hillshade_horn",
    "render_tile",
    "tile_bounds",
]

TILE_SIZE: Final = 256
#: the tiles drawn from a DEM
LAYERS: Final = ("hillshade", "contours")
#: deeper zooms get transparent tiles (a 30 m DEM has nothing to show past this)
MAX_TILE_ZOOM: Final = 18
#: bump when the drawing changes: it is part of every tile's ETag
RENDER_VERSION: Final = 2
#: (zoom up to, interval m): contour interval by zoom; every fifth is an index contour
CONTOUR_INTERVALS_M: Final = ((10, 200.0), (11, 100.0), (12, 50.0), (14, 20.0), (99, 10.0))
SUN_AZIMUTH_DEG: Final = 315.0
SUN_ALTITUDE_DEG: Final = 45.0
_ALPHA_STEP: Final = 8


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) in degrees of the XYZ tile."""
    n = 2**z
    west = x / n * 360 - 180
    east = (x + 1) / n * 360 - 180
    north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    south = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
    return west, south, east, north


def _tile_grid(z: int, x: int, y: int, border: int) -> tuple[np.ndarray, np.ndarray]:
    """Lon/lat of the tile's pixel centres, with ``border`` extra pixels on every side."""
    world = TILE_SIZE * 2**z
    idx = np.arange(-border, TILE_SIZE + border, dtype=np.float64) + 0.5
    lon = (x * TILE_SIZE + idx) / world * 360 - 180
    lat = np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * (y * TILE_SIZE + idx) / world))))
    return np.meshgrid(lon, lat)


def hillshade_horn(
    elevation_m: np.ndarray,
    cellsize_x_m: np.ndarray | float,
    cellsize_y_m: np.ndarray | float,
    *,
    azimuth_deg: float = SUN_AZIMUTH_DEG,
    altitude_deg: float = SUN_ALTITUDE_DEG,
) -> np.ndarray:
    """Horn's hillshade (0..1) of the inner cells of ``elevation_m`` (one cell less per side).

    Rows run north to south, columns west to east; the cell sizes (m) may be arrays of
    the inner shape. NaN where a neighbour has no data.
    """
    e = np.asarray(elevation_m, dtype=np.float64)
    a, b, c = e[:-2, :-2], e[:-2, 1:-1], e[:-2, 2:]
    d, f = e[1:-1, :-2], e[1:-1, 2:]
    g, h, i = e[2:, :-2], e[2:, 1:-1], e[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * np.asarray(cellsize_x_m))
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * np.asarray(cellsize_y_m))
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(dzdy, -dzdx)
    zenith = math.radians(90.0 - altitude_deg)
    azimuth = math.radians((360.0 - azimuth_deg + 90.0) % 360.0)
    shade = math.cos(zenith) * np.cos(slope) + math.sin(zenith) * np.sin(slope) * np.cos(
        azimuth - aspect
    )
    return np.clip(shade, 0.0, 1.0)


def contour_interval_m(z: int) -> float:
    """The contour interval (m) at zoom ``z``."""
    return next(interval for up_to, interval in CONTOUR_INTERVALS_M if z <= up_to)


def _hillshade_rgba(dem: Dem, z: int, x: int, y: int) -> np.ndarray:
    lon, lat = _tile_grid(z, x, y, 1)
    elevation = dem.sample(lon, lat)
    inner_lat = lat[1:-1, 1:-1]
    cell_m = 2 * math.pi * EARTH_RADIUS_M * np.cos(np.radians(inner_lat)) / (TILE_SIZE * 2**z)
    shade = hillshade_horn(elevation, cell_m, cell_m)
    flat = math.cos(math.radians(90.0 - SUN_ALTITUDE_DEG))
    shadow = np.clip((flat - shade) / flat, 0, 1)
    light = np.clip((shade - flat) / (1 - flat), 0, 1)
    rgba = np.zeros((TILE_SIZE, TILE_SIZE, 4), dtype=np.uint8)
    dark = shadow >= light
    rgba[..., 0] = np.where(dark, 52, 255)
    rgba[..., 1] = np.where(dark, 40, 252)
    rgba[..., 2] = np.where(dark, 28, 240)
    alpha = np.where(dark, 205 * shadow, 120 * light)
    # 32 levels of alpha are as good to the eye and halve the PNG (bench_relief)
    alpha = np.minimum(np.round(alpha / _ALPHA_STEP) * _ALPHA_STEP, 255)
    rgba[..., 3] = np.where(np.isnan(shade), 0, alpha).astype(np.uint8)
    return rgba


def _contours_rgba(dem: Dem, z: int, x: int, y: int) -> np.ndarray:
    lon, lat = _tile_grid(z, x, y, 1)
    e = dem.sample(lon, lat)
    interval = contour_interval_m(z)
    valid = np.isfinite(e)
    band = np.floor(np.where(valid, e, 0) / interval)
    index = np.floor(np.where(valid, e, 0) / (5 * interval))
    centre = (slice(1, -1), slice(1, -1))
    right = (slice(1, -1), slice(2, None))
    down = (slice(2, None), slice(1, -1))
    ok_r = valid[centre] & valid[right]
    ok_d = valid[centre] & valid[down]
    line = ((band[centre] != band[right]) & ok_r) | ((band[centre] != band[down]) & ok_d)
    major = ((index[centre] != index[right]) & ok_r) | ((index[centre] != index[down]) & ok_d)
    major = major | np.roll(major, 1, axis=1)  # two pixels wide
    rgba = np.zeros((TILE_SIZE, TILE_SIZE, 4), dtype=np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = 122, 74, 32
    rgba[..., 3] = np.where(major, 235, np.where(line, 150, 0)).astype(np.uint8)
    return rgba


_RENDERERS: Final[dict[str, Callable[[Dem, int, int, int], np.ndarray]]] = {
    "hillshade": _hillshade_rgba,
    "contours": _contours_rgba,
}


def render_tile(dem: Dem, layer: str, z: int, x: int, y: int) -> bytes:
    """One 256 × 256 PNG of ``layer`` (``hillshade`` or ``contours``) for XYZ tile z/x/y.

    A tile beyond the DEM's extent or deeper than :data:`MAX_TILE_ZOOM` is transparent.

    Raises
    ------
    InvalidInput
        An unknown layer, or a tile address outside the zoom's grid.
    """
    if layer not in _RENDERERS:
        raise InvalidInput(f"unknown relief layer {layer!r} (layers: {', '.join(LAYERS)})")
    _check_address(z, x, y)
    if z > MAX_TILE_ZOOM:
        return empty_tile()
    west, south, east, north = tile_bounds(z, x, y)
    b = dem.bounds_lonlat
    if east < b[0] or west > b[2] or north < b[1] or south > b[3]:
        return empty_tile()
    rgba = _RENDERERS[layer](dem, z, x, y)
    if not rgba[..., 3].any():
        return empty_tile()
    return encode_png(rgba)


def _check_address(z: int, x: int, y: int) -> None:
    if not 0 <= z <= 24:
        raise InvalidInput(f"zoom {z} is outside 0..24")
    n = 2**z
    if not (0 <= x < n and 0 <= y < n):
        raise InvalidInput(f"tile {z}/{x}/{y}: x and y must be in 0..{n - 1} at zoom {z}")


def encode_png(rgba: np.ndarray) -> bytes:
    """An RGBA uint8 array (h, w, 4) as a PNG (every row with the Up filter, then zlib)."""
    h, w, _ = rgba.shape
    rows = rgba.reshape(h, w * 4).astype(np.int16)
    up = np.empty_like(rows)
    up[0] = rows[0]
    up[1:] = rows[1:] - rows[:-1]
    raw = np.empty((h, w * 4 + 1), dtype=np.uint8)
    raw[:, 0] = 2  # filter type Up
    raw[:, 1:] = (up & 0xFF).astype(np.uint8)

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


_EMPTY: list[bytes] = []


def empty_tile() -> bytes:
    """A transparent 256 × 256 PNG."""
    if not _EMPTY:
        _EMPTY.append(encode_png(np.zeros((TILE_SIZE, TILE_SIZE, 4), dtype=np.uint8)))
    return _EMPTY[0]
