"""One run names every bad file: a compiler-style list of ``file:line: expected …`` lines.

Defect shown (issue 11): with two bad files in raw/ (a binary one and a program
cut off in its first time slot) the run named only the first. Now discovery
keeps a bad file aside and the others are parsed to find their problems too;
the run then stops with every problem, sorted by file and line.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from confdata.errors import RawInputError, RawInputErrors, failure_report, problems_of
from confdata.parse.raw_text import decode_raw
from confdata.run.steps import run_pipeline
from tests.conftest import FIXTURES, NSDI26, RAW

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
TRUNCATED = FIXTURES / "programs" / "truncated_mid_paper.txt"
LATIN1 = FIXTURES / "programs" / "latin1_encoded.txt"


def raw_folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def test_a_binary_file_and_a_truncated_program_are_both_named(tmp_path: Path) -> None:
    """The binary file is found by discovery, the cut program by its parse: one error names both."""
    folder = raw_folder(
        tmp_path,
        {
            "a-photo.txt": PNG,
            "b-cut.txt": TRUNCATED.read_bytes(),
            NSDI26.name: NSDI26.read_bytes(),
        },
    )
    with pytest.raises(RawInputErrors) as caught:
        run_pipeline(folder, tmp_path / "out")
    err = caught.value
    assert [(p.path, p.line) for p in err.problems] == [("a-photo.txt", 0), ("b-cut.txt", 31)]
    assert str(err).splitlines() == [
        "a-photo.txt:0: expected a text file (a program page or a CV saved as text), "
        "found 'a PNG image'",
        "b-cut.txt:31: expected an author line after the paper title, "
        "found 'Canopy: Sub-Millisecond Cold Starts with Snapshot Forests'",
    ]
    assert not (tmp_path / "out").exists()


def test_a_bad_file_and_a_repeated_event_are_listed_together(tmp_path: Path) -> None:
    """A file that is not UTF-8 and a page saved twice: both problems in one stop."""
    folder = raw_folder(
        tmp_path,
        {
            "nsdi-a.txt": NSDI26.read_bytes(),
            "nsdi-b.txt": NSDI26.read_bytes(),
            LATIN1.name: LATIN1.read_bytes(),
        },
    )
    with pytest.raises(RawInputErrors) as caught:
        run_pipeline(folder, tmp_path / "out")
    problems = caught.value.problems
    assert [p.path for p in problems] == [LATIN1.name, "nsdi-b.txt"]
    assert "one file per event" in problems[1].expected and "nsdi-a.txt" in problems[1].expected
    assert not (tmp_path / "out").exists()


def test_two_pages_that_repeat_events_are_all_named(tmp_path: Path) -> None:
    """Three copies of one page: both later copies are named, not only the first repeat."""
    folder = raw_folder(tmp_path, {f"copy-{n}.txt": NSDI26.read_bytes() for n in (1, 2, 3)})
    shutil.copytree(RAW / "reference", folder / "reference")
    with pytest.raises(RawInputErrors) as caught:
        run_pipeline(folder, tmp_path / "out")
    assert [p.path for p in caught.value.problems] == ["copy-2.txt", "copy-3.txt"]


def test_a_whole_file_problem_is_at_line_0() -> None:
    """Every message has the ``file:line:`` form, line 0 for the file as a whole."""
    with pytest.raises(RawInputError) as caught:
        decode_raw(b"", path="empty.txt")
    assert str(caught.value).startswith("empty.txt:0: expected ")


def test_problems_are_sorted_by_file_then_line_and_not_repeated() -> None:
    errors = RawInputErrors(
        [
            RawInputError("b.txt", 3, "x"),
            RawInputErrors([RawInputError("a.txt", 9, "y"), RawInputError("b.txt", 1, "z")]),
            RawInputError("b.txt", 3, "x"),
        ]
    )
    assert [(p.path, p.line) for p in errors.problems] == [("a.txt", 9), ("b.txt", 1), ("b.txt", 3)]
    # Handled like one error: its own location is the first problem's.
    assert (errors.path, errors.line, errors.expected) == ("a.txt", 9, "y")
    assert problems_of(errors) == errors.problems
    assert problems_of(errors.problems[0]) == (errors.problems[0],)


def test_the_list_survives_pickling() -> None:
    """Prefect keeps a failed task's exception by pickling it: every problem travels."""
    errors = RawInputErrors(
        [RawInputError("a.txt", 0, "text", "a PNG image"), RawInputError("b.txt", 31, "z")],
        note="why",
    )
    again = pickle.loads(pickle.dumps(errors))
    assert isinstance(again, RawInputErrors)
    assert (str(again), again.note, again.path) == (str(errors), "why", "a.txt")


def test_the_command_line_report_is_one_line_per_problem_then_the_count() -> None:
    errors = RawInputErrors(
        [
            RawInputError("cut.txt", 31, "an author line"),
            RawInputError("photo.txt", 0, "a text file", "a PNG image"),
            RawInputError("cut.txt", 40, "a title"),
        ]
    )
    assert failure_report(errors, "out/").splitlines() == [
        "cut.txt:31: expected an author line",
        "cut.txt:40: expected a title",
        "photo.txt:0: expected a text file, found 'a PNG image'",
        "error: 2 bad files (3 problems); nothing was published; out/ is unchanged",
    ]


def test_other_stops_keep_one_error_line() -> None:
    assert failure_report(ValueError("locked"), "out") == (
        "error: locked\nnothing was published; out/ is unchanged"
    )
