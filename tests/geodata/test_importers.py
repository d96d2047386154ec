"""Upload importers: real files from devices and apps, hostile files refused, checks that warn."""

from __future__ import annotations

import io
import json
import math
import random
import struct
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from bench.bench_import import make_gpx
from geodata.errors import InvalidInput
from geodata.importers import (
    MAX_UPLOAD_BYTES,
    ImportedFeature,
    ImportRejected,
    ImportResult,
    ImportWarning,
    read_upload,
)
from geodata.importers.kml import KMZ_MAX_ENTRIES, _read_limited

DATA = Path(__file__).resolve().parents[1] / "data" / "imports"
GPX11 = "http://www.topografix.com/GPX/1/1"
KORA_LON, KORA_LAT = 81.31, 31.07


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def assert_valid_result(result: ImportResult) -> None:
    """Invariants every accepted upload satisfies."""
    assert result.features, "an accepted upload has features"
    assert result.format in ("gpx", "kml", "kmz", "geojson", "gpkg")
    assert result.point_count == sum(f.point_count for f in result.features)
    for i, feature in enumerate(result.features):
        assert isinstance(feature, ImportedFeature)
        assert feature.index == i
        assert feature.kind in ("track", "route", "waypoint", "line", "point", "polygon")
        assert feature.geometry.geom_type in ("LineString", "Point", "Polygon")
        assert not feature.geometry.is_empty
        xy = shapely.get_coordinates(feature.geometry)
        assert np.isfinite(xy).all()
        assert (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()
        json.dumps(feature.properties)  # JSON-safe
        assert feature.source
        if feature.times is not None:
            assert len(feature.times) == feature.point_count
            assert all(t is None or t.utcoffset() == timedelta(0) for t in feature.times)
    for warning in result.warnings:
        assert isinstance(warning, ImportWarning)
        assert warning.code and warning.message
        assert warning.feature_index is None or 0 <= warning.feature_index < len(result.features)


def gpx_track(
    points: list[tuple[float, float, float | None, datetime | None]],
    *,
    name: str = "Kora day 1",
) -> bytes:
    rows = []
    for lon, lat, ele, when in points:
        inner = ""
        if ele is not None:
            inner += f"<ele>{ele}</ele>"
        if when is not None:
            inner += f"<time>{when.strftime('%Y-%m-%dT%H:%M:%SZ')}</time>"
        rows.append(f'<trkpt lat="{lat}" lon="{lon}">{inner}</trkpt>')
    body = "\n".join(rows)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
        f'xmlns="{GPX11}">\n<trk><name>{name}</name><trkseg>\n{body}\n</trkseg></trk>\n</gpx>\n'
    ).encode()


def walk(n: int, *, step_deg: float = 0.00002, start: datetime | None = None) -> list:
    t0 = start or datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
    return [
        (KORA_LON + i * step_deg, KORA_LAT, 4700.0 + i * 0.1, t0 + timedelta(seconds=2 * i))
        for i in range(n)
    ]


# --- real files ------------------------------------------------------------------------------

REAL = {
    # file: (format, creator, number of features, kinds)
    "garmin_connect_tpx.gpx": ("gpx", "Garmin Connect", 1, {"track"}),
    "strava.gpx": ("gpx", "StravaGPX", 1, {"track"}),
    "osm_traces_gpx10.gpx": ("gpx", "OpenStreetMap.org", 2, {"track"}),
    "apple_health_export.gpx": ("gpx", "Apple Health Export", 1, {"track"}),
    "brouter_bikerouter.gpx": ("gpx", "bikerouter.de 2025.46", 1, {"track"}),
    "gpxpy_validation_gpx10.gpx": ("gpx", "...", 5, {"track", "route", "waypoint"}),
    "gxtrack.kml": ("kml", None, 1, {"track"}),
    "google_mytracks_gxmultitrack.kml": (
        "kml",
        "Créé par Google Mes parcours sur Android",
        2,
        {"point", "track"},
    ),
    "dgis_subfolders.kml": ("kml", None, 5, {"point"}),
    "simpledata.kml": ("kml", None, 2, {"point"}),
    "multigeometry.geojson": ("geojson", None, 2, {"line"}),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_files_read(name: str) -> None:
    fmt, creator, count, kinds = REAL[name]
    result = read_upload(name, read(name))
    assert_valid_result(result)
    assert result.filename == name
    assert result.format == fmt
    assert result.creator == creator
    assert len(result.features) == count
    assert {f.kind for f in result.features} == kinds


def test_committed_files_are_small() -> None:
    files = [p for p in DATA.iterdir() if p.suffix != ".md"]
    assert len(files) >= 7
    assert all(p.stat().st_size < 300_000 for p in files)
    sources = (DATA / "SOURCES.md").read_text(encoding="utf-8")
    assert all(p.name in sources for p in files)


def test_garmin_connect_extensions_and_real_jumps() -> None:
    result = read_upload("garmin.gpx", read("garmin_connect_tpx.gpx"))
    (track,) = result.features
    assert track.name == "test_garmin_tpx"
    assert track.properties["type"] == "road_biking"
    assert track.properties["heart_rate_bpm"] == [113, 112, 138]
    assert track.properties["cadence_rpm"] == [None, None, 21]
    assert track.geometry.has_z
    assert track.geometry.coords[0] == pytest.approx((9.7, 43.8, 218.4), abs=1e-3)
    assert track.times[0] == datetime(2017, 11, 19, 11, 23, 7, tzinfo=UTC)
    assert track.vertex_lines == (11, 21, 31)
    jumps = result.warnings_by_code("jump")
    assert len(jumps) == 2  # the test file teleports from Italy to Austria to Africa
    assert "point 2 (line 21)" in jumps[0].message
    assert "track 'test_garmin_tpx' jumps 595.4 km in 1 s" in jumps[0].message


def test_strava_unknown_extension_is_ignored() -> None:
    result = read_upload("strava.GPX", read("strava.gpx"))
    (track,) = result.features
    assert track.name == "120' moderate and hard"
    assert track.description.startswith("Strava sample file")
    assert track.properties["heart_rate_bpm"] == [117, 154, 160]
    assert "power" not in track.properties
    assert len(track.times) == 3
    assert not result.warnings_by_code("jump")  # 3.9 km in an hour is a walk


def test_gpx10_osm_trace_download() -> None:
    result = read_upload("osm.gpx", read("osm_traces_gpx10.gpx"))
    first, second = result.features
    assert (first.name, second.name) == ("dc.zip", "GPS_20090913_001033.gpx")
    assert second.description == "I-95 from Pembroke, GA to Elizabethtown, PA"
    assert not second.geometry.has_z  # the trace has no elevations
    assert second.source == "trk[1]/trkseg[0], line 27"
    assert second.times[-1] == datetime(2009, 9, 13, 9, 52, 44, tzinfo=UTC)
    assert "openstreetmap.org" in second.properties["link"]


def test_gpx10_every_field_routes_waypoints_and_empty_parts() -> None:
    result = read_upload("all.gpx", read("gpxpy_validation_gpx10.gpx"))
    kinds = [f.kind for f in result.features]
    assert kinds == ["track", "route", "route", "waypoint", "waypoint"]
    track, route, _, wpt, bare = result.features
    assert track.geometry.geom_type == "Point"  # a one-point segment
    assert result.warnings_by_code("few_points")[0].feature_index == 0
    assert result.warnings_by_code("empty_segment")
    assert route.name == "example name" and route.point_count == 3
    assert route.source == "rte[0], line 33"
    assert route.properties["cmt"] == "example cmt"
    assert wpt.properties["sym"] == "example sym"
    assert wpt.properties["type"] == "example type"
    assert wpt.geometry.coords[0] == pytest.approx((45.6, 12.3, 75.1))
    assert bare.name is None
    dup = result.warnings_by_code("duplicate_name")
    assert len(dup) == 1 and "'example name' is used by 2 features" in dup[0].message


def test_planned_route_without_times() -> None:
    result = read_upload("bisingen.gpx", read("brouter_bikerouter.gpx"))
    (track,) = result.features
    assert track.times is None
    assert track.point_count == 40
    assert track.geometry.coords[0][2] == 566
    (no_time,) = result.warnings_by_code("no_time")
    assert "Hechingen" in no_time.message
    assert not result.warnings_by_code("jump")


def test_kml_gx_track_times() -> None:
    result = read_upload("track.kml", read("gxtrack.kml"))
    (track,) = result.features
    assert track.kind == "track"
    assert len(track.times) == 7
    assert track.times[0] == datetime(2010, 5, 28, 2, 2, 9, tzinfo=UTC)
    assert track.geometry.coords[0] == pytest.approx((-122.207881, 37.371915, 156.0))
    assert track.vertex_lines[0] == 14


def test_kml_my_tracks_multitrack_and_extended_data() -> None:
    result = read_upload("mytracks.kml", read("google_mytracks_gxmultitrack.kml"))
    start, track = result.features
    assert start.kind == "point" and start.name.endswith("(départ)")
    assert track.kind == "track" and track.properties == {"id": "tour", "type": "course à pied"}
    assert track.point_count == 20 and len(track.times) == 20
    assert track.times[0].microsecond == 702000


def test_kml_nested_folders_and_cyrillic() -> None:
    result = read_upload("nsk.kml", read("dgis_subfolders.kml"))
    first = result.features[0]
    assert first.name == "ОСПН Дзержинского района"
    assert first.properties["folder"] == (
        "Социальное обслуживание населения / Социальное обслуживание населения170"
        " / Отделы социальной поддержки населения"
    )
    assert "Отдел социальной поддержки" in first.description
    assert first.source == "Placemark[0], line 20"


def test_kml_schema_data() -> None:
    result = read_upload("trails.kml", read("simpledata.kml"))
    assert result.features[1].properties == {
        "TrailHeadName": "Mount Everest",
        "TrailLength": "347.45",
        "ElevationGain": "10000",
    }


def test_geojson_geometry_collection_split() -> None:
    result = read_upload("harbor.json", read("multigeometry.geojson"))
    names = [f.name for f in result.features]
    assert names == ["SF Marina Harbor Master (part 1)", "SF Marina Harbor Master (part 2)"]
    assert result.features[1].source == "features[0], part 2"


# --- generated formats: KMZ, GeoPackage, KML geometries, GeoJSON --------------------------


def kmz(entries: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_kmz_prefers_doc_kml() -> None:
    data = kmz(
        {
            "files/icon.png": b"\x89PNG\r\n\x1a\n" + bytes(100),
            "other.kml": read("simpledata.kml"),
            "doc.kml": read("gxtrack.kml"),
        }
    )
    result = read_upload("track.KMZ", data)
    assert_valid_result(result)
    assert result.format == "kmz"
    assert [f.kind for f in result.features] == ["track"]


def test_kmz_first_kml_without_doc_kml() -> None:
    result = read_upload("nsk.kmz", kmz({"nsk_bike.kml": read("dgis_subfolders.kml")}))
    assert len(result.features) == 5


def test_kml_geometries() -> None:
    kml = b"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder><name>Kailash</name>
<Placemark><name>Hut</name><Point><coordinates>81.3,31.05,4700</coordinates></Point></Placemark>
<Placemark><name>Path</name><LineString><coordinates>
81.30,31.05,4700 81.31,31.06,4750 81.32,31.06,4800
</coordinates></LineString></Placemark>
<Placemark><name>Camp</name><Polygon>
<outerBoundaryIs><LinearRing><coordinates>81.3,31.0 81.31,31.0 81.31,31.01 81.3,31.0
</coordinates></LinearRing></outerBoundaryIs>
<innerBoundaryIs><LinearRing><coordinates>81.302,31.002 81.303,31.002 81.303,31.003 81.302,31.002
</coordinates></LinearRing></innerBoundaryIs>
</Polygon></Placemark>
<Placemark><name>Both</name><MultiGeometry>
<Point><coordinates>81.35,31.1</coordinates></Point>
<LineString><coordinates>81.35,31.1 81.36,31.1</coordinates></LineString>
</MultiGeometry></Placemark>
</Folder></Document></kml>"""
    result = read_upload("kailash.kml", kml)
    assert_valid_result(result)
    assert [(f.kind, f.name) for f in result.features] == [
        ("point", "Hut"),
        ("line", "Path"),
        ("polygon", "Camp"),
        ("point", "Both (part 1)"),
        ("line", "Both (part 2)"),
    ]
    assert result.features[1].geometry.coords[2] == (81.32, 31.06, 4800)
    assert result.features[2].properties["inner_rings_dropped"] == 1
    assert result.features[2].properties["folder"] == "Kailash"
    assert result.warnings_by_code("polygon_holes_dropped")


def utm44() -> Transformer:
    return Transformer.from_crs(4326, 32644, always_xy=True)


def test_geopackage_layers_transformed(tmp_path: Path) -> None:
    x, y = utm44().transform([81.30, 81.31, 81.32], [31.05, 31.06, 31.06])
    trails = gpd.GeoDataFrame(
        {"name": ["Kora west", "Kora west"], "surface": ["gravel", None]},
        geometry=[
            shapely.LineString(zip(x, y, strict=True)),
            shapely.MultiLineString(
                [list(zip(x[:2], y[:2], strict=True)), [(x[2], y[2]), (x[0], y[0])]]
            ),
        ],
        crs=32644,
    )
    huts = gpd.GeoDataFrame(
        {"name": ["Dirapuk"], "beds": [40]},
        geometry=[shapely.Point(81.3, 31.05)],
        crs=4326,
    )
    path = tmp_path / "planner.gpkg"
    trails.to_file(path, layer="trails", driver="GPKG")
    huts.to_file(path, layer="huts", driver="GPKG")
    result = read_upload("planner.gpkg", path.read_bytes())
    assert_valid_result(result)
    assert result.format == "gpkg"
    by_source = {f.source: f for f in result.features}
    first = by_source["layer 'trails' row 0"]
    assert first.kind == "line"
    assert first.geometry.coords[0] == pytest.approx((81.30, 31.05), abs=1e-7)
    assert first.properties == {"name": "Kora west", "surface": "gravel"}
    assert by_source["layer 'trails' row 1, part 2"].name == "Kora west (part 2)"
    assert by_source["layer 'huts' row 0"].properties["beds"] == 40


def test_geopackage_layer_without_crs_rejected(tmp_path: Path) -> None:
    frame = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(81.3, 31.05)])
    path = tmp_path / "nocrs.gpkg"
    with pytest.warns(UserWarning, match="'crs' was not provided"):
        frame.to_file(path, layer="mystery", driver="GPKG")
    with pytest.raises(ImportRejected, match="layer 'mystery' has no CRS"):
        read_upload("nocrs.gpkg", path.read_bytes())


def test_sqlite_that_is_not_a_geopackage(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "plain.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("create table t (x)")
    db.close()
    with pytest.raises(ImportRejected, match="SQLite database that is not a GeoPackage"):
        read_upload("plain.gpkg", path.read_bytes())


def feature_collection(features: list[dict], **extra: object) -> bytes:
    return json.dumps({"type": "FeatureCollection", **extra, "features": features}).encode()


def line_feature(coords: list, name: str = "Kora") -> dict:
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "LineString", "coordinates": coords},
    }


@pytest.mark.parametrize("crs_name", ["EPSG:32644", "urn:ogc:def:crs:EPSG::32644"])
def test_geojson_legacy_crs_transformed(crs_name: str) -> None:
    x, y = utm44().transform([81.30, 81.31], [31.05, 31.06])
    data = feature_collection(
        [line_feature([[x[0], y[0], 4700], [x[1], y[1], 4750]])],
        crs={"type": "name", "properties": {"name": crs_name}},
    )
    result = read_upload("utm.geojson", data)
    assert_valid_result(result)
    coords = result.features[0].geometry.coords
    assert coords[0] == pytest.approx((81.30, 31.05, 4700), abs=1e-7)
    (warning,) = result.warnings_by_code("wrong_crs_transformed")
    assert "32644" in warning.message


def test_geojson_projected_without_crs_rejected() -> None:
    data = feature_collection(
        [
            line_feature([[81.3, 31.05], [81.31, 31.06]], "ok"),
            line_feature([[304512.3, 3436811.9], [305400.0, 3437900.0]], "West"),
        ]
    )
    with pytest.raises(ImportRejected) as info:
        read_upload("utm.geojson", data)
    message = info.value.message
    assert "feature 1 ('West')" in message
    assert "coordinates look projected (x=304512, y=3.43681e+06)" in message
    assert "GeoJSON must be WGS84 lon/lat" in message


def test_geojson_bare_geometry_and_multipoint() -> None:
    data = json.dumps({"type": "MultiPoint", "coordinates": [[81.3, 31.05], [81.31, 31.06]]})
    result = read_upload("pts.json", data.encode())
    assert [f.kind for f in result.features] == ["point", "point"]


def test_geojson_invalid_polygon_warns() -> None:
    bowtie = [[81.30, 31.00], [81.31, 31.01], [81.31, 31.00], [81.30, 31.01], [81.30, 31.00]]
    data = feature_collection(
        [
            {
                "type": "Feature",
                "properties": {"name": "Camp"},
                "geometry": {"type": "Polygon", "coordinates": [bowtie]},
            }
        ]
    )
    result = read_upload("camp.geojson", data)
    (warning,) = result.warnings_by_code("invalid_geometry")
    assert "polygon 'Camp' is not a valid polygon (Self-intersection" in warning.message
    assert warning.lon == pytest.approx(81.305) and warning.lat == pytest.approx(31.005)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b'{"type": "FeatureCollection",\n "features": [}', r"line 2: not valid JSON"),
        (b"[1, 2]", "a JSON array, not a GeoJSON object"),
        (b'{"type": "Topology"}', "unknown GeoJSON type 'Topology'"),
        (b'{"type": "Point", "coordinates": ["a", "b"]}', "is not \\[lon, lat\\]"),
        (b'{"type": "Point", "coordinates": [81.3, 95.0]}', "coordinates look projected"),
        (b'{"type": "FeatureCollection", "features": []}', "no tracks, routes, waypoints"),
        (b'{"type": "Point", "coordinates": [81.3, 31.0]' + b"]" * 0, "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply|not a GeoJSON object"),
        ('{"name": "Kaílash"}'.encode("latin-1"), "line 1: not valid UTF-8"),
    ],
)
def test_geojson_broken(data: bytes, match: str) -> None:
    with pytest.raises(ImportRejected, match=match):
        read_upload("bad.geojson", data)


# --- hostile and broken files ------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE gpx [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1">
<wpt lat="31.05" lon="81.3"><name>&lol9;</name></wpt>
</gpx>
"""


@pytest.mark.timeout(60)  # a hang guard: expanding the entities would take for ever
def test_billion_laughs_refused() -> None:
    with pytest.raises(ImportRejected, match="document type declarations .* not allowed"):
        read_upload("laughs.gpx", BILLION_LAUGHS)


@pytest.mark.parametrize("ext", ["gpx", "kml"])
def test_xxe_external_entity_refused(ext: str) -> None:
    root = "gpx" if ext == "gpx" else "kml"
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        f"<{root}><name>&xxe;</name></{root}>\n"
    ).encode()
    with pytest.raises(ImportRejected) as info:
        read_upload(f"xxe.{ext}", data)
    text = str(info.value)
    assert "not allowed" in text
    assert "root:" not in text


def test_external_dtd_refused() -> None:
    data = b'<?xml version="1.0"?>\n<!DOCTYPE gpx SYSTEM "http://example.invalid/gpx.dtd">\n<gpx/>'
    with pytest.raises(ImportRejected, match="not allowed"):
        read_upload("dtd.gpx", data)


def test_zip_bomb_kmz_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.kmz"
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("doc.kml", "w", force_zip64=True) as entry:
            for _ in range(200):  # 200 MB streamed, never held in memory
                entry.write(zeros)
    data = path.read_bytes()
    assert len(data) < 1_000_000
    with pytest.raises(ImportRejected, match="would unpack to 210 MB, more than the 50 MB allowed"):
        read_upload("bomb.kmz", data)


def test_kmz_limits_enforced_while_decompressing() -> None:
    """The stream itself is cut at 100:1 (floor 1 MB), whatever the headers said before."""
    data = kmz({"doc.kml": bytes(5_000_000)})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        with pytest.raises(ImportRejected, match="unpacks to more than 1.0 MB .* zip bomb"):
            _read_limited("bomb.kmz", archive, archive.getinfo("doc.kml"))


def test_zip_bomb_with_lying_headers_refused() -> None:
    """Headers claim 1 KB; decompressing must still stop at the limit, not exhaust memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("doc.kml", bytes(20 * 1024 * 1024))
    data = bytearray(buffer.getvalue())
    local_at = data.index(b"PK\x03\x04")
    central_at = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, local_at + 22, 1000)  # uncompressed size, local header
    struct.pack_into("<I", data, central_at + 24, 1000)  # uncompressed size, central directory
    with pytest.raises(ImportRejected, match="KMZ"):
        read_upload("liar.kmz", bytes(data))


def test_kmz_too_many_entries() -> None:
    entries = {f"img/{i}.png": b"x" for i in range(KMZ_MAX_ENTRIES + 1)}
    entries["doc.kml"] = read("gxtrack.kml")
    with pytest.raises(ImportRejected, match=f"{KMZ_MAX_ENTRIES + 2} entries"):
        read_upload("many.kmz", kmz(entries))


@pytest.mark.parametrize(
    ("entries", "match"),
    [
        ({"readme.txt": b"hello"}, "contains no .kml file"),
        ({"doc.kml": BILLION_LAUGHS.replace(b"gpx", b"kml")}, r"many\.kmz:doc\.kml: .*not allowed"),
        ({"doc.kml": b"<kml><Placemark><Point>"}, r"many\.kmz:doc\.kml line 1: not well-formed"),
    ],
)
def test_kmz_broken(entries: dict[str, bytes], match: str) -> None:
    with pytest.raises(ImportRejected, match=match):
        read_upload("many.kmz", kmz(entries))


def test_truncated_xml_names_the_line() -> None:
    lines = read("strava.gpx").splitlines(keepends=True)
    data = b"".join(lines[:24])  # cut inside the first track point
    with pytest.raises(ImportRejected) as info:
        read_upload("kora.gpx", data)
    assert info.value.message.startswith("kora.gpx line 25: not well-formed XML (no element found")
    assert "truncated" in info.value.message
    assert info.value.line == 25
    assert isinstance(info.value, InvalidInput)


def test_mismatched_tag_names_the_line() -> None:
    data = read("osm_traces_gpx10.gpx").replace(b"</trkpt>", b"</trkpoint>", 3)
    with pytest.raises(
        ImportRejected, match=r"osm\.gpx line 10: not well-formed XML \(mismatched tag\)"
    ):
        read_upload("osm.gpx", data)


def junk(n: int, seed: int = 3) -> bytes:
    return random.Random(seed).randbytes(n)


@pytest.mark.parametrize(
    ("name", "data", "match"),
    [
        ("empty.gpx", b"", "the file is empty"),
        ("blank.gpx", b"  \n\t\r\n  ", "only whitespace"),
        ("junk.gpx", junk(5000), "binary data, not a GPX file"),
        ("photo.gpx", b"\x89PNG\r\n\x1a\n" + junk(500), "looks like a PNG image, not a GPX file"),
        ("kora.gpx", read("gxtrack.kml"), "looks like a KML file, not a GPX file"),
        ("kora.kml", read("strava.gpx"), "looks like a GPX file, not a KML file"),
        ("kora.geojson", read("strava.gpx"), "looks like a GPX file, not a GeoJSON file"),
        ("kora.gpx", read("multigeometry.geojson"), "looks like a JSON file, not a GPX file"),
        ("kora.kml", kmz({"doc.kml": read("gxtrack.kml")}), "looks like a ZIP archive"),
        ("kora.gpkg", read("strava.gpx"), "not a GeoPackage"),
        (
            "kora.gpx",
            read("strava.gpx").decode().encode("utf-16-le"),
            "UTF-16 text without a byte-order",
        ),
        ("kora.gpx", b'<?xml version="1.0"?><TrainingCenterDatabase/>', "Garmin TCX"),
        ("kora.gpx", b"lat,lon\n31.05,81.3\n", "plain text"),
        ("kora.txt", read("strava.gpx"), "unsupported file type \\('.txt'\\)"),
        ("kora", read("strava.gpx"), "unsupported file type \\(no extension\\)"),
    ],
)
def test_wrong_or_broken_files_rejected(name: str, data: bytes, match: str) -> None:
    with pytest.raises(ImportRejected, match=match) as info:
        read_upload(name, data)
    assert info.value.message.startswith(name)


def test_latin1_without_declaration_names_the_line() -> None:
    data = gpx_track(walk(3), name="Kaílash").decode().encode("latin-1")
    with pytest.raises(ImportRejected, match=r"k\.gpx line 3: not valid UTF-8 text \(byte 0xED\)"):
        read_upload("k.gpx", data)


def test_declared_latin1_and_utf16_with_bom_are_read() -> None:
    text = gpx_track(walk(3), name="Kaílash").decode()
    latin = text.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"').encode("latin-1")
    assert read_upload("k.gpx", latin).features[0].name == "Kaílash"
    utf16 = text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert read_upload("k.gpx", utf16).features[0].name == "Kaílash"


def test_oversize_checked_before_parsing() -> None:
    with pytest.raises(ImportRejected, match="more than the 0.0 MB allowed"):
        read_upload("big.gpx", junk(5000), max_bytes=1000)
    assert MAX_UPLOAD_BYTES >= 10 * 1024 * 1024


def test_no_features_rejected() -> None:
    data = f'<gpx version="1.1" creator="x" xmlns="{GPX11}"><metadata/></gpx>'.encode()
    with pytest.raises(ImportRejected, match="no tracks, routes, waypoints"):
        read_upload("empty.gpx", data)


@pytest.mark.parametrize(
    ("replace", "match"),
    [
        (
            ('lat="31.07"', 'lat="131.07"'),
            r"^k\.gpx line 4: positions outside WGS84 lon/lat: track 'Kora day 1': point 1 "
            r"\(line 4\): lon=81.31, lat=131.07 is not a valid position",
        ),
        (('lat="31.07"', 'lat="north"'), r"line 4: lat 'north' is not a number"),
        (('lat="31.07"', 'lt="31.07"'), r"line 4: trkpt without a lat attribute"),
    ],
)
def test_bad_positions_rejected_with_line(replace: tuple[str, str], match: str) -> None:
    data = gpx_track(walk(2)).decode().replace(*replace, 1).encode()
    with pytest.raises(ImportRejected, match=match):
        read_upload("k.gpx", data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), ext=st.sampled_from(["gpx", "kml", "kmz", "json", "gpkg"]))
def test_random_bytes_never_crash(data: bytes, ext: str) -> None:
    try:
        read_upload(f"fuzz.{ext}", data)
    except ImportRejected as exc:
        assert exc.message.startswith(f"fuzz.{ext}")


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(read("strava.gpx"))), flip=st.integers(0, 255))
def test_damaged_real_file_reads_or_is_rejected(cut: int, flip: int) -> None:
    data = bytearray(read("strava.gpx"))
    if cut < len(data):
        data[cut] = flip
    for candidate in (bytes(data), bytes(data[:cut])):
        try:
            assert_valid_result(read_upload("strava.gpx", candidate))
        except ImportRejected:
            pass


# --- checks ------------------------------------------------------------------------------


def test_jump_in_timed_track_names_the_point_and_line() -> None:
    points = walk(40)
    lon, lat, ele, when = points[20]
    jumped_lon = lon + 5000 / (111_320 * math.cos(math.radians(lat)))  # 5 km east
    points = points[:20] + [
        (p[0] + jumped_lon - lon, p[1], p[2], p[3] + timedelta(seconds=58)) for p in points[20:]
    ]
    result = read_upload("kora.gpx", gpx_track(points))
    (jump,) = result.warnings_by_code("jump")
    assert jump.message.startswith("track 'Kora day 1' jumps 5.0 km in 60 s (300 km/h) at point 21")
    assert "(line 24)" in jump.message  # header lines + one line per point
    assert jump.feature_index == 0
    assert jump.lon == pytest.approx(points[20][0])


def test_gap_without_times() -> None:
    points = [(p[0], p[1], p[2], None) for p in walk(10)]
    points[5:] = [(p[0] + 0.02, p[1], p[2], None) for p in points[5:]]
    result = read_upload("kora.gpx", gpx_track(points))
    (gap,) = result.warnings_by_code("jump")
    assert "has a gap of 1.9 km before point 6" in gap.message
    assert result.warnings_by_code("no_time")


def test_gps_jitter_is_not_a_jump() -> None:
    points = walk(30)
    points[10] = (points[10][0] + 0.0003, *points[10][1:])  # ~30 m in 2 s
    assert not read_upload("kora.gpx", gpx_track(points)).warnings_by_code("jump")


def test_absurd_elevation_and_spike() -> None:
    points = walk(20)
    points[7] = (points[7][0], points[7][1], 12000.0, points[7][3])
    result = read_upload("kora.gpx", gpx_track(points))
    (absurd,) = result.warnings_by_code("absurd_elevation")
    assert "elevation 12000 m at point 8" in absurd.message
    spikes = result.warnings_by_code("elevation_spike")
    assert len(spikes) == 2
    assert "elevation changes 7299 m over 2 m" in spikes[0].message


def test_figure_eight_self_crossing() -> None:
    t = np.linspace(0, 2 * math.pi, 60)
    lon = KORA_LON + 0.01 * np.sin(t)
    lat = KORA_LAT + 0.01 * np.sin(t) * np.cos(t)
    start = datetime(2026, 6, 1, tzinfo=UTC)
    points = [
        (float(x), float(y), None, start + timedelta(minutes=i))
        for i, (x, y) in enumerate(zip(lon, lat, strict=True))
    ]
    # Not closed: where a loop meets its own start is not a crossing.
    points[-1] = (points[-1][0] + 0.001, *points[-1][1:])
    result = read_upload("eight.gpx", gpx_track(points))
    (crossing,) = result.warnings_by_code("self_crossing")
    assert "track 'Kora day 1' crosses or overlaps itself near point" in crossing.message
    assert crossing.lon == pytest.approx(KORA_LON, abs=1e-6)
    assert crossing.lat == pytest.approx(KORA_LAT, abs=1e-6)
    simple = read_upload("arc.gpx", gpx_track(points[:25]))
    assert not simple.warnings_by_code("self_crossing")


def test_duplicate_names_case_and_whitespace_insensitive() -> None:
    data = feature_collection(
        [
            line_feature([[81.30, 31.05], [81.301, 31.05]], "Drolma  La"),
            line_feature([[81.31, 31.05], [81.311, 31.05]], "drolma la"),
            line_feature([[81.32, 31.05], [81.321, 31.05]], "Dirapuk"),
        ]
    )
    result = read_upload("passes.geojson", data)
    (dup,) = result.warnings_by_code("duplicate_name")
    expected = "name 'Drolma  La' is used by 2 features: #0 (features[0]), #1 (features[1])"
    assert dup.message == expected


def test_track_segments_are_features() -> None:
    data = gpx_track(walk(6)).decode()
    data = data.replace("</trkpt>\n<trkpt", "</trkpt>\n</trkseg><trkseg><trkpt", 1)
    result = read_upload("kora.gpx", data.encode())
    assert [f.name for f in result.features] == ["Kora day 1 (segment 1)", "Kora day 1 (segment 2)"]
    assert result.features[1].source.startswith("trk[0]/trkseg[1], line 5")
    assert result.warnings_by_code("few_points")[0].feature_index == 0


def test_partial_and_bad_times() -> None:
    points = walk(5)
    points[2] = (*points[2][:3], None)
    data = gpx_track(points).decode().replace("2026-06-01T02:00:08Z", "yesterday").encode()
    result = read_upload("kora.gpx", data)
    times = result.features[0].times
    assert times[2] is None and times[4] is None and times[0] is not None
    assert result.warnings_by_code("partial_time")
    assert result.warnings_by_code("bad_time")


def test_50000_points_are_all_read() -> None:
    """(How fast: ``python -m bench.bench_import``.)"""
    result = read_upload("kora.gpx", make_gpx(50_000))
    assert result.point_count == 50_000
    assert result.features[0].times[-1] - result.features[0].times[0] == timedelta(seconds=99_998)


@pytest.mark.parametrize("encoding", ["U-F-8", "klingon", "x" * 40])
def test_an_unknown_declared_encoding_is_refused(encoding: str) -> None:
    """(Found by the damaged-file property test: expat raised LookupError.)"""
    data = read("strava.gpx").replace(b'encoding="UTF-8"', f'encoding="{encoding}"'.encode(), 1)
    assert f'encoding="{encoding}"'.encode() in data
    with pytest.raises(ImportRejected, match="unknown text encoding"):
        read_upload("strava.gpx", data)
