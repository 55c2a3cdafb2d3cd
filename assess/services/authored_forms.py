"""Forms assembled in the browser: a FormSpec as YAML, checked against the live items, then stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assess.models import AuthoredForm, StaffUser
from assess.services.authored_items import FieldProblem
from assess.services.authoring import LiveBanks, live_banks
from assess.services.live_forms import build_live_form
from assess.services.staff import record_audit
from interchange.bank_yaml import dump_yaml
from items.bank import ID_PATTERN, Catalogue
from items.forms import AssessmentForm, FormSpec, build_form
from items.located_yaml import Located, LocatedError, plain, read_yaml_text, validation_errors


class FormInvalid(Exception):
    """Every problem with a form draft; nothing was stored."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class CheckedForm:
    spec: FormSpec | None
    #: Built against the items new attempts can draw (for the time budget), when the YAML was valid.
    form: AssessmentForm | None
    problems: list[FieldProblem]


def form_yaml(spec: FormSpec) -> str:
    """A form spec as it is written in a bank file's ``forms`` (defaults left out)."""
    return dump_yaml(spec.model_dump(by_alias=True, exclude_defaults=True))


def check_form(text: str, bank: str, live: LiveBanks, editing: str | None) -> CheckedForm:
    """The form a draft would save, checked as the bank loader checks forms, and drawable now."""
    errors: list[LocatedError] = []
    node = read_yaml_text(text, "form", errors, "")
    problems = [FieldProblem("content", "", e.message, e.line or None) for e in errors]
    if not re.match(ID_PATTERN, bank.strip()):
        message = "a bank id is lower-case letters, digits, '.', '_' or '-', e.g. am-smb-form"
        problems.append(FieldProblem("bank", "bank", message))
    if errors:
        return CheckedForm(None, None, problems)
    located = Located("form", node, ())
    try:
        spec = FormSpec.model_validate(plain(node))
    except ValidationError as exc:
        problems += [_at(e) for e in validation_errors(located, exc, ())]
        return CheckedForm(None, None, problems)
    if editing is not None and spec.id != editing:
        problems.append(_at(located.error(("id",), f"a form's id cannot change; this is {editing!r}")))
    if editing is None and spec.id in live.forms:
        problems.append(_at(located.error(("id",), f"a form with id {spec.id!r} already exists")))
    every_item = {item_id: live_item.item for item_id, live_item in live.items.items()}
    _, loader_problems = build_form(spec, every_item)
    retired = {item_id for item_id, live_item in live.items.items() if live_item.is_retired}
    form, blocking, _ = build_live_form(spec, live.catalogue.items, retired)
    seen: set[tuple[str, str]] = set()
    for where, message in [*loader_problems, *blocking]:
        error = located.error(where, message)
        if (error.field, message) not in seen:
            seen.add((error.field, message))
            problems.append(_at(error))
    return CheckedForm(spec, form, problems)


def _at(error: LocatedError) -> FieldProblem:
    return FieldProblem("content", error.field, error.message, error.line or None)


def save_form(
    session: Session,
    file_catalogue: Catalogue,
    text: str,
    bank: str,
    editing: str | None,
    actor: StaffUser,
    now: datetime,
) -> FormSpec:
    """Check the draft and store it, replacing any file or authored form of its id; audit-logged."""
    live = live_banks(session, file_catalogue)
    if editing is not None:
        if editing not in live.forms:
            raise LookupError(f"no form {editing!r}")
        bank = live.forms[editing].bank  # a form stays in its bank
    checked = check_form(text, bank, live, editing)
    if checked.problems or checked.spec is None:
        raise FormInvalid(checked.problems)
    spec = checked.spec
    content = spec.model_dump(mode="json", by_alias=True)
    row = session.get(AuthoredForm, spec.id)
    if row is None:
        session.add(
            AuthoredForm(
                form_id=spec.id, bank_id=bank.strip(), content=content, saved_by=actor.id, saved_at=now
            )
        )
    else:
        row.content, row.saved_by, row.saved_at = content, actor.id, now
    record_audit(session, actor, "form.save", "form", spec.id, {"bank": bank.strip()}, now)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise FormInvalid(
            [
                FieldProblem(
                    "content",
                    "id",
                    f"form {spec.id!r} was created by someone else at the same moment; reload and try again",
                )
            ]
        ) from None
    return spec
