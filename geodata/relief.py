"""Relief without a network: a DEM (GeoTIFF) read into memory, hillshade and contour tiles.

A planner loads a digital elevation model (one band, elevations in metres, a GeoTIFF
with its GeoKeys) or an MBTiles raster basemap into the instance
(:mod:`geodata.store.relief` keeps them in the database). This module is the
framework-free core:

* :func:`read_geotiff` parses and checks an uploaded GeoTIFF into a :class:`Dem`
  (every problem is an :class:`~geodata.errors.InvalidInput` naming it);
* :meth:`Dem.elevation_at` samples it (bilinear) at a WGS84 lon/lat, for elevation
  profiles;
* :func:`render_tile` draws one 256 px XYZ tile (Web Mercator, the scheme Leaflet
  uses) of ``hillshade`` or ``contours`` as a PNG;
* :func:`read_mbtiles` reads and checks an MBTiles raster tileset.

Hillshade is Horn's (1981) method with the usual sun at azimuth 315°, altitude 45°:
the slope and aspect from the 3 × 3 neighbourhood weighted 1-2-1, as documented for
ArcGIS (https://desktop.arcgis.com/en/arcmap/latest/tools/spatial-analyst-toolbox/how-hillshade-works.htm)
and R raster's ``hillShade`` (https://rdrr.io/pkg/raster/man/hillShade.html; Horn,
B.K.P., 1981, Hill shading and the reflectance map, Proc. IEEE 69(1):14-47). The DEM
is resampled (bilinear) to the tile's pixels first, so the cell size is the tile
pixel's ground size at its latitude. Contours are drawn on the same resampled grid:
a pixel is on a contour where the contour band (elevation // interval) differs from
its right or lower neighbour; every fifth contour (the index contour) is darker and
two pixels wide. The interval follows the zoom (:data:`CONTOUR_INTERVALS_M`).

MBTiles (https://github.com/mapbox/mbtiles-spec/blob/master/1.3/spec.md): the
``tiles`` table's rows count from the bottom (TMS); they are flipped to XYZ on reading.
The file is opened read-only and immutable, with an authorizer that allows only
reading and a time budget, as GeoPackages are (:mod:`geodata.importers.gpkg`).
"""

from __future__ import annotations

import io
import math
import os
import sqlite3
import struct
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
from pyproj import CRS, Transformer

from geodata.errors import InvalidInput

__all__ = [
    "CONTOUR_INTERVALS_M",
    "LAYERS",
    "MAX_DEM_PIXELS",
    "MAX_MBTILES_TILES",
    "MAX_TILE_ZOOM",
    "RENDER_VERSION",
    "TILE_SIZE",
    "Dem",
    "Mbtiles",
    "ReliefInputError",
    "empty_tile",
    "encode_png",
    "hillshade_horn",
    "read_geotiff",
    "read_mbtiles",
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
#: a DEM of more pixels is refused (kept as float32 in each worker: 100 MB)
MAX_DEM_PIXELS: Final = 25_000_000
#: an MBTiles file of more tiles is refused
MAX_MBTILES_TILES: Final = 100_000
#: time allowed to read an MBTiles file
MBTILES_BUDGET_S: Final = 10.0
#: plausible elevations (m): anything outside says the file is not a DEM in metres
ELEVATION_RANGE_M: Final = (-500.0, 9000.0)
#: (zoom up to, interval m): contour interval by zoom; every fifth is an index contour
CONTOUR_INTERVALS_M: Final = ((10, 200.0), (11, 100.0), (12, 50.0), (14, 20.0), (99, 10.0))
SUN_AZIMUTH_DEG: Final = 315.0
SUN_ALTITUDE_DEG: Final = 45.0
_ALPHA_STEP: Final = 8
_EARTH_RADIUS_M: Final = 6378137.0
_MBTILES_FORMATS: Final = {
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "webp": ("image/webp", (b"RIFF",)),
}
_MAX_VALUE_BYTES: Final = 4_000_000  # one tile
#: the GeoTIFF compressions read (tifffile decodes them with imagecodecs), as messages name them
_READABLE_COMPRESSION: Final = "none, LZW, DEFLATE or PackBits"
_READABLE_COMPRESSION_ZH: Final = "无压缩、LZW、DEFLATE 或 PackBits"


class ReliefInputError(InvalidInput):
    """An uploaded DEM or MBTiles file is not usable; ``message_zh`` says it in Chinese."""

    def __init__(self, en: str, zh: str, *, details: list[str] | None = None) -> None:
        super().__init__(en, details=details, data={"message_zh": zh})
        self.message_zh = zh


# --------------------------------------------------------------------------- the DEM
@dataclass(frozen=True, eq=False)
class Dem:
    """A single-band elevation raster in memory.

    ``elevation_m`` is float32, NaN where there is no data; pixel ``(row, col)`` covers
    ``x0 + col * dx .. x0 + (col + 1) * dx`` and ``y0 + row * dy ..`` in ``crs``
    (``dy`` < 0 for a north-up raster). ``bounds_lonlat`` is (min lon, min lat, max lon,
    max lat) of the raster's extent.
    """

    elevation_m: np.ndarray
    crs: CRS
    x0: float
    dx: float
    y0: float
    dy: float
    bounds_lonlat: tuple[float, float, float, float]
    _to_crs: Transformer | None = field(default=None, repr=False)

    @property
    def width(self) -> int:
        return int(self.elevation_m.shape[1])

    @property
    def height(self) -> int:
        return int(self.elevation_m.shape[0])

    @property
    def cell_size_m(self) -> float:
        """The larger side of a pixel on the ground (m): a geographic DEM's at its middle."""
        if not self.crs.is_geographic:
            factor = self.crs.axis_info[0].unit_conversion_factor if self.crs.axis_info else 1.0
            return max(abs(self.dx), abs(self.dy)) * factor  # its unit in metres (feet: 0.3048)
        mid_lat = math.radians((self.bounds_lonlat[1] + self.bounds_lonlat[3]) / 2)
        metres_per_deg = math.pi * _EARTH_RADIUS_M / 180
        return max(abs(self.dx) * math.cos(mid_lat), abs(self.dy)) * metres_per_deg

    def sample(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Bilinear elevations (m) at WGS84 ``lon``/``lat`` arrays; NaN outside or no data."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        if self._to_crs is not None:
            x, y = self._to_crs.transform(lon, lat)
            x = np.asarray(x, dtype=np.float64)
            y = np.asarray(y, dtype=np.float64)
        else:
            x, y = lon, lat
        # continuous pixel-centre coordinates
        col = (x - self.x0) / self.dx - 0.5
        row = (y - self.y0) / self.dy - 0.5
        h, w = self.elevation_m.shape
        inside = (col >= 0) & (col <= w - 1) & (row >= 0) & (row <= h - 1)
        col = np.clip(np.nan_to_num(col), 0, w - 1)
        row = np.clip(np.nan_to_num(row), 0, h - 1)
        c0 = np.minimum(np.floor(col).astype(np.intp), max(w - 2, 0))
        r0 = np.minimum(np.floor(row).astype(np.intp), max(h - 2, 0))
        c1 = np.minimum(c0 + 1, w - 1)
        r1 = np.minimum(r0 + 1, h - 1)
        fc = col - c0
        fr = row - r0
        z = self.elevation_m
        top = z[r0, c0] * (1 - fc) + z[r0, c1] * fc
        bottom = z[r1, c0] * (1 - fc) + z[r1, c1] * fc
        out = top * (1 - fr) + bottom * fr
        return np.where(inside, out, np.nan)

    def elevation_at(self, lon: float, lat: float) -> float | None:
        """The elevation (m) at one WGS84 point; None outside the DEM or where it has no data."""
        value = float(self.sample(np.array([lon]), np.array([lat]))[0])
        return None if math.isnan(value) else value

    def summary(self) -> dict[str, Any]:
        """JSON-ready facts about the DEM (size, CRS, extent, elevation range, pixel size)."""
        finite = self.elevation_m[np.isfinite(self.elevation_m)]
        return {
            "width": self.width,
            "height": self.height,
            "crs": f"EPSG:{self.crs.to_epsg()}",
            "bounds": [round(v, 6) for v in self.bounds_lonlat],
            "pixel_size": [abs(self.dx), abs(self.dy)],
            "min_elevation_m": round(float(finite.min()), 1),
            "max_elevation_m": round(float(finite.max()), 1),
            "nodata_share": round(1 - finite.size / self.elevation_m.size, 4),
        }


def _geokeys(raw: Any) -> dict[int, int]:
    """GeoKeyDirectoryTag (34735) -> {key id: short value} (keys held in other tags skipped)."""
    values = [int(v) for v in raw]
    if len(values) < 4:
        return {}
    count = values[3]
    keys: dict[int, int] = {}
    for i in range(count):
        entry = values[4 + 4 * i : 8 + 4 * i]
        if len(entry) == 4 and entry[1] == 0:
            keys[entry[0]] = entry[3]
    return keys


def read_geotiff(
    filename: str, data: bytes, *, region_bbox: tuple[float, float, float, float] | None = None
) -> Dem:
    """Read and check a single-band GeoTIFF DEM (elevations in metres).

    Parameters
    ----------
    filename
        The uploaded file's name (for messages).
    data
        The file's bytes.
    region_bbox
        (min lon, min lat, max lon, max lat): the DEM must overlap it.

    Raises
    ------
    ReliefInputError
        Not a TIFF, not georeferenced (no pixel scale and tie point, or a rotated
        transform), no or an unknown CRS, more than one band, not a number type, over
        :data:`MAX_DEM_PIXELS`, an undecodable compression, no data at all, elevations
        outside :data:`ELEVATION_RANGE_M`, or outside the region.
    """
    import tifffile

    if not (data[:4] in (b"II*\x00", b"MM\x00*") or data[:4] in (b"II+\x00", b"MM\x00+")):
        raise ReliefInputError(
            f"{filename}: not a GeoTIFF (the file does not start as a TIFF does)",
            f"{filename}：不是 GeoTIFF 文件（文件头不是 TIFF）",
        )
    try:
        tif = tifffile.TiffFile(io.BytesIO(data))
    except Exception as exc:  # tifffile raises many kinds on a broken file
        raise ReliefInputError(
            f"{filename}: not a readable TIFF ({type(exc).__name__})",
            f"{filename}：无法读取的 TIFF 文件",
        ) from None
    with tif:
        if not tif.pages:
            raise ReliefInputError(
                f"{filename}: the TIFF has no image", f"{filename}：TIFF 中没有图像"
            )
        page = tif.pages[0]
        if not isinstance(page, tifffile.TiffPage):  # a frame shares a page's tags: none here
            raise ReliefInputError(
                f"{filename}: the TIFF has no image", f"{filename}：TIFF 中没有图像"
            )
        shape = tuple(int(s) for s in page.shape)
        samples = int(getattr(page, "samplesperpixel", 1))
        if samples != 1 or len(shape) != 2:
            raise ReliefInputError(
                f"{filename}: a DEM has one band of elevations; this image has shape {shape}",
                f"{filename}：高程模型只应有一个波段；此图像的形状为 {shape}",
            )
        height, width = shape
        if height < 2 or width < 2:
            raise ReliefInputError(
                f"{filename}: the raster is {width} × {height} pixels; at least 2 × 2",
                f"{filename}：栅格为 {width} × {height} 像素，至少需要 2 × 2",
            )
        if width * height > MAX_DEM_PIXELS:
            raise ReliefInputError(
                f"{filename}: the raster is {width} × {height} pixels; at most "
                f"{MAX_DEM_PIXELS:,} pixels (crop or resample it to the region)",
                f"{filename}：栅格为 {width} × {height} 像素，最多 {MAX_DEM_PIXELS:,} 像素"
                "（请裁剪或重采样到本区域）",
            )
        dtype = np.dtype(page.dtype) if page.dtype is not None else None
        if dtype is None or dtype.kind not in "iuf":
            raise ReliefInputError(
                f"{filename}: elevations must be numbers (integer or float), not {dtype}",
                f"{filename}：高程值必须是数字（整数或浮点），而不是 {dtype}",
            )
        tags = page.tags
        scale = tags.get(33550)
        tie = tags.get(33922)
        matrix = tags.get(34264)
        keys_tag = tags.get(34735)
        nodata_tag = tags.get(42113)
        keys = _geokeys(keys_tag.value) if keys_tag is not None else {}
        x0, dx, y0, dy = _transform(filename, scale, tie, matrix)
        if keys.get(1025) == 2:  # PixelIsPoint: the tie point is a pixel's centre
            x0 -= dx / 2
            y0 -= dy / 2
        crs = _crs(filename, keys)
        try:
            raw = page.asarray()
        except Exception as exc:
            compression = getattr(page.compression, "name", str(page.compression))
            raise ReliefInputError(
                f"{filename}: the raster could not be decoded (compression {compression}; "
                f"use {_READABLE_COMPRESSION})",
                f"{filename}：无法解码栅格（压缩方式 {compression}；"
                f"请用{_READABLE_COMPRESSION_ZH}）",
                details=[type(exc).__name__],
            ) from None
    elevation = _elevations(filename, raw, nodata_tag)
    to_crs = None
    if crs.to_epsg() != 4326:
        to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    bounds = _bounds_lonlat(crs, x0, dx, y0, dy, width, height)
    if region_bbox is not None:
        _check_overlap(filename, bounds, region_bbox)
    return Dem(elevation, crs, x0, dx, y0, dy, bounds, to_crs)


def _elevations(filename: str, raw: Any, nodata_tag: Any) -> np.ndarray:
    """The raster as float32 metres, no-data (the GDAL_NODATA tag) and non-finite as NaN.

    Raises
    ------
    ReliefInputError
        If no pixel has data, or the elevations are outside :data:`ELEVATION_RANGE_M`.
    """
    elevation = np.asarray(raw, dtype=np.float32)
    if nodata_tag is not None:
        try:
            nodata = float(str(nodata_tag.value).strip().strip("\x00"))
        except ValueError:
            nodata = None
        if nodata is not None and not math.isnan(nodata):
            elevation[elevation == np.float32(nodata)] = np.nan
    elevation[~np.isfinite(elevation)] = np.nan
    finite = elevation[np.isfinite(elevation)]
    if finite.size == 0:
        raise ReliefInputError(
            f"{filename}: every pixel is 'no data'", f"{filename}：所有像素都是“无数据”"
        )
    low, high = float(finite.min()), float(finite.max())
    if low < ELEVATION_RANGE_M[0] or high > ELEVATION_RANGE_M[1]:
        raise ReliefInputError(
            f"{filename}: elevations {low:.0f}..{high:.0f} are outside "
            f"{ELEVATION_RANGE_M[0]:.0f}..{ELEVATION_RANGE_M[1]:.0f} m: not a DEM in metres "
            "(or its no-data value is not set)",
            f"{filename}：高程 {low:.0f}..{high:.0f} 超出 "
            f"{ELEVATION_RANGE_M[0]:.0f}..{ELEVATION_RANGE_M[1]:.0f} 米：不是以米为单位的高程模型"
            "（或未设置无数据值）",
        )
    return elevation


def _check_overlap(
    filename: str,
    bounds: tuple[float, float, float, float],
    region_bbox: tuple[float, float, float, float],
) -> None:
    """Refuse a DEM whose lon/lat ``bounds`` miss the region's bbox."""
    minlon, minlat, maxlon, maxlat = region_bbox
    if bounds[2] < minlon or bounds[0] > maxlon or bounds[3] < minlat or bounds[1] > maxlat:
        where = ", ".join(f"{v:.3f}" for v in bounds)
        region = ", ".join(f"{v:.3f}" for v in region_bbox)
        raise ReliefInputError(
            f"{filename}: the DEM covers lon/lat {where}, outside the region ({region})",
            f"{filename}：高程模型覆盖经纬度 {where}，不在本区域（{region}）内",
        )


def _transform(
    filename: str, scale: Any, tie: Any, matrix: Any
) -> tuple[float, float, float, float]:
    if matrix is not None:
        m = [float(v) for v in matrix.value]
        if len(m) != 16 or m[1] != 0 or m[4] != 0:
            raise ReliefInputError(
                f"{filename}: a rotated or sheared raster is not supported; warp it north-up",
                f"{filename}：不支持旋转或倾斜的栅格；请先重投影为正北朝上",
            )
        return m[3], m[0], m[7], m[5]
    if scale is None or tie is None:
        raise ReliefInputError(
            f"{filename}: not georeferenced (no ModelPixelScale and ModelTiepoint tags): "
            "a plain TIFF has no position",
            f"{filename}：没有地理参考（缺少 ModelPixelScale 和 ModelTiepoint 标签）",
        )
    s = [float(v) for v in scale.value]
    t = [float(v) for v in tie.value]
    if len(s) < 2 or len(t) < 6 or s[0] <= 0 or s[1] <= 0:
        raise ReliefInputError(
            f"{filename}: bad ModelPixelScale {s} or ModelTiepoint {t}",
            f"{filename}：ModelPixelScale {s} 或 ModelTiepoint {t} 无效",
        )
    i, j, _, x, y, _ = t[:6]
    return x - i * s[0], s[0], y + j * s[1], -s[1]


def _crs(filename: str, keys: dict[int, int]) -> CRS:
    code = keys.get(3072) or keys.get(2048)
    if not code:
        raise ReliefInputError(
            f"{filename}: no CRS in the GeoKeys (need an EPSG code, e.g. EPSG:4326 or 32644)",
            f"{filename}：GeoKeys 中没有坐标系（需要 EPSG 代码，如 EPSG:4326 或 32644）",
        )
    if code == 32767:
        raise ReliefInputError(
            f"{filename}: a user-defined CRS is not supported; save it as an EPSG code "
            "(e.g. EPSG:4326 or 32644)",
            f"{filename}：不支持自定义坐标系；请以 EPSG 代码保存（如 EPSG:4326 或 32644）",
        )
    try:
        crs = CRS.from_epsg(code)
    except Exception:
        raise ReliefInputError(
            f"{filename}: unknown CRS EPSG:{code}", f"{filename}：未知坐标系 EPSG:{code}"
        ) from None
    if crs.to_epsg() is None:
        raise ReliefInputError(
            f"{filename}: unknown CRS EPSG:{code}", f"{filename}：未知坐标系 EPSG:{code}"
        )
    return crs


def _bounds_lonlat(
    crs: CRS, x0: float, dx: float, y0: float, dy: float, width: int, height: int
) -> tuple[float, float, float, float]:
    xs = np.linspace(x0, x0 + dx * width, 21)
    ys = np.linspace(y0, y0 + dy * height, 21)
    gx, gy = np.meshgrid(xs, ys)
    ring_x = np.concatenate([gx[0], gx[-1], gx[:, 0], gx[:, -1]])
    ring_y = np.concatenate([gy[0], gy[-1], gy[:, 0], gy[:, -1]])
    if crs.to_epsg() != 4326:
        back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        ring_x, ring_y = back.transform(ring_x, ring_y)
    lon = np.asarray(ring_x)
    lat = np.asarray(ring_y)
    return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))


# --------------------------------------------------------------------------- tiles
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
    cell_m = 2 * math.pi * _EARTH_RADIUS_M * np.cos(np.radians(inner_lat)) / (TILE_SIZE * 2**z)
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


# --------------------------------------------------------------------------- MBTiles
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
