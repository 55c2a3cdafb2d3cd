"""One outbound HTTP request to a checked target: bounded in time and size, never redirected."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import HTTPError

from assess.services.outbound_urls import Target

#: Connecting and answering together; Standard Webhooks asks receivers to answer within 15-30 s.
TIMEOUT_SECONDS = 10.0
#: Enough to show why a receiver refused; a receiver cannot make us read (or store) more.
MAX_RESPONSE_BYTES = 64 * 1024
USER_AGENT = "assess-webhooks/1"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes


class SendFailed(Exception):
    """The request got no HTTP answer (refused, timed out, TLS failed); the message says which."""


def send_request(target: Target, method: str, headers: Mapping[str, str], body: bytes) -> Reply:
    """Send to the first checked address of ``target``, with its host name for Host and TLS.

    Connecting to the address that was checked, not to the name again, is what keeps a
    rebinding DNS answer out (see ``outbound_urls``).
    """
    address = target.addresses[0]
    timeout = urllib3.Timeout(total=TIMEOUT_SECONDS)
    pool: urllib3.HTTPConnectionPool
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
    sent_headers = {"User-Agent": USER_AGENT, **headers, "Host": target.host_header}
    try:
        with pool:
            response = pool.urlopen(
                method,
                target.path,
                body=body,
                headers=sent_headers,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
            )
            try:
                data = response.read(MAX_RESPONSE_BYTES)
            finally:
                response.close()
            return Reply(response.status, dict(response.headers.items()), data)
    except HTTPError as exc:
        raise SendFailed(_reason(exc)) from None


def _reason(exc: HTTPError) -> str:
    # urllib3 wraps the cause (a timeout, a refused connection) in its own exceptions.
    cause = getattr(exc, "reason", None) or exc
    return f"{type(cause).__name__}: {cause}"
