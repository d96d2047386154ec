"""Issue 13: relation and walk words as real callers say them (``_relations``, ``_walks``,
``_likelihoods``): slopes, bare "past X", places not yet reached, the latest landmark."""

from __future__ import annotations

from datetime import datetime

import pytest

from geodata import load_region
from rescue.locate import LOCAL_TZ, locate
from routes import RouteNetwork, build_network

AT = datetime(2025, 7, 12, 9, 30, tzinfo=LOCAL_TZ)


@pytest.fixture(scope="module")
def kailash() -> RouteNetwork:
    return build_network(load_region("kailash"))


@pytest.mark.parametrize(
    "text",
    [
        "we are by the river, about an hour down from the pass, my mother is shivering",
        "we are by the river, 2 km down from Drolma La, my mother is shivering",
        "我们在河边，从卓玛拉山口下来大概一个小时，我妈在发抖",
    ],
)
def test_an_amount_down_from_the_pass_is_beyond_it(kailash: RouteNetwork, text: str) -> None:
    """ "an hour down from the pass": on the descent beyond it in the walking direction, not
    either side of it (as "an hour from the pass" would be)."""
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.anchor.place_ids[0][0] == "dolma_la"]
    assert rel and rel[0].kind == "down_from"
    assert rel[0].duration_s is not None or rel[0].distance_m is not None
    dolma = kailash.place_km("dolma_la", "outer_kora")
    assert result.range_80 is not None and result.range_80.route_id == "outer_kora"
    assert dolma + 0.5 < result.range_80.median_km < dolma + 5.0
    before = sum(
        c.probability
        for c in result.candidates
        if c.route_id == "outer_kora" and c.km_range and c.km_range[1] <= dolma + 0.01
    )
    assert before < 0.1


def test_an_amount_up_from_a_place_is_climbing_on_from_it(kailash: RouteNetwork) -> None:
    result = locate(
        kailash, "we are two hours up from Dirapuk, my father can't breathe", reported_at=AT
    )
    rel = [r for r in result.clues.relations if r.anchor.place_ids[0][0].startswith("drirapuk")]
    assert rel and rel[0].kind == "after" and rel[0].duration_s is not None


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("从止热寺出来徒步七公里就是垭口，我们已经走了五公里左右，还没到", "dolma_la"),
        ("看得见卓玛拉山口了，路很陡，还没到呢，老人喘不上气", "dolma_la"),
        ("the pass is steep, we are not there yet, my father can't breathe", "dolma_la"),
        ("we can see Shiva Tsal, but we haven't got to it yet", "shiva_tsal"),
    ],
)
def test_not_reached_yet_puts_the_place_just_named_ahead(
    kailash: RouteNetwork, text: str, place: str
) -> None:
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.anchor.place_ids[0][0] == place]
    assert rel and rel[0].kind in ("before", "up_to")
    km = kailash.place_km(place, "outer_kora")
    assert result.range_80 is not None and result.range_80.median_km < km


def test_a_distance_walked_said_with_we_is_the_walk_from_the_place(
    kailash: RouteNetwork,
) -> None:
    """ "从止热寺出来…，我们已经走了五公里左右": the 5 km are walked from Dirapuk."""
    text = "从止热寺出来徒步七公里就是垭口，我们已经走了五公里左右，还没到"
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.anchor.place_ids[0][0].startswith("drirapuk")]
    assert rel and rel[0].kind == "after" and rel[0].distance_m is not None
    lo, hi = rel[0].distance_m
    assert lo <= 5000.0 <= hi


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("we have not reached Zutulpuk yet, my wife is dizzy", "zutulpuk_gompa"),
        ("还没到尊珠寺，老婆头晕", "zutulpuk_gompa"),
        ("我们还没到止热寺，同伴腿抽筋了", "drirapuk_iron_bridge"),
    ],
)
def test_before_a_place_without_an_amount_is_mostly_the_last_few_km(
    kailash: RouteNetwork, text: str, place: str
) -> None:
    """ "not yet at X" with no amount: most callers are within a few km of X (the next
    landmark), with a tail for a far goal, not spread evenly over a day's walk."""
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    km = kailash.place_km(place, "outer_kora")
    rng = result.range_80
    assert rng is not None and rng.route_id == "outer_kora"
    assert 0.0 < km - rng.median_km < 2.5
    assert km - rng.km_from < 6.5


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("止熱普寺到卓瑪拉山口這段亂石路，我們差不多走了一半，老人喘不過氣", "halfway"),
        ("止热寺到卓玛拉山口这段乱石路，我们差不多走了一半", "halfway"),
        ("止热寺到卓玛拉山口这段路很陡，老人喘不过气", "between"),
    ],
)
def test_the_stretch_from_one_place_to_another(kailash: RouteNetwork, text: str, kind: str) -> None:
    """ "X到Y这段路": the stretch between them (halfway with "走了一半"), not "at Y"."""
    result = locate(kailash, text, reported_at=AT)
    rel = [r for r in result.clues.relations if r.other is not None]
    assert rel and rel[0].kind == kind
    assert rel[0].other is not None and rel[0].other.place_ids[0][0] == "dolma_la"


@pytest.mark.parametrize(
    "text",
    [
        "we left Dirapuk and are climbing to Drolma La, halfway up, my wife can't go on",
        "从止热寺出发往卓玛拉山口爬，爬了一半，老婆走不动了",
    ],
)
def test_half_of_the_walk_from_one_place_to_the_next(kailash: RouteNetwork, text: str) -> None:
    """A narrative: left X, climbing to Y, half done: halfway between X and Y."""
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.kind == "halfway"]
    assert rel and rel[0].other is not None
    assert rel[0].anchor.place_ids[0][0].startswith("drirapuk")
    assert rel[0].other.place_ids[0][0] == "dolma_la"
    gangga = kailash.place_km("gangga_guesthouse", "outer_kora")
    dolma = kailash.place_km("dolma_la", "outer_kora")
    assert result.range_80 is not None
    assert abs(result.range_80.median_km - (gangga + dolma) / 2) < 1.5


def test_after_the_night_at_a_place_the_walk_began_there(kailash: RouteNetwork) -> None:
    """ "after the night at Derapuk we are climbing…": today's walk began there (past it),
    the caller is not at it."""
    text = "after the night at Derapuk we are climbing to the pass, my wife can't go on"
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.anchor.place_ids[0][0].startswith("drirapuk")]
    assert rel and rel[0].kind == "after"


@pytest.mark.parametrize(
    "text",
    [
        "从Yamdwar走了大概六公里，同伴喘不过气",
        "从止热寺走了六公里左右，同伴喘不过气",
    ],
)
def test_a_distance_walked_from_a_place_counts_from_it(kailash: RouteNetwork, text: str) -> None:
    """ "从X走了大概六公里": the departure words already say "walked", so the distance that
    follows is how far past X the caller is (issue 13, class 4)."""
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.kind == "after"]
    assert rel and rel[0].distance_m is not None
    assert rel[0].distance_m[0] <= 6000.0 <= rel[0].distance_m[1]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("यमद्वार से 10 किमी चल चुके, please help my father", "after"),
        ("Yamdwar se 10 km chale, my father can't breathe", "after"),
        ("Yamdwar se 10 km, my father can't breathe", "near"),
    ],
)
def test_hindi_from_a_place_with_a_distance(kailash: RouteNetwork, text: str, kind: str) -> None:
    """Hindi "X से 10 किमी" (10 km from X; चल चुके / chale = walked): a distance from X,
    on from it when walked (issue 13, Hindi names Indian pilgrims use)."""
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.anchor.place_ids[0][0] == "chorten_kangnyi"]
    assert rel and rel[0].kind == kind
    assert rel[0].distance_m is not None and rel[0].distance_m[0] <= 10000.0 <= rel[0].distance_m[1]


def test_hindi_arrival_is_at_the_place(kailash: RouteNetwork) -> None:
    """ "डेरापुक पहुँच गए" (arrived at Derapuk): the caller is there."""
    text = "डेरापुक पहुँच गए, my mother can't breathe"
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.anchor.place_ids[0][0] == "drirapuk_gompa"]
    assert rel and rel[0].kind == "at"


def test_just_below_a_place_is_close_to_it(kailash: RouteNetwork) -> None:
    """ "just below Zutrul Puk": a short way from the monastery (either side, the lower
    side more likely), not kilometres down the valley as a bare "below" may be."""
    text = "just below Zutrul Puk, my friend twisted her knee"
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.kind == "below"]
    assert rel and rel[0].distance_m is not None
    zutul = kailash.place_km("zutulpuk_gompa", "outer_kora")
    assert result.range_80 is not None and result.range_80.route_id == "outer_kora"
    assert abs(result.range_80.median_km - zutul) < 0.8


@pytest.mark.parametrize(
    "text",
    ["डेरापुक अभी दो किमी दूर है, please help", "Derapuk abhi 2 km door hai, please help"],
)
def test_hindi_still_a_distance_away(kailash: RouteNetwork, text: str) -> None:
    """ "डेरापुक अभी दो किमी दूर है" (Derapuk is still two km away; दो = 2): before it by that
    much; Hindi number words before a unit are read."""
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.anchor.place_ids[0][0] == "drirapuk_gompa"]
    assert rel and rel[0].kind == "before"
    assert rel[0].distance_m is not None and rel[0].distance_m[0] <= 2000.0 <= rel[0].distance_m[1]


@pytest.mark.parametrize(
    ("text", "place", "kind"),
    [
        ("डेरापुक के बाद, पिताजी गिर गए", "drirapuk_gompa", "after"),
        ("Dolma La se pehle, my father fell", "dolma_la", "before"),
        ("Derapuk ke paas, please help", "drirapuk_gompa", "near"),
    ],
)
def test_hindi_postpositions(kailash: RouteNetwork, text: str, place: str, kind: str) -> None:
    """Hindi puts the relation after the name: के बाद (after), से पहले (before), के पास (near)."""
    result = locate(kailash, text, reported_at=AT, direction="clockwise")
    rel = [r for r in result.clues.relations if r.anchor.place_ids[0][0] == place]
    assert rel and rel[0].kind == kind
