"""Sights, features and numbers as real callers say them (issue 13, real-text dev cases).

Each test names the general reading it checks, not the one sentence it came from.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, locate
from rescue.locate._sights import text_direction
from rescue.locate._text import fold
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 7, 40, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.mark.parametrize(
    "text",
    [
        "we left Zutulpuk this morning, Kailash on our right, the river on our left, she fell",
        "we left Zutulpuk this morning, on our right is Kailash, my wife fell",
        "今天早上从尊珠寺出来，神山在右边，河在左边，老婆摔了",
        "今天早上从尊珠寺出来，右手边是神山，老婆摔了",
    ],
)
def test_a_peak_said_with_a_side_is_in_view(kailash: RouteNetwork, text: str) -> None:
    """ "Kailash on our right" / "神山在右边": the peak is seen from the trail, not where
    the caller stands (r297, r303)."""
    result = locate(kailash, text, reported_at=AT)
    seen = {result.clues.text[a:b] for a, b in result.clues.in_view}
    assert seen & {"Kailash", "神山"}
    assert not result.candidates[0].segment_id.startswith("inner_kora")


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Kailash on our right, my father is tired", "clockwise"),
        ("we keep the mountain on our right-hand side", "clockwise"),
        ("神山一直在我们右边，我爸走不动了", "clockwise"),
        ("右边是神山，我爸走不动了", "clockwise"),
        ("the mountain is on our left, my father can't breathe", "counterclockwise"),
        ("神山在左边，我爸走不动了", "counterclockwise"),
        # a stated direction wins over the side
        ("Kailash on our right, we walk counter-clockwise", "counterclockwise"),
        # the side of something else: no direction
        ("valley on our left, Kailash peeking above a lesser hill", None),
        ("左边是山谷，神山从小山后面露出来", None),
    ],
)
def test_the_mountain_s_side_says_the_walking_direction(text: str, direction: str | None) -> None:
    """The mountain kept on the right is walked round clockwise; on the left,
    counter-clockwise (a weak reading, only when no direction word is said)."""
    assert text_direction(fold(text), []) == direction
