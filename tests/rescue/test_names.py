"""Place names and feature words in free text, on the committed Kailash places."""

from __future__ import annotations

import unicodedata

import geopandas
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from geodata import load_region
from geodata.errors import InvalidInput
from rescue.locate.model import Mention
from rescue.locate.names import FEATURE_TERMS, FEATURE_WORDS, NameIndex


@pytest.fixture(scope="module")
def places() -> geopandas.GeoDataFrame:
    return load_region("kailash").places


@pytest.fixture(scope="module")
def index(places: geopandas.GeoDataFrame) -> NameIndex:
    return NameIndex(places)


def assert_well_formed(text: str, mentions: list[Mention]) -> None:
    """Offsets in bounds of the NFC text, text matching, no overlaps, text order, scores."""
    nfc = unicodedata.normalize("NFC", text)
    last_end = 0
    for m in mentions:
        assert isinstance(m, Mention)
        assert 0 <= m.start < m.end <= len(nfc)
        assert m.start >= last_end, "mentions overlap or are out of order"
        assert m.text == nfc[m.start : m.end]
        assert m.place_ids, "a mention names at least one place"
        scores = [s for _, s in m.place_ids]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert len({p for p, _ in m.place_ids}) == len(m.place_ids)
        last_end = m.end


def proper(mentions: list[Mention]) -> list[Mention]:
    return [m for m in mentions if m.feature is None]


def only_proper(index: NameIndex, text: str) -> Mention:
    found = proper(index.find(text))
    assert len(found) == 1, f"{text!r} -> {found}"
    return found[0]


# (text, expected best place): the whole text is the one mention
VARIANTS = [
    # Drolma La
    ("Drolma La", "dolma_la"),
    ("Dolma La", "dolma_la"),
    ("Drölma-la", "dolma_la"),
    ("Droma La", "dolma_la"),
    ("Tara pass", "dolma_la"),
    ("Tara Pass", "dolma_la"),
    ("卓玛拉", "dolma_la"),
    ("卓玛拉山口", "dolma_la"),
    ("卓玛拉垭口", "dolma_la"),
    ("zhuomala", "dolma_la"),
    ("zhuo ma la", "dolma_la"),
    ("Zhuoma La", "dolma_la"),
    ("zhuómǎlā", "dolma_la"),
    ("zhuo2ma3la1", "dolma_la"),
    ("Dolmala", "dolma_la"),
    ("Drolmala", "dolma_la"),
    ("DROLMA LA", "dolma_la"),
    ("Drulma La", "dolma_la"),
    ("Drolma", "dolma_la"),
    ("Drolma La pass", "dolma_la"),
    ("Dolma pass", "dolma_la"),
    ("卓马拉", "dolma_la"),  # homophone typed with the wrong character
    # Drirapuk
    ("Drirapuk", "drirapuk_gompa"),
    ("Dira-puk", "drirapuk_gompa"),
    ("Diraphuk", "drirapuk_gompa"),
    ("diraphuk", "drirapuk_gompa"),
    ("Dirapuk", "drirapuk_gompa"),
    ("Driraphug", "drirapuk_gompa"),
    ("Dhirapuk", "drirapuk_gompa"),
    ("Drirapukk", "drirapuk_gompa"),
    ("止热寺", "drirapuk_gompa"),
    ("止热", "drirapuk_gompa"),
    ("芝热寺", "drirapuk_gompa"),
    ("zhiresi", "drirapuk_gompa"),
    ("zhireisi", "drirapuk_gompa"),
    ("Dirapuk monastery", "drirapuk_gompa"),
    ("岗加", "gangga_guesthouse"),
    ("Gangga", "gangga_guesthouse"),
    ("Gangjia", "gangga_guesthouse"),
    # Zutulpuk
    ("Zutulpuk", "zutulpuk_gompa"),
    ("Zuthulphuk", "zutulpuk_gompa"),
    ("Dzutrul-puk", "zutulpuk_gompa"),
    ("Zutrulpuk", "zutulpuk_gompa"),
    ("Zutul-puk", "zutulpuk_gompa"),
    ("Dzutrulphug", "zutulpuk_gompa"),
    ("Zutulpuck", "zutulpuk_gompa"),
    ("尊珠寺", "zutulpuk_gompa"),
    ("zunzhusi", "zutulpuk_gompa"),
    ("Zutulpuk guesthouse", "zutulpuk_guesthouses"),
    ("Zutulpuk guesthuse", "zutulpuk_guesthouses"),
    # Darchen
    ("Darchen", "darchen"),
    ("Tarchen", "darchen"),
    ("Tarchhen", "darchen"),
    ("塔钦", "darchen"),
    ("塔尔钦", "darchen"),
    ("taqin", "darchen"),
    ("tajin", "darchen"),
    ("Darchen kora gate", "darchen_kora_gate"),
    ("ticket office", "darchen_kora_gate"),
    # Tarboche, Chuku, Trugo
    ("Tarboche", "tarboche"),
    ("Tarpoche", "tarboche"),
    ("Darbochen", "tarboche"),
    ("大经幡", "tarboche"),
    ("大经幡杆", "tarboche"),
    ("Chuku gompa", "chuku_gompa"),
    ("Chuku monastery", "chuku_gompa"),
    ("Chuku", "chuku_gompa"),
    ("曲古寺", "chuku_gompa"),
    ("Chuku bridge", "chuku_bridge"),
    ("Chuku bridge supply", "chuku_bridge_supply"),
    ("Trugo", "trugo_gompa"),
    ("楚古寺", "trugo_gompa"),
    # east side, lakes, others
    ("Zongdui", "zongdui"),
    ("宗堆", "zongdui"),
    ("Dzongdui", "zongdui"),
    ("托吉错", "gauri_kund"),
    ("Gauri Kund", "gauri_kund"),
    ("Gowri Kund", "gauri_kund"),
    ("Gaurikund", "gauri_kund"),
    ("Shiva-tsal", "shiva_tsal"),
    ("Shiva Tsal", "shiva_tsal"),
    ("小天葬台", "shiva_tsal"),
    ("希瓦察", "shiva_tsal"),
    ("Phakna Rigzin", "phakna_rigzin_supply"),
    ("Sershong", "sershong_supply"),
    ("色雄", "sershong_supply"),
    ("Hayagriva station", "hayagriva_station"),
    ("Kailash", "kailash_summit"),
    ("Mt Kailash", "kailash_summit"),
    ("冈仁波齐", "kailash_summit"),
    ("岗仁波齐", "kailash_summit"),
    ("Lake Manasarovar", "lake_manasarovar"),
    ("Manasarover", "lake_manasarovar"),
    ("玛旁雍错", "lake_manasarovar"),
    ("Rakshastal", "rakshastal"),
    ("Selung", "selung_gompa"),
    ("Seralung", "seralung_gompa"),
    ("Gyangdrak", "gyangdrak_gompa"),
    ("江扎寺", "gyangdrak_gompa"),
    ("Kangjam glacier", "kangjam_glacier"),
    ("Hor Qu", "hor_qu"),
    ("Shishapangma hotel", "shishapangma_guesthouse"),
    ("Xixabangma guesthouse", "shishapangma_guesthouse"),
    ("དར་ཆེན", "darchen"),
    ("སྒྲོལ་མ་ལ", "dolma_la"),
    ("བཀྲ་ཤིས་བདེ་ལེགས", None),  # "tashi delek": no place
]


@pytest.mark.parametrize(("text", "expected"), VARIANTS)
def test_variant_is_one_mention_with_the_place_on_top(
    index: NameIndex, text: str, expected: str | None
) -> None:
    found = index.find(text)
    assert_well_formed(text, found)
    if expected is None:
        assert proper(found) == []
        return
    m = only_proper(index, text)
    assert (m.start, m.end) == (0, len(unicodedata.normalize("NFC", text)))
    assert m.place_ids[0][0] == expected, m.place_ids[:4]


# (text, mention text, expected best place)
IN_SENTENCES = [
    ("我们在Drolma La下面", "Drolma La", "dolma_la"),
    ("we are 2 km past Drirapuk, my wife is sick", "Drirapuk", "drirapuk_gompa"),
    ("刚过了止热寺，往卓玛拉山口走", "止热寺", "drirapuk_gompa"),
    ("刚过了止热寺，往卓玛拉山口走", "卓玛拉山口", "dolma_la"),
    ("在岗加住了一晚", "岗加", "gangga_guesthouse"),
    ("left tarchen at 7am", "tarchen", "darchen"),
    ("about an hour before dolmala, snowing", "dolmala", "dolma_la"),
    ("昨天从塔尔钦出发", "塔尔钦", "darchen"),
    ("we passed 大经幡 two hours ago", "大经幡", "tarboche"),
    ("near zhuomala, can see a lake", "zhuomala", "dolma_la"),
    ("between Zutulpuk and Zongdui", "Zutulpuk", "zutulpuk_gompa"),
    ("between Zutulpuk and Zongdui", "Zongdui", "zongdui"),
    ("过了宗堆还有多远", "宗堆", "zongdui"),
    ("we are at the Drolma La pass!", "Drolma La pass", "dolma_la"),
    ("Gauri Kund is below us", "Gauri Kund", "gauri_kund"),
    ("heading down to Dira-puk.", "Dira-puk", "drirapuk_gompa"),
    ("我在曲古寺附近", "曲古寺", "chuku_gompa"),
    ("the lake Gauri Kund", "lake Gauri Kund", "gauri_kund"),
]


@pytest.mark.parametrize(("text", "span", "expected"), IN_SENTENCES)
def test_names_in_sentences(index: NameIndex, text: str, span: str, expected: str) -> None:
    found = index.find(text)
    assert_well_formed(text, found)
    hits = [m for m in found if m.text == span]
    assert len(hits) == 1, [m.text for m in found]
    m = hits[0]
    assert m.feature is None
    assert text[m.start : m.end] == span
    assert m.start == text.index(span)
    assert m.place_ids[0][0] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Darchen", {"darchen", "darchen_kora_gate"}),
        ("Qugu", {"chuku_gompa", "trugo_gompa"}),
        ("Dirapuk", {"drirapuk_gompa", "drirapuk_monastery_guesthouse", "gangga_guesthouse"}),
        ("Dira-puk", {"drirapuk_gompa", "shishapangma_guesthouse", "gangga_guesthouse"}),
        ("岗加", {"gangga_guesthouse", "med_gangga", "drirapuk_gompa"}),
        ("Hayagriva station", {"hayagriva_station", "med_hayagriva"}),
        ("Chuku bridge supply", {"chuku_bridge_supply", "med_chuku_bridge", "chuku_bridge"}),
        ("Polonggu", {"polonggu_supply", "third_prostration_point"}),
        ("Serlung", {"selung_gompa", "seralung_gompa"}),
    ],
)
def test_ambiguous_names_list_every_candidate(
    index: NameIndex, text: str, expected: set[str]
) -> None:
    m = only_proper(index, text)
    assert expected <= {p for p, _ in m.place_ids}


def test_ambiguous_scores_are_sensible(index: NameIndex) -> None:
    darchen = dict(only_proper(index, "Darchen").place_ids)
    assert darchen["darchen"] == 1.0
    assert 0.3 < darchen["darchen_kora_gate"] < darchen["darchen"]
    assert "darchen_police_station" not in darchen
    dirapuk = only_proper(index, "Dirapuk").place_ids
    scores = dict(dirapuk)
    assert dirapuk[0] == ("drirapuk_gompa", 1.0)
    # the monastery's own lodge, 100 m away, before the guesthouses across the river
    assert scores["drirapuk_monastery_guesthouse"] > scores["gangga_guesthouse"]
    qugu = dict(only_proper(index, "Qugu").place_ids)
    assert qugu["chuku_gompa"] >= 0.8 and qugu["trugo_gompa"] >= 0.8


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("Selung", "seralung_gompa"),
        ("Seralung", "selung_gompa"),
        ("Gangga", "gyangdrak_gompa"),
        ("Gyangdrak", "gangga_guesthouse"),
        ("Trugo", "chuku_gompa"),
        ("楚古寺", "chuku_gompa"),
        ("曲古寺", "trugo_gompa"),
    ],
)
def test_confusables_are_kept_apart(index: NameIndex, text: str, not_expected: str) -> None:
    m = only_proper(index, text)
    assert not_expected not in {p for p, _ in m.place_ids}


@pytest.mark.parametrize(
    "text",
    [
        "we are tired and it is snowing",
        "我们很累，天在下雪",
        "the",
        "past",
        "we",
        "near",
        "below",
        "big",
        "hour",
        "hours",
        "tracing the session",
        "double trouble",
        "my parka is wet and I lost my phone",
        "we walked for three hours past a big rock and now it is getting dark",
        "please help, my friend cannot breathe and has a headache",
        "we can see the north face and lots of prayer flags",
        "手机快没电了，请快点来救我们",
        "我们迷路了，看不到路，周围都是石头",
        "我刚加了衣服，还是很冷",
        "电池快没了",
        "I am from Hunan, 我是湖南人",
        "The weather turned bad in the afternoon; visibility is below fifty metres.",
    ],
)
def test_ordinary_text_names_no_place(index: NameIndex, text: str) -> None:
    found = index.find(text)
    assert_well_formed(text, found)
    assert proper(found) == [], [(m.text, m.place_ids[:2]) for m in proper(found)]


# (text, feature, places that must all be listed, or exactly these when exact)
FEATURES = [
    ("flagpole", "flagpole", {"tarboche"}, True),
    ("经幡杆", "flagpole", {"tarboche"}, True),
    ("monastery", "monastery", {"chuku_gompa", "drirapuk_gompa", "zutulpuk_gompa"}, False),
    ("寺庙", "monastery", {"chuku_gompa", "drirapuk_gompa", "zutulpuk_gompa"}, False),
    ("寺", "monastery", {"chuku_gompa", "trugo_gompa"}, False),
    ("bridge", "bridge", {"chuku_bridge", "drirapuk_iron_bridge", "lham_chu_bridge"}, False),
    ("桥", "bridge", {"chuku_bridge", "gendun_lachu_bridge"}, False),
    ("lake", "lake", {"gauri_kund", "lake_manasarovar", "rakshastal"}, True),
    ("湖", "lake", {"gauri_kund", "lake_manasarovar", "rakshastal"}, True),
    ("tea tent", "tea_tent", {"hayagriva_station", "sershong_supply", "zongdui"}, False),
    ("tea tents", "tea_tent", {"hayagriva_station"}, False),
    ("茶馆", "tea_tent", {"hayagriva_station"}, False),
    ("guesthouse", "guesthouse", {"gangga_guesthouse", "zutulpuk_guesthouses"}, False),
    ("宾馆", "guesthouse", {"gangga_guesthouse", "zutulpuk_guesthouses"}, False),
    ("supply point", "supply_point", {"chuku_bridge_supply", "phakna_rigzin_supply"}, False),
    ("补给点", "supply_point", {"chuku_bridge_supply", "phakna_rigzin_supply"}, False),
    ("glacier", "glacier", {"kangjam_glacier"}, True),
    ("冰川", "glacier", {"kangjam_glacier"}, True),
    ("river crossing", "river_crossing", {"chuku_bridge", "drirapuk_iron_bridge"}, False),
    ("过河处", "river_crossing", {"chuku_bridge"}, False),
    (
        "sky burial site",
        "sky_burial",
        {"sky_burial_500_arhats", "shiva_tsal", "fourth_sky_burial", "se_buddha_footprint"},
        False,
    ),
    ("天葬台", "sky_burial", {"sky_burial_500_arhats", "shiva_tsal"}, False),
    (
        "prostration point",
        "prostration_point",
        {
            "first_prostration_point",
            "second_prostration_point",
            "third_prostration_point",
            "fourth_prostration_point",
        },
        True,
    ),
    ("朝拜处", "prostration_point", {"first_prostration_point"}, False),
    ("pass", "pass", {"dolma_la", "khando_sanglam_la"}, True),
    ("山口", "pass", {"dolma_la"}, False),
    ("clinic", "medical_post", {"med_gangga", "med_hayagriva", "baga_health_centre"}, False),
    ("医疗点", "medical_post", {"med_gangga"}, False),
    ("medical service point", "medical_post", {"med_gangga", "baga_health_centre"}, False),
    ("cave", "cave", {"naro_bonchung_cave", "zutulpuk_gompa"}, False),
    ("footprint", "footprint", {"tamdrin_carving", "gotsangpa_footprint"}, False),
    ("脚印", "footprint", {"tamdrin_carving"}, False),
    ("monastry", "monastery", {"chuku_gompa"}, False),  # misspelt
]


@pytest.mark.parametrize(("text", "feature", "expected", "exact"), FEATURES)
def test_feature_words(
    index: NameIndex, text: str, feature: str, expected: set[str], exact: bool
) -> None:
    found = index.find(text)
    assert_well_formed(text, found)
    assert len(found) == 1, found
    m = found[0]
    assert (m.start, m.end, m.feature) == (0, len(text), feature)
    ids = {p for p, _ in m.place_ids}
    assert ids == expected if exact else expected <= ids
    assert "med_sky_burial_west" not in ids or feature == "medical_post"


def test_feature_places_follow_the_types(index: NameIndex, places: geopandas.GeoDataFrame) -> None:
    m = index.find("monastery")[0]
    monasteries = set(places.index[places["type"] == "monastery"])
    assert monasteries <= {p for p, _ in m.place_ids}


def test_feature_words_in_sentences(index: NameIndex) -> None:
    text = "I can see the big flagpole, we will pass the bridge, then a tea tent near a lake"
    found = index.find(text)
    assert_well_formed(text, found)
    assert [(m.text, m.feature) for m in found] == [
        ("flagpole", "flagpole"),
        ("bridge", "bridge"),
        ("tea tent", "tea_tent"),
        ("lake", "lake"),
    ]
    zh = "我们在天葬台和补给点之间，旁边有个湖和一座桥"
    assert [m.feature for m in index.find(zh)] == ["sky_burial", "supply_point", "lake", "bridge"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Drolma La pass", "dolma_la"),
        ("Chuku bridge", "chuku_bridge"),
        ("止热寺", "drirapuk_gompa"),
        ("卓玛拉山口", "dolma_la"),
        ("小天葬台", "shiva_tsal"),
        ("Lake Manasarovar", "lake_manasarovar"),
        ("Zutulpuk monastery", "zutulpuk_gompa"),
        ("Kangjam glacier", "kangjam_glacier"),
        ("大经幡杆", "tarboche"),
        ("曲古桥补给点", "chuku_bridge_supply"),
        ("Tarboche flagpole", "tarboche"),
    ],
)
def test_a_name_containing_a_feature_word_is_one_proper_mention(
    index: NameIndex, text: str, expected: str
) -> None:
    found = index.find(text)
    assert len(found) == 1, found
    assert found[0].feature is None
    assert (found[0].start, found[0].end) == (0, len(text))
    assert found[0].place_ids[0][0] == expected


def test_a_following_feature_word_favours_its_kind(index: NameIndex) -> None:
    m = only_proper(index, "Dirapuk guesthouse")
    ids = [p for p, _ in m.place_ids]
    assert ids[0] in {"shishapangma_guesthouse", "drirapuk_monastery_guesthouse"}
    m = only_proper(index, "Chuku bridge tea tent")
    assert m.place_ids[0][0] == "chuku_bridge_supply"


def test_chinese_longest_match_wins(index: NameIndex) -> None:
    found = index.find("卓玛拉山口")
    assert [(m.start, m.end) for m in found] == [(0, 5)]
    found = index.find("止热寺的桥")
    assert [(m.text, m.feature) for m in found] == [("止热寺", None), ("桥", "bridge")]


def test_offsets_refer_to_nfc_text(index: NameIndex) -> None:
    decomposed = "at Dro\u0308lma-la now"  # o + combining diaeresis
    found = index.find(decomposed)
    nfc = unicodedata.normalize("NFC", decomposed)
    assert [m.text for m in found] == ["Drölma-la"]
    assert nfc[found[0].start : found[0].end] == "Drölma-la"


def test_full_width_and_case(index: NameIndex) -> None:
    m = only_proper(index, "ＤＲＯＬＭＡ ＬＡ")
    assert m.place_ids[0][0] == "dolma_la"


def test_non_string_text_is_rejected(index: NameIndex) -> None:
    with pytest.raises(InvalidInput, match="text must be a string"):
        index.find(None)  # type: ignore[arg-type]


def test_empty_text(index: NameIndex) -> None:
    assert index.find("") == []
    assert index.find("   \n") == []


# ---------------------------------------------------------------- search


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("drol", "dolma_la"),
        ("Dolma", "dolma_la"),
        ("zhuoma", "dolma_la"),
        ("卓玛", "dolma_la"),
        ("zutul", "zutulpuk_gompa"),
        ("tarb", "tarboche"),
        ("gauri", "gauri_kund"),
        ("Dira-puk", "drirapuk_gompa"),
        ("diraphu", "drirapuk_gompa"),
        ("Manasarover", "lake_manasarovar"),
        ("止热", "drirapuk_gompa"),
        ("Drirapuk gompa", "drirapuk_gompa"),
    ],
)
def test_search_ranks_the_place_first(index: NameIndex, query: str, expected: str) -> None:
    results = index.search(query)
    assert results, query
    assert results[0][0] == expected, results[:3]
    assert all(0.0 < s <= 1.0 for _, s in results)
    assert [s for _, s in results] == sorted((s for _, s in results), reverse=True)


def test_search_limit_and_blank(index: NameIndex) -> None:
    assert len(index.search("monastery", limit=3)) == 3
    assert index.search("   ") == []
    assert index.search("xqzv") == []
    for bad in (0, -1, 2.5, True):
        with pytest.raises(InvalidInput, match="limit"):
            index.search("dolma", limit=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="query"):
        index.search(3)  # type: ignore[arg-type]


# ---------------------------------------------------------------- other regions, speed


def test_works_on_a_small_frame_with_gaps() -> None:
    frame = geopandas.GeoDataFrame(
        {
            "name_en": ["Testpuk Gompa", "Testpuk guesthouse", "Nowhere lake"],
            "name_zh": ["测试寺", None, float("nan")],
            "aliases_en": [["Tesputh Phuk"], None, float("nan")],
            "aliases_zh": [[], None, None],
            "type": ["monastery", "guesthouse", "lake"],
        },
        index=["testpuk", "testpuk_gh", "nowhere"],
        geometry=[Point(81.0, 31.0), Point(81.0001, 31.0), None],
        crs="EPSG:4326",
    )
    ix = NameIndex(frame)
    m = only_proper(ix, "near Testpuk")
    assert m.place_ids[0][0] == "testpuk"
    assert "testpuk_gh" in {p for p, _ in m.place_ids}
    assert only_proper(ix, "测试寺").place_ids[0][0] == "testpuk"
    assert ix.find("lake")[0].place_ids == (("nowhere", 1.0),)


def test_bad_frames_are_rejected(places: geopandas.GeoDataFrame) -> None:
    with pytest.raises(InvalidInput, match="name_en"):
        NameIndex(places.drop(columns=["name_en"]))
    doubled = places.iloc[[0, 0]]
    with pytest.raises(InvalidInput, match="unique"):
        NameIndex(doubled)


def test_feature_words_are_documented() -> None:
    required = {
        "monastery", "bridge", "lake", "supply_point", "guesthouse", "prostration_point",
        "sky_burial", "glacier", "flagpole", "tea_tent", "river_crossing", "pass",
        "medical_post", "cave", "footprint",
    }  # fmt: skip
    assert required <= set(FEATURE_WORDS)
    assert set(FEATURE_WORDS) == set(FEATURE_TERMS)
    for key, terms in FEATURE_TERMS.items():
        assert any(t.isascii() for t in terms), key
        assert any(not t.isascii() for t in terms), key


DESCRIPTION = (
    "We left Darchen at 7, passed the big flagpole at Tarboche and the Chuku bridge tea "
    "tent; now about an hour past 止热寺 towards 卓玛拉山口, below Drolma La, near a lake, "
    "my friend is sick"
)


# How fast the index is built and searched is measured by ``bench/bench_parse.py`` (p50 /
# p99 / max per call on DESCRIPTION), never asserted here. Building takes well under 1 s and
# a find about a millisecond, so ``timeout(30)`` only catches a hang (>100x margin).
@pytest.mark.timeout(30)  # a hang guard, not a speed measurement
def test_a_fresh_index_finds_the_same_as_the_shared_one(
    places: geopandas.GeoDataFrame, index: NameIndex
) -> None:
    assert 150 <= len(DESCRIPTION) <= 220
    fresh = NameIndex(places)
    first = index.find(DESCRIPTION)
    assert_well_formed(DESCRIPTION, first)
    assert fresh.find(DESCRIPTION) == first
    for _ in range(50):
        assert index.find(DESCRIPTION) == first  # no state carried from one call to the next


def test_description_mentions(index: NameIndex) -> None:
    found = index.find(DESCRIPTION)
    assert_well_formed(DESCRIPTION, found)
    assert [(m.text, m.feature, m.place_ids[0][0]) for m in found] == [
        ("Darchen", None, "darchen"),
        ("flagpole", "flagpole", "tarboche"),
        ("Tarboche", None, "tarboche"),
        ("Chuku bridge tea tent", None, "chuku_bridge_supply"),
        ("止热寺", None, "drirapuk_gompa"),
        ("卓玛拉山口", None, "dolma_la"),
        ("Drolma La", None, "dolma_la"),
        ("lake", "lake", "gauri_kund"),
    ]


# ---------------------------------------------------------------- invariants

_FRAGMENTS = [
    "Drolma La", "卓玛拉山口", "止热", "寺", "Dira-puk", "zhuomala", "lake", "tea tent",
    "Darchen", "湖", "Chuku bridge", "pass", "Zutulpuk", "གངས་རིན་པོ་ཆེ", "Ｄｏｌｍａ", "Qugu",
    " ", "-", ", ", "。", "\u0308", "the ", "near ", "ö",
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_any_text_gives_well_formed_mentions(text: str) -> None:
    index = _shared_index()
    found = index.find(text)
    assert_well_formed(text, found)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=6)), max_size=60))
def test_name_soup_gives_well_formed_mentions(parts: list[str]) -> None:
    text = "".join(parts)
    index = _shared_index()
    found = index.find(text)
    assert_well_formed(text, found)
    index.search(text[:40] or "x")


_CACHE: dict[str, NameIndex] = {}


def _shared_index() -> NameIndex:
    # hypothesis tests cannot take module-scoped fixtures, so build once here
    if "kailash" not in _CACHE:
        _CACHE["kailash"] = NameIndex(load_region("kailash").places)
    return _CACHE["kailash"]


# ----------------------------------------------------------------- ordinals, gates, homophones


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("at the 3rd prostration point on the east side", "third_prostration_point"),
        ("2nd chaktsal gang", "second_prostration_point"),
        ("4th prostration point", "fourth_prostration_point"),
        ("第3朝拜处", "third_prostration_point"),
        ("第三朝拜处", "third_prostration_point"),
    ],
)
def test_ordinals_in_digits_name_the_numbered_place(
    index: NameIndex, text: str, expected: str
) -> None:
    found = index.find(text)
    assert_well_formed(text, found)
    m = only_proper(index, text)
    assert m.place_ids[0][0] == expected


def test_an_ordinal_alone_is_no_place(index: NameIndex) -> None:
    assert proper(index.find("it is our 1st day, the 2nd person is sick")) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("We started the kora at the ticket gate at about 8:50", "ticket gate"),
        ("Left the gate at 8:15. Now 1:45 pm", "gate"),
        ("早上七点半多从售票处出发", "售票处"),
        ("九点三刻从转山口出发的", "转山口"),
        ("queue at the ticket booth", "ticket booth"),
    ],
)
def test_kora_start_words_name_the_trailhead(index: NameIndex, text: str, words: str) -> None:
    found = index.find(text)
    assert_well_formed(text, found)
    [m] = [m for m in found if m.text == words]
    assert m.feature == "trailhead"
    assert m.place_ids[0][0] == "darchen_kora_gate"


def test_kora_entrance_is_not_the_pass(index: NameIndex) -> None:
    assert [m.place_ids[0][0] for m in index.find("转山口")] == ["darchen_kora_gate"]
    assert [m.place_ids[0][0] for m in index.find("卓玛拉山口")] == ["dolma_la"]
    assert {p for p, _ in index.find("山口")[0].place_ids} >= {"dolma_la"}


def test_gate_words_inside_longer_names_and_verbs(index: NameIndex) -> None:
    assert only_proper(index, "the Gate of Yama").place_ids[0][0] == "chorten_kangnyi"
    found = index.find("Selung monastery, where the inner kora starts")
    assert not any(m.feature == "trailhead" for m in found)


def test_a_feature_word_after_a_name_says_which_place(index: NameIndex) -> None:
    assert only_proper(index, "Darchen gate").place_ids[0][0] == "darchen_kora_gate"
    assert only_proper(index, "Zutulpuk guesthouse").place_ids[0][0] == "zutulpuk_guesthouses"
    # a one-place feature word after a town stays its own mention
    found = index.find("六点半从塔钦转山起点出发")
    assert [(m.text, m.place_ids[0][0]) for m in found] == [
        ("塔钦", "darchen"),
        ("转山起点", "darchen_kora_gate"),
    ]


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("过了格萨尔王的骰子石头没多远", "格萨尔王的骰子", "gesar_dice"),
        ("格萨尔骰子", "格萨尔骰子", "gesar_dice"),
        ("住在尊珠寺的宾馆", "尊珠寺的宾馆", "zutulpuk_guesthouses"),
    ],
)
def test_possessive_de_between_the_parts_of_a_chinese_name(
    index: NameIndex, text: str, words: str, expected: str
) -> None:
    found = index.find(text)
    assert_well_formed(text, found)
    [m] = [m for m in proper(found) if m.text == words]
    assert m.place_ids[0][0] == expected


@pytest.mark.parametrize(
    ("text", "words"), [("我们住在岗嘉，早上同伴叫不醒", "岗嘉"), ("住在冈家", "冈家")]
)
def test_two_character_homophones(index: NameIndex, text: str, words: str) -> None:
    [m] = [m for m in proper(index.find(text)) if m.text == words]
    assert m.place_ids[0][0] == "gangga_guesthouse"
    assert 0.6 <= m.place_ids[0][1] < 1.0  # below a name as written


@pytest.mark.parametrize("text", ["我刚加了衣服，还是很冷", "在深山里迷路了", "他亲自去的"])
def test_two_character_homophones_need_the_first_character(index: NameIndex, text: str) -> None:
    assert proper(index.find(text)) == []


@pytest.mark.parametrize("text", ["the iron bridge", "铁桥那里"])
def test_iron_bridge_lists_every_iron_bridge(index: NameIndex, text: str) -> None:
    [m] = index.find(text)
    assert m.feature == "iron_bridge"
    scores = dict(m.place_ids)
    # the one called "the iron bridge" first, the other iron bridges close behind
    assert m.place_ids[0][0] == "drirapuk_iron_bridge"
    assert 0.8 <= scores["gendun_lachu_bridge"] < scores["drirapuk_iron_bridge"]
    assert "chuku_bridge" not in scores


def test_named_iron_bridges_stay_proper_names(index: NameIndex) -> None:
    assert only_proper(index, "Dira-puk iron bridge").place_ids[0][0] == "drirapuk_iron_bridge"
    assert only_proper(index, "Gendun Lachu iron bridge").place_ids[0][0] == "gendun_lachu_bridge"
    assert only_proper(index, "根敦拉曲铁桥").place_ids[0][0] == "gendun_lachu_bridge"


def test_a_feature_word_running_on_from_a_name(index: NameIndex) -> None:
    text = "we climbed up to the big sky burial ground above tarboche"
    found = index.find(text)
    assert_well_formed(text, found)
    assert [(m.text, m.feature, m.place_ids[0][0]) for m in found] == [
        ("big sky burial ground", None, "sky_burial_500_arhats"),
        ("tarboche", None, "tarboche"),
    ]


def test_cliff_path_words(index: NameIndex) -> None:
    [m] = index.find("the dangerous cliff path in the gorge")
    assert (m.feature, m.place_ids[0][0]) == ("cliff_path", "red_cliff_path")


# ------------------------------------------------- issue 13: sound keys, what a word was read as


def _kailash_with_aliases() -> NameIndex:
    from rescue.locate.engine import _with_extra_aliases
    from routes import build_network

    return NameIndex(_with_extra_aliases(build_network(load_region("kailash"))))


@pytest.fixture(scope="module")
def full_index() -> NameIndex:
    return _kailash_with_aliases()


def test_a_misspelt_name_says_which_name_it_was_read_as(full_index: NameIndex) -> None:
    (m,) = full_index.find("Dirafuk")
    assert m.place_ids[0][0] == "drirapuk_gompa"
    assert m.read_as == "dira puk"
    (exact,) = full_index.find("Dirapuk")
    assert exact.read_as is None


def test_sound_keys_match_spellings_too_far_for_edits(full_index: NameIndex) -> None:
    """Metaphone (jellyfish), read for Tibetan romanisations: "Seershawng" is 4 edits from
    "sershong" but sounds the same (SRXNK); "Gendunlachoo" sounds like "Gendun Lachu"."""
    import rescue.locate.names as names_module

    (m,) = full_index.find("Seershawng")
    assert m.place_ids[0][0] == "sershong_supply"
    assert m.read_as == "sershong"
    assert m.place_ids[0][1] == pytest.approx(0.7 * 0.95)  # weaker than a spelling match
    (g,) = full_index.find("Gendunlachoo")
    assert g.place_ids[0][0] == "gendun_lachu_bridge"
    assert names_module._phonetic_key("zuthulphuk") == names_module._phonetic_key("zutulpuk")
    # without the sound keys these are not found
    saved = full_index._phonetic
    full_index._phonetic = {}
    try:
        assert full_index.find("Seershawng") == []
    finally:
        full_index._phonetic = saved


def test_an_ordinary_word_that_sounds_like_a_name_is_not_taken_for_it(
    full_index: NameIndex,
) -> None:
    import rescue.locate.names as names_module

    # "counter" and "Khandro" share a Metaphone key (KNTR), but are spelt far apart
    assert names_module._phonetic_key("counter") == names_module._phonetic_key("khandro")
    found = full_index.find("we walk counter clockwise")
    assert all(not any(p.startswith("khand") for p, _ in m.place_ids) for m in found)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("Kailash Parvat", "kailash_summit"),
        ("Manas Sarovar", "lake_manasarovar"),
        ("Dormala", "dolma_la"),
        ("Zuthulpuk", "zutulpuk_gompa"),
        ("Derapuk monastery", "drirapuk_gompa"),
        ("Charan Sparsha", "kangjam_glacier"),
        ("འབྲི་ར་ཕུག", "drirapuk_gompa"),
        ("གངས་ཏི་སེ", "kailash_summit"),
        ("དར་པོ་ཆེ", "tarboche"),
    ],
)
def test_hindi_sanskrit_and_tibetan_script_names_from_the_aliases_file(
    full_index: NameIndex, text: str, place: str
) -> None:
    found = full_index.find(text)
    assert found and found[0].place_ids[0][0] == place, found


def test_tibetan_aliases_column_is_indexed(places: geopandas.GeoDataFrame) -> None:
    extra = places.copy()
    extra["aliases_bo"] = [[] for _ in range(len(extra))]
    extra.at["darchen", "aliases_bo"] = ["སྟག་ཆེན"]
    assert not NameIndex(places).find("སྟག་ཆེན")
    (m,) = NameIndex(extra).find("སྟག་ཆེན")
    assert m.place_ids[0] == ("darchen", 0.95)
