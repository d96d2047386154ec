"""The relief core: reading a DEM GeoTIFF, sampling it, Horn's hillshade, tiles, MBTiles."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest

from geodata.relief import (
    Dem,
    ReliefInputError,
    contour_interval_m,
    empty_tile,
    hillshade_horn,
    read_geotiff,
    read_mbtiles,
    render_tile,
)
from tests.relief_data import (
    PEAK_LAT,
    PEAK_LON,
    dem_array,
    geotiff_bytes,
    mbtiles_bytes,
    png_bytes,
    read_png_rgba,
)

KAILASH_BBOX = (81.177, 30.2861, 81.65, 31.10767)
PEAK_TILE = (13, 5946, 3351)


@pytest.fixture(scope="module")
def dem() -> Dem:
    return read_geotiff("cone.tif", geotiff_bytes(), region_bbox=KAILASH_BBOX)


def test_the_dem_is_read_with_its_extent_and_samples_the_cone(dem: Dem) -> None:
    assert (dem.width, dem.height) == (150, 150)
    assert dem.crs.to_epsg() == 4326
    west, south, east, north = dem.bounds_lonlat
    assert (west, north) == pytest.approx((81.20, 31.12))
    assert (east, south) == pytest.approx((81.50, 30.82))
    summit = dem.elevation_at(PEAK_LON, PEAK_LAT)
    assert summit is not None and summit > 6400
    # 2 km east of the summit the cone is 500 m lower (250 m per km)
    east_2km = dem.elevation_at(PEAK_LON + 2 / 95.3, PEAK_LAT)
    assert east_2km is not None and summit - east_2km == pytest.approx(500, abs=60)
    assert dem.elevation_at(81.0, 31.0) is None  # outside
    assert dem.summary()["max_elevation_m"] > 6400


def test_a_pixel_centre_samples_exactly_its_value(dem: Dem) -> None:
    values = dem_array()
    lon = 81.20 + 10.5 * 0.002
    lat = 31.12 - 20.5 * 0.002
    assert dem.elevation_at(lon, lat) == pytest.approx(float(values[20, 10]), abs=0.01)


def test_a_projected_dem_samples_like_the_geographic_one(dem: Dem) -> None:
    from pyproj import Transformer

    # the same surface resampled onto a UTM 44N grid of 200 m
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32644", always_xy=True)
    x0, y0 = to_utm.transform(81.22, 31.10)
    xs = x0 + (np.arange(120) + 0.5) * 200
    ys = y0 - (np.arange(120) + 0.5) * 200
    gx, gy = np.meshgrid(xs, ys)
    lon, lat = Transformer.from_crs("EPSG:32644", "EPSG:4326", always_xy=True).transform(gx, gy)
    grid = dem.sample(lon, lat).astype(np.float32)
    data = geotiff_bytes(grid, west=x0, north=y0, step=200.0, epsg=32644)
    utm = read_geotiff("utm.tif", data, region_bbox=KAILASH_BBOX)
    assert utm.crs.to_epsg() == 32644
    a = utm.elevation_at(PEAK_LON, PEAK_LAT)
    b = dem.elevation_at(PEAK_LON, PEAK_LAT)
    assert a is not None and b is not None and abs(a - b) < 60


def test_nodata_is_no_elevation() -> None:
    values = dem_array()
    values[:, :75] = -9999
    dem = read_geotiff("half.tif", geotiff_bytes(values))
    assert dem.elevation_at(81.21, 31.0) is None
    assert dem.elevation_at(81.45, 31.0) is not None
    assert dem.summary()["nodata_share"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"not a tiff at all", "not a GeoTIFF"),
        (b"II*\x00" + b"\x00" * 20, "the TIFF has no image"),
        (geotiff_bytes(georeferenced=False), "not georeferenced"),
        (geotiff_bytes(epsg=None), "no CRS"),
        (geotiff_bytes(epsg=32767), "user-defined CRS"),
        (geotiff_bytes(np.zeros((10, 10, 3), np.float32)), "one band"),
        (geotiff_bytes(np.full((10, 10), -9999, np.float32)), "no data"),
        (geotiff_bytes(np.full((10, 10), 65000, np.uint16), nodata=None), "not a DEM in metres"),
        (geotiff_bytes(west=10.0, north=50.0), "outside the region"),
        (geotiff_bytes(np.zeros((1, 10), np.float32)), "at least 2 × 2"),
    ],
)
def test_a_bad_dem_is_refused_naming_the_problem(data: bytes, words: str) -> None:
    with pytest.raises(ReliefInputError) as caught:
        read_geotiff("bad.tif", data, region_bbox=KAILASH_BBOX)
    assert words in caught.value.message
    assert caught.value.message.startswith("bad.tif")
    assert caught.value.message_zh and caught.value.data == {"message_zh": caught.value.message_zh}


def test_too_many_pixels_are_refused_before_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    import geodata.relief.dem as relief

    monkeypatch.setattr(relief, "MAX_DEM_PIXELS", 100)
    with pytest.raises(ReliefInputError, match="at most 100 pixels"):
        read_geotiff("big.tif", geotiff_bytes())


def test_horn_hillshade_of_a_plane() -> None:
    # flat ground: cos(zenith) = sin(altitude) everywhere
    flat = hillshade_horn(np.zeros((5, 5)), 30.0, 30.0)
    assert flat.shape == (3, 3)
    assert np.allclose(flat, math.sin(math.radians(45)))
    # a slope facing the north-west sun (rising to the south-east) at 45°: lit head-on
    ys, xs = np.mgrid[0:5, 0:5] * 30.0
    rise = (xs + ys) / math.sqrt(2)  # elevation grows east and south (rows run south)
    facing = hillshade_horn(rise, 30.0, 30.0)
    assert np.allclose(facing, 1.0)
    # the opposite slope is in shadow
    assert np.allclose(hillshade_horn(-rise, 30.0, 30.0), 0.0)


def test_hillshade_and_contour_tiles_show_the_cone(dem: Dem) -> None:
    hill = read_png_rgba(render_tile(dem, "hillshade", *PEAK_TILE))
    assert hill.shape == (256, 256, 4)
    alpha = hill[..., 3]
    assert alpha.std() > 10  # shadows and lights, not one colour
    # the cone's north-west face is lit (pale), its south-east face in shadow (dark)
    centre = 128
    z, x, y = PEAK_TILE
    world = 256 * 2**z
    px = (PEAK_LON + 180) / 360 * world - x * 256
    py = (1 - math.asinh(math.tan(math.radians(PEAK_LAT))) / math.pi) / 2 * world - y * 256
    r, c = int(py), int(px)
    nw = hill[max(r - 40, 0), max(c - 40, 0)]
    se = hill[min(r + 40, 255), min(c + 40, 255)]
    assert nw[0] > 200 and se[0] < 100, (nw, se, centre)
    contours = read_png_rgba(render_tile(dem, "contours", *PEAK_TILE))
    lines = contours[..., 3] > 0
    assert 0.005 < lines.mean() < 0.3
    assert contour_interval_m(13) == 20.0


def test_tiles_outside_the_dem_or_too_deep_are_transparent(dem: Dem) -> None:
    assert render_tile(dem, "hillshade", 12, 0, 0) == empty_tile()
    assert render_tile(dem, "hillshade", 19, 380000, 218000) == empty_tile()
    assert read_png_rgba(empty_tile())[..., 3].max() == 0


@pytest.mark.parametrize("address", [(13, 9000, 3351), (-1, 0, 0), (3, 8, 0)])
def test_a_tile_outside_the_grid_is_refused(dem: Dem, address: tuple[int, int, int]) -> None:
    with pytest.raises(ValueError, match="outside|must be in"):
        render_tile(dem, "hillshade", *address)


def test_an_mbtiles_tileset_is_read_and_flipped_to_xyz(tmp_path: Path) -> None:
    tileset = read_mbtiles("base.mbtiles", mbtiles_bytes(tmp_path))
    assert (tileset.format, tileset.minzoom, tileset.maxzoom) == ("png", 12, 12)
    assert {(z, x, y) for z, x, y, _ in tileset.tiles} == {
        (12, 2972, 1675),
        (12, 2973, 1675),
        (12, 2972, 1676),
        (12, 2973, 1676),
    }
    assert tileset.summary()["tile_count"] == 4


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"fmt": "pbf"}, "vector tiles"),
        ({"fmt": "tiff"}, "png, jpg or webp"),
        ({"metadata": False}, "no 'metadata' table"),
        ({"tiles": []}, "no tiles"),
        ({"tiles": [(3, 9, 0, png_bytes((1, 2, 3)))]}, "must be in 0..7"),
        ({"tiles": [(3, 1, 1, b"GIF89a....")]}, "not a png image"),
    ],
)
def test_a_bad_mbtiles_is_refused_naming_the_problem(
    tmp_path: Path, kwargs: dict, words: str
) -> None:
    with pytest.raises(ReliefInputError) as caught:
        read_mbtiles("bad.mbtiles", mbtiles_bytes(tmp_path, **kwargs))
    assert words in caught.value.message
    assert caught.value.message_zh


def test_a_file_that_is_not_sqlite_is_not_an_mbtiles() -> None:
    with pytest.raises(ReliefInputError, match="not an SQLite database"):
        read_mbtiles("x.mbtiles", b"PK\x03\x04 zip")


def _with_compression_tag(data: bytes, code: int) -> bytes:
    """``data`` (a little-endian classic TIFF) with its first IFD's Compression tag set to
    ``code``: the pixels stay as they are, so a reader that trusts the tag cannot decode them."""
    out = bytearray(data)
    ifd = int.from_bytes(out[4:8], "little")
    count = int.from_bytes(out[ifd : ifd + 2], "little")
    for i in range(count):
        entry = ifd + 2 + 12 * i
        if int.from_bytes(out[entry : entry + 2], "little") == 259:
            out[entry + 8 : entry + 10] = code.to_bytes(2, "little")
            return bytes(out)
    raise AssertionError("no Compression tag")


@pytest.mark.parametrize("compression", ["lzw", "zlib", "packbits"])
def test_compressed_dems_are_read_as_the_plain_one(dem: Dem, compression: str) -> None:
    """LZW (what GDAL and QGIS often write), DEFLATE and PackBits, written by tifffile
    with imagecodecs: every pixel as in the uncompressed file."""
    data = geotiff_bytes(compression=compression)
    import tifffile

    with tifffile.TiffFile(io.BytesIO(data)) as tif:  # really compressed so
        assert tif.pages[0].compression.name == {"zlib": "ADOBE_DEFLATE"}.get(
            compression, compression.upper()
        )
    read = read_geotiff(f"{compression}.tif", data)
    assert np.array_equal(read.elevation_m, dem.elevation_m)


def test_an_undecodable_compression_is_refused_naming_it() -> None:
    data = _with_compression_tag(geotiff_bytes(), 34887)  # LERC, not in the pixels
    with pytest.raises(ReliefInputError) as caught:
        read_geotiff("lerc.tif", data)
    assert "could not be decoded (compression LERC" in caught.value.message
    assert "LZW, DEFLATE or PackBits" in caught.value.message
    assert "LZW、DEFLATE 或 PackBits" in caught.value.message_zh
