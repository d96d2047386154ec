"""GPX 1.0 and 1.1: tracks (one feature per segment), routes and waypoints.

The bytes are first parsed with defusedxml (:func:`~geodata.importers._xml.parse_xml`),
which refuses DTDs and entities. Track points are then read straight from that tree
into numpy arrays; everything else (metadata, waypoints, routes, track names and
types, GPX 1.0 / 1.1 field differences) is read by gpxpy from the same tree with the
track points removed. gpxpy alone needs about 2 s for a 50,000-point track, which the
upload budget does not allow; the arrays take about a tenth of that.
"""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, tostring

import gpxpy
import gpxpy.gpx
import numpy as np
import shapely

from geodata.i18n import Msg, msg
from geodata.importers._build import (
    Draft,
    check_lonlat,
    json_safe,
    line_or_point,
    parse_times,
    raise_problems,
)
from geodata.importers._model import ImportRejected, ImportWarning, kind_label, where_name
from geodata.importers._xml import local, parse_xml

__all__ = ["read_gpx"]

_LINE_TAGS = ("trk", "trkseg", "trkpt", "rte", "rtept", "wpt")
#: Per-point extension values kept (Garmin TrackPointExtension and similar), by local name.
_POINT_EXTENSIONS = {
    "hr": "heart_rate_bpm",
    "cad": "cadence_rpm",
    "atemp": "temperature_c",
    "wtemp": "water_temperature_c",
}


def _float_array(values: list[str | None], what: str, lines: list[int | None]) -> np.ndarray:
    try:
        return np.array([v if v is not None else "nan" for v in values], dtype=float)
    except ValueError:
        for i, v in enumerate(values):
            try:
                float(v if v is not None else "nan")
            except ValueError:
                raise ImportRejected(
                    msg("import.not_number", line=lines[i], what=what, value=repr(v)),
                    line=lines[i],
                ) from None
        raise


class _Segment:
    __slots__ = ("lon", "lat", "ele", "times", "bad_times", "lines", "extensions")

    def __init__(self, seg: Element, ns: str, doc_line: Any) -> None:
        trkpt_tag = ns + "trkpt"
        points = [c for c in seg if c.tag == trkpt_tag]
        ele_tag, time_tag, ext_tag = ns + "ele", ns + "time", ns + "extensions"
        lats: list[str | None] = []
        lons: list[str | None] = []
        eles: list[str | None] = []
        texts: list[str | None] = []
        extensions: dict[str, list[Any]] = {}
        for i, pt in enumerate(points):
            attrib = pt.attrib
            lats.append(attrib.get("lat"))
            lons.append(attrib.get("lon"))
            eles.append(pt.findtext(ele_tag))
            texts.append(pt.findtext(time_tag))
            ext = pt.find(ext_tag)
            if ext is not None:
                for item in ext.iter():
                    key = _POINT_EXTENSIONS.get(local(item.tag))
                    if key is not None and item.text:
                        values = extensions.setdefault(key, [None] * len(points))
                        values[i] = item.text.strip()
        self.lines = [doc_line(pt) for pt in points]
        for label, values in (("lat", lats), ("lon", lons)):
            missing = [i for i, v in enumerate(values) if v is None]
            if missing:
                raise ImportRejected(
                    msg("import.trkpt_attribute", line=self.lines[missing[0]], attribute=label),
                    line=self.lines[missing[0]],
                )
        self.lat = _float_array(lats, "lat", self.lines)
        self.lon = _float_array(lons, "lon", self.lines)
        self.ele = _float_array(eles, "ele", self.lines)
        self.times, self.bad_times = parse_times(texts)
        self.extensions = {
            key: [json_safe(_number(v)) for v in values] for key, values in extensions.items()
        }
        # Leave only the segment's own children for gpxpy (extensions, ...).
        text, tail, attrib = seg.text, seg.tail, dict(seg.attrib)
        keep = [c for c in seg if c.tag != trkpt_tag]
        seg.clear()
        seg.text, seg.tail = text, tail
        seg.attrib.update(attrib)
        seg.extend(keep)


def _number(text: str | None) -> float | int | str | None:
    if text is None:
        return None
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() else number


def _link(obj: Any) -> str | None:
    links = getattr(obj, "links", None)
    if links:
        return links[0].href or None
    return getattr(obj, "link", None) or None


def _props(obj: Any, fields: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for attr, key in fields.items():
        value = getattr(obj, attr, None)
        if value is not None and value != "":
            out[key] = json_safe(value)
    link = _link(obj)
    if link:
        out["link"] = link
    return out


_TRACK_FIELDS = {"type": "type", "comment": "cmt", "source": "src", "number": "number"}
_WAYPOINT_FIELDS = {
    "symbol": "sym",
    "type": "type",
    "comment": "cmt",
    "source": "src",
    "time": "time",
    "horizontal_dilution": "hdop",
    "vertical_dilution": "vdop",
    "position_dilution": "pdop",
    "satellites": "sat",
    "type_of_gpx_fix": "fix",
}


def _gpxpy_parse(filename: str, root: Element, ns: str) -> gpxpy.gpx.GPX:
    if ns:
        for elem in root.iter():
            if elem.tag.startswith(ns):
                elem.tag = elem.tag[len(ns) :]
    try:
        return gpxpy.parse(tostring(root, encoding="unicode"))
    except gpxpy.gpx.GPXException as exc:
        raise ImportRejected(
            msg("import.not_gpx", filename=filename, reason=str(exc)),
            details=[str(exc)],
            filename=filename,
        ) from None


def read_gpx(filename: str, data: bytes) -> tuple[list[Draft], str | None, list[ImportWarning]]:
    """Read a GPX file into feature drafts, its creator and reading warnings.

    Raises
    ------
    ImportRejected
        Unsafe or broken XML, positions that are not WGS84 lon/lat, values that are
        not numbers, anything gpxpy cannot read.
    """
    doc = parse_xml(filename, data, _LINE_TAGS)
    root = doc.root
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    trk_elems = root.findall(ns + "trk")
    rte_elems = root.findall(ns + "rte")
    wpt_elems = root.findall(ns + "wpt")
    try:
        segments = [
            [_Segment(s, ns, doc.line) for s in t.findall(ns + "trkseg")] for t in trk_elems
        ]
    except ImportRejected as exc:
        raise ImportRejected(
            msg("import.in_file", filename=filename, problem=exc.text),
            details=[exc.text],
            filename=filename,
            line=exc.line,
        ) from None
    gpx = _gpxpy_parse(filename, root, ns)
    if len(gpx.tracks) != len(segments) or len(gpx.routes) != len(rte_elems):
        raise ImportRejected(msg("import.gpx_structure", filename=filename), filename=filename)

    drafts: list[Draft] = []
    warnings: list[ImportWarning] = []
    problems: list[str | Msg] = []
    for ti, (track, segs, trk) in enumerate(zip(gpx.tracks, segments, trk_elems, strict=True)):
        several = sum(1 for s in segs if len(s.lon)) > 1
        props = _props(track, _TRACK_FIELDS)
        for si, seg in enumerate(segs):
            where = f"trk[{ti}]/trkseg[{si}]"
            first_line = seg.lines[0] if seg.lines else doc.line(trk)
            source = f"{where}, line {first_line}" if first_line else where
            name = track.name
            if several and name:
                name = f"{name} (segment {si + 1})"
            if not len(seg.lon):
                warnings.append(
                    ImportWarning(
                        "empty_segment",
                        msg(
                            "import.empty_segment", name=track.name or ti, source=where_name(source)
                        ),
                    )
                )
                continue
            label = kind_label("track", name, where)
            check_lonlat(filename, label, seg.lon, seg.lat, seg.lines, problems)
            if seg.bad_times:
                warnings.append(
                    ImportWarning(
                        "bad_time",
                        msg(
                            "import.bad_times",
                            label=label,
                            count=seg.bad_times,
                            source=where_name(source),
                        ),
                    )
                )
            drafts.append(
                Draft(
                    kind="track",
                    name=name,
                    description=track.description,
                    geometry=line_or_point(seg.lon, seg.lat, seg.ele),
                    source=source,
                    times=seg.times,
                    properties={**props, **seg.extensions},
                    vertex_lines=tuple(line or 0 for line in seg.lines),
                )
            )
    for ri, (route, rte) in enumerate(zip(gpx.routes, rte_elems, strict=True)):
        lines = [doc.line(p) for p in rte.findall("rtept")]
        source = f"rte[{ri}], line {doc.line(rte)}"
        if not route.points:
            warnings.append(
                ImportWarning(
                    "empty_segment",
                    msg("import.empty_route", name=route.name or ri, source=where_name(source)),
                )
            )
            continue
        lon = np.array([p.longitude for p in route.points], dtype=float)
        lat = np.array([p.latitude for p in route.points], dtype=float)
        ele = np.array(
            [np.nan if p.elevation is None else p.elevation for p in route.points], dtype=float
        )
        label = kind_label("route", route.name, f"rte[{ri}]")
        check_lonlat(filename, label, lon, lat, lines, problems)
        drafts.append(
            Draft(
                kind="route",
                name=route.name,
                description=route.description,
                geometry=line_or_point(lon, lat, ele),
                source=source,
                properties=_props(route, _TRACK_FIELDS),
                vertex_lines=tuple(line or 0 for line in lines),
            )
        )
    for wi, (wpt, elem) in enumerate(zip(gpx.waypoints, wpt_elems, strict=True)):
        line = doc.line(elem)
        source = f"wpt[{wi}], line {line}"
        lon = np.array([wpt.longitude], dtype=float)
        lat = np.array([wpt.latitude], dtype=float)
        label = kind_label("waypoint", wpt.name, f"wpt[{wi}]")
        check_lonlat(filename, label, lon, lat, [line], problems)
        coords = [wpt.longitude, wpt.latitude]
        if wpt.elevation is not None:
            coords.append(wpt.elevation)
        drafts.append(
            Draft(
                kind="waypoint",
                name=wpt.name,
                description=wpt.description,
                geometry=shapely.Point(coords),
                source=source,
                properties=_props(wpt, _WAYPOINT_FIELDS),
                vertex_lines=(line or 0,),
            )
        )
    raise_problems(filename, msg("import.positions_outside"), problems)
    return drafts, gpx.creator, warnings
