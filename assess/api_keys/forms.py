"""The form that makes an API key."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from assess.services.api_keys import SCOPES

SCOPE_LABELS = {
    "read": "read: campaigns, forms, invitations, attempts and results",
    "invite": "invite: create and revoke invitations",
    "admin": "admin: everything the API offers",
}


class ApiKeyForm(FlaskForm):
    name = StringField(
        "Name",
        description="Who or what uses the key, e.g. “Greenhouse (production)”.",
        validators=[DataRequired("Name the key."), Length(max=200)],
    )
    scopes = SelectMultipleField(
        "Scopes",
        choices=[SelectChoice(scope, SCOPE_LABELS[scope]) for scope in SCOPES],
        validators=[DataRequired("Choose at least one scope.")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
