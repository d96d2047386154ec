"""What the region build's steps share: its thresholds, the source files, anchors, and small
text and geometry helpers (:mod:`geodata.build` re-exports the public ones).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.ops import substring

from geodata.errors import DataValidationError

__all__ = ["SOURCE_FILES", "parse_length_km", "normalise_surface"]


SOURCE_FILES = ("tracks_train.csv.gz", "gazetteer.csv", "roads.csv")

_FIX_QUALITIES = frozenset({"gps_published", "track_derived"})

#: a place this close to the tracked centreline lies on it (track-derived fixes are ±30 m).
_ON_TRACK_M = 200.0

#: an estimated chain point that turns the chain back by more than this is a side site.
_SPIKE_TURN_DEG = 150.0

#: ... unless the detour is this long (estimated positions are good to ±200-500 m).
_SPIKE_MAX_DETOUR_M = 1_000.0

#: a walked way longer than this with only its two end points is a chord, not a drawn trail.
_CHORD_M = 300.0


def parse_length_km(text: str) -> tuple[float, float] | None:
    """Parse a published length such as ``"5"``, ``"12-29"`` or ``"2-2.5"``.

    Returns
    -------
    (low_km, high_km) or None when the text holds no number.
    """
    numbers = [float(n) for n in re.findall(r"\d+(?:\.\d+)?", text or "")]
    if not numbers:
        return None
    return (min(numbers[:2]), max(numbers[:2]))


def normalise_surface(text: str) -> str:
    """Map a free-text surface from ``roads.csv`` to a surface class.

    The classes are those ``routes.costs`` knows speeds for: ``paved``,
    ``graded``, ``gravel``, ``dirt``, ``dirt_track``, ``rock``.
    """
    t = (text or "").lower()
    if t.startswith("paved"):
        return "paved"
    if "graded" in t:
        return "graded"
    if "mixed" in t or "gravel" in t:
        return "gravel"
    if "rock" in t:
        return "rock"
    if "track" in t:
        return "dirt_track"
    if "dirt" in t:
        return "dirt"
    return "unknown"


@dataclass(frozen=True)
class _Anchor:
    """A point of a chain: metric position, elevation if known, and provenance."""

    place_id: str | None
    x: float
    y: float
    elevation_m: float | None
    is_fix: bool
    kora_km: float | None


def _zh(row: Mapping[str, Any]) -> str:
    names = row.get("name_zh") or []
    return names[0] if names else row["name_en"]


def _norm_name(text: str) -> str:
    return re.sub(r"[^a-z]", "", (text or "").lower().split("(")[0])


def _turn_deg(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
    v1 = (b[0] - a[0], b[1] - a[1])
    v2 = (c[0] - b[0], c[1] - b[1])
    n1, n2 = math.hypot(*v1), math.hypot(*v2)
    if n1 == 0 or n2 == 0:
        return 0.0
    cos = max(-1.0, min(1.0, (v1[0] * v2[0] + v1[1] * v2[1]) / (n1 * n2)))
    return math.degrees(math.acos(cos))


def _interpolate_elevations(anchors: Sequence[_Anchor]) -> list[float]:
    """Elevation at each anchor: known values, linear in distance in between."""
    dist = np.concatenate(
        [
            [0.0],
            np.cumsum(
                [
                    math.hypot(b.x - a.x, b.y - a.y)
                    for a, b in zip(anchors, anchors[1:], strict=False)
                ]
            ),
        ]
    )
    known = [
        (d, a.elevation_m) for d, a in zip(dist, anchors, strict=True) if a.elevation_m is not None
    ]
    if not known:
        raise DataValidationError("no elevation known anywhere along a chain of gazetteer points")
    kd, kz = zip(*known, strict=True)
    return [float(z) for z in np.interp(dist, kd, kz)]


def _loop_substring(line: LineString, start_m: float, end_m: float) -> LineString:
    """``line`` from ``start_m`` forward to ``end_m``, across the start if ``end_m < start_m``."""
    if end_m >= start_m:
        return substring(line, start_m, end_m)
    a, b = substring(line, start_m, line.length), substring(line, 0.0, end_m)
    return LineString(list(a.coords) + list(b.coords)[1:])


def _rotate_loop(loop: LineString, start_m: float) -> LineString:
    """The closed ``loop`` re-started at ``start_m`` along it."""
    a = substring(loop, start_m, loop.length)
    b = substring(loop, 0.0, start_m)
    coords = list(a.coords) + list(b.coords)[1:]
    return LineString(coords)


def _feature(geometry: Any, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": shapely.geometry.mapping(geometry),
        "properties": properties,
    }


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
