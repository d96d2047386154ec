"""Readings real callers need (issue 13, third round: dev misses r240, r263, r266).

Each test names the general reading it checks, not the one sentence it came from.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, locate
from rescue.locate.engine import _disambiguate, get_index
from rescue.locate.model import Clues, Mention
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 7, 40, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def test_a_place_only_in_view_is_no_reference_point(kailash: RouteNetwork) -> None:
    """A place the caller sees can be far off: it does not pick among the candidates of
    an ambiguous mention ("the ascent to the pass, Kailash behind us", r266)."""
    index = get_index(kailash)
    text = "at the tea tent, we can see Dirapuk Gompa"
    tent = Mention(
        7,
        15,
        "tea tent",
        (("phakna_rigzin_supply", 1.0), ("drirapuk_temp_supply", 1.0)),
        feature="tea_tent",
    )
    seen = Mention(28, 41, "Dirapuk Gompa", (("drirapuk_gompa", 1.0),))
    in_view = Clues(text=text, mentions=(tent, seen), in_view=((28, 41),))
    assert _disambiguate(index, in_view).mentions[0].place_ids == tent.place_ids
    # the same place said as where the caller is does pick
    stood_at = Clues(text=text, mentions=(tent, seen))
    assert _disambiguate(index, stood_at).mentions[0].place_ids[0][0] == "drirapuk_temp_supply"


@pytest.mark.parametrize(
    "text",
    [
        "we did half the way from Dirapuk and reached Zutulpuk, my friend is collapsing",
        "we walked from Dirapuk and then got to Zutulpuk, my friend is collapsing",
    ],
)
def test_an_arrival_between_two_places_is_no_pair(kailash: RouteNetwork, text: str) -> None:
    """ "from X … and reached Y" is not "between X and Y" nor "halfway": the caller is at Y."""
    result = locate(kailash, text, reported_at=AT)
    read = [(r.kind, r.anchor.place_ids[0][0]) for r in result.clues.relations]
    assert read == [("at", "zutulpuk_gompa")]
