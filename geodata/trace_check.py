"""How far a walked GPS line lies from a region's built route, way by way.

The hand-traced east half of the Kailash outer kora had no GPS check (issue 14). Given one
GPS line of a walk (a GeoJSON LineString, lon/lat; or a Leaflet/folium HTML page whose first
``L.polyline`` holds it, [lat, lon] pairs), this samples it every 10 m, gives each sample to
the nearest way of the route, and reports the distances per way and per geometry quality::

    python -m geodata.trace_check LINE_FILE [--region kailash] [--route outer_kora] [--json]

Only samples within ``--max-m`` (default 1,000 m) of the route count (a walk that leaves the
route does not measure it). Nothing here runs at build time: the figure is a check of the
committed geometry against a line that is not a build input.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, Point

from geodata.errors import InvalidInput

__all__ = ["read_line", "route_distances", "main"]

_REGIONS = Path(__file__).resolve().parent


def read_line(path: Path) -> list[tuple[float, float]]:
    """(lon, lat) points of the one line in ``path``: a GeoJSON LineString (bare, a Feature or
    the first LineString of a FeatureCollection) or the first ``L.polyline([[lat, lon], …])``
    of an HTML page.

    Raises
    ------
    InvalidInput
        If no line of at least two points is found.
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".html", ".htm"):
        m = re.search(r"L\.polyline\(\s*(\[\s*\[.*?\]\s*\])", text, flags=re.S)
        if m is None:
            raise InvalidInput(f"{path}: no L.polyline([[lat, lon], ...]) found")
        pts = [(float(lon), float(lat)) for lat, lon, *_ in json.loads(m.group(1))]
    else:
        doc = json.loads(text)
        geoms = [f.get("geometry") or {} for f in doc.get("features", [])] or [
            doc.get("geometry", doc)
        ]
        lines = [g for g in geoms if g.get("type") == "LineString"]
        if not lines:
            raise InvalidInput(f"{path}: no GeoJSON LineString found")
        pts = [(float(c[0]), float(c[1])) for c in lines[0]["coordinates"]]
    if len(pts) < 2:
        raise InvalidInput(f"{path}: the line has fewer than two points")
    return pts


def route_distances(
    points: list[tuple[float, float]],
    region_dir: Path,
    route_id: str,
    *,
    step_m: float = 10.0,
    max_m: float = 1_000.0,
) -> dict[str, Any]:
    """Distances from ``points`` (lon/lat, sampled every ``step_m``) to the main-line ways of
    ``route_id`` in ``region_dir``: per way and per quality (median, p95, max, samples)."""
    meta = json.loads((region_dir / "metadata.json").read_text(encoding="utf-8"))
    to_m = Transformer.from_crs("EPSG:4326", meta["metric_crs"], always_xy=True)
    doc = json.loads((region_dir / "trails.geojson").read_text(encoding="utf-8"))
    ways = [
        f["properties"]
        | {"line": LineString([to_m.transform(*c[:2]) for c in f["geometry"]["coordinates"]])}
        for f in doc["features"]
        if f["properties"]["route_id"] == route_id and f["properties"]["variant"] is None
    ]
    if not ways:
        raise InvalidInput(f"route {route_id!r} has no ways in {region_dir}")
    walk = LineString([to_m.transform(lon, lat) for lon, lat in points])
    samples = [walk.interpolate(d) for d in np.arange(0.0, walk.length, step_m)]
    by_way: dict[str, list[float]] = {}
    for p in samples:
        dist = [w["line"].distance(Point(p.x, p.y)) for w in ways]
        i = int(np.argmin(dist))
        if dist[i] <= max_m:
            by_way.setdefault(ways[i]["way_id"], []).append(dist[i])

    def stats(values: list[float]) -> dict[str, Any]:
        a = np.asarray(values)
        return {
            "median_m": round(float(np.median(a)), 1),
            "p95_m": round(float(np.percentile(a, 95)), 1),
            "max_m": round(float(a.max()), 1),
            "n_samples": int(a.size),
        }

    quality = {w["way_id"]: w["quality"] for w in ways}
    by_quality: dict[str, list[float]] = {}
    for way_id, values in by_way.items():
        by_quality.setdefault(quality[way_id], []).extend(values)
    return {
        "route_id": route_id,
        "line_length_m": round(walk.length, 1),
        "sampled_every_m": step_m,
        "by_quality": {q: stats(v) for q, v in sorted(by_quality.items())},
        "by_way": {w["way_id"]: stats(by_way[w["way_id"]]) for w in ways if w["way_id"] in by_way},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("line_file", type=Path)
    parser.add_argument("--region", default="kailash")
    parser.add_argument("--route", default="outer_kora")
    parser.add_argument("--max-m", type=float, default=1_000.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        report = route_distances(
            read_line(args.line_file), _REGIONS / args.region, args.route, max_m=args.max_m
        )
    except (InvalidInput, OSError, ValueError) as exc:
        print(f"trace_check: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
        return 0
    print(f"{args.line_file}: {report['line_length_m'] / 1000:.2f} km, against {args.route}")
    for name, rows in (("quality", report["by_quality"]), ("way", report["by_way"])):
        for key, s in rows.items():
            print(
                f"  {name} {key:<62} median {s['median_m']:6.0f} m  p95 {s['p95_m']:6.0f} m  "
                f"max {s['max_m']:6.0f} m  ({s['n_samples']} samples)"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
