"""The first candidates are distinct hypotheses (issue 13: top-3 was often one stretch
three times, so it was barely better than top-1 on real text)."""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, Candidate, candidates, locate
from rescue.locate_eval.evaluate import distance_m
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 13, 30, tzinfo=LOCAL_TZ)
#: the belief spreads over two neighbouring segments of one stretch and a side path
TEXTS = [
    "过了马头明王以后的那个临时帐篷补给点，快到铁桥了",
    "马头明王驿站，吃午饭的时候一个老人晕倒了，快来人",
    "在那个双腿佛塔，要从塔下面钻过去的那个，我爸坐下就起不来了",
]


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def _gaps(cands: tuple[Candidate, ...]) -> list[float]:
    top = cands[:3]
    return [distance_m(a.lon, a.lat, b.lon, b.lat) for i, a in enumerate(top) for b in top[i + 1 :]]


@pytest.mark.parametrize("text", TEXTS)
def test_the_first_three_points_are_apart(kailash: RouteNetwork, text: str) -> None:
    cands = locate(kailash, text, reported_at=AT).candidates
    assert len(cands) >= 2
    assert min(_gaps(cands)) > candidates.DISTINCT_M


@pytest.mark.parametrize("text", TEXTS)
def test_by_mass_alone_they_were_near_duplicates(
    kailash: RouteNetwork, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the greedy cover (one distinct candidate), two of the first three points lie
    within a few hundred metres: the test above can fail."""
    monkeypatch.setattr(candidates, "DISTINCT", 1)
    assert min(_gaps(locate(kailash, text, reported_at=AT).candidates)) < 500.0


@pytest.mark.parametrize("text", TEXTS)
def test_the_best_candidate_and_its_probability_do_not_move(
    kailash: RouteNetwork, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only which candidates come 2nd and 3rd changes: the first (its point and stated
    probability) and every candidate's probability (its segment's mass) stay."""
    got = locate(kailash, text, reported_at=AT).candidates
    monkeypatch.setattr(candidates, "DISTINCT", 1)
    ref = locate(kailash, text, reported_at=AT).candidates
    assert got[0] == ref[0]
    by_segment = {c.segment_id: c.probability for c in ref}
    assert {c.segment_id for c in got} == set(by_segment)
    for c in got:
        assert c.probability == pytest.approx(by_segment[c.segment_id])


def test_the_order_of_the_candidates(kailash: RouteNetwork) -> None:
    """The first is the most probable; the next two (the distinct hypotheses) and the rest
    are each in order of probability; every one states its own segment's probability."""
    texts = [
        *TEXTS,
        "we left Darchen at 8, it is now half past one",
        "three hours after Dirapuk",
        "we are on the steep climb to the pass",
        "hello, please help",
    ]
    for text in texts:
        p = [c.probability for c in locate(kailash, text, reported_at=AT).candidates]
        assert all(q <= p[0] for q in p), text
        assert p[1:3] == sorted(p[1:3], reverse=True), text
        assert p[3:] == sorted(p[3:], reverse=True), text
