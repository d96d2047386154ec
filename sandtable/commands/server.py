"""``sandtable serve``: the web application under gunicorn, or waitress in one process."""

from __future__ import annotations

import argparse

from geodata.errors import InvalidInput
from geodata.i18n import msg
from sandtable.context import say

__all__ = ["cmd_serve"]


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the map and the JSON API until stopped."""
    from web import create_app
    from web.server import configure_logging, default_workers, serve_gunicorn, serve_waitress

    workers = default_workers() if args.workers is None else args.workers
    if workers < 0 or args.threads < 1:
        raise InvalidInput(msg("cli.workers"))
    configure_logging()
    # the network is warmed before it is served (web.server): no request pays for it
    overrides: dict[str, object] = {"WARM_UP": True}
    if args.data_dir:
        overrides["DATA_DIR"] = str(args.data_dir)
    if args.instance_dir:
        overrides["INSTANCE_DIR"] = str(args.instance_dir)
    app = create_app(overrides)
    if args.dev or workers == 0:
        say(args, "cli.serving_one", host=args.host, port=args.port, threads=args.threads)
        serve_waitress(app, host=args.host, port=args.port, threads=args.threads)
    else:
        say(
            args,
            "cli.serving",
            host=args.host,
            port=args.port,
            workers=workers,
            threads=args.threads,
        )
        serve_gunicorn(app, host=args.host, port=args.port, workers=workers, threads=args.threads)
    return 0
