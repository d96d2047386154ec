"""A live Sandtable server (threaded, on a free loopback port) and a headless Chromium.

Every page needs a signed-in user: the autouse fixture :func:`signed_in` makes an admin
on the app the test's server serves (``server``, else ``live_server``) and signs the
test's ``page`` in through the real log-in form. Direct API calls go through
:class:`ApiUser` (another signed-in user, over plain HTTP) or ``page.request`` with
:meth:`SignedIn.headers` (the page's session and its CSRF token).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.helpers import APPS, SignedIn, sign_in_page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def serve(app: Any, name: str = "http") -> Iterator[str]:
    """Serve ``app`` on a free loopback port (threaded), yield its base URL, then stop it.

    Werkzeug's server, not waitress: its ``shutdown()`` is made to be called from another
    thread (it sets a flag its ``serve_forever`` loop polls). Stopping waitress from outside
    its asyncore loop sometimes wrote to a closed trigger pipe ("bad file descriptor").
    """
    from werkzeug.serving import make_server

    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        thread.join(timeout=10)
        srv.server_close()
        assert not thread.is_alive(), "the server did not stop"


@contextmanager
def serving(app: Any, name: str) -> Iterator[str]:
    """Serve a fresh ``app`` (see :func:`serve`), known to the sign-in helpers while it runs;
    its database engines are disposed of at the end."""
    try:
        with serve(app, name) as base:
            APPS[base] = app
            try:
                yield base
            finally:
                del APPS[base]
    finally:
        app.extensions["sandtable"].store.dispose()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the real app (committed region) served on 127.0.0.1."""
    from web import create_app

    # one server for the session: its event streams outlive the pages (until a heartbeat)
    app = create_app(
        {"INSTANCE_DIR": str(tmp_path_factory.mktemp("instance")), "EVENTS_MAX_STREAMS": 64}
    )
    with serve(app) as base:
        APPS[base] = app
        try:
            yield base
        finally:
            del APPS[base]


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Base URL of a fresh app with its own instance directory (and SQLite database)."""
    from web import create_app
    from web.config import ENV_PREFIX

    for name in list(os.environ):
        if name.startswith(f"{ENV_PREFIX}_"):
            monkeypatch.delenv(name)
    instance = tmp_path / "instance"
    monkeypatch.setenv(f"{ENV_PREFIX}_INSTANCE_DIR", str(instance))
    app = create_app({"INSTANCE_DIR": str(instance), "EVENTS_MAX_STREAMS": 64})
    assert app.config["INSTANCE_DIR"] == str(instance.resolve())
    with serving(app, "http-fresh") as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-US")
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(autouse=True)
def signed_in(request: pytest.FixtureRequest) -> SignedIn | None:
    """The test's page signed in as a new admin on its server (``server``, else ``live_server``).

    None for a test without a page or a server.
    """
    names = request.fixturenames
    if "page" not in names or not {"server", "live_server"} & set(names):
        return None
    base: str = request.getfixturevalue("server" if "server" in names else "live_server")
    page: Page = request.getfixturevalue("page")
    return sign_in_page(page, base)
