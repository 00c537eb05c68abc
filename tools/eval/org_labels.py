"""Labelled hard organization strings: parsing, checking and scoring (``make eval``).

The labels (``tools/eval/labels/organizations_ror.yaml``) are judgements written by reading
real pages: a printed organization string, the line that prints it, the kind of hard
case it is, and the organization a careful reader assigns to it, both as a registry
entry (or none) and as a ROR record (or none, with the reason). They extend the format
of ``tools/eval/labels/organizations.yaml`` (``printed``, ``registry_id``) with ``source``,
``case``, ``ror_id``, ``ror_scope`` and ``note``.

The registry tier is scored on them now: its answer for each printed string against
the label. The ROR tier will be scored on the ``ror_id`` labels once it exists.

Pure: the caller reads the files and passes texts, the registry and the known ROR IDs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from confdata.reference.ror_ids import is_ror_id

LABELS_VERSION = 1
# The kinds of hard case a label is chosen for (documented in the labels file's header).
CASES = (
    "acronym",
    "shared-acronym",
    "per-country-company",
    "sub-unit",
    "look-alike",
    "typo",
    "campus",
    "foreign-form",
    "historical-name",
    "joint",
    "context",
    "variant",
    "control",
)
# organization: the record of the organization printed; enclosing: the record of the
# nearest enclosing organization the string names, when ROR has none for the unit.
SCOPES = ("organization", "enclosing")
# How the note of a label without a ROR record starts: the copy may lack a record the
# full registry has, ROR may have none, or the string names no single organization.
NULL_NOTE_STARTS = ("not in the partial copy: ", "no ROR record: ", "unresolvable: ")
_REQUIRED = frozenset({"printed", "source", "case", "registry_id", "ror_id"})
_KEYS = _REQUIRED | {"ror_scope", "note"}


@dataclass(frozen=True, slots=True)
class OrgLabel:
    """One judgement: a printed string and the organization it is.

    Attributes:
        printed: The organization string as printed, whitespace runs collapsed.
        file: The file that prints it, relative to the repository.
        line: The 1-based line that prints it (the first, when wrapped).
        case: The kind of hard case, one of :data:`CASES`.
        registry_id: The registry entry that is this organization, or None when
            the registry tier must leave the string unresolved.
        ror_id: The ROR record the string is linked to, or None.
        ror_scope: ``organization`` or ``enclosing`` (None when ror_id is None).
        note: Why, for a hard decision; always set when ror_id is None.
        labels_line: The label's line in the labels file, for messages.
    """

    printed: str
    file: str
    line: int
    case: str
    registry_id: str | None
    ror_id: str | None
    ror_scope: str | None
    note: str | None
    labels_line: int


def parse_org_labels(yaml_text: str, path: str) -> tuple[OrgLabel, ...]:
    """Parse and check the form of the hard organization labels.

    Args:
        yaml_text: The labels file's text.
        path: Its path, for messages.

    Returns:
        The labels in file order.

    Raises:
        ValueError: ``path:line: expected ..., found ...`` for the first bad label
            (line 0 for a problem with the whole file).
    """
    try:
        root = yaml.compose(yaml_text)
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}:0: expected YAML, found {exc}") from exc
    if not isinstance(data, Mapping) or data.get("version") != LABELS_VERSION:
        raise ValueError(f"{path}:0: expected a mapping with version: {LABELS_VERSION}")
    raw_labels = data.get("labels")
    if not isinstance(raw_labels, list) or not raw_labels:
        raise ValueError(f"{path}:0: expected a non-empty 'labels' list")
    lines = _label_lines(root, len(raw_labels))
    return tuple(
        _parse_label(raw, f"{path}:{line}", line)
        for raw, line in zip(raw_labels, lines, strict=True)
    )


def check_org_labels(
    labels: Sequence[OrgLabel],
    *,
    registry_ids: Collection[str],
    ror_ids: Collection[str],
    read_lines: Callable[[str], Sequence[str]],
    path: str,
) -> list[str]:
    """List every label that does not hold against the data it refers to.

    A label's registry entry must exist, its ROR ID must be in the vendored copy,
    its source line (joined with the next one, for a wrapped string) must print the
    string, and no (string, source) pair may be labelled twice.

    Args:
        labels: The parsed labels.
        registry_ids: The ids of the registry.
        ror_ids: The ROR IDs of the copy (its rows and the IDs named in relationships).
        read_lines: Returns the lines of a file named as in ``source``.
        path: The labels file's path, for messages.

    Returns:
        One ``path:line: expected ..., found ...`` message per problem.
    """
    problems = []
    seen: Counter[tuple[str, str, int]] = Counter()
    for label in labels:
        where = f"{path}:{label.labels_line}"
        seen[(label.printed, label.file, label.line)] += 1
        if label.registry_id is not None and label.registry_id not in registry_ids:
            problems.append(f"{where}: expected a registry id, found {label.registry_id!r}")
        if label.ror_id is not None and label.ror_id not in ror_ids:
            problems.append(f"{where}: expected a ROR ID of the copy, found {label.ror_id}")
        problems.extend(_check_source(label, where, read_lines))
    problems.extend(
        f"{path}:0: expected one label per printed string and line, found {n} for {key[0]!r} "
        f"at {key[1]}:{key[2]}"
        for key, n in seen.items()
        if n > 1
    )
    return problems


def score_registry(
    labels: Iterable[OrgLabel], predict: Callable[[str], str | None]
) -> dict[str, Any]:
    """Score registry answers against the labels' ``registry_id``.

    Args:
        labels: The labels.
        predict: The registry tier's answer for a printed string (an entry id or None).

    Returns:
        ``labelled``, ``accuracy`` (share of labels answered exactly as labelled, a
        None included), ``precision`` (share of resolved strings resolved to the
        labelled entry; 1.0 when nothing is resolved), ``recall`` (share of labels
        with an entry that got it; 1.0 when none has one), ``accuracy_by_case`` and
        ``misses`` (``file:line 'printed': expected ..., got ...``).
    """
    labels = list(labels)
    resolved = right_resolved = right = with_entry = 0
    by_case: dict[str, list[int]] = {}
    misses = []
    for label in labels:
        got = predict(label.printed)
        ok = got == label.registry_id
        right += ok
        resolved += got is not None
        right_resolved += ok and got is not None
        with_entry += label.registry_id is not None
        tally = by_case.setdefault(label.case, [0, 0])
        tally[0] += ok
        tally[1] += 1
        if not ok:
            misses.append(
                f"{label.file}:{label.line} {label.printed!r}: expected {label.registry_id}, "
                f"got {got}"
            )
    return {
        "labelled": len(labels),
        "accuracy": right / len(labels) if labels else 1.0,
        "precision": right_resolved / resolved if resolved else 1.0,
        "recall": right_resolved / with_entry if with_entry else 1.0,
        "accuracy_by_case": {case: ok / n for case, (ok, n) in sorted(by_case.items())},
        "misses": misses,
    }


def ror_summary(labels: Iterable[OrgLabel]) -> dict[str, int]:
    """Count the ROR labels by outcome (for the report until the ROR tier is scored)."""
    counts = Counter(
        label.ror_scope if label.ror_id is not None else _null_kind(label) for label in labels
    )
    return dict(sorted(counts.items()))


def _null_kind(label: OrgLabel) -> str:
    """Name the kind of absence a null ROR label's note gives."""
    note = label.note or ""
    return next(f"null ({s.split(':')[0]})" for s in NULL_NOTE_STARTS if note.startswith(s))


def _label_lines(root: yaml.Node | None, count: int) -> list[int]:
    """Return the 1-based line of each label of the composed document."""
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "labels" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return [0] * count


def _parse_label(raw: Any, where: str, line: int) -> OrgLabel:
    """Check one raw label and build it."""
    if not isinstance(raw, Mapping) or set(raw) - _KEYS or not set(raw) >= _REQUIRED:
        keys = sorted(raw) if isinstance(raw, Mapping) else type(raw).__name__
        raise ValueError(f"{where}: expected a label with keys {sorted(_KEYS)}, found {keys}")
    printed, source, case = raw["printed"], raw["source"], raw["case"]
    registry_id, ror_id = raw["registry_id"], raw["ror_id"]
    scope, note = raw.get("ror_scope"), raw.get("note")
    if not isinstance(printed, str) or printed != " ".join(printed.split()) or not printed:
        raise ValueError(f"{where}: expected printed text with single spaces, found {printed!r}")
    file, _, number = str(source).rpartition(":")
    if not file or not number.isdigit() or int(number) < 1:
        raise ValueError(f"{where}: expected source 'file:line', found {source!r}")
    if case not in CASES:
        raise ValueError(f"{where}: expected case one of {', '.join(CASES)}, found {case!r}")
    if registry_id is not None and not isinstance(registry_id, str):
        raise ValueError(f"{where}: expected registry_id an id or null, found {registry_id!r}")
    if ror_id is not None and not is_ror_id(ror_id):
        raise ValueError(f"{where}: expected ror_id a ROR ID URL or null, found {ror_id!r}")
    if (ror_id is None) != (scope is None) or (scope is not None and scope not in SCOPES):
        raise ValueError(
            f"{where}: expected ror_scope {' or '.join(SCOPES)} with a ror_id (none without), "
            f"found {scope!r}"
        )
    if note is not None and (not isinstance(note, str) or not note.strip()):
        raise ValueError(f"{where}: expected note a non-empty string, found {note!r}")
    if ror_id is None and not str(note or "").startswith(NULL_NOTE_STARTS):
        raise ValueError(
            f"{where}: expected a note starting with one of {list(NULL_NOTE_STARTS)} for a null "
            f"ror_id, found {note!r}"
        )
    return OrgLabel(printed, file, int(number), case, registry_id, ror_id, scope, note, line)


def _check_source(
    label: OrgLabel, where: str, read_lines: Callable[[str], Sequence[str]]
) -> list[str]:
    """Check that the label's source line prints its string (or starts it, when wrapped)."""
    try:
        lines = read_lines(label.file)
    except OSError as err:
        return [f"{where}: expected a readable source file, found {label.file}: {err}"]
    if label.line > len(lines):
        return [f"{where}: expected a line of {label.file}, found line {label.line}"]
    here = " ".join(lines[label.line - 1].split())
    after = " ".join(lines[label.line].split()) if label.line < len(lines) else ""
    # A wrapped string starts on the labelled line: one found whole on the next line
    # alone belongs to that line, and a label pointing above it is stale.
    wrapped = label.printed in f"{here} {after}" and label.printed not in after
    if label.printed in here or wrapped:
        return []
    return [f"{where}: expected {label.printed!r} at {label.file}:{label.line}, found {here!r}"]
