"""A walking time longer than half the circuit (issue 13, class "time": "we set off at
half past four, doing the kora in one day, it is nine in the evening now")."""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, locate
from routes import RouteNetwork, build_network


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def _range(kailash: RouteNetwork, text: str, hour: int, minute: int = 0) -> tuple[float, ...]:
    at = datetime(2025, 7, 12, hour, minute, tzinfo=LOCAL_TZ)
    rng = locate(kailash, text, reported_at=at, direction="clockwise").range_80
    assert rng is not None and rng.route_id == "outer_kora"
    return float(rng.km_from), float(rng.km_to), float(rng.median_km)


def test_a_walk_past_half_the_circuit_is_counted_round_the_loop(kailash: RouteNetwork) -> None:
    """Walkers who got more than half-way round are weighed where they are (they were
    left out: the along-route offsets of a loop lie within half its length)."""
    half = kailash.line("outer_kora").length_m / 2000.0
    _, _, median = _range(kailash, "we left Darchen at 5 am, walking the kora in one day", 19)
    assert median > half


def test_a_walk_longer_than_the_circuit_ends_where_it_began(kailash: RouteNetwork) -> None:
    """Nobody walks on into a second round: after 19 hours the walker is near the end of
    the circuit (Darchen), not a few km into it again."""
    length = kailash.line("outer_kora").length_m / 1000.0
    _, _, median = _range(kailash, "we left Darchen at 4 am", 23, 30)
    assert median > length - 8.0
