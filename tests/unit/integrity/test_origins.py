from datetime import timedelta

import pytest
from integrity_timelines import at, attempt, origin

from integrity.origins import agent_family, network_prefix, origin_change, shared_networks
from integrity.rules import IntegrityRules
from integrity.signals import SignalKind

RULES = IntegrityRules()
PHONE = "Safari on iOS"


@pytest.mark.parametrize(
    ("address", "prefix"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("not an address", "unknown network"),
        ("127.0.0.1", "unknown network"),
        ("::1", "unknown network"),
    ],
)
def test_only_the_network_prefix_is_kept_never_the_address(address: str, prefix: str) -> None:
    assert network_prefix(address) == prefix


@pytest.mark.parametrize(
    ("user_agent", "family"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            "Safari on iOS",
        ),
        ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
        ("curl/8.5.0", "Other browser on another system"),
    ],
)
def test_agent_family_keeps_browser_and_system_without_versions(user_agent: str, family: str) -> None:
    assert agent_family(user_agent) == family


def test_one_device_throughout_is_not_a_signal() -> None:
    assert origin_change(attempt(origins=tuple(origin(s) for s in range(0, 1500, 30))), RULES) is None


def test_continuing_on_a_phone_on_another_network_is_one_change_with_its_time() -> None:
    seen = (
        origin(0),
        origin(300),
        origin(600, PHONE, "198.51.100.0/24"),
        origin(900, PHONE, "198.51.100.0/24"),
    )
    signal = origin_change(attempt(origins=seen), RULES)
    assert signal is not None
    assert signal.kind is SignalKind.ORIGIN_CHANGE
    assert signal.weight == 1
    assert signal.summary == "Continued on another device and network: 1 change"
    assert signal.evidence[0].text == (
        "At 10:10:00 UTC: from Firefox on Windows, 203.0.113.0/24 to Safari on iOS, 198.51.100.0/24"
    )
    assert signal.evidence[0].at == at(600)


def test_going_back_and_forth_between_two_devices_doubles_the_weight() -> None:
    seen = tuple(origin(s * 60, PHONE if s % 2 else "Firefox on Windows") for s in range(5))
    signal = origin_change(attempt(origins=seen), RULES)
    assert signal is not None
    assert signal.summary == "Continued on another device: 4 changes, 3 back to an earlier one"
    assert signal.weight == 2


def test_requests_out_of_order_are_read_in_time_order() -> None:
    seen = (origin(600), origin(0), origin(300))
    assert origin_change(attempt(origins=seen), RULES) is None


def test_two_candidates_on_one_network_at_the_same_time_each_get_a_signal_naming_the_other() -> None:
    found = shared_networks(
        {
            1: [origin(0), origin(1200)],
            2: [origin(600), origin(1800)],
            3: [origin(0, network="198.51.100.0/24"), origin(1200, network="198.51.100.0/24")],
        },
        RULES,
    )
    assert sorted(found) == [1, 2]
    (signal,) = found[1]
    assert signal.kind is SignalKind.SHARED_NETWORK
    assert signal.other_attempt == 2
    assert found[2][0].other_attempt == 1
    assert signal.summary == "Another candidate answered from the same network at the same time (10 min)"
    assert signal.evidence[1].text == "The other attempt: 203.0.113.0/24 from 10:10 to 10:30 UTC"


def test_one_network_used_one_after_the_other_is_not_shared() -> None:
    found = shared_networks({1: [origin(0), origin(900)], 2: [origin(960), origin(2000)]}, RULES)
    assert found == {}


def test_a_brief_overlap_below_the_threshold_is_not_shared() -> None:
    found = shared_networks({1: [origin(0), origin(900)], 2: [origin(700), origin(2000)]}, RULES)
    assert found == {}
    wider = IntegrityRules(shared_network_overlap=timedelta(minutes=3))
    assert sorted(shared_networks({1: [origin(0), origin(900)], 2: [origin(700), origin(2000)]}, wider)) == [
        1,
        2,
    ]


def test_an_unknown_network_is_never_shared() -> None:
    # A reverse proxy that hides client addresses would otherwise put every candidate on one network.
    hidden = [origin(0, network="unknown network"), origin(1200, network="unknown network")]
    assert shared_networks({1: hidden, 2: hidden}, RULES) == {}
