"""How a real server meets a huge anonymous body: time to refuse, bytes buffered to disk.

Starts ``sandtable serve`` (from this checkout, or from ``--repo`` to measure another
version, e.g. an unpacked older commit) with its own ``TMPDIR``, then POSTs
``--mb`` megabytes to ``/api/login`` twice — declared with ``Content-Length`` and
chunked without one — and prints, for each: the answer's status, seconds until it,
megabytes the client got to send, the largest size of the server's temporary files
(sampled every 10 ms through ``/proc/<pid>/fd``), and whether ``/api/health`` still
answers. Loopback on a shared machine: the times are noisy.

    python -m bench.bench_body_limit --mb 900
    git archive 9b4d7bf | tar -x -C /tmp/before
    python -m bench.bench_body_limit --repo /tmp/before
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench._body_probe import TempWatcher, peak_rss_bytes, send_body

ROOT = Path(__file__).resolve().parent.parent
MB = 1 << 20


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _health_s(base: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(f"{base}/api/health", timeout=30) as response:
        response.read()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=900, help="body size in MiB (default 900)")
    parser.add_argument("--repo", default=str(ROOT), help="the checkout to serve")
    parser.add_argument("--database-url", help="database (default: SQLite in a scratch dir)")
    args = parser.parse_args(argv)
    repo = Path(args.repo).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-body-") as scratch:
        tmpdir = Path(scratch) / "tmp"
        tmpdir.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith("SANDTABLE_")}
        env.update(PYTHONPATH=str(repo), TMPDIR=str(tmpdir))
        if args.database_url:
            env["SANDTABLE_DATABASE_URL"] = args.database_url
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "sandtable.cli", "serve", "--port", str(port)]
        command += ["--instance-dir", str(Path(scratch) / "instance")]
        proc = subprocess.Popen(
            command, cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    _health_s(base)
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.3)
            print(f"server: {repo} (pid {proc.pid}), body {args.mb} MiB of spaces to /api/login")
            print(f"{'body':<10} {'status':>6} {'answer s':>9} {'sent MiB':>9} {'temp MiB':>9}")
            for chunked in (False, True):
                with TempWatcher(proc.pid, tmpdir) as watcher:
                    result = send_body(base, "/api/login", args.mb * MB, chunked=chunked)
                    time.sleep(0.2)  # the file of a request still being handed to the app
                kind = "chunked" if chunked else "declared"
                print(
                    f"{kind:<10} {result.status!s:>6} {result.seconds:>9.3f} "
                    f"{result.sent_bytes / MB:>9.1f} {watcher.peak / MB:>9.1f}"
                )
            print(f"/api/health afterwards: {_health_s(base) * 1000:.0f} ms")
            print(f"server peak RSS: {peak_rss_bytes(proc.pid) / MB:.0f} MiB")
        finally:
            proc.kill()
            proc.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
