"""Campaign report benchmark: the full report (load + compute) against a bare ``pandas.read_sql``.

    .venv/bin/python -m bench.report_bench [--candidates 10000 --items 40 --scorecards 3]
                                           [--database-url URL] [--repeat 3]

Builds one campaign in an empty database with bulk inserts (SQLAlchemy core, many rows per
statement; not the per-attempt services, but the rows they would write): staff interviewers,
the campaign on kit account-manager-smb, invitations, finalized attempts with their frozen
items (``attempt_items``, over 40 stored item versions) and ``item_scores``, and per candidate
``--scorecards`` submitted scorecards at the kit's stage, each with all nine ratings (some 0),
a recommendation and now and then a red flag, and each attempt's stored integrity tier.
``answers`` rows are left out: no report reads them.

Then, best of ``--repeat`` each, in the same run:

- baseline: ``pandas.read_sql`` of the same item-score rows (points cast to float in SQL, as the
  report's query does) and submitted scorecard rows the report reads;
- load: ``assess.services.report_data``'s frames (``campaign_data``), the stored integrity
  tiers, funnel statuses and names;
- compute: ``score_campaign`` + ``campaign_report`` (the funnel's one query, attempts started and
  finished, runs between them: timed apart and counted in the report, not in the compute).

Targets: report (load + compute) within 2x the baseline, compute under 0.5 s. Exits 1 on a miss.
Default database: a temporary SQLite file. A PostgreSQL URL gets a fresh schema, dropped after.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, Float, and_, cast, create_engine, insert, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from assess.db import make_engine, sqlalchemy_url, upgrade_database
from assess.models import (
    Attempt,
    AttemptItem,
    Campaign,
    IntegrityAssessment,
    Invitation,
    ItemScore,
    Scorecard,
    StaffUser,
    StoredItemVersion,
)
from assess.services.integrity_findings import candidate_tier_labels
from assess.services.report_data import _labels, campaign_data, campaign_kit, campaign_rules, funnel_statuses
from assess.services.scorecards import kit_catalogue
from integrity.tiers import Tier
from kits.model import KitCatalogue
from reports.campaign_frames import CampaignData
from reports.campaign_report import CampaignReport, campaign_report
from reports.candidate_report import CampaignScores, score_campaign

KIT = "account-manager-smb"
SLUG = "bench-report"
TITLE = "Report benchmark"
SECTIONS = 4
RATIO_TARGET = 2.0
COMPUTE_TARGET = 0.5
CHUNK = 5000


@dataclass(frozen=True)
class Built:
    campaign_id: int
    #: the frames the report should load, built from the rows as they were inserted
    expected: CampaignData
    rows: int
    #: candidate id -> the integrity tier's label, as stored
    tiers: dict[int, str]


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _bulk(connection: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        connection.execute(insert(table), chunk)


def build_campaign(
    engine: Engine,
    candidates: int,
    items: int,
    scorecards: int,
    seed: int = 1,
    kits: KitCatalogue | None = None,
) -> Built:
    """The campaign in an upgraded, empty database; ids are given explicitly (they start at 1)."""
    rng = random.Random(seed)
    kit = (kits or kit_catalogue()).kit(KIT)
    stage = next(stage for stage in kit.stages if not stage.optional)
    competencies = [rated.competency for rated in stage.scorecard.competencies]
    now = datetime.now(UTC).replace(microsecond=0)
    started = now - timedelta(days=3)
    tables = (
        StaffUser, StoredItemVersion, Campaign, Invitation, Attempt, AttemptItem, ItemScore, Scorecard,
        IntegrityAssessment,
    )  # fmt: skip
    staff, versions, campaign, invitations, attempts, attempt_items, item_scores, cards, assessments = (
        model.__table__ for model in tables
    )
    interviewers = [
        {
            "id": number,
            "email": f"interviewer{number}@bench.example.com",
            "name": f"Interviewer {number}",
            "role": "interviewer",
            "password_hash": "unusable",
            "active": True,
            "created_at": started,
        }
        for number in range(1, scorecards + 1)
    ]
    item_ids = [f"bench-item-{number:03d}" for number in range(items)]
    version_rows = [
        {
            "item_id": item_id,
            "version": hashlib.sha256(item_id.encode()).hexdigest(),
            "type": "single_choice",
            "content": {"id": item_id, "type": "single_choice", "stem": f"Question {item_id}"},
        }
        for item_id in item_ids
    ]
    section_of = [f"section-{position * SECTIONS // items + 1}" for position in range(items)]
    max_points = [float(1 + position % 3) for position in range(items)]
    invitation_rows: list[dict[str, Any]] = []
    attempt_rows: list[dict[str, Any]] = []
    item_rows: list[dict[str, Any]] = []
    score_rows: list[dict[str, Any]] = []
    card_rows: list[dict[str, Any]] = []
    expected_candidates, expected_assessment, expected_ratings, expected_recommendations = [], [], [], []
    for candidate in range(1, candidates + 1):
        ability = rng.random()
        invitation_rows.append(
            {
                "id": candidate,
                "campaign_id": 1,
                "email": f"candidate{candidate}@example.com",
                "name": f"Candidate {candidate}",
                "token_hash": hashlib.sha256(f"bench-{candidate}".encode()).hexdigest(),
                "expires_at": now + timedelta(days=7),
                "extra_time": 1,
                "revoked_at": None,
                "created_at": started + timedelta(seconds=candidate),
            }
        )
        expected_candidates.append((candidate, f"Candidate {candidate}", f"candidate{candidate}@example.com"))
        points_total = 0.0
        for position, item_id in enumerate(item_ids):
            top = max_points[position]
            points = float(sum(rng.random() < ability for _ in range(int(top))))
            points_total += points
            item_rows.append(
                {
                    "attempt_id": candidate,
                    "position": position,
                    "section_id": section_of[position],
                    "section_title": section_of[position].replace("-", " ").title(),
                    "item_id": item_id,
                    "version": version_rows[position]["version"],
                    "variant": {},
                }
            )
            score_rows.append(
                {
                    "attempt_id": candidate,
                    "position": position,
                    "points": points,
                    "max_points": top,
                    "parts": [],
                    "pending_review": False,
                }
            )
            expected_assessment.append((candidate, section_of[position], points, top, False))
        attempt_rows.append(
            {
                "id": candidate,
                "invitation_id": candidate,
                "campaign_id": 1,
                "form_id": "bench-form",
                "started_at": started,
                "deadline": started + timedelta(minutes=60),
                "finalized_at": started + timedelta(minutes=40),
                "finalized_by": "candidate",
                "total_points": points_total,
                "max_points": sum(max_points),
            }
        )
        for interviewer in interviewers:
            level = min(4, max(1, round(1 + 3 * ability + rng.uniform(-1, 1))))
            ratings = {
                c: (0 if rng.random() < 0.05 else min(4, max(1, level + rng.choice((-1, 0, 0, 1)))))
                for c in competencies
            }
            flagged = rng.random() < 0.01
            red_flags = [kit.red_flags[0]] if flagged else []
            card_rows.append(
                {
                    "id": len(card_rows) + 1,
                    "invitation_id": candidate,
                    "kit_id": KIT,
                    "stage_id": stage.id,
                    "interviewer_id": interviewer["id"],
                    "revision": 1,
                    "status": "submitted",
                    "ratings": ratings,
                    "evidence": {c: "Gave a concrete example." for c in competencies},
                    "goals": {},
                    "recommendation": level,
                    "red_flags": red_flags,
                    "red_flag_notes": "",
                    "notes": "",
                    "correction_reason": "",
                    "created_at": now,
                    "updated_at": now,
                    "submitted_at": now,
                }
            )
            who = (candidate, stage.id, interviewer["name"])
            expected_ratings += [(*who, c, r) for c, r in ratings.items()]
            expected_recommendations.append((*who, level, flagged, "; ".join(red_flags)))
    assessment_rows = [
        {
            "attempt_id": row["id"],
            "campaign_id": 1,
            "tier": (level := rng.choice((0, 0, 0, 0, 1, 2))),
            "weight": level,
            "result": {"tier": level, "counted": [], "set_aside": [], "explanation": [], "notice": ""},
            "basis": "bench",
            "computed_at": now,
        }
        for row in attempt_rows
    ]
    with engine.begin() as connection:
        _bulk(connection, staff, interviewers)
        _bulk(connection, versions, version_rows)
        _bulk(
            connection,
            campaign,
            [
                {
                    "id": 1,
                    "slug": SLUG,
                    "title": TITLE,
                    "role": "Account Manager (SMB)",
                    "form_id": "bench-form",
                    "created_at": started,
                    "kit_id": KIT,
                    "assessment_weight": 40,
                    "interview_weight": 60,
                    "must_haves": [],
                    "window_start": None,
                    "window_end": None,
                }
            ],
        )
        for table, rows in (
            (invitations, invitation_rows),
            (attempts, attempt_rows),
            (attempt_items, item_rows),
            (item_scores, score_rows),
            (cards, card_rows),
            (assessments, assessment_rows),
        ):
            _bulk(connection, table, rows)
    expected = CampaignData(
        candidates=pd.DataFrame(expected_candidates, columns=["candidate_id", "name", "email"]),
        assessment=pd.DataFrame(
            expected_assessment,
            columns=["candidate_id", "section_id", "points", "max_points", "pending_review"],
        ),
        scorecards=pd.DataFrame(
            expected_ratings,
            columns=["candidate_id", "stage_id", "interviewer_id", "competency_id", "rating"],
        ),
        recommendations=pd.DataFrame(
            expected_recommendations,
            columns=[
                "candidate_id",
                "stage_id",
                "interviewer_id",
                "recommendation",
                "red_flag",
                "red_flag_note",
            ],
        ),
        goals=pd.DataFrame(columns=["candidate_id", "stage_id", "interviewer_id", "goal_id", "likelihood"]),
    )
    written = len(invitation_rows) + len(attempt_rows) + len(item_rows) + len(score_rows) + len(card_rows)
    tiers = {row["attempt_id"]: Tier(row["tier"]).label for row in assessment_rows}
    return Built(1, expected, written, tiers)


def baseline(session: Session, campaign_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A bare ``pandas.read_sql`` of the item-score and scorecard rows the report reads."""
    scores = (
        select(
            Attempt.invitation_id,
            AttemptItem.section_id,
            # As the report reads them: NUMERIC made Decimals in Python would slow the baseline down.
            cast(ItemScore.points, Float),
            cast(ItemScore.max_points, Float),
            ItemScore.pending_review,
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(
            ItemScore,
            and_(ItemScore.attempt_id == AttemptItem.attempt_id, ItemScore.position == AttemptItem.position),
        )
        .where(Attempt.campaign_id == campaign_id, Attempt.finalized_at.is_not(None))
    )
    cards = (
        select(
            Scorecard.invitation_id,
            Scorecard.stage_id,
            Scorecard.interviewer_id,
            Scorecard.ratings,
            Scorecard.goals,
            Scorecard.recommendation,
            Scorecard.red_flags,
            Scorecard.red_flag_notes,
        )
        .join(Invitation, Invitation.id == Scorecard.invitation_id)
        .where(Invitation.campaign_id == campaign_id, Scorecard.status == "submitted")
    )
    connection = session.connection()
    return pd.read_sql(scores, connection), pd.read_sql(cards, connection)


def load(
    session: Session, campaign_id: int, kits: KitCatalogue
) -> tuple[CampaignData, Campaign, Any, dict[int, str]]:
    """What ``report_data.load_campaign`` reads from the database, bar the funnel (it needs scores)."""
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    data = campaign_data(session, campaign)
    names = _labels(session, campaign, kits.kits.get(campaign.kit_id))
    return data, campaign, names, candidate_tier_labels(session, campaign_id)


@dataclass(frozen=True)
class Timings:
    baseline: float
    load: float
    funnel: float
    compute: float

    @property
    def report(self) -> float:
        return self.load + self.funnel + self.compute

    @property
    def ratio(self) -> float:
        return self.report / self.baseline


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def run_report(
    engine: Engine, campaign_id: int, kits: KitCatalogue, repeat: int = 3
) -> tuple[Timings, CampaignScores, CampaignReport]:
    """Best of ``repeat`` for the baseline, the load and the compute; the last run's scores and report.

    The funnel statuses need one more query (attempt start/finish) after scoring: timed apart,
    counted in the report and not in the compute.
    """
    best = {"baseline": float("inf"), "load": float("inf"), "funnel": float("inf"), "compute": float("inf")}
    scores = report = None
    now = datetime.now(UTC)
    clock = time.perf_counter
    for _ in range(repeat):
        with Session(engine) as session:
            start = clock()
            baseline(session, campaign_id)
            best["baseline"] = min(best["baseline"], clock() - start)
        with Session(engine) as session:
            start = clock()
            data, campaign, _names_, tiers = load(session, campaign_id, kits)
            loaded = clock()
            scores = score_campaign(data, campaign_rules(campaign, campaign_kit(campaign, kits)))
            scored = clock()
            statuses = funnel_statuses(session, campaign, scores)
            funneled = clock()
            report = campaign_report(campaign.title, scores, statuses, now, tiers=tiers)
            done = clock()
        best["load"] = min(best["load"], loaded - start)
        best["funnel"] = min(best["funnel"], funneled - scored)
        best["compute"] = min(best["compute"], (scored - loaded) + (done - funneled))
    assert scores is not None and report is not None
    return Timings(**best), scores, report


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """An empty database: a temporary SQLite file, or a fresh PostgreSQL schema dropped after."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="report-bench-") as directory:
            yield f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        return
    server = sqlalchemy_url(url)
    if server.get_backend_name() == "sqlite":
        yield url
        return
    schema = f"bench_{secrets.token_hex(6)}"
    admin = create_engine(server, poolclass=NullPool)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield server.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_bench", description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--scorecards", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args(argv)
    kits = kit_catalogue()
    with database(args.database_url) as url:
        upgrade_database(url)
        engine = make_engine(url)
        try:
            backend = engine.dialect.name
            seconds, built = _timed(
                lambda: build_campaign(engine, args.candidates, args.items, args.scorecards, kits=kits)
            )
            print(
                f"{backend}: built {args.candidates:,} candidates x {args.items} items x {args.scorecards} "
                f"scorecards ({built.rows:,} rows) in {seconds:.1f} s; best of {args.repeat}:"
            )
            timings, _scores, _report = run_report(engine, built.campaign_id, kits, args.repeat)
        finally:
            engine.dispose()
    ratio_ok, compute_ok = timings.ratio <= RATIO_TARGET, timings.compute < COMPUTE_TARGET
    print(f"{'':<22}{'seconds':>9}  target")
    print(f"{'baseline (read_sql)':<22}{timings.baseline:>9.3f}")
    print(f"{'report':<22}{timings.report:>9.3f}")
    print(f"{'  load':<22}{timings.load:>9.3f}")
    print(f"{'  funnel query':<22}{timings.funnel:>9.3f}")
    print(f"{'  compute':<22}{timings.compute:>9.3f}  < {COMPUTE_TARGET} s  {_verdict(compute_ok)}")
    print(f"{'ratio report/baseline':<22}{timings.ratio:>9.2f}  <= {RATIO_TARGET}  {_verdict(ratio_ok)}")
    return 0 if ratio_ok and compute_ok else 1


if __name__ == "__main__":
    sys.exit(main())
