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
