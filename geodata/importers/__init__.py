"""File importers for planners: an uploaded file (name + bytes) -> a checked, uniform result.

``read_upload`` detects the format by content (and checks it against the name),
refuses hostile or broken files with :class:`ImportRejected`, reads every track,
route, waypoint, line, point and polygon into :class:`ImportedFeature` values in
EPSG:4326 lon/lat (z = elevation in metres), and runs the plausibility checks of
:mod:`geodata.importers.checks`, whose findings are :class:`ImportWarning` values.
No database, no web, no files left behind.

Formats: GPX 1.0/1.1 (:mod:`.gpx`), KML and KMZ (:mod:`.kml`), GeoJSON
(:mod:`.geojson`), GeoPackage (:mod:`.gpkg`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import shapely

from geodata.i18n import Msg, msg
from geodata.importers._build import MAX_PROBLEMS, Draft
from geodata.importers._detect import EXTENSIONS, detect_format
from geodata.importers._model import (
    FORMATS,
    MAX_DESCRIPTION_CHARS,
    MAX_FEATURE_POINTS,
    MAX_FEATURES,
    MAX_NAME_CHARS,
    MAX_POINTS,
    MAX_UPLOAD_BYTES,
    ImportedFeature,
    ImportFormat,
    ImportRejected,
    ImportResult,
    ImportWarning,
    where_name,
)
from geodata.importers._xml import check_encoding
from geodata.importers.checks import check_features
from geodata.importers.geojson import read_geojson
from geodata.importers.gpkg import read_gpkg
from geodata.importers.gpx import read_gpx
from geodata.importers.kml import read_kml, read_kmz

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MAX_DESCRIPTION_CHARS",
    "MAX_FEATURE_POINTS",
    "MAX_FEATURES",
    "MAX_NAME_CHARS",
    "MAX_POINTS",
    "MAX_UPLOAD_BYTES",
    "ImportedFeature",
    "ImportRejected",
    "ImportResult",
    "ImportWarning",
    "read_upload",
]

_Reader = Callable[[str, bytes], tuple[list[Draft], str | None, list[ImportWarning]]]
_READERS: dict[ImportFormat, _Reader] = {
    "gpx": read_gpx,
    "kml": read_kml,
    "kmz": read_kmz,
    "geojson": read_geojson,
    "gpkg": read_gpkg,
}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a big tree of elements is built.

    Full collections triggered by the growing tree would walk all of it again and
    again (a 50,000-point GPX then takes 0.6-1.8 s instead of 0.3 s); the tree has
    no reference cycles, so nothing is lost by collecting afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_limits(filename: str, drafts: list[Draft]) -> None:
    """Refuse files whose features are too many, too long or too verbose to check and show."""
    if len(drafts) > MAX_FEATURES:
        raise ImportRejected(
            msg(
                "import.too_many_features", filename=filename, count=len(drafts), limit=MAX_FEATURES
            ),
            filename=filename,
        )
    problems: list[str | Msg] = []
    for d in drafts:
        where = where_name(d.source)
        if d.name is not None and len(d.name) > MAX_NAME_CHARS:
            problems.append(
                msg("import.name_long", where=where, count=len(d.name), limit=MAX_NAME_CHARS)
            )
        if d.description is not None and len(d.description) > MAX_DESCRIPTION_CHARS:
            problems.append(
                msg(
                    "import.description_long",
                    where=where,
                    count=len(d.description),
                    limit=MAX_DESCRIPTION_CHARS,
                )
            )
        points = shapely.get_num_coordinates(d.geometry)
        if points > MAX_FEATURE_POINTS:
            problems.append(
                msg("import.feature_points", where=where, count=points, limit=MAX_FEATURE_POINTS)
            )
    if problems:
        more: str | Msg = (
            msg("import.and_more", count=len(problems) - 1) if len(problems) > 1 else ""
        )
        raise ImportRejected(
            msg("import.first_of", filename=filename, first=problems[0], more=more),
            details=problems[:MAX_PROBLEMS],
            filename=filename,
        )


def read_upload(filename: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> ImportResult:
    """Read and check an uploaded GPS file.

    Parameters
    ----------
    filename
        The name the file was uploaded under; its extension (``.gpx``, ``.kml``,
        ``.kmz``, ``.geojson``, ``.json``, ``.gpkg``, any case) must match the content.
        Only used in messages and for the format check, never as a path.
    data
        The file's bytes.
    max_bytes
        Larger uploads are refused before any parsing.

    Returns
    -------
    ImportResult
        Features in file order (GPX: tracks, one per segment, then routes, then
        waypoints), warnings from reading and from the checks, the creator (GPX
        ``creator``, KML ``atom:author``) and the total number of vertices.

    Raises
    ------
    ImportRejected
        Too large, empty, whitespace only, binary junk, wrong or mismatched type,
        non-UTF-8 text where UTF-8 is required, unsafe XML (DTD, entities,
        external references, nesting deeper than ``MAX_XML_DEPTH``), zip bombs,
        malformed content (the message names the file and line where known), no
        features at all, more than :data:`MAX_FEATURES` features, a feature with
        more than :data:`MAX_FEATURE_POINTS` points, a name longer than
        :data:`MAX_NAME_CHARS` or a description longer than
        :data:`MAX_DESCRIPTION_CHARS` characters.
    """
    if not isinstance(filename, str) or not filename.strip():
        raise ImportRejected(msg("import.no_file_name"))
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ImportRejected(msg("import.not_bytes", filename=filename, kind=type(data).__name__))
    data = bytes(data)
    if max_bytes <= 0:
        raise ValueError(f"max_bytes must be positive, got {max_bytes!r}")
    if len(data) > max_bytes:
        raise ImportRejected(
            msg(
                "import.file_large",
                filename=filename,
                mb=f"{len(data) / 1e6:.1f}",
                limit=f"{max_bytes / 1e6:.1f}",
            ),
            filename=filename,
        )
    fmt = detect_format(filename, data)
    if fmt in ("gpx", "kml"):
        check_encoding(filename, data)
    with _gc_paused():
        drafts, creator, read_warnings = _READERS[fmt](filename, data)
    if not drafts:
        raise ImportRejected(
            msg("import.no_features", filename=filename),
            details=[w.text for w in read_warnings],
            filename=filename,
        )
    _check_limits(filename, drafts)
    features = tuple(
        ImportedFeature(
            index=i,
            kind=d.kind,
            name=d.name,
            description=d.description,
            geometry=d.geometry,
            times=d.times,
            properties=d.properties,
            source=d.source,
            vertex_lines=d.vertex_lines,
        )
        for i, d in enumerate(drafts)
    )
    point_count = sum(f.point_count for f in features)
    if point_count > MAX_POINTS:
        raise ImportRejected(
            msg("import.too_many_points", filename=filename, count=point_count, limit=MAX_POINTS),
            filename=filename,
        )
    warnings = tuple(read_warnings) + tuple(check_features(features))
    return ImportResult(
        filename=filename,
        format=fmt,
        features=features,
        warnings=warnings,
        creator=creator,
        point_count=point_count,
    )
