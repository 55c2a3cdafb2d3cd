"""What a rule reports: a signal, with the observations that triggered it and the rule that counted it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SignalKind(StrEnum):
    TIME_AWAY = "time_away"
    PASTE = "paste"
    ORIGIN_CHANGE = "origin_change"
    SHARED_NETWORK = "shared_network"
    FAST_ITEMS = "fast_items"
    FAST_ATTEMPT = "fast_attempt"
    WRITTEN_SIMILARITY = "written_similarity"
    MATCHING_ANSWERS = "matching_answers"


#: Kinds that say only how the candidate used the page and their time: what screen readers,
#: magnifiers, dictation and extra time change for honest candidates (see ``integrity.tiers``).
FOCUS_AND_TIMING = frozenset({SignalKind.TIME_AWAY, SignalKind.FAST_ITEMS, SignalKind.FAST_ATTEMPT})


@dataclass(frozen=True)
class Evidence:
    """One concrete observation in plain words, with where and when, so a reviewer can find it."""

    text: str
    #: The attempt's 0-based slot it concerns, if one.
    position: int | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Passage:
    """A stretch of words two written answers share, as each candidate wrote it (side by side)."""

    text: str
    other_text: str
    words: int


@dataclass(frozen=True)
class Signal:
    """A prompt for a conversation: what was seen, why it counted, and how much it weighs."""

    kind: SignalKind
    #: 1 = worth a look, 2 = worth asking about, 3 = enough alone for "major concerns".
    weight: int
    summary: str
    evidence: tuple[Evidence, ...]
    #: The rule that counted it, with the thresholds in force.
    rule: str
    #: For a signal about two attempts (shared network, similar answers): the other one.
    other_attempt: int | None = None
    passages: tuple[Passage, ...] = ()

    def __post_init__(self) -> None:
        if self.weight < 0:
            raise ValueError(f"{self.kind} signal: a weight is 0 or more")


def duration_text(span: timedelta | float) -> str:
    """A span as people say it: "45 s", "3 min 5 s", "1 h 2 min"."""
    seconds = round(span.total_seconds() if isinstance(span, timedelta) else span)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
