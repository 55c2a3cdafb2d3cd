"""Item exposure: how many attempts show each item version, and pool draws that keep under a cap.

An item version's exposure is the number of attempts that have it in a slot and showed it or
may still show it: every started attempt (finished or not), and every prepared attempt whose
link still works. A prepared attempt whose invitation was revoked or expired gives its items
back; extending such a link later keeps what it drew, which can take an item past its cap by
that attempt. Counted across every form and campaign: a leak does not stay in one campaign.
A new version of an item starts again from 0.

Only the preparation of attempts (when invitations are made) draws under a cap. A Start that
draws again at the press, because the form changed since the invitation, draws as an
uncapped pool does: the hiring-day Start stays one commit, and a candidate is never refused
for a cap. Two invitations prepared at the same moment read the same counts, so each may
take an item's last place under its cap.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from functools import cache

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from assess.models import Attempt, AttemptItem, Invitation
from assess.services.attempt_phase import STARTED
from integrity.exposure import PoolExhausted, draw_less_exposed
from integrity.observations import ItemRef
from items.bank import ItemVersion
from items.forms import AssessmentForm, Pool, PoolDraw, sample_pool


class PoolOverCap(ValueError):
    """A capped pool of a form has too few items under its cap for one more attempt."""

    def __init__(self, form: AssessmentForm, pool: Pool, exhausted: PoolExhausted) -> None:
        self.form, self.pool = form, pool
        items = "item has" if exhausted.available == 1 else "items have"
        super().__init__(
            f"Form {form.id!r} cannot be drawn: {_pool_name(form, pool)} draws {pool.draw} "
            f"item(s) per attempt, and only {exhausted.available} of its {len(pool.item_ids)} {items} "
            f"been shown in fewer than {exhausted.cap} attempts, its max_exposure. Nobody was "
            "invited. Ask an item author to raise the pool's max_exposure or add items to the pool."
        )


def _pool_name(form: AssessmentForm, pool: Pool) -> str:
    for section in form.sections:
        pools = [entry for entry in section.entries if isinstance(entry, Pool)]
        for number, entry in enumerate(pools, start=1):
            if entry is pool:
                return f"pool {number} of section {section.title!r} ({', '.join(pool.item_ids)})"
    return f"the pool of {', '.join(pool.item_ids)}"


@cache
def _exposure_query() -> Select[str, str, int]:
    # Imported when first counted: invitations prepares attempts through this module.
    from assess.services.invitations import LINK_USABLE

    return (
        select(AttemptItem.item_id, AttemptItem.version, func.count())
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Invitation, Invitation.id == Attempt.invitation_id)
        .where(AttemptItem.item_id.in_(bindparam("items", expanding=True)), or_(STARTED, LINK_USABLE))
        .group_by(AttemptItem.item_id, AttemptItem.version)
    )


def exposure_by_version(session: Session, item_ids: Collection[str], now: datetime) -> dict[ItemRef, int]:
    """How many attempts showed or may still show each version of ``item_ids``: one grouped query."""
    if not item_ids:
        return {}
    rows = session.execute(_exposure_query(), {"items": sorted(item_ids), "at": now})
    return {ItemRef(item_id, version): count for item_id, version, count in rows}


class CappedDraws:
    """The pool draws of one batch of invitations, with the exposure of every capped pool's items.

    Counts are read once per batch and kept up to date as the batch draws, so a bulk invitation
    of a thousand candidates never passes a cap either.
    """

    def __init__(self, session: Session, forms: Iterable[AssessmentForm], now: datetime) -> None:
        capped = {
            item_id
            for form in forms
            for section in form.sections
            for entry in section.entries
            if isinstance(entry, Pool) and entry.max_exposure is not None
            for item_id in entry.item_ids
        }
        self.shown = Counter(exposure_by_version(session, capped, now))

    def for_form(self, form: AssessmentForm, items: Mapping[str, ItemVersion]) -> PoolDraw:
        """How ``form``'s pools are drawn: uncapped pools as ever, capped ones the less shown first."""

        def draw(pool: Pool, rng: random.Random) -> list[str]:
            if pool.max_exposure is None:
                return sample_pool(pool, rng)
            refs = {item_id: ItemRef(item_id, items[item_id].version) for item_id in pool.item_ids}
            shown = {item_id: self.shown[ref] for item_id, ref in refs.items()}
            try:
                chosen = draw_less_exposed(pool.item_ids, pool.draw, shown, pool.max_exposure, rng)
            except PoolExhausted as exc:
                raise PoolOverCap(form, pool, exc) from None
            self.shown.update(refs[item_id] for item_id in chosen)
            return chosen

        return draw
