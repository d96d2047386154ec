"""Plausibility checks on imported features; every finding is a warning, the planner decides.

Distances are geodesic on WGS84 (``pyproj.Geod.inv`` on whole coordinate arrays, no
per-point Python loop), so a 50,000-point track is checked in a few tens of
milliseconds. Findings of one kind are reported for at most
:data:`MAX_REPORTS_PER_FEATURE` places per feature, followed by one summary.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import shapely
from pyproj import Geod
from shapely.validation import explain_validity

from geodata.importers._model import ImportedFeature, ImportWarning

__all__ = [
    "FOOT_SPEED_LIMIT_KPH",
    "UNTIMED_GAP_M",
    "JUMP_MIN_M",
    "ELEVATION_MIN_M",
    "ELEVATION_MAX_M",
    "SPIKE_DZ_M",
    "SPIKE_MAX_DISTANCE_M",
    "MAX_REPORTS_PER_FEATURE",
    "check_features",
]

#: Faster than this between two timed track points is a jump (foot tracks).
FOOT_SPEED_LIMIT_KPH = 50.0
#: A jump must also cover at least this distance (GPS jitter between 1-s fixes is not a jump).
JUMP_MIN_M = 100.0
#: Without times, consecutive points further apart than this are a gap.
UNTIMED_GAP_M = 1000.0
ELEVATION_MIN_M = -500.0
ELEVATION_MAX_M = 9000.0
#: An elevation change larger than this ...
SPIKE_DZ_M = 100.0
#: ... between points closer than this is a spike.
SPIKE_MAX_DISTANCE_M = 50.0
MAX_REPORTS_PER_FEATURE = 5

_GEOD = Geod(ellps="WGS84")
_LINE_KINDS = ("track", "route", "line")
_LOCATION = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)")


def _where(feature: ImportedFeature, i: int) -> str:
    text = f"point {i + 1}"
    if feature.vertex_lines is not None and i < len(feature.vertex_lines):
        text += f" (line {feature.vertex_lines[i]})"
    return text


def _report(
    out: list[ImportWarning],
    feature: ImportedFeature,
    code: str,
    idx: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    describe: object,
    noun: str,
) -> None:
    """Add up to MAX_REPORTS_PER_FEATURE warnings for ``idx`` and a summary for the rest."""
    for i in idx[:MAX_REPORTS_PER_FEATURE]:
        i = int(i)
        out.append(
            ImportWarning(
                code,
                describe(i),  # type: ignore[operator]
                feature.index,
                float(lon[i]),
                float(lat[i]),
            )
        )
    rest = len(idx) - MAX_REPORTS_PER_FEATURE
    if rest > 0:
        out.append(
            ImportWarning(
                code,
                f"{feature.label}: {rest} more {noun} not listed ({len(idx)} in all)",
                feature.index,
            )
        )


def _time_seconds(times: Sequence[datetime | None] | None, n: int) -> np.ndarray | None:
    if not times:
        return None
    seconds = np.fromiter(
        (t.timestamp() if t is not None else np.nan for t in times),
        dtype=np.float64,
        count=n,
    )
    return None if np.isnan(seconds).all() else seconds


def _check_line(feature: ImportedFeature, out: list[ImportWarning]) -> None:
    coords = shapely.get_coordinates(feature.geometry, include_z=True)
    n = len(coords)
    lon, lat, z = coords[:, 0], coords[:, 1], coords[:, 2]
    label = feature.label
    if n < 2:
        out.append(
            ImportWarning(
                "few_points",
                f"{label} has only {n} point{'s' if n != 1 else ''} ({feature.source}); "
                "a line needs at least 2",
                feature.index,
                float(lon[0]) if n else None,
                float(lat[0]) if n else None,
            )
        )
    if n >= 2:
        _, _, dist = _GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
        dist = np.asarray(dist)
        seconds = _time_seconds(feature.times, n) if feature.kind == "track" else None
        dt: np.ndarray | None = None
        kph: np.ndarray | None = None
        if seconds is not None:
            dt = np.diff(seconds)
            timed = np.isfinite(dt)
            with np.errstate(divide="ignore", invalid="ignore"):
                kph = np.where(dt > 0, dist / np.where(dt > 0, dt, 1.0) * 3.6, np.inf)
            fast = timed & (kph > FOOT_SPEED_LIMIT_KPH) & (dist >= JUMP_MIN_M)
            gap = ~timed & (dist > UNTIMED_GAP_M)
            jumps = np.flatnonzero(fast | gap)
        else:
            jumps = np.flatnonzero(dist > UNTIMED_GAP_M)

        def jump_text(i: int) -> str:
            km = dist[i] / 1000.0
            if dt is not None and kph is not None and np.isfinite(dt[i]):
                speed = f"{kph[i]:.0f} km/h" if np.isfinite(kph[i]) else "no time passing"
                return (
                    f"{label} jumps {km:.1f} km in {dt[i]:.0f} s ({speed}) "
                    f"at {_where(feature, i + 1)}"
                )
            return f"{label} has a gap of {km:.1f} km before {_where(feature, i + 1)}"

        _report(out, feature, "jump", jumps, lon[1:], lat[1:], jump_text, "jumps")

        dz = np.abs(np.diff(z))
        spikes = np.flatnonzero((dist < SPIKE_MAX_DISTANCE_M) & (dz > SPIKE_DZ_M))

        def spike_text(i: int) -> str:
            return (
                f"{label}: elevation changes {dz[i]:.0f} m over {dist[i]:.0f} m "
                f"({z[i]:.0f} m to {z[i + 1]:.0f} m) at {_where(feature, i + 1)}"
            )

        _report(out, feature, "elevation_spike", spikes, lon[1:], lat[1:], spike_text, "spikes")
        if feature.geometry.geom_type == "LineString" and not feature.geometry.is_simple:
            _self_crossing(feature, coords, out)
    _check_elevation(feature, coords, out)


def _check_elevation(
    feature: ImportedFeature, coords: np.ndarray, out: list[ImportWarning]
) -> None:
    z = coords[:, 2]
    absurd = np.flatnonzero((z < ELEVATION_MIN_M) | (z > ELEVATION_MAX_M))

    def text(i: int) -> str:
        where = _where(feature, i) if len(coords) > 1 else feature.source
        return (
            f"{feature.label}: elevation {z[i]:.0f} m at {where} is outside "
            f"{ELEVATION_MIN_M:.0f} to {ELEVATION_MAX_M:.0f} m"
        )

    _report(
        out,
        feature,
        "absurd_elevation",
        absurd,
        coords[:, 0],
        coords[:, 1],
        text,
        "absurd elevations",
    )


def _self_crossing(feature: ImportedFeature, coords: np.ndarray, out: list[ImportWarning]) -> None:
    line = shapely.LineString(coords[:, :2])
    noded = shapely.node(line)
    ends = shapely.get_coordinates(shapely.boundary(shapely.get_parts(noded)))
    uniq, counts = np.unique(np.round(ends, 9), axis=0, return_counts=True)
    crossings = uniq[counts >= 3]
    if len(crossings) == 0:  # overlaps only (an out-and-back): point at the first repeat
        crossings = uniq[:1] if len(uniq) else coords[:1, :2]
    x, y = crossings[0]
    nearest = int(np.argmin((coords[:, 0] - x) ** 2 + (coords[:, 1] - y) ** 2))
    more = f" ({len(crossings)} places)" if len(crossings) > 1 else ""
    out.append(
        ImportWarning(
            "self_crossing",
            f"{feature.label} crosses or overlaps itself near {_where(feature, nearest)} "
            f"at {x:.5f}, {y:.5f}{more}",
            feature.index,
            float(x),
            float(y),
        )
    )


def _check_polygon(feature: ImportedFeature, out: list[ImportWarning]) -> None:
    geom = feature.geometry
    coords = shapely.get_coordinates(geom, include_z=True)
    if not geom.is_valid:
        why = explain_validity(geom)
        match = _LOCATION.search(why)
        lon = float(match.group(1)) if match else None
        lat = float(match.group(2)) if match else None
        out.append(
            ImportWarning(
                "invalid_geometry",
                f"{feature.label} is not a valid polygon ({why}) ({feature.source})",
                feature.index,
                lon,
                lat,
            )
        )
    _check_elevation(feature, coords, out)


def _check_times(feature: ImportedFeature, out: list[ImportWarning]) -> None:
    if feature.kind != "track" or feature.geometry.geom_type != "LineString":
        return
    times = feature.times or ()
    missing = sum(1 for t in times if t is None) if times else feature.point_count
    if missing == feature.point_count:
        out.append(
            ImportWarning(
                "no_time",
                f"{feature.label} has no timestamps ({feature.source}); "
                "speeds cannot be checked, only gaps over 1 km",
                feature.index,
            )
        )
    elif missing:
        out.append(
            ImportWarning(
                "partial_time",
                f"{feature.label}: {missing} of {feature.point_count} points have no "
                f"timestamp ({feature.source})",
                feature.index,
            )
        )


def _check_names(features: Sequence[ImportedFeature], out: list[ImportWarning]) -> None:
    groups: dict[str, list[ImportedFeature]] = defaultdict(list)
    for feature in features:
        if feature.name and feature.name.strip():
            groups[" ".join(feature.name.split()).casefold()].append(feature)
    for group in groups.values():
        if len(group) < 2:
            continue
        first = group[0]
        where = ", ".join(f"#{f.index} ({f.source})" for f in group[:6])
        if len(group) > 6:
            where += f", and {len(group) - 6} more"
        out.append(
            ImportWarning(
                "duplicate_name",
                f"name '{first.name}' is used by {len(group)} features: {where}",
                first.index,
            )
        )


def check_features(features: Sequence[ImportedFeature]) -> list[ImportWarning]:
    """Run every check on ``features`` and return the warnings in feature order.

    Checks: jumps (speed over 50 km/h between timed track points and at least
    100 m, or a gap over 1 km without times), self-crossing lines, invalid
    polygons, elevations outside -500..9000 m, elevation spikes (over 100 m
    between points under 50 m apart), lines with fewer than 2 points, tracks
    without (or with some missing) timestamps, duplicate names (case-insensitive,
    whitespace-normalised).
    """
    out: list[ImportWarning] = []
    for feature in features:
        geom_type = feature.geometry.geom_type
        if feature.kind in _LINE_KINDS:
            _check_line(feature, out)
            _check_times(feature, out)
        elif geom_type == "Polygon":
            _check_polygon(feature, out)
        else:
            _check_elevation(
                feature, shapely.get_coordinates(feature.geometry, include_z=True), out
            )
    _check_names(features, out)
    return out
