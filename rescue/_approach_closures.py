"""What closures do to plans: each closure's cost to each plan, which plan to recommend and
why, and the nearest open helicopter landing site when nothing reaches the target on the
ground (the parts of :func:`rescue.approach.plan_with_closures`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from shapely.geometry import Point

from geodata.i18n import Msg, Name, joined, msg, text
from rescue.localnames import name_zh

if TYPE_CHECKING:
    from rescue.closures import Closure
    from routes.network import RouteNetwork
from rescue._approach_legs import (
    _fmt,
    _fmt_msg,
)
from rescue._approach_values import (
    LandingSite,
    Plan,
    TargetPoint,
)
from rescue._approach_values import (
    _lonlat_list as _lonlat_list,
)

__all__ = []

_VERBS = {"vehicle": "drive", "foot": "walk"}


#: where a helicopter can land: a station with this capability, or a place of this type
_HELI_CAPABILITY = "helicopter_landing"

_HELI_PLACE_TYPE = "helipad"


def _landing_sites(network: RouteNetwork) -> list[tuple[str, str, float, float]]:
    """``(id, name, lon, lat)`` of the helicopter landing sites in the region's data.

    A station with the capability ``helicopter_landing`` or a place of type ``helipad``.
    """
    sites = []
    stations = network.region.stations
    for sid, row in stations.iterrows():
        if _HELI_CAPABILITY in row["capabilities"]:
            sites.append((str(sid), str(row["name_en"]), row.geometry.x, row.geometry.y))
    places = network.region.places
    for pid, row in places[places["type"] == _HELI_PLACE_TYPE].iterrows():
        sites.append((str(pid), str(row["name_en"]), row.geometry.x, row.geometry.y))
    return sites


def _landing_site(
    network: RouteNetwork, point: TargetPoint, closures: Sequence[Closure]
) -> LandingSite | None:
    """The open landing site nearest the target: not inside an area closed to everyone."""
    from shapely.geometry import shape

    closed = [
        shape(c.geometry)
        for c in closures
        if c.closed and c.modes == "all" and c.geometry and c.geometry["type"] == "Polygon"
    ]
    tx, ty = network.to_metric.transform(point.lon, point.lat)
    best: LandingSite | None = None
    for site_id, name, lon, lat in _landing_sites(network):
        if any(area.contains(Point(lon, lat)) for area in closed):
            continue
        x, y = network.to_metric.transform(lon, lat)
        d = math.hypot(x - tx, y - ty)
        if best is None or d < best.distance_m:
            best = LandingSite(site_id, name, lon, lat, d)
    return best


def _reason_zh(network: RouteNetwork, plans: Sequence[Plan]) -> str:
    """:func:`_recommend`'s reason in Chinese (names in Chinese where the data has them)."""

    def name(text: str) -> Name:
        return Name(text, name_zh(network, text))

    ok = [p for p in plans if p.reachable]
    if not plans:
        return msg("approach.no_station").render("zh")
    if not ok:
        near = min(plans, key=lambda p: p.gap_m)
        return msg(
            "approach.unreachable",
            gap=f"{near.gap_m:.0f}",
            station=name(near.station_name),
            eta=_fmt_msg(near.eta_s),
        ).render("zh")
    best = ok[0]
    how = [
        msg(
            f"approach.leg_{leg.mode}",
            km=f"{leg.length_m / 1000:.1f}",
            place=name(leg.to_name),
        )
        for leg in best.legs
    ]
    others = [p for p in ok[1:] if p.eta_s > best.eta_s]
    lead = (
        msg(
            "approach.lead",
            gain=_fmt_msg(others[0].eta_s - best.eta_s),
            station=name(others[0].station_name),
        )
        if others
        else ""
    )
    return msg(
        "station.plan_fastest",
        station=name(best.station_name),
        eta=_fmt_msg(best.eta_s),
        lead=lead,
        how=joined(how) if how else msg("approach.already_there"),
    ).render("zh")


def _recommend(plans: Sequence[Plan]) -> tuple[str | None, str]:
    ok = [p for p in plans if p.reachable]
    if not ok:
        if not plans:
            return None, "no station to plan from"
        near = min(plans, key=lambda p: p.gap_m)
        return None, (
            f"no ground route reaches the target; nearest reachable point is {near.gap_m:.0f} m "
            f"away, {near.station_name} can be there in {_fmt(near.eta_s)}"
        )
    best = ok[0]
    how = (
        "; ".join(
            f"{_VERBS[leg.mode]} {leg.length_m / 1000:.1f} km to {leg.to_name}" for leg in best.legs
        )
        or "already there"
    )
    others = [p for p in ok[1:] if p.eta_s > best.eta_s]
    lead = (
        f", {_fmt(others[0].eta_s - best.eta_s)} ahead of {others[0].station_name}"
        if others
        else ""
    )
    return best.station_id, f"fastest: {best.station_name} in {_fmt(best.eta_s)}{lead} ({how})"


def _covering(
    network: RouteNetwork,
    points: Sequence[TargetPoint],
    active: Sequence[Closure],
    describe: Callable[[Any, Closure], str | Msg],
) -> tuple[dict[str, str], ...]:
    """The closures over the target: an area containing it, or the segment it lies on.

    Such a plan leads into the closure: the officer must hear it before sending anyone.
    """
    from shapely.geometry import shape

    out = []
    for c in active:
        covers = False
        if c.geometry and c.geometry.get("type") in ("Polygon", "MultiPolygon"):
            area = shape(c.geometry)
            covers = any(area.covers(Point(t.lon, t.lat)) for t in points)
        elif c.segment_ids:
            on = {network.graph.edges[t.u, t.v, t.key].get("segment_id") for t in points}
            covers = bool(on & set(c.segment_ids))
        if covers:
            what = describe(network, c)
            out.append(
                {
                    "closure_id": c.closure_id,
                    "en": f"{text(what, 'en')}: the closure covers the caller's position",
                    "zh": f"{text(what, 'zh')}：封闭范围覆盖了呼救者的位置",
                }
            )
    return tuple(out)
