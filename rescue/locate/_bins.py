"""The bins a belief is held over: the network cut into 25 m (trail) and 100 m (road) pieces.

:class:`Bins` (:func:`build_bins`): each bin's position, length, segment, route and km,
elevation, with look-ups near a point; :class:`Sparse`: a likelihood that is zero away
from a few bins. Sub-windows of them are :mod:`rescue.locate._windows`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import shapely
from scipy.spatial import cKDTree

if TYPE_CHECKING:
    from routes import RouteNetwork


TRAIL_BIN_M = 25.0
ROAD_BIN_M = 100.0


@dataclass(frozen=True)
class Sparse:
    """A likelihood that is 0 (or undefined: off a route) outside the bins ``idx``, with
    ``values`` there, over ``size`` bins.

    A place's neighbourhood or one route is a small part of a large region: a
    :class:`Mixture` adds such a part where it is, not over every bin (issue 18: a generic
    word's hundreds of places each cost the whole region). The sums are the same, bin by
    bin and term by term, as those of the dense arrays (:meth:`dense`).
    """

    idx: np.ndarray
    values: np.ndarray
    size: int

    def dense(self) -> np.ndarray:
        """The likelihood over every bin (NaN values and the bins outside as 0)."""
        out = np.zeros(self.size)
        out[self.idx] = np.nan_to_num(self.values, nan=0.0)
        return out


@dataclass(frozen=True)
class Bins:
    """Sample positions along every edge of the network (metric CRS).

    Arrays are aligned: ``x``, ``y``, ``z`` (elevation_m), ``length_m``,
    ``segment`` (index into ``segment_ids``), ``route`` (index into
    ``route_ids``, -1 on roads), ``km`` (along the route's main line, NaN off
    it), ``is_road``, ``lon``, ``lat``.
    """

    x: np.ndarray
    y: np.ndarray
    z: np.ndarray
    length_m: np.ndarray
    segment: np.ndarray
    route: np.ndarray
    km: np.ndarray
    is_road: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    segment_ids: tuple[str, ...]
    route_ids: tuple[str, ...]
    route_length_km: np.ndarray
    route_loop: np.ndarray
    #: bin indices of each route (by route index), for work restricted to one route
    route_bins: tuple[np.ndarray, ...]
    tree: cKDTree
    #: how many bins of the whole network each entry stands for (None: one each); a
    #: :class:`Window` folds the bins far from every clue into one entry per group
    count: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.x)

    @property
    def network_bins(self) -> Bins:
        """Every bin of the network, one by one (a :class:`Window`'s whole bins)."""
        return self

    def near(self, x: float, y: float, sigma_m: float) -> np.ndarray:
        """Gaussian of the distance from (x, y), computed only within 4 sigma (0 beyond)."""
        return self.near_part(x, y, sigma_m).dense()

    def near_part(self, x: float, y: float, sigma_m: float) -> Sparse:
        """:meth:`near` as the bins within 4 sigma and their values (0 elsewhere)."""
        idx = np.asarray(self.tree.query_ball_point((x, y), r=4.0 * sigma_m), dtype=np.int64)
        d = np.hypot(self.x[idx] - x, self.y[idx] - y)
        return Sparse(idx, np.exp(-0.5 * (d / sigma_m) ** 2), len(self.x))

    def within(self, x: float, y: float, radius_m: float) -> np.ndarray:
        """Boolean mask of the bins within ``radius_m`` of (x, y)."""
        out = np.zeros(len(self.x), dtype=bool)
        out[np.asarray(self.tree.query_ball_point((x, y), r=radius_m), dtype=np.int64)] = True
        return out

    def nearest_m(self, x: float, y: float) -> float:
        """Distance from (x, y) to the nearest bin."""
        return float(self.tree.query((x, y))[0])

    def need(self, route: int) -> None:
        """Say that an answer reads the bins of ``route`` one by one (see :class:`Window`)."""

    def need_segment(self, segment: int) -> None:
        """Say that an answer reads the bins of ``segment`` one by one (see :class:`Window`)."""


def build_bins(network: RouteNetwork) -> Bins:
    """Cut every forward edge of ``network`` into bins."""
    G = network.graph
    segment_ids = tuple(network.segments.index)
    seg_index = {s: i for i, s in enumerate(segment_ids)}
    route_ids = tuple(network.lines)
    route_index = {r: i for i, r in enumerate(route_ids)}
    xs, ys, zs, ls, segs, routes, kms, roads = [], [], [], [], [], [], [], []
    for _, _, d in G.edges(data=True):
        if not d["forward"]:
            continue
        geom = d["geometry"]
        step = ROAD_BIN_M if d["kind"] == "road" else TRAIL_BIN_M
        n = max(1, int(math.ceil(geom.length / step)))
        at = (np.arange(n) + 0.5) / n
        xyz = shapely.get_coordinates(
            shapely.line_interpolate_point(geom, at, normalized=True), include_z=True
        )
        x, y, z = xyz[:, 0], xyz[:, 1], xyz[:, 2]
        xs.append(x)
        ys.append(y)
        zs.append(z)
        ls.append(np.full(n, d["length_m"] / n))
        segs.append(np.full(n, seg_index[d["segment_id"]]))
        rid = d["route_id"] if d["kind"] == "trail" else None
        r = route_index.get(rid, -1) if rid is not None else -1
        routes.append(np.full(n, r))
        if rid is not None and d["variant"] is None and rid in network.lines:
            line = network.lines[rid]
            kms.append(line.km_of(x, y))
        else:
            kms.append(np.full(n, np.nan))
        roads.append(np.full(n, d["kind"] == "road"))
    x, y = np.concatenate(xs), np.concatenate(ys)
    lon, lat = network.to_wgs.transform(x, y)
    route = np.concatenate(routes).astype(np.int64)
    return Bins(
        x=x,
        y=y,
        z=np.concatenate(zs),
        length_m=np.concatenate(ls),
        segment=np.concatenate(segs).astype(np.int64),
        route=route,
        km=np.concatenate(kms),
        is_road=np.concatenate(roads),
        lon=np.asarray(lon),
        lat=np.asarray(lat),
        segment_ids=segment_ids,
        route_ids=route_ids,
        route_length_km=np.array([network.lines[r].length_m / 1000.0 for r in route_ids]),
        route_loop=np.array([network.lines[r].loop for r in route_ids]),
        route_bins=tuple(np.flatnonzero(route == r) for r in range(len(route_ids))),
        tree=cKDTree(np.column_stack([x, y])),
    )


_NO_BINS = np.zeros(0, dtype=np.int64)
