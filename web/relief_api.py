"""Relief on the map without a network: a planner's DEM or MBTiles basemap (``/api/relief``).

``GET /api/relief``                              what is loaded (``dem``, ``mbtiles``: file,
                                                 size, sha256, who, when, summary, or null)
``POST /api/relief/dem``                         multipart ``file``: a GeoTIFF DEM (201)
``POST /api/relief/mbtiles``                     multipart ``file``: an MBTiles raster tileset (201)
``DELETE /api/relief/<kind>``                    remove it (204)
``GET /api/relief/<layer>/<z>/<x>/<y>.png``      ``hillshade`` or ``contours`` from the DEM
``GET /api/relief/basemap/<z>/<x>/<y>``          a tile of the MBTiles (404 where it has none)
``GET /api/relief/elevation?lon=&lat=``          the DEM's elevation there (``elevation_m``,
                                                 null outside it)

Only planners (and admins) load and remove; whoever may open the map reads. A file
that is not a usable DEM or tileset is a 422 naming the problem (in ``message`` and,
in Chinese, ``data.message_zh``); one over :data:`MAX_RELIEF_BYTES` a 413. Tiles carry
an ETag (the file's sha256, the renderer's version and the address): a repeated request
with ``If-None-Match`` is a 304; the URL's optional ``v`` (the file's sha256 prefix,
12 characters, that the page got from ``GET /api/relief``) makes a new file's tiles new
URLs, so such tiles are cached for a day (without it, or with an old one: ``no-cache``,
revalidated by the ETag). Rendered tiles are kept in a small per-process LRU
(:data:`TILE_CACHE_SIZE`).
Where no DEM is loaded the tile routes are a 404 (the page asks ``GET /api/relief``
first and says so in the layer control).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated, Any, Final, Literal

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from geodata.errors import InvalidInput, NotFound
from geodata.i18n import msg
from geodata.importers import MAX_UPLOAD_BYTES
from geodata.relief import RENDER_VERSION, read_geotiff, read_mbtiles, render_tile
from geodata.store.relief import ReliefStore
from rescue.elevation_profile import ElevationModel
from web.answer_parts import Time
from web.auth import current_user_name
from web.contract import api_operation
from web.errors import TooLarge
from web.state import get_state

__all__ = [
    "MAX_RELIEF_BYTES",
    "TILE_CACHE_SIZE",
    "ElevationAt",
    "ReliefFile",
    "ReliefLayers",
    "ReliefLoaded",
    "ReliefStatus",
    "bp",
    "elevation_model",
]

bp = Blueprint("relief", __name__, url_prefix="/api/relief")

#: the largest DEM or MBTiles file (the app's request limit: see web.bodies)
MAX_RELIEF_BYTES: Final = MAX_UPLOAD_BYTES
#: rendered tiles kept per process
TILE_CACHE_SIZE: Final = 512
_MAP_ROLES = ("call_taker", "officer", "planner")
_CACHE_CONTROL = "private, max-age=86400"

_tiles: OrderedDict[tuple[str, str, str, int, int, int], bytes] = OrderedDict()
_tiles_lock = threading.Lock()


def _store() -> ReliefStore:
    store = get_state().store
    return ReliefStore(store.reader, store.writer)


def elevation_model() -> ElevationModel | None:
    """The DEM the region's elevation profiles sample (None: the route data's heights)."""
    loaded = _store().loaded_dem(get_state().region_id)
    return None if loaded is None else ElevationModel(loaded.dem, loaded.filename, loaded.sha256)


def _upload() -> tuple[str, bytes]:
    """The one uploaded ``file`` of a multipart form, read within the size limit."""
    length = request.content_length
    limit = MAX_RELIEF_BYTES + 64 * 1024
    if length is not None and length > limit:
        raise TooLarge(
            msg("large.upload", mb=f"{length / 1e6:.1f}", limit=f"{MAX_RELIEF_BYTES / 1e6:.0f}")
        )
    request.max_content_length = limit
    if not request.mimetype.startswith("multipart/form-data"):
        raise InvalidInput(msg("import.multipart"))
    unknown = sorted(k for k in [*request.form, *request.files] if k != "file")
    if unknown:
        raise InvalidInput(msg("relief.unknown_form_fields", fields=", ".join(map(repr, unknown))))
    files = request.files.getlist("file")
    if len(files) != 1:
        raise InvalidInput(msg("import.one_file", count=len(files)))
    upload = files[0]
    name = (upload.filename or "").strip()[:255]
    if not name:
        raise InvalidInput(msg("relief.no_name"))
    try:
        data = upload.stream.read(MAX_RELIEF_BYTES + 1)
    finally:
        upload.close()
    if len(data) > MAX_RELIEF_BYTES:
        raise TooLarge(msg("large.file", name=name, limit=f"{MAX_RELIEF_BYTES / 1e6:.0f}"))
    if not data:
        raise InvalidInput(msg("relief.empty_file", name=name))
    return name, data


# --------------------------------------------------------------------------- declarations
class ReliefFile(BaseModel):
    """A loaded DEM or MBTiles basemap (:meth:`geodata.store.relief.ReliefStore.status`):
    the file, who loaded it when, and what was read from it."""

    kind: Literal["dem", "mbtiles"]
    filename: str
    sha256: str
    size_bytes: int
    uploaded_at: Time
    uploaded_by: str
    info: dict[str, Any] = Field(
        description="what was read from the file: the DEM's grid and bounds, the tiles' "
        "format and zooms"
    )


class ReliefLayers(BaseModel):
    """The DEM and the MBTiles basemap loaded for the region (null where none)."""

    dem: ReliefFile | None
    mbtiles: ReliefFile | None


class ReliefStatus(BaseModel):
    """``GET /api/relief``."""

    relief: ReliefLayers


class ReliefLoaded(BaseModel):
    """A DEM or basemap just loaded (201)."""

    relief: ReliefFile


class ElevationAt(BaseModel):
    """``GET /api/relief/elevation``: the DEM's height at a WGS84 point."""

    lon: float
    lat: float
    elevation_m: float | None = Field(description="null outside the DEM")
    dem_sha256: str = Field(description="the DEM file it was read from")


_PNG = {"image/png": {"type": "string", "contentMediaType": "image/png"}}


class Upload(BaseModel):
    """A multipart form with the one file."""

    model_config = ConfigDict(extra="forbid")

    file: Annotated[
        bytes, WithJsonSchema({"type": "string", "contentMediaType": "application/octet-stream"})
    ]


class TileQuery(BaseModel):
    """``?v=``: the file's hash the page asks for (a day's cache when it matches)."""

    model_config = ConfigDict(extra="forbid")

    v: Annotated[str, Field(max_length=64)] | None = None


class PointQuery(BaseModel):
    """``?lon=&lat=``: a WGS84 point."""

    model_config = ConfigDict(extra="forbid")

    lon: Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
    lat: Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]


# --------------------------------------------------------------------------- status, uploads
@api_operation(
    bp,
    "GET",
    "",
    summary="the DEM and MBTiles basemap loaded for the region (null where none)",
    roles=_MAP_ROLES,
    ok={200: ReliefStatus},
)
def status() -> Response:
    state = get_state()
    return jsonify(relief=_store().status(state.region_id))


@api_operation(
    bp,
    "POST",
    "/dem",
    summary="load a DEM (GeoTIFF, one band, metres), replacing the loaded one",
    roles=("planner",),
    upload=Upload,
    ok={201: ReliefLoaded},
    errors=(400,),
)
def upload_dem() -> Response:
    name, data = _upload()
    state = get_state()
    bbox = tuple(float(v) for v in state.network.region.metadata["bbox"])
    dem = read_geotiff(name, data, region_bbox=bbox)  # type: ignore[arg-type]
    info = _store().put_dem(state.region_id, name, data, dem, actor=current_user_name())
    response = jsonify(relief=info)
    response.status_code = 201
    return response


@api_operation(
    bp,
    "POST",
    "/mbtiles",
    summary="load an MBTiles raster basemap, replacing the loaded one",
    roles=("planner",),
    upload=Upload,
    ok={201: ReliefLoaded},
    errors=(400,),
)
def upload_mbtiles() -> Response:
    name, data = _upload()
    tileset = read_mbtiles(name, data)
    state = get_state()
    info = _store().put_mbtiles(state.region_id, name, data, tileset, actor=current_user_name())
    response = jsonify(relief=info)
    response.status_code = 201
    return response


@api_operation(
    bp,
    "DELETE",
    "/<any(dem, mbtiles):kind>",
    summary="remove the loaded DEM or MBTiles basemap",
    roles=("planner",),
    ok={204: None},
    errors=(404,),
)
def remove(kind: str) -> Response:
    state = get_state()
    _store().delete(state.region_id, kind, actor=current_user_name())
    return Response(status=204)


# --------------------------------------------------------------------------- tiles
def _tile_response(body: bytes, media: str, etag: str, sha: str) -> Response:
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(body, mimetype=media)
    response.set_etag(etag)
    # a URL naming the file (?v=, as the pages ask) stays valid for a day; any other is
    # checked again each time (its ETag makes that a 304)
    fresh = request.args.get("v") == sha[:12]
    response.headers["Cache-Control"] = _CACHE_CONTROL if fresh else "private, no-cache"
    return response


@api_operation(
    bp,
    "GET",
    "/<any(hillshade, contours):layer>/<int:z>/<int:x>/<int:y>.png",
    summary="a 256 px XYZ tile of hillshade or contours drawn from the DEM (ETag)",
    roles=_MAP_ROLES,
    query=TileQuery,
    ok={200: _PNG, 304: None},
    errors=(404,),
)
def dem_tile(layer: str, z: int, x: int, y: int, query: TileQuery) -> Response:
    state = get_state()
    found = _store().dem(state.region_id)
    if found is None:
        raise NotFound(msg("relief.no_dem"))
    dem, sha = found
    etag = f"{sha[:20]}-r{RENDER_VERSION}-{layer}-{z}-{x}-{y}"
    if etag in request.if_none_match:
        return _tile_response(b"", "image/png", etag, sha)
    key = (state.region_id, sha, layer, z, x, y)
    with _tiles_lock:
        png = _tiles.get(key)
        if png is not None:
            _tiles.move_to_end(key)
    if png is None:
        png = render_tile(dem, layer, z, x, y)
        with _tiles_lock:
            _tiles[key] = png
            while len(_tiles) > TILE_CACHE_SIZE:
                _tiles.popitem(last=False)
    return _tile_response(png, "image/png", etag, sha)


@api_operation(
    bp,
    "GET",
    "/basemap/<int:z>/<int:x>/<int:y>",
    summary="a tile of the loaded MBTiles basemap, as stored (ETag)",
    roles=_MAP_ROLES,
    query=TileQuery,
    ok={
        200: {
            "image/png": {"type": "string"},
            "image/jpeg": {"type": "string"},
            "image/webp": {"type": "string"},
        },
        304: None,
    },
    errors=(404,),
)
def basemap_tile(z: int, x: int, y: int, query: TileQuery) -> Response:
    state = get_state()
    store = _store()
    current = store.current(state.region_id, "mbtiles")
    if current is None:
        raise NotFound(msg("relief.no_mbtiles"))
    if not (0 <= z <= 24 and 0 <= x < 2**z and 0 <= y < 2**z):
        raise InvalidInput(msg("relief.tile_outside", tile=f"{z}/{x}/{y}"))
    body = store.tile(state.region_id, z, x, y)
    if body is None:
        raise NotFound(msg("relief.no_tile", tile=f"{z}/{x}/{y}"))
    media = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}.get(
        current["info"].get("format"), "application/octet-stream"
    )
    sha = current["sha256"]
    return _tile_response(body, media, f"{sha[:20]}-{z}-{x}-{y}", sha)


@api_operation(
    bp,
    "GET",
    "/elevation",
    summary="the DEM's elevation at a WGS84 point (null outside the DEM)",
    roles=_MAP_ROLES,
    query=PointQuery,
    ok={200: ElevationAt},
    errors=(404,),
)
def elevation(query: PointQuery) -> Response:
    values = {"lon": query.lon, "lat": query.lat}
    state = get_state()
    found = _store().dem(state.region_id)
    if found is None:
        raise NotFound(msg("relief.no_dem"))
    dem, sha = found
    return jsonify(
        lon=values["lon"],
        lat=values["lat"],
        elevation_m=dem.elevation_at(values["lon"], values["lat"]),
        dem_sha256=sha,
    )
