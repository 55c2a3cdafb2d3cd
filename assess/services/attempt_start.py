"""A candidate's Start: the attempt frozen at once (items, order, variants, deadline)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.models import Answer, Attempt, AttemptEvent, AttemptItem, Base, Campaign, Invitation
from assess.services.catalogue import pin_versions
from assess.services.invitations import InvitationUnusable
from items.bank import Catalogue
from items.forms import draw_attempt


def core_table(model: type[Base]) -> Table:
    """A model's table for Core statements (typed as a table, which ``__table__`` is not)."""
    return Base.metadata.tables[model.__tablename__]


# Core inserts (the Start storm of a hiring day is CPU-bound, and the ORM's bulk path is not
# free). An executemany with RETURNING is sent as one multi-row INSERT ("insertmanyvalues"):
# one round trip and one cached statement per table, not one per slot.
LOG_EVENT = insert(core_table(AttemptEvent))
_FREEZE_SLOTS = insert(core_table(AttemptItem)).returning(core_table(AttemptItem).c.position)
_EMPTY_ANSWERS = insert(core_table(Answer)).returning(core_table(Answer).c.position)


def time_allowed(time_limit_minutes: int, extra_time: Decimal) -> timedelta:
    """The form's limit times the accommodation multiplier, to the microsecond (no float)."""
    return timedelta(microseconds=int(Decimal(time_limit_minutes) * 60_000_000 * extra_time))


def create_attempt(
    session: Session, invitation: Invitation, catalogue: Catalogue, now: datetime, rng: random.Random
) -> Attempt:
    """Freeze a new attempt for an invitation the caller found unstarted.

    Idempotent: should another request (another tab, a double click, another worker) have
    started it meanwhile, the database refuses the second row and that attempt is returned.
    """
    if invitation.revoked_at is not None:
        raise InvitationUnusable("revoked")
    if invitation.expires_at <= now:
        raise InvitationUnusable("expired")
    campaign = session.get_one(Campaign, invitation.campaign_id)
    form = catalogue.form(campaign.form_id)
    slots = draw_attempt(form, catalogue.items, rng)
    section_titles = {section.id: section.title for section in form.sections}
    attempt = Attempt(
        invitation_id=invitation.id,
        campaign_id=campaign.id,
        form_id=form.id,
        started_at=now,
        deadline=now + time_allowed(form.time_limit_minutes, invitation.extra_time),
    )
    try:
        pin_versions(session, [slot.item for slot in slots])
        session.add(attempt)
        session.flush()
        session.execute(
            LOG_EVENT,
            {
                "attempt_id": attempt.id,
                "at": now,
                "kind": "started",
                "detail": {"deadline": attempt.deadline.isoformat(), "items": len(slots)},
            },
        )
        session.execute(
            _FREEZE_SLOTS,
            [
                {
                    "attempt_id": attempt.id,
                    "position": slot.position,
                    "section_id": slot.section_id,
                    "section_title": section_titles[slot.section_id],
                    "item_id": slot.item.item_id,
                    "version": slot.item.version,
                    "variant": slot.variant,
                }
                for slot in slots
            ],
        )
        # One empty answer per slot now, so that every save is an UPDATE and never races an INSERT.
        session.execute(
            _EMPTY_ANSWERS,
            [{"attempt_id": attempt.id, "position": slot.position, "seq": 0} for slot in slots],
        )
        session.commit()
    except IntegrityError:
        # Another request started this invitation's attempt first (attempts.invitation_id is unique).
        session.rollback()
        started = select(Attempt).where(Attempt.invitation_id == invitation.id)
        existing = session.scalars(started).one_or_none()
        if existing is None:
            raise
        return existing
    return attempt
