"""Parse a researcher's academic CV, given as text, into publications and positions.

CVs reach us as text converted from PDF or HTML pages, so they carry markdown and
HTML debris (``**bold**`` owner names, ``[Download](#)`` links, tables whose cells
were scattered over many lines) and page breaks in the middle of entries. This
module turns such text into records that keep every value *as printed* next to
its normalized form, and reports whatever it could not place as an
:class:`~confdata.quality.issues.Issue` instead of guessing.

Everything here is pure: text in, records out. No file I/O, clock, randomness
or logging, so the same text always gives the same parse.

Supported publication styles:

* keyed bullets ``- [C1] A, **Owner**, B. Title, *Venue (VEN)*. 2024. …``;
* numbered entries ``[12] A, B, and C. Title. In Proceedings of …, 2019.``;
* inverted names ``Last, F., Last, F. and Last, F. Title. Venue, 2019.``;
* quoted titles ``A, B, and C, "Title," in Proc. …, 2019.``;
* any of these wrapped over several lines, or split by a page break.

The work is split by domain; this module is the façade that holds the public
API and runs the steps in order:

* :mod:`confdata.parse.cv.records`: the records (``CvParse``, ``CvPublication``,
  ``CvPosition``) and the issues they carry;
* :mod:`confdata.parse.cv.markup`: removing markdown/HTML debris;
* :mod:`confdata.parse.cv.dates`: printed dates and date ranges;
* :mod:`confdata.parse.cv.sections`: lines, headings and sections;
* :mod:`confdata.parse.cv.owner`: the owner's name, and the owner among authors;
* :mod:`confdata.parse.cv.authors`, :mod:`confdata.parse.cv.titles`,
  :mod:`confdata.parse.cv.entry_facts`: the parts of one publication entry;
* :mod:`confdata.parse.cv.publications`: publication entries of a section;
* :mod:`confdata.parse.cv.positions`: the work-experience table and education.
"""

from __future__ import annotations

import re

from confdata.errors import RawInputError
from confdata.parse.cv.owner import _find_owner
from confdata.parse.cv.positions import _parse_education, _parse_work
from confdata.parse.cv.publications import _duplicate_keys, _parse_publication_section
from confdata.parse.cv.records import (
    CvParse,
    CvPosition,
    CvPublication,
    PositionKind,
    PublicationSection,
    _issue,
)
from confdata.parse.cv.sections import (
    _KEYED_ENTRY_RE,
    _classify_heading,
    _Section,
    _segment,
    _split_lines,
)
from confdata.parse.usenix.end import TRUNCATED_TEXT_CODE, ends_like_prose, ends_mid_line
from confdata.quality.issues import Issue

__all__ = [
    "CvParse",
    "CvPosition",
    "CvPublication",
    "PositionKind",
    "PublicationSection",
    "looks_like_cv",
    "parse_cv",
]

# The version of what this parser makes of a CV. Bump it with any change that can
# change a parse's output (this module, the cv_*.py modules, staging.cv_frames):
# cached parses of CVs are keyed on it (see README, "Incremental runs, locking and
# crash safety").
PARSER_VERSION = 3


# --------------------------------------------------------------------------- API


def looks_like_cv(text: str) -> bool:
    """Tell, from the content alone, whether a text is an academic CV.

    A CV either calls itself one ("Curriculum Vitae", "CV", "Résumé") or has
    publication/education/experience headings, and lists publication entries.
    Program pages of conferences have paper titles but neither CV headings nor
    ``[C1]``-style entries, so they are not taken for CVs.

    Args:
        text: The whole text of a raw file.

    Returns:
        True when the text reads as a CV.
    """
    lines = _split_lines(text)
    head = " ".join(lines[:15])
    calls_itself_cv = bool(
        re.search(r"curriculum\s+vitae|\bCV\b|r[ée]sum[ée]", head, re.IGNORECASE)
    )
    entries = sum(1 for line in lines if _KEYED_ENTRY_RE.match(line))
    if not calls_itself_cv and entries < 2:
        # No headings can make it a CV then; classifying every line of a long
        # program page as a heading would cost more than the rest of discovery.
        return False
    kinds = {_classify_heading(line) for line in lines}
    pub_heading = bool(kinds & {"conference", "journal", "patent", "workshop", "publications"})
    bio_heading = bool(kinds & {"education", "work"})
    if calls_itself_cv:
        return pub_heading or bio_heading or entries >= 2
    return entries >= 2 and (pub_heading or bio_heading)


def parse_cv(text: str, *, source_path: str) -> CvParse:
    """Parse a CV given as text into its owner, publications and positions.

    Args:
        text: The whole CV as text (markdown/HTML debris is expected).
        source_path: Path of the raw file, used in issues and errors.

    Returns:
        The parse, with an issue for every unknown section, leftover table cell
        and entry part that could not be read.

    Raises:
        RawInputError: When the text is empty, names no owner in its first lines,
            has neither publication entries nor positions, or ends in the middle
            of a line of a publication entry or a position (see :func:`_check_end`).
    """
    lines = _split_lines(text)
    if not any(line.strip() for line in lines):
        raise RawInputError(source_path, 0, "a researcher's CV", found="empty text")
    sections, issues = _segment(lines, source_path)
    owner, owner_line = _find_owner(lines, sections, source_path)
    publications: list[CvPublication] = []
    work: list[CvPosition] = []
    education: list[CvPosition] = []
    for section in sections:
        if section.publication_kind is not None:
            publications_here, found = _parse_publication_section(section, owner, source_path)
            publications.extend(publications_here)
            issues.extend(found)
        elif section.kind == "work":
            positions, found = _parse_work(section, source_path)
            work.extend(positions)
            issues.extend(found)
        elif section.kind == "education":
            positions, found = _parse_education(section, source_path)
            education.extend(positions)
            issues.extend(found)
        elif section.kind == "skipped":
            issues.append(
                _issue(
                    "cv-section-not-parsed",
                    "info",
                    f"section {section.heading!r} is not read by the CV parser",
                    source_path,
                    section.heading_line,
                    lines[section.heading_line - 1],
                )
            )
    if not publications and not work and not education:
        raise RawInputError(
            source_path,
            0,
            "publication entries such as '[C1] Authors. Title …' or work/education positions",
            found="none",
        )
    issues.extend(_duplicate_keys(publications, lines, source_path))
    if sections and (cut := _check_end(text, sections[-1], source_path)) is not None:
        issues.append(cut)
    issues.sort(key=lambda i: (i.line, i.code, i.key, i.text))
    return CvParse(
        owner_name=owner,
        owner_line=owner_line,
        publications=tuple(publications),
        positions=tuple(work + education),
        issues=tuple(issues),
    )


def _check_end(text: str, last: _Section, source_path: str) -> Issue | None:
    """Refuse a CV cut off inside an entry; warn when it is cut in a section not read.

    A CV that stops in the middle of its last line (no line break after it) and
    without final punctuation was cut there (the real CV ends "… TV Series.").
    In a publication, work or education section the cut entry would be
    published misread (a cut title or venue), so the file is refused; in a
    section the parser does not read it is only reported (``truncated-text``).
    """
    if not last.lines or not ends_mid_line(text):
        return None
    no, line = last.lines[-1]
    if ends_like_prose(line):
        return None
    if last.publication_kind is not None or last.kind in ("work", "education"):
        raise RawInputError(
            source_path,
            no,
            f"a complete entry of the section {last.heading!r} (the file ends in the middle of "
            f"line {no}, without a final line break: is it cut off?)",
            line,
        )
    return _issue(
        TRUNCATED_TEXT_CODE,
        "warning",
        f"the file ends in the middle of this line of the section {last.heading!r} (not read "
        "as entries), as if it were cut off: the rest of the CV may be missing",
        source_path,
        no,
        line,
    )
