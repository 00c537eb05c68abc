"""Check a published release the way a downstream CI job would (``make validate``).

It trusts nothing in the release but its manifest, and not even the manifest's
word for what the files hold:

- ``manifest.json`` must be UTF-8 JSON of the shape the pipeline writes, each
  entry a path inside the release with its bytes and SHA-256 (and rows);
  when the archived copy ``releases/<version>/manifest.json`` is there, the
  manifest must be byte-identical to it (the archive is read-only);
- every listed file must exist, be a file, and have the listed size, SHA-256
  and row count; a file present but not listed is a problem too
  (``releases/``, the archive of earlier releases, is not part of a release);
- every table's Parquet file must pass its pandera model, its primary key and
  its foreign keys;
- every table's CSV file must hold the same rows as its Parquet file and pass
  the same model (:mod:`confdata.publish.csv_check`).

It exits non-zero and prints one line per problem, ``<file>:<line>: expected
…, found …`` (see :mod:`confdata.publish.problems`), never a traceback.

The pipeline runs the same audit on the release it has just staged, before
anyone can see it; it then passes the tables that ``validate`` passed, and a
table that reads back exactly as one of them is not validated a second time,
nor is its CSV file read back (the pipeline wrote it from that very frame; its
hash is still checked). See :func:`check_release`.

Usage: ``python -m confdata.publish.check --out out``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any

import polars as pl

from confdata.publish.csv_check import check_csv
from confdata.publish.out_target import is_inside
from confdata.publish.problems import Place, failure_lines, problem
from confdata.run import io
from schemas import MODELS, validate_tables

MANIFEST = "manifest.json"
ARCHIVE = "releases"  # the archive of releases beside a release's files (confdata.publish.archive)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _same_table(df: pl.DataFrame, validated: pl.DataFrame | None) -> bool:
    """Tell whether a table read back holds exactly the validated frame: names, types, values."""
    return validated is not None and df.schema == validated.schema and df.equals(validated)


def check_release(out_dir: Path, validated: Mapping[str, pl.DataFrame] | None = None) -> list[str]:
    """Return every problem found in the release in ``out_dir`` (empty when it is sound).

    Each problem is one line naming the file relative to ``out_dir`` (see the
    module docstring).

    Args:
        out_dir: The release folder (with its ``manifest.json``).
        validated: The tables the release was written from, when they have
            just passed :func:`schemas.validate_tables` (the pipeline's own
            audit of its staged release). Each Parquet file is still read back
            and hashed; a table that reads back equal to its validated frame
            (same columns, types and values) would only repeat that validation
            and is not validated again, nor is its CSV file read back. A table
            that differs is a problem in itself, and the release is then
            validated in full to name the failing rows. Without ``validated``
            (``make validate``) every table and every CSV file is checked.
    """
    manifest, problems = read_manifest(out_dir)
    if manifest is None:
        return problems
    files: dict[str, dict[str, Any]] = manifest["files"]
    problems += _archived_manifest(out_dir, manifest["version"])
    # Read whole below: each table's Parquet and CSV files are hashed from the bytes read.
    table_files = {f"{kind}/{name}.{kind}" for name in MODELS for kind in ("parquet", "csv")}
    present = {rel: _kind(out_dir / rel) for rel in files}
    problems += [_absent(rel, kind) for rel, kind in sorted(present.items()) if kind != "file"]
    problems += _unlisted(out_dir, files)
    # The tables' files are hashed below, from the bytes they are read from; the other
    # files (report, dictionary) are hashed on the other cores meanwhile.
    others = [rel for rel in sorted(files) if rel not in table_files and present[rel] == "file"]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        hashed = pool.map(lambda rel: _facts(out_dir / rel), others)
        tables, complete, table_problems = _read_tables(out_dir, files, validated)
        for rel, facts in zip(others, hashed, strict=True):
            problems += _mismatch(rel, files[rel], facts)
        problems += table_problems
        if complete and tables:
            # Tables equal to their validated frames stand in for themselves as parents.
            frames = {**(validated or {}), **tables}
            report = validate_tables(frames)
            places = {name: Place(f"parquet/{name}.parquet") for name in frames}
            problems += failure_lines(report.failures, frames, places)
        csv_problems = pool.map(
            lambda name: _check_csv(out_dir, name, files, tables, validated), list(MODELS)
        )
        problems += [p for found in csv_problems for p in found]
    return problems


def read_manifest(out_dir: Path) -> tuple[dict[str, Any] | None, list[str]]:
    """Read a release's manifest; return it (None when unusable) and its problems.

    Entries that are not a path inside the release with its bytes and SHA-256
    are reported and left out of the returned manifest.
    """
    path = out_dir / MANIFEST
    if not path.is_file():
        found = "a folder" if path.is_dir() else "no such file"
        return None, [
            problem(MANIFEST, "the release's manifest (is this a release folder?)", found)
        ]
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except OSError as err:
        return None, [problem(MANIFEST, "a file that can be read", str(err.strerror))]
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return None, [
            problem(MANIFEST, "UTF-8 JSON", f"the byte 0x{data[err.start]:02x}", line=line)
        ]
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as err:
        cut = "" if text.rstrip().endswith("}") else " (the file is cut short?)"
        found = f"{err.msg}, column {err.colno}{cut}"
        return None, [problem(MANIFEST, "JSON", found, line=err.lineno)]
    if not isinstance(manifest, dict):
        return None, [problem(MANIFEST, "a JSON object", type(manifest).__name__)]
    problems = [
        problem(MANIFEST, f'a "{name}" field (every manifest has one)', "none")
        for name in ("version", "pipeline_version", "content_sha256", "files")
        if name not in manifest
    ]
    files = manifest.get("files")
    if not isinstance(files, dict) or not isinstance(manifest.get("version"), str):
        problems.append(
            problem(MANIFEST, 'a "version" text and a "files" object', "neither or another type")
        )
        return None, problems
    good: dict[str, dict[str, Any]] = {}
    for rel, meta in files.items():
        wrong = _entry_problem(rel, meta)
        if wrong:
            problems.append(problem(MANIFEST, wrong[0], wrong[1], line=_line_of(text, rel)))
        else:
            good[rel] = meta
    return {**manifest, "files": good}, problems


def _entry_problem(rel: str, meta: Any) -> tuple[str, str] | None:
    """Say what is wrong with a manifest entry, as (expected, found); None when it is sound."""
    if not is_inside(rel):
        return "paths inside the release", repr(rel)
    if not isinstance(meta, dict):
        return f"the bytes and SHA-256 of {rel}", repr(meta)
    size, digest, rows = meta.get("bytes"), meta.get("sha256"), meta.get("rows")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return f"the size of {rel} in bytes", repr(size)
    if not isinstance(digest, str) or not _SHA256.match(digest):
        return f"the SHA-256 of {rel} (64 hex digits)", repr(digest)
    if rows is not None and (not isinstance(rows, int) or isinstance(rows, bool) or rows < 0):
        return f"the row count of {rel}", repr(rows)
    return None


def _line_of(text: str, rel: str) -> int:
    at = text.find(json.dumps(rel, ensure_ascii=False) + ":")
    return text.count("\n", 0, at) + 1 if at >= 0 else 0


def _archived_manifest(out_dir: Path, version: str) -> list[str]:
    """The manifest must be its archived copy's, byte for byte, when the archive has one."""
    archived = out_dir / ARCHIVE / version / MANIFEST
    if not archived.is_file():
        return []
    try:
        same = archived.read_bytes() == (out_dir / MANIFEST).read_bytes()
    except OSError:
        return []
    if same:
        return []
    return [
        problem(
            MANIFEST,
            f"the same bytes as {ARCHIVE}/{version}/{MANIFEST} (the archived copy, read-only)",
            "a manifest that differs from it",
        )
    ]


def _kind(path: Path) -> str:
    if path.is_file():
        return "file"
    return "folder" if path.is_dir() else "missing"


def _absent(rel: str, kind: str) -> str:
    found = "a folder" if kind == "folder" else "no such file"
    return problem(rel, "the file the manifest lists", found)


def _unlisted(out_dir: Path, files: Mapping[str, Any]) -> list[str]:
    """Files present in the release that its manifest does not list (the archive left out)."""
    found = []
    for here, folders, names in os.walk(out_dir):
        if Path(here) == out_dir and ARCHIVE in folders:
            folders.remove(ARCHIVE)
        for name in names:
            rel = (Path(here) / name).relative_to(out_dir).as_posix()
            if rel != MANIFEST and rel not in files:
                found.append(
                    problem(rel, "only the files the manifest lists", "a file it does not list")
                )
    return sorted(found)


def _facts(path: Path) -> dict[str, Any] | str:
    try:
        return io.file_facts(path)
    except OSError as err:
        return str(err.strerror)


def _read_tables(
    out_dir: Path, files: Mapping[str, Any], validated: Mapping[str, pl.DataFrame] | None
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
        if rel not in files:
            problems.append(
                problem(MANIFEST, f"an entry for {rel} (every table is published)", "none")
            )
            complete = False
            continue
        path = out_dir / rel
        if not path.is_file():
            complete = False
            continue
        meta = files[rel]
        try:
            data = path.read_bytes()
        except OSError as err:
            problems.append(problem(rel, "a file that can be read", str(err.strerror)))
            complete = False
            continue
        problems += _mismatch(rel, meta, {"bytes": len(data), "sha256": io.sha256_bytes(data)})
        try:
            df = pl.read_parquet(BytesIO(data))
        except (OSError, pl.exceptions.PolarsError) as err:
            problems.append(
                problem(rel, "a Parquet file", f"one that cannot be read ({_first_line(err)})")
            )
            complete = False
            continue
        rows = meta.get("rows")
        if rows is not None and rows != df.height:
            problems.append(problem(rel, f"{rows} rows (the manifest's count)", str(df.height)))
        if validated is not None:
            if _same_table(df, validated.get(name)):
                continue
            problems.append(problem(rel, "the table that passed validation", "other rows or types"))
        tables[name] = df
    return tables, complete, problems


def _first_line(err: BaseException) -> str:
    return (str(err).splitlines() or [type(err).__name__])[0]


def _check_csv(
    out_dir: Path,
    name: str,
    files: Mapping[str, Any],
    tables: Mapping[str, pl.DataFrame],
    validated: Mapping[str, pl.DataFrame] | None,
) -> list[str]:
    """Check one table's CSV by its content, unless the pipeline has just written it from its frame."""
    rel = f"csv/{name}.csv"
    path = out_dir / rel
    if rel not in files or not path.is_file():
        return (
            []
            if rel in files
            else [problem(MANIFEST, f"an entry for {rel} (every table is published)", "none")]
        )
    if validated is not None and name not in tables:
        # Its Parquet reads back as the validated frame the CSV was written from: only its
        # hash is checked, read in chunks (the staged audit holds the tables in memory).
        return _mismatch(rel, files[rel], _facts(path))
    try:
        data = path.read_bytes()
    except OSError as err:
        return [problem(rel, "a file that can be read", str(err.strerror))]
    problems = _mismatch(rel, files[rel], {"bytes": len(data), "sha256": io.sha256_bytes(data)})
    parquet = tables.get(name)
    if parquet is not None and set(parquet.columns) != set(MODELS[name].to_schema().columns):
        parquet = None  # its columns are already named as a problem; compare nothing
    return problems + check_csv(rel, name, data, parquet, files[rel].get("rows"))


def _mismatch(rel: str, meta: Mapping[str, object], facts: Mapping[str, object] | str) -> list[str]:
    if isinstance(facts, str):
        return [problem(rel, "a file that can be read", facts)]
    if facts["bytes"] == meta["bytes"] and facts["sha256"] == meta["sha256"]:
        return []
    return [
        problem(
            rel,
            f"{meta['bytes']} bytes with SHA-256 {str(meta['sha256'])[:12]}… (the manifest's)",
            f"{facts['bytes']} bytes with SHA-256 {str(facts['sha256'])[:12]}…",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; exit 1 when the release has any problem."""
    parser = argparse.ArgumentParser(description="Check a published confdata release.")
    parser.add_argument("--out", default="out", help="the release folder to check")
    args = parser.parse_args(argv)
    out = Path(args.out)
    problems = check_release(out)
    for line in problems:
        print(f"{out}/{line}", file=sys.stderr)
    if problems:
        print(f"release in {out}/ is NOT valid: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    manifest, _ = read_manifest(out)
    assert manifest is not None
    print(
        f"release {manifest['version']} in {out}/ is valid: "
        f"{len(manifest['files'])} files + {MANIFEST}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
