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
from typing import Any

from flask import Blueprint, Response, jsonify, request

from geodata.errors import InvalidInput
from geodata.i18n import Name, joined
from rescue.locate import LOCAL_TZ
from rescue.locate.clues import MAX_TEXT_CHARS, parse_clues
from rescue.locate.engine import get_index
from rescue.locate.model import Mention
from web import openapi
from web.auth import require_role
from web.state import get_state

__all__ = ["MAX_LIMIT", "MAX_QUERY_CHARS", "bp", "reading_label_zh"]

bp = Blueprint("search_api", __name__, url_prefix="/api/search")

#: the longest search text accepted (a pasted map link fits)
MAX_QUERY_CHARS = 300
#: the most places one search returns
MAX_LIMIT = 25
_DEFAULT_LIMIT = 8


def _refuse(en: str, zh: str, details: list[str] | None = None) -> InvalidInput:
    """A 422 whose message the error handler renders in the caller's language (the text in
    both languages as one bilingual part); ``data.message`` has both."""
    return InvalidInput(
        joined([Name(en, zh)]), details=details, data={"message": {"en": en, "zh": zh}}
    )


def _params(*allowed: str) -> dict[str, str]:
    """The query parameters: known, given once; ``q`` is required, stripped, not too long."""
    for name in request.args:
        if name not in allowed:
            raise _refuse(
                f"Unknown query parameter “{name}” (accepted: {', '.join(allowed)}).",
                f"未知的查询参数“{name}”（可用：{', '.join(allowed)}）。",
            )
        if len(request.args.getlist(name)) > 1:
            raise _refuse(
                f"Query parameter “{name}” is given more than once.",
                f"查询参数“{name}”重复出现。",
            )
    q = request.args.get("q", "").strip()
    if not q:
        raise _refuse("Type what to search for (parameter q).", "请输入要查找的内容（参数 q）。")
    if len(q) > MAX_QUERY_CHARS:
        raise _refuse(
            f"The search text has {len(q):,} characters; at most {MAX_QUERY_CHARS} are accepted.",
            f"查找内容有 {len(q):,} 个字符，最多接受 {MAX_QUERY_CHARS} 个。",
        )
    return {name: request.args[name] for name in request.args} | {"q": q}


def _limit(raw: str | None) -> int:
    if raw is None:
        return _DEFAULT_LIMIT
    if not re.fullmatch(r"\d{1,3}", raw.strip()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise _refuse(
            f"limit must be a whole number from 1 to {MAX_LIMIT}, not “{raw[:20]}”.",
            f"limit 须为 1 到 {MAX_LIMIT} 的整数，而不是“{raw[:20]}”。",
        )
    return int(raw)


def _opt(value: Any) -> Any:
    """A table cell as JSON: NaN and empty strings become null."""
    if value is None or (isinstance(value, float) and value != value) or value == "":
        return None
    return value


@bp.get("/places")
@require_role("call_taker", "officer", "planner")
def places() -> Response:
    params = _params("q", "limit")
    limit = _limit(params.get("limit"))
    network = get_state().network
    found = get_index(network).names.search(params["q"], limit=limit)
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
    return jsonify(query=params["q"], count=len(matches), matches=matches)


class _NoNames:
    """A name index that finds nothing: only the coordinates of the text are wanted."""

    def find(self, text: str) -> list[Mention]:
        return []


@bp.get("/coordinates")
@require_role("call_taker", "officer", "planner")
def coordinates() -> Response:
    q = _params("q")["q"]
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
            "label_zh": reading_label_zh(r.label),
            "text": r.text,
            "uncertainty_m": round(r.uncertainty_m, 1),
            "in_region": west <= r.lon <= east and south <= r.lat <= north,
        }
        for r in clues.coordinates
    ]
    return jsonify(query=q, count=len(readings), readings=readings, notes=list(clues.notes))


#: English phrases of the coordinate reader's labels and their Chinese, longest first
_LABEL_ZH: tuple[tuple[str, str], ...] = tuple(
    sorted(
        {
            "degrees, minutes and seconds": "度分秒",
            "degrees and decimal minutes": "度与十进制分",
            "degrees and minutes": "度分",
            "geo: URI": "geo: 链接",
            "GCJ-02 (Amap/WeChat/Tencent)": "GCJ-02（高德/微信/腾讯）",
            "BD-09 (Baidu)": "BD-09（百度）",
            "decimal degrees": "十进制度",
            "latitude first": "纬度在前",
            "longitude first": "经度在前",
            "decimal commas": "小数逗号",
            "hemisphere assumed from the region": "半球按本区域推定",
            "zone assumed from the region": "带号按本区域推定",
            "S read as latitude band S, northern hemisphere": "S 视为纬度带 S，北半球",
            "S read as southern hemisphere": "S 视为南半球",
            "northern hemisphere": "北半球",
            "southern hemisphere": "南半球",
            "latitude band": "纬度带",
            "UTM zone": "UTM 带",
            "Amap link": "高德地图链接",
            "Baidu link": "百度地图链接",
            "Google Maps link": "谷歌地图链接",
            "Apple Maps link": "苹果地图链接",
            "short Plus Code, recovered near the region": "短 Plus Code，按本区域补全",
            "Plus Code": "Plus Code",
            "converted to WGS84": "已换算为 WGS84",
            "GCJ-02 in China, converted": "国内为 GCJ-02，已换算",
            "if read off Amap/WeChat": "若读自高德/微信",
            "the text says": "原文写明",
            "read as": "读作",
            "taken as": "视为",
            "no minus sign or": "未写负号或",
            "latitude": "纬度",
            "longitude": "经度",
        }.items(),
        key=lambda kv: -len(kv[0]),
    )
)


def reading_label_zh(label: str) -> str:
    """The Chinese of a coordinate reading's label, phrase by phrase; a phrase without a
    translation stays as written (datum names and figures are the same in both)."""
    out = label
    for en, zh in _LABEL_ZH:
        out = out.replace(en, zh)
    return out.replace(", ", "，").replace("; ", "；")


# --------------------------------------------------------------------------- OpenAPI

_NUM_OR_NULL = {"type": ["number", "null"]}
_STR_OR_NULL = {"type": ["string", "null"]}
_Q = {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS}
_READERS = ("call_taker", "officer", "planner")
_PLACE = {
    "type": "object",
    "properties": {
        "place_id": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "name_en": _STR_OR_NULL,
        "name_zh": _STR_OR_NULL,
        "name_bo": _STR_OR_NULL,
        "type": _STR_OR_NULL,
        "route_id": _STR_OR_NULL,
        "kora_km": _NUM_OR_NULL,
        "elevation_m": _NUM_OR_NULL,
        "lon": {"type": "number"},
        "lat": {"type": "number"},
    },
    "required": ["place_id", "score", "name_en", "name_zh", "lon", "lat"],
}
_READING = {
    "type": "object",
    "properties": {
        "lon": {"type": "number"},
        "lat": {"type": "number"},
        "label": {"type": "string"},
        "label_zh": {"type": "string"},
        "text": {"type": "string"},
        "uncertainty_m": {"type": "number"},
        "in_region": {"type": "boolean"},
    },
    "required": ["lon", "lat", "label", "label_zh", "text", "uncertainty_m", "in_region"],
}
openapi.register(
    "GET",
    "/api/search/places",
    {
        "summary": "places the locate name index finds for a name in any language or spelling",
        "auth": _READERS,
        "query": {"q": _Q, "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}},
        "ok": {
            200: {
                "application/json": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "count": {"type": "integer"},
                        "matches": {"type": "array", "items": _PLACE},
                    },
                    "required": ["query", "count", "matches"],
                }
            }
        },
        "errors": (422,),
    },
)
openapi.register(
    "GET",
    "/api/search/coordinates",
    {
        "summary": "every reading of a coordinate written in any form the locator reads",
        "auth": _READERS,
        "query": {"q": _Q},
        "ok": {
            200: {
                "application/json": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "count": {"type": "integer", "minimum": 1},
                        "readings": {"type": "array", "items": _READING, "minItems": 1},
                        "notes": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["query", "count", "readings", "notes"],
                }
            }
        },
        "errors": (422,),
    },
)
