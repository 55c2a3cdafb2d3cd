"""Every route, as every role and anonymously, with generated input: never a 5xx, never a
traceback, and a refused request (4xx) changes nothing stored.

The app's url_map is walked rule by rule. Path variables take real ids, tokens and names from
a seeded campaign (a kit, one started attempt, one fresh invitation) or generated ones; forms
start from the fields the app's own pages offer for that action (so handlers are reached past
CSRF and the lookups) and then lose, gain or change fields; JSON bodies are generated with
surrogates, NUL, huge numbers and deep nesting. A few examples per route run here; the
long run is ``python -m bench.fuzz_routes --examples N``, which sets ``ASSESS_FUZZ_EXAMPLES``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from authoring_setup import page_fields
from candidate_client import Candidate
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from scorecard_setup import kit_candidate
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import signed_in
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from assess.models import AuditEntry, Invitation
from assess.models.base import Base
from assess.reports.campaign_pages import DOWNLOADS
from assess.services.invitations import create_invitation
from items.bank import Catalogue

STAFF_ROLES = ("admin", "recruiter", "interviewer", "author")
ROLES = ("anonymous", "candidate", *STAFF_ROLES)
#: Examples per rule and method: a few in CI (SQLite well under a minute), more on request.
EXAMPLES = {"sqlite": 4, "postgresql": 2}

NASTY = (
    "", " ", "0", "-1", "1.5", "1e309", "NaN", "sNaN", "-Infinity", "0x10", "\u0661\u0662", "\u00b2",
    "\uff11", "99999999999999999999", str(2**63), str(2**31), "1" + "0" * 30, "\x00", "a\x00b", "\ud800",
    "x\udfff", "a\r\nb", "/staff/\r\nX: 1", "//evil.example", "<script>alert(1)</script>",
    "' OR 1=1 --", "../../etc/passwd", "%00", "\u202e", "\ufeff", "x" * 5000,
)  # fmt: skip
QUERY_NAMES = ("page", "next", "seed", "invitation", "stage", "sort", "q", "id", "kind", "competency", "bank")


def _text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(max_size=20),
        st.integers(min_value=-(2**40), max_value=2**40).map(str),
    )


def _json_body() -> st.SearchStrategy[bytes]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=False),
        _text(),
    )
    nested = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text(), inner, max_size=3),
        max_leaves=8,
    )
    save = st.fixed_dictionaries(
        {},
        optional={
            "seq": scalars,
            "base": scalars,
            "edit": scalars,
            "device": scalars,
            "fields": st.dictionaries(_text(), st.lists(_text(), max_size=2) | scalars, max_size=3),
        },
    )
    # Deeper than any parser's recursion limit: written as text, since json.dumps would refuse it.
    deep = st.integers(min_value=5, max_value=100_000).map(lambda n: ("[" * n + "]" * n).encode())
    return st.one_of(nested.map(json.dumps).map(str.encode), save.map(json.dumps).map(str.encode), deep)


def _quoted(value: object) -> str:
    """Percent-encoded as a raw HTTP client would send it; a lone surrogate goes as its bytes."""
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def _encoded(pairs: list[tuple[str, str]]) -> str:
    return "&".join(f"{_quoted(k)}={_quoted(v)}" for k, v in pairs)


@dataclass
class World:
    """The app with a seeded campaign, a signed-in client per role, and what its pages offer."""

    app: Flask
    session_factory: sessionmaker[Session]
    values: dict[str, list[Any]]
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)
    #: endpoint -> the fields of a form the app's pages post to it
    forms: dict[str, dict[str, str]] = field(default_factory=dict)
    query_names: set[str] = field(default_factory=lambda: set(QUERY_NAMES))
    digest: str = ""

    def sign_in(self, role: str) -> None:
        if role in STAFF_ROLES:
            client = signed_in(self.app, self.session_factory, role)
            page = "/staff/"
        else:
            client = self.app.test_client()
            page = f"/t/{self.values['token'][0]}" if role == "candidate" else "/staff/login"
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(page).get_data(as_text=True))
        self.clients[role], self.csrf[role] = client, found.group(1) if found else ""

    def stored(self) -> str:
        """A digest of every stored row; refused sign-ins are audited, so those rows are left out."""
        digest = hashlib.sha256()
        with self.session_factory() as session:
            for table in Base.metadata.sorted_tables:
                query = select(table).order_by(*(table.primary_key.columns or table.columns))
                if table.name == AuditEntry.__tablename__:
                    query = query.where(~table.c.action.startswith("login."))
                for row in session.execute(query):
                    digest.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
        return digest.hexdigest()


def _rules(app: Flask) -> Iterator[tuple[Rule, str]]:
    # A candidate's routes first: staff actions (revoke, resend) end the seeded links.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule.startswith("/staff"), r.rule)):
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def _path(rule: Rule, values: dict[str, Any]) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: _quoted(values[m.group(1)]), rule.rule)


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ACTION = re.compile(r'\baction="([^"]*)"')
METHOD_POST = re.compile(r'\bmethod="post"', re.I)


def _crawl(world: World) -> None:
    """Every page opened with real values as every role: the forms it offers, the query names it uses."""
    adapter = world.app.url_map.bind("localhost")
    for rule, method in _rules(world.app):
        if method != "GET":
            continue
        for role in ROLES:
            path = _path(rule, {name: world.values[name][0] for name in rule.arguments})
            page = world.clients[role].get(path).get_data(as_text=True)
            world.query_names |= set(re.findall(r"[?&;]([a-z_]+)=", page))
            for attributes, inner in FORM.findall(page):
                if not METHOD_POST.search(attributes):
                    continue
                found = ACTION.search(attributes)
                action = found.group(1) if found else path
                try:
                    endpoint, _ = adapter.match(action.split("?")[0].replace("&amp;", "&"), method="POST")
                except Exception:  # noqa: BLE001 - a form posting elsewhere than a rule is no concern here
                    continue
                world.forms.setdefault(str(endpoint), page_fields(inner))


@pytest.fixture
def world(
    app: Flask, session_factory: sessionmaker[Session], catalogue: Catalogue, form_id: str, clock: Any
) -> World:
    seeded = kit_candidate(session_factory, catalogue, form_id, clock())
    with session_factory() as session:
        fresh, fresh_token = create_invitation(session, "partner-am", "fresh@example.com", clock())
    candidate = Candidate(app.test_client(), seeded.token)
    candidate.start()
    with session_factory() as session:
        invitation = session.get(Invitation, seeded.invitation.id)
        assert invitation is not None
        attempt_id = session.scalars(select(Base.metadata.tables["attempts"].c.id)).one()
        campaign_id = invitation.campaign_id
    item_ids = sorted(catalogue.items)
    values: dict[str, list[Any]] = {
        "campaign_id": [campaign_id],
        "invitation_id": [seeded.invitation.id, fresh.id],
        "candidate_id": [seeded.invitation.id, attempt_id],
        "attempt_id": [attempt_id],
        "n": [1, 2, len(catalogue.form(form_id).item_ids())],
        "token": [seeded.token, fresh_token],
        "item_id": [item_ids[0], item_ids[len(item_ids) // 2], item_ids[-1]],
        "bank": sorted(catalogue.banks),
        "form_id": sorted(catalogue.forms),
        "stage_id": [stage.id for stage in seeded.kit.stages],
        "kind": sorted(DOWNLOADS),
    }
    built = World(app, session_factory, values)
    for role in ROLES:
        built.sign_in(role)
    built.clients["candidate"] = candidate.client
    built.sign_in("candidate")
    _crawl(built)
    built.digest = built.stored()
    return built


@dataclass(frozen=True)
class Request:
    role: str
    method: str
    path: str
    query: str
    body: bytes | None
    content_type: str
    headers: dict[str, str]
    address: str

    def __str__(self) -> str:
        body = (self.body or b"")[:300]
        return f"{self.role}: {self.method} {self.path}?{self.query} {self.content_type} {body!r}"


def _request(data: st.DataObject, world: World, rule: Rule, method: str) -> Request:
    role = data.draw(st.sampled_from(ROLES), label="role")
    values = {}
    for name in sorted(rule.arguments):
        generated = st.integers(min_value=0, max_value=10**25) if name in INT_ARGUMENTS else _text()
        values[name] = data.draw(
            st.one_of(st.sampled_from(world.values.get(name, ["x"])), generated), label=name
        )
    names = st.sampled_from(sorted(world.query_names)) | st.text(max_size=8)
    query = data.draw(st.lists(st.tuples(names, _text()), max_size=3), label="query")
    csrf = data.draw(st.sampled_from(["valid", "valid", "valid", "missing", "wrong"]), label="csrf")
    token = {"valid": world.csrf[role], "missing": None, "wrong": "x" + world.csrf[role][1:]}[csrf]
    headers = {"X-CSRFToken": token} if token else {}
    body: bytes | None = None
    content_type = ""
    if method == "POST":
        kind = data.draw(st.sampled_from(["form", "form", "json", "none"]), label="body")
        if kind == "form":
            content_type = "application/x-www-form-urlencoded"
            body = _encoded(_form(data, world.forms.get(rule.endpoint, {}), token)).encode()
        elif kind == "json":
            content_type = "application/json"
            body = data.draw(_json_body(), label="json")
    address = f"10.{data.draw(st.integers(0, 255))}.{data.draw(st.integers(0, 255))}.1"
    return Request(role, method, _path(rule, values), _encoded(query), body, content_type, headers, address)


def _form(data: st.DataObject, offered: dict[str, str], token: str | None) -> list[tuple[str, str]]:
    """The page's own form with some fields changed, dropped or added."""
    pairs: list[tuple[str, str]] = [("csrf_token", token)] if token else []
    for name, value in offered.items():
        change = data.draw(st.sampled_from(["keep", "keep", "change", "drop"]), label=f"field {name}")
        if change == "keep":
            pairs.append((name, value))
        elif change == "change":
            pairs.append((name, data.draw(_text(), label=name)))
    extra = data.draw(
        st.lists(st.tuples(st.sampled_from([*offered, "x", "id"]) | _text(), _text()), max_size=2)
    )
    return pairs + extra


INT_ARGUMENTS = frozenset({"campaign_id", "invitation_id", "candidate_id", "attempt_id", "n"})


def _send(world: World, request: Request) -> TestResponse:
    url = f"{request.path}?{request.query}" if request.query else request.path
    return world.clients[request.role].open(
        url,
        method=request.method,
        data=request.body,
        content_type=request.content_type or None,
        headers=request.headers,
        environ_base={"REMOTE_ADDR": request.address},
    )


def _fuzz(world: World, rule: Rule, method: str, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize="ASSESS_FUZZ_EXAMPLES" not in os.environ,
        phases=(Phase.generate,),
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        request = _request(data, world, rule, method)
        try:
            response = _send(world, request)
        except Exception as exc:  # the test app propagates what would be a 500
            raise AssertionError(f"{type(exc).__name__}: {exc} for {request}") from exc
        body = response.get_data()
        assert response.status_code < 500, f"{response.status_code} for {request}"
        assert b"Traceback" not in body, f"traceback for {request}"
        now = world.stored()
        if 400 <= response.status_code < 500:
            assert now == world.digest, f"{response.status_code} changed stored data for {request}"
        world.digest = now
        if rule.endpoint in ("staff.login", "staff.logout") and request.role in STAFF_ROLES:
            world.sign_in(request.role)
            world.digest = world.stored()

    run()


def test_every_route_as_every_role_never_fails_and_refusals_change_nothing(
    world: World, request: pytest.FixtureRequest
) -> None:
    examples = (
        int(os.environ.get("ASSESS_FUZZ_EXAMPLES", "0"))
        or EXAMPLES[request.node.callspec.params["database_url"]]
    )
    # The forms start from real ones, so posts get past CSRF and the lookups to the handlers.
    assert {"staff.invite", "staff.campaign_edit", "authoring.item_edit", "interviews.scorecard"} <= set(
        world.forms
    )
    assert "email" in world.forms["staff.invite"]
    failures: list[str] = []
    for rule, method in _rules(world.app):
        try:
            _fuzz(world, rule, method, examples)
        except Exception as exc:  # noqa: BLE001 - every route is tried; all failures are reported together
            failures.append(f"{method} {rule.rule}: {exc}".splitlines()[0][:600])
    assert not failures, "\n".join(failures)
