"""Region data that places callers by a name's other spellings and by route features seen on
the way (geodata/kailash aliases.json, route_features.json; real-text dev cases r294-r324),
no reader code.

Each test states what the region data must make the locator read.
"""

from __future__ import annotations

import pytest

from geodata import load_region
from rescue.locate import locate
from routes import RouteNetwork, build_network
from tests.rescue.region_locate import AT, off_m


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.mark.parametrize(
    "text",
    [
        "we are at Jutulpuk, my wife has chest pain",
        "जुतुलपुक पहुँच गए, my father is very weak",
    ],
)
def test_hindi_pilgrims_names_of_zutulpuk(kailash: RouteNetwork, text: str) -> None:
    """Jutulpuk / जुतुलपुक (a Hindi account's spelling) is Zutul-puk."""
    result = locate(kailash, text, reported_at=AT)
    ids = {p for m in result.clues.mentions for p, _ in m.place_ids}
    assert "zutulpuk_gompa" in ids
    assert off_m(kailash, text, {"place": "zutulpuk_gompa"}) < 1000


@pytest.mark.parametrize(
    ("text", "truth"),
    [
        # the east-bank trail below the pass, crossed by boulder hopping
        ("下了垭口走东岸那条路，踩着石头过河，我儿子掉水里了",
         {"along": "outer_kora", "from_place": "phakna_rigzin_supply", "offset_m": 500,
          "direction": "clockwise"}),
        # Parvati's emerald lake is Gauri Kund, not somewhere down the valley
        ("转山第二天，刚到那个翡翠绿的湖，说是帕尔瓦蒂沐浴的地方，我太太摔倒了",
         {"place": "gauri_kund"}),
        # the stream from the foot of Kailash, with the north face ahead: the Dira-puk crossing
        ("we just crossed a small stream coming down from the base of Kailash, the north face is "
         "right in front of us, my dad cannot go on", {"place": "drirapuk_iron_bridge"}),
    ],
)  # fmt: skip
def test_route_features_seen_on_the_way_place_the_caller(
    kailash: RouteNetwork, text: str, truth: dict[str, object]
) -> None:
    """A route feature of route_features.json puts the top answer within 1 km."""
    assert off_m(kailash, text, truth) < 1000
