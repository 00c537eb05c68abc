"""All file input and output of the pipeline, in one small module.

Reading raw files and reference data, writing tables as Parquet and CSV, and
publishing a release atomically: a release is built completely in a staging
folder beside ``out/`` and only then swapped in with one rename, so a reader
never sees half a release and a failed run leaves the last good one untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import polars as pl

from confdata.errors import RawInputError
from confdata.parse.raw_text import MAX_FILE_BYTES
from confdata.publish.bidi import has_bidi, hidden_bidi_expr, visible_bidi_expr
from confdata.reference.files import read_reference_texts
from confdata.run.state import pause_point

# Files in a raw folder that are the project's own, not source documents.
NOT_SOURCES = frozenset({"README.md", "reference"})
REPO_REFERENCE = Path(__file__).resolve().parents[2] / "raw" / "reference"
# A spreadsheet runs a cell starting with these as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class RawFile:
    """A raw file found in the raw folder."""

    path: Path
    relative: str


def list_raw_files(
    raw_dir: Path, bad: list[RawInputError] | None = None
) -> tuple[list[RawFile], list[str]]:
    """List the source documents of a raw folder, sorted by name, without opening any.

    Hidden files, ``README.md`` and ``reference/`` are the project's own and are
    skipped; sub-folders are not read and are returned as notes. A link is
    followed when it stays inside the folder. Only regular files are sources: a
    FIFO, socket or device is refused from its ``stat``, never opened (opening a
    FIFO for reading would block the run).

    Args:
        raw_dir: The raw folder.
        bad: When given, each entry that cannot be a source is appended to it as
            a :class:`RawInputError` instead of being raised, so that the caller
            can skip it (``--skip-bad-files``).

    Raises:
        RawInputError: If the folder does not exist or cannot be listed, holds no
            source document, or (without ``bad``) has an entry that cannot be a
            source: a link pointing outside it, a broken link or a link loop, a
            file name that is not UTF-8 or holds control characters, a file that
            cannot be read, or a FIFO, socket or device. The message names the entry.
    """
    if not raw_dir.is_dir():
        found = "a file, not a folder" if raw_dir.exists() else "no such folder"
        raise RawInputError(str(raw_dir), 0, "a folder of raw files", found)
    try:
        entries = sorted(raw_dir.iterdir(), key=lambda p: p.name)
    except OSError as err:
        raise RawInputError(
            str(raw_dir), 0, "a folder of raw files that can be listed", _os_error(err)
        ) from err
    files: list[RawFile] = []
    notes: list[str] = []
    root = raw_dir.resolve()
    for entry in entries:
        if entry.name.startswith(".") or entry.name in NOT_SOURCES:
            continue
        try:
            is_folder = _source_entry(entry, root)
        except RawInputError as err:
            if bad is None:
                raise
            bad.append(err)
            continue
        if is_folder:
            notes.append(
                f"{entry.name}/ is a folder; only files directly in the raw folder are read"
            )
            continue
        files.append(RawFile(entry, entry.name))
    if not files and not bad:
        raise RawInputError(str(raw_dir), 0, "at least one program or CV file", "none")
    return files, notes


_FILE_TYPES = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


def printable_name(name: str) -> str:
    r"""Return a file name as it can be printed: bytes that are not UTF-8 as ``\xe9``."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _os_error(err: OSError) -> str:
    return "permission denied" if isinstance(err, PermissionError) else (err.strerror or str(err))


def _source_entry(entry: Path, root: Path) -> bool:
    """Check that a folder entry can be a source; return True when it is a folder.

    Raises:
        RawInputError: For an entry that cannot be a source (see :func:`list_raw_files`).
    """
    name = printable_name(entry.name)
    if name != entry.name:
        raise RawInputError(name, 0, "a file name in UTF-8", "bytes of another encoding")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise RawInputError(repr(name), 0, "a file name without control characters")
    if entry.is_symlink():
        try:
            target = entry.resolve(strict=True)
        except FileNotFoundError as err:
            raise RawInputError(
                name, 0, "a link to an existing file", f"a broken link to {os.readlink(entry)}"
            ) from err
        except (OSError, RuntimeError) as err:
            raise RawInputError(
                name, 0, "a link that leads to a file", f"a link that does not resolve ({err})"
            ) from err
        if target != root and root not in target.parents:
            raise RawInputError(
                name, 0, "a file inside the raw folder", f"a link to {target}, outside it"
            )
    try:
        info = entry.stat()  # follows a link; never opens the file
    except OSError as err:
        raise RawInputError(name, 0, "a file that can be read", _os_error(err)) from err
    if stat.S_ISDIR(info.st_mode):
        return True
    if not stat.S_ISREG(info.st_mode):
        kind = _FILE_TYPES.get(stat.S_IFMT(info.st_mode), "a special file")
        raise RawInputError(name, 0, "a regular file", f"{kind}; it was not opened")
    return False


def read_raw_file(raw: RawFile) -> bytes:
    """Read a raw file whole, refusing anything but a regular file of reasonable size.

    The file is opened without blocking (a FIFO swapped in after listing is
    refused, not waited on) and checked with ``fstat`` before a byte is read; at
    most ``MAX_FILE_BYTES`` (plus one, to notice a larger file) are read.

    Raises:
        RawInputError: When the file cannot be opened or read (permission
            denied, removed meanwhile), is not a regular file, or is larger than
            ``raw_text.MAX_FILE_BYTES``; the message names the file.
    """
    name = raw.relative
    try:
        fd = os.open(raw.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise RawInputError(name, 0, "a file that can be read", _os_error(err)) from err
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _FILE_TYPES.get(stat.S_IFMT(info.st_mode), "a folder or special file")
            raise RawInputError(name, 0, "a regular file", kind)
        if info.st_size > MAX_FILE_BYTES:
            raise _too_big(name, info.st_size)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            fd = -1  # the file object owns it now
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise RawInputError(name, 0, "a file that can be read", _os_error(err)) from err
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > MAX_FILE_BYTES:
        raise _too_big(name, len(data))
    return data


def _too_big(name: str, size: int) -> RawInputError:
    return RawInputError(
        name,
        0,
        f"a file of at most {MAX_FILE_BYTES // 2**20} MiB (program pages and CVs are well "
        "under 1 MiB)",
        f"{size:,} bytes",
    )


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
    """Read every ``*.yaml`` reference file of a folder: file name -> text.

    The files are hostile input like raw files (see
    :func:`confdata.reference.files.read_reference_texts`).

    Raises:
        RawInputErrors: Every file that is not a regular file, too large, not
            UTF-8 or empty, each located.
    """
    return read_reference_texts(reference_dir)


# Polars reports an OS error as "... No space left on device (os error 28)", without
# errno (an OSError, or a ComputeError from its Parquet writer).
_POLARS_OS_ERROR = re.compile(r"\(os error (\d+)\)")


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Name ``path`` in an OS error raised while writing it that names no file.

    A full disk fails ``write()`` (and Polars' writers) with an error that says
    "No space left on device" but not where; the run's message must say which
    file system is full, so it is raised again as an ``OSError`` with its errno
    and this path.
    """
    try:
        yield
    except (OSError, pl.exceptions.ComputeError) as err:
        if getattr(err, "filename", None) is not None:
            raise
        code = getattr(err, "errno", None)
        if code is None and (match := _POLARS_OS_ERROR.search(str(err))):
            code = int(match.group(1))
        if code is None:
            raise
        raise OSError(code, os.strerror(code), str(path)) from err


def write_frames(frames: Mapping[str, pl.DataFrame], folder: Path) -> None:
    """Write frames as Parquet files named after them (intermediate results)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, df in frames.items():
        with _writing(folder / f"{name}.parquet"):
            df.write_parquet(folder / f"{name}.parquet")


def read_stacked(folders: Sequence[Path]) -> dict[str, pl.DataFrame]:
    """Read the same-named Parquet files of many folders, each name's files stacked as one frame.

    One scan per name on Polars' streaming engine, which reads the files in
    parallel: a thousand sources' staging folders are read in a fraction of the
    time of a thousand reads. Folders are stacked in the order given; each frame
    is one chunk per column.
    """
    names = sorted({p.stem for folder in folders for p in folder.glob("*.parquet")})
    out: dict[str, pl.DataFrame] = {}
    for name in names:
        paths = [folder / f"{name}.parquet" for folder in folders]
        scan = pl.scan_parquet([p for p in paths if p.is_file()])
        out[name] = scan.collect(engine="streaming").rechunk()
    return out


def read_frames(folder: Path, digests: dict[str, str] | None = None) -> dict[str, pl.DataFrame]:
    """Read every Parquet file of a folder, by file stem.

    When ``digests`` is given, the SHA-256 of each file is put in it (by stem),
    hashed from the very bytes the frame was parsed from, so that it identifies
    exactly the frames returned (see ``confdata.run.steps.validate``).
    """
    frames = {}
    for path in sorted(folder.glob("*.parquet")):
        if digests is None:
            frames[path.stem] = pl.read_parquet(path)
            continue
        data = path.read_bytes()
        digests[path.stem] = sha256_bytes(data)
        frames[path.stem] = pl.read_parquet(BytesIO(data))
    return frames


def write_json(data: Any, path: Path) -> None:
    """Write JSON deterministically (sorted keys, UTF-8, trailing newline)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    with _writing(path):
        path.write_text(text, encoding="utf-8")


def read_json(path: Path) -> Any:
    """Read a JSON file."""
    return json.loads(path.read_text(encoding="utf-8"))


# A text cell starting with one of these is written with a leading apostrophe: formula
# starts (OWASP CSV injection) and the apostrophe itself, so the mark can be undone exactly.
CSV_MARKED_START = r"^[=+\-@\t\r']"


def _json_array(col: pl.Expr) -> pl.Expr:
    """Encode a list-of-text column as JSON arrays, as ``json.dumps(list, ensure_ascii=False)`` does.

    Vectorized: each item is encoded by Polars' JSON writer, which escapes
    quotes, backslashes and control characters as Python's ``json`` does and
    keeps non-ASCII text, and the items are joined with Python's ``", "``; a
    null list stays null.
    """
    # An item encoded inside {"v": …}: cut the 5-character '{"v":' and the closing '}'.
    item = pl.struct(pl.element().alias("v")).struct.json_encode().str.slice(5).str.head(-1)
    return pl.concat_str(pl.lit("["), col.list.eval(item).list.join(", "), pl.lit("]"))


def csv_safe(df: pl.DataFrame) -> pl.DataFrame:
    """Return the frame as it is written to CSV.

    List columns become JSON arrays (``["a", "b"]``); every bidirectional
    control character of a text cell or list item is written as ``<U+202E>``
    (:mod:`confdata.publish.bidi`), then a text cell a spreadsheet would run as a formula
    gets a leading apostrophe (OWASP CSV injection guidance); the Parquet keeps
    the exact text. A text that itself starts with an apostrophe gets one more,
    so that removing the first apostrophe of every cell starting with one gives
    the text back exactly (``confdata.publish.release_csv`` reads the CSV so).
    """
    exprs = []
    for name, dtype in df.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List) and dtype.inner == pl.Utf8:
            encoded = _json_array(col)
            if has_bidi(df[name].explode().drop_nulls()):
                encoded = visible_bidi_expr(encoded)
            exprs.append(encoded.alias(name))
        elif isinstance(dtype, pl.List):
            # Other item types (none in the published tables) keep Python's encoding.
            exprs.append(
                col.map_elements(
                    lambda v: json.dumps(list(v), ensure_ascii=False), return_dtype=pl.Utf8
                )
            )
        elif dtype == pl.Utf8:
            # Rewritten only where needed: the controls are rare, and a rewrite costs a pass.
            shown = visible_bidi_expr(col) if has_bidi(df[name].drop_nulls()) else col
            exprs.append(
                pl.when(shown.str.contains(CSV_MARKED_START))
                .then(pl.lit("'") + shown)
                .otherwise(shown)
                .alias(name)
            )
        else:
            exprs.append(col)
    return df.select(exprs)


def csv_text_back(column: pl.Expr) -> pl.Expr:
    """Undo :func:`csv_safe` on a text column read from a CSV: the text the Parquet holds.

    The apostrophe :func:`csv_safe` put before a cell starting with
    :data:`CSV_MARKED_START` is removed (every cell starting with one got
    exactly one), then the ``<U+XXXX>`` forms of bidi controls are turned back.
    """
    stripped = pl.when(column.str.starts_with("'")).then(column.str.slice(1)).otherwise(column)
    return hidden_bidi_expr(stripped)


def csv_list_back(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Undo :func:`csv_safe` on a list column read from a CSV (JSON arrays of text)."""
    return column.str.json_decode(dtype).list.eval(hidden_bidi_expr(pl.element()))


def write_table(df: pl.DataFrame, name: str, release_dir: Path) -> dict[str, Any]:
    """Write one published table as Parquet and CSV; return its files' sizes and hashes."""
    parquet = release_dir / "parquet" / f"{name}.parquet"
    csv = release_dir / "csv" / f"{name}.csv"
    parquet.parent.mkdir(parents=True, exist_ok=True)
    csv.parent.mkdir(parents=True, exist_ok=True)
    with _writing(parquet):
        df.write_parquet(parquet, compression="zstd", statistics=True)
    with _writing(csv):
        csv_safe(df).write_csv(csv)
    return {
        "rows": df.height,
        "files": {str(p.relative_to(release_dir)): file_facts(p) for p in (parquet, csv)},
    }


def write_text(text: str, path: Path) -> None:
    """Write a text file as UTF-8."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with _writing(path):
        path.write_text(text, encoding="utf-8")


def staging_dir(out_dir: Path) -> Path:
    """Create and return a fresh staging folder beside ``out_dir`` (same file system)."""
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    path = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    remove_tree(path)
    path.mkdir()
    return path


def link_tree(src: Path, dst: Path) -> None:
    """Copy a folder's files into another by hard links (no data copied; same file system).

    For the parse cache and the work folder only, whose files are never changed
    once written; a release is never linked (its archive must not share inodes
    with ``out/``: :mod:`confdata.publish.archive` copies).
    """
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
    """Return a file's size and SHA-256 (read in chunks: a large CSV is never held whole)."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return {"bytes": path.stat().st_size, "sha256": digest}


def remove_tree(path: Path) -> None:
    """Remove a folder if it exists, read-only sub-folders included (an archived release's).

    An archived release is read-only (``chmod a-w``, see :mod:`confdata.publish.archive`):
    removing its files needs its folders writable again, which is done for each
    folder only when a removal in it is refused.
    """
    if path.exists():
        shutil.rmtree(path, onerror=_writable_and_retry)


def _writable_and_retry(func: Any, path: str, exc_info: Any) -> None:
    """Make the folder a removal was refused in writable, then retry it (``rmtree``'s onerror)."""
    error = exc_info[1]
    if not isinstance(error, PermissionError) or func not in (os.unlink, os.rmdir):
        raise error
    folder = os.path.dirname(path)
    os.chmod(folder, stat.S_IMODE(os.stat(folder).st_mode) | stat.S_IRWXU)
    func(path)


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


def exchange_in(staging: Path, out_dir: Path) -> Path | None:
    """Make the staging folder the new ``out_dir`` in one step; return the retired release.

    With an existing ``out_dir`` the two are exchanged atomically where the
    kernel allows it (Linux ``renameat2``), else by two renames (a crash between
    them leaves ``out_dir`` missing and ``.<out>.previous-<pid>`` holding it, which
    :func:`restore_previous` puts back). The caller removes the returned folder
    (the previous release; None on a first release).
    """
    out_dir = out_dir.resolve()
    if not out_dir.exists():
        staging.rename(out_dir)
        return None
    if _exchange(staging, out_dir):
        return staging  # now holds the previous release
    old = out_dir.parent / f".{out_dir.name}.previous-{os.getpid()}"
    out_dir.rename(old)
    pause_point("swap-between")
    staging.rename(out_dir)
    return old


def swap_in(staging: Path, out_dir: Path) -> None:
    """Make the staging folder the new ``out_dir`` in one step and remove the old release.

    A reader sees the old release or the new one (see :func:`exchange_in`).
    """
    retired = exchange_in(staging, out_dir)
    if retired is not None:
        remove_tree(retired)


# A run's own folders beside out/: .<out>.work-<pid>, .<out>.staging-<pid>, .<out>.previous-<pid>.
RUN_FOLDER_KINDS = ("work", "staging", "previous")


def run_leftovers(out_dir: Path) -> list[tuple[Path, int]]:
    """List the run folders beside ``out_dir`` with the pid that made each (by name)."""
    out_dir = out_dir.resolve()
    if not out_dir.parent.is_dir():
        return []
    found = []
    for kind in RUN_FOLDER_KINDS:
        prefix = f".{out_dir.name}.{kind}-"
        for path in sorted(out_dir.parent.glob(f"{prefix}*")):
            pid = path.name[len(prefix) :]
            if pid.isdigit():
                found.append((path, int(pid)))
    return found


def restore_previous(out_dir: Path) -> Path | None:
    """Put the previous release back when a crash mid-swap left ``out_dir`` missing.

    Only the fallback swap (two renames) can leave ``out_dir`` missing, with the
    release it held in ``.<out>.previous-<pid>``; that folder is renamed back.
    Returns the folder restored, or None when there was nothing to do.
    """
    out_dir = out_dir.resolve()
    if out_dir.exists():
        return None
    candidates = [
        path
        for path, _ in run_leftovers(out_dir)
        if path.name.startswith(f".{out_dir.name}.previous-") and (path / "manifest.json").is_file()
    ]
    if not candidates:
        return None
    newest = max(candidates, key=lambda p: read_json(p / "manifest.json").get("version", ""))
    newest.rename(out_dir)
    return newest


def copy_tree(src: Path, dst: Path) -> None:
    """Copy a folder's files into another (created when missing), keeping relative paths."""
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.rglob("*")):
        target = dst / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def tree_facts(folder: Path) -> dict[str, dict[str, Any]]:
    """Return every file of a folder (relative path) with its size and SHA-256."""
    return {
        str(p.relative_to(folder)): file_facts(p) for p in sorted(folder.rglob("*")) if p.is_file()
    }


def tree_matches(folder: Path, facts: Mapping[str, Mapping[str, Any]]) -> bool:
    """Tell whether a folder holds exactly these files with these sizes and hashes."""
    try:
        current = {str(p.relative_to(folder)): p for p in folder.rglob("*") if p.is_file()}
        if set(current) != set(facts):
            return False
        return all(file_facts(current[rel]) == dict(facts[rel]) for rel in facts)
    except OSError:
        return False


def commit_dir(tmp: Path, final: Path) -> None:
    """Rename a completely written folder into place (one rename); drop it if already there."""
    try:
        tmp.rename(final)
    except OSError:
        if not final.is_dir():
            raise
        shutil.rmtree(tmp)
