"""The route database: one object holding the engines and the repositories of what it keeps.

:class:`RouteStore` wraps a SQLAlchemy engine pair (:mod:`geodata.store.engine`) on SQLite
(the embedded default, in the instance directory) or PostgreSQL + PostGIS
(``SANDTABLE_DATABASE_URL``), and owns one repository per kind of data:

* ``versions`` (:class:`~geodata.store.versions.VersionRepository`): the region's
  features, every change a version; snapshots of any version, commits, restores.
* ``closures`` (:class:`~geodata.store.closures.ClosureRepository`): the stored closures.
* ``imports`` (:class:`~geodata.store.imports.PendingImports`): previewed imports
  waiting to be applied (through ``versions``) or discarded.

The other stores of the service (users, incidents, relief …) take its ``reader`` and
``writer`` engines.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from geodata.errors import DataValidationError
from geodata.store.closures import ClosureRepository
from geodata.store.engine import engines, migrate
from geodata.store.imports import PendingImports
from geodata.store.versions import VersionRepository

__all__ = ["RouteStore", "open_store"]


class RouteStore:
    """Route data of any number of regions in one database; see the module docstring."""

    def __init__(self, reader: Engine, writer: Engine) -> None:
        self.reader = reader
        self.writer = writer
        self.versions = VersionRepository(reader, writer)
        self.closures = ClosureRepository(reader, writer)
        self.imports = PendingImports(reader, writer, self.versions)

    @property
    def dialect(self) -> str:
        return self.writer.dialect.name

    def dispose(self) -> None:
        self.reader.dispose()
        self.writer.dispose()


def open_store(url: str) -> RouteStore:
    """Open (creating or upgrading the schema of) the database at ``url``.

    Raises
    ------
    InvalidInput
        If the URL's scheme is not SQLite or PostgreSQL.
    DataValidationError
        If the database cannot be reached or upgraded.
    """
    reader, writer = engines(url)
    try:
        migrate(writer)
    except OperationalError as exc:
        raise DataValidationError(
            "cannot open the database", details=[str(exc.orig).strip().splitlines()[0]]
        ) from None
    return RouteStore(reader, writer)
