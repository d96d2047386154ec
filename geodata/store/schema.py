"""The route-data tables, for SQLite (embedded) and PostgreSQL + PostGIS alike.

Geometry columns are PostGIS ``geometry`` columns (GeoAlchemy2, SRID 4326, with GiST
indexes) on PostgreSQL and WKB blobs on SQLite; either way Python sees shapely
geometries (:class:`GeometryType`). Properties outside the few key columns live in a
JSON column (JSONB on PostgreSQL) holding exactly the GeoJSON properties of the data
contract (DEVELOPERS.md), so a row is one feature of ``geodata/<region>/``.

Every change to route data is a :class:`Version` (who, when, why) with one
:class:`Change` per feature touched, carrying the feature before and after as GeoJSON:
history is listable and any version can be rebuilt from the current state by undoing
the later changes. ``revision`` on a feature row is the version that last wrote it
(optimistic locking: an edit based on an older revision is a conflict).

The schema is created and upgraded by Alembic (``geodata/store/migrations``), never by
``create_all``: :func:`geodata.store.open_store` runs the migrations on start.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import shapely
from geoalchemy2 import Geometry, WKBElement
from geoalchemy2.shape import to_shape
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeEngine

__all__ = [
    "Base",
    "ClosureRow",
    "Change",
    "GeometryType",
    "JsonType",
    "PendingImport",
    "PointRow",
    "RegionRow",
    "UtcDateTime",
    "Version",
    "WayRow",
    "TABLE_OF_LAYER",
]

SRID = 4326


class GeometryType(TypeDecorator[Any]):
    """A shapely geometry: PostGIS ``geometry(<type>, 4326)`` or a WKB blob on SQLite."""

    impl = LargeBinary
    cache_ok = True

    def __init__(self, geometry_type: str = "GEOMETRY", dimension: int = 2) -> None:
        super().__init__()
        self.geometry_type = geometry_type
        self.dimension = dimension

    def load_dialect_impl(self, dialect: Dialect | None) -> TypeEngine[Any]:
        geometry = Geometry(
            geometry_type=self.geometry_type,
            srid=SRID,
            dimension=self.dimension,
            spatial_index=False,  # created by the migration
        )
        if dialect is None:  # GeoAlchemy2 asks what the column is, for no dialect
            return geometry
        if dialect.name == "postgresql":
            return dialect.type_descriptor(geometry)
        return dialect.type_descriptor(LargeBinary())

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        wkb = shapely.to_wkb(value, output_dimension=self.dimension, include_srid=False)
        if dialect.name == "postgresql":
            return WKBElement(wkb, srid=SRID)
        return wkb

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, WKBElement):
            return to_shape(value)
        return shapely.from_wkb(bytes(value))


class JsonType(TypeDecorator[Any]):
    """JSON (JSONB on PostgreSQL)."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime, stored in UTC (SQLite keeps no time zone: it is put back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: times are stored aware, in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class RegionRow(Base):
    """A region: its settings documents and the version requests should see."""

    __tablename__ = "regions"

    region_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    metadata_doc: Mapped[dict[str, Any]] = mapped_column("metadata", JsonType())
    calibration: Mapped[dict[str, Any]] = mapped_column(JsonType())
    cues: Mapped[dict[str, Any]] = mapped_column(JsonType())
    current_version: Mapped[int] = mapped_column(Integer)


class Version(Base):
    """One transaction on a region's data."""

    __tablename__ = "versions"

    version_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.region_id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    author: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    #: ``seed``, ``edit``, ``import``, ``restore``
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    restored_from: Mapped[int | None] = mapped_column(Integer, nullable=True)


class Change(Base):
    """One feature written by a version: the GeoJSON feature before and after (None: absent)."""

    __tablename__ = "changes"

    change_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.version_id"), index=True)
    layer: Mapped[str] = mapped_column(String(16))
    feature_id: Mapped[str] = mapped_column(String(200))
    #: ``insert``, ``update``, ``delete``
    op: Mapped[str] = mapped_column(String(8))
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonType(), nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonType(), nullable=True)


class _Feature:
    """A feature of one layer: one row per GeoJSON feature of ``geodata/<region>/``."""

    region_id: Mapped[str] = mapped_column(ForeignKey("regions.region_id"), primary_key=True)
    layer: Mapped[str] = mapped_column(String(16), primary_key=True)
    feature_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: position in the layer's file order (trails of a route are stored in walking order)
    position: Mapped[int] = mapped_column(Integer)
    properties: Mapped[dict[str, Any]] = mapped_column(JsonType())
    revision: Mapped[int] = mapped_column(Integer)


class WayRow(_Feature, Base):
    """Trails and roads: 3D lines (z = elevation_m)."""

    __tablename__ = "ways"

    geometry: Mapped[Any] = mapped_column(GeometryType("LINESTRINGZ", dimension=3))


class PointRow(_Feature, Base):
    """Places and stations: points."""

    __tablename__ = "points"

    geometry: Mapped[Any] = mapped_column(GeometryType("POINT", dimension=2))


class ClosureRow(Base):
    """A trail or road closure (see :mod:`rescue.closures`); ``body`` is its stored form."""

    __tablename__ = "closures"

    closure_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.region_id"), index=True)
    body: Mapped[dict[str, Any]] = mapped_column(JsonType())
    valid_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: order of insertion, for a stable listing
    seq: Mapped[int] = mapped_column(Integer)


class PendingImport(Base):
    """A previewed import: what the planner saw and the edits applying it commits."""

    __tablename__ = "pending_imports"

    import_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_id: Mapped[str] = mapped_column(ForeignKey("regions.region_id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    author: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    base_version: Mapped[int] = mapped_column(Integer)
    preview: Mapped[dict[str, Any]] = mapped_column(JsonType())
    edits: Mapped[list[dict[str, Any]]] = mapped_column(JsonType())


#: layer -> table holding it
TABLE_OF_LAYER: dict[str, type[WayRow] | type[PointRow]] = {
    "trails": WayRow,
    "roads": WayRow,
    "places": PointRow,
    "stations": PointRow,
}
