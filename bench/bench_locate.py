"""Locate query latency on one core, on Kailash and on a generated region 100× larger.

Run: ``python -m bench.bench_locate [--repeat 3] [--scale 100] [--no-compare]``.

Queries are the descriptions of ``tests/data/locate_cases.jsonl``, each run ``--repeat``
times after one warm-up pass (the large region: ``--repeat`` // 3, at least once; the
dense reference once, after them); the figures are p50 / p95 / p99 / max wall time per
query and p50 / p95 of the query thread's CPU time (the machine is shared: CPU time is
what the query itself costs, wall time adds what other processes take), plus the time to
build the locate index once and the load average while measuring. The belief is sparse
(``locate(..., sparse=True)``, see ``rescue.locate.belief.Window``); unless
``--no-compare``, the reference over every bin (``sparse=False``) is timed in the same
run, and every answer of the two is compared: same candidates in the same order,
probabilities, points and 80 % ranges within 1e-9 (a candidate's km range within one
25 m bin).

The large region tiles the Kailash network ``--scale`` times side by side (each copy
shifted 60 km, joined to the next by a link road), with every place renamed per copy, so
the name index, the bins and the graph all grow ×scale. It is built copy by copy
(``bench.synthetic.tiled_network``) and cached in ``<tempdir>/sandtable-bench/``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

CASES = Path(__file__).resolve().parent.parent / "tests" / "data" / "locate_cases.jsonl"
#: the time of the calls that do not say when they were made (their answers depend on it)
_WHEN = datetime(2026, 6, 1, 12, 0)


def _queries() -> list[tuple[str, datetime]]:
    out = []
    with CASES.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                case = json.loads(line)
                at = case.get("reported_at")
                out.append((case["text"], datetime.fromisoformat(at) if at else _WHEN))
    return out


def _time_queries(
    network: Any, queries: list[tuple[str, datetime]], repeat: int, *, sparse: bool, warm: bool
) -> tuple[list[float], list[float], list[Any]]:
    """(wall s, CPU s, answers of the last round) per query; ``warm``: a first round that
    only warms caches (not timed)."""
    from geodata.errors import InvalidInput
    from rescue.locate import locate

    wall, cpu, answers = [], [], []
    for rnd in range(0 if warm else 1, repeat + 1):
        answers = []
        for text, when in queries:
            t0, c0 = time.perf_counter(), time.thread_time()
            try:
                answers.append(locate(network, text, reported_at=when, sparse=sparse))
            except InvalidInput:
                answers.append(None)
            if rnd:  # the first round warms caches
                cpu.append(time.thread_time() - c0)
                wall.append(time.perf_counter() - t0)
    return wall, cpu, answers


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def same_answer(a: Any, b: Any, tol: float = 1e-9, km_tol: float = 0.026) -> bool:
    """Whether two locate answers agree: candidates (order, probability, point, km range),
    questions and the 80 % range, numbers within ``tol``; a candidate's km range within
    one 25 m bin (``km_tol``: bins of equal mass at its 10 % / 90 % point tip either way
    when sums are taken in another order)."""
    if a is None or b is None:
        return a is b

    def close(u: Any, v: Any, within: float = tol) -> bool:
        if u is None or v is None:
            return u is v
        return all(abs(x - y) <= within for x, y in zip(u, v, strict=True))

    if [c.segment_id for c in a.candidates] != [c.segment_id for c in b.candidates]:
        return False
    for c, d in zip(a.candidates, b.candidates, strict=True):
        if not close((c.probability, c.lon, c.lat), (d.probability, d.lon, d.lat)):
            return False
        if c.evidence != d.evidence or not close(c.km_range, d.km_range, km_tol):
            return False
    if [q.question_id for q in a.questions] != [q.question_id for q in b.questions]:
        return False
    ra, rb = a.range_80, b.range_80
    if (ra is None) != (rb is None):
        return False
    return ra is None or (
        ra.route_id == rb.route_id
        and close((ra.km_from, ra.km_to, ra.median_km), (rb.km_from, rb.km_to, rb.median_km))
    )


def _report(
    label: str,
    network: Any,
    queries: list[tuple[str, datetime]],
    repeat: int,
    *,
    compare: bool,
) -> None:
    from rescue.locate import get_index

    t0 = time.perf_counter()
    index = get_index(network)
    build_s = time.perf_counter() - t0
    print(
        f"  {label}: {network.graph.number_of_edges():,} edges, {len(index.bins):,} bins "
        f"({len(index.folds.first):,} fold groups), {len(network.region.places):,} places; "
        f"index built in {build_s:.2f} s"
    )
    runs = [("sparse", True)] + ([("dense (reference)", False)] if compare else [])
    answers = {}
    for name, sparse in runs:
        # the reference runs after the sparse rounds: the caches are warm already
        wall, cpu, answers[sparse] = _time_queries(
            network, queries, repeat if sparse else 1, sparse=sparse, warm=sparse
        )
        ms, cms = [t * 1000 for t in wall], [t * 1000 for t in cpu]
        print(
            f"    {name:18} {len(ms)} runs: wall p50 {statistics.median(ms):.1f} ms, "
            f"p95 {_pct(ms, 0.95):.1f}, p99 {_pct(ms, 0.99):.1f}, max {max(ms):.1f}; "
            f"CPU p50 {statistics.median(cms):.1f} ms, p95 {_pct(cms, 0.95):.1f} "
            f"(load average {os.getloadavg()[0]:.2f})"
        )
    if compare:
        differ = sum(
            not same_answer(a, b) for a, b in zip(answers[True], answers[False], strict=True)
        )
        print(f"    answers sparse vs dense: {len(queries) - differ} same, {differ} differ")


def _tiled(scale: int) -> Any:
    """The network of ``scale`` copies of Kailash in one row, cached in the temp dir."""
    from bench.synthetic import _code_digest, tiled_network, write_tiles

    root = Path(tempfile.gettempdir()) / "sandtable-bench"
    data_dir = root / f"locate-{scale}x-{_code_digest()}"
    cached = data_dir / "network.pickle"
    if cached.is_file():
        with cached.open("rb") as fh:
            return pickle.load(fh)
    data_dir.mkdir(parents=True, exist_ok=True)
    write_tiles(scale, data_dir)
    network = tiled_network(scale, data_dir)
    tmp = cached.with_suffix(".tmp")
    with tmp.open("wb") as out:
        pickle.dump(network, out, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.rename(cached)
    return network


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--scale", type=int, default=100, help="copies in the large region (0: skip)"
    )
    parser.add_argument("--no-compare", action="store_true", help="do not time the dense reference")
    args = parser.parse_args(argv)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the target says

    from geodata import load_region
    from routes import build_network

    queries = _queries()
    compare = not args.no_compare
    _report("kailash", build_network(load_region("kailash")), queries, args.repeat, compare=compare)
    if args.scale > 1:
        t0 = time.perf_counter()
        network = _tiled(args.scale)
        took = time.perf_counter() - t0
        print(f"  generated {args.scale}× region (or loaded it) in {took:.1f} s")
        _report(
            f"{args.scale}× kailash", network, queries, max(1, args.repeat // 3), compare=compare
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
