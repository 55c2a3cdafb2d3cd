"""Operations on campaigns and forms, and the OpenAPI document."""

from __future__ import annotations

from assess.api import bp, schemas
from assess.api.openapi import openapi_document as build_document
from assess.api.pagination import cursor_after, position
from assess.api.problems import not_found
from assess.api.registry import Call, operation
from assess.db import app_state, db_session
from assess.models import Campaign as CampaignRow
from assess.services.api_reads import (
    NotFound,
    campaign,
    campaigns_page,
    forms_page,
)
from assess.services.authoring import live_catalogue
from items.forms import Pool, Section


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
        raise not_found(exc) from None


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
