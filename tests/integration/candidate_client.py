"""A candidate's browser without JavaScript, and what tests read back from pages and the database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from assess.models import Answer, Attempt, Invitation
from assess.services.invitations import token_hash

#: The grace the test apps allow after a deadline for saves already on their way.
GRACE_SECONDS = 30

CSRF_PATTERN = re.compile(r'name="csrf_token" value="([^"]+)"')
REVISION_PATTERN = re.compile(r'name="revision" value="(\d+)"')


@dataclass
class Candidate:
    """One candidate's browser without JavaScript: a cookie jar and the last CSRF token seen."""

    client: FlaskClient
    token: str
    csrf: str = ""
    responses: list[TestResponse] = field(default_factory=list)
    #: What attempt.js keeps per tab: its device id, and per item the stored revision it last learned.
    device: str = "candidate-tab-1"
    revisions: dict[int, int] = field(default_factory=dict)
    #: The revision the last item page showed, which its form posts back.
    revision: str = "0"

    @property
    def base(self) -> str:
        return f"/t/{self.token}"

    def _keep(self, response: TestResponse) -> TestResponse:
        self.responses.append(response)
        html = response.get_data(as_text=True)
        found = CSRF_PATTERN.search(html)
        if found:
            self.csrf = found.group(1)
        revision = REVISION_PATTERN.search(html)
        if revision:
            self.revision = revision.group(1)
        return response

    def get(self, path: str = "", **kwargs: Any) -> TestResponse:
        return self._keep(self.client.get(self.base + path, **kwargs))

    def post(self, path: str, data: dict[str, Any] | None = None, csrf: bool = True) -> TestResponse:
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        if path.startswith("/items/"):
            form.setdefault("revision", self.revision)
        return self._keep(self.client.post(self.base + path, data=form))

    def autosave(
        self,
        n: int,
        fields: dict[str, list[str]],
        edit: int,
        csrf: bool = True,
        body: Any = None,
        base: int | None = None,
        observations: list[dict[str, Any]] | None = None,
    ) -> TestResponse:
        """attempt.js's save of this tab's ``edit``-th edit, made on the revision last learned,
        with the integrity ``observations`` riding on it when given."""
        headers = {"X-CSRFToken": self.csrf} if csrf else {}
        made_on = self.revisions.get(n, 0) if base is None else base
        payload = (
            body
            if body is not None
            else {"base": made_on, "device": self.device, "edit": edit, "fields": fields}
        )
        if observations is not None:
            payload = {**payload, "observations": observations}
        response = self._keep(self.client.post(f"{self.base}/answers/{n}", json=payload, headers=headers))
        reply = response.get_json(silent=True) or {}
        if isinstance(reply.get("revision"), int):
            self.revisions[n] = max(self.revisions.get(n, 0), reply["revision"])
        return response

    def status(self) -> dict[str, Any]:
        response = self.get("/status")
        assert response.status_code == 200, response.get_data(as_text=True)
        data: dict[str, Any] = response.get_json()
        return data

    def start(self) -> TestResponse:
        self.get()
        response = self.post("/start")
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


def attempt_of(session: Session, token: str) -> Attempt:
    invitation = session.scalars(select(Invitation).where(Invitation.token_hash == token_hash(token))).one()
    return session.scalars(select(Attempt).where(Attempt.invitation_id == invitation.id)).one()


def answers_of(session: Session, attempt_id: int) -> dict[int, tuple[Any, int]]:
    """position -> (response, seq) as stored."""
    rows = session.scalars(select(Answer).where(Answer.attempt_id == attempt_id)).all()
    return {row.position: (row.response, row.seq) for row in rows}


class ItemFormParser(HTMLParser):
    """The answer inputs of an item page, the way a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str]] = []
        self.selects: dict[str, list[str]] = {}
        self.textareas: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name", "")
        if tag == "input" and name.startswith("answer-"):
            self.inputs.append(attributes)
        elif tag == "select" and name.startswith("answer-"):
            self._select = name
            self.selects[name] = []
        elif tag == "option" and self._select is not None:
            self.selects[self._select].append(attributes.get("value", ""))
        elif tag == "textarea" and name.startswith("answer-"):
            self.textareas.append(name)

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def plausible_answer(html: str) -> dict[str, list[str]]:
    """Some answer for every field of an item page, whatever its type.

    The k-th radio group and the k-th select take their k-th choice, so picks that
    must differ (most vs least effective, ranks) do; text fields get a number.
    """
    parser = ItemFormParser()
    parser.feed(html)
    fields: dict[str, list[str]] = {}
    groups: dict[str, list[str]] = {}
    for attributes in parser.inputs:
        name, kind = attributes["name"], attributes.get("type", "text")
        if kind == "radio":
            groups.setdefault(name, []).append(attributes.get("value", "on"))
        elif kind == "checkbox":
            fields.setdefault(name, [attributes.get("value", "on")])
        elif kind == "hidden":
            continue
        elif kind == "date":
            fields.setdefault(name, ["2024-03-15"])
        else:
            fields.setdefault(name, ["12"])
    for index, (name, values) in enumerate(groups.items()):
        fields[name] = [values[index % len(values)]]
    for index, (name, options) in enumerate(parser.selects.items()):
        chosen = [value for value in options if value]
        if chosen:
            fields[name] = [chosen[index % len(chosen)]]
    for name in parser.textareas:
        fields[name] = ["Thank you for the call today. Here is a summary of what we agreed."]
    return fields


def item_numbers(html: str) -> list[int]:
    """The item numbers an item page's list offers."""
    return [int(n) for n in re.findall(r'name="go" value="(\d+)"', html)]
