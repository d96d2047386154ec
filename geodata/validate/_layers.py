"""Checks of one layer's FeatureCollection: its members, each feature's properties
(the schema of :mod:`geodata.validate.schema`), unique ids and geometry, and the extent of
all layers against the region's bbox."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from geodata.i18n import Msg, msg
from geodata.validate._connectivity import Way, way
from geodata.validate._geometry import MISSING, check_geometry
from geodata.validate._problems import Problems, at_feature, at_geometry, describe
from geodata.validate.schema import (
    EXTENT_MARGIN_DEG,
    GEOMETRY_TYPE,
    ID_FIELDS,
    LAYERS,
    SCHEMAS,
    WAY_KIND,
    is_number,
    layer_file,
)

__all__ = ["REFERENCES", "Reference", "check_extent", "check_layer"]

# Names a ``crs`` member may use for lon/lat WGS84 (GeoJSON 2008 style).
_LONLAT_CRS_NAMES = frozenset(
    {
        "EPSG:4326",
        "urn:ogc:def:crs:EPSG::4326",
        "urn:ogc:def:crs:EPSG:4326",
        "OGC:CRS84",
        "CRS84",
        "urn:ogc:def:crs:OGC:1.3:CRS84",
        "urn:ogc:def:crs:OGC::CRS84",
    }
)
_RESERVED_PROPERTIES = ("geometry",)

#: Per layer, the properties naming a feature of another layer (``ways``: trails or roads).
REFERENCES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "trails": (("from_place_id", "places"), ("to_place_id", "places")),
    "roads": (("from_place_id", "places"), ("to_place_id", "places")),
    "places": (("snap_way_id", "ways"),),
    "stations": (("place_id", "places"),),
}

#: (the feature, the property, its value, the layer it must name)
Reference = tuple[Msg, str, str, str]


def check_layer(
    layer: str,
    doc: Any,
    problems: Problems,
    ways: list[Way],
    way_ids: dict[str, Msg],
    references: list[Reference],
) -> dict[str, int] | None:
    """Check one FeatureCollection; return its ids (id -> first feature index).

    ``None`` means the document has no usable feature list, so checks across
    layers (references, connectivity) that need it are skipped.
    """
    name = layer_file(layer)
    features = _collection_features(layer, doc, problems)
    if features is None:
        return None
    id_field = ID_FIELDS[layer]
    ids: dict[str, int] = {}
    for index, feature in enumerate(features):
        if not isinstance(feature, dict):
            problems.add(
                at_feature(name, index, id_field, None),
                msg("validate.expected_feature", value=describe(feature)),
            )
            continue
        props = feature.get("properties")
        where = at_feature(name, index, id_field, props)
        if feature.get("type") != "Feature":
            problems.add(
                where,
                msg(
                    "validate.member_expected",
                    member="'type'",
                    value=describe(feature.get("type")),
                    expected="'Feature'",
                ),
            )
        if not isinstance(props, dict):
            problems.add(
                where, msg("validate.member_object", member="'properties'", value=describe(props))
            )
            props = {}
        _check_properties(layer, where, props, problems)
        fid = props.get(id_field)
        if isinstance(fid, str) and fid.strip():
            first = at_feature(name, index, id_field, None)
            _register_id(layer, fid, first, where, ids, way_ids, problems)
            ids.setdefault(fid, index)
        for ref_field, target in REFERENCES.get(layer, ()):
            value = props.get(ref_field)
            if isinstance(value, str) and value:
                references.append((where, ref_field, value, target))
        lonlat = check_geometry(
            where, feature.get("geometry", MISSING), GEOMETRY_TYPE[layer], problems
        )
        if layer in WAY_KIND and lonlat is not None:
            ways.append(way(where, fid, index, props.get("modes"), lonlat))
    return ids


def _collection_features(layer: str, doc: Any, problems: Problems) -> list[Any] | None:
    """The feature list of a layer's FeatureCollection, or None if it has none usable."""
    name = layer_file(layer)
    if not isinstance(doc, dict):
        problems.add(name, msg("validate.expected_collection", value=describe(doc)))
        return None
    if doc.get("type") != "FeatureCollection":
        problems.add(
            name,
            msg(
                "validate.member_expected",
                member="'type'",
                value=describe(doc.get("type")),
                expected="'FeatureCollection'",
            ),
        )
    if "crs" in doc:
        _check_crs_member(name, doc["crs"], problems)
    features = doc.get("features")
    if not isinstance(features, list):
        problems.add(name, msg("validate.member_features", value=describe(features)))
        return None
    if layer == "trails" and not features:
        problems.add(name, msg("validate.no_trails"))
    return features


def _check_crs_member(name: str, crs: Any, problems: Problems) -> None:
    label: Any = crs
    if isinstance(crs, dict):
        props = crs.get("properties")
        label = props.get("name") if isinstance(props, dict) else None
        if label is None and isinstance(props, dict):
            # {"type": "EPSG", "properties": {"code": 4326}}
            code = props.get("code")
            label = f"EPSG:{code}" if code is not None else None
    if isinstance(label, str) and label.strip() in _LONLAT_CRS_NAMES:
        return
    problems.add(
        name, msg("validate.crs_member", value=describe(label if label is not None else crs))
    )


def _check_properties(layer: str, where: Msg, props: dict[str, Any], problems: Problems) -> None:
    """The layer's properties schema: required, typed and ranged properties; no reserved
    names; no NaN or Infinity in the others."""
    schema = SCHEMAS[layer]
    for spec in schema:
        value = props.get(spec.name, MISSING)
        if value is MISSING or value is None:
            if spec.required:
                key = "validate.property_missing" if value is MISSING else "validate.property_null"
                problems.add(where, msg(key, name=repr(spec.name)))
            continue
        problem = spec.check(value)
        if problem is not None:
            problems.add(where, msg("validate.property", name=repr(spec.name), problem=problem))
    known = {f.name for f in schema}
    for key, value in props.items():
        if key in _RESERVED_PROPERTIES:
            problems.add(where, msg("validate.property_reserved", name=repr(key)))
        elif key not in known and _has_non_finite(value):
            problems.add(where, msg("validate.property_non_finite", name=repr(key)))


def _register_id(
    layer: str,
    fid: str,
    label: Msg,
    where: Msg,
    ids: dict[str, int],
    way_ids: dict[str, Msg],
    problems: Problems,
) -> None:
    """Refuse a duplicate id: ways are unique across trails and roads, others per layer."""
    id_field = ID_FIELDS[layer]
    first: Msg | None = None
    if layer in WAY_KIND:
        if fid in way_ids:
            first = way_ids[fid]
        else:
            way_ids[fid] = label
    elif fid in ids:
        first = at_feature(layer_file(layer), ids[fid], id_field, None)
    if first is not None:
        problems.add(
            where,
            msg("validate.duplicate_id", name=repr(id_field), value=repr(fid), first=first),
        )


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(_has_non_finite(v) for v in value)
    if isinstance(value, dict):
        return any(_has_non_finite(v) for v in value.values())
    return False


def _positions(geometry: Any) -> list[tuple[float, float]]:
    """The usable lon/lat positions of a Point or LineString (others are checked elsewhere)."""
    if not isinstance(geometry, dict):
        return []
    coords = geometry.get("coordinates")
    items = [coords] if geometry.get("type") == "Point" else coords
    out = []
    for p in items if isinstance(items, list) else []:
        if isinstance(p, list) and len(p) >= 2 and all(is_number(v) for v in p[:2]):
            if math.isfinite(p[0]) and math.isfinite(p[1]):  # NaN is reported as such
                out.append((float(p[0]), float(p[1])))
    return out


def check_extent(bbox: Any, layers: Mapping[str, Any], problems: Problems) -> None:
    """Every feature lies within the region's ``bbox`` plus :data:`EXTENT_MARGIN_DEG`."""
    if not (isinstance(bbox, list) and len(bbox) == 4 and all(is_number(v) for v in bbox)):
        return
    m = EXTENT_MARGIN_DEG
    west, south, east, north = bbox[0] - m, bbox[1] - m, bbox[2] + m, bbox[3] + m
    for layer in LAYERS:
        doc = layers.get(layer)
        if not isinstance(doc, dict) or not isinstance(doc.get("features"), list):
            continue
        for i, feature in enumerate(doc["features"]):
            if not isinstance(feature, dict):
                continue
            outside = [
                (x, y)
                for x, y in _positions(feature.get("geometry"))
                if not (west <= x <= east and south <= y <= north)
            ]
            if outside:
                x, y = outside[0]
                where = at_feature(
                    layer_file(layer), i, ID_FIELDS[layer], feature.get("properties")
                )
                problems.add(
                    at_geometry(where),
                    msg(
                        "validate.outside_region",
                        lon=f"{x:.5f}",
                        lat=f"{y:.5f}",
                        bbox=str(bbox),
                        margin=str(m),
                    ),
                )
