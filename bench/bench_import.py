"""Upload import time: a 50,000-point GPX 1.1 track round Kailash through ``read_upload``.

Run: ``python -m bench.bench_import [--points 50000] [--repeat 5]``. The track is
generated in memory (a walk round the kora near lon 81.3, lat 31.05, one fix
every 2 s, elevations 4,600-5,650 m, GPS jitter). The figures are the p50 and
max wall time of ``read_upload`` (detection, defusedxml, gpxpy, arrays, all
checks), its p50 CPU time (which a busy machine does not inflate), and the peak
Python memory of one run measured with tracemalloc.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import numpy as np


def make_gpx(points: int = 50_000, seed: int = 7) -> bytes:
    """A GPX 1.1 document with one track of ``points`` fixes, 2 s apart."""
    rng = np.random.default_rng(seed)
    angle = np.linspace(0.0, 2 * math.pi * 0.97, points)
    wobble = np.convolve(rng.normal(0.0, 1.0, points), np.ones(200) / 200, mode="same")
    radius_deg = 0.075 + 0.004 * wobble
    lon = 81.31 + radius_deg * np.cos(angle) / math.cos(math.radians(31.05))
    lat = 31.07 + radius_deg * np.sin(angle)
    lon += rng.normal(0.0, 2e-6, points)  # jitter of a few decimetres
    lat += rng.normal(0.0, 2e-6, points)
    ele = 5100.0 + 520.0 * np.sin(3 * angle) + rng.normal(0.0, 1.5, points)
    start = datetime(2026, 6, 1, 1, 30, tzinfo=UTC)
    stamps = [
        (start + timedelta(seconds=2 * i)).strftime("%Y-%m-%dT%H:%M:%SZ") for i in range(points)
    ]
    rows = [
        f'      <trkpt lat="{la:.7f}" lon="{lo:.7f}"><ele>{el:.1f}</ele><time>{ts}</time></trkpt>\n'
        for lo, la, el, ts in zip(lon, lat, ele, stamps, strict=True)
    ]
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="Sandtable bench" xmlns="http://www.topografix.com/GPX/1/1">\n'
        "  <trk>\n    <name>Kora day 1</name>\n    <type>hiking</type>\n    <trkseg>\n"
    )
    return (head + "".join(rows) + "    </trkseg>\n  </trk>\n</gpx>\n").encode()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    from geodata.importers import read_upload

    data = make_gpx(args.points)
    result = read_upload("kora.gpx", data)  # warm imports and caches
    times_ms = []
    cpu_ms = []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = read_upload("kora.gpx", data)
        times_ms.append((time.perf_counter() - t0) * 1000)
        cpu_ms.append((time.process_time() - c0) * 1000)
    tracemalloc.start()
    read_upload("kora.gpx", data)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    codes = sorted({w.code for w in result.warnings})
    print(
        f"  kora.gpx: {result.point_count} points, {len(data) / 1e6:.1f} MB, "
        f"{len(result.warnings)} warnings {codes}: read_upload p50 "
        f"{statistics.median(times_ms):.0f} ms (CPU {statistics.median(cpu_ms):.0f} ms), "
        f"max {max(times_ms):.0f} ms over {args.repeat} runs; "
        f"peak traced memory {peak / 1e6:.0f} MB"
    )
    _preview_and_apply(data, max(1, min(args.repeat, 3)))
    return 0


def _preview_and_apply(data: bytes, repeat: int) -> None:
    """Upload + preview against the Kailash data, and apply a version + refresh the graph."""
    import copy
    import tempfile
    from pathlib import Path

    from geodata.importers import read_upload
    from geodata.importers.preview import preview
    from geodata.store import FeatureEdit, open_store
    from rescue.route_data import network_for

    with tempfile.TemporaryDirectory(prefix="sandtable-bench-") as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            store.versions.seed("kailash")
            network_for(store.versions.snapshot("kailash"))  # the served network, built at start
            preview_ms = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                snapshot = store.versions.snapshot("kailash")
                plan = preview(read_upload("kora.gpx", data), snapshot, check=network_for)
                preview_ms.append((time.perf_counter() - t0) * 1000)
            apply_ms = []
            for i in range(repeat):
                snapshot = store.versions.snapshot("kailash")
                f = copy.deepcopy(snapshot.feature("places", "darchen"))
                f["properties"]["notes"] = f"bench edit {i}"
                edit = FeatureEdit(
                    "places", "darchen", "update", f, snapshot.revisions[("places", "darchen")]
                )
                t0 = time.perf_counter()
                store.versions.commit(
                    "kailash", [edit], author="bench", message="bench", check=network_for
                )
                network_for(store.versions.snapshot("kailash"))  # what the next request does
                apply_ms.append((time.perf_counter() - t0) * 1000)
        finally:
            store.dispose()
    print(
        f"  upload + preview on Kailash ({plan.counts()}, {len(plan.problems)} problems): "
        f"p50 {statistics.median(preview_ms):.0f} ms, max {max(preview_ms):.0f} ms "
        f"over {repeat} runs (target < 3000 ms)"
    )
    print(
        "  apply a version + refresh the graph on Kailash: "
        f"p50 {statistics.median(apply_ms):.0f} ms, "
        f"max {max(apply_ms):.0f} ms over {repeat} runs (target < 1000 ms)"
    )


if __name__ == "__main__":
    sys.exit(main())
