"""Pending imports: a previewed file's edits, kept until the planner applies or discards them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from geodata.store.schema import JsonType, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_imports",
        sa.Column("import_id", sa.String(64), primary_key=True),
        sa.Column("region_id", sa.String(64), sa.ForeignKey("regions.region_id"), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("base_version", sa.Integer, nullable=False),
        sa.Column("preview", JsonType(), nullable=False),
        sa.Column("edits", JsonType(), nullable=False),
    )
    op.create_index("ix_pending_imports_region_id", "pending_imports", ["region_id"])


def downgrade() -> None:
    op.drop_table("pending_imports")
