"""The ``sandtable`` command line, in-process and as a real process."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sandtable.cli import build_parser, main
from tests.live import free_port

SUBCOMMANDS = ["serve", "build-region", "info", "locate", "eval-locate"]


@pytest.mark.parametrize("command", SUBCOMMANDS)
def test_every_subcommand_has_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"sandtable {command}" in out and "--" in out


def test_parser_lists_the_subcommands() -> None:
    help_text = build_parser().format_help()
    for command in SUBCOMMANDS:
        assert command in help_text


def test_info_json_describes_the_embedded_region(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["region_id"] == "kailash"
    assert 47 <= info["routes_km"]["outer_kora"] <= 56  # issue 14: geometry, not padding
    assert info["centreline_fit"]["median_distance_m"] <= 25
    assert info["counts"]["stations"] >= 10


def test_unknown_region_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "everest"]) == 2
    err = capsys.readouterr().err
    assert "unknown region 'everest'" in err and "kailash" in err
    assert "Traceback" not in err


def test_build_region_names_missing_inputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "build-region",
            "kailash",
            "--source",
            str(tmp_path),
            "--out-dir",
            str(tmp_path / "out"),
            "--quiet",
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "lacks tracks_train.csv.gz" in err
    assert not (tmp_path / "out").exists()


def test_serve_runs_a_real_wsgi_server(tmp_path: Path) -> None:
    port = free_port()
    env = os.environ | {"SANDTABLE_INSTANCE_DIR": str(tmp_path / "instance")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sandtable.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its workers and their import checkers: one process group
    )
    try:
        deadline = time.monotonic() + 60
        body = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                    body = json.loads(r.read())
                    server = r.headers.get("Server", "")
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.3)
        assert body is not None, "server did not answer /api/health within 60 s"
        assert body["status"] == "ok" and body["region_id"] == "kailash"
        assert "gunicorn" in server  # the default: worker processes (waitress with --dev)
    finally:
        proc.terminate()  # gunicorn's graceful stop
        try:
            proc.wait(timeout=60)
        finally:
            # an import checker's fork server still loading its modules (slow on a busy
            # machine) holds the pipe open after the server is gone: end the whole group
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=30)  # reaps the process and closes its pipe
