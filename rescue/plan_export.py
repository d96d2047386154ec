"""A plan for the field: GPX 1.1 and KML of one station's approach and the evacuation.

The input is a plan as the API answers it and as an incident stores it (the JSON form of
:class:`rescue.approach.Plan`, ``{station_id, station_name, eta_s, legs: [{mode, from,
to, length_m, ascent_m, descent_m, duration_s, geometry}], ...}``), the target points and
the evacuation (JSON form of :class:`rescue.approach.Evacuation`), gathered into a
:class:`FieldPlan` by :func:`field_plan`.

* Every leg is one route (GPX ``rte``, KML ``Placemark`` with a ``LineString``) named
  "1 · vehicle · Darchen → Chuku bridge" with its mode as the GPX ``type``; the
  evacuation's carry and drive legs follow, marked "evacuation".
* Waypoints: the station, the target point(s), the handover point and the clinic, with
  bilingual names ("Drirapuk / 止热寺") — the Chinese name comes from the region's data
  (places, stations, routes); where it has none the English one stands alone.

GPX is written with gpxpy (version 1.1); KML 2.2 with the standard library. Neither
format carries anything the plan does not hold.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gpxpy.gpx

from geodata.errors import InvalidInput
from geodata.i18n import msg

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = [
    "FieldPlan",
    "Waypoint",
    "bilingual",
    "PlanParts",
    "answer_parts",
    "field_plan",
    "incident_parts",
    "parts_field_plan",
    "to_gpx",
    "to_kml",
]

_MODE_WORDS = {"vehicle": ("vehicle", "车辆"), "foot": ("on foot", "步行")}
_KML_NS = "http://www.opengis.net/kml/2.2"
_KM_ON = re.compile(r"^km (?P<km>[0-9.]+) on (?P<route>.+)$")
_KM_OF = re.compile(r"^km (?P<km>[0-9.]+) of (?P<route>.+)$")
_JUNCTION = re.compile(r"^junction (?P<node>.+)$")


@dataclass(frozen=True)
class Waypoint:
    """A named point; ``kind`` is ``station``, ``target``, ``handover`` or ``clinic``."""

    kind: str
    name_en: str
    name_zh: str
    lon: float
    lat: float

    @property
    def name(self) -> str:
        """ "English / 中文", or the English name alone."""
        return f"{self.name_en} / {self.name_zh}" if self.name_zh else self.name_en


@dataclass(frozen=True)
class Route:
    """One leg as a route: ``part`` is ``approach`` or ``evacuation``."""

    part: str
    number: int
    mode: str
    from_en: str
    from_zh: str
    to_en: str
    to_zh: str
    length_m: float
    duration_s: float
    #: ``(lon, lat)`` or ``(lon, lat, elevation_m)``
    coordinates: tuple[tuple[float, ...], ...]

    @property
    def name(self) -> str:
        """ "1 · on foot / 步行 · A / 甲 → B / 乙"."""
        en, zh = _MODE_WORDS.get(self.mode, (self.mode, ""))
        mode = f"{en} / {zh}" if zh else en
        return (
            f"{self.number} · {mode} · {_both(self.from_en, self.from_zh)} → "
            f"{_both(self.to_en, self.to_zh)}"
        )

    @property
    def description(self) -> str:
        """Distance and time, in both languages."""
        km = self.length_m / 1000.0
        minutes = round(self.duration_s / 60.0)
        part = "evacuation / 转运" if self.part == "evacuation" else "approach / 接近"
        return f"{part}: {km:.1f} km, {minutes} min"


@dataclass(frozen=True)
class FieldPlan:
    """What goes to the field: the routes (approach, then evacuation) and the waypoints."""

    title: str
    routes: tuple[Route, ...]
    waypoints: tuple[Waypoint, ...]


def _both(en: str, zh: str) -> str:
    return f"{en} / {zh}" if zh and zh != en else en


def bilingual(network: RouteNetwork, name_en: str) -> tuple[str, str]:
    """The English name of a leg end or waypoint and its Chinese name from the region's data.

    Knows the names the planner writes: a place's or a station's ``name_en``, "km 12.3 on
    <route>", "km 12.3 of <segment>", "junction <node>", "target". The Chinese is empty
    where the data has no Chinese name.
    """
    table = _zh_names(network)
    if name_en in table:
        return name_en, table[name_en]
    for pattern in (_KM_ON, _KM_OF):
        m = pattern.match(name_en)
        if m:
            route_zh = table.get(m.group("route"), "")
            return name_en, f"{route_zh} {m.group('km')} 公里处" if route_zh else ""
    m = _JUNCTION.match(name_en)
    if m:
        return name_en, f"路口 {m.group('node')}"
    for prefix, zh in (
        ("most probable point on ", "最可能位置："),
        ("start of ", "起点："),
        ("end of ", "终点："),
    ):
        if name_en.startswith(prefix):
            rest = name_en[len(prefix) :]
            return name_en, zh + table.get(rest, rest)
    if name_en == "target":
        return name_en, "目标"
    return name_en, ""


def _zh_names(network: RouteNetwork) -> dict[str, str]:
    def build(net: RouteNetwork) -> dict[str, str]:
        out: dict[str, str] = {}
        for frame in (net.region.places, net.region.stations, net.routes, net.segments):
            if "name_en" not in frame.columns or "name_zh" not in frame.columns:
                continue
            for en, zh in zip(frame["name_en"], frame["name_zh"], strict=True):
                if isinstance(en, str) and isinstance(zh, str) and zh and en not in out:
                    out[en] = zh
        return out

    names: dict[str, str] = network.derive("plan_export_zh_names", build)
    return names


# --------------------------------------------------------------------------- the plan
def field_plan(
    network: RouteNetwork,
    plan: Mapping[str, Any],
    *,
    target: Sequence[Mapping[str, Any]] = (),
    evacuation: Mapping[str, Any] | None = None,
    title: str | None = None,
) -> FieldPlan:
    """Gather a plan (its JSON form), its target points and evacuation for export.

    Raises
    ------
    InvalidInput
        If the plan has no station or a leg without geometry.
    """
    station_id = plan.get("station_id")
    if not isinstance(station_id, str) or not station_id:
        raise InvalidInput(msg("export.no_station"))
    routes: list[Route] = []
    for part, legs in (
        ("approach", plan.get("legs") or []),
        ("evacuation", _evacuation_legs(evacuation)),
    ):
        for leg in legs:
            routes.append(_route(network, part, len(routes) + 1, leg))
    points: list[Waypoint] = []
    stations = network.region.stations
    points.extend(_station_point(stations, station_id, "station"))
    for t in target:
        en, zh = bilingual(network, str(t.get("label") or "target"))
        points.append(Waypoint("target", en, zh, float(t["lon"]), float(t["lat"])))
    if evacuation:
        hand = evacuation["handover"]
        en, zh = bilingual(network, str(hand["name"]))
        points.append(
            Waypoint(
                "handover",
                f"handover: {en}",
                f"交接点：{zh or en}",
                float(hand["lon"]),
                float(hand["lat"]),
            )
        )
        points.extend(_station_point(stations, evacuation["destination"]["station_id"], "clinic"))
    name = str(plan.get("station_name") or station_id)
    return FieldPlan(title or f"Sandtable plan: {name}", tuple(routes), tuple(points))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _evacuation_legs(evacuation: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not evacuation:
        return []
    return [*evacuation.get("carry_legs", []), *evacuation.get("vehicle_legs", [])]


def _station_point(stations: Any, station_id: str, kind: str) -> list[Waypoint]:
    """The station as a waypoint of ``kind`` (none when the region does not have it)."""
    if station_id not in stations.index:
        return []
    row = stations.loc[station_id]
    return [
        Waypoint(
            kind,
            str(row["name_en"]),
            _text(row.get("name_zh")),
            float(row.geometry.x),
            float(row.geometry.y),
        )
    ]


def _route(network: RouteNetwork, part: str, number: int, leg: Mapping[str, Any]) -> Route:
    coords = leg.get("geometry") or []
    if len(coords) < 2:
        raise InvalidInput(msg("export.leg_no_geometry", number=number))
    for xy in coords:
        if not (
            len(xy) >= 2
            and all(isinstance(c, (int, float)) and math.isfinite(c) for c in xy[:2])
            and -180 <= xy[0] <= 180
            and -90 <= xy[1] <= 90
        ):
            raise InvalidInput(msg("export.leg_bad_position", number=number, value=f"{xy!r:.60}"))
    f_en, f_zh = bilingual(network, str(leg.get("from", "")))
    t_en, t_zh = bilingual(network, str(leg.get("to", "")))
    return Route(
        part=part,
        number=number,
        mode=str(leg.get("mode", "")),
        from_en=f_en,
        from_zh=f_zh,
        to_en=t_en,
        to_zh=t_zh,
        length_m=float(leg.get("length_m") or 0.0),
        duration_s=float(leg.get("duration_s") or 0.0),
        coordinates=tuple(
            (float(x[0]), float(x[1]))
            if len(x) < 3 or not isinstance(x[2], (int, float)) or not math.isfinite(x[2])
            else (float(x[0]), float(x[1]), float(x[2]))
            for x in coords
        ),
    )


# --------------------------------------------------------------------------- formats
def to_gpx(plan: FieldPlan) -> str:
    """GPX 1.1: one ``rte`` per leg (``type`` = mode, ``desc`` = distance and time), waypoints."""
    gpx = gpxpy.gpx.GPX()
    gpx.version = "1.1"
    gpx.creator = "Sandtable"
    gpx.name = plan.title
    for w in plan.waypoints:
        gpx.waypoints.append(
            gpxpy.gpx.GPXWaypoint(
                latitude=round(w.lat, 6),
                longitude=round(w.lon, 6),
                name=w.name,
                type=w.kind,
                symbol=_SYMBOLS.get(w.kind),
            )
        )
    for r in plan.routes:
        rte = gpxpy.gpx.GPXRoute(name=r.name, description=r.description, number=r.number)
        rte.type = f"{r.part}:{r.mode}"
        for c in r.coordinates:
            rte.points.append(
                gpxpy.gpx.GPXRoutePoint(
                    latitude=round(c[1], 6),
                    longitude=round(c[0], 6),
                    elevation=round(c[2]) if len(c) > 2 else None,
                )
            )
        gpx.routes.append(rte)
    return gpx.to_xml(version="1.1")


_SYMBOLS = {
    "station": "Building",
    "target": "Flag, Red",
    "handover": "Car",
    "clinic": "Medical Facility",
}
_STYLES = {"vehicle": "ffbf5f1f", "foot": "ff0f48d9"}  # KML colours are aabbggrr


def to_kml(plan: FieldPlan) -> str:
    """KML 2.2: a folder of legs (LineStrings styled by mode) and one of waypoints."""
    ET.register_namespace("", _KML_NS)

    def sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
        e = ET.SubElement(parent, f"{{{_KML_NS}}}{tag}")
        if text is not None:
            e.text = text
        return e

    root = ET.Element(f"{{{_KML_NS}}}kml")
    doc = sub(root, "Document")
    sub(doc, "name", plan.title)
    for mode, colour in _STYLES.items():
        style = sub(doc, "Style")
        style.set("id", f"leg-{mode}")
        line = sub(style, "LineStyle")
        sub(line, "color", colour)
        sub(line, "width", "4")
    legs = sub(doc, "Folder")
    sub(legs, "name", "Legs / 路段")
    for r in plan.routes:
        mark = sub(legs, "Placemark")
        sub(mark, "name", r.name)
        sub(mark, "description", r.description)
        sub(mark, "styleUrl", f"#leg-{r.mode}")
        data = sub(mark, "ExtendedData")
        for key, value in (("part", r.part), ("mode", r.mode), ("number", str(r.number))):
            d = sub(data, "Data")
            d.set("name", key)
            sub(d, "value", value)
        ls = sub(mark, "LineString")
        sub(ls, "tessellate", "1")
        sub(ls, "coordinates", " ".join(f"{c[0]:.6f},{c[1]:.6f}" for c in r.coordinates))
    points = sub(doc, "Folder")
    sub(points, "name", "Waypoints / 航点")
    for w in plan.waypoints:
        mark = sub(points, "Placemark")
        sub(mark, "name", w.name)
        sub(mark, "description", w.kind)
        pt = sub(mark, "Point")
        sub(pt, "coordinates", f"{w.lon:.6f},{w.lat:.6f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


@dataclass(frozen=True)
class PlanParts:
    """A plan (JSON form), its target points, the evacuation and a title."""

    plan: Mapping[str, Any]
    target: tuple[Mapping[str, Any], ...]
    evacuation: Mapping[str, Any] | None
    title: str
    reason: Mapping[str, str] | None = None


def answer_parts(answer: Mapping[str, Any], station_id: str | None) -> PlanParts:
    """One station's plan of an approach answer (``ApproachResult.to_dict()``).

    Raises
    ------
    InvalidInput
        If the station has no plan in the answer, or (no station given) none is recommended.
    """
    wanted = station_id or answer.get("recommended")
    plans = [p for p in answer["plans"] if p["station_id"] == wanted]
    if not plans:
        raise InvalidInput(
            msg("export.no_plan_for", station_id=repr(wanted)) if wanted else msg("export.nothing")
        )
    plan = plans[0]
    reason = None
    if plan["station_id"] == answer.get("recommended"):
        reason = {"en": answer.get("reason", ""), "zh": answer.get("reason_zh", "")}
    return PlanParts(
        plan,
        tuple(answer["target"]),
        answer.get("evacuation"),
        f"Sandtable plan: {plan.get('station_name') or plan['station_id']}",
        reason,
    )


def incident_parts(
    network: RouteNetwork, incident: Mapping[str, Any], closures: Sequence[Any], *, now: Any
) -> PlanParts:
    """The saved plan of an incident, with its location and the evacuation from there now.

    The stored plan has the legs the team was sent on; the evacuation is planned again
    from the incident's location with the closures in force ``now``.

    Raises
    ------
    NotFound
        If the incident has no saved plan or no location.
    """
    from geodata.errors import NotFound
    from rescue.approach import plan_with_closures

    plan = incident.get("plan")
    location = incident.get("location")
    number = incident.get("incident_id")
    if not plan:
        raise NotFound(msg("export.no_saved_plan", number=number))
    if not location:
        raise NotFound(msg("export.no_location", number=number))
    lon, lat = float(location["lon"]), float(location["lat"])
    label = str(location.get("name") or "target")
    result = plan_with_closures(network, (lon, lat), closures, now=now)
    return PlanParts(
        plan,
        ({"label": label, "lon": lon, "lat": lat},),
        result.evacuation.to_dict() if result.evacuation else None,
        f"Sandtable incident {number}: {plan.get('station_name') or plan['station_id']}",
    )


def parts_field_plan(network: RouteNetwork, parts: PlanParts) -> FieldPlan:
    """The :class:`FieldPlan` of :class:`PlanParts`."""
    return field_plan(
        network, parts.plan, target=parts.target, evacuation=parts.evacuation, title=parts.title
    )
