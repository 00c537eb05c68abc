"""Curated people overrides (``raw/reference/people.yaml``): parsing and selection.

A curator's must-link and cannot-link decisions are parsed and validated by
:func:`parse_overrides`. During a resolution, each side of an override selects
the mentions of its name key (and, when qualified, of its organization); the
overrides that select nothing are reported rather than applied. Applying them
to the clusters is :mod:`confdata.resolve.people.clustering`'s job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl
import yaml

from confdata.normalize.names import name_key
from confdata.resolve.people.evidence import _Unit

OVERRIDES_VERSION = 1

OVERRIDE_SCHEMA: Mapping[str, pl.DataType] = {
    "kind": pl.Utf8(),
    "a": pl.Utf8(),
    "b": pl.Utf8(),
    "reason": pl.Utf8(),
    "a_mentions": pl.List(pl.Utf8()),
    "b_mentions": pl.List(pl.Utf8()),
    "effect": pl.Utf8(),
    "line": pl.Int32(),
}
# The file the overrides are read from (raw/reference/), for the report's messages.
OVERRIDES_FILE = "people.yaml"


# --------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class PersonRef:
    """One side of an override: a printed name, optionally qualified by an organization.

    Attributes:
        name: A printed name; it selects the mentions with the same name key.
        org: Optional registry id; when set, only mentions whose organizations
            (or their ancestors) include it are selected.
    """

    name: str
    org: str | None = None

    def describe(self) -> str:
        """Return the reference as written by a curator: ``Name`` or ``Name @ org``."""
        return self.name if self.org is None else f"{self.name} @ {self.org}"


@dataclass(frozen=True, slots=True)
class OverridePair:
    """A curated decision about two sets of mentions, with its justification."""

    a: PersonRef
    b: PersonRef
    reason: str
    line: int = 0  # where the entry starts in people.yaml; 0 when not read from a file


@dataclass(frozen=True, slots=True)
class Overrides:
    """Curated must-link and cannot-link decisions (``raw/reference/people.yaml``)."""

    must_link: tuple[OverridePair, ...] = ()
    cannot_link: tuple[OverridePair, ...] = ()


def parse_overrides(yaml_text: str) -> Overrides:
    """Parse and validate the override file.

    The format is a mapping with ``version: 1`` and two optional lists,
    ``must_link`` and ``cannot_link``, whose entries have ``a``, ``b`` and a
    non-empty ``reason``. A side is a printed name, or a mapping with ``name``
    and an optional ``org`` (a registry id).

    Args:
        yaml_text: The YAML text.

    Returns:
        The overrides; empty lists when the file has none.

    Raises:
        ValueError: If the text is not YAML or an entry is malformed; the
            message names the entry.
    """
    try:
        data = yaml.safe_load(yaml_text)
    except yaml.YAMLError as exc:
        raise ValueError(f"people overrides are not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise ValueError("people overrides must be a mapping at the top level")
    unknown = sorted(str(k) for k in data if k not in ("version", "must_link", "cannot_link"))
    if unknown:
        raise ValueError(f"people overrides: unknown keys {unknown}")
    version = data.get("version")
    if version != OVERRIDES_VERSION or isinstance(version, bool):
        raise ValueError(f"people overrides: version must be {OVERRIDES_VERSION}")
    lines = _entry_lines(yaml_text)
    return Overrides(
        must_link=_parse_pairs(data.get("must_link"), "must_link", lines.get("must_link", [])),
        cannot_link=_parse_pairs(
            data.get("cannot_link"), "cannot_link", lines.get("cannot_link", [])
        ),
    )


def _entry_lines(yaml_text: str) -> dict[str, list[int]]:
    """Return the 1-based line where each entry of ``must_link`` and ``cannot_link`` starts."""
    root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    lines: dict[str, list[int]] = {}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(value, yaml.SequenceNode):
                lines[str(key.value)] = [item.start_mark.line + 1 for item in value.value]
    return lines


def _parse_pairs(raw: Any, kind: str, lines: list[int]) -> tuple[OverridePair, ...]:
    """Validate one list of override entries (``lines``: where each starts in the file)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValueError(f"people overrides: {kind} must be a list")
    pairs = []
    for index, entry in enumerate(raw):
        where = f"{kind}[{index}]"
        if not isinstance(entry, Mapping) or set(entry) != {"a", "b", "reason"}:
            raise ValueError(f"{where}: an entry needs exactly the keys a, b and reason")
        reason = entry["reason"]
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{where}: reason must be a non-empty string")
        pairs.append(
            OverridePair(
                _parse_side(entry["a"], f"{where}.a"),
                _parse_side(entry["b"], f"{where}.b"),
                reason,
                lines[index] if index < len(lines) else 0,
            )
        )
    return tuple(pairs)


def _parse_side(raw: Any, where: str) -> PersonRef:
    """Validate one side of an override entry."""
    if isinstance(raw, str):
        raw = {"name": raw}
    if not isinstance(raw, Mapping) or not set(raw) <= {"name", "org"} or "name" not in raw:
        raise ValueError(f"{where}: a side is a name or a mapping with name and optional org")
    name, org = raw["name"], raw.get("org")
    if not isinstance(name, str) or not name_key(name):
        raise ValueError(f"{where}: name must be a non-empty person name")
    if org is not None and (not isinstance(org, str) or not org.strip()):
        raise ValueError(f"{where}: org must be a registry id")
    return PersonRef(name, org)


# --------------------------------------------------------------------------- selection


def _select(blocks: Mapping[str, list[_Unit]], ref: PersonRef) -> list[str]:
    """Return the units (named by their first mentions) an override side refers to.

    The mentions of a unit share their organizations, so a side qualified by an
    organization selects whole units.
    """
    return [
        u.rep
        for u in blocks.get(name_key(ref.name), [])
        if ref.org is None or ref.org in u.ancestry
    ]


def _match_overrides(
    pairs: tuple[OverridePair, ...],
    kind: str,
    blocks: Mapping[str, list[_Unit]],
    unmatched: list[dict[str, Any]],
    members: Callable[[list[str]], list[str]] = list,
) -> list[tuple[OverridePair, list[str], list[str]]]:
    """Select the units of each override; append those that cannot apply to ``unmatched``.

    ``members`` lists the mentions of units, for the report of unmatched overrides.
    """
    matched = []
    for pair in pairs:
        a_ids, b_ids = _select(blocks, pair.a), _select(blocks, pair.b)
        problem = None
        if not a_ids or not b_ids:
            sides = [s for s, ids in (("a", a_ids), ("b", b_ids)) if not ids]
            problem = f"side {' and '.join(sides)} matched no mention"
        elif kind == "cannot_link" and set(a_ids) & set(b_ids):
            problem = "the two sides match the same mentions"
        if problem:
            unmatched.append(_override_row(kind, pair, members(a_ids), members(b_ids), problem))
        else:
            matched.append((pair, a_ids, b_ids))
    return matched


# --------------------------------------------------------------------------- report


def _override_row(
    kind: str, pair: OverridePair, a_ids: list[str], b_ids: list[str], effect: str
) -> dict[str, Any]:
    return {
        "kind": kind,
        "a": pair.a.describe(),
        "b": pair.b.describe(),
        "reason": pair.reason,
        "a_mentions": a_ids,
        "b_mentions": b_ids,
        "effect": effect,
        "line": pair.line,
    }


def unmatched_message(row: Mapping[str, Any]) -> str:
    """Say, in one sentence, which override was not applied and why (for the quality report).

    Example:
        >>> unmatched_message({"kind": "must_link", "a": "Ann Lee", "b": "Ann Lee @ kth",
        ...     "line": 33, "effect": "side b matched no mention", "reason": "same person"})
        'The must-link override at people.yaml:33 (Ann Lee = Ann Lee @ kth) was not applied: side b matched no mention. Its reason: same person'
    """
    kind = str(row["kind"]).replace("_", "-")
    link = "=" if row["kind"] == "must_link" else "≠"
    where = f" at {OVERRIDES_FILE}:{row['line']}" if row.get("line") else f" in {OVERRIDES_FILE}"
    return (
        f"The {kind} override{where} ({row['a']} {link} {row['b']}) was not applied: "
        f"{row['effect']}. Its reason: {' '.join(str(row['reason']).split())}"
    )


def _override_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    ordered = sorted(rows, key=lambda r: (r["kind"], r["a"], r["b"], r["reason"]))
    return pl.DataFrame(ordered, schema=dict(OVERRIDE_SCHEMA))
