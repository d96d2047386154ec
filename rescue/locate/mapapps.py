"""Positions pasted or read from map apps: links, ``geo:`` URIs, Plus Codes, app datums.

* **Links** (Amap/高德, Baidu, Google, Apple maps) and ``geo:`` URIs pasted into the box are
  read with the datum the app uses: Amap shows GCJ-02 (``position=lng,lat``), Baidu BD-09
  (``location=lat,lng``), Google and ``geo:`` WGS84; Apple Maps in China draws on Chinese
  map data in GCJ-02, so an Apple link gets both readings (GCJ-02 first).
* **Plus Codes** (Open Location Code, https://github.com/google/open-location-code) are
  decoded with the ``openlocationcode`` package; a short code ("MP+VV") is recovered near the
  region's centre.
* **Decimal coordinates read off an app**: when the caller names the app (高德, 微信, 腾讯,
  Amap, WeChat, Tencent: GCJ-02; 百度, Baidu: BD-09) the reading is converted to WGS84;
  when the text names no app and no GPS device, a reading inside China gets the GCJ-02
  reading as a second one (both are weighed; WGS84 first).

The conversions are :mod:`rescue.locate.chinamaps`. Word lists are in
``geodata/lexicon/mapapps.json`` (not code).
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from geodata.i18n import Said, msg
from rescue.locate.chinamaps import bd09_to_wgs84, gcj02_to_wgs84, in_china
from rescue.locate.coords import CoordinateMatch
from rescue.locate.model import CoordinateReading

__all__ = ["find_links", "with_app_datum", "LEXICON"]

LEXICON = Path(__file__).resolve().parents[2] / "geodata" / "lexicon" / "mapapps.json"

_NUM = r"(-?\d{1,3}\.\d{3,})"
_PAIR = _NUM + r"\s*(?:,|%2C)\s*" + _NUM
_OLC_CHARS = "23456789CFGHJMPQRVWX"
_PLUS_FULL = re.compile(
    rf"(?<![0-9A-Za-z])([{_OLC_CHARS}]{{8}}\+[{_OLC_CHARS}]{{2,3}})(?![0-9A-Za-z])"
)
_PLUS_SHORT = re.compile(
    rf"(?<![0-9A-Za-z+])([{_OLC_CHARS}]{{4}}\+[{_OLC_CHARS}]{{2,3}})(?![0-9A-Za-z])"
)


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(LEXICON.read_text(encoding="utf-8"))
    return data


def _reading(lon: float, lat: float, label: str, written: str, unc: float) -> CoordinateReading:
    return CoordinateReading(lon=lon, lat=lat, label=label, text=written, uncertainty_m=unc)


def _link_readings(kind: str, a: float, b: float, written: str) -> tuple[CoordinateReading, ...]:
    if kind == "amap":  # lng,lat in GCJ-02
        return (_reading(*gcj02_to_wgs84(a, b), Said(msg("locate.link_amap")), written, 5.0),)
    if kind == "baidu":  # lat,lng in BD-09
        return (_reading(*bd09_to_wgs84(b, a), Said(msg("locate.link_baidu")), written, 5.0),)
    if kind == "apple":  # lat,lon; GCJ-02 in China
        return (
            _reading(*gcj02_to_wgs84(b, a), Said(msg("locate.link_apple_gcj02")), written, 5.0),
            _reading(b, a, Said(msg("locate.link_apple_wgs84")), written, 5.0),
        )
    return (
        _reading(
            b,
            a,
            Said(msg("locate.link_geo" if kind == "geo" else "locate.link_google")),
            written,
            5.0,
        ),
    )


_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "amap",
        re.compile(
            r"\S*(?:amap\.com|gaode\.com)\S*?(?:position|location|p|q)=" + _PAIR + r"\S*", re.I
        ),
    ),
    ("baidu", re.compile(r"\S*map\.baidu\.com\S*?(?:location|latlng)=" + _PAIR + r"\S*", re.I)),
    (
        "google",
        re.compile(
            r"\S*(?:google\.[a-z.]+/maps|goo\.gl/maps|maps\.google\.[a-z.]+)\S*?(?:[?&](?:q|query|ll|center)=|@)"
            + _PAIR
            + r"\S*",
            re.I,
        ),
    ),
    ("apple", re.compile(r"\S*maps\.apple\.com\S*?[?&](?:ll|q|sll)=" + _PAIR + r"\S*", re.I)),
    ("geo", re.compile(r"geo:" + _PAIR + r"\S*", re.I)),
)


def find_links(
    text: str, bbox: tuple[float, float, float, float] | None = None
) -> list[CoordinateMatch]:
    """Map links, ``geo:`` URIs and Plus Codes in the text, in text order."""
    from openlocationcode import openlocationcode as olc

    found: list[CoordinateMatch] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for kind, pattern in _LINKS:
        for m in pattern.finditer(text):
            if not free(m.start(), m.end()):
                continue
            a, b = float(m.group(1)), float(m.group(2))
            written = m.group(0)
            found.append(
                CoordinateMatch(m.start(), m.end(), written, _link_readings(kind, a, b, written))
            )
            taken.append((m.start(), m.end()))
    for m in _PLUS_FULL.finditer(text):
        if free(m.start(), m.end()) and olc.isFull(m.group(1)):
            area = olc.decode(m.group(1))
            unc = (
                max(area.latitudeHi - area.latitudeLo, area.longitudeHi - area.longitudeLo)
                * 111_320
                / 2
            )
            r = _reading(
                area.longitudeCenter,
                area.latitudeCenter,
                Said(msg("locate.plus_code")),
                m.group(1),
                unc,
            )
            found.append(CoordinateMatch(m.start(), m.end(), m.group(1), (r,)))
            taken.append((m.start(), m.end()))
    if bbox is not None:
        clon, clat = (bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0
        for m in _PLUS_SHORT.finditer(text):
            if free(m.start(), m.end()) and olc.isShort(m.group(1)):
                area = olc.decode(olc.recoverNearest(m.group(1), clat, clon))
                r = _reading(
                    area.longitudeCenter,
                    area.latitudeCenter,
                    Said(msg("locate.plus_code_short")),
                    m.group(1),
                    10.0,
                )
                found.append(CoordinateMatch(m.start(), m.end(), m.group(1), (r,)))
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda c: c.start)


_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?=\s)")


def _app_of(text: str, start: int, end: int) -> str | None:
    """The datum of the app named in the sentence holding the coordinate at ``start``;
    an app followed by a negation ("微信发不出去", "WeChat doesn't work") is not the source."""
    lex = _lexicon()
    begin = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    stop = next((m.start() for m in _SENTENCE_END.finditer(text, end)), len(text))
    window = (text[begin:start] + " " + text[end:stop]).lower()
    for datum in ("bd09", "gcj02", "wgs84"):
        for w in lex["apps"][datum]:
            i = window.rfind(w)
            if i < 0:
                continue
            after = window[i + len(w) : i + len(w) + 8]
            if any(n in after for n in lex["negations"]):
                continue
            return datum
    return None


def with_app_datum(
    text: str, matches: list[CoordinateMatch]
) -> tuple[list[CoordinateMatch], str | None]:
    """Decimal/DM/DMS coordinates with the datum of the app the caller names.

    Returns the matches (readings converted or doubled) and a note for the call taker.
    """
    if not matches:
        return matches, None
    out: list[CoordinateMatch] = []
    note = None
    for cm in matches:
        datum = _app_of(text, cm.start, cm.end)
        first = cm.readings[0]
        if not in_china(first.lon, first.lat) or datum == "wgs84":
            out.append(cm)
            continue
        if datum == "gcj02":
            conv = [
                replace(r, lon=x, lat=y, label=Said(msg("locate.reading_gcj02", reading=r.label)))
                for r in cm.readings
                for x, y in [gcj02_to_wgs84(r.lon, r.lat)]
            ]
            note = Said(msg("locate.note.gcj02"))
        elif datum == "bd09":
            conv = [
                replace(r, lon=x, lat=y, label=Said(msg("locate.reading_bd09", reading=r.label)))
                for r in cm.readings
                for x, y in [bd09_to_wgs84(r.lon, r.lat)]
            ]
            note = Said(msg("locate.note.bd09"))
        else:
            x, y = gcj02_to_wgs84(first.lon, first.lat)
            conv = [
                *cm.readings[:1],
                replace(
                    first,
                    lon=x,
                    lat=y,
                    label=Said(msg("locate.reading_maybe_gcj02", reading=first.label)),
                ),
                *cm.readings[1:],
            ]
            note = Said(msg("locate.note.which_app"))
        out.append(replace(cm, readings=tuple(conv)))
    return out, note
