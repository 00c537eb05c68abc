"""Research Organization Registry (ROR) identifiers: their form and their check digits.

A ROR ID (https://ror.org) is written as a URL, ``https://ror.org/`` followed by
nine characters: a ``0``, six characters of Crockford's base 32 (digits and
lower-case letters without i, l, o and u) and two check digits. The check digits
are ISO/IEC 7064 MOD 97-10 of the number the six characters encode:
``98 - (number * 100) % 97``, written with two digits. A mistyped ID almost always
fails the check, so the registry of organizations (:mod:`confdata.reference.registry`)
refuses it instead of publishing a link to another organization.

It also checks the ROR fields of a registry entry (:func:`parse_ror_fields`).
The module is pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# The optional ROR fields of a registry entry (raw/reference/organizations.yaml).
# 2026-12: optional so that a registry written before them, and the small registries
# of the tests, still load; the registry file's own tests require them on every entry.
ROR_FIELDS = ("ror_id", "ror_note", "ror_notes")
# Every note on a disagreement with the ROR record starts with the kind of
# disagreement, so that the registry tests can check that each one was looked at.
ROR_NOTE_KINDS = ("name", "country", "kind", "parent", "record")
ROR_PREFIX = "https://ror.org/"
# Crockford's base 32 alphabet, in value order; ROR writes it in lower case.
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
_ROR_ID_RE = re.compile(rf"{re.escape(ROR_PREFIX)}0([{_CROCKFORD}]{{6}})([0-9]{{2}})")


def is_ror_id(text: object) -> bool:
    """Tell whether text is a well-formed ROR ID URL whose check digits are right.

    Args:
        text: Any value; only a string can be a ROR ID.

    Returns:
        True for ``https://ror.org/`` plus a valid nine-character ID.

    Examples:
        >>> is_ror_id("https://ror.org/042nb2s44")
        True
        >>> is_ror_id("https://ror.org/042nb2s45")
        False
        >>> is_ror_id("042nb2s44")
        False
    """
    if not isinstance(text, str):
        return False
    match = _ROR_ID_RE.fullmatch(text)
    if match is None:
        return False
    number = 0
    for char in match.group(1):
        number = number * 32 + _CROCKFORD.index(char)
    return 98 - (number * 100) % 97 == int(match.group(2))


def parse_ror_fields(
    where: str, raw: Mapping[str, Any]
) -> tuple[str | None, str | None, tuple[str, ...]]:
    """Check the ROR fields of one raw registry entry and return them.

    ``ror_id`` is a ROR ID URL or null; ``ror_note`` says why no ROR record fits
    and is given exactly when ``ror_id`` is null; ``ror_notes`` lists the
    disagreements with the ROR record, each starting with a kind of
    :data:`ROR_NOTE_KINDS` and ``": "``. All three are optional.

    Args:
        where: The entry's location, for messages (``organizations[3] (id 'mit')``).
        raw: The entry's mapping as parsed from YAML.

    Returns:
        ``(ror_id, ror_note, ror_notes)``; ``(None, None, ())`` when absent.

    Raises:
        ValueError: If a field is malformed; the message starts with ``where``.
    """
    ror_id, ror_note = raw.get("ror_id"), raw.get("ror_note")
    ror_notes = raw.get("ror_notes", [])
    if ror_id is not None and not is_ror_id(ror_id):
        raise ValueError(
            f"{where}: ror_id must be a ROR ID URL such as https://ror.org/042nb2s44 with "
            f"valid check digits, got {ror_id!r}"
        )
    if "ror_note" in raw and not _is_clean_text(ror_note):
        raise ValueError(f"{where}: ror_note must be a non-empty string")
    decided_null = "ror_id" in raw and ror_id is None
    if decided_null != (ror_note is not None):
        raise ValueError(
            f"{where}: ror_note (why no ROR record fits) goes with ror_id: null, and only with it"
        )
    if not isinstance(ror_notes, list) or not all(_is_ror_note(note) for note in ror_notes):
        kinds = ", ".join(f"'{kind}: '" for kind in ROR_NOTE_KINDS)
        raise ValueError(
            f"{where}: ror_notes must be a list of strings starting with one of {kinds}"
        )
    return ror_id, ror_note, tuple(ror_notes)


def note_kind(note: str) -> str:
    """Return the kind of a ROR note (the word before its first ``": "``)."""
    return note.split(": ", 1)[0]


def _is_ror_note(note: Any) -> bool:
    """Tell whether note is a clean string starting with a known kind and ``": "``."""
    return _is_clean_text(note) and ": " in note and note_kind(note) in ROR_NOTE_KINDS


def _is_clean_text(value: Any) -> bool:
    """Tell whether value is a non-empty string without surrounding whitespace."""
    return isinstance(value, str) and bool(value) and value == value.strip()
