"""Read positions: the work-experience table and the education section.

PDF-to-markdown conversion scatters the work table so that position, place and
date cells sit apart; they are aligned by order and every leftover or missing
cell is reported. Education is read from degree blocks (institution line,
degree bullet, place, dates).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from confdata.parse.cv.dates import _RANGE_RE, _read_span, _sort_key, _Span
from confdata.parse.cv.markup import _HTML_TAG_RE, _clean_inline
from confdata.parse.cv.records import CvPosition, _issue
from confdata.parse.cv.sections import _Section
from confdata.quality.issues import Issue

_PLACE_RE = re.compile(
    r"^[A-ZÀ-Þ][^\W\d_][^\d,;:|()]{0,40},\s*[A-ZÀ-Þ][^\d,;:|()]{1,40}(?:,\s*[A-ZÀ-Þ][^\d,;:|()]{1,40})?$"
)
# An italic role; "<i>" cannot repeat inside it, so an unclosed one is not rescanned.
_ROLE_RE = re.compile(r"<i>(?P<role>(?:(?!<i>).)*?)</i>")
_UNIT_WORDS = re.compile(
    r"\b(?:School|Department|Dept\.?|Faculty|Division|Laboratory|Lab|Institute|College"
    r"|Center|Centre|Group|Team|Unit|Program(?:me)?)\b"
)


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
    role_match = _ROLE_RE.search(right)
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
        # The line of the last aligned cell of each text (one pass, not one per leftover).
        aligned = {c.text: c.line for c in cells[: len(rows)]}
        for index in range(len(rows), len(cells)):
            cell = cells[index]
            why = f"{label} cell left over after aligning {len(rows)} positions in order; not used"
            if cell.text in aligned:
                why += f" (it repeats the {label} cell on line {aligned[cell.text]})"
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
