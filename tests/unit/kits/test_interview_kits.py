"""Interview kits and question banks: the shipped files load; broken ones name file, line and field."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml_fuzzing import FUZZ_EXAMPLES, line_edits, mutate_lines, mutate_node, scalars

from items.bank import BankInvalid
from items.located_yaml import FilesInvalid
from kits.model import (
    GOAL_LIKELIHOOD,
    NOT_ENOUGH_INFORMATION_TEXT,
    RECOMMENDATIONS,
    load_kits,
)

KITS = Path(__file__).resolve().parents[3] / "kits"
KAM = KITS / "key_account_manager.yaml"

MINIMAL = """\
kit: tiny
title: Tiny kit
role: Tester
summary: A kit just big enough to be valid.
competencies:
  - id: listening
    name: Listening
    description: Hears what the client says.
    levels:
      1: Interrupts
      2: Hears some
      3: Hears most
      4: Hears everything
goals:
  - id: retention
    name: Retention
    description: Keep 90% of clients.
stages:
  - id: talk
    title: Talk
    kind: interview
    interviewer_directions: Ask the question.
    questions:
      - id: ask
        text: Tell me about listening.
        competencies: [listening]
    scorecard:
      competencies:
        - competency: listening
      goals:
        - goal: retention
"""


def _line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in {path}")


def _errors(*paths: Path) -> list[str]:
    with pytest.raises(FilesInvalid) as caught:
        load_kits(paths)
    return [str(e) for e in caught.value.errors]


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_every_shipped_kit_and_question_bank_loads() -> None:
    catalogue = load_kits([KITS])
    assert sorted(catalogue.kits) == [
        "account-manager-smb",
        "customer-account-manager",
        "key-account-manager",
        "partner-account-manager",
    ]
    assert sorted(catalogue.question_banks) == ["enterprise-kam-questions"]
    assert catalogue.sources["key-account-manager"] == str(KAM)


def test_key_account_manager_kit_keeps_the_seed_stages_competencies_and_goals() -> None:
    kit = load_kits([KAM]).kit("key-account-manager")
    assert [(s.id, s.minutes) for s in kit.stages] == [
        ("screening", 30),
        ("account-management-experience", 60),
        ("client-role-play", 45),
        ("strategic-thinking", 60),
        ("executive", 45),
        ("reference-checks", None),
    ]
    assert [c.id for c in kit.competencies if c.essential] == [
        "strategic-account-planning",
        "relationship-building",
        "business-acumen",
        "problem-solving",
        "communication",
    ]
    assert len(kit.goals) == 5
    for stage in kit.stages:
        assert {r.goal for r in stage.scorecard.goals} == {g.id for g in kit.goals}
        for question in stage.questions:
            assert question.areas_to_cover or question.guidance
    assert kit.stage("reference-checks").has_recommendation is False
    assert kit.debrief is not None and len(kit.debrief.questions) == 6


def test_role_plays_and_work_samples_keep_interviewer_only_details_out_of_the_brief() -> None:
    catalogue = load_kits([KITS])
    partner = catalogue.kit("partner-account-manager").stage("partner-role-play")
    assert partner.exercise is not None
    assert len(partner.exercise.interviewer_only) == 5
    assert "Chief Revenue Officer" in partner.exercise.interviewer_plays
    call = catalogue.kit("customer-account-manager").stage("retention-call")
    assert call.kind == "work_sample" and call.exercise is not None
    assert call.exercise.preparation_minutes == 15
    for kit in catalogue.kits.values():
        for stage in kit.stages:
            if stage.exercise is None:
                continue
            exercise = stage.exercise
            shown = " ".join([stage.candidate_directions, exercise.candidate_brief, *exercise.materials])
            for secret in exercise.interviewer_only:
                assert secret not in shown


def test_smb_kit_has_the_six_seed_questions_and_the_communication_must_have() -> None:
    kit = load_kits([KITS / "account_manager_smb.yaml"]).kit("account-manager-smb")
    (stage,) = kit.stages
    assert len(stage.questions) == 6
    assert all(q.areas_to_cover and q.follow_ups for q in stage.questions)
    assert [(m.competency, m.minimum) for m in kit.must_haves] == [("communication", 2)]
    assert any("contempt for clients" in flag for flag in kit.red_flags)


def test_question_bank_is_interviewer_only_with_model_answers_and_pitfalls() -> None:
    bank = load_kits([KITS / "enterprise_kam_questions.yaml"]).question_banks["enterprise-kam-questions"]
    assert bank.interviewer_only is True
    assert len(bank.questions) == 8
    categories = {q.category for q in bank.questions}
    assert categories == {"technical", "behavioral", "situational", "problem_solving"}
    assert all(q.model_answer and q.pitfalls and q.follow_ups for q in bank.questions)
    assert bank.question("key-account-plan").competencies == ["strategic-account-planning"]


def test_scales_add_the_fixed_zero_and_use_a_stage_wording_when_it_has_one() -> None:
    kit = load_kits([KAM]).kit("key-account-manager")
    role_play = kit.stage("client-role-play").scorecard
    rated = {r.competency: r for r in role_play.competencies}
    scale = kit.competency_scale(rated["relationship-building"])
    assert list(scale) == [0, 1, 2, 3, 4]
    assert scale[0] == NOT_ENOUGH_INFORMATION_TEXT
    assert scale[1] != kit.competency("relationship-building").levels[1]
    assert kit.competency_scale(rated["meeting-preparation"])[4].startswith("Exceptionally prepared")
    assert kit.goal_scale(role_play.goals[0]) == {0: NOT_ENOUGH_INFORMATION_TEXT, **GOAL_LIKELIHOOD}
    assert RECOMMENDATIONS == {1: "Strong No Hire", 2: "No Hire", 3: "Hire", 4: "Strong Hire"}


def test_broken_copy_names_every_problem_with_file_line_and_field(tmp_path: Path) -> None:
    text = KAM.read_text()
    text = text.replace("[account-management-experience]", "[account-managment]", 1)
    text = text.replace("      3: Plans with a clear, sound method and carries the plan through\n", "", 1)
    text = text.replace(
        "        4: Goes beyond our requirements and shows exceptional potential",
        "        5: Goes beyond our requirements and shows exceptional potential",
        1,
    )
    broken = _write(tmp_path, "kam.yaml", text)
    garbled = _write(tmp_path, "garbled.yaml", "kit: garbled\ntitle: [unclosed\n")
    errors = _errors(tmp_path)
    assert errors[0].startswith(f"{garbled}:3: invalid YAML: ")
    assert errors[1:] == [
        f"{broken}:{_line_of(broken, 'levels:')}: competencies[0].levels: "
        "every level 1-4 needs its anchor; missing 3",
        f"{broken}:{_line_of(broken, '[account-managment]')}: stages[0].questions[0].competencies[0]: "
        "no competency 'account-managment' in this file; known: "
        + ", ".join(sorted(c.id for c in load_kits([KAM]).kit("key-account-manager").competencies)),
        f"{broken}:{_line_of(broken, 'recommendation:')}: stages[0].scorecard.recommendation: "
        "5 is not a level: levels are 1-4, and 0 (not enough information gathered) is fixed, "
        "not written in the file; every level 1-4 needs its anchor; missing 4",
    ]


def test_bank_error_type_is_the_kit_error_type() -> None:
    # One error type for every validated file, so the CLI and the web print them alike.
    assert BankInvalid is FilesInvalid


RATED = "        - competency: listening\n"
GOAL_RATED = "        - goal: retention\n"
MUST_HAVE = "must_haves:\n  - competency: {competency}\n    minimum: {minimum}\n    reason: Vital.\nstages:\n"
RULES = [
    pytest.param(
        [("competencies: [listening]", "competencies: [talking]")],
        "[talking]",
        "stages[0].questions[0].competencies[0]: no competency 'talking' in this file; known: listening",
        id="question-names-unknown-competency",
    ),
    pytest.param(
        [(GOAL_RATED, GOAL_RATED + "        - goal: growth\n")],
        "goal: growth",
        "stages[0].scorecard.goals[1].goal: no goal 'growth' in this file; known: retention",
        id="scorecard-names-unknown-goal",
    ),
    pytest.param(
        [(RATED, RATED + RATED.replace("\n", "  # twice\n"))],
        "# twice",
        "stages[0].scorecard.competencies[1].competency: 'listening' appears twice "
        "(first at stages[0].scorecard.competencies[0])",
        id="scorecard-rates-a-competency-twice",
    ),
    pytest.param(
        [("      1: Interrupts\n", "      0: Silent\n      1: Interrupts\n")],
        "levels:",
        "competencies[0].levels: 0 is not a level: levels are 1-4, and 0 (not enough information "
        "gathered) is fixed, not written in the file",
        id="level-zero-is-not-written",
    ),
    pytest.param(
        [("    kind: interview", "    kind: work_sample")],
        "kind: work_sample",
        "stages[0].kind: a work_sample stage needs an exercise: its brief, what only the interviewer knows",
        id="work-sample-without-exercise",
    ),
    pytest.param(
        [("    kind: interview\n", "    kind: interview\n    exercise: {candidate_brief: Sell a pen.}\n")],
        "exercise:",
        "stages[0].exercise: only work_sample and role_play stages have an exercise, not interview",
        id="interview-with-exercise",
    ),
    pytest.param(
        [
            ("    kind: interview", "    kind: reference_check"),
            (GOAL_RATED, GOAL_RATED + "      recommendation: {1: a, 2: b, 3: c, 4: d}\n"),
        ],
        "recommendation:",
        "stages[0].scorecard.recommendation: a reference check has no hiring recommendation",
        id="reference-check-with-recommendation",
    ),
    pytest.param(
        [("    title: Talk\n", "    title: Talk\n    minutes: soon\n")],
        "minutes: soon",
        "stages[0].minutes: Input should be a valid integer, unable to parse string as an integer, "
        "got 'soon'",
        id="minutes-not-a-number",
    ),
    pytest.param(
        [("      - id: ask\n", "      - id: Ask Me\n")],
        "id: Ask Me",
        "stages[0].questions[0].id: String should match pattern '^[a-z0-9][a-z0-9_.-]*$', got 'Ask Me'",
        id="id-not-a-slug",
    ),
    pytest.param(
        [(GOAL_RATED, GOAL_RATED + "      colour: blue\n")],
        "colour:",
        "stages[0].scorecard.colour: unknown field (check its spelling, or whether it belongs elsewhere)",
        id="unknown-field",
    ),
    pytest.param(
        [("stages:\n", "  - id: growth\n    name: Growth\n    description: Grow.\nstages:\n")],
        "id: growth",
        "goals[1].id: no stage's scorecard rates this goal",
        id="goal-never-rated",
    ),
    pytest.param(
        [("stages:\n", MUST_HAVE.format(competency="listening", minimum=5))],
        "minimum: 5",
        "must_haves[0].minimum: Input should be less than or equal to 4, got 5",
        id="must-have-minimum-above-4",
    ),
    pytest.param(
        [("stages:\n", MUST_HAVE.format(competency="listening", minimum=0))],
        "minimum: 0",
        "must_haves[0].minimum: Input should be greater than or equal to 1, got 0",
        id="must-have-minimum-below-1",
    ),
    pytest.param(
        [("stages:\n", MUST_HAVE.format(competency="talking", minimum=2))],
        "competency: talking",
        "must_haves[0].competency: no competency 'talking' in this file; known: listening",
        id="must-have-names-unknown-competency",
    ),
]


@pytest.mark.parametrize(("edits", "needle", "expected"), RULES)
def test_each_kit_rule_is_reported_where_it_is_broken(
    tmp_path: Path, edits: list[tuple[str, str]], needle: str, expected: str
) -> None:
    text = MINIMAL
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path = _write(tmp_path, "tiny.yaml", text)
    assert _errors(path) == [f"{path}:{_line_of(path, needle)}: {expected}"]


def test_minimal_kit_loads(tmp_path: Path) -> None:
    kit = load_kits([_write(tmp_path, "tiny.yaml", MINIMAL)]).kit("tiny")
    assert kit.stage("talk").has_recommendation


def test_question_ids_are_unique_across_the_kit(tmp_path: Path) -> None:
    extra = MINIMAL.replace(
        "        competencies: [listening]\n",
        "        competencies: [listening]\n      - id: ask\n        text: Again?\n",
        1,
    )
    path = _write(tmp_path, "tiny.yaml", extra)
    assert _errors(path) == [
        f"{path}:{_line_of(path, 'id: ask', 2)}: stages[0].questions[1].id: "
        "duplicate question id 'ask' (also stages[0].questions[0])"
    ]


def test_a_kit_id_used_by_two_files_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", MINIMAL)
    second = _write(tmp_path, "b.yaml", MINIMAL)
    assert _errors(tmp_path) == [f"{second}:1: kit: id 'tiny' is also used by {tmp_path / 'a.yaml'}"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "1: the file is empty"),
        ("- just\n- a list\n", "1: a kit file is a mapping that starts with kit: or question_bank:"),
        ("title: no kind\n", "1: a kit file is a mapping that starts with kit: or question_bank:"),
    ],
)
def test_files_that_are_no_kit_at_all_say_so(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, "odd.yaml", text)
    assert _errors(path) == [f"{path}:{expected}"]


def test_no_files_found_is_an_error(tmp_path: Path) -> None:
    assert _errors(tmp_path) == [f"{tmp_path}:0: no kit files found"]


def test_question_bank_rules(tmp_path: Path) -> None:
    text = (KITS / "enterprise_kam_questions.yaml").read_text()
    text = text.replace("interviewer_only: true", "interviewer_only: false", 1)
    text = text.replace("competencies: [coaching]", "competencies: [mentoring]", 1)
    path = _write(tmp_path, "bank.yaml", text)
    known = (
        "change-management, coaching, crm-and-data, prioritisation, problem-solving, "
        "relationship-management, retention, strategic-account-planning"
    )
    assert _errors(path) == [
        f"{path}:{_line_of(path, 'interviewer_only: false')}: "
        "interviewer_only: Input should be True, got False",
        f"{path}:{_line_of(path, '[mentoring]')}: questions[6].competencies[0]: "
        f"no competency 'mentoring' in this file; known: {known}",
    ]


# Fuzzing: random edits of shipped kit files give located errors or a valid catalogue, never a
# traceback. The smaller files cover every part of the schema (exercise, reference check, must
# have, question bank) and keep each example fast.
FUZZED = {
    name: (KITS / name).read_text()
    for name in (
        "account_manager_smb.yaml",
        "customer_account_manager.yaml",
        "enterprise_kam_questions.yaml",
    )
}


def _load_mutated(name: str, text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, name)
        path.write_text(text, encoding="utf-8")
        try:
            load_kits([path])
        except FilesInvalid as exc:
            assert exc.errors, "FilesInvalid must carry at least one problem"
            for error in exc.errors:
                assert error.path == str(path)
                assert error.message


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(FUZZED)), edits=line_edits)
def test_line_mutations_give_located_errors_or_a_valid_kit(
    name: str, edits: list[tuple[str, int, str]]
) -> None:
    _load_mutated(name, mutate_lines(FUZZED[name], edits))


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(FUZZED)), pick=st.integers(min_value=0), value=scalars, drop=st.booleans())
def test_structural_mutations_give_located_errors_or_a_valid_kit(
    name: str, pick: int, value: Any, drop: bool
) -> None:
    _load_mutated(name, mutate_node(FUZZED[name], pick, value, drop))
