"""GeoJSON (RFC 7946): FeatureCollection, Feature or a bare geometry, in WGS84 lon/lat.

Multi* geometries and GeometryCollections are split into one feature per part,
named ``"<name> (part 2)"``. A legacy ``crs`` member naming another CRS is honoured
(coordinates are transformed with pyproj and a ``wrong_crs_transformed`` warning
says so); without one, coordinates outside lon/lat range are refused as projected.
"""

from __future__ import annotations

import codecs
import json
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geodata.i18n import Msg, Name, msg
from geodata.importers._build import Draft, check_lonlat, json_safe, line_or_point, raise_problems
from geodata.importers._model import MAX_FEATURES, FeatureKind, ImportRejected, ImportWarning

__all__ = ["read_geojson"]

_GEOMETRY_TYPES = (
    "Point",
    "LineString",
    "Polygon",
    "MultiPoint",
    "MultiLineString",
    "MultiPolygon",
    "GeometryCollection",
)
_KINDS: dict[str, FeatureKind] = {"Point": "point", "LineString": "line", "Polygon": "polygon"}
_NAME_KEYS = ("name", "Name", "NAME", "title")
_DESCRIPTION_KEYS = ("description", "desc", "Description")


class _Bad(Exception):
    def __init__(self, text: Msg) -> None:
        super().__init__(str(text))
        self.text = text


def _decode(filename: str, data: bytes) -> Any:
    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise ImportRejected(
            msg("import.json_utf8", filename=filename, line=line, byte=f"0x{body[exc.start]:02X}"),
            filename=filename,
            line=line,
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            msg(
                "import.json_invalid",
                filename=filename,
                line=exc.lineno,
                reason=exc.msg,
                column=exc.colno,
            ),
            details=[str(exc)],
            filename=filename,
            line=exc.lineno,
        ) from None
    except RecursionError:
        raise ImportRejected(
            msg("import.json_deep", filename=filename), filename=filename
        ) from None


def _positions(value: Any, depth: int) -> np.ndarray:
    """An (n, 3) array (z NaN when absent) from nested position lists of the given depth."""
    if depth == 0:
        value = [value]
    elif depth == 2:
        if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
            raise _Bad(msg("import.rings"))
        value = [p for ring in value for p in ring]
    if not isinstance(value, list) or not all(isinstance(p, list) for p in value):
        raise _Bad(msg("import.positions"))
    rows = []
    for p in value:
        if len(p) < 2 or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in p):
            raise _Bad(msg("import.position", value=repr(p)))
        rows.append((float(p[0]), float(p[1]), float(p[2]) if len(p) > 2 else np.nan))
    return np.array(rows, dtype=float).reshape(-1, 3)


def _parts(geometry: Any) -> list[tuple[str, Any]]:
    """(simple type, coordinates) for every part of a geometry."""
    if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY_TYPES:
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise _Bad(msg("import.geometry_type", kind=repr(kind)))
    kind = geometry["type"]
    if kind == "GeometryCollection":
        members = geometry.get("geometries")
        if not isinstance(members, list):
            raise _Bad(msg("import.no_geometries"))
        return [part for member in members for part in _parts(member)]
    coords = geometry.get("coordinates")
    if not isinstance(coords, list):
        raise _Bad(msg("import.no_coordinates", kind=kind))
    if kind.startswith("Multi"):
        return [(kind[5:], c) for c in coords]
    return [(kind, coords)]


def _features(filename: str, obj: Any) -> list[Any]:
    if not isinstance(obj, dict) or "type" not in obj:
        what = msg("import.json_array" if isinstance(obj, list) else "import.json_untyped")
        raise ImportRejected(
            msg("import.not_geojson", filename=filename, what=what),
            filename=filename,
        )
    kind = obj["type"]
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            raise ImportRejected(
                msg("import.no_features_list", filename=filename), filename=filename
            )
        return features
    if kind == "Feature":
        return [obj]
    if kind in _GEOMETRY_TYPES:
        return [{"type": "Feature", "geometry": obj, "properties": {}}]
    raise ImportRejected(
        msg("import.geojson_type", filename=filename, kind=repr(kind)), filename=filename
    )


def _transformer(filename: str, obj: dict[str, Any]) -> tuple[Transformer | None, str | None]:
    crs_member = obj.get("crs")
    if crs_member is None:
        return None, None
    name = None
    if isinstance(crs_member, dict) and isinstance(crs_member.get("properties"), dict):
        name = crs_member["properties"].get("name")
    if not isinstance(name, str):
        raise ImportRejected(
            msg("import.crs_member", filename=filename, value=json.dumps(crs_member)[:80]),
            filename=filename,
        )
    try:
        crs = CRS.from_user_input(name)
    except CRSError:
        raise ImportRejected(
            msg("import.crs_unknown", filename=filename, name=repr(name)), filename=filename
        ) from None
    if crs.to_epsg() == 4326 or "CRS84" in name.upper():
        return None, None
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True), f"{name} ({crs.name})"


def _first(props: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = props.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def read_geojson(filename: str, data: bytes) -> tuple[list[Draft], str | None, list[ImportWarning]]:
    """Read GeoJSON into feature drafts (creator is always None) and reading warnings.

    Raises
    ------
    ImportRejected
        Not UTF-8, not JSON, not GeoJSON, malformed geometries, an unknown CRS,
        projected coordinates without a ``crs`` member, positions out of range.
    """
    obj = _decode(filename, data)
    features = _features(filename, obj)
    if len(features) > MAX_FEATURES:
        raise ImportRejected(
            msg(
                "import.too_many_features",
                filename=filename,
                count=len(features),
                limit=MAX_FEATURES,
            ),
            filename=filename,
        )
    transformer, crs_name = _transformer(filename, obj)
    drafts: list[Draft] = []
    warnings: list[ImportWarning] = []
    problems: list[str | Msg] = []
    for i, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(msg("import.not_feature", index=i))
            continue
        raw_props = feature.get("properties")
        props = raw_props if isinstance(raw_props, dict) else {}
        name = _first(props, _NAME_KEYS)
        label = Name(
            f"feature {i}" + (f" ('{name}')" if name else ""),
            f"要素 {i}" + (f"（'{name}'）" if name else ""),
        )
        geometry = feature.get("geometry")
        if geometry is None:
            warnings.append(
                ImportWarning("skipped_geometry", msg("import.no_geometry", label=label))
            )
            continue
        try:
            raw_parts = _parts(geometry)
            if len(drafts) + len(raw_parts) > MAX_FEATURES:
                raise ImportRejected(
                    msg("import.too_many_parts", filename=filename, limit=MAX_FEATURES),
                    filename=filename,
                )
            parts = [(kind, coords, _positions(coords, _depth(kind))) for kind, coords in raw_parts]
        except _Bad as exc:
            problems.append(msg("import.bad_geometry", label=label, problem=exc.text))
            continue
        several = len(parts) > 1
        for k, (kind, coords, xyz) in enumerate(parts):
            if len(xyz) == 0:
                warnings.append(
                    ImportWarning(
                        "skipped_geometry", msg("import.empty_part", label=label, kind=kind)
                    )
                )
                continue
            _to_lonlat(filename, label, xyz, transformer)
            part_label = (
                Name(f"{label.en} part {k + 1}", f"{label.zh} 第 {k + 1} 部分")
                if several
                else label
            )
            check_lonlat(filename, part_label, xyz[:, 0], xyz[:, 1], None, problems)
            source = f"features[{i}]" + (f", part {k + 1}" if several else "")
            part_props = json_safe(props)
            if kind == "Polygon":
                outer = _positions(coords[0], 1) if coords else xyz
                n_outer = len(outer)
                ring = xyz[:n_outer]
                if len(coords) > 1:
                    part_props["inner_rings_dropped"] = len(coords) - 1
                    warnings.append(
                        ImportWarning(
                            "polygon_holes_dropped",
                            msg("import.holes", label=part_label, holes=len(coords) - 1),
                        )
                    )
                if n_outer < 4:
                    problems.append(msg("import.ring_positions", label=part_label, count=n_outer))
                    continue
                geom = shapely.Polygon(ring if not np.isnan(ring[:, 2]).all() else ring[:, :2])
            else:
                geom = line_or_point(xyz[:, 0], xyz[:, 1], xyz[:, 2])
            drafts.append(
                Draft(
                    kind=_KINDS[kind],
                    name=f"{name} (part {k + 1})" if several and name else name,
                    description=_first(props, _DESCRIPTION_KEYS),
                    geometry=geom,
                    source=source,
                    properties=part_props,
                )
            )
    raise_problems(filename, msg("import.invalid_geojson_features"), problems)
    if crs_name is not None:
        warnings.append(
            ImportWarning(
                "wrong_crs_transformed",
                msg("import.transformed", filename=filename, crs=crs_name),
            )
        )
    return drafts, None, warnings


def _to_lonlat(
    filename: str, label: Name, xyz: np.ndarray, transformer: Transformer | None
) -> None:
    """Put ``xyz`` in lon/lat in place: through the file's CRS, else refuse projected values.

    Raises
    ------
    ImportRejected
        Without a ``crs`` member, a position beyond ±180° / ±90° (projected metres).
    """
    if transformer is not None:
        xyz[:, 0], xyz[:, 1] = transformer.transform(xyz[:, 0], xyz[:, 1])
        return
    far = np.flatnonzero((np.abs(xyz[:, 0]) > 180) | (np.abs(xyz[:, 1]) > 90))
    if len(far):
        x, y = xyz[far[0], 0], xyz[far[0], 1]
        raise ImportRejected(
            msg("import.projected", filename=filename, label=label, x=f"{x:.6g}", y=f"{y:.6g}"),
            filename=filename,
        )


def _depth(kind: str) -> int:
    """Nesting depth of positions below 'coordinates' for a simple geometry type."""
    return {"Point": 0, "LineString": 1, "Polygon": 2}[kind]
