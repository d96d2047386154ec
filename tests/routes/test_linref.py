"""Linear referencing along route lines: positions, round trips, loops, stretches."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import LineString

from geodata.errors import InvalidInput
from routes.linref import RouteLine

# an L-shaped line: 1 km east (flat), then 1 km north climbing 100 m
EAST = LineString([(0, 0, 4700), (1000, 0, 4700)])
NORTH = LineString([(1000, 0, 4700), (1000, 1000, 4800)])
# closing the square back to the start
WEST = LineString([(1000, 1000, 4800), (0, 1000, 4800)])
SOUTH = LineString([(0, 1000, 4800), (0, 0, 4700)])


def open_line(factor: float = 1.0) -> RouteLine:
    return RouteLine("r", [(EAST, 1.0), (NORTH, factor)], loop=False)


def loop_line() -> RouteLine:
    return RouteLine("loop", [(EAST, 1.0), (NORTH, 1.0), (WEST, 1.0), (SOUTH, 1.0)], loop=True)


def test_measure_is_scaled_by_length_factor() -> None:
    line = open_line(factor=1.5)
    assert line.length_m == pytest.approx(2500.0)
    # the corner lies at km 1 whatever the factor of the next way
    assert line.position(1.0).x == pytest.approx(1000.0)
    mid_north = line.position(1.0 + 0.75)  # half of 1.5 km of measured length
    assert (mid_north.x, mid_north.y) == pytest.approx((1000.0, 500.0))
    assert mid_north.elevation_m == pytest.approx(4750.0)


def test_locate_reports_offset_and_km() -> None:
    pos = open_line().locate(400.0, -30.0)
    assert pos.km == pytest.approx(0.4)
    assert pos.offset_m == pytest.approx(30.0)
    assert pos.elevation_m == pytest.approx(4700.0)


@given(st.floats(min_value=0.0, max_value=2.0, allow_nan=False))
def test_position_locate_round_trip(km: float) -> None:
    line = open_line(factor=1.3)
    km_scaled = km * line.length_m / 2000.0
    pos = line.position(km_scaled)
    back = line.locate(pos.x, pos.y)
    assert back.km == pytest.approx(km_scaled, abs=1e-6)
    assert back.offset_m == pytest.approx(0.0, abs=1e-6)


@given(st.floats(min_value=-10.0, max_value=10.0, allow_nan=False))
def test_loop_wraps_around(km: float) -> None:
    line = loop_line()
    total = line.length_m / 1000.0
    a = line.position(km)
    b = line.position(km % total)
    assert (a.x, a.y) == pytest.approx((b.x, b.y), abs=1e-6)


def test_open_line_rejects_km_outside() -> None:
    with pytest.raises(InvalidInput, match="outside route 'r'"):
        open_line().position(2.5)
    with pytest.raises(InvalidInput, match="not a number"):
        open_line().position(math.nan)


def test_discontinuous_parts_are_rejected() -> None:
    far = LineString([(5000, 5000, 4700), (6000, 5000, 4700)])
    with pytest.raises(InvalidInput, match="starts .* m from where the previous one ended"):
        RouteLine("bad", [(EAST, 1.0), (far, 1.0)], loop=False)


def test_substring_follows_walking_order_across_the_loop_start() -> None:
    line = loop_line()
    piece = line.substring(3.5, 0.5)  # from the middle of SOUTH over km 0 to the middle of EAST
    assert piece.length == pytest.approx(1000.0)
    assert piece.coords[0][:2] == pytest.approx((0.0, 500.0))
    assert piece.coords[-1][:2] == pytest.approx((500.0, 0.0))
    assert line.km_between(3.5, 0.5) == pytest.approx(1.0)
