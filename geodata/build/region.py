"""Re-derive a region's committed data from its raw sources.

``build_region("kailash", source_dir=..., out_dir=...)`` reads the GPS tracks,
the gazetteer and the road list, and writes ``trails``, ``roads``, ``places``
and ``stations`` GeoJSON layers plus ``metadata.json`` and
``calibration.json``. How the pieces become routes is described by the
region's :class:`~geodata.specs.RegionSpec`:

- the stretch the GPS tracks cover is their consensus centreline
  (:mod:`geodata.build.consensus`), quality ``track_consensus``;
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

Where the code is: :func:`build_region` and the builder's route steps here; its state and
shared primitives in :mod:`geodata.build._state`, thresholds and small helpers in
:mod:`geodata.build._base`, the traced routes in :mod:`geodata.build._traces`, the roads
in :mod:`geodata.build._roads`, the fit report in :mod:`geodata.build._fit`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point

from geodata.build._base import (
    _FIX_QUALITIES,
    _ON_TRACK_M,
    _SPIKE_MAX_DETOUR_M,
    _SPIKE_TURN_DEG,
    _Anchor,
    _collection,
    _feature,
    _interpolate_elevations,
    _turn_deg,
    normalise_surface,
    parse_length_km,
)
from geodata.build._fit import _FitSteps
from geodata.build._roads import _RoadSteps
from geodata.build._sidepath_steps import _SidePathSteps
from geodata.build._traces import _TraceSteps
from geodata.build.consensus import Centreline, consensus_centreline
from geodata.files import write_region
from geodata.specs import CircuitSpec, RegionSpec, get_spec

__all__ = ["BuildReport", "Calibrator", "build_region", "parse_length_km", "normalise_surface"]

#: ``calibrator(tracks, centreline, landmarks_m) -> dict`` (JSON-ready), see routes.calibration.
Calibrator = Callable[[Sequence[Any], LineString, Mapping[str, float]], Mapping[str, Any]]


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


class _Builder(_TraceSteps, _RoadSteps, _FitSteps, _SidePathSteps):
    """A region build: the tracked, chained, traced routes, the roads, places and stations."""

    # -- inputs -------------------------------------------------------------------

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
            source = "gazetteer points in walking order" + (
                "; length from published stage distance" if factor > 1.0 else ""
            )
            notes = "straight chain between gazetteer points; elevation interpolated between "
            notes += "gazetteer elevations"
            accuracy_m = None
            tracked = self.tracked_link(a, b, za, zb)
            if tracked is not None:
                line, about = tracked
                quality, factor = "track_consensus", 1.0
                source, notes, accuracy_m = about["source"], about["notes"], about["accuracy_m"]
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
                source=source,
                notes=notes,
                accuracy_m=accuracy_m,
            )

    # -- circuits drawn by a hand-traced line ----------------------------------------------

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

    # -- roads ----------------------------------------------------------------------

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
        Fits the walking model on the projected tracks (``routes.calibration``);
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
        "side_paths": builder.side_paths,
        "walked_chords": builder.walked_chords(),
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
