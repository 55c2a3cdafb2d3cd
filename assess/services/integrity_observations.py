"""A campaign's finished attempts as the pure ``integrity`` package reads them, from the tables.

The raw observations are attempt events (``assess.models.review.AttemptEvent``): "focus"
(``at`` = focus lost; detail "regained_at", "hidden"), "paste" (detail "characters",
"from_page"), "viewed" (``at`` = the candidate left the item; detail "seconds"), and the
browser family and network prefix ("agent", "network") in the detail of every event a
candidate's request writes. Events written before those were recorded lack them: they are
no observation at all, never a change of device.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import Answer, Attempt, AttemptEvent, AttemptItem, Invitation
from assess.services.catalogue import pinned_item
from integrity.observations import (
    Accommodations,
    AnswerTime,
    AttemptObservations,
    ChosenAnswer,
    FocusLapse,
    ItemRef,
    Paste,
    RequestOrigin,
    WrittenAnswer,
)

#: Events that mark the candidate's work on an item when no "viewed" time was recorded.
_PROGRESS = frozenset({"started", "saved"})


@dataclass
class CampaignObservations:
    """What the campaign-wide rules compare, and each finished attempt's own observations."""

    attempts: list[AttemptObservations] = field(default_factory=list)
    accommodations: dict[int, Accommodations] = field(default_factory=dict)
    written: list[WrittenAnswer] = field(default_factory=list)
    chosen: list[ChosenAnswer] = field(default_factory=list)
    materials: dict[ItemRef, str] = field(default_factory=dict)


def load_campaign_observations(session: Session, campaign_id: int) -> CampaignObservations:
    """Every finalized attempt of the campaign, with its events, answers and accommodations."""
    rows = session.execute(
        select(Attempt, Invitation.extra_time, Invitation.assistive_technology)
        .join(Invitation, Invitation.id == Attempt.invitation_id)
        .where(
            Attempt.campaign_id == campaign_id,
            Attempt.finalized_at.is_not(None),
            Attempt.started_at.is_not(None),
        )
        .order_by(Attempt.id)
    ).all()
    ids = [attempt.id for attempt, _, _ in rows]
    events = _by_attempt(
        session.scalars(
            select(AttemptEvent)
            .where(AttemptEvent.attempt_id.in_(ids))
            .order_by(AttemptEvent.attempt_id, AttemptEvent.at, AttemptEvent.id)
        ).all()
    )
    slots: dict[int, dict[int, ItemRef]] = defaultdict(dict)
    answers: dict[int, dict[int, dict[str, Any] | None]] = defaultdict(dict)
    for attempt_id, position, item_id, version, response in session.execute(
        select(
            AttemptItem.attempt_id,
            AttemptItem.position,
            AttemptItem.item_id,
            AttemptItem.version,
            Answer.response,
        )
        .join(
            Answer, (Answer.attempt_id == AttemptItem.attempt_id) & (Answer.position == AttemptItem.position)
        )
        .where(AttemptItem.attempt_id.in_(ids))
    ).all():
        slots[attempt_id][position] = ItemRef(item_id, version)
        answers[attempt_id][position] = response
    found = CampaignObservations()
    written_items = _written_items(session, {ref for by_slot in slots.values() for ref in by_slot.values()})
    found.materials = {ref: text for ref, text in written_items.items() if text is not None}
    for attempt, extra_time, assistive in rows:
        found.accommodations[attempt.id] = Accommodations(extra_time, bool(assistive))
        found.attempts.append(
            attempt_observations(attempt, events.get(attempt.id, []), slots[attempt.id], answers[attempt.id])
        )
        for position, ref in sorted(slots[attempt.id].items()):
            response = answers[attempt.id][position]
            if not response:
                continue
            if ref in written_items:
                text = " ".join(_strings(response)).strip()
                if text:
                    found.written.append(WrittenAnswer(attempt.id, position, ref, text))
            else:
                found.chosen.append(
                    ChosenAnswer(attempt.id, position, ref, json.dumps(response, sort_keys=True))
                )
    return found


def _by_attempt(events: Sequence[AttemptEvent]) -> dict[int, list[AttemptEvent]]:
    grouped: dict[int, list[AttemptEvent]] = defaultdict(list)
    for event in events:
        grouped[event.attempt_id].append(event)
    return grouped


def _written_items(session: Session, refs: set[ItemRef]) -> dict[ItemRef, str | None]:
    """The item versions a person marks by rubric, each with the text candidates could quote.

    Decided by the item type's contract (a rubric), never by its name; the quotable text is
    every string of the item's body (its prompt and notes).
    """
    written: dict[ItemRef, str | None] = {}
    for ref in refs:
        item = pinned_item(session, ref.item_id, ref.version)
        if item.item_type.rubric is not None:
            written[ref] = "\n".join(_strings(item.body.model_dump(mode="json"))) or None
    return written


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _strings(inner)


def attempt_observations(
    attempt: Attempt,
    events: Sequence[AttemptEvent],
    slots: Mapping[int, ItemRef],
    answers: Mapping[int, dict[str, Any] | None],
) -> AttemptObservations:
    """One finalized attempt's observations; its limit is its deadline, grants included."""
    assert (
        attempt.started_at is not None and attempt.deadline is not None and attempt.finalized_at is not None
    )
    started, ended = attempt.started_at, max(attempt.finalized_at, attempt.started_at)
    answered = {position for position in slots if answers.get(position)}
    return AttemptObservations(
        attempt_id=attempt.id,
        started_at=started,
        finished_at=ended,
        time_limit=attempt.deadline - started,
        items=len(slots),
        answered=len(answered),
        focus_lapses=tuple(_focus_lapses(events, slots, started, ended)),
        pastes=tuple(_pastes(events, slots)),
        origins=tuple(
            RequestOrigin(e.at, str(e.detail["agent"]), str(e.detail["network"]))
            for e in events
            if e.detail and e.detail.get("agent") and e.detail.get("network")
        ),
        answer_times=tuple(_answer_times(events, slots, answered, started)),
    )


def _pastes(events: Sequence[AttemptEvent], slots: Mapping[int, ItemRef]) -> Iterator[Paste]:
    for event in events:
        if event.kind == "paste" and event.position is not None and event.position in slots:
            characters = max(int(event.detail.get("characters", 0)), 0)
            yield Paste(event.position, event.at, characters, bool(event.detail.get("from_page")))


def _focus_lapses(
    events: Sequence[AttemptEvent], slots: Mapping[int, ItemRef], started: datetime, ended: datetime
) -> Iterator[FocusLapse]:
    for event in events:
        if event.kind != "focus" or event.position is None or event.position not in slots:
            continue
        lost = min(max(event.at, started), ended)
        regained = _instant(event.detail.get("regained_at"))
        # Still away when the attempt ended, or back only after it: the lapse ends with the attempt.
        if regained is None or regained > ended:
            regained = ended
        yield FocusLapse(event.position, lost, max(regained, lost), bool(event.detail.get("hidden")))


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None


def _answer_times(
    events: Sequence[AttemptEvent],
    slots: Mapping[int, ItemRef],
    answered: Set[int],
    started: datetime,
) -> Iterator[AnswerTime]:
    seconds: dict[int, float] = defaultdict(float)
    viewed = [e for e in events if e.kind == "viewed" and e.position in slots]
    if viewed:
        for event in viewed:
            seconds[event.position] += max(float(event.detail.get("seconds", 0)), 0.0)  # type: ignore[index]
    else:
        # Without the page's own times, each save is charged the time since the previous one.
        previous = started
        for event in events:
            if event.kind not in _PROGRESS:
                continue
            if event.kind == "saved" and event.position in slots:
                seconds[event.position] += max((event.at - previous).total_seconds(), 0.0)  # type: ignore[index]
            previous = max(previous, event.at)
    # An item glanced at and left unanswered took no time to answer: it is never "answered fast".
    for position in sorted(seconds):
        if position in answered:
            yield AnswerTime(position, slots[position], seconds[position])
