"""A DEM read from an uploaded GeoTIFF into memory, and sampled (bilinear) at WGS84 points.

:func:`read_geotiff` parses and checks the file with tifffile (no GDAL; LZW, DEFLATE and
PackBits decoded by imagecodecs) into a :class:`Dem`; every problem is a
:class:`~geodata.relief.errors.ReliefInputError` naming it. :meth:`Dem.sample` and
:meth:`Dem.elevation_at` give the elevation at lon/lat points (tiles, elevation profiles).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
from pyproj import CRS, Transformer

from geodata.relief.errors import ReliefInputError

__all__ = ["EARTH_RADIUS_M", "ELEVATION_RANGE_M", "MAX_DEM_PIXELS", "Dem", "read_geotiff"]

#: a DEM of more pixels is refused (kept as float32 in each worker: 100 MB)
MAX_DEM_PIXELS: Final = 25_000_000
#: plausible elevations (m): anything outside says the file is not a DEM in metres
ELEVATION_RANGE_M: Final = (-500.0, 9000.0)
#: the WGS84 (and Web Mercator) sphere's radius, for ground sizes of degrees and tile pixels
EARTH_RADIUS_M: Final = 6378137.0
#: the GeoTIFF compressions read (tifffile decodes them with imagecodecs), as messages name them
_READABLE_COMPRESSION: Final = "none, LZW, DEFLATE or PackBits"
_READABLE_COMPRESSION_ZH: Final = "无压缩、LZW、DEFLATE 或 PackBits"


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
        metres_per_deg = math.pi * EARTH_RADIUS_M / 180
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
