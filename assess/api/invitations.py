"""Operations on invitations: list, create (idempotently), read, revoke, resend, extend."""

from __future__ import annotations

from datetime import timedelta

from flask import request

from assess.api import schemas
from assess.api.pagination import cursor_after, position
from assess.api.problems import ApiProblem, FieldProblem, not_found
from assess.api.registry import Call, StoredReply, operation
from assess.db import app_state, db_session
from assess.services.api_invitations import (
    ExpiryOutOfBounds,
    Idempotency,
    IdempotencyKeyReused,
    IdempotencyPending,
    StoredAnswer,
    extend_through_api,
    invite_through_api,
    request_fingerprint,
    resend_through_api,
    revoke_through_api,
    store_answer,
)
from assess.services.api_reads import (
    InvitationState,
    NotFound,
    invitation_states,
    invitations_page,
)
from assess.services.invitation_import import InviteRefused, InviteRow
from assess.services.invitations import InvitationConflict
from assess.services.mail import deliver, invitation_messages
from assess.web import current_time


def _invitation(state: InvitationState) -> schemas.Invitation:
    invitation = state.invitation
    return schemas.Invitation(
        id=invitation.id,
        campaign_id=invitation.campaign_id,
        email=invitation.email,
        name=invitation.name,
        extra_time=invitation.extra_time,
        assistive_technology=invitation.assistive_technology,
        status=state.status(current_time()),
        expires_at=invitation.expires_at,
        revoked_at=invitation.revoked_at,
        created_at=invitation.created_at,
        attempt_id=state.attempt.id if state.attempt is not None else None,
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
        raise not_found(exc) from None
    return schemas.InvitationPage(
        data=[_invitation(row) for row in rows],
        next_cursor=cursor_after(rows[-1].invitation.id) if more else None,
    )


def _send(invitation_ids: list[int]) -> None:
    """Email each invitation's newest message by SMTP when it is configured, as the staff pages do;
    otherwise they wait in the outbox. A failure is recorded on its message, never answered as one."""
    smtp = app_state().settings.smtp
    if smtp is None:
        return
    session = db_session()
    newest = [invitation_messages(session, invitation_id)[:1] for invitation_id in invitation_ids]
    deliver(session, smtp, [message.id for messages in newest for message in messages], current_time())


def _idempotency(call: Call, body: bytes) -> Idempotency | None:
    if call.idempotency_key is None:
        return None
    return Idempotency(call.idempotency_key, request_fingerprint(request.method, request.path, body))


def _idempotency_problem(exc: IdempotencyKeyReused | IdempotencyPending) -> ApiProblem:
    if isinstance(exc, IdempotencyKeyReused):
        return ApiProblem(
            422,
            "Idempotency-Key reused",
            "This Idempotency-Key was sent before with a different request; use a new key for a new request.",
            "idempotency-key-reused",
            [FieldProblem(header="Idempotency-Key", detail="already used for another request")],
        )
    return ApiProblem(
        409,
        "Request in progress",
        "The first request with this Idempotency-Key has not finished; retry in a moment.",
        "idempotency-key-in-progress",
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
    idempotency = _idempotency(call, body.model_dump_json().encode())
    rows = [
        InviteRow(
            email=candidate.email,
            name=candidate.name,
            extra_time=str(candidate.extra_time),
            assistive_technology=candidate.assistive_technology,
            line=number,
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
        raise not_found(exc) from None
    except InviteRefused as exc:
        raise _refused(exc) from None
    except (IdempotencyKeyReused, IdempotencyPending) as exc:
        raise _idempotency_problem(exc) from None
    if isinstance(made, StoredAnswer):
        return StoredReply(made.status, made.body)
    reply = schemas.InvitationList(data=[_invitation(state) for state in invitation_states(session, made)])
    if idempotency is not None:
        store_answer(session, call.key, idempotency, StoredAnswer(201, reply.model_dump(mode="json")))
    # After the answer is stored: a retry while the emails go out is replayed, never re-sent.
    _send(made)
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
        raise not_found(exc) from None
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
        raise not_found(exc) from None
    return _invitation(state)


def _conflict(exc: InvitationConflict, action: str) -> ApiProblem:
    return ApiProblem(409, "Conflict", f"Not {action}: {exc}.", "invitation-state")


@operation(
    "POST",
    "/invitations/<int:invitation_id>/resend",
    summary="Email the candidate their link again; a new link, as the old one stops working",
    scope="invite",
    response=schemas.Invitation,
    problems=(404, 409, 422),
    idempotent=True,
)
def resend_invitation(call: Call, invitation_id: int) -> schemas.Invitation | StoredReply:
    session = db_session()
    idempotency = _idempotency(call, b"")
    try:
        sent = resend_through_api(
            session,
            call.key,
            invitation_id,
            app_state().settings.public_url,
            app_state().catalogue,
            current_time(),
            idempotency,
        )
        (state,) = invitation_states(session, [invitation_id])
    except NotFound as exc:
        raise not_found(exc) from None
    except InvitationConflict as exc:
        raise _conflict(exc, "resent") from None
    except (IdempotencyKeyReused, IdempotencyPending) as exc:
        raise _idempotency_problem(exc) from None
    if isinstance(sent, StoredAnswer):
        return StoredReply(sent.status, sent.body)
    reply = _invitation(state)
    if idempotency is not None:
        store_answer(session, call.key, idempotency, StoredAnswer(200, reply.model_dump(mode="json")))
    _send([invitation_id])
    return reply


@operation(
    "POST",
    "/invitations/<int:invitation_id>/extend",
    summary="Move an unstarted invitation's expiry, within 365 days and the campaign's window",
    scope="invite",
    response=schemas.Invitation,
    body=schemas.InvitationExtension,
    problems=(404, 409, 422),
)
def extend_invitation(call: Call, invitation_id: int) -> schemas.Invitation:
    body: schemas.InvitationExtension = call.body
    session = db_session()
    try:
        extend_through_api(session, call.key, invitation_id, body.expires_at, current_time())
        (state,) = invitation_states(session, [invitation_id])
    except NotFound as exc:
        raise not_found(exc) from None
    except InvitationConflict as exc:
        raise _conflict(exc, "extended") from None
    except ExpiryOutOfBounds as exc:
        raise ApiProblem(
            422,
            "Invalid request",
            f"The new expiry {exc}.",
            "invalid-request",
            [FieldProblem(pointer="#/expires_at", detail=str(exc))],
        ) from None
    return _invitation(state)
