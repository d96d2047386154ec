"""Reading coordinates out of callers' descriptions (``rescue.locate.coords``)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geodata.errors import InvalidInput
from rescue.locate.coords import CoordinateMatch, find_coordinates

#: The Kailash region's extent (geodata/kailash/metadata.json), lon/lat.
KAILASH = (81.177, 30.2861, 81.65, 31.10767)

DD = (31.0833, 81.35)
DM = (31 + 5.795 / 60, 81 + 20.856 / 60)  # N 31°05.795′ E 081°20.856′
DM0 = (31 + 5 / 60, 81 + 20 / 60)  # 31°05′ 81°20′
DMS = (31 + 5 / 60 + 47.7 / 3600, 81 + 20 / 60 + 51.4 / 3600)  # 31°05′47.7″ 81°20′51.4″
_TO_LONLAT = Transformer.from_crs("EPSG:32644", "EPSG:4326", always_xy=True)
_TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:32644", always_xy=True)
_lon, _lat = _TO_LONLAT.transform(535000.0, 3440000.0)
UTM = (_lat, _lon)
_lon_s, _lat_s = Transformer.from_crs("EPSG:32744", "EPSG:4326", always_xy=True).transform(
    535000.0, 3440000.0
)
UTM_SOUTH = (_lat_s, _lon_s)

LAT_FIRST = "decimal degrees, latitude first"
LON_FIRST = "decimal degrees, longitude first"
DM_LAT_FIRST = "degrees and decimal minutes, latitude first"
DMS_LAT_FIRST = "degrees, minutes and seconds, latitude first"


def flip(p: tuple[float, float]) -> tuple[float, float]:
    return p[1], p[0]


def full_width(s: str) -> str:
    return s.translate({ord(c): chr(ord(c) + 0xFEE0) for c in "0123456789.,"})


def only(text: str, **kw: object) -> CoordinateMatch:
    matches = find_coordinates(text, **kw)  # type: ignore[arg-type]
    assert len(matches) == 1, matches
    return matches[0]


# (text, bbox, [(lat, lon, label fragment), …] = every reading, in order, [written])
Case = tuple[
    str, "tuple[float, float, float, float] | None", list[tuple[float, float, str]], str | None
]
B = KAILASH
CASES: list[Case] = [
    # decimal degrees, either order
    ("we are at 31.0833, 81.35 please hurry", B, [(*DD, LAT_FIRST)], "31.0833, 81.35"),
    ("31.0833, 81.35", None, [(*DD, LAT_FIRST), (*flip(DD), LON_FIRST)], None),
    ("my phone says 81.3500 31.0833 I think", B, [(*DD, LON_FIRST)], "81.3500 31.0833"),
    ("81.3500 31.0833", None, [(*flip(DD), LAT_FIRST), (*DD, LON_FIRST)], None),
    ("coords 31.0833;81.3500.", B, [(*DD, LAT_FIRST)], "31.0833;81.3500"),
    ("31.08, 81.35 from the app", B, [(31.08, 81.35, LAT_FIRST)], "31.08, 81.35"),
    ("GPS: N31.0833 E81.35, we are cold", B, [(*DD, LAT_FIRST)], "N31.0833 E81.35"),
    ("N31.0833 E81.35", None, [(*DD, LAT_FIRST)], None),
    ("position 31.0833N 81.3500E near tents", None, [(*DD, LAT_FIRST)], "31.0833N 81.3500E"),
    ("31.0833° N, 81.3500° E", None, [(*DD, LAT_FIRST)], None),
    ("at 31.0833°, 81.3500° now", B, [(*DD, LAT_FIRST)], "31.0833°, 81.3500°"),
    ("N 31.0833; E 81.35", None, [(*DD, LAT_FIRST)], None),
    ("n31.0833/e81.35", None, [(*DD, LAT_FIRST)], None),
    ("E 81.35 N 31.0833", None, [(*DD, LON_FIRST)], None),
    ("lat 31.0833 lon 81.35", None, [(*DD, LAT_FIRST)], None),
    (
        "Latitude: 31.0833, Longitude: 81.3500, 5300 m",
        None,
        [(*DD, LAT_FIRST)],
        "Latitude: 31.0833, Longitude: 81.3500",
    ),
    ("long 81.35 and lat 31.0833", None, [(*DD, LON_FIRST)], None),
    (
        "lat/lon: 31.0833, 81.35",
        None,
        [(*DD, LAT_FIRST), (*flip(DD), "longitude first; the text says lat/lon")],
        None,
    ),
    ("lat/lon 81.35, 31.0833", B, [(*DD, "longitude first; the text says lat/lon")], None),
    (
        "lon/lat 81.3500, 31.0833",
        None,
        [(*DD, LON_FIRST), (*flip(DD), "latitude first; the text says lon/lat")],
        None,
    ),
    ("-31.0833, 81.3500", None, [(-31.0833, 81.35, LAT_FIRST), (81.35, -31.0833, LON_FIRST)], None),
    # degrees and decimal minutes
    ("31°05.795'N 81°20.856'E", None, [(*DM, DM_LAT_FIRST)], None),
    (
        "my phone shows N 31°05.795′ E 081°20.856′ near the big stones",
        B,
        [(*DM, DM_LAT_FIRST)],
        "N 31°05.795′ E 081°20.856′",
    ),
    ("N31 05.795 E81 20.856", None, [(*DM, DM_LAT_FIRST)], None),
    ("reading 31 05.795 81 20.856 off the garmin", B, [(*DM, DM_LAT_FIRST)], "31 05.795 81 20.856"),
    (
        "31 05.795 81 20.856",
        None,
        [(*DM, DM_LAT_FIRST), (*flip(DM), "degrees and decimal minutes, longitude first")],
        None,
    ),
    ("31°05.795 81°20.856", B, [(*DM, DM_LAT_FIRST)], None),
    ("N 31° 05.795’, E 81° 20.856’", None, [(*DM, DM_LAT_FIRST)], None),
    # degrees, minutes, seconds
    ("31°05'47.7\"N 81°20'51.4\"E", None, [(*DMS, DMS_LAT_FIRST)], None),
    ("31° 05′ 47.7″ N, 81° 20′ 51.4″ E", None, [(*DMS, DMS_LAT_FIRST)], None),
    ("N 31 05 47.7 E 81 20 51.4", None, [(*DMS, DMS_LAT_FIRST)], None),
    ("read out: 31 05 47.7 81 20 51.4", B, [(*DMS, DMS_LAT_FIRST)], "31 05 47.7 81 20 51.4"),
    ("31°05’47.7”N, 81°20’51.4”E", None, [(*DMS, DMS_LAT_FIRST)], None),
    ("N31°05'47.7'' E81°20'51.4''", None, [(*DMS, DMS_LAT_FIRST)], None),
    # decimal minutes typed as seconds
    (
        "31°05'79.5\"N 81°20'51.4\"E",
        B,
        [(DM[0], DMS[1], "seconds 79.5 are not below 60: read 05'79.5\" as 05.795'")],
        None,
    ),
    (
        "31°05'795\" N 81°20'856\" E",
        None,
        [(*DM, "read 05'795\" as 05.795' (decimal minutes)")],
        None,
    ),
    # UTM
    ("44N 535000 3440000", None, [(*UTM, "UTM zone 44N")], None),
    (
        "we are at 44R 535000E 3440000N, send help",
        B,
        [(*UTM, "UTM zone 44R (latitude band R, northern hemisphere)")],
        "44R 535000E 3440000N",
    ),
    ("UTM 535000 3440000", B, [(*UTM, "UTM zone 44N (zone assumed from the region)")], None),
    ("utm 44 N 535000mE 3440000mN", None, [(*UTM, "UTM zone 44N")], None),
    ("UTM 3440000 535000", B, [(*UTM, "northing first")], None),
    ("E 535000 N 3440000", B, [(*UTM, "UTM zone 44N")], None),
    ("zone 44 535000 3440000", B, [(*UTM, "hemisphere assumed from the region")], None),
    (
        "44S 535000 3440000",
        None,
        [(*UTM, "latitude band S, northern hemisphere"), (*UTM_SOUTH, "southern hemisphere")],
        None,
    ),
    ("44S 535000 3440000", B, [(*UTM, "latitude band S, northern hemisphere")], None),
    # Chinese
    ("北纬31.0833 东经81.35", None, [(*DD, LAT_FIRST)], None),
    ("我的位置是北纬31.0833，东经81.3500", B, [(*DD, LAT_FIRST)], "北纬31.0833，东经81.3500"),
    ("北纬31度05分 东经81度20分", None, [(*DM0, "degrees and minutes, latitude first")], None),
    ("纬度31.0833，经度81.35，海拔5300米", None, [(*DD, LAT_FIRST)], "纬度31.0833，经度81.35"),
    ("北纬３１．０８３３，东经８１．３５００", None, [(*DD, LAT_FIRST)], None),
    ("东经81.35 北纬31.0833", None, [(*DD, LON_FIRST)], None),
    ("北纬31度05分47.7秒，东经81度20分51.4秒", None, [(*DMS, DMS_LAT_FIRST)], None),
    (
        "手机显示北纬31°05.795′，东经81°20.856′",
        B,
        [(*DM, DM_LAT_FIRST)],
        "北纬31°05.795′，东经81°20.856′",
    ),
    (
        "坐标：" + full_width("31.0833,81.3500") + "，请快来",
        B,
        [(*DD, LAT_FIRST)],
        full_width("31.0833,81.3500"),
    ),
    ("北纬31.0833度 东经81.35度", None, [(*DD, LAT_FIRST)], None),
    ("纬度：31.0833 经度：81.3500", None, [(*DD, LAT_FIRST)], None),
    ("北緯31.0833 東經81.35", None, [(*DD, LAT_FIRST)], None),
    # mix-ups rescued by the region, with the assumption named
    ("S 31.0833 E 81.35", B, [(*DD, "south read as north")], None),
    ("S 31.0833 E 81.35", None, [(-31.0833, 81.35, LAT_FIRST)], None),
    ("E 31.0833 N 81.35", B, [(*DD, "latitude and longitude swapped")], None),
    ("-31.0833, 81.3500", B, [(*DD, "latitude first; minus sign dropped")], None),
    ("N31.0833E81.35", None, [(*DD, LAT_FIRST)], None),
    ("31.0833N81.3500E", None, [(*DD, LAT_FIRST)], None),
    ("lat:31.0833,lon:81.35", None, [(*DD, LAT_FIRST)], None),
    ("Lat 31° 5.795' Lon 81° 20.856'", None, [(*DM, DM_LAT_FIRST)], None),
    (
        "东经81度20.856分，北纬31度05.795分",
        None,
        [(*DM, "degrees and decimal minutes, longitude first")],
        None,
    ),
    # ordinary decimals are read only as decimal degrees (no invented D.MM readings)
    (
        "31.0547, 81.3412",
        None,
        [(31.0547, 81.3412, LAT_FIRST), (81.3412, 31.0547, LON_FIRST)],
        None,
    ),
]


@pytest.mark.parametrize(("text", "bbox", "expected", "written"), CASES)
def test_reads_every_format(
    text: str,
    bbox: tuple[float, float, float, float] | None,
    expected: list[tuple[float, float, str]],
    written: str | None,
) -> None:
    m = only(text, bbox=bbox)
    assert m.text == (written if written is not None else text)
    assert text[m.start : m.end] == m.text
    got = [(r.lat, r.lon, r.label) for r in m.readings]
    assert len(got) == len(expected), got
    for (lat, lon, label), (want_lat, want_lon, fragment) in zip(got, expected, strict=True):
        assert lat == pytest.approx(want_lat, abs=1e-5)
        assert lon == pytest.approx(want_lon, abs=1e-5)
        assert fragment in label
    for r in m.readings:
        assert r.text == m.text
        assert r.uncertainty_m > 0


@pytest.mark.parametrize(
    ("text", "uncertainty_m"),
    [
        ("N31.0833 E81.3500", 11.1),  # 4 decimals
        ("N 31.083300 E 81.350000", 0.111),
        ("N 31.08 E 81.35", 1113.0),
        ("N 31°05.795′ E 081°20.856′", 1.86),  # 3 decimals of a minute
        ("N 31°05′ E 081°20′", 1855.0),  # whole minutes
        ("31°05'47.7\"N 81°20'51.4\"E", 3.1),
        ("31°05'47\"N 81°20'51\"E", 30.9),
        ("44N 535000 3440000", 1.0),
        ("44N 535000.5 3440000.5", 0.1),
    ],
)
def test_uncertainty_follows_the_digits(text: str, uncertainty_m: float) -> None:
    (reading,) = only(text).readings
    assert reading.uncertainty_m == pytest.approx(uncertainty_m, rel=0.01)


def test_coarsest_part_sets_the_uncertainty() -> None:
    (reading,) = only("31.0833, 81.35", bbox=KAILASH).readings
    assert reading.uncertainty_m == pytest.approx(1113.2, rel=0.01)


def test_several_coordinates_in_one_text() -> None:
    text = "from N31.0833 E81.3500 we walked to 北纬31.05 东经81.30, then 44R 535000E 3440000N"
    matches = find_coordinates(text, bbox=KAILASH)
    assert [m.text for m in matches] == [
        "N31.0833 E81.3500",
        "北纬31.05 东经81.30",
        "44R 535000E 3440000N",
    ]
    assert [m.start for m in matches] == sorted(m.start for m in matches)
    for m in matches:
        assert text[m.start : m.end] == m.text


@pytest.mark.parametrize(
    "text",
    [
        "at 5300 m",
        "we have been walking 2 hours",
        "left at 8:30",
        "it is 13:30 now",
        "3 km past the monastery",
        "call 0897-2607026",
        "my number is 13912345678",
        "139 1234 5678",
        "in 2024",
        "left Darchen at 8:30, now 13:30, walked 3 km in 2 hours, at 5300 m",
        "5300 4700",
        "31, 81",
        "N 31 E 81",
        "2.5, 3.5 km",
        "between 10.25 and 11.50",
        "temperature -5.5°C, 10.5°C",
        "白天5度，晚上10度",
        "海拔5300米，走了2小时，电话13912345678",
        "8点30分出发，13点30分到",
        "2024-05-31 13:30",
        "room 31.0, 81.0",
        "31.0833",
        "lat 31.0833",
        "95.20, 181.30",
        "12 30 45 5 10 20",
        "version 1.2.3, 4.5.6",
        "for long 3.25, 4.50 hours",
        "lat 31.25, 81.50 km",
        "31.05.2024 and 192.168.1.1",
        "",
        "no digits at all",
    ],
)
def test_non_coordinates_give_no_match(text: str) -> None:
    assert find_coordinates(text) == []
    assert find_coordinates(text, bbox=KAILASH) == []


@pytest.mark.parametrize("text", ["left 8.30, 13.30", "paid 10.25, 20.50 yuan"])
def test_two_decimal_pairs_need_the_region(text: str) -> None:
    assert find_coordinates(text) == []
    assert find_coordinates(text, bbox=KAILASH) == []
    assert len(find_coordinates("31.08, 81.35", bbox=KAILASH)) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("N 95.2 E 81.3", "'N 95.2 E 81.3': latitude 95.2 is outside -90…90"),
        ("lat 31.08 lon 181.35", "'lat 31.08 lon 181.35': longitude 181.35 is outside -180…180"),
        ("31°65.5'N 81°20.8'E", "'31°65.5'N 81°20.8'E': minutes 65.5 are not below 60"),
        ("31°05'47.7\"N 81°75'51.4\"E", "minutes 75 are not below 60"),
        ("北纬31度75分 东经81度20分", "'北纬31度75分 东经81度20分': minutes 75 are not below 60"),
        ("44N 535000 34400000", "UTM northing 34,400,000 m is outside 0…10,000,000"),
        ("44N 950000 3440000", "UTM easting 950,000 m is outside 100,000…900,000"),
        ("61N 535000 3440000", "UTM zone 61 does not exist"),
        ("N 31.08 N 81.35", "'N 31.08 N 81.35': both numbers are marked as latitude"),
        ("E 535000 E 3440000", "both numbers are marked as easting"),
        ("latitude E81.35, N31.08", "labelled latitude but marked E"),
    ],
)
@pytest.mark.parametrize("bbox", [None, KAILASH])
def test_impossible_values_are_rejected_clearly(
    text: str, message: str, bbox: tuple[float, float, float, float] | None
) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)):
        find_coordinates(f"caller says {text} and waits", bbox=bbox)


@pytest.mark.parametrize(
    ("text", "km"),
    [
        ("N 40.1 E 116.4", 3273),  # Beijing
        ("39.9042, 116.4074", 3275),
        ("44N 535000 4440000", 1001),
        ("北纬29.65 东经91.13", 918),  # Lhasa
    ],
)
def test_places_outside_the_region_are_rejected_with_the_distance(text: str, km: int) -> None:
    with pytest.raises(InvalidInput) as exc:
        find_coordinates(f"we are at {text}", bbox=KAILASH, region_name="Kailash")
    msg = exc.value.message
    assert msg.startswith(f"'{text}'")
    found = re.search(r"lies ([\d,]+) km outside the region \(Kailash\)", msg)
    assert found is not None, msg
    assert int(found.group(1).replace(",", "")) == pytest.approx(km, rel=0.02)
    # without the region the same text is just read
    assert find_coordinates(text)


def test_outside_message_lists_every_reading() -> None:
    with pytest.raises(InvalidInput) as exc:
        find_coordinates("45.4642, 9.1900", bbox=KAILASH)  # Milan, or off Somalia
    assert "every other reading is farther" in exc.value.message
    assert len(exc.value.details) == 2
    assert all("km outside" in d for d in exc.value.details)


def test_margin_decides_what_is_outside() -> None:
    text = "N 30.0000 E 81.3000"  # about 32 km south of the box
    assert only(text, bbox=KAILASH).readings[0].lat == pytest.approx(30.0)
    with pytest.raises(InvalidInput, match="lies 32 km outside the region"):
        find_coordinates(text, bbox=KAILASH, margin_km=10)


def test_readings_outside_are_dropped_only_when_one_is_inside() -> None:
    assert len(only("31.0833, 81.35").readings) == 2
    assert len(only("31.0833, 81.35", bbox=KAILASH).readings) == 1


def test_a_missing_minus_sign_is_offered_in_a_southern_region() -> None:
    perth = (115.6, -32.2, 116.2, -31.6)
    (r,) = only("31.9505, 115.8605", bbox=perth).readings
    assert (r.lat, r.lon) == pytest.approx((-31.9505, 115.8605))
    assert r.label == "decimal degrees, latitude first; taken as south (no minus sign or S written)"


def test_outside_message_names_impossible_readings_too() -> None:
    with pytest.raises(InvalidInput) as exc:
        find_coordinates("95.2000, 81.3000", bbox=KAILASH)
    assert "longitude first) lies" in exc.value.message
    assert "latitude 95.2 is outside -90…90" in exc.value.details


def test_zone_of_zone_less_utm_comes_from_utm_crs() -> None:
    (r,) = only("UTM 535000 3440000", utm_crs="EPSG:32645").readings
    lon, lat = Transformer.from_crs("EPSG:32645", "EPSG:4326", always_xy=True).transform(
        535000, 3440000
    )
    assert (r.lat, r.lon) == pytest.approx((lat, lon), abs=1e-7)
    assert "UTM zone 45N" in r.label


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bbox": (81.6, 30.2, 81.1, 31.1)}, "is not a lon/lat box"),
        ({"bbox": (81.1, 30.2, 81.6)}, "four finite numbers"),
        ({"bbox": (81.1, 30.2, math.nan, 31.1)}, "four finite numbers"),
        ({"margin_km": -1.0}, "margin_km must be a finite number"),
        ({"utm_crs": "EPSG:4326"}, "is not a UTM CRS"),
        ({"utm_crs": "not a crs"}, "is not a known CRS"),
    ],
)
def test_bad_options_are_rejected(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        find_coordinates("N31.0833 E81.35", **kwargs)  # type: ignore[arg-type]


#: A call-length description with coordinates among many other numbers (also timed by
#: ``bench/bench_parse.py``).
CALL_TEXT = (
    "Hello, we are 3 people at 5300 m, left Drirapuk at 8:30, phone 13912345678, my phone "
    "shows N 31°05.795′ E 081°20.856′ near the big stones, walked 3 km in 2 hours. "
    "我的位置是北纬31.0833，东经81.3500，请快来，电话0897-2607026，海拔5300米"
).ljust(300, ".")

# Speed is measured by ``bench/bench_parse.py`` (p50 / p99 / max per call), never asserted
# here. A call takes well under 0.1 s, so the ``timeout`` marks below only catch a hang
# (catastrophic backtracking), with a margin of more than 100x; they measure nothing.


@pytest.mark.timeout(30)  # a hang guard, not a speed measurement
def test_a_call_length_text_gives_both_positions() -> None:
    matches = find_coordinates(CALL_TEXT, bbox=KAILASH)
    assert [m.text for m in matches] == ["N 31°05.795′ E 081°20.856′", "北纬31.0833，东经81.3500"]
    (dm,) = matches[0].readings
    assert (dm.lat, dm.lon) == pytest.approx(DM, abs=1e-7)
    (dd,) = matches[1].readings
    assert (dd.lat, dd.lon) == pytest.approx(DD, abs=1e-7)
    for _ in range(100):
        assert find_coordinates(CALL_TEXT, bbox=KAILASH) == matches


# ------------------------------------------------------------------ properties

_COORDINATE_ALPHABET = st.sampled_from(
    list("0123456789.,;:/ -+°'\"NSEWnsewmE")
    + [
        "北纬",
        "东经",
        "度",
        "分",
        "秒",
        "UTM",
        "44R",
        "lat",
        "lon",
        "，",
        "．",
        "３",
        "′",
        "″",
        "\n",
    ]
)


@pytest.mark.timeout(300)  # a hang guard for all 300 examples together, not a speed measurement
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(
        st.text(max_size=2000),
        st.lists(_COORDINATE_ALPHABET, max_size=400).map("".join),
    ),
    use_bbox=st.booleans(),
)
def test_any_text_gives_matches_or_invalid_input(text: str, use_bbox: bool) -> None:
    try:
        matches = find_coordinates(text, bbox=KAILASH if use_bbox else None)
    except InvalidInput as exc:
        assert exc.message.startswith("'")
        return
    end = -1
    for m in matches:
        assert text[m.start : m.end] == m.text
        assert m.start >= end
        end = m.end
        assert m.readings
        for r in m.readings:
            assert -90 <= r.lat <= 90 and -180 <= r.lon <= 180
            assert r.uncertainty_m > 0


def _dm(v: float, decimals: int = 3) -> tuple[int, str]:
    unit = 10**decimals
    d, r = divmod(round(v * 60 * unit), 60 * unit)
    return d, f"{r // unit:02d}.{r % unit:0{decimals}d}"


def _dms(v: float) -> tuple[int, int, str]:
    d, r = divmod(round(v * 36000), 36000)
    m, s = divmod(r, 600)
    return d, m, f"{s // 10:02d}.{s % 10}"


def _fmt_dm(lat: float, lon: float) -> str:
    (a, am), (b, bm) = _dm(lat), _dm(lon)
    return f"N {a}°{am}′ E {b:03d}°{bm}′"


def _fmt_dms(lat: float, lon: float) -> str:
    (a, am, a_s), (b, bm, b_s) = _dms(lat), _dms(lon)
    return f"{a}°{am:02d}'{a_s}\"N {b}°{bm:02d}'{b_s}\"E"


def _fmt_zh_dms(lat: float, lon: float) -> str:
    (a, am, a_s), (b, bm, b_s) = _dms(lat), _dms(lon)
    return f"北纬{a}度{am}分{a_s}秒，东经{b}度{bm}分{b_s}秒"


def _fmt_bare_dm(lat: float, lon: float) -> str:
    (a, am), (b, bm) = _dm(lat), _dm(lon)
    return f"{a} {am} {b} {bm}"


def _fmt_utm(lat: float, lon: float) -> str:
    e, n = _TO_UTM.transform(lon, lat)
    return f"44R {e:.0f}E {n:.0f}N"


# (name, formatter, tolerance in degrees)
FORMATS: list[tuple[str, Callable[[float, float], str], float]] = [
    ("dd", lambda lat, lon: f"{lat:.6f}, {lon:.6f}", 0.5e-6),
    ("dd lon first", lambda lat, lon: f"{lon:.5f} {lat:.5f}", 0.5e-5),
    ("dd hemispheres", lambda lat, lon: f"N{lat:.5f} E{lon:.5f}", 0.5e-5),
    ("dd suffixes", lambda lat, lon: f"{lat:.5f}°N, {lon:.5f}°E", 0.5e-5),
    ("dm", _fmt_dm, 0.5e-3 / 60),
    ("bare dm", _fmt_bare_dm, 0.5e-3 / 60),
    ("dms", _fmt_dms, 0.05 / 3600),
    ("labels", lambda lat, lon: f"lat {lat:.5f} lon {lon:.5f}", 0.5e-5),
    ("zh dd", lambda lat, lon: f"北纬{lat:.5f}，东经{lon:.5f}", 0.5e-5),
    ("zh full width", lambda lat, lon: full_width(f"北纬{lat:.5f}，东经{lon:.5f}"), 0.5e-5),
    ("zh lon first", lambda lat, lon: f"东经{lon:.5f} 北纬{lat:.5f}", 0.5e-5),
    ("zh dms", _fmt_zh_dms, 0.05 / 3600),
    ("utm", _fmt_utm, 1e-5),
]


@pytest.mark.parametrize(("name", "fmt", "tolerance"), FORMATS, ids=[f[0] for f in FORMATS])
@settings(max_examples=60, deadline=None)
@given(
    lat=st.floats(KAILASH[1], KAILASH[3]),
    lon=st.floats(KAILASH[0], KAILASH[2]),
)
def test_round_trip_in_every_format(
    name: str, fmt: Callable[[float, float], str], tolerance: float, lat: float, lon: float
) -> None:
    written = fmt(lat, lon)
    m = only(f"the caller reads {written} off the phone", bbox=KAILASH)
    assert m.text == written
    first = m.readings[0]
    assert first.lat == pytest.approx(lat, abs=tolerance + 1e-9)
    assert first.lon == pytest.approx(lon, abs=tolerance + 1e-9)
    error_m = math.hypot(first.lat - lat, (first.lon - lon) * math.cos(math.radians(lat)))
    assert error_m * 111_320 <= first.uncertainty_m + 0.01
