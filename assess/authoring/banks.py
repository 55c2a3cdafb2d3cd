"""Banks and their items, item statistics, and a bank's download as bank YAML."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import Response, abort, render_template, request

from assess.auth import roles_required
from assess.authoring import bp, current_banks
from assess.authoring.forms import ActionForm
from assess.db import app_state, db_session
from assess.request_guard import is_ascii_number
from assess.services.bank_exchange import bank_file_name, bank_title, export_bank_yaml
from assess.services.item_exposure import form_exposures
from assess.services.item_statistics import form_analyses, item_statistics
from assess.services.live_forms import budget_text, describe
from integrity.rules import DEFAULT_RULES
from reports.item_analysis import FLAG_RULES, MIN_CANDIDATES_FOR_FLAGS

#: Items listed per page of a bank: the page stays quick however large the bank grows.
BANK_PAGE_SIZE = 100


@dataclass(frozen=True)
class BankRow:
    """One line of the banks table (a class, not a dict: ``row.items`` in Jinja would be ``dict.items``)."""

    id: str
    title: str
    file: str
    item_count: int
    retired: int
    authored: int


@bp.get("/")
@roles_required("author")
def index() -> str:
    live = current_banks()
    roots = app_state().settings.bank_paths
    banks = []
    for bank_id, path in sorted(live.banks.items()):
        items = live.bank_items(bank_id)
        banks.append(
            BankRow(
                id=bank_id,
                title=bank_title(live, bank_id),
                file=bank_file_name(path, roots),
                item_count=len(items),
                retired=sum(1 for item in items if item.is_retired),
                authored=sum(1 for item in items if item.is_authored),
            )
        )
    forms = sorted(live.forms.values(), key=lambda form: form.spec.id)
    return render_template(
        "authoring/index.html", banks=banks, forms=forms, budget_text=budget_text, describe=describe
    )


@bp.get("/banks/<bank>")
@roles_required("author")
def bank(bank: str) -> str:
    live = current_banks()
    if bank not in live.banks:
        abort(404)
    items = live.bank_items(bank)
    pages = max(1, math.ceil(len(items) / BANK_PAGE_SIZE))
    raw = request.args.get("page", "1")
    if not is_ascii_number(raw):
        abort(400)
    if not 1 <= int(raw) <= pages:
        abort(404)
    page = int(raw)
    analyses = form_analyses(db_session())
    return render_template(
        "authoring/bank.html",
        bank=bank,
        title=bank_title(live, bank),
        file=bank_file_name(live.banks[bank], app_state().settings.bank_paths),
        items=items[(page - 1) * BANK_PAGE_SIZE : page * BANK_PAGE_SIZE],
        item_count=len(items),
        first=(page - 1) * BANK_PAGE_SIZE + 1,
        page=page,
        pages=pages,
        statistics=item_statistics(analyses),
        warnings=[(form_id, a.analysis.test.warnings) for form_id, a in analyses.items() if a.analysis],
        flag_rules=FLAG_RULES,
    )


@bp.get("/banks/<bank>/export.yaml")
@roles_required("author")
def export(bank: str) -> Response:
    live = current_banks()
    if bank not in live.banks:
        abort(404)
    text = export_bank_yaml(live, bank, app_state().clock())
    return Response(
        text,
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{bank}.yaml"'},
    )


@bp.get("/statistics")
@roles_required("author")
def statistics() -> str:
    live = current_banks()
    return render_template(
        "authoring/statistics.html",
        analyses=sorted(form_analyses(db_session()).values(), key=lambda a: a.form_id),
        exposures=form_exposures(db_session(), live, app_state().clock()),
        rules=DEFAULT_RULES,
        items=live.items,
        flag_rules=FLAG_RULES,
        min_candidates=MIN_CANDIDATES_FOR_FLAGS,
        action=ActionForm(),
    )
