"""``POST /api/locate``: the request is checked at the boundary, the locator's answer passed on.

Bad input is a 422 (a 413 when too large) with a JSON message naming the field, never a
500 or an HTML page. The shape is checked with a stand-in locator (so these tests do not
depend on the locator's judgement) and with the real one.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from shapely.geometry import LineString
from shapely.ops import substring
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

import web.api
from geodata.errors import InvalidInput
from rescue.locate.model import Candidate, Clues, LocateResult, Mention, Question, SightClue
from web.locate_api import LOCAL_TZ, MAX_BODY_BYTES, parse_locate_body

URL = "/api/locate"
DOLMA_SEGMENTS = (
    "outer_kora:sky_burial_west_supply-dolma_la",
    "outer_kora:dolma_la-phakna_rigzin_supply",
)


# --- a stand-in locator --------------------------------------------------------------------------


class StandIn:
    """Records its calls and answers like the locator: two candidates by Drolma La, or none."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self,
        network: Any,
        text: str,
        *,
        reported_at: datetime | None = None,
        direction: str | None = None,
    ) -> LocateResult:
        self.calls.append({"text": text, "reported_at": reported_at, "direction": direction})
        question = Question(
            "sight:green_lake",
            "Can you see a green lake below the trail?",
            "能看到路下方有一个绿色的湖吗？",
            "I can see a green lake below",
            "能看到下方的绿色湖泊",
            "no lake in view",
            "看不到湖",
            0.92,
        )
        if "nothing" in text:
            return LocateResult((), (question,), Clues(text=text))
        mention = Mention(0, 9, "Drolma La", (("dolma_la", 1.0),))
        candidates = []
        for segment_id, probability in zip(DOLMA_SEGMENTS, (0.7, 0.3), strict=True):
            row = network.segments.loc[segment_id]
            line = LineString([(x, y) for x, y, *_ in row.geometry.coords])
            stretch = substring(line, 0.6, 1.0, normalized=True)
            point = stretch.interpolate(0.5, normalized=True)
            candidates.append(
                Candidate(
                    segment_id=segment_id,
                    name_en=row.name_en,
                    name_zh=row.name_zh,
                    route_id=row.route_id,
                    lon=point.x,
                    lat=point.y,
                    probability=probability,
                    km_range=(row.km_from + 0.6 * (row.km_to - row.km_from), row.km_to),
                    evidence=("names Drolma La", "green lake in view"),
                    stretch=tuple((x, y) for x, y in stretch.coords),
                )
            )
        clues = Clues(
            text=text,
            mentions=(mention,),
            sights=(SightClue("green_lake", text="green lake"),),
            direction=direction,  # type: ignore[arg-type]
        )
        return LocateResult(tuple(candidates), (question,), clues)


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> StandIn:
    fake = StandIn()
    monkeypatch.setattr(web.api, "locate", fake)
    return fake


def post(client: FlaskClient, body: Any, **kwargs: Any) -> Any:
    if "data" not in kwargs:
        kwargs["json"] = body
    return client.post(URL, **kwargs)


def assert_json_error(response: Any, status: int, *words: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["status"] == status
    assert isinstance(error["message"], str) and error["message"]
    raw = response.get_data(as_text=True)
    assert "Traceback" not in raw and "/work/" not in raw
    for word in words:
        assert word in error["message"], error["message"]
    return error


def assert_locate_shape(body: dict[str, Any]) -> None:
    assert set(body) >= {"candidates", "questions", "interpreted"}
    for candidate in body["candidates"]:
        assert set(candidate) >= {
            "segment_id",
            "name",
            "route_id",
            "lon",
            "lat",
            "probability",
            "km_range",
            "evidence",
            "stretch",
        }
        assert set(candidate["name"]) == {"en", "zh"}
        assert 0.0 <= candidate["probability"] <= 1.0
        assert 80 < candidate["lon"] < 83 and 29 < candidate["lat"] < 32
        assert all(isinstance(e, str) for e in candidate["evidence"])
        if candidate["stretch"] is not None:
            assert candidate["stretch"]["type"] == "LineString"
            assert len(candidate["stretch"]["coordinates"]) >= 2
    probabilities = [c["probability"] for c in body["candidates"]]
    # the first is the most probable; the next two are distinct hypotheses (issue 13), in
    # order of probability, and so is the rest
    assert all(p <= probabilities[0] for p in probabilities)
    assert probabilities[1:3] == sorted(probabilities[1:3], reverse=True)
    assert probabilities[3:] == sorted(probabilities[3:], reverse=True)
    for question in body["questions"]:
        assert set(question["text"]) == {"en", "zh"}
        assert set(question["answers"]) == {"yes", "no"}
        for answer in question["answers"].values():
            assert set(answer) == {"en", "zh"} and answer["en"] and answer["zh"]
    assert isinstance(body["interpreted"], dict)


# --- bad requests ---------------------------------------------------------------------------------

BAD_BODIES = [
    pytest.param({}, ["text", "missing"], id="no-text"),
    pytest.param({"text": ""}, ["text", "empty"], id="empty-text"),
    pytest.param({"text": "   \n\t "}, ["text", "empty"], id="blank-text"),
    pytest.param({"text": None}, ["text", "string", "null"], id="null-text"),
    pytest.param({"text": 42}, ["text", "string", "number"], id="number-text"),
    pytest.param({"text": ["Drolma La"]}, ["text", "string", "array"], id="list-text"),
    pytest.param({"text": "x" * 2001}, ["text", "2,001", "2,000"], id="long-text"),
    pytest.param({"text": "Drolma La", "where": "here"}, ["unknown", "'where'"], id="unknown"),
    pytest.param(
        {"text": "Drolma La", "reported_at": "yesterday"},
        ["reported_at", '"yesterday"', "ISO-8601"],
        id="reported-at-words",
    ),
    pytest.param(
        {"text": "Drolma La", "reported_at": "2024-06-01"},
        ["reported_at", "ISO-8601"],
        id="reported-at-date-only",
    ),
    pytest.param(
        {"text": "Drolma La", "reported_at": "2024-13-01T10:00"},
        ["reported_at"],
        id="reported-at-month-13",
    ),
    pytest.param(
        {"text": "Drolma La", "reported_at": 1717220000},
        ["reported_at", "number"],
        id="reported-at-epoch",
    ),
    pytest.param(
        {"text": "Drolma La", "direction": "north"},
        ["direction", '"north"', "clockwise", "counterclockwise"],
        id="direction-north",
    ),
    pytest.param(
        {"text": "Drolma La", "direction": "Clockwise"}, ["direction"], id="direction-case"
    ),
    pytest.param({"text": "Drolma La", "direction": 1}, ["direction"], id="direction-number"),
    pytest.param([{"text": "Drolma La"}], ["JSON object", "array"], id="array-body"),
    pytest.param("Drolma La", ["JSON object", "string"], id="string-body"),
]


@pytest.mark.parametrize(("body", "words"), BAD_BODIES)
def test_bad_body_is_422_naming_the_field(
    client: FlaskClient, stand_in: StandIn, body: Any, words: list[str]
) -> None:
    error = assert_json_error(post(client, body), 422, *words)
    assert error["code"] == "invalid_input"
    assert stand_in.calls == []


def test_every_problem_is_listed_at_once(client: FlaskClient, stand_in: StandIn) -> None:
    body = {"text": "", "direction": "up", "reported_at": "soon", "lang": "en"}
    error = assert_json_error(post(client, body), 422, "text", "direction", "reported_at", "lang")
    assert len(error["details"]) == 4


RAW_BODIES = [
    pytest.param(b"", "application/json", ["empty"], id="empty"),
    pytest.param(b"null", "application/json", ["JSON object", "null"], id="null"),
    pytest.param(b'{"text": "Drolma La"', "application/json", ["not valid JSON"], id="truncated"),
    pytest.param(b"{'text': 'x'}", "application/json", ["not valid JSON"], id="single-quotes"),
    pytest.param(b"text=Drolma+La", "application/x-www-form-urlencoded", ["JSON"], id="form"),
    pytest.param(b'{"text": "\xff\xfe"}', "application/json", ["UTF-8"], id="not-utf8"),
    pytest.param(
        b'{"text": "a", "text": "b"}', "application/json", ["'text'", "more than once"], id="dup"
    ),
]


@pytest.mark.parametrize(("data", "content_type", "words"), RAW_BODIES)
def test_malformed_body_is_422_json(
    client: FlaskClient, stand_in: StandIn, data: bytes, content_type: str, words: list[str]
) -> None:
    response = post(client, None, data=data, content_type=content_type)
    assert_json_error(response, 422, *words)
    assert stand_in.calls == []


def test_oversized_body_is_413_json(client: FlaskClient, stand_in: StandIn) -> None:
    data = json.dumps({"text": "Drolma La " * 8000}).encode()
    assert len(data) > MAX_BODY_BYTES
    assert_json_error(post(client, None, data=data, content_type="application/json"), 413)
    assert stand_in.calls == []


def test_oversized_chunked_body_is_413_json(client: FlaskClient, stand_in: StandIn) -> None:
    """Without a Content-Length the body is still read no further than the limit."""
    environ = EnvironBuilder(
        URL,
        method="POST",
        input_stream=io.BytesIO(b'{"text": "' + b"x" * (MAX_BODY_BYTES + 1024) + b'"}'),
        headers=[("Content-Type", "application/json"), ("Transfer-Encoding", "chunked")],
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True  # as waitress marks a chunked body it de-chunks
    response = client.open(Request(environ))
    assert_json_error(response, 413)
    assert stand_in.calls == []


def test_wrong_method_and_query_parameters_are_json_errors(
    client: FlaskClient, stand_in: StandIn
) -> None:
    assert_json_error(client.get(URL), 405)
    assert_json_error(client.post(URL + "?text=x", json={"text": "x"}), 422, "'text'")


def test_locator_rejection_is_422(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(network: Any, text: str, **kwargs: Any) -> LocateResult:
        raise InvalidInput("latitude 95.0 is outside -90..90")

    monkeypatch.setattr(web.api, "locate", refuse)
    assert_json_error(post(client, {"text": "95.0 N 81.3 E"}), 422, "latitude 95.0")


def test_locator_fault_is_500_json_without_traceback(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(network: Any, text: str, **kwargs: Any) -> LocateResult:
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(web.api, "locate", broken)
    error = assert_json_error(post(client, {"text": "Drolma La"}), 500)
    assert "secret" not in error["message"]


# --- good requests, stand-in locator --------------------------------------------------------------


def test_valid_request_returns_the_locators_answer(client: FlaskClient, stand_in: StandIn) -> None:
    response = post(client, {"text": "Drolma La, green lake", "direction": "clockwise"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert_locate_shape(body)
    assert [c["segment_id"] for c in body["candidates"]] == list(DOLMA_SEGMENTS)
    assert body["candidates"][0]["name"]["zh"]  # Chinese stays readable, not \u escapes
    assert "\\u" not in response.get_data(as_text=True)
    assert body["interpreted"]["sights"] == [
        {"tag": "green_lake", "negated": False, "text": "green lake"}
    ]
    (call,) = stand_in.calls
    assert call["text"] == "Drolma La, green lake"
    assert call["direction"] == "clockwise"
    reported_at = call["reported_at"]
    assert reported_at.tzinfo is not None
    assert abs(datetime.now(UTC) - reported_at) < timedelta(minutes=1)


def test_text_passes_through_unchanged(client: FlaskClient, stand_in: StandIn) -> None:
    text = "  我们在卓玛拉山口下面，\n能看到绿色的湖  "
    assert post(client, {"text": text}).status_code == 200
    assert stand_in.calls[0]["text"] == text
    assert stand_in.calls[0]["direction"] is None


def test_text_of_2000_characters_and_blank_ends_is_accepted(
    client: FlaskClient, stand_in: StandIn
) -> None:
    assert post(client, {"text": "卓" * 2000}).status_code == 200
    assert post(client, {"text": "  " + "卓" * 2000 + "\n"}).status_code == 200


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2024-06-01T14:30", datetime(2024, 6, 1, 14, 30, tzinfo=LOCAL_TZ)),
        ("2024-06-01 14:30:15", datetime(2024, 6, 1, 14, 30, 15, tzinfo=LOCAL_TZ)),
        ("2024-06-01T06:30:00Z", datetime(2024, 6, 1, 14, 30, tzinfo=LOCAL_TZ)),
        ("2024-06-01T08:30+02:00", datetime(2024, 6, 1, 14, 30, tzinfo=LOCAL_TZ)),
    ],
)
def test_reported_at_naive_is_beijing_time(
    client: FlaskClient, stand_in: StandIn, given: str, expected: datetime
) -> None:
    assert post(client, {"text": "Drolma La", "reported_at": given}).status_code == 200
    reported_at = stand_in.calls[0]["reported_at"]
    assert reported_at.tzinfo is not None
    assert reported_at == expected
    if given[-1].isdigit() and "+" not in given:  # no offset given: Beijing time, UTC+8
        assert reported_at.utcoffset() == timedelta(hours=8)


def test_null_optional_fields_mean_unknown(client: FlaskClient, stand_in: StandIn) -> None:
    body = {"text": "Drolma La", "reported_at": None, "direction": None}
    assert post(client, body).status_code == 200
    assert stand_in.calls[0]["direction"] is None
    assert stand_in.calls[0]["reported_at"] is not None


def test_nothing_understood_is_200_with_questions(client: FlaskClient, stand_in: StandIn) -> None:
    body = post(client, {"text": "nothing useful"}).get_json()
    assert_locate_shape(body)
    assert body["candidates"] == [] and body["questions"]


def test_parse_locate_body_uses_given_now() -> None:
    now = datetime(2024, 6, 1, 12, tzinfo=LOCAL_TZ)
    parsed = parse_locate_body(b'{"text": "Drolma La"}')
    assert parsed.reported_at is None and parsed.direction is None
    assert parsed.at(now) == now


def test_index_lists_the_endpoint(client: FlaskClient) -> None:
    assert URL in client.get("/api").get_json()["endpoints"]


# --- the real locator -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Drolma La", "我们在卓玛拉山口下面，能看到绿色的湖"])
def test_real_locator_drolma_la(client: FlaskClient, text: str) -> None:
    response = post(client, {"text": text})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert_locate_shape(body)
    assert body["candidates"], body
    assert "dolma_la" in body["candidates"][0]["segment_id"].split(":", 1)[1].split("-")


def test_real_locator_gibberish_is_200_with_questions(
    client: FlaskClient,
) -> None:
    response = post(client, {"text": "hello, please help"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert_locate_shape(body)
    assert body["questions"]


@pytest.mark.parametrize("text", ["<img src=x onerror=alert(1)>", "95.0 N, 81.3 E", "🏔" * 2000])
def test_real_locator_odd_text_is_never_a_500(client: FlaskClient, text: str) -> None:
    response = post(client, {"text": text})
    assert response.status_code in (200, 422), response.get_data(as_text=True)
    assert response.is_json
