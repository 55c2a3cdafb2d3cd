"""API keys: made and revoked by an admin, shown once, stored as a hash, each with its scopes.

A key reads ``assess_<prefix>_<secret>``. The prefix (random, not secret) finds the row in one
indexed lookup, and the secret's SHA-256 is compared in constant time: the secret has 256 random
bits, so a fast hash is enough (a password hash would only slow every API call down).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from assess.models import StaffUser
from assess.models.api_key import ApiKey
from assess.services.invitations import checked_name
from assess.services.staff import record_audit

#: What a key may do: ``read`` campaigns, forms, invitations, attempts and results; ``invite``
#: (create and revoke invitations); ``admin`` everything, now and as the API grows.
SCOPES = ("read", "invite", "admin")
#: The scopes whose use changes something, so each use is in the audit log.
WRITE_SCOPES = frozenset({"invite", "admin"})
KEY_PATTERN = re.compile(r"^assess_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")


class ApiKeyInvalid(ValueError):
    """A key that cannot be made as asked (no name, an unknown scope)."""


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def checked_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes in ``SCOPES`` order; ``ApiKeyInvalid`` for none or an unknown one."""
    chosen = set(scopes)
    unknown = sorted(chosen - set(SCOPES))
    if unknown or not chosen:
        what = f"unknown scope(s) {', '.join(unknown)}" if unknown else "no scope"
        raise ApiKeyInvalid(f"{what}; choose from {', '.join(SCOPES)}")
    return [scope for scope in SCOPES if scope in chosen]


def create_api_key(
    session: Session, name: str, scopes: Iterable[str], actor: StaffUser | None, now: datetime
) -> tuple[ApiKey, str]:
    """A new key and its full text, which is returned once and never stored."""
    try:
        name = checked_name(name)
    except ValueError as exc:
        raise ApiKeyInvalid(str(exc)) from None
    if not name:
        raise ApiKeyInvalid("a key needs a name, saying who or what uses it")
    chosen = checked_scopes(scopes)
    prefix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(12))
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        prefix=prefix,
        secret_hash=_secret_hash(secret),
        name=name,
        scopes=chosen,
        created_by_id=actor.id if actor is not None else None,
        created_at=now,
    )
    session.add(key)
    session.flush()
    record_audit(session, actor, "api_key.create", "api_key", key.id, {"name": name, "scopes": chosen}, now)
    session.commit()
    return key, f"assess_{prefix}_{secret}"


def api_keys(session: Session) -> list[ApiKey]:
    """Every key, the working ones first, newest first."""
    return list(session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.id.desc())))


def key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    return session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()


def revoke_api_key(session: Session, key_id: int, actor: StaffUser | None, now: datetime) -> ApiKey:
    """Stop a key working at once; revoking twice keeps the first time (and logs it once)."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise LookupError(f"no API key {key_id}")
    if key.revoked_at is None:
        key.revoked_at = now
        record_audit(session, actor, "api_key.revoke", "api_key", key.id, {"name": key.name}, now)
    session.commit()
    return key


def authenticate(session: Session, presented: str) -> ApiKey | None:
    """The working key ``presented`` is, else None (malformed, unknown, wrong secret or revoked)."""
    match = KEY_PATTERN.match(presented)
    if match is None:
        return None
    key = key_by_prefix(session, match.group(1))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, _secret_hash(match.group(2))):
        return None
    return key


def allows(key: ApiKey, scope: str) -> bool:
    """Whether the key holds ``scope``; ``admin`` holds them all."""
    return "admin" in key.scopes or scope in key.scopes


def record_key_use(session: Session, key: ApiKey, scope: str, action: str, now: datetime) -> None:
    """Add an audit entry for a use of a write scope to the caller's transaction."""
    if scope in WRITE_SCOPES:
        record_audit(
            session,
            None,
            "api_key.use",
            "api_key",
            key.id,
            {"name": key.name, "scope": scope, "action": action},
            now,
        )


def key_owner(session: Session, key: ApiKey) -> StaffUser | None:
    """Whom a key's changes are recorded under in other audit entries: whoever made it."""
    return session.get(StaffUser, key.created_by_id) if key.created_by_id is not None else None
