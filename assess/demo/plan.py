"""Who the demo's candidates are and how far each has got: names, abilities and stages, from a seed."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

#: Every stage a campaign's candidate can be at, in the order the demo fills them when it has
#: fewer candidates than stages: a decided candidate shows the most of the product.
STAGES = (
    "decided",  # interviewed by two, decision recorded (hire, no hire or hold)
    "awaiting_review",  # test finished, the written answer waits for a reviewer
    "running",  # taking the test now
    "invited",  # link sent, not used yet
    "interviewed",  # scorecards in, no decision yet
    "reviewed",  # test finished and reviewed, not interviewed
    "expired",  # link expired unused
    "revoked",  # invitation withdrawn before the test
)
#: The share of each stage once every stage has one candidate: a campaign a few weeks old.
SHARES = {
    "decided": 0.34,
    "interviewed": 0.15,
    "reviewed": 0.22,
    "awaiting_review": 0.08,
    "running": 0.05,
    "invited": 0.08,
    "expired": 0.05,
    "revoked": 0.03,
}
#: Stages whose candidate sat the whole test.
FINISHED = ("decided", "interviewed", "reviewed", "awaiting_review")
#: Stages whose candidate is interviewed.
INTERVIEWED = ("decided", "interviewed")

FIRST_NAMES = (
    "Amara", "Ben", "Carmen", "Dmitri", "Elena", "Farid", "Grace", "Hiroshi", "Ines", "Jamal",
    "Keiko", "Liam", "Mei", "Nikolai", "Olivia", "Pablo", "Quinn", "Rania", "Samuel", "Tanvi",
    "Uche", "Valentina", "Wei", "Ximena", "Yusuf", "Zoe", "Aisha", "Bruno", "Chloe", "Diego",
    "Emeka", "Freya", "Gabriel", "Hana", "Isaac", "Julia", "Kwame", "Leila", "Marco", "Nadia",
)  # fmt: skip
LAST_NAMES = (
    "Abebe", "Brennan", "Castillo", "Dubois", "Eriksen", "Fernandes", "Gupta", "Hoffmann", "Ito",
    "Jovanovic", "Kowalski", "Lindqvist", "Mensah", "Nakamura", "O'Connor", "Petrov", "Quispe",
    "Rossi", "Sato", "Tremblay", "Usman", "Varga", "Walsh", "Xu", "Yilmaz", "Zhang", "Adeyemi",
    "Bianchi", "Chen", "Da Silva", "Evans", "Fischer", "Garcia", "Haddad", "Iyer", "Kim",
)  # fmt: skip


@dataclass(frozen=True)
class PlannedCandidate:
    index: int
    name: str
    email: str
    #: Ability on the test, N(0, 1).
    theta: float
    stage: str


def stage_counts(count: int) -> dict[str, int]:
    """How many candidates each stage gets: one each in ``STAGES`` order, the rest by ``SHARES``."""
    counts = {stage: 0 for stage in STAGES}
    for stage in STAGES[:count]:
        counts[stage] = 1
    rest = count - sum(counts.values())
    exact = {stage: SHARES[stage] * rest for stage in STAGES}
    for stage in STAGES:
        counts[stage] += math.floor(exact[stage])
    # Largest remainder: what rounding down left over goes to the largest fractions.
    left = count - sum(counts.values())
    for stage in sorted(STAGES, key=lambda s: (-(exact[s] - math.floor(exact[s])), STAGES.index(s)))[:left]:
        counts[stage] += 1
    return counts


def plan_candidates(count: int, rng: random.Random) -> list[PlannedCandidate]:
    """``count`` candidates: interviews go mostly to the abler finishers, as a real shortlist does."""
    people = []
    emails: set[str] = set()
    for index in range(count):
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        local = name.lower().replace(" ", ".").replace("'", "")
        email = f"{local}@example.com"
        number = 2
        while email in emails:
            email, number = f"{local}{number}@example.com", number + 1
        emails.add(email)
        people.append((index, name, email, rng.gauss(0, 1)))
    counts = stage_counts(count)
    order = list(range(count))
    rng.shuffle(order)
    stages: dict[int, str] = {}
    cursor = 0
    for stage in ("invited", "expired", "revoked", "running", "awaiting_review"):
        for index in order[cursor : cursor + counts[stage]]:
            stages[index] = stage
        cursor += counts[stage]
    # The shortlist follows the test score with some noise: the interviewers see a range.
    shortlist = sorted(order[cursor:], key=lambda i: people[i][3] + rng.gauss(0, 0.7), reverse=True)
    interviewed = shortlist[: counts["decided"] + counts["interviewed"]]
    decided = set(rng.sample(interviewed, counts["decided"]))
    for index in shortlist:
        stages[index] = (
            "reviewed" if index not in interviewed else "decided" if index in decided else "interviewed"
        )
    return [PlannedCandidate(i, name, email, theta, stages[i]) for i, name, email, theta in people]
