"""Re-derive a region's committed data from its raw sources.

``build_region("kailash", source_dir=..., out_dir=...)`` reads the GPS tracks,
the gazetteer and the road list, and writes ``trails``, ``roads``, ``places``
and ``stations`` GeoJSON layers plus ``metadata.json`` and
``calibration.json``. How the pieces become routes is described by the
region's :class:`~geodata.specs.RegionSpec`:

- the stretch the GPS tracks cover is their consensus centreline
  (:mod:`geodata.consensus`), quality ``track_consensus``;
- the rest of each circuit is a chain through gazetteer points in walking
  order. A point whose position is only estimated and which would make the
  chain double back on itself is left out of the chain (it stays a place,
  snapped with its distance). Each link is ``published_fixes`` when both ends
  are fixes (published GPS, track-derived), else ``estimated``;
- roads come from ``roads.csv``. Vehicle tracks that run beside a foot trail
  follow the trail (their alignment was never traced); the others are straight
  between their end places, with the published length kept as
  ``length_factor``.

The walking model is calibrated by a function the caller passes in
(``calibrator``), so that this package does not depend on ``routes``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point
from shapely.ops import substring

from geodata.consensus import Centreline, consensus_centreline, distance_stats, project_tracks
from geodata.errors import DataValidationError, InvalidInput
from geodata.files import write_region
from geodata.raw import read_gazetteer, read_roads, read_tracks
from geodata.specs import CircuitSpec, RegionSpec, TraceSpec, get_spec

__all__ = ["BuildReport", "Calibrator", "build_region", "parse_length_km", "normalise_surface"]

#: ``calibrator(tracks, centreline, landmarks_m) -> dict`` (JSON-ready), see routes.calibrate.
Calibrator = Callable[[Sequence[Any], LineString, Mapping[str, float]], Mapping[str, Any]]

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


@dataclass
class BuildReport:
    """What a build did; ``summary()`` is what the CLI prints."""

    region_id: str
    out_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    centreline_fit: dict[str, Any] = field(default_factory=dict)
    calibration: dict[str, Any] = field(default_factory=dict)
    route_lengths_m: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    duration_s: float = 0.0

    def summary(self) -> str:
        """Return a human-readable account of the build."""
        lines = [f"Built region {self.region_id!r} into {self.out_dir} in {self.duration_s:.1f} s"]
        lines.append("  " + ", ".join(f"{n} {k}" for k, n in self.counts.items()))
        fit = self.centreline_fit
        if fit:
            lines.append(
                f"  west-valley centreline from {fit.get('n_tracks')} tracks: "
                f"{fit.get('length_m', 0) / 1000:.2f} km, track points to centreline "
                f"median {fit.get('median_distance_m', float('nan')):.1f} m, "
                f"p95 {fit.get('p95_distance_m', float('nan')):.1f} m"
            )
        for route_id, length_m in self.route_lengths_m.items():
            lines.append(f"  route {route_id}: {length_m / 1000:.1f} km")
        report = self.calibration.get("report", {}) if self.calibration else {}
        whole, pairs = report.get("whole_stretch"), report.get("pairs")
        if whole:
            lines.append(
                f"  walking model hold-out MAE, median walker: whole tracked stretch "
                f"{whole['mae_s']:.0f} s (distance-only {whole['baseline_mae_s']:.0f} s)"
            )
        if pairs:
            lines.append(
                f"  … every landmark to every later one ({pairs['n_pairs']} predictions): "
                f"{pairs['mae_s']:.0f} s (distance-only {pairs['baseline_mae_s']:.0f} s)"
            )
        if self.warnings:
            lines.append(f"  {len(self.warnings)} warning(s):")
            lines.extend(f"    - {w}" for w in self.warnings)
        return "\n".join(lines)


# --------------------------------------------------------------------------- helpers


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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class _Anchor:
    """A point of a chain: metric position, elevation if known, and provenance."""

    place_id: str | None
    x: float
    y: float
    elevation_m: float | None
    is_fix: bool
    kora_km: float | None


class _Builder:
    def __init__(self, spec: RegionSpec, source_dir: Path, *, progress: bool) -> None:
        self.spec = spec
        self.source_dir = source_dir
        self.progress = progress
        self.to_metric = Transformer.from_crs("EPSG:4326", spec.metric_crs, always_xy=True)
        self.to_wgs = Transformer.from_crs(spec.metric_crs, "EPSG:4326", always_xy=True)
        self.warnings: list[str] = []
        self.ways: list[dict[str, Any]] = []  # metric geometry until serialised
        self.loops = {c.route_id for c in spec.circuits if c.loop}
        #: place id -> (x, y, metres moved, kora_km) for places re-placed on a traced line
        self.replaced: dict[str, tuple[float, float, float, float | None]] = {}
        self.trace_lines: dict[str, LineString] = {}
        self.trace_known_heights: dict[str, list[dict[str, float]]] = {}
        self.trace_accuracy_m: dict[str, float] = {}
        #: place id -> the re-placed place it shares its gazetteer point with
        self.companions: dict[str, str] = {}

    # -- inputs -------------------------------------------------------------------
    def read_inputs(self) -> None:
        missing = [f for f in SOURCE_FILES if not (self.source_dir / f).is_file()]
        if missing:
            raise InvalidInput(
                f"source folder {self.source_dir} lacks {', '.join(missing)} "
                f"(expected {', '.join(SOURCE_FILES)})"
            )
        traces = [t.file for t in self.spec.traces]
        missing = [f for f in traces if not (self.source_dir / f).is_file()]
        if missing:
            raise InvalidInput(
                f"source folder {self.source_dir} lacks {', '.join(missing)} (the region spec "
                "draws a circuit from it)"
            )
        self.hashes = {f: _sha256(self.source_dir / f) for f in (*SOURCE_FILES, *traces)}
        self.gazetteer = {
            row["id"]: row for row in read_gazetteer(self.source_dir / "gazetteer.csv")
        }
        for pid, (zh, source) in self.spec.names_zh.items():
            row = self.gazetteer.get(pid)
            if row is not None and not row["name_zh"]:  # the gazetteer's own name wins
                row["name_zh"] = [zh]
                row["source"] = f"{row['source']}; {source}" if row["source"] else source
        self.roads = read_roads(self.source_dir / "roads.csv")
        self._log("reading GPS tracks …")
        self.tracks = project_tracks(
            read_tracks(self.source_dir / "tracks_train.csv.gz"), crs=self.spec.metric_crs
        )

    def _log(self, message: str) -> None:
        if self.progress:
            print(message, file=sys.stderr, flush=True)

    def place(self, place_id: str) -> dict[str, Any]:
        try:
            return self.gazetteer[place_id]
        except KeyError:
            raise DataValidationError(
                f"region spec {self.spec.region_id!r} names place {place_id!r}, "
                "which gazetteer.csv does not have"
            ) from None

    def lonlat(self, place_id: str) -> tuple[float, float]:
        """A place's served position: re-placed on a traced line, or the gazetteer's."""
        row = self.place(place_id)
        if place_id in self.replaced and row["type"] not in self.spec.off_network_types:
            lon, lat = self.to_wgs.transform(*self.replaced[place_id][:2])
            return round(float(lon), 6), round(float(lat), 6)
        return row["lon"], row["lat"]

    def raw_xy(self, place_id: str) -> tuple[float, float]:
        """The gazetteer's position, metric."""
        row = self.place(place_id)
        x, y = self.to_metric.transform(row["lon"], row["lat"])
        return float(x), float(y)

    def xy(self, place_id: str) -> tuple[float, float]:
        row = self.place(place_id)
        if place_id in self.replaced and row["type"] not in self.spec.off_network_types:
            return self.replaced[place_id][0], self.replaced[place_id][1]
        x, y = self.to_metric.transform(row["lon"], row["lat"])
        return float(x), float(y)

    def anchor(self, place_id: str) -> _Anchor:
        row = self.place(place_id)
        x, y = self.xy(place_id)
        return _Anchor(
            place_id,
            x,
            y,
            row["elevation_m"],
            row["coord_quality"] in _FIX_QUALITIES,
            self.replaced[place_id][3] if place_id in self.replaced else row["kora_km"],
        )

    # -- west valley ------------------------------------------------------------------
    def build_tracked(self) -> Centreline:
        spec = self.spec
        self._log(f"consensus centreline of {len(self.tracks)} tracks …")
        centre = consensus_centreline(
            self.tracks,
            start_xy=self.xy(spec.track_start_place_id),
            end_xy=self.xy(spec.track_end_place_id),
        )
        line = centre.geometry
        start, end = spec.track_start_place_id, spec.track_end_place_id
        self._add_way(
            f"{spec.tracked_route_id}:{start}-{end}",
            line,
            kind="trail",
            route_id=spec.tracked_route_id,
            names=(self.place(start), self.place(end)),
            quality="track_consensus",
            modes=["foot"],
            surface="trail",
            length_factor=1.0,
            ends=(start, end),
            source=f"consensus centreline of {centre.fit.n_tracks} GPS tracks (tracks_train)",
            accuracy_m=round(centre.fit.median_distance_m, 1),
            notes="elevation: per-bin median of phone-GPS elevations (10-30 m low vs. LP figures)",
        )
        for i, branch in enumerate(centre.branches, start=1):
            self._add_way(
                f"{spec.tracked_route_id}:{start}-{end}:branch{i}",
                branch.geometry,
                kind="trail",
                route_id=spec.tracked_route_id,
                names=(self.place(start), self.place(end)),
                quality="track_consensus",
                modes=["foot"],
                surface="trail",
                length_factor=1.0,
                ends=(None, None),
                source="consensus of the GPS tracks that took the other bank",
                notes=(
                    f"parallel path used by {branch.share_of_tracks:.0%} of tracks between "
                    f"{branch.from_m / 1000:.1f} and {branch.to_m / 1000:.1f} km"
                ),
                name_suffix=(" (other bank)", "（对岸）"),
                variant="other_bank",
            )
        self.centreline = centre
        return centre

    # -- chains through gazetteer points -----------------------------------------------
    def build_chain(self, circuit: CircuitSpec, start: _Anchor | None = None) -> None:
        anchors = [self.anchor(pid) for pid in circuit.place_ids]
        if start is not None:
            anchors.insert(0, start)
        # a chain ending at a place on a trail built before joins that trail exactly
        for i in (0, -1):
            anchors[i] = self._join_existing(anchors[i])
        anchors = self._drop_spikes(anchors, circuit.route_id)
        if all(a.elevation_m is None for a in anchors):
            anchors = [self._with_nearby_elevation(a) for a in anchors]
            self.warnings.append(
                f"{circuit.route_id}: the gazetteer gives no elevation on this route; elevations "
                "are weighted from the nearest places that have one (a rough lower bound)"
            )
        elevations = _interpolate_elevations(anchors)
        town = {tuple(p) for p in self.spec.town_links}
        for a, b, za, zb in zip(anchors, anchors[1:], elevations, elevations[1:], strict=False):
            line = LineString([(a.x, a.y, za), (b.x, b.y, zb)])
            if line.length < 1.0:
                continue
            key = f"{a.place_id}>{b.place_id}"
            published_m = circuit.stage_lengths_m.get(key)
            if published_m is None and a.kora_km is not None and b.kora_km is not None:
                if b.kora_km > a.kora_km:
                    published_m = (b.kora_km - a.kora_km) * 1000.0
            factor = max(1.0, published_m / line.length) if published_m else 1.0
            is_street = (a.place_id, b.place_id) in town
            quality = "published_fixes" if (a.is_fix and b.is_fix) else "estimated"
            self._add_way(
                f"{circuit.route_id}:{a.place_id}-{b.place_id}",
                line,
                kind="trail",
                route_id=circuit.route_id,
                names=(self.place(a.place_id or ""), self.place(b.place_id or "")),
                quality=quality,
                modes=["foot", "vehicle"] if is_street else ["foot"],
                surface="paved" if is_street else "trail",
                length_factor=round(factor, 4),
                ends=(a.place_id, b.place_id),
                source="gazetteer points in walking order"
                + ("; length from published stage distance" if factor > 1.0 else ""),
                notes="straight chain between gazetteer points; elevation interpolated "
                "between gazetteer elevations",
            )

    # -- circuits drawn by a hand-traced line ----------------------------------------------
    def read_trace(self, trace: TraceSpec) -> LineString:
        """The trace as a metric 2D line; a clear error naming the file when it is not one."""
        path = self.source_dir / trace.file
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataValidationError(f"{path}: not a readable GeoJSON file ({exc})") from None
        geoms = [f.get("geometry") for f in doc.get("features", [])] if "features" in doc else [doc]
        lines = [g for g in geoms if isinstance(g, dict) and g.get("type") == "LineString"]
        if len(lines) != 1:
            raise DataValidationError(f"{path}: expected one LineString, found {len(lines)}")
        try:
            coords = np.asarray(lines[0]["coordinates"], dtype=float)[:, :2]
        except (KeyError, TypeError, ValueError, IndexError):
            raise DataValidationError(f"{path}: LineString coordinates are not numbers") from None
        bad = ~((np.abs(coords[:, 0]) <= 180) & (np.abs(coords[:, 1]) <= 90))
        if len(coords) < 2 or bad.any():
            where = f" (point {int(np.flatnonzero(bad)[0])})" if bad.any() else ""
            raise DataValidationError(
                f"{path}: expected at least 2 lon/lat points within range{where}"
            )
        x, y = self.to_metric.transform(coords[:, 0], coords[:, 1])
        return LineString(np.column_stack([x, y]))

    def build_traced(
        self, circuit: CircuitSpec, trace: TraceSpec, start: _Anchor | None
    ) -> tuple[_Anchor, list[str]]:
        """Cut the trace at the circuit's places, from ``start`` on; chain the rest.

        Returns the anchor where the traced stretch ends and the place ids the
        ordinary chain continues with (from that anchor).
        """
        line = self.read_trace(trace)
        self.trace_lines[trace.route_id] = line
        place_ids = list(circuit.place_ids)
        if start is None:
            start = self.anchor(place_ids.pop(0))
        m0 = float(line.project(Point(start.x, start.y)))
        cuts, rest_from = self._trace_cuts(circuit, trace, line, m0, place_ids)
        line3d = self._trace_heights(circuit, trace, line, m0, start, cuts)
        self._replace_on_trace(circuit, line3d, m0, start.kora_km, cuts)
        self._move_companions([pid for _, pid in cuts])
        # the ways between consecutive cut points
        marks = [(0.0, start)] + [
            (
                m - m0,
                _Anchor(
                    pid,
                    self.replaced[pid][0],
                    self.replaced[pid][1],
                    None,
                    False,
                    self.replaced[pid][3],
                ),
            )
            for m, pid in cuts
        ]
        for (ma, a), (mb, b) in zip(marks, marks[1:], strict=False):
            piece = substring(line3d, ma, mb)
            if piece.length < 1.0:
                continue
            pc = np.asarray(piece.coords)
            pc[0, :2], pc[-1, :2] = (a.x, a.y), (b.x, b.y)
            piece = LineString(pc)
            self._add_way(
                f"{circuit.route_id}:{a.place_id}-{b.place_id}",
                piece,
                kind="trail",
                route_id=circuit.route_id,
                names=(self.place(a.place_id or ""), self.place(b.place_id or "")),
                quality="hand_traced",
                modes=["foot"],
                surface="trail",
                length_factor=1.0,
                ends=(a.place_id, b.place_id),
                source=trace.source,
                notes="geometry cut from the hand-traced line; elevation linear by distance "
                "between the gazetteer's known heights",
                accuracy_m=self.trace_accuracy_m.get(trace.route_id),
            )
        end_pid = cuts[-1][1]
        z_end = float(line3d.coords[-1][2])
        x_end, y_end = self.replaced[end_pid][:2]
        end = _Anchor(end_pid, x_end, y_end, z_end, False, self.replaced[end_pid][3])
        return end, place_ids[rest_from:]

    def _trace_cuts(
        self,
        circuit: CircuitSpec,
        trace: TraceSpec,
        line: LineString,
        m0: float,
        place_ids: Sequence[str],
    ) -> tuple[list[tuple[float, str]], int]:
        """The places the trace is cut at ((metres along it, place id), in order from
        ``m0``), and the index in ``place_ids`` the ordinary chain goes on from.

        A place too far from the line, or behind the previous one (a side site), is
        no cut point (a warning says so); a place past the line's end starts the chain.
        """
        end_m = line.length
        cuts: list[tuple[float, str]] = []
        rest_from = len(place_ids)
        last_m = m0
        for i, pid in enumerate(place_ids):
            p = Point(self.xy(pid))
            m, off = float(line.project(p)), float(line.distance(p))
            if off > trace.max_offset_m:
                self.warnings.append(
                    f"{circuit.route_id}: {pid} lies {off:.0f} m from the traced line; "
                    "neither re-placed on it nor a cut point"
                )
                continue
            if m <= last_m + 1.0:
                if last_m >= end_m - 1.0:
                    # the line has ended: the chain goes on from the last cut (town streets)
                    rest_from = i
                    break
                self.warnings.append(
                    f"{circuit.route_id}: {pid} lies behind the previous place along the traced "
                    "line (a side site); not a cut point"
                )
                continue
            cuts.append((m, pid))
            last_m = m
        if not cuts:
            raise DataValidationError(
                f"{trace.file}: no place of {circuit.route_id} lies along the traced line"
            )
        if end_m - last_m > 50.0:
            self.warnings.append(
                f"{circuit.route_id}: the last {(end_m - last_m) / 1000:.2f} km of {trace.file} "
                f"beyond {cuts[-1][1]} are not used"
            )
        return cuts, rest_from

    def _trace_heights(
        self,
        circuit: CircuitSpec,
        trace: TraceSpec,
        line: LineString,
        m0: float,
        start: _Anchor,
        cuts: Sequence[tuple[float, str]],
    ) -> LineString:
        """The used stretch of the trace (``m0`` to the last cut) in 3D: the known heights
        at their places' positions, linear by distance between."""
        stretch = substring(line, m0, cuts[-1][0])
        known = [(0.0, start.elevation_m)] if start.elevation_m is not None else []
        for pid in circuit.place_ids:
            z = self.place(pid)["elevation_m"]
            p = Point(self.xy(pid))
            m = float(line.project(p)) - m0
            if z is None or line.distance(p) > trace.max_offset_m or not 0.0 <= m <= stretch.length:
                continue
            known.append((m, float(z)))
        known.sort()
        kd, kz = zip(*known, strict=True)
        # vertices: the trace's own, plus one at every known height and every cut
        own = np.concatenate(
            [[0.0], np.cumsum(np.hypot(*np.diff(np.asarray(stretch.coords), axis=0).T))]
        )
        marks_m = np.concatenate([own, kd, [m - m0 for m, _ in cuts]])
        dists = np.unique(np.clip(np.round(marks_m, 2), 0.0, stretch.length))
        xy = np.array([stretch.interpolate(d).coords[0][:2] for d in dists])
        self.trace_known_heights[circuit.route_id] = [
            {"m_from_start": round(d, 1), "elevation_m": e} for d, e in known
        ]
        return LineString(np.column_stack([xy, np.interp(dists, kd, kz)]))

    def _replace_on_trace(
        self,
        circuit: CircuitSpec,
        line3d: LineString,
        m0: float,
        km0: float | None,
        cuts: Sequence[tuple[float, str]],
    ) -> None:
        """Re-place the cut places on the line (a GPS fix stays where it is: the line is
        pulled through it) and give their km along it from ``km0``."""
        for m, pid in cuts:
            q = line3d.interpolate(m - m0)
            row = self.place(pid)
            kora_km = round(km0 + (m - m0) / 1000.0, 2) if km0 is not None else None
            if row["coord_quality"] in _FIX_QUALITIES:
                self.replaced[pid] = (*self.raw_xy(pid), 0.0, kora_km)
                continue
            moved = math.hypot(q.x - self.xy(pid)[0], q.y - self.xy(pid)[1])
            self.replaced[pid] = (float(q.x), float(q.y), moved, kora_km)
            if moved > self.spec.snap_warn_m and row["type"] not in self.spec.off_network_types:
                self.warnings.append(
                    f"{circuit.route_id}: {pid} re-placed on the traced line {moved:.0f} m from "
                    f"its gazetteer point ({row['coord_quality']}); check which is right"
                )

    def _move_companions(self, moved: Sequence[str]) -> None:
        """Places the gazetteer puts at the same point as a re-placed one (a medical post at
        its supply point, guesthouses at a gompa) move with it."""
        for pid in moved:
            ox, oy = self.raw_xy(pid)
            for other, row in self.gazetteer.items():
                if other in self.replaced or row["type"] in self.spec.off_network_types:
                    continue
                if math.hypot(*(np.subtract(self.raw_xy(other), (ox, oy)))) <= 1.0:
                    self.replaced[other] = self.replaced[pid]
                    self.companions[other] = pid

    def trace_accuracy(self, trace: TraceSpec, centre: LineString) -> dict[str, Any]:
        """How far the GPS track points of the tracked stretch lie from the trace there."""
        line = self.read_trace(trace)
        a = float(line.project(Point(centre.coords[0][:2])))
        b = float(line.project(Point(centre.coords[-1][:2])))
        west = substring(line, min(a, b), max(a, b))
        sample = [t._take(slice(None, None, 25)) for t in self.tracks]
        median_m, p95_m = distance_stats(sample, west)
        fixes = {}
        for pid, row in self.gazetteer.items():
            if row["coord_quality"] == "gps_published":
                fixes[pid] = round(float(line.distance(Point(self.xy(pid)))), 1)
        self.trace_accuracy_m[trace.route_id] = round(median_m)
        return {
            "checked_against": "every 25th point of the GPS tracks, on the tracked stretch",
            "n_points": int(sum(len(t) for t in sample)),
            "median_distance_m": round(median_m, 1),
            "p95_distance_m": round(p95_m, 1),
            "published_fix_distance_m": fixes,
        }

    def geometry_fit(
        self, route_id: str, trace_accuracy: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        """How a route's served line measures up: lengths, chords, distance to its trace."""
        ways = [w for w in self.ways if w["route_id"] == route_id and w["variant"] is None]
        geometry_m = sum(w["geometry"].length for w in ways)
        segments_m = sum(w["geometry"].length * w["length_factor"] for w in ways)
        by_quality: dict[str, float] = {}
        for w in ways:
            by_quality[w["quality"]] = by_quality.get(w["quality"], 0.0) + w["geometry"].length
        chords = [
            {"way_id": w["way_id"], "length_m": round(w["geometry"].length, 1)}
            for w in ways
            if len(w["geometry"].coords) == 2 and w["geometry"].length > _CHORD_M
        ]
        fit: dict[str, Any] = {
            "geometry_length_m": round(geometry_m, 1),
            "segments_length_m": round(segments_m, 1),
            "segments_over_geometry": round(segments_m / geometry_m, 4) if geometry_m else None,
            "length_by_quality_m": {q: round(v, 1) for q, v in sorted(by_quality.items())},
            "walked_chords_over_m": _CHORD_M,
            "street_chords": [
                c
                for c in chords
                if next(w for w in ways if w["way_id"] == c["way_id"])["surface"] != "trail"
            ],
        }
        fit["walked_chords"] = [
            c
            for c in chords
            if next(w for w in ways if w["way_id"] == c["way_id"])["surface"] == "trail"
        ]
        trace = self.trace_lines.get(route_id)
        if trace is not None:
            traced = [w["geometry"] for w in ways if w["quality"] == "hand_traced"]
            pts = [g.interpolate(d) for g in traced for d in np.arange(0.0, g.length, 10.0)]
            dist = np.array([trace.distance(Point(p.x, p.y)) for p in pts])
            fit["traced_to_trace_m"] = {
                "median": round(float(np.median(dist)), 1),
                "max": round(float(dist.max()), 1),
                "sampled_every_m": 10.0,
            }
            fit["trace_accuracy"] = dict(trace_accuracy or {})
            fit["known_heights"] = self.trace_known_heights.get(route_id, [])
            fit["re_placed_places"] = {
                pid: {"moved_m": round(v[2], 1), "kora_km": v[3]}
                for pid, v in self.replaced.items()
                if self.place(pid)["route"] == route_id
            }
            fit["published_stages"] = self._stage_comparison(ways)
        return fit

    def _stage_comparison(self, ways: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Published stage distances against the built line between the same places."""
        line = LineString(
            [c for i, w in enumerate(ways) for c in list(w["geometry"].coords)[(1 if i else 0) :]]
        )
        out = []
        for a, b, km, source in self.spec.published_stages:
            ma = line.project(Point(self.xy(a)))
            mb = line.project(Point(self.xy(b)))
            built_km = (mb - ma) / 1000.0
            diff = built_km - km
            out.append(
                {
                    "from": a,
                    "to": b,
                    "published_km": km,
                    "built_km": round(built_km, 2),
                    "difference_km": round(diff, 2),
                    "difference_pct": round(100.0 * diff / km, 1),
                    "source": source,
                }
            )
            if abs(diff) > max(0.5, 0.1 * km):
                self.warnings.append(
                    f"{a} → {b}: {built_km:.1f} km along the built line, {km:g} km published "
                    f"({source}); not stretched"
                )
        return out

    def _drop_spikes(self, anchors: list[_Anchor], route_id: str) -> list[_Anchor]:
        """Leave out estimated points that make the chain double back for a short detour.

        Such a point is a side site (a gompa up the hill, a cave) placed off the
        path, not a bend of it. A long detour is kept: it is the route's shape
        (the inner kora is a narrow out-and-back loop).
        """
        anchors = list(anchors)
        changed = True
        while changed:
            changed = False
            for i in range(1, len(anchors) - 1):
                a, b, c = anchors[i - 1], anchors[i], anchors[i + 1]
                if b.is_fix:
                    continue
                turn = _turn_deg((a.x, a.y), (b.x, b.y), (c.x, c.y))
                detour = (
                    math.hypot(b.x - a.x, b.y - a.y)
                    + math.hypot(c.x - b.x, c.y - b.y)
                    - math.hypot(c.x - a.x, c.y - a.y)
                )
                if turn > _SPIKE_TURN_DEG and detour < _SPIKE_MAX_DETOUR_M:
                    self.warnings.append(
                        f"{route_id}: left {b.place_id} out of the route line (its estimated "
                        f"position would make the line turn back by {turn:.0f}° for a "
                        f"{detour:.0f} m detour)"
                    )
                    del anchors[i]
                    changed = True
                    break
        return anchors

    def _join_existing(self, a: _Anchor) -> _Anchor:
        """``a`` moved onto an existing trail's vertex or nearest point (within snap range)."""
        p = Point(a.x, a.y)
        best: tuple[float, LineString] | None = None
        for way in self.ways:
            if way["kind"] == "trail":
                d = way["geometry"].distance(p)
                if d <= self.spec.snap_warn_m and (best is None or d < best[0]):
                    best = (d, way["geometry"])
        if best is None:
            return a
        line = best[1]
        m = line.project(p)
        for end_m in (0.0, line.length):  # prefer a way end (a node already) if close
            if abs(m - end_m) <= _ON_TRACK_M:
                m = end_m
        q = line.interpolate(m)
        return _Anchor(a.place_id, q.x, q.y, q.z, a.is_fix, a.kora_km)

    def _with_nearby_elevation(self, a: _Anchor) -> _Anchor:
        """``a`` with an inverse-distance-weighted elevation of the nearest known places."""
        known = []
        for pid, row in self.gazetteer.items():
            if row["elevation_m"] is None or row["type"] in self.spec.off_network_types:
                continue
            x, y = self.xy(pid)
            known.append((math.hypot(x - a.x, y - a.y), float(row["elevation_m"])))
        known.sort()
        nearest = known[:3]
        weights = [1.0 / max(d, 1.0) ** 2 for d, _ in nearest]
        z = sum(w * e for w, (_, e) in zip(weights, nearest, strict=True)) / sum(weights)
        return _Anchor(a.place_id, a.x, a.y, round(z, 1), a.is_fix, a.kora_km)

    # -- roads ----------------------------------------------------------------------
    def build_roads(self) -> None:
        rows = {r["id"]: r for r in self.roads}
        joined = self._junctions(rows)
        for road in self.roads:
            rid = road["id"]
            if rid in joined:
                start_xy, end_xy, start_id, end_id = joined[rid]
            else:
                if not road["from_id"] or not road["to_id"]:
                    missing = road["to"] if road["from_id"] else road["from"]
                    self.warnings.append(
                        f"roads.csv: road {rid!r} skipped: no coordinates for {missing!r}"
                    )
                    continue
                start_id, end_id = road["from_id"], road["to_id"]
                start_xy, end_xy = self._road_end(start_id), self._road_end(end_id)
            if rid in self.spec.trail_following_roads or start_id == end_id:
                if start_id is None or end_id is None:  # a junction end: no place to follow from
                    continue
                line = self._along_trails(start_id, end_id, rid)
                if line is None:
                    continue
                modes = ["vehicle"]
                notes = "alignment not traced: follows the foot trail between its end places"
            else:
                z0 = self._elevation_at(start_id, start_xy)
                z1 = self._elevation_at(end_id, end_xy)
                line = LineString([(*start_xy, z0), (*end_xy, z1)])
                modes = ["vehicle", "foot"]
                notes = "alignment not traced: straight line between its end places"
            span = parse_length_km(road["length_km"])
            factor = 1.0
            if span is not None and line.length > 0:
                factor = max(1.0, 1000.0 * (span[0] + span[1]) / 2.0 / line.length)
            self._add_way(
                f"road:{rid}",
                line,
                kind="road",
                route_id=None,
                names=None,
                quality="estimated",
                modes=modes,
                surface=normalise_surface(road["surface"]),
                length_factor=round(factor, 4),
                ends=(start_id, end_id),
                source=road["source"],
                notes=f"{notes}; {road['notes']}".strip("; "),
                road=road,
            )

    def _junctions(
        self, rows: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, tuple[tuple[float, float], tuple[float, float], str | None, str | None]]:
        """Join a road ending at an unlocated junction to the road leaving it.

        ``chiu_gossul_turnoff`` ends at the "Gossul turn-off" and ``gossul_spur``
        starts there: the junction is put on the straight line between the known
        ends, at the share of the published lengths.
        """
        out: dict[str, Any] = {}
        for a in rows.values():
            if not a["from_id"] or a["to_id"]:
                continue
            for b in rows.values():
                if b["from_id"] or not b["to_id"]:
                    continue
                na, nb = _norm_name(a["to"]), _norm_name(b["from"])
                if not (na.startswith(nb) or nb.startswith(na)):
                    continue
                la, lb = parse_length_km(a["length_km"]), parse_length_km(b["length_km"])
                share = 0.5 if not (la and lb) else la[1] / (la[1] + lb[1])
                p0, p1 = self._road_end(a["from_id"]), self._road_end(b["to_id"])
                j = (p0[0] + share * (p1[0] - p0[0]), p0[1] + share * (p1[1] - p0[1]))
                out[a["id"]] = (p0, j, a["from_id"], None)
                out[b["id"]] = (j, p1, None, b["to_id"])
        return out

    def _road_end(self, place_id: str) -> tuple[float, float]:
        """Where a road meets a place: the place's point on a trail if it lies on one."""
        a = self._join_existing(self.anchor(place_id))
        return a.x, a.y

    def _elevation_at(self, place_id: str | None, xy: tuple[float, float]) -> float:
        if place_id is not None and self.place(place_id)["elevation_m"] is not None:
            return float(self.place(place_id)["elevation_m"])
        return float(self._nearest_z(xy))

    def _nearest_z(self, xy: tuple[float, float]) -> float:
        p = Point(xy)
        way = min(self.ways, key=lambda w: w["geometry"].distance(p))
        line = way["geometry"]
        return float(line.interpolate(line.project(p)).z)

    def _along_trails(self, start_id: str, end_id: str, road_id: str) -> LineString | None:
        """The stretch of a circuit between two places (the whole loop if they are equal)."""
        for route_id, loop in self.route_lines().items():
            s, e = Point(self.xy(start_id)), Point(self.xy(end_id))
            if loop.distance(s) > self.spec.snap_warn_m or loop.distance(e) > self.spec.snap_warn_m:
                continue
            ms, me = loop.project(s), loop.project(e)
            if start_id == end_id:
                return _rotate_loop(loop, ms)
            # a track beside a trail takes the shorter way along it (either way round a loop)
            ahead = (me - ms) % loop.length if route_id in self.loops else me - ms
            behind = (ms - me) % loop.length if route_id in self.loops else ms - me
            if ahead >= 0 and (behind < 0 or ahead <= behind):
                return _loop_substring(loop, ms, me)
            piece = _loop_substring(loop, me, ms)
            return LineString(list(piece.coords)[::-1])
        self.warnings.append(
            f"roads.csv: road {road_id!r} skipped: {start_id}/{end_id} are not on one trail"
        )
        return None

    def route_lines(self) -> dict[str, LineString]:
        """Each circuit's ways merged into one line in walking order (metric, 3D)."""
        out: dict[str, LineString] = {}
        for route_id in [c.route_id for c in self.spec.circuits]:
            parts = [
                w["geometry"]
                for w in self.ways
                if w["route_id"] == route_id and w["variant"] is None
            ]
            coords: list[tuple[float, ...]] = []
            for part in parts:
                cs = list(part.coords)
                coords.extend(cs if not coords else cs[1:])
            if len(coords) >= 2:
                out[route_id] = LineString(coords)
        return out

    # -- places and stations --------------------------------------------------------
    def snap_places(self) -> list[dict[str, Any]]:
        geoms = [w["geometry"] for w in self.ways]
        tree = shapely.STRtree(geoms)
        features = []
        for pid, row in self.gazetteer.items():
            p = Point(self.xy(pid))
            # prefer a trail over a road that follows it: roads are ranked 1 m farther
            idx = tree.query(p, predicate="dwithin", distance=50_000.0)
            if len(idx) == 0:
                idx = np.arange(len(geoms))
            ranked = sorted(
                idx,
                key=lambda i: (
                    geoms[i].distance(p) + (1.0 if self.ways[i]["kind"] == "road" else 0.0)
                ),
            )
            best = self.ways[ranked[0]]
            dist = float(best["geometry"].distance(p))
            on_network = row["type"] not in self.spec.off_network_types
            if on_network and dist > self.spec.snap_warn_m:
                self.warnings.append(
                    f"place {pid!r} lies {dist:.0f} m from the nearest way ({best['way_id']}); "
                    f"kept off the network (coordinate quality {row['coord_quality']})"
                )
                on_network = False
            lonlat = self.lonlat(pid)
            notes, kora_km = row["notes"], row["kora_km"]
            if pid in self.replaced:
                _, _, moved, kora_km = self.replaced[pid]
                if row["type"] not in self.spec.off_network_types and moved >= 0.5:
                    notes = (f"{notes}; " if notes else "") + (
                        "re-placed on the traced line"
                        + (f" with {self.companions[pid]}" if pid in self.companions else "")
                        + f", {moved:.0f} m from the gazetteer point "
                        f"({row['lat']:.6f}, {row['lon']:.6f}); kora_km along the line "
                        f"(gazetteer {row['kora_km']})"
                    )
            features.append(
                _feature(
                    Point(*lonlat),
                    {
                        "place_id": pid,
                        "name_en": row["name_en"],
                        "name_zh": row["name_zh"][0] if row["name_zh"] else None,
                        "name_bo": row["name_bo"] or None,
                        "aliases_en": list(row["aliases"]),
                        "aliases_zh": list(row["name_zh"][1:]),
                        "type": row["type"],
                        "route_id": row["route"] or None,
                        "kora_km": kora_km,
                        "elevation_m": row["elevation_m"],
                        "coord_quality": row["coord_quality"],
                        "source": row["source"],
                        "notes": notes,
                        "snap_way_id": best["way_id"],
                        "snap_distance_m": round(dist, 1),
                        "on_network": on_network,
                    },
                )
            )
        return features

    def stations(self) -> list[dict[str, Any]]:
        features = []
        for pid, row in self.gazetteer.items():
            rule = self.spec.station_rules_by_id.get(pid) or self.spec.station_rules_by_type.get(
                row["type"]
            )
            if rule is None:
                continue
            features.append(
                _feature(
                    Point(*self.lonlat(pid)),
                    {
                        "station_id": pid,
                        "place_id": pid,
                        "name_en": row["name_en"],
                        "name_zh": row["name_zh"][0] if row["name_zh"] else None,
                        "kind": rule.kind,
                        "capabilities": list(rule.capabilities),
                        "season": rule.season,
                        "notes": row["notes"],
                    },
                )
            )
        return features

    # -- ways -------------------------------------------------------------------------
    def _add_way(
        self,
        way_id: str,
        geometry: LineString,
        *,
        kind: str,
        route_id: str | None,
        names: tuple[Mapping[str, Any], Mapping[str, Any]] | None,
        quality: str,
        modes: list[str],
        surface: str,
        length_factor: float,
        ends: tuple[str | None, str | None],
        source: str,
        notes: str,
        road: Mapping[str, Any] | None = None,
        name_suffix: tuple[str, str] = ("", ""),
        variant: str | None = None,
        accuracy_m: float | None = None,
    ) -> None:
        if names is not None:
            a, b = names
            name_en = f"{a['name_en']} → {b['name_en']}{name_suffix[0]}"
            name_zh = f"{_zh(a)} → {_zh(b)}{name_suffix[1]}"
        else:
            assert road is not None
            name_en = f"{road['from']} → {road['to']}"
            name_zh = name_en
            if road["from_id"] and road["to_id"]:
                name_zh = f"{_zh(self.place(road['from_id']))} → {_zh(self.place(road['to_id']))}"
        self.ways.append(
            {
                "way_id": way_id,
                "geometry": geometry,
                "kind": kind,
                "route_id": route_id,
                "name_en": name_en,
                "name_zh": name_zh,
                "quality": quality,
                "modes": modes,
                "surface": surface,
                "length_factor": length_factor,
                "from_place_id": ends[0],
                "to_place_id": ends[1],
                "source": source,
                "notes": notes,
                "variant": variant,
                "accuracy_m": accuracy_m,
                "road_id": road["id"] if road else None,
                "access": road["vehicle_access"] if road else None,
                "length_published": road["length_km"] if road else None,
            }
        )

    def way_features(self, kind: str) -> list[dict[str, Any]]:
        out = []
        for way in self.ways:
            if way["kind"] != kind:
                continue
            props = {k: v for k, v in way.items() if k != "geometry"}
            if kind == "trail":
                for k in ("road_id", "access", "length_published"):
                    props.pop(k)
            out.append(_feature(self._to_wgs_line(way["geometry"]), props))
        return out

    def _to_wgs_line(self, line: LineString) -> LineString:
        coords = np.asarray(line.coords)
        lon, lat = self.to_wgs.transform(coords[:, 0], coords[:, 1])
        if coords.shape[1] > 2:
            return LineString(np.column_stack([lon, lat, coords[:, 2]]))
        return LineString(np.column_stack([lon, lat]))


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


def _cues(spec: RegionSpec, gazetteer: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The spec's cues with place types expanded to the places of that type."""
    out = []
    for cue in spec.cues:
        groups: list[tuple[str, ...]] = (
            [(pid,) for pid, row in gazetteer.items() if row["type"] == cue.place_type]
            if cue.place_type
            else [cue.place_ids]
        )
        for ids in groups:
            out.append(
                {
                    "tag": cue.tag,
                    "place_ids": list(dict.fromkeys(ids)),
                    "pad_m": cue.pad_m,
                    "weight": cue.weight,
                    "source": cue.source,
                }
            )
    return {"cues": out}


def _feature(geometry: Any, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": shapely.geometry.mapping(geometry),
        "properties": properties,
    }


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def build_region(
    region_id: str,
    *,
    source_dir: Path,
    out_dir: Path,
    calibrator: Calibrator | None = None,
    progress: bool = True,
    spec: RegionSpec | None = None,
) -> BuildReport:
    """Re-derive ``out_dir`` (a region directory) from the raw inputs in ``source_dir``.

    Parameters
    ----------
    region_id
        Region whose :class:`~geodata.specs.RegionSpec` drives the build.
    source_dir
        Folder with ``tracks_train.csv.gz``, ``gazetteer.csv`` and ``roads.csv``.
    out_dir
        Region directory to replace. It is written to a temporary directory
        beside it, validated, and swapped in only when complete.
    calibrator
        Fits the walking model on the projected tracks (``routes.calibrate``);
        without one, ``calibration.json`` keeps only the track summary.
    progress
        Print progress to stderr.
    spec
        Use this spec instead of the registered one for ``region_id``.

    Raises
    ------
    InvalidInput
        If a raw input file is missing.
    DataValidationError
        If a raw file is malformed (the message names file, line and field) or
        the result fails validation; ``out_dir`` is then left as it was.
    """
    started = time.perf_counter()
    spec = spec or get_spec(region_id)
    builder = _Builder(spec, Path(source_dir), progress=progress)
    builder.read_inputs()
    centre = builder.build_tracked()
    tracked_end = builder.anchor(spec.track_end_place_id)
    end_xyz = centre.geometry.coords[-1]
    start = _Anchor(
        spec.track_end_place_id,
        end_xyz[0],
        end_xyz[1],
        float(end_xyz[2]),
        True,
        tracked_end.kora_km,
    )
    traces = {t.route_id: t for t in spec.traces}
    trace_accuracy = {rid: builder.trace_accuracy(t, centre.geometry) for rid, t in traces.items()}
    for circuit in spec.circuits:
        first = start if circuit.route_id == spec.tracked_route_id else None
        if circuit.route_id in traces:
            end, rest = builder.build_traced(circuit, traces[circuit.route_id], first)
            if rest:
                builder.build_chain(replace(circuit, place_ids=tuple(rest)), end)
        else:
            builder.build_chain(circuit, first)
    for spur in spec.spurs:
        builder.build_chain(spur)
    builder.build_roads()

    places = builder.snap_places()
    stations = builder.stations()
    trails, roads = builder.way_features("trail"), builder.way_features("road")

    calibration: dict[str, Any] = {}
    if calibrator is not None:
        builder._log("calibrating the walking model …")
        landmarks = {
            pid: float(centre.geometry.project(Point(builder.xy(pid))))
            for pid, row in builder.gazetteer.items()
            if row["route"] == spec.tracked_route_id
            and row["coord_quality"] in _FIX_QUALITIES
            and centre.geometry.distance(Point(builder.xy(pid))) <= _ON_TRACK_M
        }
        calibration = dict(calibrator(builder.tracks, centre.geometry, landmarks))

    route_lengths = {
        rid: sum(
            w["geometry"].length * w["length_factor"]
            for w in builder.ways
            if w["route_id"] == rid and w["variant"] is None
        )
        for rid in [c.route_id for c in spec.circuits]
    }
    lon, lat = zip(*[f["geometry"]["coordinates"] for f in places], strict=True)
    counts = {
        "trails": len(trails),
        "roads": len(roads),
        "places": len(places),
        "stations": len(stations),
        "tracks": len(builder.tracks),
    }
    fit = centre.fit
    centreline_fit = {
        "n_tracks": fit.n_tracks,
        "n_points": fit.n_points,
        "length_m": round(fit.length_m, 1),
        "median_distance_m": round(fit.median_distance_m, 2),
        "p95_distance_m": round(fit.p95_distance_m, 2),
        "branches": [
            {
                "share_of_tracks": round(b.share_of_tracks, 3),
                "from_m": round(b.from_m),
                "to_m": round(b.to_m),
            }
            for b in centre.branches
        ],
    }
    geometry_fit = {
        rid: builder.geometry_fit(rid, trace_accuracy.get(rid)) for rid in route_lengths
    }
    metadata = {
        "region_id": spec.region_id,
        "name_en": spec.name_en,
        "name_zh": spec.name_zh,
        "crs": "EPSG:4326",
        "metric_crs": spec.metric_crs,
        "bbox": [round(min(lon), 5), round(min(lat), 5), round(max(lon), 5), round(max(lat), 5)],
        "routes": {
            c.route_id: {"name_en": c.name_en, "name_zh": c.name_zh, "loop": c.loop}
            for c in (*spec.circuits, *spec.spurs)
        },
        "sources": builder.hashes,
        "counts": counts,
        "route_lengths_m": {k: round(v, 1) for k, v in route_lengths.items()},
        "parameters": {
            "on_track_m": _ON_TRACK_M,
            "spike_turn_deg": _SPIKE_TURN_DEG,
            "spike_max_detour_m": _SPIKE_MAX_DETOUR_M,
            "snap_warn_m": spec.snap_warn_m,
            "consensus": centre.parameters.as_dict(),
        },
        "centreline_fit": centreline_fit,
        "geometry_fit": geometry_fit,
        "warnings": builder.warnings,
        "build_command": f"sandtable build-region {spec.region_id} --source <raw folder>",
        "evacuation_station_id": spec.evacuation_station_id,
    }
    layers = {
        "trails": _collection(trails),
        "roads": _collection(roads),
        "places": _collection(places),
        "stations": _collection(stations),
    }
    write_region(
        Path(out_dir),
        metadata=metadata,
        calibration=calibration,
        layers=layers,
        cues=_cues(spec, builder.gazetteer),
    )
    return BuildReport(
        region_id=spec.region_id,
        out_dir=Path(out_dir),
        counts=counts,
        centreline_fit=centreline_fit,
        calibration=calibration,
        route_lengths_m=route_lengths,
        warnings=builder.warnings,
        duration_s=time.perf_counter() - started,
    )
