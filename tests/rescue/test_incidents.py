"""Incidents: the state machine, the input models, and the store on both back ends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from geodata.errors import Conflict, Forbidden, InvalidInput, NotFound
from geodata.store import RouteStore, open_store
from rescue.incidents import (
    OUTCOMES,
    STATUSES,
    TRANSITIONS,
    IncidentCreate,
    IncidentStore,
    IncidentUpdate,
    TransitionRequest,
    allowed_next,
    check_transition,
    incidents_table,
    parse,
)

LEGAL = {
    ("received", "located"),
    ("received", "resolved"),
    ("located", "received"),
    ("located", "dispatched"),
    ("located", "resolved"),
    ("dispatched", "en_route"),
    ("dispatched", "resolved"),
    ("en_route", "on_scene"),
    ("en_route", "resolved"),
    ("on_scene", "resolved"),
    ("resolved", "followed_up"),
}
PAIRS = [(a, b) for a in STATUSES for b in STATUSES]
LOCATION = {
    "segment_id": "kora_w_01",
    "lon": 81.31,
    "lat": 31.07,
    "name": "Drirapuk",
    "km_range": [12.0, 13.5],
}


# --------------------------------------------------------------------------- state machine
def test_the_table_is_the_documented_one() -> None:
    assert {(a, b) for a, nexts in TRANSITIONS.items() for b in nexts} == LEGAL
    assert set(TRANSITIONS) == set(STATUSES)


@pytest.mark.parametrize(("current", "to"), PAIRS)
def test_every_transition_is_allowed_or_refused_as_the_table_says(current: str, to: str) -> None:
    outcome = "rescued" if to == "resolved" else None
    if (current, to) in LEGAL:
        check_transition(current, to, outcome)
    else:
        with pytest.raises(InvalidInput) as err:
            check_transition(current, to, outcome)
        listed = ", ".join(allowed_next(current)) or "nothing (the incident is closed)"
        assert err.value.message == f"cannot go from {current} to {to}; allowed next: {listed}"


def test_the_example_message() -> None:
    with pytest.raises(
        InvalidInput,
        match="^cannot go from dispatched to received; allowed next: en_route, resolved$",
    ):
        check_transition("dispatched", "received", None)


@pytest.mark.parametrize("current", ["received", "located", "dispatched", "en_route", "on_scene"])
def test_resolving_needs_an_outcome_and_nothing_else_takes_one(current: str) -> None:
    with pytest.raises(InvalidInput, match="needs an outcome"):
        check_transition(current, "resolved", None)
    for outcome in OUTCOMES:
        check_transition(current, "resolved", outcome)
    with pytest.raises(InvalidInput, match="only when resolving"):
        check_transition("resolved", "followed_up", "rescued")


def test_unknown_status() -> None:
    with pytest.raises(InvalidInput, match="unknown status 'lost'"):
        check_transition("received", "lost", None)


# --------------------------------------------------------------------------- validation
def _problems(model: Any, body: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidInput) as err:
        parse(model, body, what="refused")
    return err.value.details


def test_a_minimal_body_gets_the_defaults() -> None:
    body = parse(IncidentCreate, {"description": "  lost near the pass  "}, what="x")
    assert body.description == "lost near the pass"
    assert (body.language, body.priority, body.location) == ("zh", "normal", None)


def test_every_problem_of_a_create_body_is_listed() -> None:
    problems = _problems(
        IncidentCreate,
        {
            "description": "   ",
            "language": "fr",
            "caller_name": "x" * 101,
            "caller_phone": "call me",
            "party_size": 0,
            "condition": "c" * 2001,
            "priority": "urgent",
            "location": {"segment_id": "s", "lon": 181, "lat": -91},
            "idempotency_key": "has spaces",
            "colour": "red",
        },
    )
    fields = [p.split("'")[1] for p in problems]
    assert sorted(fields) == sorted(
        [
            "description",
            "language",
            "caller_name",
            "caller_phone",
            "party_size",
            "condition",
            "priority",
            "location.lon",
            "location.lat",
            "idempotency_key",
            "colour",
        ]
    )
    assert "field 'colour': unknown field" in problems
    assert all(p.startswith("field '") for p in problems)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, "field 'description': is required"),
        (
            {"description": "d" * 4001},
            "field 'description': String should have at most 4000 characters",
        ),
        (
            {"description": "a", "party_size": 501},
            "field 'party_size': Input should be less than or equal to 500",
        ),
        (
            {"description": "a", "party_size": "3"},
            "field 'party_size': Input should be a valid integer",
        ),
        (
            {"description": "a", "party_size": True},
            "field 'party_size': Input should be a valid integer",
        ),
        ({"description": "a\x00b"}, "field 'description': must not contain NUL characters"),
        ({"description": "a", "location": {"lon": 81.3}}, "field 'location.lat': is required"),
        (
            {"description": "a", "location": {"lon": 81.3, "lat": float("nan")}},
            "field 'location.lat': Input should be a finite number",
        ),
        (
            {"description": "a", "location": {"lon": 81.3, "lat": 31, "name": "x"}},
            "field 'location': a point placed by hand has only lon and lat (add a segment_id)",
        ),
        (
            {"description": "a", "idempotency_key": "k" * 101},
            "field 'idempotency_key': String should match pattern '^[A-Za-z0-9_-]{1,100}$'",
        ),
    ],
)
def test_create_messages(body: dict[str, Any], expected: str) -> None:
    assert _problems(IncidentCreate, body) == [expected]


def test_locations_candidate_or_by_hand() -> None:
    body = parse(IncidentCreate, {"description": "a", "location": LOCATION}, what="x")
    assert body.location is not None and body.location.segment_id == "kora_w_01"
    body = parse(IncidentCreate, {"description": "a", "location": {"lon": 81, "lat": 31}}, what="x")
    assert body.location is not None and body.location.segment_id is None


def test_update_and_transition_bodies() -> None:
    assert _problems(IncidentUpdate, {"notes": "x"}) == ["field 'base_version': is required"]
    assert _problems(IncidentUpdate, {"base_version": 1}) == [
        "nothing to change: give at least one field besides base_version"
    ]
    assert _problems(IncidentUpdate, {"base_version": 1, "priority": None}) == [
        "priority cannot be null"
    ]
    assert _problems(IncidentUpdate, {"base_version": 1, "plan": {"eta_s": 5}}) == [
        "field 'plan.station_id': is required"
    ]
    update = parse(
        IncidentUpdate,
        {
            "base_version": 2,
            "team": "Darchen team 2",
            "caller_name": None,
            "plan": {"station_id": "darchen", "eta_s": 5400, "mode": "foot"},
        },
        what="x",
    )
    assert update.changes() == {
        "team": "Darchen team 2",
        "caller_name": None,
        "plan": {"station_id": "darchen", "eta_s": 5400.0, "mode": "foot"},
    }
    assert _problems(TransitionRequest, {"to": "gone", "base_version": 1}) == [
        "field 'to': Input should be 'received', 'located', 'dispatched', 'en_route', "
        "'on_scene', 'resolved' or 'followed_up'"
    ]


# --------------------------------------------------------------------------- the store
@pytest.fixture
def route_store(database_url: str) -> Iterator[RouteStore]:
    store = open_store(database_url)
    yield store
    store.dispose()


@pytest.fixture
def incidents(route_store: RouteStore) -> IncidentStore:
    return IncidentStore(route_store.reader, route_store.writer)


def _create(store: IncidentStore, **fields: Any) -> dict[str, Any]:
    body = parse(IncidentCreate, {"description": "two pilgrims lost", **fields}, what="x")
    incident, created = store.create(body, "dolma", region_id="kailash")
    assert created
    return incident


def test_create_and_read(incidents: IncidentStore) -> None:
    incident = _create(
        incidents,
        caller_name="Wang",
        caller_phone="+86 139-0000-0000",
        party_size=2,
        location=LOCATION,
        priority="high",
        language="mixed",
    )
    assert incident["status"] == "received" and incident["version"] == 1
    assert incident["location"] == LOCATION
    assert incident["descriptions"][0]["text"] == "two pilgrims lost"
    assert incident["created_by"] == "dolma" and incident["region_id"] == "kailash"
    assert [(e["from"], e["to"], e["by"]) for e in incident["timeline"]] == [
        (None, "received", "dolma")
    ]
    assert incident["received_at"] == incident["created_at"]
    assert incident["dispatched_at"] is None and incident["dispatch_s"] is None
    assert incident["on_scene_at"] is None and incident["on_scene_s"] is None
    assert incidents.get(incident["incident_id"]) == incident
    with pytest.raises(NotFound):
        incidents.get(999_999)


def test_idempotent_create_sequential(incidents: IncidentStore) -> None:
    first = _create(incidents, idempotency_key="form-1")
    assert first["idempotency_key"] == "form-1"  # as sent, not as stored
    same = parse(
        IncidentCreate, {"description": "two pilgrims lost", "idempotency_key": "form-1"}, what="x"
    )
    again, created = incidents.create(same, "dolma", region_id="kailash")
    assert not created and again == first
    assert len(incidents.list("all")) == 1


def test_a_key_reused_with_another_body_is_a_conflict(incidents: IncidentStore) -> None:
    first = _create(incidents, idempotency_key="form-1")
    other = parse(IncidentCreate, {"description": "again", "idempotency_key": "form-1"}, what="x")
    with pytest.raises(Conflict, match="form-1.*different body") as caught:
        incidents.create(other, "dolma", region_id="kailash")
    assert caught.value.data == {"incident_id": first["incident_id"]}
    assert incidents.list("all") == [first]  # nothing written, the first one unchanged


def test_keys_are_scoped_per_user(incidents: IncidentStore) -> None:
    first = _create(incidents, idempotency_key="shared")
    body = parse(
        IncidentCreate, {"description": "elsewhere", "idempotency_key": "shared"}, what="x"
    )
    theirs, created = incidents.create(body, "tenzin", region_id="kailash")
    assert created and theirs["incident_id"] != first["incident_id"]
    assert theirs["idempotency_key"] == "shared" and theirs["created_by"] == "tenzin"
    again, created = incidents.create(body, "tenzin", region_id="kailash")
    assert not created and again == theirs
    assert len(incidents.list("all")) == 2


def test_keys_of_an_older_database_are_scoped_on_upgrade(database_url: str) -> None:
    """Migration 0007 upgrades in place: old keys become their creator's, nothing is lost."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from geodata.store.engine import MIGRATIONS, engines

    reader, writer = engines(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer.begin() as conn:  # down again: the PostGIS schema of the session is at head
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        command.downgrade(config, "0005")
    with writer.begin() as conn:  # an incident as the release before 0006 stored it
        conn.execute(
            text(
                "INSERT INTO incidents (region_id, status, priority, language, created_at, "
                "updated_at, created_by, version, idempotency_key) VALUES ('kailash', "
                "'received', 'normal', 'zh', :now, :now, 'dolma', 1, 'old-key')"
            ),
            {"now": "2026-07-01 08:00:00"},
        )
        old_id = conn.execute(text("SELECT incident_id FROM incidents")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO incident_descriptions (incident_id, text, added_at, added_by) "
                "VALUES (:i, 'lost', :now, 'dolma')"
            ),
            {"i": old_id, "now": "2026-07-01 08:00:00"},
        )
    reader.dispose()
    writer.dispose()
    upgraded = open_store(database_url)
    try:
        incidents = IncidentStore(upgraded.reader, upgraded.writer)
        old = incidents.get(old_id)
        assert old["idempotency_key"] == "old-key" and old["description"] == "lost"
        # its body was not kept: any body with the key is the same report, as before
        body = parse(
            IncidentCreate, {"description": "other", "idempotency_key": "old-key"}, what="x"
        )
        again, created = incidents.create(body, "dolma", region_id="kailash")
        assert not created and again["incident_id"] == old_id
        theirs, created = incidents.create(body, "tenzin", region_id="kailash")
        assert created and theirs["incident_id"] != old_id
    finally:
        upgraded.dispose()


def test_idempotent_create_from_eight_threads(incidents: IncidentStore) -> None:
    body = parse(
        IncidentCreate, {"description": "double click", "idempotency_key": "k-8"}, what="x"
    )
    barrier = threading.Barrier(8)
    results: list[tuple[dict[str, Any], bool]] = []
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            results.append(incidents.create(body, "dolma", region_id="kailash"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({r[0]["incident_id"] for r in results}) == 1
    assert sum(created for _, created in results) == 1
    with incidents.reader.connect() as conn:
        assert conn.execute(select(func.count()).select_from(incidents_table)).scalar() == 1


def test_optimistic_locking(incidents: IncidentStore) -> None:
    incident = _create(incidents)
    iid = incident["incident_id"]
    changed = incidents.update(iid, 1, {"team": "Darchen 1"}, "tashi")
    assert changed["version"] == 2 and changed["team"] == "Darchen 1"
    with pytest.raises(Conflict) as err:
        incidents.update(iid, 1, {"notes": "stale"}, "dolma")
    assert err.value.data is not None
    assert err.value.data["current_version"] == 2 and err.value.data["base_version"] == 1
    assert err.value.data["current"]["team"] == "Darchen 1"  # type: ignore[index]
    with pytest.raises(Conflict):
        incidents.transition(iid, "resolved", outcome="false_alarm", base_version=1, author="x")
    assert incidents.get(iid)["notes"] is None
    with pytest.raises(NotFound):
        incidents.update(999_999, 1, {"notes": "x"}, "dolma")


def test_descriptions_are_appended_and_fields_cleared(incidents: IncidentStore) -> None:
    incident = _create(incidents, caller_name="Wang")
    iid = incident["incident_id"]
    incidents.update(
        iid, 1, {"add_description": "one has a broken ankle", "caller_name": None}, "dolma"
    )
    got = incidents.update(iid, 2, {"add_description": "now near the stupa"}, "tashi")
    assert [d["text"] for d in got["descriptions"]] == [
        "two pilgrims lost",
        "one has a broken ankle",
        "now near the stupa",
    ]
    assert [d["added_by"] for d in got["descriptions"]] == ["dolma", "dolma", "tashi"]
    assert got["description"] == "two pilgrims lost"
    assert got["caller_name"] is None and got["version"] == 3
    with pytest.raises(InvalidInput, match="cannot be changed: status"):
        incidents.update(iid, 3, {"status": "resolved"}, "x")


def test_every_edit_is_recorded_with_who_when_before_and_after(
    incidents: IncidentStore,
) -> None:
    incident = _create(incidents, caller_name="Wang", cause="lost")
    assert incident["cause"] == "lost" and incident["edits"] == []
    iid = incident["incident_id"]
    incidents.update(iid, 1, {"cause": "injury", "caller_name": None, "team": None}, "tashi")
    got = incidents.update(
        iid, 2, {"plan": {"station_id": "darchen", "eta_s": 5400.0}, "team": "T1"}, "dolma"
    )
    assert got["cause"] == "injury"
    # team None -> None changed nothing, so it is not in the first edit
    assert [(e["by"], e["version"], e["changes"]) for e in got["edits"]] == [
        (
            "tashi",
            2,
            {
                "cause": {"before": "lost", "after": "injury"},
                "caller_name": {"before": "Wang", "after": None},
            },
        ),
        (
            "dolma",
            3,
            {
                "plan": {"before": None, "after": {"station_id": "darchen", "eta_s": 5400.0}},
                "team": {"before": None, "after": "T1"},
            },
        ),
    ]
    assert [e["at"] for e in got["edits"]] == sorted(e["at"] for e in got["edits"])
    # a description added alone is in the descriptions, not an edit of a field
    again = incidents.update(iid, 3, {"add_description": "the ankle is swollen"}, "dolma")
    assert len(again["edits"]) == 2 and again["version"] == 4


def test_an_unknown_cause_is_refused() -> None:
    with pytest.raises(InvalidInput, match="field 'cause'"):
        parse(IncidentCreate, {"description": "x", "cause": "bad luck"}, what="x")


def test_the_timeline_from_call_to_follow_up(incidents: IncidentStore) -> None:
    incident = _create(incidents)
    iid = incident["incident_id"]
    with pytest.raises(InvalidInput, match="set the location"):
        incidents.transition(iid, "located", base_version=1, author="dolma")
    incidents.update(iid, 1, {"location": {"lon": 81.3, "lat": 31.0}}, "dolma")
    version = 2
    steps = [
        ("located", None),
        ("dispatched", None),
        ("en_route", None),
        ("on_scene", None),
        ("resolved", "rescued"),
        ("followed_up", None),
    ]
    for to, outcome in steps:
        got = incidents.transition(
            iid, to, outcome=outcome, note=f"-> {to}", base_version=version, author="tashi"
        )
        version = got["version"]
    assert [(e["from"], e["to"]) for e in got["timeline"]] == [
        (None, "received"),
        ("received", "located"),
        ("located", "dispatched"),
        ("dispatched", "en_route"),
        ("en_route", "on_scene"),
        ("on_scene", "resolved"),
        ("resolved", "followed_up"),
    ]
    times = [e["at"] for e in got["timeline"]]
    assert times == sorted(times)
    assert got["outcome"] == "rescued" and got["status"] == "followed_up" and not got["open"]
    assert got["allowed_next"] == []
    assert got["dispatched_at"] == got["timeline"][2]["at"]
    assert got["on_scene_at"] == got["timeline"][4]["at"]
    assert isinstance(got["dispatch_s"], int) and got["dispatch_s"] >= 0
    assert isinstance(got["on_scene_s"], int) and got["on_scene_s"] >= got["dispatch_s"]
    with pytest.raises(InvalidInput, match="allowed next: nothing"):
        incidents.transition(iid, "received", base_version=version, author="tashi")


def test_a_restricted_caller(incidents: IncidentStore) -> None:
    incident = _create(incidents, location=LOCATION)
    only = {("received", "located")}
    got = incidents.transition(
        incident["incident_id"], "located", base_version=1, author="d", only=only
    )
    with pytest.raises(Forbidden):
        incidents.transition(
            got["incident_id"], "dispatched", base_version=2, author="d", only=only
        )


def test_list_open_and_closed(incidents: IncidentStore) -> None:
    a = _create(incidents)
    b = _create(incidents)
    incidents.transition(
        b["incident_id"], "resolved", outcome="false_alarm", base_version=1, author="t"
    )
    assert [i["incident_id"] for i in incidents.list("open")] == [a["incident_id"]]
    assert [i["incident_id"] for i in incidents.list("closed")] == [b["incident_id"]]
    assert [i["incident_id"] for i in incidents.list("all")] == [b["incident_id"], a["incident_id"]]
    assert len(incidents.list("all", limit=1)) == 1
    with pytest.raises(InvalidInput):
        incidents.list("later")
    with pytest.raises(InvalidInput):
        incidents.list("all", limit=0)


def test_a_plan_with_its_legs_fits_but_not_an_unbounded_one() -> None:
    leg = {"mode": "foot", "geometry": {"type": "LineString", "coordinates": [[81.3, 31.0]] * 900}}
    body = {"base_version": 1, "plan": {"station_id": "darchen", "eta_s": 5400, "legs": [leg]}}
    assert parse(IncidentUpdate, body, what="x").plan is not None  # ~13,000 characters
    leg["geometry"]["coordinates"] = [[81.3, 31.0]] * 5000  # type: ignore[index]
    with pytest.raises(InvalidInput, match="the plan is too long .*leave out the alternatives"):
        parse(IncidentUpdate, body, what="x")


# --------------------------------------------------------------------------- concurrent writers
class _ReaderThatLetsAColleagueIn:
    """The reader engine of a store, with a colleague's write landing before its next read.

    Armed, the next ``begin()`` first runs ``colleague()`` (once): a write that commits
    between this caller's own commit and the read of its answer, as another worker does.
    """

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.colleague: Any = None

    def begin(self) -> Any:
        colleague, self.colleague = self.colleague, None
        if colleague is not None:
            colleague()
        return self.engine.begin()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


@pytest.mark.parametrize("kind", ["update", "transition"])
def test_the_answer_is_the_version_this_write_made(route_store: RouteStore, kind: str) -> None:
    """A write answers with what it made, not what a later write made meanwhile.

    The load benchmark saw two acknowledged writes on one incident answered with the same
    version: the answer was read after the commit, in a transaction of its own, so a
    colleague's write committed in between was reported as this one's.
    """
    reader = _ReaderThatLetsAColleagueIn(route_store.reader)
    mine = IncidentStore(reader, route_store.writer)  # type: ignore[arg-type]
    theirs = IncidentStore(route_store.reader, route_store.writer)
    iid = _create(theirs, location=LOCATION)["incident_id"]
    answers: list[dict[str, Any]] = []

    def colleague() -> None:  # made on the version this write just committed (2)
        answers.append(theirs.update(iid, 2, {"notes": "from tenzin"}, "tenzin"))

    reader.colleague = colleague
    if kind == "update":
        got = mine.update(iid, 1, {"notes": "from dolma"}, "dolma")
        assert got["notes"] == "from dolma"
    else:
        got = mine.transition(iid, "located", base_version=1, author="dolma", note="here")
        assert got["status"] == "located" and got["timeline"][-1]["note"] == "here"
        assert got["notes"] is None
    if reader.colleague is not None:  # not let in while answering: in now, after the answer
        reader.colleague = None
        colleague()
    assert got["version"] == 2
    assert answers[0]["version"] == 3 and answers[0]["notes"] == "from tenzin"
    assert theirs.get(iid)["version"] == 3


def test_concurrent_writers_each_make_a_version_of_their_own(incidents: IncidentStore) -> None:
    """Writers on one incident, reloading on a 409: every acknowledged write is a version.

    On PostgreSQL the writers run in parallel (each thread its own connection), as the
    workers of the server do; on SQLite the writes are serialised.
    """
    iid = _create(incidents)["incident_id"]
    writers, per_writer = 4, 12
    barrier = threading.Barrier(writers)
    acknowledged: list[tuple[int, str, dict[str, Any]]] = []  # (version, notes sent, answer)
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            barrier.wait()
            version = incidents.get(iid)["version"]
            for n in range(per_writer):
                notes = f"{name} {n}"
                while True:
                    try:
                        got = incidents.update(iid, version, {"notes": notes}, name)
                    except Conflict as exc:
                        assert exc.data is not None
                        version = int(exc.data["current_version"])  # type: ignore[arg-type]
                        continue
                    acknowledged.append((got["version"], notes, got))
                    version = got["version"]
                    break
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"w{i}",)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    versions = sorted(v for v, _, _ in acknowledged)
    assert versions == list(range(2, 2 + writers * per_writer))  # distinct, none lost
    for version, notes, answer in acknowledged:  # each answer shows its own write
        assert answer["notes"] == notes
        assert answer["edits"][-1]["version"] == version
    final = incidents.get(iid)
    assert final["version"] == 1 + writers * per_writer
    by_version = {e["version"]: e["changes"]["notes"]["after"] for e in final["edits"]}
    assert by_version == {v: notes for v, notes, _ in acknowledged}


def test_a_team_status_answer_is_what_this_write_made(route_store: RouteStore) -> None:
    """The same for a team's status (``TeamStore.set``): its answer is read under the write's
    own lock, so a colleague's status written meanwhile is not reported as this one's."""
    import pandas as pd

    from rescue.teams import TeamChange, TeamStore

    stations = pd.DataFrame(
        {"name_en": ["Darchen police"], "name_zh": ["塔钦派出所"], "kind": ["police"]},
        index=pd.Index(["darchen_police"], name="station_id"),
    )
    reader = _ReaderThatLetsAColleagueIn(route_store.reader)
    mine = TeamStore(reader, route_store.writer)  # type: ignore[arg-type]
    theirs = TeamStore(route_store.reader, route_store.writer)
    seen: list[dict[str, Any]] = []

    def colleague() -> None:
        body = TeamChange(status="out_of_service", note="from tenzin")
        seen.append(theirs.set("kailash", stations, "darchen_police", body, actor="tenzin"))

    reader.colleague = colleague
    got = mine.set(
        "kailash",
        stations,
        "darchen_police",
        TeamChange(status="available", note="from dolma"),
        actor="dolma",
    )
    if reader.colleague is not None:  # not let in while answering: in now, after the answer
        reader.colleague = None
        colleague()
    assert (got["status"], got["note"], got["updated_by"]) == ("available", "from dolma", "dolma")
    assert seen[0]["note"] == "from tenzin"
    assert theirs.get("kailash", stations, "darchen_police")["note"] == "from tenzin"
