"""What a candidate's requests may carry, parsed before any service sees it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import Field, ValidationError
from werkzeug.datastructures import MultiDict

from assess.answer_fields import MAX_FIELDS, TamperedRequest, check_sizes
from assess.services.answer_saves import MAX_REVISION, MAX_SEQ
from assess.services.attempt_reads import SlotView
from assess.services.integrity_recording import (
    MAX_OBSERVATIONS,
    OBSERVATION_KINDS,
    ObservationRefused,
    SignalReport,
)
from assess.services.save_order import SaveOrder
from items import registry
from items.base import Schema

#: attempt.js names its device with random letters and digits; nothing else is a device.
DEVICE_PATTERN = r"[A-Za-z0-9_-]{8,40}"


class Autosave(Schema):
    """The JSON attempt.js posts, and nothing else.

    ``{"base": revision, "device": id, "edit": n, "fields": {name: [values]}}``
    """

    base: int = Field(ge=0, le=MAX_REVISION, strict=True)
    device: str = Field(pattern=f"^{DEVICE_PATTERN}$")
    edit: int = Field(ge=1, le=MAX_SEQ, strict=True)
    fields: dict[str, list[str]] = Field(max_length=MAX_FIELDS)
    #: The integrity observations riding on this save, as a signals report carries them; checked
    #: apart from the answer (``parse_riding_observations``), so a refused one never costs the answer.
    observations: list[Any] = Field(default_factory=list, max_length=MAX_OBSERVATIONS)

    @property
    def order(self) -> SaveOrder:
        return SaveOrder(base=self.base, device=self.device, edit=self.edit)


def parse_autosave(payload: Any) -> Autosave:
    try:
        autosave = Autosave.model_validate(payload)
    except ValidationError as exc:
        raise TamperedRequest(f"not an autosave: {exc.errors(include_url=False)[0]['msg']}") from None
    check_sizes(autosave.fields)
    return autosave


#: The longest report a page sends (50 entries of about 120 characters), with room to spare.
MAX_SIGNAL_REPORT_CHARS = 16 * 1024


def parse_signal_report(raw: str | None) -> SignalReport:
    """The attempt page's report, the JSON in the form field ``observations``; errors name the field.

    A form field, not a JSON body: ``navigator.sendBeacon`` sends it when the page closes,
    and it cannot set the CSRF header, so the token travels as the form's ``csrf_token``.
    """
    if raw is None:
        raise ObservationRefused("observations", "is missing")
    if len(raw) > MAX_SIGNAL_REPORT_CHARS:
        raise ObservationRefused("observations", f"is longer than {MAX_SIGNAL_REPORT_CHARS} characters")
    return _checked_report(lambda: SignalReport.model_validate_json(raw))


def parse_riding_observations(raw: list[Any]) -> SignalReport:
    """An autosave's ``observations``, checked as a signals report is; errors name the field."""
    return _checked_report(lambda: SignalReport.model_validate({"observations": raw}))


def _checked_report(validate: Callable[[], SignalReport]) -> SignalReport:
    try:
        return validate()
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        raise ObservationRefused(_field_name(error["loc"]), error["msg"]) from None


def _field_name(loc: tuple[int | str, ...]) -> str:
    name = "observations" if not loc or loc[0] != "observations" else ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        elif part not in OBSERVATION_KINDS:
            # pydantic names the chosen kind in the path; the field is what the page sent.
            name += f".{part}" if name else part
    return name


def normalise_answer(view: SlotView, fields: Mapping[str, Sequence[str]]) -> Schema | None:
    """The answer as its type's response model; ``ResponseError`` names the field a candidate must fix."""
    response: Schema | None = registry.get(view.type).normalise(view.body, fields)
    return response


def posted_order(form: MultiDict[str, str]) -> SaveOrder:
    """A plain post's place in the order of saves.

    The page always carries the revision it showed; attempt.js adds its device and
    edit number, so a post and the autosaves of one tab are ordered alike.
    """
    base = _counter(form.get("revision", ""), "revision", MAX_REVISION)
    device, edit = form.get("device", "").strip(), form.get("edit", "").strip()
    if not device and not edit:
        return SaveOrder(base=base)
    if not re.fullmatch(DEVICE_PATTERN, device):
        raise TamperedRequest("device must be 8 to 40 letters, digits, - or _")
    return SaveOrder(base=base, device=device, edit=_counter(edit, "edit", MAX_SEQ, minimum=1))


def _counter(raw: str, name: str, maximum: int, minimum: int = 0) -> int:
    # isdigit() alone accepts other scripts' digits ("١٢"); a counter is ASCII digits only.
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 20 and minimum <= int(raw) <= maximum):
        raise TamperedRequest(f"{name} must be a whole number from {minimum} to {maximum}")
    return int(raw)


def destination(go: str, n: int, count: int) -> int | str:
    """Where a plain post's button leads: an item number, or "review".

    ``go`` is "next", "prev", "review", an item number, or absent (Enter pressed
    in a field without a default button: stay on the item).
    """
    if go == "":
        return n
    if go == "review" or (go == "next" and n >= count):
        return "review"
    if go == "next":
        return n + 1
    if go == "prev":
        return max(1, n - 1)
    if go.isascii() and go.isdigit() and len(go) <= 9 and 1 <= int(go) <= count:
        return int(go)
    raise TamperedRequest(f"no such destination {go!r}")
