"""Debrief: interviewer assignments to a candidate's stages, and hiring decisions.

Revision ID: 0006_debrief
Revises: 0005_reports
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_debrief"
down_revision: str | None = "0005_reports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "interview_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.String(length=100), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.Integer(), nullable=True),
        sa.Column("assigned_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_interview_assignments_invitation_id_invitations"),
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"],
            ["staff_users.id"],
            name=op.f("fk_interview_assignments_interviewer_id_staff_users"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["staff_users.id"], name=op.f("fk_interview_assignments_assigned_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview_assignments")),
        sa.UniqueConstraint(
            "invitation_id",
            "stage_id",
            "interviewer_id",
            name=op.f("uq_interview_assignments_invitation_id_stage_id_interviewer_id"),
        ),
    )
    op.create_index(
        op.f("ix_interview_assignments_invitation_id"), "interview_assignments", ["invitation_id"]
    )
    op.create_index(
        op.f("ix_interview_assignments_interviewer_id"), "interview_assignments", ["interviewer_id"]
    )
    op.create_table(
        "hiring_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"], ["invitations.id"], name=op.f("fk_hiring_decisions_invitation_id_invitations")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["staff_users.id"], name=op.f("fk_hiring_decisions_decided_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hiring_decisions")),
    )
    op.create_index(op.f("ix_hiring_decisions_invitation_id"), "hiring_decisions", ["invitation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_hiring_decisions_invitation_id"), table_name="hiring_decisions")
    op.drop_table("hiring_decisions")
    op.drop_index(op.f("ix_interview_assignments_interviewer_id"), table_name="interview_assignments")
    op.drop_index(op.f("ix_interview_assignments_invitation_id"), table_name="interview_assignments")
    op.drop_table("interview_assignments")
