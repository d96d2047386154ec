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
from typing import Any, Final

from flask import Blueprint, Response, jsonify, request

from geodata.errors import InvalidInput, NotFound
from geodata.i18n import msg
from geodata.importers import MAX_UPLOAD_BYTES
from geodata.relief import RENDER_VERSION, read_geotiff, read_mbtiles, render_tile
from geodata.store.relief import ReliefStore
from web import bodies, openapi
from web.auth import current_user_name, require_role
from web.errors import TooLarge
from web.state import get_state

__all__ = ["MAX_RELIEF_BYTES", "TILE_CACHE_SIZE", "bp"]

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


def _check_query(*allowed: str) -> None:
    unknown = sorted(k for k in request.args if k not in (*allowed, "lang"))
    if unknown:
        names = ", ".join(map(repr, unknown))
        raise InvalidInput(
            msg("query.unknown_some", names=names, accepted=", ".join(map(repr, allowed)))
            if allowed
            else msg("query.unknown_none", names=names)
        )


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


# --------------------------------------------------------------------------- status, uploads
@bp.get("")
@require_role(*_MAP_ROLES)
def status() -> Response:
    _check_query()
    state = get_state()
    return jsonify(relief=_store().status(state.region_id))


@bp.post("/dem")
@require_role("planner")
def upload_dem() -> Response:
    _check_query()
    name, data = _upload()
    state = get_state()
    bbox = tuple(float(v) for v in state.network.region.metadata["bbox"])
    dem = read_geotiff(name, data, region_bbox=bbox)  # type: ignore[arg-type]
    info = _store().put_dem(state.region_id, name, data, dem, actor=current_user_name())
    response = jsonify(relief=info)
    response.status_code = 201
    return response


@bp.post("/mbtiles")
@require_role("planner")
def upload_mbtiles() -> Response:
    _check_query()
    name, data = _upload()
    tileset = read_mbtiles(name, data)
    state = get_state()
    info = _store().put_mbtiles(state.region_id, name, data, tileset, actor=current_user_name())
    response = jsonify(relief=info)
    response.status_code = 201
    return response


@bp.delete("/<any(dem, mbtiles):kind>")
@require_role("planner")
def remove(kind: str) -> Response:
    _check_query()
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


@bp.get("/<any(hillshade, contours):layer>/<int:z>/<int:x>/<int:y>.png")
@require_role(*_MAP_ROLES)
def dem_tile(layer: str, z: int, x: int, y: int) -> Response:
    _check_query("v")
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


@bp.get("/basemap/<int:z>/<int:x>/<int:y>")
@require_role(*_MAP_ROLES)
def basemap_tile(z: int, x: int, y: int) -> Response:
    _check_query("v")
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


@bp.get("/elevation")
@require_role(*_MAP_ROLES)
def elevation() -> Response:
    _check_query("lon", "lat")
    values: dict[str, float] = {}
    for name, low, high in (("lon", -180.0, 180.0), ("lat", -90.0, 90.0)):
        raw = request.args.get(name)
        try:
            value = float(raw) if raw is not None else None
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            shown = bodies.quote(raw) if raw is not None else msg("relief.missing")
            raise InvalidInput(
                msg(
                    "relief.query_number",
                    name=repr(name),
                    low=f"{low:g}",
                    high=f"{high:g}",
                    value=shown,
                )
            )
        values[name] = value
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


# --------------------------------------------------------------------------- OpenAPI
_INFO: dict[str, Any] = {
    "type": ["object", "null"],
    "properties": {
        "kind": {"enum": ["dem", "mbtiles"]},
        "filename": {"type": "string"},
        "sha256": {"type": "string"},
        "size_bytes": {"type": "integer"},
        "uploaded_at": {"type": "string"},
        "uploaded_by": {"type": "string"},
        "info": {"type": "object"},
    },
}
_UPLOAD = {
    "multipart": {
        "type": "object",
        "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}},
        "required": ["file"],
        "additionalProperties": False,
    }
}
_PNG = {"image/png": {"type": "string", "contentMediaType": "image/png"}}
_XYZ = {"v": {"type": "string", "maxLength": 64}}

openapi.register(
    "GET",
    "/api/relief",
    {
        "summary": "the DEM and MBTiles basemap loaded for the region (null where none)",
        "auth": _MAP_ROLES,
        "ok": {
            200: {
                "application/json": {
                    "type": "object",
                    "properties": {
                        "relief": {
                            "type": "object",
                            "properties": {"dem": _INFO, "mbtiles": _INFO},
                            "required": ["dem", "mbtiles"],
                        }
                    },
                    "required": ["relief"],
                }
            }
        },
        "errors": (422,),
    },
)
for _kind, _what in (
    ("dem", "a DEM (GeoTIFF, one band, metres)"),
    ("mbtiles", "an MBTiles raster basemap"),
):
    openapi.register(
        "POST",
        f"/api/relief/{_kind}",
        {
            "summary": f"load {_what}, replacing the loaded one",
            "auth": ("planner",),
            "body": _UPLOAD,
            "ok": {
                201: {
                    "application/json": {
                        "type": "object",
                        "properties": {"relief": _INFO},
                        "required": ["relief"],
                    }
                }
            },
            "errors": (400, 413, 422),
        },
    )
openapi.register(
    "DELETE",
    "/api/relief/<any(dem, mbtiles):kind>",
    {
        "summary": "remove the loaded DEM or MBTiles basemap",
        "auth": ("planner",),
        "ok": {204: None},
        "errors": (404, 422),
    },
)
openapi.register(
    "GET",
    "/api/relief/<any(hillshade, contours):layer>/<int:z>/<int:x>/<int:y>.png",
    {
        "summary": "a 256 px XYZ tile of hillshade or contours drawn from the DEM (ETag)",
        "auth": _MAP_ROLES,
        "query": _XYZ,
        "ok": {200: _PNG, 304: None},
        "errors": (404, 422),
    },
)
openapi.register(
    "GET",
    "/api/relief/basemap/<int:z>/<int:x>/<int:y>",
    {
        "summary": "a tile of the loaded MBTiles basemap, as stored (ETag)",
        "auth": _MAP_ROLES,
        "query": _XYZ,
        "ok": {
            200: {
                "image/png": {"type": "string"},
                "image/jpeg": {"type": "string"},
                "image/webp": {"type": "string"},
            },
            304: None,
        },
        "errors": (404, 422),
    },
)
openapi.register(
    "GET",
    "/api/relief/elevation",
    {
        "summary": "the DEM's elevation at a WGS84 point (null outside the DEM)",
        "auth": _MAP_ROLES,
        "query": {
            "lon": {"type": "number", "minimum": -180, "maximum": 180},
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
        },
        "ok": {
            200: {
                "application/json": {
                    "type": "object",
                    "properties": {
                        "lon": {"type": "number"},
                        "lat": {"type": "number"},
                        "elevation_m": {"type": ["number", "null"]},
                        "dem_sha256": {"type": "string"},
                    },
                    "required": ["lon", "lat", "elevation_m"],
                }
            }
        },
        "errors": (404, 422),
    },
)
