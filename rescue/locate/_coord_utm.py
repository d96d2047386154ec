"""UTM coordinates: readings of an easting/northing pair in the region's zone.

The zone from the region's UTM CRS (or a zone written with the numbers), both orders of
easting and northing, and a northing written without its leading digit.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geodata.errors import InvalidInput
from geodata.i18n import Msg, Said, msg
from rescue.locate._coord_forms import (
    _decimals,
    _Reading,
)


@lru_cache(maxsize=16)
def _region_zone(utm_crs: str) -> tuple[int, bool]:
    """(zone, southern) of a UTM CRS."""
    try:
        zone = CRS(utm_crs).utm_zone
    except CRSError as exc:
        raise InvalidInput(f"utm_crs {utm_crs!r} is not a known CRS") from exc
    if not zone:
        raise InvalidInput(f"utm_crs {utm_crs!r} is not a UTM CRS (e.g. 'EPSG:32644')")
    return int(zone[:-1]), zone[-1].upper() == "S"


@lru_cache(maxsize=32)
def _utm_to_lonlat(zone: int, southern: bool) -> Transformer:
    epsg = (32700 if southern else 32600) + zone
    return Transformer.from_crs(f"EPSG:{epsg}", "EPSG:4326", always_xy=True)


def _marker(*raw: str | None) -> str | None:
    for x in raw:
        if x and x[-1].upper() in "EN":
            return x[-1].upper()
    return None


def _utm_readings(m: re.Match[str], utm_crs: str, problems: list[str]) -> list[_Reading]:
    a, b = m.group("a"), m.group("b")
    ma, mb = _marker(m.group("ap"), m.group("as")), _marker(m.group("bp"), m.group("bs"))
    if ma and ma == mb:
        problems.append(Said(msg("locate.coords_both_" + ("easting" if ma == "E" else "northing"))))
        return []
    hemis = _hemispheres(m, utm_crs, problems)
    if hemis is None:
        return []
    out: list[_Reading] = []
    for rank_o, (e_s, n_s, northing_first) in enumerate(_orders(a, b, ma, mb)):
        easting, northing = float(e_s), float(n_s)
        if not _in_range(easting, northing, problems):
            continue
        unc = max(10.0 ** -_decimals(e_s), 10.0 ** -_decimals(n_s))
        for rank_h, (zone, southern, label) in enumerate(hemis):
            lon, lat = _utm_to_lonlat(zone, southern).transform(easting, northing)
            if not (math.isfinite(lon) and math.isfinite(lat) and -90 <= lat <= 90):
                problems.append(
                    Said(
                        msg(
                            "locate.coords_utm_no_position",
                            reading=label,
                            easting=f"{easting:,.0f}",
                            northing=f"{northing:,.0f}",
                        )
                    )
                )
                continue
            full = msg("locate.utm_northing_first", reading=label) if northing_first else label
            out.append(_Reading(lat, lon, Said(full), unc, rank_o * 2 + rank_h))
    return out


def _hemispheres(
    m: re.Match[str], utm_crs: str, problems: list[str]
) -> list[tuple[int, bool, Msg]] | None:
    """The zones and hemispheres to try, (zone, southern, label); None if the zone is wrong."""
    zone_s = m.group("zone") or m.group("zone2")
    if not zone_s:
        zone, southern = _region_zone(utm_crs)
        label = msg("locate.utm_zone_assumed", zone=f"{zone}{'S' if southern else 'N'}")
        return [(zone, southern, label)]
    zone = int(zone_s)
    if not 1 <= zone <= 60:
        problems.append(Said(msg("locate.coords_utm_zone", zone=zone)))
        return None
    band = (m.group("band") or "").upper()
    if not band:
        _, southern = _region_zone(utm_crs)
        hemi = "S" if southern else "N"
        return [(zone, southern, msg("locate.utm_zone_hemisphere_assumed", zone=f"{zone}{hemi}"))]
    if band == "S":
        return [
            (zone, False, msg("locate.utm_zone_band_s", zone=f"{zone}S")),
            (zone, True, msg("locate.utm_zone_s_south", zone=f"{zone}S")),
        ]
    if band == "N":
        return [(zone, False, msg("locate.utm_zone", zone=f"{zone}N"))]
    southern = band < "N"
    key = "locate.utm_zone_band_" + ("south" if southern else "north")
    return [(zone, southern, msg(key, zone=f"{zone}{band}", band=band))]


def _orders(a: str, b: str, ma: str | None, mb: str | None) -> list[tuple[str, str, bool]]:
    """The orders to read two numbers in: (easting, northing, northing written first)."""
    if ma == "N" or mb == "E":
        return [(b, a, True)]
    if ma or mb:
        return [(a, b, False)]
    digits_a, digits_b = len(a.partition(".")[0]), len(b.partition(".")[0])
    if digits_a > digits_b:
        return [(b, a, True)]
    if digits_a == digits_b:
        return [(a, b, False), (b, a, True)]
    return [(a, b, False)]


def _in_range(easting: float, northing: float, problems: list[str]) -> bool:
    """Whether an easting and northing are possible (else why not, in ``problems``)."""
    ok = True
    if not 100_000 <= easting <= 900_000:
        problems.append(Said(msg("locate.coords_utm_easting", value=f"{easting:,.0f}")))
        ok = False
    if not 0 <= northing <= 10_000_000:
        problems.append(Said(msg("locate.coords_utm_northing", value=f"{northing:,.0f}")))
        ok = False
    return ok
