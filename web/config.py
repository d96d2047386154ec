"""Settings of the web service: defaults, and the one validation at start-up.

Flask keeps settings in ``app.config`` under upper-case keys; :class:`Settings`
is the typed, validated view of the keys Sandtable reads. Each key can be set,
from lowest to highest precedence, by its default here, the instance file
(``<instance dir>/sandtable.toml`` or ``config.py``), an environment variable
``SANDTABLE_<KEY>`` and the mapping passed to ``create_app`` (tests, command-line
options).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from geodata.errors import SandtableError

__all__ = ["ConfigError", "ENV_PREFIX", "Settings", "defaults"]

ENV_PREFIX = "SANDTABLE"


class ConfigError(SandtableError):
    """The service cannot start: a setting or a required file is wrong or missing."""


@dataclass(frozen=True)
class Settings:
    """Sandtable's own settings (``app.config`` keys are these names upper-cased).

    Attributes
    ----------
    instance_dir
        Writable state: databases, closures, logs. Created if missing.
    data_dir
        Folder holding one sub-folder per region; ``None`` means the committed
        ``geodata/`` of the package.
    region
        Region served.
    database_url
        The route database (SQLAlchemy URL, e.g.
        ``postgresql+psycopg://postgres@127.0.0.1/sandtable`` with PostGIS); default
        the SQLite file ``sandtable.db`` in the instance directory.
    online_basemaps
        Offer online tile layers (never shown by default) in the layer control.
    dispatch_target_s
        Dispatch within this many seconds of receiving a call (the incidents page marks
        an incident overdue after it).
    on_scene_allowance_s
        Seconds allowed beyond the plan's ETA, counted from dispatch, before a team not
        yet on scene is marked overdue.
    warm_up
        Build what locate and approach derive from each route network before it is
        served (:mod:`rescue.warm`), so that no request pays for it; ``sandtable serve``
        turns it on, tests leave it off (a second or so per app).
    """

    instance_dir: Path = Path("instance")
    data_dir: Path | None = None
    region: str = "kailash"
    database_url: str | None = None
    online_basemaps: bool = True
    dispatch_target_s: int = 300
    on_scene_allowance_s: int = 600
    warm_up: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Settings:
        """Read and check the settings in a Flask config, listing every problem.

        Raises
        ------
        ConfigError
            If a value has the wrong type or a given data directory does not exist.
        """
        problems: list[str] = []

        def path(key: str, *, required: bool) -> Path | None:
            value = config.get(key)
            if value is None or value == "":
                if required:
                    problems.append(f"{_env(key)} must be a directory path")
                return None
            if not isinstance(value, (str, os.PathLike)):
                problems.append(f"{_env(key)}={value!r} is not a directory path")
                return None
            return Path(value).expanduser().resolve()

        def seconds(key: str, *, minimum: int) -> int:
            value = config.get(key)
            # true/false are ints to Python, not seconds
            whole = value if isinstance(value, int) and not isinstance(value, bool) else None
            if whole is None or not minimum <= whole <= 86_400:
                problems.append(
                    f"{_env(key)}={value!r} must be a whole number of seconds "
                    f"from {minimum} to 86400"
                )
                return 0
            return whole

        instance_dir = path("INSTANCE_DIR", required=True)
        data_dir = path("DATA_DIR", required=False)
        if data_dir is not None and not data_dir.is_dir():
            problems.append(f"{_env('DATA_DIR')}={str(data_dir)!r} is not a directory")
        region = config.get("REGION")
        if not isinstance(region, str) or not region:
            problems.append(f"{_env('REGION')}={region!r} is not a region id")
        database_url = config.get("DATABASE_URL")
        if database_url is not None and not isinstance(database_url, str):
            problems.append(f"{_env('DATABASE_URL')}={database_url!r} is not a URL")
        online = config.get("ONLINE_BASEMAPS")
        if not isinstance(online, bool):
            problems.append(f"{_env('ONLINE_BASEMAPS')}={online!r} must be true or false")
        warm_up = config.get("WARM_UP")
        if not isinstance(warm_up, bool):
            problems.append(f"{_env('WARM_UP')}={warm_up!r} must be true or false")
        dispatch_target_s = seconds("DISPATCH_TARGET_S", minimum=1)
        on_scene_allowance_s = seconds("ON_SCENE_ALLOWANCE_S", minimum=0)
        if problems:
            raise ConfigError("invalid Sandtable settings", details=problems)
        assert instance_dir is not None
        return cls(
            instance_dir=instance_dir,
            data_dir=data_dir,
            region=str(region),
            database_url=database_url,
            online_basemaps=bool(online),
            dispatch_target_s=dispatch_target_s,
            on_scene_allowance_s=on_scene_allowance_s,
            warm_up=bool(warm_up),
        )


def defaults() -> dict[str, Any]:
    """Return the default settings as upper-case ``app.config`` keys."""
    base = Settings()
    return {f.name.upper(): getattr(base, f.name) for f in fields(Settings)}


def _env(key: str) -> str:
    return f"{ENV_PREFIX}_{key}"
