"""The series of a venue: ``NSDI`` of ``NSDI '26``, a CV's ``CoNEXT``, so analysts need not parse.

A venue's *series* is the acronym or short name its editions share, without
the year: ``NSDI`` for ``NSDI '26`` and for the Test of Time paper's
``NSDI '14``; ``CoNEXT`` for a CV entry printed "… Technologies (CoNEXT)".
It is read from what is printed, never guessed:

- a program's venue is its event, printed as ``<series> '<yy>`` (or
  ``<series> <yyyy>``); without a year there it is not known which part is
  the series, and the series stays null;
- a CV's venue has a series only when the entry prints a short form in
  parentheses at its end (``confdata.parse.cv.titles._venue_short``); "ArXiv
  Preprint", "Technical Report" or a patent office print none, and their
  series is null.
"""

from __future__ import annotations

import re

import polars as pl

# 2026-12: USENIX events print a two-digit year ("NSDI '26"); a CV may print four.
_YEAR_SUFFIX = re.compile(r"\s*(?:['\u2019]\d{2}|\b\d{4})$")


def venue_series(venue: str | None, venue_as_printed: str | None, from_program: bool) -> str | None:
    """Return the series of one listing's venue, or None when none is printed.

    Args:
        venue: The listing's venue, short form where one is printed.
        venue_as_printed: The venue text as printed (null for a program's own papers).
        from_program: Whether the listing is a program's (else a CV's).

    Examples:
        >>> venue_series("NSDI '26", None, True)
        'NSDI'
        >>> venue_series("USENIX ATC '25", None, True)
        'USENIX ATC'
        >>> venue_series("CoNEXT", "The 20th International Conference … (CoNEXT)", False)
        'CoNEXT'
        >>> venue_series("ArXiv Preprint", "ArXiv Preprint", False) is None
        True
        >>> venue_series("Some Symposium", None, True) is None
        True
    """
    if not venue:
        return None
    # A venue equal to its printed text is no short form: a CV entry that prints no
    # abbreviation, or a "Published in" line with no "(NSDI '14)" in it.
    if venue_as_printed is not None and venue.strip() == venue_as_printed.strip():
        return None
    has_year = _YEAR_SUFFIX.search(venue) is not None
    if from_program and not has_year:
        return None
    series = _YEAR_SUFFIX.sub("", venue).strip(" ,.")
    return series if any(ch.isalpha() for ch in series) else None


def with_series(listings: pl.DataFrame) -> pl.DataFrame:
    """Add the ``series`` column to listings (columns venue, venue_as_printed, from_program).

    One Python call per distinct (venue, printed venue, origin), not per listing.
    """
    keys = ["venue", "venue_as_printed", "from_program"]
    distinct = listings.select(keys).unique()
    series = distinct.with_columns(
        pl.Series("series", [venue_series(*row) for row in distinct.iter_rows()], dtype=pl.Utf8)
    )
    return listings.join(series, on=keys, how="left", nulls_equal=True, maintain_order="left")
