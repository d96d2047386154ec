"""The argument parser of ``sandtable``: every command, its options and help texts.

Help texts stay English (they are for operators and developers); what a command prints
is in the language ``--lang`` chooses (:mod:`sandtable.cli`). Each command's function
lives in its group's module under :mod:`sandtable.commands`.
"""

from __future__ import annotations

import argparse

from geodata.i18n import LANGUAGES
from sandtable.commands.admin import cmd_backup, cmd_create_user, cmd_restore
from sandtable.commands.evaluation import cmd_calibrate_eta, cmd_eval_eta, cmd_eval_locate
from sandtable.commands.region import cmd_build_region, cmd_info, cmd_locate
from sandtable.commands.server import cmd_serve

__all__ = ["build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``sandtable`` command."""
    parser = argparse.ArgumentParser(
        prog="sandtable",
        description="Sandtable: rescue coordination for high-altitude pilgrimage routes.",
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of messages and errors: en or zh (default: SANDTABLE_LANG, else the "
        "locale's LC_ALL / LC_MESSAGES / LANG, zh_* being Chinese)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser(
        "serve",
        help="run the web service (map and JSON API) with a production WSGI server",
        description="Serve the map and the JSON API with gunicorn worker processes (or, with "
        "--dev or --workers 0, from this one process with waitress). Settings also come from "
        "SANDTABLE_INSTANCE_DIR and SANDTABLE_DATA_DIR.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    serve.add_argument(
        "--workers",
        type=int,
        help="gunicorn worker processes (default: the machine's cores); "
        "0 serves from this process with waitress",
    )
    serve.add_argument(
        "--threads", type=int, default=8, help="threads per worker process (default 8)"
    )
    serve.add_argument(
        "--dev",
        action="store_true",
        help="development: one process with waitress (the same as --workers 0)",
    )
    serve.add_argument(
        "--data-dir",
        help="region data directory (default: SANDTABLE_DATA_DIR or the committed geodata/)",
    )
    serve.add_argument(
        "--instance-dir",
        help="writable state directory (default: SANDTABLE_INSTANCE_DIR or ./instance)",
    )
    serve.set_defaults(func=cmd_serve)

    user = sub.add_parser(
        "create-user",
        help="add a user who can sign in (the first admin is made this way)",
        description="Add a user to the database `serve` uses (the instance directory's "
        "SQLite file, or SANDTABLE_DATABASE_URL). The password is asked twice, or read as "
        "one line from standard input with --password-stdin.",
    )
    user.add_argument("username", help="3-64 characters: a-z, 0-9, '.', '_', '-'")
    user.add_argument(
        "--role",
        required=True,
        choices=["call_taker", "officer", "planner", "admin"],
        help="what the user may do (admin also manages users)",
    )
    user.add_argument("--display-name", help="name shown in the pages")
    user.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    user.add_argument(
        "--instance-dir",
        help="writable state directory (default: SANDTABLE_INSTANCE_DIR or ./instance)",
    )
    user.add_argument(
        "--database-url", help="database (default: SANDTABLE_DATABASE_URL or the instance's)"
    )
    user.set_defaults(func=cmd_create_user)

    for name, helptext, func in (
        (
            "backup",
            "copy the whole database into a new file while the service runs "
            "(SQLite online backup, or pg_dump for PostgreSQL)",
            cmd_backup,
        ),
        (
            "restore",
            "replace the whole database by a backup file (stop the servers first; "
            "pg_restore in one transaction for PostgreSQL)",
            cmd_restore,
        ),
    ):
        cmd = sub.add_parser(name, help=helptext, description=helptext)
        cmd.add_argument(
            "file", help="the backup file" + (" (must not exist)" if name == "backup" else "")
        )
        cmd.add_argument(
            "--instance-dir",
            help="writable state directory (default: SANDTABLE_INSTANCE_DIR or ./instance)",
        )
        cmd.add_argument(
            "--database-url", help="database (default: SANDTABLE_DATABASE_URL or the instance's)"
        )
        cmd.set_defaults(func=func)

    build = sub.add_parser(
        "build-region",
        help="re-derive a region's committed data from the raw sources",
        description="Rebuild geodata/<REGION>/ from raw inputs (GPS tracks, gazetteer, roads). "
        "Writes to a temporary directory, validates, then swaps it into place.",
    )
    build.add_argument("region", help="region id, e.g. kailash")
    build.add_argument(
        "--source",
        required=True,
        help="folder with the raw inputs (tracks_train.csv.gz, gazetteer.csv, roads.csv)",
    )
    build.add_argument("--out-dir", help="write here instead of <data dir>/<region>")
    build.add_argument("--data-dir", help="region data directory")
    build.add_argument("--quiet", action="store_true", help="no progress bars")
    build.set_defaults(func=cmd_build_region)

    info = sub.add_parser(
        "info",
        help="summarise a region: routes, segments, places, stations, data quality",
        description="Load a region, build its route graph and print a summary.",
    )
    info.add_argument("region", nargs="?", default="kailash", help="region id (default kailash)")
    info.add_argument("--data-dir", help="region data directory")
    info.add_argument("--json", action="store_true", help="print JSON instead of text")
    info.add_argument(
        "--calibration",
        action="store_true",
        help="print the walking model's hold-out error table by stretch",
    )
    info.set_defaults(func=cmd_info)
    loc = sub.add_parser(
        "locate",
        help="where is the caller? rank route segments from a description",
        description="Turn what a caller says (English or Chinese: places, relations, times, "
        "elevation, coordinates, what they see) into ranked segments with evidence and the "
        "questions that would narrow it down.",
    )
    loc.add_argument("text", help="the caller's description")
    loc.add_argument("--at", help="report time, ISO-8601 (naive = Asia/Shanghai; default now)")
    loc.add_argument(
        "--direction",
        choices=["clockwise", "counterclockwise"],
        help="walking direction if known (default: from the text, else both weighed)",
    )
    loc.add_argument("--json", action="store_true", help="print the API's JSON")
    loc.add_argument("--region", default="kailash", help="region id (default kailash)")
    loc.add_argument("--data-dir", help="region data directory")
    loc.set_defaults(func=cmd_locate)

    ev = sub.add_parser(
        "eval-locate",
        help="score the locator on the case set (top-1/top-3 hits, distance errors)",
        description="Run every case of tests/data/locate_cases.jsonl (team-written) and of "
        "tests/data/locate_real_cases.jsonl (real text: dev and held-out parts) through the "
        "locator; print per set and per class: hit within 1 km at top-1/top-3, segment hits, "
        "median and p90 error, confidently wrong answers (top-1 p >= 0.8 and > 1 km off), "
        "80 %-range coverage and empty answers; with --tracks, also score time-only "
        "positions against held-out GPS tracks.",
    )
    ev.add_argument("--cases", help="case file (default tests/data/locate_cases.jsonl)")
    ev.add_argument("--tracks", help="tracks_train.csv.gz for the held-out time-only cases")
    ev.add_argument(
        "--real-cases",
        help="real-text case file (default tests/data/locate_real_cases.jsonl; 'none' skips "
        "it): scored as the real-dev and real-held-out sets, per class",
    )
    ev.add_argument("--misses", type=int, help="list this many top-1 misses of the team set")
    ev.add_argument("--far", type=int, default=0, help="list the N farthest misses per set")
    ev.add_argument("--json", action="store_true", help="print JSON")
    ev.set_defaults(func=cmd_eval_locate)

    eta = sub.add_parser(
        "eval-eta",
        help="score walking times landmark to landmark on GPS tracks (model vs textbook rules)",
        description="For tracks in the shared CSV layout (track_id, seq, time_utc, lon, lat, "
        "ele_m), predict the time between every pair of landmarks each track passes and print "
        "the MAE of the model, distance-only, Naismith and Tobler, the share within 10 min and "
        "how often the 80 %% range holds the truth. Only the tracks the calibration held out "
        "(calibration.json split.holdout_track_ids) are scored unless --all-tracks is given.",
    )
    eta.add_argument("--tracks", required=True, help="track CSV (.csv or .csv.gz)")
    eta.add_argument("--json", action="store_true", help="print one JSON object")
    eta.add_argument(
        "--all-tracks", action="store_true", help="score every track, not only the held-out ones"
    )
    eta.add_argument("--region", default="kailash", help="region id (default kailash)")
    eta.add_argument("--data-dir", help="region data directory")
    eta.set_defaults(func=cmd_eval_eta)

    cal_eta = sub.add_parser(
        "calibrate-eta",
        help="re-fit the walker's moving pace and stops so far (calibration.json)",
        description="Re-derive calibration.json moving_pace_conditioning and eta_trees from "
        "the training tracks (every track the calibration did not hold out): how a walker's "
        "moving pace and stops so far predict the time ahead (fitted lines, and boosted trees "
        "for a GPS track so far or a call with two times), and the 80 %% ranges left. "
        "build-region fits the same; this re-fits only those parts.",
    )
    cal_eta.add_argument("--tracks", required=True, help="track CSV (.csv or .csv.gz)")
    cal_eta.add_argument(
        "--cv",
        action="store_true",
        help="print the 5-fold cross-validation by track id on the training tracks (trees "
        "against the fitted lines) instead of writing calibration.json",
    )
    cal_eta.add_argument("--region", default="kailash", help="region id (default kailash)")
    cal_eta.add_argument("--data-dir", help="region data directory")
    cal_eta.set_defaults(func=cmd_calibrate_eta)
    for command in sub.choices.values():  # --lang after the command too
        command.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=argparse.SUPPRESS,
            help="en or zh (see sandtable -h)",
        )
    return parser
