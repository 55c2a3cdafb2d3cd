"""The ``assess`` command line: one group, whose commands are imported only when they run.

Listing the commands imports none of them, and each command module imports what its own
commands need, so ``assess --help`` costs click alone and ``assess bank validate`` the bank
loader, never Flask, SQLAlchemy or pandas (tests/cli/test_cli_startup.py keeps it so).
"""

from __future__ import annotations

import click

from assess.commands import LazyGroup

#: name -> (module:attribute, the first sentence of its help, shown by ``assess --help``).
COMMANDS = {
    "analyze": (
        "assess.commands.analyze:analyze",
        "Item analysis of FILE.csv: candidate_id,item_id,score[,max_score][,response].",
    ),
    "apikey": ("assess.commands.api_keys:apikey", "Keys for the REST API: create, list and revoke them."),
    "ats": ("assess.commands.ats:ats", "Connections to Greenhouse and Ashby: create, list and revoke them."),
    "bank": ("assess.commands.banks:bank", "Validate, list, import and export item banks."),
    "campaign": (
        "assess.commands.campaigns:campaign",
        "Create and list campaigns: a role and the assessment form its candidates take.",
    ),
    "db": ("assess.commands.database:db", "Create the database or bring its schema up to date."),
    "demo": (
        "assess.commands.demo:demo",
        "Build the demo campaign (once per database), print a fresh candidate link and logins, "
        "serve the app.",
    ),
    "finalize-expired": (
        "assess.commands.attempts:finalize_expired_command",
        "Finalize and grade every attempt past its deadline (for cron; the app also sweeps).",
    ),
    "grant-time": (
        "assess.commands.attempts:grant_time",
        "Give a running attempt MINUTES more; its open page picks this up within seconds.",
    ),
    "invite": (
        "assess.commands.campaigns:invite",
        "Invite EMAIL to CAMPAIGN and print the candidate's single-use link.",
    ),
    "kit": ("assess.commands.kits:kit", "Validate interview kits and interviewer question banks."),
    "regrade": (
        "assess.commands.regrade:regrade",
        "Re-score finished attempts of ITEM_ID with the key the banks hold now (Invariant 3).",
    ),
    "report": (
        "assess.commands.report:report",
        "Write CAMPAIGN's report (ranking, sections, funnel; charts in html) to a file.",
    ),
    "score": (
        "assess.commands.scoring:score",
        'Score RESPONSES.jsonl ({"item": ID, "response": ...} per line) against BANK.',
    ),
    "serve": (
        "assess.commands.serve:serve",
        "Serve the app under gunicorn on DATABASE_URL (migrations applied first, once).",
    ),
    "user": ("assess.commands.users:user", "Staff accounts: create them and set their passwords."),
    "webhooks": (
        "assess.commands.webhooks:webhooks",
        "Webhook endpoints and the outbox: list them, rotate a secret, send the deliveries that are due.",
    ),
}


@click.group(cls=LazyGroup, lazy=COMMANDS)
def main() -> None:
    """Online assessments for hiring: banks, attempts, scoring and reports.

    A CAMPAIGN argument is the campaign's slug, as `assess campaign list` shows it. Without
    DATABASE_URL the database is instance/assess.sqlite3 of this checkout (or of ASSESS_HOME),
    wherever you run from. Links start with ASSESS_PUBLIC_URL.
    """
