"""A candidate's outcome: test and interview figures, the combined score, the overrides.

The one place these rules live: the reports frame, rank, chart and export what
``candidate_outcome`` returns, and the debrief reads its must-have verdict.

- Test: section and test percents as ``scoring.totals``. The test percent is final once no
  answer awaits review; until then it is None (incomplete, never zero).
- Competencies: mean, spread and SD of their 1-4 ratings over every stage and interviewer,
  as ``scoring.scorecards``; 0 is never averaged.
- Interview mean: the mean of the two-decimal competency means (competencies count equally;
  anyone can check it from the report), shown with two decimals. Interview percent maps it
  from 1-4 onto 0-100 as (mean - 1) / 3 x 100: 1 -> 0, 2.5 -> 50, 4 -> 100.
- Combined score: (assessment weight x test percent + interview weight x interview percent)
  / (sum of weights); 40/60 by default (seed 003). Percents have one decimal, half up.
- Incomplete: no assessment, answers awaiting review, no competency rated above 0, not
  interviewed (no rating at all) or a required stage without a scorecard, a must-have nobody
  rated. An incomplete candidate has no combined score: it is never computed with zeros.
- Overrides (seed 003) hold whatever the numbers, complete or not: any red flag -> "do not
  hire"; a must-have whose competency mean is below its minimum -> "unsuitable". A red flag
  wins when both hold. Without an override the decision is None: people decide.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Protocol

from kits.model import LEVELS, InterviewKit
from scoring.scorecards import RatingSummary
from scoring.totals import SectionTotal, overall_percent, round_half_up

DO_NOT_HIRE = "do not hire"
UNSUITABLE = "unsuitable"
COMPLETE = "complete"
INCOMPLETE = "incomplete"

#: (stage id, interviewer, note): a red flag raised on a submitted scorecard.
RedFlag = tuple[str, str, str]


class Names(Protocol):
    """Names people read for stage and competency ids (``reports.campaign_frames.Labels``)."""

    def stage(self, stage_id: str) -> str: ...

    def competency(self, competency_id: str) -> str: ...


class _Ids:
    def stage(self, stage_id: str) -> str:
        return stage_id

    def competency(self, competency_id: str) -> str:
        return competency_id


@dataclass(frozen=True)
class CampaignRules:
    """How a campaign combines and overrides; ``must_haves`` maps competency_id -> minimum 1-4."""

    assessment_weight: Decimal = Decimal(40)
    interview_weight: Decimal = Decimal(60)
    must_haves: Mapping[str, int] = field(default_factory=dict)
    #: Stages that must have a scorecard before a candidate is complete.
    interview_stages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if min(self.assessment_weight, self.interview_weight) < 0:
            raise ValueError("weights are 0 or more")
        if self.assessment_weight + self.interview_weight <= 0:
            raise ValueError("the weights must add up to more than 0")
        for competency, minimum in self.must_haves.items():
            if minimum not in LEVELS:
                raise ValueError(f"must-have {competency!r}: a minimum is 1-4, got {minimum!r}")

    @classmethod
    def from_kit(
        cls,
        kit: InterviewKit,
        assessment_weight: Decimal = Decimal(40),
        interview_weight: Decimal = Decimal(60),
        must_haves: Mapping[str, int] | None = None,
    ) -> CampaignRules:
        """The kit's must-haves and its stages not marked optional, which must be scored.

        ``must_haves`` are the campaign's own: one for a competency replaces the kit's minimum.
        """
        return cls(
            assessment_weight=assessment_weight,
            interview_weight=interview_weight,
            must_haves={
                **{must_have.competency: must_have.minimum for must_have in kit.must_haves},
                **(must_haves or {}),
            },
            interview_stages=tuple(stage.id for stage in kit.stages if not stage.optional),
        )


@dataclass(frozen=True)
class MustHaveFailure:
    """A must-have competency whose mean rating is below its minimum."""

    competency: str
    name: str
    minimum: int
    average: Decimal

    def __str__(self) -> str:
        return f"{self.name}: rated {self.average}, below the must-have minimum of {self.minimum}"


def must_have_failures(
    rules: CampaignRules, competencies: Mapping[str, RatingSummary], names: Names | None = None
) -> list[MustHaveFailure]:
    """The must-haves rated below their minimum, in the rules' order.

    Seed 003: such a candidate is unsuitable whatever the overall score. The test is on the
    mean, so that one rater's outlier alone does not decide; the debrief shows the
    disagreement through the spread. A must-have nobody could rate is not a failure (0 is
    never a low score): the outcome names it as missing, so the gap is visible.
    """
    names = names or _Ids()
    failures = []
    for competency, minimum in rules.must_haves.items():
        summary = competencies.get(competency)
        if summary is not None and summary.mean is not None and summary.mean < minimum:
            failures.append(MustHaveFailure(competency, names.competency(competency), minimum, summary.mean))
    return failures


@dataclass(frozen=True)
class CandidateOutcome:
    sections: tuple[SectionTotal, ...]
    #: Final test percent; None without an assessment or while answers await review.
    test_percent: Decimal | None
    #: competency_id -> its ratings, in the order the competencies were first rated.
    competencies: Mapping[str, RatingSummary]
    interview_mean: Decimal | None
    interview_percent: Decimal | None
    #: None unless complete.
    combined_score: Decimal | None
    #: Sentences: each red flag, then each failed must-have.
    red_flags: tuple[str, ...]
    must_have_failures: tuple[MustHaveFailure, ...]
    #: Why the candidate is incomplete; empty when complete.
    missing: tuple[str, ...]

    @property
    def is_complete(self) -> bool:
        return not self.missing

    @property
    def status(self) -> str:
        return INCOMPLETE if self.missing else COMPLETE

    @property
    def pending(self) -> int:
        return sum(section.pending for section in self.sections)

    @property
    def decision(self) -> str | None:
        """The overrides' verdict, or None: without an override, people decide."""
        if self.red_flags:
            return DO_NOT_HIRE
        return UNSUITABLE if self.must_have_failures else None

    @property
    def overrides(self) -> tuple[str, ...]:
        return (*self.red_flags, *map(str, self.must_have_failures))


def interview_figures(competencies: Iterable[RatingSummary]) -> tuple[Decimal | None, Decimal | None]:
    """The interview mean and percent of these competencies (or of one stage's); None unrated."""
    return _interview_figures(tuple(summary.mean for summary in competencies if summary.mean is not None))


# Candidates share few sets of competency means: each is worked out once.
@lru_cache(maxsize=65536)
def _interview_figures(means: tuple[Decimal, ...]) -> tuple[Decimal | None, Decimal | None]:
    if not means:
        return None, None
    # In hundredths: Σ means / n, and (mean - 1) / 3 x 100 in percent, both exact.
    hundredths, count = int(sum(means, Decimal(0)) * 100), len(means)
    return (
        round_half_up(hundredths, 100 * count, 2),
        round_half_up(hundredths - 100 * count, 3 * count, 1),
    )


def _combined(rules: CampaignRules, test: Decimal, interview: Decimal) -> Decimal:
    assessment_n, assessment_d = rules.assessment_weight.as_integer_ratio()
    interview_n, interview_d = rules.interview_weight.as_integer_ratio()
    test_tenths, interview_tenths = int(test * 10), int(interview * 10)
    numerator = assessment_n * interview_d * test_tenths + interview_n * assessment_d * interview_tenths
    denominator = 10 * (assessment_n * interview_d + interview_n * assessment_d)
    return round_half_up(numerator, denominator, 1)


def candidate_outcome(
    rules: CampaignRules,
    sections: Sequence[SectionTotal],
    competencies: Mapping[str, RatingSummary],
    stages: Collection[str],
    red_flags: Iterable[RedFlag] = (),
    names: Names | None = None,
) -> CandidateOutcome:
    """One candidate's outcome under the campaign's rules.

    ``sections``: the finalized attempt's ``section_totals``, none without one. The rest comes
    from the scorecards in force (newest submitted revision per stage and interviewer) that
    the reader may see: ``competencies``, each competency's ``competency_summaries`` over
    every stage and interviewer; ``stages``, those with a rating; and the red flags raised.
    """
    names = names or _Ids()
    interview_mean, interview_percent = interview_figures(competencies.values())
    pending = sum(section.pending for section in sections)
    test_percent = overall_percent(sections) if sections and not pending else None

    missing = []
    if not sections:
        missing.append("no assessment")
    if pending:
        missing.append(f"{pending} answer(s) awaiting review")
    if stages and interview_mean is None:
        missing.append("no competency rated above 0")
    if not stages:
        missing.append("not interviewed")
    else:
        missing += [
            f"no scorecard for stage {names.stage(stage)}"
            for stage in rules.interview_stages
            if stage not in stages
        ]
        for competency in rules.must_haves:
            summary = competencies.get(competency)
            if summary is None or summary.mean is None:
                missing.append(f"must-have {names.competency(competency)} not rated yet")

    combined = None
    if not missing and test_percent is not None and interview_percent is not None:
        combined = _combined(rules, test_percent, interview_percent)
    return CandidateOutcome(
        sections=tuple(sections),
        test_percent=test_percent,
        competencies=competencies,
        interview_mean=interview_mean,
        interview_percent=interview_percent,
        combined_score=combined,
        red_flags=tuple(
            f"red flag at {names.stage(stage)} by {interviewer}: {note.strip() or 'no note'}"
            for stage, interviewer, note in red_flags
        ),
        must_have_failures=tuple(must_have_failures(rules, competencies, names)),
        missing=tuple(missing),
    )
