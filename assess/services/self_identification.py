"""Voluntary self-identification: the questions, and a candidate's own answers after their test.

Offered on the candidate's done page, after the test is submitted, so it cannot weigh on
the test or be mistaken for part of it. Every question may be skipped and has "Prefer not
to say"; answering changes nothing about the candidate's attempt, scores or interviews.
The answers are stored apart (``assess.models.self_identification``) and read back only
for the candidate's own form and, in aggregate, for the admins' fairness report
(``assess.services.fairness``). Not audited: an audit entry would be one more link
between a named candidate and their answers, and the answers change no outcome.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import not_, select
from sqlalchemy.orm import Session

from assess.models import Attempt, Invitation
from assess.models.self_identification import SelfIdentification, SelfIdentificationLink
from assess.services.attempt_phase import STARTED, is_open_sql
from assess.services.invitations import TOKEN_PATTERN, token_hash

PREFER_NOT_TO_SAY = ("prefer-not-to-say", "Prefer not to say")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    #: (option id, label), "Prefer not to say" last.
    options: tuple[tuple[str, str], ...]

    def label(self, option_id: str) -> str:
        return dict(self.options)[option_id]


#: Broad, neutral categories; every question may be left blank or answered "Prefer not to say".
QUESTIONS = (
    Question(
        "gender",
        "Gender",
        (
            ("woman", "Woman"),
            ("man", "Man"),
            ("non-binary", "Non-binary"),
            ("another-way", "I describe myself another way"),
            PREFER_NOT_TO_SAY,
        ),
    ),
    Question(
        "ethnicity",
        "Ethnic background",
        (
            ("asian", "Asian"),
            ("black", "Black"),
            ("hispanic-latino", "Hispanic or Latino"),
            ("middle-eastern-north-african", "Middle Eastern or North African"),
            ("white", "White"),
            ("mixed", "Mixed or multiple backgrounds"),
            ("another", "Another background"),
            PREFER_NOT_TO_SAY,
        ),
    ),
    Question("age", "Age group", (("under-40", "Under 40"), ("40-or-over", "40 or over"), PREFER_NOT_TO_SAY)),
    Question(
        "disability",
        "Do you consider yourself to have a disability?",
        (("yes", "Yes"), ("no", "No"), PREFER_NOT_TO_SAY),
    ),
)


class SelfIdentificationInvalid(ValueError):
    """An answer that is not one of the question's options (a tampered form)."""


def invitation_after_test(session: Session, token: str, now: datetime) -> Invitation | None:
    """The invitation behind a link whose test is over (submitted, or its time up); else None."""
    if not TOKEN_PATTERN.match(token):
        return None
    return session.scalars(
        select(Invitation)
        .join(Attempt, Attempt.invitation_id == Invitation.id)
        .where(
            Invitation.token_hash == token_hash(token),
            STARTED,
            not_(is_open_sql(now)),
        )
    ).one_or_none()


def _stored(
    session: Session, invitation: Invitation
) -> tuple[SelfIdentificationLink, SelfIdentification] | None:
    link = session.get(SelfIdentificationLink, invitation.id)
    if link is None:
        return None
    return link, session.get_one(SelfIdentification, link.answers_id)


def own_answers(session: Session, invitation: Invitation) -> dict[str, str]:
    """What this candidate answered (question id -> option id), for their own form only."""
    stored = _stored(session, invitation)
    return dict(stored[1].answers) if stored else {}


def checked_answers(form: Mapping[str, str]) -> dict[str, str]:
    """The answers given (blank ones left out); ``SelfIdentificationInvalid`` for an unknown option."""
    answers = {}
    for question in QUESTIONS:
        given = form.get(question.id, "").strip()
        if not given:
            continue
        if given not in dict(question.options):
            raise SelfIdentificationInvalid(f"{question.id}: {given!r} is not one of the options")
        answers[question.id] = given
    return answers


def record_self_identification(session: Session, invitation: Invitation, answers: Mapping[str, str]) -> None:
    """Store the candidate's answers (``checked_answers``); no answer at all removes what was stored."""
    stored = _stored(session, invitation)
    if stored is not None and answers:
        stored[1].answers = dict(answers)
    elif stored is not None:
        session.delete(stored[0])
        session.flush()
        session.delete(stored[1])
    elif answers:
        # A fresh random id, never derived from the invitation: the row alone says nothing of whose it is.
        row = SelfIdentification(id=secrets.token_hex(16), answers=dict(answers))
        session.add(row)
        session.flush()
        session.add(SelfIdentificationLink(invitation_id=invitation.id, answers_id=row.id))
    session.commit()
