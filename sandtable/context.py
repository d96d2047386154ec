"""What a command reads from where it runs: its language, instance, database and data.

Every command of :mod:`sandtable.cli` finds these the way ``serve`` does, so a command
run beside a server works on the same files: an option first, then the environment
(``SANDTABLE_*``), then the instance's ``sandtable.toml``, then the default.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geodata.errors import InvalidInput
from geodata.i18n import LANGUAGES, Msg, language, msg, render

__all__ = [
    "LANG_ENV",
    "cli_actor",
    "cli_language",
    "data_dir",
    "database_url",
    "instance_dir",
    "say",
    "toml_error",
]

#: where the language comes from when ``--lang`` is not given, first set wins
LANG_ENV = ("SANDTABLE_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def cli_language(given: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language the command speaks: ``given`` (``--lang``), else the environment.

    ``SANDTABLE_LANG`` first, then the locale variables in POSIX order; ``zh``,
    ``zh_CN.UTF-8`` or ``zh-Hans`` are Chinese, anything else (``C``, ``en_GB``) English.
    """
    if given:
        return language(given)
    env = os.environ if environ is None else environ
    for name in LANG_ENV:
        if env.get(name):
            return language(env[name])
    return LANGUAGES[0]


def say(args: argparse.Namespace, key: str, **params: Any) -> None:
    """Print the catalog text ``key`` in the command's language."""
    print(render(key, args.lang, **params), flush=True)


def cli_actor() -> str:
    """Who ran the command, for the audit log: ``cli:<login name>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "cli"


def instance_dir(args: argparse.Namespace) -> Path:
    """As ``serve`` chooses it: the option, SANDTABLE_INSTANCE_DIR, else ./instance."""
    return Path(
        args.instance_dir or os.environ.get("SANDTABLE_INSTANCE_DIR") or "instance"
    ).resolve()


def database_url(args: argparse.Namespace, instance_dir: Path) -> str | None:
    """As ``serve`` finds it: the option, the environment, then ``sandtable.toml``."""
    if args.database_url:
        return str(args.database_url)
    if os.environ.get("SANDTABLE_DATABASE_URL"):
        return os.environ["SANDTABLE_DATABASE_URL"]
    toml_file = instance_dir / "sandtable.toml"
    if toml_file.is_file():
        import tomllib

        try:
            with toml_file.open("rb") as f:
                values = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInput(toml_error(toml_file, str(exc))) from None
        url = {k.lower(): v for k, v in values.items()}.get("database_url")
        if isinstance(url, str) and url:
            return url
    return None


def toml_error(path: Path, reason: str) -> Msg:
    """A TOML file's syntax error, naming the file and, where the parser says it, the line."""
    at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", reason)
    if at is None:
        return msg("cli.bad_toml", file=str(path), reason=reason)
    return msg(
        "cli.bad_toml_at",
        file=str(path),
        reason=reason[: at.start()],
        line=int(at.group(1)),
        column=int(at.group(2)),
    )


def data_dir(args: argparse.Namespace) -> Path:
    """The region data directory: ``--data-dir``, SANDTABLE_DATA_DIR, else the committed one."""
    if getattr(args, "data_dir", None):
        return Path(args.data_dir)
    env = os.environ.get("SANDTABLE_DATA_DIR")
    if env:
        return Path(env)
    from geodata import DEFAULT_DATA_DIR

    return DEFAULT_DATA_DIR
