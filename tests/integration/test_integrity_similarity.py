"""Two candidates' near-identical written answers: major concerns, the passages side by side."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from flask import Flask
from integrity_setup import Behaviour, take_attempt
from review_setup import positions_of
from sqlalchemy.orm import Session, sessionmaker
from staff_client import StaffClient

from items.bank import Catalogue

if TYPE_CHECKING:
    from conftest import ControllableClock

ANSWER = (
    "Dear Priya, thank you for your patience while our reminder service was down on Tuesday morning. "
    "The outage stopped the automatic renewal reminders for about four hours, and we have already "
    "resent every reminder that was missed. Your account was not charged twice and nothing needs to "
    "change on your side. I will call you on Friday to walk through the new monitoring we added, so "
    "that a failure like this one is caught within minutes rather than hours. Kind regards, Sam"
)
COPIED = ANSWER.replace("Kind regards, Sam", "Best wishes, Alex").replace("four hours", "4 hours")


def test_copied_written_answers_name_each_other_and_show_the_shared_passages(
    app: Flask,
    session_factory: sessionmaker[Session],
    catalogue: Catalogue,
    invite: Callable[..., str],
    clock: ControllableClock,
    staff_client: Callable[..., StaffClient],
) -> None:
    first = take_attempt(session_factory, catalogue, invite, clock, Behaviour("sam@example.com", text=ANSWER))
    second = take_attempt(
        session_factory,
        catalogue,
        invite,
        clock,
        Behaviour("alex@example.com", text=COPIED, network="192.0.2.0/24"),
    )
    own = take_attempt(
        session_factory, catalogue, invite, clock, Behaviour("kim@example.com", network="10.9.8.0/24")
    )
    recruiter = staff_client("recruiter")

    if not positions_of(session_factory, first, "written"):
        pytest.skip("the banks in use have no written item")
    html = recruiter.get(f"/staff/review/attempts/{second}").get_data(as_text=True)
    assert "Major concerns" in html
    assert f'href="/staff/review/attempts/{first}"' in html
    passages = html.split("Passages the two answers share", 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td>([^<]*)</td>", passages)
    assert any("resent every reminder that was missed" in cell for cell in cells)
    # Written by somebody else entirely: no concerns, and no link to the pair.
    unrelated = recruiter.get(f"/staff/review/attempts/{own}").get_data(as_text=True)
    assert "No concerns" in unrelated
    assert f'href="/staff/review/attempts/{first}"' not in unrelated
