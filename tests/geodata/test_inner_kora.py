"""The inner kora drawn from OpenStreetMap's paths (issue 14: no walked chords).

The committed extract (``geodata/traces/kailash/inner_kora_osm.geojson``) names its source and
licence and runs from Selung round Nandi to Gyangdrak; the committed region cuts the inner
kora from it in walking order, every way a real path with its source and a measured accuracy.
A traced circuit whose gazetteer gives no height anywhere (the inner kora's) takes its heights
from the nearest places that have one, as a chained route does, instead of failing.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from geodata import load_region
from geodata.build import build_region
from geodata.raw import ROAD_COLUMNS
from geodata.specs import get_spec
from tests.geodata.test_build import (
    LAKE_SPEC,
    SHORE_XY,
    TRACE_XY,
    _lake_places,
    _ll,
    _metric_coords,
    _write_trace,
    default_gazetteer,
    write_sources,
)

ROOT = Path(__file__).resolve().parents[2]
REGION = ROOT / "geodata" / "kailash"
EXTRACT = ROOT / "geodata" / "traces" / "kailash" / "inner_kora_osm.geojson"

INNER_WAYS = [
    "inner_kora:selung_gompa-thirteen_golden_chortens",
    "inner_kora:thirteen_golden_chortens-fourth_sky_burial",
    "inner_kora:fourth_sky_burial-gyangdrak_gompa",
]


def test_the_extract_names_its_source_and_licence_and_runs_from_selung_to_gyangdrak() -> None:
    (feature,) = json.loads(EXTRACT.read_text(encoding="utf-8"))["features"]
    props, coords = feature["properties"], feature["geometry"]["coordinates"]
    assert "ODbL" in props["licence"]
    assert props["attribution"] == "© OpenStreetMap contributors"
    assert "TCYTseven/TerraSense" in props["source"] and "Overture" in props["source"]
    assert len(coords) > 500
    # from Selung gompa's path end to Gyangdrak's (OSM has no other way back to Selung)
    assert coords[0] == [81.278695, 31.010509] and coords[-1] == [81.296745, 31.008066]
    trace = next(t for t in get_spec("kailash").traces if t.route_id == "inner_kora")
    assert trace.committed and trace.checked_against == "places"
    assert trace.path(REGION) == EXTRACT


def test_the_inner_kora_is_cut_from_the_osm_paths_in_walking_order() -> None:
    doc = json.loads((REGION / "trails.geojson").read_text(encoding="utf-8"))
    ways = [f for f in doc["features"] if f["properties"]["route_id"] == "inner_kora"]
    assert [f["properties"]["way_id"] for f in ways] == INNER_WAYS
    for f in ways:
        p = f["properties"]
        assert p["quality"] == "hand_traced" and p["length_factor"] == 1.0
        assert "OpenStreetMap" in p["source"] and "ODbL" in p["source"]
        assert p["accuracy_m"] is not None and p["accuracy_m"] < 300
        assert len(f["geometry"]["coordinates"]) > 20  # follows the path, never a chord
    meta = json.loads((REGION / "metadata.json").read_text(encoding="utf-8"))
    fit = meta["geometry_fit"]["inner_kora"]
    assert fit["walked_chords"] == [] and fit["segments_over_geometry"] == 1.0
    assert fit["length_by_quality_m"] == {"hand_traced": fit["geometry_length_m"]}
    # the gazetteer's places (map-placed, +-200-300 m) lie near the paths
    assert fit["trace_accuracy"]["max_distance_m"] < 300.0
    assert "geodata/traces/kailash/inner_kora_osm.geojson" in meta["sources"]


@pytest.fixture(scope="module")
def heightless(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    root = tmp_path_factory.mktemp("heightless")
    places = [{**p, "elevation_m": ""} for p in _lake_places()]
    sources = write_sources(root / "raw", gazetteer_rows=default_gazetteer() + places)
    _write_trace(sources, TRACE_XY)
    doc = {"type": "LineString", "coordinates": [list(_ll(x, y)) for x, y in SHORE_XY]}
    (sources / "shore.geojson").write_text(json.dumps(doc), encoding="utf-8")
    with (sources / "roads.csv").open("a", newline="", encoding="utf-8") as fh:
        row = {"id": "lake_road", "from": "Town", "from_id": "town", "to": "Shore_W"}
        row.update(to_id="shore_w", length_km="8", surface="paved", source="test")
        csv.DictWriter(fh, fieldnames=list(ROAD_COLUMNS)).writerow(
            {c: row.get(c, "") for c in ROAD_COLUMNS}
        )
    report = build_region(
        "valley",
        source_dir=sources,
        out_dir=root / "data" / "valley",
        progress=False,
        spec=LAKE_SPEC,
    )
    return root, report


def test_a_traced_circuit_without_known_heights_takes_them_from_nearby_places(
    heightless: tuple[Path, Any],
) -> None:
    root, report = heightless
    no_heights = "lake: the gazetteer gives no elevation on this route"
    assert any(w.startswith(no_heights) for w in report.warnings)
    region = load_region("valley", data_dir=root / "data")
    ways = region.trails[region.trails["route_id"] == "lake"]
    assert len(ways) == 4
    known = [float(p["elevation_m"]) for p in default_gazetteer() if p["elevation_m"]]
    for _, way in ways.iterrows():
        z = _metric_coords(way.geometry)[:, 2]
        assert np.isfinite(z).all()
        assert min(known) - 0.5 <= z.min() and z.max() <= max(known) + 0.5
    fit = region.metadata["geometry_fit"]["lake"]
    assert len(fit["known_heights"]) >= 4  # one per place along the shore, weighted
