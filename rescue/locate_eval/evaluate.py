"""Score the locator against a case set and against real walkers' GPS tracks
(``sandtable eval-locate``).

Two evaluations, both framework-free:

``evaluate(network, cases)`` (:mod:`rescue.locate_eval.scoring`)
    Each case is a caller's description with the true position (:mod:`rescue.locate_eval.
    cases`): top-1 and top-3 segment hits, the distance from the best point to the truth,
    summaries by group.
``evaluate_time_only_tracks(network, tracks)`` (:mod:`rescue.locate_eval.gps_tracks`)
    Time-only calls made from held-out GPS tracks: along-route error and 80 %-range coverage.

This module is the command (:func:`main`, :func:`add_arguments`, :func:`run`) and re-exports
the parts' public names. The case files are arguments: ``sandtable eval-locate`` passes the
repository's sets (``tests/data/locate_cases.jsonl``, ``tests/data/locate_real_cases.jsonl``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geodata.errors import SandtableError
from rescue.localtime import LOCAL_TZ
from rescue.locate_eval.cases import CLUE_TYPES, LANGUAGES, Case, Truth, load_cases
from rescue.locate_eval.gps_tracks import (
    TimeEvalReport,
    TrackPair,
    TrackPairResult,
    evaluate_time_only_tracks,
    track_pairs,
)
from rescue.locate_eval.realcases import load_real_cases
from rescue.locate_eval.report import format_report, format_sets, format_time_report
from rescue.locate_eval.scoring import (
    CONFIDENT_P,
    DEFAULT_REPORTED_AT,
    NEAR_M,
    RELIABILITY_EDGES,
    TARGETS,
    CaseResult,
    EvalReport,
    GroupStats,
    Locator,
    ReliabilityBin,
    Target,
    default_locator,
    distance_m,
    evaluate,
    reliability,
)

__all__ = [
    "CLUE_TYPES",
    "CONFIDENT_P",
    "DESCRIPTION",
    "DEFAULT_REPORTED_AT",
    "LANGUAGES",
    "LOCAL_TZ",
    "NEAR_M",
    "RELIABILITY_EDGES",
    "TARGETS",
    "Case",
    "CaseResult",
    "EvalReport",
    "GroupStats",
    "Locator",
    "ReliabilityBin",
    "Target",
    "TimeEvalReport",
    "TrackPair",
    "TrackPairResult",
    "Truth",
    "add_arguments",
    "build_parser",
    "default_locator",
    "distance_m",
    "evaluate",
    "evaluate_time_only_tracks",
    "format_report",
    "format_sets",
    "format_time_report",
    "load_cases",
    "main",
    "reliability",
    "run",
    "track_pairs",
]

DESCRIPTION = (
    "Score the locator on a case set: top-1 and top-3 segment hit rates and the median "
    "distance from the best point to the truth, overall, for cases naming a place, for "
    "time-only cases, by language and by clue type; with --tracks also on held-out GPS tracks "
    "(time-only: median along-route error and how often the truth is inside the 80% range)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``sandtable eval-locate`` to a (sub)parser; run it with :func:`run`."""
    parser.add_argument(
        "--cases",
        required=True,
        help="JSON Lines case file (the project's: tests/data/locate_cases.jsonl)",
    )
    parser.add_argument(
        "--real-cases",
        default=None,
        help="real-text case file (the project's: tests/data/locate_real_cases.jsonl; none "
        "when absent or 'none'): scored per split (real-dev, real-held-out) and per class",
    )
    parser.add_argument(
        "--far", type=int, default=0, help="list this many of the farthest misses per set"
    )
    parser.add_argument("--region", default="kailash", help="region id (default kailash)")
    parser.add_argument("--data-dir", help="region data directory")
    parser.add_argument(
        "--tracks", help="raw track table (tracks_train.csv.gz) for the GPS-track evaluation"
    )
    parser.add_argument(
        "--n-pairs", type=int, default=200, help="GPS-track pairs to sample (default 200)"
    )
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument(
        "--misses", type=int, default=15, help="list this many top-1 misses (default 15)"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is missed"
    )


def build_parser(prog: str = "sandtable eval-locate") -> argparse.ArgumentParser:
    """A stand-alone parser for ``sandtable eval-locate``."""
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the evaluation from the command line.

    Returns
    -------
    int
        0, or 1 with ``--check`` when a target is missed, or 2 on bad input (the message
        goes to stderr).
    """
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except SandtableError as exc:
        print(f"sandtable eval-locate: error: {exc}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    """Run the evaluation for parsed arguments (see :func:`add_arguments`); print the report.

    Raises
    ------
    SandtableError
        On a bad case file, region or track table, or when there is no locator.
    """
    from geodata import load_region
    from routes import build_network

    cases = load_cases(args.cases)  # a bad file fails before the slow part
    locator = default_locator()
    kwargs = {"data_dir": Path(args.data_dir)} if args.data_dir else {}
    network = build_network(load_region(args.region, **kwargs))
    report = evaluate(network, cases, locator=locator, source=Path(args.cases).name)
    sets: dict[str, EvalReport] = {"team-written": report}
    real_path = args.real_cases
    if real_path is not None and real_path != "none":
        real = load_real_cases(real_path, network)
        for split, name in (("dev", "real-dev"), ("heldout", "real-held-out")):
            part = [c for c in real if c.split == split]
            if part:
                source = f"{Path(real_path).name} {split}"
                sets[name] = evaluate(network, part, locator=locator, source=source)
    time_report = None
    if args.tracks:
        from geodata.raw import read_tracks

        time_report = evaluate_time_only_tracks(
            network,
            read_tracks(args.tracks),
            n_pairs=args.n_pairs,
            seed=args.seed,
            locator=locator,
        )
    if args.json:
        out: dict[str, Any] = {"cases": report.to_dict()}
        out["sets"] = {k: v.to_dict() for k, v in sets.items() if k != "team-written"}
        if time_report is not None:
            out["tracks"] = time_report.to_dict()
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(format_report(report, misses=args.misses))
        print()
        print(format_sets(sets, misses=args.far))
        if time_report is not None:
            print()
            print(format_time_report(time_report))
    ok = report.targets_met and (time_report is None or time_report.targets_met)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
