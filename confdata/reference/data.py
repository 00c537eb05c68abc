"""The reference data the parsers rely on, loaded from ``raw/reference/``.

Normalization rules are data: the vocabulary of program pages, the words that
mark organizations, and the registry of known organizations. This module turns
their YAML texts into typed objects, each file checked against its shape
(:mod:`confdata.reference.shapes`) so that a damaged file is a located error;
reading the files is ``confdata.run.io``'s job (:mod:`confdata.reference.files`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from confdata.errors import RawInputError, RawInputErrors, problems_of
from confdata.parse.authors.org_words import OrgKnowledge
from confdata.parse.usenix.lines import ProgramRules
from confdata.reference.files import check_failure, load_yaml, read_reference_texts
from confdata.reference.overrides import Overrides, parse_overrides
from confdata.reference.registry import OrgRegistry, registry_from_dict

PROGRAM_RULES = "usenix_program.yaml"
ORGANIZATION_WORDS = "organization_words.yaml"
ORGANIZATIONS = "organizations.yaml"
PEOPLE = "people.yaml"
REQUIRED_FILES = (PROGRAM_RULES, ORGANIZATION_WORDS, ORGANIZATIONS)
_MISSING_FILE = "this reference file"


@dataclass(frozen=True, slots=True)
class Reference:
    """Everything the parsers know, built from the reference files."""

    program_rules: ProgramRules
    org_knowledge: OrgKnowledge
    registry: OrgRegistry
    people_overrides: Overrides


def known_organization_names(registry: Mapping[str, Any]) -> list[str]:
    """Return every canonical name and alias in a parsed organization registry."""
    names: list[str] = []
    for entry in registry.get("organizations", ()) or ():
        names.append(str(entry["name"]))
        names.extend(str(a) for a in entry.get("aliases", ()) or ())
    return names


def build_reference(texts: Mapping[str, str], where: str = "") -> Reference:
    """Build the :class:`Reference` from reference file names and their texts.

    Every file of a run is parsed with the same reference data, so the result is
    remembered by content (the few latest texts): the same texts give the same,
    shared object, which callers must not change.

    Args:
        texts: File name -> text (:func:`confdata.run.io.read_reference`).
        where: The folder the files came from, as errors print it (``raw/reference``).

    Raises:
        RawInputErrors: Listing every problem of every file, each at its line:
            a required file missing, a YAML syntax error, a value of the wrong
            shape (:mod:`confdata.reference.shapes`), an entry a reader refuses.
    """
    return _build_reference(tuple(sorted(texts.items())), where)


def check_reference(reference_dir: Path) -> list[RawInputError]:
    """Return every problem of a reference folder's files (none when the data can be built).

    Reads the files (:func:`confdata.reference.files.read_reference_texts`) and builds the
    reference data from them, so that a run can list these problems with
    those of the raw files before it parses anything.
    """
    unreadable: list[RawInputError] = []
    texts = read_reference_texts(reference_dir, unreadable)
    try:
        build_reference(texts, str(reference_dir))
    except RawInputError as err:
        # A file that could not be read is not also "missing".
        names = {Path(p.path).name for p in unreadable}
        return unreadable + [
            p
            for p in problems_of(err)
            if not (p.expected == _MISSING_FILE and Path(p.path).name in names)
        ]
    return unreadable


@functools.lru_cache(maxsize=4)
def _build_reference(items: tuple[tuple[str, str], ...], where: str) -> Reference:
    """Build the :class:`Reference` from (file name, text) pairs (see :func:`build_reference`)."""
    texts = dict(items)
    folder = where or "reference"
    missing = [name for name in REQUIRED_FILES if name not in texts]
    problems: list[RawInputError] = [
        RawInputError(f"{folder}/{name}", 0, _MISSING_FILE, "no such file") for name in missing
    ]
    data: dict[str, Mapping[str, Any]] = {}
    for name, text in texts.items():
        try:
            data[name] = load_yaml(name, text, f"{folder}/{name}" if where else name)
        except RawInputError as err:
            problems.extend(problems_of(err))
    if problems:
        raise RawInputErrors(problems)
    readers = {
        ORGANIZATIONS: registry_from_dict,
        PROGRAM_RULES: ProgramRules.from_rules,
        ORGANIZATION_WORDS: lambda words: OrgKnowledge.from_rules(
            words, known_organization_names(data[ORGANIZATIONS])
        ),
        PEOPLE: lambda _: parse_overrides(texts[PEOPLE]),
    }
    built: dict[str, Any] = {}
    for name, read in readers.items():
        if name in data:
            try:
                built[name] = read(data[name])
            except (ValueError, KeyError, TypeError) as err:
                where_name = f"{folder}/{name}" if where else name
                problems.append(check_failure(name, texts[name], data[name], err, where_name))
    if problems:
        raise RawInputErrors(problems)
    return Reference(
        program_rules=built[PROGRAM_RULES],
        org_knowledge=built[ORGANIZATION_WORDS],
        registry=built[ORGANIZATIONS],
        people_overrides=built.get(PEOPLE, parse_overrides("version: 1\n")),
    )
