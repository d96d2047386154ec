"""The region build's state and the primitives every step uses: reading the inputs, places
and anchors, adding a way.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, Point

from geodata.build._base import (
    _FIX_QUALITIES,
    _ON_TRACK_M,
    SOURCE_FILES,
    _Anchor,
    _sha256,
    _zh,
)
from geodata.build.consensus import project_tracks
from geodata.errors import DataValidationError, InvalidInput
from geodata.raw import read_gazetteer, read_roads, read_tracks
from geodata.specs import RegionSpec

__all__: list[str] = []


class _BuilderState:
    """What a build knows so far: the inputs, the ways added and the places moved."""

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
        #: "from-to" place ids -> how a link drawn from the GPS tracks fits them
        self.side_paths: dict[str, dict[str, Any]] = {}

    def read_inputs(self) -> None:
        missing = [f for f in SOURCE_FILES if not (self.source_dir / f).is_file()]
        if missing:
            raise InvalidInput(
                f"source folder {self.source_dir} lacks {', '.join(missing)} "
                f"(expected {', '.join(SOURCE_FILES)})"
            )
        missing = [t.file for t in self.spec.traces if not t.path(self.source_dir).is_file()]
        if missing:
            raise InvalidInput(
                f"source folder {self.source_dir} lacks {', '.join(missing)} (the region spec "
                "draws a circuit from it)"
            )
        self.hashes = {f: _sha256(self.source_dir / f) for f in SOURCE_FILES}
        for t in self.spec.traces:
            key = f"geodata/traces/{t.file}" if t.committed else t.file
            self.hashes[key] = _sha256(t.path(self.source_dir))
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

    def _to_wgs_line(self, line: LineString) -> LineString:
        coords = np.asarray(line.coords)
        lon, lat = self.to_wgs.transform(coords[:, 0], coords[:, 1])
        if coords.shape[1] > 2:
            return LineString(np.column_stack([lon, lat, coords[:, 2]]))
        return LineString(np.column_stack([lon, lat]))

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
