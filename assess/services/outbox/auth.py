"""Who authenticates a delivery: providers registered per ``auth`` prefix, asked at send time.

Secrets never enter an outbox row. ``auth`` names a provider and its argument (``webhook:12``);
the provider registered for that prefix turns it into headers when the row is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from assess.models import Delivery


class AuthProvider(Protocol):
    """Headers that authenticate ``delivery`` now, from ``suffix`` (what follows the prefix)."""

    def __call__(
        self, session: Session, suffix: str, delivery: Delivery, now: datetime
    ) -> Mapping[str, str]: ...


class AuthUnavailable(Exception):
    """The credential a delivery names is gone (endpoint deleted or disabled): never sendable."""


def _no_auth(session: Session, suffix: str, delivery: Delivery, now: datetime) -> Mapping[str, str]:
    return {}


_PROVIDERS: dict[str, AuthProvider] = {"none": _no_auth}


def register_auth(prefix: str, provider: AuthProvider) -> None:
    """Make ``prefix:<suffix>`` deliveries authenticated by ``provider`` in this process."""
    if not prefix or ":" in prefix:
        raise ValueError(f"an auth prefix is a word without ':', got {prefix!r}")
    known = _PROVIDERS.get(prefix)
    if known is not None and known is not provider:
        raise ValueError(f"the auth prefix {prefix!r} is already registered")
    _PROVIDERS[prefix] = provider


def registered_prefixes() -> list[str]:
    """The prefixes this process can authenticate."""
    return list(_PROVIDERS)


def auth_headers(session: Session, delivery: Delivery, now: datetime) -> Mapping[str, str]:
    """The provider's headers for ``delivery``; ``AuthUnavailable`` if its credential is gone."""
    prefix, _, suffix = delivery.auth.partition(":")
    return _PROVIDERS[prefix](session, suffix, delivery, now)
