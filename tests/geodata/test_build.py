"""The region build end to end, on small raw inputs the tests generate.

The fixture region is a 3.3 km valley walked by 24 synthetic GPS tracks
(gate → bridge, due north), closed into a loop by estimated gazetteer points
(bridge → hut → pass → cave → town → gate). The cave sits 200 m beyond the
pass, off the path: a side site the chain must leave out.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pyproj import Transformer

from geodata import load_region
from geodata.build import build_region, normalise_surface, parse_length_km
from geodata.errors import DataValidationError, InvalidInput
from geodata.raw import GAZETTEER_COLUMNS, ROAD_COLUMNS
from geodata.specs import CircuitSpec, RegionSpec, StationRule, TraceSpec
from routes import build_network

CRS = "EPSG:32644"
TO_LL = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True)
TO_XY = Transformer.from_crs("EPSG:4326", CRS, always_xy=True)
GATE_XY = (527_000.0, 3_427_000.0)
BRIDGE_XY = (527_000.0, 3_430_300.0)

SPEC = RegionSpec(
    region_id="valley",
    name_en="Test valley",
    name_zh="测试山谷",
    metric_crs=CRS,
    tracked_route_id="loop",
    track_start_place_id="gate",
    track_end_place_id="bridge",
    circuits=(
        CircuitSpec(
            route_id="loop",
            name_en="Test loop",
            name_zh="测试转山",
            place_ids=("hut", "pass", "cave", "town", "gate"),
            loop=True,
        ),
    ),
    spurs=(),
    trail_following_roads=("valley_track",),
    town_links=(("town", "gate"),),
    station_rules_by_id={
        "police": StationRule("police_station", ("vehicle", "foot_team"), "year_round")
    },
    station_rules_by_type={"supply_point": StationRule("supply_point", ("foot_team",), "seasonal")},
)


def _ll(x: float, y: float) -> tuple[float, float]:
    lon, lat = TO_LL.transform(x, y)
    return round(float(lon), 6), round(float(lat), 6)


def _place(pid: str, xy: tuple[float, float], **kw: Any) -> dict[str, Any]:
    lon, lat = _ll(*xy)
    row = {c: "" for c in GAZETTEER_COLUMNS}
    row.update(
        id=pid,
        name_en=pid.title(),
        name_zh=f"{pid}站",
        type="other",
        lat=lat,
        lon=lon,
        route="loop",
        coord_quality="estimated",
        source="test",
    )
    row.update(kw)
    return row


def write_sources(folder: Path, *, gazetteer_rows: list[dict[str, Any]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(7)
    with gzip.open(folder / "tracks_train.csv.gz", "wt", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["track_id", "seq", "time_utc", "lon", "lat", "ele_m"])
        for k in range(24):
            speed = rng.uniform(0.9, 1.3)
            n = int(3300 / speed / 5)
            y = GATE_XY[1] + np.linspace(0, 3300, n)
            x = GATE_XY[0] + rng.normal(0, 4, n)
            ele = 4670 + (y - GATE_XY[1]) * 0.07 + rng.normal(0, 3, n)
            t0 = np.datetime64("2024-06-01T00:00:00") + np.timedelta64(int(k * 600), "s")
            for i in range(n):
                lon, lat = _ll(x[i], y[i])
                ts = str(t0 + np.timedelta64(5 * i, "s")) + "+00:00"
                w.writerow([f"{k:04d}", i, ts, lon, lat, round(float(ele[i]), 1)])
    rows = gazetteer_rows or default_gazetteer()
    with (folder / "gazetteer.csv").open("w", newline="", encoding="utf-8") as fh:
        dw = csv.DictWriter(fh, fieldnames=list(GAZETTEER_COLUMNS))
        dw.writeheader()
        dw.writerows(rows)
    roads = [
        {
            "id": "valley_track",
            "from": "Gate",
            "from_id": "gate",
            "to": "Bridge",
            "to_id": "bridge",
            "length_km": "3.3",
            "surface": "dirt track",
            "vehicle_access": "rescue vehicles",
            "source": "test",
        },
        {
            "id": "highway",
            "from": "Town",
            "from_id": "town",
            "to": "Junction",
            "to_id": "junction",
            "length_km": "6-8",
            "surface": "paved",
            "source": "test",
        },
        {
            "id": "airport",
            "from": "Town",
            "from_id": "town",
            "to": "Airport",
            "to_id": "",
            "length_km": "90",
            "surface": "paved",
            "source": "test",
        },
    ]
    with (folder / "roads.csv").open("w", newline="", encoding="utf-8") as fh:
        dw = csv.DictWriter(fh, fieldnames=list(ROAD_COLUMNS))
        dw.writeheader()
        for r in roads:
            dw.writerow({c: r.get(c, "") for c in ROAD_COLUMNS})
    return folder


def default_gazetteer() -> list[dict[str, Any]]:
    return [
        _place(
            "gate",
            GATE_XY,
            type="trailhead",
            coord_quality="track_derived",
            kora_km="0.0",
            elevation_m="4670",
            aliases="kora start|ticket office",
        ),
        _place(
            "mid",
            (527_010.0, 3_428_600.0),
            type="supply_point",
            coord_quality="track_derived",
            kora_km="1.6",
        ),
        _place(
            "bridge",
            BRIDGE_XY,
            type="bridge",
            coord_quality="track_derived",
            kora_km="3.3",
            elevation_m="4900",
        ),
        _place(
            "hut", (528_500.0, 3_431_000.0), type="guesthouse", kora_km="5.2", elevation_m="5000"
        ),
        _place("pass", (530_000.0, 3_429_500.0), type="pass", kora_km="7.9", elevation_m="5300"),
        _place("cave", (530_150.0, 3_429_650.0), type="sacred_site", kora_km="8.0"),
        _place(
            "town",
            (527_500.0, 3_426_500.0),
            type="town",
            route="town",
            elevation_m="4650",
            name_zh="镇|小镇",
        ),
        _place("police", (527_500.0, 3_426_500.0), type="police_station", route="town"),
        _place(
            "junction",
            (527_500.0, 3_421_500.0),
            type="road_junction",
            route="road",
            elevation_m="4600",
        ),
        _place("summit", (529_000.0, 3_432_500.0), type="summit", route="", elevation_m="6600"),
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Mapping[str, Any]]:
    root = tmp_path_factory.mktemp("build")
    sources = write_sources(root / "raw")
    seen: dict[str, Any] = {}

    def calibrator(tracks: Any, centreline: Any, landmarks: Mapping[str, float]) -> dict[str, Any]:
        seen.update(n_tracks=len(tracks), length_m=centreline.length, landmarks=dict(landmarks))
        return {"report": {}, "note": "from the test calibrator"}

    report = build_region(
        "valley",
        source_dir=sources,
        out_dir=root / "data" / "valley",
        calibrator=calibrator,
        progress=False,
        spec=SPEC,
    )
    return root, report, seen


def test_build_writes_a_loadable_region(built: tuple[Path, Any, Mapping[str, Any]]) -> None:
    root, report, _ = built
    region = load_region("valley", data_dir=root / "data")
    assert report.counts == {"trails": 5, "roads": 2, "places": 10, "stations": 2, "tracks": 24}
    assert set(region.trails["route_id"]) == {"loop"}
    assert region.calibration["note"] == "from the test calibrator"
    assert "Built region 'valley'" in report.summary()


def test_west_valley_is_the_track_consensus(built: tuple[Path, Any, Mapping[str, Any]]) -> None:
    root, report, _ = built
    region = load_region("valley", data_dir=root / "data")
    west = region.trails.loc["loop:gate-bridge"]
    assert west["quality"] == "track_consensus"
    assert report.centreline_fit["median_distance_m"] < 8.0
    assert report.centreline_fit["n_tracks"] == 24
    # elevation from the tracks: climbs about 230 m along the valley
    z = np.asarray(west.geometry.coords)[:, 2]
    assert z[0] == pytest.approx(4670, abs=15) and z[-1] == pytest.approx(4900, abs=20)


def test_chain_qualities_lengths_and_side_sites(built: tuple[Path, Any, Mapping[str, Any]]) -> None:
    root, report, _ = built
    region = load_region("valley", data_dir=root / "data")
    trails = region.trails
    assert list(trails.index) == [  # walking order
        "loop:gate-bridge",
        "loop:bridge-hut",
        "loop:hut-pass",
        "loop:pass-town",
        "loop:town-gate",
    ]
    assert trails.loc["loop:bridge-hut", "quality"] == "estimated"
    # the published kora_km step (5.2 - 3.3 = 1.9 km) is longer than the straight link
    link = trails.loc["loop:bridge-hut"]
    straight = np.hypot(1500, 700)
    assert link["length_factor"] == pytest.approx(1900 / straight, rel=0.01)
    # the town street carries vehicles too
    assert set(trails.loc["loop:town-gate", "modes"]) == {"foot", "vehicle"}
    # the cave doubles the line back for a 400 m detour: left out, kept as a place
    assert "loop:pass-cave" not in trails.index
    assert any("left cave out" in w for w in report.warnings)
    cave = region.places.loc["cave"]
    assert cave["on_network"] and 150 < cave["snap_distance_m"] < 300


def test_roads_follow_or_join_the_trails(built: tuple[Path, Any, Mapping[str, Any]]) -> None:
    root, report, _ = built
    region = load_region("valley", data_dir=root / "data")
    track = region.roads.loc["road:valley_track"]
    assert track["modes"] == ["vehicle"] and track["surface"] == "dirt_track"
    trail = region.trails.loc["loop:gate-bridge"]
    assert track.geometry.hausdorff_distance(trail.geometry) < 1e-4  # follows it (~10 m)
    highway = region.roads.loc["road:highway"]
    assert highway["length_factor"] == pytest.approx(1.4, rel=0.01)  # midpoint of 6-8 km over 5 km
    assert any("'airport' skipped" in w for w in report.warnings)
    network = build_network(region)
    assert network.line("loop").loop
    assert {m for _, _, d in network.graph.out_edges("town", data=True) for m in d["modes"]} == {
        "foot",
        "vehicle",
    }


def test_places_keep_names_and_off_network_types(
    built: tuple[Path, Any, Mapping[str, Any]],
) -> None:
    root, _, _ = built
    region = load_region("valley", data_dir=root / "data")
    gate = region.places.loc["gate"]
    assert gate["aliases_en"] == ["kora start", "ticket office"]
    town = region.places.loc["town"]
    assert town["name_zh"] == "镇" and town["aliases_zh"] == ["小镇"]
    summit = region.places.loc["summit"]
    assert not summit["on_network"]
    stations = region.stations
    assert set(stations.index) == {"police", "mid"}
    assert stations.loc["police", "capabilities"] == ["vehicle", "foot_team"]


def test_metadata_records_sources_and_parameters(
    built: tuple[Path, Any, Mapping[str, Any]],
) -> None:
    root, _, seen = built
    meta = json.loads((root / "data" / "valley" / "metadata.json").read_text(encoding="utf-8"))
    for name in ("tracks_train.csv.gz", "gazetteer.csv", "roads.csv"):
        digest = hashlib.sha256((root / "raw" / name).read_bytes()).hexdigest()
        assert meta["sources"][name] == digest
    assert meta["parameters"]["consensus"]["spacing_m"] == 10.0
    assert meta["centreline_fit"]["n_tracks"] == 24
    # the calibrator saw the projected tracks, the metric centreline and the landmarks on it
    assert seen["n_tracks"] == 24
    assert 3200 < seen["length_m"] < 3400
    assert set(seen["landmarks"]) == {"gate", "mid", "bridge"}


def test_malformed_source_names_file_and_line_and_keeps_old_output(tmp_path: Path) -> None:
    rows = default_gazetteer()
    rows[2]["lat"] = "north"
    sources = write_sources(tmp_path / "raw", gazetteer_rows=rows)
    out = tmp_path / "data" / "valley"
    out.mkdir(parents=True)
    (out / "keep.txt").write_text("old", encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        build_region("valley", source_dir=sources, out_dir=out, progress=False, spec=SPEC)
    text = str(info.value)
    assert "gazetteer.csv" in text and "line 4" in text and "lat" in text
    assert (out / "keep.txt").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["valley"]


def test_missing_source_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    with pytest.raises(InvalidInput, match="lacks tracks_train.csv.gz, gazetteer.csv, roads.csv"):
        build_region("valley", source_dir=tmp_path / "raw", out_dir=tmp_path / "o", spec=SPEC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5", (5.0, 5.0)), ("12-29", (12.0, 29.0)), ("2-2.5", (2.0, 2.5)), ("", None), ("n/a", None)],
)
def test_parse_length_km(text: str, expected: tuple[float, float] | None) -> None:
    assert parse_length_km(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("paved (G219)", "paved"),
        ("unknown (graded road)", "graded"),
        ("mixed: short paved parts, mostly gravel/rock track (2016)", "gravel"),
        ("dirt/rock", "rock"),
        ("dirt track", "dirt_track"),
        ("dirt", "dirt"),
        ("", "unknown"),
    ],
)
def test_normalise_surface(text: str, expected: str) -> None:
    assert normalise_surface(text) == expected


# --------------------------------------------------------------------------- a traced circuit
#: a hand trace of the whole loop: up the valley, a bend, 100 m south of the hut, over the
#: pass (exactly), down to 94 m from the town, where it ends (the town street is not traced)
TRACE_XY = [
    (527_000.0, 3_426_950.0),
    (527_000.0, 3_430_300.0),
    (527_700.0, 3_430_900.0),
    (529_300.0, 3_430_900.0),
    (530_000.0, 3_429_500.0),
    (529_000.0, 3_428_000.0),
    (527_550.0, 3_426_580.0),
]
TRACED_SPEC = replace(
    SPEC,
    traces=(TraceSpec(file="trace.geojson", route_id="loop", source="test trace"),),
    published_stages=(("bridge", "pass", 5.0, "test guide"), ("hut", "pass", 2.5, "test guide")),
)


def _write_trace(folder: Path, coords: list[tuple[float, float]]) -> None:
    line = [list(_ll(x, y)) for x, y in coords]
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "LineString", "coordinates": line},
            }
        ],
    }
    (folder / "trace.geojson").write_text(json.dumps(doc), encoding="utf-8")


@pytest.fixture(scope="module")
def traced(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    root = tmp_path_factory.mktemp("traced")
    sources = write_sources(root / "raw")
    _write_trace(sources, TRACE_XY)
    report = build_region(
        "valley",
        source_dir=sources,
        out_dir=root / "data" / "valley",
        progress=False,
        spec=TRACED_SPEC,
    )
    return root, report


def _metric_coords(geom: Any) -> np.ndarray:
    c = np.asarray(geom.coords)
    x, y = TO_XY.transform(c[:, 0], c[:, 1])
    return np.column_stack([x, y, c[:, 2]])


def test_traced_circuit_is_cut_from_the_trace_at_its_places(traced: tuple[Path, Any]) -> None:
    root, report = traced
    region = load_region("valley", data_dir=root / "data")
    trails = region.trails
    assert list(trails.index) == [
        "loop:gate-bridge",
        "loop:bridge-hut",
        "loop:hut-pass",
        "loop:pass-town",
        "loop:town-gate",
    ]
    for way_id in ("loop:bridge-hut", "loop:hut-pass", "loop:pass-town"):
        way = trails.loc[way_id]
        assert way["quality"] == "hand_traced"
        assert way["length_factor"] == 1.0  # the geometry is the length: no padding
        assert way["accuracy_m"] > 0  # measured against the tracks of the valley
        assert len(way.geometry.coords) > 2  # follows the bends of the trace
    # the town street after the trace's end is chained as before
    assert trails.loc["loop:town-gate", "quality"] == "estimated"
    # the hut (100 m off the trace) is re-placed on it; its km is along the line
    hut = region.places.loc["hut"]
    hx, hy = TO_XY.transform(hut.geometry.x, hut.geometry.y)
    assert (hx, hy) == pytest.approx((528_500.0, 3_430_900.0), abs=1.0)
    along_m = np.hypot(700, 600) + 800.0  # bridge -> bend -> the hut's point on the trace
    assert hut["kora_km"] == pytest.approx(3.3 + along_m / 1000.0, abs=0.02)
    assert "re-placed on the traced line, 100 m" in hut["notes"]
    # the side site behind the pass is not a cut point
    assert any("cave lies behind" in w for w in report.warnings)


def test_traced_elevations_are_linear_between_known_heights(traced: tuple[Path, Any]) -> None:
    root, _ = traced
    trails = load_region("valley", data_dir=root / "data").trails
    up = _metric_coords(trails.loc["loop:hut-pass"].geometry)
    assert up[0, 2] == pytest.approx(5000.0, abs=0.5)  # the hut's height
    assert up[-1, 2] == pytest.approx(5300.0, abs=0.5)  # the pass's height
    # the bend halfway (by distance) lies halfway in height
    d = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(up[:, :2], axis=0).T))])
    mid = int(np.argmin(np.abs(d - d[-1] / 2)))
    assert up[mid, 2] == pytest.approx(5000.0 + 300.0 * d[mid] / d[-1], abs=1.0)


def test_traced_fit_figures_and_disagreements_are_recorded(traced: tuple[Path, Any]) -> None:
    root, report = traced
    region = load_region("valley", data_dir=root / "data")
    fit = region.metadata["geometry_fit"]["loop"]
    assert fit["segments_over_geometry"] == 1.0
    assert fit["walked_chords"] == []
    assert fit["traced_to_trace_m"]["median"] < 1.0
    assert fit["trace_accuracy"]["median_distance_m"] < 20.0  # tracks run along the trace
    assert "trace.geojson" in region.metadata["sources"]
    stages = {(s["from"], s["to"]): s for s in fit["published_stages"]}
    built_km = stages[("bridge", "pass")]["built_km"]
    assert built_km == pytest.approx(
        (np.hypot(700, 600) + 1600.0 + np.hypot(700, 1400)) / 1000.0, abs=0.02
    )
    # 5.0 km published against ~4.1 km built: reported, never stretched
    assert any("bridge → pass" in w and "not stretched" in w for w in report.warnings)


def test_a_missing_or_broken_trace_is_named(tmp_path: Path) -> None:
    sources = write_sources(tmp_path / "raw")
    with pytest.raises(InvalidInput, match="trace.geojson"):
        build_region(
            "valley",
            source_dir=sources,
            out_dir=tmp_path / "out" / "valley",
            progress=False,
            spec=TRACED_SPEC,
        )
    (sources / "trace.geojson").write_text('{"type": "Point", "coordinates": [1, 2]}')
    with pytest.raises(DataValidationError, match="trace.geojson: expected one LineString"):
        build_region(
            "valley",
            source_dir=sources,
            out_dir=tmp_path / "out" / "valley",
            progress=False,
            spec=TRACED_SPEC,
        )


# ------------------------------------------------------- a lake circuit drawn by its shoreline
#: a 2 km square lake's shore, clockwise, starting at its SE corner (not where the circuit does)
SHORE_XY = [
    (536_000.0, 3_424_000.0),
    (534_000.0, 3_424_000.0),
    (534_000.0, 3_426_000.0),
    (536_000.0, 3_426_000.0),
    (536_000.0, 3_424_000.0),
]
LAKE_SPEC = replace(
    TRACED_SPEC,
    circuits=(
        *TRACED_SPEC.circuits,
        CircuitSpec(
            route_id="lake",
            name_en="Test lake circuit",
            name_zh="测试转湖",
            place_ids=("shore_w", "shore_n", "shore_e", "inland", "shore_s", "shore_w"),
            loop=True,
        ),
    ),
    traces=(
        *TRACED_SPEC.traces,
        TraceSpec(
            file="shore.geojson",
            route_id="lake",
            source="test shoreline",
            checked_against="places",
        ),
    ),
    published_stages=(*TRACED_SPEC.published_stages, ("shore_s", "shore_w", 3.0, "lake guide")),
)


def _lake_places() -> list[dict[str, Any]]:
    return [
        _place("shore_w", (533_800.0, 3_425_000.0), route="lake", elevation_m="4590"),
        _place("shore_n", (535_000.0, 3_426_100.0), route="lake"),
        _place("shore_e", (536_000.0, 3_425_000.0), route="lake"),
        _place("inland", (539_500.0, 3_425_000.0), route="lake", type="town"),
        _place("shore_s", (535_000.0, 3_424_000.0), route="lake", elevation_m="4600"),
    ]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    root = tmp_path_factory.mktemp("lake")
    sources = write_sources(root / "raw", gazetteer_rows=default_gazetteer() + _lake_places())
    _write_trace(sources, TRACE_XY)
    line = [list(_ll(x, y)) for x, y in SHORE_XY]
    doc = {"type": "LineString", "coordinates": line}
    with (sources / "roads.csv").open("a", newline="", encoding="utf-8") as fh:
        row = {"id": "lake_road", "from": "Town", "from_id": "town", "to": "Shore_W"}
        row.update(to_id="shore_w", length_km="8", surface="paved", source="test")
        csv.DictWriter(fh, fieldnames=list(ROAD_COLUMNS)).writerow(
            {c: row.get(c, "") for c in ROAD_COLUMNS}
        )
    (sources / "shore.geojson").write_text(json.dumps(doc), encoding="utf-8")
    report = build_region(
        "valley",
        source_dir=sources,
        out_dir=root / "data" / "valley",
        progress=False,
        spec=LAKE_SPEC,
    )
    return root, report


def test_a_lake_circuit_goes_round_its_closed_shoreline_from_its_first_place(
    lake: tuple[Path, Any],
) -> None:
    root, report = lake
    region = load_region("valley", data_dir=root / "data")
    ways = region.trails[region.trails["route_id"] == "lake"]
    assert list(ways.index) == [
        "lake:shore_w-shore_n",
        "lake:shore_n-shore_e",
        "lake:shore_e-shore_s",
        "lake:shore_s-shore_w",
    ]
    for way_id, way in ways.iterrows():
        xy = _metric_coords(way.geometry)[:, :2]
        assert len(xy) > 2, way_id  # round the corner, never a chord
        assert np.hypot(*np.diff(xy, axis=0).T).sum() == pytest.approx(2000.0, abs=2.0)
        assert way["quality"] == "hand_traced" and way["length_factor"] == 1.0
    # the loop closes where it starts: the first place re-placed on the shore
    first = _metric_coords(ways.iloc[0].geometry)[0, :2]
    last = _metric_coords(ways.iloc[-1].geometry)[-1, :2]
    assert first == pytest.approx((534_000.0, 3_425_000.0), abs=1.0)
    assert last == pytest.approx(first, abs=1.0)
    w = region.places.loc["shore_w"]
    assert TO_XY.transform(w.geometry.x, w.geometry.y) == pytest.approx(tuple(first), abs=1.0)
    # the inland town is no cut point: it keeps its own position, off the line
    assert any("inland lies 3500 m" in m for m in report.warnings)
    inland = region.places.loc["inland"]
    assert TO_XY.transform(inland.geometry.x, inland.geometry.y) == pytest.approx(
        (539_500.0, 3_425_000.0), abs=1.0
    )


def test_a_shoreline_is_checked_against_its_places_and_its_own_stages(
    lake: tuple[Path, Any],
) -> None:
    root, report = lake
    fit = load_region("valley", data_dir=root / "data").metadata["geometry_fit"]["lake"]
    acc = fit["trace_accuracy"]
    assert acc["place_distance_m"] == pytest.approx(
        {"shore_w": 200.0, "shore_n": 100.0, "shore_e": 0.0, "inland": 3500.0, "shore_s": 0.0},
        abs=1.0,
    )
    assert acc["median_distance_m"] == pytest.approx(100.0, abs=1.0)
    assert fit["walked_chords"] == [] and fit["segments_over_geometry"] == 1.0
    # only the lake's own published stage; the one that closes the loop ends at the line's end
    (stage,) = fit["published_stages"]
    assert (stage["from"], stage["to"]) == ("shore_s", "shore_w")
    assert stage["built_km"] == pytest.approx(2.0, abs=0.01)
    assert any("shore_s → shore_w" in m and "not stretched" in m for m in report.warnings)
