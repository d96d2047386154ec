"""Hostile uploads against a real server: status, time, memory, and whether it stayed up.

Run: ``python -m bench.bench_hostile [--scale 1.0] [--timeout 60] [--postgis |
--database-url URL] [--server-repo PATH] [--server-memory-gb N] [--fresh-server]
[--only NAME ...]``.

A real server (``python -m sandtable.cli serve``) is started on a free loopback port
with a fresh instance directory (SQLite unless ``--database-url``), from this
checkout or from ``--server-repo`` (another checkout, e.g. the code before the
fix, to measure "before" figures; ``--server-memory-gb`` then caps its address
space so a runaway upload cannot take the machine). A planner is created and
signed in, one small valid GPX is imported to warm up, then each file of
:mod:`bench.hostile` (at ``--scale``) is uploaded on its own, and finally eight
at once. Printed per upload: the HTTP status (``timeout`` if no answer within
``--timeout`` s), seconds, the server's peak RSS during the upload, the peak RSS
of its checking child processes, and how many ``/api/health`` probes (every
0.25 s, 5 s timeout each) answered 200, with the slowest. Figures are wall-clock
on a shared machine: noisy.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench._load_server import scratch_postgis
from bench.bench_import import make_gpx
from bench.hostile import HOSTILE

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "hostile-bench-password"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_kb(pid: int, key: str = "VmRSS") -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    out, frontier = [], [pid]
    while frontier:
        p = frontier.pop()
        kids = [c for c, parent in parents.items() if parent == p]
        out += kids
        frontier += kids
    return out


class Server:
    """``python -m sandtable.cli serve`` from ``repo`` on a free port, optionally memory-capped."""

    def __init__(
        self, repo: Path, instance: Path, database_url: str | None, memory_gb: float | None
    ) -> None:
        self.repo = repo
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SANDTABLE_")}
        self.env["PYTHONPATH"] = str(repo)
        self.env["SANDTABLE_INSTANCE_DIR"] = str(instance)
        if database_url:
            self.env["SANDTABLE_DATABASE_URL"] = database_url
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        limit = int(memory_gb * 1024**3) if memory_gb else None

        def cap() -> None:
            if limit:
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

        self.run_cli("create-user", "bench", "--role", "planner", "--password-stdin")
        self.log = (instance / "server.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sandtable.cli", "serve", "--port", str(self.port)],
            cwd=repo,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=cap,  # noqa: PLW1509 - no threads in this process yet
        )
        end = time.monotonic() + 180
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError("the server exited at start")
            try:
                if requests.get(f"{self.base}/api/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError("the server did not answer /api/health")

    def run_cli(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "sandtable.cli", *args],
            cwd=self.repo,
            env=self.env,
            input=PASSWORD + "\n",
            text=True,
            check=False,  # on a fresh server over the same database the user exists already
            capture_output=True,
            timeout=300,
        )

    def stop(self) -> None:
        for pid in _descendants(self.process.pid):
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        self.process.kill()
        self.process.wait()
        self.log.close()


@dataclass
class Watch:
    """Samples the server's and its children's RSS and probes /api/health until stopped."""

    server: Server
    server_peak_kb: int = 0
    child_peak_kb: int = 0
    probes: int = 0
    ok: int = 0
    slowest_s: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> Watch:
        self._threads = [
            threading.Thread(target=self._memory, daemon=True),
            threading.Thread(target=self._health, daemon=True),
        ]
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join()

    def _memory(self) -> None:
        pid = self.server.process.pid
        while not self._stop.is_set():
            self.server_peak_kb = max(self.server_peak_kb, _rss_kb(pid))
            for child in _descendants(pid):
                self.child_peak_kb = max(self.child_peak_kb, _rss_kb(child, "VmHWM"))
            time.sleep(0.1)

    def _health(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self.probes += 1
            try:
                r = requests.get(f"{self.server.base}/api/health", timeout=5)
                self.ok += r.status_code == 200
            except requests.RequestException:
                pass
            self.slowest_s = max(self.slowest_s, time.monotonic() - started)
            self._stop.wait(0.25)


def _session(base: str) -> requests.Session:
    s = requests.Session()
    r = s.post(f"{base}/api/login", json={"username": "bench", "password": PASSWORD}, timeout=30)
    r.raise_for_status()
    s.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return s


def _upload(base: str, name: str, data: bytes, timeout_s: float) -> tuple[str, float, str]:
    session = _session(base)
    started = time.monotonic()
    try:
        r = session.post(f"{base}/api/imports", files={"file": (name, data)}, timeout=timeout_s)
        status = str(r.status_code)
        try:
            message = r.json().get("error", {}).get("message", "") if r.status_code >= 400 else ""
        except ValueError:
            message = r.text[:80]
    except requests.RequestException as exc:
        status, message = "timeout", type(exc).__name__
    return status, time.monotonic() - started, message


def _row(label: str, size: int, status: str, seconds: float, watch: Watch, message: str) -> str:
    return (
        f"{label:28} {size / 1e6:7.2f} MB  {status:>7}  {seconds:6.1f} s  "
        f"server {watch.server_peak_kb / 1024:6.0f} MB  "
        f"checker {watch.child_peak_kb / 1024:6.0f} MB  "
        f"health {watch.ok}/{watch.probes} (slowest {watch.slowest_s:.1f} s)  {message[:90]}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per upload")
    parser.add_argument("--database-url")
    parser.add_argument(
        "--postgis", action="store_true", help="on a scratch PostGIS database (made and dropped)"
    )
    parser.add_argument(
        "--pg-admin",
        default=os.environ.get(
            "SANDTABLE_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1/postgres"
        ),
    )
    parser.add_argument("--server-repo", type=Path, default=ROOT)
    parser.add_argument("--server-memory-gb", type=float)
    parser.add_argument("--only", nargs="*", choices=sorted(HOSTILE), default=None)
    parser.add_argument("--no-concurrent", action="store_true", help="skip the 8-at-once round")
    parser.add_argument(
        "--fresh-server",
        action="store_true",
        help="a new server for each file (an upload the server never finishes cannot "
        "then weigh on the next one's figures)",
    )
    args = parser.parse_args(argv)

    if args.postgis:
        with scratch_postgis(args.pg_admin) as url:
            args.database_url = url
            return _run(args)
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    files = {k: HOSTILE[k](args.scale) for k in (args.only or HOSTILE)}
    db = "PostGIS" if args.database_url else "SQLite"
    print(
        f"server from {args.server_repo} on {db}, scale {args.scale}, timeout {args.timeout:.0f} s"
    )
    failures = 0
    with tempfile.TemporaryDirectory(prefix="sandtable-bench-hostile-") as tmp:
        server = Server(args.server_repo, Path(tmp), args.database_url, args.server_memory_gb)
        try:
            status, seconds, _ = _upload(server.base, "warm.gpx", make_gpx(500), 120)
            print(f"warm-up: a 500-point GPX -> {status} in {seconds:.1f} s")
            for i, (key, (name, data)) in enumerate(files.items()):
                if args.fresh_server and i:
                    server.stop()
                    (Path(tmp) / key).mkdir()
                    server = Server(
                        args.server_repo, Path(tmp) / key, args.database_url, args.server_memory_gb
                    )
                with Watch(server) as watch:
                    status, seconds, message = _upload(server.base, name, data, args.timeout)
                print(_row(key, len(data), status, seconds, watch, message), flush=True)
                failures += watch.ok < watch.probes or not status.startswith(("2", "4"))
                if server.process.poll() is not None:
                    print("the server died")
                    return 1
            if not args.no_concurrent:
                keys = ["view_gpkg", "view_gpkg", "star_kml", "star_kml"]
                keys += ["zigzag_parts_kml", "deep_gpx", "long_name_gpx", "many_points_geojson"]
                batch = [files.get(k) or HOSTILE[k](args.scale) for k in keys]

                def work(f: tuple[str, bytes], base: str = server.base) -> tuple[str, float, str]:
                    return _upload(base, f[0], f[1], args.timeout)

                started = time.monotonic()
                with Watch(server) as watch, ThreadPoolExecutor(8) as pool:
                    results = list(pool.map(work, batch))
                statuses = " ".join(r[0] for r in results)
                slowest = max(r[1] for r in results)
                print(
                    f"8 at once ({', '.join(keys)}): statuses {statuses}; all answered in "
                    f"{time.monotonic() - started:.1f} s (slowest upload {slowest:.1f} s); "
                    f"server {watch.server_peak_kb / 1024:.0f} MB, checker "
                    f"{watch.child_peak_kb / 1024:.0f} MB; health {watch.ok}/{watch.probes} "
                    f"(slowest {watch.slowest_s:.1f} s)"
                )
                failures += watch.ok < watch.probes
        finally:
            server.stop()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
