"""Campaigns: a role and the assessment form its candidates take."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.models import Campaign
from items.bank import Catalogue

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def create_campaign(
    session: Session,
    slug: str,
    title: str,
    role: str,
    form_id: str,
    catalogue: Catalogue,
    now: datetime,
) -> Campaign:
    """A new campaign; ``ValueError`` says what is wrong and nothing is stored."""
    slug, title, role = slug.strip(), title.strip(), role.strip()
    if not SLUG_PATTERN.match(slug):
        raise ValueError(
            f"campaign slug {slug!r} must be 1-64 lowercase letters, digits and hyphens, "
            "starting with a letter or digit"
        )
    if not title:
        raise ValueError("a campaign needs a title")
    if not role:
        raise ValueError("a campaign needs a role")
    if form_id not in catalogue.forms:
        known = ", ".join(sorted(catalogue.forms)) or "none"
        raise ValueError(f"no form {form_id!r} in the banks loaded; forms: {known}")
    if campaign_by_slug(session, slug) is not None:
        raise ValueError(f"a campaign {slug!r} already exists")
    campaign = Campaign(slug=slug, title=title, role=role, form_id=form_id, created_at=now)
    session.add(campaign)
    try:
        session.commit()
    except IntegrityError:
        # Another process created the same slug between our check and our insert.
        session.rollback()
        raise ValueError(f"a campaign {slug!r} already exists") from None
    return campaign


def campaign_by_slug(session: Session, slug: str) -> Campaign | None:
    return session.scalars(select(Campaign).where(Campaign.slug == slug)).one_or_none()
