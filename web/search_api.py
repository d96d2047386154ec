"""The map's search box: find a place by any name, or read a coordinate (``/api/search/...``).

``GET /api/search/places?q=&limit=``
    Places the locate name index (:class:`rescue.locate.names.NameIndex`, with the
    region's extra aliases) finds for ``q``: English names and aliases in any of their
    romanisations, pinyin with or without tones, Chinese (also typed with a homophone),
    Tibetan script. Best first, at most ``limit`` (default 8, at most 25). An empty
    answer is a 200 with no matches.
``GET /api/search/coordinates?q=``
    Every reading of the coordinate written in ``q``, in any form the locator reads (the
    same reader as ``POST /api/locate``, :func:`rescue.locate.clues.parse_clues`): decimal
    degrees, degrees-minutes(-seconds), UTM, ``北纬31.08 东经81.35``, map links (Amap,
    Baidu, Google, Apple, ``geo:``), Plus Codes, and decimal degrees read off a Chinese
    app (GCJ-02 / BD-09, converted to WGS84). Text without a coordinate is a 422.

Bad input is a 422 in the JSON error envelope (:mod:`web.errors`); its ``message`` is in
the language of ``Accept-Language`` (English or Chinese) and ``data.message`` has both.
Both endpoints are for every role that reads the map (call takers, officers, planners).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from geodata.errors import InvalidInput
from geodata.i18n import LANGUAGES, Msg, Name, joined, text
from rescue.locate import LOCAL_TZ
from rescue.locate.clues import MAX_TEXT_CHARS, parse_clues
from rescue.locate.engine import get_index
from rescue.locate.model import Mention
from web.contract import READERS, Contract, ProblemText, api_operation, problem
from web.state import get_state

__all__ = ["MAX_LIMIT", "MAX_QUERY_CHARS", "bp"]

bp = Blueprint("search_api", __name__, url_prefix="/api/search")

#: the longest search text accepted (a pasted map link fits)
MAX_QUERY_CHARS = 300
#: the most places one search returns
MAX_LIMIT = 25
_DEFAULT_LIMIT = 8


def _both(en: str, zh: str) -> Msg:
    """A text in both languages, as one part."""
    return joined([Name(en, zh)])


def _refuse(en: str, zh: str, details: list[str] | None = None) -> InvalidInput:
    """A 422 whose message the error handler renders in the caller's language (the text in
    both languages as one bilingual part); ``data.message`` has both."""
    return InvalidInput(_both(en, zh), details=details)


def _q(value: Any) -> str:
    text = str(value).strip()
    if len(text) > MAX_QUERY_CHARS:
        raise problem(
            _both(
                f"The search text has {len(text):,} characters; at most {MAX_QUERY_CHARS} are "
                "accepted.",
                f"查找内容有 {len(text):,} 个字符，最多接受 {MAX_QUERY_CHARS} 个。",
            )
        )
    return text


def _limit(value: Any) -> int:
    raw = str(value)
    if not re.fullmatch(r"\d{1,3}", raw.strip()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise problem(
            _both(
                f"limit must be a whole number from 1 to {MAX_LIMIT}, not “{raw[:20]}”.",
                f"limit 须为 1 到 {MAX_LIMIT} 的整数，而不是“{raw[:20]}”。",
            )
        )
    return int(raw)


_Q = {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS}


class CoordinateSearch(Contract):
    """``GET /api/search/coordinates``: the text to read a coordinate from."""

    model_config = ConfigDict(extra="forbid")
    problem_texts: ClassVar[dict[tuple[str, str], ProblemText]] = {
        ("missing", "q"): lambda _: _both(
            "Type what to search for (parameter q).", "请输入要查找的内容（参数 q）。"
        )
    }

    q: Annotated[str, BeforeValidator(_q), WithJsonSchema(_Q)]


class PlaceSearch(CoordinateSearch):
    """``GET /api/search/places``: a name in any language or spelling, and how many."""

    limit: Annotated[
        int,
        BeforeValidator(_limit),
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
    ] = _DEFAULT_LIMIT


def _opt(value: Any) -> Any:
    """A table cell as JSON: NaN and empty strings become null."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    return value


class PlaceMatch(BaseModel):
    """A place found, best first."""

    place_id: str
    score: Annotated[float, Field(ge=0, le=1)]
    name_en: str | None
    name_zh: str | None
    name_bo: str | None = None
    type: str | None = None
    route_id: str | None = None
    kora_km: float | None = None
    elevation_m: float | None = None
    lon: float
    lat: float


class PlacesFound(BaseModel):
    """``GET /api/search/places``."""

    query: str
    count: int
    matches: list[PlaceMatch]


class CoordinateReading(BaseModel):
    """One reading of the coordinate written in the text."""

    lon: float
    lat: float
    label: str
    label_zh: str
    text: str
    uncertainty_m: float
    in_region: bool


class CoordinatesFound(BaseModel):
    """``GET /api/search/coordinates``."""

    query: str
    count: Annotated[int, Field(ge=1)]
    readings: Annotated[list[CoordinateReading], Field(min_length=1)]
    notes: list[str]


@api_operation(
    bp,
    "GET",
    "/places",
    summary="places the locate name index finds for a name in any language or spelling",
    roles=READERS,
    query=PlaceSearch,
    ok={200: PlacesFound},
)
def places(query: PlaceSearch) -> Response:
    network = get_state().network
    found = get_index(network).names.search(query.q, limit=query.limit)
    table = network.region.places
    matches = []
    for place_id, score in found:
        if place_id not in table.index:  # the index is built from these places: never
            continue
        row = table.loc[place_id]
        point = row.geometry
        matches.append(
            {
                "place_id": place_id,
                "score": score,
                "name_en": _opt(row.get("name_en")),
                "name_zh": _opt(row.get("name_zh")),
                "name_bo": _opt(row.get("name_bo")),
                "type": _opt(row.get("type")),
                "route_id": _opt(row.get("route_id")),
                "kora_km": _opt(row.get("kora_km")),
                "elevation_m": _opt(row.get("elevation_m")),
                "lon": round(float(point.x), 6),
                "lat": round(float(point.y), 6),
            }
        )
    return jsonify(query=query.q, count=len(matches), matches=matches)


class _NoNames:
    """A name index that finds nothing: only the coordinates of the text are wanted."""

    def find(self, text: str) -> list[Mention]:
        return []


@api_operation(
    bp,
    "GET",
    "/coordinates",
    summary="every reading of a coordinate written in any form the locator reads",
    roles=READERS,
    query=CoordinateSearch,
    ok={200: CoordinatesFound},
)
def coordinates(query: CoordinateSearch) -> Response:
    q = query.q
    network = get_state().network
    bbox_raw = network.region.metadata.get("bbox")
    bbox = tuple(float(v) for v in bbox_raw) if bbox_raw else None
    if len(q) > MAX_TEXT_CHARS:  # pragma: no cover - MAX_QUERY_CHARS is smaller
        raise _refuse("The text is too long.", "内容过长。")
    try:
        clues = parse_clues(
            q,
            names=_NoNames(),
            reported_at=datetime.now(LOCAL_TZ),
            bbox=bbox,  # type: ignore[arg-type]
        )
    except InvalidInput as exc:
        raise _refuse(
            f"“{q[:80]}” cannot be a position here: {exc.message}",
            f"“{q[:80]}”不可能是本区域内的位置：{exc.message}",
            details=[exc.message, *exc.details],
        ) from None
    if not clues.coordinates:
        raise _refuse(
            f"No coordinate found in “{q[:80]}”. Write e.g. 31.0667, 81.3125 · "
            "31°04′N 81°18′45″E · 44R 529812 3437036 · a map link or a Plus Code.",
            f"“{q[:80]}”中没有找到坐标。例如：北纬31.0667 东经81.3125 · 31°04′N 81°18′45″E · "
            "44R 529812 3437036 · 地图链接或 Plus Code。",
        )
    west, south, east, north = bbox if bbox else (-180.0, -90.0, 180.0, 90.0)
    readings = [
        {
            "lon": round(r.lon, 6),
            "lat": round(r.lat, 6),
            "label": r.label,
            "label_zh": text(r.label, "zh"),  # the catalog's (a Said)
            "text": r.text,
            "uncertainty_m": round(r.uncertainty_m, 1),
            "in_region": west <= r.lon <= east and south <= r.lat <= north,
        }
        for r in clues.coordinates
    ]
    return jsonify(query=q, count=len(readings), readings=readings, notes=list(clues.notes))


@bp.errorhandler(InvalidInput)
def _refused(exc: InvalidInput) -> Response:
    """Every refusal of the search with its message in both languages in ``data.message``
    (the search box shows the one of the page)."""
    from web.errors import sandtable_error

    if exc.data is None:
        exc.data = {"message": {lang: exc.message_in(lang) or exc.message for lang in LANGUAGES}}
    return sandtable_error(exc)
