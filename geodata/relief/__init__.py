"""Relief without a network: a DEM (GeoTIFF) read into memory, hillshade and contour tiles,
an MBTiles raster basemap.

A planner loads a digital elevation model (one band, elevations in metres, a GeoTIFF
with its GeoKeys) or an MBTiles raster basemap into the instance
(:mod:`geodata.store.relief` keeps them in the database). This package is the
framework-free core, one module per concept:

* :mod:`geodata.relief.dem` — :func:`read_geotiff` parses and checks an uploaded GeoTIFF
  into a :class:`Dem`; :meth:`Dem.sample` / :meth:`Dem.elevation_at` sample it (bilinear)
  at WGS84 lon/lat, for the tiles and the elevation profiles
  (:mod:`rescue.elevation_profile`);
* :mod:`geodata.relief.tiles` — :func:`render_tile` draws one 256 px XYZ tile of
  ``hillshade`` or ``contours`` as a PNG;
* :mod:`geodata.relief.mbtiles` — :func:`read_mbtiles` reads and checks an MBTiles raster
  tileset;
* :mod:`geodata.relief.errors` — :class:`ReliefInputError`, every problem of an upload,
  in English and Chinese.
"""

from __future__ import annotations

from geodata.relief.dem import ELEVATION_RANGE_M, MAX_DEM_PIXELS, Dem, read_geotiff
from geodata.relief.errors import ReliefInputError
from geodata.relief.mbtiles import MAX_MBTILES_TILES, MBTILES_BUDGET_S, Mbtiles, read_mbtiles
from geodata.relief.tiles import (
    CONTOUR_INTERVALS_M,
    LAYERS,
    MAX_TILE_ZOOM,
    RENDER_VERSION,
    TILE_SIZE,
    contour_interval_m,
    empty_tile,
    encode_png,
    hillshade_horn,
    render_tile,
    tile_bounds,
)

__all__ = [
    "CONTOUR_INTERVALS_M",
    "ELEVATION_RANGE_M",
    "LAYERS",
    "MAX_DEM_PIXELS",
    "MAX_MBTILES_TILES",
    "MAX_TILE_ZOOM",
    "MBTILES_BUDGET_S",
    "RENDER_VERSION",
    "TILE_SIZE",
    "Dem",
    "Mbtiles",
    "ReliefInputError",
    "contour_interval_m",
    "empty_tile",
    "encode_png",
    "hillshade_horn",
    "read_geotiff",
    "read_mbtiles",
    "render_tile",
    "tile_bounds",
]
