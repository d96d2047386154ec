"""Geographic coordinates: every reading of a latitude/longitude pair, most likely first.

The magnitude of each part as degrees, degrees and minutes or degrees-minutes-seconds,
either order, hemispheres assumed or flipped, each reading labelled with what was assumed
and with the ground uncertainty of its last digit.
"""

from __future__ import annotations

from geodata.i18n import Name, Said, joined, msg
from rescue.locate._coord_forms import (
    _KIND_NAME,
    _KIND_NAME_ZH,
    _M_PER_DEG,
    _ORDER_ZH,
    _decimals,
    _Part,
    _Reading,
    _Value,
)


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


#: (flip latitude sign, flip longitude sign): the literal reading, then the mix-ups
_LITERAL: tuple[tuple[bool, bool], ...] = ((False, False),)
_FLIPS: tuple[tuple[bool, bool], ...] = ((False, False), (True, False), (False, True), (True, True))
#: rank of the reading with latitude and longitude swapped against their letters
_SWAPPED_RANK = 5


def _geo_readings(
    parts: tuple[_Part, _Part],
    header: str | None,
    *,
    rescue: bool,
    problems: list[str],
) -> list[_Reading]:
    """Readings of a two-part coordinate; with ``rescue``, the mix-up readings instead."""
    p, q = parts
    if not _parts_agree(p, q, problems):
        return []
    vp, vq = _values(p, problems), _values(q, problems)
    if not vp or not vq:
        return []
    out: list[_Reading] = []
    for lat_index, rank, notes in _orders(p, q, header, rescue=rescue):
        lat = (p, vp) if lat_index == 0 else (q, vq)
        lon = (q, vq) if lat_index == 0 else (p, vp)
        order = "latitude first" if lat_index == 0 else "longitude first"
        for flip in _FLIPS if rescue else _LITERAL:
            if rescue and rank < _SWAPPED_RANK and flip == (False, False):
                continue  # tried already as a literal reading
            out.extend(_flipped_readings(lat, lon, flip, order, notes, rank, problems))
    return out


def _parts_agree(p: _Part, q: _Part, problems: list[str]) -> bool:
    """Whether two parts can make one position (else why not, in ``problems``)."""
    for x in (p, q):
        if x.conflict:
            problems.append(x.conflict)
            return False
    if p.axis and q.axis and p.axis == q.axis:
        problems.append(Said(msg(f"locate.coords_both_{p.axis}")))
        return False
    return True


def _orders(
    p: _Part, q: _Part, header: str | None, *, rescue: bool
) -> list[tuple[int, int, list[str]]]:
    """The orders to read two parts in: (index of the latitude part, rank, notes)."""
    if p.axis or q.axis:
        lat_first = p.axis == "lat" or q.axis == "lon"
        orders: list[tuple[int, int, list[str]]] = [(0 if lat_first else 1, 0, [])]
        if rescue:
            swapped: list[str] = [Said(msg("locate.reading_swapped"))]
            orders.append((1 - orders[0][0], _SWAPPED_RANK, swapped))
        return orders
    hint_lon_first = bool(header) and str(header).lower().startswith(("lon", "lng"))
    said: list[str] = [Said(msg("locate.reading_says", header=header))] if header else []
    return [
        (0, 1 if hint_lon_first else 0, said if hint_lon_first else []),
        (1, 0 if hint_lon_first else 1, [] if hint_lon_first else said),
    ]


def _flipped_readings(
    lat: tuple[_Part, list[_Value]],
    lon: tuple[_Part, list[_Value]],
    flip: tuple[bool, bool],
    order: str,
    notes: list[str],
    rank: int,
    problems: list[str],
) -> list[_Reading]:
    """Every reading of one order with the hemispheres flipped as ``flip`` says."""
    (lat_part, lat_vals), (lon_part, lon_vals) = lat, lon
    flip_lat, flip_lon = flip
    flip_notes: list[str] = []
    if flip_lat:
        flip_notes.append(_flip_note(lat_part, "south", "north"))
    if flip_lon:
        flip_notes.append(_flip_note(lon_part, "west", "east"))
    lat_neg = lat_part.negative != flip_lat
    lon_neg = lon_part.negative != flip_lon
    out: list[_Reading] = []
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
