"""The server of the load benchmark: users, a ``sandtable serve`` process, a scratch PostGIS."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests

__all__ = ["PASSWORD", "ROOT", "Server", "create_users", "scratch_postgis"]

ROOT = Path(__file__).resolve().parent.parent
#: every benchmark user's password (the instance lives in a temporary directory)
PASSWORD = "load-bench-password"


# --------------------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sandtable() -> list[str]:
    script = Path(sys.executable).parent / "sandtable"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "sandtable.cli"]


#: settings given to the benchmark's servers (``KEY=VALUE`` as ``SANDTABLE_KEY``), e.g.
#: ``HEAVY_LIMIT=0`` to measure without web.server.HeavyGate (bench_load --server-env)
SERVER_SETTINGS: dict[str, str] = {}


def _server_env(instance_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDTABLE_")}
    env.update({f"SANDTABLE_{k}": v for k, v in SERVER_SETTINGS.items()})
    env["SANDTABLE_INSTANCE_DIR"] = str(instance_dir)
    # each answer says where its time went in the server (web.server.ServerTiming)
    env["SANDTABLE_SERVER_TIMING"] = "true"
    if database_url:
        env["SANDTABLE_DATABASE_URL"] = database_url
    return env


def create_users(
    instance_dir: Path, database_url: str | None, users: list[tuple[str, str]]
) -> None:
    """``sandtable create-user`` for each (name, role); the first alone (it makes the schema)."""
    env = _server_env(instance_dir, database_url)

    def make(user: tuple[str, str]) -> None:
        name, role = user
        done = subprocess.run(
            [*_sandtable(), "create-user", name, "--role", role, "--password-stdin"],
            input=PASSWORD + "\n",
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode:
            raise RuntimeError(f"create-user {name} failed: {done.stderr.strip()}")

    make(users[0])
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(make, users[1:]))


class Server:
    """``sandtable serve`` on a free loopback port, its output in the instance directory.

    ``workers`` gunicorn worker processes (0: one waitress process), in a process group
    of their own so that :meth:`kill` can SIGKILL the master and every worker at once.
    """

    def __init__(
        self, instance_dir: Path, database_url: str | None, threads: int, workers: int = 1
    ) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = instance_dir / f"server-{self.port}.log"
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    *_sandtable(),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--threads",
                    str(threads),
                    "--workers",
                    str(workers),
                    "--instance-dir",
                    str(instance_dir),
                ],
                env=_server_env(instance_dir, database_url),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_healthy()

    def _wait_healthy(self, timeout_s: float = 180.0) -> None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}):\n{self.log()}")
            try:
                if requests.get(f"{self.base}/api/health", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not answer /api/health in {timeout_s:.0f} s")

    def _pids(self) -> list[int]:
        """The server process and its worker processes (children)."""
        pids = [self.process.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def cpu_s(self) -> float | None:
        """CPU time (user + system) the server and its live workers used so far (/proc)."""
        total = 0.0
        try:
            for pid in self._pids():
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:
            return None
        return total

    def peak_rss_bytes(self) -> int | None:
        """The sum of the peak resident sets (VmHWM) of the server and its workers."""
        total = 0
        for pid in self._pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total or None

    def kill(self) -> None:
        """SIGKILL the server and every worker at once, as a power cut would."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def error_lines(self) -> list[str]:
        """Log lines that report trouble: errors, tracebacks, "database is locked", queueing."""
        keys = ("Traceback", "ERROR", "Error", "WARNING", "locked", "deadlock")
        return [line for line in self.log().splitlines() if any(k in line for k in keys)]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        self.kill()  # whatever is left of the group


@contextmanager
def scratch_postgis(admin_url: str) -> Iterator[str]:
    """A new PostGIS database on the server of ``admin_url``; its SQLAlchemy URL; dropped after."""
    import psycopg

    name = f"sandtable_bench_{uuid.uuid4().hex[:10]}"
    dsn = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = dsn.rsplit("/", 1)[0] + f"/{name}"
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        yield url.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(dsn, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """``--postgis`` (a scratch database, see :func:`scratch_postgis`, on the server
    ``--pg-admin``) or ``--database-url``; SQLite in a temporary directory without them."""
    db = parser.add_mutually_exclusive_group()
    db.add_argument(
        "--postgis", action="store_true", help="on a scratch PostGIS database (made, then dropped)"
    )
    db.add_argument("--database-url", help="on this database (e.g. postgresql+psycopg://...)")
    parser.add_argument(
        "--pg-admin",
        default=os.environ.get(
            "SANDTABLE_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1/postgres"
        ),
        help="server where --postgis makes its database",
    )
