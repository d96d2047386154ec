"""Shared by the region-data locate tests: the report time and how far the top answer is off."""

from __future__ import annotations

from datetime import datetime

from rescue.locate import LOCAL_TZ, locate
from rescue.locate_eval.realcases import resolve
from rescue.locate_eval.scoring import distance_m
from routes import RouteNetwork

AT = datetime(2025, 7, 12, 11, 0, tzinfo=LOCAL_TZ)


def off_m(net: RouteNetwork, text: str, truth: dict[str, object]) -> float:
    """Metres from the top candidate of ``text`` to the point ``truth`` names."""
    top = locate(net, text, reported_at=AT).candidates[0]
    route, km = resolve(net, truth)
    lon, lat, _z = net.point_at(route, km)
    return distance_m(top.lon, top.lat, lon, lat)
