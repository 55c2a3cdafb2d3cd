"""What every blueprint's views share: the type a view returns, the app's clock and its kits."""

from __future__ import annotations

from datetime import datetime

from flask import Response, current_app
from werkzeug.wrappers import Response as BaseResponse

from assess.db import app_state
from assess.services.scorecards import PACKAGED_KITS, kit_catalogue
from kits.model import KitCatalogue

#: A view returns a page, a redirect or a response, or either with its status code.
Page = str | BaseResponse | tuple[str | Response, int]


def current_time() -> datetime:
    """The app's clock (a test's controllable clock, or the system's)."""
    return app_state().clock()


def app_kits() -> KitCatalogue:
    """The kits this app serves: its KIT_PATHS, or the kits shipped with the code."""
    return kit_catalogue(current_app.config.get("KIT_PATHS") or (PACKAGED_KITS,))
