"""``sandtable serve --workers N``: real gunicorn worker processes share one truth.

Which worker answers a new connection is the kernel's choice; to know, the test stops
one worker (SIGSTOP: it accepts nothing) while the other serves, then swaps them.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import delete

from geodata.store import open_store
from rescue.users import UserStore, users_table
from tests.live import LiveSession, serve_process, stop, worker_pids

PASSWORD = "prayer wheel 108"
EAST_TRACK = "road:phakna_zutulpuk_track"
POLICE = "darchen_police_station"
BELOW_DROLMA = {"segment_id": "outer_kora:dolma_la-phakna_rigzin_supply"}


def make_users(database_url: str, *users: tuple[str, str]) -> None:
    store = open_store(database_url)
    try:
        with store.writer.begin() as conn:
            conn.execute(delete(users_table))
        for name, role in users:
            UserStore(store.reader, store.writer).create_user(name, PASSWORD, role)
    finally:
        store.dispose()


@contextmanager
def only(pid: int, others: list[int]) -> Iterator[None]:
    """Only worker ``pid`` accepts connections while in the block."""
    for other in others:
        if other != pid:
            os.kill(other, signal.SIGSTOP)
    try:
        yield
    finally:
        for other in others:
            if other != pid:
                os.kill(other, signal.SIGCONT)


def police_eta(session: LiveSession) -> float:
    status, body = session.send("POST", "/api/approach", {"target": BELOW_DROLMA})
    assert status == 200, body
    return float(next(p for p in body["plans"] if p["station_id"] == POLICE)["eta_s"])


def test_serve_refuses_a_negative_worker_count(tmp_path: Path) -> None:
    from sandtable.cli import main

    assert main(["serve", "--workers", "-1", "--instance-dir", str(tmp_path)]) != 0


def test_two_workers_see_each_others_changes(database_url: str, tmp_path: Path) -> None:
    make_users(database_url, ("tsering", "planner"), ("tashi", "officer"))
    proc, base = serve_process(tmp_path / "instance", database_url, args=("--workers", "2"))
    try:
        first, second = workers = worker_pids(proc, 2)
        with only(first, workers):
            officer = LiveSession(base, "tashi", PASSWORD)
            planner = LiveSession(base, "tsering", PASSWORD)
            eta_before = police_eta(officer)
        with only(second, workers):  # the second worker builds its network of version 1
            assert police_eta(officer) == eta_before
        with only(first, workers):
            status, closure = officer.send(
                "POST",
                "/api/closures",
                {
                    "segment_ids": [EAST_TRACK],
                    "reason": "landslide",
                    "modes": "all",
                    "severity": "closed",
                },
            )
            assert status == 201, closure
            status, stored = planner.send("GET", "/api/data/places/tarboche")
            feature = stored["feature"]
            feature["properties"]["name_en"] = "Tarboche flagpole (new pole)"
            status, edit = planner.send(
                "PUT",
                "/api/data/places/tarboche",
                {"feature": feature, "base_revision": stored["revision"], "message": "pole"},
            )
            assert status == 201, edit
        with only(second, workers):  # its cached network is older: rebuilt before answering
            status, place = officer.send("GET", "/api/places/tarboche")
            assert status == 200
            assert place["properties"]["name_en"] == "Tarboche flagpole (new pole)"
            status, listed = officer.send("GET", "/api/closures")
            assert [c["closure_id"] for c in listed["closures"]] == [closure["closure_id"]]
            assert police_eta(officer) > eta_before + 60  # the closure slows the police
            # a write through this worker is seen by the first
            status, _ = officer.send("DELETE", f"/api/closures/{closure['closure_id']}")
            assert status == 204
        with only(first, workers):
            status, listed = officer.send("GET", "/api/closures")
            assert listed["closures"] == []
            assert police_eta(officer) == eta_before
    finally:
        stop(proc)


@pytest.mark.parametrize("flag", [("--dev",), ("--workers", "0")])
def test_dev_mode_serves_from_one_process(flag: tuple[str, ...], tmp_path: Path) -> None:
    proc, base = serve_process(tmp_path / "instance", f"sqlite:///{tmp_path / 'st.db'}", args=flag)
    try:
        assert worker_pids(proc, 0, timeout_s=1) == []
        import urllib.request

        with urllib.request.urlopen(f"{base}/api/health", timeout=10) as r:
            assert r.status == 200
    finally:
        stop(proc)


def test_each_worker_checks_uploads_with_its_own_checkers(tmp_path: Path) -> None:
    """The import checkers' fork server is started by each worker, never the master.

    One started in the master before the fork is not a worker's child, and
    multiprocessing cannot use it from there: every upload would fail.
    """
    import requests

    database_url = f"sqlite:///{tmp_path / 'st.db'}"
    make_users(database_url, ("tsering", "planner"))
    gpx = Path(__file__).resolve().parents[1] / "data" / "imports" / "apple_health_export.gpx"
    proc, base = serve_process(tmp_path / "instance", database_url, args=("--workers", "2"))
    try:
        workers = worker_pids(proc, 2)
        for pid in workers:
            with only(pid, workers), requests.Session() as http:
                signed_in = http.post(
                    f"{base}/api/login",
                    json={"username": "tsering", "password": PASSWORD},
                    timeout=30,
                )
                assert signed_in.status_code == 200, signed_in.text
                token = signed_in.json()["csrf_token"]
                with gpx.open("rb") as upload:
                    answer = http.post(
                        f"{base}/api/imports",
                        files={"file": (gpx.name, upload)},
                        headers={"X-CSRF-Token": token},
                        timeout=60,
                    )
                assert answer.status_code == 201, answer.text
                assert answer.json()["point_count"] == 12
    finally:
        stop(proc)


#: a cache built on a network (``RouteNetwork.derive``), as ``sandtable serve`` logs it
_BUILT = re.compile(r"^\[[^]]*\] \[(\d+)\] \[INFO\] routes\.network: built (\S+) in ")
_WARMED = re.compile(r"^\[[^]]*\] \[(\d+)\] \[INFO\] rescue\.warm: warmed ")


def _logged(log: Path, line: re.Pattern[str]) -> list[tuple[int, str]]:
    """(process id, what) of the lines of ``log`` matching ``line``."""
    text = log.read_text(encoding="utf-8", errors="replace")
    return [
        (int(m[1]), m[2] if m.lastindex == 2 else "")
        for m in map(line.match, text.splitlines())
        if m is not None
    ]


def _locate_and_plan(session: LiveSession, text: str) -> None:
    status, located = session.send("POST", "/api/locate", {"text": text})
    assert status == 200 and located["candidates"], located
    target = {"candidates": located["candidates"][:3]}
    status, planned = session.send("POST", "/api/approach", {"target": target})
    assert status == 200, planned


def test_workers_answer_their_first_locate_on_a_warm_network(tmp_path: Path) -> None:
    """No request pays for building the locate index and the approach's caches.

    The master warms the network before forking (the workers inherit it); a worker
    forked after a new route-data version warms that version's network before it takes
    a connection. Every cache built is logged with the process that built it.
    """
    database_url = f"sqlite:///{tmp_path / 'st.db'}"
    make_users(database_url, ("tsering", "planner"), ("tashi", "officer"))
    log = tmp_path / "server.log"
    proc, base = serve_process(
        tmp_path / "instance", database_url, args=("--workers", "2"), log=log
    )
    try:
        workers = worker_pids(proc, 2)
        warmed = {key for pid, key in _logged(log, _BUILT) if pid == proc.pid}
        assert "locate_index" in warmed, log.read_text()  # by the master, before the fork
        for pid in workers:
            with only(pid, workers):
                officer = LiveSession(base, "tashi", PASSWORD)
                mark = len(_logged(log, _BUILT))
                status, located = officer.send(
                    "POST", "/api/locate", {"text": "two hours past Dirapuk"}
                )
                assert status == 200 and located["candidates"], located
                assert _logged(log, _BUILT)[mark:] == []  # the first locate built nothing
                _locate_and_plan(officer, "we are below the Drolma La")
                rebuilt = [key for p, key in _logged(log, _BUILT)[mark:] if key in warmed]
                assert rebuilt == []

        # a new version, then a worker replacing a dead one: it forks from the master's
        # network (the old version) and warms the new one before it serves
        with only(workers[0], workers):
            planner = LiveSession(base, "tsering", PASSWORD)
            status, stored = planner.send("GET", "/api/data/places/tarboche")
            feature = stored["feature"]
            feature["properties"]["name_en"] = "Tarboche flagpole (new pole)"
            status, edit = planner.send(
                "PUT",
                "/api/data/places/tarboche",
                {"feature": feature, "base_revision": stored["revision"], "message": "pole"},
            )
            assert status == 201, edit
        os.kill(workers[1], signal.SIGKILL)
        deadline = time.monotonic() + 120
        while (new := set(worker_pids(proc, 2)) - set(workers)) == set() or not any(
            pid in new for pid, _ in _logged(log, _WARMED)
        ):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        (fresh,) = new
        mark = len(_logged(log, _BUILT))
        with only(fresh, [workers[0], fresh]):
            officer = LiveSession(base, "tashi", PASSWORD)
            status, place = officer.send("GET", "/api/places/tarboche")
            assert place["properties"]["name_en"] == "Tarboche flagpole (new pole)"
            _locate_and_plan(officer, "two hours past Tarboche")
        assert [key for _, key in _logged(log, _BUILT)[mark:] if key in warmed] == []
    finally:
        stop(proc)
