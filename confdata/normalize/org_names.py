"""The comparison form of organization names: :func:`normalize_org`.

Two printed variants of one organization ("The Univ. of Wisconsin – Madison",
"University of Wisconsin-Madison") reduce to the same key, which the registry
(:mod:`confdata.reference.registry`) indexes and the matcher (:mod:`confdata.resolve.organizations.affiliations`)
looks up. The module is pure.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from confdata.normalize.folding import TRANSLITERATION, drop_invisible

# Whole-token abbreviations expanded by normalize_org, so that "Univ. of X" and
# "University of X" compare equal. Only unambiguous ones are listed: "Tech" stays
# (it is part of names such as "Georgia Tech"), "St" stays (Saint or State), and
# "Co" stays (a state code as often as "Company"). No value may also be a key,
# otherwise normalizing twice would expand twice and normalize_org would not be
# idempotent (a unit test checks this).
ABBREVIATIONS: Mapping[str, str] = MappingProxyType(
    {
        "acad": "academy",
        "assoc": "association",
        "centre": "center",
        "coll": "college",
        "corp": "corporation",
        "ctr": "center",
        "dept": "department",
        "eng": "engineering",
        "inc": "incorporated",
        "inst": "institute",
        "intl": "international",
        "lab": "laboratory",
        "labs": "laboratories",
        "ltd": "limited",
        "natl": "national",
        "res": "research",
        "sch": "school",
        "sci": "science",
        "technol": "technology",
        "uni": "university",
        "univ": "university",
    }
)

# Letters NFKD does not fold to ASCII: one table for names of people and of organizations.
_TRANSLITERATION = TRANSLITERATION

# Apostrophes join the letters around them ("Xi'an" -> "xian"): splitting there
# would create a token that exists in no printed variant.
_APOSTROPHES = frozenset("'’ʼ`´‘")


def normalize_org(text: str) -> str:
    """Reduce an organization string to a comparison key.

    Drops invisible characters (:func:`confdata.normalize.folding.drop_invisible`: a
    zero-width space inside "Tsing\u200bhua" is no word break), folds case and
    diacritics, turns every punctuation mark and dash (hyphen,
    en dash, " – ") into a word break, drops apostrophes, spells "&" as "and",
    expands the abbreviations of :data:`ABBREVIATIONS`, drops leading "The" and
    collapses whitespace. The result is idempotent: normalizing it again returns it
    unchanged.

    Args:
        text: An organization name as printed.

    Returns:
        Lower-case words separated by single spaces; empty if nothing is left.

    Examples:
        >>> normalize_org("The Univ. of Wisconsin – Madison")
        'university of wisconsin madison'
        >>> normalize_org("Università della Svizzera italiana")
        'universita della svizzera italiana'
    """
    folded = _strip_marks(_strip_marks(drop_invisible(text)).casefold())
    chars: list[str] = []
    for ch in folded:
        ch = _TRANSLITERATION.get(ch, ch)
        if ch in _APOSTROPHES:
            continue
        if ch == "&":
            chars.append(" and ")
        elif ch.isalnum():
            chars.append(ch)
        else:
            # Dashes, commas, periods, brackets, symbols and odd spaces all only
            # separate words in organization names.
            chars.append(" ")
    tokens = [ABBREVIATIONS.get(token, token) for token in "".join(chars).split()]
    # A loop, not a single check, so that "The The X" normalizes in one pass.
    while tokens and tokens[0] == "the":
        tokens.pop(0)
    return " ".join(tokens)


def _strip_marks(text: str) -> str:
    """Decompose compatibly (NFKD) and drop combining marks (accents)."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
