"""Consensus centreline: recovers a known trail from noisy synthetic walkers.

The fixtures build a known polyline and simulate walkers along it (GPS noise, a side
trip, a long stop, GPS jumps, a vehicle ride, walkers starting in town); the tests
check that the consensus line recovers the truth and that a parallel path used by
40 % of walkers is reported as a branch with that share.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString

from geodata.build.consensus import (
    Branch,
    Centreline,
    TrackXY,
    clean_track,
    consensus_centreline,
    distance_stats,
    project_tracks,
    resample_track,
    track_positions,
)
from geodata.errors import InvalidInput

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "kailash"

# A 4.3 km trail with a sharp corner, a gentle bend and a straight (metric CRS).
TRUTH_XY = np.array(
    [
        [500_000.0, 3_400_000.0],
        [501_000.0, 3_400_000.0],
        [501_300.0, 3_400_500.0],  # sharp-ish corner
        [501_300.0, 3_401_500.0],
        [502_000.0, 3_402_200.0],
        [502_600.0, 3_402_400.0],
    ]
)
START = (500_000.0, 3_400_000.0)
END = (502_600.0, 3_402_400.0)


def _densify(xy: np.ndarray, step: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    seg = np.hypot(*np.diff(xy, axis=0).T)
    cum = np.r_[0.0, np.cumsum(seg)]
    s = np.arange(0.0, cum[-1], step)
    return np.column_stack([np.interp(s, cum, xy[:, 0]), np.interp(s, cum, xy[:, 1])]), s


def _at(path: np.ndarray, s: np.ndarray) -> np.ndarray:
    cum = np.r_[0.0, np.cumsum(np.hypot(*np.diff(path, axis=0).T))]
    return np.column_stack([np.interp(s, cum, path[:, 0]), np.interp(s, cum, path[:, 1])])


def _length(xy: np.ndarray) -> float:
    return float(np.hypot(*np.diff(xy, axis=0).T).sum())


def _walk(
    rng: np.random.Generator,
    track_id: str,
    path: np.ndarray,
    *,
    noise_m: float = 6.0,
    dt_s: float = 10.0,
    lead_in_m: float = 0.0,
    stop_at_m: float | None = None,
    stop_s: float = 0.0,
    side_trip_at_m: float | None = None,
    side_trip_m: float = 300.0,
) -> TrackXY:
    """A walker along ``path`` at ~1.1 m/s with Gaussian GPS noise.

    ``lead_in_m`` starts the walker that far before the path start (walking in town);
    ``stop_at_m`` adds a stop of ``stop_s`` seconds; ``side_trip_at_m`` an out-and-back
    excursion of ``side_trip_m`` to the right of the path.
    """
    speed = rng.uniform(0.9, 1.3)
    total = _length(path)
    s = np.arange(-lead_in_m, total, speed * dt_s)
    xy = _at(path, np.clip(s, 0.0, None))
    if lead_in_m:
        xy[s < 0, 1] += s[s < 0]  # arrive from the south
    pieces = [xy]
    if side_trip_at_m is not None:
        k = int(np.searchsorted(s, side_trip_at_m))
        a = xy[k]
        direction = xy[k + 1] - xy[k]
        normal = np.array([direction[1], -direction[0]]) / np.hypot(*direction)
        out = np.arange(0.0, side_trip_m, speed * dt_s)
        trip = np.vstack([a + np.outer(out, normal), a + np.outer(out[::-1], normal)])
        pieces = [xy[:k], trip, xy[k:]]
    xy = np.vstack(pieces)
    if stop_at_m is not None:
        k = int(np.searchsorted(np.r_[0.0, np.cumsum(np.hypot(*np.diff(xy, axis=0).T))], stop_at_m))
        n_stop = int(stop_s / dt_s)
        xy = np.vstack([xy[:k], np.repeat(xy[k : k + 1], n_stop, axis=0), xy[k:]])
    xy = xy + rng.normal(0.0, noise_m, xy.shape)
    t = 1.7e9 + dt_s * np.arange(len(xy))
    ele = 4700.0 + 0.05 * np.arange(len(xy)) * speed * dt_s + rng.normal(0, 5, len(xy))
    return TrackXY(track_id, xy[:, 0], xy[:, 1], t, ele)


def _with_jump(track: TrackXY, at: int, n: int = 2, jump_m: float = 2000.0) -> TrackXY:
    x = track.x.copy()
    x[at : at + n] += jump_m
    return TrackXY(track.track_id, x, track.y, track.t, track.ele_m)


def _with_ride(track: TrackXY, frm: int, to: int) -> TrackXY:
    """Points frm..to become a shuttle ride on a road 300 m to the right, 1 fix/s at ~30 km/h.

    The walker gets off where the ride ends and walks on from there.
    """
    x, y, t = track.x.copy(), track.y.copy(), track.t.copy()
    start, stop = np.array([x[frm], y[frm]]), np.array([x[to], y[to]])
    road = np.array([start, start + (0.0, -300.0), stop + (0.0, -300.0), stop])
    s = np.arange(0.0, _length(road), 8.3)
    ride = _at(road, s)
    n = len(ride)
    xs = np.r_[x[:frm], ride[:, 0], x[to:]]
    ys = np.r_[y[:frm], ride[:, 1], y[to:]]
    ts = np.r_[t[:frm], t[frm] + np.arange(n), t[frm] + n + (t[to:] - t[to])]
    es = np.r_[track.ele_m[:frm], np.full(n, np.nan), track.ele_m[to:]]
    return TrackXY(track.track_id, xs, ys, ts, es)


@pytest.fixture(scope="module")
def truth() -> LineString:
    return LineString(TRUTH_XY)


@pytest.fixture(scope="module")
def walkers() -> list[TrackXY]:
    rng = np.random.default_rng(7)
    tracks = [_walk(rng, f"{i:04d}", TRUTH_XY, lead_in_m=rng.uniform(0, 400)) for i in range(30)]
    # six side trips to a 'gompa' 300 m off the trail, at the same place
    tracks += [_walk(rng, f"s{i}", TRUTH_XY, side_trip_at_m=2300.0) for i in range(6)]
    # long stops (45 min) and GPS jumps
    tracks += [_walk(rng, f"p{i}", TRUTH_XY, stop_at_m=1200.0, stop_s=2700.0) for i in range(4)]
    tracks[0] = _with_jump(tracks[0], 100)
    tracks[1] = _with_jump(tracks[1], 200, n=1, jump_m=-1500.0)
    tracks[2] = _with_ride(tracks[2], 150, 200)
    return tracks


@pytest.fixture(scope="module")
def centre(walkers: list[TrackXY]) -> Centreline:
    return consensus_centreline(walkers, start_xy=START, end_xy=END, progress=False)


def _dist_to(line: LineString, xy: np.ndarray) -> np.ndarray:
    return np.asarray(shapely.distance(line, shapely.points(xy)))


# ------------------------------------------------------------------- recovery


def test_centreline_recovers_the_true_trail(centre: Centreline, truth: LineString) -> None:
    xy = np.asarray(centre.geometry.coords)[:, :2]
    d = _dist_to(truth, xy)
    assert np.median(d) < 3.0
    assert np.percentile(d, 95) < 8.0
    assert d.max() < 15.0  # even at the corner, the stop, the side trip
    assert centre.fit.length_m == pytest.approx(truth.length, rel=0.02)
    assert centre.branches == ()


def test_side_trip_does_not_pull_the_line(centre: Centreline, truth: LineString) -> None:
    trip_base = _at(TRUTH_XY, np.array([2300.0]))
    line_xy = np.asarray(centre.geometry.coords)[:, :2]
    near = np.hypot(*(line_xy - trip_base).T) < 400.0
    assert near.any()
    assert _dist_to(truth, line_xy[near]).max() < 10.0


def test_line_is_3d_with_smooth_elevation_and_spaced_vertices(centre: Centreline) -> None:
    coords = np.asarray(centre.geometry.coords)
    assert coords.shape[1] == 3
    assert np.isfinite(coords).all()
    steps = np.hypot(*np.diff(coords[:, :2], axis=0).T)
    assert steps.max() <= centre.parameters.spacing_m + 1e-6
    # synthetic climb: 0.05 m per metre walked, ~4700 -> ~4915
    assert coords[0, 2] == pytest.approx(4700.0, abs=15.0)
    assert coords[-1, 2] == pytest.approx(4700.0 + 0.05 * _length(TRUTH_XY), abs=25.0)
    assert np.abs(np.diff(coords[:, 2])).max() < 3.0


def test_line_runs_from_start_to_end(centre: Centreline) -> None:
    coords = np.asarray(centre.geometry.coords)
    assert math.dist(coords[0, :2], START) < 10.0
    assert math.dist(coords[-1, :2], END) < 10.0
    assert centre.fit.start_offset_m < 10.0
    assert centre.fit.end_offset_m < 10.0


def test_fit_report(centre: Centreline, walkers: list[TrackXY]) -> None:
    fit = centre.fit
    assert fit.converged
    assert fit.n_tracks == len(walkers)
    assert fit.n_points > 0
    assert fit.median_distance_m < 10.0
    assert fit.median_distance_m <= fit.p95_distance_m
    assert fit.median_distance_with_branches_m == fit.median_distance_m
    assert set(fit.as_dict()) >= {"median_distance_m", "p95_distance_m", "n_tracks", "length_m"}
    params = centre.parameters.as_dict()
    assert params["start_xy"] == list(START)
    assert params["split_min_share"] == 0.15


def test_values_are_immutable(centre: Centreline) -> None:
    with pytest.raises(AttributeError):
        centre.fit = centre.fit  # type: ignore[misc]
    track = TrackXY("a", [0.0], [0.0], [0.0], [0.0])
    with pytest.raises(ValueError, match="read-only"):
        track.x[0] = 1.0


def test_track_walked_backwards_is_used(walkers: list[TrackXY], truth: LineString) -> None:
    reversed_tracks = [
        TrackXY(w.track_id, w.x[::-1], w.y[::-1], w.t, w.ele_m[::-1]) if i % 3 == 0 else w
        for i, w in enumerate(walkers)
    ]
    c = consensus_centreline(reversed_tracks, start_xy=START, end_xy=END, progress=False)
    assert c.fit.n_tracks == len(walkers)
    assert np.median(_dist_to(truth, np.asarray(c.geometry.coords)[:, :2])) < 3.0


def test_deterministic(walkers: list[TrackXY], centre: Centreline) -> None:
    again = consensus_centreline(walkers, start_xy=START, end_xy=END, progress=False)
    assert again.geometry.equals_exact(centre.geometry, 1e-9)


# ------------------------------------------------------------------- branches

BRANCH_FROM, BRANCH_TO, BRANCH_OFFSET = 1600.0, 3100.0, 120.0


def _branch_path() -> np.ndarray:
    """The true path with a parallel stretch 120 m to the left between 1.6 and 3.1 km."""
    dense, s = _densify(TRUTH_XY, 5.0)
    tangent = np.gradient(dense, axis=0)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    normal /= np.hypot(*normal.T)[:, None]
    ramp = np.clip(np.minimum(s - BRANCH_FROM, BRANCH_TO - s) / 100.0, 0.0, 1.0)
    return dense + (BRANCH_OFFSET * ramp)[:, None] * normal


@pytest.fixture(scope="module")
def split_walkers() -> list[TrackXY]:
    rng = np.random.default_rng(11)
    alt = _branch_path()
    return [
        _walk(rng, f"{i:03d}", alt if i % 5 in (1, 3) else TRUTH_XY, noise_m=5.0) for i in range(50)
    ]


@pytest.fixture(scope="module")
def split_centre(split_walkers: list[TrackXY]) -> Centreline:
    return consensus_centreline(split_walkers, start_xy=START, end_xy=END, progress=False)


def test_split_is_reported_as_a_branch(split_centre: Centreline) -> None:
    assert len(split_centre.branches) == 1
    (branch,) = split_centre.branches
    assert isinstance(branch, Branch)
    assert branch.share_of_tracks == pytest.approx(0.4, abs=0.05)
    assert branch.n_tracks == 20
    assert branch.side == "left"
    assert branch.from_m == pytest.approx(BRANCH_FROM, abs=150.0)
    assert branch.to_m == pytest.approx(BRANCH_TO, abs=150.0)


def test_branch_follows_the_other_path(split_centre: Centreline) -> None:
    (branch,) = split_centre.branches
    coords = np.asarray(branch.geometry.coords)
    assert coords.shape[1] == 3 and np.isfinite(coords).all()
    d = _dist_to(LineString(_branch_path()), coords[:, :2])
    assert np.median(d) < 5.0
    assert np.percentile(d, 95) < 15.0
    # it joins the main line at both ends
    main = split_centre.geometry
    assert main.distance(LineString(coords[:2, :2])) < 1e-6
    assert math.dist(coords[0, :2], main.interpolate(branch.from_m).coords[0][:2]) < 1e-6
    assert math.dist(coords[-1, :2], main.interpolate(branch.to_m).coords[0][:2]) < 1e-6


def test_main_line_stays_on_the_majority_path(split_centre: Centreline, truth: LineString) -> None:
    d = _dist_to(truth, np.asarray(split_centre.geometry.coords)[:, :2])
    assert np.median(d) < 3.0
    assert d.max() < 15.0
    fit = split_centre.fit
    assert fit.median_distance_with_branches_m <= fit.median_distance_m
    assert fit.p95_distance_with_branches_m < fit.p95_distance_m


def test_short_or_thin_splits_are_not_branches(split_walkers: list[TrackXY]) -> None:
    too_long = consensus_centreline(
        split_walkers, start_xy=START, end_xy=END, split_min_length_m=2000.0, progress=False
    )
    assert too_long.branches == ()
    too_thin = consensus_centreline(
        split_walkers, start_xy=START, end_xy=END, split_min_share=0.45, progress=False
    )
    assert too_thin.branches == ()


# ---------------------------------------------------------------- components


def test_clean_track_drops_jumps_and_rides_and_collapses_stops() -> None:
    rng = np.random.default_rng(3)
    raw = _walk(rng, "x", TRUTH_XY, stop_at_m=1000.0, stop_s=1800.0, noise_m=3.0)
    dirty = _with_ride(_with_jump(raw, 40, n=1), 300, 360)
    ride = _dist_to(LineString(TRUTH_XY), dirty.xy) > 100.0
    assert ride.sum() > 50
    cleaned = clean_track(dirty)
    d = _dist_to(LineString(TRUTH_XY), cleaned.xy)
    # the jump is gone; of the ride only its first and last few seconds may survive
    assert (d > 100.0).sum() < 0.2 * ride.sum()
    assert d.max() < 300.0
    # the 30-min stop (180 fixes) became a few points
    near_stop = np.hypot(*(cleaned.xy - _at(TRUTH_XY, np.array([1000.0]))).T) < 20.0
    assert near_stop.sum() < 20
    assert np.all(np.diff(cleaned.t) > 0)


def test_clean_track_sorts_by_time_and_drops_bad_values() -> None:
    tr = TrackXY(
        "x",
        [0.0, 20.0, 10.0, np.nan, 30.0],
        [0.0] * 5,
        [0.0, 20.0, 10.0, 30.0, 30.0],
        [4700.0, 0.0, 4701.0, 4702.0, 4703.0],
    )
    c = clean_track(tr, stop_radius_m=0.0)
    assert list(c.x) == [0.0, 10.0, 20.0, 30.0]
    assert np.isnan(c.ele_m[2])  # 0 m is "no fix"


def test_resample_track_spacing_and_gaps() -> None:
    x = np.r_[np.linspace(0, 100, 11), np.linspace(1000, 1100, 11)]
    tr = TrackXY("g", x, np.zeros_like(x), np.arange(x.size) * 10.0, np.full(x.size, np.nan))
    r = resample_track(tr, 25.0, max_gap_m=200.0)
    assert not ((r.x > 150) & (r.x < 950)).any()  # nothing across the gap
    steps = np.diff(r.x)
    assert np.allclose(steps[steps < 200], 25.0)
    assert r.x[0] == 0 and r.x[-1] == 1100
    with pytest.raises(InvalidInput):
        resample_track(tr, 0.0)


def test_distance_stats_known_values() -> None:
    line = LineString([(0, 0), (100, 0)])
    tr = TrackXY("a", [10, 20, 30, 40], [3, -5, 5, 50], [0, 1, 2, 3], [0, 0, 0, 0])
    med, p95 = distance_stats([tr], line)
    assert med == pytest.approx(5.0)
    assert p95 == pytest.approx(np.percentile([3, 5, 5, 50], 95))
    # several lines: distance to the nearest
    med2, _ = distance_stats([tr], [line, LineString([(0, 50), (100, 50)])])
    assert med2 == pytest.approx(4.0)
    assert all(math.isnan(v) for v in distance_stats([], line))


def test_track_positions_monotone_and_close(centre: Centreline, walkers: list[TrackXY]) -> None:
    line = centre.geometry
    for tr in walkers[:3] + walkers[30:32]:  # plain walkers and side-trippers
        m = track_positions(tr, line)
        assert m.shape == (len(tr),)
        ok = np.isfinite(m)
        assert ok.mean() > 0.8
        assert np.all(np.diff(m[ok]) >= -1e-9)
        assert m[ok].min() >= 0.0 and m[ok].max() <= line.length + 1e-6
    side = walkers[30]
    m = track_positions(side, line, max_offset_m=50.0)
    far = _dist_to(line, side.xy) > 50.0
    assert far.sum() > 20 and np.isnan(m[far]).all()


def test_track_positions_follow_the_walk() -> None:
    line = LineString([(0, 0), (1000, 0)])
    x = np.linspace(0, 1000, 101)
    y = np.where(np.arange(101) == 50, 200.0, 2.0)  # one fix far off
    x[30] = 250.0  # a back-step
    m = track_positions(TrackXY("w", x, y, np.arange(101.0), np.zeros(101)), line)
    assert np.isnan(m[50])
    assert np.all(np.diff(m[np.isfinite(m)]) >= 0)
    assert m[-1] == pytest.approx(1000.0)
    assert np.abs(m[np.isfinite(m)] - x[np.isfinite(m)]).max() < 30.0


def test_project_tracks_from_a_table() -> None:
    df = pd.DataFrame(
        {
            "track_id": ["0012", "0012", "0012", "7"],
            "seq": [2, 0, 1, 0],
            "time_utc": pd.to_datetime(
                [
                    "2024-05-13T05:36:31Z",
                    "2024-05-13T13:36:22+08:00",
                    "2024-05-13T05:36:26Z",
                    "2024-05-13T06:00:00Z",
                ],
                utc=True,
                format="ISO8601",
            ),
            "lon": [81.2847, 81.28465, 81.2848, 81.3],
            "lat": [30.9779, 30.977853, 30.97790, 31.1],
            "ele_m": [4648.4, 4658.7, 4648.1, float("nan")],
        }
    )
    tracks = project_tracks(df)
    assert [t.track_id for t in tracks] == ["0012", "7"]
    a = tracks[0]
    assert list(a.t - a.t[0]) == [0.0, 4.0, 9.0]  # ordered by seq; +08:00 converted
    assert a.t[0] == pd.Timestamp("2024-05-13T05:36:22Z").timestamp()
    assert 500_000 < a.x[0] < 560_000 and 3_420_000 < a.y[0] < 3_440_000  # UTM 44N
    assert list(a.ele_m) == [4658.7, 4648.1, 4648.4]
    assert np.isnan(tracks[1].ele_m[0])
    with pytest.raises(InvalidInput, match="lat"):
        project_tracks(df.drop(columns="lat"))
    assert project_tracks(df.iloc[:0]) == []


def test_trackxy_checks_lengths() -> None:
    with pytest.raises(InvalidInput, match="length"):
        TrackXY("a", [0.0, 1.0], [0.0], [0.0, 1.0], [0.0, 1.0])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"spacing_m": 0.0}, "spacing_m"),
        ({"bin_m": -5.0}, "bin_m"),
        ({"corridor_m": float("nan")}, "corridor_m"),
        ({"split_min_share": 0.6}, "split_min_share"),
        ({"bin_m": 5.0}, "bin_m"),
        ({"max_iter": 0}, "max_iter"),
        ({"end_xy": START}, "closer"),
        ({"start_xy": (float("nan"), 0.0)}, "finite"),
    ],
)
def test_bad_parameters(walkers: list[TrackXY], kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"start_xy": START, "end_xy": END, **kwargs}
    with pytest.raises(InvalidInput, match=match):
        consensus_centreline(walkers, **args)  # type: ignore[arg-type]


def test_no_complete_track(walkers: list[TrackXY]) -> None:
    with pytest.raises(InvalidInput, match="no track runs from start to end"):
        consensus_centreline(walkers, start_xy=START, end_xy=(600_000.0, 3_500_000.0))


# ---------------------------------------------------------------- real data


def _real_tracks() -> tuple[Sequence[TrackXY], tuple[float, float], tuple[float, float]]:
    import pyproj

    from geodata.raw import read_gazetteer, read_tracks

    if not (SHARED / "tracks_train.csv.gz").is_file():
        pytest.skip(f"raw Kailash data not found at {SHARED}")
    places = {p["id"]: p for p in read_gazetteer(SHARED / "gazetteer.csv")}
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:32644", always_xy=True)
    start = to_utm.transform(places["darchen_kora_gate"]["lon"], places["darchen_kora_gate"]["lat"])
    end = to_utm.transform(
        places["drirapuk_iron_bridge"]["lon"], places["drirapuk_iron_bridge"]["lat"]
    )
    return project_tracks(read_tracks(SHARED / "tracks_train.csv.gz")), start, end


@pytest.mark.shared_data
def test_real_west_valley_centreline() -> None:
    tracks, start, end = _real_tracks()
    c = consensus_centreline(tracks, start_xy=start, end_xy=end, progress=False)
    assert c.fit.n_tracks == len(tracks) == 447
    assert c.fit.converged
    assert c.fit.median_distance_m <= 25.0
    assert 16_000.0 < c.fit.length_m < 19_000.0
    z = np.asarray(c.geometry.coords)[:, 2]
    assert 4600 < z[0] < 4750 and 4900 < z[-1] < 5100
