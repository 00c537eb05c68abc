"""Normalization of printed person names into keys for matching people.

A person's name is printed in many ways: with or without accents ("Işıl" /
"Isil"), with a leading initial ("P. Brighten Godfrey"), a middle initial
("Gerald Q. Maguire"), a suffix ("Jr." / "Jr"), a nickname in parentheses
("Zhenyuan (Zain) Ruan"), a hyphen or a space between the parts of a given name
("Kai-Siang" / "Kai Siang"), or inverted ("Kostić, Dejan"). :func:`name_key`
reduces all of these to one comparison key, so that entity resolution can block
mentions by key (compare only mentions with the same key, never all pairs).

A key is deliberately *not* an identity: different people share a key ("Xin
Liu", "Ke Sun"), which is why :mod:`confdata.resolve.people.resolution` asks for evidence before
merging. The key errs towards keeping the full given names: dropping a full
middle name or a full first name would merge more homonyms than it would
reunite variants, so only initials are left out.

Everything here is pure: no I/O, no state.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from confdata.normalize.folding import TRANSLITERATION, drop_invisible

# Letters NFKD does not fold to ASCII: one table for names of people and of organizations.
_TRANSLITERATION = TRANSLITERATION

# Generational suffixes, compared after folding and without their period.
SUFFIXES: frozenset[str] = frozenset({"jr", "sr", "ii", "iii", "iv"})

# Lower-case particles that belong to a family name ("Federico De Marchi", "van
# der Berg"). They matter only for telling initials from given names: "K. van der
# Berg" keeps its initial because "van" and "der" are not given names.
PARTICLES: frozenset[str] = frozenset(
    {"da", "das", "de", "del", "della", "den", "der", "di", "dos", "du", "la", "le", "ten", "ter"}
    | {"van", "von"}
)

# Apostrophes join the letters around them ("O'Brien" -> "obrien"), as in the
# organization normalizer: splitting there would create a token no variant has.
_APOSTROPHES = frozenset("'’ʼ`´‘")
# A nickname printed between parentheses, brackets or double quotes.
_NICKNAME_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\"[^\"]*\"|“[^“”]*”")


@dataclass(frozen=True, slots=True)
class NameParts:
    """A printed name split into the parts used for matching.

    Attributes:
        given: The given names that enter the key: every full (two letters or
            more) given name in printed order; when there is none, the first
            initial alone. Lower-case and folded.
        family: The family name, with its particles ("de marchi"); empty only
            for an empty name.
        initials: The first letter of every given name and initial as printed,
            including the initials left out of the key ("P. Brighten Godfrey"
            gives ``("p", "b")``).
    """

    given: tuple[str, ...]
    family: str
    initials: tuple[str, ...]

    @property
    def key(self) -> str:
        """Return the matching key these parts make (see :func:`name_key`)."""
        return " ".join(part for part in (*self.given, self.family) if part)


# Cached: the mentions of a corpus repeat the same printed names, and the key is pure.
@functools.lru_cache(maxsize=1 << 20)
def name_key(name: str) -> str:
    """Reduce a printed person name to the key used to block mentions.

    Drops invisible characters (zero-width spaces and joiners, soft hyphens,
    bidi marks: :func:`confdata.normalize.folding.drop_invisible`), folds Unicode (NFKD,
    combining marks removed, plus the explicit table
    :data:`_TRANSLITERATION` for letters that do not decompose, such as "ı", "ł",
    "ø"), folds case, drops a nickname in parentheses or quotes, reads an
    inverted "Family, Given" name, turns hyphens and punctuation into word
    breaks, drops generational suffixes (:data:`SUFFIXES`) and leaves initials
    out when a full given name is printed, so that leading and middle initials
    do not split a person. The result is idempotent.

    Args:
        name: A person name as printed.

    Returns:
        Lower-case words separated by single spaces: the full given names, then
        the family name; empty if the name has no letters or digits.

    Examples:
        >>> name_key("Işıl Dillig") == name_key("Isil Dillig")
        True
        >>> name_key("P. Brighten Godfrey")
        'brighten godfrey'
        >>> name_key("Gerald Q. Maguire Jr.")
        'gerald maguire'
        >>> name_key("Zhenyuan (Zain) Ruan")
        'zhenyuan ruan'
    """
    return name_parts(name).key


def name_parts(name: str) -> NameParts:
    """Split a printed person name into given names, family name and initials.

    The last word is the family name, together with any particles before it
    ("De Marchi") as long as a given name is left; "Family, Given" is read as
    inverted. See :func:`name_key` for the folding applied to every word.

    Args:
        name: A person name as printed.

    Returns:
        The parts; all empty for a name without letters or digits.
    """
    tokens = _tokens(name)
    if not tokens:
        return NameParts((), "", ())
    family_start = len(tokens) - 1
    while family_start > 1 and tokens[family_start - 1] in PARTICLES:
        family_start -= 1
    given_tokens, family = tokens[:family_start], " ".join(tokens[family_start:])
    full = tuple(token for token in given_tokens if len(token) > 1)
    given = full if full else tuple(given_tokens[:1])
    initials = tuple(token[0] for token in given_tokens)
    return NameParts(given, family, initials)


def initials_compatible(a: str, b: str) -> bool:
    """Tell whether two printed names can denote one person, initials considered.

    True when the family names are equal, the initials of one name are a
    subsequence of the other's (a name may leave out or abbreviate given names,
    never reorder them) and, when both print full given names, the full given
    names of one are a subsequence of the other's. "D. Kostić" and "Dejan
    Kostić" are compatible, "Gerald Q. Maguire Jr." and "Gerald Maguire" are,
    "Jialin Li" and "Jialong Li" are not. Compatibility is a necessary condition
    for being the same person, never evidence of it.

    Args:
        a: A person name as printed.
        b: Another person name as printed.

    Returns:
        Whether the two names are compatible.
    """
    pa, pb = name_parts(a), name_parts(b)
    if not pa.family or pa.family != pb.family:
        return False
    if not (_is_subsequence(pa.initials, pb.initials) or _is_subsequence(pb.initials, pa.initials)):
        return False
    full_a = tuple(g for g in pa.given if len(g) > 1)
    full_b = tuple(g for g in pb.given if len(g) > 1)
    if full_a and full_b:
        return _is_subsequence(full_a, full_b) or _is_subsequence(full_b, full_a)
    return True


def fold(text: str) -> str:
    """Fold case and diacritics: invisible characters dropped, NFKD, marks removed, casefold, transliteration.

    Args:
        text: Any text.

    Returns:
        The folded text; punctuation and spacing are left as they are.

    Examples:
        >>> fold("Dejan Kostić, Łukasz Bøgh, Işıl")
        'dejan kostic, lukasz bogh, isil'
        >>> fold("Kos\u200btić")
        'kostic'
    """
    if text.isascii():  # nothing to decompose or transliterate; casefold is lower
        return text.lower()
    # Invisible characters first (confdata.normalize.folding): NFKD would keep most of them.
    folded = _strip_marks(drop_invisible(text)).casefold()
    folded = "".join(_TRANSLITERATION.get(ch, ch) for ch in folded)
    # Casefolding can produce decomposable letters again ("ǰ"), so strip twice.
    return _strip_marks(folded)


def _strip_marks(text: str) -> str:
    """Decompose compatibly (NFKD) and drop combining marks (accents)."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def _words(text: str) -> list[str]:
    """Split folded text into words: apostrophes join, anything else not alphanumeric breaks."""
    chars = []
    for ch in text:
        if ch in _APOSTROPHES:
            continue
        chars.append(ch if ch.isalnum() else " ")
    return "".join(chars).split()


def _tokens(name: str) -> list[str]:
    """Return the folded words of a name in given-then-family order, suffixes removed."""
    text = _NICKNAME_RE.sub(" ", fold(name))
    parts = [part for part in (_words(piece) for piece in text.split(",")) if part]
    # A part that is only suffixes ("Maguire, Jr.") is a suffix, not an inversion.
    parts = [part for part in parts if not all(word in SUFFIXES for word in part)] or parts
    # "Kostić, Dejan": two parts are an inverted name, the family name first.
    tokens = parts[1] + parts[0] if len(parts) == 2 else [w for part in parts for w in part]
    # Suffixes are dropped from the end only, and never down to a single word, so
    # that a name made of suffix-like words is kept (and the key stays idempotent).
    while len(tokens) > 2 and tokens[-1] in SUFFIXES:
        tokens.pop()
    return tokens


def _is_subsequence(short: Sequence[str], long: Sequence[str]) -> bool:
    """Tell whether ``short`` occurs in ``long`` in order, possibly with gaps."""
    remaining = iter(long)
    return all(any(item == candidate for candidate in remaining) for item in short)
