"""Authoring: authored items' heads and lifecycle, their version log, and authored forms.

Revision ID: 0004_authoring
Revises: 0003_review
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_authoring"
down_revision: str | None = "0003_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: the models read these back as aware UTC; a migration never imports the models.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "authored_items",
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("bank_id", sa.String(length=100), nullable=False),
        sa.Column("head_version", sa.String(length=64), nullable=True),
        sa.Column("retired_at", TIMESTAMP, nullable=True),
        sa.Column("retired_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id", "head_version"],
            ["item_versions.item_id", "item_versions.version"],
            name=op.f("fk_authored_items_item_id_head_version_item_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["retired_by"], ["staff_users.id"], name=op.f("fk_authored_items_retired_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_authored_items")),
    )
    op.create_table(
        "item_version_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("saved_by", sa.Integer(), nullable=True),
        sa.Column("saved_at", TIMESTAMP, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id", "version"],
            ["item_versions.item_id", "item_versions.version"],
            name=op.f("fk_item_version_log_item_id_version_item_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["saved_by"], ["staff_users.id"], name=op.f("fk_item_version_log_saved_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_version_log")),
    )
    op.create_index("ix_item_version_log_item_id_saved_at", "item_version_log", ["item_id", "saved_at"])
    op.create_table(
        "authored_forms",
        sa.Column("form_id", sa.String(length=100), nullable=False),
        sa.Column("bank_id", sa.String(length=100), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("saved_by", sa.Integer(), nullable=True),
        sa.Column("saved_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["saved_by"], ["staff_users.id"], name=op.f("fk_authored_forms_saved_by_staff_users")
        ),
        sa.PrimaryKeyConstraint("form_id", name=op.f("pk_authored_forms")),
    )


def downgrade() -> None:
    op.drop_table("authored_forms")
    op.drop_index("ix_item_version_log_item_id_saved_at", table_name="item_version_log")
    op.drop_table("item_version_log")
    op.drop_table("authored_items")
