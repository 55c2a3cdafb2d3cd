"""Demo data, made up here: the integrity observations of the demo's candidates, as attempt events.

Nobody sat these attempts, so no browser reported anything: this module invents what the
attempt page would have reported, in the shape it is stored in ("focus", "paste" and "viewed"
events; "agent" and "network" in the detail of the "started" and "saved" events), so the review
pages have signals to show. The user agents are invented and the addresses are documentation
addresses (RFC 5737; RFC 3849 when all three are in use), reduced by ``integrity.origins`` as a
real request's are.

Most candidates answer from one device with a few short lapses of focus, under every
threshold. A few are planted (``plan_conduct``): one switches tabs for long stretches, one with
extra time and assistive technology shows the same pattern, one pastes a long text into the
written answer, one continues on a phone, and two hand in near-copies of one written answer.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from assess.demo.plan import FINISHED, PlannedCandidate
from assess.demo.sittings import Sitting
from assess.models import AttemptEvent
from integrity.origins import agent_family, network_prefix

TAB_SWITCHER = "tab switcher"
ASSISTED_SWITCHER = "assisted tab switcher"
PASTER = "paster"
SECOND_DEVICE = "second device"
COPIED = "copied"
COPIER = "copier"
#: Planted in this order, each on another finished candidate, as far as there are finishers.
CONDUCTS = (TAB_SWITCHER, ASSISTED_SWITCHER, PASTER, SECOND_DEVICE, COPIED, COPIER)
#: The accommodated tab switcher's extra time (and assistive technology).
ASSISTED_EXTRA_TIME = Decimal("1.5")

#: The tab switcher's absences, in seconds, on their longest items: 5 min 20 s away in all.
LONG_SWITCHES = (110.0, 85.0, 70.0, 55.0)
#: The planted paste into the written answer, in characters.
LONG_PASTE = 642

DESKTOP_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.70",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36",
)
PHONE_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1"
)
#: RFC 5737's documentation networks: TEST-NET-1, -2 and -3.
DOCUMENTATION_NETWORKS = ("192.0.2", "198.51.100", "203.0.113")
#: Two attempts never hold one network within this much of each other, so no shared network is made up.
NETWORK_MARGIN = timedelta(minutes=10)

#: The summary email one planted candidate writes in their own words rather than the notes'.
WRITTEN_ORIGINAL = "\n\n".join(
    (
        "Subject: Brightwater renewal - what went wrong and who is fixing it",
        "Hello Support, Finance and Onboarding,",
        "I met Siobhan Keane and Dr. Raj Malhotra of Brightwater Veterinary Group this morning. The "
        "renewal on June 30 is in doubt: Dr. Malhotra wants things steady by late April or they start "
        "looking elsewhere.",
        "What upset them:\n"
        "- No reminder texts reached patients for three days in early March, after we moved SMS vendors; "
        "roughly 140 visits were missed. Everything has worked again since the fix went live on March 6.\n"
        "- Eastgate and Millbrook joined in February, but nobody there has been trained yet, so most of "
        "their staff never log in.\n"
        "- February's bill charged for seven seats too many, $315 in total.",
        "Who does what:\n"
        "- Tomás writes up the root cause for Siobhan by Friday, March 14.\n"
        "- Ayesha credits the $315 on the March invoice; I tell Siobhan by March 18.\n"
        "- Ben trains Eastgate on March 19 and Millbrook the day after.\n"
        "- I review progress with Siobhan and Dr. Malhotra on March 27.",
        "Please tell me today if any of these dates is a problem.",
        "Thanks,\nPriya",
    )
)
#: How another candidate's near-copy differs: another greeting and sign-off, a few words swapped,
#: a typo, the last request dropped.
NEAR_COPY_EDITS = (
    ("Hello Support, Finance and Onboarding,", "Hi all,"),
    ("in doubt", "at risk"),
    ("steady", "stable"),
    ("roughly 140", "about 140"),
    ("most of their staff", "most of thier staff"),
    ("I tell Siobhan", "I confirm it to Siobhan"),
    ("Please tell me today if any of these dates is a problem.\n\n", ""),
    ("Priya", "Daniel"),
)


def _near_copy(text: str) -> str:
    for before, after in NEAR_COPY_EDITS:
        text = text.replace(before, after)
    return text


PLANTED_WRITTEN = {COPIED: WRITTEN_ORIGINAL, COPIER: _near_copy(WRITTEN_ORIGINAL)}


def plan_conduct(people: Sequence[PlannedCandidate], rng: random.Random) -> dict[int, str]:
    """Which finished candidates (by index) do what ``CONDUCTS`` plants; the others are unremarkable."""
    finishers = [person.index for person in people if person.stage in FINISHED]
    rng.shuffle(finishers)
    return dict(zip(finishers, CONDUCTS, strict=False))


class Networks:
    """Hands out documentation addresses, a network to one attempt at a time.

    RFC 5737 has only three /24 networks, and two attempts on one network at once would make up
    a "shared network" signal; past three at once, a network of the IPv6 documentation prefix.
    """

    def __init__(self) -> None:
        self._held: list[tuple[str, datetime, datetime]] = []
        self._spare = 0

    def address(self, start: datetime, end: datetime, rng: random.Random) -> str:
        busy = {
            network
            for network, held_from, held_to in self._held
            if held_from < end + NETWORK_MARGIN and start < held_to + NETWORK_MARGIN
        }
        free = [network for network in DOCUMENTATION_NETWORKS if network not in busy]
        if free:
            network = rng.choice(free)
            address = f"{network}.{rng.randint(1, 254)}"
        else:
            self._spare += 1
            network = f"2001:db8:{self._spare:x}"
            address = f"{network}::{rng.randint(1, 0xFFFF):x}"
        self._held.append((network, start, end))
        return address


@dataclass(frozen=True)
class Devices:
    """Where a candidate's requests came from over the attempt: one device, or a switch at ``switch_at``."""

    first: dict[str, str]
    second: dict[str, str] | None
    switch_at: datetime

    def at(self, moment: datetime) -> dict[str, str]:
        return self.second if self.second is not None and moment >= self.switch_at else self.first


def _origin(user_agent: str, address: str) -> dict[str, str]:
    return {"agent": agent_family(user_agent), "network": network_prefix(address)}


def _devices(
    sitting: Sitting, started: datetime, conduct: str, networks: Networks, rng: random.Random
) -> Devices:
    end = sitting.last_answer + timedelta(minutes=5)
    if conduct != SECOND_DEVICE or len(sitting.views) < 4:
        agent = rng.choice(DESKTOP_AGENTS)
        return Devices(_origin(agent, networks.address(started, end, rng)), None, end)
    # Half-way through, the laptop is left and the test continued on a phone, on its mobile network.
    switch_at = sitting.views[len(sitting.views) // 2][1]
    laptop = _origin(DESKTOP_AGENTS[0], networks.address(started, switch_at, rng))
    phone = _origin(PHONE_AGENT, networks.address(switch_at, end, rng))
    return Devices(laptop, phone, switch_at)


def _lapse(
    position: int, shown: datetime, left: datetime, away: float, hidden: bool, rng: random.Random
) -> tuple[int, datetime, datetime, bool]:
    """A lapse of ``away`` seconds (at most 80 % of the item's time) somewhere inside its time on screen."""
    window = (left - shown).total_seconds()
    away = min(away, 0.8 * window)
    lost = shown + timedelta(seconds=rng.uniform(0.05, 0.95) * (window - away))
    return position, lost, lost + timedelta(seconds=away), hidden


def _focus_lapses(
    sitting: Sitting, conduct: str, rng: random.Random
) -> list[tuple[int, datetime, datetime, bool]]:
    """(position, lost, regained, hidden) of each lapse: short and few, or the planted long ones."""
    views = sitting.views
    if conduct in (TAB_SWITCHER, ASSISTED_SWITCHER):
        longest = sorted(views, key=lambda view: view[2] - view[1], reverse=True)[: len(LONG_SWITCHES)]
        return [
            _lapse(position, shown, left, away, True, rng)
            for (position, shown, left), away in zip(longest, LONG_SWITCHES, strict=False)
        ]
    if not views:
        return []
    # Under every threshold: at most two lapses of 2 s or more, none near 30 s, and a few blips.
    lapses = [
        _lapse(*rng.choice(views), rng.uniform(3, 18), rng.random() < 0.5, rng)
        for _ in range(rng.randint(0, 2))
    ]
    lapses += [
        _lapse(*rng.choice(views), rng.uniform(0.3, 1.5), False, rng) for _ in range(rng.randint(0, 2))
    ]
    return sorted(lapses, key=lambda lapse: lapse[1])


def _pastes(sitting: Sitting, conduct: str, rng: random.Random) -> list[tuple[int, datetime, int, bool]]:
    """(position, at, characters, from_page) of each paste into the written answer."""
    written = [view for view in sitting.views if view[0] in sitting.written]
    if not written:
        return []
    position, shown, left = written[0]

    def moment() -> datetime:
        return shown + (left - shown) * rng.uniform(0.3, 0.9)

    if conduct == PASTER:
        return [(position, moment(), LONG_PASTE, False)]
    pastes = []
    if rng.random() < 0.3:  # the client's name, copied from an email: too short to count
        pastes.append((position, moment(), rng.choice((13, 28)), False))
    if rng.random() < 0.25:  # a line of the call notes on the page itself: never counted
        pastes.append((position, moment(), rng.randint(90, 220), True))
    return sorted(pastes, key=lambda paste: paste[1])


def record_demo_observations(
    session: Session, sitting: Sitting, conduct: str, networks: Networks, rng: random.Random
) -> None:
    """Write a demo sitting's made-up observations as its events, as the attempt page's reports are stored.

    Called after ``sit_test`` and before the attempt is finished, as they would arrive.
    """
    logged = session.execute(
        select(AttemptEvent.id, AttemptEvent.kind, AttemptEvent.at, AttemptEvent.detail).where(
            AttemptEvent.attempt_id == sitting.attempt_id, AttemptEvent.kind.in_(("started", "saved"))
        )
    ).all()
    started = min(at for _, kind, at, _ in logged if kind == "started")
    devices = _devices(sitting, started, conduct, networks, rng)
    session.execute(
        update(AttemptEvent),
        [{"id": id_, "detail": {**detail, **devices.at(at)}} for id_, _, at, detail in logged],
    )
    lapses = _focus_lapses(sitting, conduct, rng)
    away: dict[int, float] = {}
    for position, lost, regained, hidden in lapses:
        if hidden:
            away[position] = away.get(position, 0.0) + (regained - lost).total_seconds()
    events: list[dict[str, Any]] = [
        _event(
            sitting, "focus", position, lost, {"regained_at": regained.isoformat(), "hidden": hidden}, devices
        )
        for position, lost, regained, hidden in lapses
    ]
    events += [
        _event(sitting, "paste", position, at, {"characters": characters, "from_page": from_page}, devices)
        for position, at, characters, from_page in _pastes(sitting, conduct, rng)
    ]
    # A hidden page is not on screen: the seconds an item was viewed leave those lapses out.
    events += [
        _event(
            sitting,
            "viewed",
            position,
            left,
            {"seconds": round(max(0.0, (left - shown).total_seconds() - away.get(position, 0.0)), 1)},
            devices,
        )
        for position, shown, left in sitting.views
    ]
    if events:
        session.execute(insert(AttemptEvent), events)
    session.commit()


def _event(
    sitting: Sitting, kind: str, position: int, at: datetime, detail: dict[str, Any], devices: Devices
) -> dict[str, Any]:
    return {
        "attempt_id": sitting.attempt_id,
        "at": at,
        "kind": kind,
        "position": position,
        "seq": None,
        "detail": {**detail, **devices.at(at)},
    }
