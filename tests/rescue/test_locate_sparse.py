"""Issue 18: the sparse belief (a window of bins near the clues, the rest folded) gives the
same answers as the belief over every bin: on every case of the team and the real-text
sets, and on a generated region of several copies of Kailash."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from geodata import load_region
from geodata.errors import InvalidInput
from rescue.locate import LOCAL_TZ, belief, engine, get_index, locate
from rescue.locate.belief import BeliefState, Window, fold_bins, window
from routes import RouteNetwork, build_network

DATA = Path(__file__).resolve().parent.parent / "data"
#: calls that do not say when they were made are answered as if made now: fix "now"
WHEN = datetime(2026, 6, 1, 12, 0, tzinfo=LOCAL_TZ)
TOL = 1e-9
#: a candidate's 80 % km range may move by one 25 m bin: where bins of equal mass meet its
#: 10 % / 90 % point, sums taken in another order tip the tie either way
KM_TOL = 0.026


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def _cases() -> list[dict[str, Any]]:
    out = []
    for name in ("locate_cases.jsonl", "locate_real_cases.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line))
    return out


def _answer(network: RouteNetwork, case: dict[str, Any], *, sparse: bool) -> Any:
    at = case.get("reported_at")
    try:
        return locate(
            network,
            case["text"],
            reported_at=datetime.fromisoformat(at) if at else WHEN,
            direction=case.get("direction"),
            sparse=sparse,
        )
    except InvalidInput as exc:
        return str(exc)


def _differences(a: Any, b: Any) -> list[str]:
    """What differs between two answers (candidates in order with probability, point, km
    range and evidence; questions; the 80 % range), numbers within ``TOL``."""
    if isinstance(a, str) or isinstance(b, str):
        return [] if a == b else [f"{a!r} vs {b!r}"]
    out = []
    if [c.segment_id for c in a.candidates] != [c.segment_id for c in b.candidates]:
        return [f"candidates {[c.segment_id for c in a.candidates]} vs {b.candidates}"]
    for c, d in zip(a.candidates, b.candidates, strict=True):
        nums = [(c.probability, d.probability), (c.lon, d.lon), (c.lat, d.lat)]
        if any(abs(u - v) > TOL for u, v in nums):
            out.append(f"{c.segment_id}: {nums}")
        if (c.km_range is None) != (d.km_range is None) or (
            c.km_range is not None
            and any(abs(u - v) > KM_TOL for u, v in zip(c.km_range, d.km_range, strict=True))
        ):
            out.append(f"{c.segment_id}: km range {c.km_range} vs {d.km_range}")
        if c.evidence != d.evidence:
            out.append(f"{c.segment_id}: evidence {c.evidence} vs {d.evidence}")
    qa = [(q.question_id, q.expected_gain_bits) for q in a.questions]
    qb = [(q.question_id, q.expected_gain_bits) for q in b.questions]
    if [q for q, _ in qa] != [q for q, _ in qb] or any(
        abs(u - v) > TOL for (_, u), (_, v) in zip(qa, qb, strict=True)
    ):
        out.append(f"questions {qa} vs {qb}")
    ra, rb = a.range_80, b.range_80
    if (ra is None) != (rb is None) or (
        ra is not None
        and (
            ra.route_id != rb.route_id
            or any(
                abs(u - v) > TOL
                for u, v in zip(
                    (ra.km_from, ra.km_to, ra.median_km),
                    (rb.km_from, rb.km_to, rb.median_km),
                    strict=True,
                )
            )
        )
    ):
        out.append(f"80 % range {ra} vs {rb}")
    return out


def _compare_all(network: RouteNetwork) -> tuple[int, list[str]]:
    """(answers compared, what differed) over every case of both sets."""
    cases = _cases()
    bad = []
    for case in cases:
        sparse = _answer(network, case, sparse=True)
        diff = _differences(sparse, _answer(network, case, sparse=False))
        bad += [f"{case['text'][:40]}: {d}" for d in diff]
    return len(cases), bad


@pytest.fixture
def windows_used(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of bins of every window a query ran on (all bins: none recorded)."""
    sizes: list[int] = []
    real = engine._on_window

    def counting(index: Any, routes: set[int], segments: set[int]) -> Any:
        q = real(index, routes, segments)
        if isinstance(q.bins, Window):
            sizes.append(len(q.bins))
        return q

    monkeypatch.setattr(engine, "_on_window", counting)
    return sizes


@pytest.mark.parametrize("every_window", [False, True])
def test_sparse_answers_are_the_dense_answers_on_kailash(
    kailash: RouteNetwork,
    windows_used: list[int],
    monkeypatch: pytest.MonkeyPatch,
    every_window: bool,
) -> None:
    if every_window:  # also the windows keeping most bins (not worth it, so not built)
        monkeypatch.setattr(belief, "WINDOW_MAX_SHARE", 1.0)
    n, bad = _compare_all(kailash)
    assert n == 560
    assert not bad, "\n".join(bad[:10])
    assert windows_used  # some queries ran on a window, not on all bins
    if every_window:
        assert len(windows_used) > n // 2


def test_a_window_grown_from_nothing_gives_the_same_answers(
    kailash: RouteNetwork, windows_used: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # seeds without the radius around places: every answer is made complete by what the
    # answer itself asks for (near/along reaching folded bins, candidates, the 80 % range)
    monkeypatch.setattr(engine, "WINDOW_RADIUS_M", 0.0)
    monkeypatch.setattr(belief, "WINDOW_MAX_SHARE", 1.0)
    n, bad = _compare_all(kailash)
    assert not bad, "\n".join(bad[:10])
    whole = len(get_index(kailash).bins)
    assert sum(size < whole for size in windows_used) > n // 4


def test_folds_cover_every_bin_once(kailash: RouteNetwork) -> None:
    index = get_index(kailash)
    folds = index.folds
    assert folds.count.sum() == len(index.bins)
    # a group is one segment, one bin length, one set of masks
    masks = engine._masks(index)
    for j, tm in enumerate(masks):
        assert (tm.mask[folds.first] == folds.masks[:, j]).all()
    assert (index.bins.segment[folds.first] == folds.segment).all()


def test_the_prior_of_a_window_is_the_prior_of_every_bin(kailash: RouteNetwork) -> None:
    index = get_index(kailash)
    b = index.bins
    inner = b.route_ids.index("inner_kora")
    view, _ = window(b, index.folds, [], {inner}, set())
    assert isinstance(view, Window) and len(view) < len(b)
    dense = BeliefState.prior(b).posterior(index.temperature)
    sparse = BeliefState.prior(view).posterior(index.temperature)
    n = len(b.segment_ids)
    per_segment = np.bincount(b.segment, weights=dense, minlength=n)
    assert np.allclose(np.bincount(view.segment, weights=sparse, minlength=n), per_segment)
    # the inner kora's bins are kept one by one, with the same mass each
    kept = b.route == inner
    assert np.allclose(sparse[: kept.sum()], dense[kept])


def test_fold_bins_without_masks(kailash: RouteNetwork) -> None:
    b = get_index(kailash).bins
    folds = fold_bins(b, [])
    assert folds.count.sum() == len(b)
    assert len(folds.first) < len(b) / 10  # a few lengths per segment


@pytest.fixture(scope="module")
def tiled(tmp_path_factory: pytest.TempPathFactory) -> RouteNetwork:
    from bench.synthetic import tiled_network, write_tiles

    out = tmp_path_factory.mktemp("tiles")
    write_tiles(3, out)
    return tiled_network(3, out)


@pytest.mark.parametrize(
    "text",
    [
        "we are 2 km past Dirapuk, going up towards the pass",
        "at the Chuku bridge, my mother fell",
        "we left Darchen at 7 this morning, walking clockwise",
        "between Zutulpuk and the fourth prostration point, there is a river",
        "we are at 5,300 m",
        "we can see a green lake below us",
        "help",
    ],
)
def test_sparse_answers_on_a_region_of_three_copies(
    tiled: RouteNetwork, text: str, windows_used: list[int]
) -> None:
    case = {"text": text, "reported_at": "2025-06-14T13:30:00+08:00"}
    sparse = _answer(tiled, case, sparse=True)
    assert not _differences(sparse, _answer(tiled, case, sparse=False))


def test_a_place_in_one_copy_folds_the_others(tiled: RouteNetwork, windows_used: list[int]) -> None:
    index = get_index(tiled)
    whole = len(index.bins)
    a = index.anchors["chuku_bridge_supply@2"]
    lon, lat = tiled.to_wgs.transform(a.x, a.y)
    case = {"text": f"my phone says {lat:.5f}, {lon:.5f}", "reported_at": None}
    result = _answer(tiled, case, sparse=True)
    assert windows_used and max(windows_used) < whole / 2
    assert result.candidates[0].segment_id.endswith("@2")
    assert not _differences(result, _answer(tiled, case, sparse=False))


def test_sparse_parts_sum_to_the_dense_sums_bit_for_bit(kailash: RouteNetwork) -> None:
    """A likelihood part that is 0 (or undefined, off its route) beyond a place's
    neighbourhood or a route is added where it is (belief.Sparse): the mixture is the
    dense one exactly, so answers do not move by a bit (issue 18: a generic word's
    hundreds of places each cost the whole region)."""
    from rescue.locate.belief import Mixture, Sparse, along, along_part, gaussian

    index = get_index(kailash)
    b = index.bins
    anchors = list(index.anchors.values())[::7]
    dense, sparse = Mixture(), Mixture()
    for i, a in enumerate(anchors):
        w = 1.0 / (i + 1)
        part = b.near_part(a.x, a.y, 300.0 + a.uncertainty_m)
        assert isinstance(part, Sparse) and len(part.idx) < len(b)
        assert np.array_equal(part.dense(), b.near(a.x, a.y, 300.0 + a.uncertainty_m))
        dense.append((w, b.near(a.x, a.y, 300.0 + a.uncertainty_m)))
        sparse.append((w, part))
        for r, km in a.on_routes:
            idx, delta = along_part(b, r, km, forward=i % 2 == 0)
            full = along(b, r, km, forward=i % 2 == 0)
            assert np.array_equal(full[idx], delta) and np.isnan(np.delete(full, idx)).all()
            dense.append((w, gaussian(full - 1.0, 0.5)))
            sparse.append((w, Sparse(idx, gaussian(delta - 1.0, 0.5), len(b))))
    assert len(dense) == len(sparse) > len(anchors)
    assert dense.total is not None and sparse.total is not None
    assert np.array_equal(dense.total, sparse.total)


def _questions_by_bins(posterior: np.ndarray, segment: np.ndarray, n: int, tags: Any) -> list:
    """The expected gains computed bin by bin (what best_questions did before issue 18)."""
    from rescue.locate.questions import QUESTION_TEXTS, _entropy

    h_now = _entropy(np.bincount(segment, weights=posterior, minlength=n))
    out = []
    for tag, tm in tags.items():
        if tag not in QUESTION_TEXTS:
            continue
        p_yes_bin = np.where(tm.mask, tm.weight, 1.0) / (1.0 + tm.weight)
        p_yes = float((posterior * p_yes_bin).sum())
        if not 0.02 < p_yes < 0.98:
            continue
        h_yes = _entropy(np.bincount(segment, weights=posterior * p_yes_bin / p_yes, minlength=n))
        post_no = posterior * (1.0 - p_yes_bin) / (1.0 - p_yes)
        h_no = _entropy(np.bincount(segment, weights=post_no, minlength=n))
        gain = h_now - (p_yes * h_yes + (1.0 - p_yes) * h_no)
        if gain >= 0.05:
            out.append((tag, gain))
    return sorted(out, key=lambda q: -q[1])[:3]


@pytest.mark.parametrize("seed", range(6))
def test_questions_from_segment_masses_are_the_questions_from_bins(
    kailash: RouteNetwork, seed: int
) -> None:
    from rescue.locate.questions import best_questions

    index = get_index(kailash)
    b = index.bins
    rng = np.random.default_rng(seed)
    # a belief peaked on a few random places (as after clues), or flat (the prior)
    p = np.ones(len(b)) if seed == 0 else np.zeros(len(b))
    for _ in range(seed):
        a = index.anchors[rng.choice(list(index.anchors))]
        p += rng.uniform(0.1, 1.0) * b.near(a.x, a.y, rng.uniform(200.0, 3000.0))
    p = (p + 1e-6) / (p + 1e-6).sum()
    got = best_questions(p, b.segment, len(b.segment_ids), index.tags)
    want = _questions_by_bins(p, b.segment, len(b.segment_ids), index.tags)
    assert [q.question_id for q in got] == [t for t, _ in want]
    assert np.allclose([q.expected_gain_bits for q in got], [g for _, g in want], atol=1e-12)
    assert got  # a question worth asking


def test_window_seeds_of_many_points_are_those_of_each_point(kailash: RouteNetwork) -> None:
    """window_seeds asks the tree for every point at once: the routes and road segments
    it finds are the union of what each point alone finds."""
    from rescue.locate.belief import window_seeds

    index = get_index(kailash)
    b = index.bins
    rng = np.random.default_rng(3)
    anchors = list(index.anchors.values())
    for _ in range(20):
        chosen = rng.choice(len(anchors), size=int(rng.integers(1, 10)))
        points = [
            (anchors[i].x + rng.normal(0, 3000), anchors[i].y + rng.normal(0, 3000), r)
            for i, r in zip(chosen, rng.choice([100.0, 2000.0, 9000.0], len(chosen)), strict=True)
        ]
        routes, segments = window_seeds(b, index.folds, points, [0])
        each_r, each_s = {0}, set()
        for p in points:
            r, s = window_seeds(b, index.folds, [p], [])
            each_r |= r
            each_s |= s
        assert (routes, segments) == (each_r, each_s)
    assert window_seeds(b, index.folds, [], [2]) == ({2}, set())


@pytest.mark.parametrize("temperature", [1.0, 1.7, 0.6])
@pytest.mark.parametrize("elevations", [(5300.0,), (5300.0, 5250.0)])
def test_a_clue_over_every_bin_folds_exactly(
    kailash: RouteNetwork, temperature: float, elevations: tuple[float, ...]
) -> None:
    """An elevation speaks of every bin: on a window its folded entries take the mean of
    their bins' factors (BeliefState.apply_whole), and the belief's segment masses at any
    temperature, and the mass one such clue disagrees with, are those over every bin
    (issue 18: an altitude clue no longer makes a large region's belief dense)."""
    from rescue.locate.belief import gaussian

    index = get_index(kailash)
    b = index.bins
    inner = b.route_ids.index("inner_kora")
    view, _ = window(b, index.folds, [], {inner}, set())
    assert isinstance(view, Window) and len(view) < len(b) / 2
    assert view.network_bins is b and b.network_bins is b
    dense, sparse = BeliefState.prior(b), BeliefState.prior(view)
    for state in (dense, sparse):
        for z in elevations:
            state.apply_whole(gaussian(b.z - z, 150.0), f"at {z} m")
    assert sparse.spread is not None and dense.spread is None
    n = len(b.segment_ids)
    want = np.bincount(b.segment, weights=dense.posterior(temperature), minlength=n)
    got = np.bincount(view.segment, weights=sparse.posterior(temperature), minlength=n)
    assert np.allclose(got, want, rtol=1e-9, atol=1e-15)
    naive = BeliefState.prior(view)  # a folded group's mean elevation would not do
    for z in elevations:
        naive.apply(gaussian(view.z - z, 150.0), f"at {z} m")
    mass = np.bincount(view.segment, weights=naive.posterior(temperature), minlength=n)
    assert not np.allclose(mass, want, rtol=1e-6, atol=1e-12)
    if len(elevations) == 1:  # the clue's log-likelihood weighed by the belief (_conflicting)
        assert float((sparse.evidence[0].log_likelihood * sparse.posterior()).sum()) == (
            pytest.approx(
                float((dense.evidence[0].log_likelihood * dense.posterior()).sum()), rel=1e-9
            )
        )


def test_an_altitude_clue_is_answered_on_a_window(
    tiled: RouteNetwork, windows_used: list[int]
) -> None:
    index = get_index(tiled)
    case = {"text": "we are at 5,300 m, going up to the pass", "reported_at": None}
    result = _answer(tiled, case, sparse=True)
    assert result.clues.elevations
    assert windows_used and max(windows_used) < len(index.bins)
    assert not _differences(result, _answer(tiled, case, sparse=False))


def test_window_seeds_hold_every_route_and_road_a_point_reaches(kailash: RouteNetwork) -> None:
    """Seeds are looked up among every SEED_STEP-th bin (a smaller tree), with the radius
    grown by the farthest any bin lies from them: nothing a point reaches is left out."""
    from rescue.locate.belief import window_seeds

    index = get_index(kailash)
    b, folds = index.bins, index.folds
    assert len(folds.seed_bins) < len(b) / 4
    nearest = folds.seed_tree.query(np.column_stack([b.x, b.y]))[0]
    assert nearest.max() <= folds.seed_slack_m
    for a in list(index.anchors.values())[::5]:
        for radius in (300.0, 2_000.0):
            routes, segments = window_seeds(b, folds, [(a.x, a.y, radius)], [])
            idx = np.asarray(b.tree.query_ball_point((a.x, a.y), r=radius), dtype=np.int64)
            r = b.route[idx]
            assert set(np.unique(r[r >= 0]).tolist()) <= routes
            assert set(np.unique(b.segment[idx[r < 0]]).tolist()) <= segments
