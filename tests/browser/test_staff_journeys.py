"""The hiring team's first hour on the demo campaign, walked in Chromium as each person would.

Recruiter: invite, review an attempt, mark a written answer, assign an interviewer, decide, read
the report and take every download. Interviewer: an assigned candidate's guide, the scorecard,
then the debrief. Author: edit, preview, diff, retire, statistics, key comparison, import.
Each journey works on candidates of its own stage, so they share one demo database.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from axe_check import violations
from demo_site import DemoSite, demo_site
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser
__all__ = ["demo_site"]

SCREENSHOTS = Path("/tmp/staff-journeys")


def look(page: Page, name: str) -> None:
    """A screenshot of what the person sees at this step (kept out of the repository)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


def open_pipeline(page: Page, site: DemoSite, status: str) -> None:
    """The demo campaign's pipeline, filtered as a person filters it: choose a status, press Filter."""
    page.get_by_role("link", name="Campaigns", exact=True).first.click()
    page.get_by_role("link", name=site.campaign_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(site.campaign_title)
    page.get_by_label("Status").select_option(status)
    page.get_by_role("button", name="Filter").click()


def first_candidate(page: Page) -> str:
    """The email of the pipeline's first row, after opening that candidate's invitation page."""
    link = page.locator("#pipeline tbody tr th a").first
    email = link.inner_text()
    link.click()
    expect(page.get_by_role("definition").first).to_have_text(email)
    return email


def test_recruiter_invites_reviews_marks_assigns_decides_and_downloads(
    demo_site: DemoSite, context: BrowserContext
) -> None:
    found: list[dict[str, Any]] = []
    page = demo_site.sign_in(context, "recruiter")

    # Invite a new candidate, from a pipeline that names the must-haves the report applies (the kit's).
    open_pipeline(page, demo_site, "")
    expect(page.locator(".summary-list")).to_contain_text("Communication (written and verbal) at least 2")
    page.get_by_role("link", name="Invite a candidate").click()
    page.get_by_label("Email").fill("nia.newcomer@example.com")
    page.get_by_label("Candidate's name (optional)").fill("Nia Newcomer")
    found += violations(page)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("nia.newcomer@example.com invited.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("nia.newcomer@example.com"))).to_contain_text(
        "Invited, not started"
    )

    # Review an attempt whose written answer waits for marks.
    open_pipeline(page, demo_site, "graded")
    first_candidate(page)
    page.get_by_role("link", name="Review the attempt").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Attempt by")
    expect(page.get_by_role("heading", name="Items")).to_be_visible()
    look(page, "recruiter-attempt")
    found += violations(page)

    # Mark the written answer by its rubric.
    page.get_by_role("link", name="Home").first.click()
    page.get_by_role("link", name=re.compile("written answers? waiting for a reviewer")).click()
    queued = page.get_by_role("link", name=re.compile("^Mark"))
    waiting = queued.count()
    queued.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mark item")
    for criterion in page.locator("fieldset.criterion").all():
        criterion.get_by_role("radio").nth(1).check()
    for mark in page.locator(".criterion input[type=number]").all():
        mark.fill("1")
    look(page, "recruiter-rubric")
    found += violations(page)
    page.get_by_role("button", name="Save marks").click()
    expect(page.get_by_text(re.compile(r"Marks saved for item \d+\."))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Mark"))).to_have_count(waiting - 1)

    # Assign an interviewer to a reviewed candidate.
    open_pipeline(page, demo_site, "reviewed")
    first_candidate(page)
    page.get_by_role("link", name="Interviews and scorecards").click()
    chooser = page.get_by_label("Interviewer")
    choices = chooser.locator("option").all_inner_texts()
    chooser.select_option(label=next(choice for choice in choices if "Ian Brooks" in choice))
    found += violations(page)
    page.get_by_role("button", name="Assign interviewer").click()
    expect(page.get_by_text("Interviewer assigned.")).to_be_visible()
    expect(page.locator("ul.assignments")).to_contain_text("Ian Brooks")
    look(page, "recruiter-assigned")

    # Decide on a candidate whose interviews are in.
    open_pipeline(page, demo_site, "interviewed")
    row = page.locator("#pipeline tbody tr").first
    decided = row.locator("th a").first.inner_text()
    decided_name = row.locator("th .muted").first.inner_text()
    row.get_by_role("link", name="Open the debrief").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Debrief")
    look(page, "recruiter-debrief")
    found += violations(page)
    page.get_by_role("radio", name="Hire", exact=True).check()
    page.get_by_label("Rationale").fill("Strong on every competency; references to follow.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded: Hire.")).to_be_visible()
    open_pipeline(page, demo_site, "decided")
    expect(page.get_by_role("row", name=re.compile(re.escape(decided)))).to_contain_text("Hire")

    # The campaign report and every download on it.
    page.get_by_role("link", name="Report", exact=True).click()
    expect(page.get_by_role("heading", name="Ranking")).to_be_visible()
    look(page, "recruiter-report")
    found += violations(page)
    downloads = page.get_by_role("list").filter(has=page.get_by_role("link", name="Ranking (CSV)"))
    hrefs = {
        link.inner_text(): link.get_attribute("href") or "" for link in downloads.get_by_role("link").all()
    }
    fetched = {name: context.request.get(f"{demo_site.url}{href}") for name, href in hrefs.items()}
    assert {name: response.status for name, response in fetched.items()} == dict.fromkeys(hrefs, 200)
    assert decided_name.encode() in fetched["Ranking (CSV)"].body()
    assert fetched["Full report (Excel)"].body().startswith(b"PK")
    assert b"<html" in fetched["Print view (HTML file)"].body()
    # The decision just recorded is in the candidate's report.
    page.get_by_role("link", name=decided_name, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(decided_name)
    expect(page.get_by_text("Hire", exact=True).first).to_be_visible()
    look(page, "recruiter-candidate-report")
    found += violations(page)
    assert found == []


def test_interviewer_reads_the_guide_submits_the_scorecard_and_opens_the_debrief(
    demo_site: DemoSite, context: BrowserContext
) -> None:
    found: list[dict[str, Any]] = []
    page = demo_site.sign_in(context, "interviewer")

    # The home counts the scorecards owed and leads to the assigned candidates.
    page.get_by_role("link", name=re.compile("scorecards? you owe")).click()
    expect(page.get_by_role("heading", name="My interviews")).to_be_visible()
    found += violations(page)
    assigned = page.get_by_role("table", name="Stages you are assigned to interview")
    mine = assigned.get_by_role("row").filter(has_text="Not submitted yet").first
    candidate = mine.locator("th a").inner_text()
    mine.locator("th a").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Interviews: {candidate}")

    # The guide, then the scorecard it leads to.
    page.get_by_role("link", name=re.compile("^Interview guide")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Interview guide")
    expect(page.get_by_role("heading", name="Questions", exact=True)).to_be_visible()
    look(page, "interviewer-guide")
    found += violations(page)
    page.get_by_role("link", name="Open your scorecard").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Scorecard")
    for group in page.locator("fieldset.level-group").all():
        group.get_by_role("radio", name=re.compile(r"^3:")).check()
    page.get_by_label("Notes", exact=True).fill("Clear examples for every competency; asked good questions.")
    look(page, "interviewer-scorecard")
    found += violations(page)
    page.get_by_role("button", name="Submit scorecard").click()
    expect(page.get_by_text("Scorecard submitted.")).to_be_visible()
    look(page, "interviewer-submitted")
    found += violations(page)

    # With the scorecard in, the debrief opens from the candidate's page.
    page.get_by_role("link", name="All stages", exact=True).click()
    page.get_by_role("link", name=re.compile("^Open the debrief")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Debrief: {candidate}")
    cards = page.get_by_role("table", name=re.compile("Each interviewer's recommendation"))
    expect(cards.get_by_role("row").filter(has_text="Ian Brooks")).to_contain_text("3: Hire")
    look(page, "interviewer-debrief")
    found += violations(page)
    assert found == []


#: One file of each format the import page reads, and the name the page gives the format.
IMPORTS = (
    ("qti21/choice.xml", "QTI", "qti21-"),
    ("qti30/choice.xml", "QTI", "qti30-"),
    ("moodle_xml/nested_categories_with_questions.xml", "Moodle XML", "moodle-"),
    ("gift/questions.gift.txt", "GIFT", "gift-"),
    ("aiken/questions.aiken.txt", "Aiken", "aiken-"),
)
EXTERNAL = Path(__file__).resolve().parents[1] / "fixtures" / "external"


def test_author_edits_previews_diffs_retires_reads_statistics_and_imports_each_format(
    demo_site: DemoSite, context: BrowserContext
) -> None:
    found: list[dict[str, Any]] = []
    page = demo_site.sign_in(context, "author")

    # Edit an item of the demo's form: a new version.
    page.get_by_role("link", name="Item banks").first.click()
    page.get_by_role("link", name="am-smb-process", exact=True).click()
    item = page.locator("table tbody th a").first
    item_id = item.inner_text()
    item.click()
    page.get_by_role("link", name="Edit", exact=True).click()
    title = page.get_by_label("Title").input_value()
    page.get_by_label("Title").fill(f"{title} (reworded)")
    page.get_by_label("What changed").fill("clearer title")
    found += violations(page)
    page.get_by_role("button", name="Save a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{title} (reworded)")
    expect(page.get_by_role("status")).to_contain_text(f"Saved {item_id} as version")

    # Preview it as a candidate sees it.
    page.get_by_role("link", name="Preview as a candidate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{title} (reworded)")
    look(page, "author-preview")
    found += violations(page)
    page.get_by_role("link", name="Back to the item").click()

    # The diff between the versions.
    page.get_by_role("link", name="Changes in version 2").click()
    expect(page.locator("pre.diff del")).to_contain_text(f"title: {title}")
    expect(page.locator("pre.diff ins")).to_contain_text(f"title: {title} (reworded)")
    look(page, "author-diff")
    found += violations(page)
    page.get_by_role("link", name=f"Item {item_id}").click()

    # Retire it.
    page.get_by_role("button", name=f"Retire {item_id}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Retired {item_id}")
    expect(page.locator(".summary-list")).to_contain_text("Retired")

    # Statistics of the demo's attempts, and the SJT key comparison they lead to.
    page.get_by_role("link", name="Item banks").first.click()
    page.get_by_role("link", name="Item statistics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Item statistics")
    expect(
        page.get_by_role("heading", name=re.compile(r"Form account-manager-smb \(\d+ finished"))
    ).to_be_visible()
    look(page, "author-statistics")
    found += violations(page)
    page.get_by_role("link", name="SJT key comparison").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("SJT key comparison")
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    look(page, "author-key-comparison")
    found += violations(page)

    # Import one file of each format: check it, then save it into a bank.
    for fixture, format_name, prefix in IMPORTS:
        page.get_by_role("link", name="Item banks").first.click()
        page.get_by_role("link", name="Import questions from another platform").click()
        page.get_by_label("File").set_input_files(EXTERNAL / fixture)
        page.get_by_label("Bank", exact=True).fill("imported-questions")
        page.get_by_label("Id prefix").fill(prefix)
        page.get_by_role("button", name="Check the file").click()
        name = Path(fixture).name
        expect(page.locator("#kept-file")).to_contain_text(f"read as {format_name}")
        expect(
            page.get_by_role("heading", name=re.compile(rf"{re.escape(name)}: \d+ items? read"))
        ).to_be_visible()
        expect(page.get_by_text("Every item can be saved")).to_be_visible()
        found += violations(page)
        page.get_by_role("button", name="Import and save").click()
        expect(
            page.get_by_text(re.compile(rf"Imported \d+ item\(s\) from {re.escape(name)}"))
        ).to_be_visible()
        expect(page.get_by_role("link", name=re.compile(f"^{prefix}")).first).to_be_visible()
    look(page, "author-imported")
    found += violations(page)
    assert found == []
