"""The region catalogue as GeoJSON: what the JSON API and the map show.

Framework-free: every function takes a built ``RouteNetwork`` and returns plain
``dict``/``list`` values ready for ``json.dumps``. Coordinates are EPSG:4326
``[lon, lat]`` (lines add the elevation in metres as a third value), rounded to
1e-6 degrees (about 0.1 m) and 0.1 m.

Each feature carries its id twice: as the GeoJSON ``id`` and as the stable id
property named below. The properties of each layer are exactly those listed in
:data:`PROPERTIES` (the documentation served at ``GET /api``); a value the data
lacks is ``null``.

``routes`` (LineString 3D, one per route)
    ``route_id``, ``name_en``, ``name_zh``, ``length_m``, ``is_loop``,
    ``quality_share`` (geometry quality -> fraction of the length).
``segments`` (LineString 3D, a route between two consecutive named places)
    ``segment_id``, ``route_id``, ``name_en``, ``name_zh``, ``from_place_id``,
    ``to_place_id``, ``length_m``, ``km_from``, ``km_to``, ``elevation_min_m``,
    ``elevation_max_m``, ``ascent_m``, ``descent_m`` (in the route's forward,
    clockwise direction), ``quality``, ``modes``, ``durations_s`` (profile ->
    ``{"forward": s, "reverse": s}`` or ``null`` where the profile cannot pass).
``places`` (Point)
    ``place_id``, ``name_en``, ``name_zh``, ``name_bo``, ``aliases_en``,
    ``aliases_zh``, ``type``, ``route_id``, ``kora_km``, ``elevation_m``,
    ``coord_quality``, ``on_network``, ``snap_distance_m``, ``source``, ``notes``.
``stations`` (Point)
    ``station_id``, ``place_id``, ``name_en``, ``name_zh``, ``kind``,
    ``capabilities``, ``season``, ``notes``.
``roads`` (LineString 3D; drawn on the map, not served by the API)
    ``way_id``, ``road_id``, ``name_en``, ``name_zh``, ``surface``, ``access``,
    ``modes``, ``quality``.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geodata.capabilities import CAPABILITIES
from geodata.errors import InvalidInput, NotFound

if TYPE_CHECKING:  # the network type lives upstream; only its attributes are used here
    import geopandas as gpd

    from routes import RouteNetwork

__all__ = [
    "CAPABILITIES",
    "LAYERS",
    "PROPERTIES",
    "get_feature",
    "places_collection",
    "region_info",
    "region_summary",
    "roads_collection",
    "routes_collection",
    "segments_collection",
    "stations_collection",
]

#: Documented properties of each layer, in output order: name -> meaning (with unit).
PROPERTIES: dict[str, dict[str, str]] = {
    "routes": {
        "route_id": "stable route id (outer_kora, inner_kora, manasarovar_kora, ...)",
        "name_en": "English name",
        "name_zh": "Chinese name",
        "length_m": "walking length in metres",
        "is_loop": "whether the route closes on itself",
        "quality_share": "geometry quality -> fraction of the route's length",
    },
    "segments": {
        "segment_id": "stable segment id",
        "route_id": "route the segment belongs to",
        "name_en": "English name (from place - to place)",
        "name_zh": "Chinese name",
        "from_place_id": "place at the start, in the route's forward direction",
        "to_place_id": "place at the end, in the route's forward direction",
        "length_m": "walking length in metres",
        "km_from": "distance along the route at the start, km",
        "km_to": "distance along the route at the end, km",
        "elevation_min_m": "lowest point, metres",
        "elevation_max_m": "highest point, metres",
        "ascent_m": "total climb in the forward direction, metres",
        "descent_m": "total descent in the forward direction, metres",
        "quality": "geometry quality: track_consensus, published_fixes, hand_traced or estimated",
        "modes": "travel modes allowed: foot, vehicle",
        "durations_s": "profile -> {forward, reverse} travel time in seconds, "
        "null where the profile cannot use the segment",
    },
    "places": {
        "place_id": "stable place id",
        "name_en": "English name",
        "name_zh": "Chinese name",
        "name_bo": "Tibetan name",
        "aliases_en": "other Latin-script names and spellings",
        "aliases_zh": "other Chinese names",
        "type": "place type (monastery, supply_point, medical_post, pass, ...)",
        "route_id": "route the place lies on, or null",
        "kora_km": "distance along the clockwise outer kora from the kora gate, km (west valley: "
        "walked on the GPS tracks; east half: the bridge's plus along the traced line), or null",
        "elevation_m": "elevation in metres",
        "coord_quality": "how the position is known (gps_published, track_derived, estimated)",
        "on_network": "whether the place is joined to the trail network",
        "snap_distance_m": "distance from the point to the nearest way, metres",
        "source": "where the position and names come from",
        "notes": "remarks, including the position's uncertainty",
    },
    "stations": {
        "station_id": "stable station id",
        "place_id": "the place where the station is",
        "name_en": "English name",
        "name_zh": "Chinese name",
        "kind": "police_station, checkpoint, hospital, clinic, medical_post, supply_point, ...",
        "capabilities": "what it can send: vehicle, foot_team, medical, horse; "
        "helicopter_landing where a helicopter can land",
        "season": "year_round or seasonal",
        "resources": "what is kept there (vehicles, stretchers, oxygen, …), in the planners words",
        "contacts": "how to reach it (phone, radio channel), in the planners words",
        "notes": "remarks",
    },
    "roads": {
        "way_id": "stable way id",
        "road_id": "id of the road in the source table",
        "name_en": "English name",
        "name_zh": "Chinese name",
        "surface": "surface (paved, gravel, dirt track, ...)",
        "access": "who may drive it",
        "modes": "travel modes allowed: foot, vehicle",
        "quality": "geometry quality",
    },
}

LAYERS = tuple(PROPERTIES)
_ID = {
    "routes": "route_id",
    "segments": "segment_id",
    "places": "place_id",
    "stations": "station_id",
    "roads": "way_id",
}
_NOUN = {
    "routes": "route",
    "segments": "segment",
    "places": "place",
    "stations": "station",
    "roads": "road",
}
_Q_MAX_CHARS = 100


def region_summary(network: RouteNetwork) -> dict[str, Any]:
    """Describe the loaded region: ids, names, extent, CRSs and feature counts.

    Parameters
    ----------
    network
        The region's built route network.
    """
    region = network.region
    meta = region.metadata
    return {
        "region_id": region.region_id,
        "name_en": meta.get("name_en"),
        "name_zh": meta.get("name_zh"),
        "bbox": [_plain(v) for v in meta.get("bbox", [])],
        "crs": meta.get("crs", "EPSG:4326"),
        "metric_crs": str(region.metric_crs),
        "counts": {
            "routes": len(network.routes),
            "segments": len(network.segments),
            "places": len(region.places),
            "stations": len(region.stations),
            "trails": len(region.trails),
            "roads": len(region.roads),
        },
    }


def region_info(network: RouteNetwork) -> dict[str, Any]:
    """What ``sandtable info`` prints: the summary plus data quality and model figures.

    Adds route lengths, the west-valley centreline fit, the walking model's
    hold-out errors and the build warnings to :func:`region_summary`.
    """
    region = network.region
    meta, calib = region.metadata, region.calibration
    info = region_summary(network)
    info["data_dir"] = str(region.path) if region.path is not None else None
    info["routes_km"] = {
        rid: round(float(length) / 1000.0, 2) for rid, length in network.routes["length_m"].items()
    }
    fit = meta.get("centreline_fit") or {}
    if fit:
        info["centreline_fit"] = {
            k: fit[k]
            for k in ("n_tracks", "length_m", "median_distance_m", "p95_distance_m")
            if k in fit
        }
    report = calib.get("report") or {}
    for key, label in (("whole_stretch", "whole_tracked_stretch"), ("pairs", "landmark_pairs")):
        row = report.get(key)
        if row:
            info[f"walking_model_mae_s_{label}"] = {
                "model": row.get("mae_s"),
                "distance_only": row.get("baseline_mae_s"),
            }
    if calib.get("pace_quantiles"):
        info["walker_pace_quantiles"] = {k: round(v, 3) for k, v in calib["pace_quantiles"].items()}
    info["build_warnings"] = len(meta.get("warnings", []))
    return info


def routes_collection(network: RouteNetwork, *, route_id: str | None = None) -> dict[str, Any]:
    """Return the routes as a FeatureCollection, optionally only ``route_id``.

    Raises
    ------
    NotFound
        If ``route_id`` is given and no such route exists.
    """
    routes = network.routes
    if route_id is not None:
        _check_id(routes, route_id, "route")
        routes = routes.loc[[route_id]]
    return _collection(routes, "routes")


def segments_collection(network: RouteNetwork, *, route_id: str | None = None) -> dict[str, Any]:
    """Return the route segments as a FeatureCollection, optionally of one route.

    Raises
    ------
    NotFound
        If ``route_id`` is given and no such route exists.
    """
    segments = network.segments
    if route_id is not None:
        _check_id(network.routes, route_id, "route")
        segments = segments[segments["route_id"] == route_id]
    return _collection(segments, "segments")


def places_collection(
    network: RouteNetwork,
    *,
    type: str | None = None,  # shadows the builtin: the property is called "type"
    q: str | None = None,
    route_id: str | None = None,
) -> dict[str, Any]:
    """Return the named places as a FeatureCollection, optionally filtered.

    Parameters
    ----------
    network
        The region's built route network.
    type
        Keep only places of this type (one of the types present in the region).
    q
        Keep only places whose id, names or aliases contain this text; case,
        accents, spaces, hyphens and apostrophes are ignored ("drolma la" finds
        "Drölma-la", "卓玛" finds 卓玛拉山口).
    route_id
        Keep only places on this route.

    Raises
    ------
    InvalidInput
        If ``type`` is not a place type of the region, or ``q`` is empty or too long.
    NotFound
        If ``route_id`` is not a route of the region.
    """
    places = network.region.places
    if type is not None:
        types = sorted(places["type"].dropna().unique())
        if type not in types:
            raise InvalidInput(f"unknown place type {type!r}; allowed: {', '.join(types)}")
        places = places[places["type"] == type]
    if route_id is not None:
        _check_id(network.routes, route_id, "route")
        places = places[places["route_id"] == route_id]
    if q is not None:
        needle = _fold(q)
        if not needle or len(q) > _Q_MAX_CHARS:
            raise InvalidInput(
                f"search text q={q!r} must have 1 to {_Q_MAX_CHARS} letters or digits"
            )
        keep = [
            any(needle in _fold(text) for text in _searchable(place_id, row))
            for place_id, row in places.iterrows()
        ]
        places = places[keep]
    return _collection(places, "places")


def stations_collection(network: RouteNetwork, *, capability: str | None = None) -> dict[str, Any]:
    """Return the rescue stations as a FeatureCollection.

    Parameters
    ----------
    network
        The region's built route network.
    capability
        Keep only stations that can send this (one of
        :data:`geodata.capabilities.CAPABILITIES`).

    Raises
    ------
    InvalidInput
        If ``capability`` is not one of :data:`CAPABILITIES`.
    """
    stations = network.region.stations
    if capability is not None:
        if capability not in CAPABILITIES:
            raise InvalidInput(
                f"unknown capability {capability!r}; allowed: {', '.join(CAPABILITIES)}"
            )
        stations = stations[[capability in caps for caps in stations["capabilities"]]]
    return _collection(stations, "stations")


def roads_collection(network: RouteNetwork) -> dict[str, Any]:
    """Return the roads and vehicle tracks as a FeatureCollection."""
    return _collection(network.region.roads, "roads")


def get_feature(network: RouteNetwork, layer: str, feature_id: str) -> dict[str, Any]:
    """Return the feature ``feature_id`` of ``layer`` (one of :data:`LAYERS`).

    Raises
    ------
    InvalidInput
        If ``layer`` is not one of :data:`LAYERS`.
    NotFound
        If the layer has no feature with that id.
    """
    frames = {
        "routes": network.routes,
        "segments": network.segments,
        "places": network.region.places,
        "stations": network.region.stations,
        "roads": network.region.roads,
    }
    if layer not in frames:
        raise InvalidInput(f"unknown layer {layer!r}; allowed: {', '.join(LAYERS)}")
    frame = frames[layer]
    _check_id(frame, feature_id, _NOUN[layer])
    feature: dict[str, Any] = _collection(frame.loc[[feature_id]], layer)["features"][0]
    return feature


# --- serialisation ---------------------------------------------------------------------------


def _check_id(frame: gpd.GeoDataFrame, feature_id: str, noun: str) -> None:
    if feature_id not in frame.index:
        known = ", ".join(map(str, frame.index[:12]))
        more = " ..." if len(frame) > 12 else ""
        raise NotFound(f"no {noun} with id {feature_id!r}; known: {known}{more}")


def _collection(frame: gpd.GeoDataFrame, layer: str) -> dict[str, Any]:
    names = list(PROPERTIES[layer])
    id_name = _ID[layer]
    features = []
    for feature_id, row in frame.iterrows():
        properties = {
            name: _plain(feature_id if name == id_name else row.get(name)) for name in names
        }
        features.append(
            {
                "type": "Feature",
                "id": str(feature_id),
                "geometry": _geometry(row.geometry),
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _geometry(geom: Any) -> dict[str, Any] | None:
    if geom is None or geom.is_empty:
        return None
    mapping = geom.__geo_interface__
    return {"type": mapping["type"], "coordinates": _round_coords(mapping["coordinates"])}


def _round_coords(coords: Any) -> Any:
    if coords and isinstance(coords[0], (int, float)):
        lon, lat, *z = coords
        return [round(lon, 6), round(lat, 6), *(round(v, 1) for v in z)]
    return [_round_coords(c) for c in coords]


def _plain(value: Any) -> Any:
    """Turn numpy/pandas scalars, arrays and missing values into JSON values."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 3)
    if isinstance(value, (str, int)):  # bool is an int
        return value
    return str(value)


def _searchable(place_id: Any, row: Any) -> Iterable[str]:
    yield str(place_id)
    for name in ("name_en", "name_zh", "name_bo"):
        if isinstance(row.get(name), str):
            yield row[name]
    for name in ("aliases_en", "aliases_zh"):
        aliases = row.get(name)
        if aliases is not None and not isinstance(aliases, (str, float)):
            yield from (str(a) for a in aliases)


def _fold(text: str) -> str:
    """Lower-case, strip accents and drop everything but letters and digits."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())
