"""Integrity tiers of a campaign's finished attempts: computed from the observations, stored, read.

A tier depends on the whole campaign (similar answers, shared networks, timing against other
candidates), so a campaign is recomputed as a whole, and only when its ``basis`` changed: how
many attempts are finalized, the newest of their events, the rules. Pages and reports read the
stored rows; the sweep and the review page of a finished attempt refresh them.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.models import Attempt, AttemptEvent, IntegrityAssessment, Invitation, SignalReview, StaffUser
from assess.services.integrity_observations import CampaignObservations, load_campaign_observations
from assess.services.staff import record_audit
from integrity.attempt_signals import attempt_signals
from integrity.campaign import campaign_signals
from integrity.observations import ItemRef
from integrity.rules import DEFAULT_RULES, IntegrityRules
from integrity.signals import Signal
from integrity.tiers import Tier, TierResult, tier


class UnknownSignal(LookupError):
    """The signal named is not among the attempt's stored ones (the page is out of date)."""


def _finalized(campaign_id: int) -> Any:
    return (
        Attempt.campaign_id == campaign_id,
        Attempt.finalized_at.is_not(None),
        Attempt.started_at.is_not(None),
    )


def campaign_basis(session: Session, campaign_id: int, rules: IntegrityRules = DEFAULT_RULES) -> str:
    """A fingerprint of what the campaign's tiers were computed from."""
    count, newest_attempt = session.execute(
        select(func.count(Attempt.id), func.max(Attempt.id)).where(*_finalized(campaign_id))
    ).one()
    newest_event = session.scalar(
        select(func.max(AttemptEvent.id))
        .join(Attempt, Attempt.id == AttemptEvent.attempt_id)
        .where(*_finalized(campaign_id))
    )
    # Accommodations change what counts, and may be set after the attempt.
    accommodations = session.execute(
        select(func.count(Invitation.id), func.sum(Invitation.extra_time))
        .join(Attempt, Attempt.invitation_id == Invitation.id)
        .where(*_finalized(campaign_id), (Invitation.extra_time > 1) | Invitation.assistive_technology)
    ).one()
    text = f"{count}:{newest_attempt}:{newest_event}:{tuple(accommodations)}:{rules!r}"
    return hashlib.sha256(text.encode()).hexdigest()


def _is_stale(session: Session, campaign_id: int, basis: str) -> bool:
    outdated = session.scalar(
        select(func.count())
        .select_from(Attempt)
        .outerjoin(IntegrityAssessment, IntegrityAssessment.attempt_id == Attempt.id)
        .where(*_finalized(campaign_id))
        .where(
            IntegrityAssessment.basis.is_(None)
            | ((IntegrityAssessment.basis != basis) & IntegrityAssessment.frozen_at.is_(None))
        )
    )
    return bool(outdated)


def refresh_campaign_tiers(
    session: Session, campaign_id: int, now: datetime, rules: IntegrityRules = DEFAULT_RULES
) -> None:
    """Recompute and store the tiers of the campaign's finished attempts, if they are stale."""
    basis = campaign_basis(session, campaign_id, rules)
    if not _is_stale(session, campaign_id, basis):
        session.rollback()
        return
    results = compute_tiers(load_campaign_observations(session, campaign_id), rules)
    # A frozen row outlived its raw observations (integrity_retention): it stays as it was computed.
    frozen = set(
        session.scalars(
            select(IntegrityAssessment.attempt_id).where(
                IntegrityAssessment.campaign_id == campaign_id, IntegrityAssessment.frozen_at.is_not(None)
            )
        )
    )
    session.execute(
        delete(IntegrityAssessment).where(
            IntegrityAssessment.campaign_id == campaign_id, IntegrityAssessment.frozen_at.is_(None)
        )
    )
    for attempt_id, result in results.items():
        if attempt_id in frozen:
            continue
        session.add(
            IntegrityAssessment(
                attempt_id=attempt_id,
                campaign_id=campaign_id,
                tier=int(result.tier),
                weight=result.weight,
                result=result_json(result),
                basis=basis,
                computed_at=now,
            )
        )
    try:
        session.commit()
    except IntegrityError:
        # Another worker stored the same campaign at the same moment: its rows are as good.
        session.rollback()


def compute_tiers(found: CampaignObservations, rules: IntegrityRules) -> dict[int, TierResult]:
    """Each attempt's tier from the campaign's observations (pure: no session)."""
    shared = campaign_signals(
        {attempt.attempt_id: attempt.origins for attempt in found.attempts},
        found.written,
        found.chosen,
        found.materials,
        rules,
    )
    times: dict[ItemRef, list[tuple[int, float]]] = defaultdict(list)
    for attempt in found.attempts:
        for timing in attempt.answer_times:
            times[timing.item].append((attempt.attempt_id, timing.seconds))
    durations = [(a.attempt_id, a.duration.total_seconds()) for a in found.attempts]
    results = {}
    for attempt in found.attempts:
        others = {
            item: [s for owner, s in pairs if owner != attempt.attempt_id] for item, pairs in times.items()
        }
        other_durations = [s for owner, s in durations if owner != attempt.attempt_id]
        signals = attempt_signals(attempt, others, other_durations, shared, rules)
        results[attempt.attempt_id] = tier(signals, found.accommodations[attempt.attempt_id], rules)
    return results


def signal_key(signal: Signal) -> str:
    """Names a signal across recomputations: its kind, and the other attempt if it has one."""
    return f"{signal.kind}:{signal.other_attempt}" if signal.other_attempt is not None else str(signal.kind)


def _signal_json(signal: Signal) -> dict[str, Any]:
    return {
        "key": signal_key(signal),
        "kind": str(signal.kind),
        "weight": signal.weight,
        "summary": signal.summary,
        "rule": signal.rule,
        "other_attempt": signal.other_attempt,
        "evidence": [
            {"text": e.text, "position": e.position, "at": e.at.isoformat() if e.at else None}
            for e in signal.evidence
        ],
        "passages": [{"text": p.text, "other_text": p.other_text, "words": p.words} for p in signal.passages],
    }


def result_json(result: TierResult) -> dict[str, Any]:
    return {
        "tier": int(result.tier),
        "weight": result.weight,
        "explanation": list(result.explanation),
        "notice": result.notice,
        "counted": [_signal_json(signal) for signal in result.counted],
        "set_aside": [_signal_json(aside.signal) | {"reason": aside.reason} for aside in result.set_aside],
    }


@dataclass(frozen=True)
class EvidenceLine:
    text: str
    position: int | None
    at: datetime | None


@dataclass(frozen=True)
class StoredSignal:
    key: str
    kind: str
    weight: int
    summary: str
    rule: str
    other_attempt: int | None
    evidence: tuple[EvidenceLine, ...]
    passages: tuple[Mapping[str, Any], ...]
    #: Why it is shown but not counted (an accommodation); empty when counted.
    not_counted: str
    reviews: tuple[tuple[SignalReview, StaffUser], ...]


@dataclass(frozen=True)
class AttemptIntegrity:
    """An attempt's stored tier, its signals (counted first) and what reviewers noted on them."""

    tier: Tier
    weight: int
    rule: str
    explanation: tuple[str, ...]
    notice: str
    signals: tuple[StoredSignal, ...]
    computed_at: datetime
    #: When the raw observations behind it were deleted; it is kept as computed since.
    frozen_at: datetime | None = None

    @property
    def label(self) -> str:
        return self.tier.label


def _stored_signal(
    data: Mapping[str, Any], reviews: Mapping[str, list[tuple[SignalReview, StaffUser]]]
) -> StoredSignal:
    return StoredSignal(
        key=data["key"],
        kind=data["kind"],
        weight=data["weight"],
        summary=data["summary"],
        rule=data["rule"],
        other_attempt=data.get("other_attempt"),
        evidence=tuple(
            EvidenceLine(
                e["text"], e.get("position"), datetime.fromisoformat(e["at"]) if e.get("at") else None
            )
            for e in data["evidence"]
        ),
        passages=tuple(data.get("passages", ())),
        not_counted=data.get("reason", ""),
        reviews=tuple(reviews.get(data["key"], ())),
    )


def attempt_integrity(session: Session, attempt_id: int) -> AttemptIntegrity | None:
    """The attempt's stored tier with its signals, or None when it is not assessed yet."""
    row = session.get(IntegrityAssessment, attempt_id)
    if row is None:
        return None
    reviews: dict[str, list[tuple[SignalReview, StaffUser]]] = defaultdict(list)
    for review, reviewer in session.execute(
        select(SignalReview, StaffUser)
        .join(StaffUser, StaffUser.id == SignalReview.reviewer_id)
        .where(SignalReview.attempt_id == attempt_id)
        .order_by(SignalReview.id.desc())
    ).all():
        reviews[review.signal_key].append((review, reviewer))
    result = row.result
    explanation = tuple(result["explanation"])
    return AttemptIntegrity(
        tier=Tier(row.tier),
        weight=row.weight,
        rule=explanation[0] if explanation else "",
        explanation=explanation,
        notice=result["notice"],
        signals=tuple(_stored_signal(s, reviews) for s in [*result["counted"], *result["set_aside"]]),
        computed_at=row.computed_at,
        frozen_at=row.frozen_at,
    )


def campaign_tiers(session: Session, campaign_id: int) -> dict[int, Tier]:
    """attempt id -> its stored tier; attempts not assessed yet are absent."""
    rows = session.execute(
        select(IntegrityAssessment.attempt_id, IntegrityAssessment.tier).where(
            IntegrityAssessment.campaign_id == campaign_id
        )
    ).all()
    return {attempt_id: Tier(level) for attempt_id, level in rows}


def candidate_tier_labels(session: Session, campaign_id: int) -> dict[int, str]:
    """candidate id (invitation id) -> the tier's label, for the campaign report's column."""
    rows = session.execute(
        select(Attempt.invitation_id, IntegrityAssessment.tier)
        .join(IntegrityAssessment, IntegrityAssessment.attempt_id == Attempt.id)
        .where(IntegrityAssessment.campaign_id == campaign_id)
    ).all()
    return {candidate: Tier(level).label for candidate, level in rows}


def stale_campaign(session: Session) -> int | None:
    """A campaign with a finalized attempt not assessed yet, oldest first; None when all are."""
    return session.scalar(
        select(Attempt.campaign_id)
        .where(
            Attempt.finalized_at.is_not(None),
            Attempt.started_at.is_not(None),
            ~exists().where(IntegrityAssessment.attempt_id == Attempt.id),
        )
        .order_by(Attempt.finalized_at)
        .limit(1)
    )


def mark_signal_reviewed(
    session: Session, attempt_id: int, key: str, note: str, actor: StaffUser, now: datetime
) -> SignalReview:
    """Record that ``actor`` looked at one stored signal of the attempt, with their note (audit-logged)."""
    stored = attempt_integrity(session, attempt_id)
    if stored is None or key not in {signal.key for signal in stored.signals}:
        session.rollback()
        raise UnknownSignal(f"attempt {attempt_id} has no signal {key!r}")
    review = SignalReview(
        attempt_id=attempt_id, signal_key=key, note=note.strip(), reviewer_id=actor.id, reviewed_at=now
    )
    session.add(review)
    record_audit(
        session,
        actor,
        "integrity.signal_reviewed",
        "attempt",
        attempt_id,
        {"signal": key, "note": note.strip()},
        now,
    )
    session.commit()
    return review
