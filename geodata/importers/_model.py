"""Value types of the importers: the result, its features and warnings, the rejection error."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from shapely.geometry.base import BaseGeometry

from geodata.errors import InvalidInput
from geodata.i18n import Msg, Name

__all__ = [
    "FORMATS",
    "KINDS",
    "MAX_UPLOAD_BYTES",
    "MAX_POINTS",
    "MAX_FEATURE_POINTS",
    "MAX_FEATURES",
    "MAX_NAME_CHARS",
    "MAX_DESCRIPTION_CHARS",
    "MAX_XML_DEPTH",
    "ImportFormat",
    "FeatureKind",
    "ImportedFeature",
    "ImportWarning",
    "ImportResult",
    "ImportRejected",
    "KIND_ZH",
    "kind_label",
    "where_name",
]

#: Largest upload accepted by :func:`~geodata.importers.read_upload`, checked before parsing.
MAX_UPLOAD_BYTES = 30_000_000
#: Largest number of vertices over all features of one file.
MAX_POINTS = 2_000_000
#: Largest number of vertices of one feature (a day of 1-s fixes is 86,400).
MAX_FEATURE_POINTS = 200_000
#: Largest number of features (tracks, waypoints, ...) in one file.
MAX_FEATURES = 10_000
#: Longest feature name, in characters (names go on the map for everyone).
MAX_NAME_CHARS = 200
#: Longest feature description, in characters.
MAX_DESCRIPTION_CHARS = 2000
#: Deepest element nesting accepted in GPX and KML (real files nest under 15 levels).
MAX_XML_DEPTH = 64

ImportFormat = Literal["gpx", "kml", "kmz", "geojson", "gpkg"]
FeatureKind = Literal["track", "route", "waypoint", "line", "point", "polygon"]
FORMATS: tuple[str, ...] = ("gpx", "kml", "kmz", "geojson", "gpkg")
KINDS: tuple[str, ...] = ("track", "route", "waypoint", "line", "point", "polygon")
#: the kinds of feature as a Chinese message names them
KIND_ZH: dict[str, str] = {
    "track": "轨迹",
    "route": "路线",
    "waypoint": "航点",
    "line": "线",
    "point": "点",
    "polygon": "多边形",
    "placemark": "地标",
}
_WHERE_ZH = (
    (re.compile(r"layer '(.*)' row (\d+)"), r"图层 '\1' 第 \2 行"),
    (re.compile(r",? line (\d+)"), r"，第 \1 行"),
    (re.compile(r"^line (\d+)"), r"第 \1 行"),
    (re.compile(r", part (\d+)"), r"，第 \1 部分"),
    (re.compile(r", column (\d+)"), r"，第 \1 列"),
)


def kind_label(kind: str, name: str | None, fallback: str) -> Name:
    """How a message names a feature being read: ``track 'Day 1'`` / ``轨迹 'Day 1'``, or by
    ``fallback`` (its place in the file, ``rte[2]``) when it has no name."""
    zh = KIND_ZH.get(kind, kind)
    if name:
        return Name(f"{kind} '{name}'", f"{zh} '{name}'")
    return Name(f"{kind} {fallback}", f"{zh} {fallback}")


def where_name(where: str) -> Name:
    """A place in a file (``"trk[0]/trkseg[1], line 12"``) in both languages.

    The element names (``trk``, ``Placemark``, ``features``) are the file format's own and
    stay as they are; "line 12", "part 2", "layer 'x' row 3" are said in Chinese.
    """
    zh = where
    for pattern, replacement in _WHERE_ZH:
        zh = pattern.sub(replacement, zh)
    return Name(where, zh)


@dataclass(frozen=True)
class ImportedFeature:
    """One geometry read from an uploaded file.

    Attributes
    ----------
    index
        Position of the feature in :attr:`ImportResult.features` (0-based).
    kind
        ``track``, ``route`` and ``waypoint`` (GPX, and KML ``gx:Track``), ``line``,
        ``point`` and ``polygon`` (KML, GeoJSON, GeoPackage).
    name, description
        As given in the file, or None.
    geometry
        Shapely LineString, Point or Polygon in EPSG:4326 lon/lat; z is the elevation
        in metres where the file gives one (NaN for single vertices without one).
        A line with a single vertex is returned as a Point (with a ``few_points``
        warning).
    times
        Per-vertex UTC-aware timestamps (None where missing) for tracks, else None.
    properties
        JSON-safe extra attributes (GPX ``type``/``sym``/``cmt``, heart rate lists,
        KML ExtendedData, GeoJSON or GeoPackage properties, ...).
    source
        Where the feature is in the file, e.g. ``"trk[1]/trkseg[0], line 12"``.
    vertex_lines
        Line number of each vertex in the file when known (XML formats), else None.
    """

    index: int
    kind: FeatureKind
    name: str | None
    description: str | None
    geometry: BaseGeometry
    times: tuple[datetime | None, ...] | None
    properties: dict[str, Any]
    source: str
    vertex_lines: tuple[int, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def point_count(self) -> int:
        """Number of vertices of the geometry (a polygon counts its exterior ring)."""
        geom = self.geometry
        if geom.geom_type == "Polygon":
            return len(geom.exterior.coords)  # type: ignore[attr-defined]
        return len(geom.coords)

    @property
    def label(self) -> str:
        """How messages name this feature: ``track 'Kora day 1'`` or ``line #3``."""
        if self.name:
            return f"{self.kind} '{self.name}'"
        return f"{self.kind} #{self.index}"

    @property
    def label_name(self) -> Name:
        """:attr:`label` in both languages: ``轨迹 'Kora day 1'``, ``线 #3``."""
        kind = KIND_ZH.get(self.kind, self.kind)
        zh = f"{kind} '{self.name}'" if self.name else f"{kind} #{self.index}"
        return Name(self.label, zh)


@dataclass(frozen=True)
class ImportWarning:
    """A problem worth a planner's attention that does not make the file unusable.

    ``code`` is one of ``jump``, ``self_crossing``, ``invalid_geometry``,
    ``absurd_elevation``, ``elevation_spike``, ``duplicate_name``, ``few_points``,
    ``no_time``, ``partial_time``, ``bad_time``, ``empty_segment``,
    ``wrong_crs_transformed``, ``polygon_holes_dropped``, ``skipped_geometry``.
    ``message`` is English, names the feature and where (point number, line); ``text`` is
    the same as a catalog message (:class:`geodata.i18n.Msg`) to show in the user's
    language (given a Msg, the constructor keeps it as ``text`` and its English as
    ``message``).
    """

    code: str
    message: str | Msg
    feature_index: int | None = None
    lon: float | None = None
    lat: float | None = None
    text: str | Msg = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.message, Msg):
            object.__setattr__(self, "text", self.message)
            object.__setattr__(self, "message", self.message.render("en"))
        elif not self.text:
            object.__setattr__(self, "text", self.message)

    def message_in(self, lang: str) -> str:
        """The warning in ``lang`` (English where it has no catalog message)."""
        return self.text.render(lang) if isinstance(self.text, Msg) else str(self.message)


@dataclass(frozen=True)
class ImportResult:
    """A checked upload: uniform features plus the warnings for the planner."""

    filename: str
    format: ImportFormat
    features: tuple[ImportedFeature, ...]
    warnings: tuple[ImportWarning, ...]
    creator: str | None
    point_count: int

    def warnings_by_code(self, code: str) -> list[ImportWarning]:
        """The warnings with the given ``code``."""
        return [w for w in self.warnings if w.code == code]


class ImportRejected(InvalidInput):
    """An uploaded file is unusable (hostile, broken, wrong type, too big, empty).

    The message names the file and, where known, the line; ``details`` lists every
    problem found. ``filename`` and ``line`` are kept as attributes.
    """

    def __init__(
        self,
        message: str | Msg,
        *,
        details: list[str] | list[Msg] | list[str | Msg] | None = None,
        filename: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message, details=details)
        self.filename = filename
        self.line = line
