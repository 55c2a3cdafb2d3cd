"""Campaigns: a role, the assessment form its candidates take, its interview kit and its rules."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.models import Campaign, Invitation, StaffUser
from assess.services.staff import record_audit
from items.bank import Catalogue

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
#: Seed 003's scoring guidance: assessment 40 %, interview 60 %.
DEFAULT_ASSESSMENT_WEIGHT = 40
DEFAULT_INTERVIEW_WEIGHT = 60


class CampaignInvalid(ValueError):
    """A campaign setting that cannot be stored; ``field`` names the form field to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CampaignSettings:
    """What the hiring team sets on a campaign; ``must_haves`` is [(competency id, minimum 1-4)]."""

    title: str
    role: str
    form_id: str
    kit_id: str = ""
    assessment_weight: int = DEFAULT_ASSESSMENT_WEIGHT
    interview_weight: int = DEFAULT_INTERVIEW_WEIGHT
    must_haves: tuple[tuple[str, int], ...] = field(default_factory=tuple)
    window_start: datetime | None = None
    window_end: datetime | None = None


def check_settings(
    settings: CampaignSettings, catalogue: Catalogue, kits: Mapping[str, Collection[str]] | None
) -> CampaignSettings:
    """The settings, trimmed; ``CampaignInvalid`` names the first field that is wrong.

    ``kits`` maps each interview kit id known to its competency ids (None: kits are
    not checked); must-have rules must name competencies of the chosen kit.
    """
    title, role, kit_id = settings.title.strip(), settings.role.strip(), settings.kit_id.strip()
    if not title:
        raise CampaignInvalid("title", "a campaign needs a title")
    if not role:
        raise CampaignInvalid("role", "a campaign needs a role")
    if len(title) > 200 or len(role) > 200:
        raise CampaignInvalid("title" if len(title) > 200 else "role", "at most 200 characters")
    if settings.form_id not in catalogue.forms:
        known = ", ".join(sorted(catalogue.forms)) or "none"
        raise CampaignInvalid("form_id", f"no form {settings.form_id!r} in the banks loaded; forms: {known}")
    if kit_id and kits is not None and kit_id not in kits:
        known = ", ".join(sorted(kits)) or "none"
        raise CampaignInvalid("kit_id", f"no interview kit {kit_id!r}; kits: {known}")
    for name, weight in (
        ("assessment_weight", settings.assessment_weight),
        ("interview_weight", settings.interview_weight),
    ):
        if not 0 <= weight <= 100:
            raise CampaignInvalid(name, f"a weight is a percentage from 0 to 100, got {weight}")
    if settings.assessment_weight + settings.interview_weight != 100:
        raise CampaignInvalid(
            "interview_weight",
            f"the weights must sum to 100 %, got {settings.assessment_weight} + {settings.interview_weight}",
        )
    for competency, minimum in settings.must_haves:
        if not 1 <= minimum <= 4:
            raise CampaignInvalid("must_haves", f"the minimum for {competency!r} must be 1-4, got {minimum}")
    if len({competency for competency, _ in settings.must_haves}) < len(settings.must_haves):
        raise CampaignInvalid("must_haves", "a competency has two must-have rules")
    competencies = kits.get(kit_id) if kits is not None and kit_id else None
    if competencies is not None:
        for competency, _ in settings.must_haves:
            if competency not in competencies:
                known = ", ".join(sorted(competencies))
                raise CampaignInvalid(
                    "must_haves", f"the kit has no competency {competency!r}; its competencies: {known}"
                )
    start, end = settings.window_start, settings.window_end
    for name, moment in (("window_start", start), ("window_end", end)):
        if moment is not None and moment.tzinfo is None:
            raise CampaignInvalid(name, "a time without a time zone cannot be stored")
    if start is not None and end is not None and end <= start:
        raise CampaignInvalid("window_end", "the window must close after it opens")
    return CampaignSettings(
        title=title,
        role=role,
        form_id=settings.form_id,
        kit_id=kit_id,
        assessment_weight=settings.assessment_weight,
        interview_weight=settings.interview_weight,
        must_haves=settings.must_haves,
        window_start=start,
        window_end=end,
    )


def _apply(campaign: Campaign, settings: CampaignSettings) -> dict[str, Any]:
    """Set the campaign's fields; returns {field: [before, after]} for what changed."""
    values: dict[str, Any] = {
        "title": settings.title,
        "role": settings.role,
        "form_id": settings.form_id,
        "kit_id": settings.kit_id,
        "assessment_weight": settings.assessment_weight,
        "interview_weight": settings.interview_weight,
        "must_haves": [{"competency": c, "minimum": m} for c, m in settings.must_haves],
        "window_start": settings.window_start,
        "window_end": settings.window_end,
    }
    changes: dict[str, Any] = {}
    for name, value in values.items():
        before = getattr(campaign, name, None)
        if before != value:
            changes[name] = [_plain(before), _plain(value)]
            setattr(campaign, name, value)
    return changes


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def create_campaign(
    session: Session,
    slug: str,
    title: str,
    role: str,
    form_id: str,
    catalogue: Catalogue,
    now: datetime,
    settings: CampaignSettings | None = None,
    kits: Mapping[str, Collection[str]] | None = None,
    actor: StaffUser | None = None,
) -> Campaign:
    """A new campaign; ``ValueError`` (``CampaignInvalid``) says what is wrong and nothing is stored.

    ``settings`` carries the kit, weights, must-haves and window; without it the
    campaign has seed 003's defaults and no kit.
    """
    slug = slug.strip()
    if not SLUG_PATTERN.match(slug):
        raise CampaignInvalid(
            "slug",
            f"campaign slug {slug!r} must be 1-64 lowercase letters, digits and hyphens, "
            "starting with a letter or digit",
        )
    settings = settings or CampaignSettings(title=title, role=role, form_id=form_id)
    checked = check_settings(settings, catalogue, kits)
    if campaign_by_slug(session, slug) is not None:
        raise CampaignInvalid("slug", f"a campaign {slug!r} already exists")
    campaign = Campaign(slug=slug, created_at=now)
    changes = _apply(campaign, checked)
    session.add(campaign)
    try:
        session.flush()
        detail = {"slug": slug, **{name: after for name, (_, after) in changes.items()}}
        record_audit(session, actor, "campaign.create", "campaign", campaign.id, detail, now)
        session.commit()
    except IntegrityError:
        # Another process created the same slug between our check and our insert.
        session.rollback()
        raise CampaignInvalid("slug", f"a campaign {slug!r} already exists") from None
    return campaign


def update_campaign(
    session: Session,
    campaign_id: int,
    settings: CampaignSettings,
    catalogue: Catalogue,
    kits: Mapping[str, Collection[str]] | None,
    actor: StaffUser | None,
    now: datetime,
) -> Campaign:
    """Change a campaign's settings, logging what changed; nothing is stored on a ``CampaignInvalid``."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(f"no campaign {campaign_id}")
    checked = check_settings(settings, catalogue, kits)
    changes = _apply(campaign, checked)
    if changes:
        # Weights and must-haves change how every candidate of the campaign is judged.
        record_audit(session, actor, "campaign.update", "campaign", campaign.id, {"changes": changes}, now)
    session.commit()
    return campaign


def campaign_by_slug(session: Session, slug: str) -> Campaign | None:
    return session.scalars(select(Campaign).where(Campaign.slug == slug)).one_or_none()


def campaigns_using_form(session: Session, form_id: str) -> list[Campaign]:
    return list(session.scalars(select(Campaign).where(Campaign.form_id == form_id)))


def campaigns_with_counts(session: Session) -> list[tuple[Campaign, int]]:
    """Every campaign, newest first, with its number of invitations."""
    counts = (
        select(Invitation.campaign_id, func.count().label("n")).group_by(Invitation.campaign_id).subquery()
    )
    rows = session.execute(
        select(Campaign, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.campaign_id == Campaign.id)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    ).all()
    return [(campaign, int(n)) for campaign, n in rows]
