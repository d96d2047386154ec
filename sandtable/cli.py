"""The ``sandtable`` command line.

This module is the composition root of the command line: it wires the region
data (``geodata``), the route graph (``routes``), the domain services
(``rescue``) and, for ``serve`` only, the web application (``web``, imported
lazily so that data commands never load Flask).

It speaks English or Chinese: ``--lang en|zh`` (before or after the command), else
``SANDTABLE_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh_*`` is
Chinese). What a command says and its errors (which name the file and line where they
can) are catalog texts (:mod:`geodata.i18n`); the help texts and the evaluation reports
(``eval-*``, ``info --calibration``, ``build-region``) stay English, for developers.

The parts: :mod:`sandtable.parser` (the commands and their options),
:mod:`sandtable.commands` (one module per group of commands) and
:mod:`sandtable.context` (the language, instance, database and data directory a
command works with, found as ``serve`` finds them).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from geodata.errors import SandtableError
from geodata.i18n import render
from sandtable.context import LANG_ENV, cli_language
from sandtable.parser import build_parser

__all__ = ["LANG_ENV", "build_parser", "cli_language", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.lang = cli_language(args.lang)
    try:
        return int(args.func(args))
    except SandtableError as exc:
        print(_error_text(args.command, exc, args.lang), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _error_text(command: str, exc: SandtableError, lang: str) -> str:
    """``sandtable info: error: ...`` and one line per detail, in ``lang``.

    A message without a catalog text (from a library, say) is given as it is, in English.
    """
    message = exc.message_in(lang) or exc.message
    lines = [render("cli.error", lang, program="sandtable", command=command, message=message)]
    lines.extend(f"  - {d}" for d in exc.details_in(lang))
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
