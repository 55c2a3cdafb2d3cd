"""Staff review of attempts: each item as the candidate saw it, with its key, score and timeline.

Positions are 0-based here, as in ``assess.services.attempt_reads``; pages show them 1-based.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from assess.models import (
    Answer,
    Attempt,
    AttemptEvent,
    AttemptItem,
    Campaign,
    Invitation,
    ItemScore,
    RegradedScore,
    RubricReview,
    StaffUser,
)
from assess.services.attempt_phase import STARTED, NoSuchAttempt, deadline_of
from assess.services.catalogue import pinned_item
from items.bank import ItemVersion
from items.base import Criterion, Part, ResponseError, Schema, Score
from scoring.items import parse_response
from scoring.totals import SectionTotal, overall_percent, section_totals

#: A running attempt with no save for longer than this shows a gap in its timeline: the
#: candidate's connection may have dropped (answers queued offline arrive together when it
#: returns), or they stopped answering. Pages poll every few seconds but only saves are kept.
GAP_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class ReviewedSlot:
    """One item of an attempt as its reviewer sees it: shown body, key in force, answer, score."""

    position: int
    section_id: str
    section_title: str
    item_id: str
    type: str
    title: str
    #: The version the candidate saw, and the one whose key the score was computed with.
    version: str
    key_version: str
    body: Schema
    key: Schema
    response: Schema | None
    #: Why the stored answer cannot be read against this item, when it cannot.
    response_problem: str
    score: Score | None
    #: The criteria a person marks the answer by; None when the machine scores it alone.
    rubric: tuple[Criterion, ...] | None
    reviews: tuple[tuple[RubricReview, StaffUser], ...]
    regrades: tuple[RegradedScore, ...]

    @property
    def has_rubric(self) -> bool:
        return self.rubric is not None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    #: An event kind (``assess.models.review.EVENT_KINDS``) or "gap".
    kind: str
    text: str
    until: datetime | None = None


@dataclass(frozen=True)
class AttemptReview:
    attempt: Attempt
    invitation: Invitation
    campaign: Campaign
    slots: list[ReviewedSlot]
    timeline: list[TimelineEntry]
    sections: list[SectionTotal]
    percent: Decimal | None

    @property
    def is_running(self) -> bool:
        return self.attempt.finalized_at is None

    @property
    def section_titles(self) -> dict[str, str]:
        return {slot.section_id: slot.section_title for slot in self.slots}

    @property
    def pending(self) -> int:
        return sum(1 for slot in self.slots if slot.score is not None and slot.score.pending_review)


@dataclass(frozen=True)
class AttemptSummary:
    attempt: Attempt
    invitation: Invitation
    campaign: Campaign
    pending: int


def anonymous_code(invitation: Invitation) -> str:
    """A stable code for a candidate that says nothing about who they are.

    Taken from the invitation's token hash, which no page shows, so the code
    cannot be traced back to a name or an attempt number.
    """
    digest = hashlib.sha256(f"review:{invitation.token_hash}".encode()).hexdigest()
    return f"C-{digest[:6].upper()}"


def candidate_label(invitation: Invitation) -> str:
    return f"{invitation.name} <{invitation.email}>" if invitation.name else invitation.email


def stored_score(row: ItemScore) -> Score:
    """An ``ItemScore`` row as the ``Score`` the reviewer templates read."""
    parts = tuple(
        Part(p["label"], Decimal(p["points"]), Decimal(p["max_points"]), p["explanation"]) for p in row.parts
    )
    return Score(row.points, row.max_points, parts, pending_review=row.pending_review)


def key_versions(session: Session, attempt_id: int) -> dict[int, str]:
    """position -> the item version whose key scores it now: the newest regrade's, else the pinned one."""
    pinned = dict(
        session.execute(
            select(AttemptItem.position, AttemptItem.version).where(AttemptItem.attempt_id == attempt_id)
        ).all()
    )
    regraded = session.execute(
        select(RegradedScore.position, RegradedScore.key_version)
        .where(RegradedScore.attempt_id == attempt_id)
        .order_by(RegradedScore.id)
    ).all()
    pinned.update(dict(regraded))
    return pinned


def has_rubric(item: ItemVersion, key: Schema) -> bool:
    """Whether a person marks answers to ``item`` under ``key`` (the key in force)."""
    return item.item_type.criteria(key) is not None


def attempt_summaries(session: Session, limit: int = 200) -> list[AttemptSummary]:
    """Attempts newest first, with how many of their answers await a reviewer."""
    pending = (
        select(ItemScore.attempt_id, func.count().label("pending"))
        .where(ItemScore.pending_review.is_(True))
        .group_by(ItemScore.attempt_id)
        .subquery()
    )
    rows = session.execute(
        select(Attempt, Invitation, Campaign, pending.c.pending)
        .join(Invitation, Invitation.id == Attempt.invitation_id)
        .join(Campaign, Campaign.id == Attempt.campaign_id)
        .outerjoin(pending, pending.c.attempt_id == Attempt.id)
        .where(STARTED)
        .order_by(Attempt.started_at.desc(), Attempt.id.desc())
        .limit(limit)
    ).all()
    return [AttemptSummary(a, i, c, count or 0) for a, i, c, count in rows]


def attempt_review(session: Session, attempt_id: int, now: datetime) -> AttemptReview:
    """Everything the attempt review page shows; scores only once the attempt is final."""
    row = session.execute(
        select(Attempt, Invitation, Campaign)
        .join(Invitation, Invitation.id == Attempt.invitation_id)
        .join(Campaign, Campaign.id == Attempt.campaign_id)
        .where(Attempt.id == attempt_id, STARTED)
    ).one_or_none()
    if row is None:
        raise NoSuchAttempt(f"no attempt {attempt_id}")
    attempt, invitation, campaign = row
    slots = _reviewed_slots(session, attempt_id)
    scored = [(slot.section_id, slot.score) for slot in slots if slot.score is not None]
    sections = section_totals(scored)
    return AttemptReview(
        attempt=attempt,
        invitation=invitation,
        campaign=campaign,
        slots=slots,
        timeline=attempt_timeline(attempt, attempt_events(session, attempt_id), now),
        sections=sections,
        percent=overall_percent(sections),
    )


def _reviewed_slots(session: Session, attempt_id: int) -> list[ReviewedSlot]:
    rows = session.execute(
        select(AttemptItem, Answer.response, ItemScore)
        .join(
            Answer, and_(Answer.attempt_id == AttemptItem.attempt_id, Answer.position == AttemptItem.position)
        )
        .outerjoin(
            ItemScore,
            and_(ItemScore.attempt_id == AttemptItem.attempt_id, ItemScore.position == AttemptItem.position),
        )
        .where(AttemptItem.attempt_id == attempt_id)
        .order_by(AttemptItem.position)
    ).all()
    keyed_by = key_versions(session, attempt_id)
    reviews: dict[int, list[tuple[RubricReview, StaffUser]]] = {}
    for review, reviewer in session.execute(
        select(RubricReview, StaffUser)
        .join(StaffUser, StaffUser.id == RubricReview.reviewer_id)
        .where(RubricReview.attempt_id == attempt_id)
        .order_by(RubricReview.id.desc())
    ).all():
        reviews.setdefault(review.position, []).append((review, reviewer))
    regrades: dict[int, list[RegradedScore]] = {}
    for regraded in session.scalars(
        select(RegradedScore).where(RegradedScore.attempt_id == attempt_id).order_by(RegradedScore.id.desc())
    ):
        regrades.setdefault(regraded.position, []).append(regraded)
    slots = []
    for slot, stored_response, item_score in rows:
        shown = pinned_item(session, slot.item_id, slot.version)
        keyed = (
            shown
            if keyed_by[slot.position] == slot.version
            else pinned_item(session, slot.item_id, keyed_by[slot.position])
        )
        body, _ = shown.realize(slot.variant)
        _, key = keyed.realize(slot.variant)
        response, problem = _readable_response(shown, stored_response)
        slots.append(
            ReviewedSlot(
                position=slot.position,
                section_id=slot.section_id,
                section_title=slot.section_title,
                item_id=slot.item_id,
                type=shown.type,
                title=shown.title,
                version=slot.version,
                key_version=keyed.version,
                body=body,
                key=key,
                response=response,
                response_problem=problem,
                score=stored_score(item_score) if item_score is not None else None,
                rubric=_rubric(keyed, key),
                reviews=tuple(reviews.get(slot.position, ())),
                regrades=tuple(regrades.get(slot.position, ())),
            )
        )
    return slots


def _rubric(item: ItemVersion, key: Schema) -> tuple[Criterion, ...] | None:
    criteria = item.item_type.criteria(key)
    return None if criteria is None else tuple(criteria)


def _readable_response(item: ItemVersion, stored: Mapping[str, Any] | None) -> tuple[Schema | None, str]:
    try:
        return parse_response(item, stored), ""
    except ResponseError as exc:
        return None, f"The stored answer does not fit this item ({exc})."


def attempt_events(session: Session, attempt_id: int) -> Sequence[AttemptEvent]:
    return session.scalars(
        select(AttemptEvent)
        .where(AttemptEvent.attempt_id == attempt_id)
        .order_by(AttemptEvent.at, AttemptEvent.id)
    ).all()


def attempt_timeline(attempt: Attempt, events: Sequence[AttemptEvent], now: datetime) -> list[TimelineEntry]:
    """The attempt's events in order, with the gaps in its saves shown between them.

    A gap is more than ``GAP_AFTER`` without a save while the attempt was running:
    from the start or a save to the next save, the Submit, the server's finalization,
    or (while it still runs) now.
    """
    entries = [TimelineEntry(event.at, event.kind, _event_text(event)) for event in events]
    marks = [e.at for e in events if e.kind in {"started", "saved", "submitted", "finalized"}]
    if attempt.finalized_at is None:
        marks.append(min(now, deadline_of(attempt)))
    marks.sort()
    for before, after in zip(marks, marks[1:], strict=False):
        if after - before > GAP_AFTER:
            running = attempt.finalized_at is None and after == marks[-1]
            text = f"No save for {_duration(after - before)}{' so far' if running else ''}"
            entries.append(TimelineEntry(before, "gap", text, until=after))
    # Stable: a gap sorts after the event it starts from.
    entries.sort(key=lambda e: (e.at, e.kind == "gap"))
    return _runs_of_saves(entries)


def _runs_of_saves(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """Consecutive saves of one item as one line: autosave writes every few keystrokes."""
    folded: list[TimelineEntry] = []
    count = 0
    for entry in entries:
        previous = folded[-1] if folded else None
        if (
            previous is not None
            and entry.kind == "saved"
            and previous.kind == "saved"
            and entry.text == (previous.text.split(" (")[0])
        ):
            count += 1
            folded[-1] = TimelineEntry(previous.at, "saved", f"{entry.text} ({count} saves)", until=entry.at)
        else:
            count = 1
            folded.append(entry)
    return folded


def _event_text(event: AttemptEvent) -> str:
    detail = event.detail or {}
    if event.kind == "started":
        return "Started"
    if event.kind == "saved":
        number = (event.position or 0) + 1
        return (
            f"Saved item {number}" if detail.get("answered", True) else f"Cleared the answer to item {number}"
        )
    if event.kind == "submitted":
        return "Submitted by the candidate"
    if event.kind == "finalized":
        return "Finalized by the server: time was up"
    if event.kind == "focus":
        away = "Switched away from" if detail.get("hidden") else "Left the page on"
        back = _instant_text(detail.get("regained_at"))
        return f"{away} item {(event.position or 0) + 1}" + (f", back at {back}" if back else "")
    if event.kind == "paste":
        page = " (copied from the page itself)" if detail.get("from_page") else ""
        return f"Pasted {detail.get('characters', 0)} characters into item {(event.position or 0) + 1}{page}"
    if event.kind == "viewed":
        spent = timedelta(seconds=float(detail.get("seconds", 0)))
        return f"Left item {(event.position or 0) + 1} after {_duration(spent)}"
    if event.kind == "time_granted":
        reason = f" ({detail['reason']})" if detail.get("reason") else ""
        return f"{detail.get('minutes')} minutes of extra time granted by {detail.get('by', 'staff')}{reason}"
    return event.kind


def _instant_text(value: object) -> str:
    try:
        return datetime.fromisoformat(value).strftime("%H:%M:%S") if isinstance(value, str) else ""
    except ValueError:
        return ""


def evidence_anchor(timeline: Sequence[TimelineEntry], position: int | None, at: datetime | None) -> str:
    """The page anchor an integrity evidence line points at: its moment on the timeline, else its item.

    The moment is the last timeline entry at or before ``at`` (the event that recorded it).
    """
    if at is not None:
        index = None
        for number, entry in enumerate(timeline):
            if entry.at <= at:
                index = number
        if index is not None:
            return f"#timeline-{index + 1}"
    return f"#item-{position + 1}" if position is not None else ""


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {seconds:02d} s"


def reviewed_slot(
    session: Session, attempt_id: int, position: int, now: datetime
) -> tuple[AttemptReview, ReviewedSlot]:
    """The attempt and one of its items, for the rubric page."""
    review = attempt_review(session, attempt_id, now)
    for slot in review.slots:
        if slot.position == position:
            return review, slot
    raise NoSuchAttempt(f"attempt {attempt_id} has no item at position {position}")
