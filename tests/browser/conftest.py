"""A live Sandtable server (waitress, loopback, free port) and a headless Debian Chromium."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

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
def serve(app: Any, name: str = "waitress") -> Iterator[str]:
    """Serve ``app`` with waitress on a free loopback port, yield its base URL, then stop it.

    The server is stopped from inside its own loop: closing its sockets from this thread,
    under the loop's running select(), can make the loop fail ("bad file descriptor").
    Closed from a trigger callback, the channels leave the map and the loop simply ends.
    """
    from waitress import create_server

    srv = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=srv.run, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}"
    finally:

        def stop() -> None:  # runs on the server's thread, between two select() calls
            for channel in list(srv._map.values()):
                if channel is not srv and channel is not srv.trigger:
                    channel.close()
            srv.close()  # the listening socket and the trigger

        srv.trigger.pull_trigger(stop)
        thread.join(timeout=5)
        srv.task_dispatcher.shutdown()
        assert not thread.is_alive(), "the server did not stop"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the real app (committed region) served by waitress on 127.0.0.1."""
    from web import create_app

    app = create_app({"INSTANCE_DIR": str(tmp_path_factory.mktemp("instance"))})
    with serve(app) as base:
        yield base


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
    app = create_app({"INSTANCE_DIR": str(instance)})
    assert app.config["INSTANCE_DIR"] == str(instance.resolve())
    try:
        with serve(app, "waitress-fresh") as base:
            yield base
    finally:
        app.extensions["sandtable"].store.dispose()


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
