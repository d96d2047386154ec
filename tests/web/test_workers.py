"""``sandtable serve --workers N``: real gunicorn worker processes share one truth.

Which worker answers a new connection is the kernel's choice; to know, the test stops
one worker (SIGSTOP: it accepts nothing) while the other serves, then swaps them.
"""

from __future__ import annotations

import os
import signal
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
