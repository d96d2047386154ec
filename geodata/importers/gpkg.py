"""GeoPackage: every vector layer, transformed from the layer's CRS to EPSG:4326.

Read with pyogrio/geopandas from a temporary copy (GDAL needs a path). A layer
without a CRS is refused, since its coordinates cannot be placed on the map.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import geopandas as gpd
import pyogrio
import shapely

from geodata.importers._build import Draft, check_lonlat, json_safe, line_or_point, raise_problems
from geodata.importers._model import FeatureKind, ImportRejected, ImportWarning

__all__ = ["read_gpkg"]

_KINDS: dict[str, FeatureKind] = {"Point": "point", "LineString": "line", "Polygon": "polygon"}
_NAME_KEYS = ("name", "Name", "NAME", "title")
_DESCRIPTION_KEYS = ("description", "desc", "Description")


def _first(props: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = props.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _read_layers(filename: str, path: str) -> list[tuple[str, gpd.GeoDataFrame]]:
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # GDAL raises its own error types for broken files
        raise ImportRejected(
            f"{filename}: not a readable GeoPackage ({exc})", details=[str(exc)], filename=filename
        ) from None
    out = []
    problems = []
    for layer_name, geometry_type in layers:
        if geometry_type is None:
            continue  # an attribute table
        try:
            frame = pyogrio.read_dataframe(path, layer=layer_name)
        except Exception as exc:
            problems.append(f"layer '{layer_name}': cannot be read ({exc})")
            continue
        if not isinstance(frame, gpd.GeoDataFrame):
            continue
        if frame.crs is None:
            problems.append(f"layer '{layer_name}' has no CRS, so its coordinates cannot be placed")
            continue
        out.append((str(layer_name), frame.to_crs(4326)))
    if problems:
        raise ImportRejected(f"{filename}: {problems[0]}", details=problems, filename=filename)
    return out


def read_gpkg(filename: str, data: bytes) -> tuple[list[Draft], str | None, list[ImportWarning]]:
    """Read every vector layer of a GeoPackage into feature drafts.

    Raises
    ------
    ImportRejected
        Not readable by GDAL, a layer without a CRS, positions out of range.
    """
    with tempfile.TemporaryDirectory(prefix="sandtable-upload-") as tmp:
        path = os.path.join(tmp, "upload.gpkg")
        with open(path, "wb") as f:
            f.write(data)
        layers = _read_layers(filename, path)
    drafts: list[Draft] = []
    warnings: list[ImportWarning] = []
    problems: list[str] = []
    for layer_name, frame in layers:
        columns = [c for c in frame.columns if c != frame.geometry.name]
        records = frame[columns].to_dict("records") if columns else [{}] * len(frame)
        for row, (geom, raw) in enumerate(zip(frame.geometry, records, strict=True)):
            props = json_safe(raw)
            name = _first(props, _NAME_KEYS)
            label = f"layer '{layer_name}' row {row}" + (f" ('{name}')" if name else "")
            if geom is None or geom.is_empty:
                warnings.append(ImportWarning("skipped_geometry", f"{label}: no geometry; skipped"))
                continue
            parts = (
                list(shapely.get_parts(geom))
                if geom.geom_type.startswith(("Multi", "Geometry"))
                else [geom]
            )
            several = len(parts) > 1
            for k, part in enumerate(parts):
                kind = _KINDS.get(part.geom_type)
                part_label = f"{label} part {k + 1}" if several else label
                if kind is None:
                    warnings.append(
                        ImportWarning(
                            "skipped_geometry", f"{part_label}: {part.geom_type} not supported"
                        )
                    )
                    continue
                xyz = shapely.get_coordinates(part, include_z=True)
                check_lonlat(filename, part_label, xyz[:, 0], xyz[:, 1], None, problems)
                part_props = dict(props)
                if kind == "polygon":
                    holes = len(part.interiors)  # type: ignore[attr-defined]
                    if holes:
                        part_props["inner_rings_dropped"] = holes
                        warnings.append(
                            ImportWarning(
                                "polygon_holes_dropped",
                                f"{part_label}: {holes} inner ring(s) ignored, outer ring kept",
                            )
                        )
                    geometry = shapely.Polygon(part.exterior)  # type: ignore[attr-defined]
                elif kind == "point":
                    geometry = part
                else:
                    z = xyz[:, 2] if part.has_z else None
                    geometry = line_or_point(xyz[:, 0], xyz[:, 1], z)
                drafts.append(
                    Draft(
                        kind=kind,
                        name=f"{name} (part {k + 1})" if several and name else name,
                        description=_first(props, _DESCRIPTION_KEYS),
                        geometry=geometry,
                        source=f"layer '{layer_name}' row {row}"
                        + (f", part {k + 1}" if several else ""),
                        properties=part_props,
                    )
                )
    raise_problems(filename, "positions outside WGS84 lon/lat", problems)
    return drafts, None, warnings
