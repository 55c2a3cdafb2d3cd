"""Keys derived from the SECRET_KEY of the app that serves a database, for secrets kept encrypted.

Every encrypted secret (an ATS connection's key, a webhook endpoint's signing secret) is sealed
with HKDF-SHA256 of SECRET_KEY under a label of its own, so no two kinds share a key and none is
the key that signs sessions. A worker sending from the outbox holds only a database session, so
each process registers its SECRET_KEY here, per database URL, when it starts (the app, or a
command that opens the database).
"""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

_SECRET_KEYS: dict[str, str] = {}


def derived_key(secret_key: str, label: bytes) -> bytes:
    """32 bytes for ``label``'s kind of secret, from ``secret_key``."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret_key.encode())


def database_of(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=False)


def register_secret_key(database_url: str, secret_key: str) -> None:
    """Let this process open the secrets stored in ``database_url``."""
    _SECRET_KEYS[database_url] = secret_key


def secret_key_for(session: Session) -> str | None:
    """The SECRET_KEY registered for ``session``'s database, or None if this process has none."""
    return _SECRET_KEYS.get(database_of(session))
