"""Write ``tests/data/locate_cases.jsonl``: caller descriptions with their true positions.

Run from the repository root::

    .venv/bin/python tests/data/make_locate_cases.py

The descriptions are hand-written, one per case, below. Only the *truths* are computed, from
the committed region (``geodata/kailash``) and nothing else, so the output is deterministic:

* a place, an offset from one, a midpoint between two: ``net.place_km`` and ``net.point_at``;
* "N minutes after X" and synthetic time cases: ``net.walk`` from X with the median pace
  (pace 1.0, ``pilgrim`` profile) in the walker's direction; "X is N minutes ahead of us":
  the start from which such a walk ends at X;
* an altitude on a given stretch: where the route's elevation profile crosses it;
* a road: the point at a fraction of the road segment's length;
* coordinates: the text is filled in from the truth point in the caller's format (rounded as
  a phone or a watch shows it), so the text and the truth agree by construction;
* **time-only cases from real walkers**: GPS fixes of held-out tracks (``calibration.json``
  ``split.holdout_track_ids``), embedded below as literals with their track id, ``seq`` and
  time, because the raw tracks are not committed. The departure time is when the track
  passes the kora gate (km 0); the report time is the fix's time; the truth is the fix.
  ``tests/rescue/test_evaluate.py`` checks these literals against the raw tracks when present.

Each case gets ``truth_segment_id`` (the segment of its route whose ``[km_from, km_to)`` holds
the truth km, or the road segment) and ``alt_segment_ids``: other segments with an end within
75 m of the truth, which are equally right answers for a caller standing at a junction or at
a segment boundary ("at Drolma La" ends one segment and starts the next).
"""

from __future__ import annotations

import json
import math
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import Transformer
from shapely.geometry import LineString, Point

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from geodata import load_region  # noqa: E402
from routes import build_network  # noqa: E402

OUT = Path(__file__).with_name("locate_cases.jsonl")
OUTER = "outer_kora"
INNER = "inner_kora"
LAKE = "manasarovar_kora"
CW, CCW = "clockwise", "counterclockwise"
ALT_RADIUS_M = 75.0


# ---------------------------------------------------------------------------- truth specs
@dataclass(frozen=True)
class At:
    """``dkm`` km clockwise from ``place`` (negative: before it) on ``route``."""

    place: str
    dkm: float = 0.0
    route: str = OUTER


@dataclass(frozen=True)
class Km:
    km: float
    route: str = OUTER


@dataclass(frozen=True)
class Mid:
    """The point ``frac`` of the way from ``a`` to ``b``, walking clockwise."""

    a: str
    b: str
    route: str = OUTER
    frac: float = 0.5


@dataclass(frozen=True)
class Walk:
    """Median walker after ``minutes`` from ``origin`` (a place id) in ``direction``."""

    origin: str
    minutes: float
    direction: str = CW
    route: str = OUTER


@dataclass(frozen=True)
class Until:
    """Where a median walker is when ``place`` is still ``minutes`` ahead in ``direction``."""

    place: str
    minutes: float
    direction: str = CW
    route: str = OUTER


@dataclass(frozen=True)
class Elev:
    """First point between ``lo_km`` and ``hi_km`` (in that order) at ``metres``.

    A bound is a km along the route or a place id (its km): east of Drirapuk the km of a
    place moved when the east half was redrawn from the trace (issue 14), so the windows
    there name the places that bound them.
    """

    metres: float
    lo_km: float | str
    hi_km: float | str
    route: str = OUTER


@dataclass(frozen=True)
class Gps:
    """A fix of a held-out track (the literal values of ``tracks_train.csv.gz``)."""

    track_id: str
    seq: int
    time_utc: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Road:
    segment_id: str
    frac: float


@dataclass(frozen=True)
class RoadPlace:
    """The point of a road segment nearest to a place."""

    segment_id: str
    place: str


Spec = At | Km | Mid | Walk | Until | Elev | Gps | Road | RoadPlace


# ------------------------------------------------------------------- coordinate formats
def _dm(v: float, nd: int = 3) -> tuple[int, float]:
    d = int(abs(v))
    return d, round((abs(v) - d) * 60.0, nd)


def _dms(v: float) -> tuple[int, int, float]:
    d = int(abs(v))
    m = int((abs(v) - d) * 60.0)
    return d, m, round(((abs(v) - d) * 60.0 - m) * 60.0, 1)


def lat_lon(nd: int) -> Callable[[float, float], str]:
    return lambda lon, lat: f"{lat:.{nd}f}, {lon:.{nd}f}"


def lon_lat(nd: int) -> Callable[[float, float], str]:
    return lambda lon, lat: f"{lon:.{nd}f} {lat:.{nd}f}"


def dm_symbols(lon: float, lat: float) -> str:
    (a, b), (c, d) = _dm(lat), _dm(lon)
    return f"N {a}°{b:06.3f}′ E {c:03d}°{d:06.3f}′"


def dm_plain(lon: float, lat: float) -> str:
    (a, b), (c, d) = _dm(lat, 2), _dm(lon, 2)
    return f"N{a} {b:05.2f} E{c} {d:05.2f}"


def dms_symbols(lon: float, lat: float) -> str:
    (a, b, c), (d, e, f) = _dms(lat), _dms(lon)
    return f"{a}°{b:02d}'{c:04.1f}\"N {d}°{e:02d}'{f:04.1f}\"E"


def dms_zh(lon: float, lat: float) -> str:
    (a, b, c), (d, e, f) = _dms(lat), _dms(lon)
    return f"北纬{a}度{b}分{round(c)}秒，东经{d}度{e}分{round(f)}秒"


def decimal_zh(nd: int) -> Callable[[float, float], str]:
    return lambda lon, lat: f"北纬{lat:.{nd}f} 东经{lon:.{nd}f}"


def decimal_comma(lon: float, lat: float) -> str:
    return f"{lat:.4f}".replace(".", ",") + " / " + f"{lon:.4f}".replace(".", ",")


_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32644", always_xy=True)


def utm_44n(lon: float, lat: float) -> str:
    x, y = _UTM.transform(lon, lat)
    return f"UTM 44N {x:.0f} {y:.0f}"


def utm_band(lon: float, lat: float) -> str:
    x, y = _UTM.transform(lon, lat)
    return f"44R E{x:.0f} N{y:.0f}"


def google_url(lon: float, lat: float) -> str:
    return f"https://maps.google.com/?q={lat:.5f},{lon:.5f}"


def gcj02(lon: float, lat: float) -> str:
    """Amap / WeChat show GCJ-02, offset from WGS84 by a few hundred metres in China."""
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lon - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    dlat += common + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    dlon += common + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    dlon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    sq = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sq) * math.pi)
    dlon = (dlon * 180.0) / (a / sq * math.cos(rad) * math.pi)
    return f"{lon + dlon:.6f},{lat + dlat:.6f}"


# ------------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class Draft:
    lang: str
    clues: tuple[str, ...]
    text: str
    truth: Spec
    note: str
    reported_at: str | None = None
    direction: str | None = None
    fmt: tuple[tuple[str, Callable[[float, float], str]], ...] = ()


DRAFTS: list[Draft] = []


def case(
    lang: str,
    clues: str,
    text: str,
    truth: Spec,
    note: str,
    *,
    reported_at: str | None = None,
    direction: str | None = None,
    fmt: dict[str, Callable[[float, float], str]] | None = None,
) -> None:
    DRAFTS.append(
        Draft(
            lang,
            tuple(clues.split()),
            text,
            truth,
            note,
            reported_at,
            direction,
            tuple((fmt or {}).items()),
        )
    )


# The descriptions: kept as a compact table, one call per case.
# fmt: off
# ---- outer kora, west valley: Darchen gate -> Drirapuk (clockwise unless said) ----------
case("en", "place",
     "Hi, we are at the kora gate in Darchen, the ticket office. My uncle (68) collapsed in "
     "the queue, he is breathing but not answering",
     At("darchen_kora_gate"), "at the kora gate (km 0)")
case("zh", "place relation",
     "刚从塔钦出来，过了售票处大概一公里，我老公胸口疼得厉害，喘不上气",
     At("darchen_kora_gate", 1.0), "1 km past the ticket office")
case("en", "place sight",
     "we r at the first prostration point, where u first see the south face of kailash, lots "
     "of flags. my friend fainted",
     At("first_prostration_point"), "at the first prostration point (Chaktsal Gang)")
case("zh", "place relation feature",
     "在恰采岗下面一点，就是第一个磕长头的那个地方，还没上去，我妈走不动了",
     At("first_prostration_point", -0.25), "just below, before the first prostration point")
case("mixed", "place relation",
     "we are between 第一朝拜处 and Sershong, on the flat part. My knee is gone, cannot walk",
     Mid("first_prostration_point", "sershong_supply"), "midway first prostration point-Sershong")
case("en", "place feature relation",
     "just past the Tarbochay flag pole, 5 minutes maybe. my wife is vomiting, altitude i think",
     Walk("tarboche", 5), "5 min past Tarboche (misspelt), median walker")
case("zh", "place feature sight",
     "在大经幡这里，色雄这边，到处是经幡，朋友高反很严重，嘴唇都紫了",
     At("tarboche"), "at the Tarboche flagpole")
case("zh", "place relation direction",
     "我们是逆时针转的（苯教），过了曲古桥补给点二十分钟左右，还没到大经幡",
     Walk("chuku_bridge_supply", 20, CCW), "20 min counter-clockwise from Chuku bridge supply")
case("zh", "place",
     "在那个双腿佛塔，要从塔下面钻过去的那个，我爸坐下就起不来了",
     At("chorten_kangnyi"), "at Chorten Kangnyi")
case("en", "place feature relation",
     "we climbed up to the big sky burial ground above tarboche and came back down, now on the "
     "main path right below it, someone twisted his ankle",
     At("sky_burial_500_arhats"), "main trail below the big sky-burial site")
case("zh", "place relation sight",
     "路边山上有个修行洞，那若本琼的洞，我们在洞下面的路上，有人摔了",
     At("naro_bonchung_cave"), "trail below the Naro Bonchung cave")
case("en", "place feature",
     "Chuku bridge supply point, at the medical tent. We need oxygen, lady who came on a pony "
     "is going blue",
     At("chuku_bridge_supply"), "at the Chuku bridge supply point")
case("zh", "place relation sight",
     "曲古寺对面，河这边的路上，抬头能看到寺在山上，同伴腿抽筋",
     At("chuku_bridge"), "main trail across the river from Chuku Gompa (at the bridge)")
case("mixed", "place relation",
     "去Chuku gompa拜佛，从寺里下来的小路上滑倒了，离寺不远，走不了",
     At("chuku_gompa", -0.12, "chuku_gompa_path"), "on the gompa path, 120 m below Chuku Gompa")
case("en", "place relation sight",
     "about an hour past the Chuku bridge, walking up the wide valley with the river beside us. "
     "Husband breathing badly",
     Walk("chuku_bridge_supply", 60), "60 min past Chuku bridge, median walker")
case("zh", "place relation",
     "过了大经幡3公里左右，在往曲古寺那边走",
     At("tarboche", 3.0), "3 km past Tarboche")
case("zh", "place relation",
     "过了格萨尔王的骰子石头没多远，老人头晕",
     At("gesar_dice", 0.3), "300 m past the Gesar dice rock")
case("en", "place feature",
     "we are at the second prostation point, the saddle stone. one of us can't walk anymore",
     At("second_prostration_point"), "at the second prostration point (misspelt)")
case("zh", "place relation",
     "马鞍石往前走了十分钟左右，路开始有点上坡了",
     Walk("second_prostration_point", 10), "10 min past the saddle stone")
case("en", "place feature relation",
     "we're at the tea tents roughly in the middle between Sershong and Diraphuk (Hayagriva "
     "something?), having lunch, my friend has a very bad headache",
     At("hayagriva_station"), "the midway tea tents = Hayagriva station")
case("zh", "place feature",
     "马头明王驿站，吃午饭的时候一个老人晕倒了，快来人",
     At("hayagriva_station"), "at Hayagriva station")
case("zh", "place relation",
     "第三补给点过来一点点，路边石头上有马头明王像的地方",
     At("tamdrin_carving"), "at the Tamdrin carving, just after Hayagriva station")
case("en", "place relation",
     "past the Hayagriva rock carving with the Buddha footprint, maybe 20 min more walking, "
     "legs cramping",
     Walk("tamdrin_carving", 20), "20 min past the Tamdrin carving")
case("en", "place relation",
     "we're on the main trail right across the river from the Damding Donkhang campsite",
     At("damding_donkhang"), "main trail opposite Damding Donkhang")
case("zh", "place feature relation",
     "过了马头明王以后的那个临时帐篷补给点，快到铁桥了",
     At("drirapuk_temp_supply"), "at the temporary supply point before the iron bridge")
case("en", "place feature",
     "at the iron bridge where the path splits off to Dira-puk gompa. Very cold, one person "
     "shivering",
     At("drirapuk_iron_bridge"), "at the Dira-puk iron bridge")
case("zh", "place feature",
     "岗加宾馆门口，我老婆发烧三十九度，头疼",
     At("gangga_guesthouse"), "at the Gangga guesthouses")
case("zh", "place",
     "我们住在岗嘉，早上同伴叫不醒，呼吸很重",
     At("gangga_guesthouse"), "Gangga misspelt 岗嘉")
case("en", "place feature sight",
     "Drirapuk, in the guesthouse right next to the monastery, north face of Kailash in front "
     "of the window. My dad has chest pain",
     At("drirapuk_monastery_guesthouse", 0.0, "drirapuk_gompa_path"),
     "the monastery guesthouse on the north bank")
case("en", "sight",
     "we can see the north face up close, huge black wall with a glacier, we are on the main "
     "path, have not crossed over to the monastery side",
     At("gangga_guesthouse"), "north face up close, main trail: Gangga")
case("zh", "place",
     "在止热寺，寺里面，有个喇嘛也说他不行了，要救援",
     At("drirapuk_gompa", 0.0, "drirapuk_gompa_path"), "at Drirapuk gompa (止热寺)")
case("mixed", "place relation",
     "zhiresi 下面的小路上，快到寺了，腿抽筋走不动",
     At("drirapuk_gompa", -0.15, "drirapuk_gompa_path"), "on the gompa path, just below it")
case("en", "place",
     "Jarok Donkhang, we camped here last night, my friend is now confused and can't walk "
     "straight",
     At("jarok_donkhang"), "at Jarok Donkhang")
case("en", "place relation",
     "we left the Dirapuk area two hours ago walking up towards the pass, one of us is very "
     "slow now",
     Walk("gangga_guesthouse", 120), "2 h from Gangga towards the pass, median walker")

# ---- outer kora, the pass: km 20-27 -------------------------------------------------------
case("zh", "place feature",
     "天葬台补给点，就是5290那个茶馆，有人昏迷",
     At("sky_burial_west_supply"), "at the small sky-burial west supply point")
case("en", "place sight",
     "At Shiva tsal, clothes everywhere on the ground, people leave their old clothes here. "
     "My brother is very weak",
     At("shiva_tsal"), "at Shiva-tsal")
case("zh", "sight elevation",
     "地上全是衣服，好多人在这扔衣服的地方，海拔表显示5330",
     At("shiva_tsal"), "the clothes = Shiva-tsal")
case("en", "feature relation sight",
     "we left the sky burial place with all the clothes about half an hour ago, going up to the "
     "pass",
     Walk("shiva_tsal", 30), "30 min past Shiva-tsal")
case("zh", "place relation",
     "业之镜那块大石头旁边，我爸喘不上气",
     At("karma_mirror"), "at the Mirror of Karma stone")
case("en", "sight elevation relation",
     "Steep climb over big boulders, the pass is still above us, altimeter reads 5500",
     Elev(5500, "shiva_tsal", "dolma_la"), "5500 m on the final climb")
case("zh", "place",
     "开始爬卓玛拉的地方，天路绸带那里，我们有三个人，一个走不动",
     At("dolma_la_base"), "start of the Drolma La climb")
case("mixed", "place relation",
     "at the karma horse stone 业之马, almost at zhuomala, mum can't breathe",
     At("karma_horse"), "at the Horse of Karma")
case("en", "place sight",
     "Drolma La top, at the prayer flags. A man is unconscious, breathing badly",
     At("dolma_la"), "on the pass")
case("en", "place relation",
     "a few hundred metres before Droma La, still climbing from the Dirapuk side",
     At("dolma_la", -0.3), "300 m before the pass, clockwise")
case("zh", "place relation",
     "卓玛拉山口往下走了大概一个小时，路还是很陡，膝盖疼",
     Walk("dolma_la", 60), "1 h down from the pass, clockwise")
case("zh", "place relation",
     "卓玛拉下来，托吉错旁边，朋友滑倒了",
     At("gauri_kund"), "at Gauri Kund")
case("en", "sight relation",
     "there is a green lake below us on the left, we just came over the top, very steep downhill",
     At("gauri_kund", 0.1), "beside Gauri Kund just after the pass")
case("en", "place relation direction",
     "Tara pass is 2 hours ahead of us, the guide says. My husband can't go on",
     Until("dolma_la", 120, CCW), "2 h before the pass for a counter-clockwise walker (API)",
     direction=CCW)
case("mixed", "place relation",
     "Gauri Kund 上面一点的路上，刚过垭口，有个人坐着不动",
     Mid("dolma_la", "gauri_kund"), "trail between the pass and Gauri Kund")
case("mixed", "place",
     "Tukje Chenpo Tso 慈悲湖 旁边，有人滑下去了",
     At("gauri_kund"), "at Gauri Kund (Tibetan and Chinese names)")
case("en", "place relation sight",
     "on the way down from Dolma La, still very steep and rocky, we can see the valley floor far "
     "below",
     Mid("dolma_la", "phakna_rigzin_supply"), "halfway down the steep descent")
case("zh", "sight relation",
     "下面有个绿色的湖，刚翻过山口，下坡特别陡",
     At("gauri_kund", 0.1), "green lake below = Gauri Kund")
case("zh", "sight relation",
     "在很陡的乱石坡上往上爬，上面到处是经幡，快到顶了",
     At("dolma_la", -0.2), "boulders, flags above: just below the pass")

# ---- outer kora, east valley: km 27-50 ----------------------------------------------------
case("zh", "place feature",
     "不动地钉补给点，下了山口以后第一个茶馆，我们在这",
     At("phakna_rigzin_supply"), "at Phakna Rigzin supply")
case("en", "place feature",
     "third Buddha footprint tea house, the first teahouse after the pass",
     At("phakna_rigzin_supply"), "at Phakna Rigzin supply")
case("zh", "place relation",
     "坡龙古补给点过去一点点，脚崴了",
     At("polonggu_supply", 0.3), "just past Polonggu")
case("en", "place feature",
     "at the 3rd prostration point on the east side. woman with bad diarrhoea, very weak",
     At("third_prostration_point"), "at the third prostration point")
case("mixed", "place feature",
     "Lham chu 桥 那里，我们在桥上休息，一个人摔到河边了",
     At("lham_chu_bridge"), "at the Lham-chu bridge")
case("zh", "place feature",
     "药师佛沟补给点，医疗点这里，需要氧气",
     At("medicine_buddha_supply"), "at the Medicine Buddha supply point")
case("en", "place relation",
     "Medicine Buddha valley, about 1 km before the supply point, coming down",
     At("medicine_buddha_supply", -1.0), "1 km before the Medicine Buddha supply point")
case("zh", "place",
     "药师佛药囊石那边，我们一共五个人",
     At("medicine_pouch_stone"), "at the medicine pouch stone")
case("zh", "place",
     "大宝法王宝冠石旁边，有个人摔倒了，头在流血",
     At("karmapa_crown_stone"), "at the Karmapa crown stone")
case("zh", "place feature",
     "政府茶馆，改则那个，同伴一直吐",
     At("gaize_teahouse"), "at the Gaize teahouse")
case("zh", "place relation",
     "在改则茶馆和尊珠寺中间，手机只剩百分之十的电",
     Mid("gaize_teahouse", "zutulpuk_gompa"), "midway Gaize teahouse-Zutulpuk")
case("en", "place relation sight",
     "about 2 km before Zutulpuk, trail along the river",
     At("zutulpuk_gompa", -2.0), "2 km before Zutulpuk (API says clockwise)", direction=CW)
case("en", "place feature",
     "Zuthulphuk, in the guesthouse, my friend coughing pink froth, HAPE??",
     At("zutulpuk_guesthouses"), "at the Zutulpuk guesthouses")
case("en", "place feature direction",
     "Dzutrul-puk, the Milarepa cave monastery. We do the kora anticlockwise and stopped here "
     "for the night, now my wife cannot breathe lying down",
     At("zutulpuk_gompa"), "at Zutulpuk, counter-clockwise group")
case("zh", "place relation sight",
     "尊珠寺下面一点，河边，有人掉水里了",
     At("zutulpuk_gompa", 0.3), "just below (after) Zutulpuk")
case("zh", "place relation",
     "尊主寺出来走了40分钟，老人走不动了",
     Walk("zutulpuk_gompa", 40), "40 min past Zutulpuk (misspelt 尊主寺)")
case("en", "place feature",
     "white footprint sky burial site, just after Zutulpuk",
     At("se_buddha_footprint"), "at the SE Buddha footprint")
case("en", "feature relation place",
     "the iron bridge over the milky river after Zutulpuk, kid fell and hurt his head",
     At("gendun_lachu_bridge"), "at the Gendun Lachu bridge")
case("zh", "place relation",
     "过了根敦拉曲铁桥一点",
     At("gendun_lachu_bridge", 0.3), "just past the Gendun Lachu bridge")
case("zh", "place",
     "剑劈石那里，我儿子从石头上摔下来了",
     At("cracked_boulder"), "at the cracked boulder")
case("zh", "place",
     "空行母舞场，那个斜坡草地上",
     At("dakini_dance_ground"), "at the Dakini dancing ground")
case("en", "sight feature",
     "the dangerous cliff path in the gorge, red and yellow rocks, very narrow, a woman slipped",
     At("red_cliff_path"), "the yellow-red cliff path")
case("zh", "place feature",
     "第四朝拜处，我们在磕头的地方，有个阿妈晕倒了",
     At("fourth_prostration_point"), "at the fourth prostration point")
case("en", "place feature",
     "Zongdui, at the road head where the cars pick you up. No cars now",
     At("zongdui"), "at Zongdui")
case("zh", "place relation",
     "宗堆补给点往塔钦方向走了两公里左右",
     At("zongdui", 2.0), "2 km past Zongdui")
case("zh", "feature place relation",
     "快到塔钦了，最后一个茶棚这里",
     At("zongdui_darchen_temp_supply"), "last tea tent before Darchen")
case("zh", "place relation",
     "转完山快回到塔钦了，在塔钦寺遗址这边，老婆走不动了",
     At("tarchen_labrang_ruins"), "at the Tarchen Labrang ruins")
case("en", "place relation direction",
     "Bonpo group, we started in Darchen going the other way round, passed Zongdui an hour ago "
     "and kept walking",
     Walk("zongdui", 60, CCW), "1 h counter-clockwise past Zongdui")

# ---- generic features, name variants and partial names ------------------------------------
case("zh", "feature relation",
     "过河的那个铁桥这里，过了桥就是上寺里去的路",
     At("drirapuk_iron_bridge"), "the river crossing towards Drirapuk gompa")
case("zh", "feature sight relation",
     "冰川就在对面，我们住的宾馆门口，还没过河",
     At("gangga_guesthouse"), "guesthouse facing the glacier, main trail: Gangga")
case("zh", "feature relation",
     "过了山口以后的第二个补给点，在茶馆帐篷里躺着",
     At("polonggu_supply"), "second supply point after the pass: Polonggu")
case("zh", "place sight",
     "卓玛拉，上面全是经幡，我朋友晕过去了",
     At("dolma_la"), "on the pass (卓玛拉)")
case("zh", "place relation direction",
     "卓玛拉山口还没到，大概还要爬一个小时，我们是从止热寺那边上来的",
     Until("dolma_la", 60, CW), "1 h below the pass, coming from Drirapuk (clockwise)")
case("zh", "feature relation place",
     "过了尊珠寺以后的第一座桥，铁桥那里",
     At("gendun_lachu_bridge"), "first bridge after Zutulpuk")
case("zh", "feature place",
     "在曲古寺下面的补给点，有医疗点的那个",
     At("chuku_bridge_supply"), "the supply point below Chuku Gompa")
case("zh", "feature place relation sight",
     "天葬台，卓玛拉前面的那个，地上好多衣服",
     At("shiva_tsal"), "the sky-burial site before the pass (there are several)")
case("zh", "place relation",
     "卓马拉山口下来一点，有个人摔倒了",
     At("dolma_la", 0.15), "just down from the pass (misspelt 卓马拉)")
case("zh", "place feature",
     "到了芝热寺，住在寺旁边的宾馆，同伴头痛得厉害",
     At("drirapuk_monastery_guesthouse", 0.0, "drirapuk_gompa_path"),
     "the monastery guesthouse (芝热寺 variant)")
case("zh", "place feature",
     "塔钦出来第一个补给点，色雄，朋友肚子疼",
     At("sershong_supply"), "at the Sershong supply point")
case("zh", "feature relation place",
     "磕长头的地方，转山快结束了，离宗堆不远了",
     At("fourth_prostration_point"), "the last prostration point, before Zongdui")
case("zh", "place relation",
     "在大经幡和曲古寺那个桥中间",
     Mid("tarboche", "chuku_bridge_supply"), "midway Tarboche-Chuku bridge")
case("zh", "place relation",
     "从药师佛沟往尊珠寺走，大概走了一半",
     Mid("medicine_buddha_supply", "zutulpuk_gompa"), "halfway Medicine Buddha-Zutulpuk")
case("zh", "place relation direction",
     "我们是苯教徒逆时针转，在尊珠寺和根敦拉曲桥中间",
     Mid("zutulpuk_gompa", "gendun_lachu_bridge"), "between Zutulpuk and Gendun Lachu")
case("zh", "elevation relation sight",
     "海拔五千一，过了山口好久了，在河谷里走",
     Elev(5100, "phakna_rigzin_supply", "gendun_lachu_bridge"), "5100 m in the east valley")
case("en", "place relation",
     "the monastery with Milarepa's cave, Zutul... something, we are 10 minutes before it",
     Until("zutulpuk_gompa", 10, CW), "partial name; 10 min before Zutulpuk")
case("en", "place relation",
     "we stayed at Dira-something, the place with the north face, left 1 hour ago",
     Walk("gangga_guesthouse", 60), "partial name; 1 h past Gangga")

# ---- counter-clockwise (Bon) relations -----------------------------------------------------
case("en", "place relation direction",
     "just after the Gendun Lachu bridge",
     At("gendun_lachu_bridge", -0.3), "counter-clockwise: after = lower km (API)", direction=CCW)
case("zh", "place relation direction",
     "我们反着转的，刚过了药师佛沟补给点，往山口走",
     At("medicine_buddha_supply", -0.3), "counter-clockwise: just past = 300 m lower km")
case("en", "place relation direction",
     "Bon pilgrims here, they say Zutulpuk is about 1 hour ahead of us",
     Until("zutulpuk_gompa", 60, CCW), "1 h before Zutulpuk, counter-clockwise")
case("zh", "place relation direction",
     "离卓玛拉还有两公里左右，上坡",
     At("dolma_la", 2.0), "2 km before the pass, counter-clockwise (API)", direction=CCW)
case("en", "place relation direction",
     "doing the kora anticlockwise, about 1 km before Chuku bridge supply",
     At("chuku_bridge_supply", 1.0), "1 km before Chuku bridge, counter-clockwise")

# ---- inner kora ------------------------------------------------------------------------------
case("en", "place",
     "inner kora, near the 13 golden chortens, the Saptarishi caves",
     At("thirteen_golden_chortens", 0.0, INNER), "at the thirteen golden chortens")
case("zh", "place feature",
     "江扎寺，我们开车来的，在寺门口，老人心脏不舒服",
     At("gyangdrak_gompa", 0.0, INNER), "at Gyangdrak Gompa")
case("en", "place",
     "Selung monastery, where the inner kora starts (Selung, not the Seralung at the lake)",
     At("selung_gompa", 0.0, INNER), "at Selung Gompa")
case("zh", "place relation",
     "内转，从天葬台往江扎寺走了大概一半",
     Mid("fourth_sky_burial", "gyangdrak_gompa", INNER), "halfway sky burial-Gyangdrak")
case("zh", "place feature",
     "江扎寺和色龙寺之间山梁上的天葬台",
     At("fourth_sky_burial", 0.0, INNER), "the ridge sky-burial site")

# ---- Lake Manasarovar ----------------------------------------------------------------------
case("en", "place feature sight",
     "Chiu Gompa, the monastery on the little hill by the lake, we came by car from Darchen. My "
     "mother has breathing problems",
     At("chiu_gompa", 0.0, LAKE), "at Chiu Gompa")
case("zh", "place relation direction",
     "转湖，从吉乌寺往霍尔方向走了三个小时",
     Walk("chiu_gompa", 180, CW, LAKE), "3 h clockwise from Chiu on the lake circuit")
case("zh", "place",
     "霍尔乡，转湖走到这里，车子也没有",
     RoadPlace("road:barkha_hor", "hor_qu"),
     "at Hor Qu: inland, off the lake circuit's shoreline line; on the Barkha road")
case("en", "place relation",
     "Seralung gompa on the east shore of Manasarovar (NOT Selung)",
     At("seralung_gompa", 0.0, LAKE), "at Seralung Gompa")
case("zh", "place feature",
     "楚古寺，湖南边洗头的那个地方",
     At("trugo_gompa", 0.0, LAKE), "at Trugo Gompa")
case("mixed", "place sight",
     "Qugu si 这边, 圣湖南岸, not the Kailash one",
     At("trugo_gompa", 0.0, LAKE), "Qugu = Trugo here (lake), not Chuku")
case("en", "place relation",
     "halfway between Langbona and Seralung on the lake kora, walking on sand",
     Mid("langbona_gompa", "seralung_gompa", LAKE), "halfway Langbona-Seralung (NE shore)")
case("zh", "place relation",
     "果初寺下面转湖的路上",
     At("gossul_gompa", 0.0, LAKE), "on the lake circuit at Gossul")

# ---- roads ---------------------------------------------------------------------------------
case("zh", "place relation feature",
     "坐车从塔钦去吉乌寺，车坏在半路上了",
     Road("road:darchen_chiu", 0.5), "halfway on the Darchen-Chiu road")
case("en", "place feature",
     "our jeep is stuck at the Baga checkpoint on the main highway, police are here",
     RoadPlace("road:darchen_barkha", "barkha_checkpoint"), "at the Barkha checkpoint")
case("en", "place relation feature",
     "walking on the shuttle road from Darchen to Tarboche, halfway, we didn't take the bus",
     Road("road:darchen_tarboche", 0.5), "halfway on the Darchen-Tarboche road")
case("zh", "place relation feature",
     "宗堆到塔钦的公路上走了一半，车都没有",
     Road("road:zongdui_darchen", 0.5), "halfway Zongdui-Darchen by road")

# ---- coordinates -------------------------------------------------------------------------------
case("en", "coordinates",
     "my phone says {c}, help, my friend fell and hit his head",
     Km(20.9), "decimal lat, lon", fmt={"c": lat_lon(4)})
case("en", "coordinates",
     "GPS: {c} (lon lat). battery 5%",
     Km(25.0), "decimal lon first", fmt={"c": lon_lat(5)})
case("en", "coordinates",
     "We are at N 31°05.795′ E 081°20.856′ according to the guidebook",
     At("shiva_tsal"), "the LP fix of Shiva-tsal, degrees and decimal minutes")
case("zh", "coordinates",
     "我的位置 {c}，请快来",
     Km(27.0), "two-decimal 北纬/东经 (±500 m)", fmt={"c": decimal_zh(2)})
case("en", "coordinates",
     "Garmin shows {c}",
     At("second_prostration_point", 0.1), "DMS", fmt={"c": dms_symbols})
case("en", "coordinates",
     "position {c}, two injured",
     Km(33.0), "UTM 44N", fmt={"c": utm_44n})
case("zh", "coordinates",
     "微信发不出去位置，纬度经度是 {c}",
     Km(11.0), "decimal lat, lon in a Chinese sentence", fmt={"c": lat_lon(4)})
case("mixed", "coordinates place",
     "{c} 尊珠寺 过来一点",
     # was Km(38.5): 0.3 km past Zutulpuk on the old padded chain; the text names Zutulpuk
     At("zutulpuk_gompa", 0.3), "degrees and decimal minutes without symbols", fmt={"c": dm_plain})
case("zh", "coordinates",
     "手表上写的：{c}",
     Km(17.5), "Chinese degrees, minutes, seconds", fmt={"c": dms_zh})
case("zh", "coordinates",
     "高德地图上我的坐标是 {c}，人走不动了",
     Km(34.0), "GCJ-02 (Amap), lon,lat: WGS84 truth ~380 m away", fmt={"c": gcj02})
case("en", "coordinates",
     "coordinates {c} (my phone is in German)",
     Km(37.0), "decimal comma", fmt={"c": decimal_comma})
case("en", "coordinates",
     "on the lake kora, position {c}",
     Km(8.0, LAKE), "lake circuit, decimal lat lon", fmt={"c": lat_lon(4)})
case("en", "coordinates",
     "sent you a pin {c}",
     Km(45.0), "Google Maps URL", fmt={"c": google_url})
case("mixed", "coordinates",
     "我的位置 {c}, 救命",
     Km(3.5), "UTM with latitude band", fmt={"c": utm_band})
case("en", "coordinates",
     "N31 04.43 E81 16.94 is what the app says, near some prayer flags",
     At("second_prostration_point"), "LP fix of the 2nd prostration point, DM without symbols")

# ---- elevation ---------------------------------------------------------------------------------
case("en", "elevation relation",
     "altimeter says about 5300 m, we haven't reached the pass yet, still going up",
     Elev(5300, "jarok_donkhang", "dolma_la"), "5300 m on the way up")
case("zh", "elevation place relation",
     "海拔5250左右，已经翻过卓玛拉了",
     Elev(5250, "dolma_la", "polonggu_supply"), "5250 m after the pass")
case("en", "elevation sight direction",
     "we are at 4950 m, walking up the valley from the Darchen side, the river next to us",
     Elev(4950, 10.0, 18.0), "4950 m in the west valley")
case("zh", "elevation relation",
     "手机海拔4900，翻过山口以后下山的那条沟里",
     Elev(4900, "phakna_rigzin_supply", "zongdui"), "4900 m in the east valley")
case("en", "elevation sight",
     "5600 metres on my watch, the Drölma-la prayer flags are right ahead, maybe 10 min",
     Elev(5600, "dolma_la_base", "dolma_la"), "5600 m just below the pass, west side")
case("mixed", "elevation place relation",
     "altitude 5,400m, 卓玛拉下来的路上",
     Elev(5400, "dolma_la", "polonggu_supply"), "5400 m on the descent")
case("zh", "elevation direction relation",
     "我们逆时针转，海拔5500左右，还在往上爬，还没到山口",
     Elev(5500, "dolma_la", "polonggu_supply"), "5500 m on the east side, counter-clockwise")
case("en", "elevation place relation",
     "altitude around 4800, on the way back to Darchen after Zutulpuk, wide valley",
     Elev(4800, "zutulpuk_gompa", "zongdui"), "4800 m past Zutulpuk")

# ---- sights and terrain -----------------------------------------------------------------
case("zh", "sight",
     "能看到神山北面，特别近，冰川就在眼前，我们在河这边的大路上",
     At("gangga_guesthouse"), "north face up close on the main trail")
case("en", "sight feature",
     "massive flagpole covered in flags right next to us, big open square, cars parked",
     At("tarboche"), "Tarboche flagpole from its description")
case("zh", "sight place relation",
     "刚从塔钦出发，在爬第一个坡，回头能看到两个大湖",
     Km(2.6), "the climb to the first prostration point")
case("en", "sight",
     "we see the west face across the valley, big red cliffs, river below us, trail is flat",
     Km(11.5), "vague: west face view between Chuku and the 2nd prostration point")

# ---- time since leaving a place (median walker) -----------------------------------------
case("en", "time",
     "we left the Dirapuk guesthouse at 6:30 and now it's 10:15, friend exhausted",
     Walk("gangga_guesthouse", 225), "3 h 45 min from Gangga, median walker",
     reported_at="2025-06-14T10:15:00+08:00")
case("zh", "time",
     "早上8点从岗加出发，现在11点了",
     Walk("gangga_guesthouse", 180), "3 h from Gangga",
     reported_at="2025-07-02T11:00:00+08:00")
case("en", "time",
     "left Zutulpuk around quarter past seven, it's now 8:45",
     Walk("zutulpuk_gompa", 90), "1.5 h from Zutulpuk",
     reported_at="2025-06-20T08:45:00+08:00")
case("zh", "time",
     "昨晚住的岗加，今天早上六点出发，现在十二点二十了",
     Walk("gangga_guesthouse", 380), "6 h 20 min from Gangga",
     reported_at="2025-08-09T12:20:00+08:00")
case("zh", "time",
     "早上7点从尊珠寺出发的，现在九点半了，还在走",
     Walk("zutulpuk_gompa", 150), "2.5 h from Zutulpuk",
     reported_at="2025-09-03T09:30:00+08:00")
case("en", "time direction",
     "we started counter-clockwise from Darchen at 5:30am",
     Walk("darchen_kora_gate", 210, CCW), "3.5 h counter-clockwise from the gate",
     reported_at="2025-05-28T09:00:00+08:00")
case("zh", "time direction",
     "早上六点从塔钦出发逆时针转的，现在十点半",
     Walk("darchen_kora_gate", 270, CCW), "4.5 h counter-clockwise from the gate (text)",
     reported_at="2025-06-01T10:30:00+08:00")
case("zh", "time",
     "转湖，早上8点从吉乌寺出发，现在下午1点",
     Walk("chiu_gompa", 300, CW, LAKE), "5 h from Chiu on the lake circuit",
     reported_at="2025-07-15T13:00:00+08:00")

# ---- time only, real held-out GPS tracks: departure = passing the kora gate --------------------
# Gps(track_id, seq, fix time UTC, lon, lat); departure (local) in the note.
case("en", "time",
     "We started the kora at the ticket gate at about 8:50, my friend is already very "
     "breathless and wants to go back",
     Gps("0068", 337, "2018-07-19T01:52:38Z", 81.259543, 30.993453),
     "held-out track 0068, gate 08:52:35",
     reported_at="2018-07-19T09:52:38+08:00")
case("zh", "time",
     "八点从转山起点出发的，现在九点半，同伴高反了",
     Gps("0234", 374, "2019-10-03T01:33:07Z", 81.258299, 30.994453),
     "held-out track 0234, gate 08:03:12",
     reported_at="2019-10-03T09:33:07+08:00")
case("en", "time",
     "left Darchen gate 7:10, it's 9:10 now",
     Gps("0387", 622, "2021-07-29T01:12:20Z", 81.259328, 31.012689),
     "held-out track 0387, gate 07:12:21",
     reported_at="2021-07-29T09:12:20+08:00")
case("zh", "time",
     "九点二十五从塔钦出发的，现在快十二点了",
     Gps("0490", 628, "2021-05-05T03:55:41Z", 81.259268, 31.014203),
     "held-out track 0490, gate 09:25:43",
     reported_at="2021-05-05T11:55:41+08:00")
case("mixed", "time",
     "we left Darchen at 9:10am, 现在12点, my mother feels dizzy",
     Gps("0719", 795, "2023-07-27T04:06:01Z", 81.269352, 31.030251),
     "held-out track 0719, gate 09:11:36",
     reported_at="2023-07-27T12:06:01+08:00")
case("en", "time",
     "Started walking at 7 from the Tarchen kora gate. Now 10:35",
     Gps("0824", 1382, "2023-09-27T02:35:25Z", 81.283438, 31.076277),
     "held-out track 0824, gate 07:05:24",
     reported_at="2023-09-27T10:35:25+08:00")
case("zh", "time",
     "早上七点半多从售票处出发，走了四个小时了",
     Gps("1017", 1662, "2024-05-18T03:35:48Z", 81.277351, 31.044943),
     "held-out track 1017, gate 07:35:46",
     reported_at="2024-05-18T11:35:48+08:00")
case("en", "time",
     "we set off from the darchen checkpoint at 8:30, it's about 1pm",
     Gps("1104", 1178, "2024-06-04T04:57:58Z", 81.281476, 31.060236),
     "held-out track 1104, gate 08:27:33",
     reported_at="2024-06-04T12:57:58+08:00")
case("zh", "time",
     "十点十五从塔钦出发，现在三点多，天快下雨了",
     Gps("1303", 1332, "2024-07-14T07:13:21Z", 81.282792, 31.075674),
     "held-out track 1303, gate 10:13:16",
     reported_at="2024-07-14T15:13:21+08:00")
case("en", "time",
     "Left the gate at 8:15. Now 1:45 pm",
     Gps("1423", 1556, "2024-08-08T05:45:53Z", 81.292732, 31.093014),
     "held-out track 1423, gate 08:16:06",
     reported_at="2024-08-08T13:45:53+08:00")
case("zh", "time",
     "九点三刻从转山口出发的，现在下午三点四十五",
     Gps("1511", 1835, "2024-08-26T07:46:53Z", 81.309798, 31.101106),
     "held-out track 1511, gate 09:47:01",
     reported_at="2024-08-26T15:46:53+08:00")
case("en", "time",
     "we started late, 12:10 from Darchen gate, it's 6:40pm and getting dark",
     Gps("1623", 1477, "2024-09-21T10:41:52Z", 81.287867, 31.087743),
     "held-out track 1623, gate 12:11:52",
     reported_at="2024-09-21T18:41:52+08:00")
case("zh", "time",
     "六点半从塔钦转山起点出发，现在十一点四十五",
     Gps("1643", 1825, "2024-09-24T03:45:38Z", 81.311211, 31.101274),
     "held-out track 1643, gate 06:33:53",
     reported_at="2024-09-24T11:45:38+08:00")
case("mixed", "time",
     "8点半从Darchen出发，now 11:15，朋友脚崴了",
     Gps("1845", 1426, "2024-06-12T03:13:45Z", 81.269211, 31.029917),
     "held-out track 1845, gate 08:28:45",
     reported_at="2024-06-12T11:13:45+08:00")
case("en", "time",
     "we left the ticket office before 7, about 6:50, and it's just after 10 now",
     Gps("2145", 846, "2023-08-16T02:05:54Z", 81.273427, 31.034849),
     "held-out track 2145, gate 06:50:50",
     reported_at="2023-08-16T10:05:54+08:00")
case("zh", "time",
     "九点过几分从塔钦出发的，现在一点二十几",
     Gps("2268", 1074, "2020-10-12T05:23:41Z", 81.280858, 31.053694),
     "held-out track 2268, gate 09:08:45",
     reported_at="2020-10-12T13:23:41+08:00")
case("en", "time",
     "left Darchen kora gate at 11:50, now 5:35 pm",
     Gps("2540", 1365, "2023-07-22T09:34:43Z", 81.286500, 31.083529),
     "held-out track 2540, gate 11:49:46",
     reported_at="2023-07-22T17:34:43+08:00")
case("zh", "time",
     "九点一刻从塔钦出发，刚走了四十多分钟",
     Gps("2653", 320, "2024-05-05T02:02:01Z", 81.265581, 30.987869),
     "held-out track 2653, gate 09:17:05",
     reported_at="2024-05-05T10:02:01+08:00")


# fmt: on


# --------------------------------------------------------------------------- resolution
class Resolver:
    """Turns truth specs into points on the committed network."""

    def __init__(self) -> None:
        self.net = build_network(load_region("kailash"))
        self.to_metric = self.net.to_metric
        segs = self.net.segments
        self.segments = segs
        self._ends: list[tuple[str, Point]] = []
        for sid, geom in segs.geometry.items():
            c = list(geom.coords)
            for lon, lat in (c[0][:2], c[-1][:2]):
                self._ends.append((str(sid), Point(*self.to_metric.transform(lon, lat))))

    # -- kilometres --------------------------------------------------------------------
    def length_km(self, route: str) -> float:
        return self.net.line(route).length_m / 1000.0

    def wrap(self, route: str, km: float) -> float:
        line = self.net.line(route)
        if line.loop:
            return km % self.length_km(route)
        if not -1e-9 <= km <= self.length_km(route) + 1e-9:
            raise ValueError(f"km {km} outside {route}")
        return min(max(km, 0.0), self.length_km(route))

    def walk_km(self, route: str, start_km: float, minutes: float, direction: str) -> float:
        return self.net.walk(route, start_km, minutes * 60.0, direction=direction).position.km

    def until_km(self, route: str, place_km: float, minutes: float, direction: str) -> float:
        sign = -1.0 if direction == CW else 1.0  # the start lies behind the place

        def excess(d: float) -> float:
            start = self.wrap(route, place_km + sign * d)
            end = self.walk_km(route, start, minutes, direction)
            walked = (end - start) if direction == CW else (start - end)
            return walked % self.length_km(route) - d

        lo, hi = 0.0, 20.0
        for _ in range(60):
            m = (lo + hi) / 2
            lo, hi = (m, hi) if excess(m) > 0 else (lo, m)
        return self.wrap(route, place_km + sign * (lo + hi) / 2)

    def elev_km(self, route: str, metres: float, lo: float, hi: float) -> float:
        ks = np.arange(lo, hi, 0.005) if hi > lo else np.arange(lo, hi, -0.005)
        zs = np.array([self.net.point_at(route, k)[2] for k in ks])
        above = zs >= metres
        flips = np.flatnonzero(above[1:] != above[:-1])
        if not len(flips):
            raise ValueError(f"{metres} m not crossed between km {lo} and {hi}")
        i = int(flips[0])
        f = (metres - zs[i]) / (zs[i + 1] - zs[i])
        return float(ks[i] + f * (ks[i + 1] - ks[i]))

    # -- truth ---------------------------------------------------------------------------
    def truth(self, spec: Spec) -> dict[str, Any]:
        net = self.net
        if isinstance(spec, Gps):
            pos = net.locate(spec.lon, spec.lat, OUTER)
            return self._route_truth(OUTER, pos.km, lonlat=(spec.lon, spec.lat))
        if isinstance(spec, Road | RoadPlace):
            geom = self.segments.geometry[spec.segment_id]
            c = np.asarray(geom.coords)[:, :2]
            x, y = self.to_metric.transform(c[:, 0], c[:, 1])
            line = LineString(np.column_stack([x, y]))
            if isinstance(spec, Road):
                p = line.interpolate(spec.frac, normalized=True)
            else:
                pt = net.region.places.geometry[spec.place]
                p = line.interpolate(line.project(Point(*self.to_metric.transform(pt.x, pt.y))))
            lon, lat = net.to_wgs.transform(p.x, p.y)
            return {
                "lon": round(float(lon), 6),
                "lat": round(float(lat), 6),
                "route_id": None,
                "km": None,
                "elevation_m": None,
            }
        route = spec.route
        if isinstance(spec, At):
            km = net.place_km(spec.place, route) + spec.dkm
        elif isinstance(spec, Km):
            km = spec.km
        elif isinstance(spec, Mid):
            a, b = net.place_km(spec.a, route), net.place_km(spec.b, route)
            km = a + spec.frac * ((b - a) % self.length_km(route))
        elif isinstance(spec, Walk):
            km = self.walk_km(route, net.place_km(spec.origin, route), spec.minutes, spec.direction)
        elif isinstance(spec, Until):
            km = self.until_km(route, net.place_km(spec.place, route), spec.minutes, spec.direction)
        elif isinstance(spec, Elev):
            lo, hi = (
                net.place_km(b, route) if isinstance(b, str) else b
                for b in (spec.lo_km, spec.hi_km)
            )
            km = self.elev_km(route, spec.metres, lo, hi)
        else:  # pragma: no cover
            raise TypeError(spec)
        return self._route_truth(route, self.wrap(route, km))

    def _route_truth(
        self, route: str, km: float, lonlat: tuple[float, float] | None = None
    ) -> dict[str, Any]:
        lon, lat, z = self.net.point_at(route, km)
        if lonlat is not None:
            lon, lat = lonlat
        return {
            "lon": round(float(lon), 6),
            "lat": round(float(lat), 6),
            "route_id": route,
            "km": round(float(km), 3),
            "elevation_m": round(float(z), 0),
        }

    def segment_of(self, truth: dict[str, Any], spec: Spec) -> tuple[str, list[str]]:
        if isinstance(spec, Road | RoadPlace):
            sid = spec.segment_id
        else:
            segs = self.segments[self.segments["route_id"] == truth["route_id"]]
            km = truth["km"]
            inside = segs[(segs["km_from"] <= km) & (km < segs["km_to"])]
            if inside.empty:  # the very end of a non-loop route
                inside = segs[segs["km_to"] >= km - 1e-6]
            sid = str(inside.index[0])
        p = Point(*self.to_metric.transform(truth["lon"], truth["lat"]))
        alt = sorted({s for s, end in self._ends if s != sid and end.distance(p) <= ALT_RADIUS_M})
        return sid, alt


def build() -> list[dict[str, Any]]:
    r = Resolver()
    rows = []
    for i, d in enumerate(DRAFTS, start=1):
        truth = r.truth(d.truth)
        text = d.text
        if d.fmt:
            text = text.format(**{k: f(truth["lon"], truth["lat"]) for k, f in d.fmt})
        sid, alt = r.segment_of(truth, d.truth)
        note = d.note
        if isinstance(d.truth, Gps):
            note += f"; fix seq {d.truth.seq} at {d.truth.time_utc}"
        rows.append(
            {
                "id": f"c{i:03d}",
                "text": text,
                "lang": d.lang,
                "clue_types": list(d.clues),
                "reported_at": d.reported_at,
                "direction": d.direction,
                "truth": truth,
                "truth_segment_id": sid,
                "alt_segment_ids": alt,
                "note": note,
                "source": {
                    "kind": "gps_holdout",
                    "track_id": d.truth.track_id,
                    "seq": d.truth.seq,
                    "time_utc": d.truth.time_utc,
                }
                if isinstance(d.truth, Gps)
                else {
                    "kind": type(d.truth).__name__.lower(),
                    **{k: v for k, v in vars(d.truth).items()},
                },
            }
        )
    return rows


def main() -> int:
    rows = build()
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    langs = Counter(r["lang"] for r in rows)
    clues = Counter(c for r in rows for c in r["clue_types"])
    routes = Counter(r["truth"]["route_id"] or "road" for r in rows)
    print(f"wrote {len(rows)} cases to {OUT.relative_to(ROOT)}")
    print("languages:", dict(langs))
    print("clue types:", dict(clues))
    print("routes:", dict(routes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
