"""Classifying program lines, one kind (or one trap) per test."""

from __future__ import annotations

import datetime as dt

import pytest

from confdata.parse.usenix.lines import LineKind, classify
from confdata.reference.data import Reference


def kind(text: str, reference: Reference) -> LineKind:
    return classify(1, text, reference.program_rules).kind


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("10:30 am–12:10 pm", dt.time(10, 30), dt.time(12, 10)),
        ("12:10 pm–2:00 pm", dt.time(12, 10), dt.time(14, 0)),
        ("7:30 am-8:45 am", dt.time(7, 30), dt.time(8, 45)),
        ("6:00 pm – 7:30 pm", dt.time(18, 0), dt.time(19, 30)),
    ],
)
def test_time_slots(text: str, start: dt.time, end: dt.time, reference: Reference) -> None:
    """It reads time slots with any dash, and 12 pm as noon."""
    line = classify(1, text, reference.program_rules)
    assert line.kind is LineKind.TIME
    assert (line.data["start"], line.data["end"]) == (start, end)


def test_day_header(reference: Reference) -> None:
    """It reads "Monday, May 4" as a day header."""
    assert kind("Monday, May 4", reference) is LineKind.DAY


def test_track_line(reference: Reference) -> None:
    """It reads "Track 3" as a track line with its number."""
    line = classify(1, "Track 3", reference.program_rules)
    assert line.kind is LineKind.TRACK and line.data["track"] == 3


def test_misspelled_chair_label_is_accepted_with_its_distance(reference: Reference) -> None:
    """It reads "Session Char:" as a session-chair line and records one edit."""
    line = classify(1, "Session Char: Seojin Park, USC", reference.program_rules)
    assert line.kind is LineKind.CHAIR
    assert (line.data["role"], line.data["edits"]) == ("session_chair", 1)


def test_paper_title_with_a_colon_is_not_a_chair_line(reference: Reference) -> None:
    """It does not take "UNUM: A New Framework" for a labelled line."""
    assert kind("UNUM: A New Framework for Network Control", reference) is LineKind.TEXT


@pytest.mark.parametrize(
    "text", ["Available Media", "Read the Abstract | Full paper", "Paper in HTML | PDF"]
)
def test_media_lines(text: str, reference: Reference) -> None:
    """It reads every form of media-link line."""
    assert kind(text, reference) is LineKind.MEDIA


def test_known_flag(reference: Reference) -> None:
    """It reads a known flag with its meaning."""
    line = classify(1, "Operational Systems Paper", reference.program_rules)
    assert line.kind is LineKind.FLAG
    assert line.data["flag"].category == "paper_type"


def test_unknown_award_line_is_a_flag_marked_unknown(reference: Reference) -> None:
    """It keeps an award line the rules do not list, marked as unknown."""
    line = classify(1, "Awarded Best Artifact!", reference.program_rules)
    assert line.kind is LineKind.FLAG and not line.data["flag"].known


def test_no_break_space_is_trimmed(reference: Reference) -> None:
    """It trims no-break spaces around a line."""
    assert classify(1, "\u00a0Available Media\u00a0", reference.program_rules).text == (
        "Available Media"
    )
