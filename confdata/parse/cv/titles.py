"""Split what follows an entry's authors into title, venue and tail.

Also pulls out alternative titles (``(Other name: …)``) and the venue's printed
abbreviation, e.g. ``NSDI``.
"""

from __future__ import annotations

import re

from confdata.parse.cv.authors import word_before
from confdata.parse.cv.dates import _MONTH, _YEAR_TOKEN_RE
from confdata.parse.cv.markup import _strip_emphasis

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
_TRAILING_MONTH_RE = re.compile(rf"\b{_MONTH}$", re.IGNORECASE)
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
        word = word_before(s, m.start())
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
    # A month printed before the year is not part of the venue ("…, June 2019").
    # (Stripped in steps: ``[\s,]*(?:month)?[\s,]*$`` as one regex takes cubic time
    # on a long run of spaces and commas.)
    venue = _rstrip_space_comma(venue)
    if m := _TRAILING_MONTH_RE.search(venue):
        venue = _rstrip_space_comma(venue[: m.start()])
    # Volume, issue and pages are not part of the venue's name.
    venue = re.sub(r"(?:,\s*(?:vol\.|no\.|pp?\.|pages)\s*[\d–-]+(?:\s*[–-]+\s*\d+)?)+$", "", venue)
    venue = re.sub(r",\s*\d+\s*\(\d+\)(?:\s*:\s*\d+(?:\s*[–-]+\s*\d+)?)?$", "", venue)
    return venue.strip(" ,.") or None, after[year.start() :]


def _rstrip_space_comma(s: str) -> str:
    """Remove trailing white space and commas (white space as ``str.isspace`` has it)."""
    end = len(s)
    while end and (s[end - 1].isspace() or s[end - 1] == ","):
        end -= 1
    return s[:end]


def _venue_short(venue: str | None) -> str | None:
    """The abbreviation printed in parentheses at the end of a venue, if any."""
    if not venue:
        return None
    m = re.search(r"\(([^()]{1,25})\)\s*$", venue)
    if m and any(ch.isupper() for ch in m.group(1)):
        return m.group(1).strip()
    return None
