"""Records a CV parse produces: publications, positions, the whole parse, and its issues.

Every value is kept *as printed* next to its normalized form; what the parser
could not place becomes an :class:`~confdata.quality.issues.Issue` built by
:func:`_issue`, located at the CV line it concerns.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from confdata.quality.issues import Issue, Severity

PublicationSection = Literal["conference", "journal", "patent", "workshop", "other"]
PositionKind = Literal["work", "education"]


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
