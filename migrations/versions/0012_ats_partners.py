"""Connections to Greenhouse and Ashby, the assessments they order, and the errors they report.

Revision ID: 0012_ats_partners
Revises: 0011_webhooks
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_ats_partners"
down_revision: str | None = "0011_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: the models read these back as aware UTC; a migration never imports the models.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ats_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("outbound_key", sa.Text(), nullable=False),
        sa.Column("campaign_ids", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff_users.id"], name=op.f("fk_ats_connections_created_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ats_connections")),
        sa.UniqueConstraint("prefix", name=op.f("uq_ats_connections_prefix")),
    )
    op.create_table(
        "ats_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=40), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("order_ref", sa.String(length=400), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("candidate_ref", sa.String(length=200), nullable=False),
        sa.Column("callback_url", sa.String(length=2000), nullable=False),
        sa.Column("profile_url", sa.String(length=2000), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("cancelled_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["ats_connections.id"],
            name=op.f("fk_ats_assessments_connection_id_ats_connections"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_ats_assessments_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"], ["invitations.id"], name=op.f("fk_ats_assessments_invitation_id_invitations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ats_assessments")),
        sa.UniqueConstraint("public_id", name=op.f("uq_ats_assessments_public_id")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_ats_assessments_invitation_id")),
        sa.UniqueConstraint(
            "connection_id", "order_ref", name=op.f("uq_ats_assessments_connection_id_order_ref")
        ),
    )
    op.create_index(
        op.f("ix_ats_assessments_candidate_ref"), "ats_assessments", ["candidate_ref"], unique=False
    )
    op.create_table(
        "ats_response_errors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("api_call", sa.String(length=200), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("partner_test_id", sa.String(length=200), nullable=False),
        sa.Column("partner_interview_id", sa.String(length=200), nullable=False),
        sa.Column("candidate_email", sa.String(length=320), nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["ats_connections.id"],
            name=op.f("fk_ats_response_errors_connection_id_ats_connections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ats_response_errors")),
    )
    op.create_index(
        op.f("ix_ats_response_errors_connection_id"), "ats_response_errors", ["connection_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_ats_response_errors_connection_id"), table_name="ats_response_errors")
    op.drop_table("ats_response_errors")
    op.drop_index(op.f("ix_ats_assessments_candidate_ref"), table_name="ats_assessments")
    op.drop_table("ats_assessments")
    op.drop_table("ats_connections")
