"""Releases: their versions, their manifests, and what changed since the last one.

A release is the complete set of published files. Its version counts releases
(``r0001``, ``r0002`` …); its content hash is the hash of its tables, so a run
whose tables are byte-identical to the current release publishes nothing new.
The diff against the previous release counts rows added, removed and changed
per table (by primary key) and lists the people and organizations merged or
split between the two (by the printed names that identify them).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

import polars as pl

from schemas.tables import MODELS

VERSION_RE = re.compile(r"^r(\d{4,})$")
# Tables whose rows are entities known by printed strings: (id column, strings column).
ENTITY_TABLES = {
    "authors": ("author_id", "name_variants"),
    "affiliations": ("affiliation_id", "aliases"),
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


def _row_hashes(df: pl.DataFrame, pk: list[str]) -> pl.DataFrame:
    others = [c for c in df.columns if c not in pk]
    return df.select(
        pl.concat_str([pl.col(c).cast(pl.Utf8) for c in pk], separator="\x1f").alias("_key"),
        pl.struct(others).hash(seed=0).alias("_hash") if others else pl.lit(0).alias("_hash"),
    )


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
        common = [c for c in new.columns if c in old.columns]
        a = _row_hashes(old.select(common), pk)
        b = _row_hashes(new.select(common), pk)
        joined = a.join(b, on="_key", how="full", suffix="_new", coalesce=True)
        tables[name] = {
            "added": joined.filter(pl.col("_hash").is_null()).height,
            "removed": joined.filter(pl.col("_hash_new").is_null()).height,
            "changed": joined.filter(
                pl.col("_hash").is_not_null()
                & pl.col("_hash_new").is_not_null()
                & (pl.col("_hash") != pl.col("_hash_new"))
            ).height,
        }
    entities = {
        name: _merges_and_splits(previous.get(name), current.get(name), id_col, strings)
        for name, (id_col, strings) in ENTITY_TABLES.items()
    }
    return {"tables": tables, "entities": entities}


def _merges_and_splits(
    old: pl.DataFrame | None, new: pl.DataFrame | None, id_col: str, strings: str
) -> dict[str, list[dict[str, Any]]]:
    """Find entities merged or split between releases, through the strings they share."""
    if old is None or new is None or strings not in old.columns or strings not in new.columns:
        return {"merged": [], "split": []}
    a = old.select(id_col, strings).explode(strings).rename({id_col: "old_id"})
    b = new.select(id_col, strings).explode(strings).rename({id_col: "new_id"})
    pairs = a.join(b, on=strings).select("old_id", "new_id").unique()
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
