"""The reference data the parsers rely on, loaded from ``raw/reference/``.

Normalization rules are data: the vocabulary of program pages, the words that
mark organizations, and the registry of known organizations. This module turns
their YAML texts into typed objects; reading the files is ``confdata.io``'s job.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from confdata.org_registry import OrgRegistry, registry_from_dict
from confdata.org_words import OrgKnowledge
from confdata.people_overrides import Overrides, parse_overrides
from confdata.usenix_lines import ProgramRules

PROGRAM_RULES = "usenix_program.yaml"
ORGANIZATION_WORDS = "organization_words.yaml"
ORGANIZATIONS = "organizations.yaml"
PEOPLE = "people.yaml"
REQUIRED_FILES = (PROGRAM_RULES, ORGANIZATION_WORDS, ORGANIZATIONS)

# libyaml's parser reads the registry several times faster than the pure-Python
# one; both build the same objects through the same safe constructor.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class Reference:
    """Everything the parsers know, built from the reference files."""

    program_rules: ProgramRules
    org_knowledge: OrgKnowledge
    registry: OrgRegistry
    people_overrides: Overrides


def _load(name: str, text: str) -> Mapping[str, Any]:
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as err:
        raise ValueError(f"reference file {name} is not valid YAML: {err}") from err
    if not isinstance(data, Mapping):
        raise ValueError(f"reference file {name} must hold a mapping at the top")
    return data


def known_organization_names(registry: Mapping[str, Any]) -> list[str]:
    """Return every canonical name and alias in a parsed organization registry."""
    names: list[str] = []
    for entry in registry.get("organizations", ()) or ():
        names.append(str(entry["name"]))
        names.extend(str(a) for a in entry.get("aliases", ()) or ())
    return names


def build_reference(texts: Mapping[str, str]) -> Reference:
    """Build the :class:`Reference` from reference file names and their texts.

    Every file of a run is parsed with the same reference data, so the result is
    remembered by content (the few latest texts): the same texts give the same,
    shared object, which callers must not change.

    Raises:
        ValueError: If a required file is missing or a file is malformed; the
            message names the file.
    """
    return _build_reference(tuple(sorted(texts.items())))


@functools.lru_cache(maxsize=4)
def _build_reference(items: tuple[tuple[str, str], ...]) -> Reference:
    """Build the :class:`Reference` from (file name, text) pairs (see :func:`build_reference`)."""
    texts = dict(items)
    missing = [name for name in REQUIRED_FILES if name not in texts]
    if missing:
        raise ValueError(f"reference files missing: {', '.join(missing)}")
    registry = _load(ORGANIZATIONS, texts[ORGANIZATIONS])
    try:
        rules = ProgramRules.from_rules(_load(PROGRAM_RULES, texts[PROGRAM_RULES]))
        knowledge = OrgKnowledge.from_rules(
            _load(ORGANIZATION_WORDS, texts[ORGANIZATION_WORDS]),
            known_organization_names(registry),
        )
        orgs = registry_from_dict(registry)
        overrides = parse_overrides(texts.get(PEOPLE, "version: 1\n"))
    except (KeyError, TypeError) as err:
        raise ValueError(f"reference data malformed: {err!r}") from err
    return Reference(
        program_rules=rules, org_knowledge=knowledge, registry=orgs, people_overrides=overrides
    )
