"""Webhook endpoints, the outbox of outbound deliveries, and announced invitation expiries.

Revision ID: 0011_webhooks
Revises: 0010_api_keys
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_webhooks"
down_revision: str | None = "0010_api_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: the models read these back as aware UTC; a migration never imports the models.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["staff_users.id"],
            name=op.f("fk_webhook_endpoints_created_by_id_staff_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("auth", sa.String(length=200), nullable=False),
        sa.Column("allowed_hosts", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIMESTAMP, nullable=True),
        sa.Column("last_attempt_at", TIMESTAMP, nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("delivered_at", TIMESTAMP, nullable=True),
        sa.Column("endpoint_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("message_id", name=op.f("uq_deliveries_message_id")),
    )
    op.create_index(op.f("ix_deliveries_created_at"), "deliveries", ["created_at"])
    op.create_index(op.f("ix_deliveries_endpoint_id"), "deliveries", ["endpoint_id"])
    op.create_index("ix_deliveries_status_next_attempt_at", "deliveries", ["status", "next_attempt_at"])
    op.create_table(
        "invitation_expiry_notices",
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("published_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_invitation_expiry_notices_invitation_id_invitations"),
        ),
        sa.PrimaryKeyConstraint("invitation_id", name=op.f("pk_invitation_expiry_notices")),
    )


def downgrade() -> None:
    op.drop_table("invitation_expiry_notices")
    op.drop_index("ix_deliveries_status_next_attempt_at", table_name="deliveries")
    op.drop_index(op.f("ix_deliveries_endpoint_id"), table_name="deliveries")
    op.drop_index(op.f("ix_deliveries_created_at"), table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_table("webhook_endpoints")
