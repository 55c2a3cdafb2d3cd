"""Attempts are prepared with their invitation and started by the candidate's press.

A prepared attempt has its slots and empty answers but no start time and no deadline;
``form_version`` records what it was drawn from, so a Start after an authoring change
can tell. Attempts made before this revision were all started, and keep their values.

Revision ID: 0009_prepared_attempts
Revises: 0008_staff_sessions
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_prepared_attempts"
down_revision: str | None = "0008_staff_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: the models read these back as aware UTC; a migration never imports the models.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.alter_column("started_at", existing_type=TIMESTAMP, nullable=True)
        batch.alter_column("deadline", existing_type=TIMESTAMP, nullable=True)
        batch.add_column(sa.Column("form_version", sa.String(length=16), nullable=True))
        batch.create_check_constraint(
            op.f("ck_attempts_started_with_deadline"), "(started_at IS NULL) = (deadline IS NULL)"
        )


def downgrade() -> None:
    # Prepared attempts cannot exist without a start time: drop them and what they froze.
    unstarted = "SELECT id FROM attempts WHERE started_at IS NULL"
    op.execute(f"DELETE FROM answers WHERE attempt_id IN ({unstarted})")
    op.execute(f"DELETE FROM attempt_items WHERE attempt_id IN ({unstarted})")
    op.execute("DELETE FROM attempts WHERE started_at IS NULL")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_constraint(op.f("ck_attempts_started_with_deadline"), type_="check")
        batch.drop_column("form_version")
        batch.alter_column("deadline", existing_type=TIMESTAMP, nullable=False)
        batch.alter_column("started_at", existing_type=TIMESTAMP, nullable=False)
