"""Operations on what candidates did: an attempt, its scores and timeline, and their combined results."""

from __future__ import annotations

from assess.api import schemas
from assess.api.problems import not_found
from assess.api.registry import Call, operation
from assess.db import app_state, db_session
from assess.models import Attempt as AttemptRow
from assess.services.api_reads import (
    NotFound,
    candidate_results,
    started_attempt,
    started_attempt_timeline,
)
from assess.services.pipeline import assessment_result
from assess.web import app_kits, current_time


def _attempt(row: AttemptRow, phase: str) -> schemas.Attempt:
    assert row.started_at is not None and row.deadline is not None  # started_attempt shows started ones
    return schemas.Attempt(
        id=row.id,
        invitation_id=row.invitation_id,
        campaign_id=row.campaign_id,
        form_id=row.form_id,
        phase=phase,
        started_at=row.started_at,
        deadline=row.deadline,
        finalized_at=row.finalized_at,
    )


@operation(
    "GET",
    "/attempts/<int:attempt_id>",
    summary="Read where a started attempt stands",
    scope="read",
    response=schemas.Attempt,
    problems=(404,),
)
def read_attempt(call: Call, attempt_id: int) -> schemas.Attempt:
    try:
        row, phase = started_attempt(
            db_session(), attempt_id, current_time(), app_state().settings.grace_seconds
        )
    except NotFound as exc:
        raise not_found(exc) from None
    return _attempt(row, phase.value)


@operation(
    "GET",
    "/attempts/<int:attempt_id>/scores",
    summary="Read an attempt's scores, per section",
    scope="read",
    response=schemas.AttemptScores,
    problems=(404,),
)
def read_attempt_scores(call: Call, attempt_id: int) -> schemas.AttemptScores:
    session = db_session()
    try:
        row, _ = started_attempt(session, attempt_id, current_time(), app_state().settings.grace_seconds)
    except NotFound as exc:
        raise not_found(exc) from None
    result = assessment_result(session, row.invitation_id)
    return schemas.AttemptScores(
        attempt_id=row.id,
        finalized=row.finalized_at is not None,
        complete=result.is_final,
        percent=result.percent if row.finalized_at is not None else None,
        sections=[
            schemas.SectionScore(
                section_id=total.section_id,
                title=title,
                items=total.items,
                pending_review=total.pending,
                points=total.points,
                max_points=total.max_points,
                percent=total.percent,
            )
            for title, total in result.sections
        ]
        if row.finalized_at is not None
        else [],
    )


@operation(
    "GET",
    "/attempts/<int:attempt_id>/timeline",
    summary="Read a started attempt's timeline: starts, saves, gaps, extra time, the end",
    scope="read",
    response=schemas.AttemptTimeline,
    problems=(404,),
)
def read_attempt_timeline(call: Call, attempt_id: int) -> schemas.AttemptTimeline:
    try:
        entries = started_attempt_timeline(db_session(), attempt_id, current_time())
    except NotFound as exc:
        raise not_found(exc) from None
    return schemas.AttemptTimeline(
        attempt_id=attempt_id,
        data=[
            schemas.TimelineEntry(at=entry.at, kind=entry.kind, text=entry.text, until=entry.until)
            for entry in entries
        ],
    )


@operation(
    "GET",
    "/invitations/<int:invitation_id>/results",
    summary="Read a candidate's combined results: test, interviews, overrides and the decision",
    scope="read",
    response=schemas.CandidateResults,
    problems=(404,),
)
def read_results(call: Call, invitation_id: int) -> schemas.CandidateResults:
    try:
        found = candidate_results(db_session(), invitation_id, app_kits())
    except NotFound as exc:
        raise not_found(exc) from None
    decision = found.decision
    return schemas.CandidateResults(
        invitation_id=invitation_id,
        status=found.status,
        test_percent=found.test_percent,
        percentile=found.percentile,
        sections=[
            schemas.SectionResult(
                section_id=section.section_id,
                title=section.title,
                percent=section.percent,
                pending_review=section.pending,
            )
            for section in found.sections
        ],
        competencies=[
            schemas.CompetencyResult(
                competency_id=competency.competency_id,
                name=competency.name,
                mean=competency.mean,
                ratings=competency.ratings,
            )
            for competency in found.competencies
        ],
        interview_mean=found.interview_mean,
        interview_percent=found.interview_percent,
        combined_score=found.combined_score,
        overrides=list(found.overrides),
        override_decision=found.override_decision,
        missing=list(found.missing),
        decision=None
        if decision is None
        else schemas.Decision(
            decision=decision.decision,
            label=decision.label,
            decided_by=decision.decided_by,
            decided_at=decision.decided_at,
        ),
    )
