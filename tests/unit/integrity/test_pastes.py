from integrity_timelines import attempt, paste

from integrity.pastes import pastes
from integrity.rules import IntegrityRules
from integrity.signals import SignalKind

RULES = IntegrityRules()


def test_pasting_a_name_or_figure_is_not_a_signal() -> None:
    assert pastes(attempt(pastes=(paste(9, 60, 28), paste(9, 70, 4))), RULES) is None


def test_text_copied_from_the_page_itself_is_not_counted() -> None:
    assert pastes(attempt(pastes=(paste(9, 60, 900, from_page=True),)), RULES) is None


def test_a_large_paste_counts_with_its_size_per_item() -> None:
    signal = pastes(attempt(pastes=(paste(9, 600, 120), paste(2, 100, 45), paste(9, 30, 10))), RULES)
    assert signal is not None
    assert signal.kind is SignalKind.PASTE
    assert signal.weight == 1
    assert signal.summary == "2 pastes into 2 answers, 165 characters in all"
    assert [e.text for e in signal.evidence] == [
        "Item 3: 1 paste (45 characters at 10:01:40 UTC)",
        "Item 10: 1 paste (120 characters at 10:10:00 UTC)",
    ]


def test_most_of_an_answer_pasted_into_one_item_doubles_the_weight() -> None:
    signal = pastes(attempt(pastes=(paste(9, 600, 200), paste(9, 700, 150))), RULES)
    assert signal is not None
    assert signal.weight == 2
