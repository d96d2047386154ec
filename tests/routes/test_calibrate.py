"""Walking-model calibration: synthetic tracks from a known model, split, report, real data."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString

from geodata.errors import InvalidInput
from geodata.lineindex import LineIndex
from routes.calibrated import PACE_QUANTILES, Calibration
from routes.calibration import Track, calibrate, split_tracks, tracks_from_frame
from routes.calibration.tracks import track_passages
from routes.costs import WalkingModel, duration_s, load_model

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "kailash"

# the "truth" the synthetic walkers follow
TRUE = WalkingModel(
    flat_speed_mps=1.05,
    grade_coeff_up=4.0,
    grade_coeff_down=2.5,
    optimum_grade=-0.02,
    altitude_slowdown_per_1000m=0.15,
)
HUT_DWELL_S = 900.0


# ------------------------------------------------------------------ synthetic world


def synthetic_line() -> tuple[LineString, dict[str, float]]:
    """A sinuous 12 km valley trail climbing 4,700 -> 4,880 m with +-17 % undulations."""
    x = np.arange(0.0, 12_001.0, 10.0)
    y = 200.0 * np.sin(x / 1500.0)
    s = np.r_[0.0, np.cumsum(np.hypot(np.diff(x), np.diff(y)))]
    z = 4700.0 + 0.015 * s + 40.0 * np.sin(2 * np.pi * s / 1500.0)
    length = float(s[-1])
    marks = {"gate": 200.0, "hut": 5000.0, "mid": 8000.0, "bridge": length - 200.0}
    return LineString(np.c_[x, y, z]), marks


def walk(
    rng: np.random.Generator,
    line: LineString,
    marks: dict[str, float],
    track_id: str,
    *,
    pace: float,
    dt_s: float = 10.0,
    side_trip: bool = False,
    backtrack: bool = False,
) -> tuple[Track, float]:
    """One walker: moving at ``pace`` x TRUE, a dwell at the hut, random stops, GPS noise.

    Returns the track and its true time from arrival at the gate to arrival at the bridge
    (arrival = 50 m before a landmark, as calibrate defines it).
    """
    coords = np.asarray(line.coords)
    sv = np.r_[0.0, np.cumsum(np.hypot(*np.diff(coords[:, :2], axis=0).T))]
    start, end = rng.uniform(0.0, 100.0), sv[-1] - rng.uniform(0.0, 100.0)
    grid = np.arange(start, end, 5.0)
    zg = np.interp(grid, sv, coords[:, 2])
    seg = np.diff(grid)
    speed = TRUE.speed_mps(np.diff(zg) / seg, (zg[:-1] + zg[1:]) / 2.0)
    t_walk = np.r_[0.0, np.cumsum(seg / speed * pace)]

    stop_s = [marks["hut"] + rng.uniform(-20.0, 40.0)]
    stop_d = [max(0.0, rng.normal(HUT_DWELL_S, 200.0)) if rng.random() < 0.9 else 0.0]
    n_random = rng.poisson(4)
    stop_s += list(rng.uniform(start + 300.0, end - 300.0, n_random))
    stop_d += list(rng.exponential(240.0, n_random))
    order = np.argsort(stop_s)
    ss, dd = np.asarray(stop_s)[order], np.asarray(stop_d)[order]
    before = np.r_[0.0, np.cumsum(dd)[:-1]]
    shift = np.searchsorted(ss, grid, side="right")
    t_grid = t_walk + np.r_[0.0, np.cumsum(dd)][shift]
    t_stop = np.interp(ss, grid, t_walk) + before
    all_t = np.r_[t_grid, t_stop, t_stop + dd]
    all_s = np.r_[grid, ss, ss]
    o = np.lexsort((all_s, all_t))
    all_t, all_s = all_t[o], all_s[o]

    t = np.arange(0.0, all_t[-1], dt_s) + rng.uniform(0, 1)
    s = np.interp(t, all_t, all_s)
    off = np.zeros_like(t)
    hut = int(np.flatnonzero(order == 0)[0])
    in_hut = (t > t_stop[hut] + 0.25 * dd[hut]) & (t < t_stop[hut] + 0.75 * dd[hut])
    if side_trip:  # a visit to a monastery 300 m off the trail
        off[in_hut] = 300.0
    if backtrack:  # walks back 80 m to fetch something, then on
        k = int(np.argmax(dd))
        u = (t - t_stop[k]) / max(dd[k], 1.0)
        back = (u > 0) & (u < 1)
        s[back] -= 80.0 * (1.0 - np.abs(2.0 * u[back] - 1.0))
    xy = np.c_[np.interp(s, sv, coords[:, 0]), np.interp(s, sv, coords[:, 1])]
    tangent = np.c_[np.interp(s + 1.0, sv, coords[:, 0]), np.interp(s + 1.0, sv, coords[:, 1])] - xy
    normal = np.c_[-tangent[:, 1], tangent[:, 0]] / np.hypot(*tangent.T)[:, None]
    xy = xy + normal * off[:, None] + rng.normal(0.0, 4.0, xy.shape)
    ele = np.interp(s, sv, coords[:, 2]) - 20.0 + rng.normal(0.0, 5.0, len(s))

    def arrival(m: float) -> float:
        return float(np.interp(m - 50.0, all_s, all_t))  # first time s reaches m (monotone)

    total = arrival(marks["bridge"]) - arrival(marks["gate"])
    return Track(track_id, xy[:, 0], xy[:, 1], t + 1.7e9, ele), total


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    rng = np.random.default_rng(7)
    line, marks = synthetic_line()
    tracks, totals = [], {}
    for i in range(90):
        tid = f"{i:04d}"
        track, total = walk(
            rng,
            line,
            marks,
            tid,
            pace=float(np.exp(rng.normal(0.0, 0.15))),
            dt_s=120.0 if i % 15 == 0 else 10.0,
            side_trip=i % 7 == 0,
            backtrack=i % 5 == 0,
        )
        tracks.append(track)
        totals[tid] = total
    started = time.perf_counter()
    cal = calibrate(tracks, line, marks, progress=False)
    return {
        "line": line,
        "marks": marks,
        "tracks": tracks,
        "totals": totals,
        "cal": cal,
        "elapsed_s": time.perf_counter() - started,
    }


# ------------------------------------------------------------------------ the split


def test_split_is_deterministic_and_by_track_id() -> None:
    ids = [f"{i:04d}" for i in range(1000)]
    train, hold = split_tracks(ids)
    assert (train, hold) == split_tracks(ids)
    assert not set(train) & set(hold) and set(train) | set(hold) == set(ids)
    assert 0.15 < len(hold) / len(ids) < 0.25
    # a track's side does not depend on the others or their order
    train2, hold2 = split_tracks(list(reversed(ids[:300])))
    assert set(hold2) == set(hold) & set(ids[:300])
    assert set(split_tracks(ids, seed=1)[1]) != set(hold)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.2, 1.5, math.nan])
def test_split_rejects_bad_fraction(fraction: float) -> None:
    with pytest.raises(InvalidInput, match="holdout_fraction"):
        split_tracks(["a"], holdout_fraction=fraction)


def test_calibration_uses_the_split(world: dict[str, Any]) -> None:
    cal: Calibration = world["cal"]
    ids = [t.track_id for t in world["tracks"]]
    assert (cal.train_track_ids, cal.holdout_track_ids) == split_tracks(ids)
    assert not set(cal.train_track_ids) & set(cal.holdout_track_ids)


# ------------------------------------------------------------------------- the fit


def test_fit_recovers_the_walking_model(world: dict[str, Any]) -> None:
    model = world["cal"].model
    assert model.flat_speed_mps == pytest.approx(TRUE.flat_speed_mps, rel=0.05)
    for grade in (-0.15, -0.05, 0.05, 0.15):
        fitted = float(model.speed_mps(grade, 4800.0))
        assert fitted == pytest.approx(float(TRUE.speed_mps(grade, 4800.0)), rel=0.08), grade
    assert world["cal"].fit["at_bounds"] == []


def test_fit_recovers_pace_spread_and_rests(world: dict[str, Any]) -> None:
    cal: Calibration = world["cal"]
    totals = np.array([world["totals"][t] for t in cal.train_track_ids])
    truth = totals / np.median(totals)
    assert cal.pace_quantiles["p50"] == pytest.approx(1.0)
    for q in PACE_QUANTILES:
        assert cal.pace_quantiles[f"p{round(q * 100):02d}"] == pytest.approx(
            float(np.quantile(truth, q)), abs=0.03
        )
    # the median walker's whole-stretch time is the median training time
    pieces_time = cal.stretches[0].predicted_s
    assert pieces_time == pytest.approx(float(np.median(totals)), rel=0.02)
    assert cal.dwell_s["hut"] == pytest.approx(HUT_DWELL_S, rel=0.2)
    assert 0 <= cal.residual_rest_allowance < cal.model.rest_allowance


def test_duration_s_with_fitted_model_matches_median_walker(world: dict[str, Any]) -> None:
    cal: Calibration = world["cal"]
    index = LineIndex(np.asarray(world["line"].coords), max_seg_m=10.0)
    gate, bridge = world["marks"]["gate"] - 50.0, world["marks"]["bridge"] - 50.0
    pieces = index.pieces(gate, bridge)
    edge = duration_s("pilgrim", pieces, surface="unknown", model=cal.model)
    assert edge == pytest.approx(cal.stretches[0].edge_only_s, rel=1e-9)
    assert edge == pytest.approx(cal.fit["median_train_total_s"], rel=1e-6)


# ------------------------------------------------------------------------ the report


def test_report_has_every_stretch(world: dict[str, Any]) -> None:
    cal: Calibration = world["cal"]
    names = [(s.from_place_id, s.to_place_id) for s in cal.stretches]
    assert names == [("gate", "bridge"), ("gate", "hut"), ("hut", "mid"), ("mid", "bridge")]
    n_hold = len(cal.holdout_track_ids)
    for s in cal.stretches:
        assert s.n_tracks == n_hold
        for v in (s.mae_s, s.baseline_mae_s, s.naismith_mae_s, s.tobler_mae_s, s.edge_only_mae_s):
            assert v is not None and math.isfinite(v) and v >= 0
        assert s.median_actual_s is not None and s.median_actual_s > 0
    # the dwell makes the model better than a constant speed where the hut is
    hut_mid = cal.stretches[2]
    assert hut_mid.mae_s is not None and hut_mid.baseline_mae_s is not None
    assert hut_mid.mae_s < hut_mid.baseline_mae_s
    assert cal.pairs.n_pairs == 6 * sum(
        1 for t in world["tracks"] if t.track_id in set(cal.holdout_track_ids)
    )


def test_runs_fast(world: dict[str, Any]) -> None:
    assert world["elapsed_s"] < 20.0


def test_json_round_trip(world: dict[str, Any]) -> None:
    cal: Calibration = world["cal"]
    data = json.loads(json.dumps(cal.to_dict()))
    assert load_model(data["model"]) == cal.model
    assert set(data["report"]["whole_stretch"]) >= {
        "n_tracks",
        "mae_s",
        "baseline_mae_s",
        "median_actual_s",
        "predicted_s",
    }
    back = Calibration.from_dict(data)
    assert back.model == cal.model
    assert back.holdout_track_ids == cal.holdout_track_ids
    assert [s.to_place_id for s in back.stretches] == [s.to_place_id for s in cal.stretches]
    assert back.dwell_model().rest_allowance == pytest.approx(cal.residual_rest_allowance)


# ------------------------------------------------------------- track handling details


def test_backtrack_and_side_trip_do_not_break_arrival_times() -> None:
    line = LineString([(0.0, 0.0, 4700.0), (2000.0, 0.0, 4700.0)])
    index = LineIndex(np.asarray(line.coords), max_seg_m=10.0)
    t = np.arange(0.0, 2400.0, 10.0)
    x = np.minimum(t, 2000.0)  # 1 m/s
    y = np.zeros_like(t)
    # at 500 m: 100 s off to a monastery 300 m away, then a 60 m backtrack
    side = (t >= 500) & (t < 600)
    y[side] = 300.0
    x[side] = 500.0
    back = (t >= 600) & (t < 720)
    x[back] = 500.0 - 60.0 * (1 - np.abs((t[back] - 660.0) / 60.0))
    x[t >= 720] = np.minimum(t[t >= 720] - 220.0, 2000.0)
    x[37] += 400.0  # a GPS spike
    q = np.array([400.0, 480.0, 501.0, 800.0, 1500.0])
    p = track_passages(
        Track("x", x, y, t, np.full_like(t, 4700.0)),
        index,
        q,
        max_offset_m=150.0,
        end_tolerance_m=50.0,
        moving_threshold_mps=0.2,
    )
    assert not isinstance(p, str)
    expected = np.array([400.0, 480.0, 721.0, 1020.0, 1720.0])
    np.testing.assert_allclose(p.t_s, expected, atol=15.0)
    assert np.all(np.diff(p.t_s) > 0)
    # about 220 s without progress between 480 m and 501 m
    assert p.moving_s[2] - p.moving_s[1] < 100.0


def test_tracks_in_other_shapes(world: dict[str, Any]) -> None:
    tracks: list[Track] = world["tracks"][:20]
    frame = pd.concat(
        [
            pd.DataFrame(
                {
                    "track_id": t.track_id,
                    "seq": np.arange(len(t.x)),
                    "time_utc": pd.to_datetime(t.t_s, unit="s", utc=True).strftime(
                        "%Y-%m-%dT%H:%M:%S.%f+00:00"
                    ),
                    "x": t.x,
                    "y": t.y,
                    "ele_m": t.ele_m,
                }
            )
            for t in tracks
        ]
    )
    back = tracks_from_frame(frame)
    assert [b.track_id for b in back] == [t.track_id for t in tracks]
    np.testing.assert_allclose(np.diff(back[3].t_s), np.diff(tracks[3].t_s), atol=1e-3)
    # objects with attributes, including TrackXY's ``t`` instead of ``t_s``
    xy_like = [
        SimpleNamespace(track_id=t.track_id, x=t.x, y=t.y, t=t.t_s, ele_m=t.ele_m) for t in tracks
    ]
    mapping = [dict(track_id=t.track_id, x=t.x, y=t.y, t_s=t.t_s, ele_m=t.ele_m) for t in tracks]
    kw: dict[str, Any] = {"holdout_fraction": 0.3, "progress": False}
    a = calibrate(xy_like, world["line"], world["marks"], **kw)
    b = calibrate(mapping, world["line"], world["marks"], **kw)
    c = calibrate(frame, world["line"], world["marks"], **kw)
    assert a.model == b.model
    assert c.model.flat_speed_mps == pytest.approx(a.model.flat_speed_mps, rel=1e-6)


def test_bad_inputs(world: dict[str, Any]) -> None:
    line, marks, tracks = world["line"], world["marks"], world["tracks"]
    flat = LineString([(x, y) for x, y, _ in line.coords])
    cases: list[tuple[dict[str, Any], str]] = [
        ({"centreline": flat}, "elevation"),
        ({"centreline": "not a line"}, "LineString"),
        ({"landmarks": {"gate": 0.0}}, "at least two"),
        ({"landmarks": {**marks, "far": 1e6}}, "far"),
        ({"landmarks": {**marks, "nan": math.nan}}, "nan"),
        ({"tracks": tracks + tracks[:1]}, "duplicate track ids: 0000"),
        ({"tracks": tracks[:5]}, "too few"),
        ({"whole_stretch": ("gate", "nowhere")}, "whole_stretch"),
        ({"bin_m": -5.0}, "bin_m"),
        ({"holdout_fraction": 1.0}, "holdout_fraction"),
        ({"tracks": [{"track_id": 12, "x": [0], "y": [0], "t_s": [0], "ele_m": [0]}]}, "track_id"),
    ]
    for change, needle in cases:
        args: dict[str, Any] = {"tracks": tracks, "centreline": line, "landmarks": marks}
        args.update(change)
        opts = {
            k: args.pop(k) for k in list(args) if k not in ("tracks", "centreline", "landmarks")
        }
        with pytest.raises(InvalidInput) as info:
            calibrate(args["tracks"], args["centreline"], args["landmarks"], progress=False, **opts)
        assert needle in str(info.value), (change, str(info.value))


def test_reverse_walker_is_dropped(world: dict[str, Any]) -> None:
    tracks: list[Track] = list(world["tracks"])
    t = tracks[1]
    tracks[1] = Track(t.track_id, t.x[::-1].copy(), t.y[::-1].copy(), t.t_s, t.ele_m[::-1].copy())
    cal = calibrate(tracks, world["line"], world["marks"], progress=False)
    assert cal.fit["dropped"] == {t.track_id: "walks against the direction of the centreline"}


# ------------------------------------------------------------------------ real data

KAILASH_LANDMARKS = (
    "darchen_kora_gate",
    "first_prostration_point",
    "sershong_supply",
    "tarboche",
    "chuku_bridge_supply",
    "second_prostration_point",
    "hayagriva_station",
    "tamdrin_carving",
    "drirapuk_temp_supply",
    "drirapuk_iron_bridge",
)


def provisional_centreline(tracks: list[Track]) -> LineString:
    """Median of the track fixes per 20 m of a smoothed reference track, refined twice.

    A stand-in for ``geodata.build.consensus``: good to a few metres in the valley, enough to
    exercise the calibration on real data.
    """
    from scipy.ndimage import uniform_filter1d

    lengths = np.array([np.hypot(np.diff(t.x), np.diff(t.y)).sum() for t in tracks])
    dense = [i for i, t in enumerate(tracks) if np.median(np.diff(t.t_s)) <= 10.0]
    ref = tracks[min(dense, key=lambda i: abs(lengths[i] - np.median(lengths)))]
    s = np.r_[0.0, np.cumsum(np.hypot(np.diff(ref.x), np.diff(ref.y)))]
    g = np.arange(0.0, s[-1], 10.0)
    xy = np.c_[np.interp(g, s, ref.x), np.interp(g, s, ref.y)]
    line = uniform_filter1d(xy, 21, axis=0, mode="nearest")
    line = np.c_[line, np.zeros(len(line))]
    x = np.concatenate([t.x for t in tracks])[::3]  # every third fix is plenty
    y = np.concatenate([t.y for t in tracks])[::3]
    e = np.concatenate([t.ele_m for t in tracks])[::3]
    ok = (e > 4400) & (e < 5300)  # a few fixes read 0 m or 7,000 m
    for _ in range(3):
        m, off = LineIndex(line, max_seg_m=10.0).locate_extended(x, y)
        keep = (off < 150.0) & ok
        cell = np.floor(m[keep] / 20.0).astype(int)
        med = pd.DataFrame({"c": cell, "x": x[keep], "y": y[keep], "e": e[keep]}).groupby("c")
        table = med.median()[med.size() >= 15]
        cx = uniform_filter1d(table["x"].to_numpy(), 7, mode="nearest")
        cy = uniform_filter1d(table["y"].to_numpy(), 7, mode="nearest")
        ce = uniform_filter1d(table["e"].to_numpy(), 15, mode="nearest")
        line = np.c_[cx, cy, ce]
    return LineString(line)


@pytest.mark.shared_data
def test_real_tracks() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"raw Kailash data not found at {SHARED} (needs ../shared/data/kailash)")
    from pyproj import Transformer

    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32644", always_xy=True)
    raw = pd.read_csv(SHARED / "tracks_train.csv.gz", dtype={"track_id": str})
    raw["x"], raw["y"] = to_utm.transform(raw["lon"].to_numpy(), raw["lat"].to_numpy())
    tracks = tracks_from_frame(raw)
    assert len(tracks) == 447 and tracks[0].track_id == "0012"
    line = provisional_centreline(tracks)
    gaz = pd.read_csv(SHARED / "gazetteer.csv").set_index("id").loc[list(KAILASH_LANDMARKS)]
    gx, gy = to_utm.transform(gaz["lon"].to_numpy(), gaz["lat"].to_numpy())
    m, off = LineIndex(np.asarray(line.coords), max_seg_m=10.0).locate_extended(gx, gy)
    assert off.max() < 150.0  # the gazetteer fixes lie on the tracks (about +-30 m)
    landmarks = dict(zip(KAILASH_LANDMARKS, np.clip(m, 0.0, line.length).tolist(), strict=True))

    started = time.perf_counter()
    cal = calibrate(tracks, line, landmarks, progress=False)
    assert time.perf_counter() - started < 60.0

    assert len(cal.stretches) == 1 + len(KAILASH_LANDMARKS) - 1
    whole = cal.stretches[0]
    assert (whole.from_place_id, whole.to_place_id) == ("darchen_kora_gate", "drirapuk_iron_bridge")
    assert whole.n_tracks >= 30
    # DOMAIN.md: median about 7 h (5.5-8.6 h) for the whole tracks
    assert whole.median_actual_s is not None and 5.5 * 3600 < whole.median_actual_s < 8 * 3600
    assert all(s.n_tracks >= 30 for s in cal.stretches)
    assert 0.7 < cal.model.flat_speed_mps < 1.5
    q = cal.pace_quantiles
    assert q["p50"] == pytest.approx(1.0)
    assert q["p10"] < q["p25"] < q["p50"] < q["p75"] < q["p90"]
    assert cal.dwell_s["hayagriva_station"] > 600.0  # the lunch stop
    assert cal.pairs.mae_s is not None and cal.pairs.baseline_mae_s is not None
    assert cal.pairs.mae_s < cal.pairs.baseline_mae_s
    json.dumps(cal.to_dict())


def test_stops_and_trip_ranges_are_fitted(world: dict[str, Any]) -> None:
    """Issue 14: where walkers stop, how often, how long; ranges by trip length."""
    cal: Calibration = world["cal"]
    hut = cal.stops["hut"]
    assert hut["share_stopping"] == pytest.approx(0.9, abs=0.1)  # 90 % stop at the hut
    assert hut["median_stop_s"] == pytest.approx(HUT_DWELL_S, rel=0.2)
    q = cal.eta_ratio_quantiles
    assert len(q["pred_s"]) == 8 and list(q["pred_s"]) == sorted(q["pred_s"])
    for lo, mid, hi in zip(q["p10"], q["p50"], q["p90"], strict=True):
        assert lo < mid < hi
    # the walkers' pace spread (lognormal, sigma 0.15) shows in every bin: p10-p90 >= 0.8-1.2
    assert all(hi / lo > 1.25 for lo, hi in zip(q["p10"], q["p90"], strict=True))
    back = Calibration.from_dict(cal.to_dict())
    assert back.eta_ratio_quantiles["p50"] == pytest.approx(q["p50"], abs=1e-3)
    assert back.stops["hut"] == hut


def test_moving_pace_and_stops_so_far_are_fitted(world: dict[str, Any]) -> None:
    """Issue 14: the moving pace so far and the stops so far, apart, on training tracks."""
    cal: Calibration = world["cal"]
    mpc = cal.moving_pace_conditioning
    ids = mpc["stretch_ids"]
    assert len(mpc["stretch_moving_s"]) == len(mpc["stretch_stop_s"]) == len(ids) - 1
    assert all(v > 0 for v in mpc["stretch_moving_s"])
    hut = ids.index("hut")  # the walkers' 90 % stop at the hut shows in the stretch after it
    assert mpc["stretch_stop_s"][hut] == pytest.approx(0.9 * HUT_DWELL_S, rel=0.35)
    assert mpc["by_elapsed"] and all(
        {"intercept", "moving_slope", "stop_slope"} <= set(b) for b in mpc["by_elapsed"]
    )
    back = Calibration.from_dict(cal.to_dict())
    assert back.moving_pace_conditioning["by_elapsed"] == mpc["by_elapsed"]
