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
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from geodata.errors import InvalidInput, SandtableError
from geodata.i18n import LANGUAGES, Msg, language, msg, render

__all__ = ["LANG_ENV", "build_parser", "cli_language", "main"]

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


def _say(args: argparse.Namespace, key: str, **params: Any) -> None:
    """Print the catalog text ``key`` in the command's language."""
    print(render(key, args.lang, **params), flush=True)


def _cmd_serve(args: argparse.Namespace) -> int:
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
        _say(args, "cli.serving_one", host=args.host, port=args.port, threads=args.threads)
        serve_waitress(app, host=args.host, port=args.port, threads=args.threads)
    else:
        _say(
            args,
            "cli.serving",
            host=args.host,
            port=args.port,
            workers=workers,
            threads=args.threads,
        )
        serve_gunicorn(app, host=args.host, port=args.port, workers=workers, threads=args.threads)
    return 0


def _cmd_create_user(args: argparse.Namespace) -> int:
    import getpass

    from geodata.store import database_url, open_store
    from rescue.users import UserStore

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(render("cli.password", args.lang, username=args.username))
        if getpass.getpass(render("cli.password_again", args.lang)) != password:
            raise InvalidInput(msg("cli.passwords_differ"))
    instance_dir = _instance_dir(args)
    instance_dir.mkdir(parents=True, exist_ok=True)
    store = open_store(database_url(_database_url(args, instance_dir), instance_dir))
    try:
        user = UserStore(store.reader, store.writer).create_user(
            args.username, password, args.role, args.display_name, actor=_cli_actor()
        )
    finally:
        store.dispose()
    _say(
        args,
        "cli.user_created",
        role=msg(f"role.{user.role}"),
        username=repr(user.username),
        user_id=user.user_id,
    )
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from geodata.store import database_url
    from geodata.store.backup import backup

    instance_dir = _instance_dir(args)
    url = database_url(_database_url(args, instance_dir), instance_dir)
    info = backup(url, Path(args.file))
    _say(args, "cli.backed_up", backend=info.backend, path=info.path, size=f"{info.size_bytes:,}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from geodata.store import database_url, open_store
    from geodata.store.backup import restore

    instance_dir = _instance_dir(args)
    given = _database_url(args, instance_dir)
    if given is None:  # the instance's SQLite file, perhaps not there yet
        instance_dir.mkdir(parents=True, exist_ok=True)
    url = database_url(given, instance_dir)
    info = restore(url, Path(args.file))
    open_store(url).dispose()  # an older backup is upgraded to the current schema
    _say(args, "cli.restored", backend=info.backend, path=info.path)
    return 0


def _cli_actor() -> str:
    """Who ran the command, for the audit log: ``cli:<login name>``."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "cli"


def _instance_dir(args: argparse.Namespace) -> Path:
    """As ``serve`` chooses it: the option, SANDTABLE_INSTANCE_DIR, else ./instance."""
    return Path(
        args.instance_dir or os.environ.get("SANDTABLE_INSTANCE_DIR") or "instance"
    ).resolve()


def _database_url(args: argparse.Namespace, instance_dir: Path) -> str | None:
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
            raise InvalidInput(_toml_error(toml_file, str(exc))) from None
        url = {k.lower(): v for k, v in values.items()}.get("database_url")
        if isinstance(url, str) and url:
            return url
    return None


def _toml_error(path: Path, reason: str) -> Msg:
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


def _cmd_build_region(args: argparse.Namespace) -> int:
    from geodata.build import build_region
    from routes.calibration import calibrate, fit_eta_trees

    def calibrator(tracks, centreline, landmarks):  # type: ignore[no-untyped-def]
        out = calibrate(tracks, centreline, landmarks, progress=not args.quiet).to_dict()
        out["eta_trees"] = fit_eta_trees(tracks, out, centreline)
        return out

    out_dir = args.out_dir or _data_dir(args) / args.region
    report = build_region(
        args.region,
        source_dir=Path(args.source),
        out_dir=Path(out_dir),
        calibrator=calibrator,
        progress=not args.quiet,
    )
    print(report.summary())
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from geodata import load_region
    from rescue.catalog import region_info
    from routes import build_network

    network = build_network(load_region(args.region, data_dir=_data_dir(args)))
    info = region_info(network)
    if args.calibration:
        print(_format_stretches(network.region.calibration))
        return 0
    if args.json:
        print(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        print(_format_info(info))
    return 0


def _cmd_locate(args: argparse.Namespace) -> int:
    from datetime import datetime

    from geodata import load_region
    from rescue.locate import locate
    from routes import build_network

    reported_at = None
    if args.at:
        try:
            reported_at = datetime.fromisoformat(args.at)
        except ValueError:
            raise InvalidInput(msg("cli.bad_time", value=repr(args.at))) from None
    network = build_network(load_region(args.region, data_dir=_data_dir(args)))
    result = locate(network, args.text, reported_at=reported_at, direction=args.direction)
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(_format_locate(result.to_dict(), args.lang))
    return 0


def _format_locate(result: dict[str, Any], lang: str = "en") -> str:
    """The ranked candidates, their evidence and the questions to ask, in ``lang``."""
    lines = []
    if not result["candidates"]:
        lines.append(render("cli.locate_nothing", lang))
    for i, c in enumerate(result["candidates"], start=1):
        bar = "█" * max(1, round(c["probability"] * 20))
        km = c["km_range"]
        where = (
            render("cli.locate_km", lang, start=f"{km[0]:.1f}", end=f"{km[1]:.1f}")
            if km
            else render("cli.locate_road", lang)
        )
        name = c["name"]["zh"] or c["name"]["en"] if lang == "zh" else c["name"]["en"]
        lines.append(f"{i:2d}. {c['probability']:5.1%} {bar:<20} {name}")
        best = render("cli.locate_best", lang, lat=f"{c['lat']:.5f}", lon=f"{c['lon']:.5f}")
        lines.append(f"      {where}{best}")
        evidence = c.get("evidence_zh") or c["evidence"] if lang == "zh" else c["evidence"]
        lines.extend(f"      · {e}" for e in evidence)
    if result["questions"]:
        lines.append(render("cli.locate_ask", lang))
        bits = "cli.locate_bits"
        lines.extend(
            f"  - {q['text'][lang]}" + render(bits, lang, bits=f"{q['expected_gain_bits']:.2f}")
            for q in result["questions"]
        )
    return "\n".join(lines)


def _cmd_eval_eta(args: argparse.Namespace) -> int:
    import numpy as np
    from shapely.geometry import LineString

    from geodata import load_region
    from geodata.build.consensus import project_tracks
    from geodata.raw import read_tracks
    from routes.calibration import evaluate_eta, format_eta_report

    region = load_region(args.region, data_dir=_data_dir(args))
    crs = region.metadata["metric_crs"]
    trails = region.trails
    tracked = trails[(trails["quality"] == "track_consensus") & trails["variant"].isna()]
    if tracked.empty or not region.calibration:
        raise InvalidInput(msg("cli.no_calibration", region=repr(args.region)))
    from pyproj import Transformer

    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    c = np.asarray(tracked.geometry.iloc[0].coords)
    x, y = to_metric.transform(c[:, 0], c[:, 1])
    centreline = LineString(np.column_stack([x, y, c[:, 2]]))
    tracks = project_tracks(read_tracks(Path(args.tracks)), crs=crs)
    report = evaluate_eta(tracks, region.calibration, centreline, holdout_only=not args.all_tracks)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_eta_report(report, Path(args.tracks).name))
    return 0


def _cmd_calibrate_eta(args: argparse.Namespace) -> int:
    from geodata import load_region
    from geodata.build.consensus import project_tracks
    from geodata.files import CALIBRATION_FILE, _dumps
    from geodata.raw import read_tracks
    from routes.calibration import cross_validate, fit_eta_trees, fit_moving_pace

    region = load_region(args.region, data_dir=_data_dir(args))
    if not region.calibration:
        raise InvalidInput(msg("cli.no_calibration", region=repr(args.region)))
    crs = region.metadata["metric_crs"]
    tracks = project_tracks(read_tracks(Path(args.tracks)), crs=crs)
    centreline = _tracked_centreline(region)
    if args.cv:
        print(json.dumps(cross_validate(tracks, region.calibration, centreline), indent=2))
        return 0
    fitted = fit_moving_pace(tracks, region.calibration, centreline)
    calibration = {**region.calibration, "moving_pace_conditioning": fitted}
    calibration["eta_trees"] = fit_eta_trees(tracks, calibration, centreline)
    path = (_data_dir(args)) / args.region / CALIBRATION_FILE
    path.write_text(_dumps(calibration, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    bins = ", ".join(
        f"{b['elapsed_from_s'] / 3600:g} h: moving x{b['moving_slope']:.2f} "
        f"stops x{b['stop_slope']:.2f}"
        for b in fitted["by_elapsed"]
    )
    trees = calibration["eta_trees"]
    print(
        f"moving pace fitted on {fitted['n_samples']} training trips ({bins}); ETA trees on "
        f"{trees['gps']['n_samples']} (GPS) and {trees['two_times']['n_samples']} (two times) "
        f"trips of {trees['n_tracks']} training tracks; wrote {path}"
    )
    return 0


def _tracked_centreline(region: Any) -> Any:
    """The GPS-consensus centreline in the region's metric CRS (3-D), as eval-eta scores on."""
    import numpy as np
    from pyproj import Transformer
    from shapely.geometry import LineString

    trails = region.trails
    tracked = trails[(trails["quality"] == "track_consensus") & trails["variant"].isna()]
    if tracked.empty:
        raise InvalidInput(msg("cli.no_calibration", region=repr(region.region_id)))
    to_metric = Transformer.from_crs("EPSG:4326", region.metadata["metric_crs"], always_xy=True)
    c = np.asarray(tracked.geometry.iloc[0].coords)
    x, y = to_metric.transform(c[:, 0], c[:, 1])
    return LineString(np.column_stack([x, y, c[:, 2]]))


def _cmd_eval_locate(args: argparse.Namespace) -> int:
    from rescue.locate_eval.evaluate import main as evaluate_main

    # the repository's case sets, unless named (rescue.locate_eval knows no repository path)
    data = Path(__file__).resolve().parents[1] / "tests" / "data"
    real = data / "locate_real_cases.jsonl"
    argv = ["--cases", str(args.cases or data / "locate_cases.jsonl")]
    argv += ["--real-cases", str(args.real_cases or (real if real.exists() else "none"))]
    if args.tracks:
        argv += ["--tracks", str(args.tracks)]
    if args.misses is not None:
        argv += ["--misses", str(args.misses)]
    if args.far:
        argv += ["--far", str(args.far)]
    if args.json:
        argv.append("--json")
    return int(evaluate_main(argv))


def _format_info(info: dict[str, object]) -> str:
    lines = []
    for key, value in info.items():
        if isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {k}: {v}" for k, v in value.items())
        else:
            lines.append(f"{key}: {value}")
    return "\n".join(lines)


def _format_stretches(calibration: Mapping[str, Any]) -> str:
    """The hold-out table of ``calibration.json``: MAE per stretch and method, in seconds."""
    report = calibration.get("report") or {}
    rows = report.get("stretches") if isinstance(report, dict) else None
    if not rows:
        return "no calibration report in this region"
    cols = ("mae_s", "baseline_mae_s", "naismith_mae_s", "tobler_mae_s")
    titles = ("model", "dist.", "Naism.", "Tobler")
    head = f"{'stretch':58} {'n':>4} {'median':>7} " + " ".join(f"{t:>6}" for t in titles)
    lines = ["hold-out MAE (s) of the median-walker prediction, by stretch", head]
    whole = report.get("whole_stretch")
    for r in [whole, *rows] if whole else rows:
        name = f"{r['from_place_id']} → {r['to_place_id']}"
        vals = " ".join(f"{(r.get(c) or 0):6.0f}" for c in cols)
        lines.append(f"{name:58} {r['n_tracks']:4d} {r['median_actual_s']:7.0f} {vals}")
    pairs = report.get("pairs") or {}
    if pairs:
        lines.append(
            f"every landmark to every later one: {pairs['n_pairs']} predictions, model "
            f"{pairs['mae_s']:.0f} s, distance-only {pairs['baseline_mae_s']:.0f} s"
        )
    return "\n".join(lines)


def _data_dir(args: argparse.Namespace) -> Path:
    if getattr(args, "data_dir", None):
        return Path(args.data_dir)
    env = os.environ.get("SANDTABLE_DATA_DIR")
    if env:
        return Path(env)
    from geodata import DEFAULT_DATA_DIR

    return DEFAULT_DATA_DIR


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
    serve.set_defaults(func=_cmd_serve)

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
    user.set_defaults(func=_cmd_create_user)

    for name, helptext, func in (
        (
            "backup",
            "copy the whole database into a new file while the service runs "
            "(SQLite online backup, or pg_dump for PostgreSQL)",
            _cmd_backup,
        ),
        (
            "restore",
            "replace the whole database by a backup file (stop the servers first; "
            "pg_restore in one transaction for PostgreSQL)",
            _cmd_restore,
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
    build.set_defaults(func=_cmd_build_region)

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
    info.set_defaults(func=_cmd_info)
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
    loc.set_defaults(func=_cmd_locate)

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
    ev.set_defaults(func=_cmd_eval_locate)

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
    eta.set_defaults(func=_cmd_eval_eta)

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
    cal_eta.set_defaults(func=_cmd_calibrate_eta)
    for command in sub.choices.values():  # --lang after the command too
        command.add_argument(
            "--lang",
            choices=LANGUAGES,
            default=argparse.SUPPRESS,
            help="en or zh (see sandtable -h)",
        )
    return parser


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
