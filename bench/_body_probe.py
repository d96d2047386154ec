"""Send a huge request body to a real server and watch what the server writes to disk.

Shared by ``bench/bench_body_limit.py`` and ``tests/security/test_server_limits.py``:
:func:`send_body` streams a body (declared with ``Content-Length`` or chunked) over a raw
socket and stops when the server answers or hangs up; :class:`TempWatcher` samples the
server process's open files under its ``TMPDIR`` (waitress buffers bodies in anonymous
temporary files there) through ``/proc/<pid>/fd`` and keeps the largest total size seen.
Linux only (``/proc``).
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["BodyResult", "TempWatcher", "peak_rss_bytes", "send_body", "temp_bytes"]


@dataclass(frozen=True)
class BodyResult:
    """What happened: the answer's status (None: no answer), when, how much was sent."""

    status: int | None
    seconds: float
    sent_bytes: int
    head: str


def temp_bytes(pid: int, tmpdir: Path) -> int:
    """Bytes in the files under ``tmpdir`` that process ``pid`` has open now."""
    total = 0
    root = f"/proc/{pid}/fd"
    try:
        names = os.listdir(root)
    except OSError:
        return 0
    prefix = str(tmpdir)
    for name in names:
        try:
            if os.readlink(f"{root}/{name}").startswith(prefix):
                total += os.stat(f"{root}/{name}").st_size
        except OSError:  # closed meanwhile
            continue
    return total


def peak_rss_bytes(pid: int) -> int:
    """The process's peak resident memory (``VmHWM``), in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


class TempWatcher:
    """Samples :func:`temp_bytes` every ``interval_s`` in a thread; ``peak`` is the largest."""

    def __init__(self, pid: int, tmpdir: Path, interval_s: float = 0.01) -> None:
        self.pid, self.tmpdir, self.interval_s = pid, tmpdir, interval_s
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TempWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, temp_bytes(self.pid, self.tmpdir))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, temp_bytes(self.pid, self.tmpdir))
            self._stop.wait(self.interval_s)


def send_body(
    base_url: str,
    path: str,
    total_bytes: int,
    *,
    chunked: bool = False,
    chunk_bytes: int = 1 << 20,
    content_type: str = "application/json",
    extra_headers: str = "",
    timeout_s: float = 120,
) -> BodyResult:
    """POST ``total_bytes`` of spaces to ``path``; stop at the server's answer or hang-up.

    With ``chunked`` the body has no ``Content-Length`` (``Transfer-Encoding: chunked``).
    """
    url = urlsplit(base_url)
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total_bytes}"
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: {content_type}\r\n"
        f"{length}\r\n{extra_headers}Connection: close\r\n\r\n"
    ).encode("latin-1")
    piece = b" " * chunk_bytes
    start = time.perf_counter()
    sent = 0
    answer = b""
    with socket.create_connection((url.hostname, url.port), timeout=timeout_s) as sock:
        try:
            sock.sendall(head)
            while sent < total_bytes:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered (or hung up) before the end of the body
                n = min(chunk_bytes, total_bytes - sent)
                data = piece[:n]
                if chunked:
                    data = f"{n:x}\r\n".encode() + data + b"\r\n"
                sock.sendall(data)
                sent += n
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while b"\r\n\r\n" not in answer:
                got = sock.recv(65536)
                if not got:
                    break
                answer += got
        except (ConnectionResetError, TimeoutError):
            pass
    seconds = time.perf_counter() - start
    first = answer.split(b"\r\n", 1)[0].decode("latin-1")
    status = int(first.split()[1]) if first.startswith("HTTP/") else None
    return BodyResult(status, seconds, sent, answer.decode("latin-1", "replace")[:400])
