"""The API's operations: each parses its input, calls one service and shapes the answer."""

from __future__ import annotations

from datetime import timedelta

from flask import request

from assess.api import bp, schemas
from assess.api.openapi import openapi_document as build_document
from assess.api.pagination import cursor_after, position
from assess.api.problems import ApiProblem, FieldProblem
from assess.api.registry import Call, StoredReply, operation
from assess.db import app_state, db_session
from assess.models import Attempt as AttemptRow
from assess.models import Campaign as CampaignRow
from assess.services.api_invitations import (
    Idempotency,
    IdempotencyKeyReused,
    IdempotencyPending,
    StoredAnswer,
    invite_through_api,
    request_fingerprint,
    revoke_through_api,
    store_answer,
)
from assess.services.api_reads import (
    InvitationState,
    NotFound,
    campaign,
    campaigns_page,
    candidate_results,
    forms_page,
    invitation_states,
    invitations_page,
    started_attempt,
)
from assess.services.authoring import live_catalogue
from assess.services.invitation_import import InviteRefused, InviteRow
from assess.services.pipeline import assessment_result
from assess.web import app_kits, current_time
from items.forms import Pool, Section


def _not_found(exc: NotFound) -> ApiProblem:
    return ApiProblem(404, "Not Found", str(exc).capitalize() + ".")


def _campaign(row: CampaignRow) -> schemas.Campaign:
    return schemas.Campaign(
        id=row.id,
        slug=row.slug,
        title=row.title,
        role=row.role,
        form_id=row.form_id,
        kit_id=row.kit_id or None,
        assessment_weight=row.assessment_weight,
        interview_weight=row.interview_weight,
        window_start=row.window_start,
        window_end=row.window_end,
        created_at=row.created_at,
    )


def _shown(section: Section) -> int:
    """How many items a candidate is shown in the section: one per fixed item, a pool's draw."""
    return sum(entry.draw if isinstance(entry, Pool) else 1 for entry in section.entries)


def _invitation(state: InvitationState) -> schemas.Invitation:
    invitation = state.invitation
    return schemas.Invitation(
        id=invitation.id,
        campaign_id=invitation.campaign_id,
        email=invitation.email,
        name=invitation.name,
        extra_time=invitation.extra_time,
        status=state.status(current_time()),
        expires_at=invitation.expires_at,
        revoked_at=invitation.revoked_at,
        created_at=invitation.created_at,
        attempt_id=state.attempt.id if state.attempt is not None else None,
    )


@bp.get("/openapi.json")
def openapi_document() -> dict[str, object]:
    """The OpenAPI 3.1 document, public: it describes the API, and holds nothing of anyone's data."""
    return build_document()


@operation(
    "GET",
    "/campaigns",
    summary="List campaigns",
    scope="read",
    response=schemas.CampaignPage,
    query=schemas.PageQuery,
)
def list_campaigns(call: Call) -> schemas.CampaignPage:
    query: schemas.PageQuery = call.query
    rows, more = campaigns_page(db_session(), position(query.cursor, int), query.limit)
    return schemas.CampaignPage(
        data=[_campaign(row) for row in rows], next_cursor=cursor_after(rows[-1].id) if more else None
    )


@operation(
    "GET",
    "/campaigns/<int:campaign_id>",
    summary="Read a campaign",
    scope="read",
    response=schemas.Campaign,
    problems=(404,),
)
def read_campaign(call: Call, campaign_id: int) -> schemas.Campaign:
    try:
        return _campaign(campaign(db_session(), campaign_id))
    except NotFound as exc:
        raise _not_found(exc) from None


@operation(
    "GET",
    "/forms",
    summary="List assessment forms",
    scope="read",
    response=schemas.FormPage,
    query=schemas.PageQuery,
)
def list_forms(call: Call) -> schemas.FormPage:
    query: schemas.PageQuery = call.query
    forms = live_catalogue(db_session(), app_state().catalogue).forms
    rows, more = forms_page(forms, position(query.cursor, str), query.limit)
    return schemas.FormPage(
        data=[
            schemas.Form(
                id=form.id,
                title=form.title,
                time_limit_minutes=form.time_limit_minutes,
                sections=[
                    schemas.Section(id=section.id, title=section.title, items=_shown(section))
                    for section in form.sections
                ],
            )
            for form in rows
        ],
        next_cursor=cursor_after(rows[-1].id) if more else None,
    )


@operation(
    "GET",
    "/campaigns/<int:campaign_id>/invitations",
    summary="List a campaign's invitations",
    scope="read",
    response=schemas.InvitationPage,
    query=schemas.PageQuery,
    problems=(404,),
)
def list_invitations(call: Call, campaign_id: int) -> schemas.InvitationPage:
    query: schemas.PageQuery = call.query
    try:
        rows, more = invitations_page(db_session(), campaign_id, position(query.cursor, int), query.limit)
    except NotFound as exc:
        raise _not_found(exc) from None
    return schemas.InvitationPage(
        data=[_invitation(row) for row in rows],
        next_cursor=cursor_after(rows[-1].invitation.id) if more else None,
    )


def _refused(exc: InviteRefused) -> ApiProblem:
    errors = [
        FieldProblem(
            # Line 0 is about the whole request (the campaign's invitation window).
            pointer=f"#/candidates/{problem.line - 1}/{problem.field}" if problem.line else None,
            detail=problem.message,
        )
        for problem in exc.problems
    ]
    return ApiProblem(
        422, "Invalid request", "Nobody was invited: fix every problem listed.", "invalid-request", errors
    )


@operation(
    "POST",
    "/campaigns/<int:campaign_id>/invitations",
    summary="Invite one or many candidates; each gets an email with their single-use link",
    scope="invite",
    response=schemas.InvitationList,
    status=201,
    body=schemas.InvitationRequest,
    problems=(404, 409, 422),
    idempotent=True,
)
def create_invitations(call: Call, campaign_id: int) -> schemas.InvitationList | StoredReply:
    body: schemas.InvitationRequest = call.body
    session = db_session()
    idempotency = None
    if call.idempotency_key is not None:
        fingerprint = request_fingerprint(request.method, request.path, body.model_dump_json().encode())
        idempotency = Idempotency(call.idempotency_key, fingerprint)
    rows = [
        InviteRow(
            email=candidate.email, name=candidate.name, extra_time=str(candidate.extra_time), line=number
        )
        for number, candidate in enumerate(body.candidates, start=1)
    ]
    try:
        made = invite_through_api(
            session,
            call.key,
            campaign_id,
            rows,
            timedelta(days=body.valid_days),
            app_state().settings.public_url,
            app_state().catalogue,
            current_time(),
            idempotency,
        )
    except NotFound as exc:
        raise _not_found(exc) from None
    except InviteRefused as exc:
        raise _refused(exc) from None
    except IdempotencyKeyReused:
        raise ApiProblem(
            422,
            "Idempotency-Key reused",
            "This Idempotency-Key was sent before with a different request; use a new key for a new request.",
            "idempotency-key-reused",
            [FieldProblem(header="Idempotency-Key", detail="already used for another request")],
        ) from None
    except IdempotencyPending:
        raise ApiProblem(
            409,
            "Request in progress",
            "The first request with this Idempotency-Key has not finished; retry in a moment.",
            "idempotency-key-in-progress",
        ) from None
    if isinstance(made, StoredAnswer):
        return StoredReply(made.status, made.body)
    reply = schemas.InvitationList(data=[_invitation(state) for state in invitation_states(session, made)])
    if idempotency is not None:
        store_answer(session, call.key, idempotency, StoredAnswer(201, reply.model_dump(mode="json")))
    return reply


@operation(
    "GET",
    "/invitations/<int:invitation_id>",
    summary="Read an invitation",
    scope="read",
    response=schemas.Invitation,
    problems=(404,),
)
def read_invitation(call: Call, invitation_id: int) -> schemas.Invitation:
    try:
        (state,) = invitation_states(db_session(), [invitation_id])
    except NotFound as exc:
        raise _not_found(exc) from None
    return _invitation(state)


@operation(
    "POST",
    "/invitations/<int:invitation_id>/revoke",
    summary="Revoke an invitation: its link stops working (revoking twice is harmless)",
    scope="invite",
    response=schemas.Invitation,
    problems=(404,),
)
def revoke_invitation(call: Call, invitation_id: int) -> schemas.Invitation:
    session = db_session()
    try:
        revoke_through_api(session, call.key, invitation_id, current_time())
        (state,) = invitation_states(session, [invitation_id])
    except NotFound as exc:
        raise _not_found(exc) from None
    return _invitation(state)


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
        raise _not_found(exc) from None
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
        raise _not_found(exc) from None
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
        raise _not_found(exc) from None
    decision = found.decision
    return schemas.CandidateResults(
        invitation_id=invitation_id,
        status=found.status,
        test_percent=found.test_percent,
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
