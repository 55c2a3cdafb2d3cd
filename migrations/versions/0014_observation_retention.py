"""A tier kept as computed once the raw observations behind it are deleted (the retention period).

Revision ID: 0014_observation_retention
Revises: 0013_integrity
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_observation_retention"
down_revision: str | None = "0013_integrity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: the models read these back as aware UTC; a migration never imports the models.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("integrity_assessments", sa.Column("frozen_at", TIMESTAMP, nullable=True))


def downgrade() -> None:
    op.drop_column("integrity_assessments", "frozen_at")
