"""Chinese names for the English names the planners write into answers.

The approach planner names stations and the places its legs run between in English
(``station_name``, a leg's ``from`` and ``to``); the region's data has the Chinese name
of each place, station and route. :func:`localize_approach` adds the Chinese beside the
English (``station_name_zh``, ``from_zh``, ``to_zh``), so a page shows either language
without asking again.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from geodata.i18n import Name, render

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = ["localize_approach", "name_zh", "names_zh"]

_KM_ON = re.compile(r"^km (?P<km>[\d.]+) (?:on|of) (?P<route>.+)$")
_JUNCTION = re.compile(r"^junction (?P<node>.+)$")


def names_zh(network: RouteNetwork) -> dict[str, str]:
    """English name -> Chinese name of every place, station, route and segment that has both.

    Built once per network (``network.derive``: a new route-data version is a new network,
    so its names are read again); a network that cannot keep derived data builds it anew.
    """
    derive = getattr(network, "derive", None)
    if derive is None:
        return _names_zh(network)
    table: dict[str, str] = derive("rescue.localnames.names_zh", _names_zh)
    return table


def _names_zh(network: RouteNetwork) -> dict[str, str]:
    table: dict[str, str] = _points_zh(network)
    for frame in (network.routes, network.segments):
        if "name_en" not in frame.columns or "name_zh" not in frame.columns:
            continue
        for en, zh in zip(frame["name_en"], frame["name_zh"], strict=True):
            if isinstance(en, str) and isinstance(zh, str) and zh.strip():
                table.setdefault(en, zh)
    return table


#: a shared Chinese name is told apart by the nearest uniquely named place within this distance
QUALIFY_WITHIN_M = 3000.0


def _points_zh(network: RouteNetwork) -> dict[str, str]:
    """English -> Chinese name of the places and stations. Where several differently named
    places share one Chinese name (the data calls six medical posts 医疗服务点), each is told
    apart by the nearest place whose Chinese name is its own: 医疗服务点（曲古桥补给点）."""
    points: dict[str, tuple[str, float, float]] = {}
    for frame in (network.region.places, network.region.stations):
        if "name_en" not in frame.columns or "name_zh" not in frame.columns:
            continue
        for en, zh, point in zip(frame["name_en"], frame["name_zh"], frame.geometry, strict=True):
            if isinstance(en, str) and isinstance(zh, str) and zh.strip() and en not in points:
                x, y = network.to_metric.transform(point.x, point.y)
                points[en] = (zh.strip(), float(x), float(y))
    shared = Counter(zh for zh, _, _ in points.values())
    table = {}
    for en, (zh, x, y) in points.items():
        if shared[zh] > 1:
            near = [
                (math.hypot(ox - x, oy - y), other)
                for other, ox, oy in points.values()
                if shared[other] == 1
            ]
            distance_m, other = min(near, default=(math.inf, ""))
            if distance_m <= QUALIFY_WITHIN_M:
                zh = f"{zh}（{other}）"
        table[en] = zh
    return table


def name_zh(network: RouteNetwork, name: str) -> str:
    """The Chinese for a name the planner wrote (``name`` itself when there is none)."""
    table = names_zh(network)
    if name in table:
        return table[name]
    if name == "target":
        return render("name.target", "zh")
    km = _KM_ON.match(name)
    if km:
        route = Name(km["route"], table.get(km["route"]))
        return render("name.km_on", "zh", km=km["km"], route=route)
    junction = _JUNCTION.match(name)
    if junction:
        return render("name.junction", "zh", node=junction["node"])
    return name


def _legs(legs: Any, network: RouteNetwork) -> None:
    for leg in legs or ():
        if isinstance(leg, dict):
            for field in ("from", "to"):
                if isinstance(leg.get(field), str):
                    leg[f"{field}_zh"] = name_zh(network, leg[field])


def localize_approach(answer: Mapping[str, Any], network: RouteNetwork) -> dict[str, Any]:
    """``answer`` (an approach result as JSON) with the Chinese names beside the English."""
    out = dict(answer)
    for plan in out.get("plans") or ():
        name = plan.get("station_name")
        if isinstance(name, str) and name:
            plan["station_name_zh"] = name_zh(network, name)
        _legs(plan.get("legs"), network)
        for alt in plan.get("alternatives") or ():
            if isinstance(alt, dict):
                _legs(alt.get("legs"), network)
    evacuation = out.get("evacuation")
    if isinstance(evacuation, dict):
        for key in ("legs", "carry_legs", "vehicle_legs"):
            _legs(evacuation.get(key), network)
    landing = out.get("landing_site")
    if isinstance(landing, dict) and isinstance(landing.get("name"), str):
        landing["name_zh"] = name_zh(network, landing["name"])
    return out
