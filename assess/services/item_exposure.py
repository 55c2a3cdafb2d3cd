"""Item exposure: how many attempts show each item version, pool draws that keep under a cap,
and, for authors, each item's exposure, cap and facility drift beside its statistics.

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
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from assess.models import Attempt, AttemptItem, Invitation, ItemScore
from assess.services.attempt_phase import STARTED
from assess.services.authoring import LiveBanks
from integrity.drift import FacilityDrift, facility_drift
from integrity.exposure import ExposureFlag, PoolExhausted, draw_less_exposed, near_cap
from integrity.observations import ItemRef
from integrity.rules import DEFAULT_RULES, IntegrityRules
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

    def for_form(
        self, form: AssessmentForm, items: Mapping[str, ItemVersion], refuse_over_cap: bool = True
    ) -> PoolDraw:
        """How ``form``'s pools are drawn: uncapped pools as ever, capped ones the less shown first.

        A pool with too few items under its cap raises ``PoolOverCap``, or, without
        ``refuse_over_cap`` (a candidate pressing Start is never turned away), draws its least shown.
        """

        def draw(pool: Pool, rng: random.Random) -> list[str]:
            if pool.max_exposure is None:
                return sample_pool(pool, rng)
            refs = {item_id: ItemRef(item_id, items[item_id].version) for item_id in pool.item_ids}
            shown = {item_id: self.shown[ref] for item_id, ref in refs.items()}
            try:
                chosen = draw_less_exposed(pool.item_ids, pool.draw, shown, pool.max_exposure, rng)
            except PoolExhausted as exc:
                if refuse_over_cap:
                    raise PoolOverCap(form, pool, exc) from None
                chosen = draw_less_exposed(pool.item_ids, pool.draw, shown, None, rng)
            self.shown.update(refs[item_id] for item_id in chosen)
            return chosen

        return draw


@dataclass(frozen=True)
class ItemExposure:
    """One item of a form: how many attempts show its current version, its pool's cap, its drift."""

    item: ItemRef
    #: ``item_exposure``'s count: started attempts and prepared ones whose link still works.
    shown: int
    #: The ``max_exposure`` of the form's pool holding the item, if any.
    cap: int | None
    near_cap: ExposureFlag | None
    #: None below ``drift_min_sample`` scored responses of this version.
    drift: FacilityDrift | None


#: (item, version, finished at, points, max points) of every scored response of some items.
_SCORED_OVER_TIME = (
    select(
        AttemptItem.item_id, AttemptItem.version, Attempt.finalized_at, ItemScore.points, ItemScore.max_points
    )
    .join(Attempt, Attempt.id == AttemptItem.attempt_id)
    .join(
        ItemScore,
        and_(ItemScore.attempt_id == AttemptItem.attempt_id, ItemScore.position == AttemptItem.position),
    )
    .where(
        AttemptItem.item_id.in_(bindparam("items", expanding=True)),
        Attempt.finalized_at.is_not(None),
        ItemScore.pending_review.is_(False),
    )
)


def form_exposures(
    session: Session, live: LiveBanks, now: datetime, rules: IntegrityRules = DEFAULT_RULES
) -> dict[str, dict[str, ItemExposure]]:
    """form id -> item id -> the exposure of the item's current version and its facility drift.

    Exposure and drift are the version's across every form: a leaked item is easier everywhere.
    Two queries, whatever the number of forms and items.
    """
    forms = {form_id: found.form for form_id, found in live.forms.items()}
    refs = {
        item_id: ItemRef(item_id, live.items[item_id].item.version)
        for form in forms.values()
        for item_id in form.item_ids()
        if item_id in live.items
    }
    shown = exposure_by_version(session, refs.keys(), now)
    responses: dict[ItemRef, list[tuple[datetime, float]]] = defaultdict(list)
    if refs:
        for item_id, version, finished, points, max_points in session.execute(
            _SCORED_OVER_TIME, {"items": sorted(refs)}
        ):
            if finished is not None and max_points > 0 and refs[item_id].version == version:
                responses[refs[item_id]].append((finished, float(points / max_points)))
    drifts = {ref: facility_drift(ref, responses[ref], rules) for ref in refs.values()}
    exposures: dict[str, dict[str, ItemExposure]] = {}
    for form_id, form in forms.items():
        caps = _caps(form)
        by_item = exposures.setdefault(form_id, {})
        for item_id in form.item_ids():
            if item_id not in refs:
                continue
            ref, cap = refs[item_id], caps.get(item_id)
            flags = near_cap({ref: shown.get(ref, 0)}, cap, rules) if cap is not None else []
            by_item[item_id] = ItemExposure(
                ref, shown.get(ref, 0), cap, flags[0] if flags else None, drifts[ref]
            )
    return exposures


def _caps(form: AssessmentForm) -> dict[str, int]:
    return {
        item_id: entry.max_exposure
        for section in form.sections
        for entry in section.entries
        if isinstance(entry, Pool) and entry.max_exposure is not None
        for item_id in entry.item_ids
    }
