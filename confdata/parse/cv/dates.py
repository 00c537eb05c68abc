"""Dates as CVs print them: months, seasons, years and ranges such as ``2017–now``.

Dates are normalized only as precisely as they are printed (``2024-01``,
``2013``, ``2013-fall``); an open end (``now``, ``present``) marks a current
position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
