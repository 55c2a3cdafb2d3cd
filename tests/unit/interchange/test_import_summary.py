"""Every question of a source is told once: the item it became with what it left behind, or why none."""

from __future__ import annotations

from interchange import ImportProblem, summarise_import

ITEMS = [
    {"id": "first", "type": "single_choice", "title": "First step"},
    {"id": "name", "type": "record_entry", "title": "Account name"},
]
PROBLEMS = [
    ImportProblem("quiz.xml", "12", "imported as name, but 'Harbor' earns 50 of 100", imported=True),
    ImportProblem("quiz.xml", "12", "imported as name, but the source is case-sensitive", imported=True),
    ImportProblem("quiz.xml", "19", "is a matching question", imported=False),
]


def test_each_item_carries_the_losses_met_where_it_came_from() -> None:
    origins = {"first": ("quiz.xml", "3"), "name": ("quiz.xml", "12")}
    summary = summarise_import(ITEMS, PROBLEMS, origins)
    assert [(q.where, q.item_id, q.outcome) for q in summary.questions] == [
        ("3", "first", "imported as single_choice"),
        (
            "12",
            "name",
            "imported as record_entry; reported: imported as name, but 'Harbor' earns 50 of 100; "
            "imported as name, but the source is case-sensitive",
        ),
        ("19", None, "reported: is a matching question"),
    ]
    assert summary.counts() == (
        "3 question(s): 1 imported as they are, 1 imported with something left behind, 1 not imported"
    )


def test_without_origins_items_are_named_by_title_and_losses_stand_alone_but_count_once() -> None:
    summary = summarise_import(ITEMS, PROBLEMS, {})
    assert [(q.where, q.outcome) for q in summary.questions] == [
        ("First step", "imported as single_choice"),
        ("Account name", "imported as record_entry"),
        ("12", "reported: imported as name, but 'Harbor' earns 50 of 100"),
        ("12", "reported: imported as name, but the source is case-sensitive"),
        ("19", "reported: is a matching question"),
    ]
    assert (summary.imported, summary.lossy, summary.not_imported) == (2, 1, 1)


def test_an_empty_source_has_no_questions() -> None:
    summary = summarise_import([], [], {})
    assert summary.questions == ()
    assert summary.counts().startswith("0 question(s)")
