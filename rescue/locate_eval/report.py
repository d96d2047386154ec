"""The evaluation reports as plain text (what ``sandtable eval-locate`` prints)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from rescue.locate_eval.gps_tracks import TimeEvalReport
from rescue.locate_eval.scoring import EvalReport, GroupStats, Target

__all__ = ["format_report", "format_sets", "format_time_report"]


def _pct(v: float | None) -> str:
    return "    -" if v is None else f"{100 * v:5.1f}%"


def _metres(v: float | None) -> str:
    if v is None:
        return "      -"
    return "    inf" if math.isinf(v) else f"{v:7.0f}"


def _target_line(t: Target, unit: str = "") -> str:
    mark = {True: "ok  ", False: "MISS", None: "n/a "}[t.met]
    sign = ">=" if t.kind == "min" else "<="
    if t.value is None:
        val = "-"
    elif t.name.endswith("rate") or t.name.endswith("coverage"):
        val = f"{100 * t.value:.1f}%"
    else:
        val = "inf" if math.isinf(t.value) else f"{t.value:.2f}{unit}"
    thr = (
        f"{100 * t.threshold:.0f}%"
        if t.name.endswith("rate") or t.name.endswith("coverage")
        else f"{t.threshold:g}{unit}"
    )
    return f"  [{mark}] {t.name:26} {val:>10}  (target {sign} {thr})"


def format_report(report: EvalReport, *, misses: int = 15) -> str:
    """The report as a plain-text table, with the targets and the first ``misses`` misses."""
    head = f"{'group':22} {'n':>4} {'top-1':>6} {'top-3':>6} {'median m':>8} {'p90 m':>7}"
    lines = [
        f"locate evaluation: {report.overall.n} cases"
        + (f" ({report.source})" if report.source else ""),
        head,
        "-" * len(head),
    ]

    def row(name: str, g: GroupStats) -> None:
        lines.append(
            f"{name:22} {g.n:4d} {_pct(g.top1_rate):>6} {_pct(g.top3_rate):>6} "
            f"{_metres(g.median_error_m):>8} {_metres(g.p90_error_m):>7}"
        )

    row("all", report.overall)
    row("names a place", report.place)
    row("time only", report.time_only)
    for lang, g in report.by_language.items():
        row(f"lang {lang}", g)
    for clue, g in report.by_clue_type.items():
        row(f"clue {clue}", g)
    lines.append("targets:")
    lines += [_target_line(t, " m" if t.name.endswith("_m") else "") for t in report.targets]
    missed = [r for r in report.results if not r.top1]
    if missed and misses > 0:
        lines.append(f"top-1 misses ({len(missed)}; first {min(misses, len(missed))}):")
        for r in missed[:misses]:
            why = f" [{r.failure}]" if r.failure else ""
            lines.append(
                f"  {r.case_id} {r.lang:5} {'top3' if r.top3 else '    '} "
                f"{_metres(r.error_m).strip():>6} m  got {r.best_segment_id}  want "
                f"{r.truth_segment_id}{why}"
            )
    return "\n".join(lines)


def format_sets(reports: Mapping[str, EvalReport], *, misses: int = 0) -> str:
    """Per set and per class: hit within 1 km at top-1 / top-3, segment top-1, median and
    p90 error, answers at top-1 p >= 0.8 and the share of them > 1 km off, 80 %-range
    coverage, empty answers (issue 13)."""
    head = (
        f"{'set / group':28} {'n':>4} {'<1km@1':>7} {'<1km@3':>7} {'seg@1':>6} "
        f"{'median m':>8} {'p90 m':>7} {'p>=.8':>5} {'conf.wrong':>10} {'range80':>7} "
        f"{'empty':>5}"
    )
    lines = [head, "-" * len(head)]

    def row(name: str, g: GroupStats) -> None:
        lines.append(
            f"{name:28} {g.n:4d} {_pct(g.near1_rate):>7} {_pct(g.near3_rate):>7} "
            f"{_pct(g.top1_rate):>6} {_metres(g.median_error_m):>8} {_metres(g.p90_error_m):>7} "
            f"{g.n_confident:5d} {_pct(g.confident_wrong_rate):>10} "
            f"{_pct(g.range80_coverage):>7} {g.empty:5d}"
        )

    for name, rep in reports.items():
        row(name, rep.overall)
        for cls, g in rep.by_class.items():
            row(f"  class {cls}", g)
        for lang in ("en", "zh"):
            if lang in rep.by_language:
                row(f"  lang {lang}", rep.by_language[lang])
        cells = [
            f"[{b.low:.1f},{b.high:.1f}) n={b.n} p={_pct(b.mean_p).strip()} "
            f"<1km={_pct(b.near1_rate).strip()} seg={_pct(b.top1_rate).strip()}"
            for b in rep.reliability
            if b.n
        ]
        lines.append(
            "  reliability (stated top-1 p: answers, mean p, hit rates): " + "; ".join(cells)
        )
        if misses > 0:
            far = sorted((r for r in rep.results if not r.near1), key=lambda r: -r.error_m)[:misses]
            for r in far:
                lines.append(
                    f"    miss {r.case_id} {_metres(r.error_m).strip():>6} m p={r.top1_p:.2f} "
                    f"got {r.best_segment_id}"
                )
    return "\n".join(lines)


def format_time_report(report: TimeEvalReport) -> str:
    """The GPS-track evaluation as plain text."""

    def km(v: float | None) -> str:
        return "-" if v is None else ("inf" if math.isinf(v) else f"{v:.2f} km")

    lines = [
        f"time-only locating on held-out GPS tracks: {report.n_pairs} pairs from "
        f"{report.n_tracks} tracks ({len(report.skipped_tracks)} tracks skipped)",
        f"  median along-route error {km(report.median_error_km)}, "
        f"90th percentile {km(report.p90_error_km)}, "
        f"truth inside the 80% range {_pct(report.coverage).strip()}",
    ]
    for band, s in report.by_elapsed_h.items():
        lines.append(
            f"  elapsed {band:6} n={s['n']:4d}  median {km(s['median_error_km'])}  "
            f"coverage {_pct(s['coverage']).strip()}"
        )
    lines.append("targets:")
    lines += [_target_line(t, " km" if t.name.endswith("_km") else "") for t in report.targets]
    return "\n".join(lines)
