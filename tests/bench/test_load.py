"""The load benchmark's machinery: a few users for a few seconds lose no acknowledged write.

The short runs start a real ``sandtable serve`` on each database back end; what they
assert is correctness (every acknowledged write is back after a restart, no 5xx, no
request without an answer), never speed. The checker itself is tested on incidents
with a write taken away, so that a run that lost one cannot pass.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from bench._load_ledger import Incident, Ledger, Write, check_incident, verify
from bench.bench_load import LoadOptions, compare, report, run_load

KAILASH_DIR = Path(__file__).resolve().parents[2] / "geodata" / "kailash"
needs_region = pytest.mark.skipif(
    not (KAILASH_DIR / "metadata.json").is_file(),
    reason="needs the committed region geodata/kailash",
)


@needs_region
@pytest.mark.parametrize(
    ("backend", "workers", "kill"),
    [("sqlite", 2, True), ("postgis", 2, True), ("sqlite", 1, False)],
)
def test_short_load_keeps_every_acknowledged_write(
    request: pytest.FixtureRequest, backend: str, workers: int, kill: bool
) -> None:
    url = None
    if backend == "postgis":
        from tests.databases import empty_postgis

        url = request.getfixturevalue("postgis_url")
        empty_postgis(url)
    result = run_load(
        LoadOptions(
            users=3, locators=1, duration_s=4.0, database_url=url, workers=workers, kill=kill
        )
    )
    printed: list[str] = []
    report(result, out=printed.append)
    compare([result, result], out=printed.append)

    assert result.problems == [], "\n".join(printed)
    assert result.server_errors == 0, "\n".join(printed)
    assert result.transport_errors == 0, "\n".join(printed)
    assert result.unexpected == [], "\n".join(printed)
    assert result.ok
    assert result.acknowledged["incidents"] >= 1
    ops = {s.op for s in result.samples}
    assert {"create", "locate"} <= ops
    where = "after SIGKILL of every server process mid-run" if kill else "after a server restart"
    assert any(f"acknowledged writes present {where}" in line for line in printed), printed
    assert any(f"gunicorn {workers} worker" in line for line in printed)
    assert any("relative to the first" in line and "1.00x" in line for line in printed)
    # every answer said where its time went in the server (web.server.ServerTiming)
    answered = [s for s in result.samples if s.status is not None]
    assert answered and all(s.app_s is not None and s.cpu_s is not None for s in answered)
    assert any(line.strip().startswith("where the time went") for line in printed), printed


# --------------------------------------------------------------------------- the checker
NOTE = "on scene officer00-3"


def _ledger_and_incident() -> tuple[Ledger, dict[str, Any]]:
    """One incident with two acknowledged writes, and the server's answer that has both."""
    ledger = Ledger()
    mine = Incident(7, "load-officer00-1", "near Drirapuk")
    mine.writes = [
        Write("update", 2, "officer00", {"notes": NOTE, "add_description": "more: x"}),
        Write("transition", 3, "officer00", {"to": "resolved", "outcome": "rescued", "note": "r"}),
    ]
    ledger.incidents[7] = mine
    ledger.answers[mine.key].append((201, 7))
    got = {
        "incident_id": 7,
        "idempotency_key": mine.key,
        "description": "near Drirapuk",
        "descriptions": [{"text": "near Drirapuk"}, {"text": "more: x"}],
        "version": 3,
        "status": "resolved",
        "notes": NOTE,
        "edits": [{"version": 2}],
        "timeline": [
            {"from": None, "to": "received", "note": None, "outcome": None},
            {"from": "received", "to": "resolved", "note": "r", "outcome": "rescued"},
        ],
    }
    return ledger, got


def _fetch(incidents: dict[int, dict[str, Any]]) -> Any:
    return lambda ids: {i: incidents.get(i) for i in ids}


def test_checker_passes_an_incident_with_every_write() -> None:
    ledger, got = _ledger_and_incident()
    problems, counts, found = verify(_fetch({7: got}), ledger)
    assert problems == []
    assert counts == {"incidents": 1, "updates": 1, "status changes": 1}
    assert found == 1


@pytest.mark.parametrize(
    "damage, expected",
    [
        (lambda g: g.update(notes="older"), "notes is 'older'"),
        (lambda g: g.update(version=2), "version 2"),
        (lambda g: g["descriptions"].pop(), "description 'more: x' appears 0 times"),
        (lambda g: g.update(edits=[]), "no audit entry for the edit that made version 2"),
        (lambda g: g["timeline"].pop(), "status change to resolved (version 3) not once"),
        (lambda g: g.update(status="received"), "status received, acknowledged resolved"),
        (lambda g: g.update(idempotency_key="other"), "key 'other'"),
    ],
)
def test_checker_finds_a_lost_write(damage: Any, expected: str) -> None:
    ledger, got = _ledger_and_incident()
    damaged = copy.deepcopy(got)
    damage(damaged)
    problems = check_incident(ledger.incidents[7], damaged)
    assert any(expected in p for p in problems), problems


def test_checker_finds_missing_and_unexplained_incidents() -> None:
    ledger, got = _ledger_and_incident()
    problems, _, _ = verify(_fetch({}), ledger)
    assert problems == ["incident 7 (key load-officer00-1) acknowledged, not found"]

    stranger = dict(got, incident_id=9, idempotency_key="nobody-sent-this")
    problems, _, found = verify(_fetch({7: got, 9: stranger}), ledger)
    assert found == 2
    assert any("nobody-sent-this" in p and "no create" in p for p in problems)


def test_checker_finds_a_key_answered_with_two_incidents() -> None:
    ledger, got = _ledger_and_incident()
    ledger.answers[ledger.incidents[7].key].append((201, 8))
    problems, _, _ = verify(_fetch({7: got}), ledger)
    assert any("answered with incidents [7, 8]" in p for p in problems)
    assert any("2 answers were 201" in p for p in problems)


def test_a_write_without_an_answer_may_or_may_not_be_there() -> None:
    ledger, got = _ledger_and_incident()
    ledger.incidents[7].unsure = {"notes", "status"}
    got = dict(got, notes="whatever the unanswered write left", version=4)
    got["timeline"] = [*got["timeline"], {"from": "resolved", "to": "followed_up", "note": "u"}]
    got["status"] = "followed_up"
    assert check_incident(ledger.incidents[7], got) == []
