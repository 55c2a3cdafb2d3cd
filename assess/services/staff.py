"""Staff accounts, passwords, sign-in sessions and the audit log."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from assess.clock import system_clock
from assess.models import AuditEntry, StaffUser
from assess.models.staff import StaffSession

ROLES = ("admin", "recruiter", "interviewer", "author")
ROLE_NAMES = {
    "admin": "Administrator",
    "recruiter": "Recruiter",
    "interviewer": "Interviewer",
    "author": "Item author",
}
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
#: A working day: a session cookie copied or left behind is worth nothing after it.
SESSION_LIFETIME = timedelta(hours=12)

# Compared against when the email is unknown, so a wrong email costs as much time as a
# wrong password and the response time does not tell which addresses have accounts.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing")


def normalised_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    email = normalised_email(email)
    if len(email) > 320 or not EMAIL_PATTERN.match(email):
        raise ValueError(f"{email!r} is not an email address")
    return email


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise ValueError(f"the password must have at most {MAX_PASSWORD_LENGTH} characters")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    return role


def user_by_email(session: Session, email: str) -> StaffUser | None:
    return session.scalars(select(StaffUser).where(StaffUser.email == normalised_email(email))).one_or_none()


def create_user(
    session: Session,
    email: str,
    role: str,
    password: str,
    name: str = "",
    now: datetime | None = None,
    actor: StaffUser | None = None,
) -> StaffUser:
    """A new active account; ``ValueError`` says what is wrong and nothing is stored."""
    email, role, password = check_email(email), check_role(role), check_password(password)
    name = name.strip()
    if len(name) > 200:
        raise ValueError("the name must have at most 200 characters")
    if user_by_email(session, email) is not None:
        raise ValueError(f"a staff account for {email} already exists")
    at = now or system_clock()
    user = StaffUser(
        email=email,
        name=name,
        role=role,
        password_hash=generate_password_hash(password),
        active=True,
        created_at=at,
    )
    session.add(user)
    try:
        session.flush()
        record_audit(session, actor, "user.create", "staff_user", user.id, {"email": email, "role": role}, at)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValueError(f"a staff account for {email} already exists") from None
    return user


def set_password(
    session: Session, user: StaffUser, password: str, now: datetime, actor: StaffUser | None = None
) -> None:
    """Replace a user's password and end every session of the account.

    Whoever knew the old password may have signed in with it: no browser keeps a session
    opened before the change. (The demo resets its admin's password on every run.)
    """
    user.password_hash = generate_password_hash(check_password(password))
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))
    record_audit(session, actor, "user.password", "staff_user", user.id, {"email": user.email}, now)
    session.commit()


def authenticate(session: Session, email: str, password: str) -> StaffUser | None:
    """The active account with this email and password, else None (never says which was wrong)."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return None
    user = user_by_email(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def record_login_failure(
    session: Session, email: str, address: str, now: datetime, locked: Sequence[str] = ()
) -> None:
    """Audit a refused sign-in, and the lock-out it started if ``locked`` names what is locked.

    Known and unknown emails are recorded alike (one insert each), so this step takes the same
    time for both; the password is never recorded.
    """
    email = normalised_email(email)[:320]
    detail = {"email": email, "address": address}
    # subject_id holds 64 characters; the full address is in the detail.
    record_audit(session, None, "login.failed", "staff_login", email[:64], detail, now)
    for whose in locked:
        locked_detail = {**detail, "locked": whose}
        record_audit(session, None, "login.locked", "staff_login", email[:64], locked_detail, now)
    session.commit()


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_session(session: Session, user: StaffUser, now: datetime) -> str:
    """Record a new signed-in session of ``user``; returns the secret its cookie carries."""
    secret = secrets.token_urlsafe(32)
    # The user's sessions past their lifetime go now, so the table holds live sessions only.
    session.execute(
        delete(StaffSession).where(
            StaffSession.user_id == user.id, StaffSession.created_at <= now - SESSION_LIFETIME
        )
    )
    session.add(StaffSession(user_id=user.id, secret_hash=_secret_hash(secret), created_at=now))
    session.commit()
    return secret


def session_user(session: Session, secret: str, now: datetime) -> StaffUser | None:
    """The active account whose live session this cookie secret opens, else None."""
    query = (
        select(StaffUser)
        .join(StaffSession, StaffSession.user_id == StaffUser.id)
        .where(
            StaffSession.secret_hash == _secret_hash(secret),
            StaffSession.created_at > now - SESSION_LIFETIME,
            StaffUser.active.is_(True),
        )
    )
    return session.scalars(query).one_or_none()


def end_session(session: Session, secret: str) -> None:
    """Sign-out: the session's row goes, so every copy of its cookie stops working."""
    session.execute(delete(StaffSession).where(StaffSession.secret_hash == _secret_hash(secret)))
    session.commit()


def record_audit(
    session: Session,
    actor: StaffUser | None,
    action: str,
    subject_type: str,
    subject_id: int | str,
    detail: dict[str, Any],
    now: datetime | None = None,
) -> None:
    """Add an audit entry to the caller's transaction; the caller commits it with its change."""
    session.add(
        AuditEntry(
            at=now or system_clock(),
            actor_id=actor.id if actor is not None else None,
            action=action,
            subject_type=subject_type,
            subject_id=str(subject_id),
            detail=detail,
        )
    )


def audit_entries(
    session: Session,
    subject_type: str | None = None,
    subject_ids: Sequence[str] | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[tuple[AuditEntry, StaffUser | None]]:
    """Entries newest first, with their actor, optionally for some subjects only."""
    query = select(AuditEntry, StaffUser).outerjoin(StaffUser, StaffUser.id == AuditEntry.actor_id)
    if subject_type is not None:
        query = query.where(AuditEntry.subject_type == subject_type)
    if subject_ids is not None:
        query = query.where(AuditEntry.subject_id.in_(list(subject_ids)))
    query = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit).offset(offset)
    return [(entry, actor) for entry, actor in session.execute(query).all()]


def count_audit_entries(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def reset_or_create_user(
    session: Session, email: str, role: str, password: str, name: str, now: datetime
) -> StaffUser:
    """The account with this email, given this password and role (and made active); created if missing."""
    user = user_by_email(session, email)
    if user is None:
        return create_user(session, email, role, password, name=name, now=now)
    user.role = check_role(role)
    user.active = True
    set_password(session, user, password, now)
    return user
