"""What the server saw during attempts: the raw observations every integrity rule reads.

Times are timezone-aware UTC datetimes; positions are an attempt's 0-based slots (as in
``assess.services.attempt_reads``), shown 1-based in evidence. Nothing here holds a full IP
address or pasted text: ``RequestOrigin.network`` is a prefix (``integrity.origins``) and
``Paste`` keeps only a size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal


@dataclass(frozen=True, order=True)
class ItemRef:
    """One item version: answers and times are compared among candidates per version."""

    item_id: str
    version: str

    def __str__(self) -> str:
        return f"{self.item_id}@{self.version[:8]}"


@dataclass(frozen=True)
class FocusLapse:
    """The page lost focus (another window in front) or was hidden (another tab), then came back.

    A lapse still open when the attempt ended is closed at its end by whoever records it.
    """

    position: int
    lost_at: datetime
    regained_at: datetime
    #: True when the page was hidden (tab switched, window minimised), not only unfocused.
    hidden: bool = False

    def __post_init__(self) -> None:
        if self.regained_at < self.lost_at:
            raise ValueError(f"focus lapse on item {self.position + 1}: regained before it was lost")

    @property
    def away(self) -> timedelta:
        return self.regained_at - self.lost_at


@dataclass(frozen=True)
class Paste:
    """Text pasted into an answer: where, when and how many characters (never the text)."""

    position: int
    at: datetime
    characters: int
    #: The text was copied from the assessment page itself (the item's notes): never counted.
    from_page: bool = False

    def __post_init__(self) -> None:
        if self.characters < 0:
            raise ValueError(f"paste on item {self.position + 1}: a size is 0 or more characters")


@dataclass(frozen=True)
class RequestOrigin:
    """Where one request of an attempt came from, as far as graders may know it."""

    at: datetime
    #: Browser and system family ("Firefox on Windows"), from ``integrity.origins.agent_family``.
    agent_family: str
    #: The network prefix ("203.0.113.0/24"), from ``integrity.origins.network_prefix``.
    network: str


@dataclass(frozen=True)
class AnswerTime:
    """How long the candidate spent on one item before their last change to its answer."""

    position: int
    item: ItemRef
    seconds: float

    def __post_init__(self) -> None:
        if self.seconds < 0:
            raise ValueError(f"answer time of item {self.position + 1}: seconds are 0 or more")


@dataclass(frozen=True)
class Accommodations:
    """What the candidate was granted in advance; either one changes what the tier may count."""

    #: The time limit's multiplier (1.25 = 25 % extra time).
    extra_time: Decimal = Decimal(1)
    #: Screen reader, dictation, word prediction or other assistive software.
    assistive_technology: bool = False

    @property
    def has_extra_time(self) -> bool:
        return self.extra_time > 1


NO_ACCOMMODATIONS = Accommodations()


@dataclass(frozen=True)
class AttemptObservations:
    """Everything recorded about one finished attempt, from Start to its end."""

    attempt_id: int
    started_at: datetime
    finished_at: datetime
    #: The limit this candidate had: the form's, times extra time, plus any time granted.
    time_limit: timedelta
    items: int
    answered: int
    focus_lapses: tuple[FocusLapse, ...] = ()
    pastes: tuple[Paste, ...] = ()
    origins: tuple[RequestOrigin, ...] = ()
    answer_times: tuple[AnswerTime, ...] = ()

    def __post_init__(self) -> None:
        if self.finished_at < self.started_at:
            raise ValueError(f"attempt {self.attempt_id}: finished before it started")
        if not 0 <= self.answered <= self.items:
            raise ValueError(f"attempt {self.attempt_id}: answered {self.answered} of {self.items} items")

    @property
    def duration(self) -> timedelta:
        return self.finished_at - self.started_at


@dataclass(frozen=True)
class WrittenAnswer:
    """One candidate's free-text answer to a written item, for comparison within a campaign."""

    attempt_id: int
    position: int
    item: ItemRef
    text: str


@dataclass(frozen=True)
class ChosenAnswer:
    """One candidate's answer to an auto-scored item, in a canonical form equal answers share.

    ``answer`` is any string that is equal exactly when two answers are the same (the
    stored response as sorted JSON, say); its meaning is not needed, only its frequency.
    """

    attempt_id: int
    position: int
    item: ItemRef
    answer: str
