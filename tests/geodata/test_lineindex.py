"""The one linear-referencing index the consensus centreline and the calibration share."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

import geodata.build.consensus
import routes.calibration.tracks
from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex

#: a wiggly 3D line with a hairpin (two stretches 40 m apart), metric
_XY = np.array(
    [(0, 0), (120, 10), (260, -30), (400, 0), (410, 40), (260, 10), (100, 45), (0, 60)],
    dtype=float,
)
_Z = np.linspace(4_700.0, 5_600.0, len(_XY))


def _points(n: int = 4_000, spread_m: float = 80.0) -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.uniform([-spread_m, -30 - spread_m], [410 + spread_m, 60 + spread_m], (n, 2))


def test_both_callers_use_the_one_index() -> None:
    assert geodata.build.consensus.LineIndex is LineIndex
    assert routes.calibration.tracks.LineIndex is LineIndex


def test_locate_matches_shapely_projection() -> None:
    index = LineIndex(_XY)
    line = LineString(_XY)
    pts = _points()
    s, off, dist = index.locate(pts)
    geoms = shapely.points(pts)
    np.testing.assert_allclose(s, shapely.line_locate_point(line, geoms), atol=1e-6)
    np.testing.assert_allclose(dist, shapely.distance(line, geoms), atol=1e-6)
    np.testing.assert_allclose(np.abs(off), dist)
    assert index.length_m == pytest.approx(line.length)


def test_offset_sign_is_left_positive() -> None:
    index = LineIndex([(0, 0), (100, 0)])
    _, off, _ = index.locate([(50, 3), (50, -4)])
    np.testing.assert_allclose(off, [3.0, -4.0])


def test_far_points_are_not_located() -> None:
    index = LineIndex([(0, 0), (100, 0)])
    s, off, dist = index.locate([(50, 5), (50, 500)], max_distance_m=50.0)
    assert s[0] == pytest.approx(50.0) and dist[0] == pytest.approx(5.0)
    assert np.isnan(s[1]) and np.isnan(off[1]) and np.isinf(dist[1])


def test_locate_extended_runs_on_past_the_ends() -> None:
    index = LineIndex([(0, 0, 0), (100, 0, 10)])
    m, off = index.locate_extended(np.array([-30.0, 40.0, 130.0]), np.array([4.0, -2.0, -6.0]))
    np.testing.assert_allclose(m, [-30.0, 40.0, 130.0])
    np.testing.assert_allclose(off, [4.0, 2.0, 6.0])


def test_locate_extended_inside_agrees_with_locate() -> None:
    index = LineIndex(np.c_[_XY, _Z], max_seg_m=10.0)
    pts = _points(spread_m=0.0)
    m, off = index.locate_extended(pts[:, 0], pts[:, 1])
    s, _, dist = index.locate(pts)
    inside = (s > 0) & (s < index.length_m)
    np.testing.assert_allclose(m[inside], s[inside], atol=1e-9)
    np.testing.assert_allclose(off[inside], dist[inside], atol=1e-9)


def test_elevation_pieces_follow_the_vertices() -> None:
    index = LineIndex([(0, 0, 100), (100, 0, 110), (100, 50, 90)])
    pcs = index.pieces(50.0, 125.0)
    np.testing.assert_allclose(pcs[:, 0], [50.0, 25.0])
    np.testing.assert_allclose(pcs[:, 1], [5.0, -10.0])
    assert index.z_at([-10.0, 200.0]).tolist() == [100.0, 90.0]  # flat beyond the ends


@pytest.mark.parametrize("coords", [[(0, 0)], [(1, 1), (1, 1)]])
def test_a_line_needs_two_distinct_vertices(coords: list[tuple[float, float]]) -> None:
    with pytest.raises(InvalidInput, match="two distinct vertices"):
        LineIndex(coords)


def test_a_2d_line_has_no_elevations() -> None:
    with pytest.raises(InvalidInput, match="no elevations"):
        LineIndex([(0, 0), (1, 0)]).z_at([0.5])
