"""The organization registry: curated entries, their validation and their ancestry.

The registry (``raw/reference/organizations.yaml``) is curated data: one entry per
organization, with its printed variants as aliases and an optional parent (a lab's
university, a research unit's company). This module only interprets it; it does no
file I/O, so callers pass the YAML text (or the already parsed mapping) in.

Building an :class:`OrgRegistry` validates the whole registry and indexes every
name and alias, exactly and in normalized form (:func:`confdata.normalize.org_names.normalize_org`),
for the matcher of :mod:`confdata.resolve.organizations.affiliations`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, get_args

import yaml

from confdata.normalize.org_names import normalize_org
from confdata.reference.ror_ids import ROR_FIELDS, parse_ror_fields

Kind = Literal["academic", "industry", "government", "nonprofit"]

KINDS: frozenset[str] = frozenset(get_args(Kind))
REGISTRY_VERSION = 1

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
        ror_id: The organization's ROR record (``https://ror.org/...``), or None
            when it has none or none was decided. Not used for matching (yet).
        ror_note: Why no ROR record fits; set exactly when ``ror_id`` was
            decided to be null, so ``ror_id is None and ror_note is None`` means
            "not decided".
        ror_notes: Each place where the ROR record disagrees with this entry, as
            ``"<kind>: ..."`` with a kind of :data:`confdata.reference.ror_ids.ROR_NOTE_KINDS`.
            Our own facts stay authoritative; a note records the difference.
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: Kind
    country: str | None
    parent: str | None
    source: str
    ror_id: str | None = None
    ror_note: str | None = None
    ror_notes: tuple[str, ...] = ()

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
        _check_ror_ids(self.entries)
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


def _parse_entry(index: int, raw: Any) -> OrgEntry:
    """Check the fields of one raw entry and build the OrgEntry."""
    where = f"organizations[{index}]"
    if not isinstance(raw, Mapping):
        raise ValueError(f"{where}: an entry must be a mapping")
    if isinstance(raw.get("id"), str):
        where = f"{where} (id {raw['id']!r})"
    missing = [key for key in _ENTRY_FIELDS if key not in raw]
    unknown = sorted(str(key) for key in raw if key not in _ENTRY_FIELDS + ROR_FIELDS)
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
    ror_id, ror_note, ror_notes = parse_ror_fields(where, raw)
    return OrgEntry(
        org_id, name, tuple(aliases), kind, country, parent, source, ror_id, ror_note, ror_notes
    )


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


def _check_ror_ids(entries: tuple[OrgEntry, ...]) -> None:
    """Reject a ROR ID given to two entries: one ROR record is one organization."""
    owner: dict[str, str] = {}
    for entry in entries:
        if entry.ror_id is None:
            continue
        if entry.ror_id in owner:
            raise ValueError(
                f"entry {entry.id!r}: ror_id {entry.ror_id} is already used by entry "
                f"{owner[entry.ror_id]!r}"
            )
        owner[entry.ror_id] = entry.id


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
