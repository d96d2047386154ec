"""Elevation profiles from a loaded DEM or the route data (``rescue.elevation_profile``)."""

from __future__ import annotations

import numpy as np
import pytest

from geodata import load_region
from geodata.relief import Dem, read_geotiff
from rescue.approach import plan_approach
from rescue.elevation_profile import (
    MAX_PROFILE_POINTS,
    ElevationModel,
    approach_profiles,
    dem_profile,
    sheet_profiles,
)
from rescue.field_sheet import field_sheet
from rescue.plan_export import answer_parts
from routes import RouteNetwork, build_network
from tests.relief_data import PEAK_LAT, PEAK_LON, geotiff_bytes


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.fixture(scope="module")
def dem() -> Dem:
    return read_geotiff("cone.tif", geotiff_bytes())


def _flat(value: float) -> Dem:
    return read_geotiff("flat.tif", geotiff_bytes(np.full((150, 150), value, np.float32)))


def test_a_line_over_the_cone_climbs_and_falls_with_it(dem: Dem) -> None:
    # west to east over the summit, 3 km each side: 250 m a km on the cone
    line = [[PEAK_LON - 3 / 95.3, PEAK_LAT, 5000], [PEAK_LON + 3 / 95.3, PEAK_LAT, 5000]]
    profile = dem_profile(line, dem)
    assert profile is not None
    heights = np.array([p[2] for p in profile])
    # every sample is the DEM's bilinear height at its own point
    for lon, lat, z in profile:
        expected = dem.elevation_at(lon, lat)
        assert expected is not None and z == pytest.approx(expected, abs=0.2)
    top = int(np.argmax(heights))
    assert profile[top][0] == pytest.approx(PEAK_LON, abs=0.003)
    assert heights[top] > 6300 and heights[0] < 6000 and heights[-1] < 6000
    assert profile[0][:2] == pytest.approx(line[0][:2], abs=1e-6)
    assert profile[-1][:2] == pytest.approx(line[-1][:2], abs=1e-6)
    # half the ~190 m cell as the step over 6 km: ~60 samples
    assert 50 <= len(profile) <= 70


def test_a_long_line_is_sampled_at_most_max_points(dem: Dem) -> None:
    line = [[81.21, 30.83], [81.49, 31.11]]
    profile = dem_profile(line, dem)
    assert profile is not None and len(profile) <= MAX_PROFILE_POINTS


def test_a_line_leaving_the_dem_has_no_dem_profile(dem: Dem) -> None:
    assert dem_profile([[81.45, 31.0], [81.55, 31.0]], dem) is None
    assert dem_profile([[81.3, 31.0]], dem) is None
    assert dem_profile([[81.3, 31.0], [81.3, 31.0]], dem) is None


def test_an_answer_without_a_dem_says_route_data(kailash: RouteNetwork) -> None:
    lon, lat, _ = kailash.point_at("outer_kora", 26.0)
    answer = plan_approach(kailash, (lon, lat)).to_dict(geometry="recommended")
    approach_profiles(answer, None)
    assert answer["elevation_model"] == {"kind": "route_data"}
    for plan in answer["plans"]:
        for leg in plan["legs"]:
            assert "profile" not in leg
            assert leg["profile_source"] == ("route_data" if leg["geometry"] else None)


def test_an_answer_with_a_dem_samples_the_drawn_legs(kailash: RouteNetwork) -> None:
    lon, lat, _ = kailash.point_at("outer_kora", 26.0)
    answer = plan_approach(kailash, (lon, lat)).to_dict(geometry="recommended")
    model = ElevationModel(_flat(5100.0), "flat.tif", "ab" * 32)
    approach_profiles(answer, model)
    assert answer["elevation_model"] == {
        "kind": "dem",
        "filename": "flat.tif",
        "sha256": "ab" * 32,
    }
    best = next(p for p in answer["plans"] if p["station_id"] == answer["recommended"])
    legs = [*best["legs"], *answer["evacuation"]["carry_legs"]]
    assert legs
    for leg in legs:
        assert leg["profile_source"] == "dem"
        assert {p[2] for p in leg["profile"]} == {5100.0}  # the DEM's, not the route data's
        assert leg["profile"][0][:2] == pytest.approx(leg["geometry"][0][:2], abs=1e-6)
        assert leg["profile"][-1][:2] == pytest.approx(leg["geometry"][-1][:2], abs=1e-6)
    others = [p for p in answer["plans"] if p["station_id"] != answer["recommended"]]
    assert all(leg["profile_source"] is None for p in others for leg in p["legs"])


def test_a_field_sheet_with_a_dem(kailash: RouteNetwork) -> None:
    lon, lat, _ = kailash.point_at("outer_kora", 26.0)
    parts = answer_parts(plan_approach(kailash, (lon, lat)).to_dict(), None)
    sheet = field_sheet(kailash, parts.plan, target=parts.target, evacuation=parts.evacuation)
    sheet_profiles(sheet, ElevationModel(_flat(4800.0), "flat.tif", "cd" * 32))
    assert sheet["elevation_model"]["kind"] == "dem"
    for leg in [*sheet["legs"], *sheet["evacuation"]["legs"]]:
        assert leg["profile_source"] == "dem"
        assert {p[2] for p in leg["profile"]} == {4800.0}
