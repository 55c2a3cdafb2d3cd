"""``build_demo``: the demo campaign with candidates at every stage, its staff, and a fresh candidate link.

Everything is made through the services the product itself uses (campaigns, invitations,
attempts, rubric marks, self-identification, scorecards, debrief decisions), with times in the
past from an injected ``now`` and one seeded ``random.Random`` per concern: the same seed gives
the same candidates, answers and scores on any database.

The cohort is built once, when the demo campaign is created. Running the demo again keeps it
(what a visitor explored stays as it was, and nothing is duplicated) and only gives the staff
new passwords and makes a new candidate link.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess.demo.answers import Candidate, ItemParameters, item_parameters
from assess.demo.integrity_events import (
    ASSISTED_EXTRA_TIME,
    ASSISTED_SWITCHER,
    PLANTED_WRITTEN,
    Networks,
    plan_conduct,
    record_demo_observations,
)
from assess.demo.interviews import MUST_HAVE, RED_FLAG, SPLIT, assign_panel, decide, interview
from assess.demo.plan import FINISHED, INTERVIEWED, PlannedCandidate, plan_candidates
from assess.demo.sittings import Sitting, finish_test, review_written, sit_test
from assess.models import Campaign, Invitation, StaffUser
from assess.services.attempt_preparation import prepare_attempts
from assess.services.campaigns import CampaignSettings, campaign_by_slug, create_campaign
from assess.services.integrity_findings import refresh_campaign_tiers
from assess.services.invitations import create_invitation, new_invitation, revoke_invitation
from assess.services.self_identification import PREFER_NOT_TO_SAY, QUESTIONS, record_self_identification
from assess.services.staff import reset_or_create_user
from assess.services.time_grants import grant_extra_time
from items.bank import Catalogue
from kits.model import InterviewKit, KitCatalogue

CAMPAIGN_SLUG = "demo-account-manager"
FORM_ID = "account-manager-smb"
KIT_ID = "account-manager-smb"
CANDIDATE_EMAIL = "demo.candidate@example.com"
DEFAULT_CANDIDATES = 60
DEFAULT_SEED = 2026
#: (role, email, name): one login per role is printed; the second interviewer lets scorecards differ.
STAFF = (
    ("admin", "demo-admin@example.com", "Alex Morgan"),
    ("recruiter", "demo-recruiter@example.com", "Rita Alvarez"),
    ("interviewer", "demo-interviewer@example.com", "Ian Brooks"),
    ("author", "demo-author@example.com", "Omar Haddad"),
)
SECOND_INTERVIEWER = ("interviewer", "demo-interviewer-2@example.com", "Hana Sato")
#: How long ago the campaign opened; each stage's invitations went out in a window of days ago.
HISTORY = timedelta(days=40)
INVITED_DAYS_AGO = {
    "decided": (24, 34),
    "interviewed": (14, 26),
    "reviewed": (6, 20),
    "awaiting_review": (2, 6),
    "running": (1, 3),
    "invited": (1, 5),
    "expired": (24, 33),
    "revoked": (8, 15),
}
EXPIRED_LINK_DAYS = 7
#: Reviewed candidates whose interviewers are assigned and owe their scorecards.
SCHEDULED_INTERVIEWS = 2
SCHEDULED = "scheduled"
LOST_CONNECTION = "Lost the connection for a few minutes; reported by phone."
#: About one candidate in twelve has an accommodation (extra time).
EXTRA_TIME = (Decimal("1.25"), Decimal("1.5"))
#: Finishers who answer the voluntary questions on the done page.
SELF_IDENTIFYING = 0.65
#: Relative frequency of each answer (options not listed: 1); "Prefer not to say" is separate.
ANSWER_WEIGHTS = {
    "gender": {"woman": 46, "man": 46, "non-binary": 4},
    "ethnicity": {"white": 40, "asian": 16, "hispanic-latino": 16, "black": 14, "mixed": 6},
    "age": {"under-40": 65, "40-or-over": 35},
    "disability": {"no": 88, "yes": 12},
}


class DemoUnavailable(LookupError):
    """The configured banks or kits lack what the demo campaign is built on."""


@dataclass(frozen=True)
class StaffLogin:
    role: str
    email: str
    name: str
    password: str


@dataclass(frozen=True)
class DemoLogins:
    """What ``assess demo`` prints: the campaign, a fresh candidate link's token, one login per role."""

    campaign_slug: str
    candidate_token: str
    staff: tuple[StaffLogin, ...]
    #: True when this call built the cohort; False when the database held it already.
    built: bool
    #: The campaign's invitations, the fresh one included.
    invitations: int


def build_demo(
    session: Session, catalogue: Catalogue, kits: KitCatalogue, candidates: int, seed: int, now: datetime
) -> DemoLogins:
    """The demo campaign and its cohort of ``candidates`` (built once), fresh staff passwords and a link."""
    if FORM_ID not in catalogue.forms:
        raise DemoUnavailable(f"the banks have no form {FORM_ID!r}, which the demo campaign uses")
    if KIT_ID not in kits.kits:
        raise DemoUnavailable(f"the interview kits have no kit {KIT_ID!r}, which the demo campaign uses")
    if candidates < 1:
        raise ValueError(f"the demo needs at least 1 candidate, got {candidates}")
    campaign = campaign_by_slug(session, CAMPAIGN_SLUG)
    built = campaign is None
    # Accounts made for a new cohort date from before it, so its history reads in order.
    accounts_at = now - HISTORY - timedelta(days=1) if built else now
    logins, people = [], {}
    for role, email, name in (*STAFF, SECOND_INTERVIEWER):
        # A new password on every run: it is printed, and an old one may sit in a terminal's scrollback.
        password = secrets.token_urlsafe(12)
        people[email] = reset_or_create_user(session, email, role, password, name, accounts_at)
        if (role, email, name) in STAFF:
            logins.append(StaffLogin(role, email, name, password))
    if campaign is None:
        campaign = create_campaign(
            session,
            CAMPAIGN_SLUG,
            "Account Manager (SMB), demo",
            "Account Manager (SMB)",
            FORM_ID,
            catalogue,
            now - HISTORY,
            settings=CampaignSettings(
                title="Account Manager (SMB), demo",
                role="Account Manager (SMB)",
                form_id=FORM_ID,
                kit_id=KIT_ID,
            ),
            kits={kit.id: [c.id for c in kit.competencies] for kit in kits.kits.values()},
        )
        staff = Staff(
            recruiter=people[STAFF[1][1]],
            interviewers=(people[STAFF[2][1]], people[SECOND_INTERVIEWER[1]]),
        )
        _build_cohort(session, campaign, catalogue, kits.kit(KIT_ID), staff, candidates, seed, now)
        # As the app's sweep would within seconds: the review pages and reports show tiers at once.
        refresh_campaign_tiers(session, campaign.id, now)
    _, token = create_invitation(
        session, CAMPAIGN_SLUG, CANDIDATE_EMAIL, now, name="Demo Candidate", catalogue=catalogue
    )
    invitations = session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.campaign_id == campaign.id)
    )
    return DemoLogins(CAMPAIGN_SLUG, token, tuple(logins), built, invitations or 0)


@dataclass(frozen=True)
class Staff:
    recruiter: StaffUser
    interviewers: tuple[StaffUser, StaffUser]


def _between(start: datetime, end: datetime, low: float, high: float, rng: random.Random) -> datetime:
    """A moment the fraction ``low``-``high`` of the way from ``start`` to ``end``."""
    return start + (end - start) * rng.uniform(low, high)


def _self_identification(rng: random.Random) -> dict[str, str]:
    answers = {}
    for question in QUESTIONS:
        if rng.random() < 0.1:
            continue  # every question may be skipped
        if rng.random() < 0.06:
            answers[question.id] = PREFER_NOT_TO_SAY[0]
            continue
        options = [option for option, _ in question.options if option != PREFER_NOT_TO_SAY[0]]
        weights = [ANSWER_WEIGHTS.get(question.id, {}).get(option, 1) for option in options]
        answers[question.id] = rng.choices(options, weights)[0]
    return answers


def _specials(people: list[PlannedCandidate]) -> dict[int, str]:
    """The red flag, the must-have miss and the split panel, among the decided where there are
    enough; and the best reviewed candidates, whose interviews are scheduled but not yet held."""
    decided = sorted((p for p in people if p.stage == "decided"), key=lambda p: -p.theta)
    pool = decided + [p for p in people if p.stage == "interviewed"]
    positions = [0, len(decided) // 2, len(decided) - 1] if len(decided) >= 3 else list(range(3))
    specials = {
        pool[position].index: special
        for special, position in zip((RED_FLAG, MUST_HAVE, SPLIT), positions, strict=True)
        if position < len(pool)
    }
    reviewed = sorted((p for p in people if p.stage == "reviewed"), key=lambda p: -p.theta)
    specials.update({p.index: SCHEDULED for p in reviewed[:SCHEDULED_INTERVIEWS]})
    return specials


@dataclass(frozen=True)
class Cohort:
    """What every candidate of the cohort is built with."""

    session: Session
    catalogue: Catalogue
    kit: InterviewKit
    staff: Staff
    parameters: dict[str, ItemParameters]
    specials: dict[int, str]
    now: datetime
    #: Planted integrity conduct per candidate index (``integrity_events``); the rest are unremarkable.
    conduct: dict[int, str]
    networks: Networks
    seed: int

    def observe(self, sitting: Sitting, person: PlannedCandidate) -> None:
        """The sitting's made-up focus, paste, time-on-item and device observations (demo data)."""
        rng = random.Random(f"{self.seed}:observations:{person.index}")
        record_demo_observations(
            self.session, sitting, self.conduct.get(person.index, ""), self.networks, rng
        )


def _build_cohort(
    session: Session,
    campaign: Campaign,
    catalogue: Catalogue,
    kit: InterviewKit,
    staff: Staff,
    count: int,
    seed: int,
    now: datetime,
) -> None:
    form = catalogue.form(FORM_ID)
    parameters = item_parameters(form.item_ids(), random.Random(f"{seed}:items"))
    people = plan_candidates(count, random.Random(f"{seed}:people"))
    conduct = plan_conduct(people, random.Random(f"{seed}:conduct"))
    cohort = Cohort(
        session, catalogue, kit, staff, parameters, _specials(people), now, conduct, Networks(), seed
    )
    invitations = []
    for person in people:
        rng = random.Random(f"{seed}:invitation:{person.index}")
        low, high = INVITED_DAYS_AGO[person.stage]
        invited_at = now - timedelta(days=rng.uniform(low, high))
        valid = timedelta(days=EXPIRED_LINK_DAYS if person.stage == "expired" else 14)
        extra_time = rng.choice(EXTRA_TIME) if rng.random() < 1 / 12 else Decimal(1)
        assisted = conduct.get(person.index) == ASSISTED_SWITCHER
        invitation, _ = new_invitation(
            session,
            campaign,
            person.email,
            person.name,
            ASSISTED_EXTRA_TIME if assisted else extra_time,
            valid,
            invited_at,
            assistive_technology=assisted,
        )
        invitations.append((person, invitation, invited_at))
    session.flush()
    # As every invitation is: each attempt frozen now, started by its candidate's Start.
    drawing = random.Random(f"{seed}:preparation")
    prepare_attempts(session, catalogue, [invitation for _, invitation, _ in invitations], drawing)
    session.commit()
    waiting, granted = 0, False
    for person, invitation, invited_at in invitations:
        who = Candidate(person.theta, random.Random(f"{seed}:candidate:{person.index}"))
        if person.stage == "revoked":
            at = _between(invited_at, now, 0.2, 0.6, who.rng)
            revoke_invitation(session, invitation.id, at, staff.recruiter)
        elif person.stage == "running":
            _runner(cohort, person, invitation, who, grant=not granted)
            granted = True
        elif person.stage in FINISHED:
            waiting += person.stage == "interviewed"
            _finisher(cohort, person, invitation, invited_at, who, waiting)


def _runner(
    cohort: Cohort, person: PlannedCandidate, invitation: Invitation, who: Candidate, grant: bool
) -> None:
    """Taking the test now; with ``grant``, their connection dropped and the recruiter gave the time back."""
    started = cohort.now - timedelta(minutes=who.rng.uniform(4, 20))
    sitting = sit_test(
        cohort.session, invitation, cohort.catalogue, who, cohort.parameters, started, cohort.now
    )
    cohort.observe(sitting, person)
    if grant:
        recruiter = cohort.staff.recruiter
        at = cohort.now - timedelta(minutes=1)
        grant_extra_time(
            cohort.session, sitting.attempt_id, 5, recruiter.name, LOST_CONNECTION, at, recruiter
        )


def _finisher(
    cohort: Cohort,
    person: PlannedCandidate,
    invitation: Invitation,
    invited_at: datetime,
    who: Candidate,
    waiting: int,
) -> None:
    """Sit the test; then, as far as the candidate's stage goes: review, interviews, decision."""
    session, staff, now, rng = cohort.session, cohort.staff, cohort.now, who.rng
    started = _between(invited_at, now, 0.1, 0.4, rng)
    written = PLANTED_WRITTEN.get(cohort.conduct.get(person.index, ""))
    sitting = sit_test(session, invitation, cohort.catalogue, who, cohort.parameters, started, now, written)
    cohort.observe(sitting, person)
    finished = finish_test(session, sitting, who)
    if rng.random() < SELF_IDENTIFYING:
        record_self_identification(session, invitation, _self_identification(rng))
    if person.stage == "awaiting_review":
        return
    reviewer = rng.choice((staff.recruiter, staff.interviewers[0]))
    review_written(session, sitting, who, cohort.parameters, reviewer, _between(finished, now, 0.1, 0.3, rng))
    special = cohort.specials.get(person.index, "")
    if special == SCHEDULED:
        at = _between(finished, now, 0.4, 0.9, rng)
        assign_panel(session, cohort.kit, invitation, staff.interviewers, staff.recruiter, at)
    if person.stage not in INTERVIEWED:
        return
    # Every third candidate still waiting for a debrief has one scorecard in, and the printed
    # interviewer's still in draft: their login shows the others' card hidden until theirs is in.
    second_submits = person.stage == "decided" or bool(special) or waiting % 3 != 0
    panel = staff.interviewers if second_submits else (staff.interviewers[1], staff.interviewers[0])
    at = _between(finished, now, 0.35, 0.55, rng)
    held = interview(
        session,
        cohort.kit,
        invitation,
        panel,
        staff.recruiter,
        person.theta,
        special,
        second_submits,
        at,
        rng,
    )
    if person.stage == "decided":
        decided_at = _between(at, now, 0.3, 0.6, rng)
        decide(session, cohort.kit, invitation, held, special, staff.recruiter, decided_at)
