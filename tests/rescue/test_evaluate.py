"""The locate case set (``tests/data/locate_cases.jsonl``) and the scoring in
``rescue.locate_eval.evaluate``, run against stand-in locators so the scoring itself is tested,
not the locator."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

import rescue.locate_eval.evaluate as ev
from geodata import load_region
from geodata.errors import DataValidationError, InvalidInput
from rescue.locate.model import Candidate, Clues, LocateResult
from rescue.locate_eval.evaluate import (
    CLUE_TYPES,
    LOCAL_TZ,
    Case,
    Truth,
    evaluate,
    evaluate_time_only_tracks,
    format_report,
    format_time_report,
    load_cases,
    main,
    track_pairs,
)
from routes import RouteNetwork, build_network

DATA = Path(__file__).resolve().parents[1] / "data"
CASES = DATA / "locate_cases.jsonl"
GENERATOR = DATA / "make_locate_cases.py"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "kailash"
TRACKS = SHARED / "tracks_train.csv.gz"

#: Spellings a caller uses that the case set must exercise (DOMAIN.md, the brief).
NAME_VARIANTS = [
    "Drolma La", "Dolma La", "Drölma-la", "Droma La", "Tara pass", "卓玛拉", "卓玛拉山口",
    "zhuomala", "Drirapuk", "Dira-puk", "Diraphuk", "止热寺", "岗加", "Zutulpuk",
    "Zuthulphuk", "Dzutrul-puk", "尊珠寺",
]  # fmt: skip


@pytest.fixture(scope="module")
def net() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return load_cases(CASES)


@pytest.fixture(scope="module")
def raw_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def real_tracks() -> Iterator[pd.DataFrame]:
    if not TRACKS.is_file():
        pytest.skip(f"raw tracks not found at {TRACKS} (only in dev/CI)")
    from geodata.raw import read_tracks

    yield read_tracks(TRACKS)


def _metric(net: RouteNetwork, geom: Any) -> Any:
    c = np.asarray(geom.coords, dtype=float)
    x, y = net.to_metric.transform(c[:, 0], c[:, 1])
    return LineString(np.column_stack([x, y]))


def _result(*cands: Candidate) -> LocateResult:
    return LocateResult(cands, (), Clues(""))


def _cand(
    segment_id: str,
    lon: float,
    lat: float,
    route_id: str | None = None,
    km_range: tuple[float, float] | None = None,
) -> Candidate:
    return Candidate(segment_id, "", "", route_id, lon, lat, 1.0, km_range, ())


# ------------------------------------------------------------------------ the case file
def test_case_file_size_languages_and_ids(cases: list[Case], raw_rows: list[dict]) -> None:
    assert len(cases) >= 110
    langs = Counter(c.lang for c in cases)
    assert langs["zh"] / len(cases) >= 0.45, langs
    assert langs["en"] >= 30 and langs["mixed"] >= 5
    ids = [c.case_id for c in cases]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"c\d{3}", i) for i in ids)
    texts = [c.text for c in cases]
    assert len(set(texts)) == len(texts), "texts must be unique (stand-ins key on them)"
    assert len(raw_rows) == len(cases)


def test_every_clue_type_is_covered(cases: list[Case]) -> None:
    counts = Counter(t for c in cases for t in c.clue_types)
    for clue in CLUE_TYPES:
        assert counts[clue] >= 8, (clue, counts)
    for lang in ("en", "zh"):
        in_lang = Counter(t for c in cases if c.lang == lang for t in c.clue_types)
        missing = [t for t in CLUE_TYPES if not in_lang[t]]
        assert not missing, (lang, missing)
    assert sum(c.time_only for c in cases) >= 20
    assert sum(c.names_place for c in cases) >= 60


def test_name_variants_and_coordinate_formats_appear(cases: list[Case]) -> None:
    blob = "\n".join(c.text for c in cases).casefold()
    missing = [v for v in NAME_VARIANTS if v.casefold() not in blob]
    assert not missing
    coord_texts = [c.text for c in cases if "coordinates" in c.clue_types]
    patterns = {
        "decimal": r"\b3[01]\.\d{3,}",
        "lon first": r"\b81\.\d{4,}[ ,]+3[01]\.\d{4,}",
        "degrees and decimal minutes": r"°\d\d\.\d+′",
        "degrees minutes seconds": r"°\d\d'\d",
        "UTM": r"\b(UTM 44N|44R)\b",
        "Chinese hemisphere words": r"北纬",
    }
    for name, pat in patterns.items():
        assert any(re.search(pat, t) for t in coord_texts), name


def test_cases_cover_the_whole_kora_both_directions_and_other_routes(cases: list[Case]) -> None:
    outer = [c.truth.km for c in cases if c.truth.route_id == "outer_kora"]
    assert outer and all(k is not None for k in outer)
    # every 5 km of the outer kora holds at least two truths
    bins = Counter(int(k // 5) for k in outer if k is not None)
    assert all(bins[b] >= 2 for b in range(10)), bins
    routes = Counter(c.truth.route_id for c in cases)
    assert routes["inner_kora"] >= 3 and routes["manasarovar_kora"] >= 3
    assert routes[None] >= 3  # roads
    ccw = [
        c
        for c in cases
        if c.direction == "counterclockwise"
        or (
            "direction" in c.clue_types
            and re.search(r"anti|counter|other way|Bon|逆时针|反着|苯教", c.text)
        )
    ]
    assert len(ccw) >= 8
    assert any(c.direction == "counterclockwise" for c in cases)
    assert any(c.direction == "clockwise" for c in cases)


def test_truths_lie_on_the_network_inside_the_region(net: RouteNetwork, cases: list[Case]) -> None:
    west, south, east, north = net.region.metadata["bbox"]
    segs = net.segments
    problems = []
    for c in cases:
        t = c.truth
        tol = 1e-4  # the bbox is that of the places; a truth may sit on the northernmost
        if not (west - tol <= t.lon <= east + tol and south - tol <= t.lat <= north + tol):
            problems.append(f"{c.case_id}: outside the region")
        if c.truth_segment_id not in segs.index:
            problems.append(f"{c.case_id}: unknown segment {c.truth_segment_id}")
            continue
        unknown = [a for a in c.alt_segment_ids if a not in segs.index]
        if unknown:
            problems.append(f"{c.case_id}: unknown alt segments {unknown}")
        p = Point(*net.to_metric.transform(t.lon, t.lat))
        d = _metric(net, segs.geometry[c.truth_segment_id]).distance(p)
        if d > 30.0:
            problems.append(f"{c.case_id}: truth {d:.0f} m from its segment")
        if t.route_id is not None:
            pos = net.locate(t.lon, t.lat, t.route_id)
            if pos.offset_m > 30.0:
                problems.append(f"{c.case_id}: {pos.offset_m:.0f} m off {t.route_id}")
            length = net.line(t.route_id).length_m / 1000.0
            dk = abs(pos.km - t.km) % length
            if min(dk, length - dk) > 0.05:
                problems.append(f"{c.case_id}: km {t.km} but the point is at {pos.km:.3f}")
            row = segs.loc[c.truth_segment_id]
            # km are rounded to metres in the file, segment bounds too
            if row["route_id"] != t.route_id or not (
                row["km_from"] - 1e-3 <= t.km <= row["km_to"] + 1e-3
            ):
                problems.append(f"{c.case_id}: km {t.km} not in {c.truth_segment_id}")
    assert not problems, "\n".join(problems)


def test_time_cases_carry_a_report_time(cases: list[Case]) -> None:
    for c in cases:
        if "time" in c.clue_types:
            assert c.reported_at is not None and c.reported_at.utcoffset() == timedelta(hours=8)


def test_gps_cases_come_from_held_out_tracks(net: RouteNetwork, raw_rows: list[dict]) -> None:
    holdout = set(net.region.calibration["split"]["holdout_track_ids"])
    gps = [r for r in raw_rows if r["source"]["kind"] == "gps_holdout"]
    assert len(gps) >= 15
    assert {r["source"]["track_id"] for r in gps} <= holdout
    for r in gps:
        assert r["clue_types"] == ["time"]
        fix = datetime.fromisoformat(r["source"]["time_utc"].replace("Z", "+00:00"))
        assert fix == datetime.fromisoformat(r["reported_at"])


@pytest.mark.shared_data
def test_gps_case_literals_match_the_raw_tracks(
    raw_rows: list[dict], real_tracks: pd.DataFrame
) -> None:
    tracks = real_tracks.set_index(["track_id", "seq"])
    for r in raw_rows:
        src = r["source"]
        if src["kind"] != "gps_holdout":
            continue
        fix = tracks.loc[(src["track_id"], src["seq"])]
        assert fix["lon"] == pytest.approx(r["truth"]["lon"], abs=1e-6)
        assert fix["lat"] == pytest.approx(r["truth"]["lat"], abs=1e-6)
        assert fix["time_utc"] == pd.Timestamp(src["time_utc"])


def test_generator_reproduces_the_committed_file() -> None:
    spec = importlib.util.spec_from_file_location("make_locate_cases", GENERATOR)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up
    try:
        spec.loader.exec_module(mod)
        rows = mod.build()
    finally:
        del sys.modules[spec.name]
    committed = CASES.read_text(encoding="utf-8").splitlines()
    assert [json.dumps(r, ensure_ascii=False) for r in rows] == committed


# --------------------------------------------------------------------------- load_cases
GOOD = {
    "id": "x1", "text": "at Zutulpuk", "lang": "en", "clue_types": ["place"],
    "truth": {"lon": 81.36, "lat": 31.0}, "truth_segment_id": "s",
}  # fmt: skip


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"lang": "fr"}, "lang 'fr'"),
        ({"clue_types": ["smell"]}, "['smell']"),
        ({"clue_types": []}, "clue_types"),
        ({"truth": {"lon": 181.0, "lat": 31.0}}, "WGS84"),
        ({"truth": {"lon": "81", "lat": 31.0}}, "not numbers"),
        ({"direction": "widdershins"}, "direction"),
        ({"clue_types": ["time"]}, "reported_at"),
        ({"reported_at": "2025-06-01T10:00:00"}, "no UTC offset"),
        ({"text": "  "}, "text is empty"),
    ],
)
def test_load_cases_names_each_problem(tmp_path: Path, patch: dict, message: str) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({**GOOD, **patch}) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        load_cases(path)
    assert message in str(exc.value)


def test_load_cases_lists_every_problem_at_once(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    lines = [
        json.dumps(GOOD),
        "{not json",
        json.dumps({**GOOD, "lang": "xx", "id": "x2"}),
        json.dumps(GOOD),
        json.dumps({"id": "x3"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        load_cases(path)
    details = exc.value.details
    assert len(details) == 4
    assert any("line 2" in d and "JSON" in d for d in details)
    assert any("line 3" in d and "lang" in d for d in details)
    assert any("line 4" in d and "repeats line 1" in d for d in details)
    assert any("line 5" in d and "missing 'text'" in d for d in details)


def test_load_cases_skips_blank_and_comment_lines(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text("# a comment\n\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    [case] = load_cases(path)
    assert case.case_id == "x1" and case.truth == Truth(81.36, 31.0, None, None)


# ------------------------------------------------------------------------------ scoring
def _perfect(cases: list[Case]) -> Callable[..., LocateResult]:
    by_text = {c.text: c for c in cases}

    def locate(
        network: Any, text: str, *, reported_at: Any = None, direction: Any = None
    ) -> LocateResult:
        c = by_text[text]
        assert reported_at == (c.reported_at or ev.DEFAULT_REPORTED_AT)
        assert direction == c.direction
        return _result(_cand(c.truth_segment_id, c.truth.lon, c.truth.lat, c.truth.route_id))

    return locate


def test_a_perfect_locator_scores_full_marks(net: RouteNetwork, cases: list[Case]) -> None:
    report = evaluate(net, cases, locator=_perfect(cases))
    assert report.overall.n == len(cases)
    assert report.overall.top1_rate == 1.0 and report.overall.top3_rate == 1.0
    assert report.overall.median_error_m == pytest.approx(0.0, abs=1e-6)
    assert report.place.n == sum(c.names_place for c in cases)
    assert report.time_only.n == sum(c.time_only for c in cases)
    assert set(report.by_language) == {"en", "zh", "mixed"}
    assert set(report.by_clue_type) == set(CLUE_TYPES)
    assert report.targets_met and all(t.met for t in report.targets)
    text = format_report(report)
    assert "names a place" in text and "time only" in text and "MISS" not in text
    json.dumps(report.to_dict())


def test_a_constant_locator_scores_its_share(net: RouteNetwork, cases: list[Case]) -> None:
    seg = "outer_kora:sky_burial_west_supply-dolma_la"
    lon, lat, _ = net.point_at("outer_kora", net.place_km("dolma_la", "outer_kora"))

    def locate(network: Any, text: str, **_: Any) -> LocateResult:
        return _result(_cand(seg, lon, lat, "outer_kora"))

    report = evaluate(net, cases, locator=locate)
    hits = [seg in c.accepted_segment_ids for c in cases]
    assert report.overall.top1_rate == pytest.approx(sum(hits) / len(cases))
    assert report.overall.top3_rate == report.overall.top1_rate
    assert 0.0 < report.overall.top1_rate < 0.3
    errors = sorted(ev.distance_m(lon, lat, c.truth.lon, c.truth.lat) for c in cases)
    assert report.overall.median_error_m == pytest.approx(float(np.median(errors)))
    for r, c in zip(report.results, cases, strict=True):
        assert r.top1 == (seg in c.accepted_segment_ids)
    assert not report.targets_met
    assert "MISS" in format_report(report)


def test_an_alternative_segment_at_a_boundary_counts(net: RouteNetwork, cases: list[Case]) -> None:
    at_pass = [c for c in cases if c.alt_segment_ids]
    assert at_pass

    def locate(network: Any, text: str, **_: Any) -> LocateResult:
        c = next(c for c in at_pass if c.text == text)
        return _result(_cand(c.alt_segment_ids[0], c.truth.lon, c.truth.lat))

    report = evaluate(net, at_pass, locator=locate)
    assert report.overall.top1_rate == 1.0


TINY = [
    Case("a", "one", "en", ("place",), Truth(81.30, 31.00), "s1"),
    Case("b", "two", "zh", ("time",), Truth(81.30, 31.01), "s2",
         reported_at=datetime(2025, 6, 1, 10, tzinfo=LOCAL_TZ)),
    Case("c", "three", "mixed", ("sight", "direction"), Truth(81.30, 31.02), "s3",
         direction="counterclockwise"),
    Case("d", "four", "zh", ("time", "direction"), Truth(81.30, 31.03), "s4",
         reported_at=datetime(2025, 6, 1, 11, tzinfo=LOCAL_TZ)),
]  # fmt: skip


def test_top3_and_errors_on_a_tiny_set(net: RouteNetwork) -> None:
    def locate(network: Any, text: str, **_: Any) -> LocateResult:
        c = next(c for c in TINY if c.text == text)
        if text == "one":  # right only in third place, best point 1.11 km north
            return _result(_cand("x", 81.30, 31.01), _cand("y", 0, 0), _cand("s1", 0, 0))
        if text == "two":  # right in fourth place: a miss for top-3 too
            return _result(*[_cand(s, 81.30, 31.01) for s in ("x", "y", "z", "s2")])
        if text == "three":
            raise InvalidInput("cannot read this")
        return _result(_cand(c.truth_segment_id, c.truth.lon, c.truth.lat))

    report = evaluate(net, TINY, locator=locate)
    by_id = {r.case_id: r for r in report.results}
    assert (by_id["a"].top1, by_id["a"].top3) == (False, True)
    assert by_id["a"].error_m == pytest.approx(1109, abs=5)
    assert (by_id["b"].top1, by_id["b"].top3) == (False, False)
    assert by_id["b"].error_m == pytest.approx(0.0, abs=1e-6)
    assert by_id["c"].failure == "InvalidInput: cannot read this"
    assert math.isinf(by_id["c"].error_m) and by_id["c"].n_candidates == 0
    assert by_id["d"].top1
    assert report.overall.top1_rate == 0.25 and report.overall.top3_rate == 0.5
    # errors 1109, 0, inf, 0 -> median of (0, 0, 1109, inf) = 554.5
    assert report.overall.median_error_m == pytest.approx(by_id["a"].error_m / 2)
    assert report.time_only.n == 2 and report.time_only.top1_rate == 0.5
    assert report.place.n == 1 and report.place.top3_rate == 1.0
    assert report.by_language["zh"].n == 2
    assert report.by_clue_type["direction"].n == 2
    assert report.to_dict()["results"][2]["error_m"] is None
    assert "InvalidInput" in format_report(report)


def test_no_candidates_is_a_miss_with_infinite_error(net: RouteNetwork) -> None:
    report = evaluate(net, TINY[:1], locator=lambda *a, **k: _result())
    [r] = report.results
    assert not r.top1 and math.isinf(r.error_m) and r.failure == "no candidates"
    assert math.isinf(report.overall.median_error_m or 0.0)
    assert report.targets[0].met is False


def test_evaluate_rejects_an_empty_case_list(net: RouteNetwork) -> None:
    with pytest.raises(InvalidInput):
        evaluate(net, [], locator=lambda *a, **k: _result())


# -------------------------------------------------------------------------------- CLI
def test_main_prints_a_table_and_json(
    cases: list[Case], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ev, "default_locator", lambda: _perfect(cases))
    assert main(["--cases", str(CASES), "--check"]) == 0
    out = capsys.readouterr().out
    assert "top-1" in out and "targets:" in out
    assert main(["--cases", str(CASES), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["cases"]["overall"]["top1_rate"] == 1.0
    assert "tracks" not in data


def test_main_check_fails_when_a_target_is_missed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(ev, "default_locator", lambda: lambda *a, **k: _result())
    assert main(["--cases", str(CASES), "--check"]) == 1
    assert main(["--cases", str(CASES)]) == 0
    capsys.readouterr()


def test_main_reports_a_bad_case_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    assert main(["--cases", str(bad)]) == 2
    assert "bad.jsonl" in capsys.readouterr().err


def test_the_options_plug_into_a_subcommand(
    cases: list[Case], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """How ``sandtable eval-locate`` wires it: add_arguments on a subparser, run as func."""
    import argparse

    parser = argparse.ArgumentParser(prog="sandtable")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("eval-locate", description=ev.DESCRIPTION)
    ev.add_arguments(p)
    p.set_defaults(func=ev.run)
    monkeypatch.setattr(ev, "default_locator", lambda: _perfect(cases))
    args = parser.parse_args(["eval-locate", "--cases", str(CASES), "--misses", "0"])
    assert args.func(args) == 0
    assert "locate evaluation" in capsys.readouterr().out


def test_main_reports_tracks_without_held_out_walkers(
    net: RouteNetwork,
    tmp_path: Path,
    cases: list[Case],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    df, _ = _synthetic_tracks(net)  # ids t1, t2: not the region's held-out tracks
    path = tmp_path / "tracks.csv.gz"
    df.to_csv(path, index=False)
    monkeypatch.setattr(ev, "default_locator", lambda: _perfect(cases))
    assert main(["--cases", str(CASES), "--tracks", str(path)]) == 2
    assert "no usable pairs" in capsys.readouterr().err


# ---------------------------------------------------------------------- GPS track pairs
def _synthetic_tracks(net: RouteNetwork) -> tuple[pd.DataFrame, dict[str, float]]:
    """Two walkers at a steady 1 m/s: one from 300 m before the gate (in town), one switched
    on 150 m past it; 30-s fixes up to km 12."""
    rows = []
    gate_at = {}
    length = net.line("outer_kora").length_m / 1000.0
    starts = {
        "t1": (-0.3, datetime(2025, 6, 1, 0, 0, tzinfo=UTC)),
        "t2": (0.15, datetime(2025, 6, 2, 1, 0, tzinfo=UTC)),
    }
    for tid, (km0, t0) in starts.items():
        gate_at[tid] = (t0 + timedelta(seconds=-km0 * 1000.0)).timestamp()
        for i in range(int((12.0 - km0) * 1000 / 30)):
            km = km0 + i * 0.03
            lon, lat, ele = net.point_at("outer_kora", km % length)
            rows.append((tid, i, pd.Timestamp(t0 + timedelta(seconds=30 * i)), lon, lat, ele))
    df = pd.DataFrame(rows, columns=["track_id", "seq", "time_utc", "lon", "lat", "ele_m"])
    return df, gate_at


def _steady_walker(
    net_: RouteNetwork,
    text: str,
    *,
    reported_at: datetime,
    direction: Any = None,
    speed_mps: float = 1.0,
) -> LocateResult:
    hh, mm = map(int, re.search(r"(\d\d):(\d\d)", text).groups())  # type: ignore[union-attr]
    departed = reported_at.replace(hour=hh, minute=mm, second=0, microsecond=0)
    if departed > reported_at:
        departed -= timedelta(days=1)
    km = (reported_at - departed).total_seconds() * speed_mps / 1000.0
    lon, lat, _ = net_.point_at("outer_kora", km)
    return _result(_cand("seg", lon, lat, "outer_kora", (km - 0.5, km + 0.5)))


def test_track_pairs_find_the_gate_crossing(net: RouteNetwork) -> None:
    df, gate_at = _synthetic_tracks(net)
    pairs, skipped = track_pairs(net, df, n_pairs=20, seed=1, track_ids=["t1", "t2", "t9"])
    assert skipped == {"t9": "not in the track table"}
    assert len(pairs) == 20 and {p.track_id for p in pairs} == {"t1", "t2"}
    for p in pairs:
        # the departure is rounded to the minute (and t2's is put back at the flat speed)
        assert abs(p.departed_at.timestamp() - gate_at[p.track_id]) <= 60
        assert p.elapsed_s >= 1800 and 0.0 <= p.true_km <= 12.01
        assert p.text == f"we left Darchen kora gate at {p.departed_at:%H:%M}"
        assert p.departed_at.utcoffset() == timedelta(hours=8)
    assert pairs == track_pairs(net, df, n_pairs=20, seed=1, track_ids=["t1", "t2"])[0]


def test_time_track_evaluation_scores_a_steady_walker(net: RouteNetwork) -> None:
    df, _ = _synthetic_tracks(net)
    report = evaluate_time_only_tracks(
        net, df, n_pairs=12, seed=0, locator=_steady_walker, track_ids=["t1"]
    )
    assert report.n_pairs == 12 and report.n_tracks == 1
    assert report.median_error_km is not None and report.median_error_km < 0.05
    assert report.coverage == 1.0 and report.targets_met
    assert "median along-route error" in format_time_report(report)

    def lost(*a: Any, **k: Any) -> LocateResult:
        raise RuntimeError("boom")

    report = evaluate_time_only_tracks(net, df, n_pairs=4, locator=lost, track_ids=["t1"])
    assert math.isinf(report.median_error_km or 0.0) and report.coverage == 0.0
    assert report.results[0].failure == "RuntimeError: boom"
    assert not report.targets_met
    json.dumps(report.to_dict())


def test_track_pairs_reject_bad_input(net: RouteNetwork) -> None:
    df, _ = _synthetic_tracks(net)
    with pytest.raises(InvalidInput, match="n_pairs"):
        track_pairs(net, df, n_pairs=0)
    with pytest.raises(InvalidInput, match="lacks column"):
        track_pairs(net, df.drop(columns="lat"), track_ids=["t1"])


@pytest.mark.shared_data
def test_time_track_evaluation_on_real_held_out_tracks(
    net: RouteNetwork, real_tracks: pd.DataFrame
) -> None:
    """With a median-walker stand-in: the pairs are sane and the scoring runs end to end."""
    q = net.region.calibration["pace_quantiles"]

    def median_walker(
        network: RouteNetwork, text: str, *, reported_at: datetime, direction: Any = None
    ) -> LocateResult:
        hh, mm = map(int, re.search(r"(\d\d):(\d\d)", text).groups())  # type: ignore[union-attr]
        elapsed = (
            reported_at - reported_at.replace(hour=hh, minute=mm, second=0, microsecond=0)
        ).total_seconds()
        km = [
            network.walk("outer_kora", 0.0, elapsed, pace=p).position.km
            for p in (1.0, q["p90"], q["p10"])
        ]
        lon, lat, _ = network.point_at("outer_kora", km[0])
        return _result(_cand("seg", lon, lat, "outer_kora", (km[1], km[2])))

    report = evaluate_time_only_tracks(net, real_tracks, n_pairs=60, seed=0, locator=median_walker)
    holdout = set(net.region.calibration["split"]["holdout_track_ids"])
    assert report.n_pairs >= 55 and report.n_tracks >= 40
    assert len(report.skipped_tracks) <= 20
    for r in report.results:
        p = r.pair
        assert p.track_id in holdout
        assert 5 <= p.departed_at.hour <= 14  # DOMAIN.md: departures 06:00-14:00
        assert 0.0 <= p.true_km <= 18.5  # the tracks run Darchen -> Drirapuk
        assert math.isfinite(r.error_km)
    # the naive median walker is a baseline, not the locator: it should be in the right
    # valley, not on target
    assert report.median_error_km is not None and report.median_error_km < 3.0
    assert 0.3 <= (report.coverage or 0.0) <= 1.0
    # `eval-locate --json --tracks` writes this: every value a JSON value (no numpy bool)
    written = json.loads(json.dumps(report.to_dict()))
    assert {type(r["covered"]) for r in written["results"]} == {bool}


def test_runtime_locate_package_does_not_import_the_offline_scoring():
    """The evaluation harness lives in ``rescue.locate_eval`` (offline); ``rescue.locate``
    (run by the web app) imports neither it nor anything under ``tests``."""
    import ast
    from pathlib import Path

    import rescue.locate

    offenders = []
    for path in sorted(Path(rescue.locate.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [
                f"{path.name}: {n}"
                for n in names
                if n.startswith(("rescue.locate_eval", "tests")) or n.endswith(".evaluate")
            ]
    assert offenders == []


def test_a_case_without_a_report_time_is_scored_at_a_fixed_moment():
    """Not at the wall clock: the same case file gives the same figures at any hour."""
    seen = []

    def locator(network, text, *, reported_at=None, direction=None):  # type: ignore[no-untyped-def]
        seen.append(reported_at)
        return LocateResult((), (), Clues(""))

    case = Case("x1", "somewhere", "en", ("place",), Truth(81.3, 31.0), "s1")
    evaluate(None, [case], locator=locator)
    assert seen == [ev.DEFAULT_REPORTED_AT]
    assert ev.DEFAULT_REPORTED_AT.utcoffset() == timedelta(hours=8)


def _scored(case_id: str, p: float, error_m: float, top1: bool) -> ev.CaseResult:
    return ev.CaseResult(
        case_id=case_id,
        lang="en",
        clue_types=(),
        names_place=False,
        time_only=False,
        top1=top1,
        top3=top1,
        error_m=error_m,
        best_segment_id="s",
        truth_segment_id="s" if top1 else "t",
        n_candidates=1,
        top1_p=p,
    )


def test_reliability_bins_stated_probability_against_hit_rates() -> None:
    results = [
        _scored("a", 0.95, 10.0, True),
        _scored("b", 1.0, 3000.0, False),  # 1.0 falls in the last bin
        _scored("c", 0.85, 200.0, True),
        _scored("d", 0.3, 2000.0, False),
        _scored("e", 0.35, 500.0, False),
    ]
    bins = {(b.low, b.high): b for b in ev.reliability(results)}
    top = bins[(0.9, 1.0)]
    assert (top.n, top.near1_rate, top.top1_rate) == (2, 0.5, 0.5)
    assert top.mean_p == pytest.approx(0.975)
    assert bins[(0.8, 0.9)].n == 1 and bins[(0.8, 0.9)].near1_rate == 1.0
    low = bins[(0.2, 0.4)]
    assert (low.n, low.near1_rate, low.top1_rate) == (2, 0.5, 0.0)
    assert bins[(0.0, 0.2)].n == 0 and bins[(0.0, 0.2)].near1_rate is None
    assert sum(b.n for b in bins.values()) == len(results)


def test_the_evaluation_needs_a_case_file_named(capsys: pytest.CaptureFixture[str]) -> None:
    """``rescue.locate_eval`` has no default case file (it knows no repository path)."""
    with pytest.raises(SystemExit):
        main([])
    assert "--cases" in capsys.readouterr().err


def test_sandtable_eval_locate_passes_the_repository_case_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from sandtable.cli import main as sandtable_main

    seen: list[list[str]] = []
    monkeypatch.setattr(ev, "main", lambda argv: seen.append(list(argv)) or 0)
    assert sandtable_main(["eval-locate", "--misses", "0"]) == 0
    argv = seen[0]
    assert argv[argv.index("--cases") + 1] == str(CASES)
    assert argv[argv.index("--real-cases") + 1] == str(DATA / "locate_real_cases.jsonl")
    assert sandtable_main(["eval-locate", "--real-cases", "none", "--cases", "x.jsonl"]) == 0
    argv = seen[1]
    assert argv[argv.index("--cases") + 1] == "x.jsonl"
    assert argv[argv.index("--real-cases") + 1] == "none"


def test_the_offline_package_names_no_path_into_the_tests() -> None:
    """No string of ``rescue.locate_eval``'s code (docstrings aside) is a ``tests`` path."""
    import ast

    import rescue.locate_eval

    found = []
    for path in sorted(Path(rescue.locate_eval.__file__).parent.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {
            id(n.value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)
        }
        found += [
            f"{path.name}:{n.lineno}: {n.value!r}"
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and id(n) not in docs
            and (n.value == "tests" or n.value.startswith(("tests/", "tests\\")))
        ]
    assert found == []
