"""``sandtable create-user``: the first admin, made on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from geodata.store import DATABASE_FILE, open_store
from rescue.users import UserStore

ROOT = Path(__file__).resolve().parents[2]


def create_user(instance: Path, *args: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDTABLE_")}
    return subprocess.run(
        [sys.executable, "-m", "sandtable.cli", "create-user", *args, "--password-stdin"],
        input=password + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "SANDTABLE_INSTANCE_DIR": str(instance)},
        timeout=120,
        check=False,
    )


def test_create_the_first_admin_then_a_duplicate(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    done = create_user(instance, "Tenzin", "--role", "admin", password="a long passphrase")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "created admin 'tenzin' (user 1)"
    assert "a long passphrase" not in done.stdout + done.stderr

    store = open_store(f"sqlite:///{instance / DATABASE_FILE}")
    try:
        user = UserStore(store.reader, store.writer).authenticate("tenzin", "a long passphrase")
    finally:
        store.dispose()
    assert user is not None and user.role == "admin"

    again = create_user(instance, "tenzin", "--role", "officer", password="another passphrase")
    assert again.returncode == 2
    assert "'tenzin' is taken" in again.stderr
    assert "Traceback" not in again.stderr


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 10 characters"),
        ("dawa.lhamo", "must not be the username"),
        ("aaaaaaaaaa", "too easy to guess"),
        ("1234567890", "too easy to guess (This is a top-100 common password)"),
        ("qwertyuiop1", "too easy to guess"),
        (" " * 10, "must not be only spaces"),
        ("\0" * 10, "must not contain control characters"),
    ],
)
def test_weak_password_is_refused(tmp_path: Path, password: str, problem: str) -> None:
    instance = tmp_path / "instance"
    done = create_user(instance, "dawa.lhamo", "--role", "officer", password=password)
    assert done.returncode == 2
    assert problem in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    store = open_store(f"sqlite:///{instance / DATABASE_FILE}")
    try:
        assert UserStore(store.reader, store.writer).list() == ()  # nothing was created
    finally:
        store.dispose()


def test_an_unknown_role_is_refused(tmp_path: Path) -> None:
    done = create_user(
        tmp_path / "instance", "dawa", "--role", "root", password="snow lion banner 9"
    )
    assert done.returncode == 2
    assert "invalid choice: 'root'" in done.stderr
