"""Item exposure: a pool's cap holds across invitations, the less shown items are drawn first, an
exhausted pool tells the recruiter what to do, and authors see exposure and drift beside statistics."""

from __future__ import annotations

import html
import io
import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from typing import Any

from authoring_setup import text_of
from saves import one_device, save_json
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient, post

from assess.models import AttemptItem, Invitation
from assess.services.attempt_preparation import prepare_attempts
from assess.services.attempt_start import create_attempt
from assess.services.authoring import live_catalogue
from assess.services.campaigns import campaign_by_slug, create_campaign
from assess.services.finalization import submit_attempt
from assess.services.invitations import create_invitation, new_invitation, open_link
from assess.services.item_exposure import exposure_by_version
from items.bank import Catalogue

RENEWAL, UPSELL, FEATURE = (
    "process-renewal-first-step",
    "process-best-upsell-target",
    "process-feature-request",
)
#: item -> (the keyed option, a wrong one)
KEYS = {RENEWAL: ("b", "c"), UPSELL: ("a", "b"), FEATURE: ("c", "a")}


def capped_form(form_id: str, items: str) -> str:
    return (
        f"id: {form_id}\ntitle: Process questions\ntime_limit_minutes: 10\nsections:\n"
        f"  - id: process\n    title: Process\n    items: {items}\n"
    )


def save_form(author: StaffClient, content: str) -> None:
    response = post(
        author, "/staff/authoring/forms/new", {"bank": "exposure", "content": content, "action": "save"}
    )
    assert response.status_code == 302, text_of(response)


def campaign(
    session_factory: sessionmaker[Session], catalogue: Catalogue, slug: str, form_id: str, clock: Any
) -> int:
    with session_factory() as session:
        live = live_catalogue(session, catalogue)
        return create_campaign(session, slug, slug, "Account Manager", form_id, live, clock()).id


def shown(session_factory: sessionmaker[Session]) -> Counter[str]:
    with session_factory() as session:
        rows = session.execute(select(AttemptItem.item_id, func.count()).group_by(AttemptItem.item_id))
        return Counter({item_id: count for item_id, count in rows})


def test_a_capped_pool_never_passes_its_cap_and_the_recruiter_is_told_what_to_do(
    staff_client: Any, session_factory: sessionmaker[Session], catalogue: Catalogue, clock: Any
) -> None:
    author, recruiter = staff_client("author"), staff_client("recruiter")
    save_form(
        author,
        capped_form("capped", f"[{{draw: 1, max_exposure: 3, from: [{RENEWAL}, {UPSELL}, {FEATURE}]}}]"),
    )
    assert "Draw 1 of (each item shown in at most 3 attempts):" in text_of(
        author.get("/staff/authoring/forms/capped")
    )
    campaign_id = campaign(session_factory, catalogue, "capped", "capped", clock)
    emails = "".join(f"c{n}@example.com\n" for n in range(9))
    response = post(
        recruiter,
        f"/staff/campaigns/{campaign_id}/invite/bulk",
        {"csv_file": (io.BytesIO(emails.encode()), "candidates.csv"), "valid_days": "10"},
    )
    assert response.status_code == 302, text_of(response)
    assert shown(session_factory) == {RENEWAL: 3, UPSELL: 3, FEATURE: 3}

    invite = {"email": "late@example.com", "name": "Late", "extra_time": "1", "valid_days": "14"}
    refused = post(recruiter, f"/staff/campaigns/{campaign_id}/invite", invite)
    assert refused.status_code == 422
    page = html.unescape(refused.get_data(as_text=True))
    assert (
        f"Form 'capped' cannot be drawn: pool 1 of section 'Process' ({RENEWAL}, {UPSELL}, {FEATURE}) "
        "draws 1 item(s) per attempt, and only 0 of its 3 items have been shown in fewer than 3 "
        "attempts, its max_exposure. Nobody was invited. Ask an item author to raise the pool's "
        "max_exposure or add items to the pool."
    ) in page
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Invitation)) == 9

    # A revoked invitation gives its items back: the next candidate can be invited, under the cap.
    with session_factory() as session:
        first = session.scalars(select(Invitation).order_by(Invitation.id)).first()
        assert first is not None
    assert post(recruiter, f"/staff/invitations/{first.id}/revoke").status_code == 302
    assert post(recruiter, f"/staff/campaigns/{campaign_id}/invite", invite).status_code == 302
    with session_factory() as session:
        exposure = exposure_by_version(session, list(KEYS), clock())
    assert sorted(exposure.values()) == [3, 3, 3]


def test_the_less_shown_items_of_a_capped_pool_are_drawn_first(
    staff_client: Any, session_factory: sessionmaker[Session], catalogue: Catalogue, clock: Any
) -> None:
    author = staff_client("author")
    save_form(author, capped_form("renewal-first", f"[{RENEWAL}]"))
    save_form(
        author,
        capped_form("capped", f"[{{draw: 1, max_exposure: 100, from: [{RENEWAL}, {UPSELL}, {FEATURE}]}}]"),
    )
    for slug, count in (("renewal-first", 20), ("capped", 12)):
        campaign(session_factory, catalogue, slug, slug, clock)
        with session_factory() as session:
            found = campaign_by_slug(session, slug)
            assert found is not None
            made = [
                new_invitation(session, found, f"{slug}{n}@example.com", "", 1, timedelta(days=3), clock())[0]
                for n in range(count)
            ]
            session.flush()
            # Seeded: which items a draw picks is then the same in every run.
            prepare_attempts(session, live_catalogue(session, catalogue), made, random.Random(7))
            session.commit()
    drawn = shown(session_factory)
    drawn[RENEWAL] -= 20
    # Drawn as often as the others (about 4 each of 12), the item shown 20 times already is drawn
    # least, and the other two catch up with it.
    assert drawn[RENEWAL] <= 1 and drawn[UPSELL] >= 5 and drawn[FEATURE] >= 5, drawn


def finish(
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    clock: Any,
    n: int,
    right: set[str],
) -> None:
    """One candidate's finished attempt, answering right the items in ``right``."""
    with session_factory() as session:
        _, token = create_invitation(
            session, "stats", f"s{n}@example.com", clock(), Decimal(1), timedelta(days=1)
        )
        invitation = open_link(session, token, clock())[0]
        attempt = create_attempt(
            session, invitation, live_catalogue(session, catalogue), clock(), random.Random(n)
        )
        for slot in session.scalars(select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)):
            key, wrong = KEYS[slot.item_id]
            choice = key if slot.item_id in right else wrong
            seq = int(clock().timestamp() * 1_000_000) + slot.position + 1
            save_json(session, attempt.id, slot.position, {"choice": choice}, one_device(seq), clock(), 30)
        submit_attempt(session, attempt.id, clock())


def test_statistics_show_exposure_near_cap_and_an_item_getting_easier_over_time(
    staff_client: Any, session_factory: sessionmaker[Session], catalogue: Catalogue, clock: Any
) -> None:
    author = staff_client("author")
    save_form(
        author,
        capped_form("stats", f"[{RENEWAL}, {{draw: 2, max_exposure: 40, from: [{UPSELL}, {FEATURE}]}}]"),
    )
    campaign(session_factory, catalogue, "stats", "stats", clock)
    for n in range(33):
        # The renewal question is missed by the first 16 candidates and answered by every later
        # one: it looks leaked. The other two keep the same mix throughout.
        right = {UPSELL} if n % 2 else {FEATURE}
        finish(session_factory, catalogue, clock, n, right | ({RENEWAL} if n >= 16 else set()))
        clock.advance(minutes=90)
    # Signed in again: days have passed on the server's clock.
    page = html.unescape(text_of(staff_client("author").get("/staff/authoring/statistics")))
    assert "Shown counts the attempts that showed the item's current version" in page
    rows = {
        item: page.split(f'href="/staff/authoring/items/{item}"', 1)[1].split("</tr>", 1)[0] for item in KEYS
    }
    assert "<td>33</td>" in rows[RENEWAL]
    assert "may have leaked: getting easier over time" in rows[RENEWAL]
    assert "facility 0.00 in the first third of its 33 responses, 1.00 in the last third" in rows[RENEWAL]
    assert "tau 0.72, p < 0.0001;" in rows[RENEWAL]
    assert "(flagged: may have leaked)" in rows[RENEWAL]
    for item in (UPSELL, FEATURE):
        assert "<td>33 of 40</td>" in rows[item]
        assert (
            "near cap" in rows[item]
            and f"{item} has been shown 33 times, 82% of its maximum of 40" in rows[item]
        )
        assert "may have leaked" not in rows[item]


def test_a_start_that_draws_at_the_press_keeps_to_the_cap_and_never_turns_the_candidate_away(
    staff_client: Any, session_factory: sessionmaker[Session], catalogue: Catalogue, clock: Any
) -> None:
    author = staff_client("author")
    save_form(
        author,
        capped_form("capped", f"[{{draw: 1, max_exposure: 1, from: [{RENEWAL}, {UPSELL}, {FEATURE}]}}]"),
    )
    campaign(session_factory, catalogue, "capped", "capped", clock)
    with session_factory() as session:
        found = campaign_by_slug(session, "capped")
        assert found is not None
        # Never prepared (as invitations made before preparations existed): each Start draws.
        made = [
            new_invitation(session, found, f"c{n}@example.com", "", 1, timedelta(days=3), clock())[0]
            for n in range(4)
        ]
        session.commit()
        for invitation in made:
            # The same seed for every Start: drawn without the cap, each would get the same item.
            create_attempt(session, invitation, live_catalogue(session, catalogue), clock(), random.Random(3))
    drawn = shown(session_factory)
    # Three Starts under the cap of one each; the fourth is not turned away when all are at it.
    assert sorted(drawn.values()) == [1, 1, 2] and set(drawn) == set(KEYS), drawn
