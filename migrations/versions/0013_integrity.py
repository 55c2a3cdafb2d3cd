"""Integrity tiers and reviewers' notes on signals, the assistive-technology accommodation, and
room for a rotated webhook secret.

Revision ID: 0013_integrity
Revises: 0012_ats_partners
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_integrity"
down_revision: str | None = "0012_ats_partners"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: the models read these back as aware UTC; a migration never imports the models.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "integrity_assessments",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("computed_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_integrity_assessments_attempt_id_attempts")
        ),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_integrity_assessments")),
    )
    op.create_index(
        op.f("ix_integrity_assessments_campaign_id"), "integrity_assessments", ["campaign_id"], unique=False
    )
    op.create_table(
        "signal_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("signal_key", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_signal_reviews_attempt_id_attempts")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["staff_users.id"], name=op.f("fk_signal_reviews_reviewer_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_reviews")),
    )
    op.create_index(op.f("ix_signal_reviews_attempt_id"), "signal_reviews", ["attempt_id"], unique=False)
    # Plain ADD COLUMN, not a batch copy: SQLite cannot drop a table other rows refer to.
    op.add_column(
        "invitations",
        sa.Column("assistive_technology", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column("webhook_endpoints", sa.Column("previous_secret", sa.String(length=100), nullable=True))
    op.add_column("webhook_endpoints", sa.Column("previous_secret_expires_at", TIMESTAMP, nullable=True))


def downgrade() -> None:
    op.drop_column("webhook_endpoints", "previous_secret_expires_at")
    op.drop_column("webhook_endpoints", "previous_secret")
    op.drop_column("invitations", "assistive_technology")
    op.drop_index(op.f("ix_signal_reviews_attempt_id"), table_name="signal_reviews")
    op.drop_table("signal_reviews")
    op.drop_index(op.f("ix_integrity_assessments_campaign_id"), table_name="integrity_assessments")
    op.drop_table("integrity_assessments")
