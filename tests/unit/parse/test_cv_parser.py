"""Unit tests for the CV parser: tiny inputs, one defect or feature each."""

from __future__ import annotations

from pathlib import Path

import pytest

from confdata.errors import RawInputError
from confdata.parse.cv.reader import CvParse, CvPublication, looks_like_cv, parse_cv

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "cv"
REAL_CV = ROOT / "raw" / "alireza-farshin-cv.txt"
PROGRAM_PAGE = ROOT / "raw" / "nsdi26-technical-sessions.txt"

HEADER = "Jane Doe | Curriculum Vitae\n\n"


def parse(body: str, header: str = HEADER) -> CvParse:
    return parse_cv(header + body, source_path="raw/test-cv.txt")


def only_publication(body: str) -> CvPublication:
    result = parse(body)
    assert len(result.publications) == 1
    return result.publications[0]


def codes(result: CvParse) -> list[str]:
    return [i.code for i in result.issues]


# --------------------------------------------------------------------------- kind detection


def test_real_cv_is_detected_as_cv() -> None:
    """The real CV reads as a CV."""
    assert looks_like_cv(REAL_CV.read_text(encoding="utf-8"))


def test_usenix_program_page_is_not_a_cv() -> None:
    """A conference program page lists papers but is not a CV."""
    assert not looks_like_cv(PROGRAM_PAGE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["not_a_cv.txt"])
def test_random_text_is_not_a_cv(name: str) -> None:
    """Meeting notes that mention proceedings and publications are not a CV."""
    assert not looks_like_cv((FIXTURES / name).read_text(encoding="utf-8"))


def test_empty_text_is_not_a_cv() -> None:
    """Empty text is not a CV."""
    assert not looks_like_cv("")


@pytest.mark.parametrize(
    "name", ["numbered_entries.txt", "inverted_names.txt", "line_wrapped_entries.txt"]
)
def test_every_style_fixture_is_detected_as_cv(name: str) -> None:
    """Each supported CV style is detected by content."""
    assert looks_like_cv((FIXTURES / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- unreadable input


def test_empty_text_raises() -> None:
    """Empty text cannot be read as a CV at all."""
    with pytest.raises(RawInputError) as error:
        parse_cv("\n\n", source_path="raw/x.txt")
    assert error.value.path == "raw/x.txt"


def test_text_without_owner_name_raises_at_first_line() -> None:
    """A CV must name its owner in the header; the error points at the first line."""
    text = "\nminutes of the meeting, 2024\n\nConference Publications\n\n[C1] A B. T. *V*. 2020.\n"
    with pytest.raises(RawInputError) as error:
        parse_cv(text, source_path="raw/x.txt")
    assert error.value.line == 2
    assert error.value.found == "minutes of the meeting, 2024"


def test_text_without_entries_or_positions_raises() -> None:
    """A header alone, with nothing CV-like below it, is not a readable CV."""
    with pytest.raises(RawInputError):
        parse("Some prose about the weather.\n")


def test_not_a_cv_fixture_raises() -> None:
    """Random text raises RawInputError rather than giving an empty parse."""
    with pytest.raises(RawInputError):
        parse_cv((FIXTURES / "not_a_cv.txt").read_text(encoding="utf-8"), source_path="x")


# --------------------------------------------------------------------------- owner


def test_owner_name_and_line_from_curriculum_vitae_header() -> None:
    """``Name | Curriculum Vitae`` gives the owner as printed and its line."""
    result = parse(
        "Conference Publications\n\n[C1] Jane Doe. T. *V*. 2020.\n", header="\n" + HEADER
    )
    assert (result.owner_name, result.owner_line) == ("Jane Doe", 2)


def test_owner_name_on_line_after_curriculum_vitae() -> None:
    """A bare ``Curriculum Vitae`` line is followed by the owner's name."""
    result = parse(
        "Conference Publications\n\n[C1] Jane Doe. T. *V*. 2020.\n",
        "Curriculum Vitae\nJane Doe\n\n",
    )
    assert (result.owner_name, result.owner_line) == ("Jane Doe", 2)


def test_owner_position_from_bold_markup() -> None:
    """The bold author is the owner, even if another author shares the surname."""
    p = only_publication("Journal Publications\n\n[J1] John Doe, **Jane Doe**. T. *V*. 2020.\n")
    assert p.owner_position == 2
    assert p.authors == ("John Doe", "Jane Doe")


def test_owner_position_by_name_without_markup() -> None:
    """Without markup, the owner is found by surname and first initial (accents ignored)."""
    p = only_publication("Journal Publications\n\n[J1] Ann Roe and J. Doé. T. *V*. 2020.\n")
    assert p.owner_position == 2


def test_owner_missing_from_authors_is_reported() -> None:
    """An entry whose authors do not include the owner is reported, position None."""
    result = parse("Journal Publications\n\n[J1] Ann Roe. T. *V*. 2020.\n")
    assert result.publications[0].owner_position is None
    assert "cv-owner-not-among-authors" in codes(result)


# --------------------------------------------------------------------------- authors


def test_jr_with_period_kept_as_printed_and_ends_list() -> None:
    """``Maguire Jr. Title`` keeps the period in the name; the title starts after it."""
    p = only_publication(
        "Patent Applications\n\n[P1] Jane Doe, Gerald Q. Maguire Jr. Some Method. PCT Application PCT/SE2020/050527.\n"
    )
    assert p.authors == ("Jane Doe", "Gerald Q. Maguire Jr.")
    assert p.title == "Some Method"


def test_jr_without_period_kept_as_printed() -> None:
    """``Maguire Jr,`` is not normalized to ``Jr.``."""
    p = only_publication(
        "Journal Publications\n\n[J1] Jane Doe, Gerald Q. Maguire Jr, Tom Roe. T. *V*. 2020.\n"
    )
    assert p.authors == ("Jane Doe", "Gerald Q. Maguire Jr", "Tom Roe")


def test_short_surname_before_period_ends_author_list() -> None:
    """``Li.`` is a surname ending the list, not an initial."""
    p = only_publication(
        "Journal Publications\n\n[J1] Jane Doe and Wei Li. A Title. *Venue*. 2020.\n"
    )
    assert p.authors == ("Jane Doe", "Wei Li")
    assert p.title == "A Title"


def test_inverted_names_split_into_persons() -> None:
    """``Last, F., Last, F. and Last, F.`` gives three persons kept as printed."""
    p = only_publication(
        "Journal Publications\n\n[1] Doe, J., Roe, A. B. and van der Berg, K. Title Here. Some Journal, 2019.\n"
    )
    assert p.authors == ("Doe, J.", "Roe, A. B.", "van der Berg, K.")
    assert p.owner_position == 1
    assert p.title == "Title Here"
    assert p.venue_as_printed == "Some Journal"


def test_et_al_is_not_an_author() -> None:
    """A trailing ``et al.`` is dropped from authors and reported."""
    result = parse("Journal Publications\n\n[J1] Jane Doe, Ann Roe, et al. T. *V*. 2020.\n")
    assert result.publications[0].authors == ("Jane Doe", "Ann Roe")
    assert "cv-authors-truncated" in codes(result)


def test_quoted_title_style() -> None:
    """IEEE style ``A, B, and C, "Title," in Venue, 2019.`` is read."""
    p = only_publication(
        'Conference Publications\n\n[3] J. Doe, A. Roe, and B. Poe, "Fast Things," in Proc. of Foo (FOO), 2019.\n'
    )
    assert p.authors == ("J. Doe", "A. Roe", "B. Poe")
    assert p.title == "Fast Things"
    assert p.venue_as_printed == "Proc. of Foo (FOO)"
    assert (p.venue_short, p.year) == ("FOO", 2019)


# --------------------------------------------------------------------------- entries


def test_numbered_entry_key_venue_and_year() -> None:
    """``[12] A, B, and C. Title. In Proceedings of …, 2019.`` is read."""
    p = only_publication(
        "Conference Papers\n\n[12] Ann Roe, Jane Doe, and Bo Li. My Title. In Proceedings of the Foo Conference (FOO '19), 2019.\n"
    )
    assert p.key == "12"
    assert p.section == "conference"
    assert p.authors == ("Ann Roe", "Jane Doe", "Bo Li")
    assert p.title == "My Title"
    assert p.venue_as_printed == "Proceedings of the Foo Conference (FOO '19)"
    assert p.year == 2019


def test_journal_volume_and_pages_not_part_of_venue() -> None:
    """``Journal, 12(3):45–67, 2020`` gives the venue ``Journal``."""
    p = only_publication(
        "Journal Articles\n\n[1] Jane Doe. T. Journal of Foo, 12(3):45–67, 2020.\n"
    )
    assert (p.venue_as_printed, p.year) == ("Journal of Foo", 2020)


def test_entry_wrapped_over_lines_is_joined() -> None:
    """An entry over several lines is one entry starting at its first line."""
    result = parse(
        "Conference Publications\n\n[C1] Jane Doe and Ann\n   Roe. Long Title. In Proc. of\n   Bar (BAR), 2021.\n"
    )
    p = result.publications[0]
    assert p.authors == ("Jane Doe", "Ann Roe")
    assert (p.title, p.venue_short, p.year) == ("Long Title", "BAR", 2021)
    assert p.source_line == 5
    assert p.text == "[C1] Jane Doe and Ann Roe. Long Title. In Proc. of Bar (BAR), 2021."


def test_entry_continued_after_page_break_is_joined_and_reported() -> None:
    """An entry stopping mid-sentence continues after blank lines; that is reported."""
    result = parse(
        "Patent Applications\n\n- [P6] Jane Doe. A Method (Other name: System for\n\nThings). US Patent Application 63/511,198. Filed in June 2023.\n"
    )
    p = result.publications[0]
    assert p.other_titles == ("System for Things",)
    assert p.filed == "2023-06"
    assert p.year == 2023
    issue = next(i for i in result.issues if i.code == "cv-entry-continued-after-break")
    assert (issue.severity, issue.line, issue.key) == ("info", 5, "P6")


def test_complete_entry_does_not_swallow_text_after_blank_line() -> None:
    """After a finished entry and a blank line, stray text is reported, not appended."""
    result = parse("Journal Publications\n\n[J1] Jane Doe. T. *V*. 2020.\n\nstray remark\n")
    assert result.publications[0].text == "[J1] Jane Doe. T. *V*. 2020."
    assert "cv-unparsed-line" in codes(result)


def test_italic_venue_after_comma_and_after_in() -> None:
    """``Title, *Venue*.`` and ``Title In *Venue*.`` both split at the italics."""
    result = parse(
        "Conference Publications\n\n"
        "[C1] Jane Doe. Why Not?, *The Conf (TC)*. 2024.\n"
        "[C2] Jane Doe. Packets In Order In *19th Symposium (SYM)*. 2022.\n"
    )
    first, second = result.publications
    assert (first.title, first.venue_short) == ("Why Not?", "TC")
    assert (second.title, second.venue_as_printed) == ("Packets In Order", "19th Symposium (SYM)")


def test_acceptance_rate_with_note() -> None:
    """``Acceptance rate (Spring): 28/104 ≈ 26.9%`` gives counts, printed rate and note."""
    p = only_publication(
        "Conference Publications\n\n[C3] Jane Doe. T In *V (V)*. 2022. Acceptance rate (Spring): 28/104 ≈ 26.9%. [Download](#)\n"
    )
    assert (p.accepted, p.submitted) == (28, 104)
    assert p.acceptance_rate_as_printed == "28/104 ≈ 26.9%"
    assert p.acceptance_note == "Spring"


def test_impact_factor() -> None:
    """``Impact factor: 2.469`` is read as a float."""
    p = only_publication(
        "Journal Publications\n\n[J2] Jane Doe. T In *J (J)*. 2019. Impact factor: 2.469. [Download](#)\n"
    )
    assert p.impact_factor == 2.469


def test_award_in_brackets_with_bold_markup() -> None:
    """``[**IRTF/IETF ANRP Winner!**]`` is an award, markup removed; links are not."""
    p = only_publication(
        "Conference Publications\n\n[C2] Jane Doe. T, *V*. 2024. [**IRTF/IETF ANRP Winner!**] [Download](#)\n"
    )
    assert p.awards == ("IRTF/IETF ANRP Winner!",)


def test_bold_word_in_title_is_unmarked() -> None:
    """``**PacketMill**: …`` in a title loses its markup."""
    p = only_publication(
        "Workshop Papers\n\n[W7] Jane Doe. **PacketMill**: Toward X In *V*. 2021.\n"
    )
    assert p.title == "PacketMill: Toward X"


def test_unread_tail_text_is_reported() -> None:
    """Text after the venue that is not understood is reported, not silently dropped."""
    result = parse("Journal Publications\n\n[J1] Jane Doe. T. *V*. 2020. To appear in print.\n")
    issue = next(i for i in result.issues if i.code == "cv-unparsed-fragment")
    assert "To appear in print" in issue.message


def test_entry_without_year_is_a_warning() -> None:
    """A paper without a year gets year None and a warning."""
    result = parse("Journal Publications\n\n[J1] Jane Doe. T. *V*.\n")
    assert result.publications[0].year is None
    issue = next(i for i in result.issues if i.code == "cv-entry-without-year")
    assert issue.severity == "warning"
    assert issue.text == "[J1] Jane Doe. T. *V*."


def test_duplicate_key_is_reported() -> None:
    """The same key printed twice is reported on the second entry."""
    result = parse(
        "Journal Publications\n\n[J1] Jane Doe. A. *V*. 2020.\n[J1] Jane Doe. B. *V*. 2021.\n"
    )
    issue = next(i for i in result.issues if i.code == "cv-duplicate-key")
    assert (issue.line, issue.key) == (6, "J1")


# --------------------------------------------------------------------------- sections


def test_unknown_section_heading_is_reported_and_entries_kept() -> None:
    """Entries under an unknown heading are parsed with section ``other``."""
    result = parse("Book Chapters\n\n[B1] Jane Doe. A Chapter. *Some Book*. 2020.\n")
    assert result.publications[0].section == "other"
    assert result.publications[0].section_heading == "Book Chapters"
    issue = next(i for i in result.issues if i.code == "cv-unknown-section")
    assert (issue.severity, issue.line, issue.text) == ("warning", 3, "Book Chapters")
    assert issue.source_path == "raw/test-cv.txt"


def test_heading_words_map_to_sections() -> None:
    """Heading words decide the section; dot leaders are ignored."""
    result = parse(
        "Patent Applications.....\n\n[P1] Jane Doe. M. US Patent Application 19/173,029. Filed in April 2025.\n\n"
        "Workshop Papers, Preprints, and Posters....\n\n[W1] Jane Doe. T, *ArXiv Preprint*. 2024.\n"
    )
    assert [p.section for p in result.publications] == ["patent", "workshop"]


def test_skipped_section_is_reported_as_info() -> None:
    """A known section the parser does not read (Skills) is noted, not silently dropped."""
    result = parse("Journal Publications\n\n[J1] Jane Doe. T. *V*. 2020.\n\nSkills\n\nPython\n")
    issue = next(i for i in result.issues if i.code == "cv-section-not-parsed")
    assert (issue.severity, issue.text) == ("info", "Skills")


# --------------------------------------------------------------------------- patents


def test_patent_application_and_filing_date() -> None:
    """``US Patent Application 19/173,029. Filed in April 2025.`` is read."""
    p = only_publication(
        "Patent Applications\n\n[P1] Jane Doe. Some Method. US Patent Application 19/173,029. Filed in April 2025.\n"
    )
    assert p.venue_as_printed == "US Patent Application 19/173,029"
    assert p.patent_application_numbers == ("US 19/173,029",)
    assert (p.filed, p.year) == ("2025-04", 2025)


def test_patent_with_two_numbers_and_download_links() -> None:
    """Two PCT numbers separated by ``([Download](#)) &`` are both read."""
    p = only_publication(
        "Patent Applications\n\n[P17] Jane Doe. M. PCT Application PCT/SE2020/051107 ([Download](#)) & PCT/SE2020/051108 ([Download](#)).\n"
    )
    assert p.patent_application_numbers == ("PCT/SE2020/051107", "PCT/SE2020/051108")
    assert p.venue_as_printed == "PCT Application PCT/SE2020/051107 & PCT/SE2020/051108"


def test_patent_without_date_has_no_year_and_an_info_issue() -> None:
    """A PCT number without a date gives year None; the number's year is not used."""
    result = parse(
        "Patent Applications\n\n[P5] Jane Doe. M. PCT Application PCT/SE2023/050880. [Download](#)\n"
    )
    assert result.publications[0].year is None
    issue = next(i for i in result.issues if i.code == "cv-entry-without-year")
    assert issue.severity == "info"


def test_grant_number_inside_escaped_link_text() -> None:
    """``[Download \\(US11714753B2 Granted\\)](#)`` gives the grant number."""
    p = only_publication(
        "Patent Applications\n\n[P23] Jane Doe. M. PCT Application PCT/SE2018/051311. [Download \\(US11714753B2 Granted\\)](#)\n"
    )
    assert p.patent_grant_numbers == ("US11714753B2",)
    assert p.patent_application_numbers == ("PCT/SE2018/051311",)


def test_grant_number_after_link() -> None:
    """``[Download](#) (US12111766B2 Granted)`` gives the grant number."""
    p = only_publication(
        "Patent Applications\n\n[P20] Jane Doe. M. PCT Application PCT/SE2019/050948. [Download](#) (US12111766B2 Granted)\n"
    )
    assert p.patent_grant_numbers == ("US12111766B2",)


def test_italic_other_name() -> None:
    """``(*Other name*: …)`` gives an other title and is cut from the title."""
    p = only_publication(
        "Patent Applications\n\n[P7] Jane Doe. Main Title (*Other name*: Second Title). PCT Application PCT/SE2023/050538.\n"
    )
    assert (p.title, p.other_titles) == ("Main Title", ("Second Title",))


# --------------------------------------------------------------------------- work table

TABLE = """Work Experience

- | | |
|--|--|
| <ul style="list-style-type: none"> Team A at Acme ○ <i>Engineer</i>
 Beta Corp ○ <i>Intern</i> <ul style="list-style-type: none"> - Did things. | Stockholm, Sweden
January 2024–now |
| <ul style="list-style-type: none"> Tehran, Iran
 Fall-2013 | Tehran, Iran
June 2013–September 2013 |
"""


def test_work_table_cells_aligned_in_order() -> None:
    """The n-th position gets the n-th place and date; roles, units and details are read."""
    result = parse(TABLE)
    acme, beta = result.positions
    assert (acme.organization_as_printed, acme.unit, acme.role) == ("Acme", "Team A", "Engineer")
    assert (acme.place, acme.start, acme.end, acme.is_current) == (
        "Stockholm, Sweden",
        "2024-01",
        None,
        True,
    )
    assert (acme.start_as_printed, acme.end_as_printed) == ("January 2024", "now")
    assert (beta.organization_as_printed, beta.unit, beta.details) == (
        "Beta Corp",
        None,
        ("Did things.",),
    )
    assert (beta.place, beta.start_as_printed, beta.start, beta.end) == (
        "Tehran, Iran",
        "Fall-2013",
        "2013-fall",
        None,
    )
    assert beta.source_line == 8


def test_work_table_leftover_cells_are_reported() -> None:
    """Place and date cells beyond the number of positions are reported, not used."""
    result = parse(TABLE)
    leftovers = [i for i in result.issues if i.code == "cv-leftover-cell"]
    assert [(i.line, i.text) for i in leftovers] == [
        (11, "Tehran, Iran"),
        (12, "June 2013–September 2013"),
    ]
    assert all(i.severity == "warning" for i in leftovers)


def test_work_table_with_too_few_dates_reports_missing() -> None:
    """When dates run out, the positions without one are reported."""
    table = TABLE.replace("June 2013–September 2013 |", "|").replace(" Fall-2013 |", " |")
    result = parse(table)
    assert result.positions[1].start is None
    assert "cv-position-without-date" in codes(result)


def test_single_season_date_is_reported_as_single() -> None:
    """A position with only ``Fall-2013`` keeps end empty and says so."""
    result = parse(TABLE)
    assert "cv-single-date-period" in codes(result)


def test_range_ending_before_start_is_reported() -> None:
    """A date range that ends before it starts is reported."""
    table = TABLE.replace("January 2024–now", "January 2024–March 2020")
    assert "cv-date-order" in codes(parse(table))


# --------------------------------------------------------------------------- education


def test_education_block() -> None:
    """Institution line, degree bullet with unit, place, dates and details are read."""
    result = parse(
        "Education\n\nSome University\n\n- *Ph.D. in Things, School of EECS*\nAdvisor: Prof. X\n\n"
        "Stockholm, Sweden\n\nAugust 2017–March 2023\n\n"
        "Other College\n\n- *M.Sc. Stuff, Department of EE* September 2015–July 2017\n"
    )
    phd, msc = result.positions
    assert (phd.kind, phd.organization_as_printed, phd.role, phd.unit) == (
        "education",
        "Some University",
        "Ph.D. in Things",
        "School of EECS",
    )
    assert (phd.place, phd.start, phd.end, phd.details) == (
        "Stockholm, Sweden",
        "2017-08",
        "2023-03",
        ("Advisor: Prof. X",),
    )
    assert (msc.organization_as_printed, msc.unit, msc.start, msc.end) == (
        "Other College",
        "Department of EE",
        "2015-09",
        "2017-07",
    )


def test_plain_years_are_kept_as_years() -> None:
    """``2014–2019`` normalizes to ``2014`` and ``2019`` (no month invented)."""
    result = parse("Education\n\nUni\n- Ph.D.\n2014–2019\n")
    assert (result.positions[0].start, result.positions[0].end) == ("2014", "2019")


# --------------------------------------------------------------------------- fixtures


def test_numbered_entries_fixture() -> None:
    """Numbered entries: keys, sections, venues without pages, owner by name."""
    result = parse_cv(
        (FIXTURES / "numbered_entries.txt").read_text(encoding="utf-8"), source_path="f"
    )
    assert result.owner_name == "Jane Q. Doe"
    assert [(p.key, p.section, p.owner_position, p.year) for p in result.publications] == [
        ("12", "conference", 2, 2019),
        ("11", "conference", 1, 2018),
        ("10", "journal", 1, 2017),
    ]
    assert (
        result.publications[1].venue_as_printed == "Proceedings of the ACM SIGCOMM 2018 Conference"
    )
    assert result.publications[0].venue_short == "NSDI '19"
    assert result.issues == ()


def test_inverted_names_fixture() -> None:
    """Inverted names with ``and`` / ``&`` separators split into persons as printed."""
    result = parse_cv(
        (FIXTURES / "inverted_names.txt").read_text(encoding="utf-8"), source_path="f"
    )
    first, second = result.publications
    assert first.authors == ("Smith, J.", "Doe, A. B.", "García-López, M.")
    assert second.authors == ("Doe, A. B.", "Smith, J.", "van der Berg, K.")
    assert (first.owner_position, second.owner_position) == (1, 2)
    assert first.venue_as_printed == "Journal of Networking"
    assert second.title == "Another Title: With a Subtitle"


def test_line_wrapped_entries_fixture() -> None:
    """Entries wrapped over lines, including one split inside ``Gerald Q.`` / ``Maguire Jr.``."""
    result = parse_cv(
        (FIXTURES / "line_wrapped_entries.txt").read_text(encoding="utf-8"), source_path="f"
    )
    c2, c1, p1 = result.publications
    assert result.owner_name == "Maria Rossi"
    assert c2.authors == ("Maria Rossi", "Paolo Bianchi", "Gerald Q. Maguire Jr.")
    assert c2.title == "A Very Long Title That Does Not Fit on One Line"
    assert (c2.venue_short, c2.year, c2.source_line) == ("EuroSys", 2021, 7)
    assert (c1.owner_position, c1.venue_short) == (1, "WoT")
    assert (p1.other_titles, p1.patent_application_numbers, p1.filed) == (
        ("System for Things",),
        ("US 17/123,456",),
        "2022-03",
    )


def test_plain_numbered_entries_in_publication_section() -> None:
    """``1. A. Title. Venue, 2020.`` entries are read inside a publication section."""
    result = parse(
        "Journal Articles\n\n1. Jane Doe. First. Some Journal, 2020.\n2. Jane Doe. Second. Other Journal, 2019.\n"
    )
    assert [(p.key, p.title, p.year) for p in result.publications] == [
        ("1", "First", 2020),
        ("2", "Second", 2019),
    ]


def test_heading_directly_after_complete_entry() -> None:
    """A known heading right below a finished entry (no blank line) starts a new section."""
    result = parse(
        "Journal Articles\n[J1] Jane Doe. A. *V*. 2020.\nPatents\n[P1] Jane Doe. M. US Patent Application 19/173,029.\n"
    )
    assert [p.section for p in result.publications] == ["journal", "patent"]


def test_wrapped_line_looking_like_heading_stays_in_entry() -> None:
    """A wrapped line such as ``Conference Proceedings`` under an unfinished entry is not a heading."""
    result = parse(
        "Journal Articles\n\n[J1] Jane Doe. A Title. In\nConference Proceedings\nof Foo, 2020.\n"
    )
    p = result.publications[0]
    assert (p.section, p.venue_as_printed, p.year) == (
        "journal",
        "Conference Proceedings of Foo",
        2020,
    )


def test_issue_quotes_line_and_path() -> None:
    """Issues carry the source path, the 1-based line and the line as printed."""
    result = parse("Journal Publications\n\n[J1] Jane Doe. T. *V*.\n")
    issue = result.issues[0]
    assert (issue.source_path, issue.line, issue.text) == (
        "raw/test-cv.txt",
        5,
        "[J1] Jane Doe. T. *V*.",
    )


def test_heading_shaped_continuation_after_page_break_stays_in_entry() -> None:
    """A short continuation such as ``Memory Subsystem`` after a page break is not a heading."""
    result = parse(
        "Patent Applications\n\n[P1] Jane Doe. Control of Data in\n\nMemory Subsystem\n\n[P2] Jane Doe. Other. PCT Application PCT/SE2021/050803.\n"
    )
    assert "cv-unknown-section" not in codes(result)
    assert result.publications[0].text == "[P1] Jane Doe. Control of Data in Memory Subsystem"
    assert [p.section for p in result.publications] == ["patent", "patent"]


def test_month_before_year_is_cut_from_venue_but_not_inside_a_word() -> None:
    """``…, June 2019`` drops the month; a venue ending in ``Seminar`` keeps its last word."""
    result = parse(
        "Conference Papers\n\n"
        "[1] Jane Doe. A. In Proc. of Foo, Boston, June 2019.\n"
        "[2] Jane Doe. B. In The Networking Seminar, 2018.\n"
    )
    assert [p.venue_as_printed for p in result.publications] == [
        "Proc. of Foo, Boston",
        "The Networking Seminar",
    ]
