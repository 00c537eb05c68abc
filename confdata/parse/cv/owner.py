"""Who the CV is about: the owner's name in the header, and the owner among authors.

The owner is read from the header lines before the first section; matching a
printed author against the owner compares surname and initials, ignoring
accents, case and punctuation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from confdata.errors import RawInputError
from confdata.parse.cv.markup import _clean_inline
from confdata.parse.cv.sections import _Section

_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.\-]*|van|von|der|den|de|del|della|di|da|du|la|le|al|el|bin)"
_NAME_RE = re.compile(rf"^{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,4}}$")


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
        rest = re.sub(r"\s+", " ", rest).strip(" |:–—,-")
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
