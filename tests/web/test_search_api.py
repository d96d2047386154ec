"""GET /api/search/places and /api/search/coordinates: the map's find box."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyproj import Transformer

from geodata.i18n import render
from rescue.locate.chinamaps import wgs84_to_gcj02
from tests.web.conftest import signed_in_client
from tests.web.test_chinese import english_words
from web import search_api
from web.search_api import MAX_LIMIT, MAX_QUERY_CHARS
from web.state import get_state

#: Drölma-la pass (place ``dolma_la``), where the tests point
DOLMA_LA = "dolma_la"


@pytest.fixture
def reader(app: Flask) -> FlaskClient:
    return signed_in_client(app, "call_taker")


def place_point(app: Flask, place_id: str) -> tuple[float, float]:
    with app.app_context():
        point = get_state().network.region.places.loc[place_id].geometry
    return float(point.x), float(point.y)


@pytest.mark.parametrize(
    "query",
    [
        "Drolma La",
        "Dolma-la",
        "Drölma-la",
        "zhuomala",
        "zhuómǎlā",
        "卓玛拉山口",
        "卓马拉",
        "drolma",
    ],
)
def test_a_place_is_found_by_any_of_its_names(reader: FlaskClient, query: str) -> None:
    response = reader.get("/api/search/places", query_string={"q": query})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["query"] == query
    first = body["matches"][0]
    assert first["place_id"] == DOLMA_LA, body["matches"]
    assert first["name_zh"] == "卓玛拉山口"
    assert first["type"] == "pass"
    assert 0 < first["score"] <= 1


def test_tibetan_script_finds_the_place(reader: FlaskClient) -> None:
    body = reader.get("/api/search/places", query_string={"q": "གངས་རིན་པོ་ཆེ"}).get_json()
    assert body["matches"][0]["place_id"] == "kailash_summit"


def test_a_match_has_its_names_and_position(app: Flask, reader: FlaskClient) -> None:
    body = reader.get("/api/search/places", query_string={"q": "Darchen", "limit": 3}).get_json()
    assert 1 <= body["count"] == len(body["matches"]) <= 3
    first = body["matches"][0]
    assert first["place_id"] == "darchen" and first["name_zh"] == "塔钦"
    assert first["name_bo"] == "དར་ཆེན"
    lon, lat = place_point(app, "darchen")
    assert (first["lon"], first["lat"]) == (round(lon, 6), round(lat, 6))
    scores = [m["score"] for m in body["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_nothing_found_is_an_empty_answer(reader: FlaskClient) -> None:
    response = reader.get("/api/search/places", query_string={"q": "xyzzyq"})
    assert response.status_code == 200
    assert response.get_json() == {"query": "xyzzyq", "count": 0, "matches": []}


@pytest.mark.parametrize(
    "query_string",
    [
        {},
        {"q": "   "},
        {"q": "x" * (MAX_QUERY_CHARS + 1)},
        {"q": "darchen", "limit": "0"},
        {"q": "darchen", "limit": str(MAX_LIMIT + 1)},
        {"q": "darchen", "limit": "ten"},
        {"q": "darchen", "type": "town"},
    ],
)
def test_bad_place_queries_are_422_in_both_languages(
    reader: FlaskClient, query_string: dict[str, str]
) -> None:
    for lang, expected in (("en", "en"), ("zh-CN,zh;q=0.9", "zh")):
        response = reader.get(
            "/api/search/places", query_string=query_string, headers={"Accept-Language": lang}
        )
        assert response.status_code == 422
        error = response.get_json()["error"]
        assert error["code"] == "invalid_input"
        both = error["data"]["message"]
        assert both["en"] and not any("\u4e00" <= ch <= "\u9fff" for ch in both["en"])
        assert any("\u4e00" <= ch <= "\u9fff" for ch in both["zh"]), both
        assert error["message"] == both[expected]


def test_a_repeated_parameter_is_refused(reader: FlaskClient) -> None:
    response = reader.get("/api/search/places?q=a&q=b")
    assert response.status_code == 422


def test_search_needs_a_signed_in_reader(app: Flask) -> None:
    assert app.test_client().get("/api/search/places?q=darchen").status_code == 401
    assert app.test_client().get("/api/search/coordinates?q=31.1,81.3").status_code == 401


# --------------------------------------------------------------------------- coordinates


def coords(reader: FlaskClient, q: str) -> dict:
    response = reader.get("/api/search/coordinates", query_string={"q": q})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def near(reading: dict, lon: float, lat: float, tol: float = 2e-5) -> bool:
    return abs(reading["lon"] - lon) < tol and abs(reading["lat"] - lat) < tol


def test_decimal_degrees_give_the_gps_and_the_chinese_app_reading(reader: FlaskClient) -> None:
    body = coords(reader, "31.0667, 81.3125")
    first = body["readings"][0]
    assert near(first, 81.3125, 31.0667)
    assert first["label"] == "decimal degrees, latitude first"
    assert first["label_zh"] == "十进制度，纬度在前"
    assert first["in_region"] is True
    # no app or GPS named: the GCJ-02 reading comes second
    assert len(body["readings"]) == 2 and "GCJ-02" in body["readings"][1]["label"]


@pytest.mark.parametrize(
    "text",
    [
        "31°04'00\"N 81°18'45\"E",
        "N 31° 4.000' E 81° 18.750'",
        "北纬31.0667 东经81.3125",
        "geo:31.0667,81.3125",
        "https://www.google.com/maps?q=31.0667,81.3125",
    ],
)
def test_every_written_form_is_read(reader: FlaskClient, text: str) -> None:
    body = coords(reader, text)
    assert near(body["readings"][0], 81.3125, 31.0667, tol=2e-4), body


def test_utm_and_plus_codes(reader: FlaskClient) -> None:
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32644", always_xy=True).transform(
        81.3125, 31.0667
    )
    body = coords(reader, f"44R {round(x)} {round(y)}")
    assert near(body["readings"][0], 81.3125, 31.0667, tol=3e-5)
    assert body["readings"][0]["label"].startswith("UTM zone 44R")
    zone = render("locate.utm_zone_band_north", "zh", zone="44R", band="R")
    assert body["readings"][0]["label_zh"] == zone
    from openlocationcode import openlocationcode as olc

    code = olc.encode(31.0667, 81.3125)
    body = coords(reader, code)
    assert near(body["readings"][0], 81.3125, 31.0667, tol=2e-4)
    body = coords(reader, code[4:])  # the short code, recovered near the region
    assert near(body["readings"][0], 81.3125, 31.0667, tol=2e-4)


def test_an_amap_link_is_converted_from_gcj02(reader: FlaskClient) -> None:
    lon, lat = wgs84_to_gcj02(81.3125, 31.0667)
    body = coords(reader, f"https://uri.amap.com/marker?position={lon:.6f},{lat:.6f}")
    (reading,) = body["readings"]
    assert near(reading, 81.3125, 31.0667, tol=1e-5)
    assert reading["label_zh"] == render("locate.link_amap", "zh")


@pytest.mark.parametrize("text", ["hello", "Darchen", "95.5, 81.3", "31.06 181.3", "44R 1 2"])
def test_no_usable_coordinate_is_a_422_in_both_languages(reader: FlaskClient, text: str) -> None:
    response = reader.get(
        "/api/search/coordinates", query_string={"q": text}, headers={"Accept-Language": "zh"}
    )
    assert response.status_code == 422, response.get_json()
    error = response.get_json()["error"]
    assert error["message"] == error["data"]["message"]["zh"]
    assert text in error["data"]["message"]["en"]


def test_a_coordinate_far_outside_the_region_is_a_422(reader: FlaskClient) -> None:
    response = reader.get("/api/search/coordinates", query_string={"q": "39.9042, 116.4074"})
    assert response.status_code == 422
    assert "outside the region" in response.get_json()["error"]["message"]


#: a written form of the test position, and the catalog key of its first reading's label
LINKS = [
    ("https://map.baidu.com/?latlng=31.0667,81.3125", "locate.link_baidu"),
    ("https://maps.apple.com/?ll=31.0667,81.3125", "locate.link_apple_gcj02"),
    ("geo:31.0667,81.3125", "locate.link_geo"),
    ("https://www.google.com/maps?q=31.0667,81.3125", "locate.link_google"),
    ("8M333887+M2", "locate.plus_code"),
    ("3887+M2", "locate.plus_code_short"),
]


@pytest.mark.parametrize(("text", "key"), LINKS)
def test_link_and_plus_code_labels_are_the_catalogs(
    reader: FlaskClient, text: str, key: str
) -> None:
    first = coords(reader, text)["readings"][0]
    assert near(first, 81.3125, 31.0667, tol=0.02)  # Baidu's and Apple's are converted
    assert (first["label"], first["label_zh"]) == (render(key, "en"), render(key, "zh"))


@pytest.mark.parametrize(
    "text",
    [
        "31.0667, 81.3125",
        "31°04'00\"N 81°18'45\"E",
        "N 31° 4.000' E 81° 18.750'",
        "31,0667 81,3125",
        "-31.0667, 81.3125",
        "44R 529812 3437036",
        *(link for link, _ in LINKS),
    ],
)
def test_every_reading_label_reads_in_chinese_from_the_one_catalog(
    reader: FlaskClient, text: str
) -> None:
    """The labels are the locator's catalog texts (geodata.i18n), rendered in Chinese: no
    English phrase is left, and the search has no translation table of its own."""
    for reading in coords(reader, text)["readings"]:
        assert reading["label_zh"] != reading["label"]
        assert english_words(reading["label_zh"]) == [], reading
    assert not [name for name in vars(search_api) if "LABEL" in name.upper()]


# --------------------------------------------------------------------------- fuzzing


@pytest.mark.parametrize(
    "q",
    [
        "\x00",
        "+",
        "++++",
        "geo:",
        "http://",
        "1" * MAX_QUERY_CHARS,
        "31.0,81.0 " * 25,
        "٣١٫٠٦ ٨١٫٣١",
        "‮Darchen",
        "🏔️",
        "NaN, NaN",
        "1e308, 1e308",
        "-0.0000, -0.0000",
        "99R 999999 99999999",
    ],
)
@pytest.mark.parametrize("endpoint", ["places", "coordinates"])
def test_hostile_queries_are_never_a_server_error(
    reader: FlaskClient, endpoint: str, q: str
) -> None:
    response = reader.get(f"/api/search/{endpoint}", query_string={"q": q})
    assert response.status_code in (200, 400, 422), (q, response.get_data(as_text=True)[:300])
    assert response.is_json


@pytest.mark.parametrize("endpoint", ["places", "coordinates"])
def test_bytes_that_are_not_utf8_are_never_a_server_error(
    reader: FlaskClient, endpoint: str
) -> None:
    for raw in ("%ff%fe", "%ED%A0%80", "%00"):  # not UTF-8, an encoded lone surrogate, NUL
        response = reader.get(f"/api/search/{endpoint}?q={raw}")
        assert response.status_code in (200, 400, 422) and response.is_json, raw


def test_schemathesis_finds_nothing_in_the_search_endpoints(app: Flask) -> None:
    """The published schemas of both endpoints, fuzzed as tests/security does for all."""
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis import GenerationMode

    from tests.security.test_schemathesis import CHECKS, _session

    schema, headers, cookies = _session(app)
    operations = [
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().label.startswith("GET /api/search/")
    ]
    assert len(operations) == 2
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=40,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.explicit, Phase.generate],
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: object) -> None:
                response = case.call(app=app, headers=headers, cookies=cookies)  # type: ignore[attr-defined]
                case.validate_response(response, checks=CHECKS)  # type: ignore[attr-defined]

            try:
                run()
            except Exception as exc:  # noqa: BLE001  (collected, reported together)
                for failure in getattr(exc, "exceptions", [exc]):
                    failures.append(f"{operation.label} [{mode.value}]: {failure}"[:3000])
    assert not failures, "\n\n".join(failures)
