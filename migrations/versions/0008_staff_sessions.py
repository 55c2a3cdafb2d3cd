"""Staff sessions live on the server, so signing out ends them wherever the cookie went.

Revision ID: 0008_staff_sessions
Revises: 0007_answer_revisions
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_staff_sessions"
down_revision: str | None = "0007_answer_revisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: the models read these back as aware UTC; a migration never imports the models.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Sessions opened before this revision carried no server-side record: they end here,
    # and everyone signs in again once.
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["staff_users.id"], name=op.f("fk_staff_sessions_user_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sessions")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_staff_sessions_secret_hash")),
    )
    op.create_index(op.f("ix_staff_sessions_user_id"), "staff_sessions", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_sessions_user_id"), table_name="staff_sessions")
    op.drop_table("staff_sessions")
