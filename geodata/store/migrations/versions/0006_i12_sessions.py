"""Sessions kept server-side (revocable by every process) and failed log-ins counted in the
database (one limit for every worker process and server).

Revision ID: 0006 (branch i12-sessions; the lead re-chains parallel 0006 migrations)
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from geodata.store.schema import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        # SHA-256 (hex) of the random token in the signed cookie: a copy of the table
        # signs nobody in
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.user_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("last_seen_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(64), nullable=True),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("user_agent", sa.String(200), nullable=True),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("failure_id", sa.Integer, primary_key=True, autoincrement=True),
        # "user" (per address and username) or "addr" (per address: username is "")
        sa.Column("scope", sa.String(4), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        # seconds since the epoch (UTC): compared across processes and servers
        sa.Column("at_s", sa.Float, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_login_failures_key", "login_failures", ["scope", "address", "username", "at_s"]
    )
    op.create_index("ix_login_failures_at_s", "login_failures", ["at_s"])


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("sessions")
