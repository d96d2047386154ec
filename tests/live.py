"""A real Sandtable server process on loopback, for the durability tests.

``serve_process`` starts ``python -m rescue.cli serve`` on a free port with an instance
directory (and a database URL) and waits for ``/api/health``; ``stop`` kills it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

__all__ = ["REPO", "free_port", "serve_process", "stop"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_process(
    instance: Path, database_url: str | None = None, *, timeout_s: float = 120
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``sandtable serve`` on a free port; ``(process, base URL)`` once it answers.

    Raises
    ------
    RuntimeError
        If the process ends or does not answer within ``timeout_s``.
    """
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    if database_url is not None:
        env["SANDTABLE_DATABASE_URL"] = database_url
    proc = subprocess.Popen(
        [sys.executable, "-m", "rescue.cli", "serve", "--port", str(port)]
        + ["--instance-dir", str(instance)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/health", timeout=5):
                return proc, base
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if proc.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)
    stop(proc)
    raise RuntimeError("the server did not answer")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the server (if it still runs) and reap it."""
    if proc.poll() is None:
        proc.kill()
    proc.wait(30)
