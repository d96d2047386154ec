"""Linear referencing of many points on one polyline at once: measure, offset, distance.

:class:`LineIndex` answers "where along this line is each of these points, and how far
off it" for up to millions of points (GPS fixes against a centreline). It is the one
implementation behind the consensus centreline (:mod:`geodata.build.consensus`) and the
walking-model calibration (:mod:`routes.calibration`).

How: the line is densified so that no piece is longer than ``max_seg_m`` and the
pieces' midpoints go into a k-d tree; each point is then projected exactly onto the
eight pieces with the nearest midpoints. Far faster than GEOS ``project`` for ~10^6 points, and
exact except in contrived cases (a point nearly equidistant from two far-apart stretches;
error < ``max_seg_m / 2``). Coordinates are metric (the region's projected CRS).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from geodata.errors import InvalidInput

__all__ = ["LineIndex"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: how many pieces (the nearest by their midpoints) each point is projected onto
_CANDIDATES = 8
#: consecutive vertices closer than this are one vertex
_SAME_VERTEX_M = 1e-6


class LineIndex:
    """Nearest-point queries on a polyline: along-line measure, offset, distance.

    Parameters
    ----------
    coords
        The line's vertices, ``(n, 2)`` or ``(n, 3)`` (z = elevation_m, for
        :meth:`z_at` and :meth:`pieces`), metric.
    max_seg_m
        Longest piece of the densified line; smaller is more exact and slower to build.

    Attributes
    ----------
    length_m
        The line's length.
    vertex_m, vertex_z
        Measure and elevation (None for a 2D line) of each distinct input vertex.

    Raises
    ------
    InvalidInput
        If the line has fewer than two distinct vertices.
    """

    def __init__(self, coords: npt.ArrayLike, max_seg_m: float = 2.5) -> None:
        arr = np.asarray(coords, dtype=np.float64)
        xy = arr[:, :2]
        keep = np.r_[True, np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1])) > _SAME_VERTEX_M]
        xy = xy[keep]
        if xy.shape[0] < 2:
            raise InvalidInput("a line needs at least two distinct vertices")
        self.vertex_z: FloatArray | None = arr[keep, 2] if arr.shape[1] > 2 else None
        step = np.hypot(np.diff(xy[:, 0]), np.diff(xy[:, 1]))
        self.vertex_m: FloatArray = np.r_[0.0, np.cumsum(step)]
        self.length_m = float(self.vertex_m[-1])
        self.max_seg_m = max_seg_m
        pieces = np.maximum(1, np.ceil(step / max_seg_m).astype(np.intp))
        owner = np.repeat(np.arange(step.size), pieces)
        frac = np.concatenate([np.arange(p) / p for p in pieces])
        dense = xy[owner] + frac[:, None] * (xy[owner + 1] - xy[owner])
        self._v: FloatArray = np.vstack([dense, xy[-1:]])
        self._cum: FloatArray = np.r_[self.vertex_m[owner] + frac * step[owner], self.length_m]
        self._step: FloatArray = np.diff(self._v, axis=0)
        self._step_m: FloatArray = np.hypot(self._step[:, 0], self._step[:, 1])
        self._tree = cKDTree((self._v[:-1] + self._v[1:]) / 2.0)

    # -- the nearest piece -------------------------------------------------------------
    def _nearest(
        self, p: FloatArray, bound: float
    ) -> tuple[npt.NDArray[np.bool_], IntArray, FloatArray, FloatArray, FloatArray, FloatArray]:
        """For each point: found, piece, fraction along it, distance, cross product, length."""
        n = self._v.shape[0] - 1  # pieces
        k = min(_CANDIDATES, n)
        _, idx = self._tree.query(p, k=k, distance_upper_bound=bound, workers=-1)
        idx = np.asarray(idx).reshape(p.shape[0], k)
        found = idx[:, 0] < n
        p = p[found]
        cand = idx[found]
        cand = np.where(cand < n, cand, cand[:, :1])  # fewer than k within the bound
        a = self._v[cand]
        ab = self._step[cand]
        seg_m = self._step_m[cand]
        ap = p[:, None, :] - a
        u = np.clip(np.einsum("nkj,nkj->nk", ap, ab) / seg_m**2, 0.0, 1.0)
        c = a + u[..., None] * ab
        d = np.hypot(p[:, None, 0] - c[..., 0], p[:, None, 1] - c[..., 1])
        best = np.argmin(d, axis=1)
        r = np.arange(p.shape[0])
        cross = ab[r, best, 0] * ap[r, best, 1] - ab[r, best, 1] * ap[r, best, 0]
        return found, cand[r, best], u[r, best], d[r, best], cross, seg_m[r, best]

    def locate(
        self, xy: npt.ArrayLike, max_distance_m: float = math.inf, chunk: int = 200_000
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Measure, signed offset (left of the line +) and distance of each point.

        Measures are clamped to the line (0 … ``length_m``). Points farther than
        ``max_distance_m`` (approximately) get NaN, NaN, inf.
        """
        pts = np.asarray(xy, dtype=np.float64)
        n = pts.shape[0]
        s = np.full(n, np.nan)
        off = np.full(n, np.nan)
        dist = np.full(n, np.inf)
        bound = max_distance_m + self.max_seg_m / 2.0 if math.isfinite(max_distance_m) else np.inf
        for lo in range(0, n, chunk):
            found, c, u, d, cross, seg_m = self._nearest(pts[lo : lo + chunk], bound)
            where = np.flatnonzero(found) + lo
            s[where] = self._cum[c] + u * seg_m
            off[where] = np.where(cross >= 0, d, -d)
            dist[where] = d
        return s, off, dist

    def locate_extended(self, x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Measure and (unsigned) offset of each point, the line extended straight at its ends.

        A point beyond an end gets a measure below 0 or above ``length_m`` (along the
        end's tangent) and its distance from that tangent as the offset.
        """
        q = np.c_[np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)]
        _, c, u, d, _, seg_m = self._nearest(q, np.inf)
        m = self._cum[c] + u * seg_m
        off = d.copy()
        last = self._v.shape[0] - 2
        for end, at in ((0, (c == 0) & (u <= 0.0)), (-1, (c == last) & (u >= 1.0))):
            if at.any():
                tangent = self._step[end] / self._step_m[end]
                v = q[at] - self._v[end]
                along = v @ tangent
                if end == 0:
                    m[at] = np.minimum(along, 0.0)
                else:
                    m[at] = self.length_m + np.maximum(along, 0.0)
                off[at] = np.abs(v[:, 0] * tangent[1] - v[:, 1] * tangent[0])
        return m, off

    # -- elevation along the line ------------------------------------------------------
    def _z(self) -> FloatArray:
        if self.vertex_z is None:
            raise InvalidInput("the line has no elevations (give (n, 3) coordinates)")
        return self.vertex_z

    def z_at(self, m: npt.ArrayLike) -> FloatArray:
        """Elevation at measures ``m`` (flat beyond the ends).

        Raises
        ------
        InvalidInput
            If the line was given without elevations.
        """
        return np.asarray(
            np.interp(np.asarray(m, dtype=np.float64), self.vertex_m, self._z()), dtype=np.float64
        )

    def pieces(self, m0: float, m1: float) -> FloatArray:
        """(length_m, rise_m, mean_elevation_m) from m0 to m1 (m0 < m1), cut at the vertices.

        The same pieces ``routes.graph.edge_pieces`` makes of an edge of this line, so the
        calibrated model sees the ups and downs the graph will. Beyond the ends the line is
        extended flat.

        Raises
        ------
        InvalidInput
            If the line was given without elevations.
        """
        inner = self.vertex_m[(self.vertex_m > m0) & (self.vertex_m < m1)]
        edges = np.r_[m0, inner, m1]
        z = self.z_at(edges)
        out: FloatArray = np.c_[np.diff(edges), np.diff(z), (z[:-1] + z[1:]) / 2.0]
        return out
