"""Run by ``bench/bench_auth.py`` in a child process whose ``PYTHONPATH`` is the checkout
measured (this file imports only what every version has: ``web.create_app``,
``rescue.users.UserStore`` and the HTTP API). Prints one ``name: value`` line per figure."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from typing import Any

from rescue.users import UserStore
from web import create_app

PASSWORD, NEW_PASSWORD = "prayer wheel 108", "butter lamps at dusk"
REPORT = {"description": "lost near Dolma La"}
WEAK = ["aaaaaaaaaa", "1234567890", " " * 10, "\0" * 10, "password1234", "qwertyuiop"]


def show(label: str, value: object) -> None:
    print(f"{label}: {value}", flush=True)


def main(database_url: str | None) -> None:
    with tempfile.TemporaryDirectory() as instance:
        config: dict[str, Any] = {"TESTING": True, "INSTANCE_DIR": instance}
        if database_url:
            config["DATABASE_URL"] = database_url
        app, twin = create_app(config), create_app(config)
        store = app.extensions["sandtable"].store
        people = UserStore(store.reader, store.writer)
        people.create_user("root", PASSWORD, "admin")
        tashi = people.create_user("tashi", PASSWORD, "officer")

        def login(name: str, password: str = PASSWORD, on: Any = app) -> Any:
            client = on.test_client()
            answer = client.post("/api/login", json={"username": name, "password": password})
            client.environ_base["HTTP_X_CSRF_TOKEN"] = answer.get_json()["csrf_token"]
            return client

        def replay(old: Any) -> Any:
            client = app.test_client()
            client.set_cookie("session", old.get_cookie("session").value)
            client.environ_base["HTTP_X_CSRF_TOKEN"] = old.environ_base["HTTP_X_CSRF_TOKEN"]
            return client

        officer = login("tashi")
        stolen = replay(officer)
        officer.post("/api/logout")
        show(
            "old cookie after logout, POST /api/incidents",
            stolen.post("/api/incidents", json=REPORT).status_code,
        )
        officer, admin = login("tashi"), login("root")
        admin.patch(f"/api/users/{tashi.user_id}", json={"password": NEW_PASSWORD})
        show(
            "old cookie after a password change",
            officer.post("/api/incidents", json=REPORT).status_code,
        )
        officer = login("tashi", NEW_PASSWORD)
        admin.patch(f"/api/users/{tashi.user_id}", json={"active": False})
        admin.patch(f"/api/users/{tashi.user_id}", json={"active": True})
        show(
            "old cookie after deactivate + reactivate",
            officer.post("/api/incidents", json=REPORT).status_code,
        )

        statuses = []
        for i, weak in enumerate(WEAK):
            body = {"username": f"weak{i}", "password": weak, "role": "officer"}
            statuses.append(admin.post("/api/users", json=body).status_code)
        show(f"POST /api/users with {len(WEAK)} weak passwords", statuses)

        for _ in range(5):
            app.test_client().post(
                "/api/login", json={"username": "root", "password": "wrong guess"}
            )
        sixth = twin.test_client().post(
            "/api/login", json={"username": "root", "password": PASSWORD}
        )
        show(
            "5 failures through one app, then the right password through another", sixth.status_code
        )

        client = login("tashi", NEW_PASSWORD)
        times = []
        for _ in range(300):
            start = time.perf_counter()
            assert client.get("/api/me").status_code == 200
            times.append(time.perf_counter() - start)
        p50_ms = statistics.median(times) * 1000
        show("GET /api/me (the session check and little else) p50 ms", f"{p50_ms:.2f}")
        store.dispose()
        twin.extensions["sandtable"].store.dispose()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
