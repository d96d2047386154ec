"""The route-data store on SQLite and on PostgreSQL + PostGIS: versions, conflicts, restore."""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from geodata.errors import Conflict, InvalidInput, NotFound
from geodata.files import DEFAULT_DATA_DIR
from geodata.store import FeatureEdit, RouteStore, open_store
from geodata.validate import read_region_files
from tests.common import make_region_dir

REPO = Path(__file__).resolve().parents[2]


def _head() -> str:
    """The newest migration, as the migration scripts say (a new one moves it)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from geodata.store.engine import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


HEAD = _head()


@pytest.fixture
def store(database_url: str) -> Iterator[RouteStore]:
    s = open_store(database_url)
    yield s
    s.dispose()


@pytest.fixture
def seeded(store: RouteStore) -> RouteStore:
    info = store.versions.seed("kailash")
    assert info is not None and info.kind == "seed"
    return store


def plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def edit_place(store: RouteStore, place_id: str, **props: Any) -> FeatureEdit:
    snap = store.versions.snapshot("kailash")
    f = copy.deepcopy(snap.feature("places", place_id))
    f["properties"].update(props)
    return FeatureEdit("places", place_id, "update", f, snap.revisions[("places", place_id)])


# --------------------------------------------------------------------------- seeding
def test_seed_round_trips_the_committed_files(seeded: RouteStore) -> None:
    files = read_region_files(DEFAULT_DATA_DIR / "kailash")
    snap = seeded.versions.snapshot("kailash")
    assert snap.version_id == seeded.versions.current_version("kailash") == 1
    assert plain(snap.documents.layers) == plain(files.layers)  # order, properties, coordinates
    assert snap.documents.metadata == files.metadata
    assert snap.documents.cues == files.cues
    region = snap.region()
    assert len(region.trails) == len(files.layers["trails"]["features"])
    assert region.path is None
    assert seeded.versions.seed("kailash") is None  # seeded once only
    assert [v.version_id for v in seeded.versions.history("kailash")] == [1]


def test_opening_again_keeps_the_data_and_the_schema_is_at_head(
    seeded: RouteStore, database_url: str
) -> None:
    again = open_store(database_url)
    try:
        assert again.versions.current_version("kailash") == 1
        with again.reader.connect() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert head == HEAD
    finally:
        again.dispose()


def test_unknown_region_and_scheme(store: RouteStore) -> None:
    with pytest.raises(NotFound, match="not in the database"):
        store.versions.snapshot("nowhere")
    with pytest.raises(NotFound):
        store.versions.current_version("nowhere")
    with pytest.raises(InvalidInput, match="unsupported database URL"):
        open_store("mysql://root@localhost/x")


# --------------------------------------------------------------------------- versions
def test_an_edit_is_a_version_with_before_and_after(seeded: RouteStore) -> None:
    before = seeded.versions.snapshot("kailash")
    info = seeded.versions.commit(
        "kailash",
        [edit_place(seeded, "darchen", notes="new clinic opened")],
        author="planner a",
        message="Darchen: clinic",
    )
    assert (info.version_id, info.parent_id, info.kind) == (2, 1, "edit")
    assert info.counts == {"update": 1}
    assert seeded.versions.current_version("kailash") == 2
    after = seeded.versions.snapshot("kailash")
    assert after.feature("places", "darchen")["properties"]["notes"] == "new clinic opened"
    assert after.revisions[("places", "darchen")] == 2
    assert after.revisions[("places", "tarboche")] == 1
    version, changes = seeded.versions.changes("kailash", 2)
    assert version.message == "Darchen: clinic" and version.author == "planner a"
    (change,) = changes
    assert change["op"] == "update"
    assert change["before"] == plain(before.feature("places", "darchen"))
    assert change["after"]["properties"]["notes"] == "new clinic opened"
    assert change["after"]["type"] == "Feature"
    # the past is still there, exactly
    assert plain(seeded.versions.snapshot("kailash", 1).documents.layers) == plain(
        before.documents.layers
    )
    assert [v.version_id for v in seeded.versions.history("kailash")] == [2, 1]
    assert [v.version_id for v in seeded.versions.history("kailash", before=2)] == [1]


def test_insert_move_and_delete_then_every_version_rebuilds(seeded: RouteStore) -> None:
    states = {1: plain(seeded.versions.snapshot("kailash").documents.layers)}
    new_place = copy.deepcopy(seeded.versions.snapshot("kailash").feature("places", "tarboche"))
    new_place["properties"].update(place_id="new_rescue_cache", name_en="Rescue cache")
    new_place["geometry"]["coordinates"] = [81.262, 31.02]
    v2 = seeded.versions.commit(
        "kailash",
        [FeatureEdit("places", "new_rescue_cache", "insert", new_place)],
        author="a",
        message="cache",
    )
    states[v2.version_id] = plain(seeded.versions.snapshot("kailash").documents.layers)
    moved = seeded.versions.snapshot("kailash")
    f = copy.deepcopy(moved.feature("places", "new_rescue_cache"))
    f["geometry"]["coordinates"] = [81.263, 31.021]
    v3 = seeded.versions.commit(
        "kailash",
        [FeatureEdit("places", "new_rescue_cache", "update", f, v2.version_id)],
        author="a",
        message="move",
    )
    states[v3.version_id] = plain(seeded.versions.snapshot("kailash").documents.layers)
    v4 = seeded.versions.commit(
        "kailash",
        [FeatureEdit("places", "new_rescue_cache", "delete", None, v3.version_id)],
        author="a",
        message="remove",
    )
    states[v4.version_id] = plain(seeded.versions.snapshot("kailash").documents.layers)
    assert states[4] == states[1]
    for vid, layers in states.items():
        assert plain(seeded.versions.snapshot("kailash", vid).documents.layers) == layers, vid
    places = states[2]["places"]["features"]
    assert places[-1]["properties"]["place_id"] == "new_rescue_cache"  # appended in order
    with pytest.raises(NotFound, match="no version 99"):
        seeded.versions.snapshot("kailash", 99)


def test_restore_writes_the_old_state_as_a_new_version(seeded: RouteStore) -> None:
    original = plain(seeded.versions.snapshot("kailash").documents.layers)
    seeded.versions.commit(
        "kailash", [edit_place(seeded, "darchen", notes="x")], author="a", message="1"
    )
    seeded.versions.commit(
        "kailash", [edit_place(seeded, "tarboche", notes="y")], author="b", message="2"
    )
    info = seeded.versions.restore("kailash", 1, author="chief")
    assert (info.kind, info.restored_from, info.version_id) == ("restore", 1, 4)
    assert info.counts == {"update": 2}
    assert plain(seeded.versions.snapshot("kailash").documents.layers) == original
    assert (
        plain(seeded.versions.snapshot("kailash", 3).documents.layers) != original
    )  # kept in history
    with pytest.raises(InvalidInput, match="current state already"):
        seeded.versions.restore("kailash", 4, author="chief")


# --------------------------------------------------------------------------- refusals
def test_a_stale_edit_is_a_conflict_showing_both_versions(seeded: RouteStore) -> None:
    mine = edit_place(seeded, "darchen", notes="planner a")
    theirs = edit_place(seeded, "darchen", notes="planner b")
    seeded.versions.commit("kailash", [theirs], author="b", message="b first")
    with pytest.raises(Conflict) as err:
        seeded.versions.commit("kailash", [mine], author="a", message="a second")
    data = err.value.data
    assert data is not None
    assert data["theirs"]["revision"] == 2  # type: ignore[index]
    assert data["theirs"]["feature"]["properties"]["notes"] == "planner b"  # type: ignore[index]
    assert data["yours"]["base_revision"] == 1  # type: ignore[index]
    assert data["yours"]["feature"]["properties"]["notes"] == "planner a"  # type: ignore[index]
    assert seeded.versions.current_version("kailash") == 2  # nothing written


def test_concurrent_edits_on_one_revision_one_wins(seeded: RouteStore) -> None:
    edits = [edit_place(seeded, "darchen", notes=f"writer {i}") for i in range(4)]
    results: list[str] = []

    def write(e: FeatureEdit) -> None:
        try:
            seeded.versions.commit("kailash", [e], author="w", message="race")
            results.append("ok")
        except Conflict:
            results.append("conflict")

    threads = [threading.Thread(target=write, args=(e,)) for e in edits]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(results) == ["conflict", "conflict", "conflict", "ok"]
    assert seeded.versions.current_version("kailash") == 2


@pytest.mark.parametrize(
    "edit, words",
    [
        (
            lambda f: FeatureEdit("places", "darchen", "update", f, 1),
            ["invalid", "lon"],
        ),
        (lambda f: FeatureEdit("places", "darchen", "update", f, None), ["base_revision"]),
        (lambda f: FeatureEdit("valleys", "darchen", "update", f, 1), ["unknown layer"]),
        (lambda f: FeatureEdit("places", "elsewhere", "update", f, 1), ["place_id"]),
        (lambda f: FeatureEdit("trails", "darchen", "update", f, 1), ["LineString"]),
    ],
)
def test_bad_edits_write_nothing(seeded: RouteStore, edit: Any, words: list[str]) -> None:
    f = copy.deepcopy(seeded.versions.snapshot("kailash").feature("places", "darchen"))
    f["geometry"]["coordinates"] = [181.5, 31.0]
    with pytest.raises(InvalidInput) as err:
        seeded.versions.commit("kailash", [edit(f)], author="a", message="bad")
    text_ = str(err.value)
    for word in words:
        assert word in text_
    assert seeded.versions.current_version("kailash") == 1


def test_deleting_a_place_a_station_needs_is_refused(seeded: RouteStore) -> None:
    snap = seeded.versions.snapshot("kailash")
    station = snap.documents.layers["stations"]["features"][0]["properties"]
    place = station["place_id"]
    with pytest.raises(InvalidInput) as err:
        seeded.versions.commit(
            "kailash",
            [FeatureEdit("places", place, "delete", None, snap.revisions[("places", place)])],
            author="a",
            message="delete",
        )
    assert any(place in d for d in err.value.details)
    assert seeded.versions.current_version("kailash") == 1
    for bad in ("", " ", "x" * 2001):
        with pytest.raises(InvalidInput):
            seeded.versions.commit(
                "kailash", [edit_place(seeded, "darchen")], author="a", message=bad
            )
    with pytest.raises(InvalidInput, match="nothing to commit"):
        seeded.versions.commit("kailash", [], author="a", message="m")


# --------------------------------------------------------------------------- isolation
def test_readers_are_not_blocked_by_a_writer(seeded: RouteStore) -> None:
    """A write transaction held open until the read is done: the read completes first."""
    started = threading.Event()
    read_done = threading.Event()
    seen: list[int] = []

    def slow_writer() -> None:
        with seeded.writer.connect() as conn, conn.begin():
            conn.execute(text("UPDATE regions SET current_version = 1 WHERE region_id = 'kailash'"))
            started.set()
            read_done.wait(60)  # holds its locks until the reader has finished

    def reader() -> None:
        seen.append(seeded.versions.snapshot("kailash").version_id)
        read_done.set()

    w = threading.Thread(target=slow_writer)
    w.start()
    try:
        assert started.wait(60)
        r = threading.Thread(target=reader)
        r.start()
        # a hang guard, not a speed test: a blocked reader would never finish before
        # the writer lets go, and the writer waits for the reader
        r.join(60)
        assert read_done.is_set() and seen == [1]
    finally:
        read_done.set()
        w.join(60)


def test_closure_rows(seeded: RouteStore) -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    seeded.closures.add(
        "kailash", "c1", {"x": 1}, valid_until=now - timedelta(hours=1), created_at=now
    )
    seeded.closures.add("kailash", "c2", {"x": 2}, valid_until=None, created_at=now)
    assert [b["x"] for b in seeded.closures.bodies("kailash")] == [1, 2]
    with pytest.raises(Conflict):
        seeded.closures.add("kailash", "c2", {"x": 3}, valid_until=None, created_at=now)
    seeded.closures.add(
        "kailash", "c3", {"x": 3}, valid_until=None, created_at=now, purge_before=now
    )
    assert [b["x"] for b in seeded.closures.bodies("kailash")] == [2, 3]  # c1 had ended
    assert seeded.closures.delete("kailash", "c2")
    assert not seeded.closures.delete("kailash", "c2")
    assert [b["x"] for b in seeded.closures.bodies("kailash")] == [3]


# --------------------------------------------------------------------------- durability
_KILLED_WRITER = """
import sys, time
from sqlalchemy.engine.base import RootTransaction
from geodata.store import open_store, FeatureEdit

store = open_store(sys.argv[1])
snap = store.versions.snapshot("kailash")
edits = []
for f in snap.documents.layers["places"]["features"]:
    f = dict(f, properties=dict(f["properties"], notes="half-written"))
    pid = f["properties"]["place_id"]
    edits.append(FeatureEdit("places", pid, "update", f, snap.revisions[("places", pid)]))

def stall(self, *a, **k):  # every row is written; the transaction is never committed
    print("WRITTEN", flush=True)
    time.sleep(120)

RootTransaction._do_commit = stall
store.versions.commit("kailash", edits, author="killed", message="never lands")
"""


def test_a_writer_killed_mid_transaction_leaves_the_previous_version(
    seeded: RouteStore, database_url: str, tmp_path: Path
) -> None:
    script = tmp_path / "writer.py"
    script.write_text(_KILLED_WRITER)
    with subprocess.Popen(
        [sys.executable, str(script), database_url],
        cwd=REPO,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    ) as proc:
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == b"WRITTEN"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
    again = open_store(database_url)
    try:
        assert again.versions.current_version("kailash") == 1
        snap = again.versions.snapshot("kailash")
        assert all(
            f["properties"]["notes"] != "half-written"
            for f in snap.documents.layers["places"]["features"]
        )
        # and the store takes writes again
        info = again.versions.commit(
            "kailash", [edit_place(again, "darchen", notes="ok")], author="a", message="m"
        )
        # (PostgreSQL's sequence moved on in the killed transaction: ids may have gaps)
        assert again.versions.current_version("kailash") == info.version_id > 1
        assert [v.parent_id for v in again.versions.history("kailash")] == [1, None]
    finally:
        again.dispose()


def test_seed_from_a_tiny_region_dir(store: RouteStore, tmp_path: Path) -> None:
    make_region_dir(tmp_path / "tiny")
    store.versions.seed("tiny", data_dir=tmp_path)
    assert store.versions.snapshot("tiny").region().stations.index.tolist() == [
        "town_police",
        "gate_medical",
    ]
    broken = tmp_path / "other" / "broken"
    make_region_dir(broken, stations="not json")
    from geodata.errors import DataValidationError

    with pytest.raises(DataValidationError):
        store.versions.seed("broken", data_dir=broken.parent)
    assert not store.versions.has_region("broken")


def test_a_failing_check_writes_nothing(seeded: RouteStore) -> None:
    seen = []

    def refuse(docs: Any) -> None:
        seen.append(docs.layers["places"]["features"][0]["properties"]["place_id"])
        raise ValueError("the network would not build")

    with pytest.raises(InvalidInput, match="cannot be built") as err:
        seeded.versions.commit(
            "kailash",
            [edit_place(seeded, "darchen", notes="z")],
            author="a",
            message="m",
            check=refuse,
        )
    assert "ValueError: the network would not build" in err.value.details
    assert seen and seeded.versions.current_version("kailash") == 1


def test_an_older_schema_is_upgraded_in_place(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database made by the first release (migration 0001) keeps its data on upgrade."""
    from alembic import command
    from alembic.config import Config

    from geodata.store.engine import MIGRATIONS, engines

    reader, writer = engines(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    old = RouteStore(reader, writer)
    with monkeypatch.context() as first_release:  # which wrote no audit log (0005)
        first_release.setattr("geodata.store.versions.record", lambda *a, **k: None)
        old.versions.seed("kailash")
        old.versions.commit(
            "kailash", [edit_place(old, "darchen", notes="before upgrade")], author="a", message="m"
        )
    old.dispose()
    upgraded = open_store(database_url)
    try:
        with upgraded.reader.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
        snap = upgraded.versions.snapshot("kailash")
        assert snap.feature("places", "darchen")["properties"]["notes"] == "before upgrade"
        upgraded.imports.save(
            "kailash",
            "imp1",
            author="a",
            filename="f.gpx",
            base_version=snap.version_id,
            preview={"x": 1},
            edits=[edit_place(upgraded, "darchen", notes="imported")],
        )
        preview, edits = upgraded.imports.get("kailash", "imp1")
        assert preview == {"x": 1} and edits[0].feature["properties"]["notes"] == "imported"
        info = upgraded.imports.apply("kailash", "imp1", author="a", message="apply")
        assert info.kind == "import"
        with pytest.raises(NotFound):
            upgraded.imports.get("kailash", "imp1")  # consumed in the same transaction
    finally:
        upgraded.dispose()


def test_a_place_far_outside_the_region_and_a_blank_way_name_are_refused(
    seeded: RouteStore,
) -> None:
    snap = seeded.versions.snapshot("kailash")
    place = copy.deepcopy(snap.feature("places", "darchen"))
    place["geometry"]["coordinates"] = [10.0, 10.0]
    with pytest.raises(InvalidInput) as err:
        seeded.versions.commit(
            "kailash",
            [
                FeatureEdit(
                    "places", "darchen", "update", place, snap.revisions[("places", "darchen")]
                )
            ],
            author="a",
            message="m",
        )
    assert any("outside the region" in d for d in err.value.details)
    road = copy.deepcopy(snap.feature("roads", "road:darchen_tarboche"))
    road["properties"]["name_en"] = ""
    key = ("roads", "road:darchen_tarboche")
    with pytest.raises(InvalidInput) as err:
        seeded.versions.commit(
            "kailash",
            [FeatureEdit("roads", key[1], "update", road, snap.revisions[key])],
            author="a",
            message="m",
        )
    assert any("name_en" in d for d in err.value.details)
    assert seeded.versions.current_version("kailash") == 1


def test_sqlite_writers_take_turns_on_one_lock(tmp_path: Path) -> None:
    """Held from BEGIN until the connection is back in the pool, after commit or rollback."""
    from sqlalchemy import text as sql

    from geodata.store.engine import WRITE_LOCKS

    store = open_store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        lock = WRITE_LOCKS[store.writer]
        assert store.reader not in WRITE_LOCKS
        with store.writer.begin() as conn:
            assert lock.locked()
            conn.execute(sql("SELECT 1"))
        assert not lock.locked()
        with pytest.raises(ZeroDivisionError), store.writer.begin():
            assert lock.locked()
            raise ZeroDivisionError
        assert not lock.locked()
        with store.writer.connect() as conn:  # connecting alone takes nothing
            assert not lock.locked()
        # a second writer waits for the first, then goes on
        order: list[str] = []

        def second() -> None:
            with store.writer.begin():
                order.append("second")

        with store.writer.begin():
            order.append("first")
            other = threading.Thread(target=second)
            other.start()
            other.join(timeout=0.5)
            assert other.is_alive() and order == ["first"]
        other.join(timeout=30)
        assert order == ["first", "second"] and not lock.locked()
        with store.reader.begin():  # readers never take it
            assert not lock.locked()
    finally:
        store.dispose()


def test_sqlite_writers_of_two_processes_take_turns(tmp_path: Path) -> None:
    """A writer in another process (a second gunicorn worker) waits on the file lock."""
    db = tmp_path / "db.sqlite"
    store = open_store(f"sqlite:///{db}")
    script = (  # opening the store writes too (the migrations): it waits there already
        "import time\n"
        "from geodata.store import open_store\n"
        f"s = open_store('sqlite:///{db}')\n"
        "with s.writer.begin():\n"
        "    print(time.time(), flush=True)\n"
    )
    from geodata.store.engine import WRITE_LOCKS

    lock = WRITE_LOCKS[store.writer]
    try:
        lock.acquire()  # the turn alone, no SQLite transaction: only the file lock can block
        try:
            assert (tmp_path / "db.sqlite-writelock").is_file()
            other = subprocess.Popen(
                [sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True
            )
            time.sleep(1.5)
            assert other.poll() is None  # waits for this process's turn to end
            released = time.time()
        finally:
            lock.release()
        out, _ = other.communicate(timeout=60)
        assert other.returncode == 0 and float(out) >= released
    finally:
        store.dispose()
