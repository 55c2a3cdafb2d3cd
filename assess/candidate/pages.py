"""What each page of a running attempt shows, built from the services' views.

Nothing here reads a key, a rationale or a score: the templates cannot show what
they are never given (Invariant 2).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app, render_template, url_for

from assess.answer_fields import FIELD_PREFIX
from assess.db import app_state, db_session
from assess.models import Attempt, Invitation
from assess.services.attempt_phase import seconds_left
from assess.services.attempt_reads import SlotSummary, SlotView, slot_summaries
from assess.services.authoring import live_catalogue
from items.base import ResponseError
from items.forms import Pool

#: What a candidate reads when another window's or device's newer answer was kept instead of theirs.
CONFLICT_NOTICE = (
    "A newer answer from another window or device was kept, so this change was not saved. "
    "The answer shown is the one stored; change it here if you want yours instead."
)


@dataclass(frozen=True)
class AttemptPage:
    """What every page of a running attempt needs for its time bar and attempt.js."""

    token: str
    seconds_left: int
    time_left_text: str
    answers_url: str
    queue_key: str
    poll_seconds: float
    retry_seconds: float
    save_delay_ms: int


@dataclass(frozen=True)
class NumberedSummary:
    """A slot as the candidate counts it: from 1."""

    number: int
    section_title: str
    title: str
    answered: bool


def format_duration(seconds: int) -> str:
    """``1450`` -> ``"24 min 10 s"``; the same words attempt.js writes."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if hours or minutes:
        parts.append(f"{minutes} min")
        parts.append(f"{secs:02d} s")
    else:
        parts.append(f"{secs} s")
    return " ".join(parts)


def format_time_limit(minutes: Decimal) -> str:
    """``Decimal("37.5")`` -> ``"37 minutes 30 seconds"``: how the instructions state the time."""
    whole, seconds = divmod(int(minutes * 60), 60)
    text = f"{whole} minute{'s' if whole != 1 else ''}"
    return f"{text} {seconds} seconds" if seconds else text


def attempt_page(token: str, attempt: Attempt, now: datetime) -> AttemptPage:
    left = seconds_left(attempt, now)
    return AttemptPage(
        token=token,
        seconds_left=left,
        time_left_text=format_duration(left),
        # attempt.js appends the item number to this.
        answers_url=url_for("candidate.autosave", token=token, n=1).removesuffix("1"),
        # The browser's queue is keyed by a digest, so localStorage never holds a working link.
        queue_key=hashlib.sha256(token.encode()).hexdigest()[:24],
        poll_seconds=current_app.config["STATUS_POLL_SECONDS"],
        retry_seconds=current_app.config["SAVE_RETRY_SECONDS"],
        save_delay_ms=current_app.config["SAVE_DELAY_MS"],
    )


def numbered(summaries: list[SlotSummary]) -> list[NumberedSummary]:
    return [NumberedSummary(s.position + 1, s.section_title, s.title, s.answered) for s in summaries]


def render_item(
    token: str,
    attempt: Attempt,
    view: SlotView,
    summaries: list[SlotSummary],
    now: datetime,
    error: ResponseError | None = None,
    notice: str = "",
) -> str:
    return render_template(
        "candidate/item.html",
        page=attempt_page(token, attempt, now),
        view=view,
        n=view.position + 1,
        summaries=numbered(summaries),
        prefix=FIELD_PREFIX,
        error=error,
        notice=notice,
        conflict_notice=CONFLICT_NOTICE,
    )


def render_review(token: str, attempt: Attempt, now: datetime, confirm_error: str = "") -> str:
    summaries = numbered(slot_summaries(db_session(), attempt))
    sections: list[tuple[str, list[NumberedSummary]]] = []
    for summary in summaries:
        if not sections or sections[-1][0] != summary.section_title:
            sections.append((summary.section_title, []))
        sections[-1][1].append(summary)
    return render_template(
        "candidate/review.html",
        page=attempt_page(token, attempt, now),
        summaries=summaries,
        sections=sections,
        unanswered=[s for s in summaries if not s.answered],
        confirm_error=confirm_error,
    )


def render_instructions(token: str, invitation: Invitation) -> str:
    form_id = invitation.campaign.form_id
    form = live_catalogue(db_session(), app_state().catalogue, form_id).form(form_id)
    sections = [
        {
            "title": section.title,
            "instructions": section.instructions,
            "count": sum(e.draw if isinstance(e, Pool) else 1 for e in section.entries),
        }
        for section in form.sections
    ]
    extra_time = Decimal(invitation.extra_time)
    return render_template(
        "candidate/instructions.html",
        token=token,
        form=form,
        campaign_title=invitation.campaign.role or invitation.campaign.title,
        sections=sections,
        item_count=sum(s["count"] for s in sections),
        minutes_text=format_time_limit(Decimal(form.time_limit_minutes) * extra_time),
        has_extra_time=extra_time > 1,
        extra_time_text=f"{extra_time.normalize():f}",
    )
