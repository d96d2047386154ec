"""Readings real callers need (issue 13, real-text dev cases r241-r293 and r080).

Each test names the general reading it checks, not the one sentence it came from.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, locate
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 7, 40, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.mark.parametrize(
    "text",
    [
        "早上六点四十从塔钦走出来的，现在七点四十，老婆吐了",
        "早上6点40从塔钦走出来，现在7点40，老婆吐了",
        "早上六点四十从塔钦出来，现在七点四十，老婆吐了",
    ],
)
def test_walking_out_of_a_place_at_a_clock_time_is_a_departure(
    kailash: RouteNetwork, text: str
) -> None:
    """"从X走出来" / "从X出来" with a clock time: left X then (r242, twin of r241)."""
    result = locate(kailash, text, reported_at=AT)
    (elapsed,) = result.clues.elapsed
    assert elapsed.origin.text == "塔钦"
    assert (elapsed.departed_at.hour, elapsed.departed_at.minute) == (6, 40)
