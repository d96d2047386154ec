"""``routes.eta`` (the walker-pace ETAs), ``routes.calibration`` (their offline fit) and
``sandtable eval-eta`` (issue 14)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from shapely.geometry import LineString

from geodata import load_region
from geodata.errors import InvalidInput
from routes.calibrated import Calibration
from routes.calibration import evaluate_eta, tracked_centreline
from routes.calibration.speed import pair_predictions
from routes.calibration.tracks import arrival_table
from routes.eta import ratio_quantiles_at
from sandtable.cli import main

SHARED_TRACKS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "kailash"
TRACKS = SHARED_TRACKS / "tracks_train.csv.gz"


@pytest.fixture(scope="module")
def kailash() -> tuple[dict[str, Any], LineString]:
    region = load_region("kailash")
    return dict(region.calibration), tracked_centreline(region)


def _model_walkers(
    cal: dict[str, Any], line: LineString, paces: list[float]
) -> list[dict[str, Any]]:
    """Walkers that take exactly pace x the median walker's time between landmarks."""
    c = Calibration.from_dict(cal)
    ids, arrive, _, _, _, index = arrival_table([], c, line)
    pred = pair_predictions(c, index, ids, arrive)["model"]
    marks = np.array([arrive[p] for p in ids])
    times = np.array([pred[0, i] for i in range(len(ids))])
    # (from the line's start: a negative distance would count from its end)
    m = np.arange(0.0, min(marks[-1] + 100.0, line.length), 10.0)
    out = []
    for k, pace in enumerate(paces):
        t = np.interp(m, marks, times * pace) + (m - marks[-1]).clip(min=0)
        pts = [line.interpolate(v) for v in m]
        out.append(
            {
                "track_id": f"w{k}",
                "x": np.array([p.x for p in pts]),
                "y": np.array([p.y for p in pts]),
                "t_s": 1.7e9 + t,
                "ele_m": np.array([p.z for p in pts]),
            }
        )
    return out


def test_walkers_who_walk_like_the_model_are_predicted_exactly(kailash: Any) -> None:
    cal, line = kailash
    cal = {k: v for k, v in cal.items() if k != "eta_ratio_quantiles"}  # plain median walker
    report = evaluate_eta(_model_walkers(cal, line, [1.0, 1.0]), cal, line, holdout_only=False)
    assert report.n_tracks == 2 and report.n_pairs > 20
    assert report.mae_s < 60.0  # only the start (the gate lies 50 m before the line) is off
    assert report.within_10min == 1.0
    assert report.range80_coverage == 1.0  # inside p10-p90 of the pace
    assert report.distance_only_mae_s > 100.0  # constant speed misses the climbs and stops
    assert report.naismith_mae_s > report.mae_s and report.tobler_mae_s > report.mae_s
    assert report.oracle_static_mae_s <= report.mae_s


def test_slow_walkers_fall_outside_the_range_and_count_as_errors(kailash: Any) -> None:
    cal, line = kailash
    cal = {k: v for k, v in cal.items() if k != "eta_ratio_quantiles"}
    slow = cal["pace_quantiles"]["p95"] * 1.2
    report = evaluate_eta(_model_walkers(cal, line, [slow]), cal, line, holdout_only=False)
    assert report.range80_coverage == 0.0 and report.range80_above == 1.0
    assert report.mae_s > 100.0
    # the pace shown so far, kept with the fitted persistence, brings the estimate closer
    assert report.pace_conditioned_mae_s <= report.mae_s


def test_only_held_out_tracks_are_scored_unless_asked(kailash: Any) -> None:
    cal, line = kailash
    walkers = _model_walkers(cal, line, [1.0])
    with pytest.raises(InvalidInput, match="held out"):
        evaluate_eta(walkers, cal, line)
    held = cal["split"]["holdout_track_ids"][0]
    walkers[0]["track_id"] = held
    assert evaluate_eta(walkers, cal, line).n_tracks == 1


def test_cli_names_a_bad_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("track_id,seq,time_utc,lon,lat,ele_m\nt1,0,2024-06-01T00:00:00Z,81.3,x,4700\n")
    assert main(["eval-eta", "--tracks", str(bad)]) != 0
    err = capsys.readouterr().err
    assert "bad.csv" in err and "line 2" in err


@pytest.mark.skipif(
    not TRACKS.is_file(), reason="../shared/data/kailash/tracks_train.csv.gz absent"
)
def test_cli_json_on_the_held_out_tracks(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval-eta", "--tracks", str(TRACKS), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("mae_s", "distance_only_mae_s", "within_10min", "range80_coverage"):
        assert isinstance(out[key], float)
    assert out["holdout_only"] is True
    assert out["n_tracks"] == len(load_region("kailash").calibration["split"]["holdout_track_ids"])
    assert 0.0 <= out["range80_coverage"] <= 1.0
    # issue 14: the walker's own pace so far helps on real held-out walkers, and the range
    # scaled by it still holds about 80 %
    assert out["pace_conditioned_mae_s"] < out["mae_s"]
    assert 0.7 <= out["pace_conditioned_range80_coverage"] <= 0.9
    # which figure uses the walker's pace is explicit; the walker-blind bound is the scored
    # tracks' own per-pair median, which no one-ETA-per-pair model can beat
    assert 0 < out["n_pairs_pace_known"] < out["n_pairs"]
    assert out["pace_known_mae_s"] < out["pace_known_distance_only_mae_s"]
    assert out["oracle_static_mae_s"] <= out["mae_s"]
    assert (
        out["pace_conditioned_improvement_vs_distance_only"] > out["improvement_vs_distance_only"]
    )


@pytest.mark.skipif(
    not TRACKS.is_file(), reason="../shared/data/kailash/tracks_train.csv.gz absent"
)
def test_cli_text_says_which_figure_uses_the_walkers_pace(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval-eta", "--tracks", str(TRACKS)]) == 0
    out = capsys.readouterr().out
    assert "walker pace NOT used" in out and "walker pace used" in out
    assert out.index("WITHOUT the walker pace") < out.index("WITH the walker pace so far")


def test_own_pace_from_two_times(kailash: Any) -> None:
    """Issue 14: a walker's own pace, trusted more the longer they have been watched."""
    from routes.eta import own_pace, ratio_quantiles_at

    cal, _ = kailash
    q = cal["pace_quantiles"]
    lines = cal["pace_conditioning"]["by_elapsed"]

    def typical(median: float) -> float:
        return median * ratio_quantiles_at(cal["eta_ratio_quantiles"], median)[1]

    # a walker at the model's own pace gets the fitted line's intercept (its bin: 2-4 h)
    two_h = typical(7200.0)
    line = next(b for b in lines if b["elapsed_from_s"] <= two_h < (b["elapsed_to_s"] or 1e12))
    assert own_pace(cal, two_h, 7200.0) == pytest.approx(np.exp(line["intercept"]))

    def shift(elapsed_factor: float, median: float) -> float:
        return own_pace(cal, elapsed_factor * typical(median), median) / own_pace(
            cal, typical(median), median
        )

    slow_1h, slow_5h = shift(1.3, 3600.0), shift(1.3, 5 * 3600.0)
    assert 1.0 < slow_1h < slow_5h  # five hours watched say more than one
    assert shift(0.8, 5 * 3600.0) < 1.0
    assert own_pace(cal, 100 * 7200.0, 7200.0) == pytest.approx(q["p95"])  # clipped
    assert own_pace(cal, 0.3 * 36000.0, 36000.0) == pytest.approx(q["p05"])
    assert all(0.0 <= b["slope"] <= 1.0 for b in lines)


def test_own_pace_without_conditioning_falls_back_to_pace_memory(kailash: Any) -> None:
    from routes.eta import own_pace, persistence_at, ratio_quantiles_at

    cal = dict(kailash[0])
    cal.pop("pace_conditioning")
    mid = ratio_quantiles_at(cal["eta_ratio_quantiles"], 7200.0)[1]
    b = persistence_at(cal["pace_memory"], 1.2 * 7200.0)
    assert own_pace(cal, 1.2 * 7200.0, 7200.0) == pytest.approx((1.2 / mid) ** b)


def test_own_pace_eta_gives_a_range_around_the_walkers_pace(kailash: Any) -> None:
    """Issue 14: "we left Darchen at 8, now 13:30" -> p10/p50/p90 of the time ahead."""
    from routes.eta import own_pace, own_pace_eta, ratio_quantiles_at

    cal, _ = kailash
    mid_ahead = ratio_quantiles_at(cal["eta_ratio_quantiles"], 10800.0)[1]
    slow = own_pace_eta(cal, 5.5 * 3600.0, 4 * 3600.0, 10800.0)
    fast = own_pace_eta(cal, 3.0 * 3600.0, 4 * 3600.0, 10800.0)
    for r in (slow, fast):
        assert r["p10_s"] < r["p50_s"] < r["p90_s"]
    assert slow["p50_s"] > fast["p50_s"]
    assert slow["pace"] == own_pace(cal, 5.5 * 3600.0, 4 * 3600.0)
    assert slow["p50_s"] == pytest.approx(10800.0 * mid_ahead * slow["pace"])
    # once the pace is known the 80 % range is narrower than the walkers' own spread
    r10, _, r90 = ratio_quantiles_at(cal["eta_ratio_quantiles"], 10800.0)
    assert (slow["p90_s"] - slow["p10_s"]) / slow["p50_s"] < (r90 - r10) / mid_ahead
    no_range = dict(cal)
    no_range["pace_conditioning"] = {
        k: v for k, v in cal["pace_conditioning"].items() if k != "range"
    }
    fb = own_pace_eta(no_range, 5.5 * 3600.0, 4 * 3600.0, 10800.0)
    assert fb["p90_s"] == pytest.approx(10800.0 * r90 * fb["pace"])
    with pytest.raises(InvalidInput, match="ahead_s"):
        own_pace_eta(cal, 3600.0, 3600.0, 0.0)


def test_pace_conditioning_tells_a_steady_walker_from_a_random_one() -> None:
    from routes.calibration.pace import pace_conditioning

    rng = np.random.default_rng(1)
    k = 8
    step = np.full(k - 1, 3600.0)
    cum = np.concatenate([[0.0], np.cumsum(step)])
    pred = np.subtract.outer(cum, cum).T.clip(min=0)

    def walkers(steady: bool) -> np.ndarray:
        rows = []
        for _ in range(300):
            pace = rng.lognormal(0.0, 0.2, size=1 if steady else k - 1)
            rows.append(np.concatenate([[0.0], np.cumsum(step * pace)]))
        return np.array(rows)

    steady = pace_conditioning(walkers(True), pred, {})
    random = pace_conditioning(walkers(False), pred, {})
    for b in steady["by_elapsed"][1:]:
        assert b["slope"] == pytest.approx(1.0, abs=0.05)
    for b in random["by_elapsed"][1:]:
        assert abs(b["slope"]) < 0.5
    assert steady["range"]["p90"][-1] < random["range"]["p90"][-1]
    assert pace_conditioning(np.full((3, k), np.nan), pred, {}) == {}


@pytest.mark.parametrize("bad", [0.0, -5.0, float("nan"), float("inf"), True, "1h"])
def test_own_pace_refuses_bad_times(kailash: Any, bad: Any) -> None:
    from routes.eta import own_pace

    with pytest.raises(InvalidInput, match="elapsed_s"):
        own_pace(kailash[0], bad, 3600.0)


def test_pace_memory_tells_a_steady_walker_from_a_random_one() -> None:
    """Steady walkers keep their pace (short memory T0); random per-stretch paces do not."""
    from routes.calibration.pace import pace_memory

    rng = np.random.default_rng(0)
    k = 8
    step = np.full(k - 1, 3600.0)
    pred = np.zeros((k, k))
    cum = np.concatenate([[0.0], np.cumsum(step)])
    for i in range(k):
        for j in range(i + 1, k):
            pred[i, j] = cum[j] - cum[i]

    def walkers(steady: bool) -> np.ndarray:
        rows = []
        for _ in range(300):
            pace = rng.lognormal(0.0, 0.2, size=1 if steady else k - 1)
            rows.append(np.concatenate([[0.0], np.cumsum(step * pace)]))
        return np.array(rows)

    steady = pace_memory(walkers(True), pred, {})
    random = pace_memory(walkers(False), pred, {})
    assert steady["memory_s"] < 1000.0 < 20 * 3600.0 < random["memory_s"]
    assert steady["consecutive_r"]["total"] > 0.9
    assert abs(random["consecutive_r"]["total"]) < 0.2
    assert pace_memory(np.full((3, k), np.nan), pred, {}) == {}


def test_a_steadily_slow_walker_is_caught_by_the_pace_so_far(kailash: Any) -> None:
    cal, line = kailash
    cal = {k: v for k, v in cal.items() if k != "eta_ratio_quantiles"}
    slow = cal["pace_quantiles"]["p90"] * 1.05
    report = evaluate_eta(_model_walkers(cal, line, [slow]), cal, line, holdout_only=False)
    assert report.pace_conditioned_mae_s < 0.8 * report.mae_s
    assert report.pace_conditioned_range80_coverage > report.range80_coverage


def test_own_pace_uses_the_nearest_fitted_line_where_a_bin_is_missing(kailash: Any) -> None:
    from routes.eta import own_pace

    cal = dict(kailash[0])
    cal["pace_conditioning"] = {
        "by_elapsed": [
            {"elapsed_from_s": 3600.0, "elapsed_to_s": 7200.0, "intercept": 0.0, "slope": 0.0},
            {"elapsed_from_s": 14400.0, "elapsed_to_s": None, "intercept": 0.1, "slope": 0.0},
        ]
    }
    assert own_pace(cal, 600.0, 600.0) == pytest.approx(1.0)  # below: the first line
    assert own_pace(cal, 8000.0, 8000.0) == pytest.approx(1.0)  # 800 s from the first
    assert own_pace(cal, 13000.0, 13000.0) == pytest.approx(np.exp(0.1))  # nearer the last


def _stop_walkers(
    rng: np.random.Generator, k: int, steady_moving: bool, n: int = 300
) -> tuple[np.ndarray, np.ndarray]:
    """Arrival and cumulative moving times of walkers on k landmarks an hour's walk apart,
    each stopping a random 0-40 min per stretch; moving pace steady per walker or random."""
    times, moving = [], []
    for _ in range(n):
        pace = rng.lognormal(0.0, 0.25, size=1 if steady_moving else k - 1)
        mv = np.full(k - 1, 3600.0) * pace
        stop = rng.uniform(0.0, 2400.0, size=k - 1)
        moving.append(np.concatenate([[0.0], np.cumsum(mv)]))
        times.append(np.concatenate([[0.0], np.cumsum(mv + stop)]))
    return np.array(times), np.array(moving)


def test_moving_pace_conditioning_keeps_a_steady_mover_apart_from_random_stops() -> None:
    from routes.calibration.moving import moving_pace_conditioning

    rng = np.random.default_rng(3)
    k = 8
    ids = [f"p{i}" for i in range(k)]
    step = np.full(k - 1, 3600.0 + 1200.0)  # the median walker's model time per stretch
    cum = np.concatenate([[0.0], np.cumsum(step)])
    pred = np.subtract.outer(cum, cum).T.clip(min=0)
    steady = moving_pace_conditioning(*_stop_walkers(rng, k, True), pred, {}, ids)
    random = moving_pace_conditioning(*_stop_walkers(rng, k, False), pred, {}, ids)
    # the stretch table: median moving time and mean stop (20 min) per stretch
    assert steady["stretch_ids"] == ids
    assert np.allclose(steady["stretch_stop_s"], 1200.0, rtol=0.15)
    assert np.allclose(steady["stretch_moving_s"], 3600.0, rtol=0.1)
    late = [b for b in steady["by_elapsed"] if b["elapsed_from_s"] >= 7200.0]
    assert late and all(b["moving_slope"] > 0.5 for b in late)
    # random stops say nothing about the next ones; a random moving pace says little
    assert all(abs(b["stop_slope"]) < 0.15 for b in late)
    late_random = [b for b in random["by_elapsed"] if b["elapsed_from_s"] >= 7200.0]
    assert all(b["moving_slope"] < 0.3 for b in late_random)
    assert steady["range"]["p90"][-1] < random["range"]["p90"][-1]
    # every origin-at-the-first-landmark pair has its offset (a median log ratio)
    assert {(o["from"], o["to"]) for o in steady["first_pair_offsets"]} == {
        ("p0", f"p{j}") for j in range(1, k)
    }
    times, moving = _stop_walkers(rng, k, True, n=5)
    assert moving_pace_conditioning(times, moving, pred, {}, ids) == {}


def test_moving_pace_eta_reads_the_moving_pace_and_stops_apart(kailash: Any) -> None:
    from routes.eta import moving_pace_eta

    cal = kailash[0]
    mpc = cal["moving_pace_conditioning"]
    ids = mpc["stretch_ids"]
    first, origin, dest = ids[0], ids[6], ids[-1]
    exp_move = sum(mpc["stretch_moving_s"][:6])
    exp_stop = sum(mpc["stretch_stop_s"][:6])
    ahead = 7200.0

    def eta(moving_s: float, stops_s: float) -> dict[str, float]:
        return moving_pace_eta(
            cal, first, origin, dest, ahead, elapsed_s=moving_s + stops_s, moving_s=moving_s
        )

    median = eta(exp_move, exp_stop)
    slow_mover = eta(1.3 * exp_move, exp_stop)
    long_stopper = eta(exp_move, exp_stop + 3600.0)
    assert slow_mover["p50_s"] > median["p50_s"] and long_stopper["p50_s"] > median["p50_s"]
    # a slow mover says more about the time ahead than the same delay spent stopped
    assert eta(exp_move + 1800.0, exp_stop)["p50_s"] > eta(exp_move, exp_stop + 1800.0)["p50_s"]
    for e in (median, slow_mover, long_stopper):
        assert e["p10_s"] < e["p50_s"] < e["p90_s"]
    # no earlier landmark: the pair's own offset and the range of walkers with no pace known
    fresh = moving_pace_eta(cal, first, first, dest, ahead)
    off = next(o for o in mpc["first_pair_offsets"] if o["from"] == first and o["to"] == dest)
    r50 = ratio_quantiles_at(cal["eta_ratio_quantiles"], ahead)[1]
    assert fresh["p50_s"] == pytest.approx(ahead * r50 * np.exp(off["offset"]))
    lo, hi = (
        np.interp(
            np.log(fresh["p50_s"] / np.exp(off["offset"])),
            np.log(mpc["range_no_pace"]["pred_s"]),
            mpc["range_no_pace"][q],
        )
        for q in ("p10", "p90")
    )
    assert fresh["p10_s"] == pytest.approx(fresh["p50_s"] * lo)
    assert fresh["p90_s"] == pytest.approx(fresh["p50_s"] * hi)
    with pytest.raises(InvalidInput, match="moving_s"):
        moving_pace_eta(cal, first, origin, dest, ahead, elapsed_s=3600.0)
    with pytest.raises(InvalidInput, match="not a landmark"):
        moving_pace_eta(cal, "nowhere", origin, dest, ahead)
    with pytest.raises(InvalidInput, match="out of order"):
        moving_pace_eta(cal, first, dest, origin, ahead)
    with pytest.raises(InvalidInput, match="elapsed_s"):
        moving_pace_eta(cal, first, origin, dest, ahead, elapsed_s=-1.0, moving_s=10.0)


def test_calibrate_eta_refits_the_moving_pace_from_training_tracks_only(
    kailash: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    from routes.calibration import fit_moving_pace

    cal, line = kailash
    # twelve model walkers, each at its own steady pace, none of them held out
    paces = list(np.linspace(0.8, 1.3, 12))
    walkers = _model_walkers(cal, line, paces)
    fitted = fit_moving_pace(walkers, cal, line)
    assert fitted["n_samples"] > 100
    # steady walkers: their pace so far explains the time ahead, little is left unexplained
    assert all(
        0.9 < lo <= 1.0 <= hi < 1.1
        for lo, hi in zip(*(fitted["range"][q] for q in ("p10", "p90")), strict=True)
    )
    held = set(cal["split"]["holdout_track_ids"])
    for w, tid in zip(walkers, sorted(held), strict=False):
        w["track_id"] = tid
    with pytest.raises(InvalidInput, match="densely sampled"):
        fit_moving_pace(walkers, cal, line)  # held-out tracks are never fitted on
    # the command writes the refit into the region's calibration.json, nothing else
    data = tmp_path / "data"
    from geodata import DEFAULT_DATA_DIR

    shutil.copytree(DEFAULT_DATA_DIR / "kailash", data / "kailash")
    csv = tmp_path / "t.csv"
    from pyproj import Transformer

    back = Transformer.from_crs(
        load_region("kailash").metadata["metric_crs"], "EPSG:4326", always_xy=True
    )
    rows = ["track_id,seq,time_utc,lon,lat,ele_m"]
    for k, w in enumerate(_model_walkers(cal, line, paces)):
        lon, lat = back.transform(w["x"], w["y"])
        for s, (t, a, b, z) in enumerate(zip(w["t_s"], lon, lat, w["ele_m"], strict=True)):
            stamp = np.datetime64(int(t), "s")
            rows.append(f"m{k},{s},{stamp}Z,{a:.7f},{b:.7f},{z:.1f}")
    csv.write_text("\n".join(rows) + "\n")
    assert main(["calibrate-eta", "--tracks", str(csv), "--data-dir", str(data)]) == 0
    assert "moving pace fitted" in capsys.readouterr().out
    written = json.loads((data / "kailash" / "calibration.json").read_text())
    assert written["moving_pace_conditioning"]["n_samples"] > 100
    assert written["eta_trees"]["n_tracks"] == 12  # the trees are refitted on them too
    refit = ("moving_pace_conditioning", "eta_trees")
    assert {k: v for k, v in written.items() if k not in refit} == {
        k: v for k, v in cal.items() if k not in refit
    }
    # --cv prints the cross-validation and writes nothing
    before = (data / "kailash" / "calibration.json").read_text()
    args = ["calibrate-eta", "--tracks", str(csv), "--data-dir", str(data), "--cv"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["trees"]["mae_s"] > 0
    assert (data / "kailash" / "calibration.json").read_text() == before


# ------------------------------------------------------------------------------------------
# Boosted trees (routes.eta_trees, routes.calibration.trees, calibration.json eta_trees)


def test_stored_trees_predict_as_scikit_learn_does() -> None:
    from sklearn.ensemble import HistGradientBoostingRegressor

    from routes.calibration.trees import TREE_PARAMS, fit_ensemble
    from routes.eta_trees import predict

    rng = np.random.default_rng(3)
    x = rng.normal(size=(3000, 4))
    y = 0.3 * x[:, 0] - 0.2 * (x[:, 1] > 0.5) + 0.05 * rng.normal(size=3000)
    stored = json.loads(json.dumps(fit_ensemble(x, y)))  # through JSON, as the region stores it
    ours = predict(stored, x)
    theirs = HistGradientBoostingRegressor(**TREE_PARAMS).fit(x, y).predict(x)
    # thresholds and leaves are stored to 4 decimals: the same trees within rounding
    diff = np.abs(ours - theirs)
    assert np.quantile(diff, 0.99) < 0.01 and np.mean(diff) < 1e-3
    assert np.corrcoef(ours, y)[0, 1] > 0.9


def test_stored_trees_are_walked_split_by_split() -> None:
    from routes.eta_trees import predict

    # x0 <= 1 ? (x1 <= 0 ? 10 : 20) : 30, plus a one-leaf tree of 1, on top of 100
    ensemble = {
        "baseline": 100.0,
        "trees": [
            {"feature": [0, 1], "threshold": [1.0, 0.0], "left": [1, -1], "right": [-3, -2],
             "leaf": [10.0, 20.0, 30.0]},
            {"feature": [], "threshold": [], "left": [], "right": [], "leaf": [1.0]},
        ],
    }  # fmt: skip
    x = np.array([[0.0, -1.0], [1.0, 0.5], [1.5, -3.0]])
    assert predict(ensemble, x).tolist() == [111.0, 121.0, 131.0]


def test_eta_trees_learn_a_walkers_pace_and_serve_two_times(kailash: Any) -> None:
    from routes.calibration import fit_eta_trees
    from routes.eta_trees import predict, two_times_eta

    cal, line = kailash
    cal = {k: v for k, v in cal.items() if k != "eta_trees"}
    walkers = _model_walkers(cal, line, list(np.linspace(0.7, 1.4, 15)))
    trees = fit_eta_trees(walkers, cal, line)
    assert trees["n_tracks"] == 15
    assert trees["gps"]["features"][:2] == ["watched", "x_move"]
    assert len(trees["gps"]["trees"]) == 200
    # steady walkers: the pace so far tells the time ahead; the ranges are narrow
    both = {**cal, "eta_trees": trees}
    fast = two_times_eta(both, 0.75 * 7200.0, 7200.0, 3600.0, clock_h=10.0)
    slow = two_times_eta(both, 1.35 * 7200.0, 7200.0, 3600.0, clock_h=10.0)
    assert fast["p10_s"] <= fast["p50_s"] <= fast["p90_s"]
    assert fast["p50_s"] < 0.9 * slow["p50_s"]
    assert slow["pace"] / fast["pace"] > 1.4
    # the GPS model reads the moving pace: slower so far, slower ahead
    x = np.zeros((2, len(trees["gps"]["features"])))
    x[:, 0] = 1.0
    x[:, 1] = [np.log(0.75), np.log(1.35)]
    x[:, 3] = x[:, 1]
    x[:, 10] = np.log(3600.0)
    y = predict(trees["gps"], x)
    assert y[1] - y[0] > 0.3
    with pytest.raises(InvalidInput, match="eta_trees"):
        two_times_eta(cal, 7200.0, 7200.0, 3600.0)
    with pytest.raises(InvalidInput, match="elapsed_s"):
        two_times_eta(both, -1.0, 7200.0, 3600.0)


def test_eval_eta_scores_the_trees(kailash: Any) -> None:
    cal, line = kailash
    report = evaluate_eta(_model_walkers(cal, line, [0.8, 1.0, 1.3]), cal, line, holdout_only=False)
    d = report.to_dict()
    for key in ("mae_s", "distance_only_mae_s", "within_10min", "range80_coverage"):
        assert key in d
    assert report.trees_mae_s is not None and report.trees_mae_s > 0
    assert 0.0 <= (report.trees_range80_coverage or 0.0) <= 1.0
    assert report.two_times_trees_mae_s is not None and report.two_times_lines_mae_s is not None
    # without the key the report leaves the trees' figures out
    bare = {k: v for k, v in cal.items() if k != "eta_trees"}
    assert (
        evaluate_eta(_model_walkers(cal, line, [1.0]), bare, line, holdout_only=False).trees_mae_s
        is None
    )


@pytest.mark.shared_data
@pytest.mark.skipif(not TRACKS.exists(), reason="needs ../shared/data/kailash/tracks_train.csv.gz")
def test_committed_eta_trees_are_reproduced_from_the_tracks(kailash: Any) -> None:
    from geodata.build.consensus import project_tracks
    from geodata.raw import read_tracks
    from routes.calibration import fit_eta_trees

    cal, line = kailash
    region = load_region("kailash")
    tracks = project_tracks(read_tracks(TRACKS), crs=region.metadata["metric_crs"])
    fitted = json.loads(json.dumps(fit_eta_trees(tracks, cal, line)))
    assert fitted == cal["eta_trees"]


def test_calibrate_eta_cv_compares_trees_and_lines_by_track(
    kailash: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from routes.calibration.trees import cross_validate, cv_fold

    cal, line = kailash
    walkers = _model_walkers(cal, line, list(np.linspace(0.7, 1.4, 15)))
    cv = cross_validate(walkers, cal, line)
    assert cv["n_tracks"] == 15 and cv["n_trips"] > 300
    for name in ("trees", "planes", "two_times_trees_on_watched", "elapsed_lines_on_watched"):
        assert cv[name]["mae_s"] < cv[name]["distance_only_mae_s"]
    # folds by track id alone: a track's fold never depends on the others
    assert {cv_fold(f"w{k}") for k in range(15)} == set(range(5))
    assert cv_fold("w3") == cv_fold("w3")


def test_eval_eta_matches_the_trees_landmarks_by_measure(kailash: Any) -> None:
    cal, line = kailash
    walkers = _model_walkers(cal, line, [0.9, 1.2])
    renamed = dict(cal["eta_trees"])
    # a build that listed the co-located Chuku landmarks the other way round
    renamed["stretch_ids"] = [
        "chuku_bridge_supply" if p == "chuku_bridge" else p for p in renamed["stretch_ids"]
    ]
    same = evaluate_eta(walkers, {**cal, "eta_trees": renamed}, line, holdout_only=False)
    assert same.trees_mae_s == evaluate_eta(walkers, cal, line, holdout_only=False).trees_mae_s
    moved = dict(cal["eta_trees"], stretch_m=[m + 500.0 for m in cal["eta_trees"]["stretch_m"]])
    other = evaluate_eta(walkers, {**cal, "eta_trees": moved}, line, holdout_only=False)
    assert same.trees_mae_s is not None and other.trees_mae_s is None
