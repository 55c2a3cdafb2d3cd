"""Webhook signing secrets: made, and kept sealed at rest with a key derived from SECRET_KEY.

A signing secret must be read back to sign each delivery, so it is encrypted, not hashed. The
column is ``String(100)``, too short for Fernet, so the raw 32 secret bytes are sealed with
AES-GCM: ``v1:`` + base64url(12-byte nonce + ciphertext + 16-byte tag), 83 characters. A row
without the ``v1:`` prefix is a secret stored in clear before sealing existed: it is still
read, and sealed the next time the endpoint is written (``webhooks``).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from assess.services.app_keys import derived_key

SECRET_PREFIX = "whsec_"
#: 32 random bytes: above the convention's minimum of 24.
SECRET_BYTES = 32
SEALED_PREFIX = "v1:"
LABEL = b"assess webhook signing secrets v1"
#: Binds a sealed value to its use: a sealed ATS key or other blob is never opened as one.
AAD = b"webhook secret"
NONCE_BYTES = 12


class SecretUnopenable(Exception):
    """A sealed secret that this SECRET_KEY cannot open."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def seal(secret_key: str, secret: str) -> str:
    """``secret`` (``whsec_`` + base64) sealed for storing."""
    raw = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    nonce = os.urandom(NONCE_BYTES)
    sealed = nonce + AESGCM(derived_key(secret_key, LABEL)).encrypt(nonce, raw, AAD)
    return SEALED_PREFIX + base64.urlsafe_b64encode(sealed).decode()


def is_sealed(stored: str) -> bool:
    return stored.startswith(SEALED_PREFIX)


def unseal(secret_key: str, stored: str) -> str:
    """The ``whsec_`` secret of a stored value, sealed or (an old row) in clear."""
    if not is_sealed(stored):
        return stored
    try:
        sealed = base64.urlsafe_b64decode(stored.removeprefix(SEALED_PREFIX))
        nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
        raw = AESGCM(derived_key(secret_key, LABEL)).decrypt(nonce, ciphertext, AAD)
    except (InvalidTag, ValueError, binascii.Error):
        raise SecretUnopenable("the secret cannot be opened: was SECRET_KEY changed?") from None
    return SECRET_PREFIX + base64.b64encode(raw).decode()


def sealed_for_storing(secret_key: str, stored: str) -> str:
    """``stored`` as it should be kept: a clear old row sealed, a sealed one unchanged."""
    return stored if is_sealed(stored) else seal(secret_key, stored)
