"""Read the author list at the start of a publication entry.

Handles plain lists (``A, B, and C.``), inverted names (``Last, F., Last, F.
and Last, F.``) and lists followed by a quoted title (``A, B, "Title," in …``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_INVERTED_START_RE = re.compile(r"^[^\s,.;()*][^,.;()]{0,40},\s+[A-Z][a-z]?\.")
_INVERTED_AUTHOR_RE = re.compile(
    r"(?P<name>[^\s,.;()][^,.;()]{0,40}?,\s+[A-Z][a-z]?\.(?:\s?-?[A-Z][a-z]?\.)*)"
)
_INVERTED_SEP_RE = re.compile(r",?\s+(?:and|&)\s+|,\s+(?:and\s+|&\s+)?")
_SUFFIXES = {"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"}
_AND_NEXT_RE = re.compile(r"\s+(?:and|&)\s")


def _author_end(s: str) -> int | None:
    """Index of the period that ends a plain author list, None when there is none.

    A period after an initial (``Gerald Q. Maguire``) or before ``and`` continues
    the list; any other period followed by a space ends it (``Jr. Title`` too).
    Only single capitals count as initials: ``Li.`` or ``Wu.`` end a list.
    """
    for m in re.finditer(r"\.(?=\s)", s):
        word = word_before(s, m.start()).strip("*_")
        if re.fullmatch(r"[A-Z](?:\.-?[A-Z])*", word):
            continue
        if _AND_NEXT_RE.match(s, m.end()):
            continue
        return m.start()
    return None


def word_before(s: str, end: int) -> str:
    """Return the last white-space-separated word of ``s[:end]`` ("" when none).

    The same as ``s[:end].split()[-1]``, in time proportional to the word rather
    than to ``end`` (called once per full stop, slicing made long entries quadratic).

    Examples:
        >>> word_before("Gerald Q. Maguire", 8)
        'Q'
        >>> word_before("a  ", 3)
        'a'
    """
    j = end
    while j > 0 and s[j - 1].isspace():
        j -= 1
    i = j
    while i > 0 and not s[i - 1].isspace():
        i -= 1
    return s[i:j]


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


def _drop_et_al(names: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """Remove a trailing ``et al.``, which is not a person."""
    if names and re.fullmatch(r"et\.?\s+al\.?", names[-1].strip(), re.IGNORECASE):
        return names[:-1], True
    return names, False
