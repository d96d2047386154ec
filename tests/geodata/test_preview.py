"""Import previews against the committed Kailash data: what changes, what snaps to what."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import gpxpy.gpx
import numpy as np
import pytest
from pyproj import Geod

from geodata.errors import InvalidInput
from geodata.importers import read_upload
from geodata.importers.preview import SIMPLIFY_M, preview
from geodata.store import RouteStore, Snapshot, open_store

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RouteStore]:
    path: Path = tmp_path_factory.mktemp("preview") / "p.db"
    s = open_store(f"sqlite:///{path}")
    s.versions.seed("kailash")
    yield s
    s.dispose()


@pytest.fixture(scope="module")
def snap(store: RouteStore) -> Snapshot:
    return store.versions.snapshot("kailash")


def road(snap: Snapshot, way_id: str = "road:darchen_tarboche") -> np.ndarray:
    return np.array(snap.feature("roads", way_id)["geometry"]["coordinates"])


def gpx(
    *tracks: tuple[str, np.ndarray], waypoints: tuple[tuple[str, float, float], ...] = ()
) -> bytes:
    g = gpxpy.gpx.GPX()
    for name, pts in tracks:
        t = gpxpy.gpx.GPXTrack(name=name)
        seg = gpxpy.gpx.GPXTrackSegment()
        for p in pts:
            seg.points.append(
                gpxpy.gpx.GPXTrackPoint(p[1], p[0], elevation=p[2] if len(p) > 2 else None)
            )
        t.segments.append(seg)
        g.tracks.append(t)
    for name, lon, lat in waypoints:
        g.waypoints.append(gpxpy.gpx.GPXWaypoint(lat, lon, name=name))
    return g.to_xml().encode()


def densify(c: np.ndarray, n: int = 40, dlat: float = 0.0, dz: float = 0.0) -> np.ndarray:
    pts = np.vstack([np.linspace(c[i], c[i + 1], n) for i in range(len(c) - 1)])
    return pts + np.array([0.0, dlat, dz])


def dist_m(a: list[float], b: list[float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def test_a_re_walked_way_changes_geometry_and_elevation_but_keeps_its_ends(snap: Snapshot) -> None:
    c = road(snap)
    data = gpx(("re-walk", densify(c, dlat=0.00005, dz=7.0)))
    plan = preview(read_upload("w.gpx", data), snap)
    (p,) = plan.proposals
    assert p.kind == "change_way" and p.feature_id == "road:darchen_tarboche"
    (edit,) = plan.edits
    new = edit.feature["geometry"]["coordinates"]
    assert new[0][:2] == list(c[0][:2]) and new[-1][:2] == list(c[-1][:2])
    assert edit.base_revision == snap.revisions[("roads", "road:darchen_tarboche")]
    inner = np.array(new[1:-1]) if len(new) > 2 else np.array(new)
    assert plan.can_apply and plan.problems == ()
    assert p.before == snap.feature("roads", "road:darchen_tarboche")["geometry"]
    assert len(inner)


def test_a_new_path_joins_the_way_end_it_starts_near(snap: Snapshot) -> None:
    end = road(snap)[-1]
    path = np.array(
        [[end[0] + 0.0001 + k * 0.0001, end[1] + k * 0.0002, 4700.0 + k] for k in range(40)]
    )
    plan = preview(read_upload("p.gpx", gpx(("Bypass", path))), snap)
    (p,) = plan.proposals
    assert p.kind == "new_way" and p.layer == "trails"
    start, finish = p.snaps
    assert (start["way_id"], start["at"]) == ("road:darchen_tarboche", "end")
    assert 0 < start["distance_m"] < 50
    assert finish["end"] == "end"
    coords = plan.edits[0].feature["geometry"]["coordinates"]
    assert coords[0][:2] == [round(end[0], 6), round(end[1], 6)]  # moved onto the junction
    assert plan.can_apply


def test_a_path_joining_nothing_is_a_problem(snap: Snapshot) -> None:
    far = np.array([[81.0 + k * 0.0003, 31.25, 4800.0] for k in range(30)])
    plan = preview(read_upload("far.gpx", gpx(("Far away", far))), snap, snap_tolerance_m=50)
    assert plan.proposals[0].kind == "new_way"
    assert "joins nothing" in plan.proposals[0].summary
    assert not plan.can_apply
    assert any("not connected" in str(problem) for problem in plan.problems)


def test_places_moved_matched_and_new(snap: Snapshot) -> None:
    darchen = snap.feature("places", "darchen")["geometry"]["coordinates"]
    lon, lat = darchen
    moved_lon = lon + 0.0004  # ~38 m east
    data = gpx(
        waypoints=(
            ("Darchen", moved_lon, lat),
            ("darchen", lon + 0.00001, lat),  # the same place, a metre off
            ("Rescue cache 救援", lon + 0.01, lat + 0.01),
            ("", lon + 0.02, lat),
        )
    )
    plan = preview(read_upload("w.gpx", data), snap)
    kinds = [p.kind for p in plan.proposals]
    assert kinds == ["move_place", "same_place", "new_place", "skip"]
    move = plan.edits[0]
    assert move.feature_id == "darchen" and move.feature["geometry"]["coordinates"] == [
        round(moved_lon, 6),
        round(lat, 6),
    ]
    new = plan.edits[1].feature["properties"]
    assert new["name_zh"] == "Rescue cache 救援" and new["place_id"] == "rescue_cache"


def test_polygons_are_skipped(snap: Snapshot) -> None:
    data = (
        b'{"type": "Feature", "properties": {"name": "snowfield"}, "geometry": {"type": "Polygon",'
        b' "coordinates": [[[81.3, 31.0], [81.31, 31.0], [81.31, 31.01], [81.3, 31.0]]]}}'
    )
    plan = preview(read_upload("a.geojson", data), snap)
    assert [p.kind for p in plan.proposals] == ["skip"]
    assert [str(p) for p in plan.problems] == ["the file changes nothing in the route data"]
    assert not plan.can_apply


def test_tolerances_are_checked(snap: Snapshot) -> None:
    result = read_upload("w.gpx", gpx(waypoints=(("x", 81.3, 31.0),)))
    for bad in (0.0, 501.0, math.nan):
        with pytest.raises(InvalidInput, match="1-500 m"):
            preview(result, snap, snap_tolerance_m=bad)


def test_a_noisy_recording_is_simplified(snap: Snapshot) -> None:
    end = road(snap)[-1]
    rng = np.random.default_rng(3)
    n = 2000
    path = np.column_stack(
        [
            end[0] + np.linspace(0, 0.01, n) + rng.normal(0, 2e-7, n),
            end[1] + np.linspace(0, 0.004, n) + rng.normal(0, 2e-7, n),
            np.full(n, 4700.0),
        ]
    )
    plan = preview(read_upload("n.gpx", gpx(("Straight", path))), snap)
    coords = plan.edits[0].feature["geometry"]["coordinates"]
    assert 2 <= len(coords) < 50
    # every recorded fix lies within the simplification tolerance of the stored line
    from pyproj import Transformer
    from shapely.geometry import LineString, Point

    utm = Transformer.from_crs("EPSG:4326", "EPSG:32644", always_xy=True)
    stored = LineString([utm.transform(c[0], c[1]) for c in coords])
    off = max(stored.distance(Point(utm.transform(x, y))) for x, y, _ in path[1:-1])
    assert off <= SIMPLIFY_M + 0.5
