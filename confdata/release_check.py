"""Check a published release the way a downstream CI job would (``make validate``).

It trusts nothing in the release but its manifest: every listed file must
exist with the listed size, SHA-256 and row count; every table must pass its
pandera model, its primary key and its foreign keys. It exits non-zero and
names each problem.

Usage: ``python -m confdata.release_check --out out``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from confdata import io
from schemas import MODELS, validate_tables


def check_release(out_dir: Path) -> list[str]:
    """Return every problem found in the release in ``out_dir`` (empty when it is sound)."""
    manifest_path = out_dir / "manifest.json"
    if not manifest_path.is_file():
        return [f"{manifest_path}: no manifest; is this a release folder?"]
    manifest = io.read_json(manifest_path)
    problems: list[str] = []
    for rel, meta in sorted(manifest["files"].items()):
        path = out_dir / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
            continue
        facts = io.file_facts(path)
        if facts["bytes"] != meta["bytes"] or facts["sha256"] != meta["sha256"]:
            problems.append(
                f"{rel}: checksum mismatch (manifest {meta['sha256'][:12]}…, "
                f"{meta['bytes']} bytes; file {facts['sha256'][:12]}…, {facts['bytes']} bytes)"
            )
    tables: dict[str, pl.DataFrame] = {}
    for name in MODELS:
        rel = f"parquet/{name}.parquet"
        if rel not in manifest["files"]:
            problems.append(f"{rel}: not in the manifest")
            continue
        try:
            tables[name] = pl.read_parquet(out_dir / rel)
        except (OSError, pl.exceptions.PolarsError) as err:
            problems.append(f"{rel}: cannot be read ({err})")
            continue
        rows = manifest["files"][rel].get("rows")
        if rows is not None and rows != tables[name].height:
            problems.append(f"{rel}: {tables[name].height} rows, the manifest says {rows}")
    if len(tables) == len(MODELS):
        report = validate_tables(tables)
        problems += [
            f"{f.table}.{f.column}: {f.check} failed (key {f.key!r}, value {f.value!r})"
            for f in report.failures
        ]
    return problems


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
