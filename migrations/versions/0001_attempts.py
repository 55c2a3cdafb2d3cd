"""Campaigns, invitations, pinned item versions, attempts, answers, scores and time grants.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The models read these back as aware UTC (assess.models.base.UTCDateTime); a migration
# must not import the models, which will have moved on by the time it runs again.
TIMESTAMP = sa.DateTime(timezone=True)
POINTS = sa.Numeric(precision=10, scale=3)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("form_id", sa.String(length=100), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("slug", name=op.f("uq_campaigns_slug")),
    )
    op.create_table(
        "item_versions",
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", "version", name=op.f("pk_item_versions")),
    )
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", TIMESTAMP, nullable=False),
        sa.Column("extra_time", sa.Numeric(precision=4, scale=2), nullable=False),
        sa.Column("revoked_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_invitations_campaign_id_campaigns")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index(op.f("ix_invitations_campaign_id"), "invitations", ["campaign_id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=100), nullable=False),
        sa.Column("started_at", TIMESTAMP, nullable=False),
        sa.Column("deadline", TIMESTAMP, nullable=False),
        sa.Column("finalized_at", TIMESTAMP, nullable=True),
        sa.Column("finalized_by", sa.String(length=16), nullable=True),
        sa.Column("total_points", POINTS, nullable=True),
        sa.Column("max_points", POINTS, nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_attempts_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"], ["invitations.id"], name=op.f("fk_attempts_invitation_id_invitations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
        # One attempt per invitation, ever: racing Start requests cannot both win.
        sa.UniqueConstraint("invitation_id", name=op.f("uq_attempts_invitation_id")),
    )
    op.create_index(op.f("ix_attempts_campaign_id"), "attempts", ["campaign_id"])
    op.create_index("ix_attempts_finalized_at_deadline", "attempts", ["finalized_at", "deadline"])
    op.create_table(
        "attempt_items",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("section_id", sa.String(length=100), nullable=False),
        sa.Column("section_title", sa.String(length=200), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_attempt_items_attempt_id_attempts")
        ),
        sa.ForeignKeyConstraint(
            ["item_id", "version"],
            ["item_versions.item_id", "item_versions.version"],
            name=op.f("fk_attempt_items_item_id_version_item_versions"),
        ),
        sa.PrimaryKeyConstraint("attempt_id", "position", name=op.f("pk_attempt_items")),
    )
    op.create_index("ix_attempt_items_item_id_version", "attempt_items", ["item_id", "version"])
    op.create_table(
        "time_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("granted_by", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_time_grants_attempt_id_attempts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_time_grants")),
    )
    op.create_index(op.f("ix_time_grants_attempt_id"), "time_grants", ["attempt_id"])
    op.create_table(
        "answers",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("saved_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id", "position"],
            ["attempt_items.attempt_id", "attempt_items.position"],
            name=op.f("fk_answers_attempt_id_position_attempt_items"),
        ),
        sa.PrimaryKeyConstraint("attempt_id", "position", name=op.f("pk_answers")),
    )
    op.create_table(
        "item_scores",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("points", POINTS, nullable=False),
        sa.Column("max_points", POINTS, nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("pending_review", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id", "position"],
            ["attempt_items.attempt_id", "attempt_items.position"],
            name=op.f("fk_item_scores_attempt_id_position_attempt_items"),
        ),
        sa.PrimaryKeyConstraint("attempt_id", "position", name=op.f("pk_item_scores")),
    )


def downgrade() -> None:
    op.drop_table("item_scores")
    op.drop_table("answers")
    op.drop_index(op.f("ix_time_grants_attempt_id"), table_name="time_grants")
    op.drop_table("time_grants")
    op.drop_index("ix_attempt_items_item_id_version", table_name="attempt_items")
    op.drop_table("attempt_items")
    op.drop_index("ix_attempts_finalized_at_deadline", table_name="attempts")
    op.drop_index(op.f("ix_attempts_campaign_id"), table_name="attempts")
    op.drop_table("attempts")
    op.drop_index(op.f("ix_invitations_campaign_id"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_table("item_versions")
    op.drop_table("campaigns")
