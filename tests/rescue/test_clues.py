"""From a caller's words to clues (``rescue.locate.clues``).

Every case runs twice: against a small stand-in name index defined here (so the
parser is tested on its own) and against the real :class:`NameIndex` over the
Kailash gazetteer. Anchors are checked by their best place id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geodata.errors import InvalidInput
from rescue.locate import clues as clues_module
from rescue.locate._numbers import find_amounts, zh_number
from rescue.locate._text import fold
from rescue.locate._timeparse import find_clock_times
from rescue.locate.clues import MAX_TEXT_CHARS, NameIndexLike, parse_clues
from rescue.locate.coords import CoordinateMatch
from rescue.locate.model import (
    RELATION_KINDS,
    SIGHT_TAGS,
    Clues,
    CoordinateReading,
    Mention,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: When the test calls come in: 14 July 2025, 13:35 in Tibet.
REPORTED = datetime(2025, 7, 14, 13, 35, tzinfo=SHANGHAI)
KAILASH_BBOX = (81.177, 30.2861, 81.65, 31.10767)

# --------------------------------------------------------------------- name indexes

_PASSES = (("dolma_la", 1.0), ("khando_sanglam_la", 1.0))
_LAKES = (("gauri_kund", 1.0), ("lake_manasarovar", 1.0), ("rakshastal", 1.0))
_MONASTERIES = (("chuku_gompa", 1.0), ("drirapuk_gompa", 1.0), ("zutulpuk_gompa", 1.0))
_BRIDGES = (("chuku_bridge", 1.0), ("drirapuk_iron_bridge", 1.0), ("lham_chu_bridge", 1.0))
_TENTS = (("sershong_supply", 1.0), ("chuku_bridge_supply", 1.0), ("hayagriva_station", 1.0))
_CAVES = (("naro_bonchung_cave", 1.0), ("drirapuk_gompa", 1.0), ("zutulpuk_gompa", 1.0))

#: (pattern, candidate places, feature) — what the stand-in index recognises.
_STAND_IN: list[tuple[str, tuple[tuple[str, float], ...], str | None]] = [
    (r"darchen|tarchen|塔钦", (("darchen", 1.0),), None),
    (r"大经幡", (("tarboche", 1.0),), None),
    (r"flagpole", (("tarboche", 1.0),), "flagpole"),
    (r"chuku|曲古寺", (("chuku_gompa", 1.0),), None),
    (r"drirapuk|dirapuk|止热寺", (("drirapuk_gompa", 1.0),), None),
    (r"gangga|岗加", (("gangga_guesthouse", 1.0),), None),
    (r"shiva[ -]tsal(?: sky burial)?", (("shiva_tsal", 1.0),), None),
    (r"dolma la|drolma la|zhuomala|卓玛拉山口|卓玛拉", (("dolma_la", 1.0),), None),
    (r"gauri kund|托吉错", (("gauri_kund", 1.0),), None),
    (r"zutulpuk|尊珠寺", (("zutulpuk_gompa", 1.0),), None),
    (r"zongdui|宗堆", (("zongdui", 1.0),), None),
    (r"manasarovar|玛旁雍错", (("lake_manasarovar", 1.0),), None),
    (r"冈仁波齐北壁", (("kangjam_glacier", 1.0),), None),
    (r"神山|kailash", (("kailash_summit", 1.0),), None),
    (r"pass|山口", _PASSES, "pass"),
    (r"lakes?|湖", _LAKES, "lake"),
    (r"monastery|寺庙", _MONASTERIES, "monastery"),
    (r"bridge|桥", _BRIDGES, "bridge"),
    (r"tea tents|teahouse|帐篷茶馆", _TENTS, "tea_tent"),
    (r"cave", _CAVES, "cave"),
    (r"glacier|冰川", (("kangjam_glacier", 1.0),), "glacier"),
]


class StandInIndex:
    """A tiny name index: a few names by regex, longest match first, no overlaps."""

    def __init__(self) -> None:
        self._entries = [
            (re.compile(rf"(?<![a-z])(?:{p})(?![a-z])", re.IGNORECASE), ids, feature)
            for p, ids, feature in _STAND_IN
        ]

    def find(self, text: str) -> list[Mention]:
        found = [
            (m.start(), m.end(), ids, feature)
            for pattern, ids, feature in self._entries
            for m in pattern.finditer(text)
        ]
        found.sort(key=lambda f: (f[0] - f[1], f[0]))
        taken: list[tuple[int, int]] = []
        out = []
        for start, end, ids, feature in found:
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            out.append(Mention(start, end, text[start:end], ids, feature))
        return sorted(out, key=lambda m: m.start)


@pytest.fixture(scope="module")
def real_index() -> NameIndexLike:
    names = pytest.importorskip("rescue.locate.names")
    from geodata import load_region

    index: NameIndexLike = names.NameIndex(load_region("kailash").places)
    return index


@pytest.fixture(params=["stand-in", "real"])
def index(request: pytest.FixtureRequest) -> NameIndexLike:
    if request.param == "stand-in":
        return StandInIndex()
    real: NameIndexLike = request.getfixturevalue("real_index")
    return real


def parse(text: str, names: NameIndexLike, **kw: object) -> Clues:
    return parse_clues(text, names=names, reported_at=REPORTED, **kw)  # type: ignore[arg-type]


def best(m: Mention | None) -> str | None:
    return m.place_ids[0][0] if m is not None else None


def local(t: datetime) -> str:
    """'DD HH:MM' in Tibet."""
    return t.astimezone(SHANGHAI).strftime("%d %H:%M")


def assert_consistent(c: Clues) -> None:
    """Invariants of any parse: references, kinds, ranges, tags."""
    for r in c.relations:
        assert r.kind in RELATION_KINDS
        assert any(r.anchor is m for m in c.mentions)
        assert r.other is None or any(r.other is m for m in c.mentions)
        assert (r.other is not None) == (r.kind in ("between", "halfway"))
        assert r.anchor.text in r.text
        for rng in (r.distance_m, r.duration_s):
            assert rng is None or 0 <= rng[0] <= rng[1]
        assert not (r.distance_m and r.duration_s)
    for e in c.elapsed:
        assert e.departed_at.tzinfo is not None and e.reported_at.tzinfo is not None
        assert 0 <= e.elapsed_s < 2 * 86_400
        assert any(e.origin is m for m in c.mentions)
    for s in c.sights:
        assert s.tag in SIGHT_TAGS
    assert len({(s.tag, s.negated) for s in c.sights}) == len(c.sights)
    for ev in c.elevations:
        assert 1000 <= ev.elevation_m <= 9000 and ev.tolerance_m > 0
    assert c.language in ("en", "zh", "mixed")
    assert c.direction in (None, "clockwise", "counterclockwise")


# --------------------------------------------------------------------- the cases

Rel = tuple[str, str, "str | None", "tuple[float, float] | None", "tuple[float, float] | None"]


@dataclass(frozen=True)
class Expect:
    """The clues a description must give (relations and sights in text order)."""

    relations: tuple[Rel, ...] = ()
    elapsed: tuple[tuple[str, str, str], ...] = ()  # origin, departed, reported ('DD HH:MM')
    elevations: tuple[tuple[float, float], ...] = ()
    sights: tuple[tuple[str, bool], ...] = ()
    direction: str | None = None
    language: str = "en"
    coordinates: bool = False
    notes: tuple[str, ...] = ()  # words some note must contain


TWO_H = (6000.0, 8400.0)
ABOUT_TWO_H = (4800.0, 9600.0)
JUST = (0.0, 500.0)
NOT_FAR = (0.0, 1000.0)
CW, CCW = "clockwise", "counterclockwise"

EN_CASES = [
    (
        "past the big flagpole, two hours before the pass",
        Expect(
            relations=(
                ("past", "tarboche", None, None, None),
                ("before", "dolma_la", None, None, TWO_H),
            )
        ),
    ),
    (
        "about 2 hours before the pass",
        Expect(relations=(("before", "dolma_la", None, None, ABOUT_TWO_H),)),
    ),
    (
        "left Tarchen at 8 this morning, now half past one, we walk anticlockwise",
        Expect(elapsed=(("darchen", "14 08:00", "14 13:30"),), direction=CCW),
    ),
    (
        "we left Darchen at 8 this morning and it is now half past one",
        Expect(elapsed=(("darchen", "14 08:00", "14 13:30"),)),
    ),
    (
        "we have been walking for 5 hours since Darchen",
        Expect(elapsed=(("darchen", "14 08:35", "14 13:35"),)),
    ),
    (
        "We are at Drirapuk, it is now 14:10, we left Tarchen at 7.",
        Expect(
            relations=(("at", "drirapuk_gompa", None, None, None),),
            elapsed=(("darchen", "14 07:00", "14 14:10"),),
        ),
    ),
    (
        "we started from Darchen yesterday at 7am",
        Expect(elapsed=(("darchen", "13 07:00", "14 13:35"),)),
    ),
    (
        "we passed Drirapuk at 10, it's 12:30 now",
        Expect(
            relations=(("past", "drirapuk_gompa", None, None, None),),
            elapsed=(("drirapuk_gompa", "14 10:00", "14 12:30"),),
        ),
    ),
    ("we left Darchen at 3pm", Expect(notes=("after the report time",))),
    (
        "we walked 2 hours from Darchen, we can see two lakes in the distance",
        Expect(elapsed=(("darchen", "14 11:35", "14 13:35"),), sights=(("big_lake", False),)),
    ),
    (
        "Help! My husband fell and hurt his leg. We are 3 people. Phone 15%. We passed the "
        "Shiva-tsal sky burial an hour ago, the path is very steep with boulders, there is snow. "
        "We can't see the lake yet.",
        Expect(
            relations=(("past", "shiva_tsal", None, None, None),),
            elapsed=(("shiva_tsal", "14 12:35", "14 13:35"),),
            sights=(("steep_rocky", False), ("snow", False), ("green_lake", True)),
        ),
    ),
    (
        "altimeter 5300m, steep boulders",
        Expect(elevations=((5300.0, 100.0),), sights=(("steep_rocky", False),)),
    ),
    ("the altimeter says about 5300 m", Expect(elevations=((5300.0, 150.0),))),
    ("my phone says 17,400 ft", Expect(elevations=((5303.5, 100.0),))),
    (
        "GPS says 31.0667 N 81.3125 E, elevation 5,050 m",
        Expect(elevations=((5050.0, 100.0),), coordinates=True),
    ),
    (
        "between Drirapuk and the pass",
        Expect(relations=(("between", "drirapuk_gompa", "dolma_la", None, None),)),
    ),
    (
        "halfway from Zutulpuk to Zongdui",
        Expect(relations=(("halfway", "zutulpuk_gompa", "zongdui", None, None),)),
    ),
    (
        "3 km past Drirapuk",
        Expect(relations=(("past", "drirapuk_gompa", None, (2500.0, 3500.0), None),)),
    ),
    (
        "just past Chuku, next to the river, lots of prayer flags",
        Expect(
            relations=(("past", "chuku_gompa", None, JUST, None),),
            sights=(("river", False), ("prayer_flags", False)),
        ),
    ),
    (
        "we are Bön pilgrims, two hours after the pass, snow everywhere",
        Expect(
            relations=(("after", "dolma_la", None, None, TWO_H),),
            sights=(("snow", False),),
            direction=CCW,
        ),
    ),
    (
        "counter-clockwise, just before Zutulpuk",
        Expect(relations=(("before", "zutulpuk_gompa", None, JUST, None),), direction=CCW),
    ),
    (
        "an hour and a half past Gangga, we are in a cave",
        Expect(
            relations=(
                ("past", "gangga_guesthouse", None, None, (4500.0, 6300.0)),
                ("at", "naro_bonchung_cave", None, None, None),
            ),
            sights=(("cave", False),),
        ),
    ),
    (
        "we are on the way down from the pass, half an hour below Gauri Kund",
        Expect(
            relations=(
                ("down_from", "dolma_la", None, None, None),
                ("below", "gauri_kund", None, None, (1500.0, 2100.0)),
            )
        ),
    ),
    (
        "we are on the way up to Dolma La",
        Expect(relations=(("up_to", "dolma_la", None, None, None),)),
    ),
    (
        "Dolma La is behind us, we see a green lake below us",
        Expect(
            # "green lake below us" is the view: the lake word gets no relation of its own
            relations=(("past", "dolma_la", None, None, None),),
            sights=(("green_lake", False),),
        ),
    ),
    (
        "two hours past Drirapuk, not at the pass yet, no snow or ice",
        Expect(
            relations=(
                ("past", "drirapuk_gompa", None, None, TWO_H),
                ("before", "dolma_la", None, None, None),
            ),
            sights=(("snow", True),),
        ),
    ),
    ("still 2 hours to the pass", Expect(relations=(("before", "dolma_la", None, None, TWO_H),))),
    (
        "the pass is about 2 hours away, glacier on our left",
        Expect(
            relations=(("before", "dolma_la", None, None, ABOUT_TWO_H),),
            sights=(("glacier", False),),
        ),
    ),
    (
        "we are 3 km from the pass",
        Expect(relations=(("near", "dolma_la", None, (2500.0, 3500.0), None),)),
    ),
    (
        "we walk clockwise, we are near the bridge after Chuku",
        Expect(
            relations=(
                ("near", "chuku_bridge", None, None, None),
                ("after", "chuku_gompa", None, None, None),
            ),
            sights=(("bridge", False),),
            direction=CW,
        ),
    ),
    (
        "Hello, my friend is injured, phone battery 20%, we are 4 people, near Shiva Tsal",
        Expect(relations=(("near", "shiva_tsal", None, None, None),)),
    ),
    ("we can see the north face up close", Expect(sights=(("north_face", False),))),
    (
        "we can't see the lake, the path is steep",
        Expect(sights=(("green_lake", True), ("steep_rocky", False))),
    ),
    (
        "no snow, no prayer flags, we can see cars on a road",
        Expect(sights=(("snow", True), ("prayer_flags", True), ("road", False))),
    ),
    (
        "there are tea tents nearby and piles of clothes",
        Expect(sights=(("tents", False), ("clothes", False))),
    ),
    (
        "We are on open flat ground, we cannot see a big lake",
        Expect(sights=(("flat_plain", False), ("big_lake", True))),
    ),
    (
        "We're about 1 km before Dolma La",
        Expect(relations=(("before", "dolma_la", None, (667.0, 1333.0), None),)),
    ),
    ("we are just below the pass", Expect(relations=(("below", "dolma_la", None, JUST, None),))),
    (
        "it's 1:30 pm now and we left at 7 from Darchen",
        Expect(elapsed=(("darchen", "14 07:00", "14 13:30"),)),
    ),
    ("we can see Kailash", Expect(notes=("in view",))),
    (
        "we reached Zutulpuk at 4pm",
        Expect(
            relations=(("at", "zutulpuk_gompa", None, None, None),),
            notes=("after the report time",),
        ),
    ),
]

ZH_CASES = [
    (
        "我们在卓玛拉山口下面，能看到绿色的湖",
        Expect(
            relations=(("below", "dolma_la", None, None, None),),
            sights=(("green_lake", False),),
            language="zh",
        ),
    ),
    (
        "刚过曲古寺大概1公里，在河边",
        Expect(
            relations=(("past", "chuku_gompa", None, (667.0, 1333.0), None),),
            sights=(("river", False),),
            language="zh",
        ),
    ),
    ("海拔5300米", Expect(elevations=((5300.0, 100.0),), language="zh")),
    (
        "5300米左右，很陡的乱石坡",
        Expect(elevations=((5300.0, 150.0),), sights=(("steep_rocky", False),), language="zh"),
    ),
    (
        "现在下午一点半，我们早上8点从塔钦出发",
        Expect(elapsed=(("darchen", "14 08:00", "14 13:30"),), language="zh"),
    ),
    (
        "离卓玛拉还有两个小时",
        Expect(relations=(("before", "dolma_la", None, None, TWO_H),), language="zh"),
    ),
    (
        "过了止热寺大概3公里",
        Expect(
            relations=(("past", "drirapuk_gompa", None, (2000.0, 4000.0), None),), language="zh"
        ),
    ),
    (
        "我们从卓玛拉下来，走了一个半小时",
        Expect(relations=(("down_from", "dolma_la", None, None, (4500.0, 6300.0)),), language="zh"),
    ),
    (
        "往卓玛拉走，很多经幡",
        Expect(
            relations=(("before", "dolma_la", None, None, None),),
            sights=(("prayer_flags", False),),
            language="zh",
        ),
    ),
    (
        "在曲古寺的河对岸",
        Expect(relations=(("across_river", "chuku_gompa", None, None, None),), language="zh"),
    ),
    (
        "止热寺和卓玛拉之间",
        Expect(relations=(("between", "drirapuk_gompa", "dolma_la", None, None),), language="zh"),
    ),
    (
        "在卓玛拉和托吉错中间",
        Expect(relations=(("between", "dolma_la", "gauri_kund", None, None),), language="zh"),
    ),
    (
        "我们在宗堆和塔钦之间，有公路",
        Expect(
            relations=(("between", "zongdui", "darchen", None, None),),
            sights=(("road", False),),
            language="zh",
        ),
    ),
    (
        "我们是苯教徒，逆时针转，刚过尊珠寺",
        Expect(
            relations=(("past", "zutulpuk_gompa", None, JUST, None),), direction=CCW, language="zh"
        ),
    ),
    (
        "看不到湖，有很多经幡",
        Expect(sights=(("green_lake", True), ("prayer_flags", False)), language="zh"),
    ),
    (
        "我们是从塔钦出发的，走了大概六个小时，现在在一个很陡的坡上，周围很多经幡和衣服，"
        "海拔5400米左右",
        Expect(
            elapsed=(("darchen", "14 07:35", "14 13:35"),),
            elevations=((5400.0, 150.0),),
            sights=(("steep_rocky", False), ("prayer_flags", False), ("clothes", False)),
            language="zh",
        ),
    ),
    (
        "我朋友高反了，我们在止热寺附近，能看到冈仁波齐北壁，离卓玛拉还有3个小时",
        Expect(
            relations=(
                ("near", "drirapuk_gompa", None, None, None),
                ("before", "dolma_la", None, None, (9000.0, 12600.0)),
            ),
            sights=(("north_face", False),),
            language="zh",
        ),
    ),
    (
        "刚过了大经幡，在河边，能看到公路和车",
        Expect(
            relations=(("past", "tarboche", None, JUST, None),),
            sights=(("river", False), ("road", False)),
            language="zh",
        ),
    ),
    (
        "我们逆时针转的，刚过尊珠寺，还没到卓玛拉",
        Expect(
            relations=(
                ("past", "zutulpuk_gompa", None, JUST, None),
                ("before", "dolma_la", None, None, None),
            ),
            direction=CCW,
            language="zh",
        ),
    ),
    (
        "北纬31.1 东经81.3，海拔5000多米",
        Expect(elevations=((5500.0, 550.0),), coordinates=True, language="zh"),
    ),
    (
        "我们在岗加，走不动了",
        Expect(relations=(("at", "gangga_guesthouse", None, None, None),), language="zh"),
    ),
    ("能看到玛旁雍错", Expect(sights=(("big_lake", False),), language="zh", notes=("in view",))),
    (
        "昨天晚上8点从塔钦出发，现在还在走",
        Expect(elapsed=(("darchen", "13 20:00", "14 13:35"),), language="zh"),
    ),
    (
        "我们顺时针转，过了止热寺两个小时",
        Expect(
            relations=(("past", "drirapuk_gompa", None, None, TWO_H),), direction=CW, language="zh"
        ),
    ),
    (
        "卓玛拉之后大概20分钟，下面有个绿色的湖",
        Expect(
            relations=(("after", "dolma_la", None, None, (800.0, 1600.0)),),
            sights=(("green_lake", False),),
            language="zh",
        ),
    ),
    (
        "快到止热寺了，能看到北壁",
        Expect(
            relations=(("before", "drirapuk_gompa", None, NOT_FAR, None),),
            sights=(("north_face", False),),
            language="zh",
        ),
    ),
    (
        "我们在曲古寺附近，能看到寺庙",
        Expect(
            relations=(("near", "chuku_gompa", None, None, None),),
            sights=(("monastery", False),),
            language="zh",
        ),
    ),
    (
        "上午八点离开塔钦，下午1点半的时候到了止热寺",
        Expect(
            relations=(("at", "drirapuk_gompa", None, None, None),),
            elapsed=(
                ("darchen", "14 08:00", "14 13:35"),
                ("drirapuk_gompa", "14 13:30", "14 13:35"),
            ),
            language="zh",
        ),
    ),
    (
        "从卓玛拉下来一个小时，在河边，没有雪",
        Expect(
            relations=(("down_from", "dolma_la", None, None, (3000.0, 4200.0)),),
            sights=(("river", False), ("snow", True)),
            language="zh",
        ),
    ),
    ("我们在两个山口之间，有冰川", Expect(sights=(("glacier", False),), language="zh")),
    (
        "13点从止热寺出发，现在15点",
        Expect(elapsed=(("drirapuk_gompa", "14 13:00", "14 15:00"),), language="zh"),
    ),
    (
        "在卓玛拉上面，有很多经幡",
        Expect(
            relations=(("above", "dolma_la", None, None, None),),
            sights=(("prayer_flags", False),),
            language="zh",
        ),
    ),
    (
        "过了卓玛拉，下面有绿色的湖，我们在往下走",
        Expect(
            relations=(("past", "dolma_la", None, None, None),),
            sights=(("green_lake", False), ("downhill", False)),
            language="zh",
        ),
    ),
    (
        "我们在Drirapuk附近，能看到north face",
        Expect(
            relations=(("near", "drirapuk_gompa", None, None, None),),
            sights=(("north_face", False),),
            language="mixed",
        ),
    ),
    (
        "we are 在卓玛拉下面, 海拔5500m",
        Expect(
            relations=(("below", "dolma_la", None, None, None),),
            elevations=((5500.0, 200.0),),
            language="mixed",
        ),
    ),
    (
        "路很陡，都是乱石，附近没有帐篷",
        Expect(sights=(("steep_rocky", False), ("tents", True)), language="zh"),
    ),
    (
        "离尊珠寺大概还有5公里",
        Expect(
            relations=(("before", "zutulpuk_gompa", None, (3333.0, 6667.0), None),),
            language="zh",
        ),
    ),
    (
        "我们10点半到的卓玛拉，现在在下山",
        Expect(
            relations=(("at", "dolma_la", None, None, None),),
            elapsed=(("dolma_la", "14 10:30", "14 13:35"),),
            language="zh",
        ),
    ),
    (
        "我们还在往卓玛拉爬",
        Expect(relations=(("up_to", "dolma_la", None, None, None),), language="zh"),
    ),
    (
        "从止热寺出发，已经走了3个小时",
        Expect(elapsed=(("drirapuk_gompa", "14 10:35", "14 13:35"),), language="zh"),
    ),
    (
        "我们在桥附近，看不到寺庙",
        Expect(
            relations=(("near", "chuku_bridge", None, None, None),),
            sights=(("bridge", False), ("monastery", True)),
            language="zh",
        ),
    ),
]


#: Descriptions in the style of ``tests/data/locate_cases.jsonl``, with the gazetteer's names.
REAL_CASES = [
    (
        "宗堆补给点往塔钦方向走了两公里左右",
        Expect(
            relations=(
                ("after", "zongdui", None, (1333.0, 2667.0), None),
                ("before", "darchen", None, None, None),
            ),
            language="zh",
        ),
    ),
    (
        "从药师佛沟往尊珠寺走，大概走了一半",
        Expect(
            relations=(("halfway", "medicine_buddha_supply", "zutulpuk_gompa", None, None),),
            language="zh",
        ),
    ),
    (
        "昨晚住的岗加，今天早上六点出发，现在十二点二十了",
        Expect(elapsed=(("gangga_guesthouse", "14 06:00", "14 12:20"),), language="zh"),
    ),
    (
        "we started late, 12:10 from Darchen gate, it's 6:40pm and getting dark",
        # "gate" after "Darchen" says which Darchen place: the kora gate
        Expect(elapsed=(("darchen_kora_gate", "14 12:10", "14 18:40"),)),
    ),
    (
        "六点半从塔钦转山起点出发，现在十一点四十五",
        Expect(elapsed=(("darchen_kora_gate", "14 06:30", "14 11:45"),), language="zh"),
    ),
    (
        "在大经幡和曲古寺那个桥中间",
        Expect(relations=(("between", "tarboche", "chuku_bridge", None, None),), language="zh"),
    ),
    (
        "坡龙古补给点过去一点点，脚崴了",
        Expect(relations=(("past", "polonggu_supply", None, JUST, None),), language="zh"),
    ),
    (
        "马鞍石往前走了十分钟左右",
        Expect(
            relations=(("past", "second_prostration_point", None, None, (300.0, 900.0)),),
            language="zh",
        ),
    ),
    (
        "we left the ticket office before 7, about 6:50, and it's just after 10 now",
        Expect(elapsed=(("darchen_kora_gate", "14 07:00", "14 10:00"),)),
    ),
    (
        "卓玛拉山口还没到，大概还要爬一个小时",
        Expect(relations=(("before", "dolma_la", None, None, (2400.0, 4800.0)),), language="zh"),
    ),
    (
        "just past the Tarbochay flag pole, 5 minutes maybe",
        Expect(relations=(("past", "tarboche", None, None, (180.0, 420.0)),)),
    ),
    (
        "walking on the shuttle road from Darchen to Tarboche, halfway",
        Expect(
            relations=(("halfway", "darchen", "tarboche", None, None),),
            sights=(("road", False),),
        ),
    ),
    (
        "转湖，从吉乌寺往霍尔方向走了三个小时",
        Expect(
            relations=(
                ("after", "chiu_gompa", None, None, (9000.0, 12600.0)),
                ("before", "hor_qu", None, None, None),
            ),
            sights=(("big_lake", False),),
            language="zh",
        ),
    ),
]


def check(c: Clues, expect: Expect) -> None:
    assert_consistent(c)
    assert [
        (r.kind, best(r.anchor), best(r.other), r.distance_m, r.duration_s) for r in c.relations
    ] == list(expect.relations)
    assert [
        (best(e.origin), local(e.departed_at), local(e.reported_at)) for e in c.elapsed
    ] == list(expect.elapsed)
    assert [(e.elevation_m, e.tolerance_m) for e in c.elevations] == list(expect.elevations)
    assert [(s.tag, s.negated) for s in c.sights] == list(expect.sights)
    assert c.direction == expect.direction
    assert c.language == expect.language
    assert bool(c.coordinates) == expect.coordinates
    for words in expect.notes:
        assert any(words in n for n in c.notes), c.notes


@pytest.mark.parametrize(
    ("text", "expect"), [pytest.param(t, e, id=t[:40]) for t, e in EN_CASES + ZH_CASES]
)
def test_descriptions_give_the_expected_clues(
    text: str, expect: Expect, index: NameIndexLike
) -> None:
    check(parse(text, index, bbox=KAILASH_BBOX), expect)


@pytest.mark.parametrize(("text", "expect"), [pytest.param(t, e, id=t[:40]) for t, e in REAL_CASES])
def test_descriptions_with_gazetteer_names(
    text: str, expect: Expect, real_index: NameIndexLike
) -> None:
    check(parse(text, real_index, bbox=KAILASH_BBOX), expect)


def test_there_are_enough_cases_in_both_languages() -> None:
    zh = [t for t, e in EN_CASES + ZH_CASES if e.language in ("zh", "mixed")]
    assert len(EN_CASES) + len(ZH_CASES) >= 60 and len(zh) >= 30


# --------------------------------------------------------------------- details


def test_clue_objects_are_the_mentions_of_the_index(index: NameIndexLike) -> None:
    c = parse("between Drirapuk and the pass", index)
    assert c.mentions == tuple(index.find(c.text))
    (rel,) = c.relations
    assert rel.anchor is c.mentions[0] and rel.other is c.mentions[1]
    assert rel.text == "between Drirapuk and the pass"


def test_elapsed_time_is_in_tibet_time_whatever_zone_reported_at_is() -> None:
    utc = REPORTED.astimezone(UTC)
    c = parse_clues("we left Darchen at 8am", names=StandInIndex(), reported_at=utc)
    (e,) = c.elapsed
    assert e.departed_at == datetime(2025, 7, 14, 8, 0, tzinfo=SHANGHAI)
    assert e.reported_at == utc and e.elapsed_s == 5 * 3600 + 35 * 60
    assert e.departed_at.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    ("text", "departed"),
    [
        ("left Darchen at 8 o'clock", "08:00"),
        ("left Darchen at 08:00", "08:00"),
        ("left Darchen at quarter to seven", "06:45"),
        ("left Darchen at half past six", "06:30"),
        ("left Darchen at 6.30am", "06:30"),
        ("left Darchen at noon", "12:00"),
        ("早上8点从塔钦出发", "08:00"),
        ("上午八点离开塔钦", "08:00"),
        ("十点一刻从塔钦出发", "10:15"),
        ("中午12点离开塔钦", "12:00"),
        ("下午1点从塔钦出发", "13:00"),
    ],
)
def test_departure_clock_forms(text: str, departed: str) -> None:
    (e,) = parse(text, StandInIndex()).elapsed
    assert e.departed_at.astimezone(SHANGHAI).strftime("%H:%M") == departed


@pytest.mark.parametrize(
    ("text", "elevations"),
    [
        ("the altimeter says about 5300 m", [(5300.0, 150.0)]),
        ("5,300 meters", [(5300.0, 100.0)]),
        ("17,400 ft", [(5303.5, 100.0)]),
        ("GPS altitude 5123", [(5123.0, 100.0)]),
        ("altitude 5000", [(5000.0, 200.0)]),
        ("海拔5300米", [(5300.0, 100.0)]),
        ("5300米左右", [(5300.0, 150.0)]),
        ("海拔五千三百米", [(5300.0, 100.0)]),
        ("海拔五千多米", [(5500.0, 550.0)]),
        ("500 m past the bridge", []),
        ("3000 m after the bridge", []),
        ("we are 3 people, since 2024", []),
        ("call 13912345678", []),
    ],
)
def test_altitudes(text: str, elevations: list[tuple[float, float]]) -> None:
    c = parse(text, StandInIndex())
    assert [(e.elevation_m, e.tolerance_m) for e in c.elevations] == elevations


def test_implausible_altitude_is_noted() -> None:
    c = parse("altimeter 12000 m", StandInIndex())
    assert c.elevations == () and any("not plausible" in n for n in c.notes)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("卓玛拉之前", "before"),
        ("卓玛拉前面两公里", "before"),
        ("卓玛拉以后", "after"),
        ("在卓玛拉", "at"),
        ("到卓玛拉了", "at"),
        ("卓玛拉附近", "near"),
        ("卓玛拉上面", "above"),
        ("卓玛拉下边", "below"),
        ("从卓玛拉下来", "down_from"),
        ("往卓玛拉爬", "up_to"),
        ("在去卓玛拉的路上", "before"),
        ("在卓玛拉的对面", "across_river"),
        ("near the pass", "near"),
        ("at the pass", "at"),
        ("across the river from Chuku", "across_river"),
        ("coming down from the pass", "down_from"),
        ("climbing up to the pass", "up_to"),
        ("we passed the pass", "past"),
        ("beyond Chuku", "past"),
        ("we haven't reached the pass", "before"),
        ("the pass is still ahead of us", "before"),
        ("Chuku is behind us", "past"),
    ],
)
def test_relation_words(text: str, kind: str) -> None:
    (rel,) = parse(text, StandInIndex()).relations
    assert rel.kind == kind


def test_seen_places_are_views_not_positions() -> None:
    c = parse("we can see Manasarovar far away", StandInIndex())
    assert c.relations == () and [(s.tag, s.negated) for s in c.sights] == [("big_lake", False)]
    assert any("in view" in n for n in c.notes)
    at = parse("we are at Manasarovar", StandInIndex())
    assert [r.kind for r in at.relations] == ["at"] and at.sights == ()


def test_departure_after_the_report_is_dropped_unless_yesterday() -> None:
    c = parse("我们下午3点从塔钦出发", StandInIndex())
    assert c.elapsed == () and any("after the report time" in n for n in c.notes)
    (e,) = parse("我们昨天下午3点从塔钦出发", StandInIndex()).elapsed
    assert local(e.departed_at) == "13 15:00"


def test_a_duration_after_a_place_is_a_relation_not_a_walking_time() -> None:
    c = parse("two hours after the pass", StandInIndex())
    assert c.elapsed == () and [r.kind for r in c.relations] == ["after"]


def test_walking_time_without_a_place_is_noted_and_kept() -> None:
    c = parse("we have been walking for 5 hours", StandInIndex())
    assert any("without a starting place" in n for n in c.notes)
    # kept with an origin that names no place: the locator weighs the usual starts
    (e,) = c.elapsed
    assert e.origin.place_ids == () and e.elapsed_s == pytest.approx(5 * 3600, rel=0.01)


@pytest.mark.parametrize(
    ("words", "low", "high"),
    [
        ("2 hours", 6000, 8400),
        ("about 2 hours", 4800, 9600),
        ("half an hour", 1500, 2100),
        ("一个半小时", 4500, 6300),
        ("两个小时", 6000, 8400),
        ("20分钟", 1000, 1400),
        ("3公里", 2500, 3500),
        ("几百米", 160, 720),
        ("a few hundred metres", 160, 480),
        ("1-2 hours", 3240, 7920),
        ("一个多小时", 3240, 6732),
        ("more than an hour", 3600, 5400),
        ("almost 2 hours", 5400, 7200),
        ("a couple of km", 1333, 2667),
    ],
)
def test_amount_ranges_reflect_vagueness(words: str, low: float, high: float) -> None:
    (a,) = find_amounts(fold(words))
    assert (a.low, a.high) == (low, high)


def test_vague_words_widen_the_range() -> None:
    (plain,) = find_amounts(fold("2 hours"))
    (about,) = find_amounts(fold("about 2 hours"))
    assert about.low < plain.low and about.high > plain.high


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("五千三", (5300, 5300)),
        ("一万七千四百", (17400, 17400)),
        ("十五", (15, 15)),
        ("两", (2, 2)),
        ("一两", (1, 2)),
        ("十几", (11, 19)),
        ("几百", (200, 600)),
        ("五千零三", (5003, 5003)),
        ("三一", None),
        ("十十", None),
    ],
)
def test_chinese_numerals(numeral: str, value: tuple[float, float] | None) -> None:
    got = zh_number(numeral)
    assert (got[:2] if got else None) == value


@pytest.mark.parametrize(
    "text",
    ["慢一点", "好一点点", "at one point", "after 2 hours", "at 5300 m", "一点五公里", "12:34:56"],
)
def test_things_that_are_not_clock_times(text: str) -> None:
    assert find_clock_times(fold(text)) == []


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("we walk counter-clockwise", CCW),
        ("anti clockwise", CCW),
        ("Bon pilgrims", CCW),
        ("我们反方向转", CCW),
        ("苯教", CCW),
        ("we go clockwise", CW),
        ("正转", CW),
        ("not clockwise", CCW),
        ("不是逆时针，是顺时针", CW),
        ("we are Buddhists", CW),
        ("clockwise or counterclockwise?", None),
        ("hello", None),
    ],
)
def test_direction_from_the_text(text: str, direction: str | None) -> None:
    assert parse(text, StandInIndex()).direction == direction


def test_given_direction_overrides_the_text() -> None:
    c = parse("we walk anticlockwise", StandInIndex(), direction="clockwise")
    assert c.direction == "clockwise" and any("counterclockwise" in n for n in c.notes)


def test_the_answers_the_questions_suggest_give_their_clue() -> None:
    from rescue.locate.questions import QUESTION_TEXTS

    for tag, (_, _, yes_en, yes_zh, no_en, no_zh) in QUESTION_TEXTS.items():
        for answer, negated in ((yes_en, False), (yes_zh, False), (no_en, True), (no_zh, True)):
            sights = parse(answer, StandInIndex()).sights
            assert (tag, negated) in [(s.tag, s.negated) for s in sights], answer


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("near the pass", "en"),
        ("在山口附近", "zh"),
        ("在Dolma La附近", "mixed"),
        ("海拔5300m", "zh"),
        ("5300", "en"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert parse(text, StandInIndex()).language == language


def test_noise_gives_nothing() -> None:
    c = parse(
        "Hello!! Please help, my wife is sick, battery 10%, we are 5 people 🙏", StandInIndex()
    )
    assert c.empty and c.direction is None and c.notes == ()


def test_coordinates_come_from_the_coordinate_reader_with_the_bbox(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[object] = []
    reading = CoordinateReading(81.3, 31.05, "decimal degrees, latitude first", "31.05 81.3", 5.0)
    other = CoordinateReading(31.05, 81.3, "decimal degrees, longitude first", "31.05 81.3", 5.0)

    def fake(text: str, *, bbox: object = None) -> list[CoordinateMatch]:
        seen.append(bbox)
        i = text.index("31.05")
        return [CoordinateMatch(i, i + 10, text[i : i + 10], (reading, other))]

    monkeypatch.setattr(clues_module, "find_coordinates", fake)
    c = parse("we are at 31.05 81.3, altitude 5000 m", StandInIndex(), bbox=KAILASH_BBOX)
    assert seen == [KAILASH_BBOX]
    # no app named: the reader's readings, with the GCJ-02 one (a Chinese map app) second
    assert (c.coordinates[0], c.coordinates[-1]) == (reading, other)
    assert len(c.coordinates) == 3 and "GCJ-02" in c.coordinates[1].label
    assert [(e.elevation_m, e.tolerance_m) for e in c.elevations] == [(5000.0, 200.0)]


def test_impossible_coordinates_raise() -> None:
    with pytest.raises(InvalidInput):
        parse("we are at N 95.123 E 81.345", StandInIndex(), bbox=KAILASH_BBOX)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"text": ""}, "empty"),
        ({"text": "  \n\t "}, "empty"),
        ({"text": "x" * (MAX_TEXT_CHARS + 1)}, "2,000"),
        ({"text": 42}, "text"),
        ({"reported_at": datetime(2025, 7, 14, 13, 35)}, "timezone"),
        ({"direction": "widdershins"}, "direction"),
    ],
)
def test_bad_input_is_rejected(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"text": "near the pass", "reported_at": REPORTED}
    args.update(kwargs)
    with pytest.raises(InvalidInput, match=message):
        parse_clues(names=StandInIndex(), **args)  # type: ignore[arg-type]


def test_surrounding_blanks_do_not_count() -> None:
    c = parse("   " + "x" * MAX_TEXT_CHARS + "\n", StandInIndex())
    assert len(c.text) == MAX_TEXT_CHARS


# --------------------------------------------------------------------- robustness

_ADVERSARIAL = [
    "1234567890" * 200,
    "12:34:" * 333,
    "1:2:3:4:" * 250,
    "a " * 1000,
    " 5300" + " " * 1990,
    "河" * 2000,
    "lake " * 400,
    "过了" * 1000,
    "1 2 3 4 5 " * 200,
    "2 hours " * 250,
    "5,300," * 333,
    "at 8 " * 400,
    "五千三百" * 500,
    "八点" * 1000,
    ("Darchen Drirapuk Dolma La Zutulpuk " * 60)[:2000],
    ("between Darchen and " * 100)[:2000],
    "\x00\x01\x02" * 600,
    "17,400 ft " * 200,
    "not " * 500,
    "😭" * 2000,
]


#: What each adversarial text gives, pinned: (mentions, relations, elevations) found.
#: The same for either name index; none of them is invalid input.
_ADVERSARIAL_OUTCOME = {
    "lake " * 400: (400, 0, 0),
    ("Darchen Drirapuk Dolma La Zutulpuk " * 60)[:2000]: (228, 0, 0),
    ("between Darchen and " * 100)[:2000]: (100, 50, 0),
    "17,400 ft " * 200: (0, 0, 200),
}

# Speed on these texts is measured by ``bench/bench_parse.py`` (p50 / p99 / max per
# parse), never asserted here. What the tests keep is the guard against catastrophic
# (super-linear, ReDoS-like) behaviour: a parse takes well under 0.1 s, so the
# ``timeout(30)`` marks below only catch a hang, with a margin of more than 100x; they
# measure nothing.


def _check_adversarial(text: str, names: NameIndexLike) -> None:
    c = parse(text, names, bbox=KAILASH_BBOX)
    assert_consistent(c)
    assert c.text == text.strip()
    assert (len(c.mentions), len(c.relations), len(c.elevations)) == _ADVERSARIAL_OUTCOME.get(
        text, (0, 0, 0)
    )
    assert not c.elapsed and not c.coordinates
    assert parse(text, names, bbox=KAILASH_BBOX) == c  # the same text, the same clues


@pytest.mark.timeout(30)  # a hang guard (>100x margin), not a speed measurement
@pytest.mark.parametrize("text", _ADVERSARIAL, ids=lambda t: repr(t[:12]))
def test_adversarial_text_gives_its_clues(text: str) -> None:
    _check_adversarial(text, StandInIndex())


@pytest.mark.timeout(30)  # a hang guard (>100x margin), not a speed measurement
@pytest.mark.parametrize("text", _ADVERSARIAL[::4], ids=lambda t: repr(t[:12]))
def test_adversarial_text_gives_its_clues_with_the_real_index(
    text: str, real_index: NameIndexLike
) -> None:
    _check_adversarial(text, real_index)


_PIECES = list("0123456789:., 点米") + ["小时", "km", "h ", "past ", "about ", "过了", "ft"]
_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=MAX_TEXT_CHARS) | st.lists(
    st.sampled_from(_PIECES), min_size=1, max_size=600
).map(lambda parts: "".join(parts)[:MAX_TEXT_CHARS])
_STAND_IN_INDEX = StandInIndex()


@pytest.mark.timeout(300)  # a hang guard for all 300 examples together, not a speed measurement
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_TEXT)
def test_any_text_gives_clues_or_invalid_input(text: str) -> None:
    try:
        c = parse(text, _STAND_IN_INDEX, bbox=KAILASH_BBOX)
    except InvalidInput as exc:
        assert not text.strip(), exc.message  # only blank text is refused (length is capped)
        return
    assert_consistent(c)
    assert c.text == c.text.strip()
    assert parse(text, _STAND_IN_INDEX, bbox=KAILASH_BBOX) == c


# --------------------------------------------------------------------- sights, denials, times


def test_sights_carry_their_offsets(real_index: NameIndexLike) -> None:
    for text in (
        "we can't see the lake, no bridge near us",
        "转湖，从吉乌寺往霍尔方向走了三个小时",
        "Drirapuk, in the guesthouse next to the monastery, north face of Kailash in view",
    ):
        c = parse(text, real_index)
        assert c.sights
        for s in c.sights:
            assert 0 <= s.start < s.end <= len(c.text)
            assert c.text[s.start : s.end] == s.text
    c = parse("we can't see the lake, no bridge near us", real_index)
    lake = next(m for m in c.mentions if m.feature == "lake")
    sight = next(s for s in c.sights if s.tag == "green_lake")
    assert sight.negated and sight.start <= lake.start and lake.end <= sight.end
    c = parse("转湖，从吉乌寺往霍尔方向走了三个小时", real_index)
    lake = next(m for m in c.mentions if m.feature == "lake")
    sight = next(s for s in c.sights if s.tag == "big_lake")
    assert (sight.start, sight.end) == (0, 2) and sight.start <= lake.start < lake.end <= 2


def test_a_second_same_sight_word_is_not_inside_the_first(real_index: NameIndexLike) -> None:
    c = parse("去Chuku gompa拜佛，从寺里下来的小路上滑倒了，离寺不远", real_index)
    spans = [(s.start, s.end) for s in c.sights if s.tag == "monastery"]
    temples = [m for m in c.mentions if m.feature == "monastery"]
    assert len(spans) == 1 and len(temples) == 2
    inside = [m for m in temples if spans[0][0] <= m.start and m.end <= spans[0][1]]
    assert len(inside) == 1


@pytest.mark.parametrize(
    ("text", "dropped", "kept"),
    [
        (
            "Seralung gompa on the east shore of Manasarovar (NOT Selung)",
            "Selung",
            "Seralung gompa",
        ),
        ("Selung monastery (Selung, not the Seralung at the lake)", "Seralung", "Selung"),
        ("Qugu si 这边, 圣湖南岸, not the Kailash one", "Kailash", "Qugu si"),
        ("不是曲古寺，是楚古寺", "曲古寺", "楚古寺"),
    ],
)
def test_a_name_the_caller_rules_out_is_dropped(
    text: str, dropped: str, kept: str, real_index: NameIndexLike
) -> None:
    c = parse(text, real_index)
    texts = [m.text for m in c.mentions]
    assert dropped not in texts and kept in texts
    assert any(dropped in n and "ruled out" in n for n in c.notes)


@pytest.mark.parametrize(
    "text",
    [
        "not far from Darchen",
        "we are not at Drolma la yet",
        "no, Zutulpuk",
        "是不是到了曲古寺",
        "not yet at the iron bridge",
    ],
)
def test_not_before_a_name_is_not_always_a_denial(text: str, real_index: NameIndexLike) -> None:
    c = parse(text, real_index)
    assert c.mentions and not any("ruled out" in n for n in c.notes)


def test_decimal_comma_coordinates(real_index: NameIndexLike) -> None:
    text = "coordinates 31,0076 / 81,3727 (my phone is in German)"
    c = parse(text, real_index, bbox=KAILASH_BBOX)
    assert c.coordinates
    first = c.coordinates[0]
    assert (first.lat, first.lon) == (31.0076, 81.3727)
    assert first.text == "31,0076 / 81,3727"
    # a thousands separator is no decimal comma; one number is no coordinate
    assert not parse("at 5,300 m, about 5,0001 steps", real_index).coordinates


def test_starting_the_kora_at_a_place_is_a_departure(real_index: NameIndexLike) -> None:
    c = parse(
        "We started the kora at the ticket gate at about 8:50, my friend is breathless",
        real_index,
    )
    assert [(best(e.origin), local(e.departed_at)) for e in c.elapsed] == [
        ("darchen_kora_gate", "14 08:50")
    ]
    assert not c.relations


@pytest.mark.parametrize(
    ("text", "departed", "now"),
    [
        ("十点十五从塔钦出发，现在三点多", "14 10:15", "14 15:10"),
        ("九点二十五从塔钦出发的，现在快十二点了", "14 09:25", "14 11:55"),
        ("九点过几分从塔钦出发的，现在一点二十几", "14 09:05", "14 13:25"),
        ("早上七点半多从塔钦出发，现在十一点", "14 07:35", "14 11:00"),
    ],
)
def test_vague_chinese_clock_times(
    text: str, departed: str, now: str, real_index: NameIndexLike
) -> None:
    c = parse(text, real_index)
    assert [(local(e.departed_at), local(e.reported_at)) for e in c.elapsed] == [(departed, now)]


def test_a_vague_amount_is_not_a_clock_time() -> None:
    assert find_clock_times(fold("还有三点多公里")) == []
