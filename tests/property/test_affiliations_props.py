"""Property tests for confdata.resolve.organizations.affiliations (normalization and matching)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from confdata.resolve.organizations.affiliations import (
    ABBREVIATIONS,
    OrgEntry,
    match_org,
    normalize_org,
    parse_registry,
)

REGISTRY_TEXT = (Path(__file__).parents[2] / "raw/reference/organizations.yaml").read_text(
    encoding="utf-8"
)
REGISTRY = parse_registry(REGISTRY_TEXT)
# Parsed a second time to check that matching does not depend on the registry instance.
REGISTRY_AGAIN = parse_registry(REGISTRY_TEXT)
KNOWN = sorted(REGISTRY.known_strings())

# Pieces that exercise every normalization rule: articles, abbreviations, dashes,
# apostrophes, ampersands, accents, odd spaces and non-Latin letters.
_PIECES = st.sampled_from(
    [
        "The",
        "the",
        "THE",
        *ABBREVIATIONS,
        *(a.title() + "." for a in ABBREVIATIONS),
        "University",
        "of",
        "Zürich",
        "Işıl",
        "Bøgh",
        "Xi'an",
        "&",
        "-",
        "–",
        " – ",
        ",",
        "(PKU)",
        "Co.,Ltd.",
        "ǅ",
        "½",
        "ﬁ",
        "İ",
        "清华大学",
        "\u00a0",
        "\t",
    ]
)
_ORG_LIKE = st.lists(_PIECES, max_size=8).map(" ".join)


def _mutate(text: str, position: int, replacement: str) -> str:
    """Replace one character of text (a cheap typo generator)."""
    if not text:
        return replacement
    i = position % len(text)
    return text[:i] + replacement + text[i + 1 :]


@given(st.text())
def test_normalize_org_is_idempotent_on_any_text(text: str) -> None:
    """Normalizing a normalized string changes nothing."""
    once = normalize_org(text)
    assert normalize_org(once) == once


@given(_ORG_LIKE)
def test_normalize_org_is_idempotent_on_organization_like_text(text: str) -> None:
    """Idempotence also holds for strings full of articles, abbreviations and dashes."""
    once = normalize_org(text)
    assert normalize_org(once) == once


@given(st.one_of(st.text(max_size=60), st.sampled_from(KNOWN)))
def test_normalize_org_output_is_lower_case_single_spaced(text: str) -> None:
    """The normalized form has no upper case, no outer or double spaces, no leading 'the'."""
    norm = normalize_org(text)
    assert norm == norm.casefold() == " ".join(norm.split()) and not norm.startswith("the ")


@settings(max_examples=200)
@given(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(KNOWN),
        st.builds(_mutate, st.sampled_from(KNOWN), st.integers(0, 200), st.characters()),
    )
)
def test_match_is_deterministic(printed: str) -> None:
    """Matching the same string twice, or against a re-parsed registry, gives the same result."""
    first = match_org(printed, REGISTRY)
    assert first == match_org(printed, REGISTRY) == match_org(printed, REGISTRY_AGAIN)


@given(st.sampled_from(REGISTRY.entries))
def test_canonical_name_matches_its_entry_exactly(entry: OrgEntry) -> None:
    """Every entry's canonical name resolves to that entry with method 'exact'."""
    match = match_org(entry.name, REGISTRY)
    assert (match.org_id, match.method, match.score) == (entry.id, "exact", 100.0)


@given(st.sampled_from(REGISTRY.entries), st.data())
def test_case_and_dash_variants_match_the_same_entry(entry: OrgEntry, data: st.DataObject) -> None:
    """Upper-casing a known string or swapping its spaces for dashes keeps the match."""
    text = data.draw(st.sampled_from(entry.strings()))
    variant = data.draw(
        st.sampled_from([text.upper(), text.lower(), text.replace(" ", "-"), f"The {text}"])
    )
    assert match_org(variant, REGISTRY).org_id == entry.id


@settings(max_examples=200)
@given(st.sampled_from(KNOWN), st.integers(0, 200), st.characters())
def test_fuzzy_matches_keep_the_word_count(known: str, position: int, char: str) -> None:
    """A fuzzy match never adds or drops a word (the look-alike guard)."""
    printed = _mutate(known, position, char)
    match = match_org(printed, REGISTRY)
    if match.method == "fuzzy":
        assert match.candidate is not None
        assert len(normalize_org(printed).split()) == len(normalize_org(match.candidate).split())
