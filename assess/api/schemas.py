"""The API's request and response models: they validate what comes in, shape what goes out, and
are the schemas of the OpenAPI document. No model here has a field for a key, a rationale or a
model answer, so no response can carry one."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer

#: Points and percents are exact Decimals inside; JSON numbers outside, as an ATS expects.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageQuery(Model):
    limit: int = Field(50, ge=1, le=200, description="How many items at most.")
    cursor: str | None = Field(
        None,
        max_length=200,
        pattern="^[A-Za-z0-9_-]+$",
        description="``next_cursor`` of the previous page; leave out for the first.",
    )


class Campaign(Model):
    id: int
    slug: str
    title: str
    role: str
    form_id: str
    kit_id: str | None
    assessment_weight: int
    interview_weight: int
    window_start: datetime | None
    window_end: datetime | None
    created_at: datetime


class CampaignPage(Model):
    data: list[Campaign]
    next_cursor: str | None


class Section(Model):
    id: str
    title: str
    items: int


class Form(Model):
    id: str
    title: str
    time_limit_minutes: int
    sections: list[Section]


class FormPage(Model):
    data: list[Form]
    next_cursor: str | None


ASSISTIVE_TECHNOLOGY = (
    "Accommodation: the candidate uses assistive technology (screen reader, dictation, word "
    "prediction...). Focus changes, timing and pastes are then shown to reviewers but never counted "
    "against the candidate. The candidate is never shown this flag."
)
InvitationStatus = Literal["invited", "expired", "revoked", "started", "finished"]


class Invitation(Model):
    id: int
    campaign_id: int
    email: str
    name: str
    extra_time: Number = Field(description="The time-limit multiplier (1.25 = 25 % more).")
    assistive_technology: bool = Field(description=ASSISTIVE_TECHNOLOGY)
    status: InvitationStatus
    expires_at: datetime
    revoked_at: datetime | None
    created_at: datetime
    attempt_id: int | None = Field(description="Set once the candidate has started.")


class InvitationPage(Model):
    data: list[Invitation]
    next_cursor: str | None


class Candidate(Model):
    email: str = Field(max_length=320)
    name: str = Field("", max_length=200)
    extra_time: Decimal = Field(Decimal(1), ge=1, le=3, description="Time-limit multiplier, 1 to 3.")
    assistive_technology: bool = Field(False, strict=True, description=ASSISTIVE_TECHNOLOGY)


class InvitationRequest(Model):
    candidates: list[Candidate] = Field(min_length=1, max_length=1000)
    valid_days: int = Field(14, ge=1, le=365, description="How many days the links stay open.")


class InvitationList(Model):
    data: list[Invitation]


class InvitationExtension(Model):
    expires_at: AwareDatetime = Field(
        description="When the link stops working: later than now and at most 365 days from now "
        "(with its time zone, e.g. 2027-01-31T17:00:00Z). A campaign's invitation window still ends "
        "the link at the window's end."
    )


AttemptPhase = Literal["open", "in grace", "past grace", "finalized"]


class Attempt(Model):
    id: int
    invitation_id: int
    campaign_id: int
    form_id: str
    phase: AttemptPhase
    started_at: datetime
    deadline: datetime
    finalized_at: datetime | None


class SectionScore(Model):
    section_id: str
    title: str
    items: int
    pending_review: int = Field(description="Items whose answers await a reviewer.")
    points: Number
    max_points: Number
    percent: Number | None = Field(description="Over the items scored so far; empty while all await review.")


class AttemptScores(Model):
    attempt_id: int
    finalized: bool
    complete: bool = Field(description="Finalized and nothing awaits a reviewer.")
    percent: Number | None
    sections: list[SectionScore]


TimelineKind = Literal["started", "saved", "submitted", "finalized", "time_granted", "gap"]


class TimelineEntry(Model):
    at: datetime
    kind: TimelineKind
    text: str = Field(description="The entry in words, as the staff review page shows it.")
    until: datetime | None = Field(description="The end of a gap, or the last of a run of saves.")


class AttemptTimeline(Model):
    """What happened to an attempt, in order: no answer and no score, only when and what kind."""

    attempt_id: int
    data: list[TimelineEntry]


class Decision(Model):
    decision: str
    label: str
    decided_by: str
    decided_at: datetime


class SectionResult(Model):
    section_id: str
    title: str
    percent: Number | None = Field(description="Empty until every answer of the section is scored.")
    pending_review: int


class CompetencyResult(Model):
    competency_id: str
    name: str
    mean: Number | None = Field(description="Mean 1-4 rating over stages and interviewers; 0s left out.")
    ratings: int = Field(description="How many 1-4 ratings the mean is of.")


class CandidateResults(Model):
    """One candidate's combined outcome, as the campaign report computes it."""

    invitation_id: int
    status: str
    test_percent: Number | None
    percentile: Number | None = Field(description="Among the campaign's candidates with a test percent.")
    sections: list[SectionResult]
    competencies: list[CompetencyResult] = Field(description="From the submitted interview scorecards.")
    interview_mean: Number | None
    interview_percent: Number | None
    combined_score: Number | None
    overrides: list[str] = Field(description="Red flags and failed must-haves, in words.")
    override_decision: str | None = Field(description="What the overrides decide, if anything.")
    missing: list[str] = Field(description="Why the outcome is incomplete; empty when complete.")
    decision: Decision | None = Field(description="The hiring decision in force, if one is recorded.")


class ReportQuery(Model):
    format: Literal["json", "csv"] | None = Field(
        None, description="csv for the staff report's ranking CSV; otherwise the Accept header decides."
    )


class RankingRow(Model):
    """One candidate's row of the campaign report, the columns of its CSV download."""

    rank: int | None = Field(description="Only candidates a team can compare (complete, no override).")
    candidate_id: int = Field(description="The candidate's invitation id.")
    name: str
    email: str
    combined_score: Number | None
    test_percent: Number | None
    percentile: Number | None
    interview_percent: Number | None
    status: str
    decision: str | None
    decided_by: str | None
    decided_at: datetime | None
    override: str | None = Field(description="What the red flags and must-haves decide, if anything.")
    overrides: list[str]
    missing: list[str]
    integrity_tier: str | None = Field(
        description="No, some or major concerns (a prompt for a conversation, never part of a score); "
        "null until the attempt is assessed."
    )


class CampaignReport(Model):
    campaign_id: int
    title: str
    generated_at: datetime
    ranking: list[RankingRow] = Field(description="In the report's order: ranked, incomplete, overridden.")
