"""Knowledge for telling organizations from people in printed author lines.

Punctuation alone cannot split "Yixin Shen, Tsinghua University, Bytedance Inc.,
and Zhongguancun Laboratory" (one person, three organizations) from "Ann Lee,
Bo Chen, and Cy Wu, MIT" (three people, one organization). The words that mark
an organization, the organizations we already know and the qualifiers that
continue an organization name ("…, Berkeley", "…, Ltd.") are data, loaded from
``raw/reference/organization_words.yaml`` and ``raw/reference/organizations.yaml``
by ``confdata.run.io`` and handed in here as an :class:`OrgKnowledge`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

# Applied after white space is collapsed, so each side holds at most one space
# (``\s*`` on both sides would take quadratic time on a long run of spaces).
_DASHES = re.compile(r" ?[\u2010-\u2015\u2212-] ?")
_SPACE = re.compile(r"\s+")
_PAREN = re.compile(r"\([^()]*\)")
_ROMAN = frozenset({"II", "III", "IV", "VI", "VII", "VIII"})
_DOMAIN = re.compile(r"[\w-]+\.(ai|io|com|org|net|edu)")
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_WORD_PUNCT = ",;:()[]"
_NAME_PUNCT = frozenset(".'’-")

# The author-line grammar asks the same questions about the same strings again and
# again (a page asks ~4,300 times whether a segment is an organization, about 1,400
# distinct segments, and pages of one run share organizations). The answers are pure
# functions of the string and the knowledge, so they are remembered. Memory stays
# bounded over a long run and on hostile input: a memo holds at most _MEMO_SIZE
# answers (it is emptied when full) about strings of at most _MEMO_MAX_CHARS.
_MEMO_SIZE = 1 << 14
_MEMO_MAX_CHARS = 200
_MISSING = object()
_T = TypeVar("_T")


def remember(memo: dict[str, _T], text: str, answer: _T) -> _T:
    """Store an answer about a short text in a bounded memo, and return the answer."""
    if len(text) <= _MEMO_MAX_CHARS:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        memo[text] = answer
    return answer


def _remembered(function: Callable[[str], _T]) -> Callable[[str], _T]:
    """Remember a pure function of a string for short strings (see _MEMO_SIZE)."""
    cached = functools.lru_cache(maxsize=_MEMO_SIZE)(function)

    @functools.wraps(function)
    def call(text: str) -> _T:
        return cached(text) if len(text) <= _MEMO_MAX_CHARS else function(text)

    return call


@_remembered
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
    # str.split() cuts at exactly the characters ``\s`` matches, and drops empty words.
    stripped = (w.strip(_WORD_PUNCT) for w in text.split())
    return [w for w in stripped if w]


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
    # Answers already given (see _MEMO_SIZE); not part of the knowledge's value.
    _evidence_memo: dict[str, str | None] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _person_memo: dict[str, bool] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _memos: dict[str, dict[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

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

    def memo(self, question: str) -> dict[str, Any]:
        """Return the memo of answers to a question about strings, for this knowledge only.

        For callers whose answer is a pure function of a string and this knowledge
        (how ``author_lines`` splits an organizations part): store answers with
        :func:`remember`, which bounds the memo, and never change a stored answer.
        """
        return self._memos.setdefault(question, {})

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
        answer = self._evidence_memo.get(text, _MISSING)
        if answer is _MISSING:
            return remember(self._evidence_memo, text, self._org_evidence(text))
        return answer  # type: ignore[return-value]

    def _org_evidence(self, text: str) -> str | None:
        """Compute :meth:`org_evidence` (not remembered)."""
        if self.is_known(text):
            return "known"
        words = _words(text)
        if not words:
            return None
        if not self.head_words.isdisjoint(map(str.casefold, words)):
            return "head-word"
        if any(map(_is_acronym, words)):
            return "acronym"
        if words[0] in {"The", "the"}:
            return "article"
        if any(map(_DOMAIN.fullmatch, words)):
            return "domain"
        if any(w[0].islower() and any(map(str.isupper, w[1:])) for w in words):
            return "lowercase-brand"
        return None

    def is_person_like(self, text: str) -> bool:
        """Tell whether the text has the shape of a personal name.

        One to six words, each capitalized, an initial ("Q." or "P"), a particle
        ("van") or a parenthesised nickname ("(Zain)"); no digits, no
        organization evidence.
        """
        answer = self._person_memo.get(text)
        if answer is None:
            answer = remember(self._person_memo, text, self._is_person_like(text))
        return answer

    def _is_person_like(self, text: str) -> bool:
        """Compute :meth:`is_person_like` (not remembered)."""
        if self.org_evidence(text) is not None or any(map(str.isdigit, text)):
            return False
        words = _PAREN.sub(" ", text).split()
        if not 1 <= len(words) <= 6:
            return False
        for word in words:
            if word in self.particles:
                continue
            if not (
                word[0].isupper()
                and (word.isalpha() or all(ch.isalpha() or ch in _NAME_PUNCT for ch in word))
            ):
                return False
        return True


@_remembered
def _is_acronym(word: str) -> bool:
    """Tell whether a word is an all-capitals acronym such as "UCSB" or "IIT"."""
    letters = list(filter(str.isalpha, word))
    return (
        len(letters) >= 2
        and all(map(str.isupper, letters))
        and word.rstrip(".") not in _ROMAN
        and not _INITIALS.fullmatch(word)
    )
