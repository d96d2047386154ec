"""Hostile upload files, generated in memory: the corpus of issue 12 for tests and benchmarks.

Each generator returns ``(file name, bytes)``; ``scale`` 1.0 gives the sizes the issue
reports (a 96 kB GeoPackage, a 40 kB star, a 16 MB zig-zag, a 5 MB name, 200,000
points), smaller scales give the same shapes for tests. Coordinates are near
Kailash (lon 81.3, lat 31.05) so that a file that gets through is at least plausible.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely

__all__ = [
    "HOSTILE",
    "deep_gpx",
    "deep_kml",
    "long_name_gpx",
    "long_place_name_geojson",
    "many_points_geojson",
    "star_kml",
    "view_gpkg",
    "zigzag_kml",
    "zigzag_parts_kml",
]

LON, LAT = 81.3, 31.05
_GPX_HEAD = '<?xml version="1.0"?>\n<gpx version="1.1" creator="hostile" xmlns="http://www.topografix.com/GPX/1/1">\n'
_KML_HEAD = '<?xml version="1.0"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n'


def _kml_lines(lines: list[np.ndarray]) -> bytes:
    parts = [_KML_HEAD]
    for k, xy in enumerate(lines):
        coords = " ".join(f"{x:.7f},{y:.7f}" for x, y in xy)
        parts.append(
            f"<Placemark><name>line {k}</name><LineString><coordinates>{coords}"
            "</coordinates></LineString></Placemark>\n"
        )
    parts.append("</Document></kml>\n")
    return "".join(parts).encode()


def star_kml(scale: float = 1.0) -> tuple[str, bytes]:
    """A star polygon drawn as one line: every segment crosses almost every other.

    2,000 vertices at scale 1 (40 kB): n²/2 = 2 million crossings.
    """
    n = max(20, int(2000 * scale)) | 1  # odd: a star {n/(n//2)} is one closed stroke
    t = np.arange(n + 1) * 2 * math.pi * (n // 2) / n
    xy = np.column_stack([LON + 0.01 * np.cos(t), LAT + 0.01 * np.sin(t)])
    return "star.kml", _kml_lines([xy])


def _zigzag(points: int, offset: float = 0.0) -> np.ndarray:
    """Out along a zig-zag and back along another one shifted by half a tooth.

    Every tooth of the way back crosses two teeth of the way out.
    """
    half = points // 2
    x = np.linspace(0.0, 0.05, half)
    y = np.where(np.arange(half) % 2 == 0, 0.0, 0.01)
    out = np.column_stack([LON + x, LAT + offset + y])
    back = np.column_stack([LON + x[::-1] + 0.025 / half, LAT + offset + y])
    return np.vstack([out, back])


def zigzag_kml(scale: float = 1.0) -> tuple[str, bytes]:
    """One zig-zag line of 800,000 vertices at scale 1 (about 16 MB)."""
    return "zigzag.kml", _kml_lines([_zigzag(max(40, int(800_000 * scale)))])


def zigzag_parts_kml(scale: float = 1.0) -> tuple[str, bytes]:
    """Five zig-zag lines of 150,000 vertices each at scale 1 (about 15 MB), under the limits."""
    n = max(40, int(150_000 * scale))
    return "zigzag-parts.kml", _kml_lines([_zigzag(n, 0.02 * k) for k in range(5)])


def _nested(levels: int, open_tag: str, close_tag: str) -> str:
    return open_tag * levels + close_tag * levels


def deep_gpx(scale: float = 1.0) -> tuple[str, bytes]:
    """A GPX whose extensions nest 1,000 elements deep (7 kB)."""
    levels = max(100, int(1000 * scale))
    body = (
        f'<wpt lat="{LAT}" lon="{LON}"><name>deep</name><extensions>'
        + _nested(levels, "<a>", "</a>")
        + "</extensions></wpt>\n"
    )
    return "deep.gpx", (_GPX_HEAD + body + "</gpx>\n").encode()


def deep_kml(scale: float = 1.0) -> tuple[str, bytes]:
    """A KML with Folders nested 1,000 deep (17 kB) and a placemark at the bottom."""
    levels = max(100, int(1000 * scale))
    placemark = (
        f"<Placemark><name>deep</name><Point><coordinates>{LON},{LAT}</coordinates>"
        "</Point></Placemark>"
    )
    body = "<Folder>" * levels + placemark + "</Folder>" * levels
    return "deep.kml", (_KML_HEAD + body + "</Document></kml>\n").encode()


def long_name_gpx(scale: float = 1.0) -> tuple[str, bytes]:
    """A waypoint whose name is 5 MB long (fuzzy-matched against every place name)."""
    name = "Dirapuk " * max(100, int(5_000_000 * scale) // 8)
    body = f'<wpt lat="{LAT}" lon="{LON}"><name>{name}</name></wpt>\n'
    return "long-name.gpx", (_GPX_HEAD + body + "</gpx>\n").encode()


def long_place_name_geojson(scale: float = 1.0) -> tuple[str, bytes]:
    """A new place 2 km from anything, named with 1 MB of text."""
    name = "x" * max(1000, int(1_000_000 * scale))
    feature = {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Point", "coordinates": [LON + 0.02, LAT - 0.02]},
    }
    return "long-place.geojson", json.dumps(feature).encode()


def many_points_geojson(scale: float = 1.0) -> tuple[str, bytes]:
    """200,000 named points in one FeatureCollection (about 20 MB)."""
    n = max(20_000, int(200_000 * scale))
    rng = np.random.default_rng(12)
    xy = np.column_stack([LON + rng.uniform(-0.1, 0.1, n), LAT + rng.uniform(-0.1, 0.1, n)])
    features = [
        f'{{"type":"Feature","properties":{{"name":"p{i}"}},'
        f'"geometry":{{"type":"Point","coordinates":[{x:.6f},{y:.6f}]}}}}'
        for i, (x, y) in enumerate(xy)
    ]
    text = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    return "many-points.geojson", text.encode()


def _gpkg_blob(geom: shapely.geometry.base.BaseGeometry, srs_id: int = 4326) -> bytes:
    """GeoPackage binary: 'GP', version 0, flags (little-endian, no envelope), srs_id, WKB."""
    return b"GP\x00\x01" + struct.pack("<i", srs_id) + shapely.to_wkb(geom, byte_order=1)


_GPKG_SCHEMA = """
PRAGMA application_id = 1196444487;
PRAGMA user_version = 10300;
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL, description TEXT);
INSERT INTO gpkg_spatial_ref_sys VALUES
  ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL),
  ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL),
  ('WGS 84 geodetic', 4326, 'EPSG', 4326, 'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",
6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,
AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],
AUTHORITY["EPSG","4326"]]', NULL);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
  identifier TEXT UNIQUE, description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT
  (strftime('%Y-%m-%dT%H:%M:%fZ','now')), min_x DOUBLE, min_y DOUBLE, max_x DOUBLE,
  max_y DOUBLE, srs_id INTEGER);
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
  m TINYINT NOT NULL, PRIMARY KEY (table_name, column_name));
CREATE TABLE huts (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POINT, name TEXT);
INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
  VALUES ('huts', 'features', 'huts', 4326);
INSERT INTO gpkg_geometry_columns VALUES ('huts', 'geom', 'POINT', 4326, 0, 0);
"""

#: A view that never ends: a recursive CTE without a stop, read row by row.
_ENDLESS_VIEW = """
CREATE VIEW trails AS
  WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r)
  SELECT r.i AS fid, (SELECT geom FROM huts LIMIT 1) AS geom, 'loop ' || r.i AS name
  FROM r WHERE r.i < 0;
INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)
  VALUES ('trails', 'features', 'trails', 4326);
INSERT INTO gpkg_geometry_columns VALUES ('trails', 'geom', 'POINT', 4326, 0, 0);
"""


def gpkg_file(extra_sql: str = "", *, rows: int = 1) -> bytes:
    """A minimal valid GeoPackage with a ``huts`` point table (``rows`` rows) plus ``extra_sql``."""
    with tempfile.TemporaryDirectory(prefix="sandtable-hostile-") as tmp:
        path = Path(tmp) / "file.gpkg"
        conn = sqlite3.connect(path)
        try:
            conn.executescript(_GPKG_SCHEMA)
            conn.executemany(
                "INSERT INTO huts (geom, name) VALUES (?, ?)",
                [
                    (_gpkg_blob(shapely.Point(LON + 0.001 * i, LAT)), f"hut {i}")
                    for i in range(rows)
                ],
            )
            if extra_sql:
                conn.executescript(extra_sql)
            conn.commit()
        finally:
            conn.close()
        return path.read_bytes()


def view_gpkg(scale: float = 1.0) -> tuple[str, bytes]:
    """A GeoPackage whose feature layer ``trails`` is a VIEW with an endless recursive CTE.

    GDAL runs the view and never returns; padded with huts to about 96 kB at scale 1.
    """
    rows = max(1, int(1500 * scale))
    return "view.gpkg", gpkg_file(_ENDLESS_VIEW, rows=rows)


#: name -> generator, in the order the benchmark runs them.
HOSTILE: dict[str, Callable[[float], tuple[str, bytes]]] = {
    "view_gpkg": view_gpkg,
    "star_kml": star_kml,
    "zigzag_kml": zigzag_kml,
    "zigzag_parts_kml": zigzag_parts_kml,
    "deep_gpx": deep_gpx,
    "deep_kml": deep_kml,
    "long_name_gpx": long_name_gpx,
    "long_place_name_geojson": long_place_name_geojson,
    "many_points_geojson": many_points_geojson,
}


if __name__ == "__main__":  # write the corpus to a folder, for trying it by hand
    out = Path(os.environ.get("OUT", "hostile"))
    out.mkdir(exist_ok=True)
    for make in HOSTILE.values():
        name, data = make(1.0)
        (out / name).write_bytes(data)
        print(f"{name}: {len(data):,} bytes")
