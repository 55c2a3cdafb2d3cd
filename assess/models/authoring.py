"""Items and forms authored in the browser: each item's head version and lifecycle, its log, and forms.

The content of every version lives in ``item_versions`` (``StoredItemVersion``), the same
immutable rows attempts pin (Invariant 3): a save adds a row and moves the head, never edits one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base, UTCDateTime


class AuthoredItem(Base):
    """An item whose head or lifecycle the authoring pages changed.

    ``head_version`` None: the item follows its bank file (only retired or restored here).
    """

    __tablename__ = "authored_items"
    __table_args__ = (
        ForeignKeyConstraint(["item_id", "head_version"], ["item_versions.item_id", "item_versions.version"]),
    )

    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    bank_id: Mapped[str] = mapped_column(String(100))
    head_version: Mapped[str | None] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ItemVersionLog(Base):
    """One save of an item: which version became the head, who saved it, when and why.

    ``saved_by`` is empty for the bank file's version, logged when an item is first edited here.
    """

    __tablename__ = "item_version_log"
    __table_args__ = (
        ForeignKeyConstraint(["item_id", "version"], ["item_versions.item_id", "item_versions.version"]),
        Index("ix_item_version_log_item_id_saved_at", "item_id", "saved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(64))
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")


class AuthoredForm(Base):
    """A test form assembled in the browser; it replaces a bank file's form of the same id.

    ``content`` is the ``FormSpec`` as plain data (pools under ``from``). Forms are not
    pinned by attempts (an attempt pins its items), so a save replaces the row.
    """

    __tablename__ = "authored_forms"

    form_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    bank_id: Mapped[str] = mapped_column(String(100))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
