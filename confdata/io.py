"""All file input and output of the pipeline, in one small module.

Reading raw files and reference data, writing tables as Parquet and CSV, and
publishing a release atomically: a release is built completely in a staging
folder beside ``out/`` and only then swapped in with one rename, so a reader
never sees half a release and a failed run leaves the last good one untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from confdata.errors import RawInputError

# Files in a raw folder that are the project's own, not source documents.
NOT_SOURCES = frozenset({"README.md", "reference"})
REPO_REFERENCE = Path(__file__).resolve().parents[1] / "raw" / "reference"
# A spreadsheet runs a cell starting with these as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class RawFile:
    """A raw file found in the raw folder."""

    path: Path
    relative: str


def list_raw_files(raw_dir: Path) -> tuple[list[RawFile], list[str]]:
    """List the source documents of a raw folder, sorted by name.

    Hidden files, ``README.md`` and ``reference/`` are the project's own and are
    skipped; sub-folders are not read and are returned as notes.

    Raises:
        RawInputError: If the folder does not exist, holds no source document,
            or a link points outside it.
    """
    if not raw_dir.is_dir():
        raise RawInputError(str(raw_dir), 0, "a folder of raw files", "no such folder")
    files: list[RawFile] = []
    notes: list[str] = []
    root = raw_dir.resolve()
    for entry in sorted(raw_dir.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in NOT_SOURCES:
            continue
        if entry.is_symlink() and root not in entry.resolve().parents:
            raise RawInputError(
                str(entry), 0, "a file inside the raw folder", "a link pointing outside it"
            )
        if entry.is_dir():
            notes.append(
                f"{entry.name}/ is a folder; only files directly in the raw folder are read"
            )
            continue
        files.append(RawFile(entry, entry.name))
    if not files:
        raise RawInputError(str(raw_dir), 0, "at least one program or CV file", "none")
    return files, notes


def read_bytes(path: Path) -> bytes:
    """Read a whole file as bytes."""
    return path.read_bytes()


def sha256_bytes(data: bytes) -> str:
    """Return the hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def reference_dir_for(raw_dir: Path) -> Path:
    """Return ``<raw>/reference`` when it exists, else the repository's ``raw/reference``."""
    own = raw_dir / "reference"
    return own if own.is_dir() else REPO_REFERENCE


def read_reference(reference_dir: Path) -> dict[str, str]:
    """Read every ``*.yaml`` reference file of a folder: file name -> text."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(reference_dir.glob("*.yaml"))}


def write_frames(frames: Mapping[str, pl.DataFrame], folder: Path) -> None:
    """Write frames as Parquet files named after them (intermediate results)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        df.write_parquet(folder / f"{name}.parquet")


def read_frames(folder: Path) -> dict[str, pl.DataFrame]:
    """Read every Parquet file of a folder, by file stem."""
    return {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def write_json(data: Any, path: Path) -> None:
    """Write JSON deterministically (sorted keys, UTF-8, trailing newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )


def read_json(path: Path) -> Any:
    """Read a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


def csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """Return the frame as it is written to CSV.

    List columns become JSON arrays (``["a", "b"]``), and text cells a
    spreadsheet would run as a formula get a leading apostrophe (OWASP CSV
    injection guidance); the Parquet keeps the exact text.
    """
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List):
            exprs.append(
                col.map_elements(
                    lambda v: json.dumps(list(v), ensure_ascii=False), return_dtype=pl.Utf8
                )
            )
        elif dtype == pl.Utf8:
            exprs.append(
                pl.when(col.str.starts_with("=") | col.str.contains(r"^[+\-@\t\r]"))
                .then(pl.lit("'") + col)
                .otherwise(col)
                .alias(name)
            )
        else:
            exprs.append(col)
    return df.select(exprs)


def write_table(df: pl.DataFrame, name: str, release_dir: Path) -> dict[str, Any]:
    """Write one published table as Parquet and CSV; return its files' sizes and hashes."""
    parquet = release_dir / "parquet" / f"{name}.parquet"
    csv = release_dir / "csv" / f"{name}.csv"
    parquet.parent.mkdir(parents=True, exist_ok=True)
    csv.parent.mkdir(parents=True, exist_ok=True)
    df.write_parquet(parquet, compression="zstd", statistics=True)
    csv_safe(df).write_csv(csv)
    return {
        "rows": df.height,
        "files": {
            str(p.relative_to(release_dir)): {
                "bytes": p.stat().st_size,
                "sha256": sha256_bytes(p.read_bytes()),
            }
            for p in (parquet, csv)
        },
    }


def write_text(text: str, path: Path) -> None:
    """Write a text file as UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def staging_dir(out_dir: Path) -> Path:
    """Create and return a fresh staging folder beside ``out_dir`` (same file system)."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    path = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir()
    return path


def link_tree(src: Path, dst: Path) -> None:
    """Copy a folder's files into another by hard links (no data copied; same file system)."""
    for path in sorted(src.rglob("*")):
        target = dst / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)


def file_facts(path: Path) -> dict[str, Any]:
    """Return a file's size and SHA-256."""
    return {"bytes": path.stat().st_size, "sha256": sha256_bytes(path.read_bytes())}


def remove_tree(path: Path) -> None:
    """Remove a folder if it exists."""
    if path.exists():
        shutil.rmtree(path)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with renameat2(RENAME_EXCHANGE); False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(result == 0)


def swap_in(staging: Path, out_dir: Path) -> None:
    """Make the staging folder the new ``out_dir`` in one step.

    With an existing ``out_dir`` the two are exchanged atomically where the
    kernel allows it (Linux ``renameat2``), else by two renames; the old
    release is then removed. A reader sees the old release or the new one.
    """
    out_dir = out_dir.resolve()
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    if _exchange(staging, out_dir):
        shutil.rmtree(staging)  # now holds the previous release
        return
    old = out_dir.parent / f".{out_dir.name}.previous-{os.getpid()}"
    out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old)
