"""The instance's database: ``create-user``, ``backup`` and ``restore``.

Each finds the database as ``serve`` does (:func:`sandtable.context.database_url`), so it
works on the one a running server uses.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geodata.errors import InvalidInput
from geodata.i18n import msg, render
from sandtable.context import cli_actor, database_url, instance_dir, say

__all__ = ["cmd_backup", "cmd_create_user", "cmd_restore"]


def cmd_create_user(args: argparse.Namespace) -> int:
    """Add a user; the password is asked twice, or read from standard input."""
    import getpass

    from geodata.store import database_url as resolve_url
    from geodata.store import open_store
    from rescue.users import UserStore

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(render("cli.password", args.lang, username=args.username))
        if getpass.getpass(render("cli.password_again", args.lang)) != password:
            raise InvalidInput(msg("cli.passwords_differ"))
    instance = instance_dir(args)
    instance.mkdir(parents=True, exist_ok=True)
    store = open_store(resolve_url(database_url(args, instance), instance))
    try:
        user = UserStore(store.reader, store.writer).create_user(
            args.username, password, args.role, args.display_name, actor=cli_actor()
        )
    finally:
        store.dispose()
    say(
        args,
        "cli.user_created",
        role=msg(f"role.{user.role}"),
        username=repr(user.username),
        user_id=user.user_id,
    )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the whole database into a new file while the service runs."""
    from geodata.store import database_url as resolve_url
    from geodata.store.backup import backup

    instance = instance_dir(args)
    url = resolve_url(database_url(args, instance), instance)
    info = backup(url, Path(args.file))
    say(args, "cli.backed_up", backend=info.backend, path=info.path, size=f"{info.size_bytes:,}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the whole database by a backup, then upgrade it to the current schema."""
    from geodata.store import database_url as resolve_url
    from geodata.store import open_store
    from geodata.store.backup import restore

    instance = instance_dir(args)
    given = database_url(args, instance)
    if given is None:  # the instance's SQLite file, perhaps not there yet
        instance.mkdir(parents=True, exist_ok=True)
    url = resolve_url(given, instance)
    info = restore(url, Path(args.file))
    open_store(url).dispose()  # an older backup is upgraded to the current schema
    say(args, "cli.restored", backend=info.backend, path=info.path)
    return 0
