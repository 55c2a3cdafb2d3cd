"""Which URLs assess may send requests to: the guard against server-side request forgery.

A webhook URL is chosen by an admin, but resolving it happens on our network: without this
guard a URL could reach the database, a cloud metadata service (169.254.169.254) or an admin
port on 127.0.0.1. Every address a host name resolves to is checked, when the URL is saved and
again at each send, and the send then connects to an address that was checked, so a name that
resolves differently a second later (DNS rebinding) cannot slip through.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

#: ``socket.getaddrinfo``'s shape; tests and callers may pass another resolver.
Resolver = Callable[[str, int], Sequence[str]]
MAX_URL_CHARS = 2000


class RefusedTarget(ValueError):
    """A URL assess will not send to, with the reason in words an admin can act on."""


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (a checked address) and what to ask for there."""

    scheme: str
    host: str
    port: int
    #: The request target: path and query, as sent on the request line.
    path: str
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def resolve_host(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, IPv4 and IPv6, without duplicates."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedTarget(f"the host {host} could not be resolved ({exc})") from None
    return list(dict.fromkeys(str(info[4][0]) for info in found))


def checked_target(
    url: str,
    *,
    allow_private: bool,
    allowed_hosts: frozenset[str] | None = None,
    resolve: Resolver = resolve_host,
) -> Target:
    """``url`` as a ``Target`` if assess may send to it, else ``RefusedTarget`` saying why.

    Only http and https, no user name or password in the URL, the host among ``allowed_hosts``
    when those are given, and every address the host resolves to public, unless
    ``allow_private`` (the ALLOW_PRIVATE_WEBHOOK_TARGETS setting) admits private ones.
    """
    if len(url) > MAX_URL_CHARS:
        raise RefusedTarget(f"the URL is longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise RefusedTarget(f"the URL cannot be read ({exc})") from None
    if parts.scheme not in {"http", "https"}:
        raise RefusedTarget("the URL must start with https:// (or http://)")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise RefusedTarget("the URL has no host name")
    if parts.username is not None or parts.password is not None:
        raise RefusedTarget("the URL must not carry a user name or password")
    if allowed_hosts is not None and host not in {name.lower() for name in allowed_hosts}:
        raise RefusedTarget(f"the host {host} is not one this delivery may go to")
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = tuple(resolve(host, port))
    if not addresses:
        raise RefusedTarget(f"the host {host} has no address")
    if not allow_private:
        for address in addresses:
            reason = non_public_reason(address)
            if reason:
                raise RefusedTarget(
                    f"the host {host} resolves to {address}, {reason}; assess sends only to public "
                    "addresses unless ALLOW_PRIVATE_WEBHOOK_TARGETS is set"
                )
    path = parts.path or "/"
    return Target(parts.scheme, host, port, path + (f"?{parts.query}" if parts.query else ""), addresses)


def non_public_reason(address: str) -> str:
    """Why ``address`` is not a public unicast address (e.g. "a loopback address"), or ""."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    checks = (
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip.is_unspecified, "the unspecified address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        # Carrier-grade NAT (100.64.0.0/10) and the like: neither private nor reachable publicly.
        (not ip.is_global, "an address that is not public"),
    )
    return next((reason for failed, reason in checks if failed), "")
