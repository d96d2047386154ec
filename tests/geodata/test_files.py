"""Region files: loading, validation (every problem named), atomic diffable writing."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geodata
import geodata.files as files
from geodata import (
    DEFAULT_DATA_DIR,
    LAYERS,
    DataValidationError,
    Region,
    list_regions,
    load_region,
    write_region,
)
from geodata.errors import InvalidInput, NotFound
from geodata.validate import ID_FIELDS
from tests.common import (
    A,
    E,
    M,
    S,
    make_region_dir,
    tiny_region_calibration,
    tiny_region_layers,
    tiny_region_metadata,
)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    make_region_dir(tmp_path / "tiny")
    return tmp_path


def _write_tiny(target: Path, layers: dict[str, Any] | None = None) -> None:
    write_region(
        target,
        metadata=tiny_region_metadata(target.name),
        calibration=tiny_region_calibration(),
        layers=tiny_region_layers() if layers is None else layers,
    )


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


# -- loading -------------------------------------------------------------------------


def test_load_region_frames(data_dir: Path) -> None:
    region = load_region("tiny", data_dir=data_dir)
    assert isinstance(region, Region)
    assert region.region_id == "tiny"
    assert region.path == data_dir / "tiny"
    assert region.metric_crs == "EPSG:32644"
    assert region.metadata["name_zh"] == "测试区"
    assert region.calibration == tiny_region_calibration()
    for layer in LAYERS:
        frame = getattr(region, layer)
        assert frame.crs == "EPSG:4326", layer
        assert frame.index.is_unique
    assert list(region.trails.index) == ["ok_west", "ok_north", "ok_east", "ok_south", "spur"]
    assert (region.trails.index == region.trails["way_id"]).all()
    assert list(region.stations.index) == ["town_police", "gate_medical"]
    assert region.places.loc["gate", "place_id"] == "gate"

    trails = region.trails
    assert (trails.geom_type == "LineString").all() and trails.has_z.all()
    assert (region.places.geom_type == "Point").all()
    assert trails["length_factor"].dtype == "float64"
    assert trails.loc["ok_east", "length_factor"] == 1.25
    assert trails.loc["ok_west", "modes"] == ["foot"]
    assert trails.loc["ok_west", "variant"] is None  # missing strings stay None, not NaN
    assert trails["road_id"].isna().all()  # road-only columns exist on trails too
    assert region.places["on_network"].dtype == bool
    assert math.isnan(region.places.loc["town", "kora_km"])
    assert region.stations.loc["town_police", "capabilities"] == ["vehicle", "foot_team"]
    assert list(trails.geometry["ok_west"].coords)[1] == pytest.approx((81.279, 31.005, 4725.0))

    ways = region.ways
    assert ways.crs == "EPSG:4326"
    assert list(ways.index) == [*trails.index, "road:town"]
    assert ways.loc["road:town", "access"] == "public"
    # the id column is not also the index *name*, so grouping by it is unambiguous
    assert ways.groupby("kind")["way_id"].count().to_dict() == {"road": 1, "trail": 5}
    assert ways.groupby("way_id").size().max() == 1

    with pytest.raises(dataclasses.FrozenInstanceError):
        region.region_id = "other"  # type: ignore[misc]


def test_load_region_without_calibration(tmp_path: Path) -> None:
    make_region_dir(tmp_path / "tiny", calibration=None)
    assert load_region("tiny", data_dir=tmp_path).calibration == {}


def test_load_region_caches_nothing(data_dir: Path) -> None:
    first = load_region("tiny", data_dir=data_dir)
    assert load_region("tiny", data_dir=data_dir).trails is not first.trails


def test_list_regions(tmp_path: Path) -> None:
    make_region_dir(tmp_path / "b_region")
    make_region_dir(tmp_path / "a_region")
    (tmp_path / "no_metadata").mkdir()
    make_region_dir(tmp_path / ".a_region.tmp-1234")  # leftovers of a write are hidden
    (tmp_path / "file.json").write_text("{}")
    assert list_regions(tmp_path) == ["a_region", "b_region"]
    assert list_regions(tmp_path / "absent") == []


def test_data_dir_from_environment(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert DEFAULT_DATA_DIR == Path(geodata.__file__).resolve().parent
    monkeypatch.setenv("SANDTABLE_DATA_DIR", str(data_dir))
    assert list_regions() == ["tiny"]
    assert load_region("tiny").path == data_dir / "tiny"


def test_unknown_region_names_available_ones(data_dir: Path) -> None:
    make_region_dir(data_dir / "other")
    with pytest.raises(NotFound) as info:
        load_region("nowhere", data_dir=data_dir)
    message = str(info.value)
    assert "'nowhere'" in message and "other, tiny" in message
    assert str(data_dir) not in message  # user-safe: no server paths
    with pytest.raises(NotFound, match="available regions: none"):
        load_region("tiny", data_dir=data_dir / "absent")
    with pytest.raises(NotFound):
        load_region("../tiny", data_dir=data_dir / "other")


def test_region_id_must_be_a_string(data_dir: Path) -> None:
    with pytest.raises(InvalidInput):
        load_region(3, data_dir=data_dir)  # type: ignore[arg-type]


@pytest.mark.parametrize("region_id", list_regions(DEFAULT_DATA_DIR))
def test_committed_region_is_valid(region_id: str) -> None:
    region = load_region(region_id, data_dir=DEFAULT_DATA_DIR)
    assert len(region.trails) > 0


# -- validation: one broken thing at a time ----------------------------------------

Docs = dict[str, Any]


def _props(docs: Docs, layer: str, index: int) -> dict[str, Any]:
    props: dict[str, Any] = docs[layer]["features"][index]["properties"]
    return props


def _coords(docs: Docs, layer: str, index: int) -> Any:
    return docs[layer]["features"][index]["geometry"]["coordinates"]


def _set(layer: str, index: int, key: str, value: Any) -> Callable[[Docs], None]:
    def mutate(docs: Docs) -> None:
        _props(docs, layer, index)[key] = value

    return mutate


def _delete(layer: str, index: int, key: str) -> Callable[[Docs], None]:
    def mutate(docs: Docs) -> None:
        del _props(docs, layer, index)[key]

    return mutate


def _set_coords(layer: str, index: int, coords: Any) -> Callable[[Docs], None]:
    def mutate(docs: Docs) -> None:
        docs[layer]["features"][index]["geometry"]["coordinates"] = coords

    return mutate


def _set_doc(stem: str, value: Any) -> Callable[[Docs], None]:
    def mutate(docs: Docs) -> None:
        docs[stem] = value

    return mutate


def _set_meta(key: str, value: Any) -> Callable[[Docs], None]:
    def mutate(docs: Docs) -> None:
        docs["metadata"][key] = value

    return mutate


def _layer_crs(docs: Docs) -> None:
    docs["places"]["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}


def _move_spur_away(docs: Docs) -> None:
    docs["trails"]["features"][4]["geometry"]["coordinates"] = [
        [S[0] - 0.001, S[1], S[2]],
        [S[0] - 0.002, S[1], S[2]],
    ]


def _move_road_start(docs: Docs) -> None:
    # 0.0001° of longitude is about 9.5 m here: beyond the 1 m join tolerance
    _coords(docs, "roads", 0)[0] = [A[0] - 0.0001, A[1], A[2]]


def _station_as_line(docs: Docs) -> None:
    docs["stations"]["features"][0]["geometry"] = {
        "type": "LineString",
        "coordinates": [list(E), list(A)],
    }


BAD_JSON = '{\n "type": "FeatureCollection",\n "features": [,]\n}\n'

# (id, mutation, substrings that one detail line must contain)
CORRUPTIONS: list[tuple[str, Callable[[Docs], None], list[str]]] = [
    ("bad_json", _set_doc("trails", BAD_JSON), ["trails.geojson", "invalid JSON at line 3"]),
    ("missing_file", _set_doc("stations", None), ["stations.geojson", "file is missing"]),
    (
        "not_a_feature_collection",
        _set_doc("roads", {"type": "GeometryCollection", "features": []}),
        ["roads.geojson", "member 'type'", "'GeometryCollection'", "expected 'FeatureCollection'"],
    ),
    ("layer_crs", _layer_crs, ["places.geojson", "member 'crs'", "EPSG::3857"]),
    ("metadata_crs", _set_meta("crs", "EPSG:3857"), ["metadata.json", "field 'crs'", "EPSG:3857"]),
    (
        "metadata_region_id",
        _set_meta("region_id", "other"),
        ["metadata.json", "field 'region_id'", "'other'", "expected 'tiny'"],
    ),
    (
        "metric_crs_not_projected",
        _set_meta("metric_crs", "EPSG:4326"),
        ["metadata.json", "field 'metric_crs'", "projected CRS in metres"],
    ),
    (
        "duplicate_way_id_across_layers",
        _set("roads", 0, "way_id", "ok_east"),
        [
            "roads.geojson: feature 0 (way_id='ok_east')",
            "property 'way_id'",
            "duplicate of trails.geojson: feature 2",
        ],
    ),
    (
        "duplicate_place_id",
        _set("places", 2, "place_id", "north"),
        ["places.geojson: feature 2 (place_id='north')", "property 'place_id'", "duplicate"],
    ),
    (
        "empty_id",
        _set("stations", 0, "station_id", " "),
        ["stations.geojson: feature 0:", "property 'station_id'", "non-empty string"],
    ),
    (
        "missing_required_field",
        _delete("trails", 1, "quality"),
        ["trails.geojson: feature 1 (way_id='ok_north')", "property 'quality' is missing"],
    ),
    (
        "wrong_enum",
        _set("trails", 0, "quality", "guess"),
        [
            "trails.geojson: feature 0 (way_id='ok_west'): property 'quality' is 'guess', "
            "expected one of track_consensus, published_fixes, hand_traced, estimated"
        ],
    ),
    (
        "unknown_mode",
        _set("trails", 3, "modes", ["foot", "bike"]),
        ["trails.geojson: feature 3 (way_id='ok_south')", "property 'modes'", "'bike'"],
    ),
    (
        "empty_modes",
        _set("roads", 0, "modes", []),
        ["roads.geojson: feature 0 (way_id='road:town')", "property 'modes'", "empty list"],
    ),
    (
        "length_factor_below_one",
        _set("trails", 2, "length_factor", 0.5),
        ["trails.geojson: feature 2 (way_id='ok_east')", "property 'length_factor'", ">= 1"],
    ),
    (
        "length_factor_as_text",
        _set("trails", 2, "length_factor", "1.2"),
        ["trails.geojson: feature 2 (way_id='ok_east')", "'length_factor'", "expected a number"],
    ),
    (
        "unknown_capability",
        _set("stations", 1, "capabilities", ["medical", "helicopter"]),
        [
            "stations.geojson: feature 1 (station_id='gate_medical')",
            "property 'capabilities'",
            "'helicopter'",
        ],
    ),
    (
        "kind_does_not_match_file",
        _set("trails", 4, "kind", "road"),
        ["trails.geojson: feature 4 (way_id='spur'): property 'kind' is 'road', expected 'trail'"],
    ),
    (
        "wrong_type",
        _set("places", 1, "name_en", 42),
        ["places.geojson: feature 1 (place_id='north')", "property 'name_en'", "expected a string"],
    ),
    (
        "one_point_line",
        _set_coords("trails", 1, [[81.28, 31.01, 4750.0]]),
        ["trails.geojson: feature 1 (way_id='ok_north')", "geometry", "1 position(s)"],
    ),
    (
        "zero_length_line",
        _set_coords("trails", 4, [[81.279, 31.005, 4725.0], [81.279, 31.005, 4726.0]]),
        ["trails.geojson: feature 4 (way_id='spur')", "geometry", "zero length"],
    ),
    (
        "nan_coordinate",
        _set_coords("trails", 2, [[81.29, math.nan, 4800.0], [81.29, 31.0, 4760.0]]),
        ["trails.geojson: feature 2 (way_id='ok_east')", "geometry", "position 0", "non-finite"],
    ),
    (
        "latitude_out_of_range",
        _set_coords("places", 0, [81.28, 95.0]),
        ["places.geojson: feature 0 (place_id='gate')", "geometry", "latitude 95.0"],
    ),
    (
        "implausible_elevation",
        _set_coords("trails", 0, [[81.28, 31.0, 4700.0], [81.279, 31.005, 12000.0]]),
        ["trails.geojson: feature 0 (way_id='ok_west')", "geometry", "position 1", "elevation"],
    ),
    (
        "wrong_geometry_type",
        _station_as_line,
        ["stations.geojson: feature 0 (station_id='town_police')", "geometry", "expected Point"],
    ),
    (
        "disconnected_trail",
        _move_spur_away,
        ["trails.geojson: feature 4 (way_id='spur')", "geometry", "not connected to the foot"],
    ),
    (
        "road_not_connected",
        _move_road_start,
        ["roads.geojson: feature 0 (way_id='road:town')", "geometry", "not connected"],
    ),
    (
        "dangling_station_place",
        _set("stations", 0, "place_id", "nowhere"),
        [
            "stations.geojson: feature 0 (station_id='town_police')",
            "property 'place_id' is 'nowhere'",
            "places.geojson",
        ],
    ),
    (
        "dangling_snap_way",
        _set("places", 1, "snap_way_id", "no_way"),
        ["places.geojson: feature 1 (place_id='north')", "property 'snap_way_id'", "'no_way'"],
    ),
    (
        "non_finite_extra_property",
        _set("roads", 0, "length_published", math.inf),
        ["roads.geojson: feature 0 (way_id='road:town')", "'length_published'", "non-finite"],
    ),
]


def _tiny_docs() -> Docs:
    docs: Docs = dict(tiny_region_layers())
    docs["metadata"] = tiny_region_metadata("tiny")
    docs["calibration"] = tiny_region_calibration()
    return docs


@pytest.mark.parametrize(
    ("mutate", "expected"), [c[1:] for c in CORRUPTIONS], ids=[c[0] for c in CORRUPTIONS]
)
def test_corruption_is_named(
    tmp_path: Path, mutate: Callable[[Docs], None], expected: list[str]
) -> None:
    docs = _tiny_docs()
    mutate(docs)
    make_region_dir(tmp_path / "tiny", **docs)
    with pytest.raises(DataValidationError) as info:
        load_region("tiny", data_dir=tmp_path)
    details = info.value.details
    assert any(all(part in line for part in expected) for line in details), details
    assert all(line in str(info.value) for line in details)
    assert "tiny" in info.value.message and str(tmp_path) not in str(info.value)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    docs = _tiny_docs()
    by_id = {case[0]: case[1] for case in CORRUPTIONS}
    for case in (
        "metadata_region_id",
        "wrong_enum",
        "unknown_capability",
        "dangling_station_place",
    ):
        by_id[case](docs)
    make_region_dir(tmp_path / "tiny", **docs)
    with pytest.raises(DataValidationError) as info:
        load_region("tiny", data_dir=tmp_path)
    text = str(info.value)
    for needle in ("'region_id'", "'quality'", "'helicopter'", "'nowhere'"):
        assert needle in text
    assert "(4 problems)" in info.value.message


@pytest.mark.parametrize(
    "mutate",
    [
        # an end 0.5 m from a vertex still joins (interior vertex M of ok_west)
        _set_coords("trails", 4, [[M[0] + 0.000_005, M[1], M[2]], list(S)]),
        _set_coords("roads", 0, [[A[0] + 0.000_005, A[1], A[2]], list(E)]),
        # a CRS84 crs member and a 2D line are fine
        lambda docs: docs["trails"].update(
            crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
        ),
        _set_coords("trails", 1, [[81.28, 31.01], [81.29, 31.01]]),
        _delete("places", 4, "notes"),  # optional properties may be left out
        _set_doc("roads", {"type": "FeatureCollection", "features": []}),
    ],
    ids=[
        "end_within_1m",
        "road_within_1m",
        "crs84_member",
        "2d_line",
        "optional_absent",
        "no_roads",
    ],
)
def test_tolerated_variants_load(tmp_path: Path, mutate: Callable[[Docs], None]) -> None:
    docs = _tiny_docs()
    mutate(docs)
    make_region_dir(tmp_path / "tiny", **docs)
    region = load_region("tiny", data_dir=tmp_path)
    assert len(region.ways) == len(docs["trails"]["features"]) + len(docs["roads"]["features"])


# -- writing -------------------------------------------------------------------------


def test_round_trip_is_lossless(tmp_path: Path) -> None:
    layers = tiny_region_layers()
    _write_tiny(tmp_path / "tiny", layers)
    region = load_region("tiny", data_dir=tmp_path)
    for layer in LAYERS:
        frame = getattr(region, layer)
        for feature in layers[layer]["features"]:
            props = feature["properties"]
            row = frame.loc[props[ID_FIELDS[layer]]]
            for key, value in props.items():
                got = row[key]
                if value is None:
                    assert got is None or pd.isna(got), (layer, key)
                else:
                    assert got == value, (layer, key)
            coords = [list(c) for c in row.geometry.coords]
            want = feature["geometry"]["coordinates"]
            assert coords == (want if feature["geometry"]["type"] == "LineString" else [want])
    assert region.places.loc["gate", "name_bo"] == "སྐོར་ལམ།"
    assert region.stations.loc["town_police", "name_zh"] == "塔尔钦边境派出所"
    assert dict(region.metadata) == tiny_region_metadata()
    assert dict(region.calibration) == tiny_region_calibration()

    # the files parse back to exactly what was written, and rewriting changes no byte
    parsed = {
        layer: json.loads((tmp_path / "tiny" / f"{layer}.geojson").read_text("utf-8"))
        for layer in LAYERS
    }
    assert parsed == layers
    before = _snapshot(tmp_path / "tiny")
    _write_tiny(tmp_path / "tiny", parsed)
    assert _snapshot(tmp_path / "tiny") == before


def test_written_files_are_diffable(tmp_path: Path) -> None:
    layers = tiny_region_layers()
    line = layers["trails"]["features"][0]["geometry"]["coordinates"]
    line[1] = [81.27900004, 31.00499996, 4725.04]
    layers["places"]["features"][0]["geometry"]["coordinates"] = [81.2800000049, 31.0000001]
    _write_tiny(tmp_path / "tiny", layers)
    trails = (tmp_path / "tiny" / "trails.geojson").read_text("utf-8")
    places = (tmp_path / "tiny" / "places.geojson").read_text("utf-8")
    metadata = (tmp_path / "tiny" / "metadata.json").read_text("utf-8")
    for text in (trails, places, metadata):
        assert text.endswith("}\n") and "\r" not in text
        assert "\\u" not in text  # names are written as UTF-8, not escaped
    assert "转山起点" in places and "སྐོར་ལམ།" in places and "测试区" in metadata
    assert "\n[81.279, 31.005, 4725.0],\n" in trails  # one position per line, rounded
    assert '"coordinates": [81.28, 31.0]}' in places
    feature_lines = [ln for ln in places.splitlines() if ln.startswith('{"type": "Feature"')]
    assert len(feature_lines) == len(layers["places"]["features"])  # one feature per line
    for ln in feature_lines:
        keys = list(json.loads(ln.rstrip(","))["properties"])
        assert keys == sorted(keys)


def test_write_creates_missing_directories(tmp_path: Path) -> None:
    target = tmp_path / "data" / "tiny"
    _write_tiny(target)
    assert list_regions(tmp_path / "data") == ["tiny"]
    assert sorted(os.listdir(tmp_path / "data")) == ["tiny"]


def test_write_replaces_existing_region(tmp_path: Path) -> None:
    target = tmp_path / "tiny"
    _write_tiny(target)
    (target / "stale.txt").write_text("left over")
    layers = tiny_region_layers()
    _props(layers, "trails", 2)["length_factor"] = 1.5
    _write_tiny(target, layers)
    assert load_region("tiny", data_dir=tmp_path).trails.loc["ok_east", "length_factor"] == 1.5
    assert not (target / "stale.txt").exists()
    assert os.listdir(tmp_path) == ["tiny"]


def test_write_keeps_hand_kept_region_files(tmp_path: Path) -> None:
    # profiles.json, aliases.json, the locate hints … are written by people, not by the build
    target = tmp_path / "tiny"
    _write_tiny(target)
    (target / "profiles.json").write_text('{"kept": true}')
    (target / "notes.txt").write_text("not region data")
    _write_tiny(target)
    assert json.loads((target / "profiles.json").read_text()) == {"kept": True}
    assert not (target / "notes.txt").exists()


def test_invalid_region_is_not_written(tmp_path: Path) -> None:
    target = tmp_path / "tiny"
    _write_tiny(target)
    before = _snapshot(target)
    layers = tiny_region_layers()
    _props(layers, "trails", 0)["quality"] = "guess"
    with pytest.raises(DataValidationError, match=r"feature 0 \(way_id='ok_west'\)"):
        _write_tiny(target, layers)
    assert _snapshot(target) == before
    assert os.listdir(tmp_path) == ["tiny"]  # no temporary directory left behind


def test_unserialisable_value_is_named(tmp_path: Path) -> None:
    layers = tiny_region_layers()
    _props(layers, "places", 3)["kora_km"] = math.nan
    _props(layers, "stations", 1)["notes"] = {1, 2}
    with pytest.raises(DataValidationError) as info:
        _write_tiny(tmp_path / "tiny", layers)
    details = info.value.details
    assert any("places.geojson: feature 3 (place_id='south')" in d for d in details), details
    assert any("stations.geojson: feature 1 (station_id='gate_medical')" in d for d in details)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("failing_step", ["old_to_backup", "new_to_target"])
def test_failed_swap_leaves_old_region(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_step: str
) -> None:
    target = tmp_path / "tiny"
    _write_tiny(target)
    before = _snapshot(target)
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        src, dst = Path(src), Path(dst)
        if failing_step == "old_to_backup" and src == target and ".old-" in dst.name:
            raise OSError("simulated rename failure")
        if failing_step == "new_to_target" and dst == target and ".tmp-" in src.name:
            raise OSError("simulated rename failure")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    layers = tiny_region_layers()
    _props(layers, "trails", 2)["length_factor"] = 1.5
    with pytest.raises(OSError, match="simulated"):
        _write_tiny(target, layers)
    assert _snapshot(target) == before
    assert os.listdir(tmp_path) == ["tiny"]


def test_failure_mid_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "tiny"
    _write_tiny(target)
    before = _snapshot(target)
    real_write = files._write_text
    calls: list[Path] = []

    def write_text(path: Path, text: str) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError("simulated disk full")
        real_write(path, text)

    monkeypatch.setattr(files, "_write_text", write_text)
    with pytest.raises(OSError, match="disk full"):
        _write_tiny(target)
    assert len(calls) == 3
    assert _snapshot(target) == before
    assert os.listdir(tmp_path) == ["tiny"]


def test_write_region_requires_exactly_the_layers(tmp_path: Path) -> None:
    layers = tiny_region_layers()
    with pytest.raises(InvalidInput, match="unknown: paths; missing: none"):
        _write_tiny(tmp_path / "tiny", {**layers, "paths": layers["trails"]})
    del layers["stations"]
    with pytest.raises(InvalidInput, match="missing: stations"):
        _write_tiny(tmp_path / "tiny", layers)
    assert os.listdir(tmp_path) == []


# -- the serialiser --------------------------------------------------------------------

_lon = st.floats(-180, 180, allow_nan=False)
_lat = st.floats(-90, 90, allow_nan=False)
_ele = st.floats(-500, 9000, allow_nan=False)
_position = st.tuples(_lon, _lat, _ele).map(list)
_props_strategy = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=12),
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.lists(_position, min_size=2, max_size=5), _props_strategy), max_size=3
    )
)
def test_serialiser_rounds_and_is_stable(
    lines: list[tuple[list[list[float]], dict[str, Any]]],
) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "LineString", "coordinates": c},
            }
            for c, props in lines
        ],
    }
    problems: list[str] = []
    text = files._dumps_feature_collection(copy.deepcopy(collection), problems=problems)
    assert problems == []
    parsed = json.loads(text)
    for (coords, props), feature in zip(lines, parsed["features"], strict=True):
        assert feature["properties"] == props
        got = feature["geometry"]["coordinates"]
        assert [[round(x, 6), round(y, 6), round(z, 1)] for x, y, z in coords] == got
    assert files._dumps_feature_collection(parsed, problems=problems) == text
