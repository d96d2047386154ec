"""Relief tiles (geodata.relief): reading a region-sized DEM, rendering and the PNG sizes.

Run: ``python -m bench.bench_relief [--zooms 11 12 13 14] [--max-tiles 64]``.

The DEM is made here (nothing is downloaded): the Kailash region's bbox at 1 arc-second
(~30 m, SRTM's spacing), int16 metres, a deterministic surface of the summit's cone,
ridges and smoothed noise (so the PNGs compress like real terrain, not like a cone).
For each zoom the tiles over the outer kora (up to ``--max-tiles``, nearest the
summit first) are rendered once each for ``hillshade`` and ``contours``; the figures are
the wall time per tile (p50 / p95 / max, one core, no cache) and the PNG sizes
(min / median / max bytes). Also the GeoTIFF's size and the time to read it. The load
average is printed with the figures: timings on a shared machine vary with it. Last, the
same DEM through the app: the upload, and the z13 hillshade tiles asked for first (the
DEM parsed and the tile rendered), again (cached in the process) and with the ETag (304).
"""

from __future__ import annotations

import argparse
import io
import math
import os
import statistics
import sys
import time

import numpy as np

BBOX = (81.177, 30.2861, 81.65, 31.10767)
STEP_DEG = 1 / 3600
SUMMIT = (81.3125, 31.06667)
KORA = (81.25, 31.0, 81.40, 31.12)  # the outer kora's box


def _surface() -> np.ndarray:
    from scipy.ndimage import gaussian_filter

    west, south, east, north = BBOX
    cols = int(round((east - west) / STEP_DEG))
    rows = int(round((north - south) / STEP_DEG))
    lon = west + (np.arange(cols) + 0.5) * STEP_DEG
    lat = north - (np.arange(rows) + 0.5) * STEP_DEG
    glon, glat = np.meshgrid(lon, lat)
    km_x = (glon - SUMMIT[0]) * 95.3
    km_y = (glat - SUMMIT[1]) * 111.2
    cone = np.clip(1900 - 420 * np.hypot(km_x, km_y), 0, None)
    ridges = 350 * np.sin(km_x / 1.7) * np.cos(km_y / 2.3)
    rng = np.random.default_rng(17)
    noise = gaussian_filter(rng.normal(size=(rows, cols)), 6) * 900
    return (4700 + cone + ridges + noise).astype(np.int16)


def _geotiff(values: np.ndarray) -> bytes:
    import tifffile

    keys = (1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326)
    tags = [
        (33550, "d", 3, (STEP_DEG, STEP_DEG, 0.0), False),
        (33922, "d", 6, (0.0, 0.0, 0.0, BBOX[0], BBOX[3], 0.0), False),
        (34735, "H", len(keys), keys, False),
    ]
    buf = io.BytesIO()
    tifffile.imwrite(buf, values, extratags=tags, photometric="minisblack", compression="zlib")
    return buf.getvalue()


def _tiles(z: int, limit: int) -> list[tuple[int, int, int]]:
    n = 2**z

    def xy(lon: float, lat: float) -> tuple[int, int]:
        x = int((lon + 180) / 360 * n)
        y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
        return x, y

    x0, y0 = xy(KORA[0], KORA[3])
    x1, y1 = xy(KORA[2], KORA[1])
    sx, sy = xy(*SUMMIT)
    tiles = [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    tiles.sort(key=lambda t: (t[1] - sx) ** 2 + (t[2] - sy) ** 2)
    return tiles[:limit]


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(argv: list[str] | None = None) -> int:
    from geodata.relief import read_geotiff, render_tile

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zooms", type=int, nargs="+", default=[11, 12, 13, 14])
    parser.add_argument("--max-tiles", type=int, default=64)
    args = parser.parse_args(argv)

    values = _surface()
    data = _geotiff(values)
    t0 = time.perf_counter()
    dem = read_geotiff("bench.tif", data, region_bbox=BBOX)
    read_s = time.perf_counter() - t0
    print(
        f"DEM {dem.width} x {dem.height} px int16 ({values.size / 1e6:.1f} Mpx), "
        f"GeoTIFF (deflate) {len(data):,} bytes, read in {read_s:.2f} s"
    )
    print(f"load average at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    for z in args.zooms:
        tiles = _tiles(z, args.max_tiles)
        for layer in ("hillshade", "contours"):
            times: list[float] = []
            sizes: list[int] = []
            for tile in tiles:
                t0 = time.perf_counter()
                png = render_tile(dem, layer, *tile)
                times.append(time.perf_counter() - t0)
                sizes.append(len(png))
            print(
                f"z{z} {layer:9s} {len(tiles):3d} tiles: "
                f"render p50 {statistics.median(times) * 1e3:6.1f} ms, "
                f"p95 {_pct(times, 0.95) * 1e3:6.1f} ms, max {max(times) * 1e3:6.1f} ms; "
                f"PNG min {min(sizes):,} / median {int(statistics.median(sizes)):,} / "
                f"max {max(sizes):,} bytes"
            )
    _served(data, _tiles(13, args.max_tiles))
    print(f"load average at end: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    return 0


def _served(data: bytes, tiles: list[tuple[int, int, int]]) -> None:
    """The same DEM uploaded to an app (SQLite): the upload, then each tile asked for three
    times through the app (a call taker's client): first (rendered), again (the process's
    cache), and with its ETag (304)."""
    import tempfile

    from rescue.users import UserStore
    from web import create_app

    with tempfile.TemporaryDirectory(prefix="sandtable-relief-") as tmp:
        app = create_app({"INSTANCE_DIR": tmp, "TESTING": True})
        state = app.extensions["sandtable"]
        users = UserStore(state.store.reader, state.store.writer)
        users.create_user("bench-planner", "a long password 1", "planner")
        client = app.test_client()
        login = client.post(
            "/api/login", json={"username": "bench-planner", "password": "a long password 1"}
        )
        headers = {"X-CSRF-Token": login.get_json()["csrf_token"]}
        t0 = time.perf_counter()
        answer = client.post(
            "/api/relief/dem",
            data={"file": (io.BytesIO(data), "bench.tif")},
            content_type="multipart/form-data",
            headers=headers,
        )
        upload_s = time.perf_counter() - t0
        assert answer.status_code == 201, answer.get_json()
        v = answer.get_json()["relief"]["sha256"][:12]
        print(f"served: upload of {len(data):,} bytes: {answer.status_code} in {upload_s:.2f} s")
        rounds: dict[str, list[float]] = {"first": [], "cached": [], "etag 304": []}
        for z, x, y in tiles:
            url = f"/api/relief/hillshade/{z}/{x}/{y}.png?v={v}"
            etag = ""
            for name in ("first", "cached", "etag 304"):
                extra = {"If-None-Match": etag} if name == "etag 304" else {}
                t0 = time.perf_counter()
                r = client.get(url, headers=extra)
                rounds[name].append(time.perf_counter() - t0)
                assert r.status_code == (304 if name == "etag 304" else 200), r.status_code
                etag = r.headers["ETag"]
        for name, times in rounds.items():
            print(
                f"served z13 hillshade {len(times)} tiles, {name:8s}: "
                f"p50 {statistics.median(times) * 1e3:6.1f} ms, "
                f"p95 {_pct(times, 0.95) * 1e3:6.1f} ms"
            )
        state.store.dispose()


if __name__ == "__main__":
    sys.exit(main())
