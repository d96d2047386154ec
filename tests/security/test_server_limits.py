"""The WSGI server's own limits (``sandtable serve``, waitress), with a real server process.

A body over ``web.bodies.MAX_REQUEST_BYTES`` is refused by waitress before it is read:
declared with ``Content-Length`` it is answered 413 as soon as the headers arrive and
nothing is written to disk; chunked, it is cut off at the limit, so the server's
temporary file never grows past it. Before, waitress buffered up to 1 GiB of any
request to a temporary file before the app's 413 (issue 12, item 5).
"""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench._body_probe import TempWatcher, send_body, temp_bytes
from tests.live import serve_process, stop
from web.bodies import MAX_REQUEST_BYTES
from web.server import waitress_limits

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc/<pid>/fd")

MB = 1 << 20


@pytest.fixture
def server(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[int, str, Path]]:
    """A ``sandtable serve`` process with its own TMPDIR: (pid, base URL, TMPDIR)."""
    tmpdir = tmp_path / "server-tmp"
    tmpdir.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmpdir))
    url = None if database_url.startswith("sqlite") else database_url
    proc, base = serve_process(tmp_path / "instance", url)
    try:
        yield proc.pid, base, tmpdir
    finally:
        stop(proc)


def healthy(base: str) -> bool:
    with urllib.request.urlopen(f"{base}/api/health", timeout=10) as response:
        return bool(response.status == 200)


def test_the_limits_come_from_the_apps_largest_body() -> None:
    limits = waitress_limits()
    assert limits["max_request_body_size"] == MAX_REQUEST_BYTES + 1  # waitress refuses >=
    assert limits["max_request_header_size"] == 64 * 1024


def test_a_declared_900_mb_anonymous_login_is_refused_unread(
    server: tuple[int, str, Path],
) -> None:
    pid, base, tmpdir = server
    with TempWatcher(pid, tmpdir) as watcher:
        result = send_body(base, "/api/login", 900 * MB)
    assert result.status == 413, result.head
    assert result.seconds < 10
    assert result.sent_bytes < 64 * MB  # hung up on long before the end (socket buffers)
    assert watcher.peak == 0  # not one byte buffered to disk
    assert healthy(base)


def test_a_chunked_body_without_length_is_cut_off_at_the_limit(
    server: tuple[int, str, Path],
) -> None:
    pid, base, tmpdir = server
    with TempWatcher(pid, tmpdir) as watcher:
        result = send_body(base, "/api/login", 200 * MB, chunked=True)
    assert result.status == 413, result.head
    assert result.seconds < 10
    assert result.sent_bytes < MAX_REQUEST_BYTES + 64 * MB  # not the 200 MB
    assert watcher.peak <= MAX_REQUEST_BYTES + 2 * MB  # bounded (the chunk in flight)
    assert temp_bytes(pid, tmpdir) == 0  # and let go of
    assert healthy(base)


def test_huge_headers_are_refused(server: tuple[int, str, Path]) -> None:
    _, base, _ = server
    result = send_body(base, "/api/login", 10, extra_headers=f"X-Pad: {'a' * 100_000}\r\n")
    assert result.status == 431, result.head
    assert healthy(base)


def test_a_body_within_the_limit_still_reaches_the_app(server: tuple[int, str, Path]) -> None:
    """The app's own, smaller limit for a log-in (64 KB) answers with the JSON envelope."""
    _, base, _ = server
    result = send_body(base, "/api/login", 2 * MB)
    assert result.status == 413
    assert "application/json" in result.head
    assert healthy(base)
