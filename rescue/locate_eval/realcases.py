"""Real-text cases whose truths are re-derived from the current region at scoring time.

``tests/data/locate_real_cases.jsonl`` (made by ``tests/data/make_locate_real_cases.py``)
holds caller descriptions re-told from public trip reports and guides. Each keeps its source
(URL and a short quote), a ``split`` (``dev`` or ``heldout``, by source), ``classes`` (the
kinds of description of issue 13) and a ``truth_spec``: a written procedure, not coordinates,
so the truth moves with the kora geometry when it is re-traced. :func:`resolve` evaluates a
spec against a :class:`routes.RouteNetwork`:

``{"place": id}``
    the place's point on its route (the route whose line passes nearest the place, the
    place's own ``route_id`` first on a tie, so a gompa on a side path is on that path);
``{"along": route, "from_place": id, "offset_m": m, "direction": d}``
    ``m`` metres from the place along ``route`` in the walking direction ``d``;
``{"between": [a, b], "frac": f, "route": r}``
    the fraction ``f`` of the way from ``a`` to ``b`` clockwise;
``{"walk": {"from_place": id, "minutes": t, "direction": d}}``
    where ``RouteNetwork.walk`` (the median walker) is after ``t`` minutes;
``{"elev": metres, "from_place": a, "to_place": b}``
    the first point from ``a`` towards ``b`` (clockwise) where the elevation profile crosses
    ``metres``.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from shapely.geometry import Point

from geodata.errors import DataValidationError
from rescue.locate_eval.cases import LANGUAGES, Case, case_from, json_lines

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = ["CLASSES", "SPLITS", "resolve", "load_real_cases"]

CLASSES: tuple[str, ...] = (
    "time",
    "names",
    "features",
    "heights_distances",
    "narrative",
    "map_app",
)
SPLITS: tuple[str, ...] = ("dev", "heldout")
#: other segments ending this close to the truth are equally right (as in the team set)
ALT_RADIUS_M = 75.0
_MAIN_ROUTES = ("outer_kora", "inner_kora", "manasarovar_kora")


def _route_of(net: RouteNetwork, place: str) -> str:
    places = net.region.places
    if place not in places.index:
        raise ValueError(f"unknown place {place!r}")
    pt = places.geometry[place]
    own = str(places["route_id"].get(place) or "")
    best: tuple[float, int, str] | None = None
    for rid in net.lines:
        try:
            off = net.locate(pt.x, pt.y, rid).offset_m
        except Exception:  # noqa: BLE001, S112 - a route that cannot reference the point
            continue
        # the place's own route wins when it passes within 50 m (a junction place such as
        # Chuku bridge also starts a side path)
        key = (0.0 if rid == own and off <= 50.0 else round(off, 0), 0 if rid == own else 1, rid)
        if best is None or key < best:
            best = key
    if best is None or best[0] > 300.0:
        raise ValueError(f"place {place!r} is on no route")
    return best[2]


def _wrap(net: RouteNetwork, route: str, km: float) -> float:
    line = net.line(route)
    length = line.length_m / 1000.0
    if line.loop:
        return km % length
    return min(max(km, 0.0), length)


def _elev_km(net: RouteNetwork, route: str, metres: float, a_km: float, b_km: float) -> float:
    length = net.line(route).length_m / 1000.0
    span = (b_km - a_km) % length if net.line(route).loop else b_km - a_km
    ks = a_km + np.arange(0.0, span, 0.005)
    zs = np.array([net.point_at(route, _wrap(net, route, k))[2] for k in ks])
    above = zs >= metres
    flips = np.flatnonzero(above[1:] != above[:-1])
    if not len(flips):
        raise ValueError(f"{metres} m is not crossed between km {a_km:.2f} and {b_km:.2f}")
    i = int(flips[0])
    f = (metres - zs[i]) / (zs[i + 1] - zs[i])
    return float(ks[i] + f * (ks[i + 1] - ks[i]))


def resolve(net: RouteNetwork, spec: Any) -> tuple[str, float]:
    """``(route_id, km)`` of a truth spec on the network (see the module docstring).

    Raises
    ------
    ValueError
        For an unknown kind, place or route, or a spec the geometry cannot satisfy.
    """
    if not isinstance(spec, dict):
        raise ValueError("truth_spec is not an object")
    if "place" in spec:
        place = str(spec["place"])
        route = str(spec.get("route") or _route_of(net, place))
        return route, net.place_km(place, route)
    if "along" in spec:
        route = str(spec["along"])
        sign = -1.0 if spec.get("direction", "clockwise") == "counterclockwise" else 1.0
        km = net.place_km(str(spec["from_place"]), route) + sign * float(spec["offset_m"]) / 1e3
        return route, _wrap(net, route, km)
    if "between" in spec:
        a, b = spec["between"]
        route = str(spec.get("route") or "outer_kora")
        ka, kb = net.place_km(a, route), net.place_km(b, route)
        length = net.line(route).length_m / 1000.0
        span = (kb - ka) % length if net.line(route).loop else kb - ka
        return route, _wrap(net, route, ka + float(spec.get("frac", 0.5)) * span)
    if "walk" in spec:
        w = spec["walk"]
        route = str(w.get("route") or "outer_kora")
        start = net.place_km(str(w["from_place"]), route)
        res = net.walk(
            route, start, float(w["minutes"]) * 60.0, direction=w.get("direction", "clockwise")
        )
        return route, float(res.position.km)
    if "elev" in spec:
        route = str(spec.get("route") or "outer_kora")
        a = net.place_km(str(spec["from_place"]), route)
        b = net.place_km(str(spec["to_place"]), route)
        return route, _wrap(net, route, _elev_km(net, route, float(spec["elev"]), a, b))
    raise ValueError(f"unknown truth_spec {sorted(spec)}")


def _segments_at(
    net: RouteNetwork, route: str, km: float, lon: float, lat: float
) -> tuple[str, list[str]]:
    ends: list[tuple[str, Point]] = net.derive(
        "realcases_segment_ends",
        lambda n: [
            (str(sid), Point(*n.to_metric.transform(*c[:2])))
            for sid, geom in n.segments.geometry.items()
            for c in (list(geom.coords)[0], list(geom.coords)[-1])
        ],
    )
    segs = net.segments[net.segments["route_id"] == route]
    inside = segs[(segs["km_from"] <= km) & (km < segs["km_to"])]
    sid = str(inside.index[0] if not inside.empty else segs["km_to"].idxmax())
    p = Point(*net.to_metric.transform(lon, lat))
    alt = sorted({s for s, end in ends if s != sid and end.distance(p) <= ALT_RADIUS_M})
    return sid, alt


def fill_text(template: str, lon: float, lat: float) -> str:
    """A map-app case's text: the truth point written as the app or link would show it.

    Placeholders: ``{wgs_latlon}``, ``{gcj_lonlat}`` (Amap's "lng,lat"), ``{gcj_latlon}``,
    ``{bd_latlon}``, ``{amap_url}``, ``{baidu_url}``, ``{google_url}``, ``{apple_url}``,
    ``{geo_uri}``, ``{pluscode}`` (10-digit Open Location Code).
    """
    from openlocationcode import openlocationcode as olc

    from rescue.locate.chinamaps import wgs84_to_bd09, wgs84_to_gcj02

    glon, glat = wgs84_to_gcj02(lon, lat)
    blon, blat = wgs84_to_bd09(lon, lat)
    return template.format(
        wgs_latlon=f"{lat:.6f},{lon:.6f}",
        gcj_lonlat=f"{glon:.6f},{glat:.6f}",
        gcj_latlon=f"{glat:.6f}, {glon:.6f}",
        bd_latlon=f"{blat:.6f},{blon:.6f}",
        amap_url=f"https://uri.amap.com/marker?position={glon:.6f},{glat:.6f}&name=位置",
        baidu_url=f"https://api.map.baidu.com/marker?location={blat:.6f},{blon:.6f}"
        "&title=我的位置&output=html",
        google_url=f"https://www.google.com/maps/search/?api=1&query={lat:.6f},{lon:.6f}",
        apple_url=f"https://maps.apple.com/?ll={lat:.6f},{lon:.6f}&q=Dropped%20Pin",
        geo_uri=f"geo:{lat:.6f},{lon:.6f}",
        pluscode=olc.encode(lat, lon, 10),
    )


def load_real_cases(path: str | Path, net: RouteNetwork) -> list[Case]:
    """Read a real-text case file and resolve every truth on ``net``.

    Raises
    ------
    DataValidationError
        If the file cannot be read, a line is malformed, or a truth cannot be resolved;
        ``details`` lists every problem with its line number.
    """
    p = Path(path)
    problems: list[str] = []
    cases: list[Case] = []
    seen: set[str] = set()
    for n, obj in json_lines(p, problems):
        if not isinstance(obj, dict):
            problems.append(f"line {n}: not a JSON object")
            continue
        where = f"line {n} ({obj.get('id')})"
        bad = _label_problems(obj)
        row = _resolved_row(obj, net, bad)
        if bad or row is None:
            problems.append(f"{where}: " + "; ".join(bad))
            continue
        case = case_from(row, f"line {n}", problems)
        if case is None:
            continue
        if case.case_id in seen:
            problems.append(f"{where}: id repeats")
            continue
        seen.add(case.case_id)
        cases.append(replace(case, split=obj["split"], classes=tuple(obj.get("classes") or ())))
    if problems:
        raise DataValidationError(
            f"{p.name}: {len(problems)} problem(s) in the case file", details=problems
        )
    if not cases:
        raise DataValidationError(f"{p.name}: no cases")
    return cases


def _label_problems(obj: dict[str, Any]) -> list[str]:
    """What is wrong with a real case's split, classes, source and language."""
    bad = []
    if obj.get("split") not in SPLITS:
        bad.append(f"split {obj.get('split')!r} is not one of {', '.join(SPLITS)}")
    classes = obj.get("classes")
    if not isinstance(classes, list) or not classes or any(c not in CLASSES for c in classes):
        bad.append(f"classes {classes!r} are not a non-empty list of {', '.join(CLASSES)}")
    src = obj.get("source")
    if not isinstance(src, dict) or not str(src.get("url", "")).startswith("http"):
        bad.append("source has no url")
    elif not str(src.get("quote", "")).strip():
        bad.append("source has no quote")
    if obj.get("lang") not in LANGUAGES:
        bad.append(f"lang {obj.get('lang')!r}")
    return bad


def _resolved_row(obj: dict[str, Any], net: RouteNetwork, bad: list[str]) -> dict[str, Any] | None:
    """The case's line with its truth resolved on ``net`` (and its text filled), or None
    with the reason added to ``bad``."""
    try:
        route, km = resolve(net, obj.get("truth_spec"))
        lon, lat, _z = net.point_at(route, km)
        sid, alt = _segments_at(net, route, km, lon, lat)
    except Exception as exc:  # noqa: BLE001 - reported with the line
        bad.append(f"truth_spec {obj.get('truth_spec')!r}: {exc}")
        return None
    row = dict(obj)
    if obj.get("fill"):
        row["text"] = fill_text(str(obj.get("text", "")), lon, lat)
    row["truth"] = {"lon": lon, "lat": lat, "route_id": route, "km": km}
    row["truth_segment_id"] = sid
    row["alt_segment_ids"] = alt
    return row
