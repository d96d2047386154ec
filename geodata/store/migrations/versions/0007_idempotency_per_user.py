"""Idempotency keys scoped per user, with the digest of the body they were used with.

``incidents.idempotency_key`` keeps its unique constraint but now holds
``<username>:<key>``: two users may send the same key independently. (Dropping the
constraint for one on ``(created_by, idempotency_key)`` would rebuild the table on
SQLite, and with foreign keys on, dropping the old table cascades into the
descriptions.) ``idempotency_digest`` is the SHA-256 of the parsed body, so that a key
reused with a different body is refused (409) instead of dropping the new report;
incidents of earlier releases have none and count as the same body.

Everything is done in place on both back ends: a column added, existing keys
prefixed, and on PostgreSQL the column widened (SQLite does not enforce lengths).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # a username (64) + ":" + a key (100)
        op.alter_column(
            "incidents",
            "idempotency_key",
            type_=sa.String(200),
            existing_type=sa.String(100),
            existing_nullable=True,
        )
    op.add_column("incidents", sa.Column("idempotency_digest", sa.String(64), nullable=True))
    op.execute(
        "UPDATE incidents SET idempotency_key = created_by || ':' || idempotency_key "
        "WHERE idempotency_key IS NOT NULL"
    )


def downgrade() -> None:
    # fails on the unique constraint if two users have used the same key since
    op.execute(
        "UPDATE incidents SET idempotency_key = "
        "substr(idempotency_key, length(created_by) + 2) WHERE idempotency_key IS NOT NULL"
    )
    op.drop_column("incidents", "idempotency_digest")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column(
            "incidents",
            "idempotency_key",
            type_=sa.String(100),
            existing_type=sa.String(200),
            existing_nullable=True,
        )
