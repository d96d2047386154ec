"""The helpers of an import preview: names and ids for new features, the region's metric frame,
and sampling, filling and simplifying the lines compared against the network.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point

from geodata.store import Snapshot

__all__ = ["SIMPLIFY_M"]

#: recorded lines are simplified to this (metres) before they are stored
SIMPLIFY_M = 3.0


_SAMPLE_STEP_M = 10.0

#: lines are simplified in chunks of this many vertices (see :func:`_simplified`)
_SIMPLIFY_CHUNK = 1000


def _norm(name: str | None) -> str:
    text = unicodedata.normalize("NFKC", name or "").casefold()
    return re.sub(r"[\s\W_]+", " ", text).strip()


class _Taken(set[str]):
    """Ids in use, remembering the next free number per base (no O(n²) for repeated names)."""

    def __init__(self, ids: Any = ()) -> None:
        super().__init__(ids)
        self.next_number: dict[str, int] = {}

    def unique(self, base: str, sep: str) -> str:
        """``base`` if free, else ``base<sep>2``, ``base<sep>3``, ... (the first free one)."""
        if base not in self:
            self.add(base)
            return base
        n = self.next_number.get(base, 2)
        candidate = f"{base}{sep}{n}"
        while candidate in self:
            n += 1
            candidate = f"{base}{sep}{n}"
        self.next_number[base] = n + 1
        self.add(candidate)
        return candidate


def _slug(name: str, taken: _Taken | None = None) -> str:
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_") or "imported"
    return base if taken is None else taken.unique(base, "_")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


class _Frame:
    """The region's ways and places in metric coordinates."""

    def __init__(self, snapshot: Snapshot) -> None:
        crs = snapshot.documents.metadata["metric_crs"]
        self.fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        self.ways: list[tuple[str, str, dict[str, Any], LineString]] = []
        for layer in ("trails", "roads"):
            for f in snapshot.documents.layers[layer]["features"]:
                xyz = self.metric(f["geometry"]["coordinates"])
                self.ways.append((layer, f["properties"]["way_id"], f, LineString(xyz)))
        self.tree = shapely.STRtree([w[3] for w in self.ways])
        self.places = [
            (f, Point(self.metric([f["geometry"]["coordinates"]])[0][:2]))
            for f in snapshot.documents.layers["places"]["features"]
        ]
        self.place_xy = np.array([p.coords[0] for _, p in self.places]).reshape(-1, 2)
        self.place_names: list[list[str]] = []
        for f, _ in self.places:
            props = f["properties"]
            names = [props.get(k) for k in ("name_en", "name_zh", "name_bo")]
            names += list(props.get("aliases_en") or []) + list(props.get("aliases_zh") or [])
            self.place_names.append([_norm(n) for n in names if n])

    def metric(self, coords: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
        c = np.asarray(coords, dtype=float)
        x, y = self.fwd.transform(c[:, 0], c[:, 1])
        z = c[:, 2] if c.shape[1] > 2 else np.full(len(c), np.nan)
        return np.column_stack([x, y, z])

    def lonlat(self, xyz: np.ndarray) -> list[list[float]]:
        lon, lat = self.back.transform(xyz[:, 0], xyz[:, 1])
        out = []
        for a, b, z in zip(np.atleast_1d(lon), np.atleast_1d(lat), xyz[:, 2], strict=True):
            point = [round(float(a), 6), round(float(b), 6)]
            out.append([*point, round(float(z), 1) if math.isfinite(z) else 0.0])
        return out


def _samples(line: LineString) -> np.ndarray:
    n = max(2, int(math.ceil(line.length / _SAMPLE_STEP_M)) + 1)
    return shapely.line_interpolate_point(line, np.linspace(0, 1, n), normalized=True)


def _fill_z(xyz: np.ndarray, fallback: LineString | None = None) -> np.ndarray:
    """Elevations where the recording has none: interpolated, else from ``fallback``."""
    z = xyz[:, 2].copy()
    ok = np.isfinite(z)
    if ok.all():
        return xyz
    if ok.any():
        d = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xyz[:, :2], axis=0).T))])
        z[~ok] = np.interp(d[~ok], d[ok], z[ok])
    elif fallback is not None and fallback.has_z:
        for i, (x, y) in enumerate(xyz[:, :2]):
            q = fallback.interpolate(fallback.project(Point(x, y)))
            z[i] = q.z if q.has_z else np.nan
    return np.column_stack([xyz[:, :2], z])


def _simplified(line: LineString) -> LineString:
    """``line`` simplified to :data:`SIMPLIFY_M` (Douglas-Peucker), a chunk at a time.

    Douglas-Peucker is quadratic, and recursive, on a line where every vertex matters
    (a zig-zag of 150,000 one-km teeth took minutes and then crashed GEOS by stack
    overflow); chunks of :data:`_SIMPLIFY_CHUNK` vertices, each simplified on its own
    with its ends kept, bound both.
    """
    coords = np.asarray(line.coords)
    if len(coords) <= _SIMPLIFY_CHUNK:
        return shapely.simplify(line, SIMPLIFY_M, preserve_topology=False)
    starts = range(0, len(coords) - 1, _SIMPLIFY_CHUNK)
    pieces = shapely.simplify(
        np.array([LineString(coords[a : a + _SIMPLIFY_CHUNK + 1]) for a in starts]),
        SIMPLIFY_M,
        preserve_topology=False,
    )
    kept = [shapely.get_coordinates(pieces[0])]
    kept += [shapely.get_coordinates(piece)[1:] for piece in pieces[1:]]
    return LineString(np.vstack(kept))


def _simplify(xyz: np.ndarray) -> np.ndarray:
    """Drop vertices within :data:`SIMPLIFY_M` of the line's shape (keeping z)."""
    line = LineString(xyz[:, :2])
    kept = _simplified(line)
    coords = np.asarray(kept.coords)
    # map kept vertices back to their indices (they are a subsequence)
    idx, j = [], 0
    for x, y in coords:
        while j < len(xyz) and (xyz[j, 0] != x or xyz[j, 1] != y):
            j += 1
        idx.append(min(j, len(xyz) - 1))
    return xyz[np.asarray(idx)]
