"""Knowledge for telling organizations from people in printed author lines.

Punctuation alone cannot split "Yixin Shen, Tsinghua University, Bytedance Inc.,
and Zhongguancun Laboratory" (one person, three organizations) from "Ann Lee,
Bo Chen, and Cy Wu, MIT" (three people, one organization). The words that mark
an organization, the organizations we already know and the qualifiers that
continue an organization name ("…, Berkeley", "…, Ltd.") are data, loaded from
``raw/reference/organization_words.yaml`` and ``raw/reference/organizations.yaml``
by ``confdata.io`` and handed in here as an :class:`OrgKnowledge`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# Applied after white space is collapsed, so each side holds at most one space
# (``\s*`` on both sides would take quadratic time on a long run of spaces).
_DASHES = re.compile(r" ?[\u2010-\u2015\u2212-] ?")
_SPACE = re.compile(r"\s+")
_PAREN = re.compile(r"\([^()]*\)")
_ROMAN = frozenset({"II", "III", "IV", "VI", "VII", "VIII"})


def match_key(text: str) -> str:
    """Return the form of an organization string used for exact knowledge look-ups.

    Case, white space (including no-break spaces) and the kind of dash between
    words do not distinguish organizations ("Urbana-Champaign" is
    "Urbana–Champaign"); everything else does.

    Examples:
        >>> match_key("University of Illinois Urbana–Champaign")
        'university of illinois urbana-champaign'
        >>> match_key("University of Wisconsin – Madison")
        'university of wisconsin-madison'
    """
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", text))
    return _DASHES.sub("-", text).strip().casefold()


def _words(text: str) -> list[str]:
    return [w.strip(",;:()[]") for w in _SPACE.split(text.strip()) if w.strip(",;:()[]")]


@dataclass(frozen=True, slots=True)
class OrgKnowledge:
    """What the author-line grammar knows about organization names.

    Attributes:
        head_words: Words that make a segment an organization ("University", "Inc.").
        unit_prefixes: Starts of unit names that belong to the next organization.
        unit_suffixes: Last words of unit names ("Lab", "Center").
        legal_suffixes: Segments that only continue the previous name ("Ltd.").
        place_qualifiers: Segments that only continue the previous name ("Berkeley").
        continuation_words: Single words that cannot stand alone as an organization
            and so continue the one before an " and " ("Technology").
        statuses: Printed status phrase (match key) -> status code.
        known: Match keys of every known organization name and alias.
        particles: Lowercase words allowed inside personal names.
    """

    head_words: frozenset[str]
    unit_prefixes: tuple[str, ...]
    unit_suffixes: frozenset[str]
    legal_suffixes: frozenset[str]
    place_qualifiers: frozenset[str]
    continuation_words: frozenset[str]
    statuses: Mapping[str, str]
    known: frozenset[str]
    particles: frozenset[str]

    @classmethod
    def from_rules(
        cls, words: Mapping[str, Any], known_organizations: Iterable[str] = ()
    ) -> OrgKnowledge:
        """Build the knowledge from the parsed ``organization_words.yaml`` and known names.

        Raises:
            ValueError: If a required section of the rules is missing.
        """
        required = ("head_words", "unit_prefixes", "unit_suffixes", "legal_suffixes")
        missing = [k for k in (*required, "place_qualifiers", "statuses") if k not in words]
        if missing:
            raise ValueError(f"organization words rules lack {', '.join(missing)}")
        statuses = {
            match_key(phrase): code
            for code, phrases in dict(words["statuses"]).items()
            for phrase in phrases
        }
        return cls(
            head_words=frozenset(str(w).casefold() for w in words["head_words"]),
            unit_prefixes=tuple(match_key(p) for p in words["unit_prefixes"]),
            unit_suffixes=frozenset(str(w).casefold() for w in words["unit_suffixes"]),
            legal_suffixes=frozenset(match_key(w) for w in words["legal_suffixes"]),
            place_qualifiers=frozenset(match_key(w) for w in words["place_qualifiers"]),
            continuation_words=frozenset(
                str(w).casefold() for w in words.get("continuation_words", ())
            ),
            statuses=statuses,
            known=frozenset(match_key(k) for k in known_organizations),
            particles=frozenset(str(w) for w in words.get("name_particles", ())),
        )

    def status_of(self, text: str) -> str | None:
        """Return ``unaffiliated``/``independent`` when the text is such a status phrase."""
        return self.statuses.get(match_key(text))

    def is_known(self, text: str) -> bool:
        """Tell whether the text is a known organization name or alias."""
        return match_key(text) in self.known

    def is_qualifier(self, text: str) -> bool:
        """Tell whether a comma segment only continues the organization before it."""
        key = match_key(text)
        return key in self.place_qualifiers or key in self.legal_suffixes

    def is_unit(self, text: str) -> bool:
        """Tell whether an organization name reads as a unit of a larger one."""
        key = match_key(text)
        if any(key.startswith(prefix) for prefix in self.unit_prefixes):
            return True
        words = _words(_PAREN.sub(" ", text))
        return bool(words) and words[-1].casefold() in self.unit_suffixes

    def is_continuation(self, text: str) -> bool:
        """Tell whether a piece after " and " only continues the name before it.

        "Technology" in "Hong Kong University of Science and Technology" cannot be
        an organization on its own.
        """
        words = _words(_PAREN.sub(" ", text))
        if len(words) != 1:
            return False
        word = words[0].casefold()
        return word in self.continuation_words or (
            word in self.head_words and not self.is_known(words[0]) and not _is_acronym(words[0])
        )

    def joins_subjects(self, before: str, after: str) -> bool:
        """Tell whether " and " between two texts joins subject words inside one name.

        "…University of Science" + "Technology of China" is one name because
        "Science" and "Technology" are both subject words.
        """
        left, right = _words(before), _words(after)
        return bool(left and right) and (
            left[-1].casefold() in self.continuation_words
            and right[0].casefold() in self.continuation_words
        )

    def org_evidence(self, text: str) -> str | None:
        """Return why the text reads as an organization, or None when nothing says so.

        The reasons, strongest first: ``known`` (in the registry), ``head-word``
        ("University"), ``acronym`` ("UCSB"), ``article`` (starts with "The"),
        ``domain`` ("harnets.ai"), ``lowercase-brand`` ("xAI").
        """
        if self.is_known(text):
            return "known"
        words = _words(text)
        if not words:
            return None
        if any(w.casefold() in self.head_words for w in words):
            return "head-word"
        if any(_is_acronym(w) for w in words):
            return "acronym"
        if words[0] in {"The", "the"}:
            return "article"
        if any(re.fullmatch(r"[\w-]+\.(ai|io|com|org|net|edu)", w) for w in words):
            return "domain"
        if any(w[0].islower() and any(c.isupper() for c in w[1:]) for w in words):
            return "lowercase-brand"
        return None

    def is_person_like(self, text: str) -> bool:
        """Tell whether the text has the shape of a personal name.

        One to six words, each capitalized, an initial ("Q." or "P"), a particle
        ("van") or a parenthesised nickname ("(Zain)"); no digits, no
        organization evidence.
        """
        if self.org_evidence(text) is not None or any(ch.isdigit() for ch in text):
            return False
        words = [w for w in _SPACE.split(_PAREN.sub(" ", text).strip()) if w]
        if not 1 <= len(words) <= 6:
            return False
        for word in words:
            if word in self.particles:
                continue
            if not (word[0].isupper() and all(ch.isalpha() or ch in ".'’-" for ch in word)):
                return False
        return True


def _is_acronym(word: str) -> bool:
    """Tell whether a word is an all-capitals acronym such as "UCSB" or "IIT"."""
    letters = [c for c in word if c.isalpha()]
    return (
        len(letters) >= 2
        and all(c.isupper() for c in letters)
        and word.rstrip(".") not in _ROMAN
        and not re.fullmatch(r"(?:[A-Z]\.)+", word)
    )
