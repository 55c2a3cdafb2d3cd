"""Inviting candidates, one or many: all rows are checked first and stored in one transaction.

A CSV upload has the columns ``email[,name][,extra_time][,assistive_technology]``, with or
without a first line naming them (``assistive_technology``: yes or no, blank is no). Every
problem is reported with its line and column, and while any remain nothing is stored: a
recruiter fixes the file and uploads it again whole.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assess.models import Campaign, Invitation, OutboxMessage, StaffUser
from assess.services.attempt_preparation import prepare_attempts
from assess.services.invitations import (
    InvitationConflict,
    checked_assistive_technology,
    checked_email,
    checked_extra_time,
    checked_name,
    expiry,
    new_invitation,
)
from assess.services.mail import queue_invitation
from assess.services.staff import record_audit
from items.bank import Catalogue

COLUMNS = ("email", "name", "extra_time", "assistive_technology")
MAX_ROWS = 1000


@dataclass(frozen=True)
class InviteRow:
    """One candidate to invite; ``line`` is where they were in the uploaded file."""

    email: str
    name: str = ""
    extra_time: str = "1"
    #: A checkbox's or JSON's boolean, or a CSV cell checked by ``checked_assistive_technology``.
    assistive_technology: bool | str = False
    line: int = 0
    #: The file's columns in order, so a problem can say which column it is in.
    columns: tuple[str, ...] = COLUMNS

    def problem(self, field: str, message: str) -> RowProblem:
        column = self.columns.index(field) + 1 if self.line and field in self.columns else 0
        return RowProblem(self.line, field, message, column)


@dataclass(frozen=True)
class RowProblem:
    """What is wrong where: ``line`` and ``column`` (1-based, as a spreadsheet counts) of the file.

    ``line`` 0 is about the whole file or form; ``column`` 0 about the whole line.
    """

    line: int
    field: str
    message: str
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.message
        if not self.column:
            return f"line {self.line}: {self.message}"
        named = f" ({self.field})" if self.field else ""
        return f"line {self.line}, column {self.column}{named}: {self.message}"


class InviteRefused(ValueError):
    """Every problem found; nothing was stored."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def parse_invitation_csv(data: bytes) -> list[InviteRow]:
    """The rows of an uploaded CSV; ``InviteRefused`` lists every line that cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InviteRefused(
            [RowProblem(line, "", "the file is not UTF-8 text (save it as CSV UTF-8)")]
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: tuple[str, ...] = COLUMNS
    rows: list[InviteRow] = []
    problems: list[RowProblem] = []
    try:
        for record in reader:
            line = reader.line_num
            cells = [cell.strip() for cell in record]
            if not any(cells):
                continue
            if not rows and not problems and _is_header(cells):
                columns, header_problems = _header(cells, line)
                problems += header_problems
                continue
            if any(cells[len(columns) :]):
                problems.append(
                    RowProblem(
                        line,
                        "",
                        f"{len(cells)} columns; the file has at most {len(columns)} ({', '.join(columns)})",
                        len(columns) + 1,
                    )
                )
                continue
            values = dict(zip(columns, cells, strict=False))
            rows.append(
                InviteRow(
                    email=values.get("email", ""),
                    name=values.get("name", ""),
                    extra_time=values.get("extra_time", "") or "1",
                    assistive_technology=values.get("assistive_technology", ""),
                    line=line,
                    columns=columns,
                )
            )
            if len(rows) > MAX_ROWS:
                problems.append(RowProblem(line, "", f"more than {MAX_ROWS} candidates in one file"))
                break
    except csv.Error as exc:
        problems.append(RowProblem(reader.line_num, "", f"not readable as CSV: {exc}"))
    if not rows and not problems:
        problems.append(RowProblem(0, "", "the file has no candidates"))
    if problems:
        raise InviteRefused(problems)
    return rows


def _is_header(cells: list[str]) -> bool:
    return any(cell.lower() == "email" for cell in cells) and not any("@" in cell for cell in cells)


def _header(cells: list[str], line: int) -> tuple[tuple[str, ...], list[RowProblem]]:
    names = tuple(cell.lower().replace(" ", "_") for cell in cells)
    problems = [
        RowProblem(line, name, f"unknown column {name!r}; the columns are {', '.join(COLUMNS)}", number)
        for number, name in enumerate(names, start=1)
        if name not in COLUMNS
    ]
    problems += [
        RowProblem(line, name, f"column {name!r} is named twice", number)
        for number, name in enumerate(names, start=1)
        if name in names[: number - 1]
    ]
    return (names if not problems else COLUMNS), problems


def invite_candidates(
    session: Session,
    campaign_id: int,
    rows: list[InviteRow],
    valid_for: timedelta,
    public_url: str,
    time_limit: int | None,
    actor: StaffUser | None,
    now: datetime,
    catalogue: Catalogue | None = None,
) -> list[OutboxMessage]:
    """Invite every row, each with an email in the outbox, in one transaction.

    ``InviteRefused`` lists every problem (bad email, name, extra time or assistive technology,
    an email twice, a candidate with an active invitation already) and nothing is stored. With
    the file ``catalogue``, every attempt is prepared in the same transaction (multi-row inserts).
    """
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise LookupError(f"no campaign {campaign_id}")
    problems = _check_rows(session, campaign, rows, now)
    try:
        expiry(campaign, valid_for, now)
    except InvitationConflict as exc:
        problems.insert(0, RowProblem(0, "", str(exc)))
    if problems:
        raise InviteRefused(problems)
    messages = []
    invitations = []
    for row in rows:
        invitation, token = new_invitation(
            session,
            campaign,
            row.email,
            row.name,
            row.extra_time,
            valid_for,
            now,
            row.assistive_technology,
        )
        session.flush()
        message = queue_invitation(session, invitation, token, public_url, time_limit, now)
        detail = {
            "email": invitation.email,
            "campaign": campaign.slug,
            "extra_time": str(invitation.extra_time),
            "assistive_technology": invitation.assistive_technology,
            "expires_at": invitation.expires_at.isoformat(),
            "message_id": message.id,
        }
        record_audit(session, actor, "invitation.create", "invitation", invitation.id, detail, now)
        messages.append(message)
        invitations.append(invitation)
    if catalogue is not None:
        prepare_attempts(session, catalogue, invitations, random.Random())
    session.commit()
    return messages


def _check_rows(
    session: Session, campaign: Campaign, rows: list[InviteRow], now: datetime
) -> list[RowProblem]:
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for row in rows:
        for field, check in (
            ("email", checked_email),
            ("name", checked_name),
            ("extra_time", checked_extra_time),
            ("assistive_technology", checked_assistive_technology),
        ):
            try:
                check(getattr(row, field))
            except ValueError as exc:
                problems.append(row.problem(field, str(exc)))
        key = row.email.strip().lower()
        if key in seen:
            where = f"line {seen[key]}" if seen[key] else "above"
            problems.append(row.problem("email", f"{row.email.strip()} is already on {where}"))
        else:
            seen[key] = row.line
    active = _actively_invited(session, campaign, list(seen), now)
    for row in rows:
        if row.email.strip().lower() in active:
            problems.append(
                row.problem(
                    "email",
                    f"{row.email.strip()} already has an open invitation to this campaign; "
                    "resend or revoke that one instead",
                )
            )
    return problems


def _actively_invited(session: Session, campaign: Campaign, emails: list[str], now: datetime) -> set[str]:
    """Those of ``emails`` with an unrevoked, unexpired invitation to the campaign."""
    if not emails:
        return set()
    found = session.scalars(
        select(func.lower(Invitation.email)).where(
            Invitation.campaign_id == campaign.id,
            func.lower(Invitation.email).in_(emails),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    ).all()
    return set(found)
