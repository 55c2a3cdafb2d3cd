"""Review: attempt events (the timeline), rubric reviews, regrades and interview scorecards.

Revision ID: 0003_review
Revises: 0002_staff
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_review"
down_revision: str | None = "0002_staff"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: the models read these back as aware UTC; a migration never imports the models.
TIMESTAMP = sa.DateTime(timezone=True)
POINTS = sa.Numeric(precision=10, scale=3)


def upgrade() -> None:
    op.create_table(
        "attempt_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("seq", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_attempt_events_attempt_id_attempts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_events")),
    )
    op.create_index("ix_attempt_events_attempt_id_at", "attempt_events", ["attempt_id", "at"])
    op.create_table(
        "rubric_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("reviewed_at", TIMESTAMP, nullable=False),
        sa.Column("awards", sa.JSON(), nullable=False),
        sa.Column("key_version", sa.String(length=64), nullable=False),
        sa.Column("points", POINTS, nullable=False),
        sa.Column("max_points", POINTS, nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id", "position"],
            ["attempt_items.attempt_id", "attempt_items.position"],
            name=op.f("fk_rubric_reviews_attempt_id_position_attempt_items"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["staff_users.id"], name=op.f("fk_rubric_reviews_reviewer_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rubric_reviews")),
    )
    op.create_index("ix_rubric_reviews_attempt_id_position", "rubric_reviews", ["attempt_id", "position"])
    op.create_index(op.f("ix_rubric_reviews_reviewer_id"), "rubric_reviews", ["reviewer_id"])
    op.create_table(
        "regrades",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("from_version", sa.String(length=200), nullable=False),
        sa.Column("to_version", sa.String(length=64), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["staff_users.id"], name=op.f("fk_regrades_by_id_staff_users")),
        sa.ForeignKeyConstraint(
            ["item_id", "to_version"],
            ["item_versions.item_id", "item_versions.version"],
            name=op.f("fk_regrades_item_id_to_version_item_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regrades")),
    )
    op.create_index(op.f("ix_regrades_item_id"), "regrades", ["item_id"])
    op.create_table(
        "regraded_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("regrade_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("key_version", sa.String(length=64), nullable=False),
        sa.Column("points_before", POINTS, nullable=False),
        sa.Column("max_points_before", POINTS, nullable=False),
        sa.Column("points_after", POINTS, nullable=False),
        sa.Column("max_points_after", POINTS, nullable=False),
        sa.Column("pending_review_after", sa.Boolean(), nullable=False),
        sa.Column("parts_before", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id", "position"],
            ["attempt_items.attempt_id", "attempt_items.position"],
            name=op.f("fk_regraded_scores_attempt_id_position_attempt_items"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id", "key_version"],
            ["item_versions.item_id", "item_versions.version"],
            name=op.f("fk_regraded_scores_item_id_key_version_item_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["regrade_id"], ["regrades.id"], name=op.f("fk_regraded_scores_regrade_id_regrades")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regraded_scores")),
    )
    op.create_index("ix_regraded_scores_attempt_id_position", "regraded_scores", ["attempt_id", "position"])
    op.create_index(op.f("ix_regraded_scores_regrade_id"), "regraded_scores", ["regrade_id"])
    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("kit_id", sa.String(length=100), nullable=False),
        sa.Column("stage_id", sa.String(length=100), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("recommendation", sa.Integer(), nullable=True),
        sa.Column("red_flags", sa.JSON(), nullable=False),
        sa.Column("red_flag_notes", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("correction_reason", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.Column("submitted_at", TIMESTAMP, nullable=True),
        sa.ForeignKeyConstraint(
            ["interviewer_id"], ["staff_users.id"], name=op.f("fk_scorecards_interviewer_id_staff_users")
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"], ["invitations.id"], name=op.f("fk_scorecards_invitation_id_invitations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scorecards")),
        # One row per revision: two racing "start" or "correct" clicks cannot both make one.
        sa.UniqueConstraint(
            "invitation_id", "kit_id", "stage_id", "interviewer_id", "revision", name="uq_scorecards_revision"
        ),
    )
    op.create_index(op.f("ix_scorecards_interviewer_id"), "scorecards", ["interviewer_id"])
    op.create_index(
        "ix_scorecards_invitation_id_kit_id_stage_id", "scorecards", ["invitation_id", "kit_id", "stage_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_scorecards_invitation_id_kit_id_stage_id", table_name="scorecards")
    op.drop_index(op.f("ix_scorecards_interviewer_id"), table_name="scorecards")
    op.drop_table("scorecards")
    op.drop_index(op.f("ix_regraded_scores_regrade_id"), table_name="regraded_scores")
    op.drop_index("ix_regraded_scores_attempt_id_position", table_name="regraded_scores")
    op.drop_table("regraded_scores")
    op.drop_index(op.f("ix_regrades_item_id"), table_name="regrades")
    op.drop_table("regrades")
    op.drop_index(op.f("ix_rubric_reviews_reviewer_id"), table_name="rubric_reviews")
    op.drop_index("ix_rubric_reviews_attempt_id_position", table_name="rubric_reviews")
    op.drop_table("rubric_reviews")
    op.drop_index("ix_attempt_events_attempt_id_at", table_name="attempt_events")
    op.drop_table("attempt_events")
