"""A candidate's outcome: interview figures, weighting, overrides and "incomplete, never zero"."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from items.base import Part, Score
from kits.model import InterviewKit, load_kits
from scoring.outcome import (
    DO_NOT_HIRE,
    UNSUITABLE,
    CampaignRules,
    CandidateOutcome,
    MustHaveFailure,
    RedFlag,
    candidate_outcome,
)
from scoring.scorecards import RatingSummary, competency_summaries
from scoring.totals import section_totals

#: (stage id, competency id, rating 0-4): one rating on a submitted scorecard.
Rating = tuple[str, str, int]

KITS = Path(__file__).resolve().parents[3] / "kits"


@pytest.fixture(scope="module")
def smb_kit() -> InterviewKit:
    return load_kits([KITS / "account_manager_smb.yaml"]).kit("account-manager-smb")


def _score(points: int | str, top: int | str, pending: bool = False) -> Score:
    p, m = Decimal(points), Decimal(top)
    return Score(p, m, (Part("Answer", p, m, "test"),), pending_review=pending)


def _rated(*ratings: int, competency: str = "communication", stage: str = "interview") -> list[Rating]:
    return [(stage, competency, rating) for rating in ratings]


TESTED = [("detail", _score(3, 4))]  # 75.0 %


def _outcome(
    ratings: list[Rating],
    items: list[tuple[str, Score]] | None = None,
    rules: CampaignRules | None = None,
    red_flags: list[RedFlag] | None = None,
) -> CandidateOutcome:
    scored = section_totals(TESTED if items is None else items)
    return candidate_outcome(rules or CampaignRules(), scored, *_interviews(ratings), red_flags or [])


def _interviews(ratings: list[Rating]) -> tuple[dict[str, RatingSummary], set[str]]:
    """The competencies' summaries and the stages rated."""
    summaries = competency_summaries((competency, rating) for _, competency, rating in ratings)
    return summaries, {stage for stage, _, _ in ratings}


def test_worked_example() -> None:
    items = [("sjt", _score(2, 2)), ("sjt", _score(0, 25)), ("comm", _score(3, 4))]
    ratings = [
        ("screen", "communication", 3),
        ("panel", "communication", 4),
        ("panel", "communication", 0),  # not enough information: left out
        ("panel", "empathy", 2),
        ("panel", "empathy", 4),
    ]
    outcome = _outcome(ratings, items)
    assert [(s.section_id, s.percent) for s in outcome.sections] == [
        ("sjt", Decimal("50.0")),  # items count equally, whatever their raw maxima
        ("comm", Decimal("75.0")),
    ]
    assert outcome.test_percent == Decimal("62.5")
    assert outcome.competencies["communication"].mean == Decimal("3.50")
    assert outcome.interview_mean == Decimal("3.25")  # (3.50 + 3.00) / 2
    assert outcome.interview_percent == Decimal("75.0")  # (3.25 - 1) / 3
    assert outcome.combined_score == Decimal("70.0")  # 0.4 x 62.5 + 0.6 x 75
    assert (outcome.status, outcome.decision, outcome.overrides, outcome.missing) == (
        "complete",
        None,
        (),
        (),
    )


@pytest.mark.parametrize(
    ("ratings", "mean", "percent"),
    [
        ((1,), "1.00", "0.0"),
        ((4,), "4.00", "100.0"),
        ((2, 3), "2.50", "50.0"),
        ((2, 2, 3), "2.33", "44.3"),  # from the two-decimal mean shown: (2.33 - 1) / 3
        ((0, 4), "4.00", "100.0"),
        ((0, 0, 1), "1.00", "0.0"),
    ],
)
def test_interview_percent_maps_the_one_to_four_mean_onto_zero_to_hundred(
    ratings: tuple[int, ...], mean: str, percent: str
) -> None:
    outcome = _outcome(_rated(*ratings))
    assert (outcome.interview_mean, outcome.interview_percent) == (Decimal(mean), Decimal(percent))


def test_interview_percent_maps_the_exact_mean_of_competency_means() -> None:
    # 2.33 and 3.50: the mean 2.915 shows as 2.92, and maps to 63.8 (from 2.92 it would be 64.0).
    outcome = _outcome(_rated(2, 2, 3) + _rated(3, 4, competency="empathy"))
    assert (outcome.interview_mean, outcome.interview_percent) == (Decimal("2.92"), Decimal("63.8"))


@pytest.mark.parametrize(
    ("weights", "expected"),
    [((40, 60), "60.0"), ((100, 0), "75.0"), ((0, 100), "50.0"), ((1, 1), "62.5"), ((25, 75), "56.3")],
)
def test_combined_score_weights_test_and_interview(weights: tuple[int, int], expected: str) -> None:
    rules = CampaignRules(assessment_weight=Decimal(weights[0]), interview_weight=Decimal(weights[1]))
    assert _outcome(_rated(2, 3), rules=rules).combined_score == Decimal(expected)  # 75 % and 50 %


def test_an_exact_tie_in_the_combined_score_rounds_up() -> None:
    # (0.5 x 75.0 + 1.5 x 50.0) / 2 = 56.25 exactly: no float falls a hair short of the tie.
    rules = CampaignRules(assessment_weight=Decimal("0.5"), interview_weight=Decimal("1.5"))
    assert _outcome(_rated(2, 3), rules=rules).combined_score == Decimal("56.3")  # 56.25


def test_zero_ratings_are_not_enough_information_never_a_low_score() -> None:
    only_zero = _outcome(_rated(4) + _rated(0, 0, competency="empathy"))
    assert only_zero.competencies["empathy"].mean is None and only_zero.competencies["empathy"].unrated == 2
    assert only_zero.interview_mean == Decimal("4.00") and only_zero.is_complete

    nothing_rated = _outcome(_rated(0, 0))
    assert nothing_rated.interview_percent is None and nothing_rated.combined_score is None
    assert nothing_rated.missing == ("no competency rated above 0",)


def test_a_red_flag_means_do_not_hire_whatever_the_numbers() -> None:
    outcome = _outcome(_rated(4, 4), red_flags=[("interview", "i2", " Proud of misleading a client ")])
    assert outcome.combined_score == Decimal("90.0")  # the numbers are still shown ...
    assert outcome.decision == DO_NOT_HIRE  # ... and overridden
    assert outcome.overrides == ("red flag at interview by i2: Proud of misleading a client",)
    unexplained = _outcome(
        _rated(3), [("comm", _score(0, 4, pending=True))], red_flags=[("interview", "i1", "")]
    )
    assert unexplained.status == "incomplete" and unexplained.decision == DO_NOT_HIRE
    assert unexplained.overrides == ("red flag at interview by i1: no note",)


@pytest.mark.parametrize(
    ("ratings", "failing_average"),
    [
        ((1,), "1.00"),  # seed 003: communication 1 -> unsuitable at 70 % overall
        ((1, 1, 0), "1.00"),
        ((1, 2), "1.50"),
        ((2,), None),  # at the minimum is not below it
        ((1, 3), None),  # mean 2.0: one rater's low outlier alone does not decide
        ((0, 0, 2), None),  # 0s never drag a must-have below its minimum
    ],
)
def test_must_have_below_its_minimum_marks_unsuitable(
    smb_kit: InterviewKit, ratings: tuple[int, ...], failing_average: str | None
) -> None:
    rules = CampaignRules.from_kit(smb_kit)
    outcome = candidate_outcome(
        rules,
        section_totals(TESTED),
        *_interviews(_rated(*ratings) + _rated(4, 4, competency="integrity")),
        [],
        _KitNames(smb_kit),
    )
    if failing_average is None:
        assert outcome.decision is None and outcome.must_have_failures == ()
        return
    name = "Communication (written and verbal)"
    assert outcome.decision == UNSUITABLE
    assert outcome.must_have_failures == (
        MustHaveFailure("communication", name, 2, Decimal(failing_average)),
    )
    assert outcome.overrides == (f"{name}: rated {failing_average}, below the must-have minimum of 2",)


def test_only_must_haves_can_fail_the_override() -> None:
    rules = CampaignRules(must_haves={"communication": 2})
    assert _outcome(_rated(1, 1, competency="customer-focus") + _rated(3), rules=rules).decision is None


def test_red_flag_and_failed_must_have_both_show_and_the_red_flag_decides() -> None:
    rules = CampaignRules(must_haves={"communication": 2})
    outcome = _outcome(_rated(1), rules=rules, red_flags=[("interview", "i1", "contempt for clients")])
    assert outcome.decision == DO_NOT_HIRE
    assert outcome.overrides == (
        "red flag at interview by i1: contempt for clients",
        "communication: rated 1.00, below the must-have minimum of 2",
    )


@pytest.mark.parametrize(
    ("items", "ratings", "rules", "missing"),
    [
        pytest.param([], _rated(3), CampaignRules(), ("no assessment",), id="not tested"),
        pytest.param(
            [("comm", _score(1, 12, True)), ("comm", _score(1, 12, True)), ("detail", _score(3, 4))],
            _rated(3),
            CampaignRules(),
            ("2 answer(s) awaiting review",),
            id="written answers pending",
        ),
        pytest.param(TESTED, [], CampaignRules(), ("not interviewed",), id="not interviewed"),
        pytest.param(
            TESTED,
            _rated(3, stage="screen"),
            CampaignRules(interview_stages=("screen", "panel")),
            ("no scorecard for stage panel",),
            id="a required stage not scored",
        ),
        pytest.param(
            TESTED,
            _rated(3, competency="empathy"),
            CampaignRules(must_haves={"communication": 2}),
            ("must-have communication not rated yet",),
            id="must-have not rated",
        ),
        pytest.param(
            TESTED,
            _rated(0, 0) + _rated(3, competency="empathy"),
            CampaignRules(must_haves={"communication": 2}),
            ("must-have communication not rated yet",),
            id="must-have rated only 0",
        ),
        pytest.param(
            [("comm", _score(0, 12, True))],
            [],
            CampaignRules(must_haves={"communication": 2}),
            ("1 answer(s) awaiting review", "not interviewed"),
            id="both parts missing",
        ),
    ],
)
def test_missing_parts_make_the_candidate_incomplete_never_zero(
    items: list[tuple[str, Score]], ratings: list[Rating], rules: CampaignRules, missing: tuple[str, ...]
) -> None:
    outcome = _outcome(ratings, items, rules)
    assert outcome.status == "incomplete" and outcome.missing == missing
    assert outcome.combined_score is None


def test_answers_awaiting_review_leave_the_test_percent_open_not_zero() -> None:
    outcome = _outcome(_rated(3), [("comm", _score(1, 12, True)), ("detail", _score(3, 4))])
    comm, detail = outcome.sections
    assert comm.percent is None and comm.pending == 1 and detail.percent == Decimal("75.0")
    assert outcome.test_percent is None and outcome.pending == 1


@settings(max_examples=80, deadline=None)
@given(
    points=st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10), st.booleans()), max_size=5),
    ratings=st.lists(st.integers(min_value=0, max_value=4), max_size=5),
    weights=st.tuples(st.integers(0, 100), st.integers(1, 100)),
)
def test_combined_score_is_within_zero_and_hundred_or_none(
    points: list[tuple[int, int, bool]], ratings: list[int], weights: tuple[int, int]
) -> None:
    items = [("s", _score(min(p, m), m, pending)) for p, m, pending in points]
    rules = CampaignRules(assessment_weight=Decimal(weights[0]), interview_weight=Decimal(weights[1]))
    outcome = _outcome(_rated(*ratings), items, rules)
    if outcome.combined_score is None:
        assert outcome.status == "incomplete" and outcome.missing
    else:
        assert 0 <= outcome.combined_score <= 100 and outcome.status == "complete"


@pytest.mark.parametrize(
    "arguments",
    [
        {"assessment_weight": Decimal(-1)},
        {"assessment_weight": Decimal(0), "interview_weight": Decimal(0)},
        {"must_haves": {"communication": 0}},
        {"must_haves": {"communication": 5}},
    ],
)
def test_campaign_rules_reject_impossible_settings(arguments: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        CampaignRules(**arguments)  # type: ignore[arg-type]


def test_rules_from_the_shipped_kit_carry_its_must_have_and_stages(smb_kit: InterviewKit) -> None:
    rules = CampaignRules.from_kit(smb_kit)
    assert rules.must_haves == {"communication": 2}
    assert rules.interview_stages == ("structured-interview",)
    assert (rules.assessment_weight, rules.interview_weight) == (Decimal(40), Decimal(60))


def test_a_campaigns_own_must_have_replaces_the_kits_minimum_and_adds_to_it(smb_kit: InterviewKit) -> None:
    rules = CampaignRules.from_kit(smb_kit, must_haves={"communication": 3, "integrity": 2})
    assert rules.must_haves == {"communication": 3, "integrity": 2}


class _KitNames:
    def __init__(self, kit: InterviewKit) -> None:
        self.kit = kit

    def stage(self, stage_id: str) -> str:
        return self.kit.stage(stage_id).title

    def competency(self, competency_id: str) -> str:
        return self.kit.competency(competency_id).name
