"""Moodle XML images and files: a bank holds none, so each one is reported on its own line."""

from __future__ import annotations

from interchange_cases import ROOT

from interchange import import_file

IMAGES = ROOT / "tests" / "fixtures" / "moodle_xml" / "images.xml"


def test_every_image_and_file_is_reported_with_its_question_and_name() -> None:
    result = import_file("moodle", IMAGES)
    assert [i["id"] for i in result.items] == ["pipeline-chart", "renewal-curve"]
    assert sorted((p.location, p.reason) for p in result.problems) == [
        (
            "15",
            "imported as renewal-curve, but left out the file notes.pdf embedded in its <questiontext> "
            "(assess banks hold no files)",
        ),
        (
            "15",
            "imported as renewal-curve, but left out the image @@PLUGINFILE@@/q4.png "
            "(shown as its description)",
        ),
        (
            "15",
            "imported as renewal-curve, but left out the image @@PLUGINFILE@@/renewal%20curve.png "
            "(shown as its description)",
        ),
        (
            "4",
            "imported as pipeline-chart, but left out the image charts/pipeline.png (the question's legacy "
            "<image>; assess banks hold no images)",
        ),
    ]
    assert all(p.imported for p in result.problems)


def test_an_image_is_shown_to_the_candidate_as_its_description() -> None:
    curve = import_file("moodle", IMAGES).items[1]
    assert curve["body"]["prompt"] == "Look at the curve: [image: renewals by month]"
    assert curve["body"]["options"][0] == {"id": "a", "text": "Q4 [image]"}
