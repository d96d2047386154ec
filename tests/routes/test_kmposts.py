"""Km posts: one at every whole km of a route's linear reference."""

from __future__ import annotations

import pytest
from shapely.geometry import LineString

from geodata.errors import InvalidInput
from routes.kmposts import km_posts
from routes.linref import RouteLine

EAST = LineString([(0, 0, 4700), (1000, 0, 4700)])
NORTH = LineString([(1000, 0, 4700), (1000, 1000, 4800)])
WEST = LineString([(1000, 1000, 4800), (0, 1000, 4800)])
SOUTH = LineString([(0, 1000, 4800), (0, 0, 4700)])
LONG_EAST = LineString([(0, 0, 4000), (3500, 0, 4350)])


def test_open_route_has_a_post_at_every_whole_km() -> None:
    posts = km_posts(RouteLine("r", [(LONG_EAST, 1.0)], loop=False))
    assert [p.km for p in posts] == [0, 1, 2, 3]
    assert [p.x for p in posts] == pytest.approx([0.0, 1000.0, 2000.0, 3000.0])
    assert [p.elevation_m for p in posts] == pytest.approx([4000.0, 4100.0, 4200.0, 4300.0])
    assert {p.route_id for p in posts} == {"r"}


def test_posts_read_the_measure_stretched_by_length_factor() -> None:
    # the northern way is an estimate: its 1 km of geometry counts as 2 km of walking
    line = RouteLine("r", [(EAST, 1.0), (NORTH, 2.0)], loop=False)
    posts = km_posts(line)
    assert [p.km for p in posts] == [0, 1, 2, 3]
    assert [c for p in posts for c in (p.x, p.y)] == pytest.approx(
        [0, 0, 1000, 0, 1000, 500, 1000, 1000]
    )
    for post in posts:  # the same point the linear reference gives for that km
        at = line.position(post.km)
        assert (post.x, post.y, post.elevation_m) == pytest.approx((at.x, at.y, at.elevation_m))


def test_a_loop_has_no_post_at_its_end() -> None:
    line = RouteLine("loop", [(EAST, 1.0), (NORTH, 1.0), (WEST, 1.0), (SOUTH, 1.0)], loop=True)
    posts = km_posts(line)
    assert [p.km for p in posts] == [0, 1, 2, 3]  # km 4 is km 0 again
    assert [c for p in posts for c in (p.x, p.y)] == pytest.approx(
        [0, 0, 1000, 0, 1000, 1000, 0, 1000]
    )


def test_every_km_thins_the_posts() -> None:
    line = RouteLine("r", [(LONG_EAST, 1.0)], loop=False)
    assert [p.km for p in km_posts(line, every_km=2)] == [0, 2]


def test_a_route_under_a_km_has_only_km_0() -> None:
    short = RouteLine("s", [(LineString([(0, 0, 0), (400, 0, 0)]), 1.0)], loop=False)
    assert [p.km for p in km_posts(short)] == [0]


@pytest.mark.parametrize("every_km", [0, -1, 1.5, True])
def test_bad_step_is_refused(every_km: object) -> None:
    line = RouteLine("r", [(LONG_EAST, 1.0)], loop=False)
    with pytest.raises(InvalidInput, match="every_km"):
        km_posts(line, every_km=every_km)  # type: ignore[arg-type]
