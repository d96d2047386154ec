"""The field sheet's content (``rescue.field_sheet``) on the committed Kailash network."""

from __future__ import annotations

import pytest
from pyproj import Transformer

from geodata import load_region
from rescue.approach import plan_approach
from rescue.field_sheet import dms, field_sheet, utm
from rescue.plan_export import answer_parts
from routes import RouteNetwork, build_network


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.mark.parametrize(
    ("value", "pos", "neg", "text"),
    [
        (31.0785, "N", "S", "31°04'42.6\"N"),
        (81.3125, "E", "W", "81°18'45.0\"E"),
        (-0.5, "N", "S", "0°30'00.0\"S"),
        (30.99999999, "N", "S", "31°00'00.0\"N"),  # rounding carries into the degrees
    ],
)
def test_dms(value: float, pos: str, neg: str, text: str) -> None:
    assert dms(value, pos, neg) == text


def test_utm_is_epsg_32644(kailash: RouteNetwork) -> None:
    lon, lat = 81.31, 31.07
    x, y = Transformer.from_crs(4326, 32644, always_xy=True).transform(lon, lat)
    got = utm(kailash, lon, lat)
    assert got["crs"] == "EPSG:32644"
    assert got["zone"] == "44N"
    assert (got["easting_m"], got["northing_m"]) == (round(x), round(y))
    # the band letter, as the map writes it: 31° N is band R (24–32° N), not "N" (0–8° N)
    assert got["text"] == f"44R {round(x)} E {round(y)} N"


def test_the_sheet_of_a_plan(kailash: RouteNetwork) -> None:
    lon, lat, _ = kailash.point_at("outer_kora", 26.0)
    answer = plan_approach(kailash, (lon, lat), needs=("fracture",)).to_dict()
    parts = answer_parts(answer, None)
    sheet = field_sheet(
        kailash, parts.plan, target=parts.target, evacuation=parts.evacuation, reason=parts.reason
    )
    target = sheet["targets"][0]
    assert target["km_post"]["route_id"] == "outer_kora"
    assert target["km_post"]["km"] == pytest.approx(26.0, abs=0.2)
    assert target["km_post"]["route"]["zh"]  # the route's Chinese name
    assert target["dms"].endswith("E") and "N " in target["dms"]
    assert len(sheet["legs"]) == len(parts.plan["legs"])
    assert sheet["legs"][0]["mode_name"]["zh"] in ("车辆", "步行")
    assert sheet["station"]["station_id"] == answer["recommended"]
    assert "骨折" in sheet["reason"]["zh"]
    ids = [c["station_id"] for c in sheet["contacts"]]
    assert ids[0] == answer["recommended"] and ids[-1] == "baga_health_centre"
    assert sheet["evacuation"]["destination"]["name"]["zh"] == "巴嘎镇卫生院"
