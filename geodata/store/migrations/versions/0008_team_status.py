"""The status of teams and posts: available, committed to an incident, out of service.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from geodata.store.schema import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_status",
        sa.Column("region_id", sa.String(64), primary_key=True),
        sa.Column("station_id", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column(
            "incident_id",
            sa.Integer,
            sa.ForeignKey("incidents.incident_id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_team_status_incident", "team_status", ["incident_id"])


def downgrade() -> None:
    op.drop_table("team_status")
