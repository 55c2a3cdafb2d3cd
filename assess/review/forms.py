"""The review pages' forms: extra time, rubric marks, regrade confirmation, reviewed signals."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Regexp

from assess.services.time_grants import MAX_GRANT_MINUTES
from assess.web import FiniteDecimalField
from items.base import Criterion

#: Criteria worth up to this many whole points are marked with one radio button per point.
MAX_RADIO_POINTS = 10


class GrantTimeForm(FlaskForm):
    minutes = IntegerField(
        "Extra minutes",
        validators=[
            InputRequired("Say how many minutes to add."),
            NumberRange(1, MAX_GRANT_MINUTES, f"From 1 to {MAX_GRANT_MINUTES} minutes."),
        ],
    )
    reason = TextAreaField(
        "Reason",
        description="Recorded in the audit log, e.g. “connection dropped for 5 minutes”.",
        validators=[DataRequired("Say why the time is granted."), Length(max=2000)],
    )
    submit = SubmitField("Grant extra time")


class ToggleForm(FlaskForm):
    """A button that flips a setting: only its CSRF token is checked."""


class RegradeForm(FlaskForm):
    to_version = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{1,64}$")])
    reason = TextAreaField(
        "Reason for the regrade",
        description="Recorded with the regrade and in the audit log, e.g. “the key named the wrong option”.",
        validators=[DataRequired("Say why the item is regraded."), Length(max=2000)],
    )
    submit = SubmitField("Regrade these attempts")


class SignalReviewForm(FlaskForm):
    signal = HiddenField(validators=[DataRequired(), Regexp(r"^[a-z_]{1,40}(:\d{1,12})?$")])
    note = TextAreaField(
        "Note",
        description="What you found or asked, e.g. “a delivery arrived mid-test”. Kept in the audit log.",
        validators=[DataRequired("Say what you found."), Length(max=2000)],
    )
    submit = SubmitField("Mark reviewed")


def criterion_field_name(criterion: Criterion) -> str:
    return f"criterion_{criterion.id}"


def _is_whole(points: Decimal) -> bool:
    return points == points.to_integral_value() and points <= MAX_RADIO_POINTS


def rubric_form(criteria: list[Criterion]) -> FlaskForm:
    """A form with one mark per rubric criterion: radio buttons 0..max, or a number for odd maxima."""

    class RubricForm(FlaskForm):
        based_on = HiddenField(validators=[Regexp(r"^\d{1,12}$", message="The page was altered.")])
        submit = SubmitField("Save marks")

    for criterion in criteria:
        required = InputRequired(f"Give a mark for {criterion.label}.")
        field: RadioField | FiniteDecimalField
        if _is_whole(criterion.max_points):
            values = [str(n) for n in range(int(criterion.max_points) + 1)]
            field = RadioField(
                criterion.label,
                choices=[SelectChoice(value) for value in values],
                validate_choice=False,
                validators=[required, AnyOf(values, message="Choose one of the marks shown.")],
            )
        else:
            field = FiniteDecimalField(
                criterion.label,
                places=None,
                validators=[
                    required,
                    NumberRange(0, criterion.max_points, f"From 0 to {criterion.max_points}."),
                ],
            )
        setattr(RubricForm, criterion_field_name(criterion), field)
    return RubricForm()


def rubric_awards(form: FlaskForm, criteria: list[Criterion]) -> dict[str, Decimal]:
    return {c.id: Decimal(str(form[criterion_field_name(c)].data)) for c in criteria}
