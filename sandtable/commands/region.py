"""A region's data: ``build-region`` (re-derive it), ``info`` (summarise it), ``locate``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geodata.errors import InvalidInput
from geodata.i18n import msg, render
from sandtable.context import data_dir

__all__ = ["cmd_build_region", "cmd_info", "cmd_locate"]


def cmd_build_region(args: argparse.Namespace) -> int:
    """Rebuild ``geodata/<region>/`` from the raw sources and print what was done."""
    from geodata.build import build_region
    from routes.calibration import calibrate, fit_eta_trees

    def calibrator(tracks, centreline, landmarks):  # type: ignore[no-untyped-def]
        out = calibrate(tracks, centreline, landmarks, progress=not args.quiet).to_dict()
        out["eta_trees"] = fit_eta_trees(tracks, out, centreline)
        return out

    out_dir = args.out_dir or data_dir(args) / args.region
    report = build_region(
        args.region,
        source_dir=Path(args.source),
        out_dir=Path(out_dir),
        calibrator=calibrator,
        progress=not args.quiet,
    )
    print(report.summary())
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    """Print a region's summary (text or JSON), or its calibration's hold-out table."""
    from geodata import load_region
    from rescue.catalog import region_info
    from routes import build_network

    network = build_network(load_region(args.region, data_dir=data_dir(args)))
    info = region_info(network)
    if args.calibration:
        print(_format_stretches(network.region.calibration))
        return 0
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        print(_format_info(info))
    return 0


def cmd_locate(args: argparse.Namespace) -> int:
    """Rank where a caller is from what they say, as ``POST /api/locate`` does."""
    from datetime import datetime

    from geodata import load_region
    from rescue.locate import locate
    from routes import build_network

    reported_at = None
    if args.at:
        try:
            reported_at = datetime.fromisoformat(args.at)
        except ValueError:
            raise InvalidInput(msg("cli.bad_time", value=repr(args.at))) from None
    network = build_network(load_region(args.region, data_dir=data_dir(args)))
    result = locate(network, args.text, reported_at=reported_at, direction=args.direction)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(_format_locate(result.to_dict(), args.lang))
    return 0


def _format_locate(result: dict[str, Any], lang: str = "en") -> str:
    """The ranked candidates, their evidence and the questions to ask, in ``lang``."""
    lines = []
    if not result["candidates"]:
        lines.append(render("cli.locate_nothing", lang))
    for i, c in enumerate(result["candidates"], start=1):
        bar = "█" * max(1, round(c["probability"] * 20))
        km = c["km_range"]
        where = (
            render("cli.locate_km", lang, start=f"{km[0]:.1f}", end=f"{km[1]:.1f}")
            if km
            else render("cli.locate_road", lang)
        )
        name = c["name"]["zh"] or c["name"]["en"] if lang == "zh" else c["name"]["en"]
        lines.append(f"{i:2d}. {c['probability']:5.1%} {bar:<20} {name}")
        best = render("cli.locate_best", lang, lat=f"{c['lat']:.5f}", lon=f"{c['lon']:.5f}")
        lines.append(f"      {where}{best}")
        evidence = c.get("evidence_zh") or c["evidence"] if lang == "zh" else c["evidence"]
        lines.extend(f"      · {e}" for e in evidence)
    if result["questions"]:
        lines.append(render("cli.locate_ask", lang))
        bits = "cli.locate_bits"
        lines.extend(
            f"  - {q['text'][lang]}" + render(bits, lang, bits=f"{q['expected_gain_bits']:.2f}")
            for q in result["questions"]
        )
    return "\n".join(lines)


def _format_info(info: dict[str, object]) -> str:
    lines = []
    for key, value in info.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {k}: {v}" for k, v in value.items())
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)


def _format_stretches(calibration: Mapping[str, Any]) -> str:
    """The hold-out table of ``calibration.json``: MAE per stretch and method, in seconds."""
    report = calibration.get("report") or {}
    rows = report.get("stretches") if isinstance(report, dict) else None
    if not rows:
        return "no calibration report in this region"
    cols = ("mae_s", "baseline_mae_s", "naismith_mae_s", "tobler_mae_s")
    titles = ("model", "dist.", "Naism.", "Tobler")
    head = f"{'stretch':58} {'n':>4} {'median':>7} " + " ".join(f"{t:>6}" for t in titles)
    lines = ["hold-out MAE (s) of the median-walker prediction, by stretch", head]
    whole = report.get("whole_stretch")
    for r in [whole, *rows] if whole else rows:
        name = f"{r['from_place_id']} → {r['to_place_id']}"
        vals = " ".join(f"{(r.get(c) or 0):6.0f}" for c in cols)
        lines.append(f"{name:58} {r['n_tracks']:4d} {r['median_actual_s']:7.0f} {vals}")
    pairs = report.get("pairs") or {}
    if pairs:
        lines.append(
            f"every landmark to every later one: {pairs['n_pairs']} predictions, model "
            f"{pairs['mae_s']:.0f} s, distance-only {pairs['baseline_mae_s']:.0f} s"
        )
    return "\n".join(lines)
