"""A candidate's Start: the prepared attempt stamped with its start and deadline, in one commit.

The fast path is one conditional UPDATE and the "started" event: the attempt was frozen when
the invitation was made (``attempt_preparation``). It matches only while the attempt is
unstarted, its invitation neither revoked nor expired, and its ``form_version`` that of the
form now. Otherwise the Start draws at the press (the slow path, as every Start did before
preparations existed): for an invitation never prepared, or one whose form changed since.
Its draw respects the form's exposure caps as an invitation's does, except that a candidate
pressing Start is never turned away: a pool with too few items under its cap gives its least
shown ones.

Idempotent under double clicks and racing workers: the UPDATE matches once, and the slow
path claims the prepared row (its lock makes a racing Start wait) or inserts a new one that
``attempts.invitation_id``'s uniqueness refuses a second time. The deadline is computed here,
from the server's clock, the form's limit and the invitation's multiplier (Invariant 1).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, exists, func, insert, not_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from assess.models import Attempt, AttemptEvent, AttemptItem, Invitation
from assess.services.attempt_phase import STARTED, deadline_of, is_started
from assess.services.attempt_preparation import DrawableForm, core_table, discard_slots, freeze_slots
from assess.services.catalogue import pin_versions
from assess.services.invitations import LINK_USABLE, InvitationUnusable, check_link
from assess.services.item_exposure import CappedDraws
from assess.services.request_origin import RequestOrigin, with_origin
from items.bank import Catalogue

LOG_EVENT = insert(core_table(AttemptEvent))

_COUNTED = aliased(AttemptItem)
#: The prepared attempt of this invitation, while unstarted and its link usable ("at" is now).
_STARTABLE = (
    Attempt.invitation_id == bindparam("invitation"),
    not_(STARTED),
    exists().where(Invitation.id == Attempt.invitation_id, LINK_USABLE),
)
#: The Start itself, built once: a thousand Starts in a minute only bind their values.
_STAMP = (
    update(Attempt)
    .where(*_STARTABLE, Attempt.form_version == bindparam("version"))
    .values(started_at=bindparam("at"), deadline=bindparam("ends"))
    .returning(
        Attempt,
        select(func.count()).where(_COUNTED.attempt_id == Attempt.id).correlate(Attempt).scalar_subquery(),
    )
    .execution_options(synchronize_session=False, populate_existing=True)
)
#: The slow path's claim of a prepared row: it will be drawn again for the campaign's form as it is now.
_CLAIM = (
    update(Attempt)
    .where(*_STARTABLE)
    .values(form_id=bindparam("form"), form_version=bindparam("version"))
    .returning(Attempt.id)
    .execution_options(synchronize_session=False)
)
_OF_INVITATION = select(Attempt).where(Attempt.invitation_id == bindparam("invitation"))


def time_allowed(time_limit_minutes: int, extra_time: Decimal) -> timedelta:
    """The form's limit times the accommodation multiplier, to the microsecond (no float)."""
    return timedelta(microseconds=int(Decimal(time_limit_minutes) * 60_000_000 * extra_time))


def create_attempt(
    session: Session,
    invitation: Invitation,
    catalogue: Catalogue,
    now: datetime,
    rng: random.Random,
    origin: RequestOrigin | None = None,
) -> Attempt:
    """Start the invitation's attempt now, from its preparation while that is current; return it.

    ``catalogue`` is the live one the attempt is drawn from (``FormUnavailable`` when its form
    cannot be drawn now); ``rng`` is used only when the Start draws at the press; ``origin``,
    the candidate's request, goes into the "started" event.
    """
    check_link(invitation, None, now)
    drawable = DrawableForm.of(catalogue, invitation.campaign.form_id)
    ends = now + time_allowed(drawable.form.time_limit_minutes, invitation.extra_time)
    bound = {"invitation": invitation.id, "at": now, "ends": ends, "version": drawable.version}
    stamped = session.execute(_STAMP, bound).one_or_none()
    if stamped is None:
        return _start_at_press(session, invitation, drawable, rng, now, ends, origin)
    attempt, count = stamped
    return _started(session, attempt, now, count, origin)


def _start_at_press(
    session: Session,
    invitation: Invitation,
    drawable: DrawableForm,
    rng: random.Random,
    now: datetime,
    ends: datetime,
    origin: RequestOrigin | None,
) -> Attempt:
    """Draw now: the invitation was never prepared, its form changed since, or a racing Start won."""
    bound = {
        "invitation": invitation.id,
        "at": now,
        "ends": ends,
        "form": drawable.form.id,
        "version": drawable.version,
    }
    # The claim's row lock holds back a racing Start of this invitation until this one commits.
    claimed = session.scalar(_CLAIM, bound)
    if claimed is not None:
        discard_slots(session, claimed)
    # Drawn once the old draw is gone, so that it does not count against a pool's cap. A
    # candidate pressing Start is never turned away: a pool over its cap gives its least shown.
    capped = CappedDraws(session, [drawable.form], now).for_form(
        drawable.form, drawable.catalogue.items, refuse_over_cap=False
    )
    slots = drawable.draw(rng, capped)
    pin_versions(session, [slot.item for slot in slots])
    if claimed is not None:
        freeze_slots(session, [(claimed, drawable, slots)])
        attempt, count = session.execute(_STAMP, bound).one()
        return _started(session, attempt, now, count, origin)
    existing = session.scalars(
        _OF_INVITATION, bound, execution_options={"populate_existing": True}
    ).one_or_none()
    if existing is not None:
        started = is_started(existing)
        session.rollback()
        if started:
            return existing
        # Prepared, yet not startable: the link was revoked or expired since it was opened.
        session.refresh(invitation)
        raise InvitationUnusable("revoked" if invitation.revoked_at is not None else "expired")
    attempt = Attempt(
        invitation_id=invitation.id,
        campaign_id=invitation.campaign_id,
        form_id=drawable.form.id,
        form_version=drawable.version,
        started_at=now,
        deadline=ends,
    )
    try:
        session.add(attempt)
        session.flush()
        freeze_slots(session, [(attempt.id, drawable, slots)])
    except IntegrityError:
        # Another request started this invitation's attempt first (attempts.invitation_id is unique).
        session.rollback()
        winner = session.scalars(_OF_INVITATION, bound).one_or_none()
        if winner is None or not is_started(winner):
            raise
        return winner
    return _started(session, attempt, now, len(slots), origin)


def _started(
    session: Session, attempt: Attempt, now: datetime, slots: int, origin: RequestOrigin | None
) -> Attempt:
    """Record the Start on the attempt's timeline and commit it: the one commit of a Start."""
    session.execute(
        LOG_EVENT,
        {
            "attempt_id": attempt.id,
            "at": now,
            "kind": "started",
            "detail": with_origin({"deadline": deadline_of(attempt).isoformat(), "items": slots}, origin),
        },
    )
    session.commit()
    return attempt
