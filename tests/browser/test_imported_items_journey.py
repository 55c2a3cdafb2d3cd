"""Questions from a Moodle course and a QTI package, imported in the browser, taken and scored as at home.

An author imports a Moodle XML course export and a zipped QTI 2.1 package on the import page
(Check, then Save) and assembles a form of the imported items; a recruiter makes a campaign on
it and invites a candidate from the outbox's link; the candidate answers some items right,
some partly and one wrong; the attempt's review page gives each item the points the source's
own rules give those answers.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from axe_check import violations
from live_server import LiveServer, sign_in_as_new
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.browser

JOURNEY = Path(__file__).resolve().parents[1] / "fixtures" / "journey"
MOODLE_EXPORT = JOURNEY / "course_export.moodle.xml"
QTI_PACKAGE = JOURNEY / "qti_package"
BANK = "renewals-course"
FORM_ID = "renewals-imported"
FORM = f"""\
id: {FORM_ID}
title: Renewals, imported questions
time_limit_minutes: 15
sections:
  - id: moodle-course
    title: From the Moodle course
    items: [renewal-warning-signs, seats-after-the-change, contract-term]
  - id: qti-package
    title: From the QTI package
    items: [renewal-call-facts, escalation-order]
"""

#: Item title -> the points the source's own rules give the candidate's answers below, of the
#: question's maximum, in the source's units. assess may count in other units (a Moodle question
#: in thirds of 1 point is worth 3), and totals count an item by its share of its maximum, so the
#: review page's points over maximum must equal these.
#:
#: course_export.moodle.xml, every question worth its defaultgrade of 1:
#: - "Renewal warning signs" (multichoice, single=false): Moodle gives the sum of the ticked
#:   answers' fractions, kept within 0..100 %. Two of the three 33.33333 % answers ticked, the
#:   -33.33333 % one not: 66.66666 %, Moodle's grade step for two thirds of 1 point.
#: - "Seats after the change" (numerical): 30 is the second answer at fraction 100 (tolerance 0): 1.
#: - "Contract term" (shortanswer, usecase 0): "End Date" is "end date", fraction 100, ignoring case: 1.
#: qti_package/items:
#: - renewal_call_facts.xml: SCORE is the sum of each gap's mapResponse. "Renewal Meeting" maps
#:   (caseSensitive false) to 1, 90 maps to 1, "crm" misses the case-sensitive "CRM" and takes the
#:   default 0: 2 of the 1 + 1 + 2 = 4 the gaps can give.
#: - escalation_order.xml: match_correct gives 1 for the exact order only; the team lead and the
#:   sales director swapped give 0 of 1.
SOURCE_POINTS: dict[str, tuple[Fraction | int, int]] = {
    "Renewal warning signs": (Fraction(2, 3), 1),
    "Seats after the change": (1, 1),
    "Contract term": (1, 1),
    "Renewal call facts": (2, 4),
    "Escalating a late delivery": (0, 1),
}
#: What the import page says each question became (Moodle by line; QTI by the file in the
#: package and the item's identifier, as the command line names them).
MOODLE_QUESTIONS = [
    ["9", "renewal-warning-signs", "imported as record_entry"],
    ["27", "seats-after-the-change", "imported as numeric"],
    ["43", "contract-term", "imported as record_entry"],
]
QTI_QUESTIONS = [
    ["items/escalation_order.xml:escalation-order", "escalation-order", "imported as sjt_rank"],
    ["items/renewal_call_facts.xml:renewal-call-facts", "renewal-call-facts", "imported as record_entry"],
]


def answer(page: Page, title: str) -> None:
    """The candidate's answer to the item titled ``title``, as a person gives it."""
    if title == "Renewal warning signs":
        page.get_by_label("Logins fell by half this quarter").check()
        page.get_by_label("Their sponsor left the company").check()
    elif title == "Seats after the change":
        page.get_by_label("Your answer").fill("30")
    elif title == "Contract term":
        page.get_by_label("Answer", exact=True).fill("End Date")
    elif title == "Renewal call facts":
        page.get_by_label("Gap 1").fill("Renewal Meeting")
        page.get_by_label("Gap 2").fill("90")
        page.get_by_label("Gap 3").fill("crm")
    elif title == "Escalating a late delivery":
        for option, rank in (
            ("The account manager", "1"),
            ("The sales director", "2"),
            ("The team lead", "3"),
            ("The chief executive", "4"),
        ):
            page.get_by_label(option).select_option(rank)
    else:
        raise AssertionError(f"an item the form does not hold: {title!r}")


class Journey:
    """Each step's screenshot, numbered, in the test's temporary folder; and the axe violations met."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.steps = 0
        self.found: list[dict[str, Any]] = []
        folder.mkdir()

    def look(self, page: Page, name: str) -> None:
        self.steps += 1
        page.screenshot(path=self.folder / f"{self.steps:02d}-{name}.png", full_page=True)
        self.found += violations(page)


def share(points: str) -> Fraction:
    """The share of its maximum that a score shown as "2 / 3 points" is."""
    found = re.fullmatch(r"(\S+) / (\S+) points", points)
    assert found is not None, points
    return Fraction(found.group(1)) / Fraction(found.group(2))


def question_rows(page: Page) -> list[list[str]]:
    """The Check step's table of questions, row by row."""
    table = page.get_by_role("table", name="Each question of the file")
    return [
        [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]


def import_file(page: Page, journey: Journey, path: Path, format_name: str, rows: list[list[str]]) -> None:
    """Check ``path`` on the import page, see what became of each question, then save it into BANK."""
    page.get_by_role("link", name="Item banks").first.click()
    page.get_by_role("link", name="Import questions from another platform").click()
    page.get_by_label("File").set_input_files(path)
    page.get_by_label("Bank", exact=True).fill(BANK)
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#kept-file")).to_contain_text(f"read as {format_name} (told from the file)")
    expect(page.get_by_role("heading", name=f"{path.name}: {len(rows)} items read")).to_be_visible()
    assert question_rows(page) == rows
    expect(page.locator("#question-counts")).to_have_text(
        f"{len(rows)} question(s): {len(rows)} imported as they are, 0 imported with something left behind, "
        "0 not imported."
    )
    expect(page.get_by_text("Every item can be saved")).to_be_visible()
    journey.look(page, f"import-check-{path.stem}")
    page.get_by_role("button", name="Import and save").click()
    expect(
        page.get_by_text(f"Imported {len(rows)} item(s) from {path.name} into bank {BANK}.")
    ).to_be_visible()
    journey.look(page, f"import-saved-{path.stem}")


def qti_zip(folder: Path) -> Path:
    """The package as another platform hands it over: one zip of the manifest and its items."""
    package = folder / "renewals_course_qti21.zip"
    with zipfile.ZipFile(package, "w") as archive:
        for path in sorted(QTI_PACKAGE.rglob("*.xml")):
            archive.write(path, path.relative_to(QTI_PACKAGE).as_posix())
    return package


@pytest.fixture
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """A page in a browser context of its own (its own cookies), one per person of the journey."""
    opened: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context()
        context.set_default_timeout(10_000)
        opened.append(context)
        return context.new_page()

    yield make
    for context in opened:
        context.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_items_imported_from_moodle_and_qti_are_taken_and_scored_as_their_sources_score_them(
    new_page: Callable[[], Page], server: LiveServer, tmp_path: Path
) -> None:
    journey = Journey(tmp_path / "screens")

    # The author imports both files and assembles a form of their items.
    author = new_page()
    sign_in_as_new(author, server, "author", name="Ada Author")
    import_file(author, journey, MOODLE_EXPORT, "Moodle XML", MOODLE_QUESTIONS)
    import_file(author, journey, qti_zip(tmp_path), "QTI 2.1 or 3.0", QTI_QUESTIONS)
    author.get_by_role("link", name="Item banks").first.click()
    author.get_by_role("link", name="Assemble a form").click()
    author.get_by_label("Bank", exact=True).fill(BANK)
    author.get_by_label("Form", exact=True).fill(FORM)
    author.get_by_role("button", name="Check the form").click()
    expect(author.get_by_role("status")).to_contain_text("No problems found.")
    journey.look(author, "form-checked")
    author.get_by_role("button", name="Save the form").click()
    expect(author.get_by_text(f"Saved form {FORM_ID}.")).to_be_visible()
    journey.look(author, "form-saved")

    # The recruiter runs a campaign on it and invites a candidate; the link is in the outbox.
    recruiter = new_page()
    sign_in_as_new(recruiter, server, "recruiter", name="Rita Recruiter")
    recruiter.get_by_role("link", name="Campaigns", exact=True).first.click()
    recruiter.get_by_role("link", name="Create a campaign").click()
    recruiter.get_by_label("Title").fill("Renewals specialist")
    recruiter.get_by_label("Role being hired for").fill("Renewals specialist")
    recruiter.get_by_label("Short name for links and the command line").fill("renewals-specialist")
    recruiter.get_by_label("Assessment form").select_option(FORM_ID)
    recruiter.get_by_role("button", name="Save campaign").click()
    expect(recruiter.get_by_role("heading", level=1)).to_have_text("Renewals specialist")
    recruiter.get_by_role("link", name="Invite a candidate").click()
    recruiter.get_by_label("Email").fill("casey.candidate@example.com")
    recruiter.get_by_role("button", name="Send invitation").click()
    expect(recruiter.get_by_text("casey.candidate@example.com invited.")).to_be_visible()
    recruiter.get_by_role("link", name="Outbox", exact=True).first.click()
    message = recruiter.get_by_label("Message to casey.candidate@example.com").first.inner_text()
    found = re.search(r"https?://\S+(/t/[A-Za-z0-9_-]+)", message)
    assert found is not None, message
    # The email names the configured public address; the test's server is on another port.
    link = server.url + found.group(1)

    # The candidate answers every item, then submits.
    candidate = new_page()
    candidate.goto(link)
    journey.look(candidate, "candidate-instructions")
    candidate.get_by_role("button", name="Start the test").click()
    candidate.wait_for_url(re.compile(r"/items/1$"))
    count = len(SOURCE_POINTS)
    for n in range(1, count + 1):
        expect(candidate.locator(".count")).to_have_text(f"Item {n} of {count}")
        title = candidate.get_by_role("heading", level=1).inner_text()
        answer(candidate, title)
        expect(candidate.locator("#save-state")).to_have_text("Saved")
        journey.look(candidate, f"candidate-item-{n}")
        button = f"Save and go to item {n + 1}" if n < count else "Save and review your answers"
        candidate.get_by_role("button", name=button).first.click()
    expect(candidate.get_by_role("heading", level=1)).to_have_text("Review your answers")
    journey.look(candidate, "candidate-review")
    expect(candidate.get_by_text(f"You have answered all {count} items.")).to_be_visible()
    candidate.get_by_role("button", name="Submit my answers").click()
    expect(candidate.get_by_role("heading", level=1)).to_have_text("Your test has been submitted")

    # The recruiter reviews the attempt: each item scored as its source scores those answers.
    recruiter.get_by_role("link", name="Campaigns", exact=True).first.click()
    recruiter.get_by_role("link", name="Renewals specialist").click()
    recruiter.get_by_role("link", name="casey.candidate@example.com").click()
    recruiter.get_by_role("link", name="Review the attempt").click()
    expect(recruiter.get_by_role("heading", level=1)).to_contain_text("Attempt by")
    journey.look(recruiter, "attempt-review")
    shown: dict[str, str] = {}
    for item in recruiter.locator("section.reviewed-item").all():
        heading = item.get_by_role("heading", level=3).inner_text()
        shown[re.sub(r"^Item \d+: ", "", heading)] = item.locator("p.muted strong").first.inner_text()
    assert set(shown) == set(SOURCE_POINTS)
    differences = [
        f"{title}: the source gives {points} of {max_points}, the review page {shown[title]}"
        for title, (points, max_points) in SOURCE_POINTS.items()
        if share(shown[title]) != Fraction(points) / max_points
    ]
    assert differences == []
    assert journey.found == []
