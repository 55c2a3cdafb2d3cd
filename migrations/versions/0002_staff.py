"""Staff accounts, the audit log, the mail outbox; campaign settings and invitation names.

Revision ID: 0002_staff
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_staff"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0001: the models read these back as aware UTC; a migration never imports the models.
TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("email", name=op.f("uq_staff_users_email")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", TIMESTAMP, nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_users.id"], name=op.f("fk_audit_entries_actor_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_at"), "audit_entries", ["at"])
    op.create_index(op.f("ix_audit_entries_actor_id"), "audit_entries", ["actor_id"])
    op.create_index(
        "ix_audit_entries_subject_type_subject_id", "audit_entries", ["subject_type", "subject_id"]
    )
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("to", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"], ["invitations.id"], name=op.f("fk_outbox_messages_invitation_id_invitations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    op.create_index(op.f("ix_outbox_messages_invitation_id"), "outbox_messages", ["invitation_id"])
    op.create_index(op.f("ix_outbox_messages_created_at"), "outbox_messages", ["created_at"])
    # Existing campaigns get seed 003's defaults: no kit yet, 40/60, no must-haves, no window.
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("kit_id", sa.String(length=100), server_default="", nullable=False))
        batch.add_column(sa.Column("assessment_weight", sa.Integer(), server_default="40", nullable=False))
        batch.add_column(sa.Column("interview_weight", sa.Integer(), server_default="60", nullable=False))
        batch.add_column(sa.Column("must_haves", sa.JSON(), server_default="[]", nullable=False))
        batch.add_column(sa.Column("window_start", TIMESTAMP, nullable=True))
        batch.add_column(sa.Column("window_end", TIMESTAMP, nullable=True))
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(sa.Column("name", sa.String(length=200), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("name")
    with op.batch_alter_table("campaigns") as batch:
        for column in (
            "window_end",
            "window_start",
            "must_haves",
            "interview_weight",
            "assessment_weight",
            "kit_id",
        ):
            batch.drop_column(column)
    op.drop_index(op.f("ix_outbox_messages_created_at"), table_name="outbox_messages")
    op.drop_index(op.f("ix_outbox_messages_invitation_id"), table_name="outbox_messages")
    op.drop_table("outbox_messages")
    op.drop_index("ix_audit_entries_subject_type_subject_id", table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_actor_id"), table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_at"), table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("staff_users")
