"""What schemathesis and the security suite found, kept fixed (both back ends).

* Ids, revisions and counts beyond a database integer were a 500 (PostgreSQL: "integer out
  of range"; SQLite: OverflowError past 2**63): now a 404 in a path, a 422 elsewhere.
* ``str.isdigit()`` accepts "²", which ``int()`` refuses: a 500 for ``?limit=²``.
* JSON nested deeper than Python's stack was a RecursionError, a 500.
* A huge body sent to an endpoint that never reads it (``POST /api/logout``) was read
  by nobody and answered 200; every request over the largest upload is now a 413.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.security.conftest import row_counts
from web.bodies import MAX_INT, MAX_REQUEST_BYTES, _digits_up_to

TOO_BIG = (str(MAX_INT + 1), "9999999999", "99999999999", str(2**64), "1" * 40)


ID_ROUTES = (
    ("GET", "/api/incidents/{}"),
    ("PATCH", "/api/incidents/{}"),
    ("POST", "/api/incidents/{}/transitions"),
    ("GET", "/api/versions/{}"),
    ("POST", "/api/versions/{}/restore"),
    ("PATCH", "/api/users/{}"),
)
QUERY_NUMBERS = (
    "/api/versions?before={}",
    "/api/versions?limit={}",
    "/api/export?version={}",
    "/api/audit?before={}",
    "/api/audit?limit={}",
    "/api/incidents?limit={}",
)


def test_ids_beyond_a_database_integer_are_404(client: FlaskClient) -> None:
    for method, template in ID_ROUTES:
        for number in TOO_BIG:
            response = client.open(template.format(number), method=method, json={})
            assert response.status_code == 404, (method, number, response.status_code)
            assert response.get_json()["error"]["code"] == "not_found"
        largest = client.open(template.format(MAX_INT), method=method, json={})
        assert largest.status_code in (404, 422), (method, largest.status_code)


def test_query_numbers_beyond_a_database_integer_or_odd_digits_are_422(
    client: FlaskClient,
) -> None:
    for path in QUERY_NUMBERS:
        for value in (*TOO_BIG, "²", "-" + "9" * 30):
            response = client.get(path.format(value))
            assert response.status_code == 422, (path, value, response.status_code)
            assert response.get_json()["error"]["code"] == "invalid_input"


def test_body_numbers_beyond_a_database_integer_are_422(app: Flask, client: FlaskClient) -> None:
    incident = client.post("/api/incidents", json={"description": "x"}).get_json()["incident"]
    before = row_counts(app)
    path = f"/api/incidents/{incident['incident_id']}"
    for number in (MAX_INT + 1, 2**63, 2**70):
        patched = client.patch(path, json={"base_version": number, "notes": "n"})
        assert patched.status_code == 422, number
        moved = client.post(f"{path}/transitions", json={"to": "located", "base_version": number})
        assert moved.status_code == 422, number
        stored = client.get("/api/data/places/darchen").get_json()
        body = {"feature": stored["feature"], "base_revision": number, "message": "m"}
        assert client.put("/api/data/places/darchen", json=body).status_code == 422, number
    assert row_counts(app) == before


def test_json_nested_too_deeply_is_422(client: FlaskClient) -> None:
    response = client.post("/api/locate", data="[" * 60_000, content_type="application/json")
    assert response.status_code == 422
    assert "nested too deeply" in response.get_json()["error"]["message"]


def test_a_huge_body_is_refused_even_where_nobody_reads_it(client: FlaskClient) -> None:
    response = client.post(
        "/api/logout", data=b" " * (MAX_REQUEST_BYTES + 1), content_type="application/json"
    )
    assert response.status_code == 413
    assert client.get("/api/me").status_code == 200  # the request did nothing


def test_the_id_pattern_matches_exactly_the_database_integers() -> None:
    pattern = re.compile(_digits_up_to(MAX_INT))
    for number in (0, 7, 10, 99, 1_999_999_999, 2_000_000_000, 2_147_483_639, MAX_INT):
        assert pattern.fullmatch(str(number)), number
    for number in (MAX_INT + 1, 2_147_483_650, 2_200_000_000, 3_000_000_000, 10**10):
        assert not pattern.fullmatch(str(number)), number
    assert pattern.fullmatch(_digits_up_to(MAX_INT)) is None
    for limit in (0, 5, 10, 99, 100, 305, 1000):
        small = re.compile(_digits_up_to(limit))
        assert [n for n in range(2000) if small.fullmatch(str(n))] == list(range(limit + 1))
