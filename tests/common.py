"""Shared test fixtures data: a tiny, valid region and a way to write it (or a broken copy).

The tiny region lies just south-west of Darchen (lon 81.28, lat 31.00)::

              B ───── ok_north ───── C
              │                      │
    S ─spur── M  ok_west     ok_east │
              │                      │
              A ───── ok_south ───── D
               \\
                road:town (vehicle only)
                 \\
                  E (town, police post)

``ok_west`` runs A → M → B; the ``spur`` trail meets it at its interior vertex
M. Trails form a loop (foot); one road joins the loop at A. Places carry
Chinese and Tibetan names.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

__all__ = [
    "A",
    "B",
    "C",
    "D",
    "E",
    "M",
    "S",
    "tiny_region_layers",
    "tiny_region_metadata",
    "tiny_region_calibration",
    "make_region_dir",
]

# lon, lat, elevation_m
A = (81.2800, 31.0000, 4700.0)
M = (81.2790, 31.0050, 4725.0)
B = (81.2800, 31.0100, 4750.0)
C = (81.2900, 31.0100, 4800.0)
D = (81.2900, 31.0000, 4760.0)
S = (81.2750, 31.0050, 4740.0)
E = (81.2850, 30.9900, 4670.0)


def _line(*positions: tuple[float, float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(p) for p in positions]}


def _point(position: tuple[float, float, float]) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [position[0], position[1]]}


def _trail(way_id: str, route_id: str, geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    properties = {
        "way_id": way_id,
        "kind": "trail",
        "route_id": route_id,
        "name_en": way_id.replace("_", " "),
        "name_zh": "转山道",
        "quality": "track_consensus",
        "modes": ["foot"],
        "surface": "path",
        "length_factor": 1.0,
        "from_place_id": None,
        "to_place_id": None,
        "source": "test",
        "notes": None,
        "variant": None,
    }
    properties.update(props)
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def _place(
    place_id: str, position: tuple[float, float, float], snap_way_id: str | None, **props: Any
) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "place_id": place_id,
        "name_en": place_id.replace("_", " ").title(),
        "name_zh": None,
        "name_bo": None,
        "aliases_en": [],
        "aliases_zh": [],
        "type": "landmark",
        "route_id": "outer_kora",
        "kora_km": None,
        "elevation_m": position[2],
        "coord_quality": "track_derived",
        "source": "test",
        "notes": None,
        "snap_way_id": snap_way_id,
        "snap_distance_m": 0.0 if snap_way_id else None,
        "on_network": snap_way_id is not None,
    }
    properties.update(props)
    return {"type": "Feature", "properties": properties, "geometry": _point(position)}


def tiny_region_layers() -> dict[str, dict[str, Any]]:
    """A fresh copy of the tiny region's four layers (GeoJSON FeatureCollections)."""
    trails = [
        _trail("ok_west", "outer_kora", _line(A, M, B), from_place_id="gate", to_place_id="north"),
        _trail("ok_north", "outer_kora", _line(B, C), from_place_id="north", to_place_id="east"),
        _trail(
            "ok_east",
            "outer_kora",
            _line(C, D),
            quality="estimated",
            length_factor=1.25,
            from_place_id="east",
            to_place_id="south",
        ),
        _trail("ok_south", "outer_kora", _line(D, A), from_place_id="south", to_place_id="gate"),
        _trail(
            "spur",
            "link",
            _line(M, S),
            quality="published_fixes",
            surface="scree",
            to_place_id="shrine",
        ),
    ]
    roads = [
        {
            "type": "Feature",
            "properties": {
                "way_id": "road:town",
                "kind": "road",
                "route_id": None,
                "name_en": "Gate → Town",
                "name_zh": "景区门口 → 塔钦",
                "quality": "estimated",
                "modes": ["vehicle"],
                "surface": "paved",
                "length_factor": 1.1,
                "from_place_id": "gate",
                "to_place_id": "town",
                "source": "test",
                "notes": "alignment not traced",
                "variant": None,
                "road_id": "town",
                "access": "public",
                "length_published": "1-2",
            },
            "geometry": _line(A, E),
        }
    ]
    places = [
        _place(
            "gate",
            A,
            "ok_west",
            name_en="Kora gate",
            name_zh="转山起点",
            name_bo="སྐོར་ལམ།",
            aliases_en=["ticket office", "kora start"],
            aliases_zh=["景区售票处"],
            type="trailhead",
            kora_km=0.0,
        ),
        _place("north", B, "ok_north", kora_km=1.1),
        _place("east", C, "ok_east", kora_km=2.2),
        _place("south", D, "ok_south", kora_km=3.3),
        _place("shrine", S, "spur", type="sacred_site", route_id=None),
        _place(
            "town",
            E,
            None,
            name_en="Darchen",
            name_zh="塔钦",
            name_bo="དར་ཆེན",
            type="town",
            route_id=None,
            coord_quality="estimated",
        ),
    ]
    stations = [
        {
            "type": "Feature",
            "properties": {
                "station_id": "town_police",
                "place_id": "town",
                "name_en": "Town police",
                "name_zh": "塔尔钦边境派出所",
                "kind": "police_station",
                "capabilities": ["vehicle", "foot_team"],
                "season": "year_round",
                "notes": None,
            },
            "geometry": _point(E),
        },
        {
            "type": "Feature",
            "properties": {
                "station_id": "gate_medical",
                "place_id": "gate",
                "name_en": "Gate medical post",
                "name_zh": None,
                "kind": "medical_post",
                "capabilities": ["foot_team", "medical"],
                "season": "seasonal",
                "notes": "main season only",
            },
            "geometry": _point(A),
        },
    ]
    return {
        name: {"type": "FeatureCollection", "features": features}
        for name, features in (
            ("trails", trails),
            ("roads", roads),
            ("places", places),
            ("stations", stations),
        )
    }


def tiny_region_metadata(region_id: str = "tiny") -> dict[str, Any]:
    """``metadata.json`` of the tiny region."""
    return {
        "region_id": region_id,
        "name_en": "Tiny test region",
        "name_zh": "测试区",
        "crs": "EPSG:4326",
        "metric_crs": "EPSG:32644",
        "bbox": [81.275, 30.99, 81.29, 31.01],
        "routes": {"outer_kora": {"name_en": "Tiny kora", "name_zh": "小转山", "loop": True}},
        "sources": {},
        "counts": {"trails": 5, "roads": 1, "places": 6, "stations": 2},
        "parameters": {},
        "centreline_fit": {},
        "warnings": [],
    }


def tiny_region_calibration() -> dict[str, Any]:
    """``calibration.json`` of the tiny region: the default (uncalibrated) walking model."""
    from routes.costs import WalkingModel

    return {
        "model": WalkingModel().to_dict(),
        "pace_quantiles": {"p10": 0.8, "p50": 1.0, "p90": 1.3},
    }


def make_region_dir(path: Path, **overrides: Any) -> Path:
    """Write the tiny region (or a variant of it) into ``path`` as raw files.

    Files are written directly, without validation, so tests can write broken
    regions. The region id in ``metadata.json`` defaults to ``path.name``.

    Parameters
    ----------
    path
        The region directory to create (``tmp_path / "tiny"``).
    **overrides
        Per file stem (``trails``, ``roads``, ``places``, ``stations``,
        ``metadata``, ``calibration``): a JSON value to write instead of the
        default, a ``str`` written verbatim, or ``None`` to leave the file out.

    Returns
    -------
    Path
        ``path``.
    """
    stems = ("trails", "roads", "places", "stations", "metadata", "calibration")
    unknown = set(overrides) - set(stems)
    if unknown:
        raise TypeError(f"unknown file stems {sorted(unknown)}; expected some of {stems}")
    docs: dict[str, Any] = dict(tiny_region_layers())
    docs["metadata"] = tiny_region_metadata(path.name)
    docs["calibration"] = tiny_region_calibration()
    docs.update(copy.deepcopy(overrides))
    path.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        suffix = ".json" if stem in ("metadata", "calibration") else ".geojson"
        target = path / f"{stem}{suffix}"
        value = docs[stem]
        if value is None:
            target.unlink(missing_ok=True)
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)
        target.write_text(text, encoding="utf-8")
    return path


def kailash_walk(points_per_edge: int = 30, shortcut: bool = True) -> bytes:
    """A GPX of a planner re-walking the Darchen–Tarboche road a little north of it, a new
    path from Tarboche (with ``shortcut``) and a new waypoint (the water tank)."""
    import gpxpy.gpx
    import numpy as np

    from geodata.files import DEFAULT_DATA_DIR
    from geodata.validate import read_region_files

    roads = read_region_files(DEFAULT_DATA_DIR / "kailash").layers["roads"]["features"]
    road = np.array(
        next(f for f in roads if f["properties"]["way_id"] == "road:darchen_tarboche")["geometry"][
            "coordinates"
        ]
    )
    g = gpxpy.gpx.GPX()
    walk = gpxpy.gpx.GPXTrack(name="Re-walk Darchen-Tarboche")
    seg = gpxpy.gpx.GPXTrackSegment()
    pts = np.vstack(
        [np.linspace(road[i], road[i + 1], points_per_edge) for i in range(len(road) - 1)]
    )
    for lon, lat, z in pts:
        seg.points.append(gpxpy.gpx.GPXTrackPoint(lat + 0.00002, lon, elevation=z + 2.0))
    walk.segments.append(seg)
    g.tracks.append(walk)
    if shortcut:
        path = gpxpy.gpx.GPXTrack(name="Tarboche bypass")
        seg = gpxpy.gpx.GPXTrackSegment()
        lon0, lat0, z0 = road[-1]
        for k in range(40):
            seg.points.append(
                gpxpy.gpx.GPXTrackPoint(
                    lat0 + k * 0.0002, lon0 + 0.0001 + k * 0.0001, elevation=z0 + k
                )
            )
        path.segments.append(seg)
        g.tracks.append(path)
    g.waypoints.append(gpxpy.gpx.GPXWaypoint(31.03, 81.27, elevation=4750, name="Water tank 水箱"))
    return g.to_xml().encode()
