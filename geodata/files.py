"""Region files: list, load (validated) and write (atomically) ``geodata/<region>/``.

A region directory holds ``trails.geojson``, ``roads.geojson``,
``places.geojson``, ``stations.geojson``, ``metadata.json`` and optionally
``calibration.json`` (the data contract is in DEVELOPERS.md). Regions live in
the data directory: the ``data_dir`` argument, else the ``SANDTABLE_DATA_DIR``
environment variable, else :data:`DEFAULT_DATA_DIR` (the committed data in this
package).

Writing is atomic: :func:`write_region` writes a complete region into a
temporary directory beside the target, validates it exactly as
:func:`load_region` would, and only then swaps it into place. The output is
meant to be diffed and committed: one feature per line (one position per line
for lines), property keys sorted, coordinates rounded (lon/lat to 6 decimals,
about 0.1 m; elevation to 0.1 m), UTF-8 with names written as they are.
"""

from __future__ import annotations

import json
import logging
import math
import numbers
import os
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely.geometry

from geodata.errors import DataValidationError, InvalidInput, NotFound
from geodata.i18n import Name, msg
from geodata.validate import (
    CALIBRATION_FILE,
    CONTRACT_COLUMNS,
    CUES_FILE,
    ID_FIELDS,
    LAYERS,
    METADATA_FILE,
    RegionDocuments,
    layer_file,
    read_region_files,
    validate_region_files,
)

__all__ = [
    "LAYERS",
    "DEFAULT_DATA_DIR",
    "DATA_DIR_ENV",
    "Region",
    "list_regions",
    "load_region",
    "region_from_documents",
    "write_region",
]

log = logging.getLogger(__name__)

#: The committed region data: the directory of this package.
DEFAULT_DATA_DIR: Path = Path(__file__).resolve().parent
#: Environment variable that overrides :data:`DEFAULT_DATA_DIR`.
DATA_DIR_ENV = "SANDTABLE_DATA_DIR"

_CRS = "EPSG:4326"
_LONLAT_DECIMALS = 6
_ELEVATION_DECIMALS = 1


@dataclass(frozen=True, eq=False)
class Region:
    """One region's validated data.

    Layers are GeoDataFrames in EPSG:4326 whose index holds the feature ids
    (``way_id``, ``place_id``, ``station_id``); the id is also kept as a column
    of the same name. The index itself is unnamed, so that ``groupby`` and
    ``merge`` on the id column are not ambiguous. Contract properties are
    always present as columns. Numbers are ``float64`` (NaN where null);
    strings and lists (``modes``, ``capabilities``, aliases) are Python
    objects in ``object`` columns, with ``None`` where null (as in the file);
    a flag column (``on_network``) is ``bool`` when no value is null, else
    ``object``. Properties outside the contract are kept as extra columns
    (``float64`` if all their values are numbers, else ``object``).

    A region compares by identity: its frames have no meaningful ``==``.

    Attributes
    ----------
    region_id
        Directory name, equal to ``metadata["region_id"]``.
    path
        The region directory, None for a region read from the database.
    metadata
        ``metadata.json``.
    calibration
        ``calibration.json``, ``{}`` if the file is absent.
    cues
        ``cues.json``: where what a caller sees or feels holds (``{"cues": []}`` if absent).
    trails, roads
        Ways (LineString, ``[lon, lat, elevation_m]``), index ``way_id``.
    places
        Named places (Point), index ``place_id``.
    stations
        Rescue stations (Point), index ``station_id``.
    """

    region_id: str
    path: Path | None
    metadata: Mapping[str, Any]
    calibration: Mapping[str, Any]
    cues: Mapping[str, Any]
    trails: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame

    @property
    def metric_crs(self) -> str:
        """The projected CRS for metric work (``"EPSG:32644"`` for Kailash)."""
        return str(self.metadata["metric_crs"])

    @property
    def ways(self) -> gpd.GeoDataFrame:
        """Trails and roads in one new frame, index ``way_id`` (unique across both)."""
        ways = pd.concat([self.trails, self.roads])
        return gpd.GeoDataFrame(ways, geometry="geometry", crs=_CRS)


def _data_dir(data_dir: Path | None) -> Path:
    if data_dir is not None:
        return Path(data_dir)
    env = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(env).expanduser() if env else DEFAULT_DATA_DIR


def list_regions(data_dir: Path | None = None) -> list[str]:
    """Ids of the regions in the data directory, sorted.

    A region is a subdirectory holding a ``metadata.json``; hidden directories
    (the temporary and backup directories of :func:`write_region`) are skipped.

    Parameters
    ----------
    data_dir
        Directory to look in; default ``SANDTABLE_DATA_DIR`` or
        :data:`DEFAULT_DATA_DIR`.

    Returns
    -------
    list of str
        Region ids; empty if the directory does not exist.
    """
    base = _data_dir(data_dir)
    if not base.is_dir():
        return []
    return sorted(
        entry.name
        for entry in base.iterdir()
        if not entry.name.startswith((".", "_"))
        and entry.is_dir()
        and (entry / METADATA_FILE).is_file()
    )


def load_region(region_id: str = "kailash", *, data_dir: Path | None = None) -> Region:
    """Load and validate one region.

    Nothing is cached: every call reads the files again (the caller caches).

    Parameters
    ----------
    region_id
        Region to load, a subdirectory of the data directory.
    data_dir
        Directory holding the regions; default ``SANDTABLE_DATA_DIR`` or
        :data:`DEFAULT_DATA_DIR`.

    Returns
    -------
    Region

    Raises
    ------
    InvalidInput
        If ``region_id`` is not a string.
    NotFound
        If there is no such region; the message lists the available ones.
    DataValidationError
        If the files break the data contract; ``details`` lists every problem,
        each naming file, feature and field.
    """
    if not isinstance(region_id, str):
        raise InvalidInput(f"region_id must be a string, got {region_id!r}")
    base = _data_dir(data_dir)
    available = list_regions(base)
    if region_id not in available:
        listed = Name(", ".join(available) or "none", "、".join(available) or "无")
        raise NotFound(msg("region.unknown", region=repr(region_id), available=listed))
    path = base / region_id
    return region_from_documents(read_region_files(path, region_id=region_id), path=path)


def region_from_documents(docs: RegionDocuments, *, path: Path | None = None) -> Region:
    """The :class:`Region` of validated documents (from files or from the database).

    ``path`` is where they came from, if from a directory.
    """
    region_id = docs.region_id
    frames = {layer: _frame(layer, docs.layers[layer]) for layer in LAYERS}
    return Region(
        region_id=region_id,
        path=path,
        metadata=docs.metadata,
        calibration=docs.calibration,
        cues=docs.cues,
        trails=frames["trails"],
        roads=frames["roads"],
        places=frames["places"],
        stations=frames["stations"],
    )


def _frame(layer: str, collection: Mapping[str, Any]) -> gpd.GeoDataFrame:
    """GeoDataFrame of one validated FeatureCollection."""
    features = collection["features"]
    props = [feature["properties"] for feature in features]
    kinds = dict(CONTRACT_COLUMNS[layer])
    columns = list(kinds)
    for row in props:
        columns.extend(key for key in row if key not in columns)
    data = {}
    for col in columns:
        values = [row.get(col) for row in props]
        present = [v for v in values if v is not None]
        kind = kinds.get(col)
        if kind is None:  # outside the contract: numeric if every value is a number
            numeric = present and all(_is_real(v) for v in present)
            kind = "number" if numeric else "other"
        if kind == "number":
            data[col] = pd.Series([math.nan if v is None else v for v in values], dtype="float64")
        elif kind == "bool" and len(present) == len(values):
            data[col] = pd.Series(values, dtype=bool)
        else:
            # object, not pandas' str dtype: a missing value stays None, as in the file
            data[col] = pd.Series(values, dtype=object)
    index = pd.Index([row[ID_FIELDS[layer]] for row in props], dtype=object)
    frame = pd.DataFrame(data, columns=columns)
    frame.index = index
    geometry = gpd.GeoSeries(
        [shapely.geometry.shape(feature["geometry"]) for feature in features], index=index
    )
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=_CRS)


# -- writing -------------------------------------------------------------------------


def write_region(
    target_dir: Path,
    *,
    metadata: dict[str, Any],
    calibration: dict[str, Any],
    layers: Mapping[str, dict[str, Any]],
    cues: Mapping[str, Any] | None = None,
) -> None:
    """Write a complete region directory atomically.

    The files are written into a new hidden directory beside ``target_dir``
    (same filesystem), validated with the same checks as :func:`load_region`,
    then swapped in: the old directory is renamed to a backup, the new one to
    ``target_dir``, and the backup removed. On any failure the old directory
    is left as it was and the temporary directory removed. The region's
    hand-kept data files (every ``*.json`` in the old directory that the build
    does not write: ``profiles.json``, ``aliases.json``, the locate hints …)
    are carried over unchanged; other files are not.

    Parameters
    ----------
    target_dir
        The region directory to create or replace; its name is the region id.
    metadata
        Contents of ``metadata.json``.
    calibration
        Contents of ``calibration.json``.
    cues
        Contents of ``cues.json`` (written only if given).
    layers
        Layer name (each of :data:`LAYERS`) -> GeoJSON FeatureCollection.

    Raises
    ------
    InvalidInput
        If ``layers`` does not have exactly the names in :data:`LAYERS`.
    DataValidationError
        If a value cannot be written as JSON or the written region fails
        validation; ``target_dir`` is then unchanged.
    OSError
        If the filesystem refuses a write or rename; ``target_dir`` is then
        unchanged.
    """
    unknown = sorted(set(layers) - set(LAYERS))
    missing = [layer for layer in LAYERS if layer not in layers]
    if unknown or missing:
        raise InvalidInput(
            f"layers must be exactly {', '.join(LAYERS)}; "
            f"unknown: {', '.join(unknown) or 'none'}; missing: {', '.join(missing) or 'none'}"
        )
    target = Path(target_dir)
    texts = _render_region(metadata, calibration, layers, cues)

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = _fresh_dir(target, "tmp", create=True)
    try:
        for name, text in texts.items():
            _write_text(tmp / name, text)
        for kept in _hand_kept_files(target, written=texts):
            shutil.copy2(kept, tmp / kept.name)
        _fsync_dir(tmp)
        validate_region_files(tmp, region_id=target.name)
        _swap_into_place(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _hand_kept_files(target: Path, *, written: Mapping[str, str]) -> list[Path]:
    """The JSON files of an existing region directory that a build does not write."""
    if not target.is_dir():
        return []
    return sorted(
        path for path in target.glob("*.json") if path.is_file() and path.name not in written
    )


def _render_region(
    metadata: Mapping[str, Any],
    calibration: Mapping[str, Any],
    layers: Mapping[str, Mapping[str, Any]],
    cues: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """File name -> text of every file; collects all unserialisable values."""
    problems: list[str] = []
    texts: dict[str, str] = {}
    docs = [(METADATA_FILE, metadata), (CALIBRATION_FILE, calibration)]
    if cues is not None:
        docs.append((CUES_FILE, cues))
    for name, doc in docs:
        try:
            texts[name] = _dumps(doc, indent=1, sort_keys=True) + "\n"
        except (TypeError, ValueError) as exc:
            problems.append(f"{name}: cannot be written as JSON: {exc}")
    for layer in LAYERS:
        name = layer_file(layer)
        texts[name] = _dumps_feature_collection(
            layers[layer], name=name, id_field=ID_FIELDS[layer], problems=problems
        )
    if problems:
        raise DataValidationError("region data cannot be written", details=problems)
    return texts


def _dumps(value: Any, **kwargs: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default, **kwargs)


def _json_default(value: Any) -> Any:
    """Numpy scalars and arrays (common in computed properties) as plain JSON values."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_DECIMALS = (_LONLAT_DECIMALS, _LONLAT_DECIMALS, _ELEVATION_DECIMALS)


def _round_coords(coords: Any, decimals: tuple[int, ...] = _DECIMALS) -> Any:
    """Round every position in a GeoJSON ``coordinates`` array (any nesting)."""
    if isinstance(coords, list | tuple) and coords and all(_is_real(v) for v in coords):
        return [
            _round(float(v), decimals[i]) if i < len(decimals) else v for i, v in enumerate(coords)
        ]
    if isinstance(coords, list | tuple):
        return [_round_coords(c, decimals) for c in coords]
    return coords


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _round(value: float, decimals: int) -> float:
    if not math.isfinite(value):
        return value  # reported by allow_nan=False, naming the feature
    return round(value, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0


def _dumps_feature_collection(
    collection: Mapping[str, Any],
    *,
    name: str = "layer.geojson",
    id_field: str | None = None,
    problems: list[str] | None = None,
) -> str:
    """Diffable GeoJSON text of a FeatureCollection.

    One feature per line; a LineString's positions one per line below it.
    Members are in a fixed order (``type`` first, ``features`` last), property
    keys are sorted and coordinates rounded. A document that is not shaped like
    a FeatureCollection is written as indented JSON for validation to report.

    Parameters
    ----------
    collection
        The FeatureCollection.
    name
        File name used in problem descriptions.
    id_field
        Property that identifies a feature in problem descriptions.
    problems
        If given, unserialisable values are appended here (naming file,
        feature and member) instead of raising.

    Returns
    -------
    str
        The text, ending with a newline.

    Raises
    ------
    DataValidationError
        If a value cannot be written as JSON and ``problems`` is None.
    """
    own = [] if problems is None else problems
    features = collection.get("features") if isinstance(collection, Mapping) else None
    if not isinstance(features, list) or not all(isinstance(f, Mapping) for f in features):
        try:
            text = _dumps(collection, indent=1, sort_keys=True) + "\n"
        except (TypeError, ValueError) as exc:
            own.append(f"{name}: cannot be written as JSON: {exc}")
            text = ""
    else:
        head = [f'"type": {_dumps(collection.get("type"))}']
        head_failed = False
        for key in sorted(k for k in collection if k not in ("type", "features")):
            try:
                head.append(f"{_dumps(key)}: {_dumps(collection[key], sort_keys=True)}")
            except (TypeError, ValueError) as exc:
                own.append(f"{name}: member {key!r} cannot be written as JSON: {exc}")
                head_failed = True
        lines = []
        for index, feature in enumerate(features):
            lines.append(_dumps_feature(feature, name, index, id_field, own))
        body = ",\n".join(lines)
        text = "{" + ", ".join(head) + ', "features": [\n' + body + ("\n" if body else "") + "]}\n"
        if head_failed:
            text = ""
    if problems is None and own:
        raise DataValidationError(f"{name} cannot be written", details=own)
    return text


def _dumps_feature(
    feature: Mapping[str, Any], name: str, index: int, id_field: str | None, problems: list[str]
) -> str:
    props = feature.get("properties")
    where = f"{name}: feature {index}"
    if id_field and isinstance(props, Mapping) and isinstance(props.get(id_field), str):
        where += f" ({id_field}={props[id_field]!r})"
    parts = [f'"type": {_dumps(feature.get("type"))}'] if "type" in feature else []
    for key in sorted(k for k in feature if k not in ("type", "properties", "geometry")):
        parts.append(_member(key, feature[key], where, problems))
    if "properties" in feature:
        parts.append(_member("properties", props, where, problems))
    if "geometry" in feature:
        geom = feature["geometry"]
        if isinstance(geom, Mapping) and "coordinates" in geom:
            rounded = _round_coords(geom["coordinates"])
            others = [
                _member(k, geom[k], where, problems, prefix="geometry member ")
                for k in sorted(k for k in geom if k not in ("type", "coordinates"))
            ]
            head = ", ".join([f'"type": {_dumps(geom.get("type"))}', *others])
            positions = (
                rounded if geom.get("type") == "LineString" and isinstance(rounded, list) else None
            )
            if positions:
                try:
                    rows = ",\n".join(_dumps(p) for p in positions)
                    parts.append('"geometry": {' + head + ', "coordinates": [\n' + rows + "\n]}")
                except (TypeError, ValueError) as exc:
                    problems.append(f"{where}: geometry: cannot be written as JSON: {exc}")
            else:
                coords = _member("coordinates", rounded, where, problems, prefix="geometry member ")
                parts.append('"geometry": {' + head + ", " + coords + "}")
        else:
            parts.append(_member("geometry", geom, where, problems))
    return "{" + ", ".join(parts) + "}"


def _member(key: str, value: Any, where: str, problems: list[str], *, prefix: str = "") -> str:
    try:
        return f"{_dumps(key)}: {_dumps(value, sort_keys=True)}"
    except (TypeError, ValueError) as exc:
        found = len(problems)
        if key == "properties" and isinstance(value, Mapping):
            for name, item in value.items():
                try:
                    _dumps(item)
                except (TypeError, ValueError) as item_exc:
                    problems.append(
                        f"{where}: property {name!r} cannot be written as JSON: {item_exc}"
                    )
        if len(problems) == found:
            problems.append(f"{where}: {prefix}member {key!r} cannot be written as JSON: {exc}")
        return f"{_dumps(key)}: null"


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    """Make renames and new entries in ``path`` durable (a no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fresh_dir(target: Path, tag: str, *, create: bool) -> Path:
    """A new hidden sibling of ``target`` (created if ``create``, else only a free name)."""
    for _ in range(100):
        candidate = target.with_name(f".{target.name}.{tag}-{secrets.token_hex(4)}")
        if create:
            try:
                # os.mkdir, not tempfile.mkdtemp: the directory becomes the region
                # directory, so it must get the usual permissions, not 0o700.
                candidate.mkdir()
            except FileExistsError:
                continue
            return candidate
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(f"no free temporary name beside {target.name!r}")


def _swap_into_place(new: Path, target: Path) -> None:
    """Rename ``new`` to ``target``, keeping the old ``target`` until that succeeded."""
    backup: Path | None = None
    if os.path.lexists(target):
        backup = _fresh_dir(target, "old", create=False)
        os.replace(target, backup)
    try:
        os.replace(new, target)
    except BaseException:
        if backup is not None:
            os.replace(backup, target)
        raise
    _fsync_dir(target.parent)
    if backup is not None:
        try:
            shutil.rmtree(backup)
        except OSError as exc:  # the new data is in place; a stale backup is only clutter
            log.warning("could not remove the old region directory %s: %s", backup, exc)
