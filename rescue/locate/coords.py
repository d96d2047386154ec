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
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geodata.errors import InvalidInput
from geodata.i18n import Msg, Name, Said, joined, msg
from rescue.locate.model import CoordinateReading

__all__ = ["CoordinateMatch", "find_coordinates"]

Axis = Literal["lat", "lon"]

#: Metres per degree of latitude (and of longitude at the equator): turns the last
#: digit written into a ground distance. An upper bound for longitude.
_M_PER_DEG = 111_320.0
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


# --------------------------------------------------------------------------- normalising


def _translation() -> dict[int, str]:
    """One-to-one character substitutions, so offsets survive normalisation."""
    table: dict[int, str] = {}
    for i in range(10):  # full-width digits
        table[0xFF10 + i] = str(i)
    for i in range(26):  # full-width Latin letters
        table[0xFF21 + i] = chr(ord("A") + i)
        table[0xFF41 + i] = chr(ord("a") + i)
    # target: the characters typed for it
    variants = {
        ".": "．",
        ",": "，、",
        ":": "：",
        ";": "；",
        "/": "／",
        "=": "＝",
        "-": "－−",
        "+": "＋",
        "&": "＆",
        "°": "º˚⁰∘",
        "'": "′’‘‵´`ʹʼ＇ˊ",
        '"': "″”“‶„ʺ〃＂",
        " ": "\u00a0\u2002\u2003\u2009\u202f\u3000",
    }
    for target, typed in variants.items():
        for ch in typed:
            table[ord(ch)] = target
    return table


_TRANSLATE = _translation()
_DIGIT = re.compile(r"[0-9０-９]")

# --------------------------------------------------------------------------- patterns

_ZH_LABELS = "北纬|南纬|东经|西经|北緯|南緯|東經|西經|纬度|经度|緯度|經度"
_ZH_AXIS: dict[str, tuple[Axis, bool]] = {  # label -> (axis, negative)
    "北纬": ("lat", False),
    "北緯": ("lat", False),
    "纬度": ("lat", False),
    "緯度": ("lat", False),
    "南纬": ("lat", True),
    "南緯": ("lat", True),
    "东经": ("lon", False),
    "東經": ("lon", False),
    "经度": ("lon", False),
    "經度": ("lon", False),
    "西经": ("lon", True),
    "西經": ("lon", True),
}


def _component(i: int) -> str:
    """Pattern for one axis: optional label / hemisphere, then D, D M or D M S."""
    return rf"""
    (?:
        (?<![A-Za-z])(?P<w{i}>latitude|longitude|lat|long|lon|lng)\.?\s{{0,3}}[:=]?\s{{0,3}}
      | (?P<z{i}>{_ZH_LABELS})\s{{0,3}}[:=]?\s{{0,3}}
    )?
    (?:(?<![A-Za-z])(?P<h{i}>[NSEW])\s{{0,3}}[:=]?\s{{0,3}})?
    (?:(?<![0-9.])(?P<sg{i}>[+-])\s?)?
    (?<![0-9.])
    (?:
        (?P<a{i}>[0-9]{{1,3}})(?P<ad{i}>\s{{0,3}}(?:°|度)\s{{0,3}}|\s{{1,3}})
        (?P<am{i}>[0-9]{{1,2}})(?P<amm{i}>\s{{0,3}}(?:'|分)\s{{0,3}}|\s{{1,3}})
        (?P<as{i}>[0-9]{{1,3}}(?:\.[0-9]+)?)(?P<asm{i}>\s{{0,3}}(?:''|"|秒))?
      | (?P<b{i}>[0-9]{{1,3}})(?P<bd{i}>\s{{0,3}}(?:°|度)\s{{0,3}}|\s{{1,3}})
        (?P<bm{i}>[0-9]{{1,2}}(?:\.[0-9]+)?)(?P<bmm{i}>\s{{0,3}}(?:'|分))?
      | (?P<c{i}>[0-9]{{1,3}}(?:\.[0-9]+)?)
        (?P<cd{i}>\s{{0,3}}(?:°|度)(?!\s{{0,2}}[CF](?![A-Za-z])))?  # not "5°C"
    )
    (?![0-9])(?!\.[0-9])
    (?(h{i})|(?:\s{{0,3}}(?P<hs{i}>[NSEW])(?![A-Za-z]))?)
    """


_HEADER = r"""
    (?:(?<![A-Za-z])(?P<hdr>
        lat(?:itude)?\s{0,2}[/,&]\s{0,2}(?:lon(?:g(?:itude)?)?|lng)
      | (?:lon(?:g(?:itude)?)?|lng)\s{0,2}[/,&]\s{0,2}lat(?:itude)?
    )(?![A-Za-z])\s{0,3}[:=]?\s{0,3})?
"""
_SEP = r"(?P<sep>\s{0,3}(?:[,;/&]|and(?![A-Za-z])|和|及)?\s{0,3})"

# A unit after the pair means amounts, not a position: "long 3.25, 4.50 hours".
_NO_UNIT = r"""
    (?!\s{0,2}(?:km|m|h|hrs?|hours?|mins?|minutes?|kg|yuan|rmb|%|元|米|公里|千米|小时|分钟|块)
       (?![A-Za-z]))
"""
_GEO_RE = re.compile(
    _HEADER + _component(0) + _SEP + _component(1) + _NO_UNIT, re.X | re.I | re.ASCII
)

_UTM_RE = re.compile(
    r"""
    (?<![A-Za-z0-9.])
    (?:(?P<kw>utm)(?![A-Za-z])\s{0,3}[:=]?\s{0,3})?
    (?:
        (?:zone\s{0,3})?(?P<zone>[0-9]{1,2})\s?(?P<band>[C-HJ-NP-X])(?![A-Za-z])
      | zone\s{0,3}(?P<zone2>[0-9]{1,2})(?![0-9])
    )?
    \s{0,3}[,;:]?\s{0,3}
    (?:(?<![A-Za-z])(?P<ap>m?[EN])\s{0,2}[:=]?\s{0,2})?
    (?<![0-9.])(?P<a>[0-9]{6,8}(?:\.[0-9]+)?)(?![0-9])
    (?(ap)|(?:\s?(?P<as>m?[EN]|m)(?![A-Za-z]))?)
    \s{0,3}[,;/]?\s{0,3}
    (?:(?<![A-Za-z])(?P<bp>m?[EN])\s{0,2}[:=]?\s{0,2})?
    (?<![0-9.])(?P<b>[0-9]{6,8}(?:\.[0-9]+)?)(?![0-9])(?!\.[0-9])
    (?(bp)|(?:\s?(?P<bs>m?[EN]|m)(?![A-Za-z]))?)
    """,
    re.X | re.I | re.ASCII,
)


# --------------------------------------------------------------------------- parsed parts


@dataclass(frozen=True)
class _Part:
    """One axis as written: its numbers, its marks, what it says about itself."""

    kind: Literal["dd", "dm", "dms"]
    deg: str
    minutes: str | None
    seconds: str | None
    axis: Axis | None  # from a hemisphere letter or a label
    negative: bool
    minus: bool  # the negative comes from a minus sign, not from S / W / 南纬 / 西经
    labelled: bool  # hemisphere letter, lat/lon word or Chinese label
    named: bool  # lat/lon word or Chinese label (stronger than a lone letter)
    marked: bool  # degree, minute or second signs
    conflict: str | None  # e.g. "labelled latitude but marked E"


@dataclass(frozen=True)
class _Value:
    """One reading of one axis: magnitude in degrees, how it was read."""

    degrees: float
    kind: str
    unit_deg: float
    note: str | None = None


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    kind: Literal["geo", "utm"]
    match: re.Match[str]
    parts: tuple[_Part, _Part] | None = None
    weak: bool = False  # recognised only if some reading lies in the region


def _decimals(number: str) -> int:
    return len(number.partition(".")[2])


def _part(m: re.Match[str], i: int) -> _Part:
    g = m.group
    word, zh = g(f"w{i}"), g(f"z{i}")
    hem = g(f"h{i}") or g(f"hs{i}")
    axis: Axis | None = None
    negative = g(f"sg{i}") == "-"
    conflict: str | None = None
    label_axis: Axis | None = None
    if word:
        label_axis = "lat" if word.lower().startswith("lat") else "lon"
    elif zh:
        label_axis, neg = _ZH_AXIS[zh]
        negative = negative or neg
    if hem:
        hem_axis: Axis = "lat" if hem.upper() in "NS" else "lon"
        negative = negative or hem.upper() in "SW"
        if label_axis and label_axis != hem_axis:
            conflict = Said(msg(f"locate.coords_{label_axis}_marked", mark=hem.upper()))
        axis = hem_axis
    else:
        axis = label_axis
    if g(f"a{i}"):
        kind: Literal["dd", "dm", "dms"] = "dms"
        deg, minutes, seconds = g(f"a{i}"), g(f"am{i}"), g(f"as{i}")
        marks = (g(f"ad{i}") + g(f"amm{i}") + (g(f"asm{i}") or "")).strip()
    elif g(f"b{i}"):
        kind = "dm"
        deg, minutes, seconds = g(f"b{i}"), g(f"bm{i}"), None
        marks = (g(f"bd{i}") + (g(f"bmm{i}") or "")).strip()
    else:
        kind = "dd"
        deg, minutes, seconds = g(f"c{i}"), None, None
        marks = (g(f"cd{i}") or "").strip()
    return _Part(
        kind=kind,
        deg=deg,
        minutes=minutes,
        seconds=seconds,
        axis=axis,
        negative=negative,
        minus=g(f"sg{i}") == "-",
        labelled=bool(word or zh or hem),
        named=bool(word or zh),
        marked=bool(marks),
        conflict=conflict,
    )


_AXIS_NAME: dict[Axis, str] = {"lat": "latitude", "lon": "longitude"}
_KIND_NAME = {
    "dd": "decimal degrees",
    "dm": "degrees and decimal minutes",
    "dm0": "degrees and minutes",
    "dms": "degrees, minutes and seconds",
}
_KIND_NAME_ZH = {"dd": "十进制度", "dm": "度和十进制分", "dm0": "度和分", "dms": "度、分、秒"}
_ORDER_ZH = {"latitude first": "纬度在前", "longitude first": "经度在前"}


def _bare_ok(p: _Part, q: _Part) -> tuple[bool, bool]:
    """Whether two unlabelled parts look like a coordinate; and whether only weakly."""
    if p.kind != q.kind:
        return False, False
    if p.kind == "dd":
        d = (_decimals(p.deg), _decimals(q.deg))
        if min(d) < 2:
            return False, False  # "5度，10度", "2.5, 3.5 km", "31, 81"
        if p.marked and q.marked:  # "31.08°, 81.35°"
            return True, False
        return True, max(d) < 3
    for x in (p, q):
        assert x.minutes is not None
        whole_min = x.minutes.partition(".")[0]
        if len(whole_min) != 2 or float(x.minutes) >= 60:
            return False, False
        if p.kind == "dm" and not (x.marked or _decimals(x.minutes)):
            return False, False
        # Bare D M S needs decimal seconds: "12 30 45 5 10 20" is anything but a position.
        if x.seconds is not None and (
            len(x.seconds.partition(".")[0]) != 2
            or float(x.seconds) >= 60
            or not (x.marked or _decimals(x.seconds))
        ):
            return False, False
    return True, False


def _geo_candidate(m: re.Match[str]) -> _Candidate | None:
    """Decide, without raising, whether a pattern match is a coordinate at all."""
    p, q = _part(m, 0), _part(m, 1)
    header = bool(m.group("hdr"))
    named = header or p.named or q.named
    labelled = header or p.labelled or q.labelled
    structured = any(x.kind != "dd" and x.marked for x in (p, q))
    weak = False
    if labelled or structured:
        if not named and all(x.kind == "dd" and not x.marked and "." not in x.deg for x in (p, q)):
            return None  # "N31 E81", "S 2, E 3": too vague and too easily something else
    else:
        if m.group("sep").strip().lower() in {"and", "&", "和", "及"}:
            return None
        ok, weak = _bare_ok(p, q)
        if not ok:
            return None
        values = [float(p.deg), float(q.deg)]
        if not (max(values) <= 180 and min(values) <= 90):
            return None
    start, end = m.span()
    return _Candidate(start, end, "geo", m, (p, q), weak)


def _utm_candidate(m: re.Match[str]) -> _Candidate | None:
    markers = [m.group(n) for n in ("ap", "as", "bp", "bs")]
    has_en = any(x and x[-1].upper() in "EN" for x in markers)
    if not (m.group("kw") or m.group("zone") or m.group("zone2") or has_en):
        return None
    start, end = m.span()
    return _Candidate(start, end, "utm", m)


# --------------------------------------------------------------------------- readings


@dataclass(frozen=True)
class _Reading:
    lat: float
    lon: float
    label: str
    uncertainty_m: float
    rank: int


def _values(p: _Part, problems: list[str]) -> list[_Value]:
    """Every reading of one part's magnitude; impossible ones go to ``problems``."""
    deg = float(p.deg)
    if p.kind == "dd":
        return [_Value(deg, "dd", 10.0 ** -_decimals(p.deg))]
    assert p.minutes is not None
    minutes = float(p.minutes)
    if minutes >= 60:
        problems.append(Said(msg("locate.coords_minutes", value=p.minutes)))
        return []
    if p.kind == "dm":
        kind = "dm" if "." in p.minutes else "dm0"
        return [_Value(deg + minutes / 60, kind, 10.0 ** -_decimals(p.minutes) / 60)]
    assert p.seconds is not None
    seconds = float(p.seconds)
    if seconds < 60:
        return [
            _Value(deg + minutes / 60 + seconds / 3600, "dms", 10.0 ** -_decimals(p.seconds) / 3600)
        ]
    # Decimal minutes typed as seconds: 31°05.795' -> 31°05'79.5" or 31°05'795".
    digits = p.seconds.replace(".", "")
    alt = f"{p.minutes}.{digits}"
    if float(alt) < 60:
        note = Said(
            msg(
                "locate.reading_seconds_as_minutes",
                seconds=p.seconds,
                written=f"{p.minutes}'{p.seconds}\"",
                read=f"{alt}'",
            )
        )
        # Labelled as written (D M S); the note says what was assumed.
        return [_Value(deg + float(alt) / 60, "dms", 10.0 ** -len(digits) / 60, note)]
    problems.append(Said(msg("locate.coords_seconds", value=p.seconds)))
    return []


def _fmt_deg(value: float) -> str:
    return f"{round(value, 6):g}"


def _combine(
    lat_v: _Value,
    lon_v: _Value,
    lat_neg: bool,
    lon_neg: bool,
    order: str,
    notes: list[str],
    rank: int,
    problems: list[str],
) -> _Reading | None:
    lat = -lat_v.degrees if lat_neg else lat_v.degrees
    lon = -lon_v.degrees if lon_neg else lon_v.degrees
    bad = False
    if not -90 <= lat <= 90:
        problems.append(Said(msg("locate.coords_latitude", value=_fmt_deg(lat))))
        bad = True
    if not -180 <= lon <= 180:
        problems.append(Said(msg("locate.coords_longitude", value=_fmt_deg(lon))))
        bad = True
    if bad:
        return None
    first, second = (lat_v, lon_v) if order == "latitude first" else (lon_v, lat_v)
    kinds = (first.kind,) if first.kind == second.kind else (first.kind, second.kind)
    kind = Name(
        " / ".join(_KIND_NAME[k] for k in kinds), " / ".join(_KIND_NAME_ZH[k] for k in kinds)
    )
    all_notes = [n for n in (first.note, second.note) if n] + notes
    label = Said(
        msg(
            "locate.reading",
            kind=kind,
            order=Name(order, _ORDER_ZH[order]),
            notes=joined([Name("", ""), *all_notes]) if all_notes else "",
        )
    )
    unc = max(lat_v.unit_deg, lon_v.unit_deg) * _M_PER_DEG
    return _Reading(lat, lon, label, unc, rank)


def _geo_readings(
    parts: tuple[_Part, _Part],
    header: str | None,
    *,
    rescue: bool,
    problems: list[str],
) -> list[_Reading]:
    """Readings of a two-part coordinate; with ``rescue``, the mix-up readings instead."""
    p, q = parts
    for x in (p, q):
        if x.conflict:
            problems.append(x.conflict)
            return []
    if p.axis and q.axis and p.axis == q.axis:
        problems.append(Said(msg(f"locate.coords_both_{p.axis}")))
        return []
    vp, vq = _values(p, problems), _values(q, problems)
    if not vp or not vq:
        return []

    # (index of the latitude part, rank, notes)
    orders: list[tuple[int, int, list[str]]] = []
    explicit = bool(p.axis or q.axis)
    if explicit:
        lat_first = p.axis == "lat" or q.axis == "lon"
        orders.append((0 if lat_first else 1, 0, []))
    else:
        hint_lon_first = bool(header) and str(header).lower().startswith(("lon", "lng"))
        said: list[str] = [Said(msg("locate.reading_says", header=header))] if header else []
        orders.append((0, 1 if hint_lon_first else 0, said if hint_lon_first else []))
        orders.append((1, 0 if hint_lon_first else 1, [] if hint_lon_first else said))

    # (flip latitude sign, flip longitude sign): the literal reading, or the mix-ups.
    flips = [(False, False)]
    if rescue:
        if explicit:
            orders.append(
                (
                    1 - orders[0][0],
                    5,
                    [Said(msg("locate.reading_swapped"))],
                )
            )
        flips = [(False, False), (True, False), (False, True), (True, True)]

    out: list[_Reading] = []
    for lat_index, rank, notes in orders:
        lat_part, lon_part = (p, q) if lat_index == 0 else (q, p)
        lat_vals, lon_vals = (vp, vq) if lat_index == 0 else (vq, vp)
        order = "latitude first" if lat_index == 0 else "longitude first"
        for flip_lat, flip_lon in flips:
            if rescue and rank < 5 and not (flip_lat or flip_lon):
                continue  # tried already as a literal reading
            flip_notes: list[str] = []
            if flip_lat:
                flip_notes.append(_flip_note(lat_part, "south", "north"))
            if flip_lon:
                flip_notes.append(_flip_note(lon_part, "west", "east"))
            lat_neg = lat_part.negative != flip_lat
            lon_neg = lon_part.negative != flip_lon
            for lv in lat_vals:
                for ov in lon_vals:
                    r = _combine(
                        lv,
                        ov,
                        lat_neg,
                        lon_neg,
                        order,
                        notes + flip_notes,
                        rank + (3 if flip_notes else 0),
                        problems,
                    )
                    if r is not None:
                        out.append(r)
    return out


def _flip_note(part: _Part, negative: str, positive: str) -> str:
    if part.minus:
        return Said(msg("locate.reading_minus_dropped"))
    if part.negative:
        return Said(msg(f"locate.reading_{negative}_read_as_{positive}"))
    return Said(msg(f"locate.reading_taken_as_{negative}"))


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

    # hemispheres to try: (zone, southern, label)
    zone_s = m.group("zone") or m.group("zone2")
    band = (m.group("band") or "").upper()
    hemis: list[tuple[int, bool, Msg]] = []
    if zone_s:
        zone = int(zone_s)
        if not 1 <= zone <= 60:
            problems.append(Said(msg("locate.coords_utm_zone", zone=zone)))
            return []
        if not band:
            region_zone, southern = _region_zone(utm_crs)
            hemi = "S" if southern else "N"
            hemis.append(
                (zone, southern, msg("locate.utm_zone_hemisphere_assumed", zone=f"{zone}{hemi}"))
            )
        elif band == "S":
            hemis.append((zone, False, msg("locate.utm_zone_band_s", zone=f"{zone}S")))
            hemis.append((zone, True, msg("locate.utm_zone_s_south", zone=f"{zone}S")))
        elif band == "N":
            hemis.append((zone, False, msg("locate.utm_zone", zone=f"{zone}N")))
        else:
            southern = band < "N"
            key = "locate.utm_zone_band_" + ("south" if southern else "north")
            hemis.append((zone, southern, msg(key, zone=f"{zone}{band}", band=band)))
    else:
        zone, southern = _region_zone(utm_crs)
        hemis.append(
            (
                zone,
                southern,
                msg("locate.utm_zone_assumed", zone=f"{zone}{'S' if southern else 'N'}"),
            )
        )

    # (easting, northing, northing written first)
    orders: list[tuple[str, str, bool]] = []
    if ma == "N" or mb == "E":
        orders.append((b, a, True))
    elif ma or mb:
        orders.append((a, b, False))
    elif len(a.partition(".")[0]) > len(b.partition(".")[0]):
        orders.append((b, a, True))
    else:
        orders.append((a, b, False))
        if len(a.partition(".")[0]) == len(b.partition(".")[0]):
            orders.append((b, a, True))

    out: list[_Reading] = []
    for rank_o, (e_s, n_s, northing_first) in enumerate(orders):
        easting, northing = float(e_s), float(n_s)
        ok = True
        if not 100_000 <= easting <= 900_000:
            problems.append(Said(msg("locate.coords_utm_easting", value=f"{easting:,.0f}")))
            ok = False
        if not 0 <= northing <= 10_000_000:
            problems.append(Said(msg("locate.coords_utm_northing", value=f"{northing:,.0f}")))
            ok = False
        if not ok:
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
