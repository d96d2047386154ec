"""Validation of a region directory against the data contract in DEVELOPERS.md.

Every check here *collects* problems instead of stopping at the first one, and
:func:`read_region_files` raises a single
:class:`~geodata.errors.DataValidationError` whose ``details`` list every
problem. Each detail names the file, the feature (index and id when known) and
the field, for example::

    trails.geojson: feature 3 (way_id='ok_west'): property 'quality' is 'guess',
    expected one of track_consensus, published_fixes, hand_traced, estimated

Each problem is a catalog text (:mod:`geodata.i18n`): ``details`` is English,
``details_in("zh")`` the same problems in Chinese (:mod:`._problems`). Messages name
files relative to the region directory only, so they are safe to show to a user.

The checks, by concept: the contract's properties (:mod:`.schema`), file reading,
``metadata.json``, ``cues.json`` and references (:mod:`._documents`), layers and
features (:mod:`._layers`), geometry (:mod:`._geometry`), connectivity
(:mod:`._connectivity`).

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
  interior vertex to an interior vertex, or a way's end to another way's line),
  measured in the region's metric CRS after rounding lon/lat to 6 decimals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geodata.i18n import Msg, msg
from geodata.validate._connectivity import JOIN_TOLERANCE_M, Way, check_connectivity
from geodata.validate._documents import check_cues, check_metadata, check_references, read_json
from geodata.validate._geometry import MISSING
from geodata.validate._layers import Reference, check_extent, check_layer
from geodata.validate._problems import Problems, describe
from geodata.validate.schema import (
    CALIBRATION_FILE,
    CONTRACT_COLUMNS,
    CUES_FILE,
    ELEVATION_RANGE_M,
    EXTENT_MARGIN_DEG,
    ID_FIELDS,
    LAYERS,
    MAX_LIST_ITEMS,
    MAX_NAME_CHARS,
    MAX_TEXT_CHARS,
    METADATA_FILE,
    MODES,
    QUALITIES,
    SEASONS,
    layer_file,
)

__all__ = [
    "LAYERS",
    "ID_FIELDS",
    "METADATA_FILE",
    "CALIBRATION_FILE",
    "CUES_FILE",
    "ELEVATION_RANGE_M",
    "EXTENT_MARGIN_DEG",
    "JOIN_TOLERANCE_M",
    "MAX_LIST_ITEMS",
    "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "MODES",
    "QUALITIES",
    "SEASONS",
    "CONTRACT_COLUMNS",
    "RegionDocuments",
    "check_region_documents",
    "layer_file",
    "read_region_files",
    "validate_region_files",
]


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
    problems = Problems()

    metadata = read_json(path / METADATA_FILE, METADATA_FILE, problems)
    calibration = read_json(path / CALIBRATION_FILE, CALIBRATION_FILE, problems, optional=True)
    layers = {
        layer: read_json(path / layer_file(layer), layer_file(layer), problems) for layer in LAYERS
    }
    if calibration is MISSING and not (path / CALIBRATION_FILE).exists():
        calibration = {}
    cues = read_json(path / CUES_FILE, CUES_FILE, problems, optional=True)
    if cues is MISSING and not (path / CUES_FILE).exists():
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
    problems = Problems()
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
    problems: Problems,
    cues: Any = None,
) -> None:
    """Check parsed documents, appending to ``problems``; ``MISSING`` marks unreadable ones."""
    metric_crs: str | None = None
    if metadata is not MISSING:
        metric_crs = check_metadata(metadata, region_id, problems)
    if calibration is not MISSING and not isinstance(calibration, dict):
        problems.add(CALIBRATION_FILE, msg("validate.expected_object", value=describe(calibration)))

    ids: dict[str, dict[str, int]] = {}  # layer -> id -> feature index (first seen)
    ways: list[Way] = []
    way_ids: dict[str, Msg] = {}  # way_id -> "file: feature i" of its first use
    references: list[Reference] = []
    for layer in LAYERS:
        doc = layers.get(layer, MISSING)
        if doc is MISSING:
            continue
        layer_ids = check_layer(layer, doc, problems, ways, way_ids, references)
        if layer_ids is not None:
            ids[layer] = layer_ids

    place_ids = ids.get("places")
    all_way_ids = (
        set(ids["trails"]) | set(ids["roads"]) if "trails" in ids and "roads" in ids else None
    )
    check_references(references, {"places": place_ids, "ways": all_way_ids}, problems)

    if cues is not None and cues is not MISSING:
        check_cues(cues, place_ids, problems)

    if metadata is not MISSING and isinstance(metadata, dict):
        check_extent(metadata.get("bbox"), layers, problems)

    if "trails" in ids and "roads" in ids:
        check_connectivity(ways, metric_crs, problems)
