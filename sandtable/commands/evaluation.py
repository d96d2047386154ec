"""Offline scoring and fitting: ``eval-locate``, ``eval-eta`` and ``calibrate-eta``.

The reports stay English: they are for developers (see :mod:`sandtable.cli`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from geodata.errors import InvalidInput
from geodata.i18n import msg
from sandtable.context import data_dir

__all__ = ["cmd_calibrate_eta", "cmd_eval_eta", "cmd_eval_locate"]


def cmd_eval_locate(args: argparse.Namespace) -> int:
    """Score the locator on the case sets (:mod:`rescue.locate_eval.evaluate`)."""
    from rescue.locate_eval.evaluate import main as evaluate_main

    # the repository's case sets, unless named (rescue.locate_eval knows no repository path)
    data = Path(__file__).resolve().parents[2] / "tests" / "data"
    real = data / "locate_real_cases.jsonl"
    argv = ["--cases", str(args.cases or data / "locate_cases.jsonl")]
    argv += ["--real-cases", str(args.real_cases or (real if real.exists() else "none"))]
    if args.tracks:
        argv += ["--tracks", str(args.tracks)]
    if args.misses is not None:
        argv += ["--misses", str(args.misses)]
    if args.far:
        argv += ["--far", str(args.far)]
    if args.json:
        argv.append("--json")
    return int(evaluate_main(argv))


def cmd_eval_eta(args: argparse.Namespace) -> int:
    """Score walking times landmark to landmark on GPS tracks, held-out ones by default."""
    from geodata import load_region
    from geodata.build.consensus import project_tracks
    from geodata.raw import read_tracks
    from routes.calibration import evaluate_eta, format_eta_report, tracked_centreline

    region = load_region(args.region, data_dir=data_dir(args))
    if not region.calibration:
        raise InvalidInput(msg("cli.no_calibration", region=repr(args.region)))
    centreline = tracked_centreline(region)
    tracks = project_tracks(read_tracks(Path(args.tracks)), crs=region.metadata["metric_crs"])
    report = evaluate_eta(tracks, region.calibration, centreline, holdout_only=not args.all_tracks)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_eta_report(report, Path(args.tracks).name))
    return 0


def cmd_calibrate_eta(args: argparse.Namespace) -> int:
    """Re-fit ``moving_pace_conditioning`` and ``eta_trees`` of calibration.json."""
    from geodata import load_region
    from geodata.build.consensus import project_tracks
    from geodata.files import CALIBRATION_FILE, _dumps
    from geodata.raw import read_tracks
    from routes.calibration import (
        cross_validate,
        fit_eta_trees,
        fit_moving_pace,
        tracked_centreline,
    )

    region = load_region(args.region, data_dir=data_dir(args))
    if not region.calibration:
        raise InvalidInput(msg("cli.no_calibration", region=repr(args.region)))
    crs = region.metadata["metric_crs"]
    tracks = project_tracks(read_tracks(Path(args.tracks)), crs=crs)
    centreline = tracked_centreline(region)
    if args.cv:
        print(json.dumps(cross_validate(tracks, region.calibration, centreline), indent=2))
        return 0
    fitted = fit_moving_pace(tracks, region.calibration, centreline)
    calibration = {**region.calibration, "moving_pace_conditioning": fitted}
    calibration["eta_trees"] = fit_eta_trees(tracks, calibration, centreline)
    path = data_dir(args) / args.region / CALIBRATION_FILE
    path.write_text(_dumps(calibration, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    bins = ", ".join(
        f"{b['elapsed_from_s'] / 3600:g} h: moving x{b['moving_slope']:.2f} "
        f"stops x{b['stop_slope']:.2f}"
        for b in fitted["by_elapsed"]
    )
    trees = calibration["eta_trees"]
    print(
        f"moving pace fitted on {fitted['n_samples']} training trips ({bins}); ETA trees on "
        f"{trees['gps']['n_samples']} (GPS) and {trees['two_times']['n_samples']} (two times) "
        f"trips of {trees['n_tracks']} training tracks; wrote {path}"
    )
    return 0
