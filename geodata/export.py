"""Export a region's data (any version) as GeoJSON, GPX or GeoPackage.

* GeoJSON: one FeatureCollection of every feature, each with its ``layer``
  (``trails``, ``roads``, ``places``, ``stations``); the region and the version in a
  ``sandtable`` member.
* GPX 1.1: trails and roads as tracks (one segment, elevations kept), places and
  stations as waypoints — for the GPS units teams carry.
* GeoPackage: one table per layer, WGS84, list properties as JSON text.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import gpxpy.gpx
import shapely.geometry

from geodata.errors import InvalidInput
from geodata.validate import ID_FIELDS, LAYERS, RegionDocuments

__all__ = ["FORMATS", "export"]

Format = Literal["geojson", "gpx", "gpkg"]
#: format -> (media type, file suffix)
FORMATS: dict[str, tuple[str, str]] = {
    "geojson": ("application/geo+json", ".geojson"),
    "gpx": ("application/gpx+xml", ".gpx"),
    "gpkg": ("application/geopackage+sqlite3", ".gpkg"),
}


def export(docs: RegionDocuments, version_id: int, fmt: str) -> bytes:
    """The region's documents in ``fmt``.

    Raises
    ------
    InvalidInput
        If the format is unknown.
    """
    if fmt == "geojson":
        return _geojson(docs, version_id)
    if fmt == "gpx":
        return _gpx(docs, version_id)
    if fmt == "gpkg":
        return _gpkg(docs)
    raise InvalidInput(f"unknown export format {fmt!r}; formats: {', '.join(FORMATS)}")


def _geojson(docs: RegionDocuments, version_id: int) -> bytes:
    features = [
        {**f, "properties": {"layer": layer, **f["properties"]}}
        for layer in LAYERS
        for f in docs.layers[layer]["features"]
    ]
    body: dict[str, Any] = {
        "type": "FeatureCollection",
        "sandtable": {"region_id": docs.region_id, "version_id": version_id},
        "features": features,
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _gpx(docs: RegionDocuments, version_id: int) -> bytes:
    gpx = gpxpy.gpx.GPX()
    gpx.creator = "Sandtable"
    gpx.name = f"{docs.metadata.get('name_en', docs.region_id)} (version {version_id})"
    for layer in ("trails", "roads"):
        for f in docs.layers[layer]["features"]:
            p = f["properties"]
            track = gpxpy.gpx.GPXTrack(name=p.get("name_en") or p[ID_FIELDS[layer]])
            track.type = p.get("kind")
            track.description = p[ID_FIELDS[layer]]
            segment = gpxpy.gpx.GPXTrackSegment()
            for c in f["geometry"]["coordinates"]:
                ele = c[2] if len(c) > 2 else None
                segment.points.append(gpxpy.gpx.GPXTrackPoint(c[1], c[0], elevation=ele))
            track.segments.append(segment)
            gpx.tracks.append(track)
    for layer in ("places", "stations"):
        for f in docs.layers[layer]["features"]:
            p = f["properties"]
            lon, lat = f["geometry"]["coordinates"][:2]
            names = " / ".join(n for n in (p.get("name_en"), p.get("name_zh")) if n)
            wpt = gpxpy.gpx.GPXWaypoint(
                lat, lon, elevation=p.get("elevation_m"), name=names or p[ID_FIELDS[layer]]
            )
            wpt.type = p.get("type") or p.get("kind")
            wpt.description = p[ID_FIELDS[layer]]
            gpx.waypoints.append(wpt)
    return gpx.to_xml(version="1.1").encode("utf-8")


def _gpkg(docs: RegionDocuments) -> bytes:
    with tempfile.TemporaryDirectory(prefix="sandtable-export-") as tmp:
        path = Path(tmp) / f"{docs.region_id}.gpkg"
        for layer in LAYERS:
            features = docs.layers[layer]["features"]
            rows = [{k: _cell(v) for k, v in f["properties"].items()} for f in features]
            geoms = [shapely.geometry.shape(f["geometry"]) for f in features]
            frame = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
            frame.to_file(path, layer=layer, driver="GPKG")
        return path.read_bytes()


def _cell(value: Any) -> Any:
    """A GeoPackage cell: lists and objects as JSON text."""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value
