"""A file cut off at its end: text cut short is a warning, a cut title or author line an error.

Defect shown (issue 11): a page truncated in the middle of an abstract
(``…weight transfer t``) was published with the rest of the program missing
and no warning, and a page cut inside a title or an author line was often
published too, the cut line read as the previous paper's abstract or as a
name. Each case here is the NSDI '26 page (or the CV) cut at one place.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from confdata.errors import RawInputError
from confdata.parse.cv.reader import parse_cv
from confdata.parse.usenix.end import TRUNCATED_TEXT_CODE, looks_like_title, reads_as_prose
from confdata.parse.usenix.program import ProgramParse, parse_program
from confdata.reference.data import Reference
from confdata.run.steps import run_pipeline
from tests.conftest import NSDI26, RAW

PAGE = NSDI26.read_text(encoding="utf-8")
CV = (RAW / "alireza-farshin-cv.txt").read_text(encoding="utf-8")


def program(text: str, reference: Reference) -> ProgramParse:
    return parse_program(
        text,
        source_path="cut.txt",
        rules=reference.program_rules,
        knowledge=reference.org_knowledge,
    )


def cut_after(text: str, piece: str) -> str:
    """The text up to the end of the first occurrence of a piece (no line break after it)."""
    return text[: text.index(piece) + len(piece)]


def cut_in_line(number: int, share: float) -> str:
    """The page cut inside its line ``number`` (1-based), after that share of its characters."""
    lines = PAGE.split("\n")
    start = sum(len(line) + 1 for line in lines[: number - 1])
    return PAGE[: start + int(len(lines[number - 1]) * share)]


def truncated(parse: ProgramParse) -> list[tuple[int, str]]:
    return [(i.line, i.text) for i in parse.issues if i.code == TRUNCATED_TEXT_CODE]


def error_of(text: str, reference: Reference) -> RawInputError:
    with pytest.raises(RawInputError) as caught:
        program(text, reference)
    return caught.value


def test_the_whole_page_and_the_whole_cv_are_not_truncated(reference: Reference) -> None:
    """Neither real file ends with a line break, and neither is taken for a cut one."""
    assert not PAGE.endswith("\n") and not CV.endswith("\n")
    assert truncated(program(PAGE, reference)) == []
    assert not [
        i for i in parse_cv(CV, source_path="cv.txt").issues if i.code == TRUNCATED_TEXT_CODE
    ]


def test_a_page_cut_mid_abstract_is_published_with_a_warning(tmp_path: Path) -> None:
    """The issue's case: the release has every item up to the cut, and says where it stops."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "nsdi26-cut.txt").write_text(cut_after(PAGE, "weight transfer t"), encoding="utf-8")
    release = run_pipeline(raw, tmp_path / "out", reference_dir=RAW / "reference")
    assert release.published
    report = json.loads((tmp_path / "out" / "quality" / "report.json").read_text("utf-8"))
    [issue] = [i for i in report["issues"] if i["code"] == TRUNCATED_TEXT_CODE]
    assert (issue["severity"], issue["source_path"], issue["line"]) == (
        "warning",
        "nsdi26-cut.txt",
        891,
    )
    assert issue["text"].endswith("weight transfer t") and "RLBoost" in issue["message"]


def test_a_page_cut_mid_abstract_with_a_line_break_is_warned_too(reference: Reference) -> None:
    parse = program(cut_after(PAGE, "weight transfer t") + "\n", reference)
    assert [line for line, _ in truncated(parse)] == [891]


def test_a_cut_in_the_first_sentence_of_an_abstract_is_a_warning(reference: Reference) -> None:
    """One short line right after the media line is the abstract when every paper has one."""
    text = cut_after(PAGE, "FaaS platforms rely on cluster managers like Kubernetes for reso")
    assert [line for line, _ in truncated(program(text, reference))] == [899]


def test_a_page_that_ends_after_a_media_line_is_warned(reference: Reference) -> None:
    """The last paper lacks the abstract every other paper has."""
    start = PAGE.index("KUBEDIRECT: Unleashing")
    text = PAGE[: PAGE.index("Available Media", start) + len("Available Media")]
    assert [line for line, _ in truncated(program(text, reference))] == [897]


def test_a_page_cut_mid_title_is_refused(reference: Reference) -> None:
    """The Test of Time paper's title cut: it was published as the item's description."""
    err = error_of(cut_in_line(231, 0.5), reference)
    assert (err.path, err.line) == ("cut.txt", 227)  # the item the cut title belongs to
    assert "without a final line break" in str(err)


def test_a_page_cut_mid_author_line_is_refused(reference: Reference) -> None:
    """A paper's author line cut: the title and the cut line were read as the abstract before."""
    err = error_of(cut_in_line(417, 0.5), reference)
    assert err.line == 415  # the paper's title: where the unfinished item starts
    assert err.found.startswith("Bifrost:") and "is it cut off" in str(err)


def test_a_page_cut_mid_speaker_line_is_refused(reference: Reference) -> None:
    """A keynote's speaker line cut ("Amin Vah"): the cut name was published as the speaker."""
    err = error_of(cut_in_line(44, 0.5), reference)
    assert err.line == 42 and "speaker line" in str(err)


def test_a_page_cut_in_a_media_line_is_refused(reference: Reference) -> None:
    """ "Available Med" was read as the previous paper's abstract, with the title and authors."""
    start = PAGE.index("KUBEDIRECT: Unleashing")
    text = PAGE[: PAGE.index("Available Media", start) + len("Available Med")]
    err = error_of(text, reference)
    assert err.line == 895 and "is it cut off" in str(err)


def test_a_page_cut_mid_session_title_is_refused(reference: Reference) -> None:
    """A session title cut without a line break: it was an empty session with a cut title."""
    err = error_of(cut_in_line(58, 0.5), reference)
    assert err.line == 58 and "without a final line break" in str(err)


def test_a_page_that_ends_with_a_whole_session_title_keeps_the_warning(
    reference: Reference,
) -> None:
    """With its line break, a last session title is whole: an empty session, as before."""
    session = next(s for s in program(PAGE, reference).sessions if s.kind == "paper_session")
    lines = PAGE.split("\n")
    parse = program("\n".join(lines[: session.title_line]) + "\n", reference)
    assert parse.sessions[-1].title == session.title
    assert [i.code for i in parse.issues if i.line == session.title_line] == ["empty-session"]
    # Without the line break, the title itself may be cut.
    with pytest.raises(RawInputError):
        program("\n".join(lines[: session.title_line]), reference)


def test_every_title_author_and_heading_cut_is_refused(reference: Reference) -> None:
    """The page cut inside each title, author line, chair line and session title (a third of
    the way in): none is published (warned or not) as if the page ended there whole."""
    full = program(PAGE, reference)
    numbers = sorted(
        {s.title_line for s in full.sessions}
        | {c.line for s in full.sessions for c in s.chairs}
        | {p.title_line for s in full.sessions for p in s.papers}
        | {p.author_line_no for s in full.sessions for p in s.papers}
    )
    published = []
    for number in numbers:
        try:
            program(cut_in_line(number, 0.33), reference)
        except RawInputError:
            continue
        published.append(number)
    assert published == []


def test_titles_and_author_lines_of_the_real_page_never_read_as_prose(reference: Reference) -> None:
    """The rule that tells cut text from a cut title, checked on every line of the page."""
    papers = [p for s in program(PAGE, reference).sessions for p in s.papers]
    assert not [p.title for p in papers if reads_as_prose(p.title)]
    assert not [p.author_line for p in papers if reads_as_prose(p.author_line)]
    paragraphs = [x for p in papers if p.abstract for x in p.abstract.split("\n\n")]
    assert sum(map(reads_as_prose, paragraphs)) >= 0.95 * len(paragraphs)
    assert not [x for x in paragraphs if looks_like_title(x)]


def test_a_cv_cut_inside_an_entry_is_refused() -> None:
    """A publication entry cut mid-line would publish a cut title or venue."""
    at = CV.index("- [C1]")
    text = CV[: CV.index("\n", at) - 30]
    with pytest.raises(RawInputError) as caught:
        parse_cv(text, source_path="cv.txt")
    assert caught.value.line == CV[:at].count("\n") + 1 and "cut off" in str(caught.value)


def test_a_cv_cut_in_a_section_not_read_is_a_warning() -> None:
    cv = parse_cv(CV[:-8], source_path="cv.txt")
    [issue] = [i for i in cv.issues if i.code == TRUNCATED_TEXT_CODE]
    assert (issue.severity, issue.line) == ("warning", CV.count("\n") + 1)
    assert cv.publications == parse_cv(CV, source_path="cv.txt").publications


def test_a_short_whole_abstract_at_the_end_is_not_taken_for_a_cut_title(
    reference: Reference,
) -> None:
    """A page whose last paper has a one-sentence abstract ends where its program ends.

    Defect shown (2026-12, found by the merge of issue 11's parts): the last line
    "Abstract of paper 2." right after "Available Media" was read as the title of
    a paper whose rest is cut, and the whole page was refused.
    """
    head = (
        "NSDI '25 Technical Sessions\n\nMonday, April 28\n\n10:30 am–12:10 pm\n\n"
        "Data Center Networks\n\n"
    )
    papers = "".join(
        f"Paper Number {n}: A Study\n\nKe Sun{n}, MIT\n\nAvailable Media\n\n"
        f"Abstract of paper {n}.\n\n"
        for n in (1, 2)
    )
    parse = program(head + papers, reference)
    assert [p.abstract for s in parse.sessions for p in s.papers] == [
        "Abstract of paper 1.",
        "Abstract of paper 2.",
    ]
    assert truncated(parse) == []
