"""Invariant 2: no candidate-facing response carries a key, a score, a rationale or a model answer.

A whole attempt of the shipped form is taken (plain posts, autosaves, reports of focus
lapses and pastes, status polls, review, submit, the end and the error pages) and every
response - body, headers, redirect Location - is scanned for every secret the bank and the
grading hold, and for anything the integrity rules make of the attempt: a signal, a tier,
the browser family or network recorded, or their wording. The start page's notice of what
is recorded is the only integrity text a candidate reads.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from candidate_client import Candidate, attempt_of, item_numbers, plausible_answer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from assess.models import AttemptItem, ItemScore
from assess.services.catalogue import pinned_item
from integrity import focus, matching_answers, origins, pastes, tiers, timing, written_similarity
from integrity.rules import DEFAULT_RULES
from integrity.signals import SignalKind
from items.bank import Catalogue

#: Shorter secrets are option ids ("a", "b"), ratings and small counts ("1".."99"):
#: they appear on every page as input values and item numbers, and say nothing on
#: their own about which option or figure is the keyed one.
MIN_SECRET_CHARS = 3

#: The candidate's requests come from this browser and address; what is recorded of them must not come back.
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
ADDRESS = "203.0.113.7"
RECORDED = ["Firefox on Windows", "203.0.113.0/24", ADDRESS, origins.UNKNOWN_NETWORK]
#: Words only the integrity rules and staff pages use; neither the notice nor the bank's items use them.
#: ("Tier" and "concerns" are not among them: items speak of a higher price tier and a client's concerns;
#: the tiers' own labels are looked for whole.)
INTEGRITY_WORDS = re.compile(r"\b(signals?|integrity|suspicious|cheat\w*)\b")
INTEGRITY_RULES = [
    rule(DEFAULT_RULES)
    for rule in (
        focus.time_away_rule,
        pastes.paste_rule,
        origins.origin_change_rule,
        origins.shared_network_rule,
        timing.fast_items_rule,
        timing.fast_attempt_rule,
        written_similarity.written_similarity_rule,
        matching_answers.matching_answers_rule,
        tiers.tier_rule,
    )
]

SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
LOOKS_NUMERIC = re.compile(r"^[\d.,:/-]+$")


def _normal(text: str) -> str:
    return " ".join(html.unescape(text).split()).casefold()


def _leaves(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for inner in value.values():
            yield from _leaves(inner)
    elif isinstance(value, list | tuple):
        for inner in value:
            yield from _leaves(inner)
    elif value is not None and not isinstance(value, bool):
        yield str(value)


def _pieces(text: str) -> Iterator[str]:
    """A text and each of its sentences: leaking one sentence of a rationale is a leak."""
    normal = _normal(text)
    yield normal
    yield from SENTENCE_END.split(normal)


def _visible_text(catalogue: Catalogue) -> str:
    """Everything the bank shows candidates anyway: bodies, titles, form and section texts."""
    parts: list[str] = []
    for item in catalogue.items.values():
        parts.append(item.title)
        parts.extend(_leaves(item.body.model_dump(mode="json")))
    for form in catalogue.forms.values():
        parts.extend([form.title, form.instructions])
        for section in form.sections:
            parts.extend([section.title, section.instructions])
    return "\n".join(_normal(p) for p in parts)


def _secrets(candidates: Iterable[str], visible: str) -> set[str]:
    """The strings no response may carry.

    Dropped: secrets under MIN_SECRET_CHARS, and secrets that are part of what the
    bank shows candidates anyway (a key naming the account "Tidewater Property
    Management" copies it from the call notes; an option id sits in every form):
    those appear on honest pages, and finding them proves nothing.
    """
    kept: set[str] = set()
    for raw in candidates:
        for piece in _pieces(raw):
            if len(piece) >= MIN_SECRET_CHARS and piece not in visible:
                kept.add(piece)
    return kept


def _bank_secrets(catalogue: Catalogue) -> Iterator[str]:
    for item in catalogue.items.values():
        yield from _leaves(item.key.model_dump(mode="json"))
        if item.rationale:
            yield item.rationale


def _attempt_secrets(session: Session, attempt_id: int) -> Iterator[str]:
    """The keys as realized for this attempt's variants, and everything its grading wrote."""
    for slot in session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)):
        _, key = pinned_item(session, slot.item_id, slot.version).realize(slot.variant)
        yield from _leaves(key.model_dump(mode="json"))
    for score in session.scalars(select(ItemScore).where(ItemScore.attempt_id == attempt_id)):
        for part in score.parts:
            yield part["explanation"]


def _found(secret: str, text: str) -> bool:
    if LOOKS_NUMERIC.match(secret):
        # A figure must stand alone: "315" inside "13150" or "0.25" in a CSS "0.25em" is not a key.
        return re.search(rf"(?<![\w.,]){re.escape(secret)}(?!\w)", text) is not None
    return secret in text


def _response_text(response: TestResponse, noise: Iterable[str]) -> str:
    parts = [response.get_data(as_text=True)]
    # Set-Cookie carries only the signed session (the CSRF secret): random text, no item content.
    parts.extend(f"{name}: {value}" for name, value in response.headers.items() if name != "Set-Cookie")
    text = _normal("\n".join(parts))
    # Random values (the link, CSRF and queue key) could spell a short figure by chance.
    for value in noise:
        text = text.replace(value.casefold(), " ")
    return text


def _report(person: Candidate, position: int) -> TestResponse:
    """What attempt.js reports of an item: a long lapse, a large paste, the time on screen."""
    observations = [
        {"kind": "focus", "position": position, "lost_ms_ago": 400_000, "regained_ms_ago": 0, "hidden": True},
        {"kind": "paste", "position": position, "ms_ago": 0, "characters": 900, "from_page": False},
        {"kind": "viewed", "position": position, "ms_ago": 0, "seconds": 0.5},
    ]
    return person.post("/signals", {"observations": json.dumps({"observations": observations})})


def _integrity_leaks(response: TestResponse, noise: Iterable[str]) -> list[str]:
    text = _response_text(response, noise)
    found = [
        value
        for value in [*RECORDED, *INTEGRITY_RULES, tiers.CONVERSATION_NOT_VERDICT]
        if _normal(value) in text
    ]
    found += [kind.value for kind in SignalKind if kind is not SignalKind.PASTE and kind.value in text]
    found += [label for label in (tier.label.casefold() for tier in tiers.Tier) if label in text]
    return found + INTEGRITY_WORDS.findall(text)


def test_no_response_of_a_whole_attempt_carries_a_key_score_rationale_or_integrity_signal(
    candidate: Callable[..., Candidate], session_factory: sessionmaker[Session], catalogue: Catalogue
) -> None:
    person = candidate()
    person.client.environ_base.update({"HTTP_USER_AGENT": FIREFOX, "REMOTE_ADDR": ADDRESS})
    person.get()
    person.start()
    count = len(item_numbers(person.get("/items/1").get_data(as_text=True)))
    for n in range(1, count + 1):
        page = person.get(f"/items/{n}")
        answer = plausible_answer(page.get_data(as_text=True))
        person.autosave(n, answer, edit=1_000 + n)
        person.autosave(n, {name: ["not a valid answer"] for name in answer}, edit=2_000 + n)
        assert _report(person, n - 1).status_code == 204
        person.get("/status")
        posted = person.post(f"/items/{n}", {**answer, "go": "next"})
        if posted.status_code == 422:
            person.post(f"/items/{n}", {"go": "next"})
    person.get("/review")
    assert _report(person, count).status_code == 422  # no such item
    person.post("/submit")  # refused: unanswered items need the confirmation box
    person.post("/submit", {"confirm": "yes"})
    assert _report(person, 0).status_code == 410
    person.get("/done")
    person.get("/status")
    person.get()
    person.get("/items/1")
    person.autosave(1, {}, edit=9_999)
    person.client.get("/t/" + "B" * 32)
    person.client.get("/no-such-page")

    with session_factory() as session:
        attempt = attempt_of(session, person.token)
        assert attempt.finalized_at is not None
        visible = _visible_text(catalogue)
        secrets = _secrets([*_bank_secrets(catalogue), *_attempt_secrets(session, attempt.id)], visible)
        totals = {str(attempt.total_points), str(attempt.max_points)}
    assert secrets, "the bank has no secrets to look for: the filter is wrong"

    # The report's address names the route, not anything recorded.
    signals_url = f"/t/{person.token}/signals"
    noise = [signals_url, person.token, person.csrf, hashlib.sha256(person.token.encode()).hexdigest()[:24]]
    leaks = []
    for response in person.responses:
        text = _response_text(response, noise)
        leaks.extend(
            (response.request.path, response.status_code, secret)
            for secret in sorted(secrets | totals)
            if _found(secret, text)
        )
    assert leaks == []
    integrity_leaks = [
        (response.request.path, response.status_code, found)
        for response in person.responses
        for found in _integrity_leaks(response, noise)
    ]
    assert integrity_leaks == []
    # The report's own replies say nothing but whether it was taken.
    for response in person.responses:
        if response.request.path == signals_url and response.status_code == 204:
            assert response.get_data() == b""
        if response.request.path.endswith("/status") and response.status_code == 200:
            assert set(response.get_json()) <= {"seconds_left", "finished"}

    done = _normal(person.client.get(f"/t/{person.token}/done").get_data(as_text=True))
    assert "score" not in done and "points" not in done
    for response in person.responses:
        if response.is_json:
            assert not {"score", "points", "key", "rationale"} & set(response.get_json() or {})
