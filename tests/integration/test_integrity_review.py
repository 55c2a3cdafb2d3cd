"""Integrity tiers from recorded events to the recruiter's review page and the campaign report."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from integrity_setup import PASTER, TAB_SWITCHER, Behaviour, take_attempt
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post

from assess.models import Attempt, AuditEntry, Campaign, IntegrityAssessment, SignalReview
from assess.services.integrity_findings import attempt_integrity, campaign_tiers, stale_campaign
from assess.sweep import DeadlineSweep
from integrity.tiers import CONVERSATION_NOT_VERDICT, Tier
from items.bank import Catalogue

if TYPE_CHECKING:
    from conftest import ControllableClock

DEVICE_CHANGER = Behaviour("device@example.com", switch_device=True, network="198.51.102.0/24")
ACCOMMODATED = Behaviour(
    "extra@example.com", away_seconds=(40, 40, 40), extra_time=Decimal("1.5"), network="198.51.103.0/24"
)
STEADY = Behaviour("steady@example.com", network="198.51.104.0/24")
CAMPAIGN = (TAB_SWITCHER, PASTER, DEVICE_CHANGER, ACCOMMODATED, STEADY)


@pytest.fixture
def attempts(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
) -> dict[str, int]:
    """email -> attempt id, every attempt finished and written answers present."""
    return {b.email: take_attempt(session_factory, catalogue, invite, clock, b) for b in CAMPAIGN}


def campaign_id(session_factory: sessionmaker[Session], attempt_id: int) -> int:
    with session_factory() as session:
        return session.get_one(Attempt, attempt_id).campaign_id


def anchors(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def evidence_links(html: str) -> list[str]:
    section = html.split('id="integrity-heading"', 1)[1].split('id="timeline-heading"', 1)[0]
    return re.findall(r'href="#([^"]+)"', section)


def test_the_sweep_tiers_each_finished_attempt_by_what_it_did(
    app: Flask, session_factory: sessionmaker[Session], attempts: dict[str, int], clock: ControllableClock
) -> None:
    sweep = DeadlineSweep(session_factory, clock, grace_seconds=30, interval_seconds=60)
    campaign = campaign_id(session_factory, attempts[STEADY.email])
    with session_factory() as session:
        assert stale_campaign(session) == campaign
    assert sweep.assess_integrity_once() == campaign
    with session_factory() as session:
        assert stale_campaign(session) is None
        tiers = campaign_tiers(session, campaign)
        paster = attempt_integrity(session, attempts[PASTER.email])
        accommodated = attempt_integrity(session, attempts[ACCOMMODATED.email])
    assert tiers[attempts[TAB_SWITCHER.email]] is Tier.SOME_CONCERNS
    assert tiers[attempts[PASTER.email]] is Tier.SOME_CONCERNS
    assert tiers[attempts[DEVICE_CHANGER.email]] is Tier.SOME_CONCERNS
    # The same time away as the tab switcher's, with extra time: shown, never counted.
    assert tiers[attempts[ACCOMMODATED.email]] is Tier.NO_CONCERNS
    assert tiers[attempts[STEADY.email]] is Tier.NO_CONCERNS
    assert paster is not None and [s.kind for s in paster.signals] == ["paste"]
    assert paster.signals[0].weight == 2
    assert accommodated is not None and [s.kind for s in accommodated.signals] == ["time_away"]
    assert "extra time" in accommodated.signals[0].not_counted
    # Nothing changed since: another round does no work.
    assert sweep.assess_integrity_once() is None


def test_a_recruiter_follows_each_signal_to_its_evidence_and_marks_it_reviewed(
    app: Flask,
    session_factory: sessionmaker[Session],
    attempts: dict[str, int],
    staff_client: Callable[..., StaffClient],
) -> None:
    recruiter = staff_client("recruiter", name="Rita Recruiter")
    attempt_id = attempts[TAB_SWITCHER.email]
    page = recruiter.get(f"/staff/review/attempts/{attempt_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Some concerns" in html
    assert CONVERSATION_NOT_VERDICT in html
    assert "The counted signals&#39; weights are added" in html
    assert "Away from the page 3 times, 2 min in all, 40 s at the longest" in html
    links = evidence_links(html)
    assert links, "every evidence line links to its place"
    assert set(links) <= anchors(html), "an evidence link points at nothing on the page"
    assert any(link.startswith("timeline-") for link in links)
    assert "Switched away from item 1" in html

    signal = re.search(r'name="signal" value="([^"]+)"', html)
    assert signal is not None
    refused = post(recruiter, f"/staff/review/attempts/{attempt_id}/signals", {"signal": signal.group(1)})
    assert refused.status_code == 422
    assert "Say what you found." in refused.get_data(as_text=True)

    done = post(
        recruiter,
        f"/staff/review/attempts/{attempt_id}/signals",
        {"signal": signal.group(1), "note": "Asked: a delivery arrived mid-test."},
    )
    assert done.status_code == 302
    html = recruiter.get(f"/staff/review/attempts/{attempt_id}").get_data(as_text=True)
    assert "Reviewed by Rita Recruiter" in html
    assert "Asked: a delivery arrived mid-test." in html
    with session_factory() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "integrity.signal_reviewed")
        ).one()
        assert entry.subject_id == str(attempt_id)
        assert entry.actor_id == recruiter.user.id
        assert entry.detail["signal"] == signal.group(1)


def test_other_attempts_link_and_set_aside_signals_say_why(
    app: Flask, attempts: dict[str, int], staff_client: Callable[..., StaffClient]
) -> None:
    recruiter = staff_client("recruiter")
    html = recruiter.get(f"/staff/review/attempts/{attempts[ACCOMMODATED.email]}").get_data(as_text=True)
    assert "No concerns" in html
    assert "Not counted" in html
    assert "because the candidate has extra time" in html
    device = recruiter.get(f"/staff/review/attempts/{attempts[DEVICE_CHANGER.email]}").get_data(as_text=True)
    assert "Chrome on Android, 192.0.2.0/24" in device
    assert set(evidence_links(device)) <= anchors(device)


def test_a_signal_not_on_the_attempt_is_refused_and_nothing_is_stored(
    app: Flask,
    session_factory: sessionmaker[Session],
    attempts: dict[str, int],
    staff_client: Callable[..., StaffClient],
) -> None:
    recruiter = staff_client("recruiter")
    attempt_id = attempts[STEADY.email]
    recruiter.get(f"/staff/review/attempts/{attempt_id}")
    stale = post(
        recruiter,
        f"/staff/review/attempts/{attempt_id}/signals",
        {"signal": "paste", "note": "Looked at it."},
    )
    assert stale.status_code == 409
    assert "no longer among this attempt" in stale.get_data(as_text=True)
    tampered = post(
        recruiter, f"/staff/review/attempts/{attempt_id}/signals", {"signal": "<script>", "note": "x"}
    )
    assert tampered.status_code == 400
    with session_factory() as session:
        assert session.scalars(select(SignalReview)).all() == []


def test_interviewers_never_see_or_mark_signals(
    app: Flask,
    session_factory: sessionmaker[Session],
    attempts: dict[str, int],
    staff_client: Callable[..., StaffClient],
) -> None:
    attempt_id = attempts[TAB_SWITCHER.email]
    interviewer = staff_client("interviewer")
    page = interviewer.get(f"/staff/review/attempts/{attempt_id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Integrity" not in html and CONVERSATION_NOT_VERDICT not in html
    refused = post(
        interviewer, f"/staff/review/attempts/{attempt_id}/signals", {"signal": "time_away", "note": "x"}
    )
    assert refused.status_code == 403
    with session_factory() as session:
        # Nor did the interviewer's visit compute anything on the recruiter's behalf.
        assert session.scalars(select(IntegrityAssessment)).all() == []


def test_the_report_csv_and_the_api_carry_the_tier_as_its_own_column(
    app: Flask,
    session_factory: sessionmaker[Session],
    attempts: dict[str, int],
    clock: ControllableClock,
    staff_client: Callable[..., StaffClient],
) -> None:
    recruiter = staff_client("recruiter")
    campaign = campaign_id(session_factory, attempts[STEADY.email])
    before = recruiter.get(f"/staff/reports/{campaign}/download/csv")
    assert before.status_code == 200, before.status_code
    rows = list(csv.DictReader(io.StringIO(before.get_data(as_text=True).lstrip("\ufeff"))))
    assert {row["integrity_tier"] for row in rows} == {""}, "not assessed yet: empty"

    DeadlineSweep(session_factory, clock, grace_seconds=30, interval_seconds=60).assess_integrity_once()
    after = recruiter.get(f"/staff/reports/{campaign}/download/csv")
    rows = list(csv.DictReader(io.StringIO(after.get_data(as_text=True).lstrip("\ufeff"))))
    tiers = {row["email"]: row["integrity_tier"] for row in rows}
    assert tiers[TAB_SWITCHER.email] == "Some concerns"
    assert tiers[ACCOMMODATED.email] == "No concerns"
    with session_factory() as session:
        title = session.get_one(Campaign, campaign).title
    page = recruiter.get(f"/staff/reports/{campaign}").get_data(as_text=True)
    assert title in page and "Integrity tier" in page and "Some concerns" in page
