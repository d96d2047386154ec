"""The real-text case set (``tests/data/locate_real_cases.jsonl``), its truth procedures
(``rescue.locate_eval.realcases``), the Chinese map-app conversions and the issue-13 metrics of
``rescue.locate_eval.evaluate`` (confidently wrong answers, 80 %-range coverage, empty answers)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from geodata import load_region
from geodata.errors import DataValidationError
from rescue.locate.chinamaps import (
    bd09_to_wgs84,
    gcj02_to_wgs84,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from rescue.locate.model import Candidate, Clues, LocateResult, RouteRange
from rescue.locate_eval.evaluate import Case, GroupStats, Truth, distance_m, evaluate
from rescue.locate_eval.realcases import CLASSES, fill_text, load_real_cases, resolve
from routes import RouteNetwork, build_network

DATA = Path(__file__).resolve().parents[1] / "data"
REAL = DATA / "locate_real_cases.jsonl"
MAKER = DATA / "make_locate_real_cases.py"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def net() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return [json.loads(x) for x in REAL.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def real(net: RouteNetwork) -> list[Case]:
    return load_real_cases(REAL, net)


# ------------------------------------------------------------------------------ the set
def test_set_size_languages_split_and_classes(rows: list[dict[str, Any]], real: list[Case]) -> None:
    assert len(real) == len(rows) >= 150
    langs = Counter(r["lang"] for r in rows)
    assert langs["zh"] / len(rows) >= 0.40
    held = [r for r in rows if r["split"] == "heldout"]
    assert len(held) >= 50
    assert {c for r in rows for c in r["classes"]} == set(CLASSES)


def test_split_is_by_source(rows: list[dict[str, Any]]) -> None:
    split_of: dict[str, set[str]] = {}
    for r in rows:
        split_of.setdefault(r["source"]["url"], set()).add(r["split"])
    assert all(len(s) == 1 for s in split_of.values()), split_of


def test_every_case_keeps_source_url_and_quote(rows: list[dict[str, Any]]) -> None:
    for r in rows:
        assert r["source"]["url"].startswith("http"), r["id"]
        assert 5 <= len(r["source"]["quote"]) <= 220, r["id"]
        assert not {"lon", "lat"} & set(r["truth_spec"]), r["id"]  # procedures, not coordinates


def test_truths_cover_all_three_days(real: list[Case]) -> None:
    kms = [c.truth.km for c in real if c.truth.route_id == "outer_kora"]
    assert any(km < 19 for km in kms)  # day 1: Darchen -> Drirapuk
    assert any(19 <= km < 30 for km in kms)  # day 2: the pass
    assert any(km >= 35 for km in kms)  # day 3: Zutulpuk -> Darchen


def test_file_is_what_the_maker_writes() -> None:
    out = subprocess.run(
        [sys.executable, str(MAKER), "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


# ------------------------------------------------------------------------- the procedures
def test_resolve_place_along_between_walk_elev(net: RouteNetwork) -> None:
    route, km_pass = resolve(net, {"place": "dolma_la"})
    assert route == "outer_kora" and km_pass == pytest.approx(net.place_km("dolma_la", route))
    _, km = resolve(net, {"along": "outer_kora", "from_place": "dolma_la", "offset_m": -500})
    assert km == pytest.approx(km_pass - 0.5)
    _, km = resolve(
        net,
        {
            "along": "outer_kora",
            "from_place": "dolma_la",
            "offset_m": 500,
            "direction": "counterclockwise",
        },
    )
    assert km == pytest.approx(km_pass - 0.5)
    a = net.place_km("gangga_guesthouse", "outer_kora")
    _, km = resolve(net, {"between": ["gangga_guesthouse", "dolma_la"], "frac": 0.25})
    assert km == pytest.approx(a + 0.25 * (km_pass - a))
    _, km = resolve(net, {"walk": {"from_place": "gangga_guesthouse", "minutes": 60}})
    assert a < km < km_pass
    _, km = resolve(net, {"elev": 5400, "from_place": "gangga_guesthouse", "to_place": "dolma_la"})
    assert net.point_at("outer_kora", km)[2] == pytest.approx(5400, abs=5)


def test_place_on_a_side_path_resolves_to_the_path(net: RouteNetwork) -> None:
    assert resolve(net, {"place": "drirapuk_gompa"})[0] == "drirapuk_gompa_path"
    assert resolve(net, {"place": "chuku_bridge"})[0] == "outer_kora"  # junction: own route


def test_bad_specs_are_reported_with_their_line(
    tmp_path: Path, rows: list[dict[str, Any]], net: RouteNetwork
) -> None:
    bad = dict(rows[0], truth_spec={"place": "nowhere"})
    worse = dict(rows[1], split="train")
    p = tmp_path / "cases.jsonl"
    p.write_text(json.dumps(bad) + "\n" + json.dumps(worse) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        load_real_cases(p, net)
    details = "\n".join(err.value.details)
    assert "line 1" in details and "nowhere" in details
    assert "line 2" in details and "split" in details


def test_truth_follows_the_geometry(
    tmp_path: Path, rows: list[dict[str, Any]], net: RouteNetwork
) -> None:
    """The truth is re-derived from the network, so a moved place moves the truth."""
    row = next(r for r in rows if r["truth_spec"] == {"place": "dolma_la"})
    p = tmp_path / "one.jsonl"
    p.write_text(json.dumps(row) + "\n", encoding="utf-8")
    (case,) = load_real_cases(p, net)
    lon, lat, _ = net.point_at("outer_kora", net.place_km("dolma_la", "outer_kora"))
    assert distance_m(case.truth.lon, case.truth.lat, lon, lat) < 1.0


# --------------------------------------------------------------------------- map apps
@pytest.mark.parametrize("lon,lat", [(81.3106, 31.0790), (81.28, 30.98), (116.391, 39.907)])
def test_gcj02_and_bd09_round_trip(lon: float, lat: float) -> None:
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert 100.0 < distance_m(lon, lat, glon, glat) < 1000.0  # a few hundred metres in China
    assert distance_m(lon, lat, *gcj02_to_wgs84(glon, glat)) < 0.01
    blon, blat = wgs84_to_bd09(lon, lat)
    assert distance_m(lon, lat, *bd09_to_wgs84(blon, blat)) < 0.5


def test_gcj02_matches_a_published_reference_point() -> None:
    # Tiananmen, WGS84 (116.391, 39.907) -> GCJ-02, value from wandergis/coordTransform_py
    # and eviltransform (same algorithm): (116.39724..., 39.90840...)
    glon, glat = wgs84_to_gcj02(116.391, 39.907)
    assert glon == pytest.approx(116.397243, abs=2e-5)
    assert glat == pytest.approx(39.908404, abs=2e-5)


def test_outside_china_is_unchanged() -> None:
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)


def test_fill_text_writes_every_format() -> None:
    text = fill_text("{gcj_lonlat}|{bd_latlon}|{amap_url}|{geo_uri}|{pluscode}", 81.31, 31.08)
    gcj, bd, amap, geo, plus = text.split("|")
    glon, glat = (float(v) for v in gcj.split(","))
    assert (glon, glat) == pytest.approx(wgs84_to_gcj02(81.31, 31.08), abs=1e-6)
    assert (
        amap.startswith("https://uri.amap.com/marker?position=")
        and geo == "geo:31.080000,81.310000"
    )
    assert plus.startswith("8M33") and "+" in plus and bd


# ------------------------------------------------------------------------ the metrics
def _result(points: list[tuple[float, float, float]], rng: RouteRange | None) -> LocateResult:
    cands = tuple(
        Candidate(f"s{i}", "", "", "outer_kora", lon, lat, p, None, ())
        for i, (lon, lat, p) in enumerate(points)
    )
    return LocateResult(cands, (), Clues(text=""), rng)


def test_confident_wrong_range_and_empty_are_counted(net: RouteNetwork) -> None:
    km = net.place_km("dolma_la", "outer_kora")
    lon, lat, _ = net.point_at("outer_kora", km)
    far = net.point_at("outer_kora", km + 5.0)
    truth = Truth(lon, lat, "outer_kora", km)
    cases = [
        Case(f"k{i}", "x", "en", ("place",), truth, "s0", classes=("names",)) for i in range(4)
    ]
    answers = {
        "k0": _result([(lon, lat, 0.9)], RouteRange("outer_kora", km - 1, km + 1, km)),  # right
        "k1": _result(
            [(far[0], far[1], 0.95), (lon, lat, 0.05)],
            RouteRange("outer_kora", km + 4, km + 6, km + 5),
        ),
        "k2": _result([(far[0], far[1], 0.5)], None),  # unsure and wrong
        "k3": _result([], None),  # empty
    }
    it = iter(cases)

    def locator(_net: Any, _text: str, **_kw: Any) -> LocateResult:
        return answers[next(it).case_id]

    rep = evaluate(net, cases, locator=locator)
    g: GroupStats = rep.overall
    assert g.near1_rate == pytest.approx(0.25) and g.near3_rate == pytest.approx(0.5)
    assert g.n_confident == 2 and g.confident_wrong_rate == pytest.approx(0.5)
    assert g.range80_coverage == pytest.approx(0.25) and g.empty == 1
    assert set(rep.by_class) == {"names"}
