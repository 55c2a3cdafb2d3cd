"""The exact content of every item version an attempt has shown (Invariant 3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from assess.models.base import Base


class StoredItemVersion(Base):
    """``content`` is ``ItemVersion.content()``; ``version`` is its hash, so a row never changes."""

    __tablename__ = "item_versions"

    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
