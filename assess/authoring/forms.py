"""The authoring pages' forms (Flask-WTF: CSRF token and per-field errors).

The item and form fields carry no validators of their own: a draft is checked once,
by the bank loader's rules (``items.bank.check_item``), and every problem is put on
the field it belongs to.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from assess.services.authored_items import MAX_NOTE, ItemDraft
from interchange import IMPORTERS
from items import registry

YAML_HINT = "YAML, as under this key in a bank file. Problems are reported with their line here."


class ItemForm(FlaskForm):
    bank = StringField("Bank", description="The bank the item belongs to, e.g. am-smb-process.")
    item_id = StringField(
        "Item id", description="Lower-case letters, digits, '.', '_' or '-'; it never changes."
    )
    type = SelectField(
        "Item type", choices=[SelectChoice(name) for name in registry.names()], validate_choice=False
    )
    title = StringField("Title")
    section = StringField(
        "Section", description="The section id the item is written for, e.g. process_analysis."
    )
    minutes = StringField(
        "Minutes", description="The time a candidate needs, e.g. 1.5 (counted in forms' budgets)."
    )
    tags = StringField("Tags", description="Comma-separated, e.g. renewals, proactivity.")
    rationale = TextAreaField("Rationale", description="Why the key is right; shown to staff only.")
    body = TextAreaField("Body", description="What the candidate sees. " + YAML_HINT)
    key = TextAreaField("Key", description="The answer key; never shown to candidates. " + YAML_HINT)
    note = StringField(
        "What changed",
        description="Optional: shown in the version history.",
        validators=[Length(max=MAX_NOTE)],
    )
    base_version = HiddenField()

    def draft(self) -> ItemDraft:
        return ItemDraft(
            bank=self.bank.data or "",
            id=self.item_id.data or "",
            type=self.type.data or "",
            title=self.title.data or "",
            section=self.section.data or "",
            minutes=self.minutes.data or "",
            tags=self.tags.data or "",
            rationale=self.rationale.data or "",
            body=self.body.data or "",
            key=self.key.data or "",
        )

    def fill(self, draft: ItemDraft) -> None:
        for name in ("bank", "type", "title", "section", "minutes", "tags", "rationale", "body", "key"):
            self[name].data = getattr(draft, name)
        self.item_id.data = draft.id


class FormSpecForm(FlaskForm):
    bank = StringField("Bank", description="The bank the form is written in, e.g. am-smb-form.")
    content = TextAreaField(
        "Form",
        description="YAML, as one entry of a bank file's forms: id, title, time_limit_minutes, "
        "instructions and sections; a pool is {draw: N, from: [item ids]}.",
    )


#: The format choice that lets the page tell the format from the file.
DETECT = ""
FORMAT_NAMES = {"qti": "QTI 2.1 or 3.0", "moodle": "Moodle XML", "gift": "GIFT", "aiken": "Aiken"}


class ImportForm(FlaskForm):
    # Not FileRequired: after "Check" the file comes back in ``kept_file`` instead.
    file = FileField("File")
    format = SelectField(
        "Format",
        choices=[
            SelectChoice(DETECT, "Detect from the file"),
            *(SelectChoice(name, FORMAT_NAMES.get(name, name)) for name in sorted(IMPORTERS)),
        ],
        default=DETECT,
        description="Told from the file's name and content unless you choose one.",
    )
    bank = StringField("Bank", description="The bank the imported items join, e.g. imported-questions.")
    id_prefix = StringField(
        "Id prefix",
        description="Optional: put before every imported id, e.g. moodle- (when ids clash).",
        validators=[Length(max=40)],
    )
    kept_file = HiddenField()
    kept_name = HiddenField(validators=[Length(max=255)])


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token, and where to go back to."""

    next = HiddenField()
