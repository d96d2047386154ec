"""Text parsing latency on one core: clues, place names and coordinates.

Run: ``python -m bench.bench_parse [--repeat 10]``.

The inputs are the tests' own (imported, so they cannot drift apart): the adversarial
texts of ``tests/rescue/test_clues.py`` through the clue parser (with the tests' stand-in
name index and with the real Kailash one) and through the coordinate parser; the
call-length description of ``tests/rescue/test_names.py`` through the name index; the
call-length text of ``tests/rescue/test_coords.py`` through the coordinate parser. Each
is run ``--repeat`` times after one warm-up pass; the figures are p50 / p99 / max wall
time per call. The tests assert no time at all: these are the figures to watch for
super-linear behaviour on adversarial input.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _time_calls(
    calls: Sequence[tuple[str, Callable[[], object]]], repeat: int
) -> tuple[list[float], str, float]:
    """Seconds per call over ``repeat`` rounds (after a warm-up), the slowest label, its time."""
    from geodata.errors import InvalidInput

    times: list[float] = []
    worst_label, worst = "", -1.0
    for rnd in range(repeat + 1):
        for label, call in calls:
            t0 = time.perf_counter()
            try:
                call()
            except InvalidInput:
                pass
            elapsed = time.perf_counter() - t0
            if rnd:  # the first round warms caches
                times.append(elapsed)
                if elapsed > worst:
                    worst_label, worst = label, elapsed
    return times, worst_label, worst


def _report(
    label: str, calls: Sequence[tuple[str, Callable[[], object]]], repeat: int, was: str
) -> None:
    times, worst_label, _ = _time_calls(calls, repeat)
    ms = [t * 1000 for t in times]
    distinct = len({name for name, _ in calls}) > 1
    slowest = f"; slowest input {worst_label}" if distinct else ""
    print(f"  {label}: {len(calls)} calls a round x {repeat} rounds{slowest}")
    print(
        f"    per call over {len(ms)} calls: p50 {statistics.median(ms):.2f} ms, "
        f"p99 {_pct(ms, 0.99):.2f} ms, max {max(ms):.2f} ms  (old test bound: {was})"
    )


def _short(text: str) -> str:
    return repr(text[:12]) + ("…" if len(text) > 12 else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_parse", description=__doc__)
    parser.add_argument("--repeat", type=int, default=10, help="timed rounds per input")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    from geodata import load_region
    from rescue.locate.coords import find_coordinates
    from rescue.locate.names import NameIndex
    from tests.rescue import test_clues, test_coords, test_names

    places = load_region("kailash").places
    real_index = NameIndex(places)
    stand_in = test_clues.StandInIndex()
    bbox = test_clues.KAILASH_BBOX
    texts = test_clues._ADVERSARIAL

    def clues(text: str, names: object) -> Callable[[], object]:
        return lambda: test_clues.parse(text, names, bbox=bbox)  # type: ignore[arg-type]

    def coordinates(text: str) -> Callable[[], object]:
        return lambda: find_coordinates(text, bbox=test_coords.KAILASH)

    print("  (p50 / p99 / max wall time per call, one core)")
    _report(
        "clue parser, adversarial texts, stand-in name index",
        [(_short(t), clues(t, stand_in)) for t in texts],
        args.repeat,
        "< 50 ms",
    )
    _report(
        "clue parser, adversarial texts, real Kailash name index",
        [(_short(t), clues(t, real_index)) for t in texts],
        args.repeat,
        "< 250 ms",
    )
    _report(
        "coordinate parser, adversarial texts",
        [(_short(t), coordinates(t)) for t in texts],
        args.repeat,
        "< 500 ms on random text",
    )
    call_text = test_coords.CALL_TEXT
    _report(
        f"coordinate parser, a {len(call_text)}-character call",
        [("call", coordinates(call_text))] * 100,
        args.repeat,
        "< 1 ms",
    )
    description = test_names.DESCRIPTION
    _report(
        f"name index find, a {len(description)}-character description",
        [("description", lambda: real_index.find(description))] * 50,
        args.repeat,
        "< 2 ms",
    )
    _report(
        f"name index build, {len(places):,} Kailash places",
        [("build", lambda: NameIndex(places))],
        args.repeat,
        "< 1 s",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
