"""The thresholds every integrity rule reads, in one place, with the defaults assess ships.

A campaign may tune them; every signal states the thresholds that counted it, so a reviewer
never has to look them up. Weights: 1 = worth a look, 2 = worth asking about, 3 = enough alone
for "major concerns" (``integrity.tiers``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta


@dataclass(frozen=True)
class IntegrityRules:
    # Time away (focus or visibility lost). Lapses this short are a notification or a slip of
    # the keyboard, not time spent elsewhere.
    away_ignore_under: timedelta = timedelta(seconds=2)
    away_count_from: int = 3
    away_total_from: timedelta = timedelta(seconds=60)
    away_longest_from: timedelta = timedelta(seconds=30)
    #: Weight 2 from this much time away in all, or this long at once.
    away_major_total: timedelta = timedelta(minutes=5)
    away_major_longest: timedelta = timedelta(minutes=2)

    # Pastes. A name or a figure is often pasted; only larger pastes count.
    paste_min_characters: int = 40
    #: Weight 2 when one item received this many pasted characters in all.
    paste_major_characters: int = 300

    # Another device or network. Weight 2 when the attempt went back to an earlier origin
    # this many times: two devices in use side by side rather than one replacing another.
    origin_returns_major: int = 2
    #: Two candidates' requests from one network count when their spans there overlap this long.
    shared_network_overlap: timedelta = timedelta(minutes=5)

    # Timing, against other candidates of the campaign (this attempt excluded).
    #: An item counts as fast below this percentile of its own times, and ...
    fast_item_percentile: float = 5.0
    #: ... below this fraction of their median: a tight distribution's 5th percentile is not fast.
    fast_item_median_fraction: float = 0.25
    #: Fewer times than this for an item and it is not judged at all.
    fast_item_min_sample: int = 20
    #: A few fast items are usual (a guess, an easy question); this many count.
    fast_items_from: int = 3
    fast_attempt_percentile: float = 5.0
    fast_attempt_min_sample: int = 20
    #: Without enough other attempts, fast means finished within this fraction of the limit.
    fast_attempt_limit_fraction: float = 0.2
    #: Only a mostly answered attempt is implausibly fast; a quick give-up is not.
    fast_attempt_answered_share: float = 0.8

    # Written answers of one item compared pairwise (word-level similarity, 0-1).
    written_similarity_from: float = 0.75
    #: Answers shorter than this many words are alike by necessity and are not compared.
    written_min_words: int = 40
    #: The shortest run of shared words shown as a matched passage.
    passage_min_words: int = 6

    # Identical answers on auto-scored items.
    #: Fewer items answered by both and the pair is not compared.
    matching_min_items: int = 5
    #: An item's answer frequencies need this many candidates; items with fewer are left out.
    matching_min_sample: int = 20
    #: The chance of a false flag in the whole campaign (divided among the pairs compared).
    matching_alpha: float = 0.01

    weight_time_away: int = 1
    weight_paste: int = 1
    weight_origin_change: int = 1
    weight_shared_network: int = 1
    weight_fast_items: int = 1
    weight_fast_attempt: int = 1
    weight_written_similarity: int = 3
    weight_matching_answers: int = 3

    # Tiers: the sum of the counted weights.
    some_concerns_from: int = 1
    major_concerns_from: int = 3

    # Exposure control and facility drift (authoring).
    #: An item is flagged as near its cap from this share of it.
    exposure_warn_share: float = 0.8
    #: Responses needed before a facility trend is tested.
    drift_min_sample: int = 30
    #: One-sided significance of the upward trend.
    drift_alpha: float = 0.01
    #: And the last third of responses must be this much easier (0-1 facility) than the first third.
    drift_min_rise: float = 0.1

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            negative = value < timedelta() if isinstance(value, timedelta) else value < 0
            if negative:
                raise ValueError(f"{field.name}: must be 0 or more, got {value}")
        for name in ("fast_item_percentile", "fast_attempt_percentile"):
            if not 0 < getattr(self, name) < 100:
                raise ValueError(f"{name}: a percentile is between 0 and 100")
        for name in (
            "fast_item_median_fraction", "fast_attempt_limit_fraction", "fast_attempt_answered_share",
            "written_similarity_from", "exposure_warn_share", "drift_min_rise",
        ):  # fmt: skip
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name}: a share is between 0 and 1")
        for name in ("matching_alpha", "drift_alpha"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"{name}: a significance level is between 0 and 1")
        if not 0 < self.some_concerns_from <= self.major_concerns_from:
            raise ValueError("some_concerns_from must be above 0 and at most major_concerns_from")


DEFAULT_RULES = IntegrityRules()
