"""The form that registers a webhook endpoint."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from assess.services.domain_events import EVENTS
from assess.services.outbound_urls import MAX_URL_CHARS

EVENT_LABELS = {
    "attempt.finalized": "attempt.finalized: a candidate's attempt ended (submitted or timed out)",
    "attempt.graded": "attempt.graded: every answer of an attempt is scored",
    "review.completed": "review.completed: the last written answer of an attempt was marked",
    "decision.recorded": "decision.recorded: the hiring team recorded a decision",
    "invitation.expired": "invitation.expired: a link expired before the candidate started",
}


class EndpointForm(FlaskForm):
    url = URLField(
        "URL",
        description="Where to send the events, e.g. https://hooks.example.com/assess.",
        validators=[DataRequired("Give the URL to send to."), Length(max=MAX_URL_CHARS)],
    )
    events = SelectMultipleField(
        "Events",
        choices=[SelectChoice(event, EVENT_LABELS[event]) for event in EVENTS],
        validators=[DataRequired("Choose at least one event.")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
