"""Releases: their versions, their manifests, and what changed since the last one.

A release is the complete set of published files. Its version counts releases
(``r0001``, ``r0002`` …); its content hash is the hash of its tables, so a run
whose tables are byte-identical to the current release publishes nothing new.
The diff against the previous release counts rows added, removed and changed
per table (by primary key) and lists the people and organizations merged or
split between the two: a person's mentions (``author_mentions``), or an
organization's printed strings (``affiliations.aliases``), now held by
another ID.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

import polars as pl

from schemas.tables import MODELS

VERSION_RE = re.compile(r"^r(\d{4,})$")
# Entities and what they are made of: entity -> (table, id column, evidence column). Each
# piece of evidence belongs to one entity in a release: a person's mentions (a printed
# appearance at file:line:position), an organization's printed strings (one string resolves
# to one organization). A printed *name* is no evidence: namesakes share it.
ENTITY_TABLES = {
    "authors": ("author_mentions", "author_id", "mention_id"),
    "affiliations": ("affiliations", "affiliation_id", "aliases"),
}


def next_version(existing: list[str]) -> str:
    """Return the version after the highest of ``existing`` (``r0001`` when none).

    Examples:
        >>> next_version([])
        'r0001'
        >>> next_version(["r0001", "r0009", "junk"])
        'r0010'
    """
    numbers = [int(m.group(1)) for v in existing if (m := VERSION_RE.match(v))]
    return f"r{max(numbers, default=0) + 1:04d}"


def content_hash(file_hashes: Mapping[str, str]) -> str:
    """Return one hash of a release's tables from each file's path and SHA-256."""
    text = "\n".join(f"{path}\t{digest}" for path, digest in sorted(file_hashes.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _counts(old: pl.DataFrame, new: pl.DataFrame, pk: list[str]) -> dict[str, int]:
    """Count the rows added, removed and changed between two versions of a table, by primary key.

    Rows are matched on a 64-bit hash of their key (an integer join, much
    cheaper than joining on the key's text), and every matched pair's key
    values are then compared, so two keys that merely share a hash are never
    taken for one row. A matched row is changed when the hash of its other
    columns differs.
    """
    common = [c for c in new.columns if c in old.columns]
    others = [c for c in common if c not in pk]
    # A key column whose type changed between releases is compared as text, as printed.
    as_text = {c for c in pk if old.schema[c] != new.schema[c]}
    keys = [pl.col(c).cast(pl.Utf8) if c in as_text else pl.col(c) for c in pk]
    old_keys, new_keys = old.select(keys), new.select(keys)

    def side(df: pl.DataFrame, key_frame: pl.DataFrame) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "_k": key_frame.hash_rows(),
                "_h": df.select(others).hash_rows() if others else pl.repeat(0, df.height),
                "_i": pl.int_range(df.height, dtype=pl.UInt32, eager=True),
            }
        )

    pairs = side(old, old_keys).join(side(new, new_keys), on="_k", suffix="_new")
    same_key = pl.all_horizontal(
        old_keys[c].gather(pairs["_i"]) == new_keys[c].gather(pairs["_i_new"]) for c in pk
    )
    matched = pairs.filter(same_key)
    changed = matched.filter(pl.col("_h") != pl.col("_h_new")).height
    return {
        "added": new.height - matched.height,
        "removed": old.height - matched.height,
        "changed": changed,
    }


def diff_tables(
    previous: Mapping[str, pl.DataFrame], current: Mapping[str, pl.DataFrame]
) -> dict[str, Any]:
    """Compare two releases table by table, and their people and organizations.

    Returns:
        ``{"tables": {name: {"added", "removed", "changed"}}, "entities": {...}}``
        where entities lists merges (several old IDs now one) and splits (one
        old ID now several), with the old and new IDs.
    """
    tables: dict[str, dict[str, int]] = {}
    for name, model in MODELS.items():
        pk = list(model.Config.metadata["primary_key"])
        new = current.get(name)
        old = previous.get(name)
        if new is None:
            continue
        if old is None or not set(pk) <= set(old.columns):
            tables[name] = {"added": new.height, "removed": 0, "changed": 0}
            continue
        tables[name] = _counts(old, new, pk)
    entities = {
        name: _merges_and_splits(previous.get(table), current.get(table), id_col, evidence)
        for name, (table, id_col, evidence) in ENTITY_TABLES.items()
    }
    return {"tables": tables, "entities": entities}


def _merges_and_splits(
    old: pl.DataFrame | None, new: pl.DataFrame | None, id_col: str, evidence: str
) -> dict[str, list[dict[str, Any]]]:
    """Find entities merged or split between releases, through the evidence they hold.

    A piece of evidence (a person's mention, an organization's printed string)
    held by an old ID and, in the new release, by a new ID ties the two. A
    merge is a new ID holding the evidence of several old IDs; a split is an
    old ID whose evidence is now divided among several new IDs. Evidence that
    was in no earlier release ties nothing: a new person printed with the same
    name as a published one (a namesake from a new file) is new, neither a
    split of the published person nor merged with them.
    """
    if old is None or new is None:
        return {"merged": [], "split": []}
    if not {id_col, evidence} <= set(old.columns) or not {id_col, evidence} <= set(new.columns):
        return {"merged": [], "split": []}

    def held(df: pl.DataFrame, alias: str) -> pl.DataFrame:
        frame = df.select(pl.col(id_col).alias(alias), evidence)
        if isinstance(frame.schema[evidence], pl.List):
            frame = frame.explode(evidence)
        return frame.drop_nulls()

    pairs = held(old, "old_id").join(held(new, "new_id"), on=evidence).select("old_id", "new_id")
    pairs = pairs.unique()
    merged = (
        pairs.group_by("new_id")
        .agg(pl.col("old_id").unique().sort())
        .filter(pl.col("old_id").list.len() > 1)
        .sort("new_id")
    )
    split = (
        pairs.group_by("old_id")
        .agg(pl.col("new_id").unique().sort())
        .filter(pl.col("new_id").list.len() > 1)
        .sort("old_id")
    )
    return {
        "merged": [
            {"new_id": r["new_id"], "old_ids": r["old_id"]} for r in merged.iter_rows(named=True)
        ],
        "split": [
            {"old_id": r["old_id"], "new_ids": r["new_id"]} for r in split.iter_rows(named=True)
        ],
    }


def build_manifest(
    *,
    version: str,
    previous_version: str | None,
    pipeline_version: str,
    files: Mapping[str, Mapping[str, Any]],
    sources: list[dict[str, Any]],
    content: str,
    run: Mapping[str, Any],
) -> dict[str, Any]:
    """Return the release manifest: every file's bytes, SHA-256 and rows, and the raw sources.

    ``run`` holds the run's clock readings (start and end); they live here only,
    never in the tables, so tables stay byte-identical for the same input.
    """
    return {
        "version": version,
        "previous_version": previous_version,
        "pipeline_version": pipeline_version,
        "content_sha256": content,
        "sources": sources,
        "files": {path: dict(meta) for path, meta in sorted(files.items())},
        "run": dict(run),
    }
