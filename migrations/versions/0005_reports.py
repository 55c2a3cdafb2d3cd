"""Reports: voluntary self-identification, stored apart from the test, and its link to an invitation.

Revision ID: 0005_reports
Revises: 0004_authoring
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_reports"
down_revision: str | None = "0004_authoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # No candidate, invitation or time in this table: see assess/models/self_identification.py.
    op.create_table(
        "self_identifications",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_identifications")),
    )
    op.create_table(
        "self_identification_links",
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("answers_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_self_identification_links_invitation_id_invitations"),
        ),
        sa.ForeignKeyConstraint(
            ["answers_id"],
            ["self_identifications.id"],
            name=op.f("fk_self_identification_links_answers_id_self_identifications"),
        ),
        sa.PrimaryKeyConstraint("invitation_id", name=op.f("pk_self_identification_links")),
        sa.UniqueConstraint("answers_id", name=op.f("uq_self_identification_links_answers_id")),
    )


def downgrade() -> None:
    op.drop_table("self_identification_links")
    op.drop_table("self_identifications")
