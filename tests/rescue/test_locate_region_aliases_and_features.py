"""Region data the eighth round of real-text dev cases needs (dev sources only): Hindi and Chinese
names in geodata/kailash/aliases.json, rows of geodata/kailash/route_features.json and a
non-sight word in geodata/lexicon/sights.json, no reader code.

Each test states what the region data must make the locator read.
"""

from __future__ import annotations

import pytest

from geodata import load_region
from rescue.locate import locate
from rescue.locate_eval.realcases import resolve
from rescue.locate_eval.scoring import distance_m
from routes import RouteNetwork, build_network
from tests.rescue.region_locate import AT, off_m


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # Hindi (tripoto.com): डेरापुक is Dira-puk
        ("डेरापुक पहुँच गए, my mother can't breathe", "drirapuk_gompa"),
        # Yamdwar, "the door of Yama" (yogoyo.com), as a Chinese caller says it
        ("离阎王门大概一公里，我爸突然胸口疼", "chorten_kangnyi"),
    ],
)
def test_new_spellings_name_the_place(kailash: RouteNetwork, text: str, place: str) -> None:
    """A spelling from aliases.json is read as the place it names."""
    result = locate(kailash, text, reported_at=AT)
    ids = {p for m in result.clues.mentions for p, _ in m.place_ids}
    assert place in ids


@pytest.mark.parametrize(
    ("text", "truth"),
    [
        # the porter lottery a kilometre past Yamdwar (yogoyo.com)
        ("在雇马雇牦牛的地方，背夫从袋子里抽签分行李，离阎王门大概一公里，我爸突然胸口疼",
         {"along": "outer_kora", "from_place": "chorten_kangnyi", "offset_m": 1000,
          "direction": "clockwise"}),
        # day three: where the vehicles pick the walkers up is the Zongdui roadhead
        ("we left Zutulpuk an hour and a half ago and reached the place where the vehicles pick "
         "us up, my father is shivering in the rain", {"place": "zongdui"}),
        ("下雨，从尊珠寺出来走了一个半小时，到接人的车那里了，我爸冷得发抖", {"place": "zongdui"}),
        # Bardo Trang, the sin-testing stone just past the Shiva-tsal charnel ground (mjjq.com)
        ("在Bardo Trang，两边大石头把小路挤得很窄，罪恶检验石那里，朋友过不去了",
         {"along": "outer_kora", "from_place": "shiva_tsal", "offset_m": 200,
          "direction": "clockwise"}),
    ],
)  # fmt: skip
def test_route_features_place_the_caller(
    kailash: RouteNetwork, text: str, truth: dict[str, object]
) -> None:
    """A route feature of route_features.json puts the top answer within 1 km."""
    assert off_m(kailash, text, truth) < 1000


def test_braided_river_is_the_dzong_chu_valley(kailash: RouteNetwork) -> None:
    """A "braided river" (contemporarynomad.com, day three) is read as the valley below
    Zutul-puk, and an answer there is among the top three."""
    text = "坐在大石头上看下面辫子一样的河，到处是玛尼墙和石刻，我朋友突然晕了"
    result = locate(kailash, text, reported_at=AT)
    assert any("braided river" in e for c in result.candidates for e in c.evidence)
    route, km = resolve(
        kailash, {"between": ["zutulpuk_gompa", "fourth_prostration_point"], "frac": 0.5}
    )
    lon, lat, _z = kailash.point_at(route, km)
    assert min(distance_m(c.lon, c.lat, lon, lat) for c in result.candidates[:3]) < 1000


def test_an_archway_is_not_a_cave(kailash: RouteNetwork) -> None:
    """门洞 (the archway of the two-legged chörten) is not a cave sighted (sights.json)."""
    text = "刚穿过阎王门，那个挂满旧衣服和头发的彩色门洞，我爸心口疼"
    result = locate(kailash, text, reported_at=AT)
    assert "cave" not in {s.tag for s in result.clues.sights}
    assert "clothes" in {s.tag for s in result.clues.sights}
