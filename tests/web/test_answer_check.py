"""In testing, every 2xx answer of an /api operation is checked against its declared
answer (web.answer_check): a wrong answer fails loudly; a production app never checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, Response, jsonify
from pydantic import BaseModel, ConfigDict

from tests.common import make_region_dir
from web import answer_check, create_app, openapi
from web.answer_check import AnswerMismatch

RULE = "/api/_answer_check_probe"


class Probe(BaseModel):
    count: int
    names: list[str]


class OpenProbe(BaseModel):
    model_config = ConfigDict(extra="allow")
    count: int


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[[bool], Flask]]:
    """Apps on the tiny region, testing or not."""
    make_region_dir(tmp_path / "data" / "tiny")
    made: list[Flask] = []

    def make(testing: bool) -> Flask:
        app = create_app(
            {
                "TESTING": testing,
                "DATA_DIR": str(tmp_path / "data"),
                "REGION": "tiny",
                "INSTANCE_DIR": str(tmp_path / f"instance-{len(made)}"),
            }
        )
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["sandtable"].store.dispose()


def _probe(
    app: Flask, monkeypatch: pytest.MonkeyPatch, answer: Any, status: int = 200, **ok: Any
) -> None:
    """Route ``RULE`` on ``app`` to answer ``answer`` with ``status``; it declares ``ok``."""
    declared = ok.get("ok", {200: Probe})
    monkeypatch.setitem(openapi.OPERATIONS, ("GET", RULE), {"summary": "probe", "ok": declared})

    def view() -> Response:
        response = jsonify(answer) if not isinstance(answer, Response) else answer
        response.status_code = status
        return response

    app.add_url_rule(RULE, "answer_check_probe", view)


def test_an_answer_as_declared_passes(
    make_app: Callable[[bool], Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(True)
    _probe(app, monkeypatch, {"count": 2, "names": ["a", "b"]})
    assert app.test_client().get(RULE).get_json() == {"count": 2, "names": ["a", "b"]}


@pytest.mark.parametrize(
    ("answer", "status", "problem"),
    [
        ({"count": "two", "names": []}, 200, "count: Input should be a valid integer"),
        ({"names": []}, 200, "count: Field required"),
        ({"count": 1, "names": [3]}, 200, "names/0: Input should be a valid string"),
        ({"count": 1, "names": [], "total": 4}, 200, "/total: not declared by the model"),
        ({"count": 1, "names": []}, 201, "status 201 is not declared"),
        (Response("a,b", mimetype="text/csv"), 200, "media type 'text/csv' is not declared"),
    ],
)
def test_a_wrong_answer_fails_the_test_that_gets_it(
    make_app: Callable[[bool], Flask],
    monkeypatch: pytest.MonkeyPatch,
    answer: Any,
    status: int,
    problem: str,
) -> None:
    app = make_app(True)
    _probe(app, monkeypatch, answer, status)
    with pytest.raises(AnswerMismatch, match=f"GET {RULE} answered") as raised:
        app.test_client().get(RULE)
    assert problem in str(raised.value)
    assert isinstance(raised.value, AssertionError)


def test_members_a_model_allows_are_not_reported(
    make_app: Callable[[bool], Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(True)
    _probe(app, monkeypatch, {"count": 1, "more": {"x": 1}}, ok={200: OpenProbe})
    assert app.test_client().get(RULE).status_code == 200


def test_errors_and_no_content_answers_are_checked_for_what_they_declare(
    make_app: Callable[[bool], Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(True)
    _probe(app, monkeypatch, {"anything": 1}, 404)
    assert app.test_client().get(RULE).status_code == 404  # errors have their own envelope
    spec = {"ok": {204: None}}
    assert answer_check.problems(spec, 204, "application/json", b"") == []
    assert answer_check.problems(spec, 204, "application/json", b"{}") == [
        "status 204 is declared without content"
    ]


def test_a_real_operation_declaring_a_model_refuses_a_wrong_answer() -> None:
    spec = openapi.OPERATIONS[("POST", "/api/incidents")]
    found = answer_check.problems(spec, 201, openapi.JSON, b'{"incident": {"id": "x"}}')
    assert found and any("created" in p for p in found), found
    feature = b'{"type": "Feature", "id": "p", "geometry": null, "properties": {}}'
    one = "/api/<any(routes, segments, places, stations):layer>/<feature_id>"
    spec = openapi.OPERATIONS[("GET", one)]
    layer = answer_check.problems(spec, 200, openapi.GEOJSON, feature, {"layer": "places"})
    assert any(p.startswith("properties/") for p in layer), layer


def test_a_production_app_never_checks_its_answers(
    make_app: Callable[[bool], Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(False)
    assert not app.testing
    assert answer_check.check_answer not in app.after_request_funcs.get(None, [])
    _probe(app, monkeypatch, {"count": "two"})
    answer = app.test_client().get(RULE)
    assert answer.status_code == 200 and answer.get_json() == {"count": "two"}


def test_an_undeclared_member_of_list_items_is_reported_once() -> None:
    found = answer_check.model_problems(
        Probe, {"count": 1, "names": [], "rows": [{"a": 1}], "more": [{"a": 1}, {"a": 2}]}
    )
    assert found == ["/rows: not declared by the model", "/more: not declared by the model"]

    class Rows(BaseModel):
        rows: list[Probe]

    rows = [{"count": 1, "names": [], "x": i} for i in range(3)]
    assert answer_check.model_problems(Rows, {"rows": rows}) == [
        "/rows/*/x: not declared by the model"
    ]


def test_a_streamed_answer_is_checked_for_its_status_and_media_type(
    make_app: Callable[[bool], Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(True)
    stream = Response(iter([b"a,", b"b"]), mimetype="text/csv")
    _probe(app, monkeypatch, stream, ok={200: {"text/csv": {"type": "string"}}})
    assert app.test_client().get(RULE).get_data() == b"a,b"
    spec = {"ok": {200: {"text/csv": {"type": "string"}}}}
    assert answer_check.problems(spec, 200, "text/plain", None) == [
        "media type 'text/plain' is not declared (declared: ['text/csv'])"
    ]
    assert answer_check.problems({"ok": {200: Probe}}, 200, openapi.JSON, None) == []
