"""Km posts: a point at every whole kilometre along a route's main line.

The kilometres are the route's linear reference (:class:`routes.linref.RouteLine`): from
its km 0 in its walking direction, stretched by ``length_factor`` where the geometry is
only an estimate, so a post reads the same km as every answer that says "km 25.1–27.3".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from geodata.errors import InvalidInput
from routes.linref import RouteLine

__all__ = ["KmPost", "km_posts"]


@dataclass(frozen=True)
class KmPost:
    """A km post.

    Attributes
    ----------
    route_id
        The route.
    km
        The whole kilometre from the route's start.
    x, y, elevation_m
        Where it stands on the route line (metric CRS) and its elevation.
    """

    route_id: str
    km: int
    x: float
    y: float
    elevation_m: float


def km_posts(line: RouteLine, *, every_km: int = 1) -> list[KmPost]:
    """The posts at km 0, ``every_km``, 2 ``every_km`` … along ``line``.

    A loop has no post at its end (that is km 0 again); a route shorter than a
    kilometre has only km 0.

    Raises
    ------
    InvalidInput
        If ``every_km`` is not a whole number of at least 1.
    """
    if isinstance(every_km, bool) or not isinstance(every_km, int) or every_km < 1:
        raise InvalidInput(f"every_km must be a whole number of at least 1, not {every_km!r}")
    length_km = line.length_m / 1000.0
    kms = np.arange(0, int(np.floor(length_km + 1e-9)) + 1, every_km)
    if line.loop:
        kms = kms[kms * 1000.0 < line.length_m - 1e-3]
    m = kms * 1000.0
    xs = np.interp(m, line.measure_m, line.coords[:, 0])
    ys = np.interp(m, line.measure_m, line.coords[:, 1])
    zs = np.interp(m, line.measure_m, line.coords[:, 2])
    return [
        KmPost(line.route_id, int(km), float(x), float(y), float(z))
        for km, x, y, z in zip(kms, xs, ys, zs, strict=True)
    ]
