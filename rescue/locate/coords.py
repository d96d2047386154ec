"""Read coordinates out of free text, in every common form, with every plausible reading.

Call takers type what callers read off phones and GPS units, in English or Chinese:
decimal degrees in either order, with or without hemisphere letters; degrees and
decimal minutes; degrees, minutes and seconds; UTM; ``北纬31.08 东经81.35``; full-width
digits. Coordinates read aloud are the largest source of error in mountain rescue,
so an ambiguous coordinate yields *all* its readings, most likely first, each labelled
with what was assumed.

Recognition is deliberately conservative: a coordinate needs two numbers close
together, in a coordinate-like pattern, in plausible ranges. Heights ("5300 m"),
durations, clock times, phone numbers and years never match. Text that clearly is a
coordinate but cannot be one (latitude 95°, 75 minutes, a UTM northing of 12,000 km)
or that lies far outside the region raises :class:`~geodata.errors.InvalidInput`
quoting the text.

Snapping a reading to the network (and the off-route distance) is the job of the
routing side; this module only reads.

This module finds the coordinates of a text and checks their readings against the region;
:mod:`rescue.locate._coord_forms` recognises the formats, :mod:`rescue.locate._coord_geo`
reads latitude/longitude pairs and :mod:`rescue.locate._coord_utm` UTM positions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from geodata.errors import InvalidInput
from geodata.i18n import Said, msg
from rescue.locate._coord_forms import (
    _DIGIT,
    _GEO_RE,
    _TRANSLATE,
    _UTM_RE,
    _Candidate,
    _geo_candidate,
    _Reading,
    _utm_candidate,
)
from rescue.locate._coord_geo import (
    _geo_readings,
)
from rescue.locate._coord_utm import (
    _region_zone,
    _utm_readings,
)
from rescue.locate.model import CoordinateReading

__all__ = ["CoordinateMatch", "find_coordinates"]

_EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class CoordinateMatch:
    """A stretch of the text that holds a coordinate.

    Attributes
    ----------
    start, end
        Character offsets of the coordinate in the text as given.
    text
        The coordinate as written.
    readings
        Every plausible reading, most likely first (at least one).
    """

    start: int
    end: int
    text: str
    readings: tuple[CoordinateReading, ...]


# --------------------------------------------------------------------------- region


def _distance_outside_m(lat: float, lon: float, bbox: tuple[float, float, float, float]) -> float:
    """Great-circle distance from a point to the nearest point of a lon/lat box (0 inside)."""
    min_lon, min_lat, max_lon, max_lat = bbox
    near_lon = min(max(lon, min_lon), max_lon)
    near_lat = min(max(lat, min_lat), max_lat)
    if near_lon == lon and near_lat == lat:
        return 0.0
    p1, p2 = math.radians(lat), math.radians(near_lat)
    dphi, dlmb = p2 - p1, math.radians(near_lon - lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def _fmt_pos(r: _Reading) -> str:
    ns = "N" if r.lat >= 0 else "S"
    ew = "E" if r.lon >= 0 else "W"
    return f"{abs(r.lat):.5f}°{ns} {abs(r.lon):.5f}°{ew}"


def _check_options(
    bbox: tuple[float, float, float, float] | None,
    margin_km: float,
) -> tuple[float, float, float, float] | None:
    if not (isinstance(margin_km, int | float) and math.isfinite(margin_km) and margin_km >= 0):
        raise InvalidInput(f"margin_km must be a finite number ≥ 0, not {margin_km!r}")
    if bbox is None:
        return None
    try:
        box = tuple(float(v) for v in bbox)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"bbox must be four numbers (min lon, min lat, max lon, max lat), not {bbox!r}"
        ) from exc
    if len(box) != 4 or not all(math.isfinite(v) for v in box):
        raise InvalidInput(
            f"bbox must be four finite numbers (min lon, min lat, max lon, max lat), not {bbox!r}"
        )
    min_lon, min_lat, max_lon, max_lat = box
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise InvalidInput(
            f"bbox {bbox!r} is not a lon/lat box (min lon, min lat, max lon, max lat)"
        )
    return min_lon, min_lat, max_lon, max_lat


def _sorted_unique(readings: list[_Reading]) -> list[_Reading]:
    seen: set[tuple[float, float]] = set()
    out = []
    for r in sorted(readings, key=lambda r: r.rank):
        key = (round(r.lat, 9), round(r.lon, 9))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


# --------------------------------------------------------------------------- public


def find_coordinates(
    text: str,
    *,
    bbox: tuple[float, float, float, float] | None = None,
    margin_km: float = 50.0,
    utm_crs: str = "EPSG:32644",
    region_name: str | None = None,
) -> list[CoordinateMatch]:
    """Find the coordinates written in a caller's description.

    Parameters
    ----------
    text
        Free text as typed by the call taker, English or Chinese, full-width or not.
        A bare pair of numbers needs two decimals each ("31.0833, 81.35"); a bare pair
        with exactly two decimals each ("31.08, 81.35", but also "8.30, 13.30") counts
        only when ``bbox`` is given and a reading lies in the region.
    bbox
        The region's extent as (min lon, min lat, max lon, max lat). Readings more than
        ``margin_km`` outside it are dropped when another reading of the same coordinate
        lies within; when none does, the coordinate is rejected. Without it every
        geographically possible reading is kept.
    margin_km
        How far outside ``bbox`` a reading may lie.
    utm_crs
        The region's UTM CRS: its zone and hemisphere apply to UTM figures written
        without a zone ("UTM 535000 3440000").
    region_name
        Named in the message when a coordinate lies outside the region.

    Returns
    -------
    list of CoordinateMatch
        In text order, not overlapping; each with at least one reading, most likely
        first. Label examples: "decimal degrees, latitude first", "degrees and decimal
        minutes, latitude first", "UTM zone 44N".

    Raises
    ------
    InvalidInput
        When text that clearly is a coordinate cannot be one (latitude outside ±90,
        longitude outside ±180, minutes or seconds of 60 or more with no other reading,
        UTM figures out of range, two latitudes), or every reading lies more than
        ``margin_km`` outside ``bbox``; the message quotes the text. Also for a malformed
        ``bbox``, ``margin_km`` or ``utm_crs``.
    """
    box = _check_options(bbox, margin_km)
    _region_zone(utm_crs)  # fail early on a bad CRS, whatever the text
    if not isinstance(text, str):
        raise InvalidInput(f"text must be a string, not {type(text).__name__}")
    if not _DIGIT.search(text):
        return []
    norm = text.translate(_TRANSLATE)

    candidates: list[_Candidate] = []
    for pattern, build in ((_GEO_RE, _geo_candidate), (_UTM_RE, _utm_candidate)):
        pos = 0
        while (m := pattern.search(norm, pos)) is not None:
            cand = build(m)
            if cand is None:
                pos = m.start() + 1
            else:
                candidates.append(cand)
                pos = m.end()

    # Longest first among overlapping candidates; UTM's long figures win ties.
    candidates.sort(key=lambda c: (c.start, -(c.end - c.start), c.kind != "utm"))
    kept: list[_Candidate] = []
    for c in candidates:
        if not kept or c.start >= kept[-1].end:
            kept.append(c)
        elif c.end - c.start > kept[-1].end - kept[-1].start:
            kept[-1] = c

    matches: list[CoordinateMatch] = []
    for c in kept:
        raw = text[c.start : c.end]
        stripped = raw.rstrip(" \t\r\n,;:/")
        start, end = c.start, c.start + len(stripped)
        found = _readings_of(c, stripped, box, margin_km, utm_crs, region_name)
        if found:
            matches.append(
                CoordinateMatch(
                    start,
                    end,
                    stripped,
                    tuple(
                        CoordinateReading(
                            lon=r.lon,
                            lat=r.lat,
                            label=r.label,
                            text=stripped,
                            uncertainty_m=r.uncertainty_m,
                        )
                        for r in found
                    ),
                )
            )
    return matches


def _readings_of(
    c: _Candidate,
    written: str,
    box: tuple[float, float, float, float] | None,
    margin_km: float,
    utm_crs: str,
    region_name: str | None,
) -> list[_Reading]:
    """The readings of one candidate, filtered by the region; raises if there are none."""
    problems: list[str] = []
    if c.kind == "utm":
        readings = _utm_readings(c.match, utm_crs, problems)
    else:
        assert c.parts is not None
        readings = _geo_readings(c.parts, c.match.group("hdr"), rescue=False, problems=problems)
    readings = _sorted_unique(readings)

    def impossible() -> InvalidInput:
        uniq = list(dict.fromkeys(problems)) or [Said(msg("locate.coords_no_reading"))]
        first = uniq[0]
        return InvalidInput(
            msg("locate.coords_impossible", written=f"'{written}'", problem=first),
            details=list(uniq[1:]),
        )

    if box is None:
        if c.weak:
            return []  # "8.30, 13.30": only the region can tell such a pair is a position
        if not readings:
            raise impossible()
        return readings

    limit_m = margin_km * 1000.0
    distances = [_distance_outside_m(r.lat, r.lon, box) for r in readings]
    inside = [r for r, d in zip(readings, distances, strict=True) if d <= limit_m]
    if inside:
        return inside
    if c.weak:
        return []  # "8.30, 13.30": two-decimal pairs count only near the region
    if c.kind == "geo":
        assert c.parts is not None
        rescued = _geo_readings(c.parts, c.match.group("hdr"), rescue=True, problems=[])
        rescued = [
            r for r in _sorted_unique(rescued) if _distance_outside_m(r.lat, r.lon, box) <= limit_m
        ]
        if rescued:
            return rescued
    if not readings:
        raise impossible()
    where = f" ({region_name})" if region_name else ""
    nearest = min(range(len(readings)), key=lambda i: distances[i])
    r = readings[nearest]
    others = msg("locate.coords_others_farther") if len(readings) > 1 else ""
    details: list[str] = [
        Said(
            msg(
                "locate.coords_outside_by",
                position=_fmt_pos(x),
                reading=x.label,
                km=f"{d / 1000:,.0f}",
            )
        )
        for x, d in zip(readings, distances, strict=True)
    ]
    raise InvalidInput(
        msg(
            "locate.coords_outside",
            written=f"'{written}'",
            position=_fmt_pos(r),
            reading=r.label,
            km=f"{distances[nearest] / 1000:,.0f}",
            region=where,
            others=others,
        ),
        details=(details if len(readings) > 1 else []) + list(dict.fromkeys(problems)),
    )
