"""Sandtable's web service: the map page and the JSON API.

There is no module-level app: :func:`create_app` builds one. It opens the route
database (creating, upgrading and seeding it on first start), builds the network of
the current data version and keeps both in ``app.extensions["sandtable"]``; requests
follow later versions without a restart (see :mod:`web.state`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_compress import Compress

from web import (
    answer_check,
    api,
    auth,
    errors,
    events,
    field,
    find_me,
    headers,
    imports_api,
    incidents_api,
    incidents_page,
    map,
    planner,
    planner_api,
    relief_api,
    reports,
    search_api,
    teams_api,
    users_api,
    vocabulary,
)
from web.bodies import (
    BoundaryRequest,
    DatabaseIntConverter,
    refuse_oversized_request,
    refuse_unstorable_text,
)
from web.config import ENV_PREFIX, ConfigError, Settings, defaults
from web.state import open_state

__all__ = ["ConfigError", "create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the Flask app.

    Settings are read, from lowest to highest precedence, from the defaults in
    :mod:`web.config`, the instance file (``<instance dir>/sandtable.toml``, or
    ``config.py``), ``SANDTABLE_*`` environment variables and ``config``.

    Parameters
    ----------
    config
        Overrides with upper-case keys (``DATA_DIR``, ``INSTANCE_DIR``,
        ``TESTING`` ...), given by tests and command-line options.

    Raises
    ------
    ConfigError
        If a setting is invalid or the vendor browser assets are not installed.
    NotFound, DataValidationError
        If the region cannot be found, its data are invalid or the database cannot
        be opened.
    """
    overrides = dict(config or {})
    instance_dir = Path(
        overrides.get("INSTANCE_DIR")
        or os.environ.get(f"{ENV_PREFIX}_INSTANCE_DIR")
        or defaults()["INSTANCE_DIR"]
    ).resolve()
    app = Flask(__name__, instance_path=str(instance_dir), instance_relative_config=True)
    app.request_class = BoundaryRequest  # JSON numbers, NUL in forms: see web.bodies
    app.url_map.converters["int"] = DatabaseIntConverter  # ids beyond the database's: 404
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Chinese names stay readable
    app.json.sort_keys = False  # type: ignore[attr-defined]  # properties in documented order
    app.config.from_mapping(defaults())
    app.config.from_mapping(_SESSION_DEFAULTS)
    app.config.from_mapping(_COMPRESS_DEFAULTS)
    _load_instance_file(app)
    app.config.from_prefixed_env(ENV_PREFIX)
    app.config.from_mapping(overrides)
    app.config["INSTANCE_DIR"] = str(instance_dir)

    # imported here, not at the top, so that `python -m web.vendor` runs a module not yet imported
    from web.vendor import check_assets

    settings = Settings.from_config(app.config)
    check_assets()
    try:
        settings.instance_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the instance directory {str(settings.instance_dir)!r}: {exc.strerror}"
        ) from exc
    _check_session_settings(app)
    events.check_settings(app.config)
    find_me.check_settings(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = auth.load_secret_key(settings.instance_dir)
    app.extensions["sandtable"] = open_state(settings)

    Compress(app)  # gzip / brotli for what is worth it (settings: _COMPRESS_DEFAULTS)
    errors.register(app)
    headers.install(app, online_basemaps=settings.online_basemaps)
    vocabulary.install(app)
    answer_check.install(app)  # tests only; after Compress, so it sees the view's body
    app.before_request(refuse_oversized_request)
    app.before_request(refuse_unstorable_text)
    app.register_blueprint(map.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(planner_api.bp)
    app.register_blueprint(imports_api.bp)
    app.register_blueprint(incidents_api.bp)
    app.register_blueprint(planner.bp)
    app.register_blueprint(incidents_page.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(users_api.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(field.bp)
    app.register_blueprint(teams_api.bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(relief_api.bp)
    app.register_blueprint(search_api.bp)
    app.register_blueprint(find_me.bp)
    return app


#: session cookies: never readable by scripts, not sent on cross-site posts; behind TLS
#: set SANDTABLE_SESSION_COOKIE_SECURE=true (or session_cookie_secure = true in the
#: instance file) so that browsers send them over HTTPS only
_SESSION_DEFAULTS: dict[str, Any] = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
}


#: compressed answers for a 3G link (flask-compress,
#: https://github.com/colour-science/flask-compress):
#: brotli where the browser accepts it, else gzip; JSON, GeoJSON, pages, scripts, CSV; never
#: an event stream (it must reach the page event by event)
_COMPRESS_DEFAULTS: dict[str, Any] = {
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_BR_LEVEL": 5,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,
    "COMPRESS_STREAMS": False,
    "COMPRESS_MIMETYPES": [
        "application/json",
        "application/geo+json",
        "text/html",
        "text/css",
        "text/csv",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
    ],
}


def _check_session_settings(app: Flask) -> None:
    for key in ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY"):
        if not isinstance(app.config.get(key), bool):
            raise ConfigError(f"{ENV_PREFIX}_{key}={app.config.get(key)!r} must be true or false")


def _load_instance_file(app: Flask) -> None:
    toml_file = Path(app.instance_path) / "sandtable.toml"
    if toml_file.is_file():
        try:
            with toml_file.open("rb") as f:
                values = tomllib.load(f)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{toml_file} is not valid TOML: {exc}") from exc
        app.config.from_mapping({key.upper(): value for key, value in values.items()})
    else:
        app.config.from_pyfile("config.py", silent=True)
