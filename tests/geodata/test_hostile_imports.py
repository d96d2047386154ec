"""Hostile uploads (issue 12) against the readers, checks, preview and the bounded checker.

The files come from :mod:`bench.hostile` at small scales: the same shapes as the
files that hung or crashed the server, small enough for a test.
"""

from __future__ import annotations

import copy
import time

import numpy as np
import pytest
import shapely

import geodata.importers as importers
from bench.hostile import (
    LAT,
    LON,
    deep_gpx,
    deep_kml,
    gpkg_file,
    long_name_gpx,
    long_place_name_geojson,
    many_points_geojson,
    star_kml,
    view_gpkg,
    zigzag_kml,
)
from geodata.errors import DataValidationError
from geodata.importers import ImportRejected, read_upload
from geodata.importers.checks import MAX_CROSSINGS, _crossing_pairs
from geodata.importers.gpkg import read_gpkg
from geodata.importers.preview import _simplified, preview
from geodata.importers.sandbox import read_upload_bounded, run_bounded
from geodata.store import Snapshot, open_store
from geodata.validate import MAX_NAME_CHARS, check_region_documents


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    path = tmp_path_factory.mktemp("hostile") / "route.db"
    store = open_store(f"sqlite:///{path}")
    try:
        store.versions.seed("kailash")
        return store.versions.snapshot("kailash")
    finally:
        store.dispose()


# --- GeoPackage: the file's SQL is never run -------------------------------------------
def test_a_geopackage_layer_that_is_a_view_is_refused_by_name() -> None:
    name, data = view_gpkg(0.1)
    with pytest.raises(ImportRejected, match="layer 'trails' is a database view") as err:
        read_upload(name, data)
    assert err.value.filename == "view.gpkg"


def test_geopackage_tables_are_read_without_sqlite_or_gdal_evaluating_anything() -> None:
    # a generated column that would allocate 500 MB if it were ever computed
    data = gpkg_file(
        "ALTER TABLE huts ADD COLUMN slow TEXT AS (hex(zeroblob(500000000))) VIRTUAL;", rows=3
    )
    result = read_upload("huts.gpkg", data)
    assert [f.name for f in result.features] == ["hut 0", "hut 1", "hut 2"]
    assert result.features[1].geometry.coords[0] == pytest.approx((LON + 0.001, LAT))
    assert result.features[0].properties == {"name": "hut 0"}


def test_geopackage_reading_has_a_time_budget() -> None:
    with pytest.raises(ImportRejected, match="took more than 0 s"):
        read_gpkg("many.gpkg", gpkg_file(rows=5000), budget_s=0.0)


def test_a_geopackage_feature_layer_that_is_a_virtual_table_is_refused() -> None:
    data = gpkg_file(
        "CREATE VIRTUAL TABLE ghosts USING rtree(id, minx, maxx);"
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id)"
        " VALUES ('ghosts', 'features', 'ghosts', 4326);"
        "INSERT INTO gpkg_geometry_columns VALUES ('ghosts', 'geom', 'POINT', 4326, 0, 0);"
    )
    with pytest.raises(ImportRejected, match="layer 'ghosts' is not a plain table"):
        read_upload("ghosts.gpkg", data)


def test_a_geopackage_geometry_that_is_not_geopackage_binary_is_refused() -> None:
    data = gpkg_file("UPDATE huts SET geom = X'00010203040506070809';")
    with pytest.raises(ImportRejected, match="layer 'huts' row 0: not a GeoPackage geometry"):
        read_upload("junk.gpkg", data)


# --- self-crossing: bounded ------------------------------------------------------------
def test_a_star_crossing_itself_millions_of_times_is_counted_up_to_the_cap() -> None:
    name, data = star_kml(1.0)  # 2,001 vertices: about 2 million crossings
    result = read_upload(name, data)
    (crossing,) = result.warnings_by_code("self_crossing")
    assert f"at least {MAX_CROSSINGS} places; not all were counted" in crossing.message


def test_crossing_pairs_are_real_crossings_and_neighbours_are_not() -> None:
    square_loop = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
    assert len(_crossing_pairs(square_loop)[0]) == 0  # a closed loop meets its start
    repeated = np.array([[0, 0], [1, 0], [1, 0], [1, 0], [2, 0], [3, 0]], dtype=float)
    assert len(_crossing_pairs(repeated)[0]) == 0  # repeated fixes are not crossings
    eight = np.array([[0, 0], [2, 2], [2, 0], [0, 2]], dtype=float)
    pairs, capped = _crossing_pairs(eight)
    assert pairs.tolist() == [[0, 2]] and not capped


def test_one_feature_with_too_many_points_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importers, "MAX_FEATURE_POINTS", 1000)
    name, data = zigzag_kml(0.005)  # 4,000 vertices
    with pytest.raises(ImportRejected, match="4000 points, more than the 1000 allowed"):
        read_upload(name, data)


# --- nesting, names, counts -------------------------------------------------------------
@pytest.mark.parametrize("make", [deep_gpx, deep_kml])
def test_xml_nested_a_thousand_levels_deep_is_refused(make: object) -> None:
    name, data = make(1.0)  # type: ignore[operator]
    with pytest.raises(ImportRejected, match="nested more than 64 levels deep") as err:
        read_upload(name, data)
    assert err.value.line == 3


def test_a_five_megabyte_name_is_refused_before_any_matching() -> None:
    name, data = long_name_gpx(1.0)
    with pytest.raises(ImportRejected, match="the name is 5000000 characters long, at most 200"):
        read_upload(name, data)


def test_a_long_description_is_refused() -> None:
    data = (
        b'<?xml version="1.0"?><gpx version="1.1" creator="x" '
        b'xmlns="http://www.topografix.com/GPX/1/1"><wpt lat="31.05" lon="81.3">'
        b"<name>Hut</name><desc>" + b"d" * 3000 + b"</desc></wpt></gpx>"
    )
    with pytest.raises(ImportRejected, match="the description is 3000 characters long"):
        read_upload("desc.gpx", data)


def test_two_hundred_thousand_points_are_refused_as_too_many_features() -> None:
    name, data = many_points_geojson(0.1)  # 20,000 points
    with pytest.raises(ImportRejected, match="20000 features, more than the 10000 allowed"):
        read_upload(name, data)
    multi = (
        b'{"type": "MultiPoint", "coordinates": [' + b",".join([b"[81.3, 31.05]"] * 10_001) + b"]}"
    )
    with pytest.raises(ImportRejected, match="more than 10000 features"):
        read_upload("multi.geojson", multi)


def test_a_megabyte_place_name_cannot_be_applied(snapshot: Snapshot) -> None:
    name, data = long_place_name_geojson(1.0)
    with pytest.raises(ImportRejected, match="at most 200 allowed"):
        read_upload(name, data)
    # and however it got there, the data validation refuses it
    docs = snapshot.documents
    layers = copy.deepcopy(dict(docs.layers))
    layers["places"]["features"][0]["properties"]["name_en"] = "x" * 1_000_000
    layers["places"]["features"][1]["properties"]["aliases_en"] = ["y" * (MAX_NAME_CHARS + 1)]
    layers["places"]["features"][2]["properties"]["notes"] = "n" * 2001
    with pytest.raises(DataValidationError) as err:
        check_region_documents(
            docs.region_id,
            metadata=docs.metadata,
            calibration=docs.calibration,
            layers=layers,
            cues=docs.cues,
        )
    text = "\n".join(err.value.details)
    assert "property 'name_en' is 1000000 characters long, at most 200 allowed" in text
    assert "property 'aliases_en' item 0 is 201 characters long, at most 200 allowed" in text
    assert "property 'notes' is 2001 characters long, at most 2000 allowed" in text


# --- preview: bounded work --------------------------------------------------------------
def test_many_points_named_alike_get_distinct_places(snapshot: Snapshot) -> None:
    features = ",".join(
        f'{{"type":"Feature","properties":{{"name":"Yak camp"}},"geometry":{{"type":"Point",'
        f'"coordinates":[{LON + 0.05 + i * 0.001:.6f},{LAT + 0.05:.6f}]}}}}'
        for i in range(300)
    )
    result = read_upload(
        "camps.geojson", f'{{"type":"FeatureCollection","features":[{features}]}}'.encode()
    )
    plan = preview(result, snapshot)
    ids = [p.feature_id for p in plan.proposals]
    assert plan.counts() == {"new_place": 300}
    assert len(set(ids)) == 300
    assert ids[:3] == ["yak_camp", "yak_camp_2", "yak_camp_3"]


def test_a_line_too_detailed_to_store_is_skipped_and_blocks_applying(
    snapshot: Snapshot, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geodata.importers.preview as module

    monkeypatch.setattr(module, "MAX_WAY_POINTS", 500)
    name, data = zigzag_kml(0.001)  # 800 one-km teeth: nothing to simplify away
    plan = preview(read_upload(name, data), snapshot)
    assert plan.counts() == {"skip": 1}
    assert not plan.can_apply
    assert "800 points even after simplifying to 3 m, more than the 500" in str(plan.problems[0])


def test_simplifying_in_chunks_keeps_the_shape_and_survives_a_zigzag() -> None:
    rng = np.random.default_rng(3)
    t = np.linspace(0, 20, 5000)
    noisy = shapely.LineString(np.column_stack([t * 100, np.sin(t) * 300 + rng.normal(0, 1, 5000)]))
    kept = _simplified(noisy)
    assert len(kept.coords) < 1000
    assert shapely.hausdorff_distance(kept, noisy) <= 3.0 + 1e-9
    assert kept.coords[0] == noisy.coords[0] and kept.coords[-1] == noisy.coords[-1]
    n = 30_000  # unchunked, GEOS recursed once per tooth
    zigzag = shapely.LineString(np.column_stack([np.arange(n) * 0.1, (np.arange(n) % 2) * 1000.0]))
    assert len(_simplified(zigzag).coords) > n * 0.9  # the teeth are kept


# --- the bounded checker ----------------------------------------------------------------
def test_the_checker_returns_the_result_of_the_child() -> None:
    name, data = star_kml(0.1)
    result = read_upload_bounded(name, data)
    assert result.point_count == 202
    assert result.warnings_by_code("self_crossing")


def test_the_checker_passes_a_rejection_on_with_its_details() -> None:
    name, data = deep_kml(0.1)
    with pytest.raises(ImportRejected, match="nested more than 64 levels") as err:
        read_upload_bounded(name, data)
    assert err.value.line == 3 and err.value.filename == "deep.kml"


def test_a_child_over_its_time_is_killed_and_the_file_refused() -> None:
    started = time.monotonic()
    with pytest.raises(ImportRejected, match="slow.gpx: the file took longer than 1 s"):
        run_bounded(time.sleep, 60, name="slow.gpx", timeout_s=1)
    assert time.monotonic() - started < 30  # not the 60 s the child wanted


def test_a_child_over_its_memory_is_refused() -> None:
    with pytest.raises(ImportRejected, match="big.gpx: reading and checking the file needs more"):
        run_bounded(bytearray, 3 * 1024**3, name="big.gpx", memory_bytes=1024**3)
