"""The form that connects an ATS."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from assess.services.ats_connections import PROVIDERS


class ConnectionForm(FlaskForm):
    provider = RadioField(
        "Applicant tracking system",
        choices=[SelectChoice(value, label) for value, label in PROVIDERS.items()],
        validators=[DataRequired("Choose Greenhouse or Ashby.")],
    )
    name = StringField(
        "Name",
        description="Whose account it is, e.g. “Acme Corp (Greenhouse)”.",
        validators=[DataRequired("Name the connection."), Length(max=200)],
    )
    campaigns = SelectMultipleField(
        "Tests it may send",
        coerce=int,
        validators=[DataRequired("Choose at least one campaign.")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    ashby_api_key = PasswordField(
        "Ashby API key (Ashby only)",
        description="The customer's Ashby API key with the candidatesWrite permission: "
        "assess sends the candidate's progress and result with it. Kept encrypted.",
        validators=[Length(max=500)],
    )
