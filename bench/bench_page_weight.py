"""What each page downloads on a phone, and how much of it is web fonts.

Run: ``python -m bench.bench_page_weight``. Serves a fresh app (SQLite in a scratch
directory) on a loopback port, signs a headless Chromium (Debian's ``/usr/bin/chromium``)
in as an admin and loads the map, dispatch, reports and planner pages at 390 x 844, in
English and in Chinese, each in a new browser context (empty cache). Figures per page and
language: requests, bytes of every response body, bytes of web fonts (Font Awesome, Noto
Sans SC parts, Noto Serif Tibetan) and the number of Noto Sans SC parts fetched (of about
100). Bytes are uncompressed bodies as served; timings are not measured.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
PAGES = (
    ("/", "data-map-ready"),
    ("/incidents", "data-incidents-ready"),
    ("/reports", "data-reports-ready"),
    ("/planner", "data-planner-ready"),
)
PASSWORD = "yak butter tea 4 bench"


HEAD = ("page", "lang", "requests", "all KiB", "font KiB", "SC parts")
ROW = "{:<11} {:<4} {:>8} {:>8} {:>9} {:>8}"


def measure(browser: Any, base: str, path: str, ready: str, lang: str) -> tuple[Any, ...]:
    """Load ``path`` signed in, in ``lang``, with an empty cache; its figures."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        # signed in without loading a page, so nothing is in any cache before the one load
        form = context.request.get(base + "/login").text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)
        assert token, "no CSRF token in the log-in form"
        context.request.post(
            base + "/login",
            form={"csrf_token": token.group(1), "username": "bench-admin", "password": PASSWORD},
        )
        page = context.new_page()
        context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.add_init_script(f"localStorage.setItem('sandtable.lang', '{lang}')")
        responses: list[Any] = []
        page.on("response", lambda r: responses.append(r))
        page.goto(base + path)
        page.wait_for_selector(f"body[{ready}=true]", timeout=30_000)
        page.evaluate("document.fonts.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        assert all(r.status == 200 for r in responses), [(r.url, r.status) for r in responses]
        sizes = {r.url: len(r.body()) for r in responses}
    finally:
        context.close()
    fonts = {u: n for u, n in sizes.items() if u.endswith((".woff2", ".woff", ".ttf"))}
    parts = sum("/noto-sans-sc/files/" in u for u in fonts)
    kib = sum(sizes.values()) / 1024
    return (path, lang, len(sizes), f"{kib:.0f}", f"{sum(fonts.values()) / 1024:.0f}", parts)


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    if not CHROMIUM.exists():
        print(f"skipped: {CHROMIUM} is missing")
        return 0
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from rescue.users import UserStore
    from web import create_app

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="sandtable-bench-") as tmp:
        app = create_app({"INSTANCE_DIR": tmp})
        store = app.extensions["sandtable"].store
        UserStore(store.reader, store.writer).create_user("bench-admin", PASSWORD, "admin")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.server_port}"
        print(ROW.format(*HEAD))
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=str(CHROMIUM), args=["--headless=new", "--no-sandbox"]
                )
                for path, ready in PAGES:
                    for lang in ("en", "zh"):
                        print(ROW.format(*measure(browser, base, path, ready, lang)), flush=True)
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=10)
            store.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
