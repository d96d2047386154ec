"""A second, small region unlike Kailash, built from test fixtures alone.

"Rongbuk" is a made-up valley north of Everest (UTM zone 45N, not Kailash's 44N): a
foot trail from Rongbuk monastery past a tent camp to base camp, a vehicle road beside
it, a clinic at the monastery (the evacuation destination) and a checkpoint at base
camp, its own aliases and cues. Nothing in it is Kailash's: no ``outer_kora``, no
Darchen, no kora gate. If locate, approach or the map needs code changed to serve it,
region knowledge has leaked into code::

    R (Rongbuk gompa, clinic) ── trail ── T (tent camp) ── trail ── B (base camp, checkpoint)
      \\__________________________ road (vehicle) _________________________/
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.common import _line, _place, _point, _trail, make_region_dir, tiny_region_calibration

__all__ = ["REGION_ID", "R", "T", "B", "make_second_region"]

REGION_ID = "rongbuk"
# lon, lat, elevation_m
R = (86.8500, 28.1950, 4980.0)
T = (86.8520, 28.1700, 5050.0)
B = (86.8560, 28.1420, 5150.0)
_ROAD_BEND = (86.8600, 28.1700, 5030.0)
ROUTE = "bc_trail"


def _layers() -> dict[str, dict[str, Any]]:
    trails = [
        _trail(
            "bc_lower",
            ROUTE,
            _line(R, T),
            from_place_id="rongbuk_gompa",
            to_place_id="tent_camp",
            name_zh="大本营步道",
        ),
        _trail(
            "bc_upper",
            ROUTE,
            _line(T, B),
            from_place_id="tent_camp",
            to_place_id="base_camp",
            name_zh="大本营步道",
        ),
    ]
    road = _trail(
        "road:bc",
        None,  # type: ignore[arg-type]
        _line(R, _ROAD_BEND, B),
        kind="road",
        name_en="Rongbuk → Base camp road",
        name_zh="绒布寺至大本营公路",
        quality="estimated",
        modes=["vehicle"],
        surface="gravel",
        from_place_id="rongbuk_gompa",
        to_place_id="base_camp",
        road_id="bc",
        access="permit",
        length_published=None,
    )
    places = [
        _place(
            "rongbuk_gompa",
            R,
            "bc_lower",
            name_en="Rongbuk Monastery",
            name_zh="绒布寺",
            aliases_en=["Rongpu"],
            type="monastery",
            route_id=ROUTE,
            kora_km=0.0,
        ),
        _place(
            "tent_camp",
            T,
            "bc_lower",
            name_en="Tent Camp",
            name_zh="帐篷营地",
            type="guesthouse",
            route_id=ROUTE,
            kora_km=2.8,
        ),
        _place(
            "base_camp",
            B,
            "bc_upper",
            name_en="Everest Base Camp",
            name_zh="珠峰大本营",
            aliases_en=["EBC"],
            type="trailhead",
            route_id=ROUTE,
            kora_km=6.0,
        ),
    ]
    stations = [
        _station(
            "rongbuk_clinic",
            "rongbuk_gompa",
            R,
            "Rongbuk clinic",
            "绒布寺诊所",
            "clinic",
            ["vehicle", "medical"],
        ),
        _station(
            "bc_checkpoint",
            "base_camp",
            B,
            "Base camp checkpoint",
            "大本营检查站",
            "checkpoint",
            ["vehicle", "foot_team"],
        ),
    ]
    return {
        "trails": {"type": "FeatureCollection", "features": trails},
        "roads": {"type": "FeatureCollection", "features": [road]},
        "places": {"type": "FeatureCollection", "features": places},
        "stations": {"type": "FeatureCollection", "features": stations},
    }


def _station(
    station_id: str,
    place_id: str,
    position: tuple[float, float, float],
    name_en: str,
    name_zh: str,
    kind: str,
    capabilities: list[str],
) -> dict[str, Any]:
    properties = {
        "station_id": station_id,
        "place_id": place_id,
        "name_en": name_en,
        "name_zh": name_zh,
        "kind": kind,
        "capabilities": capabilities,
        "season": "year_round",
        "notes": None,
    }
    return {"type": "Feature", "properties": properties, "geometry": _point(position)}


def _metadata() -> dict[str, Any]:
    return {
        "region_id": REGION_ID,
        "name_en": "Rongbuk valley",
        "name_zh": "绒布沟",
        "crs": "EPSG:4326",
        "metric_crs": "EPSG:32645",
        "bbox": [86.84, 28.13, 86.87, 28.2],
        "routes": {ROUTE: {"name_en": "Base camp trail", "name_zh": "大本营步道", "loop": False}},
        "sources": {},
        "counts": {"trails": 2, "roads": 1, "places": 3, "stations": 2},
        "parameters": {},
        "centreline_fit": {},
        "warnings": [],
        "evacuation_station_id": "rongbuk_clinic",
    }


#: the region's own names callers use (merged into the locator's name index)
ALIASES = {
    "about": "test fixture: names callers use for Rongbuk places",
    "places": {"tent_camp": {"en": ["yak camp"], "zh": ["牦牛营地"]}},
}
#: where callers see what: the north face of Everest from base camp
CUES = {
    "cues": [
        {
            "tag": "north_face",
            "place_ids": ["base_camp"],
            "pad_m": 500,
            "weight": 6.0,
            "source": "test fixture",
        }
    ]
}


def make_second_region(data_dir: Path) -> Path:
    """Write the Rongbuk region into ``data_dir / "rongbuk"``; return ``data_dir``."""
    path = make_region_dir(
        data_dir / REGION_ID,
        metadata=_metadata(),
        calibration=tiny_region_calibration(),
        **_layers(),
    )
    (path / "aliases.json").write_text(json.dumps(ALIASES, ensure_ascii=False), "utf-8")
    (path / "cues.json").write_text(json.dumps(CUES, ensure_ascii=False), "utf-8")
    return data_dir
