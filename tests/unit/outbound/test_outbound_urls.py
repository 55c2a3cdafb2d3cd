"""The SSRF rule: assess sends only to public addresses, every resolved address checked."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from assess.services.outbound_urls import RefusedTarget, Resolver, checked_target, non_public_reason


def resolver(*addresses: str) -> Resolver:
    def resolve(host: str, port: int) -> Sequence[str]:
        return addresses

    return resolve


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.9", "private"),
        ("192.168.1.1", "private"),
        ("fd00::1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "not public"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
    ],
)
def test_non_public_addresses_are_named_for_what_they_are(address: str, reason: str) -> None:
    assert reason in non_public_reason(address)
    with pytest.raises(RefusedTarget, match=reason):
        checked_target("https://hooks.example.com/x", allow_private=False, resolve=resolver(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert non_public_reason(address) == ""
    target = checked_target(
        "https://hooks.example.com/in?x=1", allow_private=False, resolve=resolver(address)
    )
    assert (target.host, target.port, target.path, target.addresses) == (
        "hooks.example.com",
        443,
        "/in?x=1",
        (address,),
    )


def test_one_private_address_among_public_ones_refuses_the_url() -> None:
    with pytest.raises(RefusedTarget, match="10.0.0.7, a private address"):
        checked_target(
            "https://hooks.example.com/", allow_private=False, resolve=resolver("93.184.216.34", "10.0.0.7")
        )


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/hook", "http://10.0.0.5/", "http://169.254.169.254/latest/meta-data"]
)
def test_address_literals_are_checked_without_dns_and_admitted_only_by_the_setting(url: str) -> None:
    with pytest.raises(RefusedTarget, match="ALLOW_PRIVATE_WEBHOOK_TARGETS"):
        checked_target(url, allow_private=False)
    assert checked_target(url, allow_private=True).addresses


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://hooks.example.com/", "https://"),
        ("hooks.example.com/in", "https://"),
        ("https:///in", "no host"),
        ("https://user:pw@hooks.example.com/", "user name or password"),
        ("https://hooks.example.com:99999/", "cannot be read"),
        ("https://hooks.example.com/" + "a" * 2000, "longer than"),
    ],
)
def test_malformed_urls_are_refused_with_the_reason(url: str, reason: str) -> None:
    with pytest.raises(RefusedTarget, match=reason):
        checked_target(url, allow_private=True, resolve=resolver("93.184.216.34"))


def test_allowed_hosts_restrict_a_delivery_to_named_hosts() -> None:
    public = resolver("93.184.216.34")
    allowed = frozenset({"app.greenhouse.io"})
    assert checked_target(
        "https://APP.greenhouse.io/x", allow_private=False, allowed_hosts=allowed, resolve=public
    )
    with pytest.raises(RefusedTarget, match="not one this delivery may go to"):
        checked_target(
            "https://evil.example.com/x", allow_private=False, allowed_hosts=allowed, resolve=public
        )


def test_a_host_that_does_not_resolve_is_refused_with_its_name() -> None:
    with pytest.raises(RefusedTarget, match="could not be resolved"):
        checked_target("https://no-such-host.invalid/", allow_private=False)
