"""Find-me links: a one-time link a caller opens to send the phone's GPS fix.

Only the SHA-256 of each link's token is stored; the fix (position, accuracy) is
written on the link's row when the caller's browser sends it (one fix per link).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from geodata.store.schema import UtcDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "find_me_links",
        sa.Column("link_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column(
            "incident_id",
            sa.Integer,
            sa.ForeignKey("incidents.incident_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("accuracy_m", sa.Float, nullable=True),
        sa.Column("altitude_m", sa.Float, nullable=True),
        sa.Column("fixed_at", UtcDateTime(), nullable=True),
    )
    op.create_index("ix_find_me_links_incident", "find_me_links", ["incident_id"])


def downgrade() -> None:
    op.drop_table("find_me_links")
