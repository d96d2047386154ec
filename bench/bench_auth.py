"""Sessions, log-in limits and the password policy of a checkout, as figures.

Runs ``bench/_auth_probe.py`` with ``PYTHONPATH`` set to the checkout (this one, or
``--repo DIR`` for another version, e.g. an unpacked older commit) on SQLite in a scratch
directory (or ``--database-url``): what an old cookie gets after logout, a password change
and a deactivation; what weak passwords get; whether a limit reached through one app holds
in another on the same database; the median time of ``GET /api/me`` (the per-request
session check). In-process test client on a shared machine: the times are noisy.

    python -m bench.bench_auth
    git archive 9b4d7bf | tar -x -C /tmp/before && cp -r web/static/vendor /tmp/before/web/static/
    python -m bench.bench_auth --repo /tmp/before
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", default=str(ROOT), help="the checkout to measure")
    parser.add_argument("--database-url", help="database (default: SQLite in a scratch dir)")
    args = parser.parse_args(argv)
    repo = Path(args.repo).resolve()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANDTABLE_")}
    env["PYTHONPATH"] = str(repo)
    command = [sys.executable, str(Path(__file__).with_name("_auth_probe.py"))]
    if args.database_url:
        command.append(args.database_url)
    print(f"checkout: {repo}")
    return subprocess.run(command, cwd=repo, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
