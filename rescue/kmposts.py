"""Km posts of every route as GeoJSON, for the map (``GET /api/km-posts``).

A post every kilometre along each route's main line (:func:`routes.kmposts.km_posts`),
with the km it reads; ``major`` posts (every 5 km) are the ones the map shows when
zoomed out. A route shorter than a kilometre (a side path to a gompa) has none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from routes.kmposts import km_posts

if TYPE_CHECKING:
    from routes import RouteNetwork

__all__ = ["MAJOR_EVERY_KM", "PROPERTIES", "km_posts_collection"]

#: posts every this many km are "major" (labelled at low zoom)
MAJOR_EVERY_KM = 5

#: properties of a km post, in output order: name -> meaning (with unit)
PROPERTIES: dict[str, str] = {
    "route_id": "the route",
    "km": "whole kilometres from the route's start (km 0) in its walking direction",
    "major": f"true every {MAJOR_EVERY_KM} km (and at km 0)",
    "elevation_m": "elevation in metres",
}


def km_posts_collection(network: RouteNetwork, *, route_id: str | None = None) -> dict[str, Any]:
    """The km posts of every route (or of ``route_id``) as a FeatureCollection of points.

    Raises
    ------
    NotFound
        If ``route_id`` is given and no such route exists.
    """
    lines = [network.line(route_id)] if route_id is not None else network.lines.values()
    features = []
    for line in lines:
        if line.length_m < 1000.0:
            continue
        posts = km_posts(line)
        lons, lats = network.to_wgs.transform(
            np.array([p.x for p in posts]), np.array([p.y for p in posts])
        )
        for post, lon, lat in zip(posts, lons, lats, strict=True):
            features.append(
                {
                    "type": "Feature",
                    "id": f"{post.route_id}/km/{post.km}",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [
                            round(float(lon), 6),
                            round(float(lat), 6),
                            round(post.elevation_m, 1),
                        ],
                    },
                    "properties": {
                        "route_id": post.route_id,
                        "km": post.km,
                        "major": post.km % MAJOR_EVERY_KM == 0,
                        "elevation_m": round(post.elevation_m, 1),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}
