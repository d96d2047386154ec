"""Answer sizes on the wire, for a 3G link: what each page loads, plain and compressed.

Run: ``python -m bench.bench_sizes [--say TEXT]``.

The app (committed Kailash data, a temporary instance directory and SQLite database)
answers through Flask's test client, so the figures are the bytes of each body as sent
(no headers): the map page, the layers, a locate answer and the approach to its 3 best
candidates — by default (the recommended plan's lines only: what the map page and the
plan panel draw) and with every plan's lines (``geometry`` "all", on request; the
default before) — each with ``Accept-Encoding`` identity, gzip and br. A
layer asked again with its ETag is a 304 with an empty body (printed too).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from typing import Any

from bench.bench_load import KAILASH_SAYINGS

ENCODINGS = ("identity", "gzip", "br")


def _kb(n: int) -> str:
    return f"{n / 1000:.1f} kB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_sizes", description=__doc__)
    parser.add_argument(
        "--say",
        default=KAILASH_SAYINGS[0][0],
        help="what the caller says (default: one of bench_load's sayings)",
    )
    args = parser.parse_args(argv)

    from rescue.users import UserStore
    from web import create_app

    with tempfile.TemporaryDirectory(prefix="sandtable-sizes-") as tmp:
        app = create_app({"INSTANCE_DIR": tmp, "TESTING": True})
        state = app.extensions["sandtable"]
        UserStore(state.store.reader, state.store.writer).create_user(
            "sizer", "a long password 1", "officer"
        )
        client = app.test_client()
        login = client.post(
            "/api/login", json={"username": "sizer", "password": "a long password 1"}
        )
        headers = {"X-CSRF-Token": login.get_json()["csrf_token"]}
        located = client.post("/api/locate", json={"text": args.say}, headers=headers)
        candidates = located.get_json()["candidates"][:3]

        requests: list[tuple[str, str, str, dict[str, Any] | None]] = [
            ("map page", "GET", "/", None),
            ("segments layer", "GET", "/api/segments", None),
            ("places layer", "GET", "/api/places", None),
            ("stations layer", "GET", "/api/stations", None),
            ("locate answer", "POST", "/api/locate", {"text": args.say}),
            (
                "approach, 3 candidates, every plan's lines (geometry all)",
                "POST",
                "/api/approach",
                {"target": {"candidates": candidates}, "geometry": "all"},
            ),
            (
                "approach, 3 candidates, default: recommended plan's lines",
                "POST",
                "/api/approach",
                {"target": {"candidates": candidates}},
            ),
        ]
        print(f"caller says {args.say!r}; {len(candidates)} candidates")
        print(f"{'answer':<62}" + "".join(f"{e:>12}" for e in ENCODINGS))
        for label, method, path, body in requests:
            sizes = []
            for encoding in ENCODINGS:
                response = client.open(
                    path,
                    method=method,
                    json=body,
                    headers={**headers, "Accept-Encoding": encoding},
                )
                if response.status_code != 200:
                    print(f"{label}: HTTP {response.status_code} {response.get_data()[:200]!r}")
                    return 1
                got = response.headers.get("Content-Encoding", "identity")
                if got != encoding:
                    print(f"{label}: asked for {encoding}, got {got}")
                    return 1
                sizes.append(len(response.get_data()))
            print(f"{label:<62}" + "".join(f"{_kb(n):>12}" for n in sizes))
        first = client.get("/api/segments", headers={"Accept-Encoding": "gzip"})
        again = client.get(
            "/api/segments",
            headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]},
        )
        print(
            f"segments layer again with its ETag: HTTP {again.status_code}, "
            f"{len(again.get_data())} bytes"
        )
        state.store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
