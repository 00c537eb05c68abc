"""Check a published release the way a downstream CI job would (``make validate``).

It trusts nothing in the release but its manifest: every listed file must
exist with the listed size, SHA-256 and row count; every table must pass its
pandera model, its primary key and its foreign keys. It exits non-zero and
names each problem.

The pipeline runs the same audit on the release it has just staged, before
anyone can see it; it then passes the tables that ``validate`` passed, and a
table that reads back exactly as one of them is not validated a second time
(see :func:`check_release`).

Usage: ``python -m confdata.release_check --out out``
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

import polars as pl

from confdata import io
from schemas import MODELS, validate_tables


def _same_table(df: pl.DataFrame, validated: pl.DataFrame | None) -> bool:
    """Tell whether a table read back holds exactly the validated frame: names, types, values."""
    return validated is not None and df.schema == validated.schema and df.equals(validated)


def check_release(out_dir: Path, validated: Mapping[str, pl.DataFrame] | None = None) -> list[str]:
    """Return every problem found in the release in ``out_dir`` (empty when it is sound).

    Args:
        out_dir: The release folder (with its ``manifest.json``).
        validated: The tables the release was written from, when they have
            just passed :func:`schemas.validate_tables` (the pipeline's own
            audit of its staged release). Each Parquet file is still read back
            and hashed; a table that reads back equal to its validated frame
            (same columns, types and values) would only repeat that validation
            and is not validated again. A table that differs is a problem in
            itself, and the release is then validated in full to name the
            failing rows. Without ``validated`` (``make validate``) every
            table is validated.
    """
    manifest_path = out_dir / "manifest.json"
    if not manifest_path.is_file():
        return [f"{manifest_path}: no manifest; is this a release folder?"]
    manifest = io.read_json(manifest_path)
    problems: list[str] = []
    table_files = {f"parquet/{name}.parquet" for name in MODELS}
    listed = sorted(manifest["files"].items())
    problems += [f"{rel}: missing" for rel, _ in listed if not (out_dir / rel).is_file()]
    # The tables' Parquet files are hashed below, from the bytes they are read from; the
    # other files (CSV, report) are hashed on the other cores meanwhile.
    others = [(rel, m) for rel, m in listed if rel not in table_files and (out_dir / rel).is_file()]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        hashed = pool.map(io.file_facts, [out_dir / rel for rel, _ in others])
        tables, complete, table_problems = _read_tables(out_dir, manifest, validated)
        for (rel, meta), facts in zip(others, hashed, strict=True):
            problems += _mismatch(rel, meta, facts)
    problems += table_problems
    if complete and tables:
        # Tables equal to their validated frames stand in for themselves as parents.
        report = validate_tables({**(validated or {}), **tables})
        problems += [
            f"{f.table}.{f.column}: {f.check} failed (key {f.key!r}, value {f.value!r})"
            for f in report.failures
        ]
    return problems


def _read_tables(
    out_dir: Path, manifest: Mapping[str, Any], validated: Mapping[str, pl.DataFrame] | None
) -> tuple[dict[str, pl.DataFrame], bool, list[str]]:
    """Read every table's Parquet file of a release and check it against the manifest.

    Returns the tables still to validate (all of them, or with ``validated``
    those that do not read back as their validated frame), whether every table
    could be read, and the problems found.
    """
    problems: list[str] = []
    tables: dict[str, pl.DataFrame] = {}
    complete = True
    for name in MODELS:
        rel = f"parquet/{name}.parquet"
        if rel not in manifest["files"]:
            problems.append(f"{rel}: not in the manifest")
            complete = False
            continue
        path = out_dir / rel
        if not path.is_file():
            complete = False
            continue
        data = path.read_bytes()
        meta = manifest["files"][rel]
        problems += _mismatch(rel, meta, {"bytes": len(data), "sha256": io.sha256_bytes(data)})
        try:
            df = pl.read_parquet(BytesIO(data))
        except (OSError, pl.exceptions.PolarsError) as err:
            problems.append(f"{rel}: cannot be read ({err})")
            complete = False
            continue
        rows = meta.get("rows")
        if rows is not None and rows != df.height:
            problems.append(f"{rel}: {df.height} rows, the manifest says {rows}")
        if validated is not None:
            if _same_table(df, validated.get(name)):
                continue
            problems.append(f"{rel}: does not read back as the table that passed validation")
        tables[name] = df
    return tables, complete, problems


def _mismatch(rel: str, meta: Mapping[str, object], facts: Mapping[str, object]) -> list[str]:
    if facts["bytes"] == meta["bytes"] and facts["sha256"] == meta["sha256"]:
        return []
    return [
        f"{rel}: checksum mismatch (manifest {str(meta['sha256'])[:12]}…, "
        f"{meta['bytes']} bytes; file {str(facts['sha256'])[:12]}…, {facts['bytes']} bytes)"
    ]


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit 1 when the release has any problem."""
    parser = argparse.ArgumentParser(description="Check a published confdata release.")
    parser.add_argument("--out", default="out", help="the release folder to check")
    args = parser.parse_args(argv)
    problems = check_release(Path(args.out))
    for problem in problems:
        print(f"{args.out}/{problem}", file=sys.stderr)
    if problems:
        print(f"release in {args.out}/ is NOT valid: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    manifest = io.read_json(Path(args.out) / "manifest.json")
    print(f"release {manifest['version']} in {args.out}/ is valid: {len(manifest['files'])} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
