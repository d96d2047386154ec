"""The field sheet: one page for the team that walks, in English and Chinese.

:func:`field_sheet` turns a plan (its JSON form, as :mod:`rescue.plan_export` reads it),
the target and the evacuation into what the print view (``/field-sheet``) lays out: the
target in decimal degrees, degrees-minutes-seconds and UTM (the region's metric CRS,
EPSG:32644 for Kailash) with its kilometre post on the nearest route, the legs with both
names of each end, the evacuation, and the contacts of the stations involved (the
responding station, the stations at the same place, the clinic). Contacts are what the
planners keep in the stations' ``contacts`` field; "none recorded" where it is empty.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pyproj import CRS

from rescue.capability import RESOURCES, station_resources
from rescue.plan_export import bilingual

if TYPE_CHECKING:
    from routes.network import RouteNetwork

__all__ = ["dms", "field_sheet", "utm"]

_MODE = {"vehicle": ("vehicle", "车辆"), "foot": ("on foot", "步行")}


def dms(value: float, positive: str, negative: str) -> str:
    """``31.0785`` → ``31°04'42.6"N``: degrees, minutes, seconds to a tenth."""
    hemi = positive if value >= 0 else negative
    total = round(abs(value) * 36000)  # tenths of a second, rounded once
    deg, rest = divmod(total, 36000)
    minutes, tenths = divmod(rest, 600)
    return f"{deg}°{minutes:02d}'{tenths / 10:04.1f}\"{hemi}"


#: UTM latitude bands of 8° from 80° S (X spans 72–84° N)
_BANDS = "CDEFGHJKLMNPQRSTUVWX"


def utm(network: RouteNetwork, lon: float, lat: float) -> dict[str, Any]:
    """The point in the region's metric CRS (UTM): zone, easting and northing in metres."""
    crs = CRS.from_user_input(network.to_metric.target_crs)
    x, y = network.to_metric.transform(lon, lat)
    info = crs.utm_zone or ""
    # written with the latitude band letter, as the map and the locate panel write it
    # ("44R …"): "44N" would read as band N (0–8° N), not as the northern hemisphere
    band = _BANDS[max(0, min(len(_BANDS) - 1, int((lat + 80) // 8)))]
    grid = f"{info.rstrip('NS')}{band}" if info else ""
    return {
        "crs": f"EPSG:{crs.to_epsg()}" if crs.to_epsg() else crs.name,
        "zone": info,
        "band": band,
        "easting_m": round(float(x)),
        "northing_m": round(float(y)),
        "text": f"{grid} {round(float(x))} E {round(float(y))} N".strip(),
    }


def _station(network: RouteNetwork, station_id: str) -> dict[str, Any] | None:
    stations = network.region.stations
    if station_id not in stations.index:
        return None
    row = stations.loc[station_id]
    contacts = row.get("contacts")
    extra = row.get("resources")
    sends = station_resources(row["capabilities"], extra if isinstance(extra, list) else ())
    return {
        "station_id": station_id,
        "name": {"en": str(row["name_en"]), "zh": _text(row.get("name_zh"))},
        "kind": str(row["kind"]),
        "sends": [{"id": r, "en": RESOURCES[r][0], "zh": RESOURCES[r][1]} for r in sends],
        "contacts": contacts if isinstance(contacts, str) and contacts.strip() else None,
        "lon": round(float(row.geometry.x), 6),
        "lat": round(float(row.geometry.y), 6),
    }


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _leg(network: RouteNetwork, leg: Mapping[str, Any]) -> dict[str, Any]:
    f_en, f_zh = bilingual(network, str(leg.get("from", "")))
    t_en, t_zh = bilingual(network, str(leg.get("to", "")))
    en, zh = _MODE.get(str(leg.get("mode")), (str(leg.get("mode")), ""))
    return {
        "mode": leg.get("mode"),
        "mode_name": {"en": en, "zh": zh},
        "from": {"en": f_en, "zh": f_zh},
        "to": {"en": t_en, "zh": t_zh},
        "length_m": leg.get("length_m"),
        "ascent_m": leg.get("ascent_m"),
        "descent_m": leg.get("descent_m"),
        "duration_s": leg.get("duration_s"),
        # p10-p90 of the time (older saved plans have none)
        "duration_range_s": leg.get("duration_range_s"),
        "geometry": leg.get("geometry"),
    }


def _target(network: RouteNetwork, lon: float, lat: float, label: str) -> dict[str, Any]:
    en, zh = bilingual(network, label)
    pos = network.locate(lon, lat)
    route_zh = ""
    route_en = pos.route_id
    if pos.route_id in network.routes.index:
        route_en = str(network.routes.at[pos.route_id, "name_en"])
        route_zh = _text(network.routes.at[pos.route_id, "name_zh"])
    return {
        "name": {"en": en, "zh": zh},
        "lon": round(lon, 6),
        "lat": round(lat, 6),
        "dd": f"{lat:.5f}, {lon:.5f}",
        "dms": f"{dms(lat, 'N', 'S')} {dms(lon, 'E', 'W')}",
        "utm": utm(network, lon, lat),
        "km_post": {
            "route_id": pos.route_id,
            "route": {"en": route_en, "zh": route_zh},
            "km": round(pos.km, 1),
            "offset_m": round(pos.offset_m),
        },
        "elevation_m": None if math.isnan(pos.elevation_m) else round(pos.elevation_m),
    }


def field_sheet(
    network: RouteNetwork,
    plan: Mapping[str, Any],
    *,
    target: Sequence[Mapping[str, Any]],
    evacuation: Mapping[str, Any] | None,
    reason: Mapping[str, str] | None = None,
    title: str | None = None,
    generated_at: datetime | None = None,
) -> dict[str, Any]:
    """Everything the printed field sheet shows, JSON-ready.

    ``target`` are the plan's target points (``label``, ``lon``, ``lat``); the first is
    the one written out in full.
    """
    station_id = str(plan.get("station_id"))
    involved = [station_id, *plan.get("colocated", [])]
    if evacuation:
        involved.append(str(evacuation["destination"]["station_id"]))
    contacts = [s for s in (_station(network, sid) for sid in dict.fromkeys(involved)) if s]
    points = [_target(network, float(t["lon"]), float(t["lat"]), str(t["label"])) for t in target]
    evac = None
    if evacuation:
        hand = evacuation["handover"]
        h_en, h_zh = bilingual(network, str(hand["name"]))
        evac = {
            "handover": {"en": h_en, "zh": h_zh, "lon": hand["lon"], "lat": hand["lat"]},
            "destination": _station(network, str(evacuation["destination"]["station_id"])),
            "carry_s": evacuation["carry_s"],
            "vehicle_s": evacuation["vehicle_s"],
            "total_s": evacuation["total_s"],
            "legs": [
                _leg(network, leg)
                for leg in [*evacuation.get("carry_legs", []), *evacuation.get("vehicle_legs", [])]
            ],
        }
    return {
        "title": title or f"Field sheet: {plan.get('station_name') or station_id}",
        "generated_at": generated_at.isoformat() if generated_at else None,
        "station": _station(network, station_id),
        "eta_s": plan.get("eta_s"),
        "reason": dict(reason) if reason else None,
        "targets": points,
        "legs": [_leg(network, leg) for leg in plan.get("legs", [])],
        "evacuation": evac,
        "contacts": contacts,
    }
