"""How tests save answers through the service: as one device whose edits are counted."""

from __future__ import annotations

from assess.services.save_order import SaveOrder

#: The device every service-level test save comes from, so a higher edit number wins.
TEST_DEVICE = "service-test-device"


def one_device(edit: int) -> SaveOrder:
    """The ``edit``-th edit of one device (base 0: the device's own later edits win)."""
    return SaveOrder(base=0, device=TEST_DEVICE, edit=edit)
