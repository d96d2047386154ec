"""Plausibility checks on imported features; every finding is a warning, the planner decides.

Distances are geodesic on WGS84 (``pyproj.Geod.inv`` on whole coordinate arrays, no
per-point Python loop), so a 50,000-point track is checked in a few tens of
milliseconds. The self-crossing search is bounded in time and memory (see
:func:`_crossing_pairs`). Findings of one kind are reported for at most
:data:`MAX_REPORTS_PER_FEATURE` places per feature, followed by one summary.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import numpy as np
import shapely
from pyproj import Geod
from shapely.validation import explain_validity

from geodata.i18n import Msg, Name, msg, render
from geodata.importers._model import ImportedFeature, ImportWarning, where_name

__all__ = [
    "FOOT_SPEED_LIMIT_KPH",
    "UNTIMED_GAP_M",
    "JUMP_MIN_M",
    "ELEVATION_MIN_M",
    "ELEVATION_MAX_M",
    "SPIKE_DZ_M",
    "SPIKE_MAX_DISTANCE_M",
    "MAX_REPORTS_PER_FEATURE",
    "MAX_CROSSINGS",
    "CROSSING_BUDGET_S",
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
#: The self-crossing check stops counting after this many crossings of one line ...
MAX_CROSSINGS = 100
#: ... or after this many seconds on one line.
CROSSING_BUDGET_S = 2.0
#: One query of the crossing search examines at most this many candidate segment pairs.
_MAX_CANDIDATES = 200_000

_GEOD = Geod(ellps="WGS84")
_LINE_KINDS = ("track", "route", "line")
_LOCATION = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)")


def _where(feature: ImportedFeature, i: int) -> Msg:
    if feature.vertex_lines is not None and i < len(feature.vertex_lines):
        return msg("import.point_at_line", number=i + 1, line=feature.vertex_lines[i])
    return msg("import.point_at", number=i + 1)


def _report(
    out: list[ImportWarning],
    feature: ImportedFeature,
    code: str,
    idx: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    describe: object,
    noun: Msg,
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
                msg(
                    "import.more_not_listed",
                    label=feature.label_name,
                    rest=rest,
                    noun=noun,
                    total=len(idx),
                ),
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
    label = feature.label_name
    if n < 2:
        out.append(
            ImportWarning(
                "few_points",
                msg(
                    "import.few_points",
                    label=label,
                    count=n,
                    points=msg("import.points_word" if n != 1 else "import.point_word"),
                    source=where_name(feature.source),
                ),
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

        def jump_text(i: int) -> Msg:
            km = f"{dist[i] / 1000.0:.1f}"
            if dt is not None and kph is not None and np.isfinite(dt[i]):
                speed: str | Msg = (
                    f"{kph[i]:.0f} km/h" if np.isfinite(kph[i]) else msg("import.no_time_passing")
                )
                return msg(
                    "import.jump",
                    label=label,
                    km=km,
                    seconds=f"{dt[i]:.0f}",
                    speed=speed,
                    where=_where(feature, i + 1),
                )
            return msg("import.gap", label=label, km=km, where=_where(feature, i + 1))

        noun = msg("import.noun_jumps")
        _report(out, feature, "jump", jumps, lon[1:], lat[1:], jump_text, noun)

        dz = np.abs(np.diff(z))
        spikes = np.flatnonzero((dist < SPIKE_MAX_DISTANCE_M) & (dz > SPIKE_DZ_M))

        def spike_text(i: int) -> Msg:
            return msg(
                "import.spike",
                label=label,
                dz=f"{dz[i]:.0f}",
                distance=f"{dist[i]:.0f}",
                from_m=f"{z[i]:.0f}",
                to_m=f"{z[i + 1]:.0f}",
                where=_where(feature, i + 1),
            )

        noun = msg("import.noun_spikes")
        _report(out, feature, "elevation_spike", spikes, lon[1:], lat[1:], spike_text, noun)
        if feature.geometry.geom_type == "LineString":
            _self_crossing(feature, coords, out)
    _check_elevation(feature, coords, out)


def _check_elevation(
    feature: ImportedFeature, coords: np.ndarray, out: list[ImportWarning]
) -> None:
    z = coords[:, 2]
    absurd = np.flatnonzero((z < ELEVATION_MIN_M) | (z > ELEVATION_MAX_M))

    def text(i: int) -> Msg:
        where = _where(feature, i) if len(coords) > 1 else where_name(feature.source)
        return msg(
            "import.absurd_elevation",
            label=feature.label_name,
            z=f"{z[i]:.0f}",
            where=where,
            low=f"{ELEVATION_MIN_M:.0f}",
            high=f"{ELEVATION_MAX_M:.0f}",
        )

    _report(
        out,
        feature,
        "absurd_elevation",
        absurd,
        coords[:, 0],
        coords[:, 1],
        text,
        msg("import.noun_absurd"),
    )


def _crossing_pairs(xy: np.ndarray) -> tuple[np.ndarray, bool]:
    """Pairs of non-adjacent segments of the line ``xy`` that touch, at most :data:`MAX_CROSSINGS`.

    Segments go into an STRtree and are queried a chunk at a time, the chunk sized so
    that one query examines at most :data:`_MAX_CANDIDATES` candidate pairs: time is
    O(n log n) plus the crossings found, memory bounded, and the search stops after
    :data:`MAX_CROSSINGS` pairs or :data:`CROSSING_BUDGET_S` seconds (``capped``).
    ``shapely.node`` instead computes every crossing (millions for a 2,000-vertex
    star, 3.5 GB). Pairs are indices into ``xy`` (segment ``i`` runs from vertex ``i``).
    """
    keep = np.ones(len(xy), dtype=bool)
    keep[1:] = np.any(xy[1:] != xy[:-1], axis=1)  # repeated fixes are not crossings
    where = np.flatnonzero(keep)
    pts = xy[keep]
    m = len(pts) - 1
    if m < 3:
        return np.empty((0, 2), dtype=np.intp), False
    closed = bool(np.all(pts[0] == pts[-1]))
    segments = shapely.linestrings(np.stack([pts[:-1], pts[1:]], axis=1))
    tree = shapely.STRtree(segments)
    chunk = max(1, min(4096, _MAX_CANDIDATES // m))
    found: list[np.ndarray] = []
    count = 0
    capped = False
    deadline = time.monotonic() + CROSSING_BUDGET_S
    for start in range(0, m, chunk):
        a, b = tree.query(segments[start : start + chunk], predicate="intersects")
        a = a + start
        real = b > a + 1  # a segment always touches its neighbours
        if closed:
            real &= ~((a == 0) & (b == m - 1))  # a closed loop meets its own start
        if real.any():
            found.append(np.column_stack([a[real], b[real]]))
            count += int(real.sum())
        if count >= MAX_CROSSINGS or time.monotonic() > deadline:
            capped = True
            break
    if not found:
        return np.empty((0, 2), dtype=np.intp), False
    pairs = np.concatenate(found)[:MAX_CROSSINGS]
    return where[pairs], capped


def _self_crossing(feature: ImportedFeature, coords: np.ndarray, out: list[ImportWarning]) -> None:
    xy = coords[:, :2]
    pairs, capped = _crossing_pairs(xy)
    if len(pairs) == 0:
        return
    i, j = (int(v) for v in pairs[0])
    meet = shapely.intersection(
        shapely.LineString(xy[i : i + 2]), shapely.LineString(xy[j : j + 2])
    )
    x, y = shapely.get_coordinates(meet)[0] if not meet.is_empty else xy[j]
    nearest = int(np.argmin((xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2))
    more: str | Msg = ""
    if capped:
        more = msg("import.crossing_capped", count=len(pairs))
    elif len(pairs) > 1:
        more = msg("import.crossing_count", count=len(pairs))
    out.append(
        ImportWarning(
            "self_crossing",
            msg(
                "import.crossing",
                label=feature.label_name,
                where=_where(feature, nearest),
                x=f"{x:.5f}",
                y=f"{y:.5f}",
                more=more,
            ),
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
                msg(
                    "import.invalid_polygon",
                    label=feature.label_name,
                    why=why,
                    source=where_name(feature.source),
                ),
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
                msg(
                    "import.no_timestamps",
                    label=feature.label_name,
                    source=where_name(feature.source),
                ),
                feature.index,
            )
        )
    elif missing:
        out.append(
            ImportWarning(
                "partial_time",
                msg(
                    "import.partial_time",
                    label=feature.label_name,
                    missing=missing,
                    total=feature.point_count,
                    source=where_name(feature.source),
                ),
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
        places = [(f.index, where_name(f.source)) for f in group[:6]]
        rest = len(group) - 6
        where = Name(
            ", ".join(f"#{i} ({s.en})" for i, s in places)
            + (render("import.and_n_more", "en", count=rest) if rest > 0 else ""),
            "、".join(f"#{i}（{s.zh}）" for i, s in places)
            + (render("import.and_n_more", "zh", count=rest) if rest > 0 else ""),
        )
        out.append(
            ImportWarning(
                "duplicate_name",
                msg("import.duplicate_name", name=first.name, count=len(group), where=where),
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
