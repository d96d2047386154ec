"""Map links, geo: URIs, Plus Codes and app datums (rescue.locate.mapapps), and what the
locator makes of them."""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, locate
from rescue.locate.chinamaps import wgs84_to_bd09, wgs84_to_gcj02
from rescue.locate.coords import find_coordinates
from rescue.locate.mapapps import find_links, with_app_datum
from rescue.locate_eval.evaluate import distance_m
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 11, 0, tzinfo=LOCAL_TZ)
LON, LAT = 81.3106, 31.0790  # on the climb to the pass
BBOX = (80.9, 30.2, 81.8, 31.3)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


def _only(text: str) -> tuple[float, float, str]:
    (m,) = find_links(text, BBOX)
    r = m.readings[0]
    return r.lon, r.lat, r.label


def test_amap_link_is_gcj02_lng_lat() -> None:
    g = wgs84_to_gcj02(LON, LAT)
    lon, lat, label = _only(
        f"看这个 https://uri.amap.com/marker?position={g[0]:.6f},{g[1]:.6f}&name=x 快来"
    )
    assert distance_m(lon, lat, LON, LAT) < 1.0 and "Amap" in label


def test_baidu_link_is_bd09_lat_lng() -> None:
    b = wgs84_to_bd09(LON, LAT)
    lon, lat, _ = _only(f"https://api.map.baidu.com/marker?location={b[1]:.6f},{b[0]:.6f}&title=me")
    assert distance_m(lon, lat, LON, LAT) < 1.0


@pytest.mark.parametrize(
    "link",
    [
        f"https://www.google.com/maps/search/?api=1&query={LAT},{LON}",
        f"https://maps.google.com/?q={LAT},{LON}",
        f"https://www.google.com/maps/@{LAT},{LON},15z",
        f"geo:{LAT},{LON}?z=17",
    ],
)
def test_google_and_geo_links_are_wgs84(link: str) -> None:
    lon, lat, _ = _only(f"my location {link} please")
    assert (lon, lat) == pytest.approx((LON, LAT))


def test_apple_link_gets_both_readings() -> None:
    g = wgs84_to_gcj02(LON, LAT)
    (m,) = find_links(f"https://maps.apple.com/?ll={g[1]:.6f},{g[0]:.6f}&q=Pin", BBOX)
    assert len(m.readings) == 2
    assert distance_m(m.readings[0].lon, m.readings[0].lat, LON, LAT) < 1.0


def test_plus_codes_full_and_short() -> None:
    from openlocationcode import openlocationcode as olc

    code = olc.encode(LAT, LON, 10)
    lon, lat, _ = _only(f"plus code {code} help")
    assert distance_m(lon, lat, LON, LAT) < 15.0
    lon, lat, label = _only(f"plus code {code[4:]} near the pass")
    assert distance_m(lon, lat, LON, LAT) < 15.0 and "short" in label


def test_words_that_look_like_codes_are_not_codes() -> None:
    assert find_links("call 13800138000 or 5300+ metres, room 2C+F", BBOX) == []


@pytest.mark.parametrize(
    ("app", "convert"),
    [("高德地图显示", wgs84_to_gcj02), ("百度地图上", wgs84_to_bd09), ("微信位置", wgs84_to_gcj02)],
)
def test_named_app_converts_decimal_coordinates(app: str, convert) -> None:  # type: ignore[no-untyped-def]
    x, y = convert(LON, LAT)
    text = f"{app} {y:.6f}, {x:.6f}"
    matches, note = with_app_datum(text, find_coordinates(text, bbox=BBOX))
    r = matches[0].readings[0]
    assert distance_m(r.lon, r.lat, LON, LAT) < 1.0 and note


def test_unknown_app_keeps_wgs84_first_and_adds_gcj02() -> None:
    text = f"{LAT:.6f}, {LON:.6f}"
    matches, note = with_app_datum(text, find_coordinates(text, bbox=BBOX))
    rs = matches[0].readings
    assert (rs[0].lon, rs[0].lat) == pytest.approx((LON, LAT))
    assert 100 < distance_m(rs[1].lon, rs[1].lat, LON, LAT) < 1000 and note


def test_gps_named_means_no_conversion() -> None:
    text = f"GPS says {LAT:.6f}, {LON:.6f}"
    matches, note = with_app_datum(text, find_coordinates(text, bbox=BBOX))
    assert len(matches[0].readings) == 1 and note is None


def test_locator_places_an_amap_reading_on_the_trail(kailash: RouteNetwork) -> None:
    km = kailash.place_km("phakna_rigzin_supply", "outer_kora") + 0.4
    lon, lat, _ = kailash.point_at("outer_kora", km)
    g = wgs84_to_gcj02(lon, lat)
    top = locate(kailash, f"高德地图显示坐标 {g[0]:.6f},{g[1]:.6f}", reported_at=AT).candidates[0]
    assert distance_m(top.lon, top.lat, lon, lat) < 60.0
    raw = locate(kailash, f"坐标 {g[1]:.6f},{g[0]:.6f} 是GPS", reported_at=AT).candidates[0]
    assert distance_m(raw.lon, raw.lat, lon, lat) > 150.0  # read as GPS it is elsewhere


def test_an_app_that_failed_is_not_the_source() -> None:
    text = f"微信发不出去位置，纬度经度是 {LAT:.4f}, {LON:.4f}"
    matches, _ = with_app_datum(text, find_coordinates(text, bbox=BBOX))
    assert (matches[0].readings[0].lon, matches[0].readings[0].lat) == pytest.approx((LON, LAT))
