"""Group a publication section's lines into entries and read each entry.

An entry starts with a key (``[C1]``, ``[12]`` or ``12.``) and goes on until the
next one; it may wrap over lines or continue after a page break. Each entry is
read into authors, owner position, title, venue and the facts after the venue,
and everything doubtful is reported instead of guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from confdata.errors import RawInputError
from confdata.parse.cv.authors import _Authors, _drop_et_al, _read_authors
from confdata.parse.cv.entry_facts import _application_numbers, _is_patent, _read_tail, _Tail
from confdata.parse.cv.markup import _semi_clean, _strip_emphasis, _strong_names
from confdata.parse.cv.owner import _is_owner
from confdata.parse.cv.records import CvPublication, PublicationSection, _issue
from confdata.parse.cv.sections import _is_entry_start, _OpenText, _Section
from confdata.parse.cv.titles import _extract_other_names, _split_title_venue, _venue_short
from confdata.parse.raw_text import MAX_LINE_CHARS
from confdata.quality.issues import Issue, Severity

# The longest entry read, its lines joined: as long as the longest line a raw file
# may have. Real entries have a few hundred characters; an entry that runs on for
# thousands of lines is a CV whose entry keys the parser cannot see.
MAX_ENTRY_CHARS = MAX_LINE_CHARS

# Reports one issue about the entry being parsed: (code, severity, message).
_Report = Callable[[str, Severity, str], None]


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
    state, length = _OpenText(), 0  # of the current entry's text so far

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
            state, length = _OpenText(), len(line)
            state.add(line)
        elif current and (not blank or state.ends_open):
            if blank and resumed is None:
                resumed = number
            current.append((number, line))
            state.add(line)
            length += len(line) + 1
            if length > MAX_ENTRY_CHARS:
                raise RawInputError(
                    path,
                    current[0][0],
                    f"a publication entry of at most {MAX_ENTRY_CHARS:,} characters",
                    f"an entry running on to line {number} with more "
                    "(is the key of a following entry, such as '[C12]', missing?)",
                )
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
