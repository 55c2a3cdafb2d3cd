"""The preview: the candidate's template and page, the key only on request, to authors only."""

from __future__ import annotations

from collections.abc import Callable

from authoring_setup import text_of
from flask import Flask
from staff_client import StaffClient, post

from items.bank import Catalogue

ITEM = "process-renewal-first-step"


def test_the_preview_shows_the_candidate_page_and_the_key_only_when_asked(
    catalogue: Catalogue, author: StaffClient
) -> None:
    item = catalogue.items[ITEM]
    rationale = item.rationale.split(".")[0]
    plain = text_of(author.get(f"/staff/authoring/items/{ITEM}/preview"))
    assert f"<h1>{item.title}</h1>" in plain
    assert 'name="answer-choice"' in plain  # the candidate macro, with the candidate's field names
    assert "Online assessment" in plain and "Hiring team workspace" not in plain  # the candidate's chrome
    assert rationale not in plain and "best (1)" not in plain
    keyed = text_of(author.get(f"/staff/authoring/items/{ITEM}/preview?key=1"))
    assert rationale in keyed and "best (1)" in keyed and "partial (0.25)" in keyed


def test_an_answer_tried_in_the_preview_is_scored_and_not_stored(author: StaffClient) -> None:
    scored = post(author, f"/staff/authoring/items/{ITEM}/preview", {"answer-choice": "a"})
    assert scored.status_code == 200
    assert "0.25 of 1 points" in text_of(scored)
    refused = post(author, f"/staff/authoring/items/{ITEM}/preview", {"answer-choice": "z"})
    assert refused.status_code == 422
    assert "Your answer was not saved:" in text_of(refused)


def test_only_authors_and_admins_open_the_preview(
    staff_client: Callable[..., StaffClient], app: Flask
) -> None:
    anonymous = app.test_client().get(f"/staff/authoring/items/{ITEM}/preview?key=1")
    assert anonymous.status_code == 302 and anonymous.location.startswith("/staff/login")
    for role, status in (("recruiter", 403), ("interviewer", 403), ("admin", 200)):
        client = staff_client(role)
        assert client.get(f"/staff/authoring/items/{ITEM}/preview?key=1").status_code == status
