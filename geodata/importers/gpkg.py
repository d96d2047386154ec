"""GeoPackage: every feature table, transformed from the layer's CRS to EPSG:4326.

Read with Python's own ``sqlite3``, never with GDAL: GDAL runs the file's SQL (a
layer defined as a VIEW with a recursive CTE never finishes). Here the file is
opened read-only and immutable, no view, trigger or generated column is ever
evaluated, and every query runs under a time budget (an SQLite progress handler)
and an authorizer that allows only reading. Only the tables that
``gpkg_contents`` lists with ``data_type = 'features'`` and that are real tables
(``sqlite_master.type = 'table'``, not virtual) are read; a feature layer that is
a view is refused, naming the layer. Geometries are GeoPackage binary blobs
(a ``GP`` header, then WKB) decoded with shapely.

A layer without a CRS is refused, since its coordinates cannot be placed on the map.

Reference: OGC GeoPackage Encoding Standard 1.3, clause 2.1.3 (geometry encoding),
https://www.geopackage.org/spec131/index.html#gpb_format
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from geodata.i18n import Msg, Name, msg
from geodata.importers._build import Draft, check_lonlat, json_safe, line_or_point, raise_problems
from geodata.importers._model import MAX_FEATURES, FeatureKind, ImportRejected, ImportWarning

__all__ = ["GPKG_BUDGET_S", "read_gpkg"]

#: All SQL run on one uploaded GeoPackage must finish within this many seconds.
GPKG_BUDGET_S = 10.0
#: Largest single value (a geometry blob, a text) SQLite will hand over, in bytes.
_MAX_VALUE_BYTES = 40_000_000
_KINDS: dict[str, FeatureKind] = {"Point": "point", "LineString": "line", "Polygon": "polygon"}
_NAME_KEYS = ("name", "Name", "NAME", "title")
_DESCRIPTION_KEYS = ("description", "desc", "Description")
#: Envelope sizes (bytes) by the envelope indicator of the GeoPackage binary header flags.
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_ALLOWED_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_PRAGMA}
_ALLOWED_PRAGMAS = {"table_xinfo"}


def _first(props: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = props.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _authorizer(action: int, arg1: str | None, *_: object) -> int:
    """Allow reading only: no writes, no functions, no attaching, no pragmas but table_xinfo."""
    if action not in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() not in _ALLOWED_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _open(path: Path, deadline: float) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, _MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    conn.set_authorizer(_authorizer)
    return conn


def _decode(blob: object) -> BaseGeometry | None:
    """A GeoPackage binary geometry -> shapely (None for an empty geometry).

    Raises
    ------
    ValueError
        Not a GeoPackage geometry blob, or WKB that GEOS cannot read.
    """
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry (no 'GP' header)")
    flags = blob[3]
    if flags & 0b0010_0000:
        raise ValueError("extended GeoPackage geometry types are not supported")
    envelope = _ENVELOPE_BYTES.get((flags >> 1) & 0b111)
    if envelope is None:
        raise ValueError("invalid envelope code in the geometry header")
    if flags & 0b0001_0000:
        return None
    try:
        geom = shapely.from_wkb(blob[8 + envelope :], on_invalid="raise")
    except (GEOSException, shapely.errors.ShapelyError) as exc:
        raise ValueError(f"unreadable WKB ({exc})") from None
    return None if geom is None or geom.is_empty else geom


def _crs(conn: sqlite3.Connection, srs_id: int) -> CRS | None:
    if srs_id in (0, -1):
        return None
    row = conn.execute(
        "SELECT organization, organization_coordsys_id, definition "
        "FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    if row is None:
        return None
    organization, code, definition = row
    if isinstance(organization, str) and organization.upper() == "EPSG" and isinstance(code, int):
        return CRS.from_epsg(code)
    if not isinstance(definition, str) or definition.strip().lower() in ("", "undefined"):
        return None
    crs = CRS.from_wkt(definition)
    # GDAL writes a layer without a CRS as an "Undefined SRS" engineering (local) CRS.
    return crs if crs.is_geographic or crs.is_projected else None


def _to_lonlat(geom: BaseGeometry, transformer: Transformer | None) -> BaseGeometry:
    if transformer is None:
        return geom
    has_z = bool(shapely.has_z(geom))

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y, xy[:, 2]] if has_z else [x, y])

    return shapely.transform(geom, move, include_z=has_z)


def _layers(filename: str, conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(table, geometry column, srs_id) of every feature table; views refused by name."""
    try:
        rows = conn.execute(
            "SELECT c.table_name, g.column_name, g.srs_id, m.type, m.sql "
            "FROM gpkg_contents AS c "
            "LEFT JOIN gpkg_geometry_columns AS g ON g.table_name = c.table_name "
            "LEFT JOIN sqlite_master AS m ON m.name = c.table_name "
            "WHERE c.data_type = 'features' ORDER BY c.rowid"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise ImportRejected(
            msg("import.gpkg_unreadable", filename=filename, reason=str(exc)),
            details=[str(exc)],
            filename=filename,
        ) from None
    layers = []
    problems: list[str | Msg] = []
    for table, column, srs_id, kind, sql in rows:
        name = str(table)
        if kind == "view":
            problems.append(msg("import.gpkg_view", name=name))
        elif kind != "table" or (isinstance(sql, str) and "VIRTUAL" in sql.upper()[:40]):
            problems.append(msg("import.gpkg_not_table", name=name))
        elif not isinstance(column, str):
            problems.append(msg("import.gpkg_no_geometry_column", name=name))
        else:
            layers.append((name, column, int(srs_id) if isinstance(srs_id, int) else 0))
    if problems:
        raise ImportRejected(
            msg("import.first_of", filename=filename, first=problems[0], more=""),
            details=problems,
            filename=filename,
        )
    return layers


def _columns(conn: sqlite3.Connection, table: str, geometry: str) -> list[tuple[str, str]]:
    """(name, declared type) of the plain attribute columns: no geometry, key or generated one."""
    out = []
    for _, name, declared, _, _, pk, hidden in conn.execute(
        f"PRAGMA table_xinfo({_quote(table)})"
    ).fetchall():
        if hidden or name == geometry or (pk and str(declared).upper() == "INTEGER"):
            continue
        out.append((str(name), str(declared or "").upper()))
    return out


def _read(
    filename: str, conn: sqlite3.Connection
) -> list[tuple[str, list[tuple[BaseGeometry | None, dict[str, Any]]]]]:
    out = []
    problems: list[str | Msg] = []
    total = 0
    for table, geometry, srs_id in _layers(filename, conn):
        try:
            crs = _crs(conn, srs_id)
        except CRSError as exc:
            problems.append(msg("import.gpkg_crs_unreadable", name=table, reason=str(exc)))
            continue
        if crs is None:
            problems.append(msg("import.gpkg_no_crs", name=table))
            continue
        try:
            transformer = (
                None
                if crs.to_epsg() == 4326
                else Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
            )
        except ProjError as exc:
            problems.append(msg("import.gpkg_crs_transform", name=table, reason=str(exc)))
            continue
        columns = _columns(conn, table, geometry)
        select = ", ".join(_quote(c) for c in [geometry, *(name for name, _ in columns)])
        cursor = conn.execute(
            f"SELECT {select} FROM {_quote(table)} LIMIT ?", (MAX_FEATURES + 1 - total,)
        )
        rows = []
        for row_number, (blob, *values) in enumerate(cursor):
            total += 1
            if total > MAX_FEATURES:
                raise ImportRejected(
                    msg("import.gpkg_too_many", filename=filename, limit=MAX_FEATURES),
                    filename=filename,
                )
            props = {
                name: bool(v) if declared == "BOOLEAN" and isinstance(v, int) else v
                for (name, declared), v in zip(columns, values, strict=True)
            }
            if blob is None:
                rows.append((None, props))
                continue
            try:
                geom = _decode(blob)
            except ValueError as exc:
                problems.append(msg("import.gpkg_row", name=table, row=row_number, reason=str(exc)))
                continue
            rows.append((None if geom is None else _to_lonlat(geom, transformer), props))
        out.append((table, rows))
    if problems:
        raise ImportRejected(
            msg("import.first_of", filename=filename, first=problems[0], more=""),
            details=problems,
            filename=filename,
        )
    return out


def _read_file(filename: str, path: Path, budget_s: float) -> Any:
    deadline = time.monotonic() + budget_s
    try:
        conn = _open(path, deadline)
    except sqlite3.DatabaseError as exc:
        raise ImportRejected(
            msg("import.gpkg_unreadable", filename=filename, reason=str(exc)),
            details=[str(exc)],
            filename=filename,
        ) from None
    try:
        return _read(filename, conn)
    except sqlite3.OperationalError as exc:
        if time.monotonic() > deadline or "interrupt" in str(exc):
            raise ImportRejected(
                msg("import.gpkg_slow", filename=filename, seconds=f"{budget_s:.0f}"),
                filename=filename,
            ) from None
        raise ImportRejected(
            msg("import.gpkg_unreadable", filename=filename, reason=str(exc)),
            details=[str(exc)],
            filename=filename,
        ) from None
    except sqlite3.DatabaseError as exc:
        raise ImportRejected(
            msg("import.gpkg_unreadable", filename=filename, reason=str(exc)),
            details=[str(exc)],
            filename=filename,
        ) from None
    finally:
        conn.close()


def read_gpkg(
    filename: str, data: bytes, *, budget_s: float = GPKG_BUDGET_S
) -> tuple[list[Draft], str | None, list[ImportWarning]]:
    """Read every feature table of a GeoPackage into feature drafts.

    Raises
    ------
    ImportRejected
        Not a readable GeoPackage, a feature layer that is a view (or not a plain
        table), a layer without a CRS, an unreadable geometry, more than
        ``MAX_FEATURES`` rows, reading longer than ``budget_s``, positions out of range.
    """
    with tempfile.TemporaryDirectory(prefix="sandtable-upload-") as tmp:
        path = Path(tmp) / "upload.gpkg"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        layers = _read_file(filename, path, budget_s)
    drafts: list[Draft] = []
    warnings: list[ImportWarning] = []
    problems: list[str | Msg] = []
    for layer_name, rows in layers:
        for row, (geom, raw) in enumerate(rows):
            props = json_safe(raw)
            name = _first(props, _NAME_KEYS)
            label = Name(
                f"layer '{layer_name}' row {row}" + (f" ('{name}')" if name else ""),
                f"图层 '{layer_name}' 第 {row} 行" + (f"（'{name}'）" if name else ""),
            )
            if geom is None or geom.is_empty:
                warnings.append(
                    ImportWarning("skipped_geometry", msg("import.gpkg_no_geometry", label=label))
                )
                continue
            parts = (
                list(shapely.get_parts(geom))
                if geom.geom_type.startswith(("Multi", "Geometry"))
                else [geom]
            )
            several = len(parts) > 1
            if len(drafts) + len(parts) > MAX_FEATURES:
                raise ImportRejected(
                    msg("import.too_many_parts", filename=filename, limit=MAX_FEATURES),
                    filename=filename,
                )
            for k, part in enumerate(parts):
                kind = _KINDS.get(part.geom_type)
                part_label = (
                    Name(f"{label.en} part {k + 1}", f"{label.zh} 第 {k + 1} 部分")
                    if several
                    else label
                )
                if kind is None:
                    warnings.append(
                        ImportWarning(
                            "skipped_geometry",
                            msg("import.gpkg_unsupported", label=part_label, kind=part.geom_type),
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
                                msg("import.holes", label=part_label, holes=holes),
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
    raise_problems(filename, msg("import.positions_outside"), problems)
    return drafts, None, warnings
