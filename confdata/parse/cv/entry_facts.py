"""Facts printed after an entry's venue, and patent numbers printed in it.

The tail of an entry may carry its year, an acceptance rate, an impact factor,
a filing date, granted patent numbers and award notes; whatever is not
recognised is kept as leftover so that it can be reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from confdata.parse.cv.dates import _MONTH, _MONTHS, _YEAR, _YEAR_TOKEN_RE
from confdata.parse.cv.markup import _strip_emphasis

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


def _is_patent(venue: str | None) -> bool:
    """Whether a venue text is a patent office's (for entries outside a patent section)."""
    return bool(venue and re.search(r"\bPatent\b|\bPCT\b", venue))
