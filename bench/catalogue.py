"""Catalogue-size benchmark: a candidate's link and Start with 50,000 authored items against the shipped 14.

    .venv/bin/python -m bench.catalogue [--items 50000] [--candidates 150]
                                        [--database-url URL ...]

On each database (default: a temporary SQLite file and a fresh schema on the PostgreSQL at
127.0.0.1, dropped after), the real app (``create_app``, driven in-process by Flask's test
client: the real routes and services, no HTTP server) on the shipped banks, in one run:

1. small: after ``WARM_UP`` untimed candidates, ``--candidates`` invitations to a campaign on
   the shipped 14-item form; each opens its link (``GET /t/<token>``, the instructions page)
   and presses Start (``POST /t/<token>/start``);
2. ``--items`` items are authored in bulk (``author_in_bulk``: the rows a save writes, through
   the authoring models, as Core inserts) in banks of 5,000, and one item is saved through the
   authoring service, so that every catalogue the process cached is out of date;
3. large: as 1, with new invitations, against that catalogue;
4. the authoring pages at that size, once each (printed, no target): the banks page, a bank's
   first page of items, an item's page, retiring an item.

Target: link open and Start p50 and p99 with the large catalogue within 1.5x the small one's.
Exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

from assess import create_app
from assess.config import Settings
from assess.models import AuthoredItem, ItemVersionLog, StoredItemVersion
from assess.services.authored_items import draft_of, save_item
from assess.services.campaigns import create_campaign
from assess.services.catalogue import load_catalogue
from assess.services.invitations import create_invitation
from assess.services.staff import create_user
from bench.report_bench import database
from items.bank import ItemVersion, check_item, content_version

BANKS = Path(__file__).resolve().parent.parent / "items" / "banks"
FORM = "account-manager-smb"
RATIO_TARGET = 1.5
BANK_SIZE = 5000
CHUNK = 5000
WARM_UP = 5
PASSWORD = "bench-password-1"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DEFAULT_POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def bulk_items(count: int, bank_prefix: str = "bulk") -> list[ItemVersion]:
    """``count`` valid single-choice items, ``BANK_SIZE`` to a bank, each with its own id and version."""
    raw = {
        "id": "bulk-template",
        "type": "single_choice",
        "title": "Bulk question",
        "section": "process_analysis",
        "minutes": "1",
        "body": {
            "prompt": "Which step comes first?",
            "options": [
                {"id": "a", "text": "Wait for the customer"},
                {"id": "b", "text": "Ask the customer"},
            ],
        },
        "key": {"correct": "b"},
    }
    template, errors = check_item(raw, f"{bank_prefix}-0", "bench")
    assert template is not None, errors
    items = []
    for n in range(count):
        item = replace(
            template,
            item_id=f"bulk-{n:06d}",
            title=f"Bulk question {n}",
            bank=f"{bank_prefix}-{n // BANK_SIZE}",
        )
        items.append(replace(item, version=content_version(item.content())))
    return items


def author_in_bulk(session: Session, items: list[ItemVersion], now: datetime, saved_by: int | None) -> None:
    """Store items as the authoring pages would, as new authored heads, in a few multi-row inserts.

    The rows of ``save_item`` (version content, head, log line); no audit entry per item.
    """
    tables: list[tuple[Any, list[dict[str, Any]]]] = [
        (
            StoredItemVersion.__table__,
            [
                {"item_id": i.item_id, "version": i.version, "type": i.type, "content": i.content()}
                for i in items
            ],
        ),
        (
            AuthoredItem.__table__,
            [
                {"item_id": i.item_id, "bank_id": i.bank, "head_version": i.version, "updated_at": now}
                for i in items
            ],
        ),
        (
            ItemVersionLog.__table__,
            [
                {
                    "item_id": i.item_id,
                    "version": i.version,
                    "saved_by": saved_by,
                    "saved_at": now,
                    "note": "bulk",
                }
                for i in items
            ],
        ),
    ]
    for table, rows in tables:
        for start in range(0, len(rows), CHUNK):
            session.execute(insert(table), rows[start : start + CHUNK])
    session.commit()


@dataclass(frozen=True)
class Latencies:
    link: list[float]
    start: list[float]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _csrf(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _candidates(app: Flask, tokens: list[str]) -> Latencies:
    """Each token's link opened and Start pressed by a fresh client, both timed."""
    link, start = [], []
    for token in tokens:
        client = app.test_client()
        began = time.perf_counter()
        page = client.get(f"/t/{token}")
        opened = time.perf_counter()
        assert page.status_code == 200, page.status_code
        began_start = time.perf_counter()
        started = client.post(f"/t/{token}/start", data={"csrf_token": _csrf(page.get_data(as_text=True))})
        done = time.perf_counter()
        assert started.status_code == 302, started.status_code
        link.append(opened - began)
        start.append(done - began_start)
    return Latencies(link, start)


def _invite(app: Flask, slug: str, count: int, now: datetime) -> list[str]:
    with app.extensions["assess"].session_factory() as session:
        return [
            create_invitation(session, slug, f"{slug}-{n}@example.com", now, Decimal(1), timedelta(days=7))[1]
            for n in range(count)
        ]


def _staff_client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    token = _csrf(client.get("/staff/login").get_data(as_text=True))
    response = client.post("/staff/login", data={"csrf_token": token, "email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def _timed_get(client: FlaskClient, path: str) -> tuple[float, str]:
    began = time.perf_counter()
    response = client.get(path)
    seconds = time.perf_counter() - began
    assert response.status_code == 200, (path, response.status_code)
    return seconds, response.get_data(as_text=True)


def run(url: str, items: int, candidates: int) -> tuple[Latencies, Latencies, dict[str, float]]:
    now = datetime.now(UTC)
    settings = Settings(database_url=url, secret_key="bench-catalogue", bank_paths=(str(BANKS),))
    app = create_app({"SETTINGS": settings, "TESTING": True, "START_SWEEP": False})
    state = app.extensions["assess"]
    try:
        catalogue = load_catalogue(settings.bank_paths)
        with state.session_factory() as session:
            for slug in ("warm", "small", "large"):
                create_campaign(session, slug, slug.title(), "Account Manager", FORM, catalogue, now)
            author = create_user(session, "author@example.com", "author", PASSWORD, name="Author")
        _candidates(app, _invite(app, "warm", WARM_UP, now))  # templates compiled, versions pinned
        small = _candidates(app, _invite(app, "small", candidates, now))

        began = time.perf_counter()
        bulk = bulk_items(items)
        with state.session_factory() as session:
            author_in_bulk(session, bulk, now, author.id)
            # One save through the service: every cached catalogue is out of date.
            edited = replace(draft_of(bulk[0]), title="Bulk question, edited")
            save_item(session, catalogue, edited, bulk[0].item_id, bulk[0].version, "", author, now)
        print(f"  authored {items:,} items in {time.perf_counter() - began:.1f} s")
        large = _candidates(app, _invite(app, "large", candidates, now))

        staff = _staff_client(app, "author@example.com")
        pages = {}
        pages["banks page"], _ = _timed_get(staff, "/staff/authoring/")
        pages["banks page again"], _ = _timed_get(staff, "/staff/authoring/")
        pages["a bank's first page"], _ = _timed_get(staff, "/staff/authoring/banks/bulk-0")
        seconds, page = _timed_get(staff, f"/staff/authoring/items/{bulk[-1].item_id}")
        pages["an item's page"] = seconds
        began = time.perf_counter()
        response = staff.post(
            f"/staff/authoring/items/{bulk[-1].item_id}/retire", data={"csrf_token": _csrf(page)}
        )
        pages["retire an item"] = time.perf_counter() - began
        assert response.status_code == 302, response.status_code
        return small, large, pages
    finally:
        state.engine.dispose()


def _databases(urls: list[str]) -> Iterator[str | None]:
    yield from urls or [None, DEFAULT_POSTGRESQL]


def _row(name: str, small: list[float], large: list[float]) -> tuple[bool, str]:
    ok = True
    cells = []
    for share in (0.5, 0.99):
        a, b = percentile(small, share), percentile(large, share)
        ratio = b / a
        ok = ok and ratio <= RATIO_TARGET
        cells.append(f"p{int(share * 100)} {a * 1000:6.1f} -> {b * 1000:6.1f} ms ({ratio:4.2f}x)")
    return ok, f"  {name:<10} " + "   ".join(cells) + ("" if ok else "  MISS")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.catalogue", description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--candidates", type=int, default=150)
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        help="repeat for several; default: a temporary SQLite file and PostgreSQL at 127.0.0.1",
    )
    args = parser.parse_args(argv)
    passed = True
    for requested in _databases(args.database_url):
        with database(requested) as url:
            backend = "sqlite" if url.startswith("sqlite") else "postgresql"
            print(f"{backend}: {args.candidates} candidates, 14 items, then {args.items:,} items more")
            small, large, pages = run(url, args.items, args.candidates)
        for name, a, b in (("link open", small.link, large.link), ("Start", small.start, large.start)):
            ok, line = _row(name, a, b)
            passed = passed and ok
            print(line)
        for name, seconds in pages.items():
            print(f"  {name:<22}{seconds * 1000:9.0f} ms")
    print(f"target: large within {RATIO_TARGET}x of small at p50 and p99: {'PASS' if passed else 'MISS'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
