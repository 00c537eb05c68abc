"""Cut a CV's text into lines and sections at its headings.

Headings are recognised by their words (publications, experience, education, or
sections the parser skips); an unknown heading-like line starts a section only
when publication entries follow it. Page breaks may split an entry, so a line
is a heading only when the text above it is complete.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from confdata.parse.cv.markup import _LINK_RE, _STRONG_RE
from confdata.parse.cv.records import PublicationSection, _issue
from confdata.quality.issues import Issue

# Heading words. Checked in the order of _classify_heading; see there for why.
_PUBLICATION_KINDS: tuple[tuple[re.Pattern[str], PublicationSection], ...] = (
    (re.compile(r"\bpatents?\b"), "patent"),
    (re.compile(r"\bjournals?\b|\barticles?\b|\btransactions\b"), "journal"),
    (re.compile(r"\bconferences?\b|\bproceedings\b|\bsymposi(?:a|um)\b"), "conference"),
    (
        re.compile(
            r"\bworkshops?\b|\bpreprints?\b|\bposters?\b|\bdemos?\b|\btechnical reports?\b"
            r"|\bextended abstracts?\b"
        ),
        "workshop",
    ),
)
_PUBLICATIONS_WORD = re.compile(r"\bpublications?\b|\bpapers\b|\bbibliography\b")
_EDUCATION_WORD = re.compile(r"\beducation\b|\bdegrees\b|\bacademic background\b")
_WORK_WORD = re.compile(
    r"\bexperience\b|\bemployment\b|\bpositions?\b|\bappointments?\b|\bcareer\b"
)
_SKIPPED_WORD = re.compile(
    r"\bfund(?:ed|ing)\b|\bgrants?\b|\bopen[- ]source\b|\bsoftware\b|\bhonou?rs\b|\bawards?\b"
    r"|\bservices?\b|\bskills\b|\bhobbies\b|\bteaching\b|\btalks\b|\bpresentations\b"
    r"|\bstudents\b|\bsupervision\b|\bmentoring\b|\breferences\b|\blanguages\b"
    r"|\binterests\b|\bsummary\b|\bprofile\b|\bcontact\b|\bmemberships?\b|\bactivities\b"
    r"|\bprojects\b|\bcommittees?\b|\breviewing\b|\bpress\b|\bmedia\b"
)

# Entry starts: "- [C1] …", "[12] …", "• [P3] …"; and "12. …" inside publication sections.
_KEYED_ENTRY_RE = re.compile(r"^\s*(?:[-*•]\s*)?\[(?P<key>[A-Za-z]{0,3}\d{1,4})\]\s*(?P<rest>.*)$")
_NUMBERED_ENTRY_RE = re.compile(r"^\s*(?P<key>\d{1,3})\.\s+(?P<rest>\S.*)$")


# --------------------------------------------------------------------------- lines


def _split_lines(text: str) -> list[str]:
    """Split on newlines only, so line numbers match what an editor shows.

    ``str.splitlines`` would also split on form feeds and other separators that
    PDF converters leave inside lines, shifting every later line number.
    """
    return [line.rstrip("\r") for line in text.split("\n")]


def _strip_heading_markup(line: str) -> str:
    """Remove markdown heading marks, emphasis and trailing dot leaders from a line."""
    s = line.strip().lstrip("#").strip()
    s = _STRONG_RE.sub(lambda m: m.group("a") or m.group("b") or m.group("c"), s)
    s = s.strip("*_ ")
    # A dot leader ("Publications.....") or a colon ends a heading. (String methods,
    # not ``\s*\.{2,}$``: that regex is quadratic on a long run of spaces.)
    if s.endswith(".."):
        s = s.rstrip(".")
    elif s.endswith(":"):
        s = s[:-1]
    return s.strip()


def _is_heading_like(line: str) -> bool:
    """Whether a line has the shape of a section heading (short, no sentence, no data).

    Shape alone never makes a heading: known headings are matched by their words,
    and an unknown heading-like line only counts when publication entries follow.
    """
    raw = line.strip()
    if not raw or raw[0] in "-•[|(" or "|" in raw or "](" in raw:
        return False
    s = _strip_heading_markup(raw)
    if not s or not s[0].isalpha() or not s[0].isupper() or len(s) > 90:
        return False
    if ":" in s or s[-1] in ".,;" or len(s.split()) > 12:
        return False
    return not _KEYED_ENTRY_RE.match(s)


_HeadingKind = Literal[
    "conference", "journal", "patent", "workshop", "publications", "work", "education", "skipped"
]


def _classify_heading(line: str) -> _HeadingKind | None:
    """Map a heading-like line to a section kind by its words, None when unknown.

    Order matters: "Honors and Awards" must be a skipped section although it
    contains no publication word, "Conference Talks" is talks rather than
    papers, and "Workshop Papers, Preprints, …" is one kind because the earliest
    publication word decides.
    """
    if not _is_heading_like(line):
        return None
    s = _strip_heading_markup(line).lower()
    has_pub_word = bool(_PUBLICATIONS_WORD.search(s))
    if _EDUCATION_WORD.search(s):
        return "education"
    if _WORK_WORD.search(s) and not has_pub_word:
        return "work"
    if _SKIPPED_WORD.search(s) and not has_pub_word:
        return "skipped"
    found = [(m.start(), kind) for rx, kind in _PUBLICATION_KINDS if (m := rx.search(s))]
    if found:
        return min(found)[1]
    if has_pub_word:
        return "publications"
    return None


def _is_entry_start(line: str, in_publications: bool) -> re.Match[str] | None:
    """Match a publication entry's first line; bare ``12.`` counts only in publications."""
    m = _KEYED_ENTRY_RE.match(line)
    if m and m.group("rest").strip():
        return m
    if in_publications:
        return _NUMBERED_ENTRY_RE.match(line)
    return None


def _ends_open(text: str) -> bool:
    """Whether printed text stops mid-sentence (unbalanced brackets or no final stop).

    Used to recognise an entry that continues after a page break.
    """
    state = _OpenText()
    state.add(text)
    return state.ends_open


@dataclass(slots=True)
class _OpenText:
    """Whether text read so far stops mid-sentence, kept up to date line by line.

    Adding a line costs time proportional to that line, so asking after every
    line of a long entry stays linear (re-reading the joined entry was quadratic).
    Links are removed line by line.
    """

    parens: int = 0
    brackets: int = 0
    last: str = ""  # the last character printed, white space and links aside

    def add(self, line: str) -> None:
        """Take one more line of the text into account."""
        s = _LINK_RE.sub("", line)
        self.parens += s.count("(") - s.count(")")
        self.brackets += s.count("[") - s.count("]")
        s = s.rstrip()
        if s:
            self.last = s[-1]

    @property
    def ends_open(self) -> bool:
        """True when brackets are unbalanced or the text lacks a final stop."""
        if self.parens > 0 or self.brackets > 0:
            return True
        return bool(self.last) and self.last not in ".!?)]*"


# --------------------------------------------------------------------------- sections


@dataclass(slots=True)
class _Section:
    """A run of lines under one heading (mutable while segmenting)."""

    kind: _HeadingKind | Literal["header", "other"]
    heading: str
    heading_line: int
    lines: list[tuple[int, str]] = field(default_factory=list)

    @property
    def publication_kind(self) -> PublicationSection | None:
        """The publication section kind, None when this is not a publication section."""
        return _SECTION_OF_KIND.get(self.kind)


_SECTION_OF_KIND: dict[str, PublicationSection] = {
    "conference": "conference",
    "journal": "journal",
    "patent": "patent",
    "workshop": "workshop",
    "other": "other",
    # Entries right under a general "Publications" heading have no known kind.
    "publications": "other",
}


def _segment(lines: Sequence[str], path: str) -> tuple[list[_Section], list[Issue]]:
    """Cut the CV into sections at known headings, and at unknown ones before entries.

    An unknown heading-like line is held back until the next non-blank line: if
    that line starts a publication entry, the held line is an unknown publication
    section (reported); otherwise it is ordinary content of the current section.
    """
    sections = [_Section("header", "", 0)]
    issues: list[Issue] = []
    held: tuple[int, str] | None = None
    previous = ""  # the line just above, "" when blank
    last_text = ""  # the last non-blank line of the current section

    def release_held() -> None:
        # Put the held line back where it was printed, before the blank lines after it.
        nonlocal held
        if held:
            bisect.insort(sections[-1].lines, held)
            held = None

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            sections[-1].lines.append((number, line))
            previous = ""
            continue
        in_pubs = sections[-1].publication_kind is not None
        # A heading directly under text counts only when that text is complete, so a
        # wrapped title line such as "Conference Proceedings" stays inside its entry.
        kind = _classify_heading(line) if not previous or not _ends_open(previous) else None
        if kind is not None:
            release_held()
            sections.append(_Section(kind, _strip_heading_markup(line), number))
            last_text = ""
        elif held and _is_entry_start(line, in_pubs):
            held_number, held_line = held
            held = None
            current = sections[-1]
            # The blank lines collected after the held heading belong to the new section.
            moved = [entry for entry in current.lines if entry[0] > held_number]
            del current.lines[len(current.lines) - len(moved) :]
            sections.append(_Section("other", _strip_heading_markup(held_line), held_number, moved))
            issues.append(
                _issue(
                    "cv-unknown-section",
                    "warning",
                    "heading not in the table of publication headings; its entries are "
                    "parsed with section 'other'",
                    path,
                    held_number,
                    held_line,
                )
            )
            sections[-1].lines.append((number, line))
            last_text = line
        else:
            release_held()
            # After a page break an entry may go on with a short, heading-shaped line.
            continuing = in_pubs and bool(last_text) and _ends_open(last_text)
            if _is_heading_like(line) and not previous and not continuing:
                held = (number, line)
            else:
                sections[-1].lines.append((number, line))
                last_text = line
        previous = line
    release_held()
    return sections, issues
