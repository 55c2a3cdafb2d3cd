"""Two devices, offline queues, reordered and duplicated deliveries and reloads, against the real service.

Each device behaves as attempt.js does: it queues the newest edit per item, sends what is
queued, learns revisions from replies and page loads, and reacts to conflicts. The network
delivers sent saves in any order, any number of times. The checks are the invariant's words:

- never an acknowledgement ("saved") for an answer that is not the stored one;
- within one device the candidate's last edit wins: a device's edit never replaces its later one,
  and once everything is delivered, an item only one device edited holds that device's last edit;
- a save replaces only what its device saw (or the same device's earlier edit);
- a save is refused as a conflict only when another device stored a newer revision than it saw,
  and a device whose last edit is not stored was told so: a conflict reply, or "saved" before
  the other device replaced it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from saves import save_json
from sqlalchemy.orm import Session, sessionmaker

from assess.models import Answer
from assess.services.attempt_start import create_attempt
from assess.services.campaigns import create_campaign
from assess.services.invitations import create_invitation
from assess.services.save_order import Outcome, SaveOrder
from items.bank import Catalogue

GRACE = 30
POSITIONS = (0, 1)
CHOICES = ({"choice": "a"}, {"choice": "b"}, None)
DEVICES = ("laptop-device-1", "phone-device-22")


@dataclass(frozen=True)
class Sent:
    """One save on the wire: the entry as queued, and the device that will hear the reply."""

    device: str
    position: int
    order: SaveOrder
    response: dict[str, Any] | None


@dataclass
class Device:
    name: str
    edits: int = 0
    #: The stored revision this device's pages are known to be at, per item.
    known: dict[int, int] = field(default_factory=lambda: dict.fromkeys(POSITIONS, 0))
    #: The newest unsent or unacknowledged edit per item (attempt.js's durable queue).
    queue: dict[int, Sent] = field(default_factory=dict)
    #: The device's latest edit per item, and whether it was told that edit was not kept.
    last_edit: dict[int, Sent] = field(default_factory=dict)
    told_not_kept: dict[int, bool] = field(default_factory=dict)
    last_acknowledged: dict[int, bool] = field(default_factory=dict)


class TwoDevices(RuleBasedStateMachine):
    def __init__(self, session_factory: sessionmaker[Session], catalogue: Catalogue, now: Any) -> None:
        super().__init__()
        self.session_factory = session_factory
        self.now = now
        with session_factory() as session:
            invitation, _ = create_invitation(
                session, "stateful", f"c{random.getrandbits(40)}@example.com", now
            )
            self.attempt_id = create_attempt(session, invitation, catalogue, now, random.Random(1)).id
        self.devices = {name: Device(name) for name in DEVICES}
        self.network: list[Sent] = []
        #: Every edit each device ever stored, per item, in the order stored.
        self.stored_by: dict[tuple[str, int], list[int]] = {}
        #: The newest edit each device was told is saved, per item.
        self.acknowledged: dict[tuple[str, int], int] = {}
        self.editors: dict[int, set[str]] = {p: set() for p in POSITIONS}

    def stored(self, position: int) -> Answer:
        with self.session_factory() as session:
            return session.get_one(Answer, (self.attempt_id, position))

    @rule(
        device=st.sampled_from(DEVICES),
        position=st.sampled_from(POSITIONS),
        response=st.sampled_from(CHOICES),
    )
    def edit(self, device: str, position: int, response: dict[str, Any] | None) -> None:
        state = self.devices[device]
        state.edits += 1
        entry = Sent(device, position, SaveOrder(state.known[position], device, state.edits), response)
        state.queue[position] = entry
        state.last_edit[position] = entry
        state.told_not_kept[position] = False
        state.last_acknowledged[position] = False
        self.editors[position].add(device)

    @rule(
        device=st.sampled_from(DEVICES),
        position=st.sampled_from(POSITIONS),
        response=st.sampled_from(CHOICES),
    )
    def edit_online(self, device: str, position: int, response: dict[str, Any] | None) -> None:
        """An edit while online: queued and sent at once (its reply may come much later)."""
        self.edit(device, position, response)
        self.send(device, position)

    @rule(device=st.sampled_from(DEVICES), position=st.sampled_from(POSITIONS))
    def send(self, device: str, position: int) -> None:
        queued = self.devices[device].queue.get(position)
        if queued is not None:
            self.network.append(queued)

    @precondition(lambda self: self.network)
    @rule(pick=st.integers(min_value=0, max_value=7), duplicate=st.booleans())
    def deliver(self, pick: int, duplicate: bool) -> None:
        sent = self.network[pick % len(self.network)]
        if not duplicate:
            self.network.remove(sent)
        before = self.stored(sent.position)
        with self.session_factory() as session:
            result = save_json(
                session, self.attempt_id, sent.position, sent.response, sent.order, self.now, GRACE
            )
        after = self.stored(sent.position)
        if result.outcome.is_saved:
            assert after.response == sent.response, "acknowledged an answer that is not stored"
        acknowledged = self.acknowledged.setdefault((sent.device, sent.position), 0)
        if result.outcome is Outcome.STORE:
            # A save replaces only what its device saw, or that device's own earlier edit.
            assert before.device == sent.device or before.revision == sent.order.base, (
                "a newer save lost silently"
            )
            assert sent.order.edit > acknowledged, "a device's edit replaced its later, acknowledged one"
        if result.outcome is Outcome.STORE:
            assert (after.device, after.seq) == (sent.device, sent.order.edit)
        if result.outcome.writes:
            assert (after.edits or {})[sent.device] == sent.order.edit
            earlier = self.stored_by.setdefault((sent.device, sent.position), [])
            assert not earlier or sent.order.edit > earlier[-1], "a device's edit replaced its later one"
            earlier.append(sent.order.edit)
        if result.outcome.is_saved:
            self.acknowledged[(sent.device, sent.position)] = max(acknowledged, sent.order.edit)
        if result.outcome is not Outcome.STORE:
            assert (after.revision, after.response) == (before.revision, before.response)
        if result.outcome is Outcome.CONFLICT:
            assert before.device != sent.device and before.revision > sent.order.base
        self.react(self.devices[sent.device], sent, result.outcome, result.revision)

    def react(self, state: Device, sent: Sent, outcome: Outcome, revision: int) -> None:
        """What attempt.js does with the reply."""
        current = state.queue.get(sent.position)
        if outcome is Outcome.SUPERSEDED and current == sent:
            outcome = Outcome.CONFLICT
        if outcome is Outcome.CONFLICT:
            if current is not None and (current == sent or current.order.base < revision):
                del state.queue[sent.position]
            if state.last_edit.get(sent.position) in (sent, current):
                state.told_not_kept[sent.position] = True
            # The page reloads and shows the stored answer: it now knows the stored revision.
            state.known[sent.position] = max(state.known[sent.position], self.stored(sent.position).revision)
            return
        if current == sent:
            del state.queue[sent.position]
        if outcome.is_saved and state.last_edit.get(sent.position) == sent:
            state.last_acknowledged[sent.position] = True
        state.known[sent.position] = max(state.known[sent.position], revision)

    @rule(device=st.sampled_from(DEVICES))
    def reload(self, device: str) -> None:
        state = self.devices[device]
        for position in POSITIONS:
            stored = self.stored(position)
            state.known[position] = stored.revision
            queued = state.queue.get(position)
            if queued is not None and queued.order.edit <= (stored.edits or {}).get(queued.device, 0):
                del state.queue[position]

    @invariant()
    def revisions_only_grow(self) -> None:
        for state in self.devices.values():
            for position in POSITIONS:
                assert state.known[position] <= self.stored(position).revision

    def teardown(self) -> None:
        # The connection comes back for good: everything queued is sent and delivered, in order.
        for _ in range(6):
            for state in self.devices.values():
                self.network.extend(state.queue.values())
            while self.network:
                self.deliver(0, duplicate=False)
        for position in POSITIONS:
            stored = self.stored(position)
            for state in self.devices.values():
                last = state.last_edit.get(position)
                if last is None:
                    continue
                kept = stored.response == last.response
                if self.editors[position] == {state.name}:
                    assert kept, "the only device's last edit is not the stored answer"
                else:
                    # Kept, or saved and later replaced by the other device, or refused in words.
                    told = state.told_not_kept[position] or state.last_acknowledged[position]
                    assert kept or told, "a device's last edit was lost silently"


@pytest.mark.parametrize("examples", [24])
def test_two_devices_never_get_a_false_saved_and_a_devices_last_edit_wins(
    session_factory: sessionmaker[Session],
    sample_catalogue: Catalogue,
    clock: Any,
    database_url: str,
    examples: int,
) -> None:
    with session_factory() as session:
        create_campaign(
            session, "stateful", "Stateful", "Account Manager", "sample-form", sample_catalogue, clock()
        )
    run_state_machine_as_test(
        lambda: TwoDevices(session_factory, sample_catalogue, clock()),
        settings=settings(
            max_examples=examples if database_url.startswith("sqlite") else examples // 2,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
