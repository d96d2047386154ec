"""Issue 18: the locate and approach answers are encoded with orjson (web/fastjson.py):
the same JSON values as Flask's jsonify, which still writes what orjson cannot."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify

from web.fastjson import json_response


@dataclass
class Point:
    lon: float
    lat: float


class Label(str):
    pass


def _app(debug: bool = False) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # as web.create_app
    app.debug = debug
    return app


def test_the_same_values_and_bytes_as_jsonify() -> None:
    doc: dict[str, Any] = {
        "plans": [{"eta_s": 1234.5, "legs": [[81.312345, 31.067891, 4675]], "ok": True}],
        "reason_zh": "从塔尔钦出发 – 步行",
        "b": None,
        "a": {"z": 2, "y": [0.1, -0.0, 12]},
    }
    with _app().app_context():
        ours, flask = json_response(doc), jsonify(doc)
        assert ours.data == flask.data
        assert ours.mimetype == flask.mimetype == "application/json"
        assert json.loads(ours.data) == doc


def test_what_orjson_cannot_write_goes_through_flask() -> None:
    for doc in (
        {"when": datetime(2026, 6, 1, tzinfo=UTC), "id": uuid.UUID(int=7)},
        {"point": Point(81.3, 31.1)},
        {"name": Label("Darchen")},
    ):
        with _app().app_context():
            assert json_response(doc).data == jsonify(doc).data


def test_debug_mode_keeps_flasks_indented_output() -> None:
    with _app(debug=True).app_context():
        assert json_response({"a": [1, 2]}).data == jsonify({"a": [1, 2]}).data
        assert b"\n  " in json_response({"a": [1, 2]}).data
