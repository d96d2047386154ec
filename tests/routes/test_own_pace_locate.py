"""Issue 14: locate's walking-time clue with two times uses the walker's own pace."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from geodata import load_region
from rescue.locate.engine import locate
from routes import RouteNetwork, build_network

NOW = datetime(2026, 6, 1, 13, 30, tzinfo=timezone(timedelta(hours=8)))


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def _median_km(network: RouteNetwork, text: str) -> float:
    r = locate(network, text, reported_at=NOW).to_dict()["range_80"]
    assert r["route_id"] == "outer_kora"
    return float(r["median_km"])


def test_a_walker_who_reached_chuku_early_is_placed_further_on(kailash: RouteNetwork) -> None:
    fast = _median_km(kailash, "We left Darchen at 8, passed Chuku Gompa at 9:30, now he is sick")
    slow = _median_km(kailash, "We left Darchen at 8, passed Chuku Gompa at 11:30, now he is sick")
    # both walked four (two) hours from Chuku; the fast one's own pace carries them further
    chuku = kailash.place_km("chuku_bridge", "outer_kora")
    assert chuku < slow < fast
    # the same four hours from Chuku without the earlier time: the median walker's pace
    plain = _median_km(kailash, "We passed Chuku Gompa at 9:30, now he is sick")
    assert plain < fast


def test_the_hook_measures_the_pace_between_the_two_passages(kailash: RouteNetwork) -> None:
    from rescue.locate.engine import LocateIndex, _directions, _own_pace

    index = kailash.derive("test:locate-index", LocateIndex)

    res = locate(
        kailash, "We left Darchen at 8, passed Chuku Gompa at 9:30, now he is sick", reported_at=NOW
    )
    clues = res.clues
    own = _own_pace(index, clues.elapsed[1], clues.elapsed, _directions(clues))
    assert own is not None and own["pace"] < 1.0  # 1.5 h where the median walker takes 2.6
    assert own["median_elapsed_s"] == pytest.approx(
        kailash.walk_time_s(
            "outer_kora",
            kailash.place_km("darchen_kora_gate", "outer_kora"),
            kailash.place_km("chuku_bridge", "outer_kora"),
        ),
        rel=0.2,
    )
    assert _own_pace(index, clues.elapsed[0], clues.elapsed, _directions(clues)) is None
