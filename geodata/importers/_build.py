"""Shared helpers of the format readers: feature drafts, geometry from arrays, JSON-safe values."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geodata.i18n import Msg, Name, msg
from geodata.importers._model import FeatureKind, ImportRejected

__all__ = [
    "Draft",
    "MAX_PROBLEMS",
    "check_lonlat",
    "json_safe",
    "line_or_point",
    "parse_times",
]

_LINE = re.compile(r"\(line (\d+)\)")
#: At most this many problems are listed in an ImportRejected's details.
MAX_PROBLEMS = 20


@dataclass
class Draft:
    """A feature before it gets its index in the result."""

    kind: FeatureKind
    name: str | None
    description: str | None
    geometry: BaseGeometry
    source: str
    times: tuple[datetime | None, ...] | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    vertex_lines: tuple[int, ...] | None = None


def line_or_point(lon: np.ndarray, lat: np.ndarray, z: np.ndarray | None) -> BaseGeometry:
    """A LineString of the vertices, a Point when there is only one (z kept if any is known)."""
    if z is not None and np.isnan(z).all():
        z = None
    coords = np.column_stack([lon, lat] if z is None else [lon, lat, z])
    if len(coords) == 1:
        return shapely.Point(coords[0])
    return shapely.LineString(coords)


def parse_times(texts: Sequence[str | None]) -> tuple[tuple[datetime | None, ...] | None, int]:
    """Parse ISO 8601 timestamps (naive ones are UTC) in one vectorised call.

    Returns the per-vertex tuple (None when no vertex has a time) and the number of
    texts that were present but unreadable.
    """
    present = sum(1 for t in texts if t)
    if not present:
        return None, 0
    parsed = pd.to_datetime(
        pd.Series(texts, dtype=object).str.strip(), utc=True, format="ISO8601", errors="coerce"
    )
    index = pd.DatetimeIndex(parsed)
    bad = present - int(index.notna().sum())
    if bad == present:
        return None, bad
    values = index.to_pydatetime()
    mask = index.isna()
    times = tuple(None if missing else value for value, missing in zip(values, mask, strict=True))
    return times, bad


def check_lonlat(
    filename: str,
    label: str | Name,
    lon: np.ndarray,
    lat: np.ndarray,
    lines: Sequence[int | None] | None,
    problems: list[str | Msg],
) -> None:
    """Append a problem for every vertex that is not a finite WGS84 lon/lat."""
    bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
    for i in np.flatnonzero(bad)[: MAX_PROBLEMS - len(problems)]:
        if lines is not None and lines[i] is not None:
            where = msg("import.point_at_line", number=i + 1, line=lines[i])
        else:
            where = msg("import.point_at", number=i + 1)
        problems.append(
            msg("import.bad_position", label=label, where=where, lon=lon[i], lat=lat[i])
        )


def raise_problems(filename: str, what: str | Msg, problems: list[str | Msg]) -> None:
    """Raise one ImportRejected listing ``problems`` (the first one's line in the headline)."""
    if problems:
        match = _LINE.search(str(problems[0]))
        line = int(match.group(1)) if match else None
        where: str | Msg = (
            msg("import.where_line", filename=filename, line=line) if line else filename
        )
        more: str | Msg = (
            msg("import.and_more", count=len(problems) - 1) if len(problems) > 1 else ""
        )
        raise ImportRejected(
            msg("import.problems", where=where, what=what, first=problems[0], more=more),
            details=problems,
            filename=filename,
            line=line,
        )


def json_safe(value: Any) -> Any:
    """Convert ``value`` into plain JSON types (NaN and unknown objects become None or text)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, datetime | pd.Timestamp):
        if pd.isna(value):
            return None
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [json_safe(v) for v in value]
    if isinstance(value, bytes):
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)
