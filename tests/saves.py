"""How tests save answers through the service: as one device whose edits are counted."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from assess.models import AttemptItem
from assess.services.answer_saves import save_answer
from assess.services.catalogue import pinned_item
from assess.services.save_order import SaveOrder, SaveResult
from items.base import Schema
from scoring.items import parse_response

#: The device every service-level test save comes from, so a higher edit number wins.
TEST_DEVICE = "service-test-device"


def one_device(edit: int) -> SaveOrder:
    """The ``edit``-th edit of one device (base 0: the device's own later edits win)."""
    return SaveOrder(base=0, device=TEST_DEVICE, edit=edit)


def typed_response(
    session: Session, attempt_id: int, position: int, data: Mapping[str, Any] | None
) -> Schema | None:
    """A test's answer written as JSON, as the slot's type's response model (read as stored answers are).

    For a slot the attempt does not have, ``None``: the service itself refuses the save.
    """
    slot = session.get(AttemptItem, (attempt_id, position))
    if slot is None:
        return None
    return parse_response(pinned_item(session, slot.item_id, slot.version), data)


def save_json(
    session: Session,
    attempt_id: int,
    position: int,
    data: Mapping[str, Any] | None,
    order: SaveOrder,
    now: datetime,
    grace_seconds: int,
) -> SaveResult:
    """``save_answer`` of an answer written as JSON."""
    response = typed_response(session, attempt_id, position, data)
    return save_answer(session, attempt_id, position, response, order, now, grace_seconds)
