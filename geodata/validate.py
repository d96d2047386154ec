"""Validation of a region directory against the data contract in DEVELOPERS.md.

Every check here *collects* problems instead of stopping at the first one, and
:func:`read_region_files` raises a single
:class:`~geodata.errors.DataValidationError` whose ``details`` list every
problem. Each detail names the file, the feature (index and id when known) and
the field, for example::

    trails.geojson: feature 3 (way_id='ok_west'): property 'quality' is 'guess',
    expected one of track_consensus, published_fixes, hand_traced, estimated

Messages name files relative to the region directory only, so they are safe to
show to a user.

What is checked:

- files: the four layers and ``metadata.json`` are present, UTF-8, valid JSON
  (a syntax error is reported with its line and column); ``calibration.json``
  is optional but must be a JSON object if present;
- ``metadata.json``: ``region_id`` equal to the directory name, ``crs`` equal
  to ``EPSG:4326``, ``metric_crs`` a projected CRS in metres, ``bbox`` (if
  present) four finite numbers;
- layers: a ``FeatureCollection`` whose ``crs`` member, if any, names
  EPSG:4326 / CRS84; each feature an object with ``properties`` and a geometry;
- properties: required ones present and non-null, every known one of the
  right type and in its allowed set or range, names and ids at most
  :data:`MAX_NAME_CHARS` characters, other texts :data:`MAX_TEXT_CHARS`, ids non-empty and unique
  (``way_id`` across trails and roads together), no non-finite numbers;
- geometry: LineString for ways and Point for places and stations, positions
  ``[lon, lat]`` or ``[lon, lat, elevation_m]`` with finite values in range,
  elevation plausible (-500 to 9000 m), a line has at least two distinct
  positions, and shapely considers it valid and non-empty;
- references: ``stations.place_id``, ``places.snap_way_id`` and the ways'
  ``from_place_id`` / ``to_place_id`` exist when not null;
- connectivity: the foot network (ways whose ``modes`` include ``foot``) is
  one connected component, and every vehicle-only way reaches it, directly or
  through other ways. Two ways meet where any vertex of one lies within
  :data:`JOIN_TOLERANCE_M` of any vertex of the other (end to end, or end or
  interior vertex to an interior vertex), measured in the region's metric CRS
  after rounding lon/lat to 6 decimals.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pyproj
import shapely
import shapely.geometry
from pyproj.exceptions import CRSError

from geodata.capabilities import CAPABILITIES
from geodata.errors import DataValidationError

__all__ = [
    "LAYERS",
    "ID_FIELDS",
    "METADATA_FILE",
    "CALIBRATION_FILE",
    "JOIN_TOLERANCE_M",
    "MAX_LIST_ITEMS",
    "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "CONTRACT_COLUMNS",
    "RegionDocuments",
    "layer_file",
    "read_region_files",
    "validate_region_files",
]

#: Longest name, id or alias (characters): names are shown on every map and list.
MAX_NAME_CHARS = 200
#: Longest other text (notes, source, surface, ...), in characters.
MAX_TEXT_CHARS = 2000
#: Most items in a list property (aliases, modes, capabilities).
MAX_LIST_ITEMS = 50
#: Layer names, in the order files are checked and written.
LAYERS: tuple[str, ...] = ("trails", "roads", "places", "stations")
#: The id property of each layer.
ID_FIELDS: Mapping[str, str] = {
    "trails": "way_id",
    "roads": "way_id",
    "places": "place_id",
    "stations": "station_id",
}
METADATA_FILE = "metadata.json"
CALIBRATION_FILE = "calibration.json"
CUES_FILE = "cues.json"
#: Two ways meet where vertices of both lie this close (metres).
JOIN_TOLERANCE_M = 1.0

QUALITIES = ("track_consensus", "published_fixes", "hand_traced", "estimated")
MODES = ("foot", "vehicle")
SEASONS = ("year_round", "seasonal")
ELEVATION_RANGE_M = (-500.0, 9000.0)
#: features may lie this far (degrees, ~25 km) outside the region's declared bbox
EXTENT_MARGIN_DEG = 0.25

_WAY_KIND = {"trails": "trail", "roads": "road"}
_GEOMETRY_TYPE = {
    "trails": "LineString",
    "roads": "LineString",
    "places": "Point",
    "stations": "Point",
}
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
_ROUND_DECIMALS = 6


def layer_file(layer: str) -> str:
    """File name of a layer inside a region directory (``trails.geojson`` …)."""
    return f"{layer}.geojson"


# -- property schema -----------------------------------------------------------------

Check = Callable[[Any], str | None]


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str  # column kind for the loader: "str", "number", "bool", "list"
    check: Check
    required: bool = False


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    if value is None:
        kind = "null"
    elif isinstance(value, bool):
        kind = "a boolean"
    elif isinstance(value, int | float):
        kind = "a number"
    elif isinstance(value, str):
        kind = "a string"
    elif isinstance(value, list):
        kind = "a list"
    elif isinstance(value, dict):
        kind = "an object"
    else:  # pragma: no cover - json never produces other types
        kind = type(value).__name__
    return f"{text} ({kind})"


def _one_of(allowed: Sequence[str]) -> str:
    if len(allowed) == 1:
        return f"expected {allowed[0]!r}"
    return "expected one of " + ", ".join(allowed)


def _text(
    *,
    nonempty: bool = False,
    allowed: Sequence[str] | None = None,
    max_chars: int = MAX_TEXT_CHARS,
) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"is {_describe(value)}, expected a string"
        if len(value) > max_chars:
            return f"is {len(value)} characters long, at most {max_chars} allowed"
        if nonempty and not value.strip():
            return f"is {value!r}, expected a non-empty string"
        if allowed is not None and value not in allowed:
            return f"is {value!r}, {_one_of(allowed)}"
        return None

    return check


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(*, minimum: float | None = None, maximum: float | None = None) -> Check:
    def check(value: Any) -> str | None:
        if not _is_number(value):
            return f"is {_describe(value)}, expected a number"
        if not math.isfinite(value):
            return f"is {value!r}, expected a finite number"
        if minimum is not None and maximum is not None and not minimum <= value <= maximum:
            return f"is {value!r}, expected a number from {minimum:g} to {maximum:g}"
        if minimum is not None and value < minimum:
            return f"is {value!r}, expected a number >= {minimum:g}"
        if maximum is not None and value > maximum:
            return f"is {value!r}, expected a number <= {maximum:g}"
        return None

    return check


def _flag() -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, bool):
            return f"is {_describe(value)}, expected true or false"
        return None

    return check


def _text_list(*, allowed: Sequence[str] | None = None, nonempty: bool = False) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, list):
            return f"is {_describe(value)}, expected a list of strings"
        if nonempty and not value:
            expected = f" of {', '.join(allowed)}" if allowed else ""
            return f"is an empty list, expected at least one{expected}"
        if len(value) > MAX_LIST_ITEMS:
            return f"has {len(value)} items, at most {MAX_LIST_ITEMS} allowed"
        seen: set[str] = set()
        for i, item in enumerate(value):
            if not isinstance(item, str):
                return f"item {i} is {_describe(item)}, expected a string"
            if len(item) > MAX_NAME_CHARS:
                return f"item {i} is {len(item)} characters long, at most {MAX_NAME_CHARS} allowed"
            if allowed is not None and item not in allowed:
                return f"contains {item!r}, expected only {', '.join(allowed)}"
            if allowed is not None and item in seen:
                return f"contains {item!r} twice"
            seen.add(item)
        return None

    return check


def _way_fields(layer: str) -> tuple[_Field, ...]:
    return (
        _Field("way_id", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        _Field("kind", "str", _text(allowed=(_WAY_KIND[layer],)), required=True),
        # Route ids are region-specific (RegionSpec), so only their type is fixed here.
        _Field(
            "route_id",
            "str",
            _text(nonempty=True, max_chars=MAX_NAME_CHARS),
            required=layer == "trails",
        ),
        _Field("name_en", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS)),
        _Field("name_zh", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS)),
        _Field("quality", "str", _text(allowed=QUALITIES), required=True),
        _Field("modes", "list", _text_list(allowed=MODES, nonempty=True), required=True),
        _Field("surface", "str", _text()),
        _Field("length_factor", "number", _number(minimum=1.0), required=True),
        _Field("from_place_id", "str", _text(max_chars=MAX_NAME_CHARS)),
        _Field("to_place_id", "str", _text(max_chars=MAX_NAME_CHARS)),
        _Field("source", "str", _text()),
        _Field("notes", "str", _text()),
        # None on a route's main line, e.g. "other_bank" on a parallel path (routes.graph).
        _Field("variant", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS)),
        # Typical distance of the line from the true path, metres, where measured.
        _Field("accuracy_m", "number", _number(minimum=0.0)),
        # Road-only fields; trails load with these columns empty so that the two
        # layers concatenate cleanly into ``Region.ways``.
        _Field("road_id", "str", _text(max_chars=MAX_NAME_CHARS)),
        _Field("access", "str", _text()),
    )


_SCHEMAS: Mapping[str, tuple[_Field, ...]] = {
    "trails": _way_fields("trails"),
    "roads": _way_fields("roads"),
    "places": (
        _Field("place_id", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        _Field("name_en", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        _Field("name_zh", "str", _text(max_chars=MAX_NAME_CHARS)),
        _Field("name_bo", "str", _text(max_chars=MAX_NAME_CHARS)),
        _Field("aliases_en", "list", _text_list()),
        _Field("aliases_zh", "list", _text_list()),
        _Field("type", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        _Field("route_id", "str", _text(max_chars=MAX_NAME_CHARS)),
        _Field("kora_km", "number", _number(minimum=0.0)),
        _Field(
            "elevation_m",
            "number",
            _number(minimum=ELEVATION_RANGE_M[0], maximum=ELEVATION_RANGE_M[1]),
        ),
        _Field("coord_quality", "str", _text()),
        _Field("source", "str", _text()),
        _Field("notes", "str", _text()),
        _Field("snap_way_id", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS)),
        _Field("snap_distance_m", "number", _number(minimum=0.0)),
        _Field("on_network", "bool", _flag()),
    ),
    "stations": (
        _Field("station_id", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        _Field("place_id", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS)),
        _Field("name_en", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        _Field("name_zh", "str", _text(max_chars=MAX_NAME_CHARS)),
        _Field("kind", "str", _text(max_chars=MAX_NAME_CHARS)),
        _Field("capabilities", "list", _text_list(allowed=CAPABILITIES), required=True),
        _Field("season", "str", _text(allowed=SEASONS)),
        _Field("resources", "str", _text()),
        _Field("contacts", "str", _text()),
        _Field("notes", "str", _text()),
    ),
}

#: Per layer, the contract's properties and their column kind
#: (``"str"``, ``"number"``, ``"bool"`` or ``"list"``), in contract order.
CONTRACT_COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = {
    layer: tuple((f.name, f.kind) for f in fields) for layer, fields in _SCHEMAS.items()
}


# -- documents -----------------------------------------------------------------------


@dataclass(frozen=True)
class RegionDocuments:
    """The parsed, validated JSON documents of one region directory.

    Attributes
    ----------
    region_id
        The directory's region id.
    metadata
        ``metadata.json``.
    calibration
        ``calibration.json``, or ``{}`` if the file is absent.
    layers
        Layer name -> GeoJSON FeatureCollection.
    """

    region_id: str
    metadata: dict[str, Any]
    calibration: dict[str, Any]
    layers: dict[str, dict[str, Any]]
    cues: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Problems:
    """Accumulates problem descriptions, in the order they are found."""

    items: list[str] = field(default_factory=list)

    def add(self, where: str, problem: str) -> None:
        self.items.append(f"{where}: {problem}")

    def raise_if_any(self, region_id: str) -> None:
        """Raise one :class:`DataValidationError` listing every problem, if there is one."""
        if self.items:
            n = len(self.items)
            raise DataValidationError(
                f"region {region_id!r}: data is invalid ({n} problem{'s' if n != 1 else ''})",
                details=self.items,
            )


@dataclass(frozen=True)
class _Way:
    """What connectivity needs of one way whose coordinates could be read."""

    label: str
    way_id: str
    modes: frozenset[str]
    lonlat: np.ndarray  # (n, 2)


_MISSING = object()


def _read_json(path: Path, name: str, problems: _Problems, *, optional: bool = False) -> Any:
    """Parse one file; on failure record the problem and return ``_MISSING``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if not optional:
            problems.add(name, "file is missing")
        return _MISSING
    except OSError as exc:
        problems.add(name, f"cannot be read ({exc.strerror or type(exc).__name__})")
        return _MISSING
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(name, f"is not valid UTF-8 (byte {exc.start})")
        return _MISSING
    if text.startswith("\ufeff"):
        problems.add(name, "starts with a byte-order mark; save it as UTF-8 without BOM")
        return _MISSING
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(name, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        return _MISSING
    except RecursionError:
        problems.add(name, "invalid JSON: nested too deeply")
        return _MISSING


def read_region_files(path: Path, *, region_id: str | None = None) -> RegionDocuments:
    """Read every file of a region directory and validate it as a whole.

    Parameters
    ----------
    path
        The region directory (``geodata/kailash`` …).
    region_id
        The id ``metadata.json`` must declare; by default the directory name.
        ``write_region`` passes the final name while validating its temporary
        directory.

    Returns
    -------
    RegionDocuments
        The parsed documents, known to satisfy the data contract.

    Raises
    ------
    DataValidationError
        Listing every problem found, each naming file, feature and field.
    """
    path = Path(path)
    expected_id = path.name if region_id is None else region_id
    problems = _Problems()

    metadata = _read_json(path / METADATA_FILE, METADATA_FILE, problems)
    calibration = _read_json(path / CALIBRATION_FILE, CALIBRATION_FILE, problems, optional=True)
    layers = {
        layer: _read_json(path / layer_file(layer), layer_file(layer), problems) for layer in LAYERS
    }
    if calibration is _MISSING and not (path / CALIBRATION_FILE).exists():
        calibration = {}
    cues = _read_json(path / CUES_FILE, CUES_FILE, problems, optional=True)
    if cues is _MISSING and not (path / CUES_FILE).exists():
        cues = {"cues": []}
    _check_documents(
        expected_id,
        metadata=metadata,
        calibration=calibration,
        layers=layers,
        problems=problems,
        cues=cues,
    )
    problems.raise_if_any(expected_id)
    return RegionDocuments(
        region_id=expected_id,
        metadata=metadata,
        calibration=calibration,
        layers=layers,
        cues=cues,
    )


def check_region_documents(
    region_id: str,
    *,
    metadata: Any,
    calibration: Any,
    layers: Mapping[str, Any],
    cues: Any = None,
) -> RegionDocuments:
    """Validate a region held in memory (e.g. read from the database) as files would be.

    Raises
    ------
    DataValidationError
        Listing every problem found, each naming layer file, feature and field.
    """
    problems = _Problems()
    _check_documents(
        region_id,
        metadata=metadata,
        calibration=calibration,
        layers=layers,
        problems=problems,
        cues=cues if cues is not None else {"cues": []},
    )
    problems.raise_if_any(region_id)
    return RegionDocuments(
        region_id=region_id,
        metadata=dict(metadata),
        calibration=dict(calibration),
        layers={k: layers[k] for k in LAYERS},
        cues=dict(cues) if cues is not None else {"cues": []},
    )


def validate_region_files(path: Path, *, region_id: str | None = None) -> None:
    """Validate a region directory; see :func:`read_region_files`.

    Parameters
    ----------
    path
        The region directory.
    region_id
        The id ``metadata.json`` must declare; by default the directory name.

    Raises
    ------
    DataValidationError
        Listing every problem found, each naming file, feature and field.
    """
    read_region_files(path, region_id=region_id)


def _check_documents(
    region_id: str,
    *,
    metadata: Any,
    calibration: Any,
    layers: Mapping[str, Any],
    problems: _Problems,
    cues: Any = None,
) -> None:
    """Check parsed documents, appending to ``problems``; ``_MISSING`` marks unreadable ones."""
    metric_crs: str | None = None
    if metadata is not _MISSING:
        metric_crs = _check_metadata(metadata, region_id, problems)
    if calibration is not _MISSING and not isinstance(calibration, dict):
        problems.add(CALIBRATION_FILE, f"is {_describe(calibration)}, expected a JSON object")

    ids: dict[str, dict[str, int]] = {}  # layer -> id -> feature index (first seen)
    ways: list[_Way] = []
    way_ids: dict[str, str] = {}  # way_id -> "file: feature i" of its first use
    references: list[tuple[str, str, str, str]] = []  # (where, field, value, target layer)
    for layer in LAYERS:
        doc = layers.get(layer, _MISSING)
        if doc is _MISSING:
            continue
        layer_ids = _check_layer(layer, doc, problems, ways, way_ids, references)
        if layer_ids is not None:
            ids[layer] = layer_ids

    place_ids = ids.get("places")
    all_way_ids = (
        set(ids["trails"]) | set(ids["roads"]) if "trails" in ids and "roads" in ids else None
    )
    targets = {"places": place_ids, "ways": all_way_ids}
    target_files = {"places": layer_file("places"), "ways": "trails.geojson or roads.geojson"}
    for where, name, value, target in references:
        known = targets[target]
        if known is not None and value not in known:
            problems.add(
                where,
                f"property {name!r} is {value!r}, which is not an id in {target_files[target]}",
            )

    if cues is not None and cues is not _MISSING:
        _check_cues(cues, place_ids, problems)

    if metadata is not _MISSING and isinstance(metadata, dict):
        _check_extent(metadata.get("bbox"), layers, problems)

    if "trails" in ids and "roads" in ids:
        _check_connectivity(ways, metric_crs, problems)


def _positions(geometry: Any) -> list[tuple[float, float]]:
    """The usable lon/lat positions of a Point or LineString (others are checked elsewhere)."""
    if not isinstance(geometry, dict):
        return []
    coords = geometry.get("coordinates")
    items = [coords] if geometry.get("type") == "Point" else coords
    out = []
    for p in items if isinstance(items, list) else []:
        if isinstance(p, list) and len(p) >= 2 and all(_is_number(v) for v in p[:2]):
            out.append((float(p[0]), float(p[1])))
    return out


def _check_extent(bbox: Any, layers: Mapping[str, Any], problems: _Problems) -> None:
    """Every feature lies within the region's ``bbox`` plus :data:`EXTENT_MARGIN_DEG`."""
    if not (isinstance(bbox, list) and len(bbox) == 4 and all(_is_number(v) for v in bbox)):
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
                where = _feature_label(
                    layer_file(layer), i, ID_FIELDS[layer], feature.get("properties")
                )
                problems.add(
                    f"{where}: geometry",
                    f"position ({x:.5f}, {y:.5f}) lies outside the region (bbox {bbox} plus {m}°)",
                )


def _check_cues(cues: Any, place_ids: Mapping[str, int] | None, problems: _Problems) -> None:
    """``cues.json``: ``{"cues": [{tag, place_ids, pad_m, weight, source}, …]}``."""
    items = cues.get("cues") if isinstance(cues, dict) else None
    if not isinstance(items, list):
        problems.add(CUES_FILE, "expected a JSON object with a list 'cues'")
        return
    for i, cue in enumerate(items):
        where = f"{CUES_FILE}: cue {i}"
        if not isinstance(cue, dict):
            problems.add(where, f"is {_describe(cue)}, expected an object")
            continue
        if not isinstance(cue.get("tag"), str) or not cue.get("tag"):
            problems.add(where, "property 'tag' must be a non-empty string")
        anchors = cue.get("place_ids")
        if not isinstance(anchors, list) or not 1 <= len(anchors) <= 2:
            problems.add(where, "property 'place_ids' must list one or two place ids")
        elif place_ids is not None:
            for pid in anchors:
                if pid not in place_ids:
                    problems.add(where, f"place id {pid!r} is not in places.geojson")
        for key in ("pad_m", "weight"):
            value = cue.get(key)
            if not isinstance(value, int | float) or not _is_number(value) or value < 0:
                problems.add(where, f"property {key!r} must be a number >= 0, got {value!r}")


# -- metadata ------------------------------------------------------------------------


def _check_metadata(metadata: Any, region_id: str, problems: _Problems) -> str | None:
    """Check ``metadata.json``; return its metric CRS if usable."""
    if not isinstance(metadata, dict):
        problems.add(METADATA_FILE, f"is {_describe(metadata)}, expected a JSON object")
        return None
    where = METADATA_FILE
    rid = metadata.get("region_id", _MISSING)
    if rid is _MISSING:
        problems.add(where, "field 'region_id' is missing")
    elif rid != region_id:
        problems.add(
            where,
            f"field 'region_id' is {_describe(rid)}, expected {region_id!r} (the directory name)",
        )
    crs = metadata.get("crs", _MISSING)
    if crs is _MISSING:
        problems.add(where, "field 'crs' is missing, expected 'EPSG:4326'")
    elif crs != "EPSG:4326":
        problems.add(where, f"field 'crs' is {_describe(crs)}, expected 'EPSG:4326'")

    metric: str | None = None
    value = metadata.get("metric_crs", _MISSING)
    if value is _MISSING:
        problems.add(
            where, "field 'metric_crs' is missing, expected a projected CRS such as 'EPSG:32644'"
        )
    elif not isinstance(value, str) or not value.strip():
        problems.add(where, f"field 'metric_crs' is {_describe(value)}, expected a CRS string")
    else:
        try:
            crs_obj = pyproj.CRS.from_user_input(value)
        except CRSError:
            problems.add(where, f"field 'metric_crs' is {value!r}, which is not a known CRS")
        else:
            units = {axis.unit_name for axis in crs_obj.axis_info}
            if not crs_obj.is_projected or units - {"metre"}:
                problems.add(
                    where, f"field 'metric_crs' is {value!r}, expected a projected CRS in metres"
                )
            else:
                metric = value

    bbox = metadata.get("bbox")
    if bbox is not None:
        ok = (
            isinstance(bbox, list)
            and len(bbox) == 4
            and all(_is_number(v) and math.isfinite(v) for v in bbox)
            and bbox[0] <= bbox[2]
            and bbox[1] <= bbox[3]
        )
        if not ok:
            problems.add(
                where,
                f"field 'bbox' is {_describe(bbox)}, expected [min_lon, min_lat, max_lon, max_lat]",
            )
    return metric


# -- layers --------------------------------------------------------------------------


def _check_crs_member(name: str, crs: Any, problems: _Problems) -> None:
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
        name,
        f"member 'crs' is {_describe(label if label is not None else crs)}; "
        "layers must be in EPSG:4326 (lon/lat WGS84)",
    )


def _feature_label(name: str, index: int, id_field: str, props: Any) -> str:
    value = props.get(id_field) if isinstance(props, dict) else None
    if isinstance(value, str) and value.strip():
        return f"{name}: feature {index} ({id_field}={value!r})"
    return f"{name}: feature {index}"


def _check_layer(
    layer: str,
    doc: Any,
    problems: _Problems,
    ways: list[_Way],
    way_ids: dict[str, str],
    references: list[tuple[str, str, str, str]],
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
                f"{name}: feature {index}", f"is {_describe(feature)}, expected a Feature object"
            )
            continue
        props = feature.get("properties")
        where = _feature_label(name, index, id_field, props)
        if feature.get("type") != "Feature":
            problems.add(
                where, f"member 'type' is {_describe(feature.get('type'))}, expected 'Feature'"
            )
        if not isinstance(props, dict):
            problems.add(where, f"member 'properties' is {_describe(props)}, expected an object")
            props = {}
        _check_properties(layer, where, props, problems)
        fid = props.get(id_field)
        if isinstance(fid, str) and fid.strip():
            _register_id(layer, fid, f"{name}: feature {index}", where, ids, way_ids, problems)
            ids.setdefault(fid, index)
        for ref_field, target in _REFERENCES.get(layer, ()):
            value = props.get(ref_field)
            if isinstance(value, str) and value:
                references.append((where, ref_field, value, target))
        lonlat = _check_geometry(
            where, feature.get("geometry", _MISSING), _GEOMETRY_TYPE[layer], problems
        )
        if layer in _WAY_KIND and lonlat is not None:
            ways.append(_way(where, fid, index, props.get("modes"), lonlat))
    return ids


def _collection_features(layer: str, doc: Any, problems: _Problems) -> list[Any] | None:
    """The feature list of a layer's FeatureCollection, or None if it has none usable."""
    name = layer_file(layer)
    if not isinstance(doc, dict):
        problems.add(name, f"is {_describe(doc)}, expected a GeoJSON FeatureCollection object")
        return None
    if doc.get("type") != "FeatureCollection":
        problems.add(
            name, f"member 'type' is {_describe(doc.get('type'))}, expected 'FeatureCollection'"
        )
    if "crs" in doc:
        _check_crs_member(name, doc["crs"], problems)
    features = doc.get("features")
    if not isinstance(features, list):
        problems.add(
            name, f"member 'features' is {_describe(features)}, expected a list of features"
        )
        return None
    if layer == "trails" and not features:
        problems.add(name, "has no features; the foot network needs at least one trail")
    return features


def _check_properties(layer: str, where: str, props: dict[str, Any], problems: _Problems) -> None:
    """The layer's properties schema: required, typed and ranged properties; no reserved
    names; no NaN or Infinity in the others."""
    schema = _SCHEMAS[layer]
    for spec in schema:
        value = props.get(spec.name, _MISSING)
        if value is _MISSING or value is None:
            if spec.required:
                state = "missing" if value is _MISSING else "null"
                problems.add(where, f"property {spec.name!r} is {state}, but it is required")
            continue
        problem = spec.check(value)
        if problem is not None:
            problems.add(where, f"property {spec.name!r} {problem}")
    known = {f.name for f in schema}
    for key, value in props.items():
        if key in _RESERVED_PROPERTIES:
            problems.add(where, f"property {key!r} is reserved for the geometry column")
        elif key not in known and _has_non_finite(value):
            problems.add(where, f"property {key!r} contains a non-finite number (NaN or Infinity)")


def _register_id(
    layer: str,
    fid: str,
    label: str,
    where: str,
    ids: dict[str, int],
    way_ids: dict[str, str],
    problems: _Problems,
) -> None:
    """Refuse a duplicate id: ways are unique across trails and roads, others per layer."""
    id_field = ID_FIELDS[layer]
    if layer in _WAY_KIND:
        if fid in way_ids:
            problems.add(where, f"property {id_field!r} {fid!r} is a duplicate of {way_ids[fid]}")
        else:
            way_ids[fid] = label
    elif fid in ids:
        problems.add(
            where,
            f"property {id_field!r} {fid!r} is a duplicate of "
            f"{layer_file(layer)}: feature {ids[fid]}",
        )


def _way(where: str, fid: Any, index: int, modes: Any, lonlat: np.ndarray) -> _Way:
    """A way for the connectivity check (its usable modes only)."""
    mode_set = frozenset(m for m in modes if m in MODES) if isinstance(modes, list) else frozenset()
    return _Way(label=where, way_id=str(fid) if fid else f"#{index}", modes=mode_set, lonlat=lonlat)


_REFERENCES: Mapping[str, tuple[tuple[str, str], ...]] = {
    "trails": (("from_place_id", "places"), ("to_place_id", "places")),
    "roads": (("from_place_id", "places"), ("to_place_id", "places")),
    "places": (("snap_way_id", "ways"),),
    "stations": (("place_id", "places"),),
}


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, list):
        return any(_has_non_finite(v) for v in value)
    if isinstance(value, dict):
        return any(_has_non_finite(v) for v in value.values())
    return False


# -- geometry ------------------------------------------------------------------------


def _first_and_more(indices: Sequence[int]) -> str:
    extra = len(indices) - 1
    return f"position {indices[0]}" + (f" (and {extra} more)" if extra else "")


def _check_geometry(where: str, geom: Any, expected: str, problems: _Problems) -> np.ndarray | None:
    """Check one geometry; return its (n, 2) lon/lat array if its numbers are usable."""
    at = f"{where}: geometry"
    arr = _position_array(where, geom, expected, problems)
    if arr is None or not _coordinates_in_range(at, arr, expected, problems):
        return None
    lonlat = np.round(arr[:, :2], _ROUND_DECIMALS)
    if expected == "LineString" and len(arr) >= 2:
        if len(np.unique(lonlat, axis=0)) < 2:
            problems.add(at, "LineString has fewer than 2 distinct positions (zero length)")
        else:
            shape = shapely.geometry.shape(geom)
            if shape.is_empty:
                problems.add(at, "is empty")
            elif not shape.is_valid:
                problems.add(at, f"is not valid: {shapely.is_valid_reason(shape)}")
    return lonlat


def _position_array(where: str, geom: Any, expected: str, problems: _Problems) -> np.ndarray | None:
    """The geometry's positions as an (n, 2 or 3) array, if it is a GeoJSON ``expected``
    whose positions are all [lon, lat] or all [lon, lat, elevation_m] numbers."""
    at = f"{where}: geometry"
    if geom is _MISSING or geom is None:
        problems.add(
            where, f"geometry is {'missing' if geom is _MISSING else 'null'}, expected a {expected}"
        )
        return None
    if not isinstance(geom, dict):
        problems.add(at, f"is {_describe(geom)}, expected a GeoJSON {expected} object")
        return None
    gtype = geom.get("type")
    if gtype != expected:
        problems.add(at, f"type is {_describe(gtype)}, expected {expected}")
        return None
    coords = geom.get("coordinates")
    positions: list[Any]
    if expected == "Point":
        positions = [coords]
    elif isinstance(coords, list):
        positions = coords
    else:
        problems.add(
            at, f"member 'coordinates' is {_describe(coords)}, expected a list of positions"
        )
        return None
    dims: set[int] = set()
    for i, pos in enumerate(positions):
        if (
            not isinstance(pos, list)
            or len(pos) not in (2, 3)
            or not all(_is_number(v) for v in pos)
        ):
            what = "coordinates" if expected == "Point" else f"position {i}"
            problems.add(
                at, f"{what} is {_describe(pos)}, expected [lon, lat] or [lon, lat, elevation_m]"
            )
            return None
        dims.add(len(pos))
    if len(dims) > 1:
        problems.add(at, "mixes 2D and 3D positions; give every position an elevation or none")
        return None
    if expected == "LineString" and len(positions) < 2:
        problems.add(at, f"LineString has {len(positions)} position(s), expected at least 2")
    return np.asarray(positions, dtype=float).reshape(len(positions), dims.pop() if dims else 2)


def _coordinates_in_range(at: str, arr: np.ndarray, expected: str, problems: _Problems) -> bool:
    """Whether every coordinate is finite and lon/lat in range (an elevation out of
    range is reported, but the position stays usable)."""

    def where_in(bad: np.ndarray) -> str:
        return "coordinates" if expected == "Point" else _first_and_more(bad.tolist())

    usable = True
    bad = np.flatnonzero(~np.isfinite(arr).all(axis=1))
    if bad.size:
        problems.add(at, f"{where_in(bad)} has a non-finite coordinate (NaN or Infinity)")
        usable = False
    with np.errstate(invalid="ignore"):
        lon, lat = arr[:, 0], arr[:, 1]
        bad = np.flatnonzero(np.abs(lon) > 180.0)
        if bad.size:
            problems.add(
                at,
                f"{where_in(bad)}: longitude {float(lon[bad[0]])!r} is outside -180..180",
            )
            usable = False
        bad = np.flatnonzero(np.abs(lat) > 90.0)
        if bad.size:
            problems.add(at, f"{where_in(bad)}: latitude {float(lat[bad[0]])!r} is outside -90..90")
            usable = False
        if arr.shape[1] == 3:
            z = arr[:, 2]
            lo, hi = ELEVATION_RANGE_M
            bad = np.flatnonzero((z < lo) | (z > hi))
            if bad.size:
                problems.add(
                    at,
                    f"{where_in(bad)}: elevation {float(z[bad[0]])!r} m "
                    f"is outside {lo:g}..{hi:g} m",
                )
    return usable


# -- connectivity --------------------------------------------------------------------


def _metric_transformer(metric_crs: str | None, ways: Sequence[_Way]) -> pyproj.Transformer:
    if metric_crs is None:
        # metadata's metric CRS is unusable (already reported): measure in a local
        # azimuthal equidistant projection so connectivity is still checked.
        centre = np.concatenate([w.lonlat for w in ways]).mean(axis=0)
        metric_crs = (
            f"+proj=aeqd +lon_0={centre[0]:.6f} +lat_0={centre[1]:.6f} +units=m +datum=WGS84"
        )
    return pyproj.Transformer.from_crs("EPSG:4326", metric_crs, always_xy=True)


def _components(graph: nx.Graph) -> list[list[int]]:
    """Connected components, largest first, ties broken by lowest way index."""
    comps = [sorted(c) for c in nx.connected_components(graph)]
    comps.sort(key=lambda c: (-len(c), c[0]))
    return comps


def _check_connectivity(ways: Sequence[_Way], metric_crs: str | None, problems: _Problems) -> None:
    if not ways:
        return
    transformer = _metric_transformer(metric_crs, ways)
    lonlat = np.concatenate([w.lonlat for w in ways])
    owner = np.repeat(np.arange(len(ways)), [len(w.lonlat) for w in ways])
    x, y = transformer.transform(lonlat[:, 0], lonlat[:, 1])
    points = shapely.points(np.column_stack([x, y]))
    left, right = shapely.STRtree(points).query(
        points, predicate="dwithin", distance=JOIN_TOLERANCE_M
    )
    a, b = owner[left], owner[right]
    # a way end on another way's interior also joins them (the graph splits that way there)
    lines, ends, end_owner = [], [], []
    for i in range(len(ways)):
        sel = owner == i
        xy = np.column_stack([x[sel], y[sel]])
        lines.append(shapely.linestrings(xy) if len(xy) > 1 else shapely.points(xy[0]))
        ends.extend([xy[0], xy[-1]])
        end_owner.extend([i, i])
    e_left, l_right = shapely.STRtree(lines).query(
        shapely.points(np.asarray(ends)), predicate="dwithin", distance=JOIN_TOLERANCE_M
    )
    a = np.concatenate([a, np.asarray(end_owner)[e_left]])
    b = np.concatenate([b, l_right])
    keep = a != b
    pairs = {
        (min(p, q), max(p, q)) for p, q in zip(a[keep].tolist(), b[keep].tolist(), strict=True)
    }

    graph = nx.Graph()
    graph.add_nodes_from(range(len(ways)))
    graph.add_edges_from(pairs)

    foot = [i for i, w in enumerate(ways) if "foot" in w.modes]
    if not foot:
        problems.add(
            "trails.geojson",
            "no way has 'foot' in property 'modes': the foot network is empty",
        )
        return
    foot_parts = _components(graph.subgraph(foot))
    main = foot_parts[0]
    for part in foot_parts[1:]:
        names = _short_list([ways[i].way_id for i in part])
        for i in part:
            problems.add(
                f"{ways[i].label}: geometry",
                f"not connected to the foot network: its part ({len(part)} way(s): {names}) "
                f"does not meet the main part ({len(main)} ways) within {JOIN_TOLERANCE_M:g} m",
            )

    reach = nx.node_connected_component(graph, main[0])
    for i, way in enumerate(ways):
        if "foot" in way.modes or i in reach:
            continue
        problems.add(
            f"{way.label}: geometry",
            "vehicle way is not connected to the foot network, directly or through other ways "
            f"(no vertex within {JOIN_TOLERANCE_M:g} m of a connected way)",
        )


def _short_list(items: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f", … {len(items) - limit} more" if len(items) > limit else "")
