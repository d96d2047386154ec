"""A real Sandtable server process on loopback, for the durability tests.

``serve_process`` starts ``python -m sandtable.cli serve`` on a free port with an instance
directory (and a database URL), in a process group of its own (gunicorn's master and
its workers), and waits for ``/api/health``; ``stop`` kills the whole group with
SIGKILL; ``worker_pids`` lists the master's worker processes.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]

__all__ = [
    "REPO",
    "EventStream",
    "LiveSession",
    "free_port",
    "serve_process",
    "stop",
    "worker_pids",
]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_process(
    instance: Path,
    database_url: str | None = None,
    *,
    timeout_s: float = 120,
    args: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``sandtable serve [args]`` on a free port; ``(process, base URL)`` once it answers.

    The server's output (stdout and stderr) goes to the file ``log`` if given, else nowhere.

    Raises
    ------
    RuntimeError
        If the process ends or does not answer within ``timeout_s``.
    """
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    if database_url is not None:
        env["SANDTABLE_DATABASE_URL"] = database_url
    with open(log, "ab") if log is not None else open(os.devnull, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sandtable.cli", "serve", "--port", str(port)]
            + ["--instance-dir", str(instance), *args],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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
    """Kill the server and its workers (SIGKILL to the process group) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait(30)


def _helper_process(cmdline: Path) -> bool:
    """A process multiprocessing starts (the import checkers' fork server, its resource
    tracker), not a worker."""
    try:
        return b"from multiprocessing" in cmdline.read_bytes()
    except OSError:
        return False


def worker_pids(proc: subprocess.Popen[bytes], count: int, timeout_s: float = 60) -> list[int]:
    """The pids of the ``count`` processes whose parent is ``proc`` (gunicorn's workers;
    multiprocessing's helper processes are not counted).

    Raises
    ------
    RuntimeError
        If there are not ``count`` of them within ``timeout_s``.
    """
    deadline = time.monotonic() + timeout_s
    found: list[int] = []
    while time.monotonic() < deadline:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == proc.pid and not _helper_process(stat.parent / "cmdline"):
                found.append(int(stat.parent.name))
        if len(found) == count:
            return sorted(found)
        time.sleep(0.2)
    raise RuntimeError(f"expected {count} workers of {proc.pid}, found {found}")


class LiveSession:
    """Signs in to a live server and sends JSON with the CSRF token.

    Every request opens a new connection (urllib), so with several workers any of them
    may answer it.
    """

    def __init__(self, base: str, username: str, password: str) -> None:
        import http.cookiejar

        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.token = ""
        status, body = self.send("POST", "/api/login", {"username": username, "password": password})
        if status != 200:
            raise RuntimeError(f"log-in of {username!r} failed: {status} {body}")
        self.token = body["csrf_token"]

    def send(self, method: str, path: str, body: object = None) -> tuple[int, Any]:
        """``(status, JSON body or None)``."""
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["X-CSRF-Token"] = self.token
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=60) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            with err:
                raw = err.read()
                return err.code, json.loads(raw) if raw else None

    def cookie_header(self) -> str:
        """The session cookie, for a client of its own (an event stream)."""
        return "; ".join(f"{c.name}={c.value}" for c in self.cookies)


class EventStream:
    """A client of ``GET /api/events``: a thread reads the stream into :attr:`events`.

    Each event is ``(arrival time.monotonic(), event name, data)``; comments (heartbeats)
    are counted in :attr:`comments`; :attr:`ended` is set when the server closes it.
    """

    def __init__(self, base: str, session: LiveSession, query: str = "") -> None:
        import http.client
        import queue
        import threading
        from urllib.parse import urlsplit

        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.conn.request("GET", "/api/events" + query, headers={"Cookie": session.cookie_header()})
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.events: queue.Queue[tuple[float, str, Any]] = queue.Queue()
        self.comments = 0
        self.ended = threading.Event()
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()
        else:
            self.body = json.loads(self.response.read())
            self.ended.set()
            self.close()

    def _read(self) -> None:
        name, data = "message", ""
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\r\n")
                if not line:
                    if data:
                        self.events.put((time.monotonic(), name, json.loads(data)))
                    name, data = "message", ""
                elif line.startswith(":"):
                    self.comments += 1
                elif line.startswith("event:"):
                    name = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    data += line.split(":", 1)[1].strip()
        except (OSError, ValueError, AttributeError):  # closed (by us, or by the server)
            pass
        finally:
            self.ended.set()

    def next(self, name: str, timeout_s: float) -> tuple[float, Any]:
        """The next event called ``name`` (others are skipped); ``(arrival, data)``."""
        import queue

        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                at, got, data = self.events.get(timeout=left)
            except queue.Empty:
                break
            if got == name:
                return at, data
        raise TimeoutError(f"no {name!r} event within {timeout_s} s")

    def close(self) -> None:
        self.response.close()
        self.conn.close()
