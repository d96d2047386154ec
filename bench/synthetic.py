"""Generated regions for the benchmarks: many copies of Kailash joined by link roads.

``tiled_region(scale, out_dir)`` writes ``scale`` shifted copies of the committed Kailash
region (``geodata/kailash``), every id renamed ``<id>@<copy>``; ``big_network(min_edges)``
builds (once per process; the copies and the built network cached in the temp dir) a
network of at least ``min_edges`` graph edges laid out on a grid, for the approach
benchmark.
"""

from __future__ import annotations

import hashlib
import math
import pickle
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = [
    "BIG_MIN_EDGES",
    "BigNetwork",
    "DLAT",
    "DLON",
    "big_network",
    "grid_shape",
    "tile_offset",
    "tiled_network",
    "tiled_region",
    "write_tiles",
]

#: the approach benchmark's generated network has at least this many graph edges
BIG_MIN_EDGES = 100_000
#: shift between neighbouring copies (Kailash spans 0.47° of longitude, 0.82° of latitude)
DLON = 0.62
DLAT = 0.9
#: the column-0 links between rows run this far west of the copies, clear of every way
_WEST_GAP = 0.07
_KAILASH = Path(__file__).resolve().parent.parent / "geodata" / "kailash"


def grid_shape(scale: int, columns: int | None) -> tuple[int, int]:
    """(rows, columns) of a region of ``scale`` copies; one row when ``columns`` is None."""
    cols = scale if columns is None else max(1, min(columns, scale))
    return math.ceil(scale / cols), cols


def tile_offset(i: int, columns: int | None, scale: int) -> tuple[float, float]:
    """(dlon, dlat) of copy ``i``."""
    _, cols = grid_shape(scale, columns)
    return DLON * (i % cols), DLAT * (i // cols)


def _link(way_id: str, road_id: str, coords: list[tuple[float, float, float]]) -> dict[str, Any]:
    from shapely.geometry import LineString, mapping

    return {
        "type": "Feature",
        "properties": {
            "way_id": way_id,
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
            "road_id": road_id,
            "access": None,
            "length_published": None,
            "source": "bench",
            "notes": "",
        },
        "geometry": mapping(LineString(coords)),
    }


def _kailash_docs() -> tuple[Any, dict[str, list[dict[str, Any]]]]:
    """The committed Kailash region and its layers as GeoJSON features."""
    from shapely.geometry import mapping

    from geodata import load_region

    base = load_region("kailash", data_dir=_KAILASH.parent)
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
    return base, docs


_ID_KEYS = {"trails": "way_id", "roads": "way_id", "places": "place_id", "stations": "station_id"}
_REFS = ("from_place_id", "to_place_id", "snap_way_id", "place_id", "road_id")


def _copy_layers(
    base: Any,
    docs: dict[str, list[dict[str, Any]]],
    i: int,
    scale: int,
    columns: int | None,
    sfx: str,
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Any], list[dict[str, Any]]]:
    """Copy ``i``'s features (and the link road joining it to an earlier copy), routes, cues."""
    import copy

    import numpy as np
    import shapely
    from shapely.geometry import mapping, shape

    dlon, dlat = tile_offset(i, columns, scale)

    def shift(geom: Any) -> Any:
        return shapely.transform(
            geom, lambda c: c + np.array([dlon, dlat, 0.0][: c.shape[1]]), include_z=geom.has_z
        )

    out: dict[str, list[dict[str, Any]]] = {k: [] for k in docs}
    for layer, features in docs.items():
        key = _ID_KEYS[layer]
        for f in features:
            g = copy.deepcopy(f)
            p = g["properties"]
            p[key] = f"{p[key]}{sfx}"
            for ref in _REFS:
                if ref != key and p.get(ref):
                    p[ref] = f"{p[ref]}{sfx}"
            if p.get("route_id"):
                p["route_id"] = f"{p['route_id']}{sfx}"
            g["geometry"] = mapping(shift(shape(f["geometry"])))
            out[layer].append(g)
    a = base.places.geometry["darchen"]
    j = _neighbour(i, scale, columns)
    if j is not None:
        plon, plat = tile_offset(j, columns, scale)
        if j == i - 1:  # joined to the previous copy of its row
            coords = [(a.x + plon, a.y + plat, 4670.0), (a.x + dlon, a.y + dlat, 4670.0)]
        else:  # first of a row: joined to the first copy of the row below, west of both
            west = base.metadata["bbox"][0] - _WEST_GAP
            coords = [
                (a.x + plon, a.y + plat, 4670.0),
                (west, a.y + plat, 4670.0),
                (west, a.y + dlat, 4670.0),
                (a.x + dlon, a.y + dlat, 4670.0),
            ]
        out["roads"].append(_link(f"link@{i}", f"link{i}", coords))
    routes_meta = {f"{rid}{sfx}": meta for rid, meta in base.metadata["routes"].items()}
    cues = [
        dict(c, place_ids=[f"{p}{sfx}" for p in c["place_ids"]]) for c in base.cues.get("cues", [])
    ]
    return out, routes_meta, cues


def _metadata(
    base: Any, region_id: str, routes: dict[str, Any], scale: int, columns: int | None
) -> dict[str, Any]:
    rows, cols = grid_shape(scale, columns)
    meta = dict(base.metadata)
    minlon, minlat, maxlon, maxlat = meta["bbox"]
    meta.update(
        region_id=region_id,
        routes=routes,
        bbox=[minlon - 2 * _WEST_GAP, minlat, maxlon + DLON * cols, maxlat + DLAT * (rows - 1)],
    )
    return meta


def _neighbour(i: int, scale: int, columns: int | None) -> int | None:
    """The earlier copy that copy ``i``'s link road joins (None for copy 0)."""
    _, cols = grid_shape(scale, columns)
    if not i:
        return None
    return i - 1 if i % cols else i - cols


def tiled_region(
    scale: int,
    out_dir: Path,
    *,
    columns: int | None = None,
    plain_copy: int | None = None,
    progress: bool = False,
) -> Path:
    """Write a region of ``scale`` shifted copies of Kailash into ``out_dir/tiled``.

    Copies are laid out ``columns`` per row (default: all in one row), 0.62° of longitude
    and 0.9° of latitude apart. Each copy's Darchen is joined to the previous copy's in the
    row by a straight link road; the first copy of a row is joined to the first copy of the
    row below by a link running just west of the column, so the whole region is one
    connected network. Every id of copy ``i`` becomes ``<id>@<i>``, except in copy
    ``plain_copy`` (if given), which keeps the original ids (so that e.g. the evacuation
    destination ``baga_health_centre`` exists). Returns ``out_dir``.
    """
    from tqdm import tqdm

    from geodata import write_region

    base, docs = _kailash_docs()
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in docs}
    routes_meta: dict[str, Any] = {}
    cues: list[dict[str, Any]] = []
    for i in tqdm(range(scale), desc="generate copies", disable=not progress, leave=False):
        sfx = "" if i == plain_copy else f"@{i}"
        layers, routes, tile_cues = _copy_layers(base, docs, i, scale, columns, sfx)
        for k, v in layers.items():
            out[k].extend(v)
        routes_meta.update(routes)
        cues.extend(tile_cues)
    write_region(
        out_dir / "tiled",
        metadata=_metadata(base, "tiled", routes_meta, scale, columns),
        calibration=dict(base.calibration),
        layers={k: {"type": "FeatureCollection", "features": v} for k, v in out.items()},
        cues={"cues": cues},
    )
    return out_dir


def write_tiles(
    scale: int,
    out_dir: Path,
    *,
    columns: int | None = None,
    plain_copy: int | None = None,
    progress: bool = False,
) -> Path:
    """The copies of :func:`tiled_region`, each its own region ``out_dir/t<i>``.

    Copy ``i``'s region holds the link road joining it to an earlier copy, whose far end
    lies at that copy's Darchen; :func:`tiled_network` joins them.
    """
    from tqdm import tqdm

    from geodata import write_region

    base, docs = _kailash_docs()
    for i in tqdm(range(scale), desc="generate copies", disable=not progress, leave=False):
        sfx = "" if i == plain_copy else f"@{i}"
        layers, routes, cues = _copy_layers(base, docs, i, scale, columns, sfx)
        write_region(
            out_dir / f"t{i}",
            metadata=_metadata(base, f"t{i}", routes, scale, columns),
            calibration=dict(base.calibration),
            layers={k: {"type": "FeatureCollection", "features": v} for k, v in layers.items()},
            cues={"cues": cues},
        )
    return out_dir


def tiled_network(
    scale: int,
    tiles_dir: Path,
    *,
    columns: int | None = None,
    plain_copy: int | None = None,
    progress: bool = False,
) -> Any:
    """The network of the region :func:`tiled_region` writes, from :func:`write_tiles`' copies.

    ``build_network`` on the whole region is quadratic in its size (every route and road
    scans the whole graph): over 15 min for 400 copies. Each copy is built on its own and
    the networks are joined instead. The graph is the same but for the names of junction
    nodes (``j<k>@t<copy>``) and the elevation of the Darchen nodes the link roads reach
    (``tests/bench/test_synthetic.py`` compares the two).
    """
    import dataclasses

    import geopandas as gpd
    import networkx as nx
    import pandas as pd
    from tqdm import tqdm

    from geodata import load_region
    from routes import build_network
    from routes.network import RouteNetwork, RouteStop

    G = nx.MultiDiGraph()
    lines: dict[str, Any] = {}
    stops: dict[str, list[Any]] = {}
    routes, segments, regions = [], [], []
    darchen: dict[int, str] = {}
    routes_meta: dict[str, Any] = {}
    cues: list[Any] = []
    net = None
    for i in tqdm(range(scale), desc="build copies", disable=not progress, leave=False):
        region = load_region(f"t{i}", data_dir=tiles_dir)
        net = build_network(region)
        Gi = net.graph
        sfx = "" if i == plain_copy else f"@{i}"
        own = net.node_of(f"darchen{sfx}")
        mapping: dict[str, str] = {}
        j = _neighbour(i, scale, columns)
        if j is not None:
            link = f"link@{i}"
            ends = {n for u, v, d in Gi.edges(data=True) if d["way_id"] == link for n in (u, v)}
            far = ends - {own}
            if len(far) != 1:
                raise RuntimeError(f"copy {i}: link road ends {sorted(ends)}")
            mapping[far.pop()] = darchen[j]
        for n, d in Gi.nodes(data=True):
            if n not in mapping and not d["place_ids"]:
                mapping[n] = f"{n}@t{i}"
        Gi = nx.relabel_nodes(Gi, mapping, copy=True)
        G.add_nodes_from((n, d) for n, d in Gi.nodes(data=True) if n not in G)
        G.add_edges_from(Gi.edges(keys=True, data=True))
        lines.update(net.lines)
        for rid, st in net.stops.items():
            stops[rid] = [RouteStop(mapping.get(s.node, s.node), s.km) for s in st]
        routes.append(net.routes)
        segments.append(net.segments)
        regions.append(region)
        routes_meta.update(region.metadata["routes"])
        cues.extend(region.cues.get("cues", []))
        darchen[i] = own
    assert net is not None
    G.graph.update(net.graph.graph, region_id="tiled")

    def concat(frames: list[Any]) -> Any:
        return gpd.GeoDataFrame(pd.concat(frames), geometry="geometry", crs=frames[0].crs)

    first = regions[0]
    region = dataclasses.replace(
        first,
        region_id="tiled",
        path=None,
        metadata={**first.metadata, "region_id": "tiled", "routes": routes_meta},
        cues={"cues": cues},
        **{k: concat([getattr(r, k) for r in regions]) for k in _ID_KEYS},
    )
    return RouteNetwork(
        region=region,
        graph=G,
        lines=lines,
        stops=stops,
        routes=concat(routes),
        segments=concat(segments),
        to_metric=net.to_metric,
        to_wgs=net.to_wgs,
    )


def _plain(v: Any) -> Any:
    import numpy as np

    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, (list, tuple)):
        return list(v)
    return v


def _source_digest() -> str:
    """Hash of what the generated files depend on: the Kailash files and this module."""
    h = hashlib.sha256()
    for path in sorted(_KAILASH.iterdir()) + [Path(__file__).resolve()]:
        if path.is_file():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _code_digest() -> str:
    """Hash of the code a built network depends on (``routes``, ``geodata``, this module)."""
    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted([*root.glob("routes/*.py"), *root.glob("geodata/*.py")]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(_source_digest().encode())
    return h.hexdigest()[:16]


def kailash_edges() -> int:
    """Graph edges of one copy (the committed Kailash network)."""
    from geodata import load_region
    from routes import build_network

    network = build_network(load_region("kailash", data_dir=_KAILASH.parent))
    return int(network.graph.number_of_edges())


@dataclass(frozen=True)
class BigNetwork:
    """A generated network and its layout: ``scale`` copies, ``columns`` per row."""

    network: Any
    scale: int
    columns: int
    plain_copy: int

    def suffix(self, i: int) -> str:
        """The id suffix of copy ``i`` (empty for the copy keeping the original ids)."""
        return "" if i == self.plain_copy else f"@{i}"


@cache
def big_network(min_edges: int = BIG_MIN_EDGES, *, verbose: bool = True) -> BigNetwork:
    """A tiled network of at least ``min_edges`` graph edges, built once per process.

    The copies are laid out on a near-square grid; the central copy keeps the original ids
    (its ``baga_health_centre`` is the evacuation destination). The generated copies are
    cached in ``<tempdir>/sandtable-bench/`` keyed by the scale and a hash of the Kailash
    files and this module; the network built from them is pickled beside them (~250 MB),
    keyed by a hash of ``routes/``, ``geodata/`` and this module, and rebuilt when that
    code changes.
    """

    def say(msg: str) -> None:
        if verbose:
            print(msg, flush=True)

    scale = math.ceil(min_edges / kailash_edges())
    columns = math.ceil(math.sqrt(scale))
    plain = (scale // columns // 2) * columns + columns // 2  # a copy near the centre
    plain = min(plain, scale - 1)
    root = Path(tempfile.gettempdir()) / "sandtable-bench"
    data_dir = root / f"tiles-{scale}x{columns}-p{plain}-{_source_digest()}"
    show = sys.stderr.isatty()
    t0 = time.perf_counter()
    if data_dir.is_dir():
        say(f"  generated region: reusing the {scale} copies cached in {data_dir}")
    else:
        for old in root.glob("tile*-*") if root.is_dir() else ():
            shutil.rmtree(old, ignore_errors=True)  # an older version of the generator
        tmp = Path(tempfile.mkdtemp(prefix=".tiles-", dir=_mkdir(root)))
        try:
            write_tiles(scale, tmp, columns=columns, plain_copy=plain, progress=show)
            tmp.rename(data_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        say(
            f"  generated {scale} copies of Kailash ({columns} per row) in "
            f"{time.perf_counter() - t0:.1f} s, cached in {data_dir}"
        )
    t1 = time.perf_counter()
    cached = data_dir / f"network-{_code_digest()}.pickle"
    network = None
    if cached.is_file():
        try:
            with cached.open("rb") as fh:
                network = pickle.load(fh)
            how = f"loaded the network built earlier ({cached.name})"
        except Exception as exc:  # an incompatible pickle: build again
            say(f"  cached network unusable ({type(exc).__name__}: {exc}); building it again")
    if network is None:
        network = tiled_network(scale, data_dir, columns=columns, plain_copy=plain, progress=show)
        how = "built the network copy by copy"
        for old in data_dir.glob("network-*.pickle"):
            old.unlink(missing_ok=True)
        tmp_file = cached.with_suffix(".tmp")
        with tmp_file.open("wb") as out:
            pickle.dump(network, out, protocol=pickle.HIGHEST_PROTOCOL)
        tmp_file.rename(cached)
    G = network.graph
    say(
        f"  {how} in {time.perf_counter() - t1:.1f} s: "
        f"{G.number_of_nodes():,} nodes, {G.number_of_edges():,} edges, "
        f"{len(network.region.stations):,} stations"
    )
    if G.number_of_edges() < min_edges:
        raise RuntimeError(f"generated network has {G.number_of_edges()} < {min_edges} edges")
    return BigNetwork(network, scale, columns, plain)


def _mkdir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
