"""geodata.trace_check: a GPS line's distance to the built route, way by way (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from geodata.errors import InvalidInput
from geodata.trace_check import main, read_line, route_distances

REGION = Path(__file__).resolve().parents[2] / "geodata" / "kailash"
WEST = "outer_kora:darchen_kora_gate-drirapuk_iron_bridge"


def _west_valley_coords() -> list[list[float]]:
    doc = json.loads((REGION / "trails.geojson").read_text(encoding="utf-8"))
    way = next(f for f in doc["features"] if f["properties"]["way_id"] == WEST)
    return [c[:2] for c in way["geometry"]["coordinates"]]


def test_a_line_on_the_route_is_zero_metres_off_and_a_shifted_one_is_not(
    tmp_path: Path,
) -> None:
    coords = _west_valley_coords()
    on = route_distances([(x, y) for x, y in coords], REGION, "outer_kora")
    assert on["by_way"][WEST]["median_m"] < 1.0
    assert set(on["by_quality"]) == {"track_consensus"}
    # 0.002° of latitude north: about 220 m off the valley's north-running stretches
    shifted = [(x, y + 0.002) for x, y in coords]
    off = route_distances(shifted, REGION, "outer_kora")
    assert 40.0 < off["by_quality"]["track_consensus"]["median_m"] < 230.0
    # a walk far from the route measures nothing
    far = route_distances([(x + 1.0, y) for x, y in coords], REGION, "outer_kora")
    assert far["by_way"] == {}


def test_reads_geojson_and_a_leaflet_page_and_refuses_others(tmp_path: Path) -> None:
    coords = _west_valley_coords()[:50]
    gj = tmp_path / "walk.geojson"
    gj.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords}}
                ],
            }
        ),
        encoding="utf-8",
    )
    html = tmp_path / "map.html"
    latlon = json.dumps([[y, x] for x, y in coords])
    html.write_text(f"<script>var p = L.polyline(\n {latlon},\n {{}});</script>", encoding="utf-8")
    assert np.allclose(read_line(gj), read_line(html))
    bad = tmp_path / "bad.html"
    bad.write_text("<html>no line</html>", encoding="utf-8")
    with pytest.raises(InvalidInput, match="L.polyline"):
        read_line(bad)
    point = tmp_path / "point.geojson"
    point.write_text(json.dumps({"type": "Point", "coordinates": [81.0, 31.0]}), encoding="utf-8")
    with pytest.raises(InvalidInput, match="LineString"):
        read_line(point)


def test_the_command_prints_each_way_or_json_and_says_what_is_wrong(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gj = tmp_path / "walk.geojson"
    gj.write_text(
        json.dumps({"type": "LineString", "coordinates": _west_valley_coords()}), encoding="utf-8"
    )
    assert main([str(gj)]) == 0
    assert WEST in capsys.readouterr().out
    assert main([str(gj), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["route_id"] == "outer_kora"
    assert main([str(gj), "--route", "no_such_route"]) == 2
    assert "no_such_route" in capsys.readouterr().err
