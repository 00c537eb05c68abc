"""Organization registry and matching of printed affiliation strings to it.

The registry (``raw/reference/organizations.yaml``) is curated data: one entry per
organization, with its printed variants as aliases and an optional parent (a lab's
university, a research unit's company). This module only interprets it; it does no
file I/O, so callers pass the YAML text (or the already parsed mapping) in.

Matching is a ladder that stops at the first rung that answers, from the most to the
least certain: exact canonical name, exact alias, normalized form, guarded fuzzy
match, unresolved. Precision is preferred over recall throughout: merging two
different organizations silently corrupts every aggregate built on top, whereas an
unresolved string is reported and can be added to the registry by a curator.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

import yaml
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

Kind = Literal["academic", "industry", "government", "nonprofit"]
Method = Literal["exact", "alias", "normalized", "fuzzy", "unresolved"]

KINDS: frozenset[str] = frozenset(get_args(Kind))
REGISTRY_VERSION = 1
# Minimum fuzz.ratio of a fuzzy candidate. The whole-string score cannot tell typos
# from look-alikes on its own ("Nanyang Technology/Technological University" scores
# 91.8, "Northeastern/Northwestern University" 95.7); the word-level guard in
# _same_word does that. The threshold only bounds how much of the string may differ
# in total, and 90 is the round value just below the typo this project must catch.
DEFAULT_FUZZY_THRESHOLD = 90.0

# ISO 3166-1 alpha-2 codes officially assigned as of ISO/TC 46 N1108 (2023-04-05),
# copied from tzdata's iso3166.tab. Embedded rather than read at run time because the
# module does no I/O and the project does not depend on a country-code package.
_ISO_3166_ALPHA2_ROWS = (
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ",
    "BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ",
    "CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ",
    "DE DJ DK DM DO DZ",
    "EC EE EG EH ER ES ET",
    "FI FJ FK FM FO FR",
    "GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY",
    "HK HM HN HR HT HU",
    "ID IE IL IM IN IO IQ IR IS IT",
    "JE JM JO JP",
    "KE KG KH KI KM KN KP KR KW KY KZ",
    "LA LB LC LI LK LR LS LT LU LV LY",
    "MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ",
    "NA NC NE NF NG NI NL NO NP NR NU NZ",
    "OM",
    "PA PE PF PG PH PK PL PM PN PR PS PT PW PY",
    "QA",
    "RE RO RS RU RW",
    "SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ",
    "TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ",
    "UA UG UM US UY UZ",
    "VA VC VE VG VI VN VU",
    "WF WS",
    "YE YT",
    "ZA ZM ZW",
)
ISO_3166_ALPHA2: frozenset[str] = frozenset(
    code for row in _ISO_3166_ALPHA2_ROWS for code in row.split()
)

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

# Letters that NFKD does not decompose into an ASCII base letter plus a mark, so
# stripping marks alone would keep them distinct from their usual ASCII spelling.
_TRANSLITERATION: Mapping[str, str] = MappingProxyType(
    {
        "æ": "ae",
        "ð": "d",
        "đ": "d",
        "ħ": "h",
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "œ": "oe",
        "þ": "th",
        "ŧ": "t",
    }
)

# Apostrophes join the letters around them ("Xi'an" -> "xian"): splitting there
# would create a token that exists in no printed variant.
_APOSTROPHES = frozenset("'’ʼ`´‘")

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

_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ENTRY_FIELDS = ("id", "name", "aliases", "kind", "country", "parent", "source")


@dataclass(frozen=True, slots=True)
class OrgEntry:
    """One organization of the registry.

    Attributes:
        id: Stable kebab-case slug; never reused for another organization.
        name: Canonical display name.
        aliases: Other exact strings that denote this organization (printed
            variants, common acronyms). Variants that differ only in case,
            punctuation, dashes, a leading "The" or diacritics are left out: the
            normalized rung of the matcher finds them.
        kind: ``academic``, ``industry``, ``government`` or ``nonprofit``.
        country: ISO 3166-1 alpha-2 code, or None when the organization is
            international or its country could not be established.
        parent: Id of the enclosing organization, or None for a root.
        source: Where the facts come from, and any doubt about them.
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: Kind
    country: str | None
    parent: str | None
    source: str

    def strings(self) -> tuple[str, ...]:
        """Return the canonical name followed by the aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class _Choice:
    """A registry string prepared for fuzzy comparison."""

    normalized: str
    tokens: tuple[str, ...]
    org_id: str
    original: str


@dataclass(frozen=True, slots=True)
class OrgRegistry:
    """A validated set of organizations with lookup indexes.

    Construction validates the whole registry, so an ``OrgRegistry`` that exists
    is consistent: ids are unique slugs, parents exist and form no cycle, kinds
    and countries are valid, and no string (exactly or once normalized) denotes
    two entries. Build it with :func:`parse_registry` or :func:`registry_from_dict`.

    Attributes:
        entries: The organizations, in file order.
        version: Registry format version.
        source_note: How the facts were collected.
    """

    entries: tuple[OrgEntry, ...]
    version: int = REGISTRY_VERSION
    source_note: str = ""
    _by_id: Mapping[str, OrgEntry] = field(init=False, repr=False, compare=False)
    _by_name: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _by_alias: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _by_normalized: Mapping[str, tuple[str, str]] = field(init=False, repr=False, compare=False)
    _choices: tuple[_Choice, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = _index_ids(self.entries)
        _check_parents(by_id)
        by_name, by_alias, by_normalized = _index_strings(self.entries)
        choices = tuple(
            _Choice(norm, tuple(norm.split()), org_id, original)
            for norm, (org_id, original) in by_normalized.items()
        )
        # object.__setattr__ because the dataclass is frozen; the indexes are
        # derived from ``entries`` and never change afterwards.
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))
        object.__setattr__(self, "_by_alias", MappingProxyType(by_alias))
        object.__setattr__(self, "_by_normalized", MappingProxyType(by_normalized))
        object.__setattr__(self, "_choices", choices)

    def get(self, org_id: str) -> OrgEntry:
        """Return the entry with this id.

        Raises:
            KeyError: If no entry has this id.
        """
        try:
            return self._by_id[org_id]
        except KeyError:
            raise KeyError(f"unknown organization id {org_id!r}") from None

    def __contains__(self, org_id: object) -> bool:
        return org_id in self._by_id

    def __len__(self) -> int:
        return len(self.entries)

    def known_strings(self) -> frozenset[str]:
        """Return every canonical name and alias, exactly as written in the registry."""
        return frozenset(self._by_name) | frozenset(self._by_alias)

    def known_normalized(self) -> frozenset[str]:
        """Return the normalized form of every canonical name and alias.

        Printed variants that differ from a known string only in case,
        punctuation or dashes are not in :meth:`known_strings`; compare
        ``normalize_org(text)`` against this set to recognize them.
        """
        return frozenset(self._by_normalized)


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


def normalize_org(text: str) -> str:
    """Reduce an organization string to a comparison key.

    Folds case and diacritics, turns every punctuation mark and dash (hyphen,
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
    folded = _strip_marks(_strip_marks(text).casefold())
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


def ancestors(org_id: str, registry: OrgRegistry) -> tuple[str, ...]:
    """Return the ids of the organization's ancestors, nearest first.

    Args:
        org_id: Id of a registry entry.
        registry: The registry.

    Returns:
        The parent, the parent's parent and so on; empty for a root.

    Raises:
        KeyError: If ``org_id`` is not in the registry.
    """
    chain: list[str] = []
    parent = registry.get(org_id).parent
    # Terminates: the registry was checked for cycles when it was built.
    while parent is not None:
        chain.append(parent)
        parent = registry.get(parent).parent
    return tuple(chain)


def parse_registry(yaml_text: str) -> OrgRegistry:
    """Parse and validate the registry from its YAML text.

    Args:
        yaml_text: Content of ``organizations.yaml``.

    Returns:
        The validated registry.

    Raises:
        ValueError: If the text is not YAML or the registry is invalid; the
            message names the offending entry.
    """
    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        raise ValueError(f"organization registry is not valid YAML: {exc}") from exc
    return registry_from_dict(data)


def registry_from_dict(data: Any) -> OrgRegistry:
    """Build and validate the registry from its parsed YAML mapping.

    Args:
        data: The mapping with ``version``, ``source_note`` and ``organizations``.

    Returns:
        The validated registry.

    Raises:
        ValueError: If the registry is invalid; the message names the offending
            entry.
    """
    if not isinstance(data, Mapping):
        raise ValueError("organization registry must be a mapping at the top level")
    version = data.get("version")
    if version != REGISTRY_VERSION or isinstance(version, bool):
        raise ValueError(f"organization registry version must be {REGISTRY_VERSION}")
    source_note = data.get("source_note")
    if not isinstance(source_note, str) or not source_note.strip():
        raise ValueError("organization registry needs a non-empty source_note")
    raw_entries = data.get("organizations")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise ValueError("organization registry needs a non-empty 'organizations' list")
    entries = tuple(_parse_entry(i, raw) for i, raw in enumerate(raw_entries))
    return OrgRegistry(entries=entries, version=REGISTRY_VERSION, source_note=source_note)


def _strip_marks(text: str) -> str:
    """Decompose compatibly (NFKD) and drop combining marks (accents)."""
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


def _parse_entry(index: int, raw: Any) -> OrgEntry:
    """Check the fields of one raw entry and build the OrgEntry."""
    where = f"organizations[{index}]"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: an entry must be a mapping")
    if isinstance(raw.get("id"), str):
        where = f"{where} (id {raw['id']!r})"
    missing = [key for key in _ENTRY_FIELDS if key not in raw]
    unknown = sorted(str(key) for key in raw if key not in _ENTRY_FIELDS)
    if missing or unknown:
        raise ValueError(f"{where}: missing fields {missing}, unknown fields {unknown}")
    org_id, name, aliases = raw["id"], raw["name"], raw["aliases"]
    kind, country, parent, source = raw["kind"], raw["country"], raw["parent"], raw["source"]
    if not isinstance(org_id, str) or not _ID_RE.fullmatch(org_id):
        raise ValueError(f"{where}: id must be a kebab-case slug, got {org_id!r}")
    if not _is_clean_text(name):
        raise ValueError(f"{where}: name must be a non-empty string without outer spaces")
    if not isinstance(aliases, list) or not all(_is_clean_text(a) for a in aliases):
        raise ValueError(f"{where}: aliases must be a list of non-empty strings")
    if len(set(aliases)) != len(aliases) or name in aliases:
        raise ValueError(f"{where}: aliases repeat each other or the name")
    if kind not in KINDS:
        raise ValueError(f"{where}: kind must be one of {sorted(KINDS)}, got {kind!r}")
    if country is not None and country not in ISO_3166_ALPHA2:
        raise ValueError(f"{where}: country must be an ISO 3166-1 alpha-2 code, got {country!r}")
    if parent is not None and not isinstance(parent, str):
        raise ValueError(f"{where}: parent must be an id or null, got {parent!r}")
    if not _is_clean_text(source):
        raise ValueError(f"{where}: source must be a non-empty string")
    return OrgEntry(org_id, name, tuple(aliases), kind, country, parent, source)


def _is_clean_text(value: Any) -> bool:
    """Tell whether value is a non-empty string without surrounding whitespace."""
    return isinstance(value, str) and bool(value) and value == value.strip()


def _index_ids(entries: tuple[OrgEntry, ...]) -> dict[str, OrgEntry]:
    """Index entries by id, rejecting duplicates."""
    by_id: dict[str, OrgEntry] = {}
    for entry in entries:
        if entry.id in by_id:
            raise ValueError(f"entry {entry.id!r}: id is used by two entries")
        by_id[entry.id] = entry
    return by_id


def _check_parents(by_id: Mapping[str, OrgEntry]) -> None:
    """Reject unknown parents and parent cycles."""
    for entry in by_id.values():
        if entry.parent is not None and entry.parent not in by_id:
            raise ValueError(f"entry {entry.id!r}: unknown parent {entry.parent!r}")
    for entry in by_id.values():
        path = [entry.id]
        parent = entry.parent
        while parent is not None:
            if parent in path:
                cycle = " -> ".join([*path[path.index(parent) :], parent])
                raise ValueError(f"entry {entry.id!r}: parent cycle {cycle}")
            path.append(parent)
            parent = by_id[parent].parent


def _index_strings(
    entries: tuple[OrgEntry, ...],
) -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, str]]]:
    """Index names, aliases and their normalized forms; reject shared strings.

    A string shared by two entries would make the answer depend on file order,
    so it is an error, for exact strings and for normalized forms alike.
    """
    by_name: dict[str, str] = {}
    by_alias: dict[str, str] = {}
    owner: dict[str, str] = {}
    by_normalized: dict[str, tuple[str, str]] = {}
    for entry in entries:
        for text in entry.strings():
            if owner.get(text, entry.id) != entry.id:
                raise ValueError(
                    f"entry {entry.id!r}: name or alias {text!r} is already used by "
                    f"entry {owner[text]!r}"
                )
            owner[text] = entry.id
            norm = normalize_org(text)
            if not norm:
                raise ValueError(f"entry {entry.id!r}: {text!r} normalizes to nothing")
            other = by_normalized.get(norm)
            if other is not None and other[0] != entry.id:
                raise ValueError(
                    f"entry {entry.id!r}: {text!r} normalizes to {norm!r}, like "
                    f"{other[1]!r} of entry {other[0]!r}"
                )
            by_normalized.setdefault(norm, (entry.id, text))
        by_name[entry.name] = entry.id
        for alias in entry.aliases:
            by_alias[alias] = entry.id
    return by_name, by_alias, by_normalized


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
