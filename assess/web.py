"""What every blueprint's views share: the view type, a row or 404, the clock, the kits, a decimal field."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from flask import Response, abort, current_app, request
from werkzeug.wrappers import Response as BaseResponse
from wtforms import DecimalField

from assess.db import app_state, db_session
from assess.models.base import Base
from assess.request_guard import is_ascii_number
from assess.services.scorecards import PACKAGED_KITS, kit_catalogue
from kits.model import KitCatalogue

#: A view returns a page, a redirect or a response, or either with its status code.
Page = str | BaseResponse | tuple[str | Response, int]

M = TypeVar("M", bound=Base)


def row_or_404(model: type[M], key: int) -> M:
    """The row with this primary key; a 404 page when there is none."""
    row = db_session().get(model, key)
    if row is None:
        abort(404)
    return row


def page_number() -> int:
    """The ``page`` query argument of a long list, from 1; a 400 for anything else."""
    page = request.args.get("page", "1")
    if not is_ascii_number(page) or int(page) < 1:
        abort(400)
    return int(page)


def current_time() -> datetime:
    """The app's clock (a test's controllable clock, or the system's)."""
    return app_state().clock()


def app_kits() -> KitCatalogue:
    """The kits this app serves: its KIT_PATHS, or the kits shipped with the code."""
    return kit_catalogue(current_app.config.get("KIT_PATHS") or (PACKAGED_KITS,))


class FiniteDecimalField(DecimalField):
    """A decimal field that refuses NaN and infinities as it reads them.

    wtforms' NumberRange calls ``math.isnan``, which raises on "sNaN" instead of failing the field.
    """

    data: Decimal | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))
