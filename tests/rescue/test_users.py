"""Users: password hashing, validation at creation, sign-in, the last admin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import delete

import rescue.users
from geodata.errors import Conflict, InvalidInput, NotFound
from geodata.store import RouteStore, open_store
from rescue.users import ROLES, User, UserStore, hash_password, users_table, verify_password

PASSWORD = "correct horse battery"


@pytest.fixture
def store(database_url: str) -> Iterator[RouteStore]:
    route_store = open_store(database_url)
    with route_store.writer.begin() as conn:  # the PostGIS database is shared by the session
        conn.execute(delete(users_table))
    yield route_store
    route_store.dispose()


@pytest.fixture
def users(store: RouteStore) -> UserStore:
    return UserStore(store.reader, store.writer)


# --- hashing -------------------------------------------------------------------------------------


def test_hash_round_trip_and_format() -> None:
    stored = hash_password(PASSWORD)
    assert re.fullmatch(r"scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]+", stored)
    assert PASSWORD not in stored
    assert verify_password(PASSWORD, stored)


def test_wrong_password_is_refused() -> None:
    stored = hash_password(PASSWORD)
    assert not verify_password(PASSWORD + "!", stored)
    assert not verify_password("", stored)


def test_salts_differ() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plain",
        "bcrypt$1$2$3$4$5",
        "scrypt$16384$8$1$!!!$???",
        "scrypt$99999999999$8$1$AA==$AA==",
    ],
)
def test_malformed_hashes_never_match(stored: str) -> None:
    assert not verify_password(PASSWORD, stored)


def test_unknown_user_is_checked_against_the_dummy_hash(
    users: UserStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = rescue.users.verify_password

    def spy(password: str, stored: str) -> bool:
        checked.append(stored)
        return real(password, stored)

    monkeypatch.setattr(rescue.users, "verify_password", spy)
    assert users.authenticate("nobody", PASSWORD) is None
    assert checked == [rescue.users._dummy_hash()]
    users.create_user("tenzin", PASSWORD, "admin")
    assert users.authenticate("tenzin", "wrong password!") is None
    assert len(checked) == 2 and checked[1] != checked[0]  # a real hash is checked the same way


# --- the store -----------------------------------------------------------------------------------


def test_create_and_authenticate(users: UserStore) -> None:
    user = users.create_user("Tenzin.N", PASSWORD, "officer", display_name=" Tenzin  Norbu ")
    assert user == User(user.user_id, "tenzin.n", "Tenzin Norbu", "officer", True)
    assert users.authenticate("TENZIN.N", PASSWORD) == user
    assert users.authenticate("tenzin.n", "not the password") is None
    assert users.get(user.user_id) == user
    assert users.list() == (user,)
    with pytest.raises(NotFound):
        users.get(user.user_id + 100)


def test_validation_lists_every_problem(users: UserStore) -> None:
    with pytest.raises(InvalidInput) as info:
        users.create_user("x", "short", "boss", display_name="d" * 101)
    details = info.value.details
    assert len(details) == 4
    assert any("username" in d for d in details)
    assert any("at least 10" in d for d in details)
    assert any("role 'boss'" in d and ", ".join(ROLES) in d for d in details)
    assert any("display_name" in d for d in details)
    assert "short" not in str(info.value)  # the password is never quoted


@pytest.mark.parametrize("username", ["ab", "a" * 65, "tenzin norbu", "<b>x</b>", "丹增"])
def test_bad_usernames(users: UserStore, username: str) -> None:
    with pytest.raises(InvalidInput, match="cannot be created"):
        users.create_user(username, PASSWORD, "officer")


def test_password_equal_to_the_username_is_refused(users: UserStore) -> None:
    with pytest.raises(InvalidInput) as info:
        users.create_user("tenzin1234", "Tenzin1234", "officer")
    assert info.value.details == ["password must not be the username"]
    assert info.value.details_in("zh") == ["密码不能与用户名相同"]


WEAK = [
    ("aaaaaaaaaa", "too easy to guess"),
    ("1234567890", "too easy to guess"),
    ("password1234", "too easy to guess"),
    ("tenzin2024!", "too easy to guess"),  # the username and a year
    ("kailash kora", "too easy to guess"),  # the service's own words
    (" " * 10, "only spaces"),
    ("\0" * 10, "control characters"),
    ("a\nb correct horse battery", "control characters"),
    ("short one", "at least 10"),
    ("x" * 1025, "at most 1024"),
]


@pytest.mark.parametrize(("password", "problem"), WEAK)
def test_weak_passwords_are_refused_at_creation_and_change(
    users: UserStore, password: str, problem: str
) -> None:
    with pytest.raises(InvalidInput) as created:
        users.create_user("tenzin", password, "officer")
    (message,) = created.value.details
    assert problem in message
    (chinese,) = created.value.details_in("zh")  # the same in Chinese, for the web
    assert re.search(r"[\u4e00-\u9fff]", chinese) and problem not in chinese
    assert not password.strip() or password not in str(created.value)  # never quoted
    assert users.list() == ()
    user = users.create_user("tenzin", PASSWORD, "officer")
    with pytest.raises(InvalidInput, match="cannot be changed"):
        users.update(user.user_id, password=password)
    assert users.authenticate("tenzin", PASSWORD) == user  # the old password still works


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "yak butter tea 4",
        "Tr0ub4dor&3xx",
        "雪山 转山 冈仁波齐 108",
        "yaks walk slowly over the high pass while prayer flags snap in the cold wind",
    ],
)
def test_strong_passwords_are_taken(users: UserStore, password: str) -> None:
    assert rescue.users.password_problems(password, username="tenzin") == []
    user = users.create_user("tenzin", password, "officer")
    assert users.authenticate("tenzin", password) == user


def test_duplicate_username_is_a_conflict(users: UserStore) -> None:
    users.create_user("dawa", PASSWORD, "planner")
    with pytest.raises(Conflict, match="'dawa' is taken"):
        users.create_user("DAWA", PASSWORD + "2", "officer")


def test_inactive_users_never_authenticate(users: UserStore) -> None:
    users.create_user("admin", PASSWORD, "admin")
    officer = users.create_user("dawa", PASSWORD, "officer")
    users.update(officer.user_id, active=False)
    assert users.authenticate("dawa", PASSWORD) is None
    assert users.update(officer.user_id, active=True).active
    assert users.authenticate("dawa", PASSWORD) is not None


def test_update_fields_and_password(users: UserStore) -> None:
    user = users.create_user("dawa", PASSWORD, "officer")
    changed = users.update(
        user.user_id, role="planner", display_name="Dawa", password="new one 12345"
    )
    assert (changed.role, changed.display_name) == ("planner", "Dawa")
    assert users.authenticate("dawa", PASSWORD) is None
    assert users.authenticate("dawa", "new one 12345") == changed
    assert users.update(user.user_id, display_name=None).display_name is None
    with pytest.raises(InvalidInput) as info:
        users.update(user.user_id, role="root", active="yes", password="dawa")  # type: ignore[arg-type]
    assert len(info.value.details) == 4  # the short password is also the username
    with pytest.raises(NotFound):
        users.update(user.user_id + 100, role="officer")


def test_the_last_admin_cannot_be_demoted_or_deactivated(users: UserStore) -> None:
    first = users.create_user("first", PASSWORD, "admin")
    with pytest.raises(Conflict, match="last active admin"):
        users.update(first.user_id, role="planner")
    with pytest.raises(Conflict, match="last active admin"):
        users.update(first.user_id, active=False)
    second = users.create_user("second", PASSWORD, "admin")
    assert users.count_admins() == 2
    users.update(first.user_id, role="officer")
    assert users.count_admins() == 1
    with pytest.raises(Conflict):
        users.update(second.user_id, active=False)
    assert users.get(second.user_id).active


def test_a_database_of_the_previous_release_is_upgraded_in_place(database_url: str) -> None:
    """Users made before sessions were rows (migration 0005) sign in after the upgrade."""
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect as sa_inspect
    from sqlalchemy import text

    from geodata.store.engine import MIGRATIONS, engines
    from rescue.users import LoginLimiter

    reader, writer = engines(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with writer.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0005")  # a new database (SQLite) ...
        command.downgrade(config, "0005")  # ... or one the session already upgraded (PostGIS)
        tables = set(sa_inspect(conn).get_table_names())
    assert "users" in tables and not tables & {"sessions", "login_failures"}
    with writer.begin() as conn:
        conn.execute(delete(users_table))
    old = UserStore(reader, writer).create_user("tenzin", PASSWORD, "admin")
    reader.dispose()
    writer.dispose()
    store = open_store(database_url)
    try:
        with store.reader.connect() as conn:
            head = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert head == ScriptDirectory.from_config(config).get_current_head()
        users = UserStore(store.reader, store.writer)
        assert users.authenticate("tenzin", PASSWORD) == old
        token = users.start_session(old.user_id, lifetime=timedelta(hours=1))
        assert users.session_user(token) == old
        limiter = LoginLimiter(store.reader, store.writer)
        limiter.failed("10.1.1.1", "tenzin")
        assert limiter.retry_after("10.1.1.1", "tenzin") is None
    finally:
        store.dispose()
