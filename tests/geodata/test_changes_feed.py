"""The change feed: a write is announced in its own transaction, and only if it commits."""

from __future__ import annotations

from pathlib import Path

from geodata.store import RouteStore, open_store
from geodata.store.audit import record
from geodata.store.changes_feed import CHANNEL, counters, topic_of


def test_topics_of_actions() -> None:
    assert topic_of("closure.create") == "closures"
    assert topic_of("incident.transition") == "incidents"
    assert topic_of("version.import") == "route_data"
    assert topic_of("user.create") is None


def _write(store: RouteStore, action: str, *, fail: bool) -> None:
    class Boom(Exception):
        pass

    try:
        with store.writer.begin() as conn:
            record(conn, actor="t", action=action, target_type="x", target_id="7", summary="s")
            if fail:
                raise Boom
    except Boom:
        pass


def test_counters_move_on_commit_only(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'st.db'}")
    try:
        assert counters(store.reader) == {}
        _write(store, "closure.create", fail=False)
        _write(store, "closure.delete", fail=False)
        _write(store, "incident.create", fail=True)  # rolled back: not announced
        _write(store, "user.create", fail=False)  # not a topic
        assert counters(store.reader) == {"closures": 2}
        _write(store, "incident.create", fail=False)
        assert counters(store.reader) == {"closures": 2, "incidents": 1}
    finally:
        store.dispose()


def test_postgres_notifies_listeners_on_commit_only(postgis_url: str) -> None:
    import json

    import psycopg

    from tests.databases import empty_postgis

    empty_postgis(postgis_url)
    store = open_store(postgis_url)
    dsn = postgis_url.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(dsn, autocommit=True) as listener:
            listener.execute(f"LISTEN {CHANNEL}")
            _write(store, "incident.update", fail=True)
            _write(store, "closure.create", fail=False)
            _write(store, "user.update", fail=False)
            got = [json.loads(n.payload) for n in listener.notifies(timeout=1.0)]
        assert got == [{"topic": "closures", "action": "closure.create", "target_id": "7"}]
        assert counters(store.reader) == {}  # PostgreSQL does not need the counters
    finally:
        store.dispose()
