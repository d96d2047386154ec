"""Route data: regions, versions and changes, ways, points, closures.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

from geodata.store.schema import SRID, JsonType, UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _geometry(geometry_type: str, dimension: int) -> sa.types.TypeEngine:
    """PostGIS geometry (typed, SRID 4326) on PostgreSQL; WKB in a blob on SQLite."""
    if op.get_bind().dialect.name == "postgresql":
        return Geometry(geometry_type, srid=SRID, dimension=dimension, spatial_index=False)
    return sa.LargeBinary()


def _feature_table(name: str, geometry: sa.types.TypeEngine) -> None:
    op.create_table(
        name,
        sa.Column("region_id", sa.String(64), sa.ForeignKey("regions.region_id"), nullable=False),
        sa.Column("layer", sa.String(16), nullable=False),
        sa.Column("feature_id", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("properties", JsonType(), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("geometry", geometry, nullable=False),
        sa.PrimaryKeyConstraint("region_id", "layer", "feature_id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.create_index(f"ix_{name}_geometry", name, ["geometry"], postgresql_using="gist")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table(
        "regions",
        sa.Column("region_id", sa.String(64), primary_key=True),
        sa.Column("metadata", JsonType(), nullable=False),
        sa.Column("calibration", JsonType(), nullable=False),
        sa.Column("cues", JsonType(), nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
    )
    op.create_table(
        "versions",
        sa.Column("version_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("region_id", sa.String(64), sa.ForeignKey("regions.region_id"), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("restored_from", sa.Integer, nullable=True),
    )
    op.create_index("ix_versions_region_id", "versions", ["region_id"])
    op.create_table(
        "changes",
        sa.Column("change_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("versions.version_id"), nullable=False),
        sa.Column("layer", sa.String(16), nullable=False),
        sa.Column("feature_id", sa.String(200), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("before", JsonType(), nullable=True),
        sa.Column("after", JsonType(), nullable=True),
    )
    op.create_index("ix_changes_version_id", "changes", ["version_id"])
    _feature_table("ways", _geometry("LINESTRINGZ", 3))
    _feature_table("points", _geometry("POINT", 2))
    op.create_table(
        "closures",
        sa.Column("closure_id", sa.String(64), primary_key=True),
        sa.Column("region_id", sa.String(64), sa.ForeignKey("regions.region_id"), nullable=False),
        sa.Column("body", JsonType(), nullable=False),
        sa.Column("valid_until", UtcDateTime(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
    )
    op.create_index("ix_closures_region_id", "closures", ["region_id"])


def downgrade() -> None:
    for table in ("closures", "points", "ways", "changes", "versions", "regions"):
        op.drop_table(table)
