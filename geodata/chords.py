"""Every walked way of a region with its vertices, length and geometry source; the chords.

A chord is a walked way drawn as one straight line between two points over ``over_m``
(300 m by default): a line that is not the trail (issue 14). Run::

    python -m geodata.chords [--region kailash] [--over-m 300] [--all]

to list the chords (``--all``: every walked way), longest first; it exits 1 when there is
a chord. Reads the committed ``trails.geojson`` of the region (lengths in its metric CRS).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pyproj import Transformer
from shapely.geometry import LineString

__all__ = ["walked_ways", "walked_chords", "main"]

_REGIONS = Path(__file__).resolve().parent


def walked_ways(region_dir: Path) -> list[dict[str, Any]]:
    """The trails of ``region_dir`` walked on foot: way id, route, vertex count, length in
    metres (metric CRS of the region), quality, accuracy and source, in file order."""
    meta = json.loads((region_dir / "metadata.json").read_text(encoding="utf-8"))
    to_m = Transformer.from_crs("EPSG:4326", meta["metric_crs"], always_xy=True)
    doc = json.loads((region_dir / "trails.geojson").read_text(encoding="utf-8"))
    out = []
    for f in doc["features"]:
        p, coords = f["properties"], f["geometry"]["coordinates"]
        if "foot" not in p["modes"]:
            continue
        line = LineString([to_m.transform(c[0], c[1]) for c in coords])
        out.append(
            {
                "way_id": p["way_id"],
                "route_id": p["route_id"],
                "n_vertices": len(coords),
                "length_m": round(line.length, 1),
                "quality": p["quality"],
                "accuracy_m": p.get("accuracy_m"),
                "length_factor": p["length_factor"],
                "source": p["source"],
            }
        )
    return out


def walked_chords(region_dir: Path, over_m: float = 300.0) -> list[dict[str, Any]]:
    """The walked ways of ``region_dir`` that are two points over ``over_m`` apart,
    longest first."""
    ways = [w for w in walked_ways(region_dir) if w["n_vertices"] == 2 and w["length_m"] > over_m]
    return sorted(ways, key=lambda w: -w["length_m"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="kailash")
    parser.add_argument("--over-m", type=float, default=300.0)
    parser.add_argument("--all", action="store_true", help="list every walked way")
    args = parser.parse_args(argv)
    region_dir = _REGIONS / args.region
    chords = walked_chords(region_dir, args.over_m)
    rows = walked_ways(region_dir) if args.all else chords
    for w in rows:
        acc = "-" if w["accuracy_m"] is None else f"{w['accuracy_m']:g}"
        print(
            f"{w['way_id']:<70} {w['n_vertices']:>5} pts {w['length_m']:>9.1f} m  "
            f"{w['quality']:<16} ±{acc:<6} {w['source'][:60]}"
        )
    print(f"{len(chords)} walked way(s) over {args.over_m:g} m with only two vertices")
    return 1 if chords else 0


if __name__ == "__main__":
    sys.exit(main())
