"""Answers carry a server-assigned revision, the device that wrote them and each device's last edit.

The server, not a browser's clock, orders saves: a save names the revision it was
based on, and ``seq`` becomes that device's own edit counter; ``edits`` keeps the
newest edit of each device seen, and ``stamp`` counts every write (compare-and-set).

Revision ID: 0007_answer_revisions
Revises: 0006_debrief
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_answer_revisions"
down_revision: str | None = "0006_debrief"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("device", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("edits", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("stamp", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("stamp")
        batch.drop_column("edits")
        batch.drop_column("device")
        batch.drop_column("revision")
