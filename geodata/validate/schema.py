"""The data contract's layers and properties: names, types, allowed values and ranges.

Each property of a layer is a :class:`Field` whose check returns ``None`` for a good value
or what is wrong with it (a :class:`~geodata.i18n.Msg`, completed by the caller with the
property's name and the feature's place). :data:`CONTRACT_COLUMNS` is what the loader
makes columns of.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geodata.capabilities import CAPABILITIES
from geodata.i18n import Msg, msg
from geodata.validate._problems import choices, describe, quoted_list

__all__ = [
    "CALIBRATION_FILE",
    "CONTRACT_COLUMNS",
    "CUES_FILE",
    "ELEVATION_RANGE_M",
    "EXTENT_MARGIN_DEG",
    "Field",
    "ID_FIELDS",
    "LAYERS",
    "MAX_LIST_ITEMS",
    "MAX_NAME_CHARS",
    "MAX_TEXT_CHARS",
    "METADATA_FILE",
    "MODES",
    "QUALITIES",
    "SCHEMAS",
    "SEASONS",
    "is_number",
    "layer_file",
]

#: Longest name, id or alias (characters): names are shown on every map and list.
MAX_NAME_CHARS = 200
#: Longest other text (notes, source, surface, ...), in characters.
MAX_TEXT_CHARS = 2000
#: Most items in a list property (aliases, modes, capabilities).
MAX_LIST_ITEMS = 50
#: Layer names, in the order files are checked and written.
LAYERS: tuple[str, ...] = ("trails", "roads", "places", "stations")
#: The id property of each layer.
ID_FIELDS: Mapping[str, str] = {
    "trails": "way_id",
    "roads": "way_id",
    "places": "place_id",
    "stations": "station_id",
}
METADATA_FILE = "metadata.json"
CALIBRATION_FILE = "calibration.json"
CUES_FILE = "cues.json"

QUALITIES = ("track_consensus", "published_fixes", "hand_traced", "estimated")
MODES = ("foot", "vehicle")
SEASONS = ("year_round", "seasonal")
ELEVATION_RANGE_M = (-500.0, 9000.0)
#: features may lie this far (degrees, ~25 km) outside the region's declared bbox
EXTENT_MARGIN_DEG = 0.25

WAY_KIND = {"trails": "trail", "roads": "road"}
GEOMETRY_TYPE = {
    "trails": "LineString",
    "roads": "LineString",
    "places": "Point",
    "stations": "Point",
}


def layer_file(layer: str) -> str:
    """File name of a layer inside a region directory (``trails.geojson`` …)."""
    return f"{layer}.geojson"


def is_number(value: Any) -> bool:
    """A JSON number (a bool is not one)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


Check = Callable[[Any], Msg | None]


@dataclass(frozen=True)
class Field:
    """One property of a layer: its column kind for the loader and its check."""

    name: str
    kind: str  # column kind for the loader: "str", "number", "bool", "list"
    check: Check
    required: bool = False


def _text(
    *,
    nonempty: bool = False,
    allowed: Sequence[str] | None = None,
    max_chars: int = MAX_TEXT_CHARS,
) -> Check:
    def check(value: Any) -> Msg | None:
        if not isinstance(value, str):
            return msg("validate.expected_string", value=describe(value))
        if len(value) > max_chars:
            return msg("validate.too_long", length=len(value), limit=max_chars)
        if nonempty and not value.strip():
            return msg("validate.expected_nonempty", value=repr(value))
        if allowed is not None and value not in allowed:
            return msg("validate.not_allowed", value=repr(value), expected=choices(allowed))
        return None

    return check


def _number(*, minimum: float | None = None, maximum: float | None = None) -> Check:
    def check(value: Any) -> Msg | None:
        if not is_number(value):
            return msg("validate.expected_number", value=describe(value))
        if not math.isfinite(value):
            return msg("validate.expected_finite", value=repr(value))
        if minimum is not None and maximum is not None and not minimum <= value <= maximum:
            return msg(
                "validate.expected_between",
                value=repr(value),
                low=f"{minimum:g}",
                high=f"{maximum:g}",
            )
        if minimum is not None and value < minimum:
            return msg("validate.expected_at_least", value=repr(value), low=f"{minimum:g}")
        if maximum is not None and value > maximum:
            return msg("validate.expected_at_most", value=repr(value), high=f"{maximum:g}")
        return None

    return check


def _flag() -> Check:
    def check(value: Any) -> Msg | None:
        if not isinstance(value, bool):
            return msg("validate.expected_flag", value=describe(value))
        return None

    return check


def _text_list(*, allowed: Sequence[str] | None = None, nonempty: bool = False) -> Check:
    def check(value: Any) -> Msg | None:
        if not isinstance(value, list):
            return msg("validate.expected_list", value=describe(value))
        if nonempty and not value:
            if allowed:
                return msg("validate.empty_list_of", values=quoted_list(allowed))
            return msg("validate.empty_list")
        if len(value) > MAX_LIST_ITEMS:
            return msg("validate.too_many_items", count=len(value), limit=MAX_LIST_ITEMS)
        seen: set[str] = set()
        for i, item in enumerate(value):
            if not isinstance(item, str):
                return msg("validate.item_not_string", index=i, value=describe(item))
            if len(item) > MAX_NAME_CHARS:
                return msg(
                    "validate.item_too_long", index=i, length=len(item), limit=MAX_NAME_CHARS
                )
            if allowed is not None and item not in allowed:
                return msg(
                    "validate.item_not_allowed", value=repr(item), values=quoted_list(allowed)
                )
            if allowed is not None and item in seen:
                return msg("validate.item_twice", value=repr(item))
            seen.add(item)
        return None

    return check


def _way_fields(layer: str) -> tuple[Field, ...]:
    return (
        Field("way_id", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        Field("kind", "str", _text(allowed=(WAY_KIND[layer],)), required=True),
        # Route ids are region-specific (RegionSpec), so only their type is fixed here.
        Field(
            "route_id",
            "str",
            _text(nonempty=True, max_chars=MAX_NAME_CHARS),
            required=layer == "trails",
        ),
        Field("name_en", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS)),
        Field("name_zh", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS)),
        Field("quality", "str", _text(allowed=QUALITIES), required=True),
        Field("modes", "list", _text_list(allowed=MODES, nonempty=True), required=True),
        Field("surface", "str", _text()),
        Field("length_factor", "number", _number(minimum=1.0), required=True),
        Field("from_place_id", "str", _text(max_chars=MAX_NAME_CHARS)),
        Field("to_place_id", "str", _text(max_chars=MAX_NAME_CHARS)),
        Field("source", "str", _text()),
        Field("notes", "str", _text()),
        # None on a route's main line, e.g. "other_bank" on a parallel path (routes.graph).
        Field("variant", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS)),
        # Typical distance of the line from the true path, metres, where measured.
        Field("accuracy_m", "number", _number(minimum=0.0)),
        # Road-only fields; trails load with these columns empty so that the two
        # layers concatenate cleanly into ``Region.ways``.
        Field("road_id", "str", _text(max_chars=MAX_NAME_CHARS)),
        Field("access", "str", _text()),
    )


#: Per layer, the properties of the contract, in contract order.
SCHEMAS: Mapping[str, tuple[Field, ...]] = {
    "trails": _way_fields("trails"),
    "roads": _way_fields("roads"),
    "places": (
        Field("place_id", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        Field("name_en", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        Field("name_zh", "str", _text(max_chars=MAX_NAME_CHARS)),
        Field("name_bo", "str", _text(max_chars=MAX_NAME_CHARS)),
        Field("aliases_en", "list", _text_list()),
        Field("aliases_zh", "list", _text_list()),
        Field("type", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        Field("route_id", "str", _text(max_chars=MAX_NAME_CHARS)),
        Field("kora_km", "number", _number(minimum=0.0)),
        Field(
            "elevation_m",
            "number",
            _number(minimum=ELEVATION_RANGE_M[0], maximum=ELEVATION_RANGE_M[1]),
        ),
        Field("coord_quality", "str", _text()),
        Field("source", "str", _text()),
        Field("notes", "str", _text()),
        Field("snap_way_id", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS)),
        Field("snap_distance_m", "number", _number(minimum=0.0)),
        Field("on_network", "bool", _flag()),
    ),
    "stations": (
        Field("station_id", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        Field("place_id", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS)),
        Field("name_en", "str", _text(nonempty=True, max_chars=MAX_NAME_CHARS), required=True),
        Field("name_zh", "str", _text(max_chars=MAX_NAME_CHARS)),
        Field("kind", "str", _text(max_chars=MAX_NAME_CHARS)),
        Field("capabilities", "list", _text_list(allowed=CAPABILITIES), required=True),
        Field("season", "str", _text(allowed=SEASONS)),
        Field("resources", "str", _text()),
        Field("contacts", "str", _text()),
        Field("notes", "str", _text()),
    ),
}

#: Per layer, the contract's properties and their column kind
#: (``"str"``, ``"number"``, ``"bool"`` or ``"list"``), in contract order.
CONTRACT_COLUMNS: Mapping[str, tuple[tuple[str, str], ...]] = {
    layer: tuple((f.name, f.kind) for f in fields) for layer, fields in SCHEMAS.items()
}
