"""Creating and editing campaigns from the staff pages: defaults, validation per field, the audit log."""

from __future__ import annotations

import html
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post

from assess.models import AuditEntry, Campaign
from assess.services.campaigns import CampaignInvalid, CampaignSettings, create_campaign
from items.bank import Catalogue


def campaign_form(form: str, **changes: Any) -> dict[str, Any]:
    data = {
        "slug": "am-spring",
        "title": "Account Manager, spring",
        "role": "Account Manager (SMB)",
        "form_id": form,
        "kit_id": "",
        "assessment_weight": "40",
        "interview_weight": "60",
        **{f"must_have_{number}": "" for number in range(1, 6)},
        **{f"minimum_{number}": "3" for number in range(1, 6)},
        "window_start": "",
        "window_end": "",
    }
    data.update(changes)
    return data


def test_new_campaign_offers_seed_003_weights(recruiter: StaffClient) -> None:
    page = recruiter.get("/staff/campaigns/new").get_data(as_text=True)
    assert 'name="assessment_weight" type="number" value="40"' in page or 'value="40"' in page
    assert 'value="60"' in page


def test_recruiter_creates_a_campaign_with_kit_rules_and_window(
    session_factory: sessionmaker[Session], form_id: str, recruiter: StaffClient
) -> None:
    response = post(
        recruiter,
        "/staff/campaigns/new",
        campaign_form(
            form_id,
            kit_id="key-account-manager",
            assessment_weight="30",
            interview_weight="70",
            must_have_1="strategic-account-planning",
            minimum_1="3",
            window_start="2030-01-01T09:00",
            window_end="2030-02-01T17:00",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with session_factory() as session:
        campaign = session.scalars(select(Campaign)).one()
        assert (campaign.kit_id, campaign.assessment_weight, campaign.interview_weight) == (
            "key-account-manager",
            30,
            70,
        )
        assert campaign.must_haves == [{"competency": "strategic-account-planning", "minimum": 3}]
        assert (
            campaign.window_start is not None
            and campaign.window_start.isoformat() == "2030-01-01T09:00:00+00:00"
        )
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "campaign.create")).one()
        assert entry.actor_id == recruiter.user.id
    pipeline = recruiter.get(response.headers["Location"]).get_data(as_text=True)
    assert "Account Manager, spring" in pipeline
    assert "Strategic Account Planning at least 3" in pipeline
    assert "strategic-account-planning" not in pipeline


def test_weights_must_sum_to_100_and_nothing_is_stored(
    session_factory: sessionmaker[Session], form_id: str, recruiter: StaffClient
) -> None:
    response = post(
        recruiter,
        "/staff/campaigns/new",
        campaign_form(form_id, assessment_weight="50", interview_weight="60"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="interview_weight-error"' in page
    assert "must sum to 100" in page
    with session_factory() as session:
        assert session.scalars(select(Campaign)).all() == []


def test_unknown_form_or_kit_is_refused(
    session_factory: sessionmaker[Session], form_id: str, recruiter: StaffClient
) -> None:
    for changes in ({"form_id": "no-such-form"}, {"kit_id": "no-such-kit"}):
        response = post(recruiter, "/staff/campaigns/new", campaign_form(form_id, **changes))
        assert response.status_code == 422
        assert "Not a valid choice" in response.get_data(as_text=True)
    with session_factory() as session:
        assert session.scalars(select(Campaign)).all() == []


def test_campaign_form_offers_the_kits_competencies_by_name(form_id: str, recruiter: StaffClient) -> None:
    page = recruiter.get("/staff/campaigns/new").get_data(as_text=True)
    assert '<select id="must_have_1" name="must_have_1"' in page
    assert '<optgroup label="Key Account Manager' in page
    assert '<option value="strategic-account-planning">Strategic Account Planning</option>' in page


def test_edit_form_offers_only_the_attached_kits_competencies(
    session_factory: sessionmaker[Session], form_id: str, recruiter: StaffClient
) -> None:
    created = post(
        recruiter,
        "/staff/campaigns/new",
        campaign_form(form_id, kit_id="key-account-manager", must_have_1="strategic-account-planning"),
    )
    assert created.status_code == 302
    with session_factory() as session:
        campaign_id = session.scalars(select(Campaign.id)).one()
    page = recruiter.get(f"/staff/campaigns/{campaign_id}/edit").get_data(as_text=True)
    assert "<optgroup" not in page
    assert '<option selected value="strategic-account-planning">Strategic Account Planning</option>' in page


def test_must_haves_name_competencies_of_the_kit(
    session_factory: sessionmaker[Session], form_id: str, recruiter: StaffClient
) -> None:
    bad = [
        (
            {"kit_id": "key-account-manager", "must_have_2": "telepathy"},
            "must_have_2",
            "Choose one of the competencies of",
        ),
        (
            {"kit_id": "key-account-manager", "must_have_1": "strategic-account-planning", "minimum_1": "5"},
            "minimum_1",
            "Not a valid choice",
        ),
        ({"must_have_1": "strategic-account-planning"}, "must_have_1", "choose an interview kit first"),
        (
            {
                "kit_id": "key-account-manager",
                "must_have_1": "strategic-account-planning",
                "must_have_3": "strategic-account-planning",
            },
            "must_have_3",
            "Strategic Account Planning has a must-have already",
        ),
    ]
    for changes, field, message in bad:
        response = post(recruiter, "/staff/campaigns/new", campaign_form(form_id, **changes))
        assert response.status_code == 422
        page = html.unescape(response.get_data(as_text=True))
        error = page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
        assert message in error
    with session_factory() as session:
        assert session.scalars(select(Campaign)).all() == []


def test_window_must_close_after_it_opens(form_id: str, recruiter: StaffClient) -> None:
    response = post(
        recruiter,
        "/staff/campaigns/new",
        campaign_form(form_id, window_start="2030-02-01T09:00", window_end="2030-01-01T09:00"),
    )
    assert response.status_code == 422
    assert "close after it opens" in response.get_data(as_text=True)


def test_editing_a_campaign_logs_what_changed(
    session_factory: sessionmaker[Session], form_id: str, recruiter: StaffClient
) -> None:
    created = post(recruiter, "/staff/campaigns/new", campaign_form(form_id))
    campaign_id = int(created.headers["Location"].rsplit("/", 1)[1])
    edit_page = recruiter.get(f"/staff/campaigns/{campaign_id}/edit").get_data(as_text=True)
    assert "Account Manager, spring" in edit_page
    data = campaign_form(
        form_id, title="Account Manager, summer", assessment_weight="45", interview_weight="55"
    )
    data.pop("slug")
    response = post(recruiter, f"/staff/campaigns/{campaign_id}/edit", data)
    assert response.status_code == 302
    with session_factory() as session:
        campaign = session.get_one(Campaign, campaign_id)
        assert (campaign.title, campaign.assessment_weight) == ("Account Manager, summer", 45)
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "campaign.update")).one()
        assert entry.detail["changes"]["assessment_weight"] == [40, 45]
        assert entry.detail["changes"]["title"] == ["Account Manager, spring", "Account Manager, summer"]


def test_campaign_list_shows_campaigns(form_id: str, recruiter: StaffClient) -> None:
    post(recruiter, "/staff/campaigns/new", campaign_form(form_id))
    page = recruiter.get("/staff/campaigns").get_data(as_text=True)
    assert "Account Manager, spring" in page
    assert "40 % test / 60 % interview" in page


def test_unknown_campaign_is_404(recruiter: StaffClient) -> None:
    assert recruiter.get("/staff/campaigns/999").status_code == 404
    assert recruiter.get("/staff/campaigns/1?status=nonsense").status_code in (400, 404)


def test_the_service_refuses_a_must_have_minimum_outside_1_to_4_or_twice_one_competency(
    app: Flask, session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str, clock: Any
) -> None:
    for rules, message in (
        ((("strategic-account-planning", 5),), "must be 1-4, got 5"),
        ((("strategic-account-planning", 3), ("strategic-account-planning", 2)), "two must-have rules"),
    ):
        settings = CampaignSettings(
            title="T", role="R", form_id=form_id, kit_id="key-account-manager", must_haves=rules
        )
        with session_factory() as session, pytest.raises(CampaignInvalid, match=message):
            create_campaign(
                session, "am", "T", "R", form_id, catalogue, clock(), settings=settings,
                kits={"key-account-manager": {"strategic-account-planning"}},
            )  # fmt: skip
    with session_factory() as session:
        assert session.scalars(select(Campaign)).all() == []
