"""Chinese names for the English names the planners write into answers.

The approach planner names stations and the places its legs run between in English
(``station_name``, a leg's ``from`` and ``to``); the region's data has the Chinese name
of each place, station and route. :func:`localize_approach` adds the Chinese beside the
English (``station_name_zh``, ``from_zh``, ``to_zh``), so a page shows either language
without asking again.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from typing import Any

from geodata.i18n import Name, render

__all__ = ["localize_approach", "name_zh", "names_zh"]

_CACHE: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()
_KM_ON = re.compile(r"^km (?P<km>[\d.]+) (?:on|of) (?P<route>.+)$")
_JUNCTION = re.compile(r"^junction (?P<node>.+)$")


def names_zh(network: Any) -> dict[str, str]:
    """English name -> Chinese name of every place, station, route and segment that has both."""
    try:
        return _CACHE[network]
    except (KeyError, TypeError):
        pass
    table: dict[str, str] = {}
    frames = (network.region.places, network.region.stations, network.routes, network.segments)
    for frame in frames:
        if "name_en" not in frame.columns or "name_zh" not in frame.columns:
            continue
        for en, zh in zip(frame["name_en"], frame["name_zh"], strict=True):
            if isinstance(en, str) and isinstance(zh, str) and zh.strip():
                table.setdefault(en, zh)
    try:
        _CACHE[network] = table
    except TypeError:  # a network that cannot be weakly referenced: not cached
        pass
    return table


def name_zh(network: Any, name: str) -> str:
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


def _legs(legs: Any, network: Any) -> None:
    for leg in legs or ():
        if isinstance(leg, dict):
            for field in ("from", "to"):
                if isinstance(leg.get(field), str):
                    leg[f"{field}_zh"] = name_zh(network, leg[field])


def localize_approach(answer: Mapping[str, Any], network: Any) -> dict[str, Any]:
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
