"""QTI writers for answers picked from options: a single choice, a selection, a rating, a ranking."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from interchange.markup import append_paragraphs
from interchange.qti_item_builder import ItemXml, inline, labelled_entry, qti_tag, sub_element
from interchange.qti_manifest import qti_id
from interchange.qti_package import QTI3
from items.shapes import Ordering, PerOptionRating, ScoredChoice, Selection


def write_choice(xml: ItemXml, choice: ScoredChoice) -> None:
    mapping = {qti_id(choice.correct): choice.points, **{qti_id(o): p for o, p in choice.credit.items()}}
    correct = [qti_id(choice.correct)]
    xml.response("RESPONSE", "single", "identifier", correct, mapping, default_value=Decimal(0))
    xml.outcomes(choice.points)
    append_paragraphs(xml.body, choice.prompt, QTI3)
    interaction = sub_element(xml.body, "qti-choice-interaction", {"response-identifier": "RESPONSE"})
    interaction.set("shuffle", "false")
    interaction.set("max-choices", "1")
    for option in choice.options:
        inline(sub_element(interaction, "qti-simple-choice", {"identifier": qti_id(option.id)}), option.text)
    xml.template("map_response")


def write_selection(xml: ItemXml, selection: Selection) -> None:
    """Multiple response: all-or-nothing by matching the correct set, else +w / -w per option from 0."""
    right = [qti_id(option) for option in selection.right]
    if selection.all_or_nothing:
        xml.response("RESPONSE", "multiple", "identifier", right)
        xml.outcomes(selection.points)
    else:
        mapping = {
            qti_id(o.id): selection.points if o.id in selection.right else -selection.points
            for o in selection.options
        }
        xml.response(
            "RESPONSE", "multiple", "identifier", right, mapping,
            lower_bound=Decimal(0), default_value=Decimal(0),
        )  # fmt: skip
        xml.outcomes(selection.points * len(right))
    append_paragraphs(xml.body, selection.prompt, QTI3)
    labelled_entry(xml, selection.label)
    interaction = sub_element(xml.body, "qti-choice-interaction", {"response-identifier": "RESPONSE"})
    interaction.set("shuffle", "false")
    interaction.set("max-choices", "0")
    for option in selection.options:
        inline(sub_element(interaction, "qti-simple-choice", {"identifier": qti_id(option.id)}), option.text)
    if selection.all_or_nothing:
        _all_or_nothing(xml)
    else:
        xml.template("map_response")


def _all_or_nothing(xml: ItemXml) -> None:
    """MAXSCORE when the response matches the correct one, else 0 (match_correct gives 1, not MAXSCORE)."""
    xml.processing = etree.Element(qti_tag("qti-response-processing"))
    condition = sub_element(xml.processing, "qti-response-condition")
    branch = sub_element(condition, "qti-response-if")
    match = sub_element(branch, "qti-match")
    sub_element(match, "qti-variable", {"identifier": "RESPONSE"})
    sub_element(match, "qti-correct", {"identifier": "RESPONSE"})
    sub_element(
        sub_element(branch, "qti-set-outcome-value", {"identifier": "SCORE"}),
        "qti-variable",
        {"identifier": "MAXSCORE"},
    )
    otherwise = sub_element(
        sub_element(condition, "qti-response-else"), "qti-set-outcome-value", {"identifier": "SCORE"}
    )
    sub_element(otherwise, "qti-base-value", {"base-type": "float"}, "0")


def _point_id(point: int) -> str:
    return f"P{point}" if point >= 0 else f"M{-point}"


def write_rating(xml: ItemXml, rating: PerOptionRating) -> None:
    """One choice interaction per statement over the scale; each maps a point to span - |point - expert|."""
    points = range(rating.minimum, rating.maximum + 1)
    span = rating.maximum - rating.minimum
    for option in rating.options:
        expert = rating.ratings[option.id]
        nearest = min(points, key=lambda p: (abs(p - expert), p))
        mapping = {_point_id(p): Decimal(span) - abs(p - expert) for p in points}
        xml.response(
            qti_id(option.id), "single", "identifier", [_point_id(nearest)], mapping, default_value=Decimal(0)
        )
    xml.outcomes(Decimal(span * len(rating.options)))
    xml.body.set("class", "likert")
    append_paragraphs(xml.body, rating.prompt, QTI3)
    for option in rating.options:
        interaction = sub_element(
            xml.body, "qti-choice-interaction", {"response-identifier": qti_id(option.id)}
        )
        interaction.set("shuffle", "false")
        interaction.set("max-choices", "1")
        inline(sub_element(interaction, "qti-prompt"), option.text)
        for point in points:
            label = rating.labels.get(point, str(point))
            sub_element(interaction, "qti-simple-choice", {"identifier": _point_id(point)}, label)
    xml.processing = etree.Element(qti_tag("qti-response-processing"))
    total = sub_element(
        sub_element(xml.processing, "qti-set-outcome-value", {"identifier": "SCORE"}), "qti-sum"
    )
    for option in rating.options:
        sub_element(total, "qti-map-response", {"identifier": qti_id(option.id)})


def write_ranking(xml: ItemXml, ordering: Ordering) -> None:
    xml.response("RESPONSE", "ordered", "identifier", [qti_id(o) for o in ordering.ranking])
    xml.outcomes(ordering.exact_points or Decimal(1))
    append_paragraphs(xml.body, ordering.prompt, QTI3)
    labels = sub_element(xml.body, "p", {"class": "assess-order-labels"}, "Put them in order from ")
    sub_element(labels, "span", {"class": "assess-first-label"}, ordering.first_label).tail = " (first) to "
    sub_element(labels, "span", {"class": "assess-last-label"}, ordering.last_label).tail = " (last)."
    interaction = sub_element(
        xml.body, "qti-order-interaction", {"response-identifier": "RESPONSE", "shuffle": "false"}
    )
    for option in ordering.options:
        inline(sub_element(interaction, "qti-simple-choice", {"identifier": qti_id(option.id)}), option.text)
    if ordering.exact_points is None:
        xml.template("match_correct")
        # The players' rule is match_correct; this scorer-only line says assess's is not.
        sub_element(
            xml.scorer_block("assess-scoring"), "p", {"class": "assess-key assess-rule-distance"},
            "Scored by distance: the maximum minus each response's distance from its model place.",
        )  # fmt: skip
        xml.notes.append(
            "QTI players score an order all-or-nothing; assess scores by distance from the model ranking"
        )
    else:
        _all_or_nothing(xml)
