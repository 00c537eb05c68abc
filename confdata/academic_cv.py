"""Parse a researcher's academic CV, given as text, into publications and positions.

CVs reach us as text converted from PDF or HTML pages, so they carry markdown and
HTML debris (``**bold**`` owner names, ``[Download](#)`` links, tables whose cells
were scattered over many lines) and page breaks in the middle of entries. This
module turns such text into records that keep every value *as printed* next to
its normalized form, and reports whatever it could not place as an
:class:`~confdata.issues.Issue` instead of guessing.

Everything here is pure: text in, records out. No file I/O, clock, randomness
or logging, so the same text always gives the same parse.

Supported publication styles:

* keyed bullets ``- [C1] A, **Owner**, B. Title, *Venue (VEN)*. 2024. …``;
* numbered entries ``[12] A, B, and C. Title. In Proceedings of …, 2019.``;
* inverted names ``Last, F., Last, F. and Last, F. Title. Venue, 2019.``;
* quoted titles ``A, B, and C, "Title," in Proc. …, 2019.``;
* any of these wrapped over several lines, or split by a page break.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from confdata.errors import RawInputError
from confdata.issues import Issue, Severity

PublicationSection = Literal["conference", "journal", "patent", "workshop", "other"]
PositionKind = Literal["work", "education"]
# Reports one issue about the entry being parsed: (code, severity, message).
_Report = Callable[[str, Severity, str], None]

__all__ = [
    "CvParse",
    "CvPosition",
    "CvPublication",
    "PositionKind",
    "PublicationSection",
    "looks_like_cv",
    "parse_cv",
]


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class CvPublication:
    """One publication entry of a CV, in the order the CV lists it.

    Attributes:
        key: The entry's label without brackets: ``C1``, ``P14``, or ``12`` for
            numbered styles.
        section: Kind of publication, from the section heading it is listed under;
            ``other`` when the heading is unknown or missing.
        section_heading: The heading as printed (markup removed), "" when none.
        authors: Author names exactly as printed, with markup removed.
        owner_position: 1-based index of the CV owner among ``authors``, found by
            bold/underline markup or by name; None when not found or ambiguous.
        title: Title with markup removed; alternative titles are in ``other_titles``.
        venue_as_printed: Venue, patent office text or report kind, markup removed.
        venue_short: Abbreviation the text gives for the venue, e.g. ``NSDI``.
        year: Year of publication (for patents: of filing), None when not printed.
        awards: Award notes printed with the entry, e.g. ``Community Award Winner!``.
        accepted: Accepted papers from an acceptance rate such as ``28/104``.
        submitted: Submitted papers from that acceptance rate.
        acceptance_rate_as_printed: The rate as printed, e.g. ``28/104 ≈ 26.9%``.
        acceptance_note: Qualifier of the rate, e.g. ``Spring`` (deadline).
        impact_factor: Journal impact factor printed with the entry.
        patent_application_numbers: e.g. ``US 19/173,029`` or ``PCT/SE2023/050880``.
        patent_grant_numbers: Granted patent numbers, e.g. ``US12111766B2``.
        filed: Filing date as ``YYYY-MM`` (or ``YYYY``) from ``Filed in …``.
        other_titles: Titles given in ``(Other name: …)``.
        source_line: 1-based line of the entry's first line in the CV text.
        text: The whole entry as printed (bullet removed), its lines joined.
    """

    key: str
    section: PublicationSection
    section_heading: str
    authors: tuple[str, ...]
    owner_position: int | None
    title: str
    venue_as_printed: str | None
    venue_short: str | None
    year: int | None
    awards: tuple[str, ...]
    accepted: int | None
    submitted: int | None
    acceptance_rate_as_printed: str | None
    acceptance_note: str | None
    impact_factor: float | None
    patent_application_numbers: tuple[str, ...]
    patent_grant_numbers: tuple[str, ...]
    filed: str | None
    other_titles: tuple[str, ...]
    source_line: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain JSON-ready values (tuples become lists)."""
        return _plain(asdict(self))


@dataclass(frozen=True, slots=True)
class CvPosition:
    """One job or degree from the work-experience or education section.

    Attributes:
        kind: ``work`` or ``education``.
        organization_as_printed: Employer or university as printed, e.g. ``KTH``.
        unit: Team, lab, school or department within it, when printed.
        role: Job title or degree, e.g. ``Doctoral Researcher``.
        place: Place as printed, e.g. ``Stockholm, Sweden``.
        start_as_printed: Start date as printed, e.g. ``August 2017``.
        end_as_printed: End date as printed, e.g. ``now``; None when only one date.
        start: Start as precise as printed: ``2017-08``, ``2013``, ``2013-fall``.
        end: End in the same form; None when current or not printed.
        is_current: True when the end is printed as ``now``/``present``.
        details: Further lines printed for the position (bullets, advisors, …).
        source_line: 1-based line where the position's organization is printed.
    """

    kind: PositionKind
    organization_as_printed: str
    unit: str | None
    role: str | None
    place: str | None
    start_as_printed: str | None
    end_as_printed: str | None
    start: str | None
    end: str | None
    is_current: bool
    details: tuple[str, ...]
    source_line: int

    def to_dict(self) -> dict[str, Any]:
        """Return the record as plain JSON-ready values (tuples become lists)."""
        return _plain(asdict(self))


@dataclass(frozen=True, slots=True)
class CvParse:
    """Everything read from one CV.

    Attributes:
        owner_name: The CV owner's name as printed, e.g. ``Alireza Farshin``.
        owner_line: 1-based line the name was read from.
        publications: Publication entries in the order listed.
        positions: Work positions (in table order), then education (in order).
        issues: Everything the parser could not place or had to interpret.
    """

    owner_name: str
    owner_line: int
    publications: tuple[CvPublication, ...]
    positions: tuple[CvPosition, ...]
    issues: tuple[Issue, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the parse as plain JSON-ready values (for golden files and reports)."""
        return {
            "owner_name": self.owner_name,
            "owner_line": self.owner_line,
            "publications": [p.to_dict() for p in self.publications],
            "positions": [p.to_dict() for p in self.positions],
            "issues": [i.to_dict() for i in self.issues],
        }


def _plain(value: Any) -> Any:
    """Turn tuples into lists recursively so the value round-trips through JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# --------------------------------------------------------------------------- vocabulary

_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_SEASON = r"(?:Spring|Summer|Fall|Autumn|Winter)"
_YEAR = r"(?:19|20)\d{2}"
_DATE = rf"(?:{_MONTH}\s+{_YEAR}|{_SEASON}[\s-]+{_YEAR}|\d{{1,2}}/{_YEAR}|{_YEAR})"
_OPEN_END = r"(?:now|present|current|today|ongoing)"
_RANGE_RE = re.compile(
    rf"(?P<start>{_DATE})\s*(?:–|—|-|\bto\b|\buntil\b)\s*(?P<end>{_DATE}|{_OPEN_END})",
    re.IGNORECASE,
)
_SINGLE_DATE_RE = re.compile(rf"(?P<start>{_DATE})", re.IGNORECASE)
# A year as a token of its own; "arXiv:2019.01234" and "19/173,029" are not years.
_YEAR_TOKEN_RE = re.compile(rf"(?<![\w/.:,-]){_YEAR}(?![\w/,]|\.\d)")

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

_LINK_RE = re.compile(r"\[(?P<text>(?:\\.|[^\]\[\\])*)\]\((?P<url>[^)\s]*)\)")
# Link labels that only point at a file; the label carries no bibliographic data.
_LINK_LABEL_RE = re.compile(
    r"^(?:Download|PDF|Paper|Slides|Video|Watch|Code|Link|Preprint|DOI|BibTeX)\b\s*",
    re.IGNORECASE,
)
_HTML_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_STRONG_RE = re.compile(
    r"\*\*(?P<a>.+?)\*\*|__(?P<b>.+?)__|<(?:b|strong|u)>(?P<c>.+?)</(?:b|strong|u)>"
)
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!$|&<>~])")
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?!\s)(?P<x>[^*]+?)(?<!\s)\*(?![\w*])")

_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.\-]*|van|von|der|den|de|del|della|di|da|du|la|le|al|el|bin)"
_NAME_RE = re.compile(rf"^{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}$")
_PLACE_RE = re.compile(
    r"^[A-ZÀ-Þ][^\W\d_][^\d,;:|()]{0,40},\s*[A-ZÀ-Þ][^\d,;:|()]{1,40}(?:,\s*[A-ZÀ-Þ][^\d,;:|()]{1,40})?$"
)
_UNIT_WORDS = re.compile(
    r"\b(?:School|Department|Dept\.?|Faculty|Division|Laboratory|Lab|Institute|College"
    r"|Center|Centre|Group|Team|Unit|Program(?:me)?)\b"
)


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
    s = re.sub(r"(?:\s*\.{2,}|\s*:)$", "", s)
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
    s = _LINK_RE.sub("", text).rstrip()
    if s.count("(") > s.count(")") or s.count("[") > s.count("]"):
        return True
    return bool(s) and s[-1] not in ".!?)]*"


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


# --------------------------------------------------------------------------- issues


def _issue(
    code: str, severity: Severity, message: str, path: str, line: int, text: str, key: str = ""
) -> Issue:
    """Build an Issue located in the CV; the quoted text is trimmed but kept as printed."""
    return Issue(
        code=code,
        severity=severity,
        message=message,
        source_path=path,
        line=line,
        text=text.strip(),
        key=key,
    )


# --------------------------------------------------------------------------- owner


def _looks_like_name(s: str) -> bool:
    """Whether a string has the shape of a personal name (2–5 capitalised words)."""
    return bool(_NAME_RE.match(s)) and not any(ch.isdigit() for ch in s)


def _find_owner(lines: Sequence[str], sections: Sequence[_Section], path: str) -> tuple[str, int]:
    """Read the owner's name from the CV header.

    Accepts ``Name | Curriculum Vitae``, ``Curriculum Vitae`` followed by the
    name, or a name as the first line. The owner is who the CV is about, so a CV
    without one cannot be read at all.

    Raises:
        RawInputError: When no line of the header reads as a name.
    """
    header_end = sections[1].heading_line if len(sections) > 1 else len(lines) + 1
    candidates = [
        (n, _clean_inline(line)) for n, line in enumerate(lines[: header_end - 1], start=1)
    ]
    candidates = [(n, s) for n, s in candidates if s][:12]
    title_re = re.compile(r"curriculum\s+vitae|\bcv\b|r[ée]sum[ée]", re.IGNORECASE)
    for index, (number, s) in enumerate(candidates):
        if not title_re.search(s):
            continue
        rest = title_re.sub(" ", s)
        rest = re.sub(r"^[\s|:–—,-]+|[\s|:–—,-]+$", "", re.sub(r"\s+", " ", rest))
        if rest and _looks_like_name(rest):
            return rest, number
        if not rest and index + 1 < len(candidates) and _looks_like_name(candidates[index + 1][1]):
            return candidates[index + 1][1], candidates[index + 1][0]
    if candidates and _looks_like_name(candidates[0][1]):
        return candidates[0][1], candidates[0][0]
    first = candidates[0] if candidates else (0, "")
    raise RawInputError(
        path,
        first[0],
        "the CV owner's name on one of the first lines (e.g. 'Jane Doe | Curriculum Vitae')",
        found=first[1],
    )


def _name_key(name: str) -> tuple[str, str, str]:
    """Reduce a printed name to (surname, first initial, given names) for matching.

    Accents, case and punctuation are dropped; ``Last, F.`` is read as inverted.
    """
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    if "," in plain:
        surname, _, given = plain.partition(",")
    else:
        words = plain.split()
        words = [w for w in words if w.strip(".") not in ("jr", "sr", "ii", "iii")]
        surname, given = (words[-1], " ".join(words[:-1])) if words else ("", "")
    surname = re.sub(r"[^a-z]", "", surname)
    given = re.sub(r"[^a-z ]", " ", given).split()
    initial = given[0][0] if given else ""
    full = given[0] if given and len(given[0]) > 1 else ""
    return surname, initial, full


def _is_owner(author: str, owner: str) -> bool:
    """Whether a printed author name denotes the owner (surname and initial agree)."""
    a, b = _name_key(author), _name_key(owner)
    if not a[0] or a[0] != b[0] or a[1] != b[1]:
        return False
    return not (a[2] and b[2] and a[2] != b[2])


# --------------------------------------------------------------------------- markup


def _semi_clean(text: str) -> str:
    """Remove links, escapes, bold and HTML but keep ``*italic*`` marks.

    Italics are kept because in many CVs they are the only printed boundary
    between a title and its venue; :func:`_strip_emphasis` removes them later.
    """

    def link(m: re.Match[str]) -> str:
        label = _ESCAPE_RE.sub(r"\1", m.group("text")).strip()
        return _LINK_LABEL_RE.sub("", label).strip()

    s = _LINK_RE.sub(link, text)
    s = _ESCAPE_RE.sub(r"\1", s)
    s = _STRONG_RE.sub(lambda m: m.group("a") or m.group("b") or m.group("c"), s)
    s = _HTML_TAG_RE.sub("", s)
    s = re.sub(r"\(\s*\)|\[\s*\]", "", s)  # brackets emptied by removed "Download" links
    s = re.sub(r"\s+", " ", s)
    s = re.sub(r"\s+([.,;:])", r"\1", s)
    return s.strip()


def _strip_emphasis(text: str) -> str:
    """Remove the remaining ``*italic*`` marks and tidy spaces."""
    s = _ITALIC_RE.sub(lambda m: m.group("x"), text)
    s = s.replace("*", "")
    return re.sub(r"\s+", " ", s).strip()


def _clean_inline(text: str) -> str:
    """Fully clean a line of markup (links keep their label, emphasis is dropped)."""
    s = _LINK_RE.sub(lambda m: _ESCAPE_RE.sub(r"\1", m.group("text")), text)
    s = _ESCAPE_RE.sub(r"\1", s)
    s = _STRONG_RE.sub(lambda m: m.group("a") or m.group("b") or m.group("c"), s)
    s = _HTML_TAG_RE.sub("", s)
    s = s.lstrip("#").strip()
    return _strip_emphasis(s)


def _strong_names(text: str) -> set[str]:
    """Bold or underlined spans of an entry: how CVs mark the owner among authors."""
    return {
        _clean_inline(m.group("a") or m.group("b") or m.group("c"))
        for m in _STRONG_RE.finditer(text)
    }


# --------------------------------------------------------------------------- authors

_INVERTED_START_RE = re.compile(r"^[^\s,.;()*][^,.;()]{0,40},\s+[A-Z][a-z]?\.")
_INVERTED_AUTHOR_RE = re.compile(
    r"(?P<name>[^\s,.;()][^,.;()]{0,40}?,\s+[A-Z][a-z]?\.(?:\s?-?[A-Z][a-z]?\.)*)"
)
_INVERTED_SEP_RE = re.compile(r",?\s+(?:and|&)\s+|,\s+(?:and\s+|&\s+)?")
_SUFFIXES = {"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"}


def _author_end(s: str) -> int | None:
    """Index of the period that ends a plain author list, None when there is none.

    A period after an initial (``Gerald Q. Maguire``) or before ``and`` continues
    the list; any other period followed by a space ends it (``Jr. Title`` too).
    Only single capitals count as initials: ``Li.`` or ``Wu.`` end a list.
    """
    for m in re.finditer(r"\.(?=\s)", s):
        before = s[: m.start()].split()
        word = before[-1].strip("*_") if before else ""
        if re.fullmatch(r"[A-Z](?:\.-?[A-Z])*", word):
            continue
        if re.match(r"\s+(?:and|&)\s", s[m.end() :]):
            continue
        return m.start()
    return None


def _split_plain_names(s: str) -> list[str]:
    """Split ``A, B, and C`` / ``A and B`` into names, rejoining ``, Jr.`` suffixes."""
    parts = [p.strip() for p in re.split(r",\s*(?:and\s+|&\s+)?|\s+(?:and|&)\s+", s)]
    names: list[str] = []
    for part in parts:
        if not part:
            continue
        if part in _SUFFIXES and names:
            names[-1] = f"{names[-1]}, {part}"
        else:
            names.append(part)
    return names


def _split_inverted(s: str) -> tuple[list[str], str]:
    """Read ``Last, F., Last, F. and Last, F.`` names from the start of ``s``.

    Returns:
        The names as printed and the text after them.
    """
    names: list[str] = []
    pos = 0
    while m := _INVERTED_AUTHOR_RE.match(s, pos):
        names.append(m.group("name").strip())
        pos = m.end()
        sep = _INVERTED_SEP_RE.match(s, pos)
        if not sep or not _INVERTED_AUTHOR_RE.match(s, sep.end()):
            break
        pos = sep.end()
    return names, s[pos:]


@dataclass(frozen=True, slots=True)
class _Authors:
    """Authors read from the start of an entry, and what follows them."""

    names: tuple[str, ...]
    rest: str
    quoted_title: str | None = None


def _read_authors(s: str) -> _Authors | None:
    """Read the author list at the start of an entry body; None when none is found."""
    if _INVERTED_START_RE.match(s):
        names, rest = _split_inverted(s)
        if names:
            return _Authors(tuple(names), rest.lstrip(" ,.;"))
    end = _author_end(s)
    quote = re.search(r'[“"]', s)
    if quote and (end is None or quote.start() < end):
        close = re.search(r'[”"]', s[quote.end() :])
        if close:
            title = s[quote.end() : quote.end() + close.start()].strip().rstrip(",.")
            names = _split_plain_names(s[: quote.start()].strip().rstrip(","))
            rest = s[quote.end() + close.end() :].lstrip(" ,.")
            return _Authors(tuple(names), rest, title)
    if end is None:
        return None
    head = s[:end].strip()
    names = _split_plain_names(head)
    if names:
        last_word = names[-1].rsplit(None, 1)[-1]
        # The period doubles as the list's full stop; it is printed as part of "Jr." / "Q.".
        if last_word in ("Jr", "Sr") or re.fullmatch(r"[A-Z]", last_word):
            names[-1] += "."
    return _Authors(tuple(names), s[end + 1 :].strip())


# --------------------------------------------------------------------------- title / venue

_OTHER_NAME_RE = re.compile(
    r"\(\s*\*?(?:Other names?|Also known as|a\.k\.a\.?)\*?\s*:\s*", re.IGNORECASE
)
_ITALIC_VENUE_RE = re.compile(
    r"^(?P<title>.+?)(?:,|\s+[Ii]n:?)\s+\*(?P<venue>[^*]+)\*(?P<tail>.*)$"
)
_PATENT_START_RE = re.compile(
    r"\.\s+(?=(?:(?:US|U\.S\.|EP|European|PCT|WO|International|Swedish|Chinese|German)\s+)?"
    r"(?:Provisional\s+)?(?:Patent\b|PCT\s+Application\b))"
)
_TITLE_END_RE = re.compile(r"(?<=[?!])\s+(?=\S)|\.\s+(?=\S)")


def _extract_other_names(s: str) -> tuple[tuple[str, ...], str]:
    """Pull ``(Other name: …)`` groups out of an entry, matching nested parentheses."""
    others: list[str] = []
    while m := _OTHER_NAME_RE.search(s):
        depth, end = 1, None
        for i in range(m.end(), len(s)):
            depth += {"(": 1, ")": -1}.get(s[i], 0)
            if depth == 0:
                end = i
                break
        if end is None:
            break
        others.append(_strip_emphasis(s[m.end() : end]))
        s = (s[: m.start()].rstrip() + " " + s[end + 1 :].lstrip()).strip()
        s = re.sub(r"\s+([.,;:])", r"\1", s)
    return tuple(others), s


def _sentence_end(s: str) -> int:
    """Index of the first full stop in ``s`` that is not an abbreviation, else len(s)."""
    for m in re.finditer(r"\.(?=\s|$)", s):
        word = s[: m.start()].rsplit(None, 1)[-1] if s[: m.start()].strip() else ""
        if re.fullmatch(r"(?:[A-Z]\.)*[A-Z]|No|no|Proc|Vol|vol|pp", word):
            continue
        return m.start()
    return len(s)


def _split_title_venue(rest: str, quoted_title: str | None) -> tuple[str, str | None, str]:
    """Split what follows the authors into title, venue and tail (year, notes).

    Tries, in order: an italic venue (``Title, *Venue*.`` / ``Title In *Venue*.``),
    a patent office text (``Title. US Patent Application …``), then the plain
    sentence style (``Title. In Venue, 2019.``), where the venue ends at the year.
    """
    if quoted_title is not None:
        return quoted_title, *_venue_until_year(re.sub(r"^[Ii]n:?\s+", "", rest))
    if m := _ITALIC_VENUE_RE.match(rest):
        return m.group("title"), m.group("venue"), m.group("tail")
    if m := _PATENT_START_RE.search(rest):
        after = rest[m.end() :]
        cut = _sentence_end(after)
        return rest[: m.start()], after[:cut], after[cut:]
    m = _TITLE_END_RE.search(rest)
    if not m:
        return rest, None, ""
    title = rest[: m.start()]
    after = re.sub(r"^[Ii]n:?\s+", "", rest[m.end() :])
    return title, *_venue_until_year(after)


def _venue_until_year(after: str) -> tuple[str | None, str]:
    """Cut a plain-style venue at its year (the last year printed); the rest is the tail."""
    years = list(_YEAR_TOKEN_RE.finditer(after))
    if not years:
        cut = _sentence_end(after)
        return after[:cut] or None, after[cut:]
    year = years[-1]
    venue = after[: year.start()]
    venue = re.sub(rf"[\s,]*(?:\b{_MONTH})?[\s,]*$", "", venue, flags=re.IGNORECASE)
    # Volume, issue and pages are not part of the venue's name.
    venue = re.sub(r"(?:,\s*(?:vol\.|no\.|pp?\.|pages)\s*[\d–-]+(?:\s*[–-]+\s*\d+)?)+$", "", venue)
    venue = re.sub(r",\s*\d+\s*\(\d+\)(?:\s*:\s*\d+(?:\s*[–-]+\s*\d+)?)?$", "", venue)
    return venue.strip(" ,.") or None, after[year.start() :]


def _venue_short(venue: str | None) -> str | None:
    """The abbreviation printed in parentheses at the end of a venue, if any."""
    if not venue:
        return None
    m = re.search(r"\(([^()]{1,25})\)\s*$", venue)
    if m and any(ch.isupper() for ch in m.group(1)):
        return m.group(1).strip()
    return None


# --------------------------------------------------------------------------- tail

_ACCEPTANCE_RE = re.compile(
    r"Acceptance\s+rate(?:\s*\((?P<note>[^)]*)\))?\s*:?\s*"
    r"(?P<rate>(?P<acc>\d+)\s*/\s*(?P<sub>\d+)(?:\s*(?:≈|~|=)\s*\d+(?:\.\d+)?\s*%)?)",
    re.IGNORECASE,
)
_IMPACT_RE = re.compile(r"Impact\s+factor\s*:?\s*(?P<value>\d+(?:\.\d+)?)", re.IGNORECASE)
_FILED_RE = re.compile(
    rf"Filed(?:\s+(?:in|on))?\s+(?:\d{{1,2}}\s+)?(?P<month>{_MONTH})?\s*(?:\d{{1,2}},)?\s*(?P<year>{_YEAR})",
    re.IGNORECASE,
)
_GRANT_RE = re.compile(
    r"\(?\s*(?P<number>\b(?:US|EP|CN|JP|KR|SE|DE|GB)\s?\d[\d,]{5,12}\s?B\d?\b)\s*(?:[Gg]ranted)?\s*\)?"
)
_AWARD_RE = re.compile(r"\[(?P<award>[^\[\]]+)\]")
_PCT_RE = re.compile(r"\bPCT/[A-Z]{2}\d{4}/\d{5,6}\b")
_US_APPLICATION_RE = re.compile(r"\b\d{2}/\d{3},\d{3}\b")


@dataclass(slots=True)
class _Tail:
    """Facts read from the text after the venue (mutable while reading)."""

    year: int | None = None
    accepted: int | None = None
    submitted: int | None = None
    rate: str | None = None
    note: str | None = None
    impact: float | None = None
    filed: str | None = None
    grants: list[str] = field(default_factory=list)
    awards: list[str] = field(default_factory=list)
    leftover: str = ""


def _read_tail(tail: str) -> _Tail:
    """Read year, acceptance rate, impact factor, filing date, grants and awards.

    Each recognised piece is cut out; what remains is reported as leftover so
    that nothing printed with an entry is dropped silently.
    """
    out = _Tail()
    rest = tail
    if m := _ACCEPTANCE_RE.search(rest):
        out.accepted, out.submitted = int(m.group("acc")), int(m.group("sub"))
        out.rate = m.group("rate").strip()
        out.note = m.group("note").strip() if m.group("note") else None
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if m := _IMPACT_RE.search(rest):
        out.impact = float(m.group("value"))
        rest = rest[: m.start()] + " " + rest[m.end() :]
    if m := _FILED_RE.search(rest):
        month = m.group("month")
        number = _MONTHS[month.rstrip(".").lower()] if month else None
        out.filed = f"{m.group('year')}-{number:02d}" if number else m.group("year")
        out.year = int(m.group("year"))
        rest = rest[: m.start()] + " " + rest[m.end() :]
    out.grants = [m.group("number").strip() for m in _GRANT_RE.finditer(rest)]
    rest = _GRANT_RE.sub(" ", rest)
    out.awards = [_strip_emphasis(m.group("award")) for m in _AWARD_RE.finditer(rest)]
    rest = _AWARD_RE.sub(" ", rest)
    if m := _YEAR_TOKEN_RE.search(rest):
        out.year = int(m.group(0))
        rest = rest[: m.start()] + " " + rest[m.end() :]
    out.leftover = re.sub(r"[\s.,;:()]+", " ", _strip_emphasis(rest)).strip()
    return out


def _application_numbers(venue: str | None) -> tuple[str, ...]:
    """Patent application numbers in a venue text, US ones prefixed ``US``."""
    if not venue:
        return ()
    numbers = _PCT_RE.findall(venue)
    us = bool(re.search(r"\bU\.?S\.?(?=\s|$)", venue))
    for number in _US_APPLICATION_RE.findall(venue):
        numbers.append(f"US {number}" if us else number)
    return tuple(numbers)


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True, slots=True)
class _RawEntry:
    """An entry's lines as printed, before interpretation."""

    key: str
    section: PublicationSection
    heading: str
    lines: tuple[tuple[int, str], ...]
    continued_after_break: int | None  # line number where it resumed after blank lines


def _collect_entries(section: _Section, path: str) -> tuple[list[_RawEntry], list[Issue]]:
    """Group a publication section's lines into entries.

    A line continues the current entry when no blank line intervenes, or when
    the entry so far stops mid-sentence (a page break in the middle of it).
    """
    kind = section.publication_kind or "other"
    entries: list[_RawEntry] = []
    issues: list[Issue] = []
    current: list[tuple[int, str]] = []
    key, resumed, blank = "", None, False

    def flush() -> None:
        if current:
            entries.append(_RawEntry(key, kind, section.heading, tuple(current), resumed))

    for number, line in section.lines:
        if not line.strip():
            blank = True
            continue
        m = _is_entry_start(line, in_publications=True)
        if m:
            flush()
            current, key, resumed = [(number, line)], m.group("key"), None
        elif current and (not blank or _ends_open(_join(current))):
            if blank and resumed is None:
                resumed = number
            current.append((number, line))
        else:
            issues.append(
                _issue(
                    "cv-unparsed-line",
                    "warning",
                    f"line in publication section {section.heading!r} is not part of an entry",
                    path,
                    number,
                    line,
                )
            )
        blank = False
    flush()
    return entries, issues


def _join(lines: Sequence[tuple[int, str]]) -> str:
    """Join an entry's printed lines; a line ending in a hyphen joins without a space."""
    out = ""
    for _, line in lines:
        s = line.strip()
        if out.endswith("-") and not out.endswith(" -"):
            out += s
        else:
            out = f"{out} {s}" if out else s
    return out


def _entry_text(raw: _RawEntry) -> str:
    """The entry as printed, its bullet marker removed."""
    return re.sub(r"^[-*•]\s*", "", _join(raw.lines))


def _parse_entry(raw: _RawEntry, owner: str, path: str) -> tuple[CvPublication, list[Issue]]:
    """Interpret one entry's text; everything doubtful is reported, nothing guessed."""
    text = _entry_text(raw)
    first_number, first_line = raw.lines[0]
    issues: list[Issue] = []

    def report(code: str, severity: Severity, message: str) -> None:
        issues.append(_issue(code, severity, message, path, first_number, first_line, raw.key))

    body = re.sub(r"^\[[^\]]*\]\s*|^\d{1,3}\.\s+", "", text)
    semi = _semi_clean(body)
    authors = _read_authors(semi)
    if authors is None:
        report("cv-unparsed-entry", "warning", "no author list ending in a full stop found")
        authors = _Authors((), semi)
    names = tuple(_strip_emphasis(n) for n in authors.names)
    names, truncated = _drop_et_al(names)
    if truncated:
        report("cv-authors-truncated", "info", "author list ends in 'et al.'; not all are named")
    others, rest = _extract_other_names(authors.rest)
    title, venue, tail_text = _split_title_venue(rest, authors.quoted_title)
    title = _strip_emphasis(title).rstrip(" ,.")
    venue = _strip_emphasis(venue).strip(" ,.") if venue else None
    tail = _read_tail(tail_text)
    owner_position = _owner_position(names, _strong_names(body), owner, report)
    applications = (
        _application_numbers(venue) if raw.section == "patent" or _is_patent(venue) else ()
    )
    _report_entry_gaps(raw, names, venue, tail, applications, report)
    publication = CvPublication(
        key=raw.key,
        section=raw.section,
        section_heading=raw.heading,
        authors=names,
        owner_position=owner_position,
        title=title,
        venue_as_printed=venue or None,
        venue_short=_venue_short(venue),
        year=tail.year,
        awards=tuple(tail.awards),
        accepted=tail.accepted,
        submitted=tail.submitted,
        acceptance_rate_as_printed=tail.rate,
        acceptance_note=tail.note,
        impact_factor=tail.impact,
        patent_application_numbers=applications,
        patent_grant_numbers=tuple(tail.grants),
        filed=tail.filed,
        other_titles=others,
        source_line=first_number,
        text=text,
    )
    return publication, issues


def _is_patent(venue: str | None) -> bool:
    """Whether a venue text is a patent office's (for entries outside a patent section)."""
    return bool(venue and re.search(r"\bPatent\b|\bPCT\b", venue))


def _drop_et_al(names: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """Remove a trailing ``et al.``, which is not a person."""
    if names and re.fullmatch(r"et\.?\s+al\.?", names[-1].strip(), re.IGNORECASE):
        return names[:-1], True
    return names, False


def _owner_position(
    names: Sequence[str], strong: set[str], owner: str, report: _Report
) -> int | None:
    """1-based position of the owner: by bold markup first, then by name.

    Two candidates are reported as ambiguous rather than picking one.
    """
    marked = [i for i, n in enumerate(names, start=1) if n in strong]
    if len(marked) == 1:
        return marked[0]
    matched = [i for i, n in enumerate(names, start=1) if _is_owner(n, owner)]
    if len(matched) == 1:
        return matched[0]
    if len(matched) > 1 or len(marked) > 1:
        report("cv-owner-ambiguous", "warning", f"several authors could be {owner!r}")
    elif names:
        report("cv-owner-not-among-authors", "warning", f"{owner!r} not found among the authors")
    return None


def _report_entry_gaps(
    raw: _RawEntry,
    names: Sequence[str],
    venue: str | None,
    tail: _Tail,
    applications: Sequence[str],
    report: _Report,
) -> None:
    """Report what an entry lacks or carries unread, so no gap goes unnoticed."""
    if raw.continued_after_break is not None:
        report(
            "cv-entry-continued-after-break",
            "info",
            f"entry continues on line {raw.continued_after_break} after blank lines "
            "(page break); the parts were joined",
        )
    for name in names:
        if len(name.split()) > 5 or any(ch.isdigit() for ch in name):
            report("cv-uncertain-author-split", "warning", f"{name!r} does not look like one name")
    if tail.year is None:
        if applications:
            report(
                "cv-entry-without-year",
                "info",
                f"patent {', '.join(applications)} is printed without a date; year left empty "
                "(a year inside the application number is not a printed date)",
            )
        else:
            report("cv-entry-without-year", "warning", "no year printed with the entry")
    if venue is None:
        report("cv-entry-without-venue", "warning", "no venue found after the title")
    if tail.leftover:
        report(
            "cv-unparsed-fragment",
            "info",
            f"text after the venue not understood and not kept: {tail.leftover!r}",
        )


# --------------------------------------------------------------------------- dates


def _normalize_date(printed: str) -> tuple[str | None, bool]:
    """Normalize one printed date as precisely as it is printed.

    Returns:
        ``(value, is_open)``: ``"2024-01"``, ``"2013"``, ``"2013-fall"`` or None
        for an unreadable date; ``is_open`` is True for ``now``/``present``.
    """
    s = printed.strip().rstrip(".")
    low = s.lower()
    if re.fullmatch(_OPEN_END, low):
        return None, True
    if m := re.fullmatch(rf"({_SEASON})[\s-]+({_YEAR})", s, re.IGNORECASE):
        return f"{m.group(2)}-{m.group(1).lower()}", False
    if m := re.fullmatch(rf"({_MONTH})\s+({_YEAR})", s, re.IGNORECASE):
        return f"{m.group(2)}-{_MONTHS[m.group(1).rstrip('.').lower()]:02d}", False
    if m := re.fullmatch(rf"(\d{{1,2}})/({_YEAR})", s):
        month = int(m.group(1))
        return (f"{m.group(2)}-{month:02d}" if 1 <= month <= 12 else None), False
    if re.fullmatch(_YEAR, s):
        return s, False
    return None, False


@dataclass(frozen=True, slots=True)
class _Span:
    """A printed date or date range, with its normalized ends."""

    start_as_printed: str
    end_as_printed: str | None
    start: str | None
    end: str | None
    is_current: bool


def _read_span(printed: str) -> _Span | None:
    """Read ``January 2024–now``, ``2017–2023`` or a single ``Fall-2013``."""
    s = printed.strip()
    if m := _RANGE_RE.fullmatch(s):
        start, _ = _normalize_date(m.group("start"))
        end, is_open = _normalize_date(m.group("end"))
        return _Span(m.group("start"), m.group("end"), start, end, is_open)
    if _SINGLE_DATE_RE.fullmatch(s):
        start, _ = _normalize_date(s)
        return _Span(s, None, start, None, False)
    return None


def _sort_key(value: str | None) -> tuple[int, int] | None:
    """Year and month of a normalized date for ordering checks; seasons sort by year."""
    if not value:
        return None
    m = re.match(r"(\d{4})(?:-(\d{2}))?", value)
    return (int(m.group(1)), int(m.group(2) or 0)) if m else None


# --------------------------------------------------------------------------- work table


@dataclass(slots=True)
class _Cell:
    """A non-empty cell of the work-experience table, where it was printed."""

    line: int
    raw_line: str
    text: str


@dataclass(slots=True)
class _WorkRow:
    """A position cell (``Unit at Org ○ Role``) and the detail text printed after it."""

    cell: _Cell
    organization: str
    unit: str | None
    role: str | None
    details: list[str] = field(default_factory=list)


def _split_bullets(text: str) -> list[str]:
    """Split ``a - b - c`` bullet runs (left by removed ``<ul>`` lists) into items."""
    items = re.split(r"(?:^|\s)-\s+", _clean_inline(text))
    return [i.strip() for i in items if i.strip()]


def _read_position_cell(cell: _Cell) -> _WorkRow:
    """Read ``Unit at Organization ○ <i>Role</i> <ul> - detail …`` from one cell."""
    left, _, right = cell.text.partition("○")
    where = _clean_inline(left)
    unit, organization = None, where
    if " at " in where:
        unit, _, organization = where.rpartition(" at ")
    role_match = re.search(r"<i>(?P<role>.*?)</i>", right)
    if role_match:
        role = _clean_inline(role_match.group("role"))
        after = right[role_match.end() :]
    else:
        role_part, _, after = right.partition("<ul")
        bullets = _split_bullets(role_part)
        role, after = (bullets[0] if bullets else None), " - ".join(bullets[1:]) + after
    details = _split_bullets(after)
    return _WorkRow(
        cell, organization.strip(), unit.strip() if unit else None, role or None, details
    )


def _table_cells(section: _Section) -> Iterator[_Cell]:
    """Yield the table's non-empty cells in reading order, rules and list tags dropped."""
    for number, line in section.lines:
        for part in line.split("|"):
            if "○" not in part:
                part = _HTML_TAG_RE.sub(" ", part)
            text = part.strip()
            if not text or re.fullmatch(r"[-:\s]+", text):
                continue
            yield _Cell(number, line, text)


def _parse_work(section: _Section, path: str) -> tuple[list[CvPosition], list[Issue]]:
    """Read the work-experience table whose roles, places and dates sit in separate cells.

    PDF-to-markdown conversion scatters the table: all position cells come first,
    then place and date cells. They are aligned in order (the n-th position gets
    the n-th place and the n-th date range); extra cells are reported, not used.
    """
    rows: list[_WorkRow] = []
    places: list[_Cell] = []
    spans: list[tuple[_Cell, _Span]] = []
    issues: list[Issue] = []
    for cell in _table_cells(section):
        if "○" in cell.text:
            rows.append(_read_position_cell(cell))
        elif span := _read_span(_clean_inline(cell.text)):
            spans.append((cell, span))
        elif _PLACE_RE.match(_clean_inline(cell.text)):
            places.append(cell)
        elif rows and not places and not spans:
            rows[-1].details.extend(_split_bullets(cell.text))
        else:
            issues.append(_leftover(cell, "cell is neither a position, a place nor a date", path))
    positions = [_aligned_position(i, row, places, spans) for i, row in enumerate(rows)]
    issues.extend(_alignment_issues(rows, places, spans, path))
    issues.extend(_date_issues(positions, path, section))
    return positions, issues


def _aligned_position(
    index: int, row: _WorkRow, places: Sequence[_Cell], spans: Sequence[tuple[_Cell, _Span]]
) -> CvPosition:
    """Combine the index-th position cell with the index-th place and date cells."""
    place = _clean_inline(places[index].text) if index < len(places) else None
    span = spans[index][1] if index < len(spans) else None
    return CvPosition(
        kind="work",
        organization_as_printed=row.organization,
        unit=row.unit,
        role=row.role,
        place=place,
        start_as_printed=span.start_as_printed if span else None,
        end_as_printed=span.end_as_printed if span else None,
        start=span.start if span else None,
        end=span.end if span else None,
        is_current=span.is_current if span else False,
        details=tuple(row.details),
        source_line=row.cell.line,
    )


def _leftover(cell: _Cell, why: str, path: str) -> Issue:
    """Report a table cell that was not assigned to any position."""
    return _issue("cv-leftover-cell", "warning", why, path, cell.line, cell.text)


def _alignment_issues(
    rows: Sequence[_WorkRow],
    places: Sequence[_Cell],
    spans: Sequence[tuple[_Cell, _Span]],
    path: str,
) -> list[Issue]:
    """Report that cells were aligned by order, and every cell left over or missing."""
    if not rows:
        return []
    issues = []
    if places or spans:
        issues.append(
            _issue(
                "cv-cells-aligned-by-order",
                "info",
                f"{len(rows)} position cells, {len(places)} place cells and {len(spans)} date "
                "cells sit apart in the table; the n-th position was given the n-th place "
                "and the n-th date",
                path,
                rows[0].cell.line,
                rows[0].cell.raw_line,
            )
        )
    for label, cells in (("place", places), ("date", [c for c, _ in spans])):
        for index in range(len(rows), len(cells)):
            cell = cells[index]
            same = [c for c in cells[: len(rows)] if c.text == cell.text]
            why = f"{label} cell left over after aligning {len(rows)} positions in order; not used"
            if same:
                why += f" (it repeats the {label} cell on line {same[-1].line})"
            issues.append(_leftover(cell, why, path))
        if len(cells) < len(rows):
            missing = rows[len(cells)]
            issues.append(
                _issue(
                    f"cv-position-without-{label}",
                    "warning",
                    f"only {len(cells)} {label} cells for {len(rows)} positions; positions from "
                    "this one on have none, and an earlier gap would shift the alignment",
                    path,
                    missing.cell.line,
                    missing.cell.raw_line,
                )
            )
    return issues


def _date_issues(positions: Sequence[CvPosition], path: str, section: _Section) -> list[Issue]:
    """Report single dates (no end printed) and ranges that end before they start."""
    issues = []
    lines = dict(section.lines)
    for p in positions:
        text = lines.get(p.source_line, "")
        where = f"{p.organization_as_printed} ({p.role})"
        if p.start_as_printed and p.end_as_printed is None:
            issues.append(
                _issue(
                    "cv-single-date-period",
                    "info",
                    f"{where}: only {p.start_as_printed!r} is printed; end left empty",
                    path,
                    p.source_line,
                    text,
                )
            )
        start, end = _sort_key(p.start), _sort_key(p.end)
        if start and end and end < start:
            issues.append(
                _issue(
                    "cv-date-order",
                    "warning",
                    f"{where}: ends before it starts",
                    path,
                    p.source_line,
                    text,
                )
            )
    return issues


# --------------------------------------------------------------------------- education


def _split_role_unit(text: str) -> tuple[str, str | None]:
    """Split ``Ph.D. in X, School of EECS`` into degree and unit (last comma part)."""
    head, sep, last = text.rpartition(", ")
    if sep and _UNIT_WORDS.search(last):
        return head.strip(), last.strip()
    return text.strip(), None


def _parse_education(section: _Section, path: str) -> tuple[list[CvPosition], list[Issue]]:
    """Read degree blocks: institution line, ``- *Degree, Unit*`` bullet, place, dates.

    The institution is the non-blank line right before each bullet; the lines up
    to the next institution give the place (``City, Country``), the date range
    and details (advisor, thesis).
    """
    content = [(n, line) for n, line in section.lines if line.strip()]
    bullets = [
        i for i, (_, line) in enumerate(content) if re.match(r"^\s*[-*•]\s+\S", line) and i > 0
    ]
    positions: list[CvPosition] = []
    issues: list[Issue] = []
    for b, index in enumerate(bullets):
        end = bullets[b + 1] - 1 if b + 1 < len(bullets) else len(content)
        org_number, org_line = content[index - 1]
        positions.append(
            _education_block(org_number, org_line, content[index], content[index + 1 : end])
        )
    if content and not positions:
        first_number, first_line = content[0]
        issues.append(
            _issue(
                "cv-section-not-parsed",
                "warning",
                f"section {section.heading!r} has no '- degree' bullets; its lines were not read",
                path,
                first_number,
                first_line,
            )
        )
    return positions, issues


def _education_block(
    org_number: int,
    org_line: str,
    bullet: tuple[int, str],
    rest: Sequence[tuple[int, str]],
) -> CvPosition:
    """Build one degree from its institution line, bullet and following lines."""
    degree = _clean_inline(re.sub(r"^\s*[-*•]\s+", "", bullet[1]))
    span = None
    if m := re.search(rf"\s(?P<range>{_RANGE_RE.pattern})\s*$", degree, re.IGNORECASE):
        span = _read_span(m.group("range"))
        degree = degree[: m.start()].strip()
    role, unit = _split_role_unit(degree)
    place, details = None, []
    for _, line in rest:
        s = _clean_inline(line)
        if place is None and _PLACE_RE.match(s):
            place = s
        elif span is None and (found := _read_span(s)):
            span = found
        else:
            details.append(s)
    return CvPosition(
        kind="education",
        organization_as_printed=_clean_inline(org_line),
        unit=unit,
        role=role or None,
        place=place,
        start_as_printed=span.start_as_printed if span else None,
        end_as_printed=span.end_as_printed if span else None,
        start=span.start if span else None,
        end=span.end if span else None,
        is_current=span.is_current if span else False,
        details=tuple(details),
        source_line=org_number,
    )


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
    kinds = {_classify_heading(line) for line in lines}
    pub_heading = bool(kinds & {"conference", "journal", "patent", "workshop", "publications"})
    bio_heading = bool(kinds & {"education", "work"})
    entries = sum(1 for line in lines if _KEYED_ENTRY_RE.match(line))
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
            or has neither publication entries nor positions.
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
    issues.sort(key=lambda i: (i.line, i.code, i.key, i.text))
    return CvParse(
        owner_name=owner,
        owner_line=owner_line,
        publications=tuple(publications),
        positions=tuple(work + education),
        issues=tuple(issues),
    )


def _parse_publication_section(
    section: _Section, owner: str, path: str
) -> tuple[list[CvPublication], list[Issue]]:
    """Parse every entry of one publication section."""
    entries, issues = _collect_entries(section, path)
    if section.kind == "publications" and entries:
        issues.append(
            _issue(
                "cv-entries-without-section",
                "warning",
                "entries listed under a general publications heading; section set to 'other'",
                path,
                section.heading_line,
                section.heading,
            )
        )
    publications = []
    for raw in entries:
        publication, found = _parse_entry(raw, owner, path)
        publications.append(publication)
        issues.extend(found)
    return publications, issues


def _duplicate_keys(
    publications: Sequence[CvPublication], lines: Sequence[str], path: str
) -> list[Issue]:
    """Report entry keys printed more than once (later ones)."""
    seen: set[str] = set()
    issues = []
    for p in publications:
        if p.key in seen:
            issues.append(
                _issue(
                    "cv-duplicate-key",
                    "warning",
                    f"entry key {p.key!r} is used more than once",
                    path,
                    p.source_line,
                    lines[p.source_line - 1],
                    p.key,
                )
            )
        seen.add(p.key)
    return issues
