"""Interview kits and interviewer question banks: YAML files -> validated, immutable models.

A kit is the structured interview for one role: its competencies with anchored levels,
its goals, and its stages, each with directions, questions and a scorecard. Every problem
in every file is reported at once as ``path:line: field: message``, as for item banks.

Who may see what: a candidate may be given a stage's ``candidate_directions`` and its
exercise's ``candidate_brief``, ``materials`` and ``interviewer_plays``. Everything else is
for the hiring team. ``exercise.interviewer_only`` is what the interviewer knows while
playing the client or partner and keeps back from the candidate, during the exercise too.
A question bank carries ``interviewer_only: true``: its model answers and pitfalls are an
answer key and never reach a candidate (design invariant 2).

Scorecards share one scale: 0 = not enough information gathered (never averaged as a low
score, see ``scoring.scorecards``) and levels 1-4, anchored per competency; a stage may
reword the anchors for what it observes. Goals are rated on the likelihood of reaching
them, and the recommendation is 1 Strong No Hire ... 4 Strong Hire.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, Field, ValidationError
from pydantic_core import PydanticCustomError
from ruamel.yaml.comments import CommentedMap

from items.bank import ID_PATTERN
from items.base import Schema
from items.located_yaml import (
    FieldPath,
    FilesInvalid,
    Located,
    LocatedError,
    declared_ids,
    dotted,
    duplicates,
    entries,
    mappings,
    plain,
    read_yaml,
    unknown_references,
    validation_errors,
    yaml_files,
)

LEVELS = (1, 2, 3, 4)
NOT_ENOUGH_INFORMATION = 0
NOT_ENOUGH_INFORMATION_TEXT = "Not enough information gathered to evaluate"
GOAL_LIKELIHOOD = {
    1: "Unlikely to achieve the goal",
    2: "Likely to partially achieve the goal",
    3: "Likely to achieve the goal",
    4: "Likely to exceed the goal",
}
RECOMMENDATIONS = {1: "Strong No Hire", 2: "No Hire", 3: "Hire", 4: "Strong Hire"}
EXERCISE_KINDS = ("work_sample", "role_play")

Id = Annotated[str, Field(pattern=ID_PATTERN)]
Text = Annotated[str, Field(min_length=1)]


def _check_levels(levels: dict[int, str]) -> dict[int, str]:
    problems = []
    extra = sorted(set(levels) - set(LEVELS))
    missing = [level for level in LEVELS if level not in levels]
    if extra:
        problems.append(
            f"{', '.join(map(str, extra))} is not a level: levels are 1-4, and 0 (not enough "
            "information gathered) is fixed, not written in the file"
        )
    if missing:
        problems.append(f"every level 1-4 needs its anchor; missing {', '.join(map(str, missing))}")
    if problems:
        raise PydanticCustomError("levels", "{problems}", {"problems": "; ".join(problems)})
    return dict(sorted(levels.items()))


#: Anchor text for each level 1-4, all four present.
Levels = Annotated[dict[int, Text], AfterValidator(_check_levels)]


class Competency(Schema):
    """Something interviewers rate, with what each level 1-4 looks like."""

    id: Id
    name: Text
    description: Text
    essential: bool = False
    levels: Levels


class Goal(Schema):
    """A desired outcome of the role; interviewers rate how likely the candidate is to reach it."""

    id: Id
    name: Text
    description: Text
    levels: Levels | None = None

    def scale(self) -> dict[int, str]:
        return self.levels or GOAL_LIKELIHOOD


class RatedCompetency(Schema):
    competency: Id
    levels: Levels | None = None


class RatedGoal(Schema):
    goal: Id
    levels: Levels | None = None


class Scorecard(Schema):
    """What an interviewer rates after a stage; red-flag notes belong to every scorecard.

    ``recommendation`` holds this stage's wording of levels 1-4 when it has its own;
    the labels themselves are fixed (``RECOMMENDATIONS``).
    """

    competencies: list[RatedCompetency] = Field(min_length=1)
    goals: list[RatedGoal] = Field(default_factory=list)
    recommendation: Levels | None = None


class Question(Schema):
    id: Id
    text: Text
    competencies: list[Id] = Field(default_factory=list)
    areas_to_cover: list[Text] = Field(default_factory=list)
    follow_ups: list[Text] = Field(default_factory=list)
    guidance: str = ""


class Exercise(Schema):
    """A work sample or role play: the candidate's brief, and what only the interviewer knows."""

    candidate_brief: Text
    materials: list[Text] = Field(default_factory=list)
    preparation_minutes: int | None = Field(default=None, ge=0, le=240)
    interviewer_plays: str = ""
    interviewer_only: list[Text] = Field(default_factory=list)


class Stage(Schema):
    id: Id
    title: Text
    kind: Literal["interview", "work_sample", "role_play", "reference_check"]
    minutes: int | None = Field(default=None, ge=1, le=480)
    conducted_by: str = ""
    optional: bool = False
    interviewer_directions: Text
    candidate_directions: str = ""
    exercise: Exercise | None = None
    questions: list[Question] = Field(default_factory=list)
    scorecard: Scorecard

    @property
    def has_recommendation(self) -> bool:
        # Reference checks gather evidence about the candidate; the referee recommends nothing.
        return self.kind != "reference_check"


class MustHave(Schema):
    """Seed 003's override: a must-have rated below its minimum marks the candidate unsuitable."""

    competency: Id
    minimum: int = Field(ge=1, le=4)
    reason: Text


class DebriefQuestion(Schema):
    text: Text
    guidance: Text


class Debrief(Schema):
    directions: Text
    questions: list[DebriefQuestion] = Field(default_factory=list)


class InterviewKit(Schema):
    kit: Id
    title: Text
    role: Text
    summary: Text
    competencies: list[Competency] = Field(min_length=1)
    goals: list[Goal] = Field(default_factory=list)
    must_haves: list[MustHave] = Field(default_factory=list)
    red_flags: list[Text] = Field(default_factory=list)
    stages: list[Stage] = Field(min_length=1)
    debrief: Debrief | None = None

    @property
    def id(self) -> str:
        return self.kit

    def competency(self, competency_id: str) -> Competency:
        return _find(self.competencies, competency_id, "competency")

    def goal(self, goal_id: str) -> Goal:
        return _find(self.goals, goal_id, "goal")

    def stage(self, stage_id: str) -> Stage:
        return _find(self.stages, stage_id, "stage")

    def competency_scale(self, rated: RatedCompetency) -> dict[int, str]:
        """The full 0-4 scale an interviewer picks from, in this stage's words."""
        levels = rated.levels or self.competency(rated.competency).levels
        return {NOT_ENOUGH_INFORMATION: NOT_ENOUGH_INFORMATION_TEXT, **levels}

    def goal_scale(self, rated: RatedGoal) -> dict[int, str]:
        levels = rated.levels or self.goal(rated.goal).scale()
        return {NOT_ENOUGH_INFORMATION: NOT_ENOUGH_INFORMATION_TEXT, **levels}


class CompetencyTag(Schema):
    id: Id
    name: Text


class InterviewerQuestion(Schema):
    """A question with the answer a strong candidate gives: an answer key for interviewers."""

    id: Id
    category: Literal["technical", "behavioral", "situational", "problem_solving"]
    text: Text
    competencies: list[Id] = Field(min_length=1)
    model_answer: Text
    key_points: list[Text] = Field(default_factory=list)
    example: str = ""
    pitfalls: list[Text] = Field(min_length=1)
    follow_ups: list[Text] = Field(min_length=1)


class QuestionBank(Schema):
    """Questions an interviewer may pull into any stage; never shown to candidates."""

    question_bank: Id
    title: Text
    role: Text
    interviewer_only: Literal[True]
    summary: Text
    competencies: list[CompetencyTag] = Field(min_length=1)
    questions: list[InterviewerQuestion] = Field(min_length=1)

    @property
    def id(self) -> str:
        return self.question_bank

    def question(self, question_id: str) -> InterviewerQuestion:
        return _find(self.questions, question_id, "question")


_Entry = TypeVar("_Entry", Competency, Goal, Stage, InterviewerQuestion)


def _find(entries: list[_Entry], wanted: str, kind: str) -> _Entry:
    for entry in entries:
        if entry.id == wanted:
            return entry
    known = ", ".join(e.id for e in entries) or "none"
    raise KeyError(f"no {kind} {wanted!r}; known: {known}")


@dataclass(frozen=True)
class KitCatalogue:
    """Everything loaded from a set of kit files, with the file each came from."""

    kits: dict[str, InterviewKit]
    question_banks: dict[str, QuestionBank]
    sources: dict[str, str]

    def kit(self, kit_id: str) -> InterviewKit:
        try:
            return self.kits[kit_id]
        except KeyError:
            known = ", ".join(sorted(self.kits)) or "none"
            raise KeyError(f"no interview kit {kit_id!r}; kits loaded: {known}") from None


def load_kits(paths: Iterable[str | Path]) -> KitCatalogue:
    """Load and validate kit and question bank files; raise ``FilesInvalid`` listing every problem."""
    paths = list(paths)
    files = yaml_files(paths)
    if not files:
        raise FilesInvalid([LocatedError(str(p), 0, "", "no kit files found") for p in paths])
    errors: list[LocatedError] = []
    kits: dict[str, InterviewKit] = {}
    banks: dict[str, QuestionBank] = {}
    sources: dict[str, str] = {}
    for path in files:
        found: list[LocatedError] = []
        root, loaded = _load_file(path, found)
        if root is not None and loaded is not None and loaded.id in sources:
            key = "kit" if isinstance(loaded, InterviewKit) else "question_bank"
            found.append(root.error((key,), f"id {loaded.id!r} is also used by {sources[loaded.id]}"))
        elif isinstance(loaded, InterviewKit):
            kits[loaded.id] = loaded
        elif isinstance(loaded, QuestionBank):
            banks[loaded.id] = loaded
        if loaded is not None:
            sources.setdefault(loaded.id, str(path))
        errors.extend(sorted(found, key=lambda e: e.line))
    if errors:
        raise FilesInvalid(errors)
    return KitCatalogue(kits=kits, question_banks=banks, sources=sources)


def _load_file(
    path: Path, errors: list[LocatedError]
) -> tuple[Located | None, InterviewKit | QuestionBank | None]:
    data = read_yaml(path, errors)
    if data is None:
        return None, None
    root = Located(str(path), data, ())
    kinds = [key for key in ("kit", "question_bank") if isinstance(data, CommentedMap) and key in data]
    if len(kinds) != 1:
        errors.append(root.error((), "a kit file is a mapping that starts with kit: or question_bank:"))
        return root, None
    raw = plain(data)
    model = InterviewKit if kinds == ["kit"] else QuestionBank
    checks = _kit_problems(raw) if model is InterviewKit else _question_bank_problems(raw)
    errors.extend(root.error(field, message) for field, message in checks)
    try:
        loaded = model.model_validate(raw)
    except ValidationError as exc:
        errors.extend(validation_errors(root, exc, ()))
        return root, None
    return root, (None if errors else loaded)


# The cross-reference checks read the raw document, so that they run even where pydantic
# rejects a neighbouring field: an author sees every problem in one pass.


def _kit_problems(raw: Mapping[str, Any]) -> Iterator[tuple[FieldPath, str]]:
    known = {"competency": declared_ids(raw.get("competencies")), "goal": declared_ids(raw.get("goals"))}
    for key in ("competencies", "goals", "stages"):
        yield from duplicates(raw.get(key), (key,), "id")
    rated: dict[str, set[str]] = {"competency": set(), "goal": set()}
    question_ids: dict[str, FieldPath] = {}
    for s, stage in mappings(raw.get("stages")):
        at: FieldPath = ("stages", s)
        yield from _stage_shape(stage, at)
        for q, question in mappings(stage.get("questions")):
            question_id = question.get("id")
            if isinstance(question_id, str) and question_id in question_ids:
                also = dotted(question_ids[question_id])
                yield (*at, "questions", q, "id"), f"duplicate question id {question_id!r} (also {also})"
            elif isinstance(question_id, str):
                question_ids[question_id] = (*at, "questions", q)
            for c, ref in entries(question.get("competencies")):
                where = (*at, "questions", q, "competencies", c)
                yield from unknown_references(ref, known["competency"], where, "competency")
        scorecard = stage.get("scorecard")
        if isinstance(scorecard, dict):
            for key, kind in (("competencies", "competency"), ("goals", "goal")):
                entries_rated = scorecard.get(key)
                yield from duplicates(entries_rated, (*at, "scorecard", key), kind)
                for r, entry in mappings(entries_rated):
                    where = (*at, "scorecard", key, r, kind)
                    yield from unknown_references(entry.get(kind), known[kind], where, kind)
                    if isinstance(entry.get(kind), str):
                        rated[kind].add(entry[kind])
    for m, must_have in mappings(raw.get("must_haves")):
        where = ("must_haves", m, "competency")
        yield from unknown_references(must_have.get("competency"), known["competency"], where, "competency")
    for key, kind in (("competencies", "competency"), ("goals", "goal")):
        for i, entry in mappings(raw.get(key)):
            if isinstance(entry.get("id"), str) and entry["id"] not in rated[kind]:
                yield (key, i, "id"), f"no stage's scorecard rates this {kind}"


def _stage_shape(stage: Mapping[str, Any], at: FieldPath) -> Iterator[tuple[FieldPath, str]]:
    kind = stage.get("kind")
    if kind in EXERCISE_KINDS and "exercise" not in stage:
        yield (*at, "kind"), f"a {kind} stage needs an exercise: its brief, what only the interviewer knows"
    if kind in ("interview", "reference_check") and "exercise" in stage:
        yield (*at, "exercise"), f"only {' and '.join(EXERCISE_KINDS)} stages have an exercise, not {kind}"
    scorecard = stage.get("scorecard")
    if kind == "reference_check" and isinstance(scorecard, dict) and "recommendation" in scorecard:
        yield (*at, "scorecard", "recommendation"), "a reference check has no hiring recommendation"


def _question_bank_problems(raw: Mapping[str, Any]) -> Iterator[tuple[FieldPath, str]]:
    competencies = declared_ids(raw.get("competencies"))
    for key in ("competencies", "questions"):
        yield from duplicates(raw.get(key), (key,), "id")
    for q, question in mappings(raw.get("questions")):
        for c, ref in entries(question.get("competencies")):
            where = ("questions", q, "competencies", c)
            yield from unknown_references(ref, competencies, where, "competency")
