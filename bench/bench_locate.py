"""Locate query latency on one core, on Kailash and on a generated region 100× larger.

Run: ``python -m bench.bench_locate [--repeat 3] [--scale 100]``.

Queries are the descriptions of ``tests/data/locate_cases.jsonl``, each run
``--repeat`` times after one warm-up pass; the figures are p50 / p99 / max
wall time per query, plus the time to build the locate index once. The large
region tiles the Kailash network ``--scale`` times side by side (each copy
shifted 60 km, joined to the next by a link trail), with every place renamed
per copy, so the name index, the bins and the graph all grow ×scale.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "locate_cases.jsonl"


def _queries() -> list[tuple[str, str | None]]:
    out = []
    with CASES.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                case = json.loads(line)
                out.append((case["text"], case.get("reported_at")))
    return out


def _time_queries(network: Any, queries: list[tuple[str, str | None]], repeat: int) -> list[float]:
    from datetime import datetime

    from rescue.errors import InvalidInput
    from rescue.locate import locate

    times = []
    for rnd in range(repeat + 1):
        for text, at in queries:
            when = datetime.fromisoformat(at) if at else None
            t0 = time.perf_counter()
            try:
                locate(network, text, reported_at=when)
            except InvalidInput:
                pass
            if rnd:  # the first round warms caches
                times.append(time.perf_counter() - t0)
    return times


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _report(label: str, network: Any, queries: list[tuple[str, str | None]], repeat: int) -> None:
    from rescue.locate import get_index

    t0 = time.perf_counter()
    index = get_index(network)
    build_s = time.perf_counter() - t0
    times = _time_queries(network, queries, repeat)
    ms = [t * 1000 for t in times]
    print(
        f"  {label}: {network.graph.number_of_edges():,} edges, {len(index.bins):,} bins, "
        f"{len(network.region.places):,} places; index built in {build_s:.2f} s"
    )
    print(
        f"    per query over {len(ms)} runs: p50 {statistics.median(ms):.1f} ms, "
        f"p99 {_pct(ms, 0.99):.1f} ms, max {max(ms):.1f} ms"
    )


def tiled_region(scale: int, out_dir: Path) -> Path:
    """Write a region of ``scale`` shifted copies of Kailash into ``out_dir/tiled``."""
    import copy

    import numpy as np
    import shapely
    from shapely.geometry import LineString, mapping, shape

    from geodata import load_region, write_region

    base = load_region("kailash")
    docs = {}
    for layer in ("trails", "roads", "places", "stations"):
        frame = getattr(base, layer)
        features = []
        for _, row in frame.iterrows():
            props = {k: _plain(v) for k, v in row.items() if k != "geometry"}
            features.append(
                {"type": "Feature", "properties": props, "geometry": mapping(row.geometry)}
            )
        docs[layer] = features
    id_keys = {
        "trails": "way_id",
        "roads": "way_id",
        "places": "place_id",
        "stations": "station_id",
    }
    refs = ("from_place_id", "to_place_id", "snap_way_id", "place_id", "road_id")
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in docs}
    routes_meta: dict[str, Any] = {}
    for i in range(scale):
        dlon = 0.62 * i  # ~60 km east per copy

        def shift(geom: Any, d: float = dlon) -> Any:
            return shapely.transform(
                geom, lambda c: c + np.array([d, 0.0, 0.0][: c.shape[1]]), include_z=geom.has_z
            )

        for layer, features in docs.items():
            for f in features:
                g = copy.deepcopy(f)
                p = g["properties"]
                p[id_keys[layer]] = f"{p[id_keys[layer]]}@{i}"
                for key in refs:
                    if key != id_keys[layer] and p.get(key):
                        p[key] = f"{p[key]}@{i}"
                if p.get("route_id"):
                    p["route_id"] = f"{p['route_id']}@{i}"
                g["geometry"] = mapping(shift(shape(f["geometry"])))
                out[layer].append(g)
        for rid, meta in base.metadata["routes"].items():
            routes_meta[f"{rid}@{i}"] = meta
        if i:
            a = base.places.geometry["darchen"]
            link = LineString([(a.x + 0.62 * (i - 1), a.y, 4670.0), (a.x + 0.62 * i, a.y, 4670.0)])
            out["roads"].append(
                {
                    "type": "Feature",
                    "properties": {
                        "way_id": f"link@{i}",
                        "kind": "road",
                        "route_id": None,
                        "name_en": "link",
                        "name_zh": "link",
                        "quality": "estimated",
                        "modes": ["vehicle", "foot"],
                        "surface": "paved",
                        "length_factor": 1.0,
                        "from_place_id": None,
                        "to_place_id": None,
                        "variant": None,
                        "road_id": f"link{i}",
                        "access": None,
                        "length_published": None,
                        "source": "bench",
                        "notes": "",
                    },
                    "geometry": mapping(link),
                }
            )
    meta = dict(base.metadata)
    minlon, minlat, maxlon, maxlat = meta["bbox"]
    meta.update(
        region_id="tiled", routes=routes_meta, bbox=[minlon, minlat, maxlon + 0.62 * scale, maxlat]
    )
    cues = {
        "cues": [
            dict(c, place_ids=[f"{p}@{i}" for p in c["place_ids"]])
            for i in range(scale)
            for c in base.cues.get("cues", [])
        ]
    }
    target = out_dir / "tiled"
    write_region(
        target,
        metadata=meta,
        calibration=dict(base.calibration),
        layers={k: {"type": "FeatureCollection", "features": v} for k, v in out.items()},
        cues=cues,
    )
    return out_dir


def _plain(v: Any) -> Any:
    import numpy as np

    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, (list, tuple)):
        return list(v)
    return v


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--scale", type=int, default=100, help="copies in the large region (0: skip)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

    from geodata import load_region
    from routes import build_network

    queries = _queries()
    _report("kailash", build_network(load_region("kailash")), queries, args.repeat)
    if args.scale > 1:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            data_dir = tiled_region(args.scale, Path(tmp))
            network = build_network(load_region("tiled", data_dir=data_dir))
            print(
                f"  generated {args.scale}× region and built its network in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            _report(f"{args.scale}× kailash", network, queries, max(1, args.repeat // 3))
    return 0


if __name__ == "__main__":
    sys.exit(main())
