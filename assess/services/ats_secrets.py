"""Secrets we must present to an ATS again, kept encrypted with a key derived from SECRET_KEY.

A hash cannot be sent back, so these are encrypted (Fernet: AES-128-CBC with an HMAC) rather
than hashed. The Fernet key is derived from SECRET_KEY with its own label (``app_keys``), so it
is never the key that signs sessions. A new SECRET_KEY makes the stored secrets unreadable: the
connections must then be made again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken

from assess.services.app_keys import derived_key

LABEL = b"assess ats outbound keys v1"


class SecretUnreadable(Exception):
    """A stored secret that SECRET_KEY cannot open (the key changed since it was stored)."""


def _fernet(secret_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derived_key(secret_key, LABEL)))


def seal(secret_key: str, secret: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def unseal(secret_key: str, sealed: str) -> str:
    try:
        return _fernet(secret_key).decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "the stored ATS key cannot be read with this SECRET_KEY; make the connection again"
        ) from None
