"""The staff pages' forms (Flask-WTF: CSRF token and per-field errors)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from assess.services.invitations import EMAIL_PATTERN, MAX_EXTRA_TIME, MAX_VALID_DAYS, MIN_EXTRA_TIME
from assess.web import FiniteDecimalField


def _valid_days(label: str, default: int) -> IntegerField:
    """How many days a candidate's link stays open."""
    return IntegerField(
        label,
        default=default,
        validators=[
            InputRequired("Say for how many days."),
            NumberRange(1, MAX_VALID_DAYS, f"From 1 to {MAX_VALID_DAYS} days."),
        ],
    )


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired("Enter your email address."), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired("Enter your password."), Length(max=1024)])
    next = HiddenField()


#: How many must-have rules a campaign can set (its kit's own must-haves apply besides).
MUST_HAVE_ROWS = 5


class CampaignForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired("Give the campaign a title."), Length(max=200)])
    role = StringField(
        "Role being hired for", validators=[DataRequired("Name the role being hired for."), Length(max=200)]
    )
    form_id = SelectField("Assessment form", validate_choice=True)
    kit_id = SelectField("Interview kit", validate_choice=True)
    assessment_weight = IntegerField(
        "Assessment weight (%)",
        validators=[InputRequired("Give the assessment's weight."), NumberRange(0, 100, "From 0 to 100.")],
        default=40,
    )
    interview_weight = IntegerField(
        "Interview weight (%)",
        validators=[InputRequired("Give the interview's weight."), NumberRange(0, 100, "From 0 to 100.")],
        default=60,
    )
    window_start = DateTimeLocalField(
        "Invitations open (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    window_end = DateTimeLocalField(
        "Invitations close (UTC)", format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )

    def must_have_fields(self) -> list[tuple[SelectField, SelectField]]:
        """(competency, minimum) per must-have row, in order."""
        return [
            (self[f"must_have_{number}"], self[f"minimum_{number}"])
            for number in range(1, MUST_HAVE_ROWS + 1)
        ]


# A select per must-have, so that a rule can only name one of the kit's competencies.
for _number in range(1, MUST_HAVE_ROWS + 1):
    setattr(CampaignForm, f"must_have_{_number}", SelectField(f"Must-have {_number}", validate_choice=True))
    setattr(
        CampaignForm,
        f"minimum_{_number}",
        SelectField(
            f"Must-have {_number}: lowest acceptable mean rating",
            choices=[SelectChoice(str(level), str(level)) for level in (1, 2, 3, 4)],
            coerce=int,
            default=3,
        ),
    )


class NewCampaignForm(CampaignForm):
    slug = StringField(
        "Short name for links and the command line",
        description="Lowercase letters, digits and hyphens, e.g. account-manager-spring.",
        validators=[DataRequired("Give the campaign a short name."), Length(max=64)],
    )


#: Why the hiring team would tick it; the candidate never sees the flag named.
ASSISTIVE_TECHNOLOGY_HINT = (
    "Focus changes, timing and pastes are then shown to reviewers but never counted against the "
    "candidate: screen readers, dictation and word prediction cause them. The candidate is not shown this."
)


class InvitationForm(FlaskForm):
    email = EmailField(
        "Candidate's email",
        validators=[
            DataRequired("Enter the candidate's email address."),
            Regexp(EMAIL_PATTERN, message="Enter an email address such as name@example.com."),
            Length(max=320),
        ],
    )
    name = StringField("Candidate's name (optional)", validators=[Length(max=200)])
    extra_time = FiniteDecimalField(
        "Extra time multiplier",
        description="1 = the standard time; 1.25 = 25 % extra time; up to 3.",
        places=2,
        default=1,
        validators=[
            InputRequired("Give a multiplier; 1 means no extra time."),
            NumberRange(MIN_EXTRA_TIME, MAX_EXTRA_TIME, f"From {MIN_EXTRA_TIME} to {MAX_EXTRA_TIME}."),
        ],
    )
    assistive_technology = BooleanField(
        "Uses assistive technology (screen reader, dictation, word prediction...)",
        description=ASSISTIVE_TECHNOLOGY_HINT,
    )
    valid_days = _valid_days("Link valid for (days)", 14)


class BulkInvitationForm(FlaskForm):
    csv_file = FileField(
        "CSV file",
        description="Columns: email, name (optional), extra_time (optional, e.g. 1.25), "
        "assistive_technology (optional, yes or no; blank is no). "
        "A first line with these column names is allowed.",
        validators=[FileRequired("Choose a CSV file to upload.")],
    )
    valid_days = _valid_days("Links valid for (days)", 14)


class ExtendForm(FlaskForm):
    valid_days = _valid_days("Valid for (days from now)", 7)
