"""The interview pages' forms: a stage's scorecard (built from the kit), corrections, the guide."""

from __future__ import annotations

from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from assess.services.scorecards import MAX_NOTE_CHARS, ScorecardAnswers
from kits.model import RECOMMENDATIONS, InterviewKit, Stage

LEVEL_VALUES = ["0", "1", "2", "3", "4"]


class CorrectionForm(FlaskForm):
    reason = TextAreaField(
        "What does the correction fix?",
        description="Kept with the new revision and in the audit log; the submitted one stays as it was.",
        validators=[DataRequired("Say what the correction is for."), Length(max=2000)],
    )
    submit = SubmitField("Start a correction")


class GuideQuestionForm(FlaskForm):
    """Add or remove a question-bank question in a stage's guide: the question travels in a hidden field."""

    question = HiddenField(validators=[DataRequired(), Length(max=300)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


@dataclass(frozen=True)
class ScorecardFields:
    """Which form field holds which kit id, so the service's problems land on the right field."""

    form: FlaskForm
    ratings: dict[str, str]
    evidence: dict[str, str]
    goals: dict[str, str]
    red_flags: list[str]

    def field_of(self, problem_field: str) -> str | None:
        kind, _, kit_id = problem_field.partition("-")
        names = {"rating": self.ratings, "goal": self.goals, "evidence": self.evidence}.get(kind, {})
        if kit_id in names:
            return names[kit_id]
        return problem_field if problem_field in ("recommendation", "red_flags") else None

    def answers(self) -> ScorecardAnswers:
        form = self.form
        return ScorecardAnswers(
            ratings={cid: int(form[name].data) for cid, name in self.ratings.items() if form[name].data},
            evidence={cid: form[name].data or "" for cid, name in self.evidence.items()},
            goals={gid: int(form[name].data) for gid, name in self.goals.items() if form[name].data},
            recommendation=int(form["recommendation"].data)
            if "recommendation" in form and form["recommendation"].data
            else None,
            red_flags=[self.red_flags[int(i)] for i in form["red_flags"].data or []],
            red_flag_notes=form["red_flag_notes"].data or "",
            notes=form["notes"].data or "",
        )

    def fill(self, answers: ScorecardAnswers) -> None:
        """Show a saved draft (or the revision a correction starts from)."""
        form = self.form
        for key, name in self.ratings.items():
            form[name].data = str(answers.ratings[key]) if key in answers.ratings else None
        for key, name in self.goals.items():
            form[name].data = str(answers.goals[key]) if key in answers.goals else None
        for key, name in self.evidence.items():
            form[name].data = answers.evidence.get(key, "")
        if "recommendation" in form:
            form["recommendation"].data = str(answers.recommendation) if answers.recommendation else None
        form["red_flags"].data = [
            str(i) for i, flag in enumerate(self.red_flags) if flag in answers.red_flags
        ]
        form["red_flag_notes"].data = answers.red_flag_notes
        form["notes"].data = answers.notes


def _level(label: str, scale: dict[int, str]) -> RadioField:
    return RadioField(
        label,
        choices=[SelectChoice(str(level), f"{level}: {anchor}") for level, anchor in scale.items()],
        validate_choice=False,
        validators=[
            Optional(),
            AnyOf([str(level) for level in scale], message="Choose one of the levels shown."),
        ],
    )


def scorecard_form(kit: InterviewKit, stage: Stage) -> ScorecardFields:
    """A form for this stage's scorecard, each level labelled with its anchor."""

    class ScorecardForm(FlaskForm):
        red_flags = MultiCheckboxField(
            "Red flags seen", choices=[SelectChoice(str(i), f) for i, f in enumerate(kit.red_flags)]
        )
        red_flag_notes = TextAreaField("Red flags: what you saw", validators=[Length(max=MAX_NOTE_CHARS)])
        notes = TextAreaField("Notes", validators=[Length(max=MAX_NOTE_CHARS)])
        save_draft = SubmitField("Save draft")
        submit = SubmitField("Submit scorecard")

    ratings: dict[str, str] = {}
    evidence: dict[str, str] = {}
    goals: dict[str, str] = {}
    for index, rated in enumerate(stage.scorecard.competencies):
        competency = kit.competency(rated.competency)
        ratings[competency.id] = f"rating_{index}"
        evidence[competency.id] = f"evidence_{index}"
        setattr(ScorecardForm, ratings[competency.id], _level(competency.name, kit.competency_scale(rated)))
        field: Field = TextAreaField(
            f"Evidence for {competency.name}", validators=[Length(max=MAX_NOTE_CHARS)]
        )
        setattr(ScorecardForm, evidence[competency.id], field)
    for index, rated_goal in enumerate(stage.scorecard.goals):
        goal = kit.goal(rated_goal.goal)
        goals[goal.id] = f"goal_{index}"
        setattr(ScorecardForm, goals[goal.id], _level(goal.name, kit.goal_scale(rated_goal)))
    if stage.has_recommendation:
        wording = stage.scorecard.recommendation or {}
        scale = {
            level: f"{name}{': ' + wording[level] if level in wording else ''}"
            for level, name in RECOMMENDATIONS.items()
        }
        ScorecardForm.recommendation = RadioField(
            "Recommendation",
            choices=[SelectChoice(str(level), f"{level}: {text}") for level, text in scale.items()],
            validate_choice=False,
            validators=[
                Optional(),
                AnyOf([str(level) for level in scale], message="Choose a recommendation shown."),
            ],
        )
    return ScorecardFields(ScorecardForm(), ratings, evidence, goals, list(kit.red_flags))
