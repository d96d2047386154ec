"""Signing in and out, roles, CSRF, the log-in rate limit and the users API (both back ends)."""

from __future__ import annotations

import logging
import re
import stat
from pathlib import Path

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from werkzeug.test import TestResponse

from rescue.users import User, UserStore, login_failures_table, users_table
from web import ConfigError, auth, create_app

PASSWORD = "prayer wheel 108"
OTHER_PASSWORD = "kora around kailash"
WRONG = "wrong username or password / 用户名或密码错误"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pc(planner_app: Flask) -> FlaskClient:
    """An anonymous client: these tests sign in themselves (overrides the signed-in one)."""
    return planner_app.test_client()


@pytest.fixture
def users(planner_app: Flask) -> UserStore:
    """The app's users, none yet (the PostGIS database is shared by the session)."""
    store = planner_app.extensions["sandtable"].store
    with store.writer.begin() as conn:
        conn.execute(delete(users_table))
    return UserStore(store.reader, store.writer)


@pytest.fixture
def admin(users: UserStore) -> User:
    return users.create_user("tenzin", PASSWORD, "admin", display_name="Tenzin")


@pytest.fixture
def clock(planner_app: Flask) -> FakeClock:
    fake = FakeClock()
    store = planner_app.extensions["sandtable"].store
    with store.writer.begin() as conn:
        conn.execute(delete(login_failures_table))
    planner_app.extensions["sandtable_auth"].limiter = auth.LoginLimiter(
        store.reader, store.writer, clock=fake
    )
    return fake


def api_login(client: FlaskClient, username: str, password: str) -> TestResponse:
    return client.post("/api/login", json={"username": username, "password": password})


def signed_in(client: FlaskClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the API; return the CSRF token."""
    response = api_login(client, username, password)
    assert response.status_code == 200, response.get_json()
    token: str = response.get_json()["csrf_token"]
    return token


def form_token(client: FlaskClient) -> str:
    page = client.get("/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


def form_login(
    client: FlaskClient, username: str, password: str, next_url: str = ""
) -> TestResponse:
    data = {"username": username, "password": password, "csrf_token": form_token(client)}
    if next_url:
        data["next"] = next_url
    return client.post("/login", data=data)


# --- the page and the form -----------------------------------------------------------------------


def test_login_page_is_bilingual_with_a_csrf_field(pc: FlaskClient) -> None:
    response = pc.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Username", "用户名", "Password", "密码", "Sign in", "登录"):
        assert text in page
    assert re.search(r'<input type="hidden" name="csrf_token" value="[\w-]{32,}">', page)
    assert response.headers["Cache-Control"] == "no-store"


def test_form_login_success_and_logout(pc: FlaskClient, admin: User) -> None:
    response = form_login(pc, "Tenzin", PASSWORD, next_url="/planner?x=1")
    assert response.status_code == 303
    assert response.headers["Location"] == "/planner?x=1"
    me = pc.get("/api/me").get_json()
    assert me["user"] == {
        "user_id": admin.user_id,
        "username": "tenzin",
        "display_name": "Tenzin",
        "role": "admin",
    }
    assert pc.post("/logout", data={}).status_code == 403  # no token
    assert pc.post("/logout", data={"csrf_token": me["csrf_token"]}).status_code == 303
    assert pc.get("/api/me").status_code == 401


def test_form_login_failure_is_generic(pc: FlaskClient, admin: User) -> None:
    for username in ("tenzin", "nobody"):
        response = form_login(pc, username, "not the password")
        assert response.status_code == 401
        page = response.get_data(as_text=True)
        assert WRONG in page
        assert "not the password" not in page
    assert pc.get("/api/me").status_code == 401


def test_form_login_needs_the_csrf_token(pc: FlaskClient, admin: User) -> None:
    pc.get("/login")
    response = pc.post("/login", data={"username": "tenzin", "password": PASSWORD})
    assert response.status_code == 403
    assert pc.get("/api/me").status_code == 401


@pytest.mark.parametrize(
    "target",
    ["https://evil.example", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "x"],
)
def test_open_redirects_are_refused(pc: FlaskClient, admin: User, target: str) -> None:
    response = form_login(pc, "tenzin", PASSWORD, next_url=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_names_are_escaped_in_the_page(pc: FlaskClient, users: UserStore) -> None:
    users.create_user("dawa", PASSWORD, "officer", display_name="<script>alert(1)</script>")
    failed = form_login(pc, '<img src=x onerror="alert(1)">', "wrong password!")
    assert "<img src=x" not in failed.get_data(as_text=True)
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in failed.get_data(as_text=True)
    signed_in(pc, "dawa")
    page = pc.get("/login").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- the API -------------------------------------------------------------------------------------


def test_api_login_me_logout(pc: FlaskClient, admin: User) -> None:
    anonymous = pc.get("/api/me")
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["code"] == "unauthorized"
    response = api_login(pc, "tenzin", PASSWORD)
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["username"] == "tenzin" and body["user"]["role"] == "admin"
    me = pc.get("/api/me").get_json()
    assert me["user"] == body["user"]
    assert me["csrf_token"] == body["csrf_token"]
    assert pc.post("/api/logout").status_code == 403  # without the token
    assert pc.post("/api/logout", headers={"X-CSRF-Token": me["csrf_token"]}).status_code == 200
    assert pc.get("/api/me").status_code == 401


def test_api_login_failure_and_bad_bodies(pc: FlaskClient, admin: User) -> None:
    failed = api_login(pc, "tenzin", "not the password")
    assert failed.status_code == 401
    assert failed.get_json()["error"]["message"] == "wrong username or password"
    # in the language the user chose (issue 17)
    zh = pc.post("/api/login?lang=zh", json={"username": "tenzin", "password": "not the password"})
    assert zh.get_json()["error"]["message"] == "用户名或密码错误"
    assert api_login(pc, "nobody", PASSWORD).get_json() == failed.get_json()
    form = pc.post("/api/login", data={"username": "tenzin", "password": PASSWORD})
    assert form.status_code == 415  # a cross-site form cannot sign anyone in
    assert pc.post("/api/login", json={"username": "tenzin"}).status_code == 422
    assert pc.post("/api/login", json=["tenzin"]).status_code == 422


def test_session_cookie_flags(pc: FlaskClient, admin: User) -> None:
    cookie = api_login(pc, "tenzin", PASSWORD).headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "Expires=" in cookie  # a permanent session of 12 hours


def test_secure_cookies_when_configured(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANDTABLE_SESSION_COOKIE_SECURE", "true")
    app = create_app(
        {"TESTING": True, "INSTANCE_DIR": str(tmp_path / "instance"), "DATABASE_URL": database_url}
    )
    try:
        assert app.config["SESSION_COOKIE_SECURE"] is True
        cookie = app.test_client().get("/login").headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie
    finally:
        app.extensions["sandtable"].store.dispose()


def test_cookie_setting_must_be_a_boolean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANDTABLE_SESSION_COOKIE_SECURE", "yes")
    with pytest.raises(ConfigError, match="SANDTABLE_SESSION_COOKIE_SECURE"):
        create_app({"TESTING": True, "INSTANCE_DIR": str(tmp_path / "instance")})


def test_secret_key_file_is_made_once_and_private(planner_app: Flask) -> None:
    path = Path(planner_app.instance_path) / auth.SECRET_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert planner_app.config["SECRET_KEY"] == path.read_text("ascii").strip()
    assert len(planner_app.config["SECRET_KEY"]) == 64
    assert auth.load_secret_key(path.parent) == planner_app.config["SECRET_KEY"]
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_short_secret_key_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / auth.SECRET_KEY_FILE).write_text("abc")
    with pytest.raises(ConfigError, match="too short"):
        auth.load_secret_key(tmp_path)


# --- roles and CSRF ------------------------------------------------------------------------------


def test_users_api_needs_csrf(pc: FlaskClient, admin: User) -> None:
    token = signed_in(pc, "tenzin")
    new = {"username": "dawa", "password": OTHER_PASSWORD, "role": "officer"}
    refused = pc.post("/api/users", json=new)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "csrf"
    wrong = pc.post("/api/users", json=new, headers={"X-CSRF-Token": token + "x"})
    assert wrong.status_code == 403
    created = pc.post("/api/users", json=new, headers={"X-CSRF-Token": token})
    assert created.status_code == 201
    assert created.get_json()["user"] == {
        "user_id": created.get_json()["user"]["user_id"],
        "username": "dawa",
        "display_name": None,
        "role": "officer",
        "active": True,
    }
    listed = pc.get("/api/users").get_json()["users"]
    assert [u["username"] for u in listed] == ["dawa", "tenzin"]


def test_roles(pc: FlaskClient, admin: User, users: UserStore) -> None:
    assert pc.get("/api/users").status_code == 401
    anonymous = pc.post("/api/users", json={})
    assert anonymous.status_code == 401
    assert anonymous.get_json()["error"]["status"] == 401
    users.create_user("dawa", OTHER_PASSWORD, "officer")
    token = signed_in(pc, "dawa", OTHER_PASSWORD)
    forbidden = pc.get("/api/users")
    assert forbidden.status_code == 403
    assert forbidden.get_json()["error"]["code"] == "forbidden"
    new = {"username": "pema", "password": OTHER_PASSWORD, "role": "admin"}
    assert pc.post("/api/users", json=new, headers={"X-CSRF-Token": token}).status_code == 403


def test_deactivated_users_are_signed_out(pc: FlaskClient, admin: User, users: UserStore) -> None:
    officer = users.create_user("dawa", OTHER_PASSWORD, "officer")
    signed_in(pc, "dawa", OTHER_PASSWORD)
    assert pc.get("/api/me").status_code == 200
    users.update(officer.user_id, active=False)
    assert pc.get("/api/me").status_code == 401
    assert api_login(pc, "dawa", OTHER_PASSWORD).status_code == 401


def test_require_role_on_pages_and_api(planner_app: Flask, users: UserStore) -> None:
    extra = Blueprint("extra", __name__)

    @extra.route("/desk", methods=["GET", "POST"])
    @auth.require_role("officer")
    def desk() -> str:
        return "desk"

    @extra.post("/api/desk")
    @auth.require_role("officer")
    def api_desk() -> dict[str, bool]:
        return {"ok": True}

    planner_app.register_blueprint(extra)
    client = planner_app.test_client()
    users.create_user("dawa", OTHER_PASSWORD, "officer")
    users.create_user("pema", OTHER_PASSWORD, "call_taker")
    users.create_user("tenzin", PASSWORD, "admin")

    redirect = client.get("/desk?a=1")
    assert redirect.status_code == 302
    assert redirect.headers["Location"] == "/login?next=/desk?a%3D1"
    assert client.post("/api/desk").status_code == 401

    signed_in(client, "pema", OTHER_PASSWORD)
    assert client.get("/desk").status_code == 403
    assert "text/html" in client.get("/desk").content_type

    for name, password in (("dawa", OTHER_PASSWORD), ("tenzin", PASSWORD)):  # admin always
        token = signed_in(client, name, password)
        assert client.get("/desk").get_data(as_text=True) == "desk"
        assert client.post("/desk").status_code == 403
        assert client.post("/desk", data={"csrf_token": token}).status_code == 200
        assert client.post("/api/desk").get_json()["error"]["code"] == "csrf"
        assert client.post("/api/desk", headers={"X-CSRF-Token": token}).get_json() == {"ok": True}


def test_unknown_roles_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown roles"):
        auth.require_role("root")


# --- managing users ------------------------------------------------------------------------------


def test_the_last_admin_cannot_be_demoted(pc: FlaskClient, admin: User) -> None:
    token = signed_in(pc, "tenzin")
    headers = {"X-CSRF-Token": token}
    response = pc.patch(f"/api/users/{admin.user_id}", json={"role": "planner"}, headers=headers)
    assert response.status_code == 409
    assert "last active admin" in response.get_json()["error"]["message"]
    response = pc.patch(f"/api/users/{admin.user_id}", json={"active": False}, headers=headers)
    assert response.status_code == 409
    assert pc.get("/api/me").get_json()["user"]["role"] == "admin"


def test_update_users_and_bad_bodies(pc: FlaskClient, admin: User, users: UserStore) -> None:
    officer = users.create_user("dawa", OTHER_PASSWORD, "officer")
    headers = {"X-CSRF-Token": signed_in(pc, "tenzin")}
    url = f"/api/users/{officer.user_id}"
    changed = pc.patch(url, json={"role": "planner", "display_name": "Dawa"}, headers=headers)
    assert changed.status_code == 200
    assert changed.get_json()["user"]["role"] == "planner"
    assert pc.patch(url, json={"password": "new password 1"}, headers=headers).status_code == 200
    assert users.authenticate("dawa", "new password 1") is not None

    bad = pc.patch(url, json={"role": "root", "active": "no"}, headers=headers)
    assert bad.status_code == 422
    assert len(bad.get_json()["error"]["details"]) == 2
    assert pc.patch(url, json={"is_admin": True}, headers=headers).status_code == 422
    assert pc.patch(url, json={}, headers=headers).status_code == 422
    assert pc.patch("/api/users/9999", json={"role": "officer"}, headers=headers).status_code == 404

    invalid = pc.post(
        "/api/users",
        json={"username": "x", "password": "short", "role": "boss"},
        headers=headers,
    )
    assert invalid.status_code == 422
    assert len(invalid.get_json()["error"]["details"]) == 3
    assert pc.post("/api/users", json={"username": 1}, headers=headers).status_code == 422
    duplicate = {"username": "dawa", "password": OTHER_PASSWORD, "role": "officer"}
    assert pc.post("/api/users", json=duplicate, headers=headers).status_code == 409


# --- the rate limit ------------------------------------------------------------------------------


def test_login_is_rate_limited_per_user(pc: FlaskClient, admin: User, clock: FakeClock) -> None:
    for _ in range(5):
        assert api_login(pc, "tenzin", "not the password").status_code == 401
    limited = api_login(pc, "tenzin", PASSWORD)  # even the right password waits
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "too_many_requests"
    assert int(limited.headers["Retry-After"]) == 15 * 60
    page = form_login(pc, "TENZIN", PASSWORD)
    assert page.status_code == 429
    assert page.headers["Retry-After"] == "900"

    other = api_login(pc, "someone", "not the password")  # another username: still allowed
    assert other.status_code == 401

    clock.now += 10 * 60
    assert int(api_login(pc, "tenzin", PASSWORD).headers["Retry-After"]) == 5 * 60
    clock.now += 5 * 60
    assert api_login(pc, "tenzin", PASSWORD).status_code == 200


def test_login_is_rate_limited_per_address(pc: FlaskClient, admin: User, clock: FakeClock) -> None:
    for i in range(20):
        clock.now += 1
        assert api_login(pc, f"user{i}", "not the password").status_code == 401
    assert api_login(pc, "tenzin", PASSWORD).status_code == 429
    elsewhere = pc.post(
        "/api/login",
        json={"username": "tenzin", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert elsewhere.status_code == 200
    clock.now += 15 * 60 - 19  # the oldest failure has left the window
    assert api_login(pc, "tenzin", PASSWORD).status_code == 200


def test_limiter_is_thread_safe_and_forgets(users: UserStore) -> None:
    import threading

    fake = FakeClock()
    limiter = auth.LoginLimiter(
        users.reader, users.writer, per_user=3, per_address=1000, clock=fake
    )

    def fail() -> None:
        for _ in range(100):
            limiter.failed("1.2.3.4", "x")

    threads = [threading.Thread(target=fail) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.retry_after("1.2.3.4", "x") == 900
    assert limiter.retry_after("1.2.3.4", "y") is None
    fake.now += 900
    assert limiter.retry_after("1.2.3.4", "x") is None


# --- secrets stay secret -------------------------------------------------------------------------


def test_passwords_never_appear_in_responses_or_logs(
    pc: FlaskClient, admin: User, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_new, wrong = "a brand new secret", "guessing wrongly"
    bodies = [
        api_login(pc, "tenzin", wrong),
        form_login(pc, "tenzin", wrong),
        api_login(pc, "tenzin", PASSWORD),
    ]
    headers = {"X-CSRF-Token": pc.get("/api/me").get_json()["csrf_token"]}
    new = {"username": "dawa", "password": secret_new, "role": "officer"}
    bodies.append(pc.post("/api/users", json=new, headers=headers))
    user_id = bodies[-1].get_json()["user"]["user_id"]
    bodies.append(pc.patch(f"/api/users/{user_id}", json={"password": wrong}, headers=headers))
    bodies.append(pc.patch(f"/api/users/{user_id}", json={"password": "short"}, headers=headers))
    bodies.append(pc.get("/api/users"))
    bodies.append(pc.get("/login"))
    text = "\n".join(r.get_data(as_text=True) + str(r.headers) for r in bodies)
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    for password in (PASSWORD, secret_new, wrong):
        assert password not in text
        assert password not in logged
    assert "scrypt$" not in text and "password_hash" not in text
    assert "failed log-in for 'tenzin'" in caplog.text  # failures are logged, without passwords


def test_a_limit_reached_through_one_app_holds_in_another(
    planner_app: Flask, admin: User, clock: FakeClock
) -> None:
    """Failures are counted in the database: every worker process and server sees them."""
    twin = create_app(
        {
            "TESTING": True,
            "INSTANCE_DIR": planner_app.config["INSTANCE_DIR"],
            "DATABASE_URL": planner_app.config["DATABASE_URL"],
        }
    )
    try:
        store = twin.extensions["sandtable"].store
        twin.extensions["sandtable_auth"].limiter = auth.LoginLimiter(
            store.reader, store.writer, clock=clock
        )
        first, second = planner_app.test_client(), twin.test_client()
        for client in (first, second, first, second):
            assert api_login(client, "tenzin", "not the password").status_code == 401
        assert api_login(second, "tenzin", PASSWORD).status_code == 200  # 4 < 5: allowed
        for client in (first, second, first, second, first):
            assert api_login(client, "tenzin", "not the password").status_code == 401
        for client in (first, second):  # the fifth failure, made through the first app
            limited = api_login(client, "tenzin", PASSWORD)
            assert limited.status_code == 429
            assert int(limited.headers["Retry-After"]) == 15 * 60
        assert first.get("/api/me").status_code == 401  # nobody was signed in
        clock.now += 15 * 60
        assert api_login(second, "tenzin", PASSWORD).status_code == 200
    finally:
        store.dispose()


def test_failures_survive_a_restart_and_old_ones_are_swept(
    planner_app: Flask, admin: User, users: UserStore, clock: FakeClock
) -> None:
    for _ in range(5):
        assert api_login(planner_app.test_client(), "tenzin", "wrong guess").status_code == 401
    again = auth.LoginLimiter(users.reader, users.writer, clock=clock)  # a restarted process
    assert again.retry_after("127.0.0.1", "tenzin") == 15 * 60
    assert again.retry_after("127.0.0.1", "someone") is None
    clock.now += 15 * 60 + 61
    again.failed("10.0.0.9", "x")  # a failure after the window sweeps the old ones out
    with users.reader.connect() as conn:
        left = conn.execute(select(login_failures_table.c.address)).scalars().all()
    assert sorted(left) == ["10.0.0.9", "10.0.0.9"]


# --- the password policy -------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", " " * 10, "\0" * 10, "dawa"])
def test_weak_passwords_are_refused_by_the_api(
    pc: FlaskClient, admin: User, users: UserStore, weak: str
) -> None:
    headers = {"X-CSRF-Token": signed_in(pc, "tenzin")}
    created = pc.post(
        "/api/users",
        json={"username": "dawa", "password": weak, "role": "officer"},
        headers=headers,
    )
    assert created.status_code == 422
    details = created.get_json()["error"]["details"]
    # NUL is refused at the JSON boundary for every field; the rest by the password policy
    refused_by = "NUL" if "\0" in weak else "password"
    assert any("password" in d and refused_by in d for d in details), details
    if "\0" not in weak:  # in Chinese for a Chinese user (the NUL refusal: see test_chinese)
        zh = pc.post(
            "/api/users?lang=zh",
            json={"username": "dawa", "password": weak, "role": "officer"},
            headers=headers,
        ).get_json()["error"]
        assert zh["message"] == "无法创建该用户" and any("密码" in d for d in zh["details"])
    assert [u.username for u in users.list()] == ["tenzin"]
    changed = pc.patch(f"/api/users/{admin.user_id}", json={"password": weak}, headers=headers)
    assert changed.status_code == 422
    assert users.authenticate("tenzin", PASSWORD) == admin
    assert pc.get("/api/me").status_code == 200  # a refused change ends no session


@pytest.mark.parametrize("username", ["ten\0zin", "\0" * 64])
def test_a_username_with_nul_is_refused_at_the_boundary(
    pc: FlaskClient, admin: User, users: UserStore, username: str
) -> None:
    for _ in range(6):
        answer = api_login(pc, username, "not the password")
        assert answer.status_code == 422
        assert "NUL" in answer.get_json()["error"]["message"]
    assert users.authenticate("tenzin", PASSWORD) == admin
    assert api_login(pc, "tenzin", PASSWORD).status_code == 200


@pytest.mark.parametrize("username", ["x" * 5000, "丹增\U0001f64f", "tenzin\u200b"])
def test_any_username_tried_is_counted_without_error(
    pc: FlaskClient, admin: User, clock: FakeClock, username: str
) -> None:
    for _ in range(5):
        assert api_login(pc, username, "not the password").status_code == 401
    assert api_login(pc, username, "not the password").status_code == 429
    assert api_login(pc, "tenzin", PASSWORD).status_code == 200
