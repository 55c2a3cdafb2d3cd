"""Pastes into answers: how many and how large, per item (the pasted text is never kept)."""

from __future__ import annotations

from collections import defaultdict

from integrity.observations import AttemptObservations, Paste
from integrity.rules import IntegrityRules
from integrity.signals import Evidence, Signal, SignalKind


def paste_rule(rules: IntegrityRules) -> str:
    return (
        f"Counted when a paste of {rules.paste_min_characters} characters or more reached an answer "
        f"(text copied from the assessment page itself is left out); weight {rules.weight_paste}, "
        f"doubled when one item received {rules.paste_major_characters} pasted characters or more."
    )


def pastes(attempt: AttemptObservations, rules: IntegrityRules) -> Signal | None:
    counted = [
        paste
        for paste in attempt.pastes
        if not paste.from_page and paste.characters >= rules.paste_min_characters
    ]
    if not counted:
        return None
    by_item: dict[int, list[Paste]] = defaultdict(list)
    for paste in counted:
        by_item[paste.position].append(paste)
    largest_item = max(sum(p.characters for p in own) for own in by_item.values())
    major = largest_item >= rules.paste_major_characters
    total = sum(paste.characters for paste in counted)
    return Signal(
        kind=SignalKind.PASTE,
        weight=rules.weight_paste * (2 if major else 1),
        summary=(
            f"{len(counted)} {'paste' if len(counted) == 1 else 'pastes'} into "
            f"{len(by_item)} {'answer' if len(by_item) == 1 else 'answers'}, {total} characters in all"
        ),
        evidence=tuple(
            Evidence(
                f"Item {position + 1}: {len(own)} {'paste' if len(own) == 1 else 'pastes'} "
                f"({', '.join(f'{p.characters} characters at {p.at:%H:%M:%S} UTC' for p in own)})",
                position=position,
                at=own[0].at,
            )
            for position, own in sorted(by_item.items())
        ),
        rule=paste_rule(rules),
    )
