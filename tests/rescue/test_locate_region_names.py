"""Issue 13, sixth round of real-text sources: the names and sights the new dev cases use,
added as region data (``geodata/kailash/aliases.json``, ``route_features.json``), each
found by the locator's name index or feature catalogue."""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, get_index, locate
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 7, 40, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("we reached Zongzerbu camp", "zutulpuk_gompa"),  # mysterioustibet.com
        ("the trek from Diraphuk to Zongzebru", "zutulpuk_gompa"),
        ("we are at the outer Asthapath", "tarboche"),  # kailashyatraclub.com
        ("we are at the Peacock Hotel", "darchen"),  # shriramsspace.blogspot.com
        ("我們在大金寺，同伴暈倒了", "darchen"),  # bananaslounge.com (traditional)
        ("在神山圣湖景区接待中心门口", "darchen"),  # fx361 2014
        ("从喜马拉雅宾馆出发", "darchen"),  # siliu.net
        ("दारचेन कॅम्पवर आहोत", "darchen"),  # aparnachipane.blogspot.com (Marathi)
        ("आम्ही डेरापूक कॅम्पला पोहोचलो", "drirapuk_gompa"),
    ],
)
def test_names_from_the_sixth_round_sources(kailash: RouteNetwork, text: str, place: str) -> None:
    mentions = get_index(kailash).names.find(text)
    assert mentions, text
    assert place in {pid for m in mentions for pid, *_ in m.place_ids}, mentions


@pytest.mark.parametrize(
    "text",
    [
        "we left Darchen an hour ago, Kailash poking above a hill, my wife is vomiting",
        "神山尖从一座小山后面冒出来，老婆吐了",
    ],
)
def test_kailash_peeking_over_a_hill_is_the_start_of_the_kora(
    kailash: RouteNetwork, text: str
) -> None:
    """The peak showing above a lesser hill (Ashtapad) is seen on the way from Darchen to the
    first prostration point (route_features.json: kailash_peeks_over_hill)."""
    result = locate(kailash, text, reported_at=AT)
    said = [e for c in result.candidates for e in c.evidence]
    assert any("kailash peeks over hill" in e for e in said), said
    first = kailash.place_km("first_prostration_point", "outer_kora")
    top3 = result.candidates[:3]
    assert any(
        c.route_id == "outer_kora" and c.km_range is not None and c.km_range[0] <= first + 0.5
        for c in top3
    ), [(c.segment_id, c.km_range) for c in top3]


def test_the_small_house_below_the_pass_is_phakna_rigzin(kailash: RouteNetwork) -> None:
    """The small house / shack past the descent from the pass (route_features.json:
    small_house_after_pass) is the first supply point on the valley floor."""
    text = "came down the steep slope after the pass, a small house supply point ahead"
    result = locate(kailash, text, reported_at=AT)
    said = [e for c in result.candidates for e in c.evidence]
    assert any("small house after pass" in e for e in said), said
    phakna = kailash.place_km("phakna_rigzin_supply", "outer_kora")
    top = result.candidates[0]
    assert top.route_id == "outer_kora" and top.km_range is not None
    assert top.km_range[0] - 0.5 <= phakna <= top.km_range[1] + 0.5, top.km_range
