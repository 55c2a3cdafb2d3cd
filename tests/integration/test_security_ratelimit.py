"""No client can lock others out: unknown links are limited per address, working links per link.

Every client here shares one address (a test centre behind one NAT) unless it says otherwise.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from candidate_client import Candidate, plausible_answer
from flask import Flask
from flask.testing import FlaskClient

from assess.ratelimit import IN_PROCESS, LINK_GUESSES, LINK_REQUESTS, storage_uri

GUESSES_ALLOWED = int(LINK_GUESSES.split()[0])
REQUESTS_ALLOWED = int(LINK_REQUESTS.split()[0])
CENTRE = "203.0.113.10"
ELSEWHERE = "198.51.100.7"


def _guess() -> str:
    return secrets.token_urlsafe(24)


def _at(client: FlaskClient, address: str = CENTRE) -> FlaskClient:
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _behind_the_centre(make: Callable[..., Candidate], **invite_args: str) -> Candidate:
    person = make(**invite_args)
    _at(person.client)
    return person


def _answer_first_item(person: Candidate) -> dict[str, object]:
    person.start()
    page = person.get("/items/1")
    assert page.status_code == 200, page.status_code
    saved = person.autosave(1, plausible_answer(page.get_data(as_text=True)), 1)
    assert saved.status_code == 200, saved.get_data(as_text=True)
    reply: dict[str, object] = saved.get_json()
    return reply


def test_an_address_that_keeps_guessing_is_refused_unknown_links_but_not_its_working_ones(
    app: Flask, candidate: Callable[..., Candidate]
) -> None:
    real = _behind_the_centre(candidate)
    guesser = _at(app.test_client())
    for _ in range(GUESSES_ALLOWED):
        assert guesser.get(f"/t/{_guess()}").status_code == 404
    refused = guesser.get(f"/t/{_guess()}")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Too many links that do not work" in refused.get_data(as_text=True)
    status = guesser.get(f"/t/{_guess()}/status")
    assert status.status_code == 429 and status.is_json
    # A working link from the same address is served: the guesses are the guesser's alone.
    assert real.get().status_code == 200
    assert _at(app.test_client(), ELSEWHERE).get(f"/t/{_guess()}").status_code == 404


def test_missing_items_on_a_working_link_count_against_that_link_not_the_address(
    app: Flask, candidate: Callable[..., Candidate]
) -> None:
    """Before: 31 requests for a missing item locked every candidate at the address out for a minute."""
    abuser = _behind_the_centre(candidate, email="abuser@example.com")
    abuser.start()
    for _ in range(3 * GUESSES_ALLOWED):
        assert abuser.get("/items/999").status_code == 404
    other = _behind_the_centre(candidate, email="other@example.com")
    assert _answer_first_item(other)["saved"] is True
    assert other.get("/status").status_code == 200
    # Nor did they use up the address's allowance for mistyped links.
    assert _at(app.test_client()).get(f"/t/{_guess()}").status_code == 404


def test_a_link_that_floods_is_refused_alone(app: Flask, candidate: Callable[..., Candidate]) -> None:
    flooder = _behind_the_centre(candidate, email="flooder@example.com")
    flooder.start()
    neighbour = _behind_the_centre(candidate, email="neighbour@example.com")
    while len(flooder.responses) < REQUESTS_ALLOWED:
        assert flooder.get("/items/999").status_code == 404
    refused = flooder.get("/status")
    assert refused.status_code == 429 and refused.is_json
    assert refused.get_json()["error"] == "Too many requests from this link"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Refusals are not counted, or the flood would keep its own window full for ever.
    assert flooder.get("/status").status_code == 429
    assert _answer_first_item(neighbour)["saved"] is True


def test_three_hundred_candidates_behind_one_address_save_while_one_client_abuses(
    app: Flask, candidate: Callable[..., Candidate]
) -> None:
    abuser = _behind_the_centre(candidate, email="abuser@example.com")
    abuser.start()
    guesser = _at(app.test_client())
    abuse: list[int] = []
    started = time.perf_counter()
    for i in range(300):
        # Between every two candidates, the abuser asks for missing items on its own link
        # and guesses links: far past the 31 requests that used to lock the centre out.
        abuse += [abuser.get("/items/999").status_code, guesser.get(f"/t/{_guess()}").status_code]
        person = _behind_the_centre(candidate, email=f"centre{i}@example.com")
        assert _answer_first_item(person)["saved"] is True, i
        assert person.get("/status").status_code == 200, i
        assert all(r.status_code != 429 for r in person.responses), i
    assert 429 in abuse
    print(f"300 candidates and their abuser in {time.perf_counter() - started:.1f} s")


def test_a_few_mistyped_links_do_not_lock_a_test_centre_out(
    app: Flask, candidate: Callable[..., Candidate]
) -> None:
    person = _behind_the_centre(candidate)
    typist = _at(app.test_client())
    for _ in range(GUESSES_ALLOWED // 3):
        assert typist.get(f"/t/{person.token[:-2]}").status_code == 404
    person.start()
    assert person.get("/items/1").status_code == 200


def test_counts_live_in_the_configured_storage_or_in_memory(app: Flask) -> None:
    bare = Flask(__name__)
    assert storage_uri(bare, {}) == IN_PROCESS
    assert (
        storage_uri(bare, {"ASSESS_RATELIMIT_STORAGE": "redis://127.0.0.1:6379"}) == "redis://127.0.0.1:6379"
    )
    bare.config["RATELIMIT_STORAGE_URI"] = "memory://"
    assert storage_uri(bare, {"ASSESS_RATELIMIT_STORAGE": "redis://127.0.0.1:6379"}) == "memory://"
    assert app.config["RATELIMIT_STORAGE_URI"]
