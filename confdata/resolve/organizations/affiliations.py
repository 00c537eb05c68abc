"""Matching of printed affiliation strings to the organization registry.

The registry itself (entries, parsing, validation, ancestors) is
:mod:`confdata.reference.registry` and the comparison form of a name is
:mod:`confdata.normalize.org_names`; their public names are re-exported here.

Matching is a ladder that stops at the first rung that answers, from the most to the
least certain: exact canonical name, exact alias, normalized form, guarded fuzzy
match, unresolved. Precision is preferred over recall throughout: merging two
different organizations silently corrupts every aggregate built on top, whereas an
unresolved string is reported and can be added to the registry by a curator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from confdata.normalize.org_names import ABBREVIATIONS, normalize_org
from confdata.reference.registry import (
    ISO_3166_ALPHA2,
    KINDS,
    REGISTRY_VERSION,
    Kind,
    OrgEntry,
    OrgRegistry,
    ancestors,
    parse_registry,
    registry_from_dict,
)

__all__ = [
    "ABBREVIATIONS",
    "DEFAULT_FUZZY_THRESHOLD",
    "ISO_3166_ALPHA2",
    "KINDS",
    "REGISTRY_VERSION",
    "Kind",
    "Method",
    "OrgEntry",
    "OrgMatch",
    "OrgRegistry",
    "ancestors",
    "match_org",
    "normalize_org",
    "parse_registry",
    "registry_from_dict",
]

Method = Literal["exact", "alias", "normalized", "fuzzy", "unresolved"]

# Minimum fuzz.ratio of a fuzzy candidate. The whole-string score cannot tell typos
# from look-alikes on its own ("Nanyang Technology/Technological University" scores
# 91.8, "Northeastern/Northwestern University" 95.7); the word-level guard in
# _same_word does that. The threshold only bounds how much of the string may differ
# in total, and 90 is the round value just below the typo this project must catch.
DEFAULT_FUZZY_THRESHOLD = 90.0

# Word endings that make two tokens the same word for the fuzzy guard
# ("technology" / "technological", "laboratory" / "laboratories"). Deliberately
# short: "ics"/"ion" are absent so that "informatics" / "information" stay apart,
# and "ological" is absent so that "technical" / "technological" stay apart.
_INFLECTION_ENDINGS: frozenset[str] = frozenset({"", "s", "es", "y", "ies", "ic", "ical", "al"})
# Shortest shared stem for the inflection rule; shorter stems are too unspecific.
_MIN_STEM = 4
# Shortest token on which a one-edit typo is accepted. Shorter tokens are often
# distinct place names one edit apart ("Hunan" / "Henan", "Shanxi" / "Shaanxi").
_MIN_TYPO_TOKEN = 7


@dataclass(frozen=True, slots=True)
class OrgMatch:
    """The outcome of matching one printed string against the registry.

    Attributes:
        printed: The string as printed in the raw input.
        org_id: The matched entry's id, or None when unresolved.
        method: Which rung of the matching ladder answered.
        score: 100.0 for exact, alias and normalized matches; the fuzzy score
            (rapidfuzz ``fuzz.ratio`` of the normalized forms) otherwise, which for
            an unresolved string is the score of the closest rejected candidate
            (0.0 when there was none).
        candidate: The registry string that matched or, when unresolved, the
            closest registry string considered (None when there was none).
    """

    printed: str
    org_id: str | None
    method: Method
    score: float
    candidate: str | None


def match_org(
    printed: str, registry: OrgRegistry, *, fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD
) -> OrgMatch:
    """Match a printed organization string to a registry entry.

    Tries, in order: the exact canonical name, an exact alias, the normalized
    form of a name or alias, then a guarded fuzzy match. A fuzzy candidate is
    accepted only if its ``fuzz.ratio`` on normalized forms reaches the threshold
    *and* it passes the token guard (same number of words, and every differing
    word is a one-edit typo of a word of at least 7 letters with the same first
    letter, or the same word with another ending such as
    "technology"/"technological"). If candidates of two different entries pass,
    the string is ambiguous and left unresolved.

    Args:
        printed: The organization string as printed.
        registry: The registry to match against.
        fuzzy_threshold: Minimum ``fuzz.ratio`` (0-100] of a fuzzy candidate.

    Returns:
        The match; ``org_id`` is None when unresolved.

    Raises:
        ValueError: If ``fuzzy_threshold`` is not in (0, 100].
    """
    if not 0.0 < fuzzy_threshold <= 100.0:
        raise ValueError(f"fuzzy_threshold must be in (0, 100], got {fuzzy_threshold!r}")
    if printed in registry._by_name:
        return OrgMatch(printed, registry._by_name[printed], "exact", 100.0, printed)
    if printed in registry._by_alias:
        return OrgMatch(printed, registry._by_alias[printed], "alias", 100.0, printed)
    normalized = normalize_org(printed)
    if not normalized:
        return OrgMatch(printed, None, "unresolved", 0.0, None)
    hit = registry._by_normalized.get(normalized)
    if hit is not None:
        return OrgMatch(printed, hit[0], "normalized", 100.0, hit[1])
    return _fuzzy_match(printed, normalized, registry, fuzzy_threshold)


def _fuzzy_match(
    printed: str, normalized: str, registry: OrgRegistry, threshold: float
) -> OrgMatch:
    """Run the guarded fuzzy rung of match_org (see its docstring)."""
    choices = registry._choices
    keys = [choice.normalized for choice in choices]
    # fuzz.ratio (normalized Indel similarity of the whole strings), not WRatio or
    # token_set_ratio: those score 95-100 when one name contains the other, which
    # is exactly the look-alike case ("Microsoft Research" vs "Microsoft Research
    # Asia", "The Chinese University of Hong Kong" vs "..., Shenzhen").
    ranked = process.extract(normalized, keys, scorer=fuzz.ratio, limit=None)
    if not ranked:
        return OrgMatch(printed, None, "unresolved", 0.0, None)
    query_tokens = tuple(normalized.split())
    accepted = [
        (score, choices[index])
        for _, score, index in ranked
        if score >= threshold and _tokens_compatible(query_tokens, choices[index].tokens)
    ]
    if accepted:
        best_score, best_choice = accepted[0]
        # process.extract sorts by score, then by position, so this is deterministic.
        if len({choice.org_id for _, choice in accepted}) == 1:
            return OrgMatch(
                printed, best_choice.org_id, "fuzzy", float(best_score), best_choice.original
            )
    else:
        _, best_score, best_index = ranked[0]
        best_choice = choices[best_index]
    # Nothing passed, or candidates of two entries did (ambiguous): report the
    # closest string so that a curator can decide whether it is a new alias or a
    # new entry.
    return OrgMatch(printed, None, "unresolved", float(best_score), best_choice.original)


def _tokens_compatible(query: tuple[str, ...], candidate: tuple[str, ...]) -> bool:
    """Tell whether two names differ only by typos or word endings, word by word.

    A different word count means a word was added or removed, and an added word
    is what distinguishes look-alikes ("..., Shenzhen", "... Asia"), so it fails.
    """
    if len(query) != len(candidate):
        return False
    return all(a == b or _same_word(a, b) for a, b in zip(query, candidate, strict=True))


def _same_word(a: str, b: str) -> bool:
    """Tell whether two different words are a typo or an inflection of each other."""
    if any(ch.isdigit() for ch in a + b):
        # "Lab 1" vs "Lab 2": numbers identify, they are never typos.
        return False
    if (
        min(len(a), len(b)) >= _MIN_TYPO_TOKEN
        and a[0] == b[0]
        and OSA.distance(a, b, score_cutoff=1) <= 1
    ):
        # One insertion, deletion, substitution or swap of adjacent letters. Not
        # two: "northeastern" / "northwestern" are two edits apart.
        return True
    stem = _common_prefix_length(a, b)
    return stem >= _MIN_STEM and any(
        a[cut:] in _INFLECTION_ENDINGS and b[cut:] in _INFLECTION_ENDINGS
        for cut in range(_MIN_STEM, stem + 1)
    )


def _common_prefix_length(a: str, b: str) -> int:
    """Return the length of the longest common prefix of a and b."""
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length
