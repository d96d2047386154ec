"""Checks of the region's files as documents: reading them (UTF-8 JSON), ``metadata.json``,
``cues.json`` and the references between layers."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyproj
from pyproj.exceptions import CRSError

from geodata.i18n import Name, msg
from geodata.validate._geometry import MISSING
from geodata.validate._layers import Reference
from geodata.validate._problems import Problems, at_cue, describe, json_error
from geodata.validate.schema import CUES_FILE, METADATA_FILE, is_number, layer_file

__all__ = ["check_cues", "check_metadata", "check_references", "read_json"]


def read_json(path: Path, name: str, problems: Problems, *, optional: bool = False) -> Any:
    """Parse one file; on failure record the problem and return ``MISSING``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if not optional:
            problems.add(name, msg("validate.file_missing"))
        return MISSING
    except OSError as exc:
        problems.add(name, msg("validate.unreadable", reason=exc.strerror or type(exc).__name__))
        return MISSING
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(name, msg("validate.not_utf8", byte=exc.start))
        return MISSING
    if text.startswith("\ufeff"):
        problems.add(name, msg("validate.bom"))
        return MISSING
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(
            name,
            msg("validate.bad_json", line=exc.lineno, column=exc.colno, reason=json_error(exc.msg)),
        )
        return MISSING
    except RecursionError:
        problems.add(name, msg("validate.json_too_deep"))
        return MISSING


def check_metadata(metadata: Any, region_id: str, problems: Problems) -> str | None:
    """Check ``metadata.json``; return its metric CRS if usable."""
    where = METADATA_FILE
    if not isinstance(metadata, dict):
        problems.add(where, msg("validate.expected_object", value=describe(metadata)))
        return None
    rid = metadata.get("region_id", MISSING)
    if rid is MISSING:
        problems.add(where, msg("validate.field_missing", name="'region_id'"))
    elif rid != region_id:
        problems.add(
            where, msg("validate.region_id", value=describe(rid), expected=repr(region_id))
        )
    crs = metadata.get("crs", MISSING)
    if crs is MISSING:
        problems.add(where, msg("validate.crs_missing"))
    elif crs != "EPSG:4326":
        problems.add(where, msg("validate.crs_wrong", value=describe(crs)))

    metric: str | None = None
    value = metadata.get("metric_crs", MISSING)
    if value is MISSING:
        problems.add(where, msg("validate.metric_crs_missing"))
    elif not isinstance(value, str) or not value.strip():
        problems.add(where, msg("validate.metric_crs_type", value=describe(value)))
    else:
        try:
            crs_obj = pyproj.CRS.from_user_input(value)
        except CRSError:
            problems.add(where, msg("validate.metric_crs_unknown", value=repr(value)))
        else:
            units = {axis.unit_name for axis in crs_obj.axis_info}
            if not crs_obj.is_projected or units - {"metre"}:
                problems.add(where, msg("validate.metric_crs_not_metric", value=repr(value)))
            else:
                metric = value

    bbox = metadata.get("bbox")
    if bbox is not None:
        ok = (
            isinstance(bbox, list)
            and len(bbox) == 4
            and all(is_number(v) and math.isfinite(v) for v in bbox)
            and bbox[0] <= bbox[2]
            and bbox[1] <= bbox[3]
        )
        if not ok:
            problems.add(where, msg("validate.bbox", value=describe(bbox)))
    return metric


def check_cues(cues: Any, place_ids: Mapping[str, int] | None, problems: Problems) -> None:
    """``cues.json``: ``{"cues": [{tag, place_ids, pad_m, weight, source}, …]}``."""
    items = cues.get("cues") if isinstance(cues, dict) else None
    if not isinstance(items, list):
        problems.add(CUES_FILE, msg("validate.cues_list"))
        return
    for i, cue in enumerate(items):
        where = at_cue(CUES_FILE, i)
        if not isinstance(cue, dict):
            problems.add(where, msg("validate.expected_plain_object", value=describe(cue)))
            continue
        if not isinstance(cue.get("tag"), str) or not cue.get("tag"):
            problems.add(where, msg("validate.cue_tag"))
        anchors = cue.get("place_ids")
        if not isinstance(anchors, list) or not 1 <= len(anchors) <= 2:
            problems.add(where, msg("validate.cue_places"))
        elif place_ids is not None:
            for pid in anchors:
                if pid not in place_ids:
                    problems.add(where, msg("validate.cue_unknown_place", value=repr(pid)))
        for key in ("pad_m", "weight"):
            value = cue.get(key)
            if not isinstance(value, int | float) or not is_number(value) or value < 0:
                problems.add(where, msg("validate.cue_number", name=repr(key), value=repr(value)))


_TARGET_FILES = {
    "places": Name(layer_file("places")),
    "ways": Name("trails.geojson or roads.geojson", "trails.geojson 或 roads.geojson"),
}


def check_references(
    references: Sequence[Reference],
    targets: Mapping[str, set[str] | Mapping[str, int] | None],
    problems: Problems,
) -> None:
    """Every referenced id exists in its layer (a layer that could not be read is skipped)."""
    for where, name, value, target in references:
        known = targets[target]
        if known is not None and value not in known:
            problems.add(
                where,
                msg(
                    "validate.unknown_reference",
                    name=repr(name),
                    value=repr(value),
                    target=_TARGET_FILES[target],
                ),
            )
