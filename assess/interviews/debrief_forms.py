"""Forms of the debrief: assigning an interviewer to a stage, and recording the hiring decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from assess.db import db_session
from assess.models.debrief import DECISIONS
from assess.services.debrief import MAX_RATIONALE_CHARS, assignable_staff
from kits.model import InterviewKit


class AssignmentForm(FlaskForm):
    stage = SelectField("Stage", validators=[InputRequired("Choose a stage.")], validate_choice=False)
    interviewer = SelectField(
        "Interviewer", validators=[InputRequired("Choose an interviewer.")], validate_choice=False
    )
    assign = SubmitField("Assign interviewer")


class DecisionForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[SelectChoice(value, label) for value, label in DECISIONS.items()],
        validators=[InputRequired("Choose hire, no hire or hold.")],
    )
    rationale = TextAreaField(
        "Rationale",
        description="Why the team decided this: kept with the decision and in the audit log.",
        validators=[DataRequired("Give the rationale for the decision."), Length(max=MAX_RATIONALE_CHARS)],
    )
    record = SubmitField("Record decision")


def assignment_form(kit: InterviewKit, formdata: object = None) -> AssignmentForm:
    """The form with the kit's stages and the people who may interview as choices."""
    form = AssignmentForm() if formdata is None else AssignmentForm(formdata=formdata)
    form.stage.choices = [SelectChoice(stage.id, stage.title) for stage in kit.stages]
    form.interviewer.choices = [
        SelectChoice(str(person.id), f"{person.name or person.email} ({person.email})")
        for person in assignable_staff(db_session())
    ]
    return form
