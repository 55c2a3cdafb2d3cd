"""Preparing attempts: everything a Start freezes that does not depend on the moment of the press.

When an invitation is made, its attempt is drawn and stored unstarted: the items (pools
drawn), their order, option order and drawn numbers, the pinned versions, every slot and an
empty answer per slot. ``started_at`` and ``deadline`` stay empty until the candidate's
Start stamps them (``attempt_start``), so a hiring day's thousand Starts each cost one
conditional UPDATE instead of a draw and thirty inserts.

The rule for authoring changes between invitation and Start: the attempt records
``form_version``, a hash of the form as drawn (sections, pools, limit, shuffling) and of the
version of every item it can show (a retired item counts as absent). A Start whose form has
a different version now (a form edited, an item retired or given a new version) draws again
at the press from the live catalogue: the candidate gets today's form, never a retired item,
and what the Start froze is what they see.

A pool with a ``max_exposure`` is drawn here under its cap, the less shown items first
(``item_exposure``); when too few of its items are under the cap, nobody of the batch is
invited and the staff member inviting is told which form and pool, and what to do.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Table, delete, insert
from sqlalchemy.orm import Session

from assess.models import Answer, Attempt, AttemptItem, Invitation
from assess.models.base import Base
from assess.services.authoring import live_catalogue
from assess.services.catalogue import pin_versions
from assess.services.item_exposure import CappedDraws, PoolOverCap
from items.bank import Catalogue, FormUnavailable
from items.forms import AssessmentForm, PoolDraw, Slot, draw_attempt, sample_pool


def core_table(model: type[Base]) -> Table:
    """A model's table for Core statements (typed as a table, which ``__table__`` is not)."""
    return Base.metadata.tables[model.__tablename__]


# Core multi-row inserts: an executemany with RETURNING is sent as one INSERT of many rows
# ("insertmanyvalues"), one round trip and one cached statement per table, not one per slot.
_NEW_ATTEMPTS = insert(core_table(Attempt)).returning(
    core_table(Attempt).c.id, core_table(Attempt).c.invitation_id
)
_FREEZE_SLOTS = insert(core_table(AttemptItem)).returning(core_table(AttemptItem).c.position)
_EMPTY_ANSWERS = insert(core_table(Answer)).returning(core_table(Answer).c.position)


def form_version(catalogue: Catalogue, form: AssessmentForm) -> str:
    """The content version of ``form`` as ``catalogue`` would draw it: the form and its items' versions.

    ``AssessmentForm`` is a frozen dataclass of tuples, so its ``repr`` is its whole content.
    Should the representation ever change, the only effect is one draw again per prepared attempt.
    """
    versions = [
        (item_id, catalogue.items[item_id].version if item_id in catalogue.items else "")
        for item_id in form.item_ids()
    ]
    return hashlib.sha256(repr((form, versions)).encode()).hexdigest()[:16]


def prepare_attempts(
    session: Session, file_catalogue: Catalogue, invitations: Sequence[Invitation], rng: random.Random
) -> None:
    """Draw and store an unstarted attempt for each invitation, in the caller's transaction.

    The invitations must be flushed (they need their ids). An invitation whose form cannot be
    drawn now (a retired item, a missing form) is left unprepared: its Start draws at the press,
    as for invitations made before preparations existed. A capped pool with too few items under
    its cap refuses the whole batch with ``InviteRefused``, which every inviting page and
    command already shows; nothing is stored.
    """
    forms: dict[str, DrawableForm | None] = {}
    for invitation in invitations:
        form_id = invitation.campaign.form_id
        if form_id not in forms:
            forms[form_id] = _drawable(session, file_catalogue, form_id)
    drawable = [found for found in forms.values() if found is not None]
    if not drawable:
        return
    # The invitations were made now: their link is what "still works" is measured against.
    capped = CappedDraws(session, [found.form for found in drawable], max(i.created_at for i in invitations))
    draws = {found.form.id: capped.for_form(found.form, found.catalogue.items) for found in drawable}
    drawn: list[tuple[Invitation, DrawableForm, list[Slot]]] = []
    try:
        for invitation in invitations:
            found = forms[invitation.campaign.form_id]
            if found is not None:
                drawn.append((invitation, found, found.draw(rng, draws[found.form.id])))
    except PoolOverCap as exc:
        # Imported here: invitation_import prepares its attempts through this module.
        from assess.services.invitation_import import InviteRefused, RowProblem

        raise InviteRefused([RowProblem(0, "", str(exc))]) from None
    pin_versions(session, [slot.item for *_, slots in drawn for slot in slots])
    created = session.execute(
        _NEW_ATTEMPTS,
        [
            {
                "invitation_id": invitation.id,
                "campaign_id": invitation.campaign_id,
                "form_id": found.form.id,
                "form_version": found.version,
            }
            for invitation, found, _ in drawn
        ],
    )
    attempt_ids = {invitation_id: attempt_id for attempt_id, invitation_id in created}
    freeze_slots(session, [(attempt_ids[invitation.id], found, slots) for invitation, found, slots in drawn])


@dataclass(frozen=True)
class DrawableForm:
    """A form as the live catalogue draws it now, with its content version."""

    catalogue: Catalogue
    form: AssessmentForm
    version: str

    @classmethod
    def of(cls, catalogue: Catalogue, form_id: str) -> DrawableForm:
        """``FormUnavailable`` when the form cannot be drawn now, as ``Catalogue.form`` says."""
        form = catalogue.form(form_id)
        return cls(catalogue, form, form_version(catalogue, form))

    def draw(self, rng: random.Random, draw_pool: PoolDraw = sample_pool) -> list[Slot]:
        """An attempt's slots; without ``draw_pool`` (a Start drawing again) every pool is uncapped."""
        return draw_attempt(self.form, self.catalogue.items, rng, draw_pool)

    def section_title(self, section_id: str) -> str:
        return next(section.title for section in self.form.sections if section.id == section_id)


def _drawable(session: Session, file_catalogue: Catalogue, form_id: str) -> DrawableForm | None:
    try:
        return DrawableForm.of(live_catalogue(session, file_catalogue, form_id), form_id)
    except (FormUnavailable, KeyError):
        return None


def freeze_slots(session: Session, attempts: Sequence[tuple[int, DrawableForm, list[Slot]]]) -> None:
    """Store each attempt's slots and an empty answer per slot (attempt id, its form, its slots)."""
    session.execute(
        _FREEZE_SLOTS,
        [
            {
                "attempt_id": attempt_id,
                "position": slot.position,
                "section_id": slot.section_id,
                "section_title": found.section_title(slot.section_id),
                "item_id": slot.item.item_id,
                "version": slot.item.version,
                "variant": slot.variant,
            }
            for attempt_id, found, slots in attempts
            for slot in slots
        ],
    )
    # One empty answer per slot now, so that every save is an UPDATE and never races an INSERT.
    session.execute(
        _EMPTY_ANSWERS,
        [
            {"attempt_id": attempt_id, "position": slot.position, "seq": 0}
            for attempt_id, _, slots in attempts
            for slot in slots
        ],
    )


def discard_slots(session: Session, attempt_id: int) -> None:
    """Remove an unstarted attempt's frozen slots and their (still empty) answers, to draw again."""
    unsynchronized = {"synchronize_session": False}
    session.execute(delete(Answer).where(Answer.attempt_id == attempt_id), execution_options=unsynchronized)
    session.execute(
        delete(AttemptItem).where(AttemptItem.attempt_id == attempt_id), execution_options=unsynchronized
    )
