"""Where requests came from: the coarse fingerprint graders may see, and the rules that read it.

Only a network prefix and a browser family are kept, never a full IP address or user agent:
enough to notice a change of device or a shared network, too little to locate or track anyone.
"""

from __future__ import annotations

import ipaddress
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from itertools import combinations

from integrity.observations import AttemptObservations, RequestOrigin
from integrity.rules import IntegrityRules
from integrity.signals import Evidence, Signal, SignalKind, duration_text

#: An IPv4 /24 is one household, office floor or mobile cell; an IPv6 /48 one site.
IPV4_PREFIX = 24
IPV6_PREFIX = 48
#: What an address that says nothing about the candidate's network becomes: unreadable, or the
#: loopback a reverse proxy shows when it does not pass the client's address on. Never "shared".
UNKNOWN_NETWORK = "unknown network"

# Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(OPR|Opera)/")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    # Headless Chromium (automation, scrapers) names itself HeadlessChrome: still Chrome.
    ("Chrome", re.compile(r"\b(Chrome|HeadlessChrome|CriOS|Chromium)/")),
    ("Safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iOS", re.compile(r"\b(iPhone|iPad|iPod)\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("macOS", re.compile(r"\bMac OS X\b|\bMacintosh\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def network_prefix(address: str) -> str:
    """The network an address belongs to ("203.0.113.0/24"); the address itself is dropped."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return UNKNOWN_NETWORK
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback or ip.is_unspecified:
        return UNKNOWN_NETWORK
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def agent_family(user_agent: str) -> str:
    """The browser and system family ("Firefox on Windows"), without versions or device details."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), "Other browser")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), "another system")
    return f"{browser} on {system}"


def origin_change_rule(rules: IntegrityRules) -> str:
    return (
        "Counted when requests of one attempt came from more than one browser family or network prefix; "
        f"weight {rules.weight_origin_change}, doubled when the attempt went back to an earlier "
        f"browser or network {rules.origin_returns_major} times or more (two in use side by side)."
    )


def shared_network_rule(rules: IntegrityRules) -> str:
    return (
        "Counted when two attempts of the campaign sent requests from the same known network prefix during "
        f"spans that overlap by {duration_text(rules.shared_network_overlap)} or more; "
        f"weight {rules.weight_shared_network}. Offices, campuses and mobile networks are shared "
        "by many people: on its own this is rarely worth more than a question."
    )


def origin_change(attempt: AttemptObservations, rules: IntegrityRules) -> Signal | None:
    """The attempt continued from another browser family or network, in the order it happened."""
    runs: list[RequestOrigin] = []
    for origin in sorted(attempt.origins, key=lambda o: o.at):
        if not runs or _where(runs[-1]) != _where(origin):
            runs.append(origin)
    if len(runs) < 2:
        return None
    # Consecutive runs differ by construction, so any earlier run matching is a return.
    returns = sum(1 for i, run in enumerate(runs) if _where(run) in {_where(r) for r in runs[:i]})
    devices = len({run.agent_family for run in runs}) > 1
    networks = len({run.network for run in runs}) > 1
    what = " and ".join(word for word, changed in (("device", devices), ("network", networks)) if changed)
    evidence = [
        Evidence(
            f"At {after.at:%H:%M:%S} UTC: from {before.agent_family}, {before.network} "
            f"to {after.agent_family}, {after.network}",
            at=after.at,
        )
        for before, after in zip(runs, runs[1:], strict=False)
    ]
    return Signal(
        kind=SignalKind.ORIGIN_CHANGE,
        weight=rules.weight_origin_change * (2 if returns >= rules.origin_returns_major else 1),
        summary=(
            f"Continued on another {what}: {len(runs) - 1} "
            f"{'change' if len(runs) == 2 else 'changes'}"
            + (f", {returns} back to an earlier one" if returns else "")
        ),
        evidence=tuple(evidence),
        rule=origin_change_rule(rules),
    )


def shared_networks(
    origins: Mapping[int, Sequence[RequestOrigin]], rules: IntegrityRules
) -> dict[int, list[Signal]]:
    """Per attempt id, a signal for each other attempt that answered from its network at the same time."""
    spans: dict[str, dict[int, tuple[datetime, datetime]]] = defaultdict(dict)
    for attempt_id, seen in origins.items():
        for origin in seen:
            if origin.network == UNKNOWN_NETWORK:
                continue
            first, last = spans[origin.network].get(attempt_id, (origin.at, origin.at))
            spans[origin.network][attempt_id] = (min(first, origin.at), max(last, origin.at))
    signals: dict[int, list[Signal]] = defaultdict(list)
    for network, by_attempt in sorted(spans.items()):
        for (a, span_a), (b, span_b) in combinations(sorted(by_attempt.items()), 2):
            overlap = min(span_a[1], span_b[1]) - max(span_a[0], span_b[0])
            if overlap < rules.shared_network_overlap or overlap <= timedelta():
                continue
            for this, other, mine, theirs in ((a, b, span_a, span_b), (b, a, span_b, span_a)):
                signals[this].append(_shared(network, other, mine, theirs, overlap, rules))
    return dict(signals)


def _shared(
    network: str,
    other: int,
    mine: tuple[datetime, datetime],
    theirs: tuple[datetime, datetime],
    overlap: timedelta,
    rules: IntegrityRules,
) -> Signal:
    return Signal(
        kind=SignalKind.SHARED_NETWORK,
        weight=rules.weight_shared_network,
        summary=(
            f"Another candidate answered from the same network at the same time ({duration_text(overlap)})"
        ),
        evidence=(
            Evidence(f"This attempt: {network} from {mine[0]:%H:%M} to {mine[1]:%H:%M} UTC", at=mine[0]),
            Evidence(
                f"The other attempt: {network} from {theirs[0]:%H:%M} to {theirs[1]:%H:%M} UTC", at=theirs[0]
            ),
        ),
        rule=shared_network_rule(rules),
        other_attempt=other,
    )


def _where(origin: RequestOrigin) -> tuple[str, str]:
    return origin.agent_family, origin.network
